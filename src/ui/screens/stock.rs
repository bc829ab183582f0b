//! The stock browser (库存): machine models with their counts by state and days in stock
//! (the stock report), filtered by yard and state; Enter drills into a model's serials with
//! state, yard, days in stock and the order holding each.

use super::super::i18n::{Lang, Msg};
use super::super::text::truncate;
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, spec};
use crate::app::MachineView;
use crate::domain::outbound::{Machine, StockLine, stock_report};
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

/// Machine states as the app names them, in the order the filter offers them.
pub const STATES: [&str; 4] = ["in_stock", "reserved", "shipped", "towed_back"];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StockFilter {
    pub yard: Option<String>,
    pub state: Option<&'static str>,
}

impl StockFilter {
    pub fn is_empty(&self) -> bool {
        self.yard.is_none() && self.state.is_none()
    }

    pub fn describe(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        if let Some(y) = &self.yard {
            parts.push(format!("{} {y}", lang.t(Msg::FilterYard)));
        }
        if let Some(s) = self.state {
            parts.push(format!(
                "{} {}",
                lang.t(Msg::FilterState),
                lang.stock_state(s)
            ));
        }
        parts.join(", ")
    }

    fn keeps_yard(&self, yard: &str) -> bool {
        self.yard.as_deref().is_none_or(|y| y == yard)
    }
}

/// A model's serials (the drill-down).
#[derive(Clone, Debug, Default)]
pub struct ModelSerials {
    pub model: String,
    pub machine_type: String,
    /// Every machine of the model, as the app shows it (with its holder).
    pub all: Vec<MachineView>,
    /// Indices into `all` that pass the filter.
    pub visible: Vec<usize>,
    pub nav: ListNav,
}

#[derive(Clone, Debug, Default)]
pub struct StockScreen {
    pub machines: Vec<Machine>,
    /// The stock report over the machines in the filtered yard, without models that have
    /// none in the filtered state.
    pub lines: Vec<StockLine>,
    pub yards: Vec<String>,
    pub filter: StockFilter,
    pub nav: ListNav,
    pub serials: Option<ModelSerials>,
    pub today: Option<NaiveDate>,
    pub loaded: bool,
}

/// How many machines of a report line are in a state.
pub fn count(line: &StockLine, state: &str) -> usize {
    match state {
        "in_stock" => line.in_stock,
        "reserved" => line.reserved,
        "shipped" => line.shipped,
        _ => line.towed_back,
    }
}

impl StockScreen {
    pub fn load(&mut self, machines: Vec<Machine>, today: NaiveDate) {
        let mut yards: Vec<String> = machines.iter().map(|m| m.yard.clone()).collect();
        yards.sort();
        yards.dedup();
        self.yards = yards;
        self.machines = machines;
        self.today = Some(today);
        self.loaded = true;
        self.refilter();
    }

    pub fn set_filter(&mut self, filter: StockFilter) {
        self.filter = filter;
        self.refilter();
    }

    fn refilter(&mut self) {
        let today = self.today.unwrap_or_default();
        let f = &self.filter;
        let mut lines = stock_report(
            self.machines.iter().filter(|m| f.keeps_yard(&m.yard)),
            today,
        );
        if let Some(state) = f.state {
            lines.retain(|l| count(l, state) > 0);
        }
        self.lines = lines;
        self.nav.clamp(self.lines.len());
        if let Some(s) = self.serials.as_mut() {
            s.visible = filter_serials(&s.all, f);
            s.nav.clamp(s.visible.len());
        }
    }

    pub fn selected(&self) -> Option<&StockLine> {
        self.lines.get(self.nav.selected)
    }

    pub fn open(&mut self, line_model: &str, machine_type: &str, all: Vec<MachineView>) {
        self.serials = Some(ModelSerials {
            model: line_model.to_string(),
            machine_type: machine_type.to_string(),
            visible: filter_serials(&all, &self.filter),
            all,
            nav: ListNav::default(),
        });
    }

    pub fn len(&self) -> usize {
        match &self.serials {
            Some(s) => s.visible.len(),
            None => self.lines.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn nav_mut(&mut self) -> &mut ListNav {
        match self.serials.as_mut() {
            Some(s) => &mut s.nav,
            None => &mut self.nav,
        }
    }
}

fn filter_serials(all: &[MachineView], f: &StockFilter) -> Vec<usize> {
    all.iter()
        .enumerate()
        .filter(|(_, m)| f.keeps_yard(&m.yard) && f.state.is_none_or(|s| s == m.state))
        .map(|(i, _)| i)
        .collect()
}

/// The style of a machine state's word.
pub fn state_style(theme: &Theme, state: &str) -> Style {
    theme.style(match state {
        "in_stock" => "ok",
        "reserved" => "warning",
        "towed_back" => "danger",
        _ => "muted",
    })
}

pub fn draw(s: &StockScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    if area.height < 3 {
        return;
    }
    match &s.serials {
        Some(m) => draw_serials(s, m, lang, theme, buf, area),
        None => draw_models(s, lang, theme, buf, area),
    }
}

fn heading(s: &StockScreen, text: String, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let mut text = text;
    if !s.filter.is_empty() {
        text = format!(
            "{text} · {}",
            lang.f(Msg::ActiveFilter, &[&s.filter.describe(lang)])
        );
    }
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&text, area.width as usize), theme.style("title")),
        area.width,
    );
}

fn draw_models(s: &StockScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let machines: usize = s
        .lines
        .iter()
        .map(|l| l.in_stock + l.reserved + l.shipped + l.towed_back)
        .sum();
    heading(
        s,
        lang.f(
            Msg::StockTotals,
            &[&s.lines.len().to_string(), &machines.to_string()],
        ),
        lang,
        theme,
        buf,
        area,
    );
    let titles = [
        lang.t(Msg::ColModel),
        lang.t(Msg::ColType),
        lang.t(Msg::ColInStock),
        lang.t(Msg::ColReserved),
        lang.t(Msg::ColShipped),
        lang.t(Msg::ColTowedBack),
        lang.t(Msg::ColMaxDays),
        lang.t(Msg::ColAvgDays),
    ];
    let specs = [
        spec(0, 12, 0, false, 8),
        spec(1, 10, 2, false, 6),
        spec(2, 8, 0, true, 2),
        spec(3, 8, 0, true, 2),
        spec(4, 8, 0, true, 2),
        spec(5, 10, 1, true, 2),
        spec(6, 8, 0, true, 2),
        spec(7, 8, 3, true, 2),
    ];
    let cols = table::fit(area.width as usize, &specs);
    table::List {
        header: table::header(&cols, &titles, theme.style("header")),
        empty: Line::styled(lang.t(Msg::NoMachines), theme.style("muted")),
        nav: &s.nav,
        len: s.lines.len(),
        line: |i: usize| {
            let l = &s.lines[i];
            let texts = l.cells();
            table::cells(&cols, &texts, |id| match id {
                6 if l.max_days_in_stock >= 180 => theme.style("danger"),
                6 if l.max_days_in_stock >= 90 => theme.style("warning"),
                _ => theme.style("base"),
            })
        },
        selection: theme.style("selection"),
    }
    .draw(
        Rect::new(area.x, area.y + 1, area.width, area.height - 1),
        buf,
    );
}

fn draw_serials(
    s: &StockScreen,
    m: &ModelSerials,
    lang: Lang,
    theme: &Theme,
    buf: &mut Buffer,
    area: Rect,
) {
    heading(
        s,
        lang.f(
            Msg::StockOfModel,
            &[
                &m.model,
                &lang.machine_type(&m.machine_type),
                &m.visible.len().to_string(),
            ],
        ),
        lang,
        theme,
        buf,
        area,
    );
    let titles = [
        lang.t(Msg::ColSerial),
        lang.t(Msg::ColState),
        lang.t(Msg::ColYard),
        lang.t(Msg::ColDaysInStock),
        lang.t(Msg::ColHolder),
    ];
    let specs = [
        spec(0, 14, 0, false, 6),
        spec(1, 10, 0, false, 2),
        spec(2, 12, 0, false, 8),
        spec(3, 6, 0, true, 0),
        spec(4, 20, 1, false, 40),
    ];
    let cols = table::fit(area.width as usize, &specs);
    table::List {
        header: table::header(&cols, &titles, theme.style("header")),
        empty: Line::styled(lang.t(Msg::NoMachines), theme.style("muted")),
        nav: &m.nav,
        len: m.visible.len(),
        line: |i: usize| {
            let v = &m.all[m.visible[i]];
            let texts = [
                v.serial.clone(),
                lang.stock_state(v.state).to_string(),
                v.yard.clone(),
                if matches!(v.state, "in_stock" | "reserved") {
                    v.days_in_stock.to_string()
                } else {
                    String::new()
                },
                v.held_by.clone().unwrap_or_default(),
            ];
            table::cells(&cols, &texts, |id| match id {
                1 => state_style(theme, v.state),
                _ => theme.style("base"),
            })
        },
        selection: theme.style("selection"),
    }
    .draw(
        Rect::new(area.x, area.y + 1, area.width, area.height - 1),
        buf,
    );
}
