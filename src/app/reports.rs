//! Management reports (经营分析, DOMAIN §9): aging now and by month, roll rates, collection
//! performance, the cash-inflow forecast, penalty income, tows and locks, stock. Each is a
//! query as of `to` over `from..=to`, in the viewer's scope, filtered by branch and
//! collector, returned as a `tabular::Report`.
//!
//! Memory is bounded by design: the ledger reports scan the contracts once, in key ranges
//! on every core, reading each through a borrowed view and keeping only per-bucket and
//! per-group sums; a contract's figures at every month end come from one pass over its
//! payments (`domain::positions`). The rules (roll, share, weights) are in
//! `domain::reports`. Must not touch: sled keys, terminals, files.

use super::parallel;
use super::permissions::in_scope_of;
use super::tabular::{Cell, Report, Sheet};
use super::{App, Ctx, Result};
use crate::domain::approval::{Action, DocumentType};
use crate::domain::outbound::{Machine, MachineStock, stock_report};
use crate::domain::reports::{
    RollTally, WeightTally, expected, money_share, month_label, month_points, month_start,
    months_after, roll, share,
};
use crate::domain::workflow::{Application, Followup, Stage};
use crate::domain::{
    Bucket, ContractState, Money, Positions, Promise, PromiseState, User, positions,
    promise_state_of,
};
use crate::store::{ContactRef, ContractRef};
use crate::store::{Reader, RecordKind, Store};
use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The reports, by the names the command line and the screen use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportName {
    Aging,
    RollRates,
    Collection,
    Forecast,
    Penalty,
    Tows,
    Stock,
}

impl ReportName {
    pub const ALL: [ReportName; 7] = [
        ReportName::Aging,
        ReportName::RollRates,
        ReportName::Collection,
        ReportName::Forecast,
        ReportName::Penalty,
        ReportName::Tows,
        ReportName::Stock,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReportName::Aging => "aging",
            ReportName::RollRates => "roll-rates",
            ReportName::Collection => "collection",
            ReportName::Forecast => "forecast",
            ReportName::Penalty => "penalty",
            ReportName::Tows => "tows",
            ReportName::Stock => "stock",
        }
    }

    pub fn parse(text: &str) -> Option<ReportName> {
        ReportName::ALL
            .into_iter()
            .find(|r| r.name() == text.trim())
    }
}

/// What a report covers: the period `from..=to` (figures as of `to`), and filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub branch: Option<String>,
    pub collector: Option<String>,
}

impl ReportQuery {
    /// The twelve months up to `to`: from the first day of the month eleven months before.
    pub fn last_12_months(to: NaiveDate) -> ReportQuery {
        ReportQuery {
            from: month_start(to)
                .checked_sub_months(Months::new(11))
                .unwrap_or(to),
            to,
            branch: None,
            collector: None,
        }
    }
}

/// Months the forecast looks ahead, and back for its weights.
pub const FORECAST_MONTHS: usize = 12;

/// Machines the stock report lists as the slowest movers.
const SLOWEST_MACHINES: usize = 20;

/// Who a customer is to the reports: where they sit and who collects from them.
struct Party {
    // Shared among the customers of a branch and collector: cloned per contract into the
    // group keys, a count goes up instead of a string being copied.
    branch: Arc<str>,
    collector: Arc<str>,
}

/// A contract as a scan visitor sees it.
struct Seen<'a> {
    contract: &'a ContractRef<'a>,
    party: &'a Party,
    positions: &'a Positions,
}

/// Whether a contract is on the book on `day`: approved, signed by then, not yet closed.
fn on_book(c: &ContractRef, day: NaiveDate) -> bool {
    c.signed_on <= day
        && match c.state {
            ContractState::Draft => false,
            ContractState::Active => true,
            ContractState::Settled { on } | ContractState::Repossessed { on } => day < on,
        }
}

fn bucket_columns() -> [&'static str; 5] {
    ["1-30", "31-60", "61-90", "91-180", "181+"]
}

fn bucket_index(b: Bucket) -> usize {
    Bucket::ALL.iter().position(|x| *x == b).unwrap_or(0)
}

/// Overdue money by bucket (contracts and amounts), for one month end or one group.
#[derive(Clone, Copy, Default)]
struct Aging {
    contracts: [usize; 6],
    overdue: [Money; 6],
    balance: [Money; 6],
}

impl Aging {
    fn add(&mut self, bucket: Bucket, overdue: Money, balance: Money) {
        let i = bucket_index(bucket);
        self.contracts[i] += 1;
        self.overdue[i] += overdue;
        self.balance[i] += balance;
    }
    fn merge(&mut self, other: &Aging) {
        for i in 0..6 {
            self.contracts[i] += other.contracts[i];
            self.overdue[i] += other.overdue[i];
            self.balance[i] += other.balance[i];
        }
    }
    fn overdue_contracts(&self) -> usize {
        self.contracts[1..].iter().sum()
    }
    fn overdue_total(&self) -> Money {
        self.overdue.iter().copied().sum()
    }
    /// The row `[contracts overdue, 1-30, …, 181+, total]`.
    fn cells(&self) -> Vec<Cell> {
        let mut row = vec![Cell::Int(self.overdue_contracts() as i64)];
        row.extend(self.overdue[1..].iter().map(|m| Cell::Money(*m)));
        row.push(Cell::Money(self.overdue_total()));
        row
    }
}

fn merge_into<K: Ord + Clone, V: Default>(
    into: &mut BTreeMap<K, V>,
    from: BTreeMap<K, V>,
    merge: impl Fn(&mut V, &V),
) {
    for (k, v) in from {
        merge(into.entry(k).or_default(), &v);
    }
}

impl App {
    /// A management report as `ctx.actor` may see it.
    pub fn report(&self, ctx: &Ctx, name: ReportName, q: &ReportQuery) -> Result<Report> {
        let user = self.viewer(ctx)?;
        if q.to < q.from {
            return Err(crate::domain::Refusal::PeriodBackwards {
                from: q.from,
                to: q.to,
            }
            .into());
        }
        let sheets = match name {
            ReportName::Aging => self.aging_report(&user, q)?,
            ReportName::RollRates => self.roll_report(&user, q)?,
            ReportName::Collection => self.collection_report(&user, q)?,
            ReportName::Forecast => self.forecast_report(&user, q)?,
            ReportName::Penalty => self.penalty_report(&user, q)?,
            ReportName::Tows => self.tow_report(&user, q)?,
            ReportName::Stock => self.stock_sheets(q.to)?,
        };
        Ok(Report {
            name: name.name(),
            from: q.from,
            to: q.to,
            sheets,
        })
    }

    /// Branch and collector of every customer the viewer may see and the filters let
    /// through (one read of the customers, kept as two short strings each).
    fn parties(&self, user: &User, q: &ReportQuery) -> Result<HashMap<String, Party>> {
        let mut out = HashMap::new();
        let mut names: HashMap<String, Arc<str>> = HashMap::new();
        let mut intern = |name: &str| -> Arc<str> {
            match names.get(name) {
                Some(shared) => shared.clone(),
                None => {
                    let shared: Arc<str> = Arc::from(name);
                    names.insert(name.to_string(), shared.clone());
                    shared
                }
            }
        };
        for record in self.store().customer_records() {
            let record = record?;
            let c = record.customer()?;
            let passes = in_scope_of(user, c.branch, c.collector)
                && q.branch.as_ref().is_none_or(|b| b == c.branch)
                && q.collector.as_ref().is_none_or(|x| x == c.collector);
            if passes {
                out.insert(
                    c.id.to_string(),
                    Party {
                        branch: intern(c.branch),
                        collector: intern(c.collector),
                    },
                );
            }
        }
        Ok(out)
    }

    /// Visits every non-draft contract signed by the last point whose customer is in
    /// `parties`, with its positions at `points`, on every core: one `T` per range of
    /// contracts, from `init`, to be merged by the caller.
    fn scan_book<T: Send>(
        &self,
        parties: &HashMap<String, Party>,
        (points, penalty): (&[NaiveDate], bool),
        init: impl Fn() -> T + Sync,
        visit: impl Fn(&mut T, &Seen) -> Result<()> + Sync,
    ) -> Result<Vec<T>> {
        let store = self.store();
        let settings = store.settings()?;
        let last = *points.last().expect("a report has a date");
        let bounds = super::views::contract_bounds(store, parallel::cores())?;
        let results = parallel::in_threads(&bounds, |(after, upto)| -> Result<T> {
            let mut acc = init();
            for record in store.contract_records_between(after.as_deref(), upto.as_deref()) {
                let record = record?;
                let contract = record.contract()?;
                if matches!(contract.state, ContractState::Draft) || contract.signed_on > last {
                    continue;
                }
                let Some(party) = parties.get(contract.customer_id) else {
                    continue;
                };
                let positions = positions(&contract, &settings, points, penalty);
                let seen = Seen {
                    contract: &contract,
                    party,
                    positions: &positions,
                };
                visit(&mut acc, &seen)?;
            }
            Ok(acc)
        });
        results.into_iter().collect()
    }

    fn aging_report(&self, user: &User, q: &ReportQuery) -> Result<Vec<Sheet>> {
        type Acc = (
            Vec<Aging>,
            BTreeMap<Arc<str>, Aging>,
            BTreeMap<(Arc<str>, Arc<str>), Aging>,
        );
        let points = month_points(q.from, q.to);
        let parties = self.parties(user, q)?;
        let n = points.len();
        let parts = self.scan_book(
            &parties,
            (&points, false),
            || -> Acc { (vec![Aging::default(); n], BTreeMap::new(), BTreeMap::new()) },
            |(trend, branches, collectors), seen| {
                for (k, p) in seen.positions.at.iter().enumerate() {
                    if on_book(seen.contract, p.as_of) {
                        trend[k].add(p.bucket, p.overdue_amount, p.balance);
                    }
                }
                let now = seen.positions.at[n - 1];
                if on_book(seen.contract, now.as_of) {
                    let party = seen.party;
                    let b = branches.entry(party.branch.clone()).or_default();
                    b.add(now.bucket, now.overdue_amount, now.balance);
                    let key = (party.branch.clone(), party.collector.clone());
                    let c = collectors.entry(key).or_default();
                    c.add(now.bucket, now.overdue_amount, now.balance);
                }
                Ok(())
            },
        )?;
        let (mut trend, mut branches, mut collectors) =
            (vec![Aging::default(); n], BTreeMap::new(), BTreeMap::new());
        for (t, b, c) in parts {
            for (into, from) in trend.iter_mut().zip(&t) {
                into.merge(from);
            }
            merge_into(&mut branches, b, Aging::merge);
            merge_into(&mut collectors, c, Aging::merge);
        }
        let now = trend[n - 1];
        let mut buckets = Sheet::new(
            "buckets",
            &[
                "bucket",
                "contracts",
                "overdue_amount",
                "balance",
                "share_of_overdue",
            ],
        );
        for (i, bucket) in Bucket::ALL.iter().enumerate() {
            buckets.push(vec![
                Cell::text(bucket.label()),
                Cell::Int(now.contracts[i] as i64),
                Cell::Money(now.overdue[i]),
                Cell::Money(now.balance[i]),
                Cell::Share(money_share(now.overdue[i], now.overdue_total())),
            ]);
        }
        let grid = |name: &str, key: &[&'static str]| {
            let mut columns: Vec<&str> = key.to_vec();
            columns.push("contracts_overdue");
            columns.extend(bucket_columns());
            columns.push("total");
            Sheet::new(name, &columns)
        };
        let mut by_branch = grid("by_branch", &["branch"]);
        for (branch, aging) in &branches {
            let mut row = vec![Cell::text(&**branch)];
            row.extend(aging.cells());
            by_branch.push(row);
        }
        let mut by_collector = grid("by_collector", &["branch", "collector"]);
        for ((branch, collector), aging) in &collectors {
            let mut row = vec![Cell::text(&**branch), Cell::text(&**collector)];
            row.extend(aging.cells());
            by_collector.push(row);
        }
        let mut by_month = grid("trend", &["month", "as_of"]);
        for (p, aging) in points.iter().zip(&trend).skip(1) {
            let mut row = vec![Cell::text(month_label(*p)), Cell::Date(*p)];
            row.extend(aging.cells());
            by_month.push(row);
        }
        Ok(vec![buckets, by_month, by_branch, by_collector])
    }

    fn roll_report(&self, user: &User, q: &ReportQuery) -> Result<Vec<Sheet>> {
        let points = month_points(q.from, q.to);
        let parties = self.parties(user, q)?;
        let steps = points.len() - 1;
        let parts = self.scan_book(
            &parties,
            (&points, false),
            || vec![[RollTally::default(); 6]; steps],
            |tallies, seen| {
                for (k, pair) in seen.positions.at.windows(2).enumerate() {
                    let (start, end) = (pair[0], pair[1]);
                    if on_book(seen.contract, start.as_of) {
                        let tally = &mut tallies[k][bucket_index(start.bucket)];
                        tally.add(roll(start.bucket, end.bucket), start.balance);
                    }
                }
                Ok(())
            },
        )?;
        let mut tallies = vec![[RollTally::default(); 6]; steps];
        for part in parts {
            for (into, from) in tallies.iter_mut().zip(&part) {
                for (a, b) in into.iter_mut().zip(from) {
                    a.contracts += b.contracts;
                    a.balance += b.balance;
                    a.cured += b.cured;
                    a.better += b.better;
                    a.stayed += b.stayed;
                    a.worse += b.worse;
                }
            }
        }
        let mut sheet = Sheet::new(
            "rolls",
            &[
                "month",
                "from_bucket",
                "contracts",
                "balance",
                "cured",
                "better",
                "stayed",
                "worse",
                "cured_share",
                "better_share",
                "stayed_share",
                "worse_share",
            ],
        );
        for (k, row) in tallies.iter().enumerate() {
            for (i, t) in row.iter().enumerate() {
                let s = |m| Cell::Share(money_share(m, t.balance));
                sheet.push(vec![
                    Cell::text(month_label(points[k + 1])),
                    Cell::text(Bucket::ALL[i].label()),
                    Cell::Int(t.contracts as i64),
                    Cell::Money(t.balance),
                    Cell::Money(t.cured),
                    Cell::Money(t.better),
                    Cell::Money(t.stayed),
                    Cell::Money(t.worse),
                    s(t.cured),
                    s(t.better),
                    s(t.stayed),
                    s(t.worse),
                ]);
            }
        }
        Ok(vec![sheet])
    }

    fn collection_report(&self, user: &User, q: &ReportQuery) -> Result<Vec<Sheet>> {
        let points = month_points(q.from, q.to);
        let parties = self.parties(user, q)?;
        let contacts = contacts_where(self.store(), |c| c.on >= q.from && c.on <= q.to)?;
        let parts = self.scan_book(
            &parties,
            (&points, false),
            BTreeMap::<(Arc<str>, Arc<str>), CollectionTally>::new,
            |groups, seen| {
                let at = &seen.positions.at;
                let (opening, end) = (at[0], at[at.len() - 1]);
                let key = (seen.party.branch.clone(), seen.party.collector.clone());
                let t = groups.entry(key).or_default();
                if on_book(seen.contract, opening.as_of) {
                    t.owed += opening.overdue_amount;
                    if opening.days_overdue > 0 {
                        t.overdue_at_start += 1;
                        if end.days_overdue == 0 {
                            t.cured += 1;
                        }
                    }
                }
                // What fell due in each month while the contract was on the book (a
                // repossessed contract's schedule runs on, but nobody collects it).
                t.owed += at[..at.len() - 1]
                    .iter()
                    .filter(|p| on_book(seen.contract, p.as_of))
                    .map(|p| p.falling_due)
                    .sum::<Money>();
                t.collected += end.received - opening.received;
                contacts_in(&contacts, seen, q, t);
                Ok(())
            },
        )?;
        let mut groups = BTreeMap::new();
        for part in parts {
            merge_into(&mut groups, part, CollectionTally::merge);
        }
        let mut branches: BTreeMap<Arc<str>, CollectionTally> = BTreeMap::new();
        for ((branch, _), t) in &groups {
            branches.entry(branch.clone()).or_default().merge(t);
        }
        let mut by_collector = Sheet::new("by_collector", &COLLECTION_COLUMNS_BY_COLLECTOR);
        for ((branch, collector), t) in &groups {
            let mut row = vec![Cell::text(&**branch), Cell::text(&**collector)];
            row.extend(t.cells());
            by_collector.push(row);
        }
        let mut by_branch = Sheet::new("by_branch", &COLLECTION_COLUMNS_BY_COLLECTOR[1..]);
        by_branch.columns[0] = "branch".into();
        for (branch, t) in &branches {
            let mut row = vec![Cell::text(&**branch)];
            row.extend(t.cells());
            by_branch.push(row);
        }
        Ok(vec![by_collector, by_branch])
    }

    fn forecast_report(&self, user: &User, q: &ReportQuery) -> Result<Vec<Sheet>> {
        let to = q.to;
        // The history: the ends of the twelve whole months before `to`'s month, after the
        // one before them; then `to` itself.
        let history_from = month_start(to)
            .checked_sub_months(Months::new(FORECAST_MONTHS as u32))
            .unwrap_or(to);
        let history_to = month_start(to).checked_sub_days(Days::new(1)).unwrap_or(to);
        let mut points = month_points(history_from, history_to);
        points.push(to);
        let months = months_after(to, FORECAST_MONTHS);
        let month_of = |day: NaiveDate| months.iter().rposition(|m| *m <= day);
        let parties = self.parties(user, q)?;
        let promises = contacts_where(self.store(), |c| {
            c.promise.as_ref().is_some_and(|p| p.date > to)
        })?;
        let history = points.len() - 2; // contract-months per contract, at most
        let parts = self.scan_book(
            &parties,
            (&points, false),
            ForecastTally::default,
            |t, seen| {
                let at = &seen.positions.at;
                for k in 0..history {
                    let (start, next) = (at[k], at[k + 1]);
                    t.actual[k] += next.received - start.received;
                    if on_book(seen.contract, start.as_of) {
                        let owed = start.overdue_amount + start.falling_due;
                        if owed.is_positive() {
                            t.weights[bucket_index(start.bucket)]
                                .add(owed, next.received - start.received);
                        }
                    }
                }
                let now = at[at.len() - 1];
                if !on_book(seen.contract, to) {
                    return Ok(());
                }
                let b = bucket_index(now.bucket);
                t.scheduled[b][0] += now.overdue_amount;
                for (inst, unpaid) in seen
                    .contract
                    .installments
                    .iter()
                    .zip(&seen.positions.unpaid_at_last)
                {
                    if inst.due > to
                        && let Some(m) = month_of(inst.due)
                    {
                        t.scheduled[b][m] += *unpaid;
                    }
                }
                promises_due(&promises, seen, to, &month_of, &mut t.promised);
                Ok(())
            },
        )?;
        let mut t = ForecastTally::default();
        for part in parts {
            t.merge(&part);
        }
        let weights: Vec<Decimal> = Bucket::ALL
            .iter()
            .enumerate()
            .map(|(i, b)| t.weights[i].weight(*b))
            .collect();
        let mut by_month = Sheet::new(
            "by_month",
            &[
                "month",
                "kind",
                "scheduled",
                "expected",
                "promised",
                "actual",
            ],
        );
        for k in 0..history {
            by_month.push(vec![
                Cell::text(month_label(points[k + 1])),
                Cell::text("actual"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Money(t.actual[k]),
            ]);
        }
        for (m, first) in months.iter().enumerate() {
            let scheduled: Money = (0..6).map(|b| t.scheduled[b][m]).sum();
            let expected_money: Money = (0..6)
                .map(|b| expected(t.scheduled[b][m], weights[b]))
                .sum();
            by_month.push(vec![
                Cell::text(month_label(*first)),
                Cell::text("forecast"),
                Cell::Money(scheduled),
                Cell::Money(expected_money),
                Cell::Money(t.promised[m]),
                Cell::Empty,
            ]);
        }
        let mut by_bucket = Sheet::new(
            "weights",
            &[
                "bucket",
                "owed",
                "collected",
                "weight",
                "scheduled",
                "expected",
            ],
        );
        for (i, bucket) in Bucket::ALL.iter().enumerate() {
            let scheduled: Money = t.scheduled[i].iter().copied().sum();
            let expected_money: Money = t.scheduled[i]
                .iter()
                .map(|m| expected(*m, weights[i]))
                .sum();
            by_bucket.push(vec![
                Cell::text(bucket.label()),
                Cell::Money(t.weights[i].owed),
                Cell::Money(t.weights[i].collected),
                Cell::Share(weights[i]),
                Cell::Money(scheduled),
                Cell::Money(expected_money),
            ]);
        }
        Ok(vec![by_month, by_bucket])
    }

    fn penalty_report(&self, user: &User, q: &ReportQuery) -> Result<Vec<Sheet>> {
        let points = month_points(q.from, q.to);
        let parties = self.parties(user, q)?;
        let steps = points.len() - 1;
        let parts = self.scan_book(
            &parties,
            (&points, true),
            || (vec![PenaltyTally::default(); steps], BTreeMap::new()),
            |(months, branches): &mut (Vec<PenaltyTally>, BTreeMap<Arc<str>, PenaltyTally>),
             seen| {
                let mut total = PenaltyTally::default();
                for (k, pair) in seen.positions.at.windows(2).enumerate() {
                    let (a, b) = (pair[0], pair[1]);
                    let step = PenaltyTally {
                        accrued: b.penalty_accrued - a.penalty_accrued,
                        waived: b.penalty_waived - a.penalty_waived,
                        collected: b.penalty_paid - a.penalty_paid,
                        outstanding: (b.penalty_accrued - b.penalty_waived - b.penalty_paid)
                            .max(Money::ZERO),
                    };
                    months[k].merge(&step);
                    total.merge(&PenaltyTally {
                        outstanding: Money::ZERO,
                        ..step
                    });
                    if k == steps - 1 {
                        total.outstanding = step.outstanding;
                    }
                }
                branches
                    .entry(seen.party.branch.clone())
                    .or_default()
                    .merge(&total);
                Ok(())
            },
        )?;
        let mut months = vec![PenaltyTally::default(); steps];
        let mut branches = BTreeMap::new();
        for (m, b) in parts {
            for (into, from) in months.iter_mut().zip(&m) {
                into.merge(from);
            }
            merge_into(&mut branches, b, PenaltyTally::merge);
        }
        let columns = ["accrued", "waived", "collected", "outstanding"];
        let mut by_month = Sheet::new("by_month", &[&["month"][..], &columns].concat());
        for (k, t) in months.iter().enumerate() {
            let mut row = vec![Cell::text(month_label(points[k + 1]))];
            row.extend(t.cells());
            by_month.push(row);
        }
        let mut by_branch = Sheet::new("by_branch", &[&["branch"][..], &columns].concat());
        for (branch, t) in &branches {
            let mut row = vec![Cell::text(&**branch)];
            row.extend(t.cells());
            by_branch.push(row);
        }
        Ok(vec![by_month, by_branch])
    }

    fn tow_report(&self, user: &User, q: &ReportQuery) -> Result<Vec<Sheet>> {
        let store = self.store();
        let parties = self.parties(user, q)?;
        let mut tallies: BTreeMap<&'static str, TowTally> = BTreeMap::new();
        let mut towed = Sheet::new(
            "towed",
            &[
                "id",
                "contract_no",
                "customer",
                "branch",
                "approved_on",
                "towed_on",
                "days_to_tow",
                "yard",
                "condition",
                "cost",
            ],
        );
        for application in store.records::<Application>(RecordKind::Application) {
            let a = application?;
            if !matches!(a.document, DocumentType::Tow | DocumentType::Lock)
                || a.submitted_on < q.from
                || a.submitted_on > q.to
                || !self.application_visible(&parties, &a)?
            {
                continue;
            }
            let approved_on = a
                .review
                .history
                .iter()
                .rev()
                .find(|d| d.action == Action::Approved)
                .map(|d| d.on)
                .filter(|_| a.stage() >= Stage::Approved);
            let t = tallies.entry(a.document.name()).or_default();
            t.applications += 1;
            match a.stage() {
                Stage::InReview => t.in_review += 1,
                Stage::Rejected => t.rejected += 1,
                Stage::Withdrawn => t.withdrawn += 1,
                Stage::Approved | Stage::Scheduled => t.approved += 1,
                Stage::Done => t.done += 1,
                Stage::Failed => t.failed += 1,
            }
            if let Some(on) = approved_on {
                t.days_to_approve += (on - a.submitted_on).num_days();
                t.decided += 1;
            }
            if let Followup::TowCompleted {
                towed_on,
                yard,
                condition,
                cost,
                ..
            } = &a.followup
            {
                t.cost += *cost;
                let days = approved_on.map(|on| (*towed_on - on).num_days());
                if let Some(days) = days {
                    t.days_to_tow += days;
                    t.towed_timed += 1;
                }
                towed.push(vec![
                    Cell::text(&a.id),
                    Cell::text(&a.contract_no),
                    Cell::text(&a.customer),
                    Cell::text(&a.branch),
                    Cell::opt_date(approved_on),
                    Cell::Date(*towed_on),
                    days.map_or(Cell::Empty, Cell::Int),
                    Cell::text(yard),
                    Cell::text(condition),
                    Cell::Money(*cost),
                ]);
            }
        }
        let mut summary = Sheet::new(
            "summary",
            &[
                "document",
                "applications",
                "in_review",
                "rejected",
                "withdrawn",
                "approved",
                "done",
                "failed",
                "success_rate",
                "avg_days_to_approve",
                "avg_days_to_tow",
                "cost",
            ],
        );
        for document in ["tow", "lock"] {
            let t = tallies.remove(document).unwrap_or_default();
            // Average days, to one decimal (half-up); 0 when there is nothing to average.
            let avg = |sum: i64, n: i64| {
                let mut days = share(Decimal::from(sum), Decimal::from(n)).round_dp_with_strategy(
                    1,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                days.rescale(1);
                Cell::Decimal(days)
            };
            // Tows succeed when towed back, of those whose outcome is known; locks when
            // executed, of those approved.
            let success = if document == "tow" {
                share(Decimal::from(t.done), Decimal::from(t.done + t.failed))
            } else {
                share(Decimal::from(t.done), Decimal::from(t.done + t.approved))
            };
            summary.push(vec![
                Cell::text(document),
                Cell::Int(t.applications),
                Cell::Int(t.in_review),
                Cell::Int(t.rejected),
                Cell::Int(t.withdrawn),
                Cell::Int(t.approved),
                Cell::Int(t.done),
                Cell::Int(t.failed),
                Cell::Share(success),
                avg(t.days_to_approve, t.decided),
                avg(t.days_to_tow, t.towed_timed),
                Cell::Money(t.cost),
            ]);
        }
        towed.rows.sort_by(|a, b| a[0].plain().cmp(&b[0].plain()));
        Ok(vec![summary, towed])
    }

    /// Whether the viewer may see an application's contract and the filters let it through.
    fn application_visible(
        &self,
        parties: &HashMap<String, Party>,
        a: &Application,
    ) -> Result<bool> {
        let Some(record) = self.store().contract_record(&a.contract_no)? else {
            return Ok(false);
        };
        let contract = record.contract()?;
        Ok(parties.contains_key(contract.customer_id))
    }

    /// Stock by model (the stock report), by model and yard, and the machines longest in
    /// stock, as of `as_of`.
    fn stock_sheets(&self, as_of: NaiveDate) -> Result<Vec<Sheet>> {
        let machines: Vec<Machine> = self
            .store()
            .records::<Machine>(RecordKind::Machine)
            .collect::<std::result::Result<_, _>>()?;
        let mut by_model = Sheet::new(
            "by_model",
            &[
                "model",
                "machine_type",
                "in_stock",
                "reserved",
                "shipped",
                "towed_back",
                "max_days_in_stock",
                "avg_days_in_stock",
            ],
        );
        for line in stock_report(machines.iter(), as_of) {
            by_model.push(vec![
                Cell::text(line.model),
                Cell::text(line.machine_type),
                Cell::Int(line.in_stock as i64),
                Cell::Int(line.reserved as i64),
                Cell::Int(line.shipped as i64),
                Cell::Int(line.towed_back as i64),
                Cell::Int(line.max_days_in_stock),
                Cell::Int(line.avg_days_in_stock),
            ]);
        }
        let held = |m: &&Machine| {
            matches!(
                m.state,
                MachineStock::InStock | MachineStock::Reserved { .. }
            )
        };
        let mut yards: BTreeMap<(&str, &str), (i64, i64, i64, i64)> = BTreeMap::new();
        for m in machines.iter().filter(held) {
            let days = m.days_in_stock(as_of);
            let e = yards.entry((&m.model, &m.yard)).or_default();
            if m.state == MachineStock::InStock {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
            e.2 = e.2.max(days);
            e.3 += days;
        }
        let mut by_yard = Sheet::new(
            "by_model_yard",
            &[
                "model",
                "yard",
                "in_stock",
                "reserved",
                "max_days_in_stock",
                "avg_days_in_stock",
            ],
        );
        for ((model, yard), (in_stock, reserved, max, sum)) in yards {
            by_yard.push(vec![
                Cell::text(model),
                Cell::text(yard),
                Cell::Int(in_stock),
                Cell::Int(reserved),
                Cell::Int(max),
                Cell::Int(sum / (in_stock + reserved).max(1)),
            ]);
        }
        let mut slow: Vec<&Machine> = machines.iter().filter(held).collect();
        slow.sort_by(|a, b| {
            b.days_in_stock(as_of)
                .cmp(&a.days_in_stock(as_of))
                .then_with(|| a.serial.cmp(&b.serial))
        });
        let mut slowest = Sheet::new(
            "slowest",
            &[
                "serial",
                "model",
                "yard",
                "state",
                "arrived_on",
                "days_in_stock",
            ],
        );
        for m in slow.into_iter().take(SLOWEST_MACHINES) {
            slowest.push(vec![
                Cell::text(&m.serial),
                Cell::text(&m.model),
                Cell::text(&m.yard),
                Cell::text(m.state.name()),
                Cell::Date(m.arrived_on),
                Cell::Int(m.days_in_stock(as_of)),
            ]);
        }
        Ok(vec![by_model, by_yard, slowest])
    }
}

const COLLECTION_COLUMNS_BY_COLLECTOR: [&str; 14] = [
    "branch",
    "collector",
    "contacts",
    "promises",
    "promised_amount",
    "kept",
    "kept_amount",
    "owed",
    "collected",
    "collected_share",
    "overdue_at_start",
    "cured",
    "cure_rate",
    "broken",
];

/// Collection performance of one collector (or branch) over the period.
#[derive(Clone, Copy, Default)]
struct CollectionTally {
    contacts: i64,
    promises: i64,
    promised: Money,
    kept: i64,
    kept_amount: Money,
    broken: i64,
    owed: Money,
    collected: Money,
    overdue_at_start: i64,
    cured: i64,
}

impl CollectionTally {
    fn merge(&mut self, o: &CollectionTally) {
        self.contacts += o.contacts;
        self.promises += o.promises;
        self.promised += o.promised;
        self.kept += o.kept;
        self.kept_amount += o.kept_amount;
        self.broken += o.broken;
        self.owed += o.owed;
        self.collected += o.collected;
        self.overdue_at_start += o.overdue_at_start;
        self.cured += o.cured;
    }

    /// The columns after the group's key.
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Int(self.contacts),
            Cell::Int(self.promises),
            Cell::Money(self.promised),
            Cell::Int(self.kept),
            Cell::Money(self.kept_amount),
            Cell::Money(self.owed),
            Cell::Money(self.collected),
            Cell::Share(money_share(self.collected, self.owed)),
            Cell::Int(self.overdue_at_start),
            Cell::Int(self.cured),
            Cell::Share(share(
                Decimal::from(self.cured),
                Decimal::from(self.overdue_at_start),
            )),
            Cell::Int(self.broken),
        ]
    }
}

/// Contacts a report reads, by contract: when each was made and its promise, if any.
type ContactsOf = HashMap<String, Vec<(NaiveDate, Option<Promise>)>>;

/// The contacts that `keep` lets through, read in one pass over the tickets (in key order,
/// far cheaper than a look-up per contract), only for the contracts of `parties`' customers
/// (checked when the contract is visited).
fn contacts_where(store: &Store, keep: impl Fn(&ContactRef) -> bool) -> Result<ContactsOf> {
    let mut out: ContactsOf = HashMap::new();
    for record in store.ticket_records() {
        let record = record?;
        let ticket = record.ticket()?;
        let kept: Vec<_> = ticket
            .contacts
            .iter()
            .filter(|c| keep(c))
            .map(|c| (c.on, c.promise.clone()))
            .collect();
        if !kept.is_empty() {
            out.insert(ticket.contract_no.to_string(), kept);
        }
    }
    Ok(out)
}

/// Adds the contract's contacts made in the period (`contacts`: those of the period), and
/// the promises taken in it with their state as of the period's end, to `t`.
fn contacts_in(contacts: &ContactsOf, seen: &Seen, q: &ReportQuery, t: &mut CollectionTally) {
    for (on, promise) in contacts.get(seen.contract.no).into_iter().flatten() {
        t.contacts += 1;
        if let Some(promise) = promise {
            t.promises += 1;
            t.promised += promise.amount;
            let facts = seen.contract.payments.iter().map(|p| p.fact());
            match promise_state_of(promise, *on, facts, q.to) {
                PromiseState::Kept => {
                    t.kept += 1;
                    t.kept_amount += promise.amount;
                }
                PromiseState::Broken => t.broken += 1,
                PromiseState::Due => {}
            }
        }
    }
}

/// Adds the promises still due as of `to` (`promises`: those dated after it) to the month
/// their date falls in.
fn promises_due(
    promises: &ContactsOf,
    seen: &Seen,
    to: NaiveDate,
    month_of: &impl Fn(NaiveDate) -> Option<usize>,
    promised: &mut [Money; FORECAST_MONTHS],
) {
    for (on, promise) in promises.get(seen.contract.no).into_iter().flatten() {
        let Some(promise) = promise else {
            continue;
        };
        let facts = seen.contract.payments.iter().map(|p| p.fact());
        if promise_state_of(promise, *on, facts, to) == PromiseState::Due
            && let Some(m) = month_of(promise.date)
        {
            promised[m] += promise.amount;
        }
    }
}

#[derive(Clone, Copy, Default)]
struct ForecastTally {
    /// Per bucket at `to`, per month ahead: what the schedules still ask (overdue money in
    /// the first month).
    scheduled: [[Money; FORECAST_MONTHS]; 6],
    promised: [Money; FORECAST_MONTHS],
    /// Per past month: confirmed money received.
    actual: [Money; FORECAST_MONTHS],
    weights: [WeightTally; 6],
}

impl ForecastTally {
    fn merge(&mut self, o: &ForecastTally) {
        for b in 0..6 {
            for m in 0..FORECAST_MONTHS {
                self.scheduled[b][m] += o.scheduled[b][m];
            }
            self.weights[b].owed += o.weights[b].owed;
            self.weights[b].collected += o.weights[b].collected;
        }
        for m in 0..FORECAST_MONTHS {
            self.promised[m] += o.promised[m];
            self.actual[m] += o.actual[m];
        }
    }
}

#[derive(Clone, Copy, Default)]
struct PenaltyTally {
    accrued: Money,
    waived: Money,
    collected: Money,
    outstanding: Money,
}

impl PenaltyTally {
    fn merge(&mut self, o: &PenaltyTally) {
        self.accrued += o.accrued;
        self.waived += o.waived;
        self.collected += o.collected;
        self.outstanding += o.outstanding;
    }
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Money(self.accrued),
            Cell::Money(self.waived),
            Cell::Money(self.collected),
            Cell::Money(self.outstanding),
        ]
    }
}

#[derive(Clone, Copy, Default)]
struct TowTally {
    applications: i64,
    in_review: i64,
    rejected: i64,
    withdrawn: i64,
    approved: i64,
    done: i64,
    failed: i64,
    days_to_approve: i64,
    decided: i64,
    days_to_tow: i64,
    towed_timed: i64,
    cost: Money,
}
