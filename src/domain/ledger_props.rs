//! Property tests of `ledger::evaluate` over random small contracts (DOMAIN §1–2).
//!
//! The contracts are generated as a plain `Model` of whole days (offsets from 1 Jan 2026),
//! cents and rates in millionths, and only then turned into domain types. The naive reference
//! at the bottom reads the `Model` alone: its own allocation, its own rate look-up, its own
//! grace rule and its own half-up rounding in integers, one day and one installment at a time.
//! It shares nothing with `ledger.rs` but the rules of DOMAIN §2.
use super::*;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The date `offset` days after 1 Jan 2026, day 0 of every generated contract.
fn day(offset: i64) -> NaiveDate {
    let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    if offset >= 0 {
        base + Days::new(offset as u64)
    } else {
        base - Days::new(offset.unsigned_abs())
    }
}

#[derive(Clone, Debug)]
struct ModelInstallment {
    due: i64,
    principal_cents: i64,
    interest_cents: i64,
}

impl ModelInstallment {
    fn amount_cents(&self) -> i64 {
        self.principal_cents + self.interest_cents
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ModelStatus {
    /// Confirmed this many days after it was received.
    Confirmed(i64),
    Pending,
    Voided,
}

#[derive(Clone, Debug)]
struct ModelPayment {
    received: i64,
    cents: i64,
    status: ModelStatus,
}

#[derive(Clone, Debug)]
struct Model {
    /// In due-date order.
    installments: Vec<ModelInstallment>,
    /// In recorded order.
    payments: Vec<ModelPayment>,
    /// (from, rate in millionths a day), sorted by date, one entry per date.
    global_rates: Vec<(i64, i64)>,
    own_rates: Vec<(i64, i64)>,
    global_grace: u32,
    own_grace: Option<u32>,
    order: AllocationOrder,
    /// (approved on, cents)
    waivers: Vec<(i64, i64)>,
}

impl Model {
    fn settings(&self) -> PenaltySettings {
        PenaltySettings {
            rates: rate_entries(&self.global_rates),
            grace_days: self.global_grace,
            order: self.order,
        }
    }

    fn contract(&self) -> Contract {
        let installments = self
            .installments
            .iter()
            .enumerate()
            .map(|(i, inst)| Installment {
                seq: i as u32 + 1,
                due: day(inst.due),
                principal: Money::from_cents(inst.principal_cents),
                interest: Money::from_cents(inst.interest_cents),
            })
            .collect();
        let payments = self
            .payments
            .iter()
            .enumerate()
            .map(|(i, p)| Payment {
                id: format!("P{i}"),
                received_on: day(p.received),
                amount: Money::from_cents(p.cents),
                method: "bank".into(),
                reference: String::new(),
                recorded_by: "li".into(),
                status: match p.status {
                    ModelStatus::Confirmed(delay) => PaymentStatus::Confirmed {
                        on: day(p.received + delay),
                        by: "cw".into(),
                    },
                    ModelStatus::Pending => PaymentStatus::Pending,
                    ModelStatus::Voided => PaymentStatus::Voided {
                        on: day(p.received),
                        by: "cw".into(),
                        reason: "bounced".into(),
                    },
                },
            })
            .collect();
        let waivers = self
            .waivers
            .iter()
            .enumerate()
            .map(|(i, &(on, cents))| WaiverGrant {
                id: format!("W{i}"),
                approved_on: day(on),
                amount: Money::from_cents(cents),
            })
            .collect();
        Contract {
            no: "H-prop".into(),
            customer_id: "C1".into(),
            signed_on: day(0),
            model: "SY75".into(),
            serial: "S1".into(),
            financed: Money::from_cents(self.installments.iter().map(|i| i.principal_cents).sum()),
            installments,
            payments,
            own_rates: rate_entries(&self.own_rates),
            grace_days: self.own_grace,
            state: ContractState::Active,
            machine: MachineState::Normal,
            waivers,
        }
    }

    /// Confirmed payments received on or before `as_of`, in the order they are applied:
    /// received date, then recorded order.
    fn confirmed_through(&self, as_of: i64) -> Vec<&ModelPayment> {
        let mut confirmed: Vec<&ModelPayment> = self
            .payments
            .iter()
            .filter(|p| matches!(p.status, ModelStatus::Confirmed(_)) && p.received <= as_of)
            .collect();
        confirmed.sort_by_key(|p| p.received);
        confirmed
    }

    fn last_day(&self) -> i64 {
        let dues = self.installments.iter().map(|i| i.due);
        let payments = self.payments.iter().map(|p| p.received);
        dues.chain(payments).max().unwrap_or(0)
    }
}

fn rate_entries(history: &[(i64, i64)]) -> Vec<RateEntry> {
    history
        .iter()
        .map(|&(from, ppm)| RateEntry {
            from: day(from),
            daily: Rate::new(Decimal::new(ppm, 6)),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Cents: anything, whole yuan, or multiples of 50 yuan. At 0.0005 a day, 50 yuan costs
/// 2.5 cents, so odd multiples of 50 make exact half-cent ties that half-up rounding decides.
fn cents(max_yuan: i64) -> impl Strategy<Value = i64> {
    prop_oneof![
        0..=max_yuan * 100,
        (0..=max_yuan).prop_map(|yuan| yuan * 100),
        (0..=max_yuan / 50).prop_map(|fifties| fifties * 5_000),
    ]
}

/// A daily rate in millionths: mostly the usual 0.0005, or anything up to 0.002.
fn rate_ppm() -> impl Strategy<Value = i64> {
    prop_oneof![4 => Just(500i64), 1 => Just(300), 1 => Just(800), 1 => Just(0), 2 => 0i64..=2_000]
}

fn history(max_len: usize) -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((-30i64..=300, rate_ppm()), 0..=max_len).prop_map(|entries| {
        // One entry per date, the last written wins (as `set_rate` does), sorted by date.
        let by_date: BTreeMap<i64, i64> = entries.into_iter().collect();
        by_date.into_iter().collect()
    })
}

fn installment() -> impl Strategy<Value = ModelInstallment> {
    (0i64..=240, cents(10_000), cents(2_000)).prop_map(|(due, principal_cents, interest_cents)| {
        ModelInstallment {
            due,
            principal_cents,
            interest_cents,
        }
    })
}

fn payment() -> impl Strategy<Value = ModelPayment> {
    let status = prop_oneof![
        6 => (0i64..=20).prop_map(ModelStatus::Confirmed),
        1 => Just(ModelStatus::Pending),
        1 => Just(ModelStatus::Voided),
    ];
    (
        0i64..=330,
        prop_oneof![1i64..=1_500_000, (1i64..=15_000).prop_map(|y| y * 100)],
        status,
    )
        .prop_map(|(received, cents, status)| ModelPayment {
            received,
            cents,
            status,
        })
}

fn order() -> impl Strategy<Value = AllocationOrder> {
    prop_oneof![
        Just(AllocationOrder::DueFirst),
        Just(AllocationOrder::Statutory)
    ]
}

fn model() -> impl Strategy<Value = Model> {
    (
        prop::collection::vec(installment(), 1..=12),
        prop::collection::vec(payment(), 0..=8),
        history(3),
        history(2),
        0u32..=10,
        prop::option::of(0u32..=10),
        order(),
        prop::collection::vec((0i64..=360, 1i64..=50_000), 0..=2),
    )
        .prop_map(
            |(
                mut installments,
                payments,
                global_rates,
                own_rates,
                global_grace,
                own_grace,
                order,
                waivers,
            )| {
                installments.sort_by_key(|i| i.due);
                Model {
                    installments,
                    payments,
                    global_rates,
                    own_rates,
                    global_grace,
                    own_grace,
                    order,
                    waivers,
                }
            },
        )
}

/// Contracts for the naive reference: the default order, no waivers, and every confirmed
/// payment cut down to what is due on its received date (after the payments before it), so no
/// money ever goes to the penalty, to installments not yet due, or to credit.
fn model_paying_at_most_what_is_due() -> impl Strategy<Value = Model> {
    model().prop_map(|mut model| {
        model.order = AllocationOrder::DueFirst;
        model.waivers.clear();
        let mut unpaid: Vec<i64> = model
            .installments
            .iter()
            .map(ModelInstallment::amount_cents)
            .collect();
        let mut applied: Vec<usize> = (0..model.payments.len())
            .filter(|&k| matches!(model.payments[k].status, ModelStatus::Confirmed(_)))
            .collect();
        applied.sort_by_key(|&k| model.payments[k].received);
        for k in applied {
            let received = model.payments[k].received;
            let due_unpaid: i64 = model
                .installments
                .iter()
                .zip(&unpaid)
                .filter(|(inst, _)| inst.due <= received)
                .map(|(_, &left)| left)
                .sum();
            let cents = model.payments[k].cents.min(due_unpaid);
            model.payments[k].cents = cents;
            let mut left = cents;
            for (inst, owed) in model.installments.iter().zip(unpaid.iter_mut()) {
                if inst.due <= received {
                    let paid = left.min(*owed);
                    *owed -= paid;
                    left -= paid;
                }
            }
        }
        model.payments.retain(|p| p.cents > 0);
        model
    })
}

// ---------------------------------------------------------------------------------------------
// The naive reference: DOMAIN §2 read literally, one day and one installment at a time.
// ---------------------------------------------------------------------------------------------

/// The figures the reference expects as of a day, in cents.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    penalty_accrued: i64,
    penalty_waived: i64,
    penalty_paid: i64,
    penalty_outstanding: i64,
    credit: i64,
    /// Per installment: (principal outstanding, interest outstanding).
    outstanding: Vec<(i64, i64)>,
    overdue_amount: i64,
    days_overdue: i64,
    received: i64,
}

fn expected_from(figures: &Figures) -> Expected {
    Expected {
        penalty_accrued: figures.penalty_accrued.cents(),
        penalty_waived: figures.penalty_waived.cents(),
        penalty_paid: figures.penalty_paid.cents(),
        penalty_outstanding: figures.penalty_outstanding.cents(),
        credit: figures.credit.cents(),
        outstanding: figures
            .installments
            .iter()
            .map(|i| {
                (
                    i.principal_outstanding.cents(),
                    i.interest_outstanding.cents(),
                )
            })
            .collect(),
        overdue_amount: figures.overdue_amount.cents(),
        days_overdue: figures.days_overdue,
        received: figures.received.cents(),
    }
}

/// The reference's books while it applies payments one by one.
struct Books<'m> {
    model: &'m Model,
    principal: Vec<i64>,
    interest: Vec<i64>,
    /// Per installment, every payment's share of it: (received on, cents).
    shares: Vec<Vec<(i64, i64)>>,
    penalty_paid: i64,
    credit: i64,
}

impl<'m> Books<'m> {
    fn new(model: &'m Model) -> Books<'m> {
        let n = model.installments.len();
        Books {
            model,
            principal: model
                .installments
                .iter()
                .map(|i| i.principal_cents)
                .collect(),
            interest: model
                .installments
                .iter()
                .map(|i| i.interest_cents)
                .collect(),
            shares: vec![Vec::new(); n],
            penalty_paid: 0,
            credit: 0,
        }
    }

    /// The rate on day `d`, in millionths: the contract's own entry in force on `d`, else the
    /// global one, else none (0).
    fn rate_on(&self, d: i64) -> i64 {
        let in_force = |history: &[(i64, i64)]| -> Option<i64> {
            let started = history.iter().filter(|&&(from, _)| from <= d);
            started.max_by_key(|&&(from, _)| from).map(|&(_, ppm)| ppm)
        };
        in_force(&self.model.own_rates)
            .or_else(|| in_force(&self.model.global_rates))
            .unwrap_or(0)
    }

    /// Amount of installment `i` unpaid at the start of day `d`: money received before `d`.
    fn unpaid_at_start(&self, i: usize, d: i64) -> i64 {
        let paid: i64 = self.shares[i]
            .iter()
            .filter(|&&(on, _)| on < d)
            .map(|&(_, c)| c)
            .sum();
        self.model.installments[i].amount_cents() - paid
    }

    /// Σ penalty(d) for every day d ≤ as_of, with the payments applied so far.
    fn accrued(&self, as_of: i64) -> i64 {
        let model = self.model;
        let grace = i64::from(model.own_grace.unwrap_or(model.global_grace));
        // The grace rule, as seen on `as_of`: inside its grace an installment shows 0; once past
        // it, an installment paid in full within its grace bears none, any other bears all days.
        let bears_penalty: Vec<bool> = (0..model.installments.len())
            .map(|i| {
                let grace_end = model.installments[i].due + grace;
                let inside_grace = as_of <= grace_end;
                let paid_within_grace = self.unpaid_at_start(i, grace_end + 1) == 0;
                !inside_grace && !paid_within_grace
            })
            .collect();
        let first_due = model
            .installments
            .iter()
            .map(|i| i.due)
            .min()
            .unwrap_or(as_of);
        let mut total = 0;
        for d in first_due + 1..=as_of {
            // Σ over installments overdue on d of unpaid × rate, in cents × millionths...
            let mut sum = 0i64;
            for (i, inst) in model.installments.iter().enumerate() {
                if d > inst.due && bears_penalty[i] {
                    sum += self.unpaid_at_start(i, d) * self.rate_on(d);
                }
            }
            // ...rounded half up to a whole cent, once a day.
            total += (sum + 500_000) / 1_000_000;
        }
        total
    }

    fn waived(&self, as_of: i64) -> i64 {
        self.model
            .waivers
            .iter()
            .filter(|&&(on, _)| on <= as_of)
            .map(|&(_, c)| c)
            .sum()
    }

    fn penalty_outstanding(&self, as_of: i64) -> i64 {
        (self.accrued(as_of) - self.waived(as_of) - self.penalty_paid).max(0)
    }

    fn pay_interest(&mut self, i: usize, received: i64, left: &mut i64) {
        let paid = (*left).min(self.interest[i]);
        self.interest[i] -= paid;
        *left -= paid;
        self.shares[i].push((received, paid));
    }

    fn pay_principal(&mut self, i: usize, received: i64, left: &mut i64) {
        let paid = (*left).min(self.principal[i]);
        self.principal[i] -= paid;
        *left -= paid;
        self.shares[i].push((received, paid));
    }

    fn pay_penalty(&mut self, received: i64, left: &mut i64) {
        let paid = (*left).min(self.penalty_outstanding(received));
        self.penalty_paid += paid;
        *left -= paid;
    }

    /// DOMAIN §2 allocation of one confirmed payment.
    fn apply(&mut self, received: i64, cents: i64) {
        let n = self.model.installments.len();
        let due: Vec<usize> = (0..n)
            .filter(|&i| self.model.installments[i].due <= received)
            .collect();
        let not_due: Vec<usize> = (0..n)
            .filter(|&i| self.model.installments[i].due > received)
            .collect();
        let mut left = cents;
        match self.model.order {
            AllocationOrder::DueFirst => {
                // Due money, oldest first, interest before principal; then the penalty.
                for &i in &due {
                    self.pay_interest(i, received, &mut left);
                    self.pay_principal(i, received, &mut left);
                }
                self.pay_penalty(received, &mut left);
            }
            AllocationOrder::Statutory => {
                // Interest of due installments; then the penalty; then their principal.
                for &i in &due {
                    self.pay_interest(i, received, &mut left);
                }
                self.pay_penalty(received, &mut left);
                for &i in &due {
                    self.pay_principal(i, received, &mut left);
                }
            }
        }
        // Then installments not yet due, in due-date order; the rest is credit.
        for &i in &not_due {
            self.pay_interest(i, received, &mut left);
            self.pay_principal(i, received, &mut left);
        }
        self.credit += left;
    }
}

fn reference(model: &Model, as_of: i64) -> Expected {
    let mut books = Books::new(model);
    let mut received = 0;
    for p in model.confirmed_through(as_of) {
        books.apply(p.received, p.cents);
        received += p.cents;
    }
    // The end-of-day view: overdue = due before as_of and not fully paid by as_of.
    let n = model.installments.len();
    let unpaid = |i: usize| books.principal[i] + books.interest[i];
    let overdue: Vec<usize> = (0..n)
        .filter(|&i| model.installments[i].due < as_of && unpaid(i) > 0)
        .collect();
    Expected {
        penalty_accrued: books.accrued(as_of),
        penalty_waived: books.waived(as_of),
        penalty_paid: books.penalty_paid,
        penalty_outstanding: books.penalty_outstanding(as_of),
        credit: books.credit,
        outstanding: books
            .principal
            .iter()
            .copied()
            .zip(books.interest.iter().copied())
            .collect(),
        overdue_amount: overdue.iter().map(|&i| unpaid(i)).sum(),
        days_overdue: overdue
            .iter()
            .map(|&i| as_of - model.installments[i].due)
            .max()
            .unwrap_or(0),
        received,
    }
}

/// The days worth checking for a model: around every due date, grace end, payment and rate
/// change, plus the given ones.
fn interesting_days(model: &Model, extra: &[i64]) -> Vec<i64> {
    let grace = i64::from(model.own_grace.unwrap_or(model.global_grace));
    let mut days: Vec<i64> = extra.to_vec();
    for inst in &model.installments {
        days.extend([
            inst.due,
            inst.due + 1,
            inst.due + grace,
            inst.due + grace + 1,
        ]);
    }
    for p in &model.payments {
        days.extend([p.received, p.received + 1]);
    }
    for &(from, _) in model.global_rates.iter().chain(&model.own_rates) {
        days.extend([from - 1, from]);
    }
    days.retain(|&d| d >= 0);
    days.sort_unstable();
    days.dedup();
    days
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (d) evaluate() agrees with the naive day-by-day reference to the cent, where the
    /// per-day definition is exact: the default order, payments never beyond what is due.
    #[test]
    fn penalty_matches_the_naive_day_by_day_reference(
        model in model_paying_at_most_what_is_due(),
        as_of in 0i64..=400,
    ) {
        let contract = model.contract();
        let settings = model.settings();
        for x in interesting_days(&model, &[as_of, model.last_day() + 30]) {
            let expected = reference(&model, x);
            prop_assert_eq!((expected.penalty_paid, expected.credit), (0, 0), "generator");
            let figures = evaluate(&contract, &settings, day(x));
            prop_assert_eq!(expected_from(&figures), expected, "as of day {}", x);
        }
    }

    /// (d′) The same reference with everything: both orders, money to the penalty, to
    /// installments not yet due and to credit, waivers.
    #[test]
    fn all_figures_match_the_naive_reference(model in model(), as_of in 0i64..=400) {
        let contract = model.contract();
        let settings = model.settings();
        for x in interesting_days(&model, &[as_of, model.last_day() + 30]) {
            let figures = evaluate(&contract, &settings, day(x));
            prop_assert_eq!(expected_from(&figures), reference(&model, x), "as of day {}", x);
        }
    }

    /// (a) money is conserved to the cent; (b) no balance is ever negative.
    #[test]
    fn allocation_conserves_money_and_leaves_no_negative_balance(
        model in model(),
        as_of in 0i64..=400,
    ) {
        let contract = model.contract();
        let settings = model.settings();
        for x in interesting_days(&model, &[as_of]) {
            let f = evaluate(&contract, &settings, day(x));
            let received: i64 = model.confirmed_through(x).iter().map(|p| p.cents).sum();
            prop_assert_eq!(f.received.cents(), received);
            let schedule_paid: Money = contract.schedule_total() - f.principal_outstanding - f.interest_outstanding;
            prop_assert_eq!(schedule_paid + f.penalty_paid + f.credit, f.received, "as of day {}", x);

            for inst in &f.installments {
                prop_assert!(!inst.principal_outstanding.is_negative());
                prop_assert!(!inst.interest_outstanding.is_negative());
                prop_assert!(inst.principal_outstanding <= inst.principal_due);
                prop_assert!(inst.interest_outstanding <= inst.interest_due);
            }
            for amount in [
                f.principal_outstanding,
                f.interest_outstanding,
                f.penalty_accrued,
                f.penalty_paid,
                f.penalty_waived,
                f.penalty_outstanding,
                f.overdue_amount,
                f.credit,
            ] {
                prop_assert!(!amount.is_negative(), "negative figure as of day {}: {:?}", x, f);
            }
            prop_assert!(f.days_overdue >= 0);
            // Penalty paid never exceeds what has accrued.
            prop_assert!(f.penalty_paid <= f.penalty_accrued);
            prop_assert_eq!(
                f.penalty_outstanding,
                (f.penalty_accrued - f.penalty_waived - f.penalty_paid).max(Money::ZERO)
            );
            // Credit is only what is beyond everything owed.
            if f.credit.is_positive() {
                prop_assert_eq!(f.total_outstanding(), Money::ZERO, "credit while owing, day {}", x);
            }
        }
    }

    /// Payments apply by received date, so the recorded order only matters within a day; and
    /// there the allocation is one waterfall, so reversing it changes no figure.
    #[test]
    fn recorded_order_changes_no_figure(model in model(), as_of in 0i64..=400) {
        let mut reversed = model.clone();
        reversed.payments.reverse();
        let settings = model.settings();
        for x in interesting_days(&model, &[as_of]) {
            prop_assert_eq!(
                evaluate(&model.contract(), &settings, day(x)),
                evaluate(&reversed.contract(), &settings, day(x)),
                "as of day {}", x
            );
        }
    }

    /// (c) penalty accrued never goes down as the as-of date moves on.
    #[test]
    fn penalty_accrued_never_decreases(model in model()) {
        let contract = model.contract();
        let settings = model.settings();
        let mut previous = Money::ZERO;
        for x in -1..=model.last_day() + 20 {
            let accrued = evaluate(&contract, &settings, day(x)).penalty_accrued;
            prop_assert!(accrued >= previous, "accrued fell from {} to {} on day {}", previous, accrued, x);
            previous = accrued;
        }
    }
}

/// The figures `PenaltyFacts::advance` carries from `from` to `through`, from `evaluate`.
fn advanced_by_evaluation(
    contract: &Contract,
    settings: &PenaltySettings,
    through: NaiveDate,
) -> Advanced {
    let f = evaluate(contract, settings, through);
    Advanced {
        penalty_accrued: f.penalty_accrued,
        penalty_outstanding: f.penalty_outstanding,
        days_overdue: f.days_overdue,
        overdue_amount: f.overdue_amount,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The daily job's short cut: carrying a contract's figures forward from its penalty
    /// facts gives what evaluating the whole contract gives, to the cent, whenever it answers.
    #[test]
    fn advancing_the_penalty_facts_equals_evaluating(
        model in model(),
        from in 0i64..=400,
        days in 1i64..=60,
    ) {
        let contract = model.contract();
        let settings = model.settings();
        let at_from = evaluate(&contract, &settings, day(from));
        let facts = PenaltyFacts::of(&contract, &settings, &at_from);
        for through in [from + 1, from + days] {
            if let Some(advanced) =
                facts.advance(&settings, day(from), at_from.penalty_accrued, day(through))
            {
                prop_assert_eq!(advanced, advanced_by_evaluation(&contract, &settings, day(through)), "{} → {}", from, through);
            }
        }
    }

    /// It answers whenever nothing was received after `from` and no grace reaches back before
    /// it: without grace days, always.
    #[test]
    fn advancing_answers_when_nothing_arrives_later(
        mut model in model(),
        from in 0i64..=400,
        days in 1i64..=60,
    ) {
        model.payments.retain(|p| p.received <= from);
        model.global_grace = 0;
        model.own_grace = None;
        let contract = model.contract();
        let settings = model.settings();
        let at_from = evaluate(&contract, &settings, day(from));
        let facts = PenaltyFacts::of(&contract, &settings, &at_from);
        let advanced = facts.advance(&settings, day(from), at_from.penalty_accrued, day(from + days));
        prop_assert_eq!(advanced, Some(advanced_by_evaluation(&contract, &settings, day(from + days))));
    }

    /// It answers for every date before `revisit`, with grace days and later payments too.
    #[test]
    fn advancing_answers_until_the_revisit_date(model in model(), from in 0i64..=400) {
        let contract = model.contract();
        let settings = model.settings();
        let at_from = evaluate(&contract, &settings, day(from));
        let facts = PenaltyFacts::of(&contract, &settings, &at_from);
        let until = facts.revisit(day(from)).unwrap_or(day(from + 90));
        let mut through = day(from + 1);
        while through < until {
            let advanced = facts.advance(&settings, day(from), at_from.penalty_accrued, through);
            prop_assert_eq!(advanced, Some(advanced_by_evaluation(&contract, &settings, through)));
            through = through.succ_opt().unwrap();
        }
    }
}

/// An installment partly paid on its due date, still in its grace days: carried across the
/// end of its grace, it bears penalty from the day after its due date on what was left.
#[test]
fn advancing_across_the_grace_of_an_installment_paid_on_its_due_date() {
    let model = Model {
        installments: vec![
            ModelInstallment {
                due: 10,
                principal_cents: 900_000,
                interest_cents: 100_000,
            },
            ModelInstallment {
                due: 40,
                principal_cents: 900_000,
                interest_cents: 100_000,
            },
        ],
        payments: vec![
            ModelPayment {
                received: 12,
                cents: 300_000,
                status: ModelStatus::Confirmed(0),
            },
            ModelPayment {
                received: 40,
                cents: 333_333,
                status: ModelStatus::Confirmed(1),
            },
        ],
        global_rates: vec![(0, 500), (43, 700)],
        own_rates: vec![],
        global_grace: 5,
        own_grace: None,
        order: AllocationOrder::DueFirst,
        waivers: vec![],
    };
    let (contract, settings) = (model.contract(), model.settings());
    for from in 40..=46 {
        let at_from = evaluate(&contract, &settings, day(from));
        let facts = PenaltyFacts::of(&contract, &settings, &at_from);
        assert_eq!(facts.revisit(day(from)), None, "from day {from}");
        for through in from + 1..=from + 10 {
            let advanced =
                facts.advance(&settings, day(from), at_from.penalty_accrued, day(through));
            assert_eq!(
                advanced,
                Some(advanced_by_evaluation(&contract, &settings, day(through)))
            );
        }
    }
}

/// The reference itself, on the hand-checked case of `ledger_tests`: 10,000.00 due day 45
/// (15 Feb), 4,000.00 paid on day 59 (1 Mar), 0.0005: 14 × 5.00 + 9 × 3.00 = 97.00 on day 68.
#[test]
fn the_reference_agrees_with_a_hand_checked_case() {
    let model = Model {
        installments: vec![ModelInstallment {
            due: 45,
            principal_cents: 900_000,
            interest_cents: 100_000,
        }],
        payments: vec![ModelPayment {
            received: 59,
            cents: 400_000,
            status: ModelStatus::Confirmed(0),
        }],
        global_rates: vec![(0, 500)],
        own_rates: vec![],
        global_grace: 0,
        own_grace: None,
        order: AllocationOrder::DueFirst,
        waivers: vec![],
    };
    assert_eq!(day(45), NaiveDate::from_ymd_opt(2026, 2, 15).unwrap());
    let expected = reference(&model, 68);
    assert_eq!(expected.penalty_accrued, 9_700);
    assert_eq!(expected.outstanding, vec![(600_000, 0)]);
    assert_eq!(
        expected_from(&evaluate(&model.contract(), &model.settings(), day(68))),
        expected
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `positions` at several dates in one pass equals `evaluate` at each of them, and what
    /// each installment owes at the last date equals `evaluate`'s lines there.
    #[test]
    fn positions_equal_evaluating_at_each_date(
        model in model(),
        mut offsets in proptest::collection::vec(0i64..=400, 1..6),
    ) {
        offsets.sort_unstable();
        let contract = model.contract();
        let settings = model.settings();
        let dates: Vec<NaiveDate> = offsets.iter().map(|&x| day(x)).collect();
        let positions = positions(&contract, &settings, &dates, true);
        let lean = super::positions(&contract, &settings, &dates, false);
        for (full, lean) in positions.at.iter().zip(&lean.at) {
            let without = Position { penalty_accrued: Money::ZERO, ..*full };
            prop_assert_eq!(&without, lean, "without the penalty sweep");
        }
        for (k, p) in positions.at.iter().enumerate() {
            let f = evaluate(&contract, &settings, p.as_of);
            let falling_due: Money = f
                .installments
                .iter()
                .filter(|i| i.due_date > p.as_of && dates.get(k + 1).is_some_and(|&n| i.due_date <= n))
                .map(|i| i.principal_outstanding + i.interest_outstanding)
                .sum();
            prop_assert_eq!(
                (p.days_overdue, p.bucket, p.overdue_amount, p.balance, p.penalty_accrued),
                (f.days_overdue, f.bucket, f.overdue_amount, f.principal_outstanding + f.interest_outstanding, f.penalty_accrued),
                "as of {}", p.as_of
            );
            prop_assert_eq!(
                (p.penalty_waived, p.penalty_paid, p.received, p.falling_due),
                (f.penalty_waived, f.penalty_paid, f.received, falling_due),
                "as of {}", p.as_of
            );
        }
        let last = evaluate(&contract, &settings, *dates.last().unwrap());
        let owed: Vec<Money> = last.installments.iter().map(|i| i.principal_outstanding + i.interest_outstanding).collect();
        prop_assert_eq!(positions.unpaid_at_last, owed);
    }
}
