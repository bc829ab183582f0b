//! Overdue dashboard (逾期客户), the home screen: totals, an aging chart and the overdue
//! table with sort, filter and incremental search (name, contract, phone, serial, pinyin).
//!
//! Rows load once from `App::overdue`; sorting, filtering and searching work on indexes
//! into them, and each row carries a precomputed search key, so a keystroke at 100,000 rows
//! is one substring scan.

use super::super::i18n::{Lang, Msg};
use super::super::search;
use super::super::text::{pad_left, pad_right, truncate, width};
use super::super::theme::Theme;
use super::super::widgets::input::LineInput;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, ColSpec};
use crate::app::{OverdueRow, TicketView};
use crate::domain::{Bucket, Money, PromiseState};
use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

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
}

impl Column {
    pub const ALL: [Column; 10] = [
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
        }
    }

    /// Width, drop rank (higher drops first at narrow widths), right-aligned, growth.
    fn spec(self) -> ColSpec<Column> {
        let (width, drop_rank, right, grow) = match self {
            Column::Customer => (10, 0, false, 14),
            Column::Contract => (11, 5, false, 3),
            Column::Branch => (8, 9, false, 4),
            Column::Collector => (9, 8, false, 3),
            Column::Days => (6, 0, true, 0),
            Column::Overdue => (13, 0, true, 1),
            Column::Penalty => (11, 4, true, 1),
            Column::LastContact => (10, 7, false, 0),
            Column::Promise => (7, 3, false, 0),
            Column::Machine => (7, 6, false, 0),
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

    fn accepts(&self, row: &OverdueRow) -> bool {
        self.branch.as_ref().is_none_or(|b| *b == row.branch)
            && self.collector.as_ref().is_none_or(|c| *c == row.collector)
            && self.bucket.is_none_or(|b| b == row.bucket)
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

#[derive(Clone, Debug)]
pub struct DashRow {
    pub row: OverdueRow,
    key: String,
    pinyin: String,
}

impl DashRow {
    fn new(row: OverdueRow) -> DashRow {
        let (pinyin, initials) = search::pinyin_forms(&row.customer);
        let key = search::key_with_pinyin(
            &row.customer,
            &row.contract_no,
            &row.phone,
            &row.serial,
            &pinyin,
            &initials,
        );
        DashRow { row, key, pinyin }
    }
}

#[derive(Clone, Debug, Default)]
pub struct BucketLine {
    pub bucket: Option<Bucket>,
    pub count: usize,
    pub amount: Money,
}

#[derive(Clone, Debug)]
pub struct Dashboard {
    pub rows: Vec<DashRow>,
    /// Every row index, in the current sort order.
    order: Vec<u32>,
    /// Every row index by contract number: sorts start from it and are stable, so rows
    /// equal on the sort column stay in contract order.
    by_contract: Vec<u32>,
    /// Per row, its place in customer order (pinyin, then name): a sort by customer
    /// compares numbers, not strings.
    customer_rank: Vec<u32>,
    /// The rows shown: `order` less what the filter and search leave out.
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
    pub branches: Vec<String>,
    pub collectors: Vec<String>,
}

fn promise_rank(p: Option<PromiseState>) -> u8 {
    match p {
        None => 0,
        Some(PromiseState::Kept) => 1,
        Some(PromiseState::Due) => 2,
        Some(PromiseState::Broken) => 3,
    }
}

impl Dashboard {
    pub fn new(rows: Vec<OverdueRow>) -> Dashboard {
        let mut d = Dashboard {
            rows: Vec::new(),
            order: Vec::new(),
            by_contract: Vec::new(),
            customer_rank: Vec::new(),
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
            branches: Vec::new(),
            collectors: Vec::new(),
        };
        d.load(rows);
        d
    }

    /// Replaces the rows (a reload), keeping sort, filter, search and the selected contract.
    pub fn load(&mut self, rows: Vec<OverdueRow>) {
        let keep = self.selected().map(|r| r.contract_no.clone());
        self.rows = rows.into_iter().map(DashRow::new).collect();
        let mut branches: Vec<String> = self.rows.iter().map(|r| r.row.branch.clone()).collect();
        branches.sort();
        branches.dedup();
        let mut collectors: Vec<String> =
            self.rows.iter().map(|r| r.row.collector.clone()).collect();
        collectors.sort();
        collectors.dedup();
        self.branches = branches;
        self.collectors = collectors;
        self.reindex();
        self.resort();
        self.refilter(keep.as_deref());
    }

    pub fn selected(&self) -> Option<&OverdueRow> {
        self.visible
            .get(self.nav.selected)
            .map(|&i| &self.rows[i as usize].row)
    }

    /// Sorts by a column; the same column again flips the direction.
    pub fn sort_by(&mut self, column: Column) {
        if column == self.sort {
            self.descending = !self.descending;
        } else {
            self.sort = column;
            self.descending = column.descending_first();
        }
        let keep = self.selected().map(|r| r.contract_no.clone());
        self.resort();
        self.refilter(keep.as_deref());
    }

    /// The orders every sort starts from; after the rows change.
    fn reindex(&mut self) {
        let rows = &self.rows;
        let mut by_contract: Vec<u32> = (0..rows.len() as u32).collect();
        by_contract.sort_unstable_by(|&a, &b| {
            rows[a as usize]
                .row
                .contract_no
                .cmp(&rows[b as usize].row.contract_no)
        });
        let mut by_customer = by_contract.clone();
        by_customer.sort_by(|&a, &b| {
            let (a, b) = (&rows[a as usize], &rows[b as usize]);
            a.pinyin
                .cmp(&b.pinyin)
                .then_with(|| a.row.customer.cmp(&b.row.customer))
        });
        // Equal names share a rank, so a descending sort keeps them in contract order.
        let mut customer_rank = vec![0u32; rows.len()];
        let mut rank = 0u32;
        for (n, pair) in by_customer.iter().enumerate() {
            if n > 0 {
                let (prev, this) = (&rows[by_customer[n - 1] as usize], &rows[*pair as usize]);
                if (&prev.pinyin, &prev.row.customer) != (&this.pinyin, &this.row.customer) {
                    rank += 1;
                }
            }
            customer_rank[*pair as usize] = rank;
        }
        self.by_contract = by_contract;
        self.customer_rank = customer_rank;
    }

    /// One number per row that orders it by the sort column (ascending).
    fn sort_keys(&self) -> Vec<i64> {
        let rank = |list: &[String], v: &str| list.binary_search_by(|x| x.as_str().cmp(v));
        let mut machines: Vec<&str> = self.rows.iter().map(|r| r.row.machine).collect();
        if self.sort == Column::Machine {
            machines.sort_unstable();
            machines.dedup();
        }
        self.rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let r = &r.row;
                match self.sort {
                    Column::Customer => self.customer_rank[i] as i64,
                    // by_contract is already in contract order: every key equal.
                    Column::Contract => 0,
                    Column::Branch => rank(&self.branches, &r.branch).map_or(-1, |p| p as i64),
                    Column::Collector => {
                        rank(&self.collectors, &r.collector).map_or(-1, |p| p as i64)
                    }
                    Column::Days => r.days_overdue,
                    Column::Overdue => r.overdue_amount.cents(),
                    Column::Penalty => r.penalty_outstanding.cents(),
                    Column::LastContact => r
                        .last_contact
                        .map_or(i64::MIN, |d| d.num_days_from_ce() as i64),
                    Column::Promise => promise_rank(r.promise) as i64,
                    Column::Machine => machines.binary_search(&r.machine).map_or(-1, |p| p as i64),
                }
            })
            .collect()
    }

    /// Orders the rows by the sort column, then by contract number. Stable sort of
    /// precomputed numbers over the contract order: no string is compared per keystroke.
    fn resort(&mut self) {
        let keys = self.sort_keys();
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend_from_slice(&self.by_contract);
        if self.sort == Column::Contract {
            if self.descending {
                order.reverse();
            }
        } else if self.descending {
            order.sort_by_key(|&i| std::cmp::Reverse(keys[i as usize]));
        } else {
            order.sort_by_key(|&i| keys[i as usize]);
        }
        self.order = order;
    }

    pub fn set_filter(&mut self, filter: Filter) {
        let keep = self.selected().map(|r| r.contract_no.clone());
        self.filter = filter;
        self.applied_query.clear();
        self.refilter(keep.as_deref());
    }

    /// Re-applies the search after the query changed. When the new query extends the old
    /// one, only the rows already shown are scanned.
    pub fn search_changed(&mut self) {
        let query = search::normalize_query(self.query.text());
        if query == self.applied_query {
            return;
        }
        let keep = self.selected().map(|r| r.contract_no.clone());
        if !self.applied_query.is_empty() && query.starts_with(&self.applied_query) {
            let rows = &self.rows;
            self.visible
                .retain(|&i| search::matches(&rows[i as usize].key, &query));
            self.applied_query = query;
            self.after_visible_changed(keep.as_deref());
        } else {
            self.refilter(keep.as_deref());
        }
    }

    fn refilter(&mut self, keep: Option<&str>) {
        let query = search::normalize_query(self.query.text());
        let rows = &self.rows;
        let filter = &self.filter;
        self.visible = self
            .order
            .iter()
            .copied()
            .filter(|&i| {
                let r = &rows[i as usize];
                filter.accepts(&r.row) && search::matches(&r.key, &query)
            })
            .collect();
        self.applied_query = query;
        self.after_visible_changed(keep);
    }

    fn after_visible_changed(&mut self, keep: Option<&str>) {
        if let Some(no) = keep
            && let Some(pos) = self
                .visible
                .iter()
                .position(|&i| self.rows[i as usize].row.contract_no == no)
        {
            self.nav.selected = pos;
        }
        self.nav.clamp(self.visible.len());
        self.recount();
    }

    fn recount(&mut self) {
        let mut buckets: Vec<BucketLine> = Bucket::ALL[1..]
            .iter()
            .map(|&b| BucketLine {
                bucket: Some(b),
                ..Default::default()
            })
            .collect();
        let (mut overdue, mut penalty) = (Money::ZERO, Money::ZERO);
        for &i in &self.visible {
            let row = &self.rows[i as usize].row;
            if let Some(line) = buckets.iter_mut().find(|l| l.bucket == Some(row.bucket)) {
                line.count += 1;
                line.amount += row.overdue_amount;
            }
            overdue += row.overdue_amount;
            penalty += row.penalty_outstanding;
        }
        self.buckets = buckets;
        self.total_overdue = overdue;
        self.total_penalty = penalty;
    }

    /// Brings one row up to date after a change on its ticket, without reloading the book.
    /// A contract no longer overdue leaves the list.
    pub fn update_from_ticket(&mut self, ticket: &TicketView) {
        let Some(index) = self
            .rows
            .iter()
            .position(|r| r.row.contract_no == ticket.contract_no)
        else {
            return;
        };
        let keep = self.selected().map(|r| r.contract_no.clone());
        if ticket.days_overdue <= 0 || ticket.state != "active" {
            self.rows.remove(index);
            self.reindex();
            self.resort();
        } else {
            let row = &mut self.rows[index].row;
            row.days_overdue = ticket.days_overdue;
            row.bucket = ticket.bucket;
            row.overdue_amount = ticket.overdue_amount;
            row.penalty_outstanding = ticket.penalty_outstanding;
            row.pending_payments = ticket.pending_payments;
            row.total_to_collect = ticket.total_to_collect;
            row.last_contact = ticket.contacts.last().map(|c| c.on);
            row.promise = ticket.promises.last().map(|p| p.state);
            row.machine = ticket.machine;
            self.resort();
        }
        self.refilter(keep.as_deref());
    }
}

/// Draws the dashboard into `area`.
pub fn draw(d: &Dashboard, lang: Lang, theme: &Theme, frame: &mut Frame, area: Rect) {
    let buf = frame.buffer_mut();
    let w = area.width as usize;
    let mut y = area.y;
    // Totals.
    let totals = lang.f(
        Msg::TotalsLine,
        &[
            &d.visible.len().to_string(),
            &d.total_overdue.display(),
            &d.total_penalty.display(),
        ],
    );
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
    for line in &d.buckets {
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
    let specs: Vec<ColSpec<Column>> = Column::ALL.iter().map(|c| c.spec()).collect();
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
            &Line::styled(lang.t(Msg::NoRows), theme.style("muted")),
            body.width,
        );
        return;
    }
    let height = body.height as usize;
    let offset = d.nav.window(height, d.visible.len());
    let lines: Vec<Line> = d.visible[offset..(offset + height).min(d.visible.len())]
        .iter()
        .map(|&i| {
            let r = &d.rows[i as usize].row;
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
