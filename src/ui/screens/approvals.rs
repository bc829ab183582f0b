//! Approvals inbox (审批): the steps waiting for the viewer's decision, with the overdue
//! figures kept at submission and the history of the selected one; approve or reject with
//! a comment. A second pane lists what the viewer decided (their decision, and the whole
//! history of the selected one); a third the viewer's notifications, to mark read.

use super::super::i18n::{Lang, Msg};
use super::super::text::width;
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, ColSpec, spec};
use super::application;
use crate::app::{ApplicationRow, ApplicationView, DecidedRow, NotificationView};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Pending,
    Decided,
    Notifications,
}

/// How many of the viewer's past decisions the decided pane lists (the latest ones).
pub const DECIDED_SHOWN: usize = 500;

#[derive(Clone, Debug, Default)]
pub struct ApprovalsScreen {
    pub pane: Pane,
    /// Applications whose current step the viewer may decide, newest first.
    pub rows: Vec<ApplicationRow>,
    /// The selected application in full (chain, history).
    pub detail: Option<ApplicationView>,
    pub nav: ListNav,
    /// Applications the viewer decided a step of, their latest decision first.
    pub decided: Vec<DecidedRow>,
    pub decided_nav: ListNav,
    pub notes: Vec<NotificationView>,
    pub notes_nav: ListNav,
    pub loaded: bool,
}

impl ApprovalsScreen {
    pub fn load(
        &mut self,
        rows: Vec<ApplicationRow>,
        decided: Vec<DecidedRow>,
        notes: Vec<NotificationView>,
    ) {
        self.rows = rows;
        self.nav.clamp(self.rows.len());
        self.decided = decided;
        self.decided_nav.clamp(self.decided.len());
        self.notes = notes;
        self.notes_nav.clamp(self.notes.len());
        self.loaded = true;
    }

    /// The application under the cursor: a pending step's, or a decided one's.
    pub fn selected(&self) -> Option<&ApplicationRow> {
        match self.pane {
            Pane::Pending => self.rows.get(self.nav.selected),
            Pane::Decided => self.decided.get(self.decided_nav.selected).map(|d| &d.row),
            Pane::Notifications => None,
        }
    }

    pub fn selected_note(&self) -> Option<&NotificationView> {
        self.notes.get(self.notes_nav.selected)
    }

    pub fn len(&self) -> usize {
        match self.pane {
            Pane::Pending => self.rows.len(),
            Pane::Decided => self.decided.len(),
            Pane::Notifications => self.notes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn nav_mut(&mut self) -> &mut ListNav {
        match self.pane {
            Pane::Pending => &mut self.nav,
            Pane::Decided => &mut self.decided_nav,
            Pane::Notifications => &mut self.notes_nav,
        }
    }

    pub fn switch_pane(&mut self, forward: bool) {
        self.pane = match (self.pane, forward) {
            (Pane::Pending, true) | (Pane::Notifications, false) => Pane::Decided,
            (Pane::Decided, true) | (Pane::Pending, false) => Pane::Notifications,
            (Pane::Notifications, true) | (Pane::Decided, false) => Pane::Pending,
        };
    }
}

pub fn draw(a: &ApprovalsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let unread = a.notes.iter().filter(|n| !n.read).count();
    let mut tabs = Vec::new();
    for (pane, title, count) in [
        (Pane::Pending, Msg::PanePending, a.rows.len()),
        (Pane::Decided, Msg::PaneDecided, a.decided.len()),
        (Pane::Notifications, Msg::PaneNotifications, unread),
    ] {
        let style = if pane == a.pane {
            theme.style("tab.active")
        } else {
            theme.style("tab")
        };
        tabs.push(Span::styled(format!("{} ({count})", lang.t(title)), style));
        tabs.push(Span::raw("  "));
    }
    buf.set_line(area.x, area.y, &Line::from(tabs), area.width);
    if area.height < 3 {
        return;
    }
    let rest = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    match a.pane {
        Pane::Pending => draw_pending(a, lang, theme, buf, rest),
        Pane::Decided => draw_decided(a, lang, theme, buf, rest),
        Pane::Notifications => draw_notes(a, lang, theme, buf, rest),
    }
}

fn draw_pending(a: &ApprovalsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    if a.rows.is_empty() {
        return nothing(lang.t(Msg::NoPendingSteps), theme, buf, area);
    }
    let titles = [
        Msg::ColId,
        Msg::ColType,
        Msg::ColContract,
        Msg::ColCustomer,
        Msg::ColApplicant,
        Msg::ColDays,
        Msg::ColOverdue,
        Msg::ColPenalty,
        Msg::ColOutstanding,
        Msg::ColStep,
    ];
    let specs = [
        spec(0, 5, 0, false, 0),
        spec(1, 8, 0, false, 0),
        spec(2, 11, 0, false, 0),
        spec(3, 10, 0, false, 10),
        spec(4, 9, 4, false, 2),
        spec(5, 5, 0, true, 0),
        spec(6, 12, 0, true, 2),
        spec(7, 10, 2, true, 2),
        spec(8, 12, 3, true, 2),
        spec(9, 14, 1, false, 8),
    ];
    let base = theme.style("base");
    let rows: Vec<Vec<(String, Style)>> = a
        .rows
        .iter()
        .map(|r| {
            let days = theme.overdue(r.days_overdue);
            vec![
                (r.id.clone(), base),
                (lang.document(r.document).to_string(), base),
                (r.contract_no.clone(), base),
                (r.customer.clone(), base),
                (r.applicant.clone(), base),
                (r.days_overdue.to_string(), days),
                (r.overdue_amount.display(), base),
                (r.penalty_outstanding.display(), base),
                (r.total_outstanding.display(), base),
                (
                    r.current_step
                        .as_deref()
                        .map_or(String::new(), |s| lang.step(s)),
                    base,
                ),
            ]
        })
        .collect();
    list_and_detail(a, lang, theme, buf, area, (&titles, &specs, &rows), &a.nav);
}

/// The viewer's past decisions: what they decided on which date, with their comment, and
/// where the application stands now; the selected one whole below.
fn draw_decided(a: &ApprovalsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    if a.decided.is_empty() {
        return nothing(lang.t(Msg::NoDecisions), theme, buf, area);
    }
    let titles = [
        Msg::ColId,
        Msg::ColType,
        Msg::ColContract,
        Msg::ColCustomer,
        Msg::ColDate,
        Msg::ColDecision,
        Msg::ColStatus,
        Msg::FieldComment,
    ];
    let specs = [
        spec(0, 5, 0, false, 0),
        spec(1, 8, 0, false, 0),
        spec(2, 11, 0, false, 0),
        spec(3, 10, 2, false, 10),
        spec(4, 10, 0, false, 0),
        spec(5, 8, 0, false, 0),
        spec(6, 8, 1, false, 0),
        spec(7, 10, 3, false, 30),
    ];
    let base = theme.style("base");
    let rows: Vec<Vec<(String, Style)>> = a
        .decided
        .iter()
        .map(|d| {
            let decision = match d.decision.action {
                "rejected" => theme.style("danger"),
                _ => base,
            };
            vec![
                (d.row.id.clone(), base),
                (lang.document(d.row.document).to_string(), base),
                (d.row.contract_no.clone(), base),
                (d.row.customer.clone(), base),
                (d.decision.on.to_string(), base),
                (
                    application::action_text(lang, d.decision.action).to_string(),
                    decision,
                ),
                (lang.status(d.row.stage).to_string(), base),
                (d.decision.comment.clone(), theme.style("muted")),
            ]
        })
        .collect();
    list_and_detail(
        a,
        lang,
        theme,
        buf,
        area,
        (&titles, &specs, &rows),
        &a.decided_nav,
    );
}

/// Columns' titles and specs, and the rows' cells.
type Table<'a> = (&'a [Msg], &'a [ColSpec<usize>], &'a [Vec<(String, Style)>]);

/// A list in up to a third of the height, the selected application whole below it.
fn list_and_detail(
    a: &ApprovalsScreen,
    lang: Lang,
    theme: &Theme,
    buf: &mut Buffer,
    area: Rect,
    (titles, specs, rows): Table<'_>,
    nav: &ListNav,
) {
    let list_h = (rows.len() as u16 + 1).clamp(2, (area.height / 3).max(3));
    let list = Rect::new(area.x, area.y, area.width, list_h);
    draw_table(
        lang,
        theme,
        buf,
        list,
        titles,
        specs,
        rows,
        nav,
        theme.style("header"),
    );
    if let Some(v) = &a.detail
        && area.height > list_h + 1
    {
        let detail = Rect::new(
            area.x,
            area.y + list_h + 1,
            area.width,
            area.height - list_h - 1,
        );
        application::draw(v, lang, theme, buf, detail);
    }
}

fn draw_notes(a: &ApprovalsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    if a.notes.is_empty() {
        return nothing(lang.t(Msg::NoNotifications), theme, buf, area);
    }
    let titles = [Msg::ColDate, Msg::ColId, Msg::ColText, Msg::ColDelivery];
    let specs = [
        spec(0, 10, 0, false, 0),
        spec(1, 5, 0, false, 0),
        spec(2, 30, 0, false, 200),
        spec(3, 8, 1, false, 0),
    ];
    let rows: Vec<Vec<(String, Style)>> = a
        .notes
        .iter()
        .map(|n| {
            let style = if n.read {
                theme.style("muted")
            } else {
                theme.style("marked")
            };
            let delivery = match n.delivery {
                "delivered" => (lang.t(Msg::DeliveryDelivered), theme.style("muted")),
                "failed" => (lang.t(Msg::DeliveryFailed), theme.style("danger")),
                _ => (lang.t(Msg::DeliveryPending), theme.style("muted")),
            };
            vec![
                (n.on.to_string(), style),
                (n.application.clone(), style),
                (lang.notification(&n.note), style),
                (delivery.0.to_string(), delivery.1),
            ]
        })
        .collect();
    draw_table(
        lang,
        theme,
        buf,
        area,
        &titles,
        &specs,
        &rows,
        &a.notes_nav,
        theme.style("header"),
    );
}

/// A header row and the rows under it, scrolled to keep the cursor in sight.
#[allow(clippy::too_many_arguments)]
pub fn draw_table(
    lang: Lang,
    theme: &Theme,
    buf: &mut Buffer,
    area: Rect,
    titles: &[Msg],
    specs: &[ColSpec<usize>],
    rows: &[Vec<(String, Style)>],
    nav: &ListNav,
    header_style: Style,
) {
    let mut specs = specs.to_vec();
    table::widen_figures(&mut specs, rows.len(), |r, c| width(&rows[r][c].0));
    let cols = table::fit(area.width as usize, &specs);
    let header: Vec<Span> = cols
        .iter()
        .map(|(s, cw)| table::cell(lang.t(titles[s.id]), *cw, s.right, header_style))
        .collect();
    buf.set_line(area.x, area.y, &table::row(header), area.width);
    if area.height < 2 || rows.is_empty() {
        return;
    }
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    table::draw_page(body, buf, &cols, rows, nav, theme.style("selection"));
}

/// A list with nothing in it: says so in muted text.
fn nothing(text: &str, theme: &Theme, buf: &mut Buffer, area: Rect) {
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(text, theme.style("muted")),
        area.width,
    );
}
