//! The machine system (整机系统, DOMAIN §7): stock, exclusive serial reservation, accessory
//! outbound, finance approval, shipment and sales swap.
//!
//! A serial is money standing in a yard: a machine belongs to at most one order at a time,
//! and accessory stock never goes negative (what is on hand covers what is reserved).

use super::refusal::Refusal;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A machine model and its type (excavator, loader, …): substitutes must share the type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    pub code: String,
    pub machine_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MachineStock {
    InStock,
    /// Picked for an order: no one else may pick it.
    Reserved {
        order: String,
    },
    Shipped {
        order: String,
    },
    /// Back from a customer by tow; a clerk may restock it.
    TowedBack,
}

impl MachineStock {
    pub fn name(&self) -> &'static str {
        match self {
            MachineStock::InStock => "in_stock",
            MachineStock::Reserved { .. } => "reserved",
            MachineStock::Shipped { .. } => "shipped",
            MachineStock::TowedBack => "towed_back",
        }
    }

    pub fn order(&self) -> Option<&str> {
        match self {
            MachineStock::Reserved { order } | MachineStock::Shipped { order } => Some(order),
            _ => None,
        }
    }
}

/// A machine by serial (机号).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    pub serial: String,
    pub model: String,
    pub machine_type: String,
    pub yard: String,
    #[serde(with = "crate::codec::date")]
    pub arrived_on: NaiveDate,
    pub state: MachineStock,
}

impl Machine {
    /// Days in stock as of a date (0 before it arrived).
    pub fn days_in_stock(&self, as_of: NaiveDate) -> i64 {
        (as_of - self.arrived_on).num_days().max(0)
    }
}

/// An accessory of the catalogue with its stock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accessory {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub on_hand: u32,
    /// Held by lines of orders not yet shipped.
    pub reserved: u32,
}

impl Accessory {
    pub fn available(&self) -> u32 {
        self.on_hand - self.reserved
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessoryLine {
    pub code: String,
    pub quantity: u32,
    /// Not agreed in the contract: an extra sale.
    pub extra: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swap {
    pub old_serial: String,
    pub new_serial: String,
    pub reason: String,
    pub by: String,
    #[serde(with = "crate::codec::date")]
    pub on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderState {
    Draft,
    /// Waiting for finance approval (the application id).
    Submitted {
        application: String,
    },
    Approved,
    Shipped {
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
        carrier: String,
        note: String,
    },
    Cancelled {
        reason: String,
    },
}

impl OrderState {
    pub fn name(&self) -> &'static str {
        match self {
            OrderState::Draft => "draft",
            OrderState::Submitted { .. } => "submitted",
            OrderState::Approved => "approved",
            OrderState::Shipped { .. } => "shipped",
            OrderState::Cancelled { .. } => "cancelled",
        }
    }
}

/// An outbound order (交机出库) of an approved contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub contract_no: String,
    pub salesperson: String,
    #[serde(with = "crate::codec::date")]
    pub created_on: NaiveDate,
    pub serial: Option<String>,
    /// The picked machine is a same-type substitute for the contract's model.
    pub substitute: bool,
    pub accessories: Vec<AccessoryLine>,
    pub state: OrderState,
    pub swaps: Vec<Swap>,
}

impl Order {
    /// Why this order's machine cannot be swapped now (销售换机 is after shipment), if not.
    pub fn swap_blocker(&self) -> Option<Refusal> {
        match self.state {
            OrderState::Shipped { .. } => None,
            ref state => Some(Refusal::SwapNeedsShipped {
                order: self.id.clone(),
                state: state.name().to_string(),
            }),
        }
    }

    /// Lines and machine may change only while the order is a draft (or sent back).
    pub fn editable(&self) -> Result<(), Refusal> {
        match self.state {
            OrderState::Draft => Ok(()),
            ref s => Err(Refusal::OrderNotDraft {
                order: self.id.clone(),
                state: s.name().to_string(),
            }),
        }
    }
}

/// The branch a yard belongs to: yards are named after their branch (合肥一号场 is 合肥's,
/// 宁波堆场 宁波's), so it is the longest of `branches` the yard's name begins with; `None`
/// when it begins with none of them.
pub fn yard_branch<'a>(yard: &str, branches: &'a [String]) -> Option<&'a str> {
    branches
        .iter()
        .filter(|b| !b.is_empty() && yard.starts_with(b.as_str()))
        .max_by_key(|b| b.len())
        .map(String::as_str)
}

/// Why `machine` cannot be picked for a contract of `contract_model` (of type
/// `contract_type`), if it cannot. `holder` gives the contract and salesperson of the
/// order holding a machine (empty when unknown).
pub fn pick_blocker(
    machine: &Machine,
    contract_model: &str,
    contract_type: Option<&str>,
    holder: impl Fn(&str) -> (String, String),
) -> Option<Refusal> {
    let serial = machine.serial.clone();
    match &machine.state {
        MachineStock::InStock => {}
        MachineStock::Reserved { order } => {
            let (contract, holder) = holder(order);
            return Some(Refusal::SerialHeld {
                serial,
                order: order.clone(),
                contract,
                holder,
            });
        }
        MachineStock::Shipped { order } => {
            let (contract, holder) = holder(order);
            return Some(Refusal::SerialShipped {
                serial,
                order: order.clone(),
                contract,
                holder,
            });
        }
        MachineStock::TowedBack => return Some(Refusal::SerialTowedBack { serial }),
    }
    if machine.model == contract_model {
        return None;
    }
    match contract_type {
        Some(t) if t == machine.machine_type => None,
        Some(t) => Some(Refusal::WrongType {
            serial,
            model: machine.model.clone(),
            machine_type: machine.machine_type.clone(),
            contract_type: t.to_string(),
            contract_model: contract_model.to_string(),
        }),
        None => Some(Refusal::ContractTypeUnknown {
            serial,
            model: machine.model.clone(),
            contract_model: contract_model.to_string(),
        }),
    }
}

/// Stock report line: a model's machines by state, with days in stock.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StockLine {
    pub model: String,
    pub machine_type: String,
    pub in_stock: usize,
    pub reserved: usize,
    pub shipped: usize,
    pub towed_back: usize,
    /// Of the machines in stock or reserved.
    pub max_days_in_stock: i64,
    pub avg_days_in_stock: i64,
}

impl StockLine {
    /// The line's columns as text, in report order: model, type, in stock, reserved,
    /// shipped, towed back, max days, average days (the CLI table and the stock screen).
    pub fn cells(&self) -> [String; 8] {
        [
            self.model.clone(),
            self.machine_type.clone(),
            self.in_stock.to_string(),
            self.reserved.to_string(),
            self.shipped.to_string(),
            self.towed_back.to_string(),
            self.max_days_in_stock.to_string(),
            self.avg_days_in_stock.to_string(),
        ]
    }
}

/// Whether `yard` is a yard of one of `branches` (`yard_branch` finds one of them): what a
/// branch site holds of the stock (sync's scope). A yard named after no branch (`总部一号场`)
/// is head office's alone.
pub fn yard_of_branches(yard: &str, branches: &[String]) -> bool {
    yard_branch(yard, branches).is_some()
}

/// Stock by model and state, as of a date, models in code order.
pub fn stock_report<'a>(
    machines: impl Iterator<Item = &'a Machine>,
    as_of: NaiveDate,
) -> Vec<StockLine> {
    let mut by_model: std::collections::BTreeMap<String, (StockLine, i64, i64)> =
        Default::default();
    for m in machines {
        let (line, days_sum, days_n) = by_model.entry(m.model.clone()).or_insert_with(|| {
            (
                StockLine {
                    model: m.model.clone(),
                    machine_type: m.machine_type.clone(),
                    ..Default::default()
                },
                0,
                0,
            )
        });
        match m.state {
            MachineStock::InStock => line.in_stock += 1,
            MachineStock::Reserved { .. } => line.reserved += 1,
            MachineStock::Shipped { .. } => line.shipped += 1,
            MachineStock::TowedBack => line.towed_back += 1,
        }
        if matches!(
            m.state,
            MachineStock::InStock | MachineStock::Reserved { .. }
        ) {
            let days = m.days_in_stock(as_of);
            line.max_days_in_stock = line.max_days_in_stock.max(days);
            *days_sum += days;
            *days_n += 1;
        }
    }
    by_model
        .into_values()
        .map(|(mut line, sum, n)| {
            line.avg_days_in_stock = if n > 0 { sum / n } else { 0 };
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_yard_belongs_to_the_branch_it_is_named_after() {
        let branches: Vec<String> = ["合肥", "杭州", "合肥西"].map(String::from).to_vec();
        assert_eq!(yard_branch("合肥一号场", &branches), Some("合肥"));
        assert_eq!(
            yard_branch("合肥西堆场", &branches),
            Some("合肥西"),
            "the longest name"
        );
        assert_eq!(yard_branch("芜湖场", &branches), None);
        assert_eq!(yard_branch("一号场", &[String::new()]), None);
    }

    use super::*;

    fn machine(serial: &str, model: &str, t: &str, state: MachineStock) -> Machine {
        Machine {
            serial: serial.into(),
            model: model.into(),
            machine_type: t.into(),
            yard: "合肥".into(),
            arrived_on: "2026-01-01".parse().unwrap(),
            state,
        }
    }

    #[test]
    fn picking_checks_state_model_and_type() {
        let holder = |_: &str| ("H2".to_string(), "li".to_string());
        let free = machine("S1", "SY75C", "excavator", MachineStock::InStock);
        assert_eq!(
            pick_blocker(&free, "SY75C", Some("excavator"), holder),
            None
        );
        // A same-type substitute is allowed; another type is not.
        assert_eq!(
            pick_blocker(&free, "SY135C", Some("excavator"), holder),
            None
        );
        let e = pick_blocker(&free, "ZL50GN", Some("loader"), holder)
            .unwrap()
            .to_string();
        assert!(e.contains("the contract is for type loader"), "{e}");
        let reserved = machine(
            "S2",
            "SY75C",
            "excavator",
            MachineStock::Reserved { order: "O7".into() },
        );
        assert_eq!(
            pick_blocker(&reserved, "SY75C", Some("excavator"), holder),
            Some(Refusal::SerialHeld {
                serial: "S2".into(),
                order: "O7".into(),
                contract: "H2".into(),
                holder: "li".into()
            })
        );
        let shipped = machine(
            "S3",
            "SY75C",
            "excavator",
            MachineStock::Shipped { order: "O1".into() },
        );
        assert!(matches!(
            pick_blocker(&shipped, "SY75C", Some("excavator"), holder),
            Some(Refusal::SerialShipped { .. })
        ));
    }

    #[test]
    fn the_stock_report_counts_states_and_days() {
        let as_of: NaiveDate = "2026-03-02".parse().unwrap();
        let mut old = machine("S1", "SY75C", "excavator", MachineStock::InStock);
        old.arrived_on = "2025-12-02".parse().unwrap(); // 90 days
        let machines = [
            old,
            machine(
                "S2",
                "SY75C",
                "excavator",
                MachineStock::Reserved { order: "O1".into() },
            ), // 60 days
            machine(
                "S3",
                "SY75C",
                "excavator",
                MachineStock::Shipped { order: "O2".into() },
            ),
            machine("L1", "ZL50GN", "loader", MachineStock::TowedBack),
        ];
        let report = stock_report(machines.iter(), as_of);
        assert_eq!(report.len(), 2);
        let sy = &report[0];
        assert_eq!((sy.in_stock, sy.reserved, sy.shipped), (1, 1, 1));
        assert_eq!(sy.max_days_in_stock, 90);
        assert_eq!(sy.avg_days_in_stock, 75);
        assert_eq!(report[1].towed_back, 1);
    }

    #[test]
    fn a_yard_belongs_to_the_branches_its_name_begins_with() {
        let hf = vec!["合肥".to_string(), "巢湖".to_string()];
        assert!(yard_of_branches("合肥一号场", &hf));
        assert!(yard_of_branches("巢湖堆场", &hf));
        assert!(!yard_of_branches("芜湖一号场", &hf));
        assert!(!yard_of_branches("总部一号场", &hf));
        assert!(!yard_of_branches("合肥一号场", &[String::new()]));
    }
}
