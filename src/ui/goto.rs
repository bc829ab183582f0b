//! "Go to contract" (查找合同): any contract in the viewer's scope by number, customer name
//! or its pinyin, phone or serial — overdue or not, settled or repossessed — so a contract
//! whose arrears are paid can still be opened to waive its penalty or settle it.
//!
//! Owns: the dialog's state, its keys and its drawing. The caller asks the app for the hits
//! (`App::find_contracts`, which cuts the scope) as the query changes, and opens the ticket.

use super::i18n::{Lang, Msg};
use super::theme::Theme;
use super::widgets::input::LineInput;
use super::widgets::list::ListNav;
use super::widgets::table::{self, spec};
use crate::app::ContractHit;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoTo {
    pub query: LineInput,
    pub hits: Vec<ContractHit>,
    pub nav: ListNav,
}

/// What a key did in the dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoToKey {
    Close,
    /// Open the selected contract.
    Open,
    /// The query changed: search again.
    Search,
    Moved,
    Unchanged,
}

impl GoTo {
    pub fn selected(&self) -> Option<&ContractHit> {
        self.hits.get(self.nav.selected)
    }

    pub fn set_hits(&mut self, hits: Vec<ContractHit>) {
        self.hits = hits;
        self.nav = ListNav::default();
    }

    pub fn handle(&mut self, key: &KeyEvent) -> GoToKey {
        use super::keymap::Command;
        let len = self.hits.len();
        let moved = |nav: &mut ListNav, c| {
            if nav.apply(c, len).unwrap_or(false) {
                GoToKey::Moved
            } else {
                GoToKey::Unchanged
            }
        };
        match key.code {
            KeyCode::Esc => GoToKey::Close,
            KeyCode::Enter if self.selected().is_some() => GoToKey::Open,
            KeyCode::Enter => GoToKey::Unchanged,
            KeyCode::Down => moved(&mut self.nav, Command::Down),
            KeyCode::Up => moved(&mut self.nav, Command::Up),
            KeyCode::PageDown => moved(&mut self.nav, Command::PageDown),
            KeyCode::PageUp => moved(&mut self.nav, Command::PageUp),
            _ => match self.query.handle(key) {
                Some(true) => GoToKey::Search,
                _ => GoToKey::Unchanged,
            },
        }
    }
}

/// Draws the dialog in `inner` (the popup's inside); returns where the cursor goes.
pub fn draw(
    g: &GoTo,
    lang: Lang,
    theme: &Theme,
    buf: &mut Buffer,
    inner: Rect,
) -> Option<(u16, u16)> {
    let w = inner.width as usize;
    if inner.height < 5 || w < 20 {
        return None;
    }
    let count = lang.f(Msg::GoToFound, &[&g.hits.len().to_string()]);
    let cursor = super::pick::query_line(
        (lang.t(Msg::GoToPrompt), lang.t(Msg::GoToHint)),
        &g.query,
        &count,
        theme,
        buf,
        inner,
    );
    let specs = [
        spec(0, 11, 0, false, 2),
        spec(1, 10, 0, false, 14),
        spec(2, 11, 2, false, 0),
        spec(3, 6, 3, false, 4),
        spec(4, 6, 1, false, 2),
    ];
    let cols = table::fit(w, &specs);
    let titles = [
        lang.t(Msg::ColContract),
        lang.t(Msg::ColCustomer),
        lang.t(Msg::ColPhone),
        lang.t(Msg::ColBranch),
        lang.t(Msg::ColState),
    ];
    let empty = if g.query.is_empty() {
        Msg::GoToHint
    } else {
        Msg::GoToNone
    };
    table::List {
        header: table::header(&cols, &titles, theme.style("header")),
        empty: Line::styled(lang.t(empty), theme.style("muted")),
        nav: &g.nav,
        len: g.hits.len(),
        line: |i: usize| {
            let h = &g.hits[i];
            let style = match h.state {
                "active" => theme.style("popup"),
                _ => theme.style("muted"),
            };
            let texts = [
                h.contract_no.clone(),
                h.customer.clone(),
                h.phone.clone(),
                h.branch.clone(),
                lang.status(h.state).to_string(),
            ];
            table::cells(&cols, &texts, |_| style)
        },
        selection: theme.style("selection"),
    }
    .draw(
        Rect::new(
            inner.x,
            inner.y + 1,
            inner.width,
            inner.height.saturating_sub(2),
        ),
        buf,
    );
    buf.set_line(
        inner.x,
        inner.bottom() - 1,
        &Line::styled(lang.t(Msg::GoToFooter), theme.style("hint.key")),
        inner.width,
    );
    Some(cursor)
}
