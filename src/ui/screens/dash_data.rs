//! What every overdue dashboard of the process shares for one overdue list: the rows (the
//! app layer's `SharedOverdue`) and what is derived from them alone — search keys with
//! pinyin, customer order, and one order of the rows per sort column and direction.
//!
//! A session's dashboard keeps only indexes into these: the lines its user may see and the
//! lines it shows. So 100 SSH sessions on a book of 100,000 contracts hold one copy of the
//! list, and a sort is a copy of an order already made.
//!
//! Nothing here is needed for the first frame (the list comes sorted by days overdue,
//! the default): search keys, the customer and contract orders and the branch and collector
//! lists are made on a background thread right after the list arrives; a sort order, from
//! those, when first asked for (a few milliseconds). Whoever needs one first
//! makes it; anyone else asking meanwhile waits for that one (`OnceLock`).

use super::super::search;
use super::dashboard::{Column, Filter};
use crate::app::OverdueRow;
use crate::app::queries::list_order;
use crate::domain::Bucket;
use crate::domain::PromiseState;
use chrono::Datelike;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

pub struct DashData {
    pub rows: Arc<[OverdueRow]>,
    /// Per row, its search key (`search::key`).
    keys: OnceLock<Keys>,
    /// Per row, its place in customer order (pinyin, then name); equal names share one.
    customer_rank: OnceLock<Vec<u32>>,
    /// Per row, its place in contract-number order: every sort's tie-break.
    contract_rank: OnceLock<Vec<u32>>,
    /// Per column and direction, every row index in that order.
    orders: [OnceLock<Vec<u32>>; Column::ALL.len() * 2],
    /// Every branch and collector on the list, sorted.
    branches: OnceLock<Vec<String>>,
    collectors: OnceLock<Vec<String>>,
    /// Per row, the numbers a keystroke reads: bucket and amounts for the totals,
    /// branch and collector as places in `branches` and `collectors` for the filter.
    numbers: OnceLock<Numbers>,
    places: OnceLock<(Vec<u16>, Vec<u16>)>,
    /// The list before this one, while its search keys may still serve this one's
    /// unchanged rows (pinyin is the costly part); dropped once the keys are made.
    earlier: Mutex<Option<Arc<DashData>>>,
}

/// The data made for the latest list of each family (the overdue list; the book list the
/// other views cut), so the next session (or the next version) finds it.
static LATEST: Mutex<[Option<Arc<DashData>>; FAMILIES]> = Mutex::new([None, None]);

/// The lists dashboards show: the overdue list, and the whole book's (the other views).
pub const FAMILIES: usize = 2;

impl DashData {
    /// The shared data for these rows of a family (`FAMILIES`): the one already made for
    /// them, or a new one (whose search keys start on a background thread, taking those of
    /// unchanged rows from the family's list before, or else from the other family's).
    pub fn of(rows: &Arc<[OverdueRow]>, family: usize) -> Arc<DashData> {
        let family = family.min(FAMILIES - 1);
        let mut latest = LATEST.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(data) = latest[family]
            .as_ref()
            .filter(|d| Arc::ptr_eq(&d.rows, rows))
        {
            return data.clone();
        }
        // Keep at most one earlier list alive, and only one whose keys exist or are coming.
        let keyed = |old: Arc<DashData>| {
            if old.keys.get().is_some() {
                Some(old)
            } else {
                old.earlier.lock().ok()?.clone()
            }
        };
        let earlier = latest[family].take().and_then(keyed).or_else(|| {
            latest
                .iter()
                .flatten()
                .find(|d| d.keys.get().is_some())
                .cloned()
        });
        let data = Arc::new(DashData::new(rows.clone(), earlier));
        latest[family] = Some(data.clone());
        drop(latest);
        let background = data.clone();
        let spawned = std::thread::Builder::new()
            .name("dashboard-keys".into())
            .spawn(move || {
                background.keys();
                background.customer_rank();
                background.contract_rank();
                background.places();
            });
        // Without a thread the keys are made when first needed instead.
        drop(spawned);
        data
    }

    fn new(rows: Arc<[OverdueRow]>, earlier: Option<Arc<DashData>>) -> DashData {
        DashData {
            rows,
            keys: OnceLock::new(),
            customer_rank: OnceLock::new(),
            contract_rank: OnceLock::new(),
            orders: Default::default(),
            branches: OnceLock::new(),
            collectors: OnceLock::new(),
            numbers: OnceLock::new(),
            places: OnceLock::new(),
            earlier: Mutex::new(earlier),
        }
    }

    /// Data for rows of its own, shared with no one (tests and benchmarks).
    pub fn detached(rows: Vec<OverdueRow>) -> Arc<DashData> {
        Arc::new(DashData::new(rows.into(), None))
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn keys(&self) -> &[String] {
        &self.made_keys().keys
    }

    fn made_keys(&self) -> &Keys {
        self.keys.get_or_init(|| {
            let earlier = self
                .earlier
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            make_keys(&self.rows, earlier.as_deref())
        })
    }

    fn customer_rank(&self) -> &[u32] {
        self.customer_rank.get_or_init(|| {
            let keys = self.made_keys();
            let rows = &self.rows;
            let mut by_customer: Vec<(&str, &str, u32)> = (0..rows.len())
                .map(|i| (keys.pinyin(i), rows[i].customer.as_str(), i as u32))
                .collect();
            by_customer.sort_unstable();
            let mut rank = vec![0u32; rows.len()];
            let mut r = 0u32;
            for n in 0..by_customer.len() {
                let (pinyin, name, i) = by_customer[n];
                if n > 0 && (by_customer[n - 1].0, by_customer[n - 1].1) != (pinyin, name) {
                    r += 1;
                }
                rank[i as usize] = r;
            }
            rank
        })
    }

    /// Per row, its place in contract-number order.
    fn contract_rank(&self) -> &[u32] {
        self.contract_rank.get_or_init(|| {
            let mut rank = vec![0u32; self.rows.len()];
            for (place, &i) in self.by_contract().iter().enumerate() {
                rank[i as usize] = place as u32;
            }
            rank
        })
    }

    /// Every row index in contract-number order.
    fn by_contract(&self) -> &[u32] {
        self.orders[Column::Contract as usize * 2].get_or_init(|| {
            let rows = &self.rows;
            let mut by_contract: Vec<(&str, u32)> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| (r.contract_no.as_str(), i as u32))
                .collect();
            by_contract.sort_unstable();
            by_contract.into_iter().map(|(_, i)| i).collect()
        })
    }

    pub fn branches(&self) -> &[String] {
        self.branches
            .get_or_init(|| distinct(self.rows.iter().map(|r| r.branch.as_str())))
    }

    pub fn collectors(&self) -> &[String] {
        self.collectors
            .get_or_init(|| distinct(self.rows.iter().map(|r| r.collector.as_str())))
    }

    /// Per row: bucket (its place in `Bucket::ALL`), overdue and penalty in cents.
    pub fn numbers(&self) -> &Numbers {
        self.numbers.get_or_init(|| Numbers {
            bucket: self.rows.iter().map(|r| bucket_place(r.bucket)).collect(),
            overdue: self.rows.iter().map(|r| r.overdue_amount.cents()).collect(),
            penalty: self
                .rows
                .iter()
                .map(|r| r.penalty_outstanding.cents())
                .collect(),
        })
    }

    fn places(&self) -> &(Vec<u16>, Vec<u16>) {
        self.places.get_or_init(|| {
            // Every row's branch and collector are on the lists made from the rows.
            let place = |list: &[String], v: &str| place_in(list, v).map_or(u16::MAX, |p| p as u16);
            let (branches, collectors) = (self.branches(), self.collectors());
            (
                self.rows
                    .iter()
                    .map(|r| place(branches, &r.branch))
                    .collect(),
                self.rows
                    .iter()
                    .map(|r| place(collectors, &r.collector))
                    .collect(),
            )
        })
    }

    /// The filter as places and bucket numbers; `None` when it lets everything through.
    /// A branch or collector not on the list lets nothing through.
    pub fn filter_of(&self, filter: &Filter) -> Option<RowFilter> {
        if filter.is_empty() {
            return None;
        }
        // A value no row has matches no place.
        let place = |list: &[String], v: &Option<String>| {
            v.as_ref()
                .map(|v| place_in(list, v).map_or(u16::MAX - 1, |p| p as u16))
        };
        Some(RowFilter {
            branch: place(self.branches(), &filter.branch),
            collector: place(self.collectors(), &filter.collector),
            bucket: filter.bucket.map(bucket_place),
        })
    }

    /// Whether row `i` passes the filter.
    pub fn passes(&self, f: &RowFilter, i: u32) -> bool {
        let i = i as usize;
        let (branch, collector) = self.places();
        f.branch.is_none_or(|b| branch[i] == b)
            && f.collector.is_none_or(|c| collector[i] == c)
            && f.bucket.is_none_or(|b| self.numbers().bucket[i] == b)
    }

    /// Every row index ordered by `column` (descending or not), then by contract number.
    pub fn order(&self, column: Column, descending: bool) -> &[u32] {
        if column == Column::Contract && !descending {
            return self.by_contract();
        }
        let slot = column as usize * 2 + usize::from(descending);
        self.orders[slot].get_or_init(|| {
            let rows = &self.rows;
            let n = rows.len() as u32;
            // The app lists by days overdue, most first, then by contract number: the
            // default order is the list's own.
            if column == Column::Days && descending && self.listed_by_days() {
                return (0..n).collect();
            }
            if column == Column::Contract {
                let mut order = self.by_contract().to_vec();
                order.reverse();
                return order;
            }
            let keys = self.sort_keys(column);
            if descending {
                // The ascending order with its runs of equal keys taken last to first:
                // within a run, still by contract number.
                let ascending = self.order(column, false);
                let mut order = Vec::with_capacity(ascending.len());
                let mut end = ascending.len();
                while end > 0 {
                    let key = keys[ascending[end - 1] as usize];
                    let mut start = end - 1;
                    while start > 0 && keys[ascending[start - 1] as usize] == key {
                        start -= 1;
                    }
                    order.extend_from_slice(&ascending[start..end]);
                    end = start;
                }
                return order;
            }
            // (key, place in contract order): unique, so an unstable sort is exact.
            let tie = self.contract_rank();
            let mut keyed: Vec<(i64, u32)> =
                keys.into_iter().zip(tie).map(|(k, &t)| (k, t)).collect();
            keyed.sort_unstable();
            let by_place = self.by_contract();
            keyed
                .into_iter()
                .map(|(_, t)| by_place[t as usize])
                .collect()
        })
    }

    fn listed_by_days(&self) -> bool {
        self.rows.is_sorted_by(|a, b| list_order(a, b).is_le())
    }

    /// One number per row that orders it by `column` (ascending).
    fn sort_keys(&self, column: Column) -> Vec<i64> {
        let names = match column {
            Column::Machine => distinct(self.rows.iter().map(|r| r.machine)),
            Column::State => distinct(self.rows.iter().map(|r| r.state)),
            _ => Vec::new(),
        };
        let customer = match column {
            Column::Customer => self.customer_rank(),
            _ => &[],
        };
        let numbers = self.numbers();
        self.rows
            .iter()
            .enumerate()
            .map(|(i, r)| match column {
                Column::Customer => customer[i] as i64,
                Column::Contract => 0,
                Column::Branch => self.places().0[i] as i64,
                Column::Collector => self.places().1[i] as i64,
                Column::Days => r.days_overdue,
                Column::Overdue => numbers.overdue[i],
                Column::Penalty => numbers.penalty[i],
                Column::LastContact => r
                    .last_contact
                    .map_or(i64::MIN, |d| d.num_days_from_ce() as i64),
                Column::Promise => promise_rank(r.promise) as i64,
                Column::Machine => place_in(&names, r.machine).map_or(-1, |p| p as i64),
                Column::State => place_in(&names, r.state).map_or(-1, |p| p as i64),
            })
            .collect()
    }
}

/// See `DashData::numbers`.
pub struct Numbers {
    pub bucket: Vec<u8>,
    pub overdue: Vec<i64>,
    pub penalty: Vec<i64>,
}

/// A `Filter` as `DashData::passes` applies it.
pub struct RowFilter {
    branch: Option<u16>,
    collector: Option<u16>,
    bucket: Option<u8>,
}

fn promise_rank(p: Option<PromiseState>) -> u8 {
    match p {
        None => 0,
        Some(PromiseState::Kept) => 1,
        Some(PromiseState::Due) => 2,
        Some(PromiseState::Broken) => 3,
    }
}

/// Where `v` stands in the sorted `list`.
fn place_in(list: &[String], v: &str) -> Option<usize> {
    list.binary_search_by(|x| x.as_str().cmp(v)).ok()
}

/// A bucket's place in `Bucket::ALL`.
fn bucket_place(b: Bucket) -> u8 {
    Bucket::ALL.iter().position(|x| *x == b).unwrap_or(0) as u8
}

/// The distinct values, sorted.
pub fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<&str> = values.collect();
    seen.sort_unstable();
    seen.dedup();
    seen.into_iter().map(str::to_string).collect()
}

/// Every row's search key, with where its full pinyin lies in it (customer sorts use it).
struct Keys {
    keys: Vec<String>,
    pinyin: Vec<(u16, u16)>,
}

impl Keys {
    fn pinyin(&self, i: usize) -> &str {
        let (from, to) = self.pinyin[i];
        self.keys[i].get(from as usize..to as usize).unwrap_or("")
    }
}

/// The byte range of the key's fifth field, the full pinyin (see `search::key`).
fn pinyin_range(key: &str) -> (u16, u16) {
    let mut seps = key.match_indices(search::SEP).map(|(at, _)| at);
    let from = seps.nth(3).map_or(0, |at| at + search::SEP.len_utf8());
    let to = seps.next().unwrap_or(from);
    match (u16::try_from(from), u16::try_from(to)) {
        (Ok(from), Ok(to)) => (from, to),
        _ => (0, 0),
    }
}

/// The search key of every row, taking an unchanged row's key from the list before.
fn make_keys(rows: &[OverdueRow], earlier: Option<&DashData>) -> Keys {
    let earlier = earlier.and_then(|d| Some((&d.rows, &d.keys.get()?.keys)));
    let place: HashMap<&str, usize> = earlier
        .map(|(rows, _)| {
            rows.iter()
                .enumerate()
                .map(|(i, r)| (r.contract_no.as_str(), i))
                .collect()
        })
        .unwrap_or_default();
    let keys = rows
        .iter()
        .map(|r| {
            let reused = earlier.and_then(|(old_rows, old_keys)| {
                let old = &old_rows[*place.get(r.contract_no.as_str())?];
                let same =
                    (&old.customer, &old.phone, &old.serial) == (&r.customer, &r.phone, &r.serial);
                same.then(|| old_keys[place[r.contract_no.as_str()]].clone())
            });
            reused.unwrap_or_else(|| search::key(&r.customer, &r.contract_no, &r.phone, &r.serial))
        })
        .collect::<Vec<String>>();
    let pinyin = keys.iter().map(|k| pinyin_range(k)).collect();
    Keys { keys, pinyin }
}
