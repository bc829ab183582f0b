//! Commands of the machine system: contracts, outbound orders, machines, stock, reports.

use super::args::*;
use super::table::Table;
use super::{Done, parse_date, parse_money, print_created, print_json, say};
use crate::app::{App, Ctx, MachineView, Mutation, NewContract};
use crate::domain::Rate;

pub fn contract(app: &App, ctx: &Ctx, cmd: ContractCmd) -> Done {
    match cmd {
        ContractCmd::Add {
            contract_no,
            customer_id,
            signed_on,
            model,
            serial,
            financed_amount,
            penalty_rate,
            grace_days,
            json,
        } => {
            let penalty_rate = penalty_rate
                .map(|r| {
                    Rate::parse(&r)
                        .map_err(|e| super::Failure::of(vec![format!("--penalty-rate: {e}")]))
                })
                .transpose()?;
            let new = NewContract {
                no: contract_no,
                customer_id,
                signed_on: parse_date(&signed_on, "--signed-on")?,
                model,
                serial,
                financed: parse_money(&financed_amount, "--financed-amount")?,
                penalty_rate,
                grace_days,
            };
            let outcome = app.execute(
                ctx,
                Mutation::DraftContract {
                    application: String::new(),
                    contract: new,
                },
            )?;
            if !json {
                errln!("{}", outcome.message);
            }
            print_created(outcome.id, &outcome.message, json)
        }
    }
}

fn created(app: &App, ctx: &Ctx, m: Mutation, json: bool) -> Done {
    let outcome = app.execute(ctx, m)?;
    if !json {
        errln!("{}", outcome.message);
    }
    print_created(outcome.id, &outcome.message, json)
}

pub fn outbound(app: &App, ctx: &Ctx, cmd: OutboundCmd) -> Done {
    match cmd {
        OutboundCmd::Create { contract, json } => created(
            app,
            ctx,
            Mutation::CreateOrder {
                id: String::new(),
                contract,
            },
            json,
        ),
        OutboundCmd::Pick { id, serial } => say(app, ctx, Mutation::Pick { order: id, serial }),
        OutboundCmd::AddAccessory {
            id,
            code,
            quantity,
            extra,
        } => say(
            app,
            ctx,
            Mutation::AddAccessory {
                order: id,
                code,
                quantity,
                extra,
            },
        ),
        OutboundCmd::Submit { id, json } => created(
            app,
            ctx,
            Mutation::SubmitOrder {
                application: String::new(),
                order: id,
            },
            json,
        ),
        OutboundCmd::Ship {
            id,
            date,
            carrier,
            note,
        } => {
            let on = parse_date(&date, "--date")?;
            say(
                app,
                ctx,
                Mutation::Ship {
                    order: id,
                    on,
                    carrier,
                    note,
                },
            )
        }
        OutboundCmd::Swap { id, serial, reason } => say(
            app,
            ctx,
            Mutation::SwapMachine {
                order: id,
                serial,
                reason,
            },
        ),
        OutboundCmd::Cancel { id, reason } => {
            say(app, ctx, Mutation::CancelOrder { order: id, reason })
        }
        OutboundCmd::Show { id, json } => {
            let o = app.order(ctx, &id)?;
            if json {
                return print_json(&o);
            }
            outln!(
                "order {} for contract {} ({}, model {}) by {} on {}",
                o.id,
                o.contract_no,
                o.customer,
                o.contract_model,
                o.salesperson,
                o.created_on
            );
            let machine = o.serial.clone().unwrap_or_else(|| "none picked".into());
            outln!(
                "machine: {machine}{}",
                if o.substitute {
                    " (same-type substitute)"
                } else {
                    ""
                }
            );
            outln!(
                "state: {}{}",
                o.state,
                o.application
                    .as_ref()
                    .map_or(String::new(), |a| format!(" (finance approval {a})"))
            );
            if let (Some(on), Some(carrier)) = (o.shipped_on, &o.carrier) {
                outln!(
                    "shipped on {on} by {}",
                    if carrier.is_empty() { "-" } else { carrier }
                );
            }
            let mut t = Table::new(&["code", "accessory", ">quantity", "unit", "line"]);
            for l in &o.accessories {
                t.row(vec![
                    l.code.clone(),
                    l.name.clone(),
                    l.quantity.to_string(),
                    l.unit.clone(),
                    if l.extra { "extra" } else { "contract" }.into(),
                ]);
            }
            out!("{}", t.render());
            for s in &o.swaps {
                outln!(
                    "swap on {}: {} → {} by {}: {}",
                    s.on,
                    s.old_serial,
                    s.new_serial,
                    s.by,
                    s.reason
                );
            }
            Ok(())
        }
        OutboundCmd::List(JsonFlag { json }) => {
            let orders = app.orders(ctx)?;
            if json {
                return print_json(&orders);
            }
            let mut t = Table::new(&["id", "contract", "customer", "sales", "machine", "state"]);
            for o in &orders {
                t.row(vec![
                    o.id.clone(),
                    o.contract_no.clone(),
                    o.customer.clone(),
                    o.salesperson.clone(),
                    o.serial.clone().unwrap_or_default(),
                    o.state.into(),
                ]);
            }
            out!("{}", t.render());
            Ok(())
        }
        OutboundCmd::RemoveAccessory { id, code, extra } => say(
            app,
            ctx,
            Mutation::RemoveAccessory {
                order: id,
                code,
                extra,
            },
        ),
    }
}

fn print_machines(rows: &[MachineView]) {
    let mut t = Table::new(&[
        "serial", "model", "type", "yard", "arrived", ">days", "state", "held by",
    ]);
    for m in rows {
        t.row(vec![
            m.serial.clone(),
            m.model.clone(),
            m.machine_type.clone(),
            m.yard.clone(),
            m.arrived_on.to_string(),
            m.days_in_stock.to_string(),
            m.state.into(),
            m.held_by.clone().unwrap_or_default(),
        ]);
    }
    out!("{}", t.render());
}

pub fn machine(app: &App, ctx: &Ctx, cmd: MachineCmd) -> Done {
    match cmd {
        MachineCmd::Show { serial, json } => {
            let m = app.machine(ctx, &serial)?;
            if json {
                print_json(&m)
            } else {
                print_machines(&[m]);
                Ok(())
            }
        }
    }
}

pub fn stock(app: &App, ctx: &Ctx, model: Option<String>, json: bool, out: &OutArgs) -> Done {
    let rows = app.stock(ctx, model.as_deref())?;
    if super::report::list_out("stock", &rows, out)? {
        return Ok(());
    }
    if json {
        print_json(&rows)
    } else {
        print_machines(&rows);
        Ok(())
    }
}

/// `report outbound`: orders by state.
pub fn outbound_report(app: &App, ctx: &Ctx, json: bool) -> Done {
    let by_state = app.orders_by_state(ctx)?;
    if json {
        return print_json(
            &serde_json::json!({ "by_state": by_state, "orders": app.orders(ctx)? }),
        );
    }
    let mut t = Table::new(&["state", ">orders"]);
    for s in &by_state {
        t.row(vec![s.state.into(), s.orders.to_string()]);
    }
    out!("{}", t.render());
    Ok(())
}
