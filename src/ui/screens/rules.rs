//! Approval rules (审批规则): the rule set in force — its version, each rule's document
//! type, conditions and chain, in the order they are tried. An admin edits the whole set
//! as TOML in a text area, checked as they type by the same parser as `rules check`
//! (`app::rules_file::parse`, problems with line numbers); saving sends `SetRules`, which
//! the app layer refuses to anyone but an admin. Others see the rules read-only.

use super::super::i18n::{Lang, Msg};
use super::super::text::truncate;
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::spec;
use super::approvals::draw_table;
use crate::app::{RulesView, rules_file};
use crate::domain::approval::Rule;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;
use ratatui_textarea::TextArea;

/// The name problems are reported against: `rules.toml:4: document: …`.
pub const FILE_NAME: &str = "rules.toml";

/// The TOML being edited and what the parser says of it.
#[derive(Clone, Debug)]
pub struct RulesEditor {
    pub area: TextArea<'static>,
    /// The text the editor started from (to tell whether anything changed).
    pub original: String,
    /// The rules when the text is valid, else the parser's problems.
    pub parsed: Result<Vec<Rule>, Vec<String>>,
}

impl RulesEditor {
    /// An editor on `text`, styled from the theme (line numbers muted, the cursor reversed).
    pub fn new(text: &str, theme: &Theme) -> RulesEditor {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut area = TextArea::new(lines);
        area.set_hard_tab_indent(false);
        area.set_style(theme.style("input"));
        area.set_cursor_line_style(Style::default());
        area.set_line_number_style(theme.style("muted"));
        area.set_cursor_style(theme.style("input.focus").add_modifier(Modifier::REVERSED));
        let mut editor = RulesEditor {
            area,
            original: text.to_string(),
            parsed: Ok(Vec::new()),
        };
        editor.check();
        editor
    }

    pub fn text(&self) -> String {
        let mut text = self.area.lines().join("\n");
        text.push('\n');
        text
    }

    /// Re-runs `rules check` on the text.
    pub fn check(&mut self) {
        self.parsed = rules_file::parse(FILE_NAME, &self.text());
    }

    pub fn is_dirty(&self) -> bool {
        self.text().trim_end() != self.original.trim_end()
    }
}

#[derive(Clone, Debug, Default)]
pub struct RulesScreen {
    pub view: Option<RulesView>,
    /// The rule set in force as the TOML an editor starts from.
    pub text: String,
    pub nav: ListNav,
    pub editor: Option<RulesEditor>,
    /// Whether the viewer is an admin (others see the rules read-only).
    pub may_edit: bool,
}

pub fn draw(r: &RulesScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    if let Some(editor) = &r.editor {
        return draw_editor(editor, lang, theme, buf, area);
    }
    let Some(v) = &r.view else {
        return;
    };
    let w = area.width as usize;
    let head = if v.version == 0 {
        lang.t(Msg::RulesBuiltin).to_string()
    } else {
        lang.f(
            Msg::RulesVersion,
            &[&v.version.to_string(), &v.rules.len().to_string()],
        )
    };
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&head, w), theme.style("title")),
        area.width,
    );
    let note = if r.may_edit {
        lang.t(Msg::RulesEditHint)
    } else {
        lang.t(Msg::RulesReadOnly)
    };
    buf.set_line(
        area.x,
        area.y + 1,
        &Line::styled(truncate(note, w), theme.style("muted")),
        area.width,
    );
    if area.height < 4 {
        return;
    }
    let titles = [
        Msg::ColType,
        Msg::ColRule,
        Msg::ColConditions,
        Msg::ColChain,
    ];
    let specs = [
        spec(0, 8, 0, false, 0),
        spec(1, 14, 0, false, 10),
        spec(2, 16, 0, false, 14),
        spec(3, 20, 0, false, 60),
    ];
    let base = theme.style("base");
    let rows: Vec<Vec<(String, Style)>> = v
        .rules
        .iter()
        .map(|rule| {
            let mut conditions = Vec::new();
            if let Some(b) = &rule.branch {
                conditions.push(lang.f(Msg::CondBranch, &[b]));
            }
            if let Some(n) = rule.min_days_overdue {
                conditions.push(lang.f(Msg::CondDays, &[&n.to_string()]));
            }
            if let Some(m) = rule.min_overdue_amount {
                conditions.push(lang.f(Msg::CondOverdue, &[&m.display()]));
            }
            if let Some(m) = rule.min_amount {
                conditions.push(lang.f(Msg::CondAmount, &[&m.display()]));
            }
            let (conditions, style) = if conditions.is_empty() {
                (lang.t(Msg::CondNone).to_string(), theme.style("muted"))
            } else {
                (conditions.join(", "), base)
            };
            vec![
                (lang.document(rule.document).to_string(), base),
                (rule.name.clone(), base),
                (conditions, style),
                (
                    rule.chain
                        .iter()
                        .map(|s| lang.step(s))
                        .collect::<Vec<_>>()
                        .join(" > "),
                    base,
                ),
            ]
        })
        .collect();
    let table_area = Rect::new(area.x, area.y + 3, area.width, area.height - 3);
    draw_table(
        lang,
        theme,
        buf,
        table_area,
        &titles,
        &specs,
        &rows,
        &r.nav,
        theme.style("header"),
    );
}

fn draw_editor(e: &RulesEditor, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let w = area.width as usize;
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(lang.t(Msg::RulesEditing), w), theme.style("title")),
        area.width,
    );
    // Problems under the text: as many lines as there are, up to a third of the height.
    let (report, style): (Vec<String>, Style) = match &e.parsed {
        Ok(rules) => (
            vec![lang.f(Msg::RulesValid, &[&rules.len().to_string()])],
            theme.style("ok"),
        ),
        Err(problems) => {
            let mut lines = vec![lang.f(Msg::RulesProblems, &[&problems.len().to_string()])];
            lines.extend(problems.iter().cloned());
            (lines, theme.style("input.error"))
        }
    };
    let report_h = (report.len() as u16).min((area.height / 3).max(1));
    let text_h = area.height.saturating_sub(2 + report_h);
    // The text area remembers its scroll position between frames (view memory in cells).
    (&e.area).render(Rect::new(area.x, area.y + 1, area.width, text_h), buf);
    for (i, line) in report.iter().take(report_h as usize).enumerate() {
        buf.set_line(
            area.x,
            area.y + 1 + text_h + 1 + i as u16,
            &Line::styled(truncate(line, w), style),
            area.width,
        );
    }
}
