//! The ledger as first written (commit a0a1242): a per-installment timeline and a full
//! pass over the schedule for every payment. Kept for tests only, as the reference that the
//! faster `ledger::evaluate` must agree with to the cent (see `ledger_tests`).

use super::contract::{AllocationOrder, Contract, PenaltySettings};
use super::ledger::{Bucket, Figures, InstallmentFigures};
use super::money::Money;
use chrono::{Days, NaiveDate};

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
