//! Work the screens do a part at a time between frames, showing how far it has come: an
//! accrual of penalty over the whole book (finance's `A` on the settings screen). While a
//! job runs the session takes no keys; each round of the loop does one part (one atomic,
//! journaled write) and draws the progress, so a big book never leaves the screen frozen.

use super::state::{State, Status, after_settings_change, done_text, show_app_refusal};
use super::text::truncate;
use crate::app::{AccrualSteps, App, Ctx, Mutation};
use crate::i18n::Msg;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Contracts one step of an accrual evaluates: a part takes a fraction of a second, so the
/// progress moves and a quit is heard soon.
pub const ACCRUE_STEP: usize = 2_000;

pub enum Job {
    Accrue(AccrualSteps),
}

/// Starts accruing penalty through `through`; the app's refusal (a user who may not, a date
/// past today) is returned for the form to show.
pub(super) fn start_accrual(
    state: &mut State,
    app: &App,
    ctx: &Ctx,
    through: chrono::NaiveDate,
    part: usize,
) -> Result<(), crate::app::AppError> {
    state.job = Some(Job::Accrue(app.accrual_steps(ctx, through, part)?));
    Ok(())
}

/// Does the job's next part; returns whether the screen must be redrawn.
pub(super) fn step(state: &mut State, app: &App, ctx: &Ctx) -> bool {
    let Some(Job::Accrue(steps)) = state.job.as_mut() else {
        return false;
    };
    let through = steps.through();
    match app.accrue_step(ctx, steps) {
        Ok(None) => {}
        Ok(Some(outcome)) => {
            state.job = None;
            let text = match outcome.changed {
                true => done_text(state.lang, &[Mutation::Accrue { through }], &[outcome]),
                false => state.lang.f(Msg::AccrueAlready, &[&through.to_string()]),
            };
            state.status = Some(Status::Info(text));
            after_settings_change(state, app, ctx);
        }
        Err(e) => {
            state.job = None;
            show_app_refusal(state, &format!("accrue through {through}"), &e);
            after_settings_change(state, app, ctx);
        }
    }
    true
}

/// The job's progress in a box over the screen: what, how far, a bar.
pub(super) fn draw(state: &State, job: &Job, buf: &mut Buffer, area: Rect) {
    let Job::Accrue(steps) = job;
    let theme = &state.theme;
    let lang = state.lang;
    let w = 60u16.min(area.width);
    let inner = super::view::popup_box(state, buf, area, w, 5, lang.t(Msg::AccrueProgressTitle));
    if inner.width < 4 || inner.height < 3 {
        return;
    }
    let cells = (inner.width - 2) as usize;
    let (done, total) = steps.progress();
    let text = lang.f(
        Msg::AccrueProgress,
        &[
            &steps.through().to_string(),
            &done.to_string(),
            &total.to_string(),
        ],
    );
    let filled = match total {
        0 => 0,
        total => cells * done.min(total) / total,
    };
    let lines = [
        Line::styled(truncate(&text, cells), theme.style("popup")),
        Line::styled(
            format!("{}{}", "#".repeat(filled), ".".repeat(cells - filled)),
            theme.style("popup.title"),
        ),
        Line::styled(
            truncate(lang.t(Msg::AccrueProgressWait), cells),
            theme.style("muted"),
        ),
    ];
    for (i, line) in lines.iter().enumerate() {
        buf.set_line(inner.x + 1, inner.y + i as u16, line, inner.width - 1);
    }
}
