//! What the budget screen's commands do: load the chosen branch's month and the league table
//! (through the app, which checks scope), step months and branches, open the forms that
//! draft a line or book manual spending, and submit the draft to approval.

use super::form::Form;
use super::i18n::Msg;
use super::keymap::Command;
use super::state::{Popup, Screen, State, Status, show_app_refusal, show_error};
use crate::app::{App, Ctx, Mutation};
use crate::domain::Role;
use crate::domain::budget::Month;

/// Whether the viewer is offered the budget screen: finance, admins, and a branch's
/// approvers.
pub fn allowed(app: &App, ctx: &Ctx) -> bool {
    app.user(&ctx.actor).is_ok_and(|u| {
        u.has(Role::Finance) || u.has(Role::Admin) || (u.has(Role::Approver) && u.branch.is_some())
    })
}

/// Whether the viewer drafts and books (finance and admins); the others only read.
fn plans(app: &App, ctx: &Ctx) -> bool {
    app.user(&ctx.actor)
        .is_ok_and(|u| u.has(Role::Finance) || u.has(Role::Admin))
}

/// Loads the chosen branch's month and the month's league table.
pub fn reload(state: &mut State, app: &App, ctx: &Ctx) {
    let month = *state.budget.month.get_or_insert(Month::of(ctx.today));
    let view = match app.budget_month(ctx, month, None) {
        Ok(view) => view,
        Err(e) => return show_error(state, "load the budget", &e),
    };
    // The branches offered: those with a plan or actuals this month, then (for finance) the
    // book's other branches, or the viewer's own.
    let mut branches: Vec<String> = view.branches.iter().map(|b| b.branch.clone()).collect();
    let user = app.user(&ctx.actor).ok();
    let own = user.as_ref().and_then(|u| u.branch.clone());
    let more: Vec<String> = match (&own, plans(app, ctx)) {
        (Some(b), _) => vec![b.clone()],
        (None, true) => state.dashboard.branches().to_vec(),
        (None, false) => Vec::new(),
    };
    for b in more {
        if !branches.contains(&b) {
            branches.push(b);
        }
    }
    let keep = state.budget.branch().map(str::to_string);
    state.budget.branch = keep
        .and_then(|k| branches.iter().position(|b| *b == k))
        .unwrap_or(0);
    state.budget.branches = branches;
    state.budget.closed = view.closed;
    state.budget.data = match state.budget.branch() {
        Some(b) => view
            .branches
            .into_iter()
            .find(|x| x.branch == b)
            .or_else(|| {
                app.budget_month(ctx, month, Some(b))
                    .ok()
                    .and_then(|v| v.branches.into_iter().next())
            }),
        None => None,
    };
    state.budget.league = match app.budget_league(ctx, month) {
        Ok(l) => Some(l),
        Err(e) => return show_error(state, "load the league table", &e),
    };
    let len = state.budget.len();
    state.budget.nav.clamp(len);
    state.budget.loaded = true;
}

/// The budget screen's own commands; None for the others.
pub fn command(state: &mut State, app: &App, ctx: &Ctx, command: Command) -> Option<bool> {
    if state.screen != Screen::Budget {
        return None;
    }
    let b = &mut state.budget;
    match command {
        Command::PrevMonth | Command::NextMonth => b.step_month(command == Command::NextMonth),
        Command::Filter => b.next_branch(),
        Command::League => {
            b.show_league = !b.show_league;
            b.nav = Default::default();
            return Some(true);
        }
        Command::BudgetLine | Command::BudgetSpending => {
            let (Some(month), Some(branch)) = (b.month, b.branch().map(str::to_string)) else {
                state.status = Some(Status::Error(state.lang.t(Msg::BudgetNoBranch).into()));
                return Some(true);
            };
            let form = if command == Command::BudgetLine {
                let lines = app
                    .budget_lines(ctx, month, &branch, None)
                    .unwrap_or_default();
                Form::budget_line(month, &branch, lines)
            } else {
                Form::budget_spending(month, &branch)
            };
            state.popup = Some(Popup::Form(Box::new(form)));
            return Some(true);
        }
        Command::BudgetSubmit => {
            let (Some(month), Some(branch)) = (b.month, b.branch().map(str::to_string)) else {
                return Some(false);
            };
            let mutation = Mutation::SubmitBudget {
                application: String::new(),
                month,
                branch,
            };
            match app.execute(ctx, mutation) {
                Ok(outcome) => state.status = Some(Status::Info(outcome.message)),
                Err(e) => {
                    show_app_refusal(state, "submit the budget", &e);
                    return Some(true);
                }
            }
        }
        Command::Reload => {}
        _ => return None,
    }
    reload(state, app, ctx);
    Some(true)
}
