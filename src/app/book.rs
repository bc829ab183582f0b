//! Helpers beneath the handlers for the book's records: required fields, contracts and
//! payments that may still change, saving a contract with its indexes and its line of the
//! overdue list, book-wide settings. Must not touch: the journal, permissions.

use super::NewContract;
use super::error::Result;
use super::outcome::Outcome;
use super::overdue::{self, ContractInfo, OverdueEntry, TicketFacts};
use crate::domain::ledger::{Standing, standing};
use crate::domain::refusal::{Refusal, Thing};
use crate::domain::{
    Contract, ContractState, Customer, Figures, MachineState, Money, PaymentStatus,
    PenaltySettings, RateEntry, User, evaluate,
};
use crate::store::{Reader, Txn};
use chrono::NaiveDate;

/// Refuses the id a mutation carries for a record it creates when it is blank (`execute`
/// mints every such id) or names a record that exists (`taken`): ids are never reused.
pub(super) fn fresh_id(kind: &str, id: &str, taken: bool) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Refusal::IdMissing {
            kind: kind.to_string(),
        }
        .into());
    }
    if taken {
        return Err(Refusal::IdTaken {
            kind: kind.to_string(),
            id: id.to_string(),
        }
        .into());
    }
    Ok(())
}

/// Refuses grace days past `domain::MAX_GRACE_DAYS`: the one limit of every path (the
/// setting, an imported or drafted contract).
pub(super) fn grace_days_allowed(days: u32) -> Result<()> {
    if days > crate::domain::MAX_GRACE_DAYS {
        return Err(Refusal::GraceDaysTooMany {
            days,
            max: crate::domain::MAX_GRACE_DAYS,
        }
        .into());
    }
    Ok(())
}

/// Refuses an empty (or blank) required field, naming it.
pub(super) fn required(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Refusal::Required {
            field: field.to_string(),
        }
        .into())
    } else {
        Ok(())
    }
}

pub(super) fn payment_state_name(status: &PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Pending => "pending",
        PaymentStatus::Confirmed { .. } => "confirmed",
        PaymentStatus::Voided { .. } => "void",
    }
}

/// Adds a contract: `Active` when imported (approved already), `Draft` when created here.
pub(super) fn add_contract_in_state(
    txn: &mut Txn<'_>,
    new: &NewContract,
    state: ContractState,
) -> Result<Outcome> {
    required("contract_no", &new.no)?;
    if !new.financed.is_positive() {
        return Err(Refusal::FinancedNotPositive {
            contract: new.no.clone(),
            financed: new.financed,
        }
        .into());
    }
    if let Some(days) = new.grace_days {
        grace_days_allowed(days)?;
    }
    if txn.contract(&new.no)?.is_some() {
        return Err(Refusal::ContractExists {
            contract: new.no.clone(),
        }
        .into());
    }
    if txn.customer(&new.customer_id)?.is_none() {
        return Err(Refusal::CustomerMissing {
            customer: new.customer_id.clone(),
            contract: new.no.clone(),
        }
        .into());
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
pub(super) fn contract_for_change(txn: &Txn<'_>, no: &str) -> Result<Contract> {
    let c = txn
        .contract(no)?
        .ok_or_else(|| Refusal::not_found(Thing::Contract, no))?;
    match c.state {
        ContractState::Active => Ok(c),
        ref state => Err(closed(no, state)),
    }
}

pub(super) fn payment_for_change(txn: &Txn<'_>, id: &str) -> Result<(Contract, usize)> {
    let no = txn
        .payment_contract(id)?
        .ok_or_else(|| Refusal::not_found(Thing::Payment, id))?;
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
/// penalty and overdue line as of the cache's date. Returns the contract's customer when it
/// read it for the line (a confirmation books to the customer's branch next).
pub(super) fn save_contract(
    txn: &mut Txn<'_>,
    contract: &Contract,
) -> Result<Option<crate::domain::Customer>> {
    let settings = txn.settings()?;
    // Settled and repossessed contracts leave the indexes the accrual and the overdue list
    // read (contracts due before a day, paid after a day).
    let indexed: Option<Standing> = contract.is_open().then(|| standing(contract, &settings));
    txn.put_contract(contract, indexed)?;
    if let Some(through) = accrual_date_of(txn, &contract.no)? {
        let figures = evaluate(contract, &settings, through);
        // A closed contract's cached penalty is frozen at its closing day.
        let accrued = match contract.closed_on() {
            Some(day) => evaluate(contract, &settings, day).penalty_accrued,
            None => figures.penalty_accrued,
        };
        let customer = txn.customer(&contract.customer_id)?;
        let entry = match &customer {
            Some(customer) if figures.days_overdue > 0 && contract.is_open() => {
                let ticket = txn.ticket(&contract.no)?;
                overdue::entry(
                    contract,
                    &figures,
                    TicketFacts::of(ticket.as_ref()),
                    customer,
                )
            }
            _ => None,
        };
        put_line(txn, contract, &settings, &figures, accrued, entry)?;
        return Ok(customer);
    }
    Ok(None)
}

/// Caches a contract's accrued penalty with its line of the overdue list (its penalty facts
/// taken from the same figures), or without one.
pub(super) fn put_line<C: ContractInfo + ?Sized>(
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
pub(super) fn refresh_customer_lines(
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
pub(super) fn replace_settings(txn: &mut Txn<'_>, settings: &PenaltySettings) -> Result<()> {
    txn.set_settings(settings);
    let store = txn.store();
    for contract in store.contracts() {
        save_contract(txn, &contract?)?;
    }
    Ok(())
}

pub(super) fn contract(txn: &Txn<'_>, no: &str) -> Result<Contract> {
    txn.contract(no)?
        .ok_or_else(|| Refusal::not_found(Thing::Contract, no).into())
}

/// The refusal of a change to a contract that is settled, repossessed or a draft.
fn closed(no: &str, state: &ContractState) -> super::error::AppError {
    Refusal::ContractClosed {
        contract: no.to_string(),
        state: state.name().to_string(),
    }
    .into()
}

pub(super) fn open_contract(txn: &Txn<'_>, no: &str) -> Result<Contract> {
    let c = contract(txn, no)?;
    if !c.is_open() {
        return Err(closed(no, &c.state));
    }
    Ok(c)
}

pub(super) fn branch_of(txn: &Txn<'_>, c: &Contract) -> Result<String> {
    Ok(txn
        .customer(&c.customer_id)?
        .map(|cu| cu.branch)
        .unwrap_or_default())
}

pub(super) fn collector_of(txn: &Txn<'_>, contract_no: &str) -> Result<String> {
    let c = contract(txn, contract_no)?;
    Ok(txn
        .customer(&c.customer_id)?
        .map(|cu| cu.collector)
        .unwrap_or_default())
}

pub(super) fn existing_user(txn: &Txn<'_>, name: &str) -> Result<User> {
    txn.user(name)?
        .ok_or_else(|| Refusal::not_found(Thing::User, name).into())
}

/// A registered SSH key: who it logs in as, and the OpenSSH line it was given as.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserKey {
    pub user: String,
    pub key: String,
}
