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

/// The last whole-book list computed, and the contracts changed since it was read.
#[derive(Default)]
pub(crate) struct OverdueCache {
    state: Mutex<CacheState>,
    /// Held while computing, so sessions starting together compute the list once.
    computing: Mutex<()>,
    /// Every contract as a search finds it, kept and patched by the same notes.
    pub(crate) directory: super::directory::Directory,
}

#[derive(Default)]
struct CacheState {
    kept: Option<Kept>,
    /// Contracts whose lines may have changed since `kept` was read from the store;
    /// `None`: anything may have.
    changed: Option<BTreeSet<String>>,
}

struct Kept {
    version: u64,
    as_of: NaiveDate,
    rows: Arc<[OverdueRow]>,
}

/// Past this many contracts changed, the list is read afresh rather than patched.
pub(super) const PATCH_LIMIT: usize = 2_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these leaves nothing half-written: each field is replaced whole.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl OverdueCache {
    fn get(&self, version: u64, as_of: NaiveDate) -> Option<Arc<[OverdueRow]>> {
        lock(&self.state)
            .kept
            .as_ref()
            .filter(|k| k.version == version && k.as_of == as_of)
            .map(|k| k.rows.clone())
    }

    /// Notes a committed change before the book version moves: the contracts whose lines
    /// it may have changed.
    pub(crate) fn note(&self, touched: Touched) {
        self.directory.note(touched.0.as_deref());
        let mut state = lock(&self.state);
        state.changed = match (state.changed.take(), touched.0) {
            (Some(mut set), Some(more)) => {
                set.extend(more);
                (set.len() <= PATCH_LIMIT).then_some(set)
            }
            _ => None,
        };
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

    /// Every overdue line of the book as of `as_of`, and the book version it is current for.
    ///
    /// After a change to a few contracts the list kept is patched (their lines read again)
    /// rather than read whole. Changes are noted after they commit and before the version
    /// moves; the version is read before the notes are taken and the store read after, so
    /// a list never misses a change its version counts (it may hold one it does not count
    /// yet, which the next reader reads again, to the same effect).
    fn whole_overdue_list(&self, as_of: NaiveDate) -> Result<(u64, Arc<[OverdueRow]>)> {
        let cache = &self.overdue_cache;
        let version = self.book_version();
        if let Some(rows) = cache.get(version, as_of) {
            return Ok((version, rows));
        }
        let _one_at_a_time = lock(&cache.computing);
        let version = self.book_version();
        if let Some(rows) = cache.get(version, as_of) {
            return Ok((version, rows));
        }
        let (base, changed) = {
            let mut state = lock(&cache.state);
            let changed = state.changed.replace(BTreeSet::new());
            let base = state
                .kept
                .as_ref()
                .filter(|k| k.as_of == as_of)
                .map(|k| k.rows.clone());
            (base, changed)
        };
        let rows = match (base, changed) {
            (Some(base), Some(changed)) => self.patched(&base, as_of, changed),
            _ => self
                .overdue_seen_by(None, as_of, &OverdueFilter::default())
                .map(Arc::from),
        };
        let mut state = lock(&cache.state);
        match rows {
            Ok(rows) => {
                state.kept = Some(Kept {
                    version,
                    as_of,
                    rows: rows.clone(),
                });
                Ok((version, rows))
            }
            Err(e) => {
                // The notes taken are lost with the failed read: read whole next time.
                state.changed = None;
                Err(e)
            }
        }
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
        let stale = |r: &OverdueRow| contracts.binary_search(&r.contract_no).is_ok();
        // Both in list order: merge.
        let mut rows = Vec::with_capacity(base.len() + fresh.len());
        let mut fresh = fresh.into_iter().peekable();
        for row in base.iter().filter(|r| !stale(r)) {
            while let Some(next) = fresh.next_if(|f| list_order(f, row).is_lt()) {
                rows.push(next);
            }
            rows.push(row.clone());
        }
        rows.extend(fresh);
        Ok(rows.into())
    }
}
