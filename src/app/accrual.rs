//! Penalty accrual (DOMAIN §2) in parts: the handler of `Accrue`/`AccruePart`, and the
//! evaluation of one contract it shares with the benchmark's read-only pass.

use super::error::Result;
use super::outcome::{AccrualCounts, Outcome};
use super::overdue::{self, OverdueEntry, TicketFacts};
use crate::domain::Refusal;
use crate::domain::{ContractState, Money, PenaltySettings, Ticket, evaluate};
use crate::store::{AccrualRun, OverdueLine, Reader, Record, Store, Txn};
use chrono::NaiveDate;

/// One part of an accrual run (DOMAIN §2: idempotent, catches up): advances the cached
/// penalty of the contracts numbered after `after` through `upto` to `through`, opens a
/// collection ticket for every one of them overdue on that date and refreshes their lines of
/// the overdue list. The part that reaches the last contract (`upto: None`) moves the accrual
/// date; the others record how far the run has come (`AccrualRun`), and the overdue list is
/// not complete for any date until the run is finished. `Accrue` is a run of one part.
///
/// Only contracts that become overdue, were paid since the last accrual date or have a line to
/// revisit need evaluating: the lines of the others carry themselves to the new date when read
/// (`overdue::line_as_of`).
pub(super) fn accrue_part(
    txn: &mut Txn<'_>,
    through: NaiveDate,
    after: Option<&str>,
    upto: Option<&str>,
) -> Result<Outcome> {
    let previous = txn.accrued_through()?;
    let run = txn.accrual_run()?;
    match (&run, after) {
        (None, None) => {
            if let Some(previous) = previous
                && through <= previous
            {
                return Ok(Outcome::nothing(format!(
                    "penalty is already accrued through {previous}"
                )));
            }
        }
        (Some(run), Some(after)) if run.through == through && run.done == after => {}
        (Some(run), _) => {
            return Err(Refusal::AccrualUnfinished {
                through: run.through,
                done: run.done.clone(),
            }
            .into());
        }
        (None, Some(_)) => {
            return Err(Refusal::NoAccrualRun.into());
        }
    }
    if let (Some(after), Some(upto)) = (after, upto)
        && upto <= after
    {
        return Err(Refusal::AccrualPartBackwards {
            after: after.to_string(),
            upto: upto.to_string(),
        }
        .into());
    }
    let settings = txn.settings()?;
    let store = txn.store();
    let mut counts = AccrualCounts::default();
    let in_part = |no: &str| after.is_none_or(|a| no > a) && upto.is_none_or(|u| no <= u);
    match previous {
        Some(previous) => {
            for no in store.accrual_candidates(previous, through)? {
                if in_part(&no)
                    && let Some(record) = store.contract_record(&no)?
                {
                    let accrued = accrue_contract(store, &settings, through, &record)?;
                    write_accrued(txn, accrued, false, &mut counts)?;
                }
            }
        }
        None => {
            for record in store.contract_records_between(after, upto) {
                let accrued = accrue_contract(store, &settings, through, &record?)?;
                // Nothing was accrued before: no contract has a cache or a line to remove.
                write_accrued(txn, accrued, true, &mut counts)?;
            }
        }
    }
    match upto {
        None => {
            txn.set_accrued_through(through);
            txn.set_overdue_through(Some(through));
            if run.is_some() {
                txn.set_accrual_run(None);
            }
        }
        Some(upto) => {
            txn.set_accrual_run(Some(&AccrualRun {
                through,
                done: upto.to_string(),
            }));
            if run.is_none() {
                txn.set_overdue_through(None);
            }
        }
    }
    let since = previous.map_or("the start".to_string(), |p| p.to_string());
    Ok(Outcome::accrued(counts, &since, through))
}

/// Writes what accruing one contract gave; `fresh`: it had no cache or line to remove.
pub(super) fn write_accrued(
    txn: &mut Txn<'_>,
    accrued: Accrued,
    fresh: bool,
    counts: &mut AccrualCounts,
) -> Result<()> {
    counts.recomputed += 1;
    if let Some(ticket) = &accrued.open_ticket {
        txn.put_ticket(ticket);
        counts.opened += 1;
    }
    txn.put_accrual(
        &accrued.contract_no,
        &accrued.customer_id,
        accrued.penalty_accrued,
        accrued.line.as_ref(),
        fresh,
    )?;
    Ok(())
}

/// What accruing one contract through a date writes.
pub(super) struct Accrued {
    pub contract_no: String,
    pub customer_id: String,
    pub penalty_accrued: Money,
    /// A ticket to open: the contract is overdue and has no open ticket.
    pub open_ticket: Option<Ticket>,
    /// Its line of the overdue list, if it is overdue.
    pub line: Option<OverdueLine<OverdueEntry>>,
}

/// Accrues one contract record through `through`, reading committed state only. A closed
/// contract's penalty is frozen at its closing day and it is not overdue. Shared by `Accrue`
/// and the benchmark's read-only pass.
pub(super) fn accrue_contract(
    store: &Store,
    settings: &PenaltySettings,
    through: NaiveDate,
    record: &Record,
) -> Result<Accrued> {
    let contract = record.contract()?;
    let mut accrued = Accrued {
        contract_no: contract.no.to_string(),
        customer_id: contract.customer_id.to_string(),
        penalty_accrued: Money::ZERO,
        open_ticket: None,
        line: None,
    };
    if let ContractState::Settled { on } | ContractState::Repossessed { on } = contract.state {
        accrued.penalty_accrued = evaluate(&contract, settings, on).penalty_accrued;
        return Ok(accrued);
    }
    let figures = evaluate(&contract, settings, through);
    accrued.penalty_accrued = figures.penalty_accrued;
    if let Some(due) = figures.oldest_unpaid_due {
        let ticket_record = store.ticket_record(contract.no)?;
        let ticket = ticket_record.as_ref().map(Record::ticket).transpose()?;
        let customer = store.customer(contract.customer_id)?;
        let line = |facts: TicketFacts<'_>| {
            let entry = overdue::entry(&contract, &figures, facts, customer.as_ref()?)?;
            Some(overdue::line(&contract, settings, &figures, entry))
        };
        if ticket.as_ref().is_some_and(|t| t.is_open()) {
            accrued.line = line(TicketFacts::of_ref(ticket.as_ref()));
        } else {
            let went_overdue = due.succ_opt().expect("date in range");
            let fresh = Ticket::open(contract.no, went_overdue);
            accrued.line = line(TicketFacts::of(Some(&fresh)));
            accrued.open_ticket = Some(fresh);
        }
    }
    Ok(accrued)
}
