//! Collection tickets (催收单): contact log, promises to pay and their state (DOMAIN §3).

use super::contract::{Payment, PaymentFact, PaymentKind};
use super::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Call,
    Visit,
    Sms,
    Wechat,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Call, Channel::Visit, Channel::Sms, Channel::Wechat];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Visit => "visit",
            Channel::Sms => "sms",
            Channel::Wechat => "wechat",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL
            .into_iter()
            .find(|c| c.name() == text.trim().to_lowercase())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    #[serde(with = "crate::codec::date")]
    pub date: NaiveDate,
    pub amount: Money,
}

/// One entry of the contact log (催收记录).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(with = "crate::codec::date")]
    pub on: NaiveDate,
    pub by: String,
    pub channel: Channel,
    pub result: String,
    pub note: String,
    pub promise: Option<Promise>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PromiseState {
    /// Money received between the promise and its date covers it.
    Kept,
    /// Not yet covered, its date not yet passed.
    Due,
    /// Not covered, and its date has passed: flagged the day after the date.
    Broken,
}

impl PromiseState {
    pub fn name(self) -> &'static str {
        match self {
            PromiseState::Kept => "kept",
            PromiseState::Due => "due",
            PromiseState::Broken => "broken",
        }
    }
}

/// The state of a promise made on `made_on`, as of `as_of`. Money recorded (pending or
/// confirmed, not voided) received from the day it was made through its date counts.
pub fn promise_state(
    promise: &Promise,
    made_on: NaiveDate,
    payments: &[Payment],
    as_of: NaiveDate,
) -> PromiseState {
    promise_state_of(
        promise,
        made_on,
        payments.iter().map(PaymentFact::from),
        as_of,
    )
}

/// `promise_state` over the payment facts of any `LedgerFacts`.
pub fn promise_state_of(
    promise: &Promise,
    made_on: NaiveDate,
    payments: impl Iterator<Item = PaymentFact>,
    as_of: NaiveDate,
) -> PromiseState {
    let paid: Money = payments
        .filter(|p| p.kind != PaymentKind::Voided)
        .filter(|p| {
            p.received_on >= made_on && p.received_on <= promise.date && p.received_on <= as_of
        })
        .map(|p| p.amount)
        .sum();
    if paid >= promise.amount {
        PromiseState::Kept
    } else if as_of > promise.date {
        PromiseState::Broken
    } else {
        PromiseState::Due
    }
}

/// One collection ticket per overdue contract, assigned to the customer's collector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub contract_no: String,
    #[serde(with = "crate::codec::date")]
    pub opened_on: NaiveDate,
    #[serde(with = "crate::codec::opt_date")]
    pub closed_on: Option<NaiveDate>,
    pub contacts: Vec<Contact>,
}

impl Ticket {
    pub fn open(contract_no: &str, on: NaiveDate) -> Ticket {
        Ticket {
            contract_no: contract_no.to_string(),
            opened_on: on,
            closed_on: None,
            contacts: Vec::new(),
        }
    }

    pub fn last_contact(&self) -> Option<&Contact> {
        self.contacts.last()
    }

    /// The latest promise and its state as of a date.
    pub fn latest_promise(
        &self,
        payments: &[Payment],
        as_of: NaiveDate,
    ) -> Option<(Promise, PromiseState)> {
        self.contacts.iter().rev().find_map(|c| {
            c.promise
                .as_ref()
                .map(|p| (p.clone(), promise_state(p, c.on, payments, as_of)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contract::PaymentStatus;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pay(on: &str, amount: &str, status: PaymentStatus) -> Payment {
        Payment {
            id: "P1".into(),
            received_on: d(on),
            amount: Money::parse(amount).unwrap(),
            method: "cash".into(),
            reference: String::new(),
            recorded_by: "li".into(),
            status,
        }
    }

    #[test]
    fn a_broken_promise_is_flagged_the_day_after_its_date() {
        let promise = Promise {
            date: d("2026-03-10"),
            amount: Money::parse("1000").unwrap(),
        };
        let made = d("2026-03-01");
        assert_eq!(
            promise_state(&promise, made, &[], d("2026-03-10")),
            PromiseState::Due
        );
        assert_eq!(
            promise_state(&promise, made, &[], d("2026-03-11")),
            PromiseState::Broken
        );
        // 600 + 400 received in the window keeps it; a voided payment does not count.
        let payments = vec![
            pay("2026-03-05", "600", PaymentStatus::Pending),
            pay(
                "2026-03-09",
                "400",
                PaymentStatus::Confirmed {
                    on: d("2026-03-12"),
                    by: "cw".into(),
                },
            ),
            pay(
                "2026-03-09",
                "5000",
                PaymentStatus::Voided {
                    on: d("2026-03-09"),
                    by: "cw".into(),
                    reason: "dup".into(),
                },
            ),
        ];
        assert_eq!(
            promise_state(&promise, made, &payments, d("2026-03-20")),
            PromiseState::Kept
        );
        // Money received before the promise was made, or after its date, does not keep it.
        let late = vec![
            pay("2026-02-28", "1000", PaymentStatus::Pending),
            pay("2026-03-11", "1000", PaymentStatus::Pending),
        ];
        assert_eq!(
            promise_state(&promise, made, &late, d("2026-03-20")),
            PromiseState::Broken
        );
    }
}
