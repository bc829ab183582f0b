//! Machine outbound (交机出库, DOMAIN §7): stock, exclusive serial reservation, accessory
//! lines, finance approval, shipment, sales swap; contracts created as drafts.
//!
//! Exclusivity comes from the app's single writer: a pick validates and reserves under the
//! same lock, so of many sessions racing for one serial exactly one wins and the others are
//! told who holds it.

use super::apply::required;
use super::workflow::{application, submit_for};
use super::{AppError, Mutation, NewContract, Outcome, Result};
use crate::domain::approval::DocumentType;
use crate::domain::outbound::{
    Accessory, AccessoryLine, Machine, MachineStock, Model, Order, OrderState, Swap, pick_blocker,
};
use crate::domain::{Contract, ContractState, MachineState};
use crate::store::{EntryHeader, Reader, RecordKind, Txn};

pub(crate) fn machine<R: Reader + ?Sized>(reader: &R, serial: &str) -> Result<Machine> {
    reader.record(RecordKind::Machine, serial)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "machine {serial} is not in stock records; check the serial"
        ))
    })
}

pub(crate) fn order<R: Reader + ?Sized>(reader: &R, id: &str) -> Result<Order> {
    reader
        .record(RecordKind::Order, id)?
        .ok_or_else(|| AppError::NotFound(format!("order {id} does not exist; check the id")))
}

fn accessory(txn: &Txn<'_>, code: &str) -> Result<Accessory> {
    txn.record(RecordKind::Accessory, code)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "accessory {code} is not in the catalogue; check the code"
        ))
    })
}

fn contract(txn: &Txn<'_>, no: &str) -> Result<Contract> {
    txn.contract(no)?.ok_or_else(|| {
        AppError::NotFound(format!("contract {no} does not exist; check the number"))
    })
}

/// "order O3 of contract H2 by sales li": who holds a machine.
pub(crate) fn holder<R: Reader + ?Sized>(reader: &R, order_id: &str) -> String {
    match order(reader, order_id) {
        Ok(o) => format!(
            "order {} of contract {} by {}",
            o.id, o.contract_no, o.salesperson
        ),
        Err(_) => format!("order {order_id}"),
    }
}

fn set_machine(txn: &mut Txn<'_>, m: &Machine) {
    txn.put_record(RecordKind::Machine, &m.serial, m);
}

fn release(txn: &mut Txn<'_>, serial: &str) -> Result<()> {
    let mut m = machine(txn, serial)?;
    m.state = MachineStock::InStock;
    set_machine(txn, &m);
    Ok(())
}

fn unreserve_accessories(txn: &mut Txn<'_>, lines: &[AccessoryLine]) -> Result<()> {
    for line in lines {
        let mut a = accessory(txn, &line.code)?;
        assert!(
            a.reserved >= line.quantity,
            "accessory {} reservations out of step",
            a.code
        );
        a.reserved -= line.quantity;
        txn.put_record(RecordKind::Accessory, &a.code, &a);
    }
    Ok(())
}

pub(super) fn apply(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    mutation: &Mutation,
) -> Result<Outcome> {
    let today = header.business_date;
    match mutation {
        Mutation::AddMachine(m) => {
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
                return Err(AppError::Refused(format!(
                    "machine {} is already in stock records",
                    m.serial
                )));
            }
            match txn.record::<Model>(RecordKind::Model, &m.model)? {
                Some(model) if model.machine_type != m.machine_type => {
                    return Err(AppError::Refused(format!(
                        "model {} is of type {}, not {}; check the type column",
                        m.model, model.machine_type, m.machine_type
                    )));
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
        Mutation::PutAccessory {
            code,
            name,
            unit,
            quantity,
        } => {
            required("code", code)?;
            required("name", name)?;
            let reserved = txn
                .record::<Accessory>(RecordKind::Accessory, code)?
                .map_or(0, |a| a.reserved);
            if *quantity < reserved {
                return Err(AppError::Refused(format!(
                    "accessory {code}: {reserved} are reserved by open orders; the quantity cannot be {quantity}"
                )));
            }
            let a = Accessory {
                code: code.clone(),
                name: name.clone(),
                unit: unit.clone(),
                on_hand: *quantity,
                reserved,
            };
            txn.put_record(RecordKind::Accessory, code, &a);
            Ok(Outcome::created(
                code.clone(),
                format!("accessory {code}: {quantity} on hand"),
            ))
        }
        Mutation::DraftContract(new) => draft_contract(txn, header, new),
        Mutation::CreateOrder { contract: no } => {
            let c = contract(txn, no)?;
            if c.state != ContractState::Active {
                return Err(AppError::Refused(format!(
                    "contract {no} is {}; only approved contracts take outbound",
                    if c.state == ContractState::Draft {
                        "a draft, not approved yet"
                    } else {
                        c.state.name()
                    }
                )));
            }
            let open = match txn.open_order(no)? {
                Some(id) => Some(order(txn, &id)?),
                None => None,
            };
            if let Some(other) = open {
                return Err(AppError::Refused(format!(
                    "contract {no} already has order {} ({}); use it or cancel it",
                    other.id,
                    other.state.name()
                )));
            }
            let id = format!("O{}", txn.next_counter("order")?);
            let o = Order {
                id: id.clone(),
                contract_no: no.clone(),
                salesperson: header.actor.clone(),
                created_on: today,
                serial: None,
                substitute: false,
                accessories: Vec::new(),
                state: OrderState::Draft,
                swaps: Vec::new(),
            };
            txn.put_record(RecordKind::Order, &id, &o);
            txn.set_open_order(no, Some(&id));
            Ok(Outcome::created(
                id.clone(),
                format!("order {id} for contract {no} created"),
            ))
        }
        Mutation::Pick { order: id, serial } => {
            let mut o = order(txn, id)?;
            o.editable().map_err(AppError::Refused)?;
            let c = contract(txn, &o.contract_no)?;
            let mut m = machine(txn, serial)?;
            if o.serial.as_deref() == Some(serial.as_str()) {
                return Ok(Outcome::nothing(format!(
                    "order {id} already holds machine {serial}"
                )));
            }
            let contract_type = txn
                .record::<Model>(RecordKind::Model, &c.model)?
                .map(|md| md.machine_type);
            if let Some(why) = pick_blocker(&m, &c.model, contract_type.as_deref(), |oid| {
                holder(txn, oid)
            }) {
                return Err(AppError::Refused(why));
            }
            if let Some(old) = o.serial.take() {
                release(txn, &old)?;
            }
            m.state = MachineStock::Reserved { order: id.clone() };
            set_machine(txn, &m);
            o.substitute = m.model != c.model;
            o.serial = Some(serial.clone());
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
        Mutation::AddAccessory {
            order: id,
            code,
            quantity,
            extra,
        } => {
            let mut o = order(txn, id)?;
            o.editable().map_err(AppError::Refused)?;
            if *quantity == 0 {
                return Err(AppError::Invalid("quantity must be at least 1".into()));
            }
            let mut a = accessory(txn, code)?;
            if a.available() < *quantity {
                return Err(AppError::Refused(format!(
                    "accessory {code} ({}): {} {} available, {quantity} asked",
                    a.name,
                    a.available(),
                    a.unit
                )));
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
                    code: code.clone(),
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
        Mutation::SubmitOrder { order: id } => {
            let mut o = order(txn, id)?;
            o.editable().map_err(AppError::Refused)?;
            if o.serial.is_none() {
                return Err(AppError::Refused(format!(
                    "order {id} has no machine; pick a serial first"
                )));
            }
            let c = contract(txn, &o.contract_no)?;
            let outcome = submit_for(
                txn,
                header,
                DocumentType::Outbound,
                &c,
                "outbound",
                "",
                None,
                Some(id.clone()),
            )?;
            let application = outcome.id.clone().expect("a submission has an id");
            o.state = OrderState::Submitted { application };
            txn.put_record(RecordKind::Order, id, &o);
            Ok(outcome)
        }
        Mutation::Ship {
            order: id,
            on,
            carrier,
            note,
        } => {
            let mut o = order(txn, id)?;
            if o.state != OrderState::Approved {
                return Err(AppError::Refused(format!(
                    "order {id} is {}; only an order approved by finance can ship",
                    o.state.name()
                )));
            }
            let serial = o.serial.clone().expect("approved orders have a machine");
            let mut m = machine(txn, &serial)?;
            m.state = MachineStock::Shipped { order: id.clone() };
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
                carrier: carrier.clone(),
                note: note.clone(),
            };
            txn.put_record(RecordKind::Order, id, &o);
            Ok(Outcome::done(format!(
                "order {id} shipped on {on}: machine {serial} delivered on contract {}",
                o.contract_no
            )))
        }
        Mutation::SwapMachine {
            order: id,
            serial,
            reason,
        } => {
            required("reason", reason)?;
            let mut o = order(txn, id)?;
            if !matches!(o.state, OrderState::Shipped { .. }) {
                return Err(AppError::Refused(format!(
                    "order {id} is {}; a sales swap is for shipped orders (before shipment, pick another serial)",
                    o.state.name()
                )));
            }
            let old_serial = o.serial.clone().expect("shipped orders have a machine");
            let old = machine(txn, &old_serial)?;
            let mut new = machine(txn, serial)?;
            if let Some(why) = pick_blocker(&new, &old.model, Some(&old.machine_type), |oid| {
                holder(txn, oid)
            }) {
                return Err(AppError::Refused(why));
            }
            release(txn, &old_serial)?;
            new.state = MachineStock::Shipped { order: id.clone() };
            set_machine(txn, &new);
            let c = contract(txn, &o.contract_no)?;
            o.substitute = new.model != c.model;
            o.serial = Some(serial.clone());
            o.swaps.push(Swap {
                old_serial: old_serial.clone(),
                new_serial: serial.clone(),
                reason: reason.clone(),
                by: header.actor.clone(),
                on: today,
            });
            txn.put_record(RecordKind::Order, id, &o);
            Ok(Outcome::done(format!(
                "order {id}: machine {serial} replaces {old_serial}, which is back in stock"
            )))
        }
        Mutation::CancelOrder { order: id, reason } => {
            required("reason", reason)?;
            let mut o = order(txn, id)?;
            match &o.state {
                OrderState::Shipped { .. } | OrderState::Cancelled { .. } => {
                    return Err(AppError::Refused(format!(
                        "order {id} is {}; it cannot be cancelled",
                        o.state.name()
                    )));
                }
                OrderState::Submitted {
                    application: app_id,
                } => {
                    let mut a = application(txn, app_id)?;
                    a.review.state = crate::domain::approval::ReviewState::Withdrawn;
                    super::workflow::save_application(txn, &a)?;
                }
                OrderState::Draft | OrderState::Approved => {}
            }
            if let Some(serial) = o.serial.take() {
                release(txn, &serial)?;
            }
            unreserve_accessories(txn, &o.accessories)?;
            o.state = OrderState::Cancelled {
                reason: reason.clone(),
            };
            txn.put_record(RecordKind::Order, id, &o);
            txn.set_open_order(&o.contract_no, None);
            Ok(Outcome::done(format!(
                "order {id} cancelled; its machine and accessories are released"
            )))
        }
        _ => unreachable!("not an outbound mutation"),
    }
}

fn draft_contract(txn: &mut Txn<'_>, header: &EntryHeader, new: &NewContract) -> Result<Outcome> {
    let outcome = super::apply::add_contract_in_state(txn, new, ContractState::Draft)?;
    let _ = outcome;
    let c = contract(txn, &new.no)?;
    let submitted = submit_for(
        txn,
        header,
        DocumentType::Contract,
        &c,
        "new contract",
        "",
        Some(c.financed),
        None,
    )?;
    let id = submitted.id.clone().expect("a submission has an id");
    Ok(Outcome::created(
        id.clone(),
        format!(
            "contract {} drafted; approval application {id} submitted",
            new.no
        ),
    ))
}

/// Called when an application's review ends or restarts: keeps its order or contract in step.
pub(super) fn on_review_change(
    txn: &mut Txn<'_>,
    a: &crate::domain::workflow::Application,
) -> Result<()> {
    use crate::domain::approval::ReviewState;
    match a.document {
        DocumentType::Outbound => {
            let Some(id) = &a.order else { return Ok(()) };
            let mut o = order(txn, id)?;
            if matches!(
                o.state,
                OrderState::Cancelled { .. } | OrderState::Shipped { .. }
            ) {
                return Ok(());
            }
            o.state = match a.review.state {
                ReviewState::Approved => OrderState::Approved,
                ReviewState::InReview { .. } => OrderState::Submitted {
                    application: a.id.clone(),
                },
                ReviewState::Rejected | ReviewState::Withdrawn => OrderState::Draft,
            };
            txn.put_record(RecordKind::Order, id, &o);
        }
        DocumentType::Contract if a.review.state == ReviewState::Approved => {
            let mut c = contract(txn, &a.contract_no)?;
            if c.state == ContractState::Draft {
                c.state = ContractState::Active;
                c.machine = MachineState::Normal;
                super::apply::save_contract(txn, &c)?;
            }
        }
        _ => {}
    }
    Ok(())
}
