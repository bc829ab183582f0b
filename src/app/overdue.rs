//! The overdue list (逾期客户) as a projection.
//!
//! An `OverdueEntry` per contract overdue as of the accrual date (`Reader::accrued_through`),
//! kept in the same transaction as everything else: by `Accrue` for every contract it
//! recomputes, by every contract change (`apply::save_contract`), by every contact logged and
//! by every change of the customer (`apply::refresh_customer_lines`). `App::overdue` as of that
//! date — the daily case — reads the entries alone, the customer's details included, instead of
//! decoding and evaluating every overdue contract; for any other date it computes the same
//! entries on the spot with the same function, `entry`.
//!
//! The store keeps each entry in an `OverdueLine`, as of the day it was written, with the
//! contract's accrued penalty and its `PenaltyFacts`: with them a line is carried to any later
//! day before its `revisit` day (`line_as_of`) without reading the contract. So the daily
//! `Accrue` rewrites only the lines whose revisit day has come and those of contracts that
//! changed or became overdue: it advances the accrual date, and the lines follow when read.

use crate::domain::{
    Advanced, Contract, Customer, Figures, LedgerFacts, MachineState, Money, PenaltyFacts,
    PenaltySettings, Promise, PromiseState, Ticket, promise_state_of,
};
use crate::store::{ContractRef, OverdueLine, TicketRef};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One contract of the overdue list, with its customer's details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OverdueEntry {
    pub contract_no: String,
    pub customer_id: String,
    pub customer: String,
    pub phone: String,
    pub branch: String,
    pub collector: String,
    pub model: String,
    pub serial: String,
    pub days_overdue: i64,
    pub overdue_amount: Money,
    pub penalty_outstanding: Money,
    pub pending_payments: Money,
    #[serde(with = "crate::codec::opt_date")]
    pub last_contact: Option<NaiveDate>,
    pub promise: Option<PromiseState>,
    /// The date of the latest promise: a promise due turns broken the day after it.
    #[serde(with = "crate::codec::opt_date")]
    pub promise_date: Option<NaiveDate>,
    pub machine: MachineState,
    /// Whether the contract has an open collection ticket.
    pub ticket_open: bool,
}

impl OverdueEntry {
    /// Takes the customer's details (name, phone, branch, collector).
    pub fn set_customer(&mut self, customer: &Customer) {
        self.customer.clone_from(&customer.name);
        self.phone.clone_from(&customer.phone);
        self.branch.clone_from(&customer.branch);
        self.collector.clone_from(&customer.collector);
    }

    /// The entry as of `through`, with figures `PenaltyFacts::advance` carried there: nothing
    /// was received since, so a promise changes only from due to broken.
    pub fn advanced(mut self, figures: &Advanced, through: NaiveDate) -> OverdueEntry {
        self.days_overdue = figures.days_overdue;
        self.overdue_amount = figures.overdue_amount;
        self.penalty_outstanding = figures.penalty_outstanding;
        if self.promise == Some(PromiseState::Due)
            && self.promise_date.is_some_and(|date| through > date)
        {
            self.promise = Some(PromiseState::Broken);
        }
        self
    }
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
    pub open: bool,
    pub last_contact: Option<NaiveDate>,
    /// The latest promise and the day it was made.
    pub promise: Option<(&'a Promise, NaiveDate)>,
}

impl<'a> TicketFacts<'a> {
    pub fn of(ticket: Option<&'a Ticket>) -> TicketFacts<'a> {
        ticket.map_or_else(TicketFacts::default, |t| TicketFacts {
            open: t.closed_on.is_none(),
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
            open: t.is_open(),
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
    customer: &Customer,
) -> Option<OverdueEntry> {
    if !contract.open() || figures.days_overdue <= 0 {
        return None;
    }
    Some(line_of(contract, Owed::of(figures), ticket, customer))
}

/// What a contract owes as of a day, as a line shows it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Owed {
    pub as_of: NaiveDate,
    pub days_overdue: i64,
    pub overdue_amount: Money,
    pub penalty_outstanding: Money,
}

impl Owed {
    pub fn of(figures: &Figures) -> Owed {
        Owed {
            as_of: figures.as_of,
            days_overdue: figures.days_overdue,
            overdue_amount: figures.overdue_amount,
            penalty_outstanding: figures.penalty_outstanding,
        }
    }

    /// Nothing owed (a contract closed, a draft).
    pub fn nothing(as_of: NaiveDate) -> Owed {
        Owed {
            as_of,
            days_overdue: 0,
            overdue_amount: Money::ZERO,
            penalty_outstanding: Money::ZERO,
        }
    }
}

/// A contract's line as the lists show it, whatever its state (the overdue list takes only
/// the overdue ones: `entry`; the dashboard's other views take any: `views.rs`).
pub(crate) fn line_of<C: ContractInfo + ?Sized>(
    contract: &C,
    owed: Owed,
    ticket: TicketFacts<'_>,
    customer: &Customer,
) -> OverdueEntry {
    OverdueEntry {
        contract_no: contract.contract_no().to_string(),
        customer_id: contract.customer_id().to_string(),
        customer: customer.name.clone(),
        phone: customer.phone.clone(),
        branch: customer.branch.clone(),
        collector: customer.collector.clone(),
        model: contract.model().to_string(),
        serial: contract.serial().to_string(),
        days_overdue: owed.days_overdue,
        overdue_amount: owed.overdue_amount,
        penalty_outstanding: owed.penalty_outstanding,
        pending_payments: contract.pending_facts_total(),
        last_contact: ticket.last_contact,
        promise: ticket.promise.map(|(promise, made_on)| {
            promise_state_of(promise, made_on, contract.payment_facts(), owed.as_of)
        }),
        promise_date: ticket.promise.map(|(promise, _)| promise.date),
        machine: contract.machine(),
        ticket_open: ticket.open,
    }
}

/// The stored line of `entry`, as of `figures.as_of`, with the contract's penalty facts. A line
/// without an open ticket is revisited the next day (the accrual opens one).
pub(crate) fn line<C: ContractInfo + ?Sized>(
    contract: &C,
    settings: &PenaltySettings,
    figures: &Figures,
    entry: OverdueEntry,
) -> OverdueLine<OverdueEntry> {
    let facts = PenaltyFacts::of(contract, settings, figures);
    let revisit = if entry.ticket_open {
        facts.revisit(figures.as_of)
    } else {
        figures.as_of.succ_opt()
    };
    OverdueLine {
        as_of: figures.as_of,
        revisit,
        accrued: figures.penalty_accrued,
        facts,
        entry,
    }
}

/// A stored line carried to `day` (on or after its `as_of`): the entry and the penalty
/// accrued through `day`; `None` from its revisit day on (evaluate the contract instead).
pub(crate) fn line_as_of(
    line: OverdueLine<OverdueEntry>,
    settings: &PenaltySettings,
    day: NaiveDate,
) -> Option<(OverdueEntry, Money)> {
    if day == line.as_of {
        return Some((line.entry, line.accrued));
    }
    if line.revisit.is_some_and(|revisit| day >= revisit) {
        return None;
    }
    let figures = line
        .facts
        .advance(settings, line.as_of, line.accrued, day)?;
    Some((line.entry.advanced(&figures, day), figures.penalty_accrued))
}
