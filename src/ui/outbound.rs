//! Update logic of the machine system's screens (整机系统): the stock browser, the outbound
//! orders and one order, the pick-serial and swap dialogs. `state::update` hands these
//! screens' commands and popups here; like the rest of the UI it talks only to the app, and
//! the app decides every rule (a refused pick comes back as the app's message).

use super::contract_pick::{ContractPick, ContractPickKey};
use super::form::{Form, FormKind, StockItem};
use super::i18n::{Lang, Msg};
use super::keymap::Command;
use super::log::Level;
use super::pick::{PickDialog, PickEvent, PickMode};
use super::screens::stock::{STATES, StockFilter};
use super::state::{
    Confirm, FilterKey, FilterPopup, Pending, Popup, Screen, State, Status, app_error,
    error_status, execute, show_app_refusal, show_error, show_refusal,
};
use crate::app::{App, Ctx, Mutation};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

/// Whether the book uses the machine system (machines, accessories or orders): only then
/// do the stock and outbound screens show among the tabs.
pub fn in_use(app: &App, ctx: &Ctx) -> bool {
    app.machine_system_in_use(ctx).unwrap_or(false)
}

pub fn reload_stock(state: &mut State, app: &App, ctx: &Ctx) {
    match app.machines(ctx) {
        Ok(machines) => state.stock.load(machines, ctx.today),
        Err(e) => return show_error(state, "load stock", &e),
    }
    if let Some(model) = state.stock.serials.as_ref().map(|s| s.model.clone()) {
        open_model(state, app, ctx, &model);
    }
}

fn open_model(state: &mut State, app: &App, ctx: &Ctx, model: &str) {
    let machine_type = state
        .stock
        .lines
        .iter()
        .find(|l| l.model == model)
        .map(|l| l.machine_type.clone())
        .or_else(|| state.stock.serials.as_ref().map(|s| s.machine_type.clone()))
        .unwrap_or_default();
    let nav = state.stock.serials.take().map(|s| s.nav);
    match app.stock(ctx, Some(model)) {
        Ok(all) => {
            state.stock.open(model, &machine_type, all);
            if let (Some(nav), Some(s)) = (nav, state.stock.serials.as_mut()) {
                s.nav = nav;
                s.nav.clamp(s.visible.len());
            }
        }
        Err(e) => show_error(state, &format!("load machines of {model}"), &e),
    }
}

pub fn reload_orders(state: &mut State, app: &App, ctx: &Ctx) {
    match app
        .orders(ctx)
        .and_then(|o| Ok((o, app.orders_by_state(ctx)?)))
    {
        Ok((rows, by_state)) => state.orders.load(rows, by_state),
        Err(e) => show_error(state, "load outbound orders", &e),
    }
}

fn open_order(state: &mut State, app: &App, ctx: &Ctx, id: &str) {
    match app.order(ctx, id) {
        Ok(view) => state.orders.replace(view),
        Err(e) => show_error(state, &format!("open order {id}"), &e),
    }
}

/// After anything changed an order: the order, the list and the stock read again.
fn after_change(state: &mut State, app: &App, ctx: &Ctx, order: &str) {
    reload_orders(state, app, ctx);
    if state.orders.order.is_some() {
        open_order(state, app, ctx, order);
    }
    if state.stock.loaded {
        reload_stock(state, app, ctx);
    }
}

/// The order on screen: id, contract, state, serial.
fn current(state: &State) -> Option<(String, String, &'static str, Option<String>)> {
    let v = &state.orders.order.as_ref()?.view;
    Some((
        v.id.clone(),
        v.contract_no.clone(),
        v.state,
        v.serial.clone(),
    ))
}

/// A command on the stock or outbound screen; `None` leaves it to the global handling.
pub fn command(state: &mut State, app: &App, ctx: &Ctx, command: Command) -> Option<bool> {
    match state.screen {
        Screen::Stock => stock_command(state, app, ctx, command),
        Screen::Orders => orders_command(state, app, ctx, command),
        _ => None,
    }
}

fn stock_command(state: &mut State, app: &App, ctx: &Ctx, command: Command) -> Option<bool> {
    Some(match command {
        Command::Open => {
            if state.stock.serials.is_some() {
                return Some(false);
            }
            let Some(model) = state.stock.selected().map(|l| l.model.clone()) else {
                return Some(false);
            };
            open_model(state, app, ctx, &model);
            true
        }
        Command::Back => state.stock.serials.take().is_some(),
        Command::Filter => {
            let f = &state.stock.filter;
            let yard = f
                .yard
                .as_ref()
                .and_then(|y| state.stock.yards.iter().position(|x| x == y))
                .map_or(0, |i| i + 1);
            let st = f
                .state
                .and_then(|s| STATES.iter().position(|x| *x == s))
                .map_or(0, |i| i + 1);
            state.popup = Some(Popup::StockFilter(FilterPopup {
                row: 0,
                choice: [yard, st, 0],
            }));
            true
        }
        Command::Clear => {
            if state.stock.filter.is_empty() {
                return Some(false);
            }
            state.stock.set_filter(StockFilter::default());
            true
        }
        Command::Reload => {
            reload_stock(state, app, ctx);
            true
        }
        _ => return None,
    })
}

fn orders_command(state: &mut State, app: &App, ctx: &Ctx, command: Command) -> Option<bool> {
    if state.orders.order.is_none() {
        return Some(match command {
            Command::Open => {
                let Some(id) = state.orders.selected().map(|o| o.id.clone()) else {
                    return Some(false);
                };
                open_order(state, app, ctx, &id);
                true
            }
            // A new order starts from the list of contracts waiting for their machine.
            Command::NewOrder => {
                match app.contracts_awaiting_machine(ctx) {
                    Ok(rows) => {
                        state.popup = Some(Popup::ContractPick(Box::new(ContractPick::new(rows))))
                    }
                    Err(e) => show_error(state, "contracts waiting for a machine", &e),
                }
                true
            }
            Command::DraftContract => {
                state.popup = Some(Popup::Form(Box::new(Form::draft_contract(ctx.today))));
                true
            }
            Command::Reload => {
                reload_orders(state, app, ctx);
                true
            }
            _ => return None,
        });
    }
    let (id, contract, order_state, serial) = current(state)?;
    Some(match command {
        Command::Back => state.orders.order.take().is_some(),
        Command::Reload => {
            after_change(state, app, ctx, &id);
            true
        }
        Command::Pick => {
            let model = state
                .orders
                .order
                .as_ref()
                .map(|o| o.view.contract_model.clone())
                .unwrap_or_default();
            match app.pickable(ctx, &id) {
                Ok(rows) => {
                    state.popup = Some(Popup::Pick(Box::new(PickDialog::pick(&id, &model, rows))))
                }
                Err(e) => show_error(state, &format!("machines for order {id}"), &e),
            }
            true
        }
        Command::Swap => {
            // The app says whether a swap may follow (the same rule the swap is checked by).
            let swappable = state
                .orders
                .order
                .as_ref()
                .is_some_and(|o| o.view.swap_blocker.is_none());
            let Some(serial) = serial.filter(|_| swappable) else {
                let why = state.lang.f(
                    Msg::SwapNeedsShipped,
                    &[&id, state.lang.order_state(order_state)],
                );
                error_status(state, why);
                return Some(true);
            };
            match app.machines(ctx) {
                Ok(machines) => match machines.iter().find(|m| m.serial == serial) {
                    Some(old) => {
                        state.popup = Some(Popup::Pick(Box::new(PickDialog::swap(
                            &id, old, &machines, ctx.today,
                        ))))
                    }
                    None => {
                        let why = state.lang.f(Msg::MachineMissing, &[&serial]);
                        show_refusal(state, "swap", why)
                    }
                },
                Err(e) => show_error(state, "load machines", &e),
            }
            true
        }
        Command::AddLine => {
            match app.accessories(ctx) {
                Ok(list) => {
                    let stock = list
                        .into_iter()
                        .map(|a| StockItem {
                            code: a.code,
                            name: a.name,
                            unit: a.unit,
                            available: a.available,
                        })
                        .collect();
                    state.popup = Some(Popup::Form(Box::new(Form::accessory(&id, stock))));
                }
                Err(e) => show_error(state, "load accessories", &e),
            }
            true
        }
        Command::SubmitOrder => {
            run(
                state,
                app,
                ctx,
                Mutation::SubmitOrder {
                    application: String::new(),
                    order: id,
                },
            );
            true
        }
        Command::Ship => {
            let serial = serial.unwrap_or_default();
            state.popup = Some(Popup::Form(Box::new(Form::ship(&id, &serial, ctx.today))));
            true
        }
        Command::CancelOrder => {
            state.popup = Some(Popup::Form(Box::new(Form::cancel_order(&id, &contract))));
            true
        }
        // The accessory line under the cursor goes back to stock, asked first.
        Command::RemoveLine => {
            let Some(o) = state.orders.order.as_ref() else {
                return Some(false);
            };
            let Some(line) = o.view.accessories.get(o.nav.selected) else {
                return Some(false);
            };
            let lang = state.lang;
            state.popup = Some(Popup::Confirm(Confirm {
                prompt: lang.f(
                    Msg::ConfirmRemoveLine,
                    &[
                        &id,
                        &line.code,
                        &line.name,
                        &line.quantity.to_string(),
                        &line.unit,
                    ],
                ),
                pending: pending(Mutation::RemoveAccessory {
                    order: id.clone(),
                    code: line.code.clone(),
                    extra: line.extra,
                }),
                back: None,
            }));
            true
        }
        _ => return None,
    })
}

/// The order a mutation is about.
fn order_of(m: &Mutation) -> Option<&str> {
    match m {
        Mutation::Pick { order, .. }
        | Mutation::AddAccessory { order, .. }
        | Mutation::SubmitOrder { order, .. }
        | Mutation::Ship { order, .. }
        | Mutation::SwapMachine { order, .. }
        | Mutation::CancelOrder { order, .. }
        | Mutation::RemoveAccessory { order, .. } => Some(order),
        _ => None,
    }
}

/// Runs a mutation on an order (a confirmed one, or submit): the outcome in the status
/// line, the screens read again.
pub fn run(state: &mut State, app: &App, ctx: &Ctx, m: Mutation) {
    let order = order_of(&m).unwrap_or_default().to_string();
    let what = format!("{m:?}");
    match execute(app, ctx, state.lang, &[m]) {
        Ok(message) => {
            state.status = Some(Status::Info(message));
            after_change(state, app, ctx, &order);
        }
        Err(e) => show_app_refusal(state, &what, &e),
    }
}

/// The question to ask before a form's mutation runs (ship, cancel), if it needs one.
pub fn confirm_prompt(lang: Lang, form: &Form) -> Option<String> {
    match &form.kind {
        FormKind::Ship { order, serial } => Some(lang.f(
            Msg::ConfirmShip,
            &[order, serial, form.fields[0].input.text().trim()],
        )),
        FormKind::CancelOrder { order, contract } => {
            Some(lang.f(Msg::ConfirmCancelOrder, &[order, contract]))
        }
        _ => None,
    }
}

/// The pending action for a confirmed form.
pub fn pending(mutation: Mutation) -> Pending {
    Pending::Outbound(Box::new(mutation))
}

/// After a machine-system form saved: the order, or the list, read again.
pub fn after_form(state: &mut State, app: &App, ctx: &Ctx, form: &Form) {
    match &form.kind {
        FormKind::Accessory { order, .. }
        | FormKind::Ship { order, .. }
        | FormKind::CancelOrder { order, .. } => after_change(state, app, ctx, order),
        FormKind::DraftContract => reload_orders(state, app, ctx),
        _ => {}
    }
}

/// Keys in the pick or swap dialog.
pub fn pick_input(
    state: &mut State,
    app: &App,
    ctx: &Ctx,
    mut dialog: Box<PickDialog>,
    key: KeyEvent,
) -> bool {
    match dialog.handle(&key) {
        PickEvent::Cancel => true,
        PickEvent::Unchanged => {
            state.popup = Some(Popup::Pick(dialog));
            false
        }
        PickEvent::Changed => {
            state.popup = Some(Popup::Pick(dialog));
            true
        }
        PickEvent::Choose { serial, reason } => {
            let m = match &dialog.mode {
                PickMode::Pick => Mutation::Pick {
                    order: dialog.order.clone(),
                    serial,
                },
                PickMode::Swap { .. } => {
                    if reason.is_empty() {
                        dialog.message = Some(state.lang.f(
                            Msg::Labelled,
                            &[
                                state.lang.t(Msg::FieldReason),
                                state.lang.t(Msg::ErrRequired),
                            ],
                        ));
                        dialog.reason_focused = true;
                        state.popup = Some(Popup::Pick(dialog));
                        return true;
                    }
                    let swap = Mutation::SwapMachine {
                        order: dialog.order.clone(),
                        serial: serial.clone(),
                        reason,
                    };
                    // A machine from another branch's yard is asked about first.
                    match app.swap_crossing(ctx, &dialog.order, &serial) {
                        Ok(Some(x)) => {
                            let lang = state.lang;
                            state.popup = Some(Popup::Confirm(Confirm {
                                prompt: lang.f(
                                    Msg::ConfirmSwapOtherBranch,
                                    &[
                                        &x.serial,
                                        &x.yard,
                                        &x.yard_branch,
                                        &x.contract_branch,
                                        &dialog.order,
                                    ],
                                ),
                                pending: pending(swap),
                                back: Some(Box::new(Popup::Pick(dialog))),
                            }));
                            return true;
                        }
                        Ok(None) => swap,
                        Err(e) => {
                            dialog.message = Some(app_error(state.lang, &e));
                            state.popup = Some(Popup::Pick(dialog));
                            return true;
                        }
                    }
                }
            };
            let what = format!("{m:?}");
            match execute(app, ctx, state.lang, &[m]) {
                Ok(message) => {
                    state.status = Some(Status::Info(message));
                    let order = dialog.order.clone();
                    after_change(state, app, ctx, &order);
                }
                Err(e) => {
                    state
                        .log
                        .push((Level::Refused, format!("{what}: {}", e.root())));
                    dialog.message = Some(app_error(state.lang, &e));
                    state.popup = Some(Popup::Pick(dialog));
                }
            }
            true
        }
    }
}

/// Keys in the new order's contract list: Enter creates the order and opens it; a refusal
/// stays in the dialog.
pub fn contract_pick_input(
    state: &mut State,
    app: &App,
    ctx: &Ctx,
    mut dialog: Box<ContractPick>,
    key: KeyEvent,
) -> bool {
    match dialog.handle(&key) {
        ContractPickKey::Close => true,
        ContractPickKey::Unchanged => {
            state.popup = Some(Popup::ContractPick(dialog));
            false
        }
        ContractPickKey::Changed => {
            state.popup = Some(Popup::ContractPick(dialog));
            true
        }
        ContractPickKey::Choose(contract) => {
            let m = Mutation::CreateOrder {
                id: String::new(),
                contract: contract.clone(),
            };
            match app.execute(ctx, m.clone()) {
                Ok(outcome) => {
                    state.status = Some(Status::Info(super::state::done_text(
                        state.lang,
                        &[m],
                        std::slice::from_ref(&outcome),
                    )));
                    reload_orders(state, app, ctx);
                    if let Some(id) = outcome.id {
                        open_order(state, app, ctx, &id);
                    }
                }
                Err(e) => {
                    state.log.push((
                        Level::Refused,
                        format!("new order for {contract}: {}", e.root()),
                    ));
                    dialog.message = Some(app_error(state.lang, &e));
                    state.popup = Some(Popup::ContractPick(dialog));
                }
            }
            true
        }
    }
}

/// Keys in the stock filter popup: yard and state, each `(all)` or one value.
pub fn stock_filter_input(state: &mut State, mut f: FilterPopup, key: KeyEvent) -> bool {
    if key.code == KeyCode::Char('q') {
        return true;
    }
    let counts = [state.stock.yards.len() + 1, STATES.len() + 1];
    match f.handle(&key, &counts) {
        FilterKey::Close => true,
        FilterKey::Apply => {
            let filter = StockFilter {
                yard: f.choice[0]
                    .checked_sub(1)
                    .map(|i| state.stock.yards[i].clone()),
                state: f.choice[1].checked_sub(1).map(|i| STATES[i]),
            };
            state.stock.set_filter(filter);
            true
        }
        moved => {
            state.popup = Some(Popup::StockFilter(f));
            moved == FilterKey::Changed
        }
    }
}
