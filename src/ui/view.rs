//! The view: draws the state, and nothing else. No I/O, no business rules, no changes to
//! the state (the scroll offsets it remembers are view memory in `Cell`s).
//!
//! Layout: a tab bar, the screen, a status line (or the search line), the hint bar.
//! Popups (help, filter, sort, forms, confirmations) are drawn over it with ASCII borders,
//! since box-drawing characters are ambiguous-width in CJK terminals.

use super::form::Form;
use super::i18n::Msg;
use super::keymap::{Command, Context};
use super::screens::dashboard::{self, Column};
use super::screens::{approvals, audit, outbound, payments, rules, settings, stock, ticket, tows};
use super::state::{Confirm, FilterPopup, Popup, Screen, State, Status};
use super::text::{pad_right, truncate, width, wrap};
use crate::domain::Bucket;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    state.drawn_width.set(area.width);
    let theme = &state.theme;
    let lang = state.lang;
    let buf = frame.buffer_mut();
    // Paint the background only when the theme has one: blank cells left at the terminal's
    // default are not written at all, which keeps the first paint small.
    let base = theme.style("base");
    if base.bg.is_some() {
        buf.set_style(area, base);
    }
    if area.width < 40 || area.height < 8 {
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(
                truncate(lang.t(Msg::TooSmall), area.width as usize),
                theme.style("danger"),
            ),
            area.width,
        );
        return;
    }
    tabs(state, buf, Rect::new(area.x, area.y, area.width, 1));
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 3);
    match state.screen {
        Screen::Dashboard => match (&state.ticket, &state.audit) {
            (Some(_), Some(a)) => audit::draw(a, lang, theme, buf, body),
            (Some(t), None) => ticket::draw(t, lang, theme, buf, body),
            (None, _) => dashboard::draw(&state.dashboard, lang, theme, frame, body),
        },
        Screen::Payments => payments::draw(&state.payments, lang, theme, buf, body),
        Screen::Settings => settings::draw(&state.settings, lang, theme, buf, body),
        Screen::Approvals => approvals::draw(&state.approvals, lang, theme, buf, body),
        Screen::Tows => tows::draw(&state.tows, lang, theme, buf, body),
        Screen::Rules => rules::draw(&state.rules, lang, theme, buf, body),
        Screen::Stock => stock::draw(&state.stock, lang, theme, buf, body),
        Screen::Orders => outbound::draw(&state.orders, lang, theme, buf, body),
        Screen::Reports => super::screens::reports::draw(&state.reports, lang, theme, buf, body),
        Screen::Budget => super::screens::budget::draw(&state.budget, lang, theme, buf, body),
    }
    let status_area = Rect::new(area.x, area.bottom() - 2, area.width, 1);
    status_line(state, frame, status_area);
    hints(
        state,
        frame.buffer_mut(),
        Rect::new(area.x, area.bottom() - 1, area.width, 1),
    );
    match &state.popup {
        None => {}
        Some(Popup::Help) => help(state, frame.buffer_mut(), area),
        Some(Popup::Filter(f)) => filter_popup(state, f, frame.buffer_mut(), area),
        Some(Popup::Sort { cursor }) => sort_popup(state, *cursor, frame.buffer_mut(), area),
        Some(Popup::Form(form)) => form_popup(state, form, frame, area),
        Some(Popup::Confirm(c)) => confirm_popup(state, c, frame.buffer_mut(), area),
        Some(Popup::Pick(p)) => pick_popup(state, p, frame, area),
        Some(Popup::StockFilter(f)) => stock_filter_popup(state, f, frame.buffer_mut(), area),
        Some(Popup::Message(text)) => message_popup(state, text, frame.buffer_mut(), area),
        Some(Popup::Detail(detail)) => detail_popup(state, detail, frame.buffer_mut(), area),
        Some(Popup::GoTo(g)) => {
            let w = area.width.saturating_sub(4).min(90);
            let h = area.height.saturating_sub(2);
            let inner = popup_box(
                state,
                frame.buffer_mut(),
                area,
                w,
                h,
                state.lang.t(Msg::GoToTitle),
            );
            let inner = Rect::new(
                inner.x + 1,
                inner.y,
                inner.width.saturating_sub(2),
                inner.height,
            );
            let drawn = super::goto::draw(g, state.lang, &state.theme, frame.buffer_mut(), inner);
            if let Some(pos) = drawn {
                frame.set_cursor_position(pos);
            }
        }
        Some(Popup::ContractPick(p)) => {
            let w = area.width.saturating_sub(4).min(90);
            let h = area.height.saturating_sub(2);
            let title = state.lang.t(Msg::ContractPickTitle);
            let inner = popup_box(state, frame.buffer_mut(), area, w, h, title);
            let inner = Rect::new(
                inner.x + 1,
                inner.y,
                inner.width.saturating_sub(2),
                inner.height,
            );
            let drawn =
                super::contract_pick::draw(p, state.lang, &state.theme, frame.buffer_mut(), inner);
            if let Some(pos) = drawn {
                frame.set_cursor_position(pos);
            }
        }
    }
    if let Some(job) = &state.job {
        super::job::draw(state, job, frame.buffer_mut(), area);
    }
}

fn tabs(state: &State, buf: &mut Buffer, area: Rect) {
    let theme = &state.theme;
    let lang = state.lang;
    let screens = state.screens();
    let titles: Vec<String> = screens
        .iter()
        .enumerate()
        .map(|(i, screen)| {
            let mut title = lang.t(screen.title()).to_string();
            if *screen == Screen::Dashboard
                && let Some(t) = &state.ticket
            {
                title = format!("{title} > {}", t.view.contract_no);
            }
            if *screen == Screen::Orders
                && let Some(o) = &state.orders.order
            {
                title = format!("{title} > {}", o.view.id);
            }
            format!(" {} {title} ", tab_number(*screen, i))
        })
        .collect();
    // When the titles do not fit, the current tab keeps its title and the others theirs as
    // far as they fit, nearest the current one first; the rest keep only their numbers.
    let numbers: Vec<String> = screens
        .iter()
        .enumerate()
        .map(|(i, screen)| format!(" {} ", tab_number(*screen, i)))
        .collect();
    let current = screens.iter().position(|s| *s == state.screen).unwrap_or(0);
    let mut named = vec![false; screens.len()];
    named[current] = true;
    let mut used = 8
        + (0..screens.len())
            .map(|i| width(if named[i] { &titles[i] } else { &numbers[i] }))
            .sum::<usize>();
    let mut nearest: Vec<usize> = (0..screens.len()).filter(|i| *i != current).collect();
    nearest.sort_by_key(|i| (i.abs_diff(current), *i));
    for i in nearest {
        let more = width(&titles[i]) - width(&numbers[i]);
        if used + more <= area.width as usize {
            named[i] = true;
            used += more;
        }
    }
    let mut spans = vec![Span::styled("duedesk ", theme.style("title"))];
    for (i, (screen, title)) in screens.iter().zip(titles).enumerate() {
        let style = if *screen == state.screen {
            theme.style("tab.active")
        } else {
            theme.style("tab")
        };
        let text = if named[i] { title } else { numbers[i].clone() };
        spans.push(Span::styled(text, style));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// `3 pending · synced 12-04 18:30 · 1 conflict`: a branch site's sync, in local time.
fn sync_state(lang: crate::ui::i18n::Lang, sync: &crate::sync::branch::Line) -> String {
    let when = sync
        .last_sync
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map_or(lang.t(Msg::SyncNever).to_string(), |t| {
            t.with_timezone(&chrono::Local)
                .format("%m-%d %H:%M")
                .to_string()
        });
    let mut text = lang.f(Msg::SyncState, &[&sync.pending.to_string(), &when]);
    if sync.conflicts > 0 {
        text.push_str(" · ");
        text.push_str(&lang.f(Msg::SyncConflicts, &[&sync.conflicts.to_string()]));
    }
    text
}

/// The number a tab shows: its place, except the reports tab, which keeps its key's number
/// (9) whichever tabs come before it.
fn tab_number(screen: Screen, place: usize) -> usize {
    match screen {
        Screen::Reports => 9,
        // The budget tab keeps its key's number too: 0.
        Screen::Budget => 0,
        _ => place + 1,
    }
}

fn status_line(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let lang = state.lang;
    let w = area.width as usize;
    let d = &state.dashboard;
    let on_dashboard = state.screen == Screen::Dashboard && state.ticket.is_none();
    if on_dashboard && d.searching {
        let prompt = lang.t(Msg::SearchPrompt);
        let pw = width(prompt);
        let field_w = w.saturating_sub(pw + 1);
        let (shown, cursor) = d.query.visible(field_w);
        let hint = if d.query.is_empty() {
            Span::styled(
                truncate(lang.t(Msg::SearchHint), field_w),
                theme.style("muted"),
            )
        } else {
            Span::styled(shown, theme.style("input.focus"))
        };
        frame.buffer_mut().set_line(
            area.x,
            area.y,
            &Line::from(vec![Span::styled(prompt, theme.style("title")), hint]),
            area.width,
        );
        if state.popup.is_none() {
            frame.set_cursor_position((area.x + (pw + cursor) as u16, area.y));
        }
        return;
    }
    let (text, style) = match &state.status {
        Some(Status::Info(t)) => (t.clone(), theme.style("status")),
        Some(Status::Error(t)) => (t.clone(), theme.style("status.error")),
        None if on_dashboard => {
            let mut parts = vec![lang.f(
                Msg::RowsShown,
                &[&d.visible.len().to_string(), &d.row_count().to_string()],
            )];
            if !d.query.is_empty() {
                parts.push(lang.f(Msg::ActiveSearch, &[d.query.text()]));
            }
            if !d.filter.is_empty() {
                parts.push(lang.f(Msg::ActiveFilter, &[&d.filter.describe(lang)]));
            }
            let dir = lang.t(if d.descending {
                Msg::Descending
            } else {
                Msg::Ascending
            });
            parts.push(lang.f(Msg::SortedBy, &[lang.t(d.sort.title()), dir]));
            (parts.join(" · "), theme.style("muted"))
        }
        None => (String::new(), theme.style("muted")),
    };
    // The sync state and the unread count sit at the right end, the message takes what is
    // left.
    let unread = right_end_text(state);
    let uw = width(&unread);
    let text_w = status_room(state, w);
    frame.buffer_mut().set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&text, text_w), style),
        area.width,
    );
    if uw > 0 && uw < w {
        frame.buffer_mut().set_line(
            area.x + (w - uw) as u16,
            area.y,
            &Line::styled(unread, theme.style("marked")),
            uw as u16,
        );
    }
}

/// The status line's right end: a branch site's sync state, then the unread count.
fn right_end_text(state: &State) -> String {
    let mut right = Vec::new();
    if let Some(sync) = &state.sync {
        right.push(sync_state(state.lang, sync));
    }
    if state.unread > 0 {
        right.push(state.lang.f(Msg::UnreadCount, &[&state.unread.to_string()]));
    }
    right.join(" · ")
}

/// The cells the status line has for a message on a terminal `w` cells wide: the sync
/// state and the unread count sit at its right end.
pub(super) fn status_room(state: &State, w: usize) -> usize {
    match width(&right_end_text(state)) {
        0 => w,
        uw => w.saturating_sub(uw + 2),
    }
}

/// The bottom hint bar: the active tables' first key for each command, as many as fit.
fn hints(state: &State, buf: &mut Buffer, area: Rect) {
    let theme = &state.theme;
    let lang = state.lang;
    let mut items: Vec<(String, &str)> = Vec::new();
    let mut quit = None;
    match &state.popup {
        Some(Popup::Form(_)) => items.push((String::new(), lang.t(Msg::FormHelp))),
        Some(Popup::Confirm(_)) => items.push((String::new(), lang.t(Msg::ConfirmYesNo))),
        Some(_) => items.push(("Esc".into(), lang.t(Msg::CmdBack))),
        None if state.editing_rules() => items.push((String::new(), lang.t(Msg::RulesEditorHelp))),
        None if state.takes_raw_keys() => {
            items.push(("Enter".into(), lang.t(Msg::CmdSearch)));
            items.push(("Esc".into(), lang.t(Msg::CmdClear)));
        }
        None => {
            let global = |command: Command| {
                state
                    .keymap
                    .keys_of(Context::Global, command)
                    .first()
                    .map(|k| (k.to_string(), lang.t(command.describe())))
            };
            items.extend(global(Command::Help));
            // The screen's own commands the user is offered, each with its first key.
            let contexts = state.contexts();
            for e in state.keymap.entries(&contexts[..1], |c| state.offers(c)) {
                if let Some(k) = e.keys.first() {
                    items.push((k.to_string(), lang.t(e.command.describe())));
                }
            }
            quit = global(Command::Quit);
        }
    }
    let cost = |(key, desc): &(String, &str)| width(key) + 1 + width(desc) + 2;
    // How to quit always shows: the screen's keys give way to it.
    let reserved = quit.as_ref().map_or(0, cost);
    let mut spans = Vec::new();
    let mut used = 0;
    let w = area.width as usize;
    let fits = |used: usize, need: usize| used + need + reserved <= w;
    let shown: Vec<_> = items
        .into_iter()
        .scan(0, |used, item| {
            let need = cost(&item);
            (*used == 0 || fits(*used, need)).then(|| {
                *used += need;
                item
            })
        })
        .chain(quit)
        .collect();
    for (key, desc) in shown {
        let need = width(&key) + 1 + width(desc) + 2;
        if used + need > w && used > 0 {
            break;
        }
        if !key.is_empty() {
            spans.push(Span::styled(key, theme.style("hint.key")));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            truncate(desc, w.saturating_sub(used)),
            theme.style("hint"),
        ));
        spans.push(Span::raw("  "));
        used += need;
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// A centred box with an ASCII border and a title; returns the inner area.
pub(super) fn popup_box(
    state: &State,
    buf: &mut Buffer,
    area: Rect,
    w: u16,
    h: u16,
    title: &str,
) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    // A wide character just left of the box would hide its left border; one whose second
    // half lay inside was cleared, so blank what is left of it outside.
    for y in rect.top()..rect.bottom() {
        if rect.x > area.x && width(buf[(rect.x - 1, y)].symbol()) > 1 {
            buf[(rect.x - 1, y)].set_symbol(" ");
        }
        if rect.right() < area.right() && buf[(rect.right(), y)].symbol().is_empty() {
            buf[(rect.right(), y)].set_symbol(" ");
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(ASCII_BORDER)
        .style(state.theme.style("popup"))
        .title(Span::styled(
            format!(" {title} "),
            state.theme.style("popup.title"),
        ));
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

fn help(state: &State, buf: &mut Buffer, area: Rect) {
    let theme = &state.theme;
    let lang = state.lang;
    let mut lines: Vec<Line> = Vec::new();
    for e in state.keymap.entries(&state.contexts(), |c| state.offers(c)) {
        let keys: Vec<String> = e.keys.iter().map(|k| k.to_string()).collect();
        lines.push(Line::from(vec![
            Span::styled(pad_right(&keys.join(" "), 16), theme.style("hint.key")),
            Span::styled(lang.t(e.command.describe()), theme.style("popup")),
        ]));
    }
    lines.push(Line::styled(lang.t(Msg::HelpClose), theme.style("muted")));
    // Two columns when the list is taller than the screen.
    let rows_fit = area.height.saturating_sub(4) as usize;
    let columns = lines.len().div_ceil(rows_fit.max(1)).max(1);
    let col_w = 36u16;
    let w = (col_w * columns as u16 + 2).min(area.width);
    let h = (lines.len().div_ceil(columns) as u16 + 2).min(area.height);
    let inner = popup_box(state, buf, area, w, h, lang.t(Msg::Help));
    let per_col = lines.len().div_ceil(columns);
    for (i, line) in lines.into_iter().enumerate() {
        let (c, r) = (i / per_col, i % per_col);
        let x = inner.x + c as u16 * col_w;
        if r as u16 >= inner.height || x >= inner.right() {
            continue;
        }
        buf.set_line(x, inner.y + r as u16, &line, col_w.min(inner.right() - x));
    }
}

fn filter_popup(state: &State, f: &FilterPopup, buf: &mut Buffer, area: Rect) {
    let lang = state.lang;
    let d = &state.dashboard;
    let all = lang.t(Msg::FilterAll).to_string();
    let value = |list: &[String], i: usize| {
        if i == 0 {
            all.clone()
        } else {
            list[i - 1].clone()
        }
    };
    let bucket = if f.choice[2] == 0 {
        all.clone()
    } else {
        lang.bucket(Bucket::ALL[f.choice[2]]).to_string()
    };
    let rows = [
        (lang.t(Msg::ColBranch), value(d.branches(), f.choice[0])),
        (
            lang.t(Msg::ColCollector),
            value(d.collectors(), f.choice[1]),
        ),
        (lang.t(Msg::FilterBucket), bucket),
    ];
    choices_popup(state, f.row, &rows, buf, area);
}

/// A filter popup: a row a filter, each `< value >` to step through, the focused row
/// highlighted, and the keys under them.
fn choices_popup(
    state: &State,
    focused: usize,
    rows: &[(&str, String)],
    buf: &mut Buffer,
    area: Rect,
) {
    let theme = &state.theme;
    let n = rows.len() as u16;
    let inner = popup_box(state, buf, area, 50, n + 4, state.lang.t(Msg::FilterTitle));
    for (i, (label, value)) in rows.iter().enumerate() {
        let style = if i == focused {
            theme.style("selection")
        } else {
            theme.style("popup")
        };
        let line = Line::from(vec![
            Span::styled(pad_right(label, 14), theme.style("popup")),
            Span::styled(format!("< {} >", truncate(value, 26)), style),
        ]);
        buf.set_line(inner.x + 1, inner.y + i as u16, &line, inner.width - 1);
    }
    buf.set_line(
        inner.x + 1,
        inner.y + n + 1,
        &Line::styled(
            truncate(
                "Up/Down · Left/Right · Enter · Esc",
                inner.width as usize - 1,
            ),
            theme.style("muted"),
        ),
        inner.width - 1,
    );
}

fn sort_popup(state: &State, cursor: usize, buf: &mut Buffer, area: Rect) {
    let theme = &state.theme;
    let lang = state.lang;
    let w = (dashboard::title_width(lang) + 8).max(24) as u16;
    let inner = popup_box(
        state,
        buf,
        area,
        w,
        Column::ALL.len() as u16 + 2,
        lang.t(Msg::SortTitle),
    );
    for (i, column) in Column::ALL.iter().enumerate() {
        let mut text = lang.t(column.title()).to_string();
        if *column == state.dashboard.sort {
            text.push_str(if state.dashboard.descending {
                " v"
            } else {
                " ^"
            });
        }
        let style = if i == cursor {
            theme.style("selection")
        } else {
            theme.style("popup")
        };
        let line = Line::styled(pad_right(&format!(" {text}"), inner.width as usize), style);
        buf.set_line(inner.x, inner.y + i as u16, &line, inner.width);
    }
}

fn form_popup(state: &State, form: &Form, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let lang = state.lang;
    let today = state.today;
    let errors = form.errors(lang, today);
    let w = area.width.min(76);
    // A refusal shows whole under the fields, on as many lines as it takes.
    let message = form
        .message
        .as_deref()
        .map(|m| wrap(m, w.saturating_sub(4) as usize))
        .unwrap_or_default();
    let h = (form.fields.len() + 4 + message.len().max(1)) as u16;
    let buf = frame.buffer_mut();
    let inner = popup_box(state, buf, area, w, h, &form.title_text(lang));
    let label_w = 20usize.min(inner.width as usize / 3);
    let input_w = 24usize;
    let err_w = (inner.width as usize).saturating_sub(label_w + input_w + 4);
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let y = inner.y + i as u16;
        let focused = i == form.focus;
        let input_style = if focused {
            theme.style("input.focus")
        } else {
            theme.style("input")
        };
        let (shown, at) = if field.is_choice() {
            (format!("< {} >", field.choice_text(lang)), 0)
        } else {
            field.input.visible(input_w - 1)
        };
        if focused && !field.is_choice() {
            cursor = Some((inner.x + 1 + label_w as u16 + 1 + at as u16, y));
        }
        let mut spans = vec![
            Span::styled(
                pad_right(lang.t(field.label), label_w),
                theme.style("popup"),
            ),
            Span::raw(" "),
            Span::styled(pad_right(&shown, input_w), input_style),
            Span::raw(" "),
        ];
        if let Some(e) = &errors[i] {
            spans.push(Span::styled(truncate(e, err_w), theme.style("input.error")));
        }
        buf.set_line(inner.x + 1, y, &Line::from(spans), inner.width - 1);
    }
    let note = form.note(lang);
    if form.message.is_none()
        && let Some(note) = &note
    {
        let y = inner.y + form.fields.len() as u16 + 1;
        buf.set_line(
            inner.x + 1,
            y,
            &Line::styled(
                truncate(note, inner.width as usize - 2),
                theme.style("muted"),
            ),
            inner.width - 1,
        );
    }
    for (i, line) in message.iter().enumerate() {
        let y = inner.y + form.fields.len() as u16 + 1 + i as u16;
        buf.set_line(
            inner.x + 1,
            y,
            &Line::styled(line.clone(), theme.style("status.error")),
            inner.width - 1,
        );
    }
    if let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

fn confirm_popup(state: &State, c: &Confirm, buf: &mut Buffer, area: Rect) {
    let theme = &state.theme;
    let lang = state.lang;
    let w = 60u16.min(area.width);
    let lines = wrap(&c.prompt, (w - 4) as usize);
    let h = lines.len() as u16 + 4;
    let inner = popup_box(state, buf, area, w, h, lang.t(Msg::ConfirmTitle));
    for (i, l) in lines.iter().enumerate() {
        buf.set_line(
            inner.x + 1,
            inner.y + i as u16,
            &Line::styled(l.clone(), theme.style("popup")),
            inner.width - 1,
        );
    }
    buf.set_line(
        inner.x + 1,
        inner.y + lines.len() as u16 + 1,
        &Line::styled(lang.t(Msg::ConfirmYesNo), theme.style("hint.key")),
        inner.width - 1,
    );
}

/// An error or refusal too long for the status line, whole, wrapped; any key closes it.
fn message_popup(state: &State, text: &str, buf: &mut Buffer, area: Rect) {
    let theme = &state.theme;
    let lang = state.lang;
    let w = 64u16.min(area.width);
    let lines = wrap(text, (w - 4) as usize);
    let h = (lines.len() as u16 + 4).min(area.height);
    let inner = popup_box(state, buf, area, w, h, lang.t(Msg::MessageTitle));
    for (i, l) in lines.iter().enumerate().take(inner.height as usize) {
        buf.set_line(
            inner.x + 1,
            inner.y + i as u16,
            &Line::styled(l.clone(), theme.style("status.error")),
            inner.width - 1,
        );
    }
    let y = inner.y + lines.len() as u16 + 1;
    if y < inner.bottom() {
        buf.set_line(
            inner.x + 1,
            y,
            &Line::styled(lang.t(Msg::AnyKeyCloses), theme.style("hint.key")),
            inner.width - 1,
        );
    }
}

/// A contact or application shown whole: each line wrapped to the box in its own style,
/// then the keys it takes.
fn detail_popup(state: &State, detail: &super::state::Detail, buf: &mut Buffer, area: Rect) {
    let theme = &state.theme;
    let lang = state.lang;
    let w = 72u16.min(area.width);
    let room = w.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    for line in &detail.lines {
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let style = line
            .spans
            .first()
            .map_or(line.style, |s| line.style.patch(s.style));
        for part in wrap(&text, room) {
            lines.push(Line::styled(part, style));
        }
    }
    let keys = match (&detail.resubmit, &detail.withdraw) {
        (Some(_), Some(_)) => Msg::ApplicationKeys,
        (Some(_), None) => Msg::ApplicationKeyResubmit,
        (None, Some(_)) => Msg::ApplicationKeyWithdraw,
        (None, None) => Msg::AnyKeyCloses,
    };
    let h = (lines.len() as u16 + 4).min(area.height);
    let inner = popup_box(state, buf, area, w, h, &detail.title);
    // The keys line stays at the bottom; the lines above it fill what room there is.
    let body = inner.height.saturating_sub(2) as usize;
    for (i, l) in lines.iter().take(body).enumerate() {
        buf.set_line(inner.x + 1, inner.y + i as u16, l, inner.width - 1);
    }
    if inner.height > 0 {
        buf.set_line(
            inner.x + 1,
            inner.bottom() - 1,
            &Line::styled(lang.t(keys), theme.style("hint.key")),
            inner.width - 1,
        );
    }
}

/// The pick-serial or swap dialog: most of the screen, so many rows show.
fn pick_popup(state: &State, p: &super::pick::PickDialog, frame: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2);
    let title = p.title(state.lang);
    let inner = popup_box(state, frame.buffer_mut(), area, w, h, &title);
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    if let Some(pos) = super::pick::draw(p, state.lang, &state.theme, frame.buffer_mut(), inner) {
        frame.set_cursor_position(pos);
    }
}

fn stock_filter_popup(state: &State, f: &FilterPopup, buf: &mut Buffer, area: Rect) {
    let lang = state.lang;
    let s = &state.stock;
    let all = lang.t(Msg::FilterAll).to_string();
    let yard = f.choice[0]
        .checked_sub(1)
        .map_or(all.clone(), |i| s.yards[i].clone());
    let st = f.choice[1].checked_sub(1).map_or(all, |i| {
        lang.stock_state(super::screens::stock::STATES[i])
            .to_string()
    });
    let rows = [
        (lang.t(Msg::FilterYard), yard),
        (lang.t(Msg::FilterState), st),
    ];
    choices_popup(state, f.row, &rows, buf, area);
}
