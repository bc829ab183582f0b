//! The contract list a new outbound order starts from (新建出库单): the approved contracts in
//! the viewer's scope waiting for their machine, filtered as the user types over number,
//! customer, model and branch. Enter creates the order for the contract under the cursor.
//!
//! Owns: the dialog's state, its keys and its drawing. Must not touch: the app (the caller
//! loads the rows, `App::contracts_awaiting_machine`, and runs the order's creation).

use super::i18n::{Lang, Msg};
use super::theme::Theme;
use super::widgets::input::LineInput;
use super::widgets::list::ListNav;
use super::widgets::table::{self, spec};
use crate::app::AwaitingContract;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractPick {
    pub rows: Vec<AwaitingContract>,
    /// Lowercase "number customer model branch" of each row, built once.
    keys: Vec<String>,
    pub query: LineInput,
    /// Indices (into `rows`) of the rows matching the query.
    pub shown: Vec<usize>,
    pub nav: ListNav,
    /// A refusal from the app, shown under the rows.
    pub message: Option<String>,
}

/// What a key did in the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractPickKey {
    Close,
    /// Create an order for this contract.
    Choose(String),
    Changed,
    Unchanged,
}

impl ContractPick {
    pub fn new(rows: Vec<AwaitingContract>) -> ContractPick {
        let keys = rows
            .iter()
            .map(|r| {
                format!("{} {} {} {}", r.contract_no, r.customer, r.model, r.branch).to_lowercase()
            })
            .collect();
        let shown = (0..rows.len()).collect();
        ContractPick {
            rows,
            keys,
            query: LineInput::default(),
            shown,
            nav: ListNav::default(),
            message: None,
        }
    }

    pub fn selected(&self) -> Option<&AwaitingContract> {
        self.shown.get(self.nav.selected).map(|&i| &self.rows[i])
    }

    fn refilter(&mut self) {
        let q = self.query.text().to_lowercase();
        let words: Vec<&str> = q.split_whitespace().collect();
        self.shown = (0..self.rows.len())
            .filter(|&i| words.iter().all(|w| self.keys[i].contains(w)))
            .collect();
        self.nav = ListNav::default();
    }

    pub fn handle(&mut self, key: &KeyEvent) -> ContractPickKey {
        use super::keymap::Command;
        let len = self.shown.len();
        let moved = |nav: &mut ListNav, c| {
            if nav.apply(c, len).unwrap_or(false) {
                ContractPickKey::Changed
            } else {
                ContractPickKey::Unchanged
            }
        };
        match key.code {
            KeyCode::Esc => ContractPickKey::Close,
            KeyCode::Enter => match self.selected() {
                Some(r) => ContractPickKey::Choose(r.contract_no.clone()),
                None => ContractPickKey::Unchanged,
            },
            KeyCode::Down => moved(&mut self.nav, Command::Down),
            KeyCode::Up => moved(&mut self.nav, Command::Up),
            KeyCode::PageDown => moved(&mut self.nav, Command::PageDown),
            KeyCode::PageUp => moved(&mut self.nav, Command::PageUp),
            _ => match self.query.handle(key) {
                Some(true) => {
                    self.refilter();
                    self.message = None;
                    ContractPickKey::Changed
                }
                _ => ContractPickKey::Unchanged,
            },
        }
    }
}

/// Draws the dialog in `inner` (the popup's inside); returns where the cursor goes.
pub fn draw(
    p: &ContractPick,
    lang: Lang,
    theme: &Theme,
    buf: &mut Buffer,
    inner: Rect,
) -> Option<(u16, u16)> {
    let w = inner.width as usize;
    if inner.height < 5 || w < 20 {
        return None;
    }
    let count = lang.f(
        Msg::RowsShown,
        &[&p.shown.len().to_string(), &p.rows.len().to_string()],
    );
    let cursor = super::pick::query_line(
        (
            lang.t(Msg::ContractPickPrompt),
            lang.t(Msg::ContractPickHint),
        ),
        &p.query,
        &count,
        theme,
        buf,
        inner,
    );
    let specs = [
        spec(0, 11, 0, false, 2),
        spec(1, 10, 0, false, 14),
        spec(2, 8, 1, false, 4),
        spec(3, 6, 2, false, 4),
        spec(4, 10, 3, false, 0),
    ];
    let cols = table::fit(w, &specs);
    let titles = [
        lang.t(Msg::ColContract),
        lang.t(Msg::ColCustomer),
        lang.t(Msg::ColModel),
        lang.t(Msg::ColBranch),
        lang.t(Msg::ColSignedOn),
    ];
    let message = p
        .message
        .as_deref()
        .map(|m| super::text::wrap(m, w))
        .unwrap_or_default();
    let tail = 1 + message.len() as u16;
    table::List {
        header: table::header(&cols, &titles, theme.style("header")),
        empty: Line::styled(lang.t(Msg::ContractPickNone), theme.style("muted")),
        nav: &p.nav,
        len: p.shown.len(),
        line: |i: usize| {
            let r = &p.rows[p.shown[i]];
            let texts = [
                r.contract_no.clone(),
                r.customer.clone(),
                r.model.clone(),
                r.branch.clone(),
                r.signed_on.to_string(),
            ];
            table::cells(&cols, &texts, |_| theme.style("popup"))
        },
        selection: theme.style("selection"),
    }
    .draw(
        Rect::new(
            inner.x,
            inner.y + 1,
            inner.width,
            inner.height.saturating_sub(1 + tail),
        ),
        buf,
    );
    for (i, line) in message.into_iter().enumerate() {
        buf.set_line(
            inner.x,
            inner.bottom() - tail + i as u16,
            &Line::styled(line, theme.style("status.error")),
            inner.width,
        );
    }
    buf.set_line(
        inner.x,
        inner.bottom() - 1,
        &Line::styled(lang.t(Msg::ContractPickFooter), theme.style("hint.key")),
        inner.width,
    );
    Some(cursor)
}
