//! The fund budget (资金预算), tab 0, for finance, admins and a branch's approvers:
//! a branch's month — each line's plan, actual, variance and month-to-date pace with a bar of
//! actual against plan — or (v) the month's league table. h/l step months, f the branch;
//! finance drafts a line (a), books manual spending (m) and submits the draft (s).
//!
//! The bar fills `actual / plan` of its width with `█` (the `bar.amount` style; over plan, or
//! collections behind pace, in `danger`); a line without a plan shows no bar.

use super::super::i18n::{Lang, Msg};
use super::super::text::{pad_left, pad_right, truncate, width};
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use crate::app::budget_queries::{BranchBudget, BudgetLineView, League};
use crate::domain::Money;
use crate::domain::budget::Month;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

#[derive(Clone, Debug, Default)]
pub struct BudgetScreen {
    /// The month shown (today's until the user steps).
    pub month: Option<Month>,
    /// The branches offered: those with a plan or actuals this month that the user sees, and
    /// the book's branches finance may draft for.
    pub branches: Vec<String>,
    pub branch: usize,
    /// The chosen branch's month, as last loaded.
    pub data: Option<BranchBudget>,
    pub closed: bool,
    /// The league table, when shown instead of the lines.
    pub league: Option<League>,
    pub show_league: bool,
    pub nav: ListNav,
    pub loaded: bool,
}

impl BudgetScreen {
    pub fn branch(&self) -> Option<&str> {
        self.branches.get(self.branch).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        if self.show_league {
            self.league.as_ref().map_or(0, |l| l.rows.len())
        } else {
            self.data.as_ref().map_or(0, |d| d.lines.len())
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn step_month(&mut self, forward: bool) {
        if let Some(m) = self.month {
            self.month = Some(if forward {
                m.next()
            } else {
                let prev = m.first_day().pred_opt().expect("a month has a day before");
                Month::of(prev)
            });
        }
        self.nav = ListNav::default();
    }

    pub fn next_branch(&mut self) {
        if !self.branches.is_empty() {
            self.branch = (self.branch + 1) % self.branches.len();
        }
        self.nav = ListNav::default();
    }
}

/// The bar of `actual` against `plan`, `cells` wide: `█` for the part reached, `·` for the
/// rest; beyond plan the bar is full.
pub fn bar(actual: Money, plan: Money, cells: usize) -> String {
    if !plan.is_positive() || cells == 0 {
        return String::new();
    }
    let reached = (actual.cents().max(0) as i128 * cells as i128 / plan.cents() as i128)
        .clamp(0, cells as i128) as usize;
    format!("{}{}", "█".repeat(reached), "·".repeat(cells - reached))
}

fn line_label(lang: Lang, l: &BudgetLineView) -> String {
    match (l.category, &l.collector) {
        (Some(c), _) => {
            let cat = crate::domain::budget::Category::parse(c)
                .map(|c| super::super::form::category_word(lang, c))
                .unwrap_or(c);
            lang.f(Msg::BudgetSpendingLine, &[cat])
        }
        (None, Some(c)) => lang.f(Msg::BudgetCollectionOf, &[c]),
        (None, None) => lang.t(Msg::BudgetCollectionRest).to_string(),
    }
}

fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "-".to_string(), |m| m.display())
}

pub fn draw(s: &BudgetScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    if area.height < 4 {
        return;
    }
    let w = area.width as usize;
    let month = s.month.map(|m| m.to_string()).unwrap_or_default();
    let branch = s.branch().unwrap_or("-");
    let mut head = lang.f(Msg::BudgetHead, &[&month, branch]);
    if s.closed {
        head.push_str(" · ");
        head.push_str(lang.t(Msg::BudgetClosed));
    }
    if let Some(d) = &s.data {
        if let Some(n) = d.in_force {
            head.push_str(" · ");
            head.push_str(&lang.f(Msg::BudgetInForce, &[&n.to_string()]));
        }
        if let (Some(n), Some(state)) = (d.draft, d.draft_state) {
            head.push_str(" · ");
            head.push_str(&lang.f(
                Msg::BudgetDraftState,
                &[&n.to_string(), lang.state_name(state)],
            ));
        }
    }
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&head, w), theme.style("title")),
        area.width,
    );
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    if s.show_league {
        draw_league(s, lang, theme, buf, body);
    } else {
        draw_lines(s, lang, theme, buf, body);
    }
}

fn nothing_here(lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let text = truncate(lang.t(Msg::BudgetNone), area.width as usize);
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(text, theme.style("muted")),
        area.width,
    );
}

fn draw_lines(s: &BudgetScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let w = area.width as usize;
    let Some(d) = s.data.as_ref().filter(|d| !d.lines.is_empty()) else {
        return nothing_here(lang, theme, buf, area);
    };
    let totals = lang.f(
        Msg::BudgetTotals,
        &[
            &d.collection_actual.display(),
            &d.collection_plan.display(),
            &d.spending_actual.display(),
            &d.spending_plan.display(),
        ],
    );
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&totals, w), theme.style("muted")),
        area.width,
    );
    // Columns: line, plan, actual, variance, pace, bar; narrow screens drop pace, then variance.
    let money_w = d
        .lines
        .iter()
        .flat_map(|l| {
            [
                money(l.plan),
                l.actual.display(),
                l.variance.display(),
                money(l.pace),
            ]
        })
        .map(|t| width(&t))
        .max()
        .unwrap_or(4)
        .max(6);
    let label_w = 14.min(w / 4).max(6);
    let mut cols = 4usize; // plan, actual, variance, pace
    while cols > 2 && label_w + cols * (money_w + 1) + 6 > w {
        cols -= 1;
    }
    let bar_w = w.saturating_sub(label_w + cols * (money_w + 1) + 1);
    let titles = [
        Msg::BudgetColPlan,
        Msg::BudgetColActual,
        Msg::BudgetColVariance,
        Msg::BudgetColPace,
    ];
    let mut header = vec![Span::raw(pad_right(
        &truncate(lang.t(Msg::BudgetColLine), label_w),
        label_w,
    ))];
    for t in titles.iter().take(cols) {
        header.push(Span::raw(format!(
            " {}",
            pad_left(&truncate(lang.t(*t), money_w), money_w)
        )));
    }
    header.push(Span::raw(format!(
        " {}",
        truncate(lang.t(Msg::BudgetColBar), bar_w)
    )));
    buf.set_line(
        area.x,
        area.y + 1,
        &Line::from(header).style(theme.style("header")),
        area.width,
    );
    let rows = area.height.saturating_sub(2) as usize;
    let first = s.nav.window(rows, d.lines.len());
    for (i, l) in d.lines.iter().enumerate().skip(first).take(rows) {
        let selected = i == s.nav.selected;
        let base = if selected {
            theme.style("selection")
        } else {
            Style::default()
        };
        let mut spans = vec![Span::styled(
            pad_right(&truncate(&line_label(lang, l), label_w), label_w),
            base,
        )];
        let values = [
            money(l.plan),
            l.actual.display(),
            l.variance.display(),
            money(l.pace),
        ];
        for v in values.iter().take(cols) {
            spans.push(Span::styled(format!(" {}", pad_left(v, money_w)), base));
        }
        let bar_style = if l.warning {
            theme.style("danger")
        } else {
            theme.style("bar.amount")
        };
        spans.push(Span::styled(
            format!(
                " {}",
                bar(
                    l.actual,
                    l.plan.unwrap_or_default(),
                    bar_w.saturating_sub(1)
                )
            ),
            bar_style,
        ));
        let y = area.y + 2 + (i - first) as u16;
        buf.set_line(area.x, y, &Line::from(spans), area.width);
    }
    // What counted here from a closed month, and the manual lines, under the lines if room.
    let first_note = area.y + 2 + d.lines.len().min(rows) as u16;
    let notes: Vec<String> = d
        .late
        .iter()
        .map(|l| lang.f(Msg::BudgetLate, &[&l.source, &l.amount.display(), &l.from]))
        .chain(d.manual.iter().map(|m| {
            lang.f(
                Msg::BudgetManual,
                &[
                    &m.id,
                    super::super::form::category_word(lang, m.category),
                    &m.amount.display(),
                    &m.reason,
                ],
            )
        }))
        .collect();
    for (y, note) in (first_note..area.bottom()).zip(notes) {
        buf.set_line(
            area.x,
            y,
            &Line::styled(truncate(&note, w), theme.style("muted")),
            area.width,
        );
    }
}

fn draw_league(s: &BudgetScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let w = area.width as usize;
    let Some(league) = s.league.as_ref().filter(|l| !l.rows.is_empty()) else {
        return nothing_here(lang, theme, buf, area);
    };
    let caption = lang.f(
        if league.closed {
            Msg::BudgetLeagueClosed
        } else {
            Msg::BudgetLeagueOpen
        },
        &[&league.rules_version.to_string()],
    );
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&caption, w), theme.style("muted")),
        area.width,
    );
    let cols: [(Msg, usize, bool); 6] = [
        (Msg::BudgetColRank, 3, true),
        (Msg::BudgetColBranch, 8, false),
        (Msg::BudgetColCollector, 10, false),
        (Msg::BudgetColActual, 14, true),
        (Msg::BudgetColPercent, 8, true),
        (Msg::BudgetColPoints, 8, true),
    ];
    let cell = |text: &str, cw: usize, right: bool| {
        let t = truncate(text, cw);
        if right {
            pad_left(&t, cw)
        } else {
            pad_right(&t, cw)
        }
    };
    let header: String = cols
        .iter()
        .map(|(m, cw, right)| cell(lang.t(*m), *cw, *right))
        .collect::<Vec<_>>()
        .join(" ");
    buf.set_line(
        area.x,
        area.y + 1,
        &Line::styled(truncate(&header, w), theme.style("header")),
        area.width,
    );
    let rows = area.height.saturating_sub(2) as usize;
    let first = s.nav.window(rows, league.rows.len());
    for (i, r) in league.rows.iter().enumerate().skip(first).take(rows) {
        let texts = [
            (i + 1).to_string(),
            r.branch.clone(),
            r.collector
                .clone()
                .unwrap_or_else(|| lang.t(Msg::BudgetWholeBranch).to_string()),
            r.actual.display(),
            r.percent.map(|p| format!("{p}%")).unwrap_or_default(),
            format!("{:.2}", r.points),
        ];
        let text: String = cols
            .iter()
            .zip(texts.iter())
            .map(|((_, cw, right), t)| cell(t, *cw, *right))
            .collect::<Vec<_>>()
            .join(" ");
        let style = if i == s.nav.selected {
            theme.style("selection")
        } else if r.points.is_sign_negative() {
            theme.style("danger")
        } else {
            Style::default()
        };
        let y = area.y + 2 + (i - first) as u16;
        buf.set_line(
            area.x,
            y,
            &Line::styled(truncate(&text, w), style),
            area.width,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_the_share_of_plan_reached() {
        let m = |s: &str| Money::parse(s).unwrap();
        assert_eq!(bar(m("50"), m("100"), 10), "█████·····");
        assert_eq!(bar(m("150"), m("100"), 4), "████");
        assert_eq!(bar(m("0"), m("100"), 3), "···");
        assert_eq!(bar(m("10"), Money::ZERO, 3), "");
    }
}
