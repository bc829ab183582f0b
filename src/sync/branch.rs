//! A branch's side: its database made from a bundle, its pushes, the replies it pulls, its
//! conflicts and its sync status.

use super::codec::{self, Item, Kind, Message, Push, Verdict};
use super::hq::time_text;
use super::{Result, SyncError, Why, entry_id, kind_of, reason_of, variant_name};
use crate::app::permissions::{Touches, touches};
use crate::app::{App, Ctx, Mutation};
use crate::domain::Refusal;
use crate::domain::outbound::yard_of_branches;
use crate::i18n::Lang;
use crate::store::{EntryHeader, Store, decode_entry_bytes, entry_bytes};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::Path;

const STATE: &str = "branch";

/// What a branch keeps about its exchanges with head office (local to its database).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchState {
    pub site: u32,
    pub code: String,
    pub name: String,
    pub branches: Vec<String>,
    /// Head office's journal order this branch holds its entries through.
    pub cursor: u64,
    /// Every seq of this site up to this one is decided by head office.
    pub acked: u64,
    /// The local journal order through which entries stand in head office's order; pending
    /// entries follow.
    pub confirmed: u64,
    pub last_push: Option<i64>,
    /// When a reply was last pulled (the last successful sync), Unix seconds.
    pub last_sync: Option<i64>,
    pub conflicts: Vec<Conflict>,
}

/// An entry of this branch head office refused, or that no longer applies on head office's
/// order: out of the journal, kept here with its reason until someone acts on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub seq: u64,
    pub why: Why,
    /// The entry's bytes (`store::entry_bytes`).
    pub entry: Vec<u8>,
}

/// A conflict as `sync conflicts` shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConflictView {
    /// The entry's origin, `site-seq`.
    pub id: String,
    /// The mutation's name (`RecordPayment`).
    pub kind: String,
    /// Why, in English (`reason_of`).
    pub reason: String,
    /// Why, in Chinese.
    pub reason_zh: String,
    /// The refusal's kind (`PaymentNotPending`); its figures are in the reason.
    pub refusal: String,
    /// Head office refused it (`true`), or it no longer applied here after head office's
    /// changes (`false`).
    pub rejected_by_hq: bool,
    pub author: String,
    /// The id of the record the entry created, if it created one (`HF-P3`).
    pub record: Option<String>,
    pub at: String,
    pub business_date: String,
    pub change: serde_json::Value,
}

pub fn state(store: &Store) -> Result<BranchState> {
    store.sync_state(STATE)?.ok_or_else(|| {
        SyncError::Refused(format!(
            "database {} is not a branch site's; make one from head office's bundle with `duedesk --db DIR sync init FILE`",
            store.path().display()
        ))
    })
}

fn save(store: &Store, state: &BranchState) -> Result<()> {
    store.set_sync_state(STATE, Some(state))?;
    Ok(())
}

/// What `init` made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Initialized {
    pub site: u32,
    pub code: String,
    pub name: String,
    pub entries: u64,
}

/// Creates the branch database at `db` from head office's bundle. Refused if `db` holds
/// anything; on failure nothing is left behind. Returns the branch's app, open.
pub fn init(db: &Path, bundle: &[u8], now: i64) -> Result<(App, Initialized)> {
    let Message::Bundle(bundle) = codec::decode(bundle, Kind::Bundle)? else {
        unreachable!("decode returns the kind asked for")
    };
    let occupied = match std::fs::read_dir(db) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(_) => true,
    };
    if occupied {
        return Err(SyncError::Refused(format!(
            "{} already holds a database or other files; give sync init a new directory",
            db.display()
        )));
    }
    let entries = bundle
        .entries
        .iter()
        .map(|bytes| decode_entry_bytes::<Mutation>(bytes))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| SyncError::Refused(format!("an entry of the bundle cannot be read: {e}")))?;
    let made = (|| -> Result<(App, u64)> {
        let app = App::open(db)?;
        app.store().set_site(bundle.site, Some(&bundle.code))?;
        let count = app.adopt(&entries)?;
        let state = BranchState {
            site: bundle.site,
            code: bundle.code.clone(),
            name: bundle.name.clone(),
            branches: bundle.branches.clone(),
            cursor: bundle.cursor,
            acked: 0,
            confirmed: app.store().journal_len()?,
            last_push: None,
            last_sync: Some(now),
            conflicts: Vec::new(),
        };
        save(app.store(), &state)?;
        // Customers the site held once and that have moved away come with their moves.
        let mut state = state;
        leave(&app, &mut state)?;
        Ok((app, count))
    })();
    match made {
        Ok((app, count)) => Ok((
            app,
            Initialized {
                site: bundle.site,
                code: bundle.code,
                name: bundle.name,
                entries: count,
            },
        )),
        Err(e) => {
            let _ = std::fs::remove_dir_all(db);
            Err(e)
        }
    }
}

/// The entries of this site head office has not decided, local ones left out.
fn pending(store: &Store, state: &BranchState) -> Result<Vec<(EntryHeader, Mutation)>> {
    Ok(store
        .entries_of_site::<Mutation>(state.site, state.acked)?
        .into_iter()
        .filter(|(_, _, m)| !m.is_local())
        .map(|(_, h, m)| (h, m))
        .collect())
}

/// What `push` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    pub bytes: Vec<u8>,
    pub entries: usize,
    pub first: u64,
    pub last: u64,
}

/// The push of this branch: its entries head office has not decided (none is fine: the
/// reply still brings head office's changes).
pub fn push(app: &App, ctx: &Ctx) -> Result<Pushed> {
    app.user(&ctx.actor)?;
    let store = app.store();
    let mut state = state(store)?;
    let entries: Vec<Vec<u8>> = pending(store, &state)?
        .iter()
        .map(|(h, m)| entry_bytes(h, m))
        .collect();
    let last = store.begin().next_origin()?.1 - 1;
    let first = state.acked + 1;
    let bytes = codec::encode(&Message::Push(Push {
        site: state.site,
        code: state.code.clone(),
        cursor: state.cursor,
        first,
        last,
        entries: entries.clone(),
    }));
    state.last_push = Some(ctx.now);
    save(store, &state)?;
    Ok(Pushed {
        bytes,
        entries: entries.len(),
        first,
        last,
    })
}

/// A push with no entries that covers no seq: head office answers with what it decided of
/// this branch's entries (and its changes), so a sync after one cut off sends only what head
/// office has not decided.
pub fn probe(app: &App, ctx: &Ctx) -> Result<Vec<u8>> {
    app.user(&ctx.actor)?;
    let state = state(app.store())?;
    Ok(codec::encode(&Message::Push(Push {
        site: state.site,
        code: state.code.clone(),
        cursor: state.cursor,
        first: state.acked + 1,
        last: state.acked,
        entries: Vec::new(),
    })))
}

/// What `pull` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pulled {
    /// The reply was applied before: nothing changed.
    pub already: bool,
    pub accepted: usize,
    pub rejected: usize,
    /// Pending entries that no longer apply on head office's order.
    pub dropped: usize,
    /// Head office's entries received.
    pub received: usize,
    /// Customers head office moved out of this site's branches, let go.
    pub left: usize,
}

/// Applies head office's reply: its entries in its order, this branch's accepted entries in
/// their place, the rejected ones out of the journal into the conflicts, pending ones on top.
pub fn pull(app: &App, ctx: &Ctx, bytes: &[u8]) -> Result<Pulled> {
    app.user(&ctx.actor)?;
    let Message::Reply(reply) = codec::decode(bytes, Kind::Reply)? else {
        unreachable!("decode returns the kind asked for")
    };
    let store = app.store();
    let mut state = state(store)?;
    if reply.site != state.site {
        return Err(SyncError::Refused(format!(
            "this reply is for site number {}; this database is site {} ({}): pull the reply to this branch's push",
            reply.site, state.site, state.name
        )));
    }
    if reply.from > state.cursor {
        return Err(SyncError::Refused(format!(
            "this reply follows head office's entry {}, but this branch holds them only through {}: expected the reply to a later push of this branch; run sync push, take it to head office and pull its reply",
            reply.from, state.cursor
        )));
    }
    if reply.through <= state.cursor && reply.decided <= state.acked {
        // A pull cut off while letting customers go, or telling authors, finishes here.
        leave(app, &mut state)?;
        tell(app, ctx, &state)?;
        return Ok(Pulled {
            already: true,
            ..Pulled::default()
        });
    }
    let original = state.clone();
    let own = state.site;
    let rejected: HashMap<u64, Refusal> = reply
        .verdicts
        .iter()
        .filter(|(seq, _)| *seq > state.acked)
        .filter_map(|(seq, v)| match v {
            Verdict::Rejected { reason } => Some((*seq, reason.clone())),
            Verdict::Accepted => None,
        })
        .collect();
    let mut pulled = Pulled {
        accepted: reply
            .verdicts
            .iter()
            .filter(|(seq, v)| *seq > state.acked && *v == Verdict::Accepted)
            .count(),
        rejected: rejected.len(),
        ..Pulled::default()
    };
    let tail = store
        .journal_after::<Mutation>(state.confirmed)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut placed: HashSet<(u32, u64)> = HashSet::new();
    let mut items: Vec<(EntryHeader, Mutation)> = Vec::new();
    let cursor = state.cursor;
    // The history of customers moved in from another site's branches goes first: the
    // entries before the push's cursor, then those of head office's entries up to this
    // branch's cursor it does not hold (a reply to an older push: they were out of its scope
    // when it took them). What this database holds is passed over.
    for item in &reply.items {
        let bytes = match item {
            Item::Earlier { bytes } => bytes,
            Item::Entry { order, bytes } if *order <= cursor => bytes,
            _ => continue,
        };
        let (header, mutation): (EntryHeader, Mutation) =
            decode_entry_bytes(bytes).map_err(|e| {
                SyncError::Refused(format!("an entry of the reply cannot be read: {e}"))
            })?;
        if header.site == own && matches!(item, Item::Entry { .. }) {
            return Err(SyncError::Refused(format!(
                "the reply carries entry {} as head office's, but it is this site's; it is not a reply to this branch",
                entry_id(header.site, header.seq)
            )));
        }
        if store.holds(header.site, header.seq)? || !placed.insert((header.site, header.seq)) {
            continue;
        }
        pulled.received += 1;
        items.push((header, mutation));
    }
    let later = |i: &&Item| !matches!(i, Item::Earlier { .. }) && i.order() > cursor;
    for item in reply.items.iter().filter(later) {
        let entry = match item {
            Item::Entry { bytes, .. } => {
                let (header, mutation): (EntryHeader, Mutation) = decode_entry_bytes(bytes)
                    .map_err(|e| {
                        SyncError::Refused(format!("an entry of the reply cannot be read: {e}"))
                    })?;
                if header.site == own {
                    return Err(SyncError::Refused(format!(
                        "the reply carries entry {} as head office's, but it is this site's; it is not a reply to this branch",
                        entry_id(header.site, header.seq)
                    )));
                }
                pulled.received += 1;
                (header, mutation)
            }
            Item::Own { seq, .. } => own_entry(&tail, &mut state, own, *seq)?,
            Item::Earlier { .. } => unreachable!("filtered out above"),
        };
        placed.insert((entry.0.site, entry.0.seq));
        items.push(entry);
    }
    let mut remaining = Vec::new();
    for (_, header, mutation) in &tail {
        if placed.contains(&(header.site, header.seq)) {
            continue;
        }
        if header.site == own
            && let Some(reason) = rejected.get(&header.seq)
        {
            add_conflict(&mut state, header, mutation, Why::Rejected(reason.clone()));
            continue;
        }
        remaining.push((header.clone(), mutation.clone()));
    }
    // Local entries (accrual, read marks) before the first pending one stand with the
    // confirmed part: they never travel, so nothing will reorder them.
    let leading = remaining
        .iter()
        .take_while(|(h, m)| m.is_local() || h.site != own)
        .count();
    let keep = state.confirmed;
    let mut all = items.clone();
    all.extend(remaining);
    // The journal's tail already in head office's order (nothing of head office's comes
    // before a pending entry, nothing refused): head office's new entries go on the end.
    // (Not when a pull cut off left entries in the journal the projections lack: only a
    // replay sorts them out.)
    let in_order = pulled.rejected == 0
        && !store.has_unapplied()?
        && tail.len() <= all.len()
        && tail
            .iter()
            .zip(&all)
            .all(|((_, a, _), (b, _))| (a.site, a.seq) == (b.site, b.seq));
    if in_order {
        app.adopt(&all[tail.len()..])?;
    } else {
        // The conflicts are kept before their entries leave the journal: a pull cut off
        // anywhere loses nothing, and pulling the reply again finishes it.
        if pulled.rejected > 0 {
            let mut kept = original.clone();
            for conflict in &state.conflicts {
                if kept.conflicts.iter().all(|c| c.seq != conflict.seq) {
                    kept.conflicts.push(conflict.clone());
                }
            }
            save(store, &kept)?;
        }
        let dropped = match app.rebase(keep, &all) {
            Ok(dropped) => dropped,
            Err(e) => {
                // Head office's entries do not replay here: put the journal back as it was.
                let before: Vec<(EntryHeader, Mutation)> =
                    tail.into_iter().map(|(_, h, m)| (h, m)).collect();
                app.rebase(keep, &before)?;
                save(store, &original)?;
                return Err(e.into());
            }
        };
        let mut gone = Vec::new();
        for (header, mutation, refusal) in dropped {
            pulled.dropped += 1;
            gone.push((header.site, header.seq));
            add_conflict(
                &mut state,
                &header,
                &mutation,
                Why::NoLongerApplies(refusal),
            );
        }
        save(store, &state)?;
        store.remove_journal_entries(&gone)?;
    }
    // The local order of the last entry in head office's order (the journal may have holes
    // where entries left it).
    let settled = items.len() + leading;
    if settled > 0 {
        for entry in store
            .journal_after::<Mutation>(keep)
            .skip(settled - 1)
            .take(1)
        {
            state.confirmed = entry?.0;
        }
    }
    state.cursor = state.cursor.max(reply.through);
    state.acked = state.acked.max(reply.decided);
    state.last_sync = Some(ctx.now);
    save(store, &state)?;
    pulled.left = leave(app, &mut state)?;
    tell(app, ctx, &state)?;
    Ok(pulled)
}

const TOLD: &str = "branch/told";

/// Tells the author of each conflict not yet told, in their inbox (worded in their
/// language where it is read): a local entry (`Mutation::NoteConflict`), so a replay keeps
/// it. Which conflicts were told is kept beside the state: a pull cut off tells the rest at
/// the next one.
fn tell(app: &App, ctx: &Ctx, state: &BranchState) -> Result<()> {
    let store = app.store();
    let mut told: Vec<u64> = store.sync_state(TOLD)?.unwrap_or_default();
    for conflict in &state.conflicts {
        if told.contains(&conflict.seq) {
            continue;
        }
        let (header, mutation): (EntryHeader, Mutation) = decode_entry_bytes(&conflict.entry)?;
        let contract = match touches(store, &mutation) {
            Ok(Touches::Contract(no)) => no,
            _ => String::new(),
        };
        app.execute(
            ctx,
            Mutation::NoteConflict {
                user: header.actor.clone(),
                entry: entry_id(header.site, header.seq),
                kind: kind_of(&mutation),
                contract,
                refusal: conflict.why.refusal().clone(),
            },
        )?;
        told.push(conflict.seq);
        store.set_sync_state(TOLD, Some(&told))?;
    }
    Ok(())
}

/// Lets go of the customers head office moved out of this site's branches: every journal
/// entry about them (the customer, its contracts and all on them) leaves the journal, and the
/// projections are replayed without them. This branch's pending entries about them become
/// conflicts (`CustomerMovedAway`), kept before they leave the journal; its entries head
/// office applied simply go (they stand at head office, and reach the customer's new site).
/// A machine of another site's yards held only for their orders goes with them.
/// Done again after a cut-off: the customers are still here until the replay ends. Returns
/// how many customers left.
fn leave(app: &App, state: &mut BranchState) -> Result<usize> {
    let store = app.store();
    let mut gone: HashMap<String, String> = HashMap::new();
    for customer in store.customers() {
        let customer = customer?;
        if !state.branches.contains(&customer.branch) {
            gone.insert(customer.id, customer.branch);
        }
    }
    if gone.is_empty() {
        return Ok(0);
    }
    let mut contracts: HashMap<String, String> = HashMap::new();
    for contract in store.contracts() {
        let contract = contract?;
        if gone.contains_key(&contract.customer_id) {
            contracts.insert(contract.no, contract.customer_id);
        }
    }
    let mut origins = Vec::new();
    // Machines of other yards this branch held for entries about its customers: those no
    // entry it keeps names any more go too.
    let mut elsewhere: Vec<(String, (u32, u64))> = Vec::new();
    let mut named: HashSet<String> = HashSet::new();
    for entry in store.journal_after::<Mutation>(0) {
        let (order, header, mutation) = entry?;
        if mutation.is_local() {
            continue;
        }
        let customer = match &mutation {
            Mutation::PutCustomer(c) => gone.contains_key(&c.id).then(|| c.id.clone()),
            other => match touches(store, other)? {
                Touches::Contract(no) => contracts.get(&no).cloned(),
                _ => None,
            },
        };
        let Some(customer) = customer else {
            match &mutation {
                Mutation::AddMachine(m)
                    if header.site != state.site && !yard_of_branches(&m.yard, &state.branches) =>
                {
                    elsewhere.push((m.serial.clone(), (header.site, header.seq)));
                }
                Mutation::Pick { serial, .. } | Mutation::SwapMachine { serial, .. } => {
                    named.insert(serial.clone());
                }
                _ => {}
            }
            continue;
        };
        if header.site == state.site && order > state.confirmed {
            let branch = gone[&customer].clone();
            add_conflict(
                state,
                &header,
                &mutation,
                Why::NoLongerApplies(Refusal::CustomerMovedAway { customer, branch }),
            );
        }
        origins.push((header.site, header.seq));
    }
    origins.extend(
        elsewhere
            .into_iter()
            .filter(|(serial, _)| !named.contains(serial))
            .map(|(_, origin)| origin),
    );
    // The conflicts first: a cut-off anywhere after loses nothing.
    save(store, state)?;
    store.remove_journal_entries(&origins)?;
    let keep = state.confirmed;
    let tail: Vec<(EntryHeader, Mutation)> = store
        .journal_after::<Mutation>(keep)
        .map(|e| e.map(|(_, h, m)| (h, m)))
        .collect::<std::result::Result<_, _>>()?;
    let dropped = app.rebase(keep, &tail)?;
    let mut more = Vec::new();
    for (header, mutation, refusal) in dropped {
        more.push((header.site, header.seq));
        add_conflict(state, &header, &mutation, Why::NoLongerApplies(refusal));
    }
    save(store, state)?;
    store.remove_journal_entries(&more)?;
    Ok(gone.len())
}

/// Lists an entry as a conflict, once (a pull done again finds it again).
fn add_conflict(state: &mut BranchState, header: &EntryHeader, mutation: &Mutation, why: Why) {
    if state.conflicts.iter().all(|c| c.seq != header.seq) {
        state.conflicts.push(Conflict {
            seq: header.seq,
            why,
            entry: entry_bytes(header, mutation),
        });
    }
}

/// This branch's entry `seq`, which head office accepted: from the pending tail, or from the
/// conflicts when it had stopped applying here (head office's order decides).
fn own_entry(
    tail: &[(u64, EntryHeader, Mutation)],
    state: &mut BranchState,
    own: u32,
    seq: u64,
) -> Result<(EntryHeader, Mutation)> {
    if let Some((_, h, m)) = tail.iter().find(|(_, h, _)| h.site == own && h.seq == seq) {
        return Ok((h.clone(), m.clone()));
    }
    if let Some(at) = state.conflicts.iter().position(|c| c.seq == seq) {
        let conflict = state.conflicts.remove(at);
        return Ok(decode_entry_bytes(&conflict.entry)?);
    }
    Err(SyncError::Refused(format!(
        "the reply places entry {} of this branch, which this database does not hold; it is not a reply to this branch's pushes",
        entry_id(own, seq)
    )))
}

/// `sync status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    pub site: String,
    pub number: u32,
    pub code: String,
    pub branches: Vec<String>,
    /// Entries of this branch head office has not decided.
    pub pending: usize,
    pub last_push: Option<String>,
    /// The last reply pulled (or the bootstrap).
    pub last_sync: Option<String>,
    pub conflicts: usize,
    pub cursor: u64,
}

pub fn status(app: &App, ctx: &Ctx) -> Result<Status> {
    app.user(&ctx.actor)?;
    let store = app.store();
    let state = state(store)?;
    Ok(Status {
        site: state.name.clone(),
        number: state.site,
        code: state.code.clone(),
        branches: state.branches.clone(),
        pending: pending(store, &state)?.len(),
        last_push: state.last_push.map(time_text),
        last_sync: state.last_sync.map(time_text),
        conflicts: state.conflicts.len(),
        cursor: state.cursor,
    })
}

/// What the screens' status line shows of a branch's sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub pending: usize,
    /// Unix seconds of the last reply pulled.
    pub last_sync: Option<i64>,
    pub conflicts: usize,
}

/// The status line's sync state; `None` for a database that is not a branch site's.
pub fn line(app: &App) -> Option<Line> {
    let store = app.store();
    let state: BranchState = store.sync_state(STATE).ok()??;
    Some(Line {
        pending: pending(store, &state).ok()?.len(),
        last_sync: state.last_sync,
        conflicts: state.conflicts.len(),
    })
}

/// `sync conflicts`: this branch's entries out of the book, oldest first.
pub fn conflicts(app: &App, ctx: &Ctx) -> Result<Vec<ConflictView>> {
    app.user(&ctx.actor)?;
    let state = state(app.store())?;
    let mut views = Vec::new();
    for conflict in &state.conflicts {
        let (header, mut mutation): (EntryHeader, Mutation) = decode_entry_bytes(&conflict.entry)?;
        let change = serde_json::to_value(&mutation).unwrap_or(serde_json::Value::Null);
        views.push(ConflictView {
            id: entry_id(header.site, header.seq),
            kind: kind_of(&mutation),
            reason: reason_of(&conflict.why, Lang::En),
            reason_zh: reason_of(&conflict.why, Lang::Zh),
            refusal: variant_name(conflict.why.refusal()),
            rejected_by_hq: matches!(conflict.why, Why::Rejected(_)),
            author: header.actor.clone(),
            record: mutation.new_id().map(|(_, id)| id.clone()),
            at: time_text(header.at),
            business_date: header.business_date.to_string(),
            change,
        });
    }
    Ok(views)
}
