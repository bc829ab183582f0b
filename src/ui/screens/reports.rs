//! Reports (报表), for finance, approvers and admins: pick a report (←/→), a period (p: the
//! last 3, 6 or 12 months) and a branch (f); a chart of the figure people look at first,
//! then the report's part as a table (s: the next part); e exports the report as it is
//! shown to an xlsx file named after it.
//!
//! The chart is ratatui's `BarChart` (one bar per bucket, month, collector or model) or a
//! `Sparkline` of a monthly series; both draw with block characters, which mono themes and
//! NO_COLOR show as they are.

use super::super::i18n::{Lang, Msg};
use super::super::text::truncate;
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, spec};
use crate::app::reports::{ReportName, ReportQuery};
use crate::app::tabular::{Cell, Report, Sheet};
use chrono::{Months, NaiveDate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Sparkline, Widget};

/// The periods offered, in months back from today.
pub const PERIODS: [u32; 3] = [12, 6, 3];

#[derive(Clone, Debug, Default)]
pub struct ReportsScreen {
    /// Index into `ReportName::ALL`.
    pub report: usize,
    /// Index into `PERIODS`.
    pub period: usize,
    /// The branches to filter by; `branch` 0 is all, `i` is `branches[i - 1]`.
    pub branches: Vec<String>,
    pub branch: usize,
    /// The report as last computed.
    pub data: Option<Report>,
    /// The part shown.
    pub sheet: usize,
    pub nav: ListNav,
    pub loaded: bool,
}

pub fn title(name: ReportName) -> Msg {
    match name {
        ReportName::Aging => Msg::ReportAging,
        ReportName::RollRates => Msg::ReportRollRates,
        ReportName::Collection => Msg::ReportCollection,
        ReportName::Forecast => Msg::ReportForecast,
        ReportName::Penalty => Msg::ReportPenalty,
        ReportName::Tows => Msg::ReportTows,
        ReportName::Stock => Msg::ReportStock,
    }
}

impl ReportsScreen {
    pub fn name(&self) -> ReportName {
        ReportName::ALL[self.report % ReportName::ALL.len()]
    }

    /// The query the screen's choices make, as of `today`.
    pub fn query(&self, today: NaiveDate) -> ReportQuery {
        let months = PERIODS[self.period % PERIODS.len()];
        let mut q = ReportQuery::last_12_months(today);
        q.from = crate::domain::reports::month_start(today)
            .checked_sub_months(Months::new(months - 1))
            .unwrap_or(today);
        q.branch = self
            .branch
            .checked_sub(1)
            .and_then(|i| self.branches.get(i).cloned());
        q
    }

    pub fn load(&mut self, report: Report) {
        self.sheet = self.sheet.min(report.sheets.len().saturating_sub(1));
        self.data = Some(report);
        self.nav.clamp(self.len());
        self.loaded = true;
    }

    pub fn current(&self) -> Option<&Sheet> {
        self.data.as_ref().and_then(|r| r.sheets.get(self.sheet))
    }

    pub fn len(&self) -> usize {
        self.current().map_or(0, |s| s.rows.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Steps to the next (or previous) report; the first part shows.
    pub fn step_report(&mut self, forward: bool) {
        let n = ReportName::ALL.len();
        self.report = if forward {
            (self.report + 1) % n
        } else {
            (self.report + n - 1) % n
        };
        self.sheet = 0;
        self.nav = ListNav::default();
    }

    pub fn next_period(&mut self) {
        self.period = (self.period + 1) % PERIODS.len();
    }

    pub fn next_branch(&mut self) {
        self.branch = (self.branch + 1) % (self.branches.len() + 1);
    }

    /// Shows the next part; false when the report has one.
    pub fn next_sheet(&mut self) -> bool {
        let parts = self.data.as_ref().map_or(0, |r| r.sheets.len());
        if parts < 2 {
            return false;
        }
        self.sheet = (self.sheet + 1) % parts;
        self.nav = ListNav::default();
        true
    }

    /// The file an export of the report as shown is written to: `aging-2026-01-01-2026-06-15
    /// [-合肥].xlsx`.
    pub fn file_name(&self) -> String {
        let Some(r) = &self.data else {
            return format!("{}.xlsx", self.name().name());
        };
        let branch = self
            .branch
            .checked_sub(1)
            .and_then(|i| self.branches.get(i))
            .map_or(String::new(), |b| format!("-{b}"));
        format!("{}-{}-{}{branch}.xlsx", r.name, r.from, r.to)
    }
}

/// What a report's chart shows: from which part, the label column and the value column.
fn chart_of(name: ReportName) -> (&'static str, &'static str, &'static str, bool) {
    // (part, label, value, as a sparkline over months)
    match name {
        ReportName::Aging => ("buckets", "bucket", "overdue_amount", false),
        ReportName::RollRates => ("rolls", "month", "worse", true),
        ReportName::Collection => ("by_branch", "branch", "collected", false),
        ReportName::Forecast => ("by_month", "month", "expected", false),
        ReportName::Penalty => ("by_month", "month", "accrued", false),
        ReportName::Tows => ("summary", "document", "applications", false),
        ReportName::Stock => ("by_model", "model", "in_stock", false),
    }
}

/// A cell as a bar's height: money in whole yuan, counts as they are (drawing only).
fn bar_value(cell: &Cell) -> u64 {
    match cell {
        Cell::Money(m) => (m.cents().max(0) / 100) as u64,
        Cell::Int(n) => (*n).max(0) as u64,
        _ => 0,
    }
}

fn column(sheet: &Sheet, name: &str) -> Option<usize> {
    sheet.columns.iter().position(|c| c == name)
}

/// The chart's bars: (label, value, value as people read it).
fn chart_points(report: &Report) -> Vec<(String, u64, String)> {
    let (part, label, value, _) =
        chart_of(ReportName::parse(report.name).unwrap_or(ReportName::Aging));
    let Some(sheet) = report.sheet(part) else {
        return Vec::new();
    };
    let (Some(l), Some(v)) = (column(sheet, label), column(sheet, value)) else {
        return Vec::new();
    };
    let mut points: Vec<(String, u64, String)> = Vec::new();
    for row in &sheet.rows {
        if matches!(row[v], Cell::Empty) {
            continue;
        }
        let name = row[l].plain();
        // Roll rates: one point per month, summed over the buckets.
        match points.last_mut() {
            Some(last) if last.0 == name => last.1 += bar_value(&row[v]),
            _ => points.push((name, bar_value(&row[v]), row[v].display())),
        }
    }
    points
}

pub fn draw(s: &ReportsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    if area.height < 4 {
        return;
    }
    let name = s.name();
    let branch = s
        .branch
        .checked_sub(1)
        .and_then(|i| s.branches.get(i).cloned())
        .unwrap_or_else(|| lang.t(Msg::ReportsAllBranches).to_string());
    let months = lang.f(
        Msg::ReportsMonths,
        &[&PERIODS[s.period % PERIODS.len()].to_string()],
    );
    let (from, to) = s.data.as_ref().map_or((String::new(), String::new()), |r| {
        (r.from.to_string(), r.to.to_string())
    });
    let head = lang.f(
        Msg::ReportsLine,
        &[
            lang.t(title(name)),
            &from,
            &to,
            &format!("{months} · {branch}"),
        ],
    );
    let width = area.width as usize;
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&head, width), theme.style("title")),
        area.width,
    );
    let Some(report) = &s.data else {
        return;
    };
    // The chart: a third of the screen, at most 8 rows.
    let chart_h = (area.height / 3).clamp(3, 8);
    let chart_area = Rect::new(area.x, area.y + 1, area.width, chart_h);
    let (_, label, value, spark) = chart_of(name);
    let points = chart_points(report);
    let caption = lang.f(
        Msg::ReportsChart,
        &[&lang.report_word(value), &lang.report_word(label)],
    );
    if !points.is_empty() {
        buf.set_line(
            chart_area.x,
            chart_area.y,
            &Line::styled(truncate(&caption, width), theme.style("muted")),
            area.width,
        );
    }
    if points.is_empty() {
        buf.set_line(
            chart_area.x,
            chart_area.y,
            &Line::styled(lang.t(Msg::ReportsNone), theme.style("muted")),
            area.width,
        );
    } else if spark {
        let data: Vec<u64> = points.iter().map(|p| p.1).collect();
        Sparkline::default()
            .data(&data)
            .style(theme.style("bar.amount"))
            .render(
                Rect::new(
                    chart_area.x,
                    chart_area.y + 1,
                    area.width.min(data.len() as u16 * 4),
                    chart_h - 1,
                ),
                buf,
            );
    } else {
        let n = points.len() as u16;
        let bar_width = ((area.width.saturating_sub(n)) / n.max(1)).clamp(1, 9);
        let bars: Vec<Bar> = points
            .iter()
            .map(|(l, v, _)| {
                // Months as `26-07`, which fits under a narrow bar.
                let shown = match l.as_bytes() {
                    [_, _, _, _, b'-', _, _] => l[2..].to_string(),
                    _ => lang.report_word(l),
                };
                Bar::default()
                    .value(*v)
                    .label(Line::from(truncate(&shown, bar_width as usize)))
                    .text_value(String::new())
            })
            .collect();
        BarChart::default()
            .data(BarGroup::default().bars(&bars))
            .bar_width(bar_width)
            .bar_gap(1)
            .bar_style(theme.style("bar.amount"))
            .label_style(theme.style("muted"))
            .render(
                Rect::new(chart_area.x, chart_area.y + 1, area.width, chart_h - 1),
                buf,
            );
    }
    // The part: its name and place among the parts, then the table.
    let y = chart_area.bottom();
    let Some(sheet) = s.current() else {
        return;
    };
    let part = lang.f(
        Msg::ReportsPart,
        &[
            &(s.sheet + 1).to_string(),
            &report.sheets.len().to_string(),
            &lang.report_word(&sheet.name),
        ],
    );
    buf.set_line(
        area.x,
        y,
        &Line::styled(truncate(&part, width), theme.style("header")),
        area.width,
    );
    let table_area = Rect::new(
        area.x,
        y + 1,
        area.width,
        area.bottom().saturating_sub(y + 1),
    );
    let titles: Vec<String> = sheet.columns.iter().map(|c| lang.report_word(c)).collect();
    let widths: Vec<usize> = (0..sheet.columns.len())
        .map(|i| {
            let cells = sheet
                .rows
                .iter()
                .map(|r| super::super::text::width(&r[i].display()));
            cells
                .chain(std::iter::once(super::super::text::width(&titles[i])))
                .max()
                .unwrap_or(4)
                .min(16)
        })
        .collect();
    // Columns drop from the right when the screen is narrow; the first one always stays.
    let specs: Vec<_> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let right = sheet.rows.first().is_some_and(|r| r[i].is_number());
            spec(i, *w, i.min(255) as u8, right, 0)
        })
        .collect();
    let cols = table::fit(width, &specs);
    let title_refs: Vec<&str> = titles.iter().map(String::as_str).collect();
    table::List {
        header: table::header(&cols, &title_refs, theme.style("header")),
        empty: Line::styled(lang.t(Msg::ReportsNone), theme.style("muted")),
        nav: &s.nav,
        len: sheet.rows.len(),
        line: |i: usize| {
            let row: &Vec<Cell> = &sheet.rows[i];
            let texts: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => lang.report_word(t),
                    other => other.display(),
                })
                .collect();
            table::cells(&cols, &texts, |_| theme.style("base"))
        },
        selection: theme.style("selection"),
    }
    .draw(table_area, buf);
}
