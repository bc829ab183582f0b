//! Audit trail (操作记录) of one contract, opened from its collection ticket: every journal
//! entry about it, oldest first — who, when (wall clock and business date), what.

use super::super::i18n::{Lang, Msg};
use super::super::text::truncate;
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::ColSpec;
use super::approvals::draw_table;
use crate::app::AuditEntry;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

#[derive(Clone, Debug)]
pub struct AuditScreen {
    pub contract: String,
    pub entries: Vec<AuditEntry>,
    pub nav: ListNav,
}

impl AuditScreen {
    /// Opens on the newest entry (the last).
    pub fn new(contract: &str, entries: Vec<AuditEntry>) -> AuditScreen {
        let nav = ListNav {
            selected: entries.len().saturating_sub(1),
            ..ListNav::default()
        };
        AuditScreen {
            contract: contract.to_string(),
            entries,
            nav,
        }
    }
}

fn spec(id: usize, width: usize, drop_rank: u8, grow: usize) -> ColSpec<usize> {
    ColSpec {
        id,
        width,
        drop_rank,
        right: false,
        grow,
    }
}

pub fn draw(a: &AuditScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let head = lang.f(
        Msg::AuditTitle,
        &[&a.contract, &a.entries.len().to_string()],
    );
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&head, area.width as usize), theme.style("title")),
        area.width,
    );
    if area.height < 3 {
        return;
    }
    let titles = [
        Msg::ColWhen,
        Msg::ColDate,
        Msg::ColWho,
        Msg::ColWhat,
        Msg::ColDetail,
    ];
    let specs = [
        spec(0, 20, 2, 0),
        spec(1, 10, 0, 0),
        spec(2, 8, 0, 4),
        spec(3, 16, 0, 4),
        spec(4, 16, 1, 80),
    ];
    let base = theme.style("base");
    let muted = theme.style("muted");
    let rows: Vec<Vec<(String, Style)>> = a
        .entries
        .iter()
        .map(|e| {
            vec![
                (e.at.clone(), muted),
                (e.business_date.to_string(), base),
                (e.actor.clone(), base),
                (lang.operation(e.action), base),
                (e.detail.clone(), muted),
            ]
        })
        .collect();
    let body = Rect::new(area.x, area.y + 2, area.width, area.height - 2);
    draw_table(
        lang,
        theme,
        buf,
        body,
        &titles,
        &specs,
        &rows,
        &a.nav,
        theme.style("header"),
    );
}
