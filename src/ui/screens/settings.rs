//! Settings: the global penalty-rate history, grace days, allocation order and how far the
//! daily accrual has run; forms set a rate or grace days globally or for one contract, as
//! the CLI does. For admins a second pane lists the users (roles, branch, state, language)
//! with the SSH keys of the one under the cursor.

use super::super::i18n::{Lang, Msg};
use super::super::text::pad_right;
use super::super::text::{truncate, width};
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, spec};
use crate::app::{SettingsView, UserView};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The settings screen's panes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Settings,
    /// The users (admins only).
    Users,
}

#[derive(Clone, Debug, Default)]
pub struct SettingsScreen {
    pub view: Option<SettingsView>,
    pub pane: Pane,
    /// Whether the viewer is an admin: only then is the users pane offered.
    pub admin: bool,
    pub users: Vec<UserView>,
    /// The SSH keys (fingerprint, key line) of the user under the cursor.
    pub keys: Vec<(String, String)>,
    /// Whose keys `keys` are.
    pub keys_of: Option<String>,
    pub nav: ListNav,
    pub users_loaded: bool,
}

impl SettingsScreen {
    pub fn selected_user(&self) -> Option<&UserView> {
        self.users.get(self.nav.selected)
    }

    /// Rows of the pane's list (the settings pane has none).
    pub fn len(&self) -> usize {
        match self.pane {
            Pane::Settings => 0,
            Pane::Users => self.users.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub fn draw(s: &SettingsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let area = if s.admin && area.height > 2 {
        panes_line(s, lang, theme, buf, area);
        Rect::new(area.x, area.y + 1, area.width, area.height - 1)
    } else {
        area
    };
    match s.pane {
        Pane::Settings => draw_settings(s, lang, theme, buf, area),
        Pane::Users => draw_users(s, lang, theme, buf, area),
    }
}

/// `[Rates and settings]  Users    h/l switches`, the pane shown highlighted.
fn panes_line(s: &SettingsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let mut spans = Vec::new();
    for (pane, msg) in [
        (Pane::Settings, Msg::PaneSettings),
        (Pane::Users, Msg::PaneUsers),
    ] {
        let style = if pane == s.pane {
            theme.style("tab.active")
        } else {
            theme.style("tab")
        };
        spans.push(Span::styled(format!(" {} ", lang.t(msg)), style));
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let hint = lang.t(Msg::PaneSwitch);
    if used + width(hint) + 2 <= area.width as usize {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(hint, theme.style("muted")));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

fn draw_users(s: &SettingsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    // The keys of the user under the cursor take the bottom: a title and a line each.
    let key_rows = (s.keys.len().max(1) as u16 + 1).min(area.height / 3);
    let list_h = area.height.saturating_sub(key_rows + 1);
    let specs = [
        spec(0, 10, 0, false, 4),
        spec(1, 10, 3, false, 6),
        spec(2, 16, 0, false, 14),
        spec(3, 6, 1, false, 4),
        spec(4, 8, 2, false, 0),
        spec(5, 7, 4, false, 0),
    ];
    let cols = table::fit(area.width as usize, &specs);
    let titles = [
        lang.t(Msg::ColLogin),
        lang.t(Msg::ColShownAs),
        lang.t(Msg::ColRoles),
        lang.t(Msg::ColBranch),
        lang.t(Msg::ColState),
        lang.t(Msg::ColLang),
    ];
    table::List {
        header: table::header(&cols, &titles, theme.style("header")),
        empty: Line::styled(lang.t(Msg::NoUsers), theme.style("muted")),
        nav: &s.nav,
        len: s.users.len(),
        line: |i: usize| {
            let u = &s.users[i];
            let roles: Vec<&str> = u
                .roles
                .iter()
                .map(|r| crate::domain::Role::parse(r).map_or(*r, |r| lang.role(r)))
                .collect();
            let texts = [
                u.name.clone(),
                u.display.clone(),
                roles.join(","),
                u.branch.clone().unwrap_or_else(|| "-".into()),
                lang.t(if u.disabled {
                    Msg::UserDisabled
                } else {
                    Msg::UserActive
                })
                .to_string(),
                u.lang
                    .and_then(Lang::parse)
                    .map_or("-", |l| super::super::form::language_word(lang, l))
                    .to_string(),
            ];
            table::cells(&cols, &texts, |id| match id {
                4 if u.disabled => theme.style("danger"),
                _ if u.disabled => theme.style("muted"),
                _ => theme.style("base"),
            })
        },
        selection: theme.style("selection"),
    }
    .draw(Rect::new(area.x, area.y, area.width, list_h), buf);
    let Some(name) = &s.keys_of else {
        return;
    };
    let w = area.width as usize;
    let mut y = area.bottom() - key_rows;
    if s.keys.is_empty() {
        buf.set_line(
            area.x,
            y,
            &Line::styled(
                truncate(&lang.f(Msg::UserNoKeys, &[name]), w),
                theme.style("muted"),
            ),
            area.width,
        );
        return;
    }
    buf.set_line(
        area.x,
        y,
        &Line::styled(
            truncate(&lang.f(Msg::UserKeys, &[name]), w),
            theme.style("title"),
        ),
        area.width,
    );
    for (fingerprint, key) in &s.keys {
        y += 1;
        if y >= area.bottom() {
            break;
        }
        // The fingerprint, then the key's type and comment (the key itself is long).
        let mut parts = key.split_whitespace();
        let kind = parts.next().unwrap_or_default();
        let comment = parts.nth(1).unwrap_or_default();
        let text = format!("  {fingerprint} {kind} {comment}");
        buf.set_line(
            area.x,
            y,
            &Line::styled(truncate(text.trim_end(), w), theme.style("base")),
            area.width,
        );
    }
}

fn draw_settings(s: &SettingsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let Some(v) = &s.view else {
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::styled(lang.t(Msg::GlobalRates), theme.style("title")));
    lines.push(Line::from(vec![
        Span::styled(pad_right(lang.t(Msg::FieldFrom), 14), theme.style("header")),
        Span::styled(lang.t(Msg::FieldDailyRate), theme.style("header")),
    ]));
    if v.rates.is_empty() {
        lines.push(Line::styled(lang.t(Msg::Empty), theme.style("muted")));
    }
    for r in &v.rates {
        lines.push(Line::from(vec![
            Span::styled(pad_right(&r.from.to_string(), 14), theme.style("base")),
            Span::styled(r.daily.to_string(), theme.style("base")),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        lang.f(Msg::GlobalGrace, &[&v.grace_days.to_string()]),
        theme.style("base"),
    ));
    lines.push(Line::styled(
        lang.f(
            Msg::AllocationOrder,
            &[lang.t(if v.allocation_order == "statutory" {
                Msg::OrderStatutory
            } else {
                Msg::OrderDefault
            })],
        ),
        theme.style("base"),
    ));
    let accrued = v
        .accrued_through
        .map_or(lang.t(Msg::Never).to_string(), |d| d.to_string());
    lines.push(Line::styled(
        lang.f(Msg::AccruedThrough, &[&accrued]),
        theme.style("base"),
    ));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        lang.t(Msg::SettingsNote),
        theme.style("muted"),
    ));
    for (i, line) in lines.into_iter().take(area.height as usize).enumerate() {
        buf.set_line(area.x, area.y + i as u16, &line, area.width);
    }
}
