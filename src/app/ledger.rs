//! Handlers of the ledger's mutations: customers, contracts and their schedules, payments
//! (record, confirm, void), penalty settings, contacts and promises, settlement (DOMAIN §1–3).

use super::NewContract;
use super::book::*;
use super::error::Result;
use super::outcome::Outcome;
use super::overdue::{self, TicketFacts};
use crate::domain::Refusal;
use crate::domain::{
    self, AllocationOrder, Channel, ContractState, Customer, Installment, MachineState, Money,
    Payment, PaymentStatus, Promise, Rate, Ticket, User, evaluate,
};
use crate::store::{EntryHeader, Reader, Txn};
use chrono::NaiveDate;

/// `Mutation::PutCustomer`.
pub(super) fn put_customer(txn: &mut Txn<'_>, customer: &Customer) -> Result<Outcome> {
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
    if let Some(before) = &before
        && before.branch != customer.branch
    {
        // The branches a customer has left: a branch site that held it hears of the move.
        let key = moved_key(&customer.id);
        let mut left: Vec<String> = txn.meta(&key)?.unwrap_or_default();
        if !left.contains(&before.branch) {
            left.push(before.branch.clone());
        }
        txn.set_meta(&key, Some(&left));
    }
    txn.put_customer(customer);
    refresh_customer_lines(txn, before.as_ref(), customer)?;
    Ok(Outcome::created(
        customer.id.clone(),
        format!("customer {} saved", customer.id),
    ))
}

/// The meta key of the branches customer `id` has left (`put_customer`).
pub fn moved_key(id: &str) -> String {
    format!("moved/{id}")
}

/// The branches customer `id` has been moved out of, oldest first.
pub fn branches_left(store: &crate::store::Store, id: &str) -> Result<Vec<String>> {
    Ok(store.meta(&moved_key(id))?.unwrap_or_default())
}

/// `Mutation::AddInstallments`.
pub(super) fn add_installments(
    txn: &mut Txn<'_>,
    contract: &str,
    installments: &[Installment],
) -> Result<Outcome> {
    let mut c = contract_for_change(txn, contract)?;
    for inst in installments {
        if c.installments.iter().any(|i| i.seq == inst.seq) {
            return Err(Refusal::InstallmentExists {
                contract: contract.to_string(),
                seq: inst.seq,
            }
            .into());
        }
        if inst.amount().is_negative()
            || inst.principal.is_negative()
            || inst.interest.is_negative()
        {
            return Err(Refusal::InstallmentNegative {
                contract: contract.to_string(),
                seq: inst.seq,
            }
            .into());
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

/// `Mutation::RecordPayment`.
#[allow(clippy::too_many_arguments)] // one argument per field of the mutation
pub(super) fn record_payment(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    contract: &str,
    received_on: &NaiveDate,
    amount: &Money,
    method: &str,
    reference: &str,
    confirmed: &bool,
) -> Result<Outcome> {
    let mut c = contract_for_change(txn, contract)?;
    let outcome = add_payment(
        txn,
        &mut c,
        &mut None,
        header,
        id,
        received_on,
        amount,
        method,
        reference,
        confirmed,
    )?;
    save_contract(txn, &c)?;
    Ok(outcome)
}

/// Many `Mutation::RecordPayment`s on one contract, in their order, each with its entry's
/// header: the contract is read and saved once, not once a payment (an import's part), so
/// recording n payments costs O(n), not O(n²). The projections are those of recording them
/// one by one. Any other mutation among them is refused.
pub(super) fn record_payments(
    txn: &mut Txn<'_>,
    contract: &str,
    payments: &[(&EntryHeader, &super::Mutation)],
) -> Result<Vec<Outcome>> {
    let mut c = contract_for_change(txn, contract)?;
    let mut outcomes = Vec::with_capacity(payments.len());
    // Whose collections the contract's confirmed payments count toward: read once for all.
    let mut owner = None;
    for (header, mutation) in payments {
        let super::Mutation::RecordPayment {
            id,
            contract: no,
            received_on,
            amount,
            method,
            reference,
            confirmed,
        } = mutation
        else {
            return Err(Refusal::NotInBatch.into());
        };
        if no != contract {
            return Err(Refusal::NotInBatch.into());
        }
        outcomes.push(add_payment(
            txn,
            &mut c,
            &mut owner,
            header,
            id,
            received_on,
            amount,
            method,
            reference,
            confirmed,
        )?);
    }
    save_contract(txn, &c)?;
    Ok(outcomes)
}

/// Checks a payment and adds it to `c` (the caller saves `c`). A confirmed payment is booked
/// to the budget of `owner`, the contract's branch and collector (read here when `None`).
#[allow(clippy::too_many_arguments)] // one argument per field of the mutation
fn add_payment(
    txn: &mut Txn<'_>,
    c: &mut domain::Contract,
    owner: &mut Option<super::budget_book::Owner>,
    header: &EntryHeader,
    id: &str,
    received_on: &NaiveDate,
    amount: &Money,
    method: &str,
    reference: &str,
    confirmed: &bool,
) -> Result<Outcome> {
    let today = header.business_date;
    let actor = header.actor.as_str();
    let contract = c.no.clone();
    if !amount.is_positive() {
        return Err(Refusal::PaymentNotPositive { amount: *amount }.into());
    }
    if *received_on > today {
        return Err(Refusal::ReceivedAfterToday {
            received_on: *received_on,
            today,
        }
        .into());
    }
    fresh_id("payment", id, txn.payment_contract(id)?.is_some())?;
    let status = if *confirmed {
        PaymentStatus::Confirmed {
            on: today,
            by: actor.to_string(),
        }
    } else {
        PaymentStatus::Pending
    };
    c.payments.push(Payment {
        id: id.to_string(),
        received_on: *received_on,
        amount: *amount,
        method: method.to_string(),
        reference: reference.to_string(),
        recorded_by: actor.to_string(),
        status,
    });
    txn.set_payment_contract(id, &contract);
    // A fresh id has no pending mark to clear: only a pending payment writes one (an import
    // of confirmed payments then writes a key less a row).
    if !confirmed {
        txn.set_pending(id, true);
    }
    let state = if *confirmed {
        let owner = match owner {
            Some(owner) => owner,
            None => owner.insert(super::budget_book::owner(txn, c)?),
        };
        let late = super::budget_book::book_payment(txn, header, owner, id, *received_on, *amount)?;
        format!("confirmed{late}")
    } else {
        "pending confirmation by finance".to_string()
    };
    Ok(Outcome::created(
        id.to_string(),
        format!("payment {id} of {amount} on {contract} recorded, {state}"),
    ))
}

/// `Mutation::ConfirmPayment`.
pub(super) fn confirm_payment(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
) -> Result<Outcome> {
    let today = header.business_date;
    let actor = header.actor.as_str();
    let (mut c, index) = payment_for_change(txn, id)?;
    if !c.payments[index].is_pending() {
        return Err(Refusal::PaymentNotPending {
            id: id.to_string(),
            state: payment_state_name(&c.payments[index].status).to_string(),
        }
        .into());
    }
    c.payments[index].status = PaymentStatus::Confirmed {
        on: today,
        by: actor.to_string(),
    };
    txn.set_pending(id, false);
    let customer = save_contract(txn, &c)?;
    let (received_on, amount) = (c.payments[index].received_on, c.payments[index].amount);
    let owner = match customer {
        Some(customer) => super::budget_book::Owner::of(&c, customer),
        None => super::budget_book::owner(txn, &c)?,
    };
    let late = super::budget_book::book_payment(txn, header, &owner, id, received_on, amount)?;
    Ok(Outcome::done(format!(
        "payment {id} confirmed; it counts from {received_on}{late}"
    )))
}

/// `Mutation::VoidPayment`.
pub(super) fn void_payment(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    reason: &str,
) -> Result<Outcome> {
    let today = header.business_date;
    let actor = header.actor.as_str();
    required("reason", reason)?;
    let (mut c, index) = payment_for_change(txn, id)?;
    if matches!(c.payments[index].status, PaymentStatus::Voided { .. }) {
        return Err(Refusal::PaymentVoid { id: id.to_string() }.into());
    }
    c.payments[index].status = PaymentStatus::Voided {
        on: today,
        by: actor.to_string(),
        reason: reason.to_string(),
    };
    txn.set_pending(id, false);
    save_contract(txn, &c)?;
    super::budget_book::unbook_payment(txn, header, id, &c.no)?;
    Ok(Outcome::done(format!("payment {id} voided")))
}

/// `Mutation::SetRate`: a contract's own rate, or the global one.
pub(super) fn set_rate(
    txn: &mut Txn<'_>,
    contract: &Option<String>,
    from: &NaiveDate,
    daily: &Rate,
) -> Result<Outcome> {
    match contract {
        Some(no) => {
            let mut c = contract_for_change(txn, no)?;
            domain::contract::set_rate(&mut c.own_rates, *from, *daily);
            save_contract(txn, &c)?;
            Ok(Outcome::done(format!(
                "contract {no}: daily penalty rate {daily} from {from}"
            )))
        }
        None => {
            let mut settings = txn.settings()?;
            domain::contract::set_rate(&mut settings.rates, *from, *daily);
            replace_settings(txn, &settings)?;
            Ok(Outcome::done(format!(
                "global daily penalty rate {daily} from {from}"
            )))
        }
    }
}

/// `Mutation::SetGrace`: a contract's own grace days, or the global setting.
pub(super) fn set_grace(
    txn: &mut Txn<'_>,
    contract: &Option<String>,
    days: &u32,
) -> Result<Outcome> {
    grace_days_allowed(*days)?;
    match contract {
        Some(no) => {
            let mut c = contract_for_change(txn, no)?;
            c.grace_days = Some(*days);
            save_contract(txn, &c)?;
            Ok(Outcome::done(format!("contract {no}: {days} grace days")))
        }
        None => {
            let mut settings = txn.settings()?;
            settings.grace_days = *days;
            replace_settings(txn, &settings)?;
            Ok(Outcome::done(format!("global grace days: {days}")))
        }
    }
}

/// `Mutation::SetAllocationOrder`.
pub(super) fn set_allocation_order(txn: &mut Txn<'_>, order: &AllocationOrder) -> Result<Outcome> {
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

/// `Mutation::AddContact`.
pub(super) fn add_contact(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    contract: &str,
    channel: &Channel,
    result: &str,
    note: &str,
    promise: &Option<Promise>,
) -> Result<Outcome> {
    let today = header.business_date;
    let actor = header.actor.as_str();
    let c = contract_for_change(txn, contract)?;
    required("result", result)?;
    if let Some(Promise { date, amount }) = promise {
        if !amount.is_positive() {
            return Err(Refusal::PromiseNotPositive { amount: *amount }.into());
        }
        if *date < today {
            return Err(Refusal::PromiseInPast { date: *date, today }.into());
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
        result: result.to_string(),
        note: note.to_string(),
        promise: promise.clone(),
    });
    txn.put_ticket(&ticket);
    if let Some(through) = accrual_date_of(txn, &c.no)? {
        let settings = txn.settings()?;
        let figures = evaluate(&c, &settings, through);
        let customer = txn.customer(&c.customer_id)?;
        let entry = customer
            .and_then(|cu| overdue::entry(&c, &figures, TicketFacts::of(Some(&ticket)), &cu));
        put_line(txn, &c, &settings, &figures, figures.penalty_accrued, entry)?;
    }
    Ok(Outcome::done(format!("contact on {contract} logged")))
}

/// `Mutation::Settle`.
pub(super) fn settle(txn: &mut Txn<'_>, header: &EntryHeader, contract: &str) -> Result<Outcome> {
    let today = header.business_date;
    let mut c = contract_for_change(txn, contract)?;
    let pending = c.pending_total();
    if pending.is_positive() {
        return Err(Refusal::PaymentsPending {
            contract: contract.to_string(),
            pending,
        }
        .into());
    }
    let settings = txn.settings()?;
    let figures = evaluate(&c, &settings, today);
    if let Some(why) = domain::settlement_blockers(contract, &figures) {
        return Err(why.into());
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

pub(super) fn add_contract(txn: &mut Txn<'_>, new: &NewContract) -> Result<Outcome> {
    add_contract_in_state(txn, new, ContractState::Active)
}
