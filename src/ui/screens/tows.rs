//! Tow board (拖机登记), for clerks: approved tows awaiting registration, registered and
//! scheduled ones, and those done or failed, each group under its title; the selected
//! tow in full below. Forms register a tow (crew, planned date, location, note) and record
//! its outcome (towed back: date, yard, condition, cost — after a confirmation; or failed,
//! with a reason).
//!
//! Its second view is the lock board (锁机执行): approved lock and unlock orders of the
//! clerk's branch awaiting execution, then the executed ones; executing one sends it to the
//! GPS vendor through the configured `lock_command` and shows how that went, and an order
//! whose command failed stays approved, to be sent again.

use super::super::i18n::{Lang, Msg};
use super::super::text::width;
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, spec};
use super::application;
use crate::app::ApplicationView;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The board's groups, in the order shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Awaiting,
    Scheduled,
    Finished,
}

impl Group {
    pub const ALL: [Group; 3] = [Group::Awaiting, Group::Scheduled, Group::Finished];

    pub fn of(stage: &str) -> Group {
        match stage {
            "approved" => Group::Awaiting,
            "scheduled" => Group::Scheduled,
            _ => Group::Finished,
        }
    }

    fn title(self) -> Msg {
        match self {
            Group::Awaiting => Msg::TowAwaiting,
            Group::Scheduled => Msg::TowScheduled,
            Group::Finished => Msg::TowFinished,
        }
    }
}

/// Which of the board's two lists shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    #[default]
    Tows,
    Locks,
}

#[derive(Clone, Debug, Default)]
pub struct TowBoard {
    /// Tows grouped (awaiting, scheduled, finished), newest first within a group.
    pub rows: Vec<ApplicationView>,
    pub nav: ListNav,
    pub loaded: bool,
    pub view: View,
    /// Lock and unlock orders: awaiting execution first, then executed; newest first.
    pub locks: Vec<ApplicationView>,
    pub locks_nav: ListNav,
}

impl TowBoard {
    pub fn load(&mut self, mut rows: Vec<ApplicationView>) {
        // A stable sort keeps the app's newest-first order within each group.
        rows.sort_by_key(|v| Group::ALL.iter().position(|g| *g == Group::of(v.row.stage)));
        self.rows = rows;
        self.nav.clamp(self.rows.len());
        self.loaded = true;
    }

    pub fn selected(&self) -> Option<&ApplicationView> {
        match self.view {
            View::Tows => self.rows.get(self.nav.selected),
            View::Locks => self.locks.get(self.locks_nav.selected),
        }
    }

    pub fn load_locks(&mut self, mut locks: Vec<ApplicationView>) {
        locks.sort_by_key(|v| v.row.stage != "approved");
        self.locks = locks;
        self.locks_nav.clamp(self.locks.len());
    }

    pub fn toggle_view(&mut self) {
        self.view = match self.view {
            View::Tows => View::Locks,
            View::Locks => View::Tows,
        };
    }

    /// The length of the list showing, and its cursor.
    pub fn list(&mut self) -> (usize, &mut ListNav) {
        match self.view {
            View::Tows => (self.rows.len(), &mut self.nav),
            View::Locks => (self.locks.len(), &mut self.locks_nav),
        }
    }

    pub fn count(&self, group: Group) -> usize {
        self.rows
            .iter()
            .filter(|v| Group::of(v.row.stage) == group)
            .count()
    }
}

pub fn draw(b: &TowBoard, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let awaiting = b.locks.iter().filter(|v| v.row.stage == "approved").count();
    let mut tabs = Vec::new();
    for (view, text) in [
        (
            View::Tows,
            lang.f(Msg::BoardTows, &[&b.rows.len().to_string()]),
        ),
        (
            View::Locks,
            lang.f(Msg::BoardLocks, &[&awaiting.to_string()]),
        ),
    ] {
        let style = if view == b.view {
            theme.style("tab.active")
        } else {
            theme.style("tab")
        };
        tabs.push(Span::styled(text, style));
        tabs.push(Span::raw("  "));
    }
    buf.set_line(area.x, area.y, &Line::from(tabs), area.width);
    if area.height < 3 {
        return;
    }
    let area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    match b.view {
        View::Tows => draw_tows(b, lang, theme, buf, area),
        View::Locks => draw_locks(b, lang, theme, buf, area),
    }
}

/// Lock and unlock orders: what, on whose machine, and how sending it went.
fn draw_locks(b: &TowBoard, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let titles = [
        lang.t(Msg::ColId),
        lang.t(Msg::ColType),
        lang.t(Msg::ColContract),
        lang.t(Msg::ColCustomer),
        lang.t(Msg::ColBranch),
        lang.t(Msg::ColDays),
        lang.t(Msg::ColStatus),
        lang.t(Msg::ColLastRun),
    ];
    let specs = [
        spec(0, 5, 0, false, 0),
        spec(1, 6, 0, false, 0),
        spec(2, 11, 0, false, 0),
        spec(3, 10, 0, false, 10),
        spec(4, 6, 3, false, 0),
        spec(5, 5, 2, true, 0),
        spec(6, 9, 0, false, 0),
        spec(7, 12, 1, false, 8),
    ];
    let cols = table::fit(area.width as usize, &specs);
    let detail_h: u16 = if b.locks.is_empty() { 0 } else { 8 };
    let list_h = area.height.saturating_sub(detail_h).max(3).min(area.height);
    table::List {
        header: table::header(&cols, &titles, theme.style("header")),
        empty: Line::styled(lang.t(Msg::NoLockOrders), theme.style("muted")),
        nav: &b.locks_nav,
        len: b.locks.len(),
        line: |i: usize| {
            let v = &b.locks[i];
            let r = &v.row;
            let (status, style) = if r.stage == "approved" {
                (lang.t(Msg::LockAwaiting), theme.style("status.pending"))
            } else {
                (lang.t(Msg::LockExecuted), theme.style("muted"))
            };
            let last = match (v.command_status, v.failed_commands.last()) {
                (Some(0), _) => lang.t(Msg::RunOk).to_string(),
                (Some(code), _) => lang.f(Msg::RunFailed, &[&code.to_string()]),
                (None, Some(code)) if r.stage == "approved" => {
                    lang.f(Msg::RunFailed, &[&code.to_string()])
                }
                _ => String::new(),
            };
            let last_style = if last.is_empty() || v.command_status == Some(0) {
                style
            } else {
                theme.style("danger")
            };
            let texts = [
                r.id.clone(),
                lang.document(r.document).to_string(),
                r.contract_no.clone(),
                r.customer.clone(),
                r.branch.clone(),
                r.days_overdue.to_string(),
                status.to_string(),
                last,
            ];
            table::cells(&cols, &texts, |c| if c == 7 { last_style } else { style })
        },
        selection: theme.style("selection"),
    }
    .draw(Rect::new(area.x, area.y, area.width, list_h), buf);
    if let Some(v) = b.selected() {
        let y = area.y + list_h + 1;
        if y < area.bottom() {
            let rest = Rect::new(area.x, y, area.width, area.bottom() - y);
            application::draw(v, lang, theme, buf, rest);
        }
    }
}

fn draw_tows(b: &TowBoard, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let titles = [
        Msg::ColId,
        Msg::ColContract,
        Msg::ColCustomer,
        Msg::ColBranch,
        Msg::ColDays,
        Msg::ColOverdue,
        Msg::ColLocation,
        Msg::ColPlanned,
        Msg::ColStatus,
    ];
    let mut specs = [
        spec(0, 5, 0, false, 0),
        spec(1, 11, 0, false, 0),
        spec(2, 10, 0, false, 10),
        spec(3, 6, 3, false, 0),
        spec(4, 5, 0, true, 0),
        spec(5, 12, 2, true, 2),
        spec(6, 10, 1, false, 16),
        spec(7, 10, 0, false, 0),
        spec(8, 9, 0, false, 0),
    ];
    let texts: Vec<[String; 9]> = b
        .rows
        .iter()
        .map(|v| {
            let r = &v.row;
            let planned = v
                .tow
                .as_ref()
                .map_or(String::new(), |t| t.planned_on.to_string());
            [
                r.id.clone(),
                r.contract_no.clone(),
                r.customer.clone(),
                r.branch.clone(),
                r.days_overdue.to_string(),
                r.overdue_amount.display(),
                r.location.clone(),
                planned,
                lang.status(r.stage).to_string(),
            ]
        })
        .collect();
    table::widen_figures(&mut specs, texts.len(), |r, c| width(&texts[r][c]));
    let cols = table::fit(area.width as usize, &specs);
    let header: Vec<Span> = cols
        .iter()
        .map(|(s, cw)| table::cell(lang.t(titles[s.id]), *cw, s.right, theme.style("header")))
        .collect();
    buf.set_line(area.x, area.y, &table::row(header), area.width);
    // Group titles and rows as one list of lines; `row_line[i]` is row i's line.
    let mut lines: Vec<Line> = Vec::new();
    let mut row_line = Vec::new();
    let mut i = 0;
    for group in Group::ALL {
        lines.push(Line::styled(
            lang.f(group.title(), &[&b.count(group).to_string()]),
            theme.style("title"),
        ));
        let start = i;
        while i < b.rows.len() && Group::of(b.rows[i].row.stage) == group {
            let style = match b.rows[i].row.stage {
                "approved" => theme.style("status.pending"),
                "failed" => theme.style("danger"),
                "done" => theme.style("muted"),
                _ => theme.style("base"),
            };
            row_line.push(lines.len());
            lines.push(table::row(
                cols.iter()
                    .map(|(s, cw)| table::cell(&texts[i][s.id], *cw, s.right, style))
                    .collect(),
            ));
            i += 1;
        }
        if i == start {
            lines.push(Line::styled(
                format!("  {}", lang.t(Msg::Empty)),
                theme.style("muted"),
            ));
        }
    }
    // The list takes what the selected tow's details leave.
    let detail_h: u16 = if b.rows.is_empty() { 0 } else { 8 };
    let list_h = area
        .height
        .saturating_sub(1 + detail_h)
        .min(lines.len() as u16)
        .max(area.height.saturating_sub(1).min(3));
    let body = Rect::new(area.x, area.y + 1, area.width, list_h);
    let selected_line = row_line.get(b.nav.selected).copied();
    let height = body.height as usize;
    b.nav.page.set(height.saturating_sub(3).max(1));
    let mut offset = b.nav.offset.get().min(lines.len().saturating_sub(height));
    if let Some(sel) = selected_line {
        // Keep the group title in sight with the first row of a group.
        let top = if sel > 0 && row_line.first() == Some(&sel) {
            sel - 1
        } else {
            sel
        };
        if top < offset {
            offset = top;
        } else if height > 0 && sel >= offset + height {
            offset = sel + 1 - height;
        }
    }
    b.nav.offset.set(offset);
    let shown: Vec<Line> = lines.into_iter().skip(offset).take(height).collect();
    table::draw_lines(
        body,
        buf,
        shown,
        selected_line.map(|s| s - offset),
        theme.style("selection"),
    );
    if let Some(v) = b.selected() {
        let y = body.bottom() + 1;
        if y < area.bottom() {
            let rest = Rect::new(area.x, y, area.width, area.bottom() - y);
            application::draw(v, lang, theme, buf, rest);
        }
    }
}
