//! Payments to confirm (收款确认), for finance: every pending payment in the viewer's scope;
//! mark several, then confirm them (after a confirmation) or void them with a reason, as
//! one atomic batch. `/` narrows the list to the payments whose id, contract, customer (or
//! its pinyin), amount, method, collector or reference match what is typed.

use super::super::i18n::{Lang, Msg};
use super::super::theme::Theme;
use super::super::widgets::input::LineInput;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, spec};
use crate::app::PendingPaymentRow;
use crate::domain::Money;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default)]
pub struct PaymentsScreen {
    pub rows: Vec<PendingPaymentRow>,
    /// Per row, what a search matches (`search::key` and the other fields), lower case.
    keys: Vec<String>,
    /// The rows the search lets through, in list order (all when no query).
    pub shown: Vec<usize>,
    pub query: LineInput,
    /// Typing a search: the keys go to the query.
    pub searching: bool,
    pub marked: BTreeSet<String>,
    pub nav: ListNav,
    pub loaded: bool,
}

impl PaymentsScreen {
    pub fn load(&mut self, rows: Vec<PendingPaymentRow>) {
        self.marked.retain(|id| rows.iter().any(|r| r.id == *id));
        self.keys = rows
            .iter()
            .map(|r| {
                let mut key = crate::search::key(&r.customer, &r.contract_no, "", "");
                for part in [
                    r.id.as_str(),
                    &r.amount.plain(),
                    &r.method,
                    &r.collector,
                    &r.reference,
                ] {
                    key.push_str(&part.to_lowercase());
                    key.push(crate::search::SEP);
                }
                key
            })
            .collect();
        self.rows = rows;
        self.search_changed();
        self.loaded = true;
    }

    /// Filters the rows by the query as typed so far.
    pub fn search_changed(&mut self) {
        let query = crate::search::normalize_query(self.query.text());
        self.shown = (0..self.rows.len())
            .filter(|&i| crate::search::matches(&self.keys[i], &query))
            .collect();
        self.nav.clamp(self.shown.len());
    }

    /// The payment under the cursor.
    pub fn selected(&self) -> Option<&PendingPaymentRow> {
        self.shown.get(self.nav.selected).map(|&i| &self.rows[i])
    }

    pub fn toggle(&mut self) -> bool {
        let Some(id) = self.selected().map(|r| r.id.clone()) else {
            return false;
        };
        if !self.marked.remove(&id) {
            self.marked.insert(id);
        }
        self.nav.selected = (self.nav.selected + 1).min(self.shown.len().saturating_sub(1));
        true
    }

    /// Marks every payment shown, or clears the marks when they all are.
    pub fn toggle_all(&mut self) -> bool {
        if self.shown.is_empty() {
            return false;
        }
        let shown: Vec<&String> = self.shown.iter().map(|&i| &self.rows[i].id).collect();
        if shown.iter().all(|id| self.marked.contains(*id)) {
            self.marked.clear();
        } else {
            self.marked.extend(shown.into_iter().cloned());
        }
        true
    }

    /// The marked payments, or the one under the cursor when none is marked.
    pub fn targets(&self) -> Vec<&PendingPaymentRow> {
        if self.marked.is_empty() {
            self.selected().into_iter().collect()
        } else {
            self.rows
                .iter()
                .filter(|r| self.marked.contains(&r.id))
                .collect()
        }
    }

    pub fn marked_total(&self) -> Money {
        self.rows
            .iter()
            .filter(|r| self.marked.contains(&r.id))
            .map(|r| r.amount)
            .sum()
    }
}

pub fn draw(p: &PaymentsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let w = area.width as usize;
    let mut summary = lang.f(
        Msg::SelectedCount,
        &[&p.marked.len().to_string(), &p.marked_total().display()],
    );
    if p.searching || !p.query.is_empty() {
        summary = format!(
            "{summary} · {}",
            lang.f(
                Msg::PaymentsSearch,
                &[
                    p.query.text(),
                    &p.shown.len().to_string(),
                    &p.rows.len().to_string()
                ]
            )
        );
    }
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(summary, theme.style("title")),
        area.width,
    );
    let titles = [
        "",
        lang.t(Msg::ColId),
        lang.t(Msg::ColDate),
        lang.t(Msg::ColContract),
        lang.t(Msg::ColCustomer),
        lang.t(Msg::FieldAmount),
        lang.t(Msg::ColMethod),
        lang.t(Msg::ColCollector),
        lang.t(Msg::ColReference),
    ];
    let specs = [
        spec(0, 3, 0, false, 0),
        spec(1, 6, 0, false, 0),
        spec(2, 10, 0, false, 0),
        spec(3, 11, 0, false, 2),
        spec(4, 10, 0, false, 8),
        spec(5, 14, 0, true, 0),
        spec(6, 8, 3, false, 2),
        spec(7, 9, 2, false, 2),
        spec(8, 10, 1, false, 20),
    ];
    let cols = table::fit(w, &specs);
    if area.height < 3 {
        return;
    }
    table::List {
        header: table::header(&cols, &titles, theme.style("header")),
        empty: Line::styled(lang.t(Msg::NoPending), theme.style("muted")),
        nav: &p.nav,
        len: p.shown.len(),
        line: |i: usize| {
            let r = &p.rows[p.shown[i]];
            let marked = p.marked.contains(&r.id);
            let style = if marked {
                theme.style("marked")
            } else {
                theme.style("base")
            };
            let texts = [
                if marked { "[x]" } else { "[ ]" }.to_string(),
                r.id.clone(),
                r.received_on.to_string(),
                r.contract_no.clone(),
                r.customer.clone(),
                r.amount.display(),
                lang.method(&r.method),
                r.collector.clone(),
                r.reference.clone(),
            ];
            table::cells(&cols, &texts, |_| style)
        },
        selection: theme.style("selection"),
    }
    .draw(
        Rect::new(area.x, area.y + 1, area.width, area.height - 1),
        buf,
    );
}
