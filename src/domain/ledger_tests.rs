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
