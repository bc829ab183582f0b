//! The overdue list (逾期客户) as a projection.
//!
//! An `OverdueEntry` per contract overdue as of the accrual date (`Reader::accrued_through`),
//! kept in the same transaction as everything else: by `Accrue` for every contract it
//! recomputes, by every contract change (`apply::save_contract`) and by every contact logged.
//! `App::overdue` as of that date — the daily case — reads the entries instead of decoding and
//! evaluating every overdue contract; for any other date it computes the same entries on the
//! spot with the same function, `entry`.

use crate::domain::{
    Contract, Figures, LedgerFacts, MachineState, Money, Promise, PromiseState, Ticket,
    promise_state_of,
};
use crate::store::{ContractRef, TicketRef};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One contract of the overdue list, without its customer's details (joined when listed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OverdueEntry {
    pub contract_no: String,
    pub customer_id: String,
    pub model: String,
    pub serial: String,
    pub days_overdue: i64,
    pub overdue_amount: Money,
    pub penalty_outstanding: Money,
    pub pending_payments: Money,
    #[serde(with = "crate::codec::opt_date")]
    pub last_contact: Option<NaiveDate>,
    pub promise: Option<PromiseState>,
    pub machine: MachineState,
}

/// What the overdue list reads of a contract besides its ledger facts.
pub(crate) trait ContractInfo: LedgerFacts {
    fn customer_id(&self) -> &str;
    fn model(&self) -> &str;
    fn serial(&self) -> &str;
    fn machine(&self) -> MachineState;
    fn open(&self) -> bool;
}

impl ContractInfo for Contract {
    fn customer_id(&self) -> &str {
        &self.customer_id
    }
    fn model(&self) -> &str {
        &self.model
    }
    fn serial(&self) -> &str {
        &self.serial
    }
    fn machine(&self) -> MachineState {
        self.machine
    }
    fn open(&self) -> bool {
        self.is_open()
    }
}

impl ContractInfo for ContractRef<'_> {
    fn customer_id(&self) -> &str {
        self.customer_id
    }
    fn model(&self) -> &str {
        self.model
    }
    fn serial(&self) -> &str {
        self.serial
    }
    fn machine(&self) -> MachineState {
        self.machine
    }
    fn open(&self) -> bool {
        self.is_open()
    }
}

/// What the overdue list reads of a collection ticket.
#[derive(Clone, Copy, Default)]
pub(crate) struct TicketFacts<'a> {
    pub last_contact: Option<NaiveDate>,
    /// The latest promise and the day it was made.
    pub promise: Option<(&'a Promise, NaiveDate)>,
}

impl<'a> TicketFacts<'a> {
    pub fn of(ticket: Option<&'a Ticket>) -> TicketFacts<'a> {
        ticket.map_or_else(TicketFacts::default, |t| TicketFacts {
            last_contact: t.last_contact().map(|c| c.on),
            promise: t
                .contacts
                .iter()
                .rev()
                .find_map(|c| c.promise.as_ref().map(|p| (p, c.on))),
        })
    }

    pub fn of_ref(ticket: Option<&'a TicketRef<'a>>) -> TicketFacts<'a> {
        ticket.map_or_else(TicketFacts::default, |t| TicketFacts {
            last_contact: t.last_contact(),
            promise: t.latest_promise(),
        })
    }
}

/// The contract's line of the overdue list as of `figures.as_of`, if it is on it: open, and
/// with money overdue.
pub(crate) fn entry<C: ContractInfo + ?Sized>(
    contract: &C,
    figures: &Figures,
    ticket: TicketFacts<'_>,
) -> Option<OverdueEntry> {
    if !contract.open() || figures.days_overdue <= 0 {
        return None;
    }
    Some(OverdueEntry {
        contract_no: contract.contract_no().to_string(),
        customer_id: contract.customer_id().to_string(),
        model: contract.model().to_string(),
        serial: contract.serial().to_string(),
        days_overdue: figures.days_overdue,
        overdue_amount: figures.overdue_amount,
        penalty_outstanding: figures.penalty_outstanding,
        pending_payments: contract.pending_facts_total(),
        last_contact: ticket.last_contact,
        promise: ticket.promise.map(|(promise, made_on)| {
            promise_state_of(promise, made_on, contract.payment_facts(), figures.as_of)
        }),
        machine: contract.machine(),
    })
}
