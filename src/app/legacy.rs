//! The journal of schema 2 and its rewrite into schema 3's (run once, by `App::open`).
//!
//! Schema 2 minted ids while applying, from counters that replay advanced in journal order:
//! payments (`P`) on `RecordPayment`, applications (`A`) on every submission (`Apply`,
//! `ApplyWaiver`, `SubmitOrder`, `DraftContract`), orders (`O`) on `CreateOrder`. Its
//! entries are read here as they were written (`LegacyMutation`, the landed enum, never to
//! change), given the ids they got by counting the same way, and written anew as `Mutation`s
//! under their local order, a part at a time. A count that disagrees with the old counters
//! stops the migration with the book untouched past the last part.

use super::SessionEvent;
use super::mutation::{Mutation, NewContract};
use crate::domain::approval::{DocumentType, Rule};
use crate::domain::outbound::Machine;
use crate::domain::{AllocationOrder, Channel, Customer, Installment, Money, Promise, Rate, Role};
use chrono::NaiveDate;
use serde::Deserialize;

/// Schema 2's `Mutation`, byte for byte (variant order and fields): only ever decoded.
#[derive(Deserialize)]
pub(super) enum LegacyMutation {
    PutCustomer(Customer),
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
    Settle {
        contract: String,
    },

    AddUser {
        name: String,
        display: String,
        roles: Vec<Role>,
        branch: Option<String>,
    },
    DisableUser {
        name: String,
    },
    SetRoles {
        name: String,
        roles: Vec<Role>,
    },
    AddKey {
        user: String,
        key: String,
        fingerprint: String,
    },
    RemoveKey {
        user: String,
        fingerprint: String,
    },
    Session {
        user: String,
        event: SessionEvent,
        peer: String,
    },
    SetRules {
        rules: Vec<Rule>,
    },

    Apply {
        document: DocumentType,
        contract: String,
        reason: String,
        location: String,
    },
    Approve {
        id: String,
        comment: String,
    },
    Reject {
        id: String,
        comment: String,
    },
    Resubmit {
        id: String,
        reason: Option<String>,
        location: Option<String>,
        amount: Option<Money>,
    },
    Withdraw {
        id: String,
    },
    RegisterTow {
        id: String,
        crew: Vec<String>,
        #[serde(with = "crate::codec::date")]
        planned_on: NaiveDate,
        location: String,
        note: String,
    },
    CompleteTow {
        id: String,
        #[serde(with = "crate::codec::date")]
        towed_on: NaiveDate,
        yard: String,
        condition: String,
        cost: Money,
    },
    FailTow {
        id: String,
        reason: String,
    },
    Execute {
        id: String,
        command_status: Option<i32>,
    },
    MarkRead {
        ids: Vec<String>,
    },
    AddMachine(Machine),
    PutAccessory {
        code: String,
        name: String,
        unit: String,
        quantity: u32,
    },
    DraftContract(NewContract),
    CreateOrder {
        contract: String,
    },
    Pick {
        order: String,
        serial: String,
    },
    AddAccessory {
        order: String,
        code: String,
        quantity: u32,
        extra: bool,
    },
    SubmitOrder {
        order: String,
    },
    Ship {
        order: String,
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
        carrier: String,
        note: String,
    },
    SwapMachine {
        order: String,
        serial: String,
        reason: String,
    },
    CancelOrder {
        order: String,
        reason: String,
    },
    RecordDelivery {
        id: String,
        delivered: bool,
        error: String,
        at: i64,
    },
    AccruePart {
        #[serde(with = "crate::codec::date")]
        through: NaiveDate,
        after: Option<String>,
        upto: Option<String>,
    },
}

/// How many ids of each kind schema 2 had minted so far, in journal order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Minted {
    pub payment: u64,
    pub application: u64,
    pub order: u64,
}

impl Minted {
    fn payment(&mut self) -> String {
        self.payment += 1;
        format!("P{}", self.payment)
    }
    fn application(&mut self) -> String {
        self.application += 1;
        format!("A{}", self.application)
    }
    fn order(&mut self) -> String {
        self.order += 1;
        format!("O{}", self.order)
    }
}

impl LegacyMutation {
    /// The entry as schema 3 journals it, with the id schema 2 gave it when it was applied.
    pub(super) fn into_current(self, minted: &mut Minted) -> Mutation {
        use LegacyMutation as L;
        use Mutation as M;
        match self {
            L::RecordPayment {
                contract,
                received_on,
                amount,
                method,
                reference,
                confirmed,
            } => M::RecordPayment {
                id: minted.payment(),
                contract,
                received_on,
                amount,
                method,
                reference,
                confirmed,
            },
            L::ApplyWaiver {
                contract,
                amount,
                reason,
            } => M::ApplyWaiver {
                id: minted.application(),
                contract,
                amount,
                reason,
            },
            L::Apply {
                document,
                contract,
                reason,
                location,
            } => M::Apply {
                id: minted.application(),
                document,
                contract,
                reason,
                location,
            },
            L::DraftContract(contract) => M::DraftContract {
                application: minted.application(),
                contract,
            },
            L::CreateOrder { contract } => M::CreateOrder {
                id: minted.order(),
                contract,
            },
            L::SubmitOrder { order } => M::SubmitOrder {
                order,
                application: minted.application(),
            },
            L::PutCustomer(x) => M::PutCustomer(x),
            L::AddContract(x) => M::AddContract(x),
            L::AddInstallments {
                contract,
                installments,
            } => M::AddInstallments {
                contract,
                installments,
            },
            L::ConfirmPayment { id } => M::ConfirmPayment { id },
            L::VoidPayment { id, reason } => M::VoidPayment { id, reason },
            L::SetRate {
                contract,
                from,
                daily,
            } => M::SetRate {
                contract,
                from,
                daily,
            },
            L::SetGrace { contract, days } => M::SetGrace { contract, days },
            L::SetAllocationOrder { order } => M::SetAllocationOrder { order },
            L::Accrue { through } => M::Accrue { through },
            L::AddContact {
                contract,
                channel,
                result,
                note,
                promise,
            } => M::AddContact {
                contract,
                channel,
                result,
                note,
                promise,
            },
            L::Settle { contract } => M::Settle { contract },
            L::AddUser {
                name,
                display,
                roles,
                branch,
            } => M::AddUser {
                name,
                display,
                roles,
                branch,
            },
            L::DisableUser { name } => M::DisableUser { name },
            L::SetRoles { name, roles } => M::SetRoles { name, roles },
            L::AddKey {
                user,
                key,
                fingerprint,
            } => M::AddKey {
                user,
                key,
                fingerprint,
            },
            L::RemoveKey { user, fingerprint } => M::RemoveKey { user, fingerprint },
            L::Session { user, event, peer } => M::Session { user, event, peer },
            L::SetRules { rules } => M::SetRules { rules },
            L::Approve { id, comment } => M::Approve { id, comment },
            L::Reject { id, comment } => M::Reject { id, comment },
            L::Resubmit {
                id,
                reason,
                location,
                amount,
            } => M::Resubmit {
                id,
                reason,
                location,
                amount,
            },
            L::Withdraw { id } => M::Withdraw { id },
            L::RegisterTow {
                id,
                crew,
                planned_on,
                location,
                note,
            } => M::RegisterTow {
                id,
                crew,
                planned_on,
                location,
                note,
            },
            L::CompleteTow {
                id,
                towed_on,
                yard,
                condition,
                cost,
            } => M::CompleteTow {
                id,
                towed_on,
                yard,
                condition,
                cost,
            },
            L::FailTow { id, reason } => M::FailTow { id, reason },
            L::Execute { id, command_status } => M::Execute { id, command_status },
            L::MarkRead { ids } => M::MarkRead { ids },
            L::AddMachine(x) => M::AddMachine(x),
            L::PutAccessory {
                code,
                name,
                unit,
                quantity,
            } => M::PutAccessory {
                code,
                name,
                unit,
                quantity,
            },
            L::Pick { order, serial } => M::Pick { order, serial },
            L::AddAccessory {
                order,
                code,
                quantity,
                extra,
            } => M::AddAccessory {
                order,
                code,
                quantity,
                extra,
            },
            L::Ship {
                order,
                on,
                carrier,
                note,
            } => M::Ship {
                order,
                on,
                carrier,
                note,
            },
            L::SwapMachine {
                order,
                serial,
                reason,
            } => M::SwapMachine {
                order,
                serial,
                reason,
            },
            L::CancelOrder { order, reason } => M::CancelOrder { order, reason },
            L::RecordDelivery {
                id,
                delivered,
                error,
                at,
            } => M::RecordDelivery {
                id,
                delivered,
                error,
                at,
            },
            L::AccruePart {
                through,
                after,
                upto,
            } => M::AccruePart {
                through,
                after,
                upto,
            },
        }
    }
}
