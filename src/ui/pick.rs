//! The pick-serial dialog (选机号) and its sales-swap variant (销售换机): the machines an
//! order may take, filtered as the user types over serial, model and yard.
//!
//! Fast with 20,000 machines: the lowercase search key of every row is built once when the
//! dialog opens, and each keystroke filters incrementally. The matches of every query typed
//! so far are kept on a stack; a query that extends the one before filters only that one's
//! matches, and a backspace pops back to a query already filtered.
//!
//! Owns: the dialog's state, its keys and its drawing. Must not touch: the app (the caller
//! loads the rows and runs the chosen mutation).

use super::i18n::{Lang, Msg};
use super::text::{pad_right, truncate, width, wrap};
use super::theme::Theme;
use super::widgets::input::LineInput;
use super::widgets::list::ListNav;
use super::widgets::table::{self, spec};
use crate::app::MachineView;
use crate::domain::outbound::{Machine, MachineStock};
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// One machine the dialog offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickRow {
    pub serial: String,
    pub model: String,
    pub yard: String,
    pub days_in_stock: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickMode {
    /// Pick (and reserve) a serial for a draft order.
    Pick,
    /// Swap the shipped machine `old_serial` for another of the same type, with a reason.
    Swap { old_serial: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickDialog {
    pub order: String,
    /// The contract's model (pick) or the shipped machine's model (swap): shown first.
    pub model: String,
    pub mode: PickMode,
    pub rows: Vec<PickRow>,
    /// Lowercase "serial model yard" of each row, built once.
    keys: Vec<String>,
    pub query: LineInput,
    /// (lowercase query, indices of its matches), from the empty query up.
    stack: Vec<(String, Vec<u32>)>,
    pub nav: ListNav,
    /// The swap's reason.
    pub reason: LineInput,
    pub reason_focused: bool,
    /// A refusal from the app, or "a reason is required".
    pub message: Option<String>,
}

/// What a key did to the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickEvent {
    Changed,
    Unchanged,
    Cancel,
    /// Enter on a row: the serial (and, for a swap, the reason).
    Choose {
        serial: String,
        reason: String,
    },
}

impl PickDialog {
    /// A pick dialog over the app's pickable machines (the contract's model first).
    pub fn pick(order: &str, contract_model: &str, pickable: Vec<MachineView>) -> PickDialog {
        let rows = pickable
            .into_iter()
            .map(|m| PickRow {
                serial: m.serial,
                model: m.model,
                yard: m.yard,
                days_in_stock: m.days_in_stock,
            })
            .collect();
        PickDialog::new(order, contract_model, PickMode::Pick, rows)
    }

    /// A swap dialog: machines in stock of the old machine's type, its model first, then the
    /// oldest stock.
    pub fn swap(order: &str, old: &Machine, machines: &[Machine], today: NaiveDate) -> PickDialog {
        let mut rows: Vec<PickRow> = machines
            .iter()
            .filter(|m| m.state == MachineStock::InStock && m.machine_type == old.machine_type)
            .map(|m| PickRow {
                serial: m.serial.clone(),
                model: m.model.clone(),
                yard: m.yard.clone(),
                days_in_stock: m.days_in_stock(today),
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.model != old.model)
                .cmp(&(b.model != old.model))
                .then(b.days_in_stock.cmp(&a.days_in_stock))
        });
        PickDialog::new(
            order,
            &old.model,
            PickMode::Swap {
                old_serial: old.serial.clone(),
            },
            rows,
        )
    }

    pub fn new(order: &str, model: &str, mode: PickMode, rows: Vec<PickRow>) -> PickDialog {
        let keys = rows
            .iter()
            .map(|r| format!("{} {} {}", r.serial, r.model, r.yard).to_lowercase())
            .collect();
        let all = (0..rows.len() as u32).collect();
        PickDialog {
            order: order.to_string(),
            model: model.to_string(),
            mode,
            rows,
            keys,
            query: LineInput::default(),
            stack: vec![(String::new(), all)],
            nav: ListNav::default(),
            reason: LineInput::default(),
            reason_focused: false,
            message: None,
        }
    }

    /// Indices (into `rows`) of the rows matching the query, in order.
    pub fn visible(&self) -> &[u32] {
        &self.stack.last().expect("the empty query stays").1
    }

    pub fn selected(&self) -> Option<&PickRow> {
        self.visible()
            .get(self.nav.selected)
            .map(|&i| &self.rows[i as usize])
    }

    /// Brings the matches up to the query: pops back to the longest query filtered so far
    /// that the new one extends, then filters only that one's matches.
    pub fn refilter(&mut self) {
        let q = self.query.text().trim_start().to_lowercase();
        while self.stack.len() > 1 && !q.starts_with(&self.stack.last().expect("non-empty").0) {
            self.stack.pop();
        }
        let (last_q, last) = self.stack.last().expect("non-empty");
        if *last_q != q {
            let words: Vec<&str> = q.split_whitespace().collect();
            let keys = &self.keys;
            let next: Vec<u32> = last
                .iter()
                .copied()
                .filter(|&i| {
                    let key = &keys[i as usize];
                    words.iter().all(|w| key.contains(w))
                })
                .collect();
            self.stack.push((q, next));
        }
        self.nav.selected = 0;
        self.nav.offset.set(0);
    }

    pub fn handle(&mut self, key: &KeyEvent) -> PickEvent {
        let len = self.visible().len();
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return PickEvent::Cancel,
            KeyCode::Enter => {
                let Some(row) = self.selected() else {
                    return PickEvent::Unchanged;
                };
                let serial = row.serial.clone();
                let reason = self.reason.text().trim().to_string();
                return PickEvent::Choose { serial, reason };
            }
            KeyCode::Tab | KeyCode::BackTab if matches!(self.mode, PickMode::Swap { .. }) => {
                self.reason_focused = !self.reason_focused;
                return PickEvent::Changed;
            }
            KeyCode::Down => return self.moved(super::keymap::Command::Down, len),
            KeyCode::Up => return self.moved(super::keymap::Command::Up, len),
            KeyCode::PageDown => return self.moved(super::keymap::Command::PageDown, len),
            KeyCode::PageUp => return self.moved(super::keymap::Command::PageUp, len),
            KeyCode::Char('n') if ctrl => return self.moved(super::keymap::Command::Down, len),
            KeyCode::Char('p') if ctrl => return self.moved(super::keymap::Command::Up, len),
            _ => {}
        }
        if self.reason_focused {
            return match self.reason.handle(key) {
                Some(true) => {
                    self.message = None;
                    PickEvent::Changed
                }
                _ => PickEvent::Unchanged,
            };
        }
        let before = self.query.text().len();
        match self.query.handle(key) {
            Some(true) => {
                if self.query.text().len() != before {
                    self.refilter();
                }
                self.message = None;
                PickEvent::Changed
            }
            _ => PickEvent::Unchanged,
        }
    }

    fn moved(&mut self, command: super::keymap::Command, len: usize) -> PickEvent {
        if self.nav.apply(command, len) == Some(true) {
            PickEvent::Changed
        } else {
            PickEvent::Unchanged
        }
    }

    pub fn title(&self, lang: Lang) -> String {
        match &self.mode {
            PickMode::Pick => lang.f(Msg::PickTitle, &[&self.order, &self.model]),
            PickMode::Swap { old_serial } => lang.f(Msg::SwapTitle, &[&self.order, old_serial]),
        }
    }
}

/// Draws the dialog's inside (the caller drew the box): the filter line, the rows, the
/// reason line of a swap, a message and the footer. Returns where the cursor goes.
/// A dialog's typing line at the top of `inner`: the prompt, the query (or, while empty, the
/// hint in muted text) and `count` at the right. Returns where the cursor goes.
pub fn query_line(
    (prompt, hint): (&str, &str),
    query: &LineInput,
    count: &str,
    theme: &Theme,
    buf: &mut Buffer,
    inner: Rect,
) -> (u16, u16) {
    let field_w = (inner.width as usize).saturating_sub(width(prompt) + width(count) + 2);
    let (shown, at) = query.visible(field_w);
    let field = if query.is_empty() {
        Span::styled(
            pad_right(&truncate(hint, field_w), field_w),
            theme.style("muted"),
        )
    } else {
        Span::styled(pad_right(&shown, field_w), theme.style("input.focus"))
    };
    buf.set_line(
        inner.x,
        inner.y,
        &Line::from(vec![
            Span::styled(prompt, theme.style("popup.title")),
            field,
            Span::styled(format!(" {count}"), theme.style("popup")),
        ]),
        inner.width,
    );
    (inner.x + (width(prompt) + at) as u16, inner.y)
}

pub fn draw(
    p: &PickDialog,
    lang: Lang,
    theme: &Theme,
    buf: &mut Buffer,
    inner: Rect,
) -> Option<(u16, u16)> {
    let w = inner.width as usize;
    if inner.height < 6 || w < 20 {
        return None;
    }
    let mut cursor = None;
    // Filter line with the count at the right.
    let count = lang.f(
        Msg::RowsShown,
        &[&p.visible().len().to_string(), &p.rows.len().to_string()],
    );
    let at = query_line(
        (lang.t(Msg::PickFilter), lang.t(Msg::PickHint)),
        &p.query,
        &count,
        theme,
        buf,
        inner,
    );
    if !p.reason_focused {
        cursor = Some(at);
    }
    let swap = matches!(p.mode, PickMode::Swap { .. });
    // Below the rows: the reason (swap), the message (whole, on as many lines as it
    // takes), the footer.
    let message = p.message.as_deref().map(|m| wrap(m, w)).unwrap_or_default();
    let tail = 1 + u16::from(swap) + message.len().max(1) as u16;
    let rows_area = Rect::new(
        inner.x,
        inner.y + 2,
        inner.width,
        inner.height.saturating_sub(2 + tail + 1),
    );
    let specs = [
        spec(0, 14, 0, false, 6),
        spec(1, 10, 0, false, 4),
        spec(2, 12, 1, false, 12),
        spec(3, 6, 0, true, 0),
    ];
    let cols = table::fit(w, &specs);
    let titles = [
        lang.t(Msg::ColSerial),
        lang.t(Msg::ColModel),
        lang.t(Msg::ColYard),
        lang.t(Msg::ColDaysInStock),
    ];
    let visible = p.visible();
    table::List {
        header: table::header(&cols, &titles, theme.style("header")),
        empty: Line::styled(lang.t(Msg::PickNone), theme.style("muted")),
        nav: &p.nav,
        len: visible.len(),
        line: |i: usize| {
            let r = &p.rows[visible[i] as usize];
            let style = if r.model == p.model {
                theme.style("popup")
            } else {
                theme.style("muted")
            };
            let texts = [
                r.serial.as_str(),
                r.model.as_str(),
                r.yard.as_str(),
                &r.days_in_stock.to_string(),
            ]
            .map(str::to_string);
            table::cells(&cols, &texts, |_| style)
        },
        selection: theme.style("selection"),
    }
    .draw(
        Rect::new(
            rows_area.x,
            rows_area.y - 1,
            rows_area.width,
            rows_area.height + 1,
        ),
        buf,
    );
    let mut y = inner.bottom() - tail;
    if swap {
        let label = lang.f(Msg::Labelled, &[lang.t(Msg::FieldReason), ""]);
        let lw = width(&label);
        let (shown, at) = p.reason.visible(w.saturating_sub(lw + 1));
        let style = if p.reason_focused {
            theme.style("input.focus")
        } else {
            theme.style("input")
        };
        buf.set_line(
            inner.x,
            y,
            &Line::from(vec![
                Span::styled(label, theme.style("popup")),
                Span::styled(pad_right(&shown, w.saturating_sub(lw + 1)), style),
            ]),
            inner.width,
        );
        if p.reason_focused {
            cursor = Some((inner.x + (lw + at) as u16, y));
        }
        y += 1;
    }
    for line in message {
        buf.set_line(
            inner.x,
            y,
            &Line::styled(line, theme.style("status.error")),
            inner.width,
        );
        y += 1;
    }
    let footer = lang.t(if swap {
        Msg::SwapFooter
    } else {
        Msg::PickFooter
    });
    buf.set_line(
        inner.x,
        inner.bottom() - 1,
        &Line::styled(truncate(footer, w), theme.style("muted")),
        inner.width,
    );
    cursor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<PickRow> {
        (0..n)
            .map(|i| PickRow {
                serial: format!("SY{i:05}"),
                model: if i % 2 == 0 { "SY75C" } else { "PC200" }.into(),
                yard: if i % 3 == 0 { "合肥" } else { "Wuhu" }.into(),
                days_in_stock: i as i64,
            })
            .collect()
    }

    fn typed(p: &mut PickDialog, text: &str) {
        for c in text.chars() {
            p.handle(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn typing_filters_incrementally_and_backspace_pops_back() {
        let mut p = PickDialog::new("O1", "SY75C", PickMode::Pick, rows(1000));
        typed(&mut p, "sy");
        assert_eq!(p.visible().len(), 1000, "every serial starts SY");
        typed(&mut p, "75c");
        assert_eq!(p.visible().len(), 500, "the even rows are SY75C");
        typed(&mut p, " 合肥");
        // Even and a multiple of three: multiples of six.
        assert_eq!(p.visible().len(), 167);
        assert!(p.visible().iter().all(|i| i % 6 == 0));
        let depth = p.stack.len();
        p.handle(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(p.stack.len(), depth - 1, "a backspace filters nothing");
        assert_eq!(p.visible().len(), 167, "「sy75c 合」 matches the same rows");
        for _ in 0..2 {
            p.handle(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        }
        assert_eq!(p.visible().len(), 500);
        // An edit in the middle starts again from a query it extends.
        p.handle(&KeyEvent::new(KeyCode::Home, KeyModifiers::NONE));
        typed(&mut p, "x");
        assert_eq!(p.visible().len(), 0);
        assert_eq!(p.stack.len(), 2, "the empty query and «xsy75c»");
    }
}
