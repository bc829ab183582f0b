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

use super::contract::{
    AllocationOrder, LedgerFacts, PaymentFact, PaymentKind, PenaltySettings, RateEntry,
    next_rate_change, rate_in_force,
};
use super::money::{Money, Rate};
use super::refusal::Refusal;
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

    /// The payoff (结清金额): what the customer pays today to settle — everything outstanding
    /// (principal and interest of every installment, due or not, and penalty) less the credit
    /// held for them, never below zero. Settlement is allowed once it is zero.
    pub fn payoff(&self) -> Money {
        (self.total_outstanding() - self.credit).max(Money::ZERO)
    }
}

fn next_day(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).expect("date in range")
}

fn add_days(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_days(Days::new(u64::from(n)))
        .expect("date in range")
}

/// Per installment: what is still unpaid, and since when it is paid in full.
#[derive(Clone, Copy)]
struct Slot {
    principal: Money,
    interest: Money,
    /// The first day the installment is fully paid (the day after the money arrived).
    paid_off_from: Option<NaiveDate>,
    /// Scratch of `accrued`: the amount unpaid on the day being swept.
    swept: Money,
    /// Scratch of `accrued`: whether the installment bears penalty through the date.
    bears: bool,
}

/// A change of an installment's unpaid amount: `unpaid` from day `from` on. Recorded as the
/// payments are applied in received order, so `from` never decreases along the list.
#[derive(Clone, Copy)]
struct Change {
    index: usize,
    from: NaiveDate,
    unpaid: Money,
}

/// The running state of a contract while its payments are applied in order.
///
/// Cost: applying a payment touches only the installments it pays (`first_open` skips those
/// paid in full), and `accrued` is one sweep over the days where something changes — no
/// per-installment allocation, no sorting. `ledger_reference` keeps the first, simpler
/// formulation; the tests check that both agree to the cent.
struct Work<'a, C: LedgerFacts + ?Sized> {
    contract: &'a C,
    settings: &'a PenaltySettings,
    grace: u32,
    slots: Vec<Slot>,
    changes: Vec<Change>,
    /// Every installment before this index is paid in full.
    first_open: usize,
    /// No installment from this index on has been paid anything: payments reach the
    /// installments in schedule order, so those after the last one reached are untouched.
    touched_end: usize,
    penalty_paid: Money,
    credit: Money,
}

#[derive(Clone, Copy)]
enum Part {
    Interest,
    Principal,
    Both,
}

impl<'a, C: LedgerFacts + ?Sized> Work<'a, C> {
    fn new(contract: &'a C, settings: &'a PenaltySettings, payments: usize) -> Work<'a, C> {
        let slots = contract
            .installments()
            .iter()
            .map(|i| Slot {
                principal: i.principal,
                interest: i.interest,
                paid_off_from: None,
                swept: Money::ZERO,
                bears: false,
            })
            .collect();
        let mut work = Work {
            contract,
            settings,
            grace: contract.grace(settings),
            slots,
            changes: Vec::with_capacity(payments + payments / 2),
            first_open: 0,
            touched_end: 0,
            penalty_paid: Money::ZERO,
            credit: Money::ZERO,
        };
        work.advance_first_open();
        work
    }

    fn unpaid(&self, i: usize) -> Money {
        self.slots[i].principal + self.slots[i].interest
    }

    fn advance_first_open(&mut self) {
        while self.first_open < self.slots.len() && self.unpaid(self.first_open).is_zero() {
            self.first_open += 1;
        }
    }

    /// Penalty accrued through `through` (inclusive) with the payments applied so far.
    ///
    /// Sweeps the days on which the base or the rate may change — an installment starting to
    /// bear penalty (the day after its due date), a payment reaching it, a rate taking effect —
    /// and charges each run of days `days × round(base × rate)`.
    fn accrued(&mut self, through: NaiveDate) -> Money {
        let installments = self.contract.installments();
        // Past their grace days by `through`: a prefix, the schedule being in due order.
        let past_grace =
            installments.partition_point(|inst| add_days(inst.due, self.grace) < through);
        let mut first_start = None;
        for (i, inst) in installments[..past_grace].iter().enumerate() {
            let slot = &mut self.slots[i];
            // Paid in full within the grace days: bears no penalty. Otherwise (DOMAIN §2)
            // it bears penalty from the day after its due date.
            let after_grace = next_day(add_days(inst.due, self.grace));
            slot.bears =
                !inst.amount().is_zero() && slot.paid_off_from.is_none_or(|day| day > after_grace);
            slot.swept = inst.amount();
            if slot.bears && first_start.is_none() {
                first_start = Some(next_day(inst.due));
            }
        }
        let Some(mut day) = first_start else {
            return Money::ZERO; // nothing bears penalty (yet): shows 0
        };

        let own = self.contract.own_rates();
        let end = next_day(through);
        let (mut next_start, mut next_change) = (0, 0);
        let mut base = Money::ZERO;
        let mut total = Money::ZERO;
        loop {
            // Payments effective by `day` (those before an installment's start count in the
            // amount it starts with).
            while let Some(change) = self.changes.get(next_change).filter(|c| c.from <= day) {
                next_change += 1;
                if change.index >= past_grace || !self.slots[change.index].bears {
                    continue;
                }
                let slot = &mut self.slots[change.index];
                if change.index < next_start {
                    base = base - slot.swept + change.unpaid;
                }
                slot.swept = change.unpaid;
            }
            // Installments that start bearing penalty on `day`.
            while next_start < past_grace && next_day(installments[next_start].due) <= day {
                let slot = &self.slots[next_start];
                if slot.bears {
                    base += slot.swept;
                }
                next_start += 1;
            }
            debug_assert!(!base.is_negative(), "penalty base went negative");
            // The run lasts until the next day anything may change.
            let mut until = end;
            if let Some(change) = self.changes.get(next_change) {
                until = until.min(change.from);
            }
            if let Some(inst) = installments[..past_grace].get(next_start) {
                until = until.min(next_day(inst.due));
            }
            if let Some(change) = next_rate_change(own, self.settings, day) {
                until = until.min(change);
            }
            if base.is_positive() {
                let daily = self.contract.rate_on(self.settings, day).daily_on(base);
                total += daily.times((until - day).num_days());
            }
            if until >= end {
                return total;
            }
            day = until;
        }
    }

    fn waived_by(&self, day: NaiveDate) -> Money {
        self.contract
            .waiver_facts()
            .filter(|&(approved_on, _)| approved_on <= day)
            .map(|(_, amount)| amount)
            .sum()
    }

    fn penalty_outstanding(&mut self, day: NaiveDate) -> Money {
        (self.accrued(day) - self.waived_by(day) - self.penalty_paid).max(Money::ZERO)
    }

    /// Applies up to `remaining` to installment `i`; records the change from `received + 1`.
    fn take(&mut self, i: usize, part: Part, remaining: &mut Money, received: NaiveDate) {
        self.touched_end = self.touched_end.max(i + 1);
        let slot = &mut self.slots[i];
        let before = slot.principal + slot.interest;
        if matches!(part, Part::Interest | Part::Both) {
            let paid = slot.interest.min(*remaining);
            slot.interest -= paid;
            *remaining -= paid;
        }
        if matches!(part, Part::Principal | Part::Both) {
            let paid = slot.principal.min(*remaining);
            slot.principal -= paid;
            *remaining -= paid;
        }
        let after = slot.principal + slot.interest;
        if after != before {
            let from = next_day(received);
            if after.is_zero() {
                slot.paid_off_from = Some(from);
            }
            self.changes.push(Change {
                index: i,
                from,
                unpaid: after,
            });
        }
    }

    /// `take` over installments `range`, oldest first, until the money runs out.
    fn take_each(
        &mut self,
        range: std::ops::Range<usize>,
        part: Part,
        remaining: &mut Money,
        received: NaiveDate,
    ) {
        for i in range.start.max(self.first_open)..range.end {
            if remaining.is_zero() {
                return;
            }
            self.take(i, part, remaining, received);
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
        let n = self.contract.installments().len();
        let due_count = self
            .contract
            .installments()
            .partition_point(|i| i.due <= received);
        match self.settings.order {
            AllocationOrder::DueFirst => {
                self.take_each(0..due_count, Part::Both, &mut remaining, received);
                self.take_penalty(&mut remaining, received);
            }
            AllocationOrder::Statutory => {
                self.take_each(0..due_count, Part::Interest, &mut remaining, received);
                self.take_penalty(&mut remaining, received);
                self.take_each(0..due_count, Part::Principal, &mut remaining, received);
            }
        }
        self.take_each(due_count..n, Part::Both, &mut remaining, received);
        self.credit += remaining;
        self.advance_first_open();
    }
}

/// The figures of `contract` as of `as_of`, applying its confirmed payments received on or
/// before `as_of` in order of received date (same day: the order they were recorded).
pub fn evaluate<C: LedgerFacts + ?Sized>(
    contract: &C,
    settings: &PenaltySettings,
    as_of: NaiveDate,
) -> Figures {
    let schedule = contract.installments();
    debug_assert!(
        schedule
            .windows(2)
            .all(|w| (w[0].due, w[0].seq) <= (w[1].due, w[1].seq)),
        "installments of {} are not in due order",
        contract.contract_no()
    );
    let counts = |p: &PaymentFact| p.kind == PaymentKind::Confirmed && p.received_on <= as_of;
    let payments = contract.payment_facts().filter(counts);
    let mut work = Work::new(contract, settings, payments.clone().count());
    let mut received = Money::ZERO;
    let apply = |payment: PaymentFact| {
        work.apply(payment.amount, payment.received_on);
        received += payment.amount;
    };
    // Payments are usually recorded in received order; sort (stably: same day keeps the
    // recorded order) only when they are not.
    if payments.clone().is_sorted_by_key(|p| p.received_on) {
        payments.for_each(apply);
    } else {
        let mut sorted: Vec<PaymentFact> = payments.collect();
        sorted.sort_by_key(|p| p.received_on);
        sorted.into_iter().for_each(apply);
    }

    let penalty_accrued = work.accrued(as_of);
    let penalty_waived = work.waived_by(as_of);
    let penalty_outstanding =
        (penalty_accrued - penalty_waived - work.penalty_paid).max(Money::ZERO);

    let mut installments = Vec::with_capacity(schedule.len());
    let mut overdue_amount = Money::ZERO;
    let mut oldest_unpaid_due = None;
    let mut principal_outstanding = Money::ZERO;
    let mut interest_outstanding = Money::ZERO;
    let mut schedule_total = Money::ZERO;
    for (inst, slot) in schedule.iter().zip(&work.slots) {
        let unpaid = slot.principal + slot.interest;
        let overdue = inst.due < as_of && unpaid.is_positive();
        if overdue {
            overdue_amount += unpaid;
            oldest_unpaid_due.get_or_insert(inst.due);
        }
        principal_outstanding += slot.principal;
        interest_outstanding += slot.interest;
        schedule_total += inst.amount();
        installments.push(InstallmentFigures {
            seq: inst.seq,
            due_date: inst.due,
            principal_due: inst.principal,
            interest_due: inst.interest,
            principal_outstanding: slot.principal,
            interest_outstanding: slot.interest,
            days_overdue: if overdue {
                (as_of - inst.due).num_days()
            } else {
                0
            },
        });
    }
    let days_overdue = oldest_unpaid_due.map_or(0, |due| (as_of - due).num_days());

    // Money is conserved: every confirmed yuan went to an installment, the penalty or credit.
    let allocated = (schedule_total - principal_outstanding - interest_outstanding)
        + work.penalty_paid
        + work.credit;
    assert_eq!(
        allocated,
        received,
        "contract {}: allocation lost money",
        contract.contract_no()
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

/// Why contract `no` cannot be settled yet (结清), with the figures at fault.
pub fn settlement_blockers(no: &str, figures: &Figures) -> Option<Refusal> {
    let owed = [
        figures.principal_outstanding,
        figures.interest_outstanding,
        figures.penalty_outstanding,
    ];
    if !owed.iter().any(|m| m.is_positive()) {
        return None;
    }
    let [principal, interest, penalty] = owed.map(|m| m.max(Money::ZERO));
    Some(Refusal::BalanceOutstanding {
        contract: no.to_string(),
        principal,
        interest,
        penalty,
    })
}

/// Why an interest waiver of `amount` on contract `no` cannot be applied for, if it cannot
/// (DOMAIN §4).
pub fn waiver_blocker(no: &str, figures: &Figures, amount: Money) -> Option<Refusal> {
    let contract = no.to_string();
    if !amount.is_positive() {
        return Some(Refusal::WaiverNotPositive { contract });
    }
    if figures.overdue_amount.is_positive() {
        return Some(Refusal::OverdueRemains {
            contract,
            overdue: figures.overdue_amount,
        });
    }
    if amount > figures.penalty_outstanding {
        return Some(Refusal::WaiverOverPenalty {
            contract,
            amount,
            penalty: figures.penalty_outstanding,
        });
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
pub fn standing<C: LedgerFacts + ?Sized>(contract: &C, settings: &PenaltySettings) -> Standing {
    let last_payment = contract
        .payment_facts()
        .filter(|p| p.kind == PaymentKind::Confirmed)
        .map(|p| p.received_on)
        .max();
    let Some(last) = last_payment else {
        return Standing {
            first_unpaid_due: contract.installments().first().map(|i| i.due),
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

/// An installment with money unpaid: its due date and its principal + interest unpaid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Unpaid {
    #[serde(with = "crate::codec::date")]
    pub due: NaiveDate,
    pub amount: Money,
}

/// An approved waiver as the penalty counts it: from its approval date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Waived {
    #[serde(with = "crate::codec::date")]
    pub on: NaiveDate,
    pub amount: Money,
}

/// What carrying an overdue contract's figures to a later date needs, and nothing else: what
/// each installment still owes after every confirmed payment, the grace days and own rates,
/// the penalty paid and the approved waivers. A few hundred bytes where the contract takes
/// kilobytes.
///
/// It holds as long as no payment arrives after the date it was taken on: any change to the
/// contract or the settings takes it anew.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PenaltyFacts {
    /// Received date of the latest payment not voided (pending ones count for promises).
    #[serde(with = "crate::codec::opt_date")]
    pub last_received: Option<NaiveDate>,
    pub grace: u32,
    pub own_rates: Vec<RateEntry>,
    /// In due order.
    pub unpaid: Vec<Unpaid>,
    pub penalty_paid: Money,
    pub waivers: Vec<Waived>,
}

/// A contract's overdue figures carried to a later date by `PenaltyFacts::advance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Advanced {
    pub penalty_accrued: Money,
    pub penalty_outstanding: Money,
    pub days_overdue: i64,
    pub overdue_amount: Money,
}

impl PenaltyFacts {
    /// The facts of `contract` from its `figures` as of some date.
    pub fn of<C: LedgerFacts + ?Sized>(
        contract: &C,
        settings: &PenaltySettings,
        figures: &Figures,
    ) -> PenaltyFacts {
        PenaltyFacts {
            last_received: contract
                .payment_facts()
                .filter(|p| p.kind != PaymentKind::Voided)
                .map(|p| p.received_on)
                .max(),
            grace: contract.grace(settings),
            own_rates: contract.own_rates().to_vec(),
            unpaid: figures
                .installments
                .iter()
                .map(|i| Unpaid {
                    due: i.due_date,
                    amount: i.principal_outstanding + i.interest_outstanding,
                })
                .filter(|u| u.amount.is_positive())
                .collect(),
            penalty_paid: figures.penalty_paid,
            waivers: contract
                .waiver_facts()
                .map(|(on, amount)| Waived { on, amount })
                .collect(),
        }
    }

    /// The first date after `from` to which `advance` from `from` cannot carry the figures:
    /// the day after `from` when a payment was received after it; else the day after the grace
    /// of an installment due before `from` ends on or after it, if money was received on or
    /// after its due date (from then on it bears penalty for days before `from`, on amounts
    /// that changed since); `None` when it carries them to any date.
    pub fn revisit(&self, from: NaiveDate) -> Option<NaiveDate> {
        if self.last_received.is_some_and(|day| day > from) {
            return Some(next_day(from));
        }
        self.unpaid
            .iter()
            .filter(|u| u.due < from && self.last_received.is_some_and(|day| day > u.due))
            .map(|u| next_day(add_days(u.due, self.grace)))
            .filter(|&day| day > from)
            .min()
    }

    /// The figures as of `through` of a contract overdue on `from`, whose penalty accrued
    /// through `from` is `accrued`: what `evaluate` would give, to the cent.
    ///
    /// Nothing is received after `from`, so each installment bears its unpaid amount on every
    /// day after `from`. An installment whose grace ends between the two dates bears penalty
    /// from the day after its due date (DOMAIN §2), days before `from` included: those days are
    /// charged again with it, less what they were charged without it — nothing was received
    /// from its due date on either, or `revisit` says so.
    ///
    /// `None` when this cannot tell, and the contract must be evaluated: `through` is on or
    /// after `revisit(from)`.
    pub fn advance(
        &self,
        settings: &PenaltySettings,
        from: NaiveDate,
        accrued: Money,
        through: NaiveDate,
    ) -> Option<Advanced> {
        if through <= from || self.revisit(from).is_some_and(|day| through >= day) {
            return None;
        }
        let bears_by = |u: &Unpaid, day: NaiveDate| add_days(u.due, self.grace) < day;
        // Installments bearing penalty as of `through`, and whether they did as of `from`.
        let bearing: Vec<(&Unpaid, bool)> = self
            .unpaid
            .iter()
            .filter(|u| bears_by(u, through))
            .map(|u| (u, bears_by(u, from)))
            .collect();
        let after = next_day(from);
        let mut day = bearing
            .iter()
            .filter(|(_, before)| !before)
            .map(|(u, _)| next_day(u.due))
            .fold(after, NaiveDate::min);
        let end = next_day(through);
        let mut next = 0;
        // The base as of `through`, and (before `after`) the base already charged.
        let (mut base, mut charged) = (Money::ZERO, Money::ZERO);
        let mut added = Money::ZERO;
        while day < end {
            while let Some((u, before)) = bearing.get(next).filter(|(u, _)| next_day(u.due) <= day)
            {
                base += u.amount;
                if *before {
                    charged += u.amount;
                }
                next += 1;
            }
            let mut until = end;
            if day < after {
                until = until.min(after);
            }
            if let Some((u, _)) = bearing.get(next) {
                until = until.min(next_day(u.due));
            }
            if let Some(change) = next_rate_change(&self.own_rates, settings, day) {
                until = until.min(change);
            }
            let rate = rate_in_force(&self.own_rates, settings, day);
            let mut daily = rate.daily_on(base);
            if day < after {
                daily -= rate.daily_on(charged);
            }
            added += daily.times((until - day).num_days());
            day = until;
        }
        let penalty_accrued = accrued + added;
        let waived: Money = self
            .waivers
            .iter()
            .filter(|w| w.on <= through)
            .map(|w| w.amount)
            .sum();
        let overdue = self.unpaid.iter().filter(|u| u.due < through);
        let days_overdue = overdue
            .clone()
            .next()
            .map_or(0, |u| (through - u.due).num_days());
        Some(Advanced {
            penalty_accrued,
            penalty_outstanding: (penalty_accrued - waived - self.penalty_paid).max(Money::ZERO),
            days_overdue,
            overdue_amount: overdue.map(|u| u.amount).sum(),
        })
    }
}

/// A contract's figures at one date of `positions`: what `evaluate` gives for them, without
/// the per-installment lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub as_of: NaiveDate,
    pub days_overdue: i64,
    pub bucket: Bucket,
    pub overdue_amount: Money,
    /// Principal and interest still owed, due or not.
    pub balance: Money,
    pub penalty_accrued: Money,
    pub penalty_waived: Money,
    pub penalty_paid: Money,
    /// Confirmed money received on or before `as_of`.
    pub received: Money,
    /// Principal and interest unpaid at `as_of` of the installments due after it, on or
    /// before the next date of the list (0 at the last).
    pub falling_due: Money,
}

/// `positions`, and what each installment still owed at the last date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Positions {
    pub at: Vec<Position>,
    pub unpaid_at_last: Vec<Money>,
}

/// The figures of `contract` at each of `dates` (in ascending order), in one pass over its
/// payments: each equals `evaluate(contract, settings, date)` (a property test checks it).
/// The reports read a contract at twelve month ends this way instead of evaluating it twelve
/// times. Without `penalty`, `penalty_accrued` is left at 0 (the sweep over the days is most
/// of the cost, and only the penalty report reads it); the allocation is the same.
pub fn positions<C: LedgerFacts + ?Sized>(
    contract: &C,
    settings: &PenaltySettings,
    dates: &[NaiveDate],
    penalty: bool,
) -> Positions {
    debug_assert!(dates.is_sorted(), "positions: dates out of order");
    let mut payments: Vec<PaymentFact> = contract
        .payment_facts()
        .filter(|p| p.kind == PaymentKind::Confirmed)
        .collect();
    payments.sort_by_key(|p| p.received_on); // stable: same day keeps the recorded order
    let mut work = Work::new(contract, settings, payments.len());
    let mut next = 0;
    let mut received = Money::ZERO;
    let schedule = contract.installments();
    // What the installments from each index on ask in all, for the untouched tail.
    let mut from_here = vec![Money::ZERO; schedule.len() + 1];
    for (i, inst) in schedule.iter().enumerate().rev() {
        from_here[i] = from_here[i + 1] + inst.amount();
    }
    let mut out = Vec::with_capacity(dates.len());
    for (k, &as_of) in dates.iter().enumerate() {
        let next_date = dates.get(k + 1).copied();
        while let Some(p) = payments.get(next).filter(|p| p.received_on <= as_of) {
            work.apply(p.amount, p.received_on);
            received += p.amount;
            next += 1;
        }
        let (mut overdue_amount, mut balance, mut oldest) = (Money::ZERO, Money::ZERO, None);
        let mut falling_due = Money::ZERO;
        // Installments before `first_open` are paid in full; past the window of this date,
        // the untouched tail counts whole.
        for (i, (inst, slot)) in schedule
            .iter()
            .zip(&work.slots)
            .enumerate()
            .skip(work.first_open)
        {
            if i >= work.touched_end && inst.due > as_of && next_date.is_none_or(|n| inst.due > n) {
                balance += from_here[i];
                break;
            }
            let unpaid = slot.principal + slot.interest;
            balance += unpaid;
            if inst.due < as_of && unpaid.is_positive() {
                overdue_amount += unpaid;
                oldest.get_or_insert(inst.due);
            } else if inst.due > as_of && next_date.is_some_and(|n| inst.due <= n) {
                falling_due += unpaid;
            }
        }
        let days_overdue = oldest.map_or(0, |due: NaiveDate| (as_of - due).num_days());
        out.push(Position {
            as_of,
            days_overdue,
            bucket: Bucket::of_days(days_overdue),
            overdue_amount,
            balance,
            penalty_accrued: if penalty {
                work.accrued(as_of)
            } else {
                Money::ZERO
            },
            penalty_waived: work.waived_by(as_of),
            penalty_paid: work.penalty_paid,
            received,
            falling_due,
        });
    }
    Positions {
        at: out,
        unpaid_at_last: work
            .slots
            .iter()
            .map(|s| s.principal + s.interest)
            .collect(),
    }
}
