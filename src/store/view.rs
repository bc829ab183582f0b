//! Borrowed views of stored records, for the paths that read many of them (the accrual job,
//! the overdue list): the same bytes as `Contract` and `Ticket`, decoded without copying
//! their text into new `String`s. Decoding an owned contract costs one allocation per text
//! field — five per payment — and as many frees; a view costs one per list.
//!
//! The view types mirror the field order and types of the owned ones exactly (bincode is
//! positional); `tests::views_read_what_the_owned_types_wrote` checks every field.

use super::{Result, StoreError};
use crate::domain::{
    Channel, ContractState, Installment, LedgerFacts, MachineState, Money, PaymentFact,
    PaymentKind, Promise, RateEntry,
};
use chrono::NaiveDate;
use serde::Deserialize;

/// A stored record's key and bytes, shared with sled's cache (no copy).
pub struct Record {
    pub(super) key: sled::IVec,
    pub(super) value: sled::IVec,
}

impl Record {
    /// The record as a contract.
    pub fn contract(&self) -> Result<ContractRef<'_>> {
        decode_borrowed(&self.key, &self.value)
    }

    /// The record as a collection ticket.
    pub fn ticket(&self) -> Result<TicketRef<'_>> {
        decode_borrowed(&self.key, &self.value)
    }

    /// The record as a customer.
    pub fn customer(&self) -> Result<CustomerRef<'_>> {
        decode_borrowed(&self.key, &self.value)
    }
}

/// `domain::Customer`, borrowed.
#[derive(Debug, Deserialize)]
pub struct CustomerRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub id_number: &'a str,
    pub address: &'a str,
    pub branch: &'a str,
    pub collector: &'a str,
}

fn decode_borrowed<'a, T: Deserialize<'a>>(key: &[u8], bytes: &'a [u8]) -> Result<T> {
    bincode::serde::borrow_decode_from_slice(bytes, bincode::config::standard())
        .map(|(v, _)| v)
        .map_err(|e| StoreError::Decode {
            key: String::from_utf8_lossy(key).into_owned(),
            reason: e.to_string(),
        })
}

/// `domain::Contract`, borrowed.
#[derive(Debug, Deserialize)]
pub struct ContractRef<'a> {
    pub no: &'a str,
    pub customer_id: &'a str,
    #[serde(with = "crate::codec::date")]
    pub signed_on: NaiveDate,
    pub model: &'a str,
    pub serial: &'a str,
    pub financed: Money,
    pub installments: Vec<Installment>,
    #[serde(borrow)]
    pub payments: Vec<PaymentRef<'a>>,
    pub own_rates: Vec<RateEntry>,
    pub grace_days: Option<u32>,
    pub state: ContractState,
    pub machine: MachineState,
    #[serde(borrow)]
    pub waivers: Vec<WaiverGrantRef<'a>>,
}

impl ContractRef<'_> {
    pub fn is_open(&self) -> bool {
        matches!(self.state, ContractState::Active)
    }
}

/// `domain::Payment`, borrowed.
#[derive(Debug, Deserialize)]
pub struct PaymentRef<'a> {
    pub id: &'a str,
    #[serde(with = "crate::codec::date")]
    pub received_on: NaiveDate,
    pub amount: Money,
    pub method: &'a str,
    pub reference: &'a str,
    pub recorded_by: &'a str,
    #[serde(borrow)]
    pub status: PaymentStatusRef<'a>,
}

/// `domain::PaymentStatus`, borrowed (same variants, same order).
#[derive(Debug, Deserialize)]
pub enum PaymentStatusRef<'a> {
    Pending,
    Confirmed {
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
        by: &'a str,
    },
    Voided {
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
        by: &'a str,
        reason: &'a str,
    },
}

/// `domain::WaiverGrant`, borrowed.
#[derive(Debug, Deserialize)]
pub struct WaiverGrantRef<'a> {
    pub id: &'a str,
    #[serde(with = "crate::codec::date")]
    pub approved_on: NaiveDate,
    pub amount: Money,
}

impl PaymentRef<'_> {
    pub fn fact(&self) -> PaymentFact {
        PaymentFact {
            received_on: self.received_on,
            amount: self.amount,
            kind: match self.status {
                PaymentStatusRef::Pending => PaymentKind::Pending,
                PaymentStatusRef::Confirmed { .. } => PaymentKind::Confirmed,
                PaymentStatusRef::Voided { .. } => PaymentKind::Voided,
            },
        }
    }
}

impl LedgerFacts for ContractRef<'_> {
    fn contract_no(&self) -> &str {
        self.no
    }
    fn installments(&self) -> &[Installment] {
        &self.installments
    }
    fn own_rates(&self) -> &[RateEntry] {
        &self.own_rates
    }
    fn own_grace_days(&self) -> Option<u32> {
        self.grace_days
    }
    fn payment_facts(&self) -> impl Iterator<Item = PaymentFact> + Clone + '_ {
        self.payments.iter().map(PaymentRef::fact)
    }
    fn waiver_facts(&self) -> impl Iterator<Item = (NaiveDate, Money)> + '_ {
        self.waivers.iter().map(|w| (w.approved_on, w.amount))
    }
}

/// `domain::Ticket`, borrowed.
#[derive(Debug, Deserialize)]
pub struct TicketRef<'a> {
    pub contract_no: &'a str,
    #[serde(with = "crate::codec::date")]
    pub opened_on: NaiveDate,
    #[serde(with = "crate::codec::opt_date")]
    pub closed_on: Option<NaiveDate>,
    #[serde(borrow)]
    pub contacts: Vec<ContactRef<'a>>,
}

/// `domain::Contact`, borrowed.
#[derive(Debug, Deserialize)]
pub struct ContactRef<'a> {
    #[serde(with = "crate::codec::date")]
    pub on: NaiveDate,
    pub by: &'a str,
    pub channel: Channel,
    pub result: &'a str,
    pub note: &'a str,
    pub promise: Option<Promise>,
}

impl TicketRef<'_> {
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }

    /// The latest contact's date.
    pub fn last_contact(&self) -> Option<NaiveDate> {
        self.contacts.last().map(|c| c.on)
    }

    /// The latest promise to pay and the day it was made.
    pub fn latest_promise(&self) -> Option<(&Promise, NaiveDate)> {
        self.contacts
            .iter()
            .rev()
            .find_map(|c| c.promise.as_ref().map(|p| (p, c.on)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Contact, Contract, Payment, PaymentStatus, Rate, Ticket, WaiverGrant};
    use crate::store::encode;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn record(value: Vec<u8>) -> Record {
        Record {
            key: sled::IVec::from(&b"co/H1"[..]),
            value: sled::IVec::from(value),
        }
    }

    #[test]
    fn the_customer_view_reads_what_a_customer_wrote() {
        let c = crate::domain::Customer {
            id: "C1".into(),
            name: "张伟".into(),
            phone: "13800000001".into(),
            id_number: "340101".into(),
            address: "合肥市".into(),
            branch: "合肥".into(),
            collector: "wang".into(),
        };
        let r = record(encode(&c));
        let v = r.customer().unwrap();
        assert_eq!(
            [
                v.id,
                v.name,
                v.phone,
                v.id_number,
                v.address,
                v.branch,
                v.collector
            ],
            [
                "C1",
                "张伟",
                "13800000001",
                "340101",
                "合肥市",
                "合肥",
                "wang"
            ]
        );
    }

    #[test]
    fn views_read_what_the_owned_types_wrote() {
        let statuses = [
            PaymentStatus::Pending,
            PaymentStatus::Confirmed {
                on: d("2026-03-05"),
                by: "cw".into(),
            },
            PaymentStatus::Voided {
                on: d("2026-03-06"),
                by: "cw".into(),
                reason: "重复录入".into(),
            },
        ];
        let contract = Contract {
            no: "HF26000001".into(),
            customer_id: "C000001".into(),
            signed_on: d("2026-01-10"),
            model: "SY75C".into(),
            serial: "SY075C26100003".into(),
            financed: Money::from_cents(25_000_000),
            installments: vec![Installment {
                seq: 1,
                due: d("2026-02-10"),
                principal: Money::from_cents(1_000_000),
                interest: Money::from_cents(12_345),
            }],
            payments: statuses
                .iter()
                .enumerate()
                .map(|(k, status)| Payment {
                    id: format!("P{k}"),
                    received_on: d("2026-03-01"),
                    amount: Money::from_cents(1_000 + k as i64),
                    method: "transfer".into(),
                    reference: "2026030100001".into(),
                    recorded_by: "wangjun".into(),
                    status: status.clone(),
                })
                .collect(),
            own_rates: vec![RateEntry {
                from: d("2026-01-10"),
                daily: Rate::parse("0.0007").unwrap(),
            }],
            grace_days: Some(5),
            state: ContractState::Settled {
                on: d("2026-04-01"),
            },
            machine: MachineState::Locked,
            waivers: vec![WaiverGrant {
                id: "W1".into(),
                approved_on: d("2026-03-20"),
                amount: Money::from_cents(990),
            }],
        };
        let rec = record(encode(&contract));
        let view = rec.contract().unwrap();
        assert_eq!(view.no, contract.no);
        assert_eq!(view.customer_id, contract.customer_id);
        assert_eq!(view.signed_on, contract.signed_on);
        assert_eq!(view.model, contract.model);
        assert_eq!(view.serial, contract.serial);
        assert_eq!(view.financed, contract.financed);
        assert_eq!(view.installments, contract.installments);
        assert_eq!(view.own_rates, contract.own_rates);
        assert_eq!(view.grace_days, contract.grace_days);
        assert_eq!(view.state, contract.state);
        assert_eq!(view.machine, contract.machine);
        assert!(!view.is_open());
        assert_eq!(view.payments.len(), 3);
        for (p, owned) in view.payments.iter().zip(&contract.payments) {
            assert_eq!(p.fact(), PaymentFact::from(owned));
            assert_eq!(
                (p.id, p.method, p.reference, p.recorded_by),
                (
                    owned.id.as_str(),
                    owned.method.as_str(),
                    owned.reference.as_str(),
                    owned.recorded_by.as_str()
                )
            );
            match (&p.status, &owned.status) {
                (PaymentStatusRef::Pending, PaymentStatus::Pending) => {}
                (
                    PaymentStatusRef::Confirmed { on, by },
                    PaymentStatus::Confirmed { on: o, by: b },
                ) => {
                    assert_eq!((on, *by), (o, b.as_str()))
                }
                (
                    PaymentStatusRef::Voided { on, by, reason },
                    PaymentStatus::Voided {
                        on: o,
                        by: b,
                        reason: r,
                    },
                ) => assert_eq!((on, *by, *reason), (o, b.as_str(), r.as_str())),
                other => panic!("status read back differently: {other:?}"),
            }
        }
        let waivers: Vec<_> = view.waiver_facts().collect();
        assert_eq!(waivers, vec![(d("2026-03-20"), Money::from_cents(990))]);

        let ticket = Ticket {
            contract_no: "HF26000001".into(),
            opened_on: d("2026-02-11"),
            closed_on: Some(d("2026-04-01")),
            contacts: vec![
                Contact {
                    on: d("2026-02-15"),
                    by: "wangjun".into(),
                    channel: Channel::Visit,
                    result: "客户承诺月底还款".into(),
                    note: "设备在工地".into(),
                    promise: Some(Promise {
                        date: d("2026-02-28"),
                        amount: Money::from_cents(500_000),
                    }),
                },
                Contact {
                    on: d("2026-03-02"),
                    by: "wangjun".into(),
                    channel: Channel::Sms,
                    result: "已发送逾期提醒短信".into(),
                    note: String::new(),
                    promise: None,
                },
            ],
        };
        let rec = record(encode(&ticket));
        let view = rec.ticket().unwrap();
        assert_eq!(view.contract_no, ticket.contract_no);
        assert_eq!(view.opened_on, ticket.opened_on);
        assert_eq!(view.closed_on, ticket.closed_on);
        assert!(!view.is_open());
        assert_eq!(view.last_contact(), Some(d("2026-03-02")));
        let (promise, made_on) = view.latest_promise().unwrap();
        assert_eq!(promise, ticket.contacts[0].promise.as_ref().unwrap());
        assert_eq!(made_on, d("2026-02-15"));
        for (c, owned) in view.contacts.iter().zip(&ticket.contacts) {
            assert_eq!(
                (c.on, c.by, c.channel, c.result, c.note),
                (
                    owned.on,
                    owned.by.as_str(),
                    owned.channel,
                    owned.result.as_str(),
                    owned.note.as_str()
                )
            );
        }
    }
}
