//! The fund budget (资金预算, DOMAIN §8): plan before, execute during, evaluate after.
//!
//! Owns, pure: months, budget lines and plan versions, the actuals a month collects (the
//! bookings of confirmed payments, completed tows and manual spending), which month a booking
//! lands in once months are closed, the month's report (plan, actual, variance, the
//! month-to-date pace), and the scoring rules with the scores they give. Must not touch: the
//! store, the clock ("today" is an argument), permissions.
//!
//! The rules, as a finance officer would check them:
//! - A **collection line** with a collector is that collector's target; a collection line
//!   without one covers the branch's collectors who have no line of their own. Collections
//!   of collectors covered by no line show as an unplanned line (plan 0).
//! - A **spending line** is per category (tow, travel, legal, other); its actual is the
//!   branch's spending of that category. Spending in a category with no line is unplanned.
//! - **Variance** = actual − plan (negative: under plan).
//! - **Pace**: on day `d` of a month of `D` days, month-to-date actual `A` predicts
//!   `round_half_up(A × D / d, 2)` at the month's end; after the month, the actual itself.
//!   Collections are **behind pace** when the prediction is below
//!   `plan × (100 − tolerance) / 100`.
//! - A booking lands in the month of its date (the payment's receipt, the tow's day, the
//!   manual line's month) unless that month is closed: then in the month it was booked on,
//!   marked late with the month it belongs to.
//! - **Score** of a collection target: `min(actual / plan × 100, cap) × points per percent`,
//!   rounded half-up to 2 decimals (no score without a plan). A branch's score is the score of
//!   its whole collection plan, less the overspend penalty for each spending line over plan
//!   and the unplanned penalty for each category spent without a line.

use super::money::{Money, round_cents};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A calendar month, `2026-03`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

impl Month {
    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    /// `YYYY-MM`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Month> {
        let (y, m) = text.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let month = Month {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
        };
        NaiveDate::from_ymd_opt(month.year, month.month, 1).map(|_| month)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a parsed month has a first day")
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("a month has a last day")
    }

    pub fn days(self) -> u32 {
        self.last_day().day()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// What a spending line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Tow,
    Travel,
    Legal,
    Other,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Tow,
        Category::Travel,
        Category::Legal,
        Category::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Tow => "tow",
            Category::Travel => "travel",
            Category::Legal => "legal",
            Category::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == text.trim())
    }
}

/// Money in (collection) or out (spending of a category).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LineKind {
    Collection,
    Spending(Category),
}

impl LineKind {
    pub fn kind_name(self) -> &'static str {
        match self {
            LineKind::Collection => "collection",
            LineKind::Spending(_) => "spending",
        }
    }

    pub fn category(self) -> Option<Category> {
        match self {
            LineKind::Collection => None,
            LineKind::Spending(c) => Some(c),
        }
    }
}

/// One line of a plan: part of the journal's format (it travels in `DraftBudget`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub kind: LineKind,
    /// A collection line's collector (their own target); spending lines have none.
    pub collector: Option<String>,
    pub amount: Money,
}

impl Line {
    /// `collection wang`, `collection (rest)`, `spending tow`: what a line is, for messages.
    pub fn label(&self) -> String {
        match (self.kind, &self.collector) {
            (LineKind::Collection, Some(c)) => format!("collection {c}"),
            (LineKind::Collection, None) => "collection".to_string(),
            (LineKind::Spending(cat), _) => format!("spending {}", cat.name()),
        }
    }
}

/// Why a set of lines cannot be a plan (checked when it is drafted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinesProblem {
    /// Two lines for the same collector (or two rest-of-branch lines, or two of a category).
    Duplicate(String),
    /// A spending line that names a collector.
    CollectorOnSpending(String),
    Negative(String),
}

/// The problem of a plan's lines, if any: one line per collector, per rest of the branch
/// and per spending category; no collector on spending; no negative amount.
pub fn lines_problem(lines: &[Line]) -> Option<LinesProblem> {
    let mut seen = std::collections::BTreeSet::new();
    for line in lines {
        if line.amount.is_negative() {
            return Some(LinesProblem::Negative(line.label()));
        }
        if let (LineKind::Spending(_), Some(c)) = (line.kind, &line.collector) {
            return Some(LinesProblem::CollectorOnSpending(c.clone()));
        }
        if !seen.insert((line.kind, line.collector.clone())) {
            return Some(LinesProblem::Duplicate(line.label()));
        }
    }
    None
}

/// Where a version of a plan stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersionState {
    /// Being drafted by finance; not yet submitted (or returned, see `Rejected`).
    Draft,
    InReview {
        application: String,
    },
    Approved {
        application: String,
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
    },
    /// Rejected by an approver: finance may change it and submit it again.
    Rejected {
        application: String,
    },
    /// Withdrawn by finance: it may be changed and submitted again.
    Withdrawn {
        application: String,
    },
}

impl VersionState {
    pub fn name(&self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::InReview { .. } => "in_review",
            VersionState::Approved { .. } => "approved",
            VersionState::Rejected { .. } => "rejected",
            VersionState::Withdrawn { .. } => "withdrawn",
        }
    }

    /// Whether finance may still change the version's lines.
    pub fn editable(&self) -> bool {
        matches!(
            self,
            VersionState::Draft | VersionState::Rejected { .. } | VersionState::Withdrawn { .. }
        )
    }
}

/// One version of a month's plan for a branch. Approved versions are never changed: a change
/// is a new version, approved in its turn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// 1, 2, …
    pub number: u32,
    pub lines: Vec<Line>,
    pub drafted_by: String,
    #[serde(with = "crate::codec::date")]
    pub drafted_on: NaiveDate,
    pub state: VersionState,
}

impl Version {
    /// The sum of every line's amount (collections and spending): the amount the approval
    /// rules' `min_amount` is compared with.
    pub fn total(&self) -> Money {
        self.lines.iter().map(|l| l.amount).sum()
    }
}

/// A branch's plan for a month: its versions, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub month: Month,
    pub branch: String,
    pub versions: Vec<Version>,
}

impl Plan {
    pub fn new(month: Month, branch: &str) -> Plan {
        Plan {
            month,
            branch: branch.to_string(),
            versions: Vec::new(),
        }
    }

    /// The version in force: the last approved one.
    pub fn in_force(&self) -> Option<&Version> {
        self.versions
            .iter()
            .rev()
            .find(|v| matches!(v.state, VersionState::Approved { .. }))
    }

    /// The last version, if finance may still change it.
    pub fn draft(&self) -> Option<&Version> {
        self.versions.last().filter(|v| v.state.editable())
    }

    pub fn in_review(&self) -> Option<&Version> {
        self.versions
            .last()
            .filter(|v| matches!(v.state, VersionState::InReview { .. }))
    }

    /// Puts `lines` in the draft: the editable last version, or a new version after the
    /// approved one. The caller has refused a plan in review.
    pub fn redraft(&mut self, lines: Vec<Line>, by: &str, on: NaiveDate) -> u32 {
        if let Some(last) = self.versions.last_mut()
            && last.state.editable()
        {
            last.lines = lines;
            last.drafted_by = by.to_string();
            last.drafted_on = on;
            last.state = VersionState::Draft;
            return last.number;
        }
        let number = self.versions.len() as u32 + 1;
        self.versions.push(Version {
            number,
            lines,
            drafted_by: by.to_string(),
            drafted_on: on,
            state: VersionState::Draft,
        });
        number
    }

    /// The version a budget application is about.
    pub fn version_of_application(&mut self, application: &str) -> Option<&mut Version> {
        self.versions.iter_mut().find(|v| match &v.state {
            VersionState::InReview { application: a }
            | VersionState::Approved { application: a, .. }
            | VersionState::Rejected { application: a }
            | VersionState::Withdrawn { application: a } => a == application,
            VersionState::Draft => false,
        })
    }
}

/// What a booking counts toward.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Target {
    /// A collector's collections (the contract's collector when the payment was confirmed).
    Collection {
        collector: String,
    },
    Spending(Category),
}

/// One amount booked to a month of a branch, from a payment, a tow or a manual line. A void
/// books the same target with the opposite sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// What it came from: a payment id, a tow application id, `M3` for a manual line.
    pub source: String,
    pub month: Month,
    pub branch: String,
    pub target: Target,
    pub amount: Money,
    /// Set when it belongs to this (closed) month but was booked in `month`.
    pub late_from: Option<Month>,
}

/// The month a booking dated `on` lands in, booked on `today`: its own month, or, when that
/// month is closed, today's month with the closed month it belongs to.
pub fn landing_month(
    on: NaiveDate,
    today: NaiveDate,
    closed: impl Fn(Month) -> bool,
) -> (Month, Option<Month>) {
    let own = Month::of(on);
    if closed(own) {
        (Month::of(today), Some(own))
    } else {
        (own, None)
    }
}

/// A manual spending line entered by finance, kept with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualLine {
    pub id: String,
    pub category: Category,
    pub amount: Money,
    pub reason: String,
    pub by: String,
    #[serde(with = "crate::codec::date")]
    pub on: NaiveDate,
}

/// A booking counted in this month that belongs to a closed month (said so on the screen).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateBooking {
    pub source: String,
    pub from: Month,
    pub target: Target,
    pub amount: Money,
}

/// What a branch collected and spent in a month: the aggregates bookings keep up to date in
/// the same write, so reading a month never scans payments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actuals {
    /// Collections by collector.
    pub collections: BTreeMap<String, Money>,
    /// Spending by category.
    pub spending: BTreeMap<Category, Money>,
    pub manual: Vec<ManualLine>,
    pub late: Vec<LateBooking>,
    /// Collections were found behind pace and finance and the approvers told (once a month).
    pub warned_pace: bool,
    /// Spending categories found over plan and told (once each a month).
    pub warned_over: Vec<Category>,
}

impl Actuals {
    /// Adds a booking (its amount signed: a void's is negative).
    pub fn book(&mut self, booking: &Booking) {
        let slot = match &booking.target {
            Target::Collection { collector } => {
                self.collections.entry(collector.clone()).or_default()
            }
            Target::Spending(category) => self.spending.entry(*category).or_default(),
        };
        *slot += booking.amount;
        if let Some(from) = booking.late_from {
            self.late.push(LateBooking {
                source: booking.source.clone(),
                from,
                target: booking.target.clone(),
                amount: booking.amount,
            });
        }
    }

    pub fn collected(&self) -> Money {
        self.collections.values().copied().sum()
    }

    pub fn spent(&self, category: Category) -> Money {
        self.spending.get(&category).copied().unwrap_or_default()
    }
}

/// The month-to-date pace's prediction of the month's end on `today`: `None` before the
/// month starts, the actual itself once it is over.
pub fn pace(actual: Money, month: Month, today: NaiveDate) -> Option<Money> {
    if today < month.first_day() {
        return None;
    }
    if today > month.last_day() {
        return Some(actual);
    }
    let elapsed = Decimal::from(today.day());
    let days = Decimal::from(month.days());
    Some(Money::from_decimal_rounded(
        actual.decimal() * days / elapsed,
    ))
}

/// One row of a month's report for a branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportLine {
    pub kind: LineKind,
    pub collector: Option<String>,
    /// `None`: nothing planned (an unplanned line).
    pub plan: Option<Money>,
    pub actual: Money,
    pub variance: Money,
    pub pace: Option<Money>,
    /// Spending above plan, or collections whose pace is below plan less the tolerance.
    pub warning: bool,
}

impl ReportLine {
    pub fn label(&self) -> String {
        Line {
            kind: self.kind,
            collector: self.collector.clone(),
            amount: Money::ZERO,
        }
        .label()
    }
}

/// The lines of a month's report for a branch: every planned line with its actual, then the
/// unplanned actuals, collections first.
pub fn report(
    lines: &[Line],
    actuals: &Actuals,
    month: Month,
    today: NaiveDate,
    tolerance_percent: u32,
) -> Vec<ReportLine> {
    let named: std::collections::BTreeSet<&str> = lines
        .iter()
        .filter(|l| l.kind == LineKind::Collection)
        .filter_map(|l| l.collector.as_deref())
        .collect();
    let rest: Money = actuals
        .collections
        .iter()
        .filter(|(c, _)| !named.contains(c.as_str()))
        .map(|(_, m)| *m)
        .sum();
    let has_rest_line = lines
        .iter()
        .any(|l| l.kind == LineKind::Collection && l.collector.is_none());
    let row = |kind: LineKind, collector: Option<String>, plan: Option<Money>, actual: Money| {
        let planned = plan.unwrap_or_default();
        let pace = pace(actual, month, today);
        let warning = match kind {
            LineKind::Spending(_) => actual > planned,
            LineKind::Collection => {
                plan.is_some() && pace.is_some_and(|p| behind(p, planned, tolerance_percent))
            }
        };
        ReportLine {
            kind,
            collector,
            plan,
            actual,
            variance: actual - planned,
            pace,
            warning,
        }
    };
    let mut out: Vec<ReportLine> = Vec::new();
    let mut ordered: Vec<&Line> = lines.iter().collect();
    ordered.sort_by(|a, b| (a.kind, &a.collector).cmp(&(b.kind, &b.collector)));
    for line in ordered {
        let actual = match (line.kind, &line.collector) {
            (LineKind::Collection, Some(c)) => {
                actuals.collections.get(c).copied().unwrap_or_default()
            }
            (LineKind::Collection, None) => rest,
            (LineKind::Spending(cat), _) => actuals.spent(cat),
        };
        out.push(row(
            line.kind,
            line.collector.clone(),
            Some(line.amount),
            actual,
        ));
    }
    if !has_rest_line {
        for (collector, amount) in &actuals.collections {
            if !named.contains(collector.as_str()) && !amount.is_zero() {
                out.push(row(
                    LineKind::Collection,
                    Some(collector.clone()),
                    None,
                    *amount,
                ));
            }
        }
    }
    for category in Category::ALL {
        let spent = actuals.spent(category);
        let planned = lines.iter().any(|l| l.kind == LineKind::Spending(category));
        if !planned && !spent.is_zero() {
            out.push(row(LineKind::Spending(category), None, None, spent));
        }
    }
    out
}

/// Whether a predicted month's end `pace` is below `plan` less `tolerance_percent`.
pub fn behind(pace: Money, plan: Money, tolerance_percent: u32) -> bool {
    let floor = plan.decimal() * Decimal::from(100u32.saturating_sub(tolerance_percent))
        / Decimal::ONE_HUNDRED;
    pace.decimal() < floor
}

/// The admin's scoring rules, kept as data like the approval rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringRules {
    /// 0 for the built-in rules, then 1, 2, … as the admin sets them.
    pub version: u32,
    /// Points for each percent of a collection target collected.
    pub points_per_percent: Decimal,
    /// Percent of target beyond which no more points are given.
    pub cap_percent: u32,
    /// Points taken off a branch for each spending line over its plan.
    pub overspend_penalty: Decimal,
    /// Points taken off a branch for each category spent without a plan line.
    pub unplanned_penalty: Decimal,
    /// How far below plan the month-to-date pace may predict before a warning, in percent.
    pub pace_tolerance_percent: u32,
}

impl Default for ScoringRules {
    fn default() -> ScoringRules {
        ScoringRules {
            version: 0,
            points_per_percent: Decimal::ONE,
            cap_percent: 120,
            overspend_penalty: Decimal::from(10),
            unplanned_penalty: Decimal::from(5),
            pace_tolerance_percent: 10,
        }
    }
}

impl ScoringRules {
    /// The points for collecting `actual` against a target of `plan` (none without a plan).
    pub fn collection_points(&self, plan: Money, actual: Money) -> Option<Decimal> {
        if !plan.is_positive() {
            return None;
        }
        let percent = (actual.decimal() * Decimal::ONE_HUNDRED / plan.decimal())
            .min(Decimal::from(self.cap_percent));
        Some(two_places(percent * self.points_per_percent))
    }
}

/// A row of the league table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub branch: String,
    /// `None`: the branch's own row.
    pub collector: Option<String>,
    pub plan: Money,
    pub actual: Money,
    /// Percent of the collection target collected, rounded to 2 decimals.
    pub percent: Option<Decimal>,
    pub overspent_lines: u32,
    pub unplanned_categories: u32,
    pub points: Decimal,
}

/// Rounded half-up to two decimals and written with two (`40.00`): points and percents.
fn two_places(value: Decimal) -> Decimal {
    let mut out = round_cents(value);
    out.rescale(2);
    out
}

/// The scores of one branch's month: the branch's row, then one per collector with a target.
pub fn scores(branch: &str, lines: &[Line], actuals: &Actuals, rules: &ScoringRules) -> Vec<Score> {
    let percent = |plan: Money, actual: Money| {
        plan.is_positive()
            .then(|| two_places(actual.decimal() * Decimal::ONE_HUNDRED / plan.decimal()))
    };
    let plan: Money = lines
        .iter()
        .filter(|l| l.kind == LineKind::Collection)
        .map(|l| l.amount)
        .sum();
    let actual = actuals.collected();
    let overspent = lines
        .iter()
        .filter_map(|l| l.kind.category().map(|c| (c, l.amount)))
        .filter(|(c, amount)| actuals.spent(*c) > *amount)
        .count() as u32;
    let unplanned = Category::ALL
        .into_iter()
        .filter(|c| {
            actuals.spent(*c).is_positive()
                && !lines.iter().any(|l| l.kind == LineKind::Spending(*c))
        })
        .count() as u32;
    let points = two_places(
        rules.collection_points(plan, actual).unwrap_or_default()
            - rules.overspend_penalty * Decimal::from(overspent)
            - rules.unplanned_penalty * Decimal::from(unplanned),
    );
    let mut out = vec![Score {
        branch: branch.to_string(),
        collector: None,
        plan,
        actual,
        percent: percent(plan, actual),
        overspent_lines: overspent,
        unplanned_categories: unplanned,
        points,
    }];
    for line in lines.iter().filter(|l| l.kind == LineKind::Collection) {
        let Some(collector) = &line.collector else {
            continue;
        };
        let actual = actuals
            .collections
            .get(collector)
            .copied()
            .unwrap_or_default();
        out.push(Score {
            branch: branch.to_string(),
            collector: Some(collector.clone()),
            plan: line.amount,
            actual,
            percent: percent(line.amount, actual),
            overspent_lines: 0,
            unplanned_categories: 0,
            points: rules
                .collection_points(line.amount, actual)
                .unwrap_or(two_places(Decimal::ZERO)),
        });
    }
    out
}

/// Sorts a league table: most points first, then by branch and collector.
pub fn rank(scores: &mut [Score]) {
    scores.sort_by(|a, b| {
        b.points
            .cmp(&a.points)
            .then_with(|| a.branch.cmp(&b.branch))
            .then_with(|| a.collector.cmp(&b.collector))
    });
}

/// A closed month: who closed it, when, under which scoring rules (its league table as it
/// stood then is kept beside it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    pub month: Month,
    pub by: String,
    #[serde(with = "crate::codec::date")]
    pub on: NaiveDate,
    pub rules_version: u32,
}

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
