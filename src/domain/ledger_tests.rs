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
