//! Contracts, installment schedules, payments, rate histories and the penalty settings.
//!
//! Owns the shapes of the ledger's facts (what a clerk would find in the contract file).
//! Computation over them lives in `ledger.rs`; storage encoding in `store::codec`.

use super::money::{Money, Rate};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One numbered installment of a repayment schedule (还款计划).
/// The most grace days (宽限期) a contract or the global setting may have: a year. One limit
/// for every path that sets them (the app checks it; front ends may check early with it).
pub const MAX_GRACE_DAYS: u32 = 365;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installment {
    pub seq: u32,
    #[serde(with = "crate::codec::date")]
    pub due: NaiveDate,
    pub principal: Money,
    pub interest: Money,
}

impl Installment {
    pub fn amount(&self) -> Money {
        self.principal + self.interest
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentStatus {
    /// Recorded by a collector, not yet confirmed by finance: shown as pending, counts for nothing.
    Pending,
    /// Confirmed (收款确认): counts from `received_on`, not from the confirmation date.
    Confirmed {
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
        by: String,
    },
    Voided {
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
        by: String,
        reason: String,
    },
}

/// Money received (收款).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: String,
    #[serde(with = "crate::codec::date")]
    pub received_on: NaiveDate,
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub recorded_by: String,
    pub status: PaymentStatus,
}

impl Payment {
    pub fn is_confirmed(&self) -> bool {
        matches!(self.status, PaymentStatus::Confirmed { .. })
    }
    pub fn is_pending(&self) -> bool {
        matches!(self.status, PaymentStatus::Pending)
    }
}

/// A daily rate in force from a date on, until the next entry of the same history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateEntry {
    #[serde(with = "crate::codec::date")]
    pub from: NaiveDate,
    pub daily: Rate,
}

/// Inserts or replaces the entry for `from`, keeping the history sorted by date.
pub fn set_rate(history: &mut Vec<RateEntry>, from: NaiveDate, daily: Rate) {
    match history.binary_search_by_key(&from, |e| e.from) {
        Ok(i) => history[i].daily = daily,
        Err(i) => history.insert(i, RateEntry { from, daily }),
    }
}

/// The rate of a history in force on `day`, if any entry has started by then.
pub fn rate_in(history: &[RateEntry], day: NaiveDate) -> Option<Rate> {
    let idx = history.partition_point(|e| e.from <= day);
    idx.checked_sub(1).map(|i| history[i].daily)
}

/// The rate in force on `day` for a contract with its own history `own`: its own if it has one
/// by then, else the global one of `settings`, else zero.
pub fn rate_in_force(own: &[RateEntry], settings: &PenaltySettings, day: NaiveDate) -> Rate {
    rate_in(own, day)
        .or_else(|| rate_in(&settings.rates, day))
        .unwrap_or(Rate::ZERO)
}

/// The first day after `day` on which the rate in force may change: the next entry of the own
/// or the global history.
pub fn next_rate_change(
    own: &[RateEntry],
    settings: &PenaltySettings,
    day: NaiveDate,
) -> Option<NaiveDate> {
    [own, &settings.rates[..]]
        .into_iter()
        .filter_map(|history| history.get(history.partition_point(|r| r.from <= day)))
        .map(|r| r.from)
        .min()
}

/// The order in which a payment is applied (DOMAIN §2). Data, not flags: one function
/// (`ledger::evaluate`) reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllocationOrder {
    /// Money due on or before the received date (oldest installment first, interest before
    /// principal), then the penalty outstanding, then installments not yet due.
    #[default]
    DueFirst,
    /// PRC Civil Code art. 561: costs, then interest (contract interest, then penalty),
    /// then principal; then installments not yet due.
    Statutory,
}

impl AllocationOrder {
    pub fn name(self) -> &'static str {
        match self {
            AllocationOrder::DueFirst => "default",
            AllocationOrder::Statutory => "statutory",
        }
    }
    pub fn parse(text: &str) -> Option<AllocationOrder> {
        match text.trim() {
            "default" | "due-first" => Some(AllocationOrder::DueFirst),
            "statutory" | "civil-code" => Some(AllocationOrder::Statutory),
            _ => None,
        }
    }
}

/// The book-wide penalty settings an admin keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltySettings {
    pub rates: Vec<RateEntry>,
    pub grace_days: u32,
    pub order: AllocationOrder,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractState {
    Draft,
    Active,
    Settled {
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
    },
    Repossessed {
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
    },
}

impl ContractState {
    pub fn name(&self) -> &'static str {
        match self {
            ContractState::Draft => "draft",
            ContractState::Active => "active",
            ContractState::Settled { .. } => "settled",
            ContractState::Repossessed { .. } => "repossessed",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MachineState {
    #[default]
    Normal,
    Locked,
    Towed,
}

impl MachineState {
    pub fn name(self) -> &'static str {
        match self {
            MachineState::Normal => "normal",
            MachineState::Locked => "locked",
            MachineState::Towed => "towed",
        }
    }
}

/// An approved interest waiver as the ledger counts it: from its approval date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverGrant {
    pub id: String,
    #[serde(with = "crate::codec::date")]
    pub approved_on: NaiveDate,
    pub amount: Money,
}

/// A contract (合同) with everything the penalty and allocation rules read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub no: String,
    pub customer_id: String,
    #[serde(with = "crate::codec::date")]
    pub signed_on: NaiveDate,
    pub model: String,
    pub serial: String,
    pub financed: Money,
    pub installments: Vec<Installment>,
    /// In the order they were recorded.
    pub payments: Vec<Payment>,
    pub own_rates: Vec<RateEntry>,
    pub grace_days: Option<u32>,
    pub state: ContractState,
    pub machine: MachineState,
    pub waivers: Vec<WaiverGrant>,
}

impl Contract {
    pub fn grace(&self, settings: &PenaltySettings) -> u32 {
        LedgerFacts::grace(self, settings)
    }

    /// The rate in force on `day`: the contract's own if it has one by then, else the global one.
    pub fn rate_on(&self, settings: &PenaltySettings, day: NaiveDate) -> Rate {
        LedgerFacts::rate_on(self, settings, day)
    }

    pub fn pending_total(&self) -> Money {
        self.payments
            .iter()
            .filter(|p| p.is_pending())
            .map(|p| p.amount)
            .sum()
    }

    pub fn schedule_total(&self) -> Money {
        self.installments.iter().map(Installment::amount).sum()
    }

    pub fn is_open(&self) -> bool {
        matches!(self.state, ContractState::Active)
    }

    /// The day a settled or repossessed contract closed; `None` while it is open.
    pub fn closed_on(&self) -> Option<NaiveDate> {
        match self.state {
            ContractState::Settled { on } | ContractState::Repossessed { on } => Some(on),
            ContractState::Draft | ContractState::Active => None,
        }
    }
}

/// How a payment stands, without who recorded or decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentKind {
    Pending,
    Confirmed,
    Voided,
}

/// What the ledger reads of a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentFact {
    pub received_on: NaiveDate,
    pub amount: Money,
    pub kind: PaymentKind,
}

impl From<&Payment> for PaymentFact {
    fn from(p: &Payment) -> PaymentFact {
        PaymentFact {
            received_on: p.received_on,
            amount: p.amount,
            kind: match p.status {
                PaymentStatus::Pending => PaymentKind::Pending,
                PaymentStatus::Confirmed { .. } => PaymentKind::Confirmed,
                PaymentStatus::Voided { .. } => PaymentKind::Voided,
            },
        }
    }
}

/// The facts of a contract the ledger rules read (DOMAIN §1–2), wherever they are kept: an
/// owned `Contract`, or a view the store borrows from a record's bytes without copying its
/// text. `ledger::evaluate` and `ticket::promise_state` take any of them.
pub trait LedgerFacts {
    fn contract_no(&self) -> &str;
    /// In due order.
    fn installments(&self) -> &[Installment];
    fn own_rates(&self) -> &[RateEntry];
    fn own_grace_days(&self) -> Option<u32>;
    /// Every payment, in the order recorded.
    fn payment_facts(&self) -> impl Iterator<Item = PaymentFact> + Clone + '_;
    /// Approved waivers: (approval date, amount).
    fn waiver_facts(&self) -> impl Iterator<Item = (NaiveDate, Money)> + '_;

    fn grace(&self, settings: &PenaltySettings) -> u32 {
        self.own_grace_days().unwrap_or(settings.grace_days)
    }

    /// The rate in force on `day`: the contract's own if it has one by then, else the global one.
    fn rate_on(&self, settings: &PenaltySettings, day: NaiveDate) -> Rate {
        rate_in_force(self.own_rates(), settings, day)
    }

    /// Money recorded but not yet confirmed.
    fn pending_facts_total(&self) -> Money {
        self.payment_facts()
            .filter(|p| p.kind == PaymentKind::Pending)
            .map(|p| p.amount)
            .sum()
    }
}

impl LedgerFacts for Contract {
    fn contract_no(&self) -> &str {
        &self.no
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
        self.payments.iter().map(PaymentFact::from)
    }
    fn waiver_facts(&self) -> impl Iterator<Item = (NaiveDate, Money)> + '_ {
        self.waivers.iter().map(|w| (w.approved_on, w.amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn rate_histories_pick_the_entry_in_force() {
        let mut h = Vec::new();
        set_rate(&mut h, d("2026-03-01"), Rate::parse("0.0007").unwrap());
        set_rate(&mut h, d("2026-01-01"), Rate::parse("0.0005").unwrap());
        assert_eq!(rate_in(&h, d("2025-12-31")), None);
        assert_eq!(
            rate_in(&h, d("2026-01-01")),
            Some(Rate::parse("0.0005").unwrap())
        );
        assert_eq!(
            rate_in(&h, d("2026-02-28")),
            Some(Rate::parse("0.0005").unwrap())
        );
        assert_eq!(
            rate_in(&h, d("2026-03-01")),
            Some(Rate::parse("0.0007").unwrap())
        );
        set_rate(&mut h, d("2026-03-01"), Rate::parse("0.0006").unwrap());
        assert_eq!(h.len(), 2);
        assert_eq!(
            rate_in(&h, d("2027-01-01")),
            Some(Rate::parse("0.0006").unwrap())
        );
    }
}
