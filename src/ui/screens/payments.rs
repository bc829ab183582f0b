//! Payments to confirm (收款确认), for finance: every pending payment in the viewer's scope;
//! mark several, then confirm them (after a confirmation) or void them with a reason, as
//! one atomic batch.

use super::super::i18n::{Lang, Msg};
use super::super::theme::Theme;
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
    pub marked: BTreeSet<String>,
    pub nav: ListNav,
    pub loaded: bool,
}

impl PaymentsScreen {
    pub fn load(&mut self, rows: Vec<PendingPaymentRow>) {
        self.marked.retain(|id| rows.iter().any(|r| r.id == *id));
        self.rows = rows;
        self.nav.clamp(self.rows.len());
        self.loaded = true;
    }

    pub fn toggle(&mut self) -> bool {
        let Some(row) = self.rows.get(self.nav.selected) else {
            return false;
        };
        if !self.marked.remove(&row.id) {
            self.marked.insert(row.id.clone());
        }
        self.nav.selected = (self.nav.selected + 1).min(self.rows.len().saturating_sub(1));
        true
    }

    pub fn toggle_all(&mut self) -> bool {
        if self.rows.is_empty() {
            return false;
        }
        if self.marked.len() == self.rows.len() {
            self.marked.clear();
        } else {
            self.marked = self.rows.iter().map(|r| r.id.clone()).collect();
        }
        true
    }

    /// The marked payments, or the one under the cursor when none is marked.
    pub fn targets(&self) -> Vec<&PendingPaymentRow> {
        if self.marked.is_empty() {
            self.rows.get(self.nav.selected).into_iter().collect()
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
    let summary = lang.f(
        Msg::SelectedCount,
        &[&p.marked.len().to_string(), &p.marked_total().display()],
    );
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
        len: p.rows.len(),
        line: |i: usize| {
            let r = &p.rows[i];
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
