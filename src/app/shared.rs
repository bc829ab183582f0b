//! The overdue list shared by every screen of one process.
//!
//! `duedesk serve` runs one UI session per SSH connection, and every session's home screen
//! is the overdue list cut to its user's scope. Computed per session, 100 sessions on a book
//! of 100,000 contracts would each hold (and, after every change, recompute) their own copy.
//! Here the whole list is computed once per book version and business date and kept behind
//! an `Arc`; each viewer gets the same rows and the indexes of the lines it may see.
//!
//! The scope is decided here, in the app layer, like every other permission: a screen only
//! ever shows the lines `visible` names.

use super::permissions::{Touches, in_scope_of, touches};
use super::queries::list_order;
use super::{App, Ctx, Mutation, OverdueFilter, OverdueRow, Result};
use crate::store::Reader;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The overdue list as one viewer may see it.
#[derive(Clone, Debug)]
pub struct SharedOverdue {
    /// Every line of the book, most days overdue first, then by contract number. Shared:
    /// never hand a line the viewer may not see to anything that shows it.
    rows: Arc<[OverdueRow]>,
    /// The lines the viewer may see, in the order of `rows`; `None`: all of them.
    visible: Option<Vec<u32>>,
    /// The book version the rows were computed at.
    pub version: u64,
    pub as_of: NaiveDate,
}

impl SharedOverdue {
    pub(super) fn new(
        rows: Arc<[OverdueRow]>,
        visible: Option<Vec<u32>>,
        version: u64,
        as_of: NaiveDate,
    ) -> SharedOverdue {
        SharedOverdue {
            rows,
            visible,
            version,
            as_of,
        }
    }

    /// The whole book's rows (shared; index them only through `visible`).
    pub fn rows(&self) -> &Arc<[OverdueRow]> {
        &self.rows
    }

    /// The indexes into `rows` of the lines the viewer may see, in list order.
    pub fn visible(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match &self.visible {
            None => Box::new(0..self.rows.len() as u32),
            Some(v) => Box::new(v.iter().copied()),
        }
    }

    /// Whether the viewer may see the line at `index`.
    pub fn may_see(&self, index: u32) -> bool {
        match &self.visible {
            None => (index as usize) < self.rows.len(),
            Some(v) => v.binary_search(&index).is_ok(),
        }
    }

    /// How many lines the viewer may see.
    pub fn len(&self) -> usize {
        self.visible.as_ref().map_or(self.rows.len(), Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The viewer's lines, copied out.
    pub fn to_vec(&self) -> Vec<OverdueRow> {
        self.visible()
            .map(|i| self.rows[i as usize].clone())
            .collect()
    }
}

/// The lists every viewer of the process shares, and the directory of contracts: each kept
/// and patched by the same notes of what changed.
#[derive(Default)]
pub(crate) struct OverdueCache {
    /// The overdue list.
    list: ListCache<Arc<[OverdueRow]>>,
    /// Every contract of the book with its view (`views.rs`).
    pub(crate) book: ListCache<super::views::BookList>,
    /// Every contract as a search finds it, kept and patched by the same notes.
    pub(crate) directory: super::directory::Directory,
}

/// The last whole-book list `L` computed, and the contracts changed since it was read.
pub(crate) struct ListCache<L> {
    state: Mutex<CacheState<L>>,
    /// Held while computing, so sessions starting together compute the list once.
    computing: Mutex<()>,
}

impl<L> Default for ListCache<L> {
    fn default() -> Self {
        ListCache {
            state: Mutex::new(CacheState {
                kept: None,
                changed: None,
            }),
            computing: Mutex::new(()),
        }
    }
}

struct CacheState<L> {
    kept: Option<Kept<L>>,
    /// Contracts whose lines may have changed since `kept` was read from the store;
    /// `None`: anything may have.
    changed: Option<BTreeSet<String>>,
}

struct Kept<L> {
    version: u64,
    as_of: NaiveDate,
    list: L,
}

/// Past this many contracts changed, the list is read afresh rather than patched.
pub(super) const PATCH_LIMIT: usize = 2_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these leaves nothing half-written: each field is replaced whole.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<L: Clone> ListCache<L> {
    fn get(&self, version: u64, as_of: NaiveDate) -> Option<L> {
        lock(&self.state)
            .kept
            .as_ref()
            .filter(|k| k.version == version && k.as_of == as_of)
            .map(|k| k.list.clone())
    }

    fn note(&self, contracts: Option<&[String]>) {
        let mut state = lock(&self.state);
        state.changed = match (state.changed.take(), contracts) {
            (Some(mut set), Some(more)) => {
                set.extend(more.iter().cloned());
                (set.len() <= PATCH_LIMIT).then_some(set)
            }
            _ => None,
        };
    }

    /// The list as of `as_of` and the book version it is current for: the one kept, the one
    /// kept `patch`ed with the contracts changed since, or read `whole`.
    ///
    /// Changes are noted after they commit and before the version moves; the version is
    /// read before the notes are taken and the store read after, so a list never misses a
    /// change its version counts (it may hold one it does not count yet, which the next
    /// reader reads again, to the same effect).
    pub(crate) fn current(
        &self,
        version: impl Fn() -> u64,
        as_of: NaiveDate,
        whole: impl FnOnce() -> Result<L>,
        patch: impl FnOnce(&L, BTreeSet<String>) -> Result<L>,
    ) -> Result<(u64, L)> {
        let v = version();
        if let Some(list) = self.get(v, as_of) {
            return Ok((v, list));
        }
        let _one_at_a_time = lock(&self.computing);
        let v = version();
        if let Some(list) = self.get(v, as_of) {
            return Ok((v, list));
        }
        let (base, changed) = {
            let mut state = lock(&self.state);
            let changed = state.changed.replace(BTreeSet::new());
            let base = state
                .kept
                .as_ref()
                .filter(|k| k.as_of == as_of)
                .map(|k| k.list.clone());
            (base, changed)
        };
        let list = match (base, changed) {
            (Some(base), Some(changed)) if changed.is_empty() => Ok(base),
            (Some(base), Some(changed)) => patch(&base, changed),
            _ => whole(),
        };
        let mut state = lock(&self.state);
        match list {
            Ok(list) => {
                state.kept = Some(Kept {
                    version: v,
                    as_of,
                    list: list.clone(),
                });
                Ok((v, list))
            }
            Err(e) => {
                // The notes taken are lost with the failed read: read whole next time.
                state.changed = None;
                Err(e)
            }
        }
    }
}

impl OverdueCache {
    /// Notes a committed change before the book version moves: the contracts whose lines
    /// it may have changed.
    pub(crate) fn note(&self, touched: Touched) {
        let contracts = touched.0.as_deref();
        self.directory.note(contracts);
        self.list.note(contracts);
        self.book.note(contracts);
    }
}

/// The contracts whose overdue lines a change (one batch) may alter; `None` once that may
/// be any, or more than are worth patching (a large import).
pub(crate) struct Touched(Option<Vec<String>>);

impl Touched {
    pub fn nothing() -> Touched {
        Touched(Some(Vec::new()))
    }

    pub fn anything() -> Touched {
        Touched(None)
    }

    /// Adds what `mutation` may alter, read before it applies.
    pub fn add<R: Reader + ?Sized>(&mut self, reader: &R, mutation: &Mutation) -> Result<()> {
        let Some(all) = self.0.as_mut() else {
            return Ok(());
        };
        match touched(reader, mutation)? {
            Some(more) if all.len() + more.len() <= PATCH_LIMIT => all.extend(more),
            _ => self.0 = None,
        }
        Ok(())
    }
}

/// The contracts whose overdue lines a mutation may change, read before it applies;
/// `None` when it may change any (`permissions::touches`).
fn touched<R: Reader + ?Sized>(reader: &R, mutation: &Mutation) -> Result<Option<Vec<String>>> {
    Ok(match touches(reader, mutation)? {
        Touches::Nothing => Some(Vec::new()),
        Touches::Contract(no) => Some(vec![no]),
        Touches::Book => None,
    })
}

impl App {
    /// The overdue list as of `as_of` in the viewer's scope, as `overdue` with no filter
    /// gives it, but sharing the rows with every other viewer of this process: computed once
    /// per book version and date.
    pub fn overdue_shared(&self, ctx: &Ctx, as_of: NaiveDate) -> Result<SharedOverdue> {
        let user = self.viewer(ctx)?;
        let (version, rows) = self.whole_overdue_list(as_of)?;
        let visible = (!user.sees_everything()).then(|| {
            rows.iter()
                .enumerate()
                .filter(|(_, r)| in_scope_of(&user, &r.branch, &r.collector))
                .map(|(i, _)| i as u32)
                .collect()
        });
        Ok(SharedOverdue {
            rows,
            visible,
            version,
            as_of,
        })
    }

    /// Every overdue line of the book as of `as_of`, and the book version it is current for:
    /// after a change to a few contracts the list kept is patched (their lines read again)
    /// rather than read whole.
    pub(super) fn whole_overdue_list(&self, as_of: NaiveDate) -> Result<(u64, Arc<[OverdueRow]>)> {
        self.overdue_cache.list.current(
            || self.book_version(),
            as_of,
            || {
                self.overdue_seen_by(None, as_of, &OverdueFilter::default())
                    .map(Arc::from)
            },
            |base, changed| self.patched(base, as_of, changed),
        )
    }

    /// `base` with the lines of `changed` contracts read again.
    fn patched(
        &self,
        base: &Arc<[OverdueRow]>,
        as_of: NaiveDate,
        changed: BTreeSet<String>,
    ) -> Result<Arc<[OverdueRow]>> {
        if changed.is_empty() {
            return Ok(base.clone());
        }
        let contracts: Vec<String> = changed.into_iter().collect();
        let fresh = self.overdue_lines(as_of, &contracts)?;
        let rows = merge_order(base, &contracts, &fresh)
            .into_iter()
            .map(|from| match from {
                From::Kept(i) => base[i].clone(),
                From::Fresh(i) => fresh[i].clone(),
            })
            .collect::<Vec<_>>();
        Ok(rows.into())
    }
}

/// Where a line of a patched list comes from: the list kept, or the lines read again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum From {
    Kept(usize),
    Fresh(usize),
}

/// The lines of a patched list, in list order: `base` less the lines of the `changed`
/// contracts (sorted), merged with `fresh`, both in list order (`list_order`).
pub(super) fn merge_order(
    base: &[OverdueRow],
    changed: &[String],
    fresh: &[OverdueRow],
) -> Vec<From> {
    let stale = |r: &OverdueRow| changed.binary_search(&r.contract_no).is_ok();
    let mut out = Vec::with_capacity(base.len() + fresh.len());
    let mut next = 0;
    for (i, row) in base.iter().enumerate().filter(|(_, r)| !stale(r)) {
        while next < fresh.len() && list_order(&fresh[next], row).is_lt() {
            out.push(From::Fresh(next));
            next += 1;
        }
        out.push(From::Kept(i));
    }
    out.extend((next..fresh.len()).map(From::Fresh));
    out
}
