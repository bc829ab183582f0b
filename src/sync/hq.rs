//! Head office's side: the bootstrap bundle of a site, accepting a push, the sites' sync state.

use super::codec::{self, Bundle, Item, Kind, Message, Push, Reply, Verdict};
use super::{Result, SyncError, entry_id, refusal_of};
use crate::app::permissions::{Touches, touches};
use crate::app::{App, AppError, Ctx, Mutation, Site};
use crate::domain::outbound::{Machine, yard_of_branches};
use crate::domain::refusal::{Holders, Refusal};
use crate::store::{EntryHeader, Reader, RecordKind, Store, decode_entry_bytes, entry_bytes};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

type AppResult<T> = std::result::Result<T, AppError>;

/// What head office keeps about a site's exchanges (local to HQ's database).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteState {
    /// Every seq of the site up to this one is decided (applied here, or refused).
    pub decided: u64,
    /// The refused seqs with their refusals.
    pub rejected: Vec<(u64, Refusal)>,
    /// The journal order head office's last reply ran through.
    pub cursor: u64,
    /// When the last push was accepted (and its reply written), Unix seconds.
    pub last_push: Option<i64>,
    /// When a reply or bundle last left for the site, Unix seconds.
    pub last_pull: Option<i64>,
}

fn state_key(site: u32) -> String {
    format!("hq/site/{site}")
}

pub fn site_state(store: &Store, site: u32) -> Result<SiteState> {
    Ok(store.sync_state(&state_key(site))?.unwrap_or_default())
}

fn save_state(store: &Store, site: u32, state: &SiteState) -> Result<()> {
    store.set_sync_state(&state_key(site), Some(state))?;
    Ok(())
}

/// Which of head office's entries a site holds: the entries on its branches' contracts and
/// customers, the machines in its branches' yards (`yard_of_branches`), and the global ones
/// (users, keys, rules, rates, grace, allocation, accessories, the sites: a site's user is
/// made with its site, and later entries name it); never local ones (accrual, sessions,
/// delivery, read marks). A machine of another yard that an entry the site holds names (a
/// pick or swap of one of its orders) goes to it with that entry (`machines_named`).
pub struct Scope<'a> {
    app: &'a App,
    store: &'a Store,
    site: &'a Site,
    contract_branch: HashMap<String, Option<String>>,
}

impl<'a> Scope<'a> {
    pub fn new(app: &'a App, site: &'a Site) -> Scope<'a> {
        Scope {
            app,
            store: app.store(),
            site,
            contract_branch: HashMap::new(),
        }
    }

    fn holds(&self, branch: &str) -> bool {
        self.site.branches.iter().any(|b| b == branch)
    }

    /// Whether machine `serial` stands in a yard of the site's branches at head office.
    fn holds_machine(&self, serial: &str) -> Result<bool> {
        Ok(self
            .store
            .record::<Machine>(RecordKind::Machine, serial)?
            .is_some_and(|m| yard_of_branches(&m.yard, &self.site.branches)))
    }

    /// Whether customer `id` has been moved out of one of the site's branches.
    fn left_here(&self, id: &str) -> AppResult<bool> {
        Ok(self.app.branches_left(id)?.iter().any(|b| self.holds(b)))
    }

    /// Whether customer `id` is held by the site now, having been in a branch of another
    /// site before: the site needs its history (`Item::Earlier`).
    fn arrived(&self, id: &str) -> AppResult<bool> {
        Ok(self
            .store
            .customer(id)?
            .is_some_and(|c| self.holds(&c.branch))
            && self.app.branches_left(id)?.iter().any(|b| !self.holds(b)))
    }

    /// The customer an entry is about: the customer it puts, or its contract's.
    fn customer_of(&self, mutation: &Mutation) -> AppResult<Option<String>> {
        if let Mutation::PutCustomer(c) = mutation {
            return Ok(Some(c.id.clone()));
        }
        Ok(match touches(self.store, mutation)? {
            Touches::Contract(no) => match self.store.contract(&no)? {
                Some(c) => Some(c.customer_id),
                None => match mutation {
                    Mutation::AddContract(c) | Mutation::DraftContract { contract: c, .. } => {
                        Some(c.customer_id.clone())
                    }
                    _ => None,
                },
            },
            _ => None,
        })
    }

    fn customer_branch(&self, id: &str) -> Result<Option<String>> {
        Ok(self.store.customer(id)?.map(|c| c.branch))
    }

    /// The branch of a contract's customer as the book stands now (a drafted contract's, or
    /// an imported one's, from the mutation when the book has no such contract).
    fn contract_in(&mut self, no: &str, mutation: &Mutation) -> Result<bool> {
        if !self.contract_branch.contains_key(no) {
            let customer = match self.store.contract(no)? {
                Some(c) => Some(c.customer_id),
                None => match mutation {
                    Mutation::AddContract(c) | Mutation::DraftContract { contract: c, .. } => {
                        Some(c.customer_id.clone())
                    }
                    _ => None,
                },
            };
            let branch = match customer {
                Some(id) => self.customer_branch(&id)?,
                None => None,
            };
            self.contract_branch.insert(no.to_string(), branch);
        }
        Ok(self.contract_branch[no]
            .as_deref()
            .is_some_and(|b| self.holds(b)))
    }

    /// Whether the site holds this entry of head office's journal.
    pub fn wants(&mut self, header: &EntryHeader, mutation: &Mutation) -> Result<bool> {
        if mutation.is_local() || header.site == self.site.number {
            return Ok(false);
        }
        if let Mutation::AddMachine(m) = mutation {
            return Ok(yard_of_branches(&m.yard, &self.site.branches));
        }
        if let Mutation::PutCustomer(c) = mutation {
            let now = self.customer_branch(&c.id)?;
            // A site the customer left hears of the move, and then lets it go.
            return Ok(self.holds(&c.branch)
                || now.is_some_and(|b| self.holds(&b))
                || self.left_here(&c.id)?);
        }
        match touches(self.store, mutation)? {
            Touches::Nothing | Touches::Book => Ok(true),
            Touches::Contract(no) => self.contract_in(&no, mutation),
        }
    }
}

/// What a bundle holds.
#[derive(Clone, Debug)]
pub struct Cloned {
    pub bytes: Vec<u8>,
    pub entries: usize,
    pub contracts: usize,
}

/// The bootstrap bundle of site `name`: head office's entries in its scope, in order.
pub fn clone(app: &App, ctx: &Ctx, name: &str) -> Result<Cloned> {
    let site = app.site(ctx, name)?;
    let store = app.store();
    let mut state = site_state(store, site.number)?;
    if state.decided > 0 || store.applied_through(site.number)? > 0 {
        return Err(SyncError::Refused(format!(
            "site {name} has already synced entries of its own; a new database for it would mint its ids again — keep syncing the database it has"
        )));
    }
    let mut scope = Scope::new(app, &site);
    let mut entries = Vec::new();
    let mut cursor = 0;
    let mut contracts = std::collections::HashSet::new();
    // Machines of other yards, held back until an entry the site holds names one.
    let mut elsewhere: HashMap<String, Vec<u8>> = HashMap::new();
    for entry in store.journal_after::<Mutation>(0) {
        let (order, header, mutation) = entry?;
        cursor = order;
        if scope.wants(&header, &mutation)? {
            if let Mutation::AddContract(c) | Mutation::DraftContract { contract: c, .. } =
                &mutation
            {
                contracts.insert(c.no.clone());
            }
            if let Some(machine) = serial_named(&mutation).and_then(|s| elsewhere.remove(s)) {
                entries.push(machine);
            }
            entries.push(entry_bytes(&header, &mutation));
        } else if let Mutation::AddMachine(m) = &mutation
            && header.site != site.number
        {
            elsewhere.insert(m.serial.clone(), entry_bytes(&header, &mutation));
        }
    }
    let count = entries.len();
    let bytes = codec::encode(&Message::Bundle(Bundle {
        site: site.number,
        code: site.code.clone(),
        name: site.name.clone(),
        branches: site.branches.clone(),
        cursor,
        entries,
    }));
    state.cursor = cursor;
    state.last_pull = Some(ctx.now);
    save_state(store, site.number, &state)?;
    Ok(Cloned {
        bytes,
        entries: count,
        contracts: contracts.len(),
    })
}

/// What accepting a push did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accepted {
    pub site: String,
    pub accepted: usize,
    pub rejected: usize,
    /// Entries of the push decided before (a push sent again).
    pub already: usize,
    /// Head office's entries the reply carries.
    pub sent: usize,
    pub reply: Vec<u8>,
}

/// How many pushed entries head office applies under one hold of the writer lock: users at
/// head office wait at most a part's time while a branch's batch goes in.
pub const PART: usize = 32;

/// Accepts a branch's push: applies each entry not yet decided, in order, as its original
/// actor, a part at a time (`PART`; what is decided is kept after each part, and a refusal
/// at once), and answers with every verdict and head office's entries for the site since the
/// push's cursor. A push sent again changes nothing and gets the same answer; a push cut off
/// anywhere loses nothing, and the next one finds what was decided.
pub fn accept(app: &App, ctx: &Ctx, bytes: &[u8]) -> Result<Accepted> {
    accept_with(app, ctx, bytes, &mut |_, _| {})
}

/// `accept`, telling `progress` (entries decided, entries to decide) after each part.
pub fn accept_with(
    app: &App,
    ctx: &Ctx,
    bytes: &[u8],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Accepted> {
    let Message::Push(push) = codec::decode(bytes, Kind::Push)? else {
        unreachable!("decode returns the kind asked for")
    };
    // One accept at a time (two syncs of a site must not both decide its next seq); the
    // writer lock is taken a part at a time, so users at head office keep working.
    static ACCEPTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ACCEPTING.lock().unwrap_or_else(|p| p.into_inner());
    let site = app.site_numbered(ctx, push.site)?;
    let store = app.store();
    let mut state = site_state(store, site.number)?;
    // An accept cut off within a part leaves entries applied beyond what it kept as decided:
    // they were accepted (a refusal is kept at once), and are not applied or asked for again.
    state.decided = state.decided.max(store.applied_through(site.number)?);
    let entries = check_push(store, &site, &state, &push)?;
    let mut done = Accepted {
        site: site.name.clone(),
        ..Accepted::default()
    };
    let mut verdicts = Vec::with_capacity(entries.len());
    // Refusals of seqs the push does not carry (a branch asking what was decided after a
    // sync cut off sends none): the accepted ones are placed by the reply's items.
    for (seq, reason) in &state.rejected {
        if *seq >= push.first && entries.iter().all(|(h, _)| h.seq != *seq) {
            verdicts.push((
                *seq,
                Verdict::Rejected {
                    reason: reason.clone(),
                },
            ));
        }
    }
    let mut fresh = Vec::new();
    for (header, mutation) in entries {
        if header.seq > state.decided {
            fresh.push((header, mutation));
            continue;
        }
        done.already += 1;
        let verdict = match state.rejected.iter().find(|(s, _)| *s == header.seq) {
            Some((_, reason)) => Verdict::Rejected {
                reason: reason.clone(),
            },
            None => Verdict::Accepted,
        };
        verdicts.push((header.seq, verdict));
    }
    let total = fresh.len();
    for (index, part) in fresh.chunks(PART).enumerate() {
        let applied = app.apply_pushed_part(
            part,
            |header, mutation| check_entry(app, &site, header, mutation),
            |header, result| {
                let verdict = match result {
                    Ok(_) => {
                        done.accepted += 1;
                        Verdict::Accepted
                    }
                    Err(e) => match refusal_of(e) {
                        Ok(reason) => {
                            done.rejected += 1;
                            state.rejected.push((header.seq, reason.clone()));
                            state.decided = header.seq;
                            // Kept at once: a retry after a crash must not find the seq free
                            // again (later entries of the part may stand by then).
                            store.set_sync_state(&state_key(site.number), Some(&state))?;
                            Verdict::Rejected { reason }
                        }
                        // Not a verdict (the store failed): this seq stays undecided.
                        Err(e) => return Err(e),
                    },
                };
                state.decided = header.seq;
                verdicts.push((header.seq, verdict));
                Ok(())
            },
        );
        save_state(store, site.number, &state)?;
        if let Err(e) = applied {
            return Err(e.into());
        }
        progress(((index + 1) * PART).min(total), total);
    }
    state.decided = state.decided.max(push.last);
    let mut scope = Scope::new(app, &site);
    let mut items = Vec::new();
    let mut through = push.cursor;
    let mut arrivals = std::collections::BTreeSet::new();
    let mut named = BTreeSet::new();
    for entry in store.journal_after::<Mutation>(push.cursor) {
        let (order, header, mutation) = entry?;
        through = order;
        if header.site == site.number {
            items.push(Item::Own {
                order,
                seq: header.seq,
            });
        } else if scope.wants(&header, &mutation)? {
            named.extend(serial_named(&mutation).map(str::to_string));
            if let Mutation::PutCustomer(c) = &mutation
                && scope.arrived(&c.id)?
            {
                arrivals.insert(c.id.clone());
            }
            items.push(Item::Entry {
                order,
                bytes: entry_bytes(&header, &mutation),
            });
        }
    }
    if !arrivals.is_empty() {
        // Customers moved in from another site's branches: their history before the cursor
        // goes first (the branch passes over what it holds).
        let mut earlier = Vec::new();
        for entry in store.journal_after::<Mutation>(0) {
            let (order, header, mutation) = entry?;
            if order > push.cursor {
                break;
            }
            if mutation.is_local() {
                continue;
            }
            if scope
                .customer_of(&mutation)?
                .is_some_and(|c| arrivals.contains(&c))
            {
                named.extend(serial_named(&mutation).map(str::to_string));
                earlier.push(Item::Earlier {
                    bytes: entry_bytes(&header, &mutation),
                });
            }
        }
        earlier.append(&mut items);
        items = earlier;
    }
    let mut machines = machines_named(&scope, &site, named)?;
    if !machines.is_empty() {
        machines.append(&mut items);
        items = machines;
    }
    done.sent = items
        .iter()
        .filter(|i| matches!(i, Item::Entry { .. } | Item::Earlier { .. }))
        .count();
    done.reply = codec::encode(&Message::Reply(Reply {
        site: site.number,
        from: push.cursor,
        through,
        decided: state.decided,
        verdicts,
        items,
    }));
    state.cursor = through;
    state.last_push = Some(ctx.now);
    state.last_pull = Some(ctx.now);
    save_state(store, site.number, &state)?;
    Ok(done)
}

/// The machine an entry names by serial (a pick, a swap's new machine): a site holding the
/// entry must hold the machine to apply it.
fn serial_named(mutation: &Mutation) -> Option<&str> {
    match mutation {
        Mutation::Pick { serial, .. } | Mutation::SwapMachine { serial, .. } => Some(serial),
        _ => None,
    }
}

/// The machines of other yards among `named` (picked or swapped in by entries a reply
/// carries), as `Item::Earlier` entries to go first: the site may not hold them yet (the
/// branch passes over those it holds).
fn machines_named(scope: &Scope<'_>, site: &Site, named: BTreeSet<String>) -> Result<Vec<Item>> {
    let mut wanted = BTreeSet::new();
    for serial in named {
        if !scope.holds_machine(&serial)? {
            wanted.insert(serial);
        }
    }
    let mut found = Vec::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    for entry in scope.store.journal_after::<Mutation>(0) {
        let (_, header, mutation) = entry?;
        if let Mutation::AddMachine(m) = &mutation
            && header.site != site.number
            && wanted.remove(&m.serial)
        {
            found.push(Item::Earlier {
                bytes: entry_bytes(&header, &mutation),
            });
            if wanted.is_empty() {
                break;
            }
        }
    }
    Ok(found)
}

/// The push's entries, checked to be the site's, in order and starting where head office
/// expects: anything else is refused before anything is applied.
fn check_push(
    store: &Store,
    site: &Site,
    state: &SiteState,
    push: &Push,
) -> Result<Vec<(EntryHeader, Mutation)>> {
    if push.code != site.code {
        return Err(SyncError::Refused(format!(
            "the push names site {} with code {}, but site {} here has code {}; it is from another head office's site",
            push.site, push.code, site.name, site.code
        )));
    }
    if push.cursor > store.journal_len()? {
        return Err(SyncError::Refused(format!(
            "the push says the branch holds head office's entries through {}, but this journal ends at {}; it belongs to another head office",
            push.cursor,
            store.journal_len()?
        )));
    }
    if push.first > state.decided + 1 {
        return Err(SyncError::Refused(format!(
            "the push of site {} starts at its entry {}, but head office has decided its entries only through {}: expected a push starting at {} or before; send the branch's latest push",
            site.name,
            push.first,
            state.decided,
            state.decided + 1
        )));
    }
    let mut entries = Vec::with_capacity(push.entries.len());
    let mut previous = push.first.saturating_sub(1);
    for bytes in &push.entries {
        let (header, mutation): (EntryHeader, Mutation) = decode_entry_bytes(bytes)
            .map_err(|e| SyncError::Refused(format!("an entry of the push cannot be read: {e}")))?;
        if header.site != site.number || header.seq <= previous || header.seq > push.last {
            return Err(SyncError::Refused(format!(
                "the push of site {} (entries {}–{}) holds entry {}, out of its range or order; send the branch's push again",
                site.name,
                push.first,
                push.last,
                entry_id(header.site, header.seq)
            )));
        }
        previous = header.seq;
        entries.push((header, mutation));
    }
    Ok(entries)
}

/// Head office's checks of a pushed entry before the app's own: its author must be a user of
/// the site's branches, and a customer it is about must not have moved out of them.
fn check_entry(
    app: &App,
    site: &Site,
    header: &EntryHeader,
    mutation: &Mutation,
) -> std::result::Result<(), AppError> {
    let actor = app.user(&header.actor)?;
    if !actor
        .branch
        .as_deref()
        .is_some_and(|b| site.branches.iter().any(|s| s == b))
    {
        return Err(Refusal::Forbidden {
            user: actor.name,
            permission: "site.sync".into(),
            holders: Holders::SiteBranchUsers {
                site: site.name.clone(),
            },
        }
        .into());
    }
    let scope = Scope::new(app, site);
    if let Some(id) = scope.customer_of(mutation)?
        && let Some(customer) = app.store().customer(&id)?
        && !scope.holds(&customer.branch)
        && scope.left_here(&id)?
    {
        return Err(Refusal::CustomerMovedAway {
            customer: id,
            branch: customer.branch,
        }
        .into());
    }
    Ok(())
}

/// A site with what head office knows of its sync, for `site list`.
#[derive(Clone, Debug, Serialize)]
pub struct SiteRow {
    pub name: String,
    pub number: u32,
    pub code: String,
    pub branches: Vec<String>,
    pub user: String,
    pub last_push: Option<String>,
    pub last_pull: Option<String>,
    pub cursor: u64,
    /// Head office's entries for the site's scope after its cursor: what its next sync brings.
    pub pending: u64,
    pub conflicts: usize,
}

pub fn site_rows(app: &App, ctx: &Ctx) -> Result<Vec<SiteRow>> {
    let store = app.store();
    let mut rows = Vec::new();
    for site in app.sites(ctx)? {
        let state = site_state(store, site.number)?;
        let mut scope = Scope::new(app, &site);
        let mut pending = 0;
        if state.last_pull.is_some() {
            for entry in store.journal_after::<Mutation>(state.cursor) {
                let (_, header, mutation) = entry?;
                if scope.wants(&header, &mutation)? {
                    pending += 1;
                }
            }
        }
        rows.push(SiteRow {
            name: site.name.clone(),
            number: site.number,
            code: site.code.clone(),
            branches: site.branches.clone(),
            user: site.user.clone(),
            last_push: state.last_push.map(time_text),
            last_pull: state.last_pull.map(time_text),
            cursor: state.cursor,
            pending,
            conflicts: state.rejected.len(),
        });
    }
    Ok(rows)
}

/// Unix seconds as `2026-12-04 18:30:00 UTC`.
pub fn time_text(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).map_or(at.to_string(), |t| {
        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    })
}
