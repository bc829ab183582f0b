//! Hand-checkable figures for DOMAIN §1–4. Each test says the arithmetic a clerk would do.
use super::*;
use chrono::NaiveDate;

pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

#[test]
fn a_payment_fourteen_days_late() {
    // One installment of 10,000.00 due 2026-02-15, paid on 2026-03-01 at 0.0005 a day:
    // days 16 Feb … 1 Mar = 14 days × (10,000 × 0.0005 = 5.00) = 70.00.
    let settings = PenaltySettings {
        rates: vec![RateEntry {
            from: d("2026-01-01"),
            daily: Rate::parse("0.0005").unwrap(),
        }],
        ..Default::default()
    };
    let mut c = Contract {
        no: "H1".into(),
        customer_id: "C1".into(),
        signed_on: d("2026-01-01"),
        model: "SY75".into(),
        serial: "S1".into(),
        financed: m("10000"),
        installments: vec![Installment {
            seq: 1,
            due: d("2026-02-15"),
            principal: m("9000"),
            interest: m("1000"),
        }],
        payments: vec![],
        own_rates: vec![],
        grace_days: None,
        state: ContractState::Active,
        machine: MachineState::Normal,
        waivers: vec![],
    };
    c.payments.push(Payment {
        id: "P1".into(),
        received_on: d("2026-03-01"),
        amount: m("10000"),
        method: "bank".into(),
        reference: String::new(),
        recorded_by: "li".into(),
        status: PaymentStatus::Confirmed {
            on: d("2026-03-05"),
            by: "cw".into(),
        },
    });
    let f = evaluate(&c, &settings, d("2026-03-31"));
    assert_eq!(f.penalty_accrued, m("70.00"));
    assert_eq!(f.penalty_outstanding, m("70.00"));
    assert_eq!(f.overdue_amount, m("0"));
    assert_eq!(f.days_overdue, 0);
}

// ---------------------------------------------------------------------------------------------
// Helpers: a contract builder and settings, so each test reads like the contract file.
// ---------------------------------------------------------------------------------------------

fn rate(s: &str) -> Rate {
    Rate::parse(s).unwrap()
}

/// Global settings: the given rate history (from, daily rate), no grace, default order.
fn settings(rates: &[(&str, &str)]) -> PenaltySettings {
    PenaltySettings {
        rates: rates
            .iter()
            .map(|&(from, daily)| RateEntry {
                from: d(from),
                daily: rate(daily),
            })
            .collect(),
        ..Default::default()
    }
}

/// The usual book: 0.0005 a day (万分之五) from 2026-01-01, no grace, default order.
fn standard() -> PenaltySettings {
    settings(&[("2026-01-01", "0.0005")])
}

fn with_grace(mut s: PenaltySettings, days: u32) -> PenaltySettings {
    s.grace_days = days;
    s
}

fn with_order(mut s: PenaltySettings, order: AllocationOrder) -> PenaltySettings {
    s.order = order;
    s
}

/// Builds a contract: installments are numbered in the order they are added (add them in
/// due-date order), payments keep the order they are recorded in.
struct ContractBuilder {
    contract: Contract,
}

fn contract() -> ContractBuilder {
    ContractBuilder {
        contract: Contract {
            no: "H1".into(),
            customer_id: "C1".into(),
            signed_on: d("2026-01-01"),
            model: "SY75".into(),
            serial: "S1".into(),
            financed: Money::ZERO,
            installments: vec![],
            payments: vec![],
            own_rates: vec![],
            grace_days: None,
            state: ContractState::Active,
            machine: MachineState::Normal,
            waivers: vec![],
        },
    }
}

impl ContractBuilder {
    fn installment(mut self, due: &str, principal: &str, interest: &str) -> Self {
        let seq = self.contract.installments.len() as u32 + 1;
        self.contract.financed += m(principal);
        self.contract.installments.push(Installment {
            seq,
            due: d(due),
            principal: m(principal),
            interest: m(interest),
        });
        self
    }

    fn payment(mut self, received: &str, amount: &str, status: PaymentStatus) -> Self {
        let id = format!("P{}", self.contract.payments.len() + 1);
        self.contract.payments.push(Payment {
            id,
            received_on: d(received),
            amount: m(amount),
            method: "bank".into(),
            reference: String::new(),
            recorded_by: "li".into(),
            status,
        });
        self
    }

    /// Money received and confirmed by finance the same day.
    fn paid(self, received: &str, amount: &str) -> Self {
        self.paid_confirmed_on(received, amount, received)
    }

    fn paid_confirmed_on(self, received: &str, amount: &str, confirmed: &str) -> Self {
        let status = PaymentStatus::Confirmed {
            on: d(confirmed),
            by: "cw".into(),
        };
        self.payment(received, amount, status)
    }

    fn pending(self, received: &str, amount: &str) -> Self {
        self.payment(received, amount, PaymentStatus::Pending)
    }

    fn voided(self, received: &str, amount: &str) -> Self {
        let status = PaymentStatus::Voided {
            on: d(received),
            by: "cw".into(),
            reason: "bounced".into(),
        };
        self.payment(received, amount, status)
    }

    fn own_rate(mut self, from: &str, daily: &str) -> Self {
        set_rate(&mut self.contract.own_rates, d(from), rate(daily));
        self
    }

    fn grace(mut self, days: u32) -> Self {
        self.contract.grace_days = Some(days);
        self
    }

    fn waiver(mut self, approved: &str, amount: &str) -> Self {
        let id = format!("W{}", self.contract.waivers.len() + 1);
        self.contract.waivers.push(WaiverGrant {
            id,
            approved_on: d(approved),
            amount: m(amount),
        });
        self
    }

    fn build(self) -> Contract {
        self.contract
    }
}

/// The usual one-installment contract: 10,000.00 (9,000.00 principal + 1,000.00 interest)
/// due 2026-02-15. At 0.0005 it costs 10,000 × 0.0005 = 5.00 a day while fully unpaid.
fn one_installment() -> ContractBuilder {
    contract().installment("2026-02-15", "9000", "1000")
}

fn accrued(c: &Contract, s: &PenaltySettings, as_of: &str) -> Money {
    evaluate(c, s, d(as_of)).penalty_accrued
}

// ---------------------------------------------------------------------------------------------
// 2. Rate changes
// ---------------------------------------------------------------------------------------------

#[test]
fn a_global_rate_change_applies_from_its_effective_date_only() {
    // 10,000.00 due 15 Feb, never paid. Global 0.0005 from 1 Jan, 0.0008 from 1 Mar.
    // 16–28 Feb: 13 days × (10,000 × 0.0005 = 5.00) = 65.00
    // 1–10 Mar:  10 days × (10,000 × 0.0008 = 8.00) = 80.00
    // through 10 Mar: 65.00 + 80.00 = 145.00
    let changed = settings(&[("2026-01-01", "0.0005"), ("2026-03-01", "0.0008")]);
    let c = one_installment().build();
    assert_eq!(accrued(&c, &changed, "2026-02-28"), m("65.00"));
    assert_eq!(accrued(&c, &changed, "2026-03-01"), m("73.00"));
    assert_eq!(accrued(&c, &changed, "2026-03-10"), m("145.00"));
    assert_eq!(
        evaluate(&c, &changed, d("2026-03-10")).rate_in_force,
        rate("0.0008")
    );

    // The change does not rewrite February: without it, February is the same 65.00 and
    // only March differs (23 days × 5.00 = 115.00 through 10 Mar).
    let unchanged = standard();
    assert_eq!(accrued(&c, &unchanged, "2026-02-28"), m("65.00"));
    assert_eq!(accrued(&c, &unchanged, "2026-03-10"), m("115.00"));
}

#[test]
fn a_contract_rate_overrides_the_global_one_from_its_own_date() {
    // 10,000.00 due 15 Feb, never paid. Global: 0.0005 from 1 Jan, 0.0008 from 5 Mar.
    // Contract's own: 0.0003 from 1 Mar, 0.0004 from 8 Mar.
    // 16–28 Feb: own rate not yet in force → global 0.0005: 13 days × 5.00 = 65.00
    // 1–7 Mar:   own 0.0003 (the global change of 5 Mar does not apply): 7 × 3.00 = 21.00
    // 8–10 Mar:  own 0.0004: 3 days × 4.00 = 12.00
    // through 10 Mar: 65.00 + 21.00 + 12.00 = 98.00
    let s = settings(&[("2026-01-01", "0.0005"), ("2026-03-05", "0.0008")]);
    let c = one_installment()
        .own_rate("2026-03-01", "0.0003")
        .own_rate("2026-03-08", "0.0004")
        .build();
    assert_eq!(accrued(&c, &s, "2026-02-28"), m("65.00"));
    assert_eq!(accrued(&c, &s, "2026-03-07"), m("86.00"));
    assert_eq!(accrued(&c, &s, "2026-03-10"), m("98.00"));
    assert_eq!(
        evaluate(&c, &s, d("2026-02-28")).rate_in_force,
        rate("0.0005")
    );
    assert_eq!(
        evaluate(&c, &s, d("2026-03-10")).rate_in_force,
        rate("0.0004")
    );

    // Another contract on the same book, without its own rate, follows the global history:
    // 65.00 + 4 days (1–4 Mar) × 5.00 + 6 days (5–10 Mar) × 8.00 = 65 + 20 + 48 = 133.00
    let plain = one_installment().build();
    assert_eq!(accrued(&plain, &s, "2026-03-10"), m("133.00"));
}

#[test]
fn days_before_any_rate_is_in_force_cost_nothing() {
    // 10,000.00 due 15 Feb; the book's first rate, 0.0005, is in force from 1 Mar only.
    // 16–28 Feb: no rate → 0; 1–10 Mar: 10 days × 5.00 = 50.00.
    let s = settings(&[("2026-03-01", "0.0005")]);
    let c = one_installment().build();
    assert_eq!(accrued(&c, &s, "2026-02-28"), m("0"));
    assert_eq!(accrued(&c, &s, "2026-03-10"), m("50.00"));
}

// ---------------------------------------------------------------------------------------------
// 3. Grace days
// ---------------------------------------------------------------------------------------------

#[test]
fn paid_within_the_grace_days_bears_no_penalty() {
    // Grace 5 days: 10,000.00 due 15 Feb, paid in full on 20 Feb (the 5th day after due).
    let s = with_grace(standard(), 5);
    let c = one_installment().paid("2026-02-20", "10000").build();
    assert_eq!(accrued(&c, &s, "2026-02-20"), m("0"));
    assert_eq!(accrued(&c, &s, "2026-03-31"), m("0"));
}

#[test]
fn paid_after_the_grace_days_counts_every_day_since_due() {
    // Grace 5 days: 10,000.00 due 15 Feb, paid on 21 Feb (the 6th day): the whole lateness
    // counts, 16–21 Feb = 6 days × 5.00 = 30.00 (not 1 day).
    let s = with_grace(standard(), 5);
    let c = one_installment().paid("2026-02-21", "10000").build();
    assert_eq!(accrued(&c, &s, "2026-03-31"), m("30.00"));
}

#[test]
fn while_unpaid_inside_grace_the_penalty_shows_zero_then_all_days_at_once() {
    // Grace 5 days: 10,000.00 due 15 Feb, unpaid. It is overdue from 16 Feb all the same.
    let s = with_grace(standard(), 5);
    let c = one_installment().build();
    assert_eq!(accrued(&c, &s, "2026-02-15"), m("0"));
    let inside = evaluate(&c, &s, d("2026-02-20"));
    assert_eq!(inside.penalty_accrued, m("0"));
    assert_eq!(inside.overdue_amount, m("10000"));
    assert_eq!(inside.days_overdue, 5);
    // 21 Feb, first day after the grace: 16–21 Feb = 6 days × 5.00 = 30.00 at once.
    assert_eq!(accrued(&c, &s, "2026-02-21"), m("30.00"));
    // and then 5.00 a day: 22 Feb = 35.00.
    assert_eq!(accrued(&c, &s, "2026-02-22"), m("35.00"));
}

#[test]
fn a_partial_payment_inside_grace_still_lowers_the_base() {
    // Grace 5: 10,000.00 due 15 Feb; 4,000.00 paid 18 Feb, the other 6,000.00 on 25 Feb.
    // Not paid in full within grace, so every day since due counts:
    // 16–18 Feb: 3 days × 5.00 = 15.00; 19–25 Feb: 7 days × (6,000 × 0.0005 = 3.00) = 21.00
    // total 36.00. On 20 Feb (inside grace) it shows 0; on 21 Feb 15.00 + 3 × 3.00 = 24.00.
    let s = with_grace(standard(), 5);
    let c = one_installment()
        .paid("2026-02-18", "4000")
        .paid("2026-02-25", "6000")
        .build();
    assert_eq!(accrued(&c, &s, "2026-02-20"), m("0"));
    assert_eq!(accrued(&c, &s, "2026-02-21"), m("24.00"));
    assert_eq!(accrued(&c, &s, "2026-03-31"), m("36.00"));
}

#[test]
fn a_contract_grace_overrides_the_global_one() {
    // Global grace 5, this contract 0: paid 20 Feb costs 16–20 Feb = 5 days × 5.00 = 25.00.
    let s = with_grace(standard(), 5);
    let strict = one_installment()
        .grace(0)
        .paid("2026-02-20", "10000")
        .build();
    assert_eq!(accrued(&strict, &s, "2026-03-31"), m("25.00"));

    // Global grace 0, this contract 10: paid 25 Feb (10th day) costs nothing; paid 26 Feb
    // costs 16–26 Feb = 11 days × 5.00 = 55.00.
    let s = standard();
    let lenient = one_installment()
        .grace(10)
        .paid("2026-02-25", "10000")
        .build();
    assert_eq!(accrued(&lenient, &s, "2026-03-31"), m("0"));
    let late = one_installment()
        .grace(10)
        .paid("2026-02-26", "10000")
        .build();
    assert_eq!(accrued(&late, &s, "2026-03-31"), m("55.00"));
}

// ---------------------------------------------------------------------------------------------
// 4. Partial payment
// ---------------------------------------------------------------------------------------------

#[test]
fn a_partial_payment_lowers_the_base_from_the_next_day() {
    // 10,000.00 (9,000 principal + 1,000 interest) due 15 Feb; 4,000.00 paid 1 Mar.
    // 16 Feb–1 Mar: 14 days × 5.00 = 70.00 (the day of payment still counts in full)
    // 2–10 Mar:      9 days × (6,000 × 0.0005 = 3.00) = 27.00      → through 10 Mar 97.00
    // Allocation (interest first): interest 1,000 paid, principal 9,000 − 3,000 = 6,000 left.
    let s = standard();
    let c = one_installment().paid("2026-03-01", "4000").build();
    assert_eq!(accrued(&c, &s, "2026-03-01"), m("70.00"));
    assert_eq!(accrued(&c, &s, "2026-03-02"), m("73.00"));
    let f = evaluate(&c, &s, d("2026-03-10"));
    assert_eq!(f.penalty_accrued, m("97.00"));
    assert_eq!(f.interest_outstanding, m("0"));
    assert_eq!(f.principal_outstanding, m("6000"));
    assert_eq!(f.overdue_amount, m("6000"));
    assert_eq!(f.days_overdue, 23); // 10 Mar − 15 Feb
    assert_eq!(f.penalty_paid, m("0"));
    assert_eq!(f.penalty_outstanding, m("97.00"));
}

// ---------------------------------------------------------------------------------------------
// 5. Rounding
// ---------------------------------------------------------------------------------------------

#[test]
fn each_day_is_rounded_half_up() {
    // 250.00 × 0.0005 = 0.125 → 0.13 a day; 16–25 Feb = 10 days × 0.13 = 1.30
    // (not 1.25 from rounding the total, not 1.20 from banker's rounding).
    let s = standard();
    let c = contract().installment("2026-02-15", "250", "0").build();
    assert_eq!(accrued(&c, &s, "2026-02-25"), m("1.30"));
    // 249.00 × 0.0005 = 0.1245 → 0.12 a day; 10 days = 1.20.
    let c = contract().installment("2026-02-15", "249", "0").build();
    assert_eq!(accrued(&c, &s, "2026-02-25"), m("1.20"));
}

#[test]
fn rounding_applies_to_the_daily_sum_over_installments() {
    // Two installments of 125.00 due 15 Feb: a day is round(0.0625 + 0.0625 = 0.125) = 0.13,
    // not 0.06 + 0.06 = 0.12. 16–25 Feb: 10 days × 0.13 = 1.30.
    let s = standard();
    let c = contract()
        .installment("2026-02-15", "100", "25")
        .installment("2026-02-15", "100", "25")
        .build();
    assert_eq!(accrued(&c, &s, "2026-02-25"), m("1.30"));

    // Due 10 Feb and 15 Feb: 11–15 Feb only the first: 5 days × round(0.0625) = 5 × 0.06 = 0.30;
    // 16–25 Feb both: 10 days × 0.13 = 1.30 → 1.60 (per-installment rounding would give 1.50).
    let c = contract()
        .installment("2026-02-10", "125", "0")
        .installment("2026-02-15", "125", "0")
        .build();
    assert_eq!(accrued(&c, &s, "2026-02-15"), m("0.30"));
    assert_eq!(accrued(&c, &s, "2026-02-25"), m("1.60"));
}

// ---------------------------------------------------------------------------------------------
// 6. Confirmation
// ---------------------------------------------------------------------------------------------

#[test]
fn a_payment_confirmed_late_counts_from_the_day_it_was_received() {
    // 10,000.00 due 15 Feb, received 1 Mar, confirmed by finance only on 20 Mar:
    // 16 Feb–1 Mar = 14 days × 5.00 = 70.00, not 16 Feb–20 Mar = 33 days = 165.00.
    let s = standard();
    let c = one_installment()
        .paid_confirmed_on("2026-03-01", "10000", "2026-03-20")
        .build();
    let f = evaluate(&c, &s, d("2026-03-31"));
    assert_eq!(f.penalty_accrued, m("70.00"));
    assert_eq!(f.received, m("10000"));
    assert_eq!(f.overdue_amount, m("0"));
}

#[test]
fn pending_and_voided_payments_count_for_nothing() {
    // 10,000.00 due 15 Feb; 10,000.00 received 1 Mar but not confirmed (or voided):
    // 16 Feb–31 Mar = 13 + 31 = 44 days × 5.00 = 220.00, overdue 10,000.00, 44 days.
    let s = standard();
    for c in [
        one_installment().pending("2026-03-01", "10000").build(),
        one_installment().voided("2026-03-01", "10000").build(),
    ] {
        let f = evaluate(&c, &s, d("2026-03-31"));
        assert_eq!(f.penalty_accrued, m("220.00"));
        assert_eq!(f.received, m("0"));
        assert_eq!(f.overdue_amount, m("10000"));
        assert_eq!(f.days_overdue, 44);
        assert_eq!(f.credit, m("0"));
    }
    assert_eq!(
        one_installment()
            .pending("2026-03-01", "10000")
            .build()
            .pending_total(),
        m("10000")
    );
    assert_eq!(
        one_installment()
            .voided("2026-03-01", "10000")
            .build()
            .pending_total(),
        m("0")
    );

    // Confirmed 4,000 + pending 6,000 + voided 6,000, all received 1 Mar: only the 4,000
    // counts, as in the partial-payment case: 70.00 + 9 days × 3.00 = 97.00 through 10 Mar.
    let c = one_installment()
        .paid("2026-03-01", "4000")
        .pending("2026-03-01", "6000")
        .voided("2026-03-01", "6000")
        .build();
    let f = evaluate(&c, &s, d("2026-03-10"));
    assert_eq!(f.penalty_accrued, m("97.00"));
    assert_eq!(f.received, m("4000"));
    assert_eq!(f.overdue_amount, m("6000"));
}

// ---------------------------------------------------------------------------------------------
// 7. Allocation orders
// ---------------------------------------------------------------------------------------------

#[test]
fn the_two_allocation_orders_split_payments_differently() {
    // Installment 1: 100,000.00 (90,000 principal + 10,000 interest) due 15 Feb.
    // Installment 2: the same, due 15 Apr. Rate 0.0005: 100,000 × 0.0005 = 50.00 a day.
    // Payment A: 100,000.00 on 1 Mar. Penalty through 1 Mar: 14 days × 50.00 = 700.00.
    // Payment B:  50,000.00 on 5 Mar.
    let c = contract()
        .installment("2026-02-15", "90000", "10000")
        .installment("2026-04-15", "90000", "10000")
        .paid("2026-03-01", "100000")
        .paid("2026-03-05", "50000")
        .build();
    let due_first = standard();
    let statutory = with_order(standard(), AllocationOrder::Statutory);

    // DueFirst, A: installment 1 in full (10,000 interest + 90,000 principal); nothing left
    // for the 700.00 penalty.
    let f = evaluate(&c, &due_first, d("2026-03-01"));
    assert_eq!(f.penalty_accrued, m("700.00"));
    assert_eq!(f.penalty_paid, m("0"));
    assert_eq!(f.penalty_outstanding, m("700.00"));
    assert_eq!(f.installments[0].principal_outstanding, m("0"));
    assert_eq!(f.overdue_amount, m("0"));

    // Statutory, A: interest 10,000, then penalty 700.00, then principal 89,300.00:
    // 700.00 of installment 1's principal stays overdue.
    let f = evaluate(&c, &statutory, d("2026-03-01"));
    assert_eq!(f.penalty_accrued, m("700.00"));
    assert_eq!(f.penalty_paid, m("700.00"));
    assert_eq!(f.penalty_outstanding, m("0"));
    assert_eq!(f.installments[0].interest_outstanding, m("0"));
    assert_eq!(f.installments[0].principal_outstanding, m("700.00"));
    assert_eq!(f.overdue_amount, m("700.00"));

    // 4 Mar, before B. DueFirst: nothing unpaid since 2 Mar, still 700.00.
    // Statutory: 2–4 Mar 3 days × (700 × 0.0005 = 0.35) = 1.05 → 701.05, 1.05 outstanding.
    assert_eq!(accrued(&c, &due_first, "2026-03-04"), m("700.00"));
    let f = evaluate(&c, &statutory, d("2026-03-04"));
    assert_eq!(f.penalty_accrued, m("701.05"));
    assert_eq!(f.penalty_outstanding, m("1.05"));
    assert_eq!(f.days_overdue, 17); // 4 Mar − 15 Feb

    // DueFirst, B (nothing due unpaid): penalty 700.00, then installment 2 (not yet due):
    // interest 10,000, principal 39,300 → 50,700.00 principal left.
    // 100,000 + 700 + 49,300 = 150,000 received.
    let f = evaluate(&c, &due_first, d("2026-03-10"));
    assert_eq!(f.penalty_accrued, m("700.00"));
    assert_eq!(f.penalty_paid, m("700.00"));
    assert_eq!(f.penalty_outstanding, m("0"));
    assert_eq!(f.installments[1].interest_outstanding, m("0"));
    assert_eq!(f.installments[1].principal_outstanding, m("50700.00"));
    assert_eq!(f.principal_outstanding, m("50700.00"));
    assert_eq!(f.received, m("150000"));
    assert_eq!(f.credit, m("0"));

    // Statutory, B: penalty through 5 Mar = 700 + 4 days × 0.35 = 701.40, 1.40 unpaid → 1.40;
    // principal of installment 1: 700.00; installment 2: interest 10,000, principal
    // 50,000 − 1.40 − 700 − 10,000 = 39,298.60 → 50,701.40 left. Nothing accrues after 5 Mar.
    // 100,000 + 701.40 + 49,298.60 = 150,000 received.
    let f = evaluate(&c, &statutory, d("2026-03-10"));
    assert_eq!(f.penalty_accrued, m("701.40"));
    assert_eq!(f.penalty_paid, m("701.40"));
    assert_eq!(f.penalty_outstanding, m("0"));
    assert_eq!(f.installments[0].principal_outstanding, m("0"));
    assert_eq!(f.installments[1].interest_outstanding, m("0"));
    assert_eq!(f.installments[1].principal_outstanding, m("50701.40"));
    assert_eq!(f.overdue_amount, m("0"));
    assert_eq!(f.received, m("150000"));
}

#[test]
fn due_first_pays_the_oldest_installment_interest_before_principal() {
    // Two installments of 1,000.00 (900 principal + 100 interest) due 15 Jan and 15 Feb;
    // 1,150.00 paid 20 Feb. Oldest first: #1 interest 100, principal 900; #2 interest 100,
    // principal 50 → #2 has 850.00 principal left, its interest paid.
    let c = contract()
        .installment("2026-01-15", "900", "100")
        .installment("2026-02-15", "900", "100")
        .paid("2026-02-20", "1150")
        .build();
    let f = evaluate(&c, &standard(), d("2026-02-20"));
    assert_eq!(f.installments[0].principal_outstanding, m("0"));
    assert_eq!(f.installments[0].interest_outstanding, m("0"));
    assert_eq!(f.installments[1].interest_outstanding, m("0"));
    assert_eq!(f.installments[1].principal_outstanding, m("850"));
    // Statutory: interest of both due installments first (200), then penalty, then principal.
    // Penalty through 20 Feb: 16 Jan–15 Feb 31 days × (1,000 × 0.0005 = 0.50) = 15.50,
    // 16–20 Feb 5 days × (2,000 × 0.0005 = 1.00) = 5.00 → 20.50.
    // 1,150 − 200 − 20.50 = 929.50 principal: #1 900, #2 29.50 → #2 870.50 principal left.
    let f = evaluate(
        &c,
        &with_order(standard(), AllocationOrder::Statutory),
        d("2026-02-20"),
    );
    assert_eq!(f.penalty_paid, m("20.50"));
    assert_eq!(f.installments[0].principal_outstanding, m("0"));
    assert_eq!(f.installments[1].interest_outstanding, m("0"));
    assert_eq!(f.installments[1].principal_outstanding, m("870.50"));
}

// ---------------------------------------------------------------------------------------------
// 8. Overpayment
// ---------------------------------------------------------------------------------------------

#[test]
fn an_overpayment_is_held_as_credit() {
    // 10,000.00 due 15 Feb; 10,100.00 paid 1 Mar: installment 10,000.00, penalty 14 days ×
    // 5.00 = 70.00, and 100 − 70 = 30.00 held as credit.
    let s = standard();
    let c = one_installment().paid("2026-03-01", "10100").build();
    let f = evaluate(&c, &s, d("2026-03-31"));
    assert_eq!(f.penalty_accrued, m("70.00"));
    assert_eq!(f.penalty_paid, m("70.00"));
    assert_eq!(f.penalty_outstanding, m("0"));
    assert_eq!(f.credit, m("30.00"));
    assert_eq!(f.total_outstanding(), m("0"));
    assert_eq!(owed(&f), None);

    // Paying everything early: 1,000.00 due 15 Feb and 1,000.00 due 15 Mar, 2,500.00 paid
    // 1 Feb → both installments paid, 500.00 credit, never any penalty (either order).
    let c = contract()
        .installment("2026-02-15", "900", "100")
        .installment("2026-03-15", "900", "100")
        .paid("2026-02-01", "2500")
        .build();
    for order in [AllocationOrder::DueFirst, AllocationOrder::Statutory] {
        let f = evaluate(&c, &with_order(standard(), order), d("2026-12-31"));
        assert_eq!(f.credit, m("500"));
        assert_eq!(f.penalty_accrued, m("0"));
        assert_eq!(f.total_outstanding(), m("0"));
    }
}

#[test]
fn the_payoff_is_everything_outstanding_less_credit() {
    // 1,000.00 due 15 Feb (900 + 100) and 1,000.00 due 15 Mar, nothing paid. As of 25 Feb:
    // penalty 16–25 Feb = 10 days × (1,000 × 0.0005 = 0.50) = 5.00; the payoff is both
    // installments, due or not, plus the penalty: 2,000.00 + 5.00 = 2,005.00, while what
    // is to collect today is only the overdue 1,000.00 + 5.00.
    let c = contract()
        .installment("2026-02-15", "900", "100")
        .installment("2026-03-15", "900", "100")
        .build();
    let f = evaluate(&c, &standard(), d("2026-02-25"));
    assert_eq!(f.penalty_outstanding, m("5.00"));
    assert_eq!(f.total_to_collect(), m("1005.00"));
    assert_eq!(f.payoff(), m("2005.00"));

    // Everything paid early with 500.00 over: nothing to pay off, the credit is the
    // customer's (the payoff is never negative).
    let c = contract()
        .installment("2026-02-15", "900", "100")
        .installment("2026-03-15", "900", "100")
        .paid("2026-02-01", "2500")
        .build();
    let f = evaluate(&c, &standard(), d("2026-12-31"));
    assert_eq!(f.credit, m("500"));
    assert_eq!(f.payoff(), m("0"));
}

// ---------------------------------------------------------------------------------------------
// 9–10. Waiver and settlement
// ---------------------------------------------------------------------------------------------

#[test]
fn a_waiver_is_refused_while_overdue_or_above_the_penalty() {
    // 10,000.00 due 15 Feb, unpaid on 20 Feb: 5 days × 5.00 = 25.00 penalty, but the
    // 10,000.00 is still overdue, so no waiver yet.
    let s = standard();
    let f = evaluate(&one_installment().build(), &s, d("2026-02-20"));
    assert_eq!(f.penalty_outstanding, m("25.00"));
    let refusal = waiver_blocker("H1", &f, m("10")).expect("refused while overdue");
    assert!(
        refusal
            .to_string()
            .contains("10000.00 principal and interest is still overdue"),
        "{refusal}"
    );

    // Paid 1 Mar: 70.00 penalty outstanding, nothing overdue.
    let f = evaluate(
        &one_installment().paid("2026-03-01", "10000").build(),
        &s,
        d("2026-03-05"),
    );
    assert_eq!(f.penalty_outstanding, m("70.00"));
    let refusal = waiver_blocker("H1", &f, m("70.01")).expect("refused above the penalty");
    assert!(
        refusal
            .to_string()
            .contains("70.01 is more than the penalty outstanding 70.00"),
        "{refusal}"
    );
    assert!(waiver_blocker("H1", &f, m("0")).is_some());
    assert_eq!(waiver_blocker("H1", &f, m("70.00")), None);
    assert_eq!(waiver_blocker("H1", &f, m("50.00")), None);
}

#[test]
fn a_waiver_then_settlement() {
    // 10,000.00 due 15 Feb, paid 1 Mar: 70.00 penalty outstanding; settlement is refused.
    let s = standard();
    let paid = || one_installment().paid("2026-03-01", "10000");
    let f = evaluate(&paid().build(), &s, d("2026-03-05"));
    assert_eq!(owed(&f), Some("penalty 70.00 outstanding".to_string()));

    // The whole 70.00 waived, approved 6 Mar: counts from 6 Mar, then nothing is owed.
    let c = paid().waiver("2026-03-06", "70.00").build();
    let before = evaluate(&c, &s, d("2026-03-05"));
    assert_eq!(before.penalty_waived, m("0"));
    assert_eq!(before.penalty_outstanding, m("70.00"));
    let after = evaluate(&c, &s, d("2026-03-06"));
    assert_eq!(after.penalty_accrued, m("70.00"));
    assert_eq!(after.penalty_waived, m("70.00"));
    assert_eq!(after.penalty_outstanding, m("0"));
    assert_eq!(owed(&after), None);

    // 50.00 waived on 6 Mar: 20.00 left, still refused; 20.00 paid on 8 Mar goes to the
    // penalty (nothing else is due), and the account can be settled.
    let c = paid().waiver("2026-03-06", "50.00").build();
    let f = evaluate(&c, &s, d("2026-03-06"));
    assert_eq!(f.penalty_outstanding, m("20.00"));
    assert_eq!(owed(&f), Some("penalty 20.00 outstanding".to_string()));
    let c = paid()
        .waiver("2026-03-06", "50.00")
        .paid("2026-03-08", "20.00")
        .build();
    let f = evaluate(&c, &s, d("2026-03-08"));
    assert_eq!(f.penalty_paid, m("20.00"));
    assert_eq!(f.penalty_outstanding, m("0"));
    assert_eq!(f.credit, m("0"));
    assert_eq!(owed(&f), None);
}

#[test]
fn settlement_is_refused_while_anything_is_outstanding() {
    // 10,000.00 (9,000 + 1,000) due 15 Feb and the same due 15 Mar; the first paid on its due
    // date (no penalty: a payment on the due date is on time).
    let s = standard();
    let base = || {
        contract()
            .installment("2026-02-15", "9000", "1000")
            .installment("2026-03-15", "9000", "1000")
            .paid("2026-02-15", "10000")
    };
    // 1 Mar: nothing overdue, but installment 2 is still owed.
    let f = evaluate(&base().build(), &s, d("2026-03-01"));
    assert_eq!(f.overdue_amount, m("0"));
    assert_eq!(
        owed(&f).as_deref(),
        Some("principal 9000.00 outstanding, interest 1000.00 outstanding")
    );
    // 20 Mar: installment 2 five days late: 16–20 Mar 5 × 5.00 = 25.00 penalty.
    let f = evaluate(&base().build(), &s, d("2026-03-20"));
    assert_eq!(
        owed(&f).as_deref(),
        Some(
            "principal 9000.00 outstanding, interest 1000.00 outstanding, penalty 25.00 outstanding"
        )
    );
    // 1,500.00 paid 20 Mar: interest 1,000, principal 500 → 8,500.00 principal left.
    let f = evaluate(
        &base().paid("2026-03-20", "1500").build(),
        &s,
        d("2026-03-20"),
    );
    assert_eq!(
        owed(&f).as_deref(),
        Some("principal 8500.00 outstanding, penalty 25.00 outstanding")
    );
}

// ---------------------------------------------------------------------------------------------
// 11. Days overdue, overdue amount, aging
// ---------------------------------------------------------------------------------------------

#[test]
fn days_overdue_and_overdue_amount_as_of_a_date() {
    // Three installments of 1,000.00 (900 + 100) due 15 Jan, 15 Feb, 15 Mar.
    let s = standard();
    let schedule = || {
        contract()
            .installment("2026-01-15", "900", "100")
            .installment("2026-02-15", "900", "100")
            .installment("2026-03-15", "900", "100")
    };
    let c = schedule().build();
    let check = |c: &Contract, as_of: &str, days: i64, bucket: Bucket, overdue: &str| {
        let f = evaluate(c, &s, d(as_of));
        assert_eq!(
            (f.days_overdue, f.bucket, f.overdue_amount),
            (days, bucket, m(overdue)),
            "{as_of}"
        );
    };
    check(&c, "2026-01-15", 0, Bucket::Current, "0"); // due today is not overdue
    check(&c, "2026-01-16", 1, Bucket::D1To30, "1000");
    check(&c, "2026-02-14", 30, Bucket::D1To30, "1000");
    check(&c, "2026-02-15", 31, Bucket::D31To60, "1000"); // #2 due today: not counted
    check(&c, "2026-02-16", 32, Bucket::D31To60, "2000");
    assert_eq!(evaluate(&c, &s, d("2026-01-15")).oldest_unpaid_due, None);
    assert_eq!(
        evaluate(&c, &s, d("2026-02-16")).oldest_unpaid_due,
        Some(d("2026-01-15"))
    );

    // 1,000.00 received 20 Feb pays #1. As of 19 Feb it does not count yet (35 days,
    // 2,000.00); as of 20 Feb it does (end of day): the oldest unpaid is #2, 20 Feb − 15 Feb
    // = 5 days, 1,000.00.
    let c = schedule().paid("2026-02-20", "1000").build();
    check(&c, "2026-02-19", 35, Bucket::D31To60, "2000");
    check(&c, "2026-02-20", 5, Bucket::D1To30, "1000");
    let f = evaluate(&c, &s, d("2026-02-20"));
    assert_eq!(f.installments[0].days_overdue, 0);
    assert_eq!(f.installments[1].days_overdue, 5);
    assert_eq!(f.installments[2].days_overdue, 0);
    assert_eq!(
        f.total_to_collect(),
        f.overdue_amount + f.penalty_outstanding
    );
}

#[test]
fn aging_buckets_at_their_edges() {
    // One installment due 1 Jan 2026, never paid: days overdue = as_of − 1 Jan.
    let s = standard();
    let c = contract().installment("2026-01-01", "1000", "0").build();
    let due = d("2026-01-01");
    for (days, bucket) in [
        (0, Bucket::Current),
        (1, Bucket::D1To30),
        (30, Bucket::D1To30),
        (31, Bucket::D31To60),
        (60, Bucket::D31To60),
        (61, Bucket::D61To90),
        (90, Bucket::D61To90),
        (91, Bucket::D91To180),
        (180, Bucket::D91To180),
        (181, Bucket::D181Plus),
        (400, Bucket::D181Plus),
    ] {
        let f = evaluate(&c, &s, due + chrono::Days::new(days as u64));
        assert_eq!((f.days_overdue, f.bucket), (days, bucket));
    }
}

// ---------------------------------------------------------------------------------------------
// 12. Order of payments
// ---------------------------------------------------------------------------------------------

#[test]
fn same_day_payments_are_applied_in_recorded_order() {
    // 10,000.00 due 15 Feb and 10,000.00 due 15 Apr (9,000 + 1,000 each). On 1 Mar two
    // payments are recorded: 6,000.00 then 4,100.00.
    // 6,000: #1 interest 1,000, principal 5,000. 4,100: #1 principal 4,000, then the penalty
    // 14 days × 5.00 = 70.00, then #2 (not yet due) interest 30.00 → #2 interest 970.00 left.
    // The allocation is one waterfall, so the recorded order cannot change the figures: the
    // reverse order, or one payment of 10,100.00, gives the same.
    let s = standard();
    let schedule = || {
        contract()
            .installment("2026-02-15", "9000", "1000")
            .installment("2026-04-15", "9000", "1000")
    };
    let recorded = schedule()
        .paid("2026-03-01", "6000")
        .paid("2026-03-01", "4100")
        .build();
    let f = evaluate(&recorded, &s, d("2026-03-10"));
    assert_eq!(f.penalty_accrued, m("70.00"));
    assert_eq!(f.penalty_paid, m("70.00"));
    assert_eq!(f.installments[0].principal_outstanding, m("0"));
    assert_eq!(f.installments[1].interest_outstanding, m("970.00"));
    assert_eq!(f.installments[1].principal_outstanding, m("9000"));
    let reversed = schedule()
        .paid("2026-03-01", "4100")
        .paid("2026-03-01", "6000")
        .build();
    let single = schedule().paid("2026-03-01", "10100").build();
    assert_eq!(evaluate(&reversed, &s, d("2026-03-10")), f);
    assert_eq!(evaluate(&single, &s, d("2026-03-10")), f);
}

#[test]
fn payments_recorded_out_of_date_order_apply_by_received_date() {
    // 10,000.00 due 15 Feb. Recorded first: 5,000.00 received 10 Mar; recorded second:
    // 5,000.00 received 1 Mar (a late entry). Applied by received date:
    // 16 Feb–1 Mar: 14 days × 5.00 = 70.00; 2–10 Mar: 9 days × (5,000 × 0.0005 = 2.50) = 22.50
    // → 92.50, all still outstanding (both payments went to the installment).
    let s = standard();
    let c = one_installment()
        .paid("2026-03-10", "5000")
        .paid("2026-03-01", "5000")
        .build();
    let f = evaluate(&c, &s, d("2026-03-31"));
    assert_eq!(f.penalty_accrued, m("92.50"));
    assert_eq!(f.penalty_outstanding, m("92.50"));
    assert_eq!(f.overdue_amount, m("0"));
    // As of 5 Mar only the 1 Mar money counts: 5,000.00 overdue, 70.00 + 4 × 2.50 = 80.00.
    let f = evaluate(&c, &s, d("2026-03-05"));
    assert_eq!(f.overdue_amount, m("5000"));
    assert_eq!(f.penalty_accrued, m("80.00"));
}

#[test]
fn figures_are_a_pure_function_of_the_facts() {
    // Computing twice gives the same cents (DOMAIN §2).
    let s = with_grace(standard(), 3);
    let c = one_installment().paid("2026-03-01", "4000").build();
    assert_eq!(
        evaluate(&c, &s, d("2026-04-01")),
        evaluate(&c, &s, d("2026-04-01"))
    );
}

mod agrees_with_the_reference {
    //! The optimised `evaluate` against the first formulation (`ledger_reference`), to the
    //! cent, on random schedules, payments (out of order, pending, void), rate histories,
    //! grace days, waivers and both allocation orders.
    use super::super::ledger_reference;
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        d("2025-01-01") + chrono::TimeDelta::days(n)
    }

    fn rate(ten_thousandths: i64) -> Rate {
        Rate::new(rust_decimal::Decimal::new(ten_thousandths, 4))
    }

    prop_compose! {
        fn installments()(gaps in prop::collection::vec((0i64..45, 0i64..500_000, 0i64..50_000), 0..9))
            -> Vec<Installment> {
            let mut due = 0;
            gaps.into_iter().enumerate().map(|(k, (gap, p, i))| {
                due += gap;
                Installment { seq: k as u32 + 1, due: day(due), principal: Money::from_cents(p), interest: Money::from_cents(i) }
            }).collect()
        }
    }

    prop_compose! {
        fn payments()(list in prop::collection::vec((0i64..400, 1i64..900_000, 0u8..10), 0..9))
            -> Vec<Payment> {
            list.into_iter().enumerate().map(|(k, (on, amount, status))| Payment {
                id: format!("P{k}"),
                received_on: day(on),
                amount: Money::from_cents(amount),
                method: "transfer".into(),
                reference: String::new(),
                recorded_by: "li".into(),
                status: match status {
                    0 => PaymentStatus::Pending,
                    1 => PaymentStatus::Voided { on: day(on), by: "cw".into(), reason: "dup".into() },
                    _ => PaymentStatus::Confirmed { on: day(on), by: "cw".into() },
                },
            }).collect()
        }
    }

    fn history() -> impl Strategy<Value = Vec<RateEntry>> {
        prop::collection::vec((-30i64..400, 0i64..30), 0..3).prop_map(|entries| {
            let mut h = Vec::new();
            for (from, r) in entries {
                crate::domain::contract::set_rate(&mut h, day(from), rate(r));
            }
            h
        })
    }

    prop_compose! {
        fn book()(
            installments in installments(),
            payments in payments(),
            own_rates in history(),
            rates in history(),
            grace in 0u32..6,
            own_grace in prop::option::of(0u32..6),
            statutory in any::<bool>(),
            waivers in prop::collection::vec((0i64..400, 1i64..20_000), 0..3),
        ) -> (Contract, PenaltySettings) {
            let settings = PenaltySettings {
                rates,
                grace_days: grace,
                order: if statutory { AllocationOrder::Statutory } else { AllocationOrder::DueFirst },
            };
            let contract = Contract {
                no: "H1".into(),
                customer_id: "C1".into(),
                signed_on: day(0),
                model: "SY75C".into(),
                serial: "S1".into(),
                financed: Money::ZERO,
                installments,
                payments,
                own_rates,
                grace_days: own_grace,
                state: ContractState::Active,
                machine: MachineState::Normal,
                waivers: waivers.into_iter().enumerate().map(|(k, (on, amount))| WaiverGrant {
                    id: format!("W{k}"),
                    approved_on: day(on),
                    amount: Money::from_cents(amount),
                }).collect(),
            };
            (contract, settings)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn to_the_cent((contract, settings) in book(), as_of in -10i64..480) {
            let as_of = day(as_of);
            prop_assert_eq!(
                evaluate(&contract, &settings, as_of),
                ledger_reference::evaluate(&contract, &settings, as_of)
            );
        }
    }
}

/// What `settlement_blockers` says is owed, in the English of the refusal.
fn owed(f: &Figures) -> Option<String> {
    let text = settlement_blockers("H1", f)?.to_string();
    let owed = text
        .strip_prefix("contract H1: ")
        .and_then(|t| t.strip_suffix("; record a payment or apply for a waiver before settling"))
        .unwrap_or_else(|| panic!("the refusal is worded as before: {text}"));
    Some(owed.to_string())
}
