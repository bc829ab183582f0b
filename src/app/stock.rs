//! Helpers beneath the handlers for machines, accessories and outbound orders (DOMAIN §7).

use super::error::{AppError, Result};
use crate::domain::outbound::*;
use crate::store::{Reader, RecordKind, Txn};

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

pub(super) fn accessory(txn: &Txn<'_>, code: &str) -> Result<Accessory> {
    txn.record(RecordKind::Accessory, code)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "accessory {code} is not in the catalogue; check the code"
        ))
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

pub(super) fn set_machine(txn: &mut Txn<'_>, m: &Machine) {
    txn.put_record(RecordKind::Machine, &m.serial, m);
}

pub(super) fn release(txn: &mut Txn<'_>, serial: &str) -> Result<()> {
    let mut m = machine(txn, serial)?;
    m.state = MachineStock::InStock;
    set_machine(txn, &m);
    Ok(())
}

pub(super) fn unreserve_accessories(txn: &mut Txn<'_>, lines: &[AccessoryLine]) -> Result<()> {
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
