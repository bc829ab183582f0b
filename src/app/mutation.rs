//! Named mutations: the only way the book changes, and the unit of the journal.
//!
//! A mutation carries everything needed to apply it; applying never reads the clock or any
//! random state (the business date and actor come from the journal entry's header), so a
//! replay of the journal rebuilds identical projections.

use crate::domain::{AllocationOrder, Channel, Customer, Installment, Money, Promise, Rate};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContract {
    pub no: String,
    pub customer_id: String,
    #[serde(with = "crate::codec::date")]
    pub signed_on: NaiveDate,
    pub model: String,
    pub serial: String,
    pub financed: Money,
    /// The contract's own daily rate from `signed_on`; `None`: the global rate applies.
    pub penalty_rate: Option<Rate>,
    /// The contract's own grace days; `None`: the global setting applies.
    pub grace_days: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mutation {
    /// Adds a customer, or updates the one with the same id.
    PutCustomer(Customer),
    /// Adds an approved contract (imported from the dealer's contract system).
    AddContract(NewContract),
    AddInstallments {
        contract: String,
        installments: Vec<Installment>,
    },
    RecordPayment {
        contract: String,
        #[serde(with = "crate::codec::date")]
        received_on: NaiveDate,
        amount: Money,
        method: String,
        reference: String,
        /// Imported as already confirmed by finance.
        confirmed: bool,
    },
    ConfirmPayment {
        id: String,
    },
    VoidPayment {
        id: String,
        reason: String,
    },
    SetRate {
        contract: Option<String>,
        #[serde(with = "crate::codec::date")]
        from: NaiveDate,
        daily: Rate,
    },
    SetGrace {
        contract: Option<String>,
        days: u32,
    },
    SetAllocationOrder {
        order: AllocationOrder,
    },
    Accrue {
        #[serde(with = "crate::codec::date")]
        through: NaiveDate,
    },
    AddContact {
        contract: String,
        channel: Channel,
        result: String,
        note: String,
        promise: Option<Promise>,
    },
    ApplyWaiver {
        contract: String,
        amount: Money,
        reason: String,
    },
    ApproveWaiver {
        id: String,
    },
    RejectWaiver {
        id: String,
        reason: String,
    },
    Settle {
        contract: String,
    },
}

impl Mutation {
    /// The permission name a refusal quotes.
    pub fn permission(&self) -> &'static str {
        match self {
            Mutation::PutCustomer(_) => "customer.import",
            Mutation::AddContract(_) | Mutation::AddInstallments { .. } => "contract.import",
            Mutation::RecordPayment {
                confirmed: true, ..
            } => "payment.import",
            Mutation::RecordPayment { .. } => "payment.record",
            Mutation::ConfirmPayment { .. } => "payment.confirm",
            Mutation::VoidPayment { .. } => "payment.void",
            Mutation::SetRate { .. } => "settings.rate",
            Mutation::SetGrace { .. } => "settings.grace",
            Mutation::SetAllocationOrder { .. } => "settings.allocation",
            Mutation::Accrue { .. } => "penalty.accrue",
            Mutation::AddContact { .. } => "ticket.contact",
            Mutation::ApplyWaiver { .. } => "waiver.apply",
            Mutation::ApproveWaiver { .. } | Mutation::RejectWaiver { .. } => "waiver.decide",
            Mutation::Settle { .. } => "contract.settle",
        }
    }

    /// Mutations that read across the whole book; they run alone, never inside a batch.
    pub fn reads_whole_book(&self) -> bool {
        matches!(
            self,
            Mutation::Accrue { .. }
                | Mutation::SetRate { contract: None, .. }
                | Mutation::SetGrace { contract: None, .. }
                | Mutation::SetAllocationOrder { .. }
        )
    }
}
