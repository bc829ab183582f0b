//! Settings: the global penalty-rate history, grace days, allocation order and how far the
//! daily accrual has run; forms set a rate or grace days globally or for one contract, as
//! the CLI does.

use super::super::i18n::{Lang, Msg};
use super::super::text::pad_right;
use super::super::theme::Theme;
use crate::app::SettingsView;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

#[derive(Clone, Debug, Default)]
pub struct SettingsScreen {
    pub view: Option<SettingsView>,
}

pub fn draw(s: &SettingsScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
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
