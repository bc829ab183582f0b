//! Applying a mutation to the projections: validation against current state, then writes.
//!
//! Reads only the transaction and the entry header (actor, business date): never the clock,
//! never random state. Live execution and journal replay both come through `apply`.

use super::overdue::{self, ContractInfo, OverdueEntry, TicketFacts};
use super::{AccrualCounts, AppError, Mutation, NewContract, Outcome, Result};
use crate::domain::ledger::{Standing, standing};
use crate::domain::{
    self, Contract, ContractState, Customer, Figures, MachineState, Money, Payment, PaymentStatus,
    PenaltySettings, Promise, RateEntry, Ticket, User, evaluate,
};
use crate::store::{AccrualRun, EntryHeader, OverdueLine, Reader, Record, Store, Txn};
use chrono::NaiveDate;

pub(super) fn apply(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    mutation: &Mutation,
) -> Result<Outcome> {
    let today = header.business_date;
    let actor = header.actor.as_str();
    match mutation {
        Mutation::PutCustomer(customer) => {
            for (field, value) in [
                ("customer_id", &customer.id),
                ("name", &customer.name),
                ("branch", &customer.branch),
                ("collector", &customer.collector),
            ] {
                required(field, value)?;
            }
            if txn.user(&customer.collector)?.is_none() {
                txn.put_user(&User {
                    name: customer.collector.clone(),
                    display: customer.collector.clone(),
                    roles: vec![domain::Role::Collector],
                    branch: Some(customer.branch.clone()),
                    disabled: false,
                });
            }
            let before = txn.customer(&customer.id)?;
            txn.put_customer(customer);
            refresh_customer_lines(txn, before.as_ref(), customer)?;
            Ok(Outcome::created(
                customer.id.clone(),
                format!("customer {} saved", customer.id),
            ))
        }
        Mutation::AddContract(new) => add_contract(txn, new),
        Mutation::AddInstallments {
            contract,
            installments,
        } => {
            let mut c = contract_for_change(txn, contract)?;
            for inst in installments {
                if c.installments.iter().any(|i| i.seq == inst.seq) {
                    return Err(AppError::Refused(format!(
                        "contract {contract}: installment {} already exists",
                        inst.seq
                    )));
                }
                if inst.amount().is_negative()
                    || inst.principal.is_negative()
                    || inst.interest.is_negative()
                {
                    return Err(AppError::Invalid(format!(
                        "contract {contract}: installment {} is negative",
                        inst.seq
                    )));
                }
                c.installments.push(inst.clone());
            }
            c.installments.sort_by_key(|i| (i.due, i.seq));
            save_contract(txn, &c)?;
            Ok(Outcome::done(format!(
                "contract {contract}: {} installments added",
                installments.len()
            )))
        }
        Mutation::RecordPayment {
            contract,
            received_on,
            amount,
            method,
            reference,
            confirmed,
        } => {
            let mut c = contract_for_change(txn, contract)?;
            if !amount.is_positive() {
                return Err(AppError::Invalid(format!(
                    "payment amount {amount} must be more than 0"
                )));
            }
            if *received_on > today {
                return Err(AppError::Invalid(format!(
                    "received-on {received_on} is after today ({today}); record money when it has arrived"
                )));
            }
            let id = format!("P{}", txn.next_counter("payment")?);
            let status = if *confirmed {
                PaymentStatus::Confirmed {
                    on: today,
                    by: actor.to_string(),
                }
            } else {
                PaymentStatus::Pending
            };
            c.payments.push(Payment {
                id: id.clone(),
                received_on: *received_on,
                amount: *amount,
                method: method.clone(),
                reference: reference.clone(),
                recorded_by: actor.to_string(),
                status,
            });
            txn.set_payment_contract(&id, contract);
            txn.set_pending(&id, !confirmed);
            save_contract(txn, &c)?;
            let state = if *confirmed {
                "confirmed"
            } else {
                "pending confirmation by finance"
            };
            Ok(Outcome::created(
                id.clone(),
                format!("payment {id} of {amount} on {contract} recorded, {state}"),
            ))
        }
        Mutation::ConfirmPayment { id } => {
            let (mut c, index) = payment_for_change(txn, id)?;
            if !c.payments[index].is_pending() {
                return Err(AppError::Refused(format!(
                    "payment {id} is {}; only pending payments can be confirmed",
                    payment_state_name(&c.payments[index].status)
                )));
            }
            c.payments[index].status = PaymentStatus::Confirmed {
                on: today,
                by: actor.to_string(),
            };
            txn.set_pending(id, false);
            save_contract(txn, &c)?;
            Ok(Outcome::done(format!(
                "payment {id} confirmed; it counts from {}",
                c.payments[index].received_on
            )))
        }
        Mutation::VoidPayment { id, reason } => {
            required("reason", reason)?;
            let (mut c, index) = payment_for_change(txn, id)?;
            if matches!(c.payments[index].status, PaymentStatus::Voided { .. }) {
                return Err(AppError::Refused(format!("payment {id} is already void")));
            }
            c.payments[index].status = PaymentStatus::Voided {
                on: today,
                by: actor.to_string(),
                reason: reason.clone(),
            };
            txn.set_pending(id, false);
            save_contract(txn, &c)?;
            Ok(Outcome::done(format!("payment {id} voided")))
        }
        Mutation::SetRate {
            contract: Some(no),
            from,
            daily,
        } => {
            let mut c = contract_for_change(txn, no)?;
            domain::contract::set_rate(&mut c.own_rates, *from, *daily);
            save_contract(txn, &c)?;
            Ok(Outcome::done(format!(
                "contract {no}: daily penalty rate {daily} from {from}"
            )))
        }
        Mutation::SetRate {
            contract: None,
            from,
            daily,
        } => {
            let mut settings = txn.settings()?;
            domain::contract::set_rate(&mut settings.rates, *from, *daily);
            replace_settings(txn, &settings)?;
            Ok(Outcome::done(format!(
                "global daily penalty rate {daily} from {from}"
            )))
        }
        Mutation::SetGrace {
            contract: Some(no),
            days,
        } => {
            let mut c = contract_for_change(txn, no)?;
            c.grace_days = Some(*days);
            save_contract(txn, &c)?;
            Ok(Outcome::done(format!("contract {no}: {days} grace days")))
        }
        Mutation::SetGrace {
            contract: None,
            days,
        } => {
            let mut settings = txn.settings()?;
            settings.grace_days = *days;
            replace_settings(txn, &settings)?;
            Ok(Outcome::done(format!("global grace days: {days}")))
        }
        Mutation::SetAllocationOrder { order } => {
            let mut settings = txn.settings()?;
            if settings.order == *order {
                return Ok(Outcome::nothing(format!(
                    "allocation order is already {}",
                    order.name()
                )));
            }
            settings.order = *order;
            replace_settings(txn, &settings)?;
            Ok(Outcome::done(format!("allocation order: {}", order.name())))
        }
        Mutation::Accrue { through } => accrue_part(txn, *through, None, None),
        Mutation::AccruePart {
            through,
            after,
            upto,
        } => accrue_part(txn, *through, after.as_deref(), upto.as_deref()),
        Mutation::AddContact {
            contract,
            channel,
            result,
            note,
            promise,
        } => {
            let c = contract_for_change(txn, contract)?;
            required("result", result)?;
            if let Some(Promise { date, amount }) = promise {
                if !amount.is_positive() {
                    return Err(AppError::Invalid(format!(
                        "promise amount {amount} must be more than 0"
                    )));
                }
                if *date < today {
                    return Err(AppError::Invalid(format!(
                        "promise date {date} is before today ({today}); a promise is for today or later"
                    )));
                }
            }
            let mut ticket = match txn.ticket(contract)? {
                Some(t) if t.closed_on.is_none() => t,
                _ => Ticket::open(&c.no, today),
            };
            ticket.contacts.push(domain::Contact {
                on: today,
                by: actor.to_string(),
                channel: *channel,
                result: result.clone(),
                note: note.clone(),
                promise: promise.clone(),
            });
            txn.put_ticket(&ticket);
            if let Some(through) = accrual_date_of(txn, &c.no)? {
                let settings = txn.settings()?;
                let figures = evaluate(&c, &settings, through);
                let customer = txn.customer(&c.customer_id)?;
                let entry = customer.and_then(|cu| {
                    overdue::entry(&c, &figures, TicketFacts::of(Some(&ticket)), &cu)
                });
                put_line(txn, &c, &settings, &figures, figures.penalty_accrued, entry)?;
            }
            Ok(Outcome::done(format!("contact on {contract} logged")))
        }
        Mutation::Settle { contract } => {
            let mut c = contract_for_change(txn, contract)?;
            let pending = c.pending_total();
            if pending.is_positive() {
                return Err(AppError::Refused(format!(
                    "contract {contract}: {pending} of payments wait for confirmation; confirm or void them before settling"
                )));
            }
            let settings = txn.settings()?;
            let figures = evaluate(&c, &settings, today);
            if let Some(why) = domain::settlement_blockers(&figures) {
                return Err(AppError::Refused(format!(
                    "contract {contract}: {why}; record a payment or apply for a waiver before settling"
                )));
            }
            c.state = ContractState::Settled { on: today };
            if let Some(mut ticket) = txn.ticket(contract)? {
                ticket.closed_on.get_or_insert(today);
                txn.put_ticket(&ticket);
            }
            save_contract(txn, &c)?;
            let unlock = if c.machine == MachineState::Locked {
                "; the machine is locked: unlock it"
            } else {
                ""
            };
            Ok(Outcome::done(format!(
                "contract {contract} settled{unlock}"
            )))
        }
        _ => super::workflow::apply(txn, header, mutation),
    }
}

/// Refuses an empty (or blank) required field, naming it.
pub(super) fn required(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(AppError::Invalid(format!("{field} is required")))
    } else {
        Ok(())
    }
}

fn payment_state_name(status: &PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Pending => "pending",
        PaymentStatus::Confirmed { .. } => "confirmed",
        PaymentStatus::Voided { .. } => "void",
    }
}

fn add_contract(txn: &mut Txn<'_>, new: &NewContract) -> Result<Outcome> {
    add_contract_in_state(txn, new, ContractState::Active)
}

/// Adds a contract: `Active` when imported (approved already), `Draft` when created here.
pub(super) fn add_contract_in_state(
    txn: &mut Txn<'_>,
    new: &NewContract,
    state: ContractState,
) -> Result<Outcome> {
    required("contract_no", &new.no)?;
    if txn.contract(&new.no)?.is_some() {
        return Err(AppError::Refused(format!(
            "contract {} already exists",
            new.no
        )));
    }
    if txn.customer(&new.customer_id)?.is_none() {
        return Err(AppError::NotFound(format!(
            "customer {} of contract {} does not exist; import the customer first",
            new.customer_id, new.no
        )));
    }
    let contract = Contract {
        no: new.no.clone(),
        customer_id: new.customer_id.clone(),
        signed_on: new.signed_on,
        model: new.model.clone(),
        serial: new.serial.clone(),
        financed: new.financed,
        installments: Vec::new(),
        payments: Vec::new(),
        own_rates: new
            .penalty_rate
            .map(|daily| {
                vec![RateEntry {
                    from: new.signed_on,
                    daily,
                }]
            })
            .unwrap_or_default(),
        grace_days: new.grace_days,
        state,
        machine: MachineState::Normal,
        waivers: Vec::new(),
    };
    save_contract(txn, &contract)?;
    Ok(Outcome::created(
        new.no.clone(),
        format!("contract {} added", new.no),
    ))
}

/// A contract that may still change: it exists and is neither settled nor repossessed.
fn contract_for_change(txn: &Txn<'_>, no: &str) -> Result<Contract> {
    let c = txn.contract(no)?.ok_or_else(|| {
        AppError::NotFound(format!("contract {no} does not exist; check the number"))
    })?;
    match c.state {
        ContractState::Active => Ok(c),
        ref state => Err(AppError::Refused(format!(
            "contract {no} is {}; it takes no more changes",
            state.name()
        ))),
    }
}

fn payment_for_change(txn: &Txn<'_>, id: &str) -> Result<(Contract, usize)> {
    let no = txn
        .payment_contract(id)?
        .ok_or_else(|| AppError::NotFound(format!("payment {id} does not exist; check the id")))?;
    let c = contract_for_change(txn, &no)?;
    let index = c
        .payments
        .iter()
        .position(|p| p.id == id)
        .expect("payment index points at its contract");
    Ok((c, index))
}

/// The date a contract's cached penalty and overdue line are as of: the accrual date, or the
/// date of an unfinished accrual run that has reached the contract. `None` before any accrual.
pub(super) fn accrual_date_of<R: Reader + ?Sized>(
    reader: &R,
    contract_no: &str,
) -> Result<Option<NaiveDate>> {
    if let Some(run) = reader.accrual_run()?
        && contract_no <= run.done.as_str()
    {
        return Ok(Some(run.through));
    }
    Ok(reader.accrued_through()?)
}

/// Writes a contract with its indexes and, when the accrual cache is in use, its cached
/// penalty and overdue line as of the cache's date.
pub(super) fn save_contract(txn: &mut Txn<'_>, contract: &Contract) -> Result<()> {
    let settings = txn.settings()?;
    let standing: Standing = standing(contract, &settings);
    txn.put_contract(contract, standing)?;
    if let Some(through) = accrual_date_of(txn, &contract.no)? {
        let figures = evaluate(contract, &settings, through);
        // A closed contract's cached penalty is frozen at its closing day.
        let accrued = match contract.closed_on() {
            Some(day) => evaluate(contract, &settings, day).penalty_accrued,
            None => figures.penalty_accrued,
        };
        let entry = match txn.customer(&contract.customer_id)? {
            Some(customer) if figures.days_overdue > 0 && contract.is_open() => {
                let ticket = txn.ticket(&contract.no)?;
                overdue::entry(
                    contract,
                    &figures,
                    TicketFacts::of(ticket.as_ref()),
                    &customer,
                )
            }
            _ => None,
        };
        put_line(txn, contract, &settings, &figures, accrued, entry)?;
    }
    Ok(())
}

/// Caches a contract's accrued penalty with its line of the overdue list (its penalty facts
/// taken from the same figures), or without one.
fn put_line<C: ContractInfo + ?Sized>(
    txn: &mut Txn<'_>,
    contract: &C,
    settings: &PenaltySettings,
    figures: &Figures,
    accrued: Money,
    entry: Option<OverdueEntry>,
) -> Result<()> {
    let line = entry.map(|entry| overdue::line(contract, settings, figures, entry));
    txn.put_accrual(
        contract.contract_no(),
        contract.customer_id(),
        accrued,
        line.as_ref(),
        false,
    )?;
    Ok(())
}

/// A customer's details changed (name, phone, branch, collector): their lines of the
/// overdue list carry them, so they change too.
fn refresh_customer_lines(
    txn: &mut Txn<'_>,
    before: Option<&Customer>,
    customer: &Customer,
) -> Result<()> {
    fn shown(c: &Customer) -> [&str; 4] {
        [&c.name, &c.phone, &c.branch, &c.collector]
    }
    // A new customer has no contracts yet; an unchanged one shows the same.
    if before.is_none_or(|b| shown(b) == shown(customer)) {
        return Ok(());
    }
    for no in txn.overdue_contracts_of(&customer.id)? {
        if let Some(mut line) = txn.overdue_line::<OverdueEntry>(&no)? {
            line.entry.set_customer(customer);
            txn.put_overdue_line(&no, &line);
        }
    }
    Ok(())
}

/// Changes the book-wide settings, then re-derives every contract's indexes and cache.
fn replace_settings(txn: &mut Txn<'_>, settings: &PenaltySettings) -> Result<()> {
    txn.set_settings(settings);
    let store = txn.store();
    for contract in store.contracts() {
        save_contract(txn, &contract?)?;
    }
    Ok(())
}

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
fn accrue_part(
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
            return Err(AppError::Refused(format!(
                "the accrual through {} stopped after contract {}; run accrue to finish it first",
                run.through, run.done
            )));
        }
        (None, Some(_)) => {
            return Err(AppError::Refused(
                "no accrual run is unfinished; a run starts from the first contract".into(),
            ));
        }
    }
    if let (Some(after), Some(upto)) = (after, upto)
        && upto <= after
    {
        return Err(AppError::Invalid(format!(
            "an accrual part must end after it starts ({after} … {upto})"
        )));
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
fn write_accrued(
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
