//! Queries of the machine system: machines, stock, pickable serials, orders and reports.

use super::permissions::check_contract_scope;
use super::stock::{holder, machine, order};
use super::{App, Ctx, Result};
use crate::domain::ContractState;
use crate::domain::User;
use crate::domain::outbound::{
    Accessory, Machine, MachineStock, Order, OrderState, StockLine, stock_report,
};
use crate::store::{Reader, RecordKind};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct MachineView {
    pub serial: String,
    pub model: String,
    pub machine_type: String,
    pub yard: String,
    pub arrived_on: NaiveDate,
    /// in_stock, reserved, shipped, towed_back.
    pub state: &'static str,
    pub days_in_stock: i64,
    /// The order holding it, and who: "order O3 of contract H2 by li".
    pub order: Option<String>,
    pub held_by: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AccessoryLineView {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub quantity: u32,
    pub extra: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SwapView {
    pub old_serial: String,
    pub new_serial: String,
    pub reason: String,
    pub by: String,
    pub on: NaiveDate,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrderView {
    pub id: String,
    pub contract_no: String,
    pub contract_model: String,
    pub customer: String,
    pub salesperson: String,
    pub created_on: NaiveDate,
    pub serial: Option<String>,
    /// The model of the machine picked (the serial's), for the screens.
    #[serde(skip)]
    pub machine_model: Option<String>,
    pub substitute: bool,
    pub accessories: Vec<AccessoryLineView>,
    /// draft, submitted, approved, shipped, cancelled.
    pub state: &'static str,
    pub application: Option<String>,
    pub shipped_on: Option<NaiveDate>,
    pub carrier: Option<String>,
    pub cancel_reason: Option<String>,
    pub swaps: Vec<SwapView>,
    /// Why a swap would be refused now (`None`: it may be offered); for the screens, which
    /// ask this instead of reading the state.
    #[serde(skip)]
    pub swap_blocker: Option<crate::domain::Refusal>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AccessoryView {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
}

/// A machine a sales swap would take from another branch's yard (`yard_branch`): what the
/// screens warn of before the swap runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct YardCrossing {
    pub serial: String,
    pub yard: String,
    /// The branch the yard belongs to.
    pub yard_branch: String,
    /// The branch of the order's contract (its customer's).
    pub contract_branch: String,
}

/// An approved contract in the viewer's scope that waits for its machine: no serial on the
/// contract and no order open or shipped for it. A new order starts from one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AwaitingContract {
    pub contract_no: String,
    pub customer: String,
    pub branch: String,
    pub model: String,
    pub signed_on: NaiveDate,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrdersByState {
    pub state: &'static str,
    pub orders: usize,
}

impl App {
    /// A machine as `viewer` may see it: the order holding it (its contract and salesperson)
    /// only when that order's contract is in the viewer's scope.
    fn machine_view(&self, viewer: &User, m: &Machine, as_of: NaiveDate) -> MachineView {
        let order = m.state.order().map(str::to_string).filter(|id| {
            order(self.store(), id)
                .is_ok_and(|o| check_contract_scope(self.store(), viewer, &o.contract_no).is_ok())
        });
        MachineView {
            serial: m.serial.clone(),
            model: m.model.clone(),
            machine_type: m.machine_type.clone(),
            yard: m.yard.clone(),
            arrived_on: m.arrived_on,
            state: m.state.name(),
            days_in_stock: if matches!(
                m.state,
                MachineStock::InStock | MachineStock::Reserved { .. }
            ) {
                m.days_in_stock(as_of)
            } else {
                0
            },
            held_by: order.as_deref().map(|o| holder(self.store(), o)),
            order,
        }
    }

    /// One machine: its state, and the order holding it.
    pub fn machine(&self, ctx: &Ctx, serial: &str) -> Result<MachineView> {
        let viewer = self.viewer(ctx)?;
        Ok(self.machine_view(&viewer, &machine(self.store(), serial)?, ctx.today))
    }

    /// Machines, optionally of one model, in serial order.
    pub fn stock(&self, ctx: &Ctx, model: Option<&str>) -> Result<Vec<MachineView>> {
        let viewer = self.viewer(ctx)?;
        let mut out = Vec::new();
        for m in self.store().records::<Machine>(RecordKind::Machine) {
            let m = m?;
            if model.is_none_or(|x| x == m.model) {
                out.push(self.machine_view(&viewer, &m, ctx.today));
            }
        }
        Ok(out)
    }

    /// Every machine record, for screens that filter as the user types.
    pub fn machines(&self, ctx: &Ctx) -> Result<Vec<Machine>> {
        self.viewer(ctx)?;
        self.store()
            .records::<Machine>(RecordKind::Machine)
            .map(|m| Ok(m?))
            .collect()
    }

    /// Whether the viewer's book uses the machine system: it holds machines or accessories,
    /// or an order in the viewer's scope. Cheap: it stops at the first one found.
    pub fn machine_system_in_use(&self, ctx: &Ctx) -> Result<bool> {
        let user = self.viewer(ctx)?;
        let store = self.store();
        if store.has_records(RecordKind::Machine) || store.has_records(RecordKind::Accessory) {
            return Ok(true);
        }
        for order in store.records::<Order>(RecordKind::Order) {
            if check_contract_scope(store, &user, &order?.contract_no).is_ok() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Stock by model and state with days in stock (inventory control).
    pub fn stock_report(&self, ctx: &Ctx) -> Result<Vec<StockLine>> {
        let machines = self.machines(ctx)?;
        Ok(stock_report(machines.iter(), ctx.today))
    }

    pub fn accessories(&self, ctx: &Ctx) -> Result<Vec<AccessoryView>> {
        self.viewer(ctx)?;
        self.store()
            .records::<Accessory>(RecordKind::Accessory)
            .map(|a| {
                let a = a?;
                Ok(AccessoryView {
                    available: a.available(),
                    code: a.code,
                    name: a.name,
                    unit: a.unit,
                    on_hand: a.on_hand,
                    reserved: a.reserved,
                })
            })
            .collect()
    }

    pub(super) fn order_view(&self, o: &Order) -> Result<OrderView> {
        let store = self.store();
        let contract = store.contract(&o.contract_no)?;
        let customer = contract
            .as_ref()
            .and_then(|c| store.customer(&c.customer_id).ok().flatten())
            .map(|c| c.name)
            .unwrap_or_default();
        let accessories = o
            .accessories
            .iter()
            .map(|l| {
                let a: Option<Accessory> =
                    store.record(RecordKind::Accessory, &l.code).ok().flatten();
                AccessoryLineView {
                    code: l.code.clone(),
                    name: a.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
                    unit: a.map(|a| a.unit).unwrap_or_default(),
                    quantity: l.quantity,
                    extra: l.extra,
                }
            })
            .collect();
        let (application, shipped_on, carrier, cancel_reason) = match &o.state {
            OrderState::Submitted { application } => (Some(application.clone()), None, None, None),
            OrderState::Shipped { on, carrier, .. } => {
                (None, Some(*on), Some(carrier.clone()), None)
            }
            OrderState::Cancelled { reason } => (None, None, None, Some(reason.clone())),
            _ => (None, None, None, None),
        };
        Ok(OrderView {
            id: o.id.clone(),
            contract_no: o.contract_no.clone(),
            contract_model: contract.map(|c| c.model).unwrap_or_default(),
            customer,
            salesperson: o.salesperson.clone(),
            created_on: o.created_on,
            serial: o.serial.clone(),
            machine_model: match &o.serial {
                Some(serial) => store
                    .record::<Machine>(RecordKind::Machine, serial)?
                    .map(|m| m.model),
                None => None,
            },
            substitute: o.substitute,
            accessories,
            state: o.state.name(),
            swap_blocker: o.swap_blocker(),
            application,
            shipped_on,
            carrier,
            cancel_reason,
            swaps: o
                .swaps
                .iter()
                .map(|s| SwapView {
                    old_serial: s.old_serial.clone(),
                    new_serial: s.new_serial.clone(),
                    reason: s.reason.clone(),
                    by: s.by.clone(),
                    on: s.on,
                })
                .collect(),
        })
    }

    pub fn order(&self, ctx: &Ctx, id: &str) -> Result<OrderView> {
        let user = self.viewer(ctx)?;
        let o = order(self.store(), id)?;
        check_contract_scope(self.store(), &user, &o.contract_no)?;
        self.order_view(&o)
    }

    /// Orders in the viewer's scope, newest first.
    pub fn orders(&self, ctx: &Ctx) -> Result<Vec<OrderView>> {
        let user = self.viewer(ctx)?;
        let mut out = Vec::new();
        for o in self.store().records::<Order>(RecordKind::Order) {
            let o = o?;
            if check_contract_scope(self.store(), &user, &o.contract_no).is_ok() {
                out.push(self.order_view(&o)?);
            }
        }
        out.sort_by_key(|o| {
            std::cmp::Reverse(o.id.trim_start_matches('O').parse::<u64>().unwrap_or(0))
        });
        Ok(out)
    }

    /// Orders by state (the outbound report's summary).
    pub fn orders_by_state(&self, ctx: &Ctx) -> Result<Vec<OrdersByState>> {
        let orders = self.orders(ctx)?;
        Ok(["draft", "submitted", "approved", "shipped", "cancelled"]
            .into_iter()
            .map(|state| OrdersByState {
                state,
                orders: orders.iter().filter(|o| o.state == state).count(),
            })
            .collect())
    }

    /// Whether swapping `serial` into order `order_id` takes it from another branch's yard:
    /// the yard's branch (by its name, among the branches of users, sites and the contract)
    /// is known and is not the contract's. The swap itself is allowed either way.
    pub fn swap_crossing(
        &self,
        ctx: &Ctx,
        order_id: &str,
        serial: &str,
    ) -> Result<Option<YardCrossing>> {
        let o = self.order(ctx, order_id)?;
        let store = self.store();
        let m = machine(store, serial)?;
        let contract_branch = match store.contract(&o.contract_no)? {
            Some(c) => store.customer(&c.customer_id)?.map(|c| c.branch),
            None => None,
        };
        let Some(contract_branch) = contract_branch else {
            return Ok(None);
        };
        let mut branches = vec![contract_branch.clone()];
        for u in store.users() {
            branches.extend(u?.branch);
        }
        for site in store.records::<super::Site>(RecordKind::Site) {
            branches.extend(site?.branches);
        }
        branches.sort();
        branches.dedup();
        Ok(crate::domain::outbound::yard_branch(&m.yard, &branches)
            .filter(|b| *b != contract_branch)
            .map(|b| YardCrossing {
                serial: m.serial.clone(),
                yard: m.yard.clone(),
                yard_branch: b.to_string(),
                contract_branch: contract_branch.clone(),
            }))
    }

    /// Approved contracts in the viewer's scope waiting for their machine (see
    /// `AwaitingContract`), newest signed first.
    pub fn contracts_awaiting_machine(&self, ctx: &Ctx) -> Result<Vec<AwaitingContract>> {
        let viewer = self.viewer(ctx)?;
        let store = self.store();
        let mut ordered = std::collections::HashSet::new();
        for o in store.records::<Order>(RecordKind::Order) {
            let o = o?;
            if !matches!(o.state, OrderState::Cancelled { .. }) {
                ordered.insert(o.contract_no);
            }
        }
        let mut out = Vec::new();
        for hit in self.contracts_in_scope(&viewer)? {
            if hit.state != "active" || !hit.serial.is_empty() || ordered.contains(&hit.contract_no)
            {
                continue;
            }
            let Some(c) = store.contract(&hit.contract_no)? else {
                continue;
            };
            out.push(AwaitingContract {
                contract_no: hit.contract_no,
                customer: hit.customer,
                branch: hit.branch,
                model: c.model,
                signed_on: c.signed_on,
            });
        }
        out.sort_by(|a, b| {
            b.signed_on
                .cmp(&a.signed_on)
                .then(a.contract_no.cmp(&b.contract_no))
        });
        Ok(out)
    }

    /// Machines an order may pick: in stock, of the contract's model or the same type.
    pub fn pickable(&self, ctx: &Ctx, order_id: &str) -> Result<Vec<MachineView>> {
        let o = self.order(ctx, order_id)?;
        let viewer = self.viewer(ctx)?;
        let store = self.store();
        let kind: Option<String> = store
            .record::<crate::domain::outbound::Model>(RecordKind::Model, &o.contract_model)?
            .map(|m| m.machine_type);
        let approved = store
            .contract(&o.contract_no)?
            .is_some_and(|c| c.state == ContractState::Active);
        if !approved {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for m in store.records::<Machine>(RecordKind::Machine) {
            let m = m?;
            let fits =
                m.model == o.contract_model || kind.as_deref() == Some(m.machine_type.as_str());
            if fits && m.state == MachineStock::InStock {
                out.push(self.machine_view(&viewer, &m, ctx.today));
            }
        }
        // The contract's own model first, then the oldest stock.
        out.sort_by(|a, b| {
            (a.model != o.contract_model)
                .cmp(&(b.model != o.contract_model))
                .then(b.days_in_stock.cmp(&a.days_in_stock))
        });
        Ok(out)
    }
}
