//! Overdue dashboard (逾期客户), the home screen: totals, an aging chart and the overdue
//! table with sort, filter and incremental search (name, contract, phone, serial, pinyin).
//!
//! The rows are the app's overdue list shared by every session of the process
//! (`App::overdue_shared`, `DashData`); a dashboard holds only indexes into them: the lines
//! its user may see and the lines it shows. Sorting takes an order made once per column,
//! and each row has a precomputed search key, so a keystroke at 100,000 rows is one pass
//! over indexes.

use super::super::i18n::{Lang, Msg};
use super::super::search;
use super::super::text::{pad_left, pad_right, truncate, width};
use super::super::theme::Theme;
use super::super::widgets::input::LineInput;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, ColSpec};
use super::dash_data::{DashData, distinct};
use crate::app::{ListView, OverdueRow, SharedOverdue};
use crate::domain::{Bucket, Money};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::cell::OnceCell;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Customer,
    Contract,
    Branch,
    Collector,
    Days,
    Overdue,
    Penalty,
    LastContact,
    Promise,
    Machine,
    /// The contract's state: shown in the view of every contract.
    State,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Column::Customer,
        Column::Contract,
        Column::Branch,
        Column::Collector,
        Column::Days,
        Column::Overdue,
        Column::Penalty,
        Column::LastContact,
        Column::Promise,
        Column::Machine,
        Column::State,
    ];

    pub fn title(self) -> Msg {
        match self {
            Column::Customer => Msg::ColCustomer,
            Column::Contract => Msg::ColContract,
            Column::Branch => Msg::ColBranch,
            Column::Collector => Msg::ColCollector,
            Column::Days => Msg::ColDays,
            Column::Overdue => Msg::ColOverdue,
            Column::Penalty => Msg::ColPenalty,
            Column::LastContact => Msg::ColLastContact,
            Column::Promise => Msg::ColPromise,
            Column::Machine => Msg::ColMachine,
            Column::State => Msg::ColStatus,
        }
    }

    /// Width, drop rank (higher drops first at narrow widths), right-aligned, growth.
    fn spec(self) -> ColSpec<Column> {
        let (width, drop_rank, right, grow) = match self {
            Column::Customer => (10, 0, false, 14),
            // The contract column outlasts the promise, machine and penalty columns: it is
            // what a collector reads to the customer (kept at 60 cells).
            Column::Contract => (11, 3, false, 3),
            Column::Branch => (8, 9, false, 4),
            Column::Collector => (9, 8, false, 3),
            Column::Days => (6, 0, true, 0),
            Column::Overdue => (13, 0, true, 1),
            Column::Penalty => (11, 4, true, 1),
            Column::LastContact => (10, 7, false, 0),
            Column::Promise => (7, 5, false, 0),
            Column::Machine => (7, 6, false, 0),
            Column::State => (11, 4, false, 0),
        };
        ColSpec {
            id: self,
            width,
            drop_rank,
            right,
            grow,
        }
    }

    /// Numbers sort largest first on the first press; text sorts A→Z.
    pub fn descending_first(self) -> bool {
        matches!(
            self,
            Column::Days
                | Column::Overdue
                | Column::Penalty
                | Column::LastContact
                | Column::Promise
        )
    }
}

/// A filter by branch, collector and aging bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub branch: Option<String>,
    pub collector: Option<String>,
    pub bucket: Option<Bucket>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    pub fn describe(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        if let Some(b) = &self.branch {
            parts.push(b.clone());
        }
        if let Some(c) = &self.collector {
            parts.push(c.clone());
        }
        if let Some(b) = self.bucket {
            parts.push(lang.bucket(b).to_string());
        }
        parts.join(", ")
    }
}

#[derive(Clone, Debug, Default)]
pub struct BucketLine {
    pub bucket: Option<Bucket>,
    pub count: usize,
    pub amount: Money,
}

/// Which rows of the shared list the viewer may see: one bit per row.
#[derive(Clone, Debug)]
struct Scope {
    bits: Vec<u64>,
    len: usize,
}

impl Scope {
    fn of(list: &SharedOverdue) -> Option<Scope> {
        if list.len() == list.rows().len() {
            return None;
        }
        let mut bits = vec![0u64; list.rows().len().div_ceil(64)];
        for i in list.visible() {
            bits[i as usize / 64] |= 1 << (i % 64);
        }
        Some(Scope {
            bits,
            len: list.len(),
        })
    }

    fn has(&self, i: u32) -> bool {
        self.bits[i as usize / 64] & (1 << (i % 64)) != 0
    }
}

#[derive(Clone)]
pub struct Dashboard {
    /// The list shared with every other dashboard of the process.
    data: Arc<DashData>,
    /// The rows of `data` the viewer may see; `None`: all of them.
    scope: Option<Scope>,
    /// The book version the list is current for (`None`: rows given directly).
    pub version: Option<u64>,
    /// The view shown: overdue, penalty only, all in scope, settled.
    pub view: ListView,
    /// The rows shown, in the current sort order: the scope less what the filter and
    /// search leave out.
    pub visible: Vec<u32>,
    pub sort: Column,
    pub descending: bool,
    pub filter: Filter,
    pub query: LineInput,
    /// Typing a search right now (keys go to the query).
    pub searching: bool,
    /// The normalised query `visible` was computed for.
    applied_query: String,
    pub nav: ListNav,
    /// Per bucket, over the visible rows.
    pub buckets: Vec<BucketLine>,
    pub total_overdue: Money,
    pub total_penalty: Money,
    /// The branches and collectors of the viewer's lines, for the filter (made when first
    /// asked for).
    choices: OnceCell<(Vec<String>, Vec<String>)>,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard")
            .field("rows", &self.row_count())
            .field("visible", &self.visible.len())
            .field("sort", &self.sort)
            .field("descending", &self.descending)
            .field("filter", &self.filter)
            .finish_non_exhaustive()
    }
}

impl Dashboard {
    /// A dashboard over the app's shared overdue list.
    pub fn new(list: &SharedOverdue) -> Dashboard {
        Dashboard::of_view(list, ListView::Overdue)
    }

    /// A dashboard over a view of the app's lists (`App::dashboard_list`).
    pub fn of_view(list: &SharedOverdue, view: ListView) -> Dashboard {
        let mut d = Dashboard::over(DashData::of(list.rows(), family(view)), Scope::of(list));
        d.version = Some(list.version);
        d.view = view;
        d
    }

    /// A dashboard over rows of its own (benchmarks, tests).
    pub fn of_rows(rows: Vec<OverdueRow>) -> Dashboard {
        Dashboard::over(DashData::detached(rows), None)
    }

    fn over(data: Arc<DashData>, scope: Option<Scope>) -> Dashboard {
        let mut d = Dashboard {
            data,
            scope,
            version: None,
            view: ListView::Overdue,
            visible: Vec::new(),
            sort: Column::Days,
            descending: true,
            filter: Filter::default(),
            query: LineInput::default(),
            searching: false,
            applied_query: String::new(),
            nav: ListNav::default(),
            buckets: Vec::new(),
            total_overdue: Money::ZERO,
            total_penalty: Money::ZERO,
            choices: OnceCell::new(),
        };
        d.after_load(None);
        d
    }

    /// Replaces the list (a reload, or another view: `view`), keeping sort, filter, search
    /// and the selected contract.
    pub fn load(&mut self, list: &SharedOverdue, view: ListView) {
        if self.view == view
            && self.version == Some(list.version)
            && Arc::ptr_eq(&self.data.rows, list.rows())
        {
            return;
        }
        self.view = view;
        let keep = self.selected().map(|r| r.contract_no.clone());
        self.data = DashData::of(list.rows(), family(view));
        self.scope = Scope::of(list);
        self.version = Some(list.version);
        // The selected contract's line in the new list, if it is still on it.
        let keep = keep.and_then(|no| {
            let rows = &self.data.rows;
            (0..rows.len() as u32).find(|&i| rows[i as usize].contract_no == no)
        });
        self.after_load(keep);
    }

    fn after_load(&mut self, keep: Option<u32>) {
        self.choices = OnceCell::new();
        self.refilter(keep, true);
    }

    /// The branches of the viewer's lines, sorted: the filter's choices.
    pub fn branches(&self) -> &[String] {
        match &self.scope {
            None => self.data.branches(),
            Some(_) => &self.scoped_choices().0,
        }
    }

    /// The collectors of the viewer's lines, sorted: the filter's choices.
    pub fn collectors(&self) -> &[String] {
        match &self.scope {
            None => self.data.collectors(),
            Some(_) => &self.scoped_choices().1,
        }
    }

    fn scoped_choices(&self) -> &(Vec<String>, Vec<String>) {
        self.choices.get_or_init(|| {
            let seen: Vec<&OverdueRow> = self.rows().collect();
            (
                distinct(seen.iter().map(|r| r.branch.as_str())),
                distinct(seen.iter().map(|r| r.collector.as_str())),
            )
        })
    }

    /// How many lines the viewer may see, before filter and search.
    pub fn row_count(&self) -> usize {
        self.scope.as_ref().map_or(self.data.len(), |s| s.len)
    }

    /// The lines the viewer may see, in list order (before sort, filter and search).
    pub fn rows(&self) -> impl Iterator<Item = &OverdueRow> {
        let scope = &self.scope;
        self.data
            .rows
            .iter()
            .enumerate()
            .filter(move |(i, _)| scope.as_ref().is_none_or(|s| s.has(*i as u32)))
            .map(|(_, r)| r)
    }

    /// The lines shown, in order.
    pub fn shown(&self) -> impl Iterator<Item = &OverdueRow> {
        self.visible.iter().map(|&i| self.row(i))
    }

    fn row(&self, i: u32) -> &OverdueRow {
        &self.data.rows[i as usize]
    }

    pub fn selected(&self) -> Option<&OverdueRow> {
        self.visible.get(self.nav.selected).map(|&i| self.row(i))
    }

    /// The selected line's index into the shared rows.
    fn selected_index(&self) -> Option<u32> {
        self.visible.get(self.nav.selected).copied()
    }

    /// Sorts by a column; the same column again flips the direction.
    pub fn sort_by(&mut self, column: Column) {
        if column == self.sort {
            self.descending = !self.descending;
        } else {
            self.sort = column;
            self.descending = column.descending_first();
        }
        // The same lines in another order: the totals stand.
        self.refilter(self.selected_index(), false);
    }

    pub fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
        self.applied_query.clear();
        self.refilter(self.selected_index(), true);
    }

    /// Re-applies the search after the query changed. When the new query extends the old
    /// one, only the rows already shown are scanned.
    pub fn search_changed(&mut self) {
        let query = search::normalize_query(self.query.text());
        if query == self.applied_query {
            return;
        }
        let keep = self.selected_index();
        if !self.applied_query.is_empty() && query.starts_with(&self.applied_query) {
            let keys = self.data.keys();
            self.visible
                .retain(|&i| search::matches(&keys[i as usize], &query));
            self.applied_query = query;
            self.after_visible_changed(keep, true);
        } else {
            self.refilter(keep, true);
        }
    }

    /// The rows shown: the sort order's rows in scope that pass the filter and search.
    /// Reads only compact per-row numbers (and search keys while searching), never the
    /// rows themselves, so a keystroke is a pass over small arrays.
    fn refilter(&mut self, keep: Option<u32>, recount: bool) {
        let query = search::normalize_query(self.query.text());
        let data = &self.data;
        let keys = (!query.is_empty()).then(|| data.keys());
        let filter = data.filter_of(&self.filter);
        let scope = &self.scope;
        let order = data.order(self.sort, self.descending);
        let mut visible = std::mem::take(&mut self.visible);
        visible.clear();
        if scope.is_none() && filter.is_none() && keys.is_none() {
            visible.extend_from_slice(order);
        } else {
            visible.extend(order.iter().copied().filter(|&i| {
                scope.as_ref().is_none_or(|s| s.has(i))
                    && filter.as_ref().is_none_or(|f| data.passes(f, i))
                    && keys.is_none_or(|k| search::matches(&k[i as usize], &query))
            }));
        }
        self.visible = visible;
        self.applied_query = query;
        self.after_visible_changed(keep, recount);
    }

    fn after_visible_changed(&mut self, keep: Option<u32>, recount: bool) {
        if let Some(keep) = keep
            && let Some(pos) = self.visible.iter().position(|&i| i == keep)
        {
            self.nav.selected = pos;
        }
        self.nav.clamp(self.visible.len());
        if recount {
            self.recount();
        }
    }

    fn recount(&mut self) {
        let numbers = self.data.numbers();
        let mut counts = [0usize; Bucket::ALL.len()];
        let mut amounts = [0i64; Bucket::ALL.len()];
        let (mut overdue, mut penalty) = (0i64, 0i64);
        for &i in &self.visible {
            let i = i as usize;
            let bucket = usize::from(numbers.bucket[i]);
            counts[bucket] += 1;
            amounts[bucket] += numbers.overdue[i];
            overdue += numbers.overdue[i];
            penalty += numbers.penalty[i];
        }
        self.buckets = Bucket::ALL
            .iter()
            .enumerate()
            .skip(1)
            .map(|(at, &b)| BucketLine {
                bucket: Some(b),
                count: counts[at],
                amount: Money::from_cents(amounts[at]),
            })
            .collect();
        self.total_overdue = Money::from_cents(overdue);
        self.total_penalty = Money::from_cents(penalty);
    }
}

/// Which family of shared data a view's list belongs to (`DashData::of`).
fn family(view: ListView) -> usize {
    match view {
        ListView::Overdue => 0,
        _ => 1,
    }
}

/// The title line's words for a view.
pub fn view_name(view: ListView) -> Msg {
    match view {
        ListView::Overdue => Msg::ViewOverdue,
        ListView::PenaltyOnly => Msg::ViewPenaltyOnly,
        ListView::All => Msg::ViewAll,
        ListView::Settled => Msg::ViewSettled,
    }
}

/// Draws the dashboard into `area`.
pub fn draw(d: &Dashboard, lang: Lang, theme: &Theme, frame: &mut Frame, area: Rect) {
    let buf = frame.buffer_mut();
    let w = area.width as usize;
    let mut y = area.y;
    // Totals, naming the view.
    let (count, overdue, penalty) = (
        d.visible.len().to_string(),
        d.total_overdue.display(),
        d.total_penalty.display(),
    );
    let figures = [count.as_str(), &overdue, &penalty];
    let totals = match d.view {
        ListView::Overdue => lang.f(Msg::TotalsLine, &figures),
        view => format!(
            "{}: {}",
            lang.t(view_name(view)),
            lang.f(Msg::ViewTotalsLine, &figures)
        ),
    };
    buf.set_line(
        area.x,
        y,
        &Line::from(Span::styled(truncate(&totals, w), theme.style("title"))),
        area.width,
    );
    y += 1;
    // Aging chart: label, count bar, count, amount bar, amount.
    let label_w = 8;
    let count_w = 6;
    let amount_w = 15;
    let bars = w.saturating_sub(label_w + count_w + amount_w + 4);
    let count_bar_w = bars * 2 / 5;
    let amount_bar_w = bars - count_bar_w;
    let max_count = d.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let max_amount = d
        .buckets
        .iter()
        .map(|b| b.amount)
        .max()
        .unwrap_or(Money::ZERO);
    // Nothing is overdue in the penalty-only and settled views: no aging chart.
    let chart: &[BucketLine] = match d.view {
        ListView::Overdue | ListView::All => &d.buckets,
        ListView::PenaltyOnly | ListView::Settled => &[],
    };
    for line in chart {
        if y >= area.bottom() {
            return;
        }
        let bucket = line.bucket.unwrap_or(Bucket::Current);
        let days = match bucket {
            Bucket::D1To30 => 30,
            Bucket::D31To60 => 60,
            Bucket::D61To90 => 90,
            Bucket::D91To180 => 180,
            _ => 181,
        };
        let count_len = bar_len(line.count as u128, max_count as u128, count_bar_w);
        let amount_len = if max_amount.is_positive() {
            bar_len(
                line.amount.cents().max(0) as u128,
                max_amount.cents() as u128,
                amount_bar_w,
            )
        } else {
            0
        };
        let spans = vec![
            Span::styled(pad_right(lang.bucket(bucket), label_w), theme.overdue(days)),
            Span::raw(" "),
            Span::styled(" ".repeat(count_len), theme.style("bar.count")),
            Span::raw(" ".repeat(count_bar_w - count_len)),
            Span::raw(" "),
            Span::styled(
                pad_left(&line.count.to_string(), count_w),
                theme.style("base"),
            ),
            Span::raw(" "),
            Span::styled(" ".repeat(amount_len), theme.style("bar.amount")),
            Span::raw(" ".repeat(amount_bar_w - amount_len)),
            Span::raw(" "),
            Span::styled(
                pad_left(&line.amount.display(), amount_w),
                theme.style("money"),
            ),
        ];
        buf.set_line(area.x, y, &Line::from(spans), area.width);
        y += 1;
    }
    if y >= area.bottom() {
        return;
    }
    // The table.
    // The state column only where states differ: the view of every contract.
    let specs: Vec<ColSpec<Column>> = Column::ALL
        .iter()
        .filter(|c| **c != Column::State || d.view == ListView::All)
        .map(|c| c.spec())
        .collect();
    let cols = table::fit(w, &specs);
    let header: Vec<Span> = cols
        .iter()
        .map(|(spec, cw)| {
            let mut title = lang.t(spec.id.title()).to_string();
            if spec.id == d.sort {
                let mark = if d.descending { " v" } else { " ^" };
                title = format!("{}{mark}", truncate(&title, cw.saturating_sub(2)));
            }
            table::cell(&title, *cw, spec.right, theme.style("header"))
        })
        .collect();
    buf.set_line(area.x, y, &table::row(header), area.width);
    y += 1;
    let body = Rect::new(area.x, y, area.width, area.bottom().saturating_sub(y));
    if d.visible.is_empty() {
        buf.set_line(
            body.x,
            body.y,
            &Line::styled(
                lang.t(match d.view {
                    ListView::Overdue => Msg::NoRows,
                    _ => Msg::ViewNoRows,
                }),
                theme.style("muted"),
            ),
            body.width,
        );
        return;
    }
    let height = body.height as usize;
    let offset = d.nav.window(height, d.visible.len());
    let lines: Vec<Line> = d.visible[offset..(offset + height).min(d.visible.len())]
        .iter()
        .map(|&i| {
            let r = d.row(i);
            table::row(
                cols.iter()
                    .map(|(spec, cw)| {
                        let (text, style) = cell_text(r, spec.id, lang, theme);
                        table::cell(&text, *cw, spec.right, style)
                    })
                    .collect(),
            )
        })
        .collect();
    table::draw_lines(
        body,
        frame.buffer_mut(),
        lines,
        Some(d.nav.selected - offset),
        theme.style("selection"),
    );
}

fn bar_len(value: u128, max: u128, cells: usize) -> usize {
    if max == 0 || value == 0 {
        return 0;
    }
    ((value * cells as u128).div_ceil(max) as usize).min(cells)
}

fn cell_text(r: &OverdueRow, column: Column, lang: Lang, theme: &Theme) -> (String, Style) {
    let base = theme.style("base");
    match column {
        Column::Customer => (r.customer.clone(), base),
        Column::Contract => (r.contract_no.clone(), base),
        Column::Branch => (r.branch.clone(), theme.style("muted")),
        Column::Collector => (r.collector.clone(), theme.style("muted")),
        Column::Days => (r.days_overdue.to_string(), theme.overdue(r.days_overdue)),
        Column::Overdue => (r.overdue_amount.display(), theme.style("money")),
        Column::Penalty => (r.penalty_outstanding.display(), theme.style("money")),
        Column::LastContact => (
            r.last_contact.map(|d| d.to_string()).unwrap_or_default(),
            theme.style("muted"),
        ),
        Column::Promise => match r.promise {
            Some(p) => (
                lang.promise(p).to_string(),
                theme.style(&format!("promise.{}", p.name())),
            ),
            None => (String::new(), base),
        },
        Column::Machine => (
            lang.machine(r.machine).to_string(),
            theme.style(&format!("machine.{}", r.machine)),
        ),
        Column::State => (
            lang.status(r.state).to_string(),
            match r.state {
                "active" => base,
                _ => theme.style("muted"),
            },
        ),
    }
}

/// The widest a column title gets, for the sort popup.
pub fn title_width(lang: Lang) -> usize {
    Column::ALL
        .iter()
        .map(|c| width(lang.t(c.title())))
        .max()
        .unwrap_or(0)
}
