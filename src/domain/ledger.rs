//! Penalty interest (罚息) and payment allocation: the figures of a contract as of a date.
//!
//! DOMAIN §1–2, exactly. Pure: a function of the schedule, the confirmed payments, the rate
//! histories, the grace days, the approved waivers and the date. No clock, no I/O.
//!
//! penalty(d) = round_half_up( Σ over installments overdue on d of
//!              (amount unpaid at the start of d) × rate(d), 2 )
//! accrued(X) = Σ penalty(d) for d ≤ X
//!
//! Money received on day r stops penalty from r + 1. An installment paid in full within
//! `grace` days after its due date bears no penalty; while it is still inside its grace days
//! its penalty shows as 0, and on the first day after the grace it shows every day since the
//! due date. The sum is computed over runs of days where the base and the rate are constant:
//! a run of n days costs n × round(base × rate), which is the per-day rule exactly.

use super::contract::{AllocationOrder, Contract, PenaltySettings};
use super::money::{Money, Rate};
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// Aging buckets (账龄).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
pub enum Bucket {
    #[serde(rename = "current")]
    Current,
    #[serde(rename = "1-30")]
    D1To30,
    #[serde(rename = "31-60")]
    D31To60,
    #[serde(rename = "61-90")]
    D61To90,
    #[serde(rename = "91-180")]
    D91To180,
    #[serde(rename = "181+")]
    D181Plus,
}

impl Bucket {
    pub const ALL: [Bucket; 6] = [
        Bucket::Current,
        Bucket::D1To30,
        Bucket::D31To60,
        Bucket::D61To90,
        Bucket::D91To180,
        Bucket::D181Plus,
    ];

    pub fn of_days(days_overdue: i64) -> Bucket {
        match days_overdue {
            i64::MIN..=0 => Bucket::Current,
            1..=30 => Bucket::D1To30,
            31..=60 => Bucket::D31To60,
            61..=90 => Bucket::D61To90,
            91..=180 => Bucket::D91To180,
            _ => Bucket::D181Plus,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Bucket::Current => "current",
            Bucket::D1To30 => "1-30",
            Bucket::D31To60 => "31-60",
            Bucket::D61To90 => "61-90",
            Bucket::D91To180 => "91-180",
            Bucket::D181Plus => "181+",
        }
    }

    pub fn parse(text: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.label() == text.trim())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstallmentFigures {
    pub seq: u32,
    pub due_date: NaiveDate,
    pub principal_due: Money,
    pub interest_due: Money,
    pub principal_outstanding: Money,
    pub interest_outstanding: Money,
    pub days_overdue: i64,
}

/// A contract's figures as of a date: the end-of-day view (every confirmed payment received
/// on or before `as_of` counts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub as_of: NaiveDate,
    pub days_overdue: i64,
    pub bucket: Bucket,
    /// Unpaid principal + interest of installments due before `as_of`.
    pub overdue_amount: Money,
    pub oldest_unpaid_due: Option<NaiveDate>,
    pub penalty_accrued: Money,
    pub penalty_waived: Money,
    pub penalty_paid: Money,
    pub penalty_outstanding: Money,
    /// Principal and interest still owed on every installment, due or not.
    pub principal_outstanding: Money,
    pub interest_outstanding: Money,
    /// Money received beyond everything owed: held for the customer, never lost.
    pub credit: Money,
    /// Confirmed money received on or before `as_of`.
    pub received: Money,
    pub rate_in_force: Rate,
    pub installments: Vec<InstallmentFigures>,
}

impl Figures {
    /// What a collector asks the customer for today: overdue money and penalty.
    pub fn total_to_collect(&self) -> Money {
        self.overdue_amount + self.penalty_outstanding
    }

    /// Everything still owed under the contract.
    pub fn total_outstanding(&self) -> Money {
        self.principal_outstanding + self.interest_outstanding + self.penalty_outstanding
    }
}

fn next_day(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).expect("date in range")
}

fn add_days(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_days(Days::new(u64::from(n)))
        .expect("date in range")
}

/// The running state of a contract while its payments are applied in order.
struct Work<'a> {
    contract: &'a Contract,
    settings: &'a PenaltySettings,
    grace: u32,
    principal: Vec<Money>,
    interest: Vec<Money>,
    /// Per installment: (first day the new amount applies, amount unpaid from that day).
    timeline: Vec<Vec<(NaiveDate, Money)>>,
    penalty_paid: Money,
    credit: Money,
}

#[derive(Clone, Copy)]
enum Part {
    Interest,
    Principal,
    Both,
}

impl<'a> Work<'a> {
    fn new(contract: &'a Contract, settings: &'a PenaltySettings) -> Work<'a> {
        let n = contract.installments.len();
        Work {
            contract,
            settings,
            grace: contract.grace(settings),
            principal: contract.installments.iter().map(|i| i.principal).collect(),
            interest: contract.installments.iter().map(|i| i.interest).collect(),
            timeline: vec![Vec::new(); n],
            penalty_paid: Money::ZERO,
            credit: Money::ZERO,
        }
    }

    fn unpaid(&self, i: usize) -> Money {
        self.principal[i] + self.interest[i]
    }

    /// Amount of installment `i` unpaid at the start of `day`.
    fn unpaid_at(&self, i: usize, day: NaiveDate) -> Money {
        let line = &self.timeline[i];
        let idx = line.partition_point(|(from, _)| *from <= day);
        match idx.checked_sub(1) {
            Some(k) => line[k].1,
            None => self.contract.installments[i].amount(),
        }
    }

    /// Penalty accrued through `through` (inclusive) with the payments applied so far.
    fn accrued(&self, through: NaiveDate) -> Money {
        let mut events: Vec<(NaiveDate, Money)> = Vec::new();
        for (i, inst) in self.contract.installments.iter().enumerate() {
            let grace_end = add_days(inst.due, self.grace);
            if through <= grace_end {
                continue; // not due yet, or still inside its grace days: shows 0
            }
            if self.unpaid_at(i, next_day(grace_end)).is_zero() {
                continue; // paid in full within the grace days: bears no penalty
            }
            let start = next_day(inst.due);
            let mut previous = self.unpaid_at(i, start);
            events.push((start, previous));
            for &(from, amount) in &self.timeline[i] {
                if from > start && from <= through {
                    events.push((from, amount - previous));
                    previous = amount;
                }
            }
        }
        if events.is_empty() {
            return Money::ZERO;
        }
        events.sort_by_key(|e| e.0);
        let first = events[0].0;
        let mut bounds: Vec<NaiveDate> = events.iter().map(|e| e.0).collect();
        let rate_starts = self.contract.own_rates.iter().chain(&self.settings.rates);
        bounds.extend(
            rate_starts
                .map(|r| r.from)
                .filter(|&f| f > first && f <= through),
        );
        bounds.sort_unstable();
        bounds.dedup();

        let end_exclusive = next_day(through);
        let mut base = Money::ZERO;
        let mut total = Money::ZERO;
        let mut e = 0;
        for (k, &day) in bounds.iter().enumerate() {
            while e < events.len() && events[e].0 == day {
                base += events[e].1;
                e += 1;
            }
            debug_assert!(!base.is_negative(), "penalty base went negative");
            let until = bounds.get(k + 1).copied().unwrap_or(end_exclusive);
            let days = (until - day).num_days();
            if base.is_positive() && days > 0 {
                let daily = self.contract.rate_on(self.settings, day).daily_on(base);
                total += daily.times(days);
            }
        }
        total
    }

    fn waived_by(&self, day: NaiveDate) -> Money {
        self.contract
            .waivers
            .iter()
            .filter(|w| w.approved_on <= day)
            .map(|w| w.amount)
            .sum()
    }

    fn penalty_outstanding(&self, day: NaiveDate) -> Money {
        (self.accrued(day) - self.waived_by(day) - self.penalty_paid).max(Money::ZERO)
    }

    /// Applies up to `remaining` to installment `i`; records the change from `received + 1`.
    fn take(&mut self, i: usize, part: Part, remaining: &mut Money, received: NaiveDate) {
        let before = self.unpaid(i);
        if matches!(part, Part::Interest | Part::Both) {
            let paid = self.interest[i].min(*remaining);
            self.interest[i] -= paid;
            *remaining -= paid;
        }
        if matches!(part, Part::Principal | Part::Both) {
            let paid = self.principal[i].min(*remaining);
            self.principal[i] -= paid;
            *remaining -= paid;
        }
        let after = self.unpaid(i);
        if after != before {
            self.timeline[i].push((next_day(received), after));
        }
    }

    fn take_penalty(&mut self, remaining: &mut Money, received: NaiveDate) {
        if remaining.is_zero() {
            return;
        }
        let paid = self.penalty_outstanding(received).min(*remaining);
        self.penalty_paid += paid;
        *remaining -= paid;
    }

    fn apply(&mut self, amount: Money, received: NaiveDate) {
        let mut remaining = amount;
        let n = self.contract.installments.len();
        let due_count = self
            .contract
            .installments
            .partition_point(|i| i.due <= received);
        match self.settings.order {
            AllocationOrder::DueFirst => {
                for i in 0..due_count {
                    self.take(i, Part::Both, &mut remaining, received);
                }
                self.take_penalty(&mut remaining, received);
            }
            AllocationOrder::Statutory => {
                for i in 0..due_count {
                    self.take(i, Part::Interest, &mut remaining, received);
                }
                self.take_penalty(&mut remaining, received);
                for i in 0..due_count {
                    self.take(i, Part::Principal, &mut remaining, received);
                }
            }
        }
        for i in due_count..n {
            self.take(i, Part::Both, &mut remaining, received);
        }
        self.credit += remaining;
    }
}

/// The figures of `contract` as of `as_of`, applying its confirmed payments received on or
/// before `as_of` in order of received date (same day: the order they were recorded).
pub fn evaluate(contract: &Contract, settings: &PenaltySettings, as_of: NaiveDate) -> Figures {
    debug_assert!(
        contract
            .installments
            .windows(2)
            .all(|w| (w[0].due, w[0].seq) <= (w[1].due, w[1].seq)),
        "installments of {} are not in due order",
        contract.no
    );
    let mut work = Work::new(contract, settings);
    let mut payments: Vec<_> = contract
        .payments
        .iter()
        .filter(|p| p.is_confirmed() && p.received_on <= as_of)
        .collect();
    payments.sort_by_key(|p| p.received_on); // stable: same day keeps the recorded order
    let mut received = Money::ZERO;
    for payment in &payments {
        work.apply(payment.amount, payment.received_on);
        received += payment.amount;
    }

    let penalty_accrued = work.accrued(as_of);
    let penalty_waived = work.waived_by(as_of);
    let penalty_outstanding =
        (penalty_accrued - penalty_waived - work.penalty_paid).max(Money::ZERO);

    let mut installments = Vec::with_capacity(contract.installments.len());
    let mut overdue_amount = Money::ZERO;
    let mut oldest_unpaid_due = None;
    for (i, inst) in contract.installments.iter().enumerate() {
        let unpaid = work.unpaid(i);
        let overdue = inst.due < as_of && unpaid.is_positive();
        if overdue {
            overdue_amount += unpaid;
            oldest_unpaid_due.get_or_insert(inst.due);
        }
        installments.push(InstallmentFigures {
            seq: inst.seq,
            due_date: inst.due,
            principal_due: inst.principal,
            interest_due: inst.interest,
            principal_outstanding: work.principal[i],
            interest_outstanding: work.interest[i],
            days_overdue: if overdue {
                (as_of - inst.due).num_days()
            } else {
                0
            },
        });
    }
    let days_overdue = oldest_unpaid_due.map_or(0, |due| (as_of - due).num_days());
    let principal_outstanding: Money = work.principal.iter().copied().sum();
    let interest_outstanding: Money = work.interest.iter().copied().sum();

    // Money is conserved: every confirmed yuan went to an installment, the penalty or credit.
    let allocated = (contract.schedule_total() - principal_outstanding - interest_outstanding)
        + work.penalty_paid
        + work.credit;
    assert_eq!(
        allocated, received,
        "contract {}: allocation lost money",
        contract.no
    );

    Figures {
        as_of,
        days_overdue,
        bucket: Bucket::of_days(days_overdue),
        overdue_amount,
        oldest_unpaid_due,
        penalty_accrued,
        penalty_waived,
        penalty_paid: work.penalty_paid,
        penalty_outstanding,
        principal_outstanding,
        interest_outstanding,
        credit: work.credit,
        received,
        rate_in_force: contract.rate_on(settings, as_of),
        installments,
    }
}

/// Why a contract cannot be settled yet (结清), with the figures at fault.
pub fn settlement_blockers(figures: &Figures) -> Option<String> {
    let mut parts = Vec::new();
    if figures.principal_outstanding.is_positive() {
        parts.push(format!(
            "principal {} outstanding",
            figures.principal_outstanding
        ));
    }
    if figures.interest_outstanding.is_positive() {
        parts.push(format!(
            "interest {} outstanding",
            figures.interest_outstanding
        ));
    }
    if figures.penalty_outstanding.is_positive() {
        parts.push(format!(
            "penalty {} outstanding",
            figures.penalty_outstanding
        ));
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(", "))
    }
}

/// Why an interest waiver of `amount` cannot be applied for, if it cannot (DOMAIN §4).
pub fn waiver_blocker(figures: &Figures, amount: Money) -> Option<String> {
    if !amount.is_positive() {
        return Some("the waiver amount must be more than 0".into());
    }
    if figures.overdue_amount.is_positive() {
        return Some(format!(
            "{} principal and interest is still overdue; a waiver is allowed once nothing is overdue",
            figures.overdue_amount
        ));
    }
    if amount > figures.penalty_outstanding {
        return Some(format!(
            "the waiver {} is more than the penalty outstanding {}",
            amount, figures.penalty_outstanding
        ));
    }
    None
}

/// Where a contract stands after every confirmed payment: what the store's indexes key on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Due date of the oldest installment not fully paid, whatever its date.
    pub first_unpaid_due: Option<NaiveDate>,
    /// Received date of the latest confirmed payment.
    pub last_payment: Option<NaiveDate>,
}

/// The standing of a contract. For every `as_of` on or after `last_payment`, the contract is
/// overdue exactly when `first_unpaid_due < as_of`.
pub fn standing(contract: &Contract, settings: &PenaltySettings) -> Standing {
    let last_payment = contract
        .payments
        .iter()
        .filter(|p| p.is_confirmed())
        .map(|p| p.received_on)
        .max();
    let Some(last) = last_payment else {
        return Standing {
            first_unpaid_due: contract.installments.first().map(|i| i.due),
            last_payment,
        };
    };
    let figures = evaluate(contract, settings, last);
    let first_unpaid_due = figures
        .installments
        .iter()
        .find(|i| (i.principal_outstanding + i.interest_outstanding).is_positive())
        .map(|i| i.due_date);
    Standing {
        first_unpaid_due,
        last_payment,
    }
}
