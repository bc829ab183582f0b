//! The service: `App`, the one way in. Opens (and migrates) the database, runs mutations
//! (`execute`: permission, validation through the dispatch, the journal entry and every
//! projection in one atomic write), accrual runs in parts, and `rebuild`.

use super::legacy::{LegacyMutation, Minted};
use super::mutation::IdKind;
use super::outcome::{AccrualCounts, Ctx, Outcome};
use super::{AppError, Mutation, Result, UserKey, book, execute, permissions, shared};
use crate::domain::refusal::{Holders, Refusal, Thing};
use crate::domain::{Role, User};
use crate::store::{EntryHeader, Reader, RecordKind, SCHEMA_VERSION, Store};
use chrono::NaiveDate;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The local administrator the CLI acts as when no `--as` is given.
pub const LOCAL_ADMIN: &str = "admin";

/// Contracts in one part of an accrual run (`Mutation::AccruePart`): each part is one atomic
/// write, so this bounds the memory a run takes whatever the size of the book.
pub const ACCRUAL_PART: usize = 10_000;

/// The contracts in one part of an accrual run: `ACCRUAL_PART`, or `DUEDESK_ACCRUAL_PART`
/// when set (the crash test makes runs of many parts on a small book with it).
fn accrual_part() -> usize {
    std::env::var("DUEDESK_ACCRUAL_PART")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(ACCRUAL_PART)
}

/// An accrual run its caller does a part at a time (`App::accrual_steps`, `App::accrue_step`).
pub struct AccrualSteps {
    through: NaiveDate,
    since: Option<NaiveDate>,
    after: Option<String>,
    /// Each part's last contract (`None`: to the end of the book) and its contracts.
    parts: std::collections::VecDeque<(Option<String>, usize)>,
    contracts: usize,
    done: usize,
    counts: AccrualCounts,
    /// Nothing to do: the first step says so.
    done_already: Option<Outcome>,
}

impl AccrualSteps {
    fn new(through: NaiveDate, since: Option<NaiveDate>) -> AccrualSteps {
        AccrualSteps {
            through,
            since,
            after: None,
            parts: Default::default(),
            contracts: 0,
            done: 0,
            counts: Default::default(),
            done_already: None,
        }
    }

    /// The date the run accrues through (an unfinished run's own, when one was taken up).
    pub fn through(&self) -> NaiveDate {
        self.through
    }

    /// (contracts done, contracts the run evaluates).
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.contracts)
    }
}

pub struct App {
    store: Store,
    /// Held through an accrual run, so two runs never interleave their parts.
    accruing: std::sync::Mutex<()>,
    /// Bumped after every committed change that screens may show: sessions that see it
    /// move reload their data.
    book_version: AtomicU64,
    /// The whole book's overdue list, shared by every screen of this process.
    pub(super) overdue_cache: shared::OverdueCache,
    /// Entries replayed on open to finish a rebuild that was cut short, if one was.
    redone_rebuild: Option<u64>,
    /// What open did about an import run cut short, if there was one.
    resumed_import: Option<super::import::ResumedImport>,
    /// What opening did about an incomplete sled snapshot, if there was one.
    snapshot_check: Option<SnapshotCheck>,
}

/// A database that opened only once incomplete sled snapshots were moved aside
/// (`Store::moved_aside`), and its projections checked against the journal: a replay of the
/// journal compared with what sled recovered (by digest), the replay kept either way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotCheck {
    /// The incomplete snapshots, where they are now.
    pub moved: Vec<std::path::PathBuf>,
    /// The journal entries replayed.
    pub entries: u64,
    /// Whether the projections sled recovered equalled the replay's; `None` when a rebuild
    /// cut short was being finished anyway (the projections were partial, nothing to compare).
    pub agreed: Option<bool>,
}

impl App {
    /// Opens the database, migrating one written by an older duedesk and finishing a rebuild
    /// that was cut short.
    pub fn open(path: &Path) -> Result<App> {
        let mut app = App {
            store: Store::open(path)?,
            accruing: std::sync::Mutex::new(()),
            book_version: AtomicU64::new(0),
            overdue_cache: Default::default(),
            redone_rebuild: None,
            snapshot_check: None,
            resumed_import: None,
        };
        app.migrate()?;
        if app.store.rebuild_unfinished()? {
            // A rebuild was cut short (a crash, a kill): its projections are partial. Redo
            // it before answering anything; the journal it replays was never touched (a
            // rebase's was replaced whole, or not at all).
            let entries = match app.store.rebase_unfinished()? {
                Some(keep) => app.finish_rebase(keep)?,
                None => app.rebuild()?,
            };
            app.redone_rebuild = Some(entries);
        }
        let moved = app.store.moved_aside().to_vec();
        if !moved.is_empty() {
            // sled opened from its last complete snapshot and its log: check what it
            // recovered against a replay of the journal, and keep the replay.
            let check = match app.redone_rebuild {
                Some(entries) => SnapshotCheck {
                    moved,
                    entries,
                    agreed: None,
                },
                None => {
                    let recovered = app.store.projection_digest()?;
                    let entries = app.rebuild()?;
                    SnapshotCheck {
                        moved,
                        entries,
                        agreed: Some(app.store.projection_digest()? == recovered),
                    }
                }
            };
            app.snapshot_check = Some(check);
        }
        // An import cut short is finished (or undone) before anything is answered.
        app.resumed_import = app.resume_import()?;
        Ok(app)
    }

    /// Brings the projections of an older schema to this one (`store::SCHEMA_VERSION`).
    ///
    /// 1 → 2: the lines of the overdue list gained the customer's details and their penalty
    /// facts: every line is taken anew from its contract, a part at a time. The version is
    /// written last, so a migration cut short runs again from the start.
    ///
    /// 2 → 3: the journal is rewritten into schema 3's (`legacy.rs`), a part at a time, each
    /// part atomic and resumable; the ids schema 2 minted while applying are counted again,
    /// checked against its counters and carried in the entries from then on.
    ///
    /// 3 → 4: the fund budget's projections are built by replaying the journal (a `rebuild`:
    /// cut short, it is finished on the next open, and the version is written after it).
    fn migrate(&self) -> Result<()> {
        let found = self.store.schema_version()?;
        if found >= SCHEMA_VERSION {
            return Ok(());
        }
        {
            let _writer = self.store.lock();
            if found < 2 {
                self.migrate_overdue_lines()?;
            }
            if found < 3 {
                self.migrate_journal()?;
            }
        }
        if found < 4 && !self.store.is_empty_book() {
            self.rebuild()?;
        }
        self.store.set_schema_version(SCHEMA_VERSION)?;
        Ok(())
    }

    /// Schema 2's journal (`j/`, ids minted while applying) rewritten as schema 3's.
    fn migrate_journal(&self) -> Result<()> {
        const PART: usize = 10_000;
        const PROGRESS: &str = "migration/journal_minted";
        if !self.store.has_legacy_journal() && self.store.meta::<Minted>(PROGRESS)?.is_none() {
            // Nothing to rewrite (an empty book, or one already in schema 3's journal).
            return Ok(());
        }
        loop {
            let part = self
                .store
                .legacy_journal_part::<LegacyMutation>(None, PART)?;
            if part.is_empty() {
                break;
            }
            let mut minted: Minted = self.store.meta(PROGRESS)?.unwrap_or_default();
            let mut txn = self.store.begin();
            for (key, header, old) in part {
                let mutation = old.into_current(&mut minted);
                txn.append_journal(&header, &mutation)?;
                txn.remove_legacy_entry(&key);
            }
            txn.set_meta(PROGRESS, Some(&minted));
            txn.commit()?;
        }
        let minted: Minted = self.store.meta(PROGRESS)?.unwrap_or_default();
        let mut txn = self.store.begin();
        for (kind, counted) in [
            (IdKind::Payment, minted.payment),
            (IdKind::Application, minted.application),
            (IdKind::Order, minted.order),
        ] {
            // Schema 2 kept these counters among the projections; from schema 3 the mint
            // counters stand apart from them, and replay never touches them.
            let name = kind.counter();
            let kept = txn.counter(name)?;
            if kept != counted {
                return Err(Refusal::MintCountersDisagree {
                    name: name.to_string(),
                    counted,
                    kept,
                }
                .into());
            }
            txn.set_minted(name, counted);
            txn.remove_counter(name);
        }
        txn.set_meta::<Minted>(PROGRESS, None);
        txn.commit()?;
        self.store.flush()?;
        Ok(())
    }

    /// Schema 1 → 2: every line of the overdue list taken anew from its contract.
    fn migrate_overdue_lines(&self) -> Result<()> {
        self.store.clear_overdue_lines()?;
        if self.store.accrued_through()?.is_some() {
            let numbers = self.store.contract_numbers()?;
            for part in numbers.chunks(ACCRUAL_PART) {
                let mut txn = self.store.begin();
                for no in part {
                    if let Some(contract) = txn.contract(no)? {
                        book::save_contract(&mut txn, &contract)?;
                    }
                }
                txn.commit()?;
            }
        }
        Ok(())
    }

    /// The entries replayed when this database was opened, to finish a rebuild that had been
    /// cut short; `None` when there was none to finish. Front ends say so.
    pub fn redone_rebuild(&self) -> Option<u64> {
        self.redone_rebuild
    }

    /// Writes a backup of the whole database to `out` (`store::backup`): admin only. Taken
    /// under the writer lock, so it is the book at one moment; writers wait while it is read
    /// (write it to a local file, not to a slow network).
    pub fn backup(
        &self,
        ctx: &Ctx,
        out: &mut dyn std::io::Write,
    ) -> Result<crate::store::backup::Summary> {
        self.require_admin(ctx, "backup")?;
        let _writer = self.store.lock();
        Ok(crate::store::backup::write(&self.store, out)?)
    }

    /// What opening did about an incomplete sled snapshot; `None` when there was none.
    /// Front ends say so.
    pub fn snapshot_check(&self) -> Option<&SnapshotCheck> {
        self.snapshot_check.as_ref()
    }

    /// What opening this database did about an import run cut short; `None` when there was
    /// none. Front ends say so.
    pub fn resumed_import(&self) -> Option<&super::import::ResumedImport> {
        self.resumed_import.as_ref()
    }

    /// After changes written outside `run` (an import's parts): every screen and the shared
    /// overdue list told.
    pub(super) fn book_changed(&self) {
        self.overdue_cache.note(shared::Touched::anything());
        self.book_version.fetch_add(1, Ordering::AcqRel);
    }

    /// A counter that changes whenever a committed change may alter what a screen shows.
    pub fn book_version(&self) -> u64 {
        self.book_version.load(Ordering::Acquire)
    }

    /// The user a registered SSH key logs in as, with the key's line; `None` for an
    /// unknown key. The caller still checks that the user may log in (`user()`).
    pub fn key_owner(&self, fingerprint: &str) -> Result<Option<UserKey>> {
        Ok(self.store.record(RecordKind::UserKey, fingerprint)?)
    }

    /// Refuses, naming `permission`, unless `ctx.actor` is an admin.
    pub fn require_admin(&self, ctx: &Ctx, permission: &'static str) -> Result<()> {
        let viewer = self.user(&ctx.actor)?;
        if viewer.has(Role::Admin) {
            Ok(())
        } else {
            Err(Refusal::Forbidden {
                user: viewer.name,
                permission: permission.to_string(),
                holders: Holders::Roles(vec![Role::Admin]),
            }
            .into())
        }
    }

    /// A user's SSH keys as (fingerprint, OpenSSH line); admin only.
    pub fn user_keys(&self, ctx: &Ctx, name: &str) -> Result<Vec<(String, String)>> {
        self.require_admin(ctx, "user.keys")?;
        let mut keys = Vec::new();
        for item in self.store.records_with_ids::<UserKey>(RecordKind::UserKey) {
            let (fingerprint, key) = item?;
            if key.user == name {
                keys.push((fingerprint, key.key));
            }
        }
        Ok(keys)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Where the database is (front ends keep their logs beside it).
    pub fn db_path(&self) -> &Path {
        self.store.path()
    }

    /// The user behind a name: a stored user, or the built-in local administrator.
    pub fn user(&self, name: &str) -> Result<User> {
        resolve_user(&self.store, name)
    }

    /// Refuses, naming the permission, unless `ctx.actor` holds a role that may run this kind
    /// of mutation (scope is checked when it runs). Lets a front end refuse before work such
    /// as reading a whole import file.
    pub fn require(&self, ctx: &Ctx, mutation: &Mutation) -> Result<()> {
        let user = self.user(&ctx.actor)?;
        if permissions::may(&user, mutation) {
            Ok(())
        } else {
            Err(permissions::forbidden(&user, mutation))
        }
    }

    /// Runs one mutation as `ctx.actor`: all of it, or nothing. `Accrue` is the exception: it
    /// runs in parts (see `accrue`), each all or nothing.
    pub fn execute(&self, ctx: &Ctx, mutation: Mutation) -> Result<Outcome> {
        if let Mutation::Accrue { through } = mutation {
            return self.accrue(ctx, through, accrual_part());
        }
        let mut outcomes = self
            .run(ctx, std::slice::from_ref(&mutation))
            .map_err(|e| match e {
                AppError::InBatch { error, .. } => *error,
                other => other,
            })?;
        Ok(outcomes.remove(0))
    }

    /// Runs many mutations as one atomic change (an import): all of them, or none.
    /// A failure names the position of the mutation at fault.
    pub fn execute_batch(&self, ctx: &Ctx, mutations: &[Mutation]) -> Result<Vec<Outcome>> {
        if mutations.len() > 1
            && let Some(index) = mutations.iter().position(Mutation::reads_whole_book)
        {
            return Err(AppError::InBatch {
                index,
                error: Box::new(Refusal::NotInBatch.into()),
            });
        }
        self.run(ctx, mutations)
    }

    fn run(&self, ctx: &Ctx, mutations: &[Mutation]) -> Result<Vec<Outcome>> {
        let _writer = self.store.lock();
        let actor = self.user(&ctx.actor)?;
        let mut txn = self.store.begin();
        let mut outcomes = Vec::with_capacity(mutations.len());
        let mut touched = shared::Touched::nothing();
        let site_code = self.store.site_code()?;
        for (index, mutation) in mutations.iter().enumerate() {
            let at = |error| AppError::InBatch {
                index,
                error: Box::new(error),
            };
            permissions::check(&txn, &actor, mutation).map_err(at)?;
            mutation.check_input().map_err(at)?;
            if mutation.changes_book() {
                touched.add(&txn, mutation).map_err(at)?;
            }
            // Ids are minted here, once, and travel inside the mutation: applying never mints.
            let mut mutation = mutation.clone();
            if let Some((kind, slot)) = mutation.new_id() {
                let n = txn.mint(kind.counter()).map_err(|e| at(e.into()))?;
                *slot = kind.format(site_code.as_deref(), n);
            }
            let (site, seq) = txn.next_origin().map_err(|e| at(e.into()))?;
            let header = EntryHeader {
                site,
                seq,
                actor: actor.name.clone(),
                at: ctx.now,
                business_date: ctx.today,
            };
            let outcome = execute::apply(&mut txn, &header, &mutation).map_err(at)?;
            if outcome.changed {
                txn.append_journal(&header, &mutation)
                    .map_err(|e| at(e.into()))?;
            }
            outcomes.push(outcome);
        }
        if !txn.is_empty() {
            txn.commit()?;
            self.store.flush()?;
            if mutations.iter().any(Mutation::changes_book) {
                self.overdue_cache.note(touched);
                self.book_version.fetch_add(1, Ordering::AcqRel);
            }
        }
        Ok(outcomes)
    }

    /// Applies an entry first executed at another site (what sync does with a branch's push,
    /// or a branch with head office's entries), as it came: its origin, actor, business date,
    /// time and the ids it carries. The actor's permission and scope are checked as for a
    /// change made here. An origin already applied here changes nothing (an entry is applied
    /// once, whatever the retries); an entry of this site, a local one (`is_local`), one
    /// without its ids, or one that skips a seq of its site is refused.
    pub fn apply_entry(&self, header: &EntryHeader, mutation: &Mutation) -> Result<Outcome> {
        self.apply_other(header, mutation, false)
    }

    /// `apply_entry` for head office accepting a branch's push: the entries of a site may skip
    /// seqs (head office refused the ones between, and sync keeps its verdicts on them), but
    /// never go back; the caller (sync) hands them over in their site's order.
    pub fn apply_pushed(&self, header: &EntryHeader, mutation: &Mutation) -> Result<Outcome> {
        self.apply_other(header, mutation, true)
    }

    fn apply_other(
        &self,
        header: &EntryHeader,
        mutation: &Mutation,
        gaps: bool,
    ) -> Result<Outcome> {
        let _writer = self.store.lock();
        let mut touched = shared::Touched::nothing();
        let outcome = self.apply_other_locked(header, mutation, gaps, &mut touched)?;
        self.store.flush()?;
        if mutation.changes_book() {
            self.overdue_cache.note(touched);
            self.book_version.fetch_add(1, Ordering::AcqRel);
        }
        Ok(outcome)
    }

    /// `apply_pushed` for a part of a site's push: the entries in order under one hold of the
    /// writer lock, each its own write (a refused one changes nothing), so users at head
    /// office wait at most a part's time while a branch's batch is applied. Not flushed
    /// here: the caller keeps what it decided after the part, and that flush makes the
    /// part durable with it (one flush a part).
    /// `check` runs before each entry (sync's checks of the site); `decided` gets each
    /// entry's result as it is decided, still under the lock (sync keeps a refusal at once),
    /// and stops the part by returning an error. The entries before stand.
    pub fn apply_pushed_part(
        &self,
        entries: &[(EntryHeader, Mutation)],
        mut check: impl FnMut(&EntryHeader, &Mutation) -> Result<()>,
        mut decided: impl FnMut(&EntryHeader, Result<Outcome>) -> Result<()>,
    ) -> Result<()> {
        let _writer = self.store.lock();
        let mut touched = shared::Touched::nothing();
        let mut changed = false;
        let mut stopped = Ok(());
        for (header, mutation) in entries {
            let result = check(header, mutation)
                .and_then(|()| self.apply_other_locked(header, mutation, true, &mut touched));
            changed |= result.is_ok() && mutation.changes_book();
            if let Err(e) = decided(header, result) {
                stopped = Err(e);
                break;
            }
        }
        if changed {
            self.overdue_cache.note(touched);
            self.book_version.fetch_add(1, Ordering::AcqRel);
        }
        stopped
    }

    /// `apply_other`'s work, the writer lock held by the caller; commits without flushing.
    fn apply_other_locked(
        &self,
        header: &EntryHeader,
        mutation: &Mutation,
        gaps: bool,
        touched: &mut shared::Touched,
    ) -> Result<Outcome> {
        let here = self.store.site()?;
        if header.site == here {
            return Err(Refusal::EntryOwnSite {
                entry: origin(header),
            }
            .into());
        }
        if mutation.is_local() {
            return Err(Refusal::EntryLocal {
                entry: origin(header),
                mutation: mutation.permission().to_string(),
            }
            .into());
        }
        let applied = self.store.applied_through(header.site)?;
        if header.seq <= applied {
            return Ok(Outcome::nothing(format!(
                "entry {}-{} is already applied here",
                header.site, header.seq
            )));
        }
        if header.seq != applied + 1 && !gaps {
            return Err(Refusal::EntryOutOfOrder {
                entry: origin(header),
                expected: format!("{}-{}", header.site, applied + 1),
            }
            .into());
        }
        if let Some((kind, id)) = mutation.clone().new_id()
            && (id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(Refusal::EntryWithoutId {
                entry: origin(header),
                kind: kind.counter().to_string(),
                id: id.escape_debug().to_string(),
            }
            .into());
        }
        let actor = self.user(&header.actor)?;
        let mut txn = self.store.begin();
        permissions::check(&txn, &actor, mutation)?;
        mutation.check_input()?;
        if mutation.changes_book() {
            touched.add(&txn, mutation)?;
        }
        let outcome = execute::apply(&mut txn, header, mutation)?;
        // Journaled even when it changed nothing here: the site's entries stay gap-free.
        txn.append_journal(header, mutation)?;
        txn.commit()?;
        Ok(outcome)
    }

    /// Accrues penalty through `through` (DOMAIN §2) as a run of `Mutation::AccruePart`s of at
    /// most `part` contracts each, every part journaled and written on its own. A run left
    /// unfinished (a crash) is finished first.
    pub fn accrue(&self, ctx: &Ctx, through: NaiveDate, part: usize) -> Result<Outcome> {
        crate::domain::limits::check_not_after_today("accrue through", through, ctx.today)?;
        let _run = self
            .accruing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut finished = None;
        if let Some(run) = self.store.accrual_run()? {
            let outcome = self.accrue_parts(ctx, run.through, Some(run.done), part)?;
            finished = Some((run.through, outcome));
        }
        let outcome = match self.store.accrued_through()? {
            Some(previous) if through <= previous => {
                Outcome::nothing(format!("penalty is already accrued through {previous}"))
            }
            _ => self.accrue_parts(ctx, through, None, part)?,
        };
        Ok(match finished {
            Some((date, done)) => Outcome {
                message: format!(
                    "the interrupted accrual through {date} finished ({} contracts recomputed, {} tickets opened); {}",
                    done.accrual.recomputed, done.accrual.opened, outcome.message
                ),
                changed: true,
                ..outcome
            },
            None => outcome,
        })
    }

    /// The parts of a run through `through` from the contract after `after` to the last.
    fn accrue_parts(
        &self,
        ctx: &Ctx,
        through: NaiveDate,
        after: Option<String>,
        part: usize,
    ) -> Result<Outcome> {
        let mut steps = self.accrual_plan(through, after, part)?;
        loop {
            if let Some(outcome) = self.accrue_step(ctx, &mut steps)? {
                return Ok(outcome);
            }
        }
    }

    /// An accrual run through `through` to be done a part at a time by the caller
    /// (`accrue_step`), so that it can show how far it has come (the screens do): the run
    /// left unfinished, if any, is taken up first, as `accrue` does. Refused for a date past
    /// today. Nothing is written until the first step.
    pub fn accrual_steps(
        &self,
        ctx: &Ctx,
        through: NaiveDate,
        part: usize,
    ) -> Result<AccrualSteps> {
        // Refused now, as each part would be, for a user who may not accrue.
        permissions::check(
            self.store(),
            &self.user(&ctx.actor)?,
            &Mutation::Accrue { through },
        )?;
        crate::domain::limits::check_not_after_today("accrue through", through, ctx.today)?;
        match self.store.accrual_run()? {
            Some(run) => self.accrual_plan(run.through, Some(run.done), part),
            None => match self.store.accrued_through()? {
                Some(previous) if through <= previous => Ok(AccrualSteps {
                    done_already: Some(Outcome::nothing(format!(
                        "penalty is already accrued through {previous}"
                    ))),
                    ..AccrualSteps::new(through, Some(previous))
                }),
                _ => self.accrual_plan(through, None, part),
            },
        }
    }

    /// The parts of a run through `through` from the contract after `after` to the last.
    fn accrual_plan(
        &self,
        through: NaiveDate,
        after: Option<String>,
        part: usize,
    ) -> Result<AccrualSteps> {
        let since = self.store.accrued_through()?;
        let candidates = match since {
            Some(since) => self.store.accrual_candidates(since, through)?,
            None => self.store.contract_numbers()?,
        };
        let candidates = match &after {
            Some(after) => &candidates[candidates.partition_point(|no| no <= after)..],
            None => &candidates[..],
        };
        // Each part ends at its last candidate; the last part runs to the end of the book.
        let mut parts: std::collections::VecDeque<(Option<String>, usize)> = candidates
            .chunks(part.max(1))
            .map(|chunk| (chunk.last().cloned(), chunk.len()))
            .collect();
        match parts.back_mut() {
            Some(last) => last.0 = None,
            None => parts.push_back((None, 0)),
        }
        Ok(AccrualSteps {
            after,
            parts,
            contracts: candidates.len(),
            ..AccrualSteps::new(through, since)
        })
    }

    /// Does the next part of `steps` (one atomic, journaled write); the run's outcome once
    /// its last part is done.
    pub fn accrue_step(&self, ctx: &Ctx, steps: &mut AccrualSteps) -> Result<Option<Outcome>> {
        if let Some(outcome) = steps.done_already.take() {
            return Ok(Some(outcome));
        }
        let Some((upto, len)) = steps.parts.pop_front() else {
            return Ok(Some(Outcome::nothing(String::new())));
        };
        let mutation = Mutation::AccruePart {
            through: steps.through,
            after: steps.after.take(),
            upto: upto.clone(),
        };
        let outcome = self.execute(ctx, mutation)?;
        if !outcome.changed {
            steps.parts.clear();
            return Ok(Some(outcome));
        }
        steps.counts.recomputed += outcome.accrual.recomputed;
        steps.counts.opened += outcome.accrual.opened;
        steps.done += len;
        steps.after = upto;
        if !steps.parts.is_empty() {
            return Ok(None);
        }
        let since = steps
            .since
            .map_or("the start".to_string(), |p| p.to_string());
        Ok(Some(Outcome::accrued(steps.counts, &since, steps.through)))
    }

    /// Applies entries head office sent (a branch's pull, a bootstrap), in their order, as
    /// they came and without checking permissions again: head office checked them and is the
    /// order of record. An origin already held here is passed over (a site receives only its
    /// scope of another site's entries, so their seqs have gaps). Returns how many applied.
    pub fn adopt(&self, entries: &[(EntryHeader, Mutation)]) -> Result<u64> {
        let _writer = self.store.lock();
        let mut count = 0;
        for (header, mutation) in entries {
            if self.store.holds(header.site, header.seq)? {
                continue;
            }
            let mut txn = self.store.begin();
            execute::apply(&mut txn, header, mutation)
                .map_err(|e| no_longer_applies(header, mutation, e))?;
            txn.append_journal(header, mutation)?;
            txn.commit()?;
            count += 1;
        }
        self.replayed()?;
        Ok(count)
    }

    /// After a replay: flushed, and every screen and the shared overdue list told.
    fn replayed(&self) -> Result<()> {
        self.store.finish_rebuild()?;
        self.overdue_cache.note(shared::Touched::anything());
        self.book_version.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Puts `tail` in place of every journal entry after local order `keep` and replays the
    /// journal into fresh projections: a branch taking head office's order with its pending
    /// entries on top. An entry of this site after `keep` that no longer applies (refused)
    /// is passed over and returned with its refusal: the caller keeps it (a conflict), then
    /// takes it out of the journal (`Store::remove_journal_entries`). Any other entry that
    /// fails, and any store failure, stops the replay with an error (the journal is whole:
    /// `rebuild` retries).
    pub fn rebase(&self, keep: u64, tail: &[(EntryHeader, Mutation)]) -> Result<Vec<Dropped>> {
        let _writer = self.store.lock();
        // Marked first: a kill anywhere from here on leaves a database that replays as a
        // rebase when it is opened, whichever journal it then holds.
        self.store.begin_rebase(keep)?;
        self.store.replace_journal_tail(keep, tail)?;
        let (_, dropped) = self.replay_rebased(keep)?;
        self.replayed()?;
        Ok(dropped)
    }

    /// Clears the projections and replays the journal; an entry of this site after local
    /// order `keep` that is refused is passed over and returned with its refusal. Returns the
    /// entries applied too. The caller holds the writer lock.
    fn replay_rebased(&self, keep: u64) -> Result<(u64, Vec<Dropped>)> {
        let here = self.store.site()?;
        self.store.clear_projections()?;
        let mut dropped = Vec::new();
        let mut applied = 0;
        for entry in self.store.journal_after::<Mutation>(0) {
            let (order, header, mutation) = entry?;
            let mut txn = self.store.begin();
            match execute::apply(&mut txn, &header, &mutation) {
                Ok(_) => {
                    txn.commit()?;
                    applied += 1;
                }
                Err(AppError::Refused(refusal)) if order > keep && header.site == here => {
                    dropped.push((header, mutation, *refusal));
                }
                Err(e @ AppError::Store(_)) => return Err(e),
                Err(e) => return Err(no_longer_applies(&header, &mutation, e)),
            }
        }
        Ok((applied, dropped))
    }

    /// A rebase cut short (a branch killed while it pulled): the journal is replayed again as
    /// the rebase replayed it. An entry of this site it would have passed over stays in the
    /// journal, unapplied and noted so (`Store::note_unapplied`), until the branch's next
    /// pull replays the journal under head office's entries and lists it as a conflict.
    /// Returns the entries applied.
    fn finish_rebase(&self, keep: u64) -> Result<u64> {
        let _writer = self.store.lock();
        let (applied, dropped) = self.replay_rebased(keep)?;
        self.replayed()?;
        if !dropped.is_empty() {
            self.store.note_unapplied()?;
        }
        Ok(applied)
    }

    /// Replays the journal, in the order this database applied it, into fresh projections.
    /// The journal itself, its keys and origins, the site's seq and the mint counters are
    /// left as they are. Returns the number of entries replayed. What `App::open` runs to
    /// finish a rebuild cut short; `duedesk rebuild` is `rebuild_as`.
    pub fn rebuild(&self) -> Result<u64> {
        let _writer = self.store.lock();
        let count = self.replay_journal()?;
        self.replayed()?;
        Ok(count)
    }

    /// `duedesk rebuild` by `ctx.actor`, an admin: the replay of `rebuild`, then a
    /// `Mutation::Rebuild` journaled as an event of the audit trail in the write that ends
    /// the replay. Refused, changing nothing, for anyone else. Returns the entries replayed.
    pub fn rebuild_as(&self, ctx: &Ctx) -> Result<u64> {
        self.require(ctx, &Mutation::Rebuild { entries: 0 })?;
        let actor = self.user(&ctx.actor)?;
        let _writer = self.store.lock();
        let count = self.replay_journal()?;
        let mut txn = self.store.begin();
        let (site, seq) = txn.next_origin()?;
        let header = EntryHeader {
            site,
            seq,
            actor: actor.name,
            at: ctx.now,
            business_date: ctx.today,
        };
        let mutation = Mutation::Rebuild { entries: count };
        execute::apply(&mut txn, &header, &mutation)?;
        txn.append_journal(&header, &mutation)?;
        txn.clear_rebuild_mark();
        txn.commit()?;
        self.replayed()?;
        Ok(count)
    }

    /// Clears the projections (marking the database) and replays every journal entry, one
    /// write per entry as when it was executed: some handlers read committed state beyond
    /// their transaction (the users to notify, every contract of a setting). The caller holds
    /// the writer lock and ends the replay (the mark stays until then).
    fn replay_journal(&self) -> Result<u64> {
        let _replaying = Replaying::start();
        self.store.clear_projections()?;
        let mut count = 0;
        for entry in self.store.journal::<Mutation>() {
            let (header, mutation) = entry?;
            stall_for_test(count);
            let mut txn = self.store.begin();
            execute::apply(&mut txn, &header, &mutation)
                .map_err(|e| no_longer_applies(&header, &mutation, e))?;
            txn.commit()?;
            count += 1;
        }
        Ok(count)
    }
}

/// An entry of this site a rebase passed over, with the refusal it met.
pub type Dropped = (EntryHeader, Mutation, Refusal);

/// Whether this process is replaying a journal (a rebuild, or its redo on open): a watchdog
/// that sees it while `store::writes` stands still knows the replay is stuck inside sled.
pub fn replaying() -> bool {
    REPLAYING.load(Ordering::Acquire)
}

static REPLAYING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `REPLAYING` for as long as it lives.
struct Replaying;

impl Replaying {
    fn start() -> Replaying {
        REPLAYING.store(true, Ordering::Release);
        Replaying
    }
}

impl Drop for Replaying {
    fn drop(&mut self) {
        REPLAYING.store(false, Ordering::Release);
    }
}

/// Tests only (a debug build): `DUEDESK_TEST_STALL_REPLAY=N` makes a replay stop dead before
/// entry N, as a replay stuck inside sled does, so the watchdog's recovery can be tested.
/// A process the watchdog started again (`DUEDESK_REPLAY_ATTEMPT` set) does not stall.
fn stall_for_test(entry: u64) {
    #[cfg(debug_assertions)]
    if std::env::var("DUEDESK_REPLAY_ATTEMPT").is_err()
        && std::env::var("DUEDESK_TEST_STALL_REPLAY")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            == Some(entry)
    {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = entry;
}

/// A journal entry (or one head office sent) that does not apply on replay.
fn no_longer_applies(header: &EntryHeader, mutation: &Mutation, e: AppError) -> AppError {
    Refusal::JournalEntryFails {
        entry: origin(header),
        mutation: mutation.permission().to_string(),
        why: e.to_string(),
    }
    .into()
}

/// An entry's origin as `audit` shows it: `site-seq`.
fn origin(header: &EntryHeader) -> String {
    format!("{}-{}", header.site, header.seq)
}

pub(crate) fn resolve_user<R: Reader + ?Sized>(reader: &R, name: &str) -> Result<User> {
    match reader.user(name)? {
        Some(user) if user.disabled => Err(Refusal::Forbidden {
            user: name.to_string(),
            permission: "login".into(),
            holders: Holders::EnabledUsers,
        }
        .into()),
        Some(user) => Ok(user),
        None if name == LOCAL_ADMIN => Ok(User {
            name: LOCAL_ADMIN.into(),
            display: "Administrator".into(),
            roles: vec![Role::Admin],
            branch: None,
            disabled: false,
        }),
        None => Err(Refusal::not_found(Thing::Actor, name).into()),
    }
}
