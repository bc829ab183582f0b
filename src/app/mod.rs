//! The service layer: the one way in for every front end (CLI, TUI, SSH, sync).
//!
//! `App::execute(ctx, mutation)` checks the actor's permission, validates against current
//! state, appends the mutation to the journal and updates the projections in one atomic
//! write — or changes nothing and returns a typed error. Queries read projections and check
//! scope. Owns: identity, permissions, mutations, queries. Must not touch: sled keys
//! (store/), terminal or process I/O (edges).

mod apply;
mod bench_support;
pub mod book_export;
pub mod mutation;
mod outbound;
pub mod outbound_queries;
mod overdue;
mod parallel;
pub mod permissions;
pub mod queries;
pub mod reports;
pub mod rules_file;
mod shared;
pub mod tabular;
mod workflow;
pub mod workflow_queries;

pub use workflow::{UserKey, builtin_rules};

/// The approval rules in force (the built-in defaults until an admin sets some).
pub fn rules_in_force_of(app: &App) -> Result<crate::domain::approval::RuleSet> {
    workflow::rules_in_force(app.store())
}

pub use bench_support::AccrualPass;
pub use mutation::{Mutation, NewContract, SessionEvent};
pub use outbound_queries::*;
pub use queries::*;
pub use shared::SharedOverdue;
pub use workflow_queries::*;

use crate::domain::{Role, User};
use crate::store::{EntryHeader, Reader, RecordKind, SCHEMA_VERSION, Store, StoreError};
use chrono::NaiveDate;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Who is acting, and when: "today" is given, never read from a clock below this point.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: String,
    pub today: NaiveDate,
    /// Wall-clock time, seconds since the Unix epoch: recorded in the journal, never used
    /// by the rules.
    pub now: i64,
}

impl Ctx {
    pub fn new(actor: &str, today: NaiveDate, now: i64) -> Ctx {
        Ctx {
            actor: actor.to_string(),
            today,
            now,
        }
    }
}

/// The local administrator the CLI acts as when no `--as` is given.
pub const LOCAL_ADMIN: &str = "admin";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
    #[error("user {user} may not do this: missing permission {permission} (held by: {holders})")]
    Forbidden {
        user: String,
        permission: &'static str,
        holders: String,
    },
    #[error("item {index}: {error}")]
    InBatch { index: usize, error: Box<AppError> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    /// The error without its batch position.
    pub fn root(&self) -> &AppError {
        match self {
            AppError::InBatch { error, .. } => error.root(),
            other => other,
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;

/// What a mutation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The id of what it created, if it created something.
    pub id: Option<String>,
    /// One line for a person.
    pub message: String,
    /// False when there was nothing to do (nothing was journaled).
    pub changed: bool,
    /// What a part of an accrual run did, to be added up over the run.
    accrual: AccrualCounts,
}

/// Contracts an accrual recomputed and tickets it opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct AccrualCounts {
    pub recomputed: usize,
    pub opened: usize,
}

/// Contracts in one part of an accrual run (`Mutation::AccruePart`): each part is one atomic
/// write, so this bounds the memory a run takes whatever the size of the book.
pub const ACCRUAL_PART: usize = 10_000;

impl Outcome {
    fn created(id: String, message: String) -> Outcome {
        Outcome {
            id: Some(id),
            message,
            changed: true,
            ..Outcome::default()
        }
    }
    fn done(message: String) -> Outcome {
        Outcome {
            message,
            changed: true,
            ..Outcome::default()
        }
    }
    fn nothing(message: String) -> Outcome {
        Outcome {
            message,
            ..Outcome::default()
        }
    }
    fn accrued(counts: AccrualCounts, since: &str, through: NaiveDate) -> Outcome {
        Outcome {
            message: format!(
                "penalty accrued from {since} through {through}: {} contracts recomputed, {} tickets opened",
                counts.recomputed, counts.opened
            ),
            changed: true,
            accrual: counts,
            ..Outcome::default()
        }
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
    overdue_cache: shared::OverdueCache,
}

impl App {
    /// Opens the database, migrating one written by an older duedesk.
    pub fn open(path: &Path) -> Result<App> {
        let app = App {
            store: Store::open(path)?,
            accruing: std::sync::Mutex::new(()),
            book_version: AtomicU64::new(0),
            overdue_cache: Default::default(),
        };
        app.migrate()?;
        Ok(app)
    }

    /// Brings the projections of an older schema to this one (`store::SCHEMA_VERSION`).
    ///
    /// 1 → 2: the lines of the overdue list gained the customer's details and their penalty
    /// facts: every line is taken anew from its contract, a part at a time. The version is
    /// written last, so a migration cut short runs again from the start.
    fn migrate(&self) -> Result<()> {
        if self.store.schema_version()? >= SCHEMA_VERSION {
            return Ok(());
        }
        let _writer = self.store.lock();
        self.store.clear_overdue_lines()?;
        if self.store.accrued_through()?.is_some() {
            let numbers = self.store.contract_numbers()?;
            for part in numbers.chunks(ACCRUAL_PART) {
                let mut txn = self.store.begin();
                for no in part {
                    if let Some(contract) = txn.contract(no)? {
                        apply::save_contract(&mut txn, &contract)?;
                    }
                }
                txn.commit()?;
            }
        }
        self.store.set_schema_version(SCHEMA_VERSION)?;
        Ok(())
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

    /// A user's SSH keys as (fingerprint, OpenSSH line); admin only.
    pub fn user_keys(&self, ctx: &Ctx, name: &str) -> Result<Vec<(String, String)>> {
        let viewer = self.user(&ctx.actor)?;
        if !viewer.has(Role::Admin) {
            return Err(AppError::Forbidden {
                user: viewer.name,
                permission: "user.keys",
                holders: "admin".into(),
            });
        }
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
        let roles = permissions::holders(mutation);
        if roles.iter().any(|r| user.has(*r)) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                user: user.name,
                permission: mutation.permission(),
                holders: roles
                    .iter()
                    .map(|r| r.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }

    /// Runs one mutation as `ctx.actor`: all of it, or nothing. `Accrue` is the exception: it
    /// runs in parts (see `accrue`), each all or nothing.
    pub fn execute(&self, ctx: &Ctx, mutation: Mutation) -> Result<Outcome> {
        if let Mutation::Accrue { through } = mutation {
            return self.accrue(ctx, through, ACCRUAL_PART);
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
                error: Box::new(AppError::Invalid(
                    "this change must run on its own, not in a batch".into(),
                )),
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
        for (index, mutation) in mutations.iter().enumerate() {
            let at = |error| AppError::InBatch {
                index,
                error: Box::new(error),
            };
            permissions::check(&txn, &actor, mutation).map_err(at)?;
            if mutation.changes_book() {
                touched.add(&txn, mutation).map_err(at)?;
            }
            let header = EntryHeader {
                site: 0,
                seq: 0,
                actor: actor.name.clone(),
                at: ctx.now,
                business_date: ctx.today,
            };
            let outcome = apply::apply(&mut txn, &header, mutation).map_err(at)?;
            if outcome.changed {
                txn.append_journal(header, mutation)
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

    /// Accrues penalty through `through` (DOMAIN §2) as a run of `Mutation::AccruePart`s of at
    /// most `part` contracts each, every part journaled and written on its own. A run left
    /// unfinished (a crash) is finished first.
    pub fn accrue(&self, ctx: &Ctx, through: NaiveDate, part: usize) -> Result<Outcome> {
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
        let mut parts: Vec<Option<String>> = candidates
            .chunks(part.max(1))
            .map(|chunk| chunk.last().cloned())
            .collect();
        match parts.last_mut() {
            Some(last) => *last = None,
            None => parts.push(None),
        }
        let mut counts = AccrualCounts::default();
        let mut after = after;
        for upto in parts {
            let mutation = Mutation::AccruePart {
                through,
                after: after.take(),
                upto: upto.clone(),
            };
            let outcome = self.execute(ctx, mutation)?;
            if !outcome.changed {
                return Ok(outcome);
            }
            counts.recomputed += outcome.accrual.recomputed;
            counts.opened += outcome.accrual.opened;
            after = upto;
        }
        let since = since.map_or("the start".to_string(), |p| p.to_string());
        Ok(Outcome::accrued(counts, &since, through))
    }

    /// Replays the journal into fresh projections. Returns the number of entries replayed.
    pub fn rebuild(&self) -> Result<u64> {
        let _writer = self.store.lock();
        let entries: Vec<(EntryHeader, Mutation)> = self
            .store
            .journal()
            .collect::<std::result::Result<_, _>>()?;
        self.store.clear_projections()?;
        let mut count = 0;
        for (header, mutation) in entries {
            let mut txn = self.store.begin();
            apply::apply(&mut txn, &header, &mutation).map_err(|e| {
                AppError::Refused(format!(
                    "journal entry {}-{} ({}) no longer applies: {e}; the database needs attention",
                    header.site,
                    header.seq,
                    mutation.permission()
                ))
            })?;
            txn.append_journal(header, &mutation)?;
            txn.commit()?;
            count += 1;
        }
        self.store.flush()?;
        self.overdue_cache.note(shared::Touched::anything());
        self.book_version.fetch_add(1, Ordering::AcqRel);
        Ok(count)
    }
}

pub(crate) fn resolve_user<R: Reader + ?Sized>(reader: &R, name: &str) -> Result<User> {
    match reader.user(name)? {
        Some(user) if user.disabled => Err(AppError::Forbidden {
            user: name.to_string(),
            permission: "login",
            holders: "enabled users".into(),
        }),
        Some(user) => Ok(user),
        None if name == LOCAL_ADMIN => Ok(User {
            name: LOCAL_ADMIN.into(),
            display: "Administrator".into(),
            roles: vec![Role::Admin],
            branch: None,
            disabled: false,
        }),
        None => Err(AppError::NotFound(format!(
            "user {name} does not exist; check the name given to --as"
        ))),
    }
}
