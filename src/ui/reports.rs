//! What the reports screen's commands do: compute the report the screen's choices ask for
//! (through the app, which checks scope), step through reports, periods, branches and parts,
//! and export the report as shown to an xlsx file in the configured directory.

use super::i18n::Msg;
use super::keymap::Command;
use super::state::{Screen, State, Status, show_error};
use crate::app::{App, Ctx};
use crate::domain::Role;

/// Whether the viewer is offered the reports screen: finance, approvers and admins.
pub fn allowed(app: &App, ctx: &Ctx) -> bool {
    app.user(&ctx.actor)
        .is_ok_and(|u| u.has(Role::Finance) || u.has(Role::Approver) || u.has(Role::Admin))
}

/// Computes the report the screen's choices ask for.
pub fn reload(state: &mut State, app: &App, ctx: &Ctx) {
    if state.reports.branches.is_empty() {
        state.reports.branches = state.dashboard.branches().to_vec();
    }
    let name = state.reports.name();
    let query = state.reports.query(ctx.today);
    match app.report(ctx, name, &query) {
        Ok(report) => state.reports.load(report),
        Err(e) => show_error(state, &format!("load the {} report", name.name()), &e),
    }
}

/// The reports screen's own commands; None for the others.
pub fn command(state: &mut State, app: &App, ctx: &Ctx, command: Command) -> Option<bool> {
    if state.screen != Screen::Reports {
        return None;
    }
    let r = &mut state.reports;
    match command {
        Command::NextReport | Command::PrevReport => r.step_report(command == Command::NextReport),
        Command::Period => r.next_period(),
        Command::Filter => r.next_branch(),
        Command::NextSheet => return Some(r.next_sheet()),
        Command::Export => {
            export(state);
            return Some(true);
        }
        Command::Reload => {}
        _ => return None,
    }
    reload(state, app, ctx);
    Some(true)
}

/// Writes the report as shown (every part) to `<export dir>/<file_name>`.
fn export(state: &mut State) {
    let Some(report) = &state.reports.data else {
        return;
    };
    let dir = state
        .export_dir
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    let path = dir.join(state.reports.file_name());
    let shown = path.display().to_string();
    state.status = Some(match crate::export::save_xlsx(&report.sheets, &path) {
        Ok(()) => Status::Info(state.lang.f(Msg::ReportExported, &[&shown])),
        Err(e) => {
            state
                .log
                .push((super::log::Level::Error, format!("export {shown}: {e}")));
            Status::Error(state.lang.f(Msg::ReportExportFailed, &[&e]))
        }
    });
}
