//! Update logic of the admin's part of the settings screen (设置): the users pane (add a
//! user, roles, branch, language, disable, the SSH keys of the one under the cursor) and the
//! allocation order. `state::update` hands the settings screen's commands here; like the rest
//! of the UI it talks only to the app, which checks every permission (the pane is offered to
//! admins only, but a refusal still comes back as the app's words).

use super::form::{Form, FormKind};
use super::i18n::Msg;
use super::keymap::Command;
use super::screens::settings::Pane;
use super::state::{
    Confirm, Pending, Popup, Screen, State, Status, execute, show_app_refusal, show_error,
};
use crate::app::{App, Ctx, Mutation};
use crate::domain::AllocationOrder;

/// Reads the users again, and the keys of the one under the cursor.
pub fn reload_users(state: &mut State, app: &App, ctx: &Ctx) {
    match app.users(ctx) {
        Ok(users) => {
            let s = &mut state.settings;
            s.users = users;
            s.nav.clamp(s.users.len());
            s.users_loaded = true;
        }
        Err(e) => return show_error(state, "load users", &e),
    }
    load_keys(state, app, ctx);
}

/// The SSH keys of the user under the cursor, unless already shown.
fn load_keys(state: &mut State, app: &App, ctx: &Ctx) {
    let name = state.settings.selected_user().map(|u| u.name.clone());
    match &name {
        Some(n) => match app.user_keys(ctx, n) {
            Ok(keys) => state.settings.keys = keys,
            Err(e) => show_error(state, &format!("keys of {n}"), &e),
        },
        None => state.settings.keys.clear(),
    }
    state.settings.keys_of = name;
}

/// After the cursor moved in the users pane.
pub fn moved(state: &mut State, app: &App, ctx: &Ctx) {
    if state.screen == Screen::Settings && state.settings.pane == Pane::Users {
        load_keys(state, app, ctx);
    }
}

/// A command on the settings screen; `None` leaves it to the global handling.
pub fn command(state: &mut State, app: &App, ctx: &Ctx, command: Command) -> Option<bool> {
    if state.screen != Screen::Settings {
        return None;
    }
    let lang = state.lang;
    Some(match command {
        Command::NextPane | Command::PrevPane if state.settings.admin => {
            let s = &mut state.settings;
            s.pane = match s.pane {
                Pane::Settings => Pane::Users,
                Pane::Users => Pane::Settings,
            };
            if s.pane == Pane::Users && !s.users_loaded {
                reload_users(state, app, ctx);
            }
            true
        }
        // Only admins have a second pane; the keys do nothing else here.
        Command::NextPane | Command::PrevPane => false,
        Command::Allocation => {
            let now = state.settings.view.as_ref().map(|v| v.allocation_order);
            let order = if now == Some("statutory") {
                AllocationOrder::DueFirst
            } else {
                AllocationOrder::Statutory
            };
            state.popup = Some(Popup::Confirm(Confirm {
                prompt: lang.f(Msg::ConfirmAllocation, &[lang.t(order_word(order))]),
                pending: Pending::Admin(Box::new(Mutation::SetAllocationOrder { order })),
                back: None,
            }));
            true
        }
        Command::Reload if state.settings.pane == Pane::Users => {
            reload_users(state, app, ctx);
            true
        }
        Command::AddUser => {
            state.popup = Some(Popup::Form(Box::new(Form::add_user())));
            true
        }
        Command::SetRoles | Command::SetBranch | Command::Language | Command::DisableUser => {
            let Some(u) = state.settings.selected_user() else {
                return Some(false);
            };
            let name = u.name.clone();
            state.popup = Some(match command {
                Command::SetRoles => {
                    let roles: Vec<_> = u
                        .roles
                        .iter()
                        .filter_map(|r| crate::domain::Role::parse(r))
                        .collect();
                    Popup::Form(Box::new(Form::roles(&name, &roles)))
                }
                Command::SetBranch => {
                    Popup::Form(Box::new(Form::branch(&name, u.branch.as_deref())))
                }
                Command::Language => Popup::Form(Box::new(Form::language(
                    &name,
                    u.lang.and_then(super::i18n::Lang::parse),
                ))),
                _ => Popup::Confirm(Confirm {
                    prompt: lang.f(Msg::ConfirmDisableUser, &[&name, &u.display]),
                    pending: Pending::Admin(Box::new(Mutation::DisableUser { name })),
                    back: None,
                }),
            });
            true
        }
        _ => return None,
    })
}

/// The words of an allocation order.
pub fn order_word(order: AllocationOrder) -> Msg {
    match order {
        AllocationOrder::Statutory => Msg::OrderStatutory,
        _ => Msg::OrderDefault,
    }
}

/// Runs a confirmed admin change (disable a user, the allocation order).
pub fn run(state: &mut State, app: &App, ctx: &Ctx, m: Mutation) {
    let what = format!("{m:?}");
    let book_wide = matches!(m, Mutation::SetAllocationOrder { .. });
    match execute(app, ctx, state.lang, &[m]) {
        Ok(message) => {
            state.status = Some(Status::Info(message));
            if book_wide {
                super::state::after_settings_change(state, app, ctx);
            } else {
                reload_users(state, app, ctx);
            }
        }
        Err(e) => show_app_refusal(state, &what, &e),
    }
}

/// After a users-pane form saved: the users read again, the new one under the cursor.
pub fn after_form(state: &mut State, app: &App, ctx: &Ctx, form: &Form) {
    reload_users(state, app, ctx);
    if let FormKind::AddUser = form.kind {
        let name = form.fields[0].input.text().trim();
        if let Some(i) = state.settings.users.iter().position(|u| u.name == name) {
            state.settings.nav.selected = i;
            load_keys(state, app, ctx);
        }
    }
}
