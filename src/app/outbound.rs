//! Handlers of the machine system's mutations: stock, drafted contracts, outbound orders,
//! picks, accessory lines, shipment, sales swap, cancellation (DOMAIN §7).

use super::NewContract;
use super::applications::*;
use super::book::*;
use super::error::Result;
use super::outcome::Outcome;
use super::stock::*;
use crate::domain::approval::DocumentType;
use crate::domain::outbound::*;
use crate::domain::{ContractState, Refusal};
use crate::store::{EntryHeader, Reader, RecordKind, Txn};
use chrono::NaiveDate;

/// `Mutation::AddMachine`.
pub(super) fn add_machine(txn: &mut Txn<'_>, m: &Machine) -> Result<Outcome> {
    for (field, value) in [
        ("serial", &m.serial),
        ("model", &m.model),
        ("type", &m.machine_type),
    ] {
        required(field, value)?;
    }
    if txn
        .record::<Machine>(RecordKind::Machine, &m.serial)?
        .is_some()
    {
        return Err(Refusal::MachineExists {
            serial: m.serial.clone(),
        }
        .into());
    }
    match txn.record::<Model>(RecordKind::Model, &m.model)? {
        Some(model) if model.machine_type != m.machine_type => {
            return Err(Refusal::ModelTypeMismatch {
                model: m.model.clone(),
                is: model.machine_type,
                given: m.machine_type.clone(),
            }
            .into());
        }
        Some(_) => {}
        None => txn.put_record(
            RecordKind::Model,
            &m.model,
            &Model {
                code: m.model.clone(),
                machine_type: m.machine_type.clone(),
            },
        ),
    }
    let mut m = m.clone();
    m.state = MachineStock::InStock;
    set_machine(txn, &m);
    Ok(Outcome::created(
        m.serial.clone(),
        format!("machine {} in stock", m.serial),
    ))
}

/// `Mutation::PutAccessory`.
pub(super) fn put_accessory(
    txn: &mut Txn<'_>,
    code: &str,
    name: &str,
    unit: &str,
    quantity: &u32,
) -> Result<Outcome> {
    required("code", code)?;
    required("name", name)?;
    let reserved = txn
        .record::<Accessory>(RecordKind::Accessory, code)?
        .map_or(0, |a| a.reserved);
    if *quantity < reserved {
        return Err(Refusal::AccessoryReserved {
            code: code.to_string(),
            reserved,
            quantity: *quantity,
        }
        .into());
    }
    let a = Accessory {
        code: code.to_string(),
        name: name.to_string(),
        unit: unit.to_string(),
        on_hand: *quantity,
        reserved,
    };
    txn.put_record(RecordKind::Accessory, code, &a);
    Ok(Outcome::created(
        code.to_string(),
        format!("accessory {code}: {quantity} on hand"),
    ))
}

/// `Mutation::CreateOrder`.
pub(super) fn create_order(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    no: &str,
) -> Result<Outcome> {
    let today = header.business_date;
    let c = contract(txn, no)?;
    if c.state != ContractState::Active {
        return Err(Refusal::ContractNotApproved {
            contract: no.to_string(),
            state: c.state.name().to_string(),
        }
        .into());
    }
    let open = match txn.open_order(no)? {
        Some(id) => Some(order(txn, &id)?),
        None => None,
    };
    if let Some(other) = open {
        return Err(Refusal::OrderOpen {
            contract: no.to_string(),
            order: other.id,
            state: other.state.name().to_string(),
        }
        .into());
    }
    fresh_id(
        "order",
        id,
        txn.record::<Order>(RecordKind::Order, id)?.is_some(),
    )?;
    let o = Order {
        id: id.to_string(),
        contract_no: no.to_string(),
        salesperson: header.actor.clone(),
        created_on: today,
        serial: None,
        substitute: false,
        accessories: Vec::new(),
        state: OrderState::Draft,
        swaps: Vec::new(),
    };
    txn.put_record(RecordKind::Order, id, &o);
    txn.set_open_order(no, Some(id));
    Ok(Outcome::created(
        id.to_string(),
        format!("order {id} for contract {no} created"),
    ))
}

/// `Mutation::Pick`.
pub(super) fn pick(txn: &mut Txn<'_>, id: &str, serial: &str) -> Result<Outcome> {
    let mut o = order(txn, id)?;
    o.editable()?;
    let c = contract(txn, &o.contract_no)?;
    let mut m = machine(txn, serial)?;
    if o.serial.as_deref() == Some(serial) {
        return Ok(Outcome::nothing(format!(
            "order {id} already holds machine {serial}"
        )));
    }
    let contract_type = txn
        .record::<Model>(RecordKind::Model, &c.model)?
        .map(|md| md.machine_type);
    if let Some(why) = pick_blocker(&m, &c.model, contract_type.as_deref(), |oid| {
        holder_of(txn, oid)
    }) {
        return Err(why.into());
    }
    if let Some(old) = o.serial.take() {
        release(txn, &old)?;
    }
    m.state = MachineStock::Reserved {
        order: id.to_string(),
    };
    set_machine(txn, &m);
    o.substitute = m.model != c.model;
    o.serial = Some(serial.to_string());
    txn.put_record(RecordKind::Order, id, &o);
    let sub = if o.substitute {
        format!(" (a {} substitute for {})", m.model, c.model)
    } else {
        String::new()
    };
    Ok(Outcome::done(format!(
        "machine {serial} reserved for order {id}{sub}"
    )))
}

/// `Mutation::AddAccessory`.
pub(super) fn add_accessory(
    txn: &mut Txn<'_>,
    id: &str,
    code: &str,
    quantity: &u32,
    extra: &bool,
) -> Result<Outcome> {
    let mut o = order(txn, id)?;
    o.editable()?;
    if *quantity == 0 {
        return Err(Refusal::QuantityZero.into());
    }
    let mut a = accessory(txn, code)?;
    if a.available() < *quantity {
        return Err(Refusal::AccessoryShort {
            code: code.to_string(),
            name: a.name.clone(),
            available: a.available(),
            unit: a.unit.clone(),
            asked: *quantity,
        }
        .into());
    }
    a.reserved += quantity;
    txn.put_record(RecordKind::Accessory, code, &a);
    match o
        .accessories
        .iter_mut()
        .find(|l| l.code == *code && l.extra == *extra)
    {
        Some(line) => line.quantity += quantity,
        None => o.accessories.push(AccessoryLine {
            code: code.to_string(),
            quantity: *quantity,
            extra: *extra,
        }),
    }
    txn.put_record(RecordKind::Order, id, &o);
    let kind = if *extra { "extra" } else { "contract" };
    Ok(Outcome::done(format!(
        "order {id}: {quantity} {} {} ({kind}) reserved",
        a.unit, a.name
    )))
}

/// `Mutation::RemoveAccessory`: the line goes and its quantity is no longer reserved.
pub(super) fn remove_accessory(
    txn: &mut Txn<'_>,
    id: &str,
    code: &str,
    extra: bool,
) -> Result<Outcome> {
    let mut o = order(txn, id)?;
    o.editable()?;
    let Some(at) = o
        .accessories
        .iter()
        .position(|l| l.code == code && l.extra == extra)
    else {
        return Err(Refusal::AccessoryLineMissing {
            order: id.to_string(),
            code: code.to_string(),
        }
        .into());
    };
    let line = o.accessories.remove(at);
    unreserve_accessories(txn, std::slice::from_ref(&line))?;
    txn.put_record(RecordKind::Order, id, &o);
    Ok(Outcome::done(format!(
        "order {id}: line {code} ({} of it) removed, back in stock",
        line.quantity
    )))
}

/// `Mutation::SubmitOrder`.
pub(super) fn submit_order(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    application: &str,
) -> Result<Outcome> {
    let mut o = order(txn, id)?;
    o.editable()?;
    if o.serial.is_none() {
        return Err(Refusal::NoSerialPicked {
            order: id.to_string(),
        }
        .into());
    }
    let c = contract(txn, &o.contract_no)?;
    let submission = Submission {
        id: application,
        document: DocumentType::Outbound,
        reason: "outbound",
        location: "",
        amount: None,
        order: Some(id.to_string()),
    };
    let outcome = submit_for(txn, header, &c, submission)?;
    o.state = OrderState::Submitted {
        application: application.to_string(),
    };
    txn.put_record(RecordKind::Order, id, &o);
    Ok(outcome)
}

/// `Mutation::Ship`.
pub(super) fn ship(
    txn: &mut Txn<'_>,
    id: &str,
    on: &NaiveDate,
    carrier: &str,
    note: &str,
) -> Result<Outcome> {
    let mut o = order(txn, id)?;
    if o.state != OrderState::Approved {
        return Err(Refusal::OrderNotApproved {
            order: id.to_string(),
            state: o.state.name().to_string(),
        }
        .into());
    }
    let serial = o.serial.clone().expect("approved orders have a machine");
    let mut m = machine(txn, &serial)?;
    m.state = MachineStock::Shipped {
        order: id.to_string(),
    };
    set_machine(txn, &m);
    for line in &o.accessories {
        let mut a = accessory(txn, &line.code)?;
        assert!(
            a.reserved >= line.quantity && a.on_hand >= line.quantity,
            "stock of {} out of step",
            a.code
        );
        a.reserved -= line.quantity;
        a.on_hand -= line.quantity;
        txn.put_record(RecordKind::Accessory, &a.code, &a);
    }
    o.state = OrderState::Shipped {
        on: *on,
        carrier: carrier.to_string(),
        note: note.to_string(),
    };
    txn.put_record(RecordKind::Order, id, &o);
    Ok(Outcome::done(format!(
        "order {id} shipped on {on}: machine {serial} delivered on contract {}",
        o.contract_no
    )))
}

/// `Mutation::SwapMachine`.
pub(super) fn swap_machine(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    serial: &str,
    reason: &str,
) -> Result<Outcome> {
    let today = header.business_date;
    required("reason", reason)?;
    let mut o = order(txn, id)?;
    if let Some(refusal) = o.swap_blocker() {
        return Err(refusal.into());
    }
    let old_serial = o.serial.clone().expect("shipped orders have a machine");
    let old = machine(txn, &old_serial)?;
    let mut new = machine(txn, serial)?;
    if let Some(why) = pick_blocker(&new, &old.model, Some(&old.machine_type), |oid| {
        holder_of(txn, oid)
    }) {
        return Err(why.into());
    }
    release(txn, &old_serial)?;
    new.state = MachineStock::Shipped {
        order: id.to_string(),
    };
    set_machine(txn, &new);
    let c = contract(txn, &o.contract_no)?;
    o.substitute = new.model != c.model;
    o.serial = Some(serial.to_string());
    o.swaps.push(Swap {
        old_serial: old_serial.clone(),
        new_serial: serial.to_string(),
        reason: reason.to_string(),
        by: header.actor.clone(),
        on: today,
    });
    txn.put_record(RecordKind::Order, id, &o);
    Ok(Outcome::done(format!(
        "order {id}: machine {serial} replaces {old_serial}, which is back in stock"
    )))
}

/// `Mutation::CancelOrder`.
pub(super) fn cancel_order(txn: &mut Txn<'_>, id: &str, reason: &str) -> Result<Outcome> {
    required("reason", reason)?;
    let mut o = order(txn, id)?;
    match &o.state {
        OrderState::Shipped { .. } | OrderState::Cancelled { .. } => {
            return Err(Refusal::OrderClosed {
                order: id.to_string(),
                state: o.state.name().to_string(),
            }
            .into());
        }
        OrderState::Submitted {
            application: app_id,
        } => {
            let mut a = application(txn, app_id)?;
            a.review.state = crate::domain::approval::ReviewState::Withdrawn;
            save_application(txn, &a)?;
        }
        OrderState::Draft | OrderState::Approved => {}
    }
    if let Some(serial) = o.serial.take() {
        release(txn, &serial)?;
    }
    unreserve_accessories(txn, &o.accessories)?;
    o.state = OrderState::Cancelled {
        reason: reason.to_string(),
    };
    txn.put_record(RecordKind::Order, id, &o);
    txn.set_open_order(&o.contract_no, None);
    Ok(Outcome::done(format!(
        "order {id} cancelled; its machine and accessories are released"
    )))
}

pub(super) fn draft_contract(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    application: &str,
    new: &NewContract,
) -> Result<Outcome> {
    add_contract_in_state(txn, new, ContractState::Draft)?;
    let c = contract(txn, &new.no)?;
    let submission = Submission {
        id: application,
        document: DocumentType::Contract,
        reason: "new contract",
        location: "",
        amount: Some(c.financed),
        order: None,
    };
    submit_for(txn, header, &c, submission)?;
    let id = application;
    Ok(Outcome::created(
        id.to_string(),
        format!(
            "contract {} drafted; approval application {id} submitted",
            new.no
        ),
    ))
}
