//! Helpers beneath the handlers for machines, accessories and outbound orders (DOMAIN §7).

use super::error::Result;
use crate::domain::outbound::*;
use crate::domain::refusal::{Refusal, Thing};
use crate::store::{Reader, RecordKind, Txn};

pub(crate) fn machine<R: Reader + ?Sized>(reader: &R, serial: &str) -> Result<Machine> {
    reader
        .record(RecordKind::Machine, serial)?
        .ok_or_else(|| Refusal::not_found(Thing::Machine, serial).into())
}

pub(crate) fn order<R: Reader + ?Sized>(reader: &R, id: &str) -> Result<Order> {
    reader
        .record(RecordKind::Order, id)?
        .ok_or_else(|| Refusal::not_found(Thing::Order, id).into())
}

pub(super) fn accessory(txn: &Txn<'_>, code: &str) -> Result<Accessory> {
    txn.record(RecordKind::Accessory, code)?
        .ok_or_else(|| Refusal::not_found(Thing::Accessory, code).into())
}

/// Who holds a machine through `order_id`: the order's contract and salesperson (both
/// empty when the order cannot be read).
pub(crate) fn holder_of<R: Reader + ?Sized>(reader: &R, order_id: &str) -> (String, String) {
    match order(reader, order_id) {
        Ok(o) => (o.contract_no, o.salesperson),
        Err(_) => (String::new(), String::new()),
    }
}

/// "order O3 of contract H2 by li": who holds a machine, in English (stock views).
pub(crate) fn holder<R: Reader + ?Sized>(reader: &R, order_id: &str) -> String {
    let (contract, salesperson) = holder_of(reader, order_id);
    crate::i18n::Lang::En.holder(order_id, &contract, &salesperson)
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
