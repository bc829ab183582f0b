//! One application drawn as lines: what was asked, the overdue figures kept at submission,
//! the chain with the step waiting, the decisions so far, and the tow's plan and outcome.
//! Shared by the approvals inbox and the tow board.

use super::super::i18n::{Lang, Msg};
use super::super::text::truncate;
use super::super::theme::Theme;
use crate::app::ApplicationView;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// A decision's action (`approved`, …) in the user's language.
pub fn action_text(lang: Lang, action: &str) -> &'static str {
    lang.t(match action {
        "submitted" => Msg::ActSubmitted,
        "approved" => Msg::ActApproved,
        "rejected" => Msg::ActRejected,
        "resubmitted" => Msg::ActResubmitted,
        _ => Msg::ActWithdrawn,
    })
}

/// The lines describing an application, most important first.
pub fn lines(v: &ApplicationView, lang: Lang, theme: &Theme) -> Vec<Line<'static>> {
    let r = &v.row;
    let base = theme.style("base");
    let muted = theme.style("muted");
    let mut out = Vec::new();
    out.push(Line::styled(
        lang.f(
            Msg::DetailSubmitted,
            &[
                &r.id,
                lang.document(r.document),
                &r.contract_no,
                &r.applicant,
                &r.submitted_on.to_string(),
                &r.rule_name,
                &r.rule_version.to_string(),
            ],
        ),
        theme.style("title"),
    ));
    out.push(Line::styled(
        lang.f(
            Msg::DetailFigures,
            &[
                &r.days_overdue.to_string(),
                &r.overdue_amount.display(),
                &r.penalty_outstanding.display(),
                &r.total_outstanding.display(),
            ],
        ),
        theme.overdue(r.days_overdue),
    ));
    out.push(Line::styled(
        lang.f(Msg::DetailReason, &[&lang.reason(r.document, &r.reason)]),
        base,
    ));
    if !r.location.is_empty() {
        out.push(Line::styled(
            lang.f(Msg::DetailLocation, &[&r.location]),
            base,
        ));
    }
    if let Some(amount) = r.amount {
        out.push(Line::styled(
            lang.f(Msg::DetailAmount, &[&amount.display()]),
            base,
        ));
    }
    // The chain, the step waiting marked with brackets.
    let decided = v
        .history
        .iter()
        .rev()
        .take_while(|d| !matches!(d.action, "submitted" | "resubmitted"))
        .filter(|d| d.action == "approved")
        .count();
    let steps: Vec<String> = v
        .chain
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = lang.step(s);
            if r.stage == "in_review" && i == decided {
                format!("[{s}]")
            } else {
                s
            }
        })
        .collect();
    out.push(Line::from(vec![
        Span::styled(lang.f(Msg::DetailChain, &[&steps.join(" > ")]), base),
        Span::styled(
            format!(" · {}", lang.status(r.stage)),
            theme.style("status.pending"),
        ),
    ]));
    if let Some(o) = &v.order {
        out.extend(order_lines(o, lang, theme));
    }
    if let Some(t) = &v.tow {
        out.push(Line::styled(
            lang.f(
                Msg::DetailTowPlan,
                &[
                    &t.planned_on.to_string(),
                    &t.crew.join(", "),
                    &t.location,
                    &t.registered_by,
                ],
            ),
            base,
        ));
        if !t.note.is_empty() {
            out.push(Line::styled(lang.f(Msg::DetailTowNote, &[&t.note]), muted));
        }
        if let (Some(on), Some(yard)) = (t.towed_on, &t.yard) {
            out.push(Line::styled(
                lang.f(
                    Msg::DetailTowDone,
                    &[
                        &on.to_string(),
                        yard,
                        t.condition.as_deref().unwrap_or(""),
                        &t.cost.map_or(String::new(), |c| c.display()),
                    ],
                ),
                theme.style("ok"),
            ));
        }
        if let Some(why) = &t.failure {
            out.push(Line::styled(
                lang.f(Msg::DetailTowFailed, &[why]),
                theme.style("danger"),
            ));
        }
    }
    out.push(Line::styled(
        lang.t(Msg::DetailHistory),
        theme.style("header"),
    ));
    for d in v.history.iter().rev() {
        let step = d
            .step
            .as_deref()
            .map_or(String::new(), |s| format!(" ({})", lang.step(s)));
        let style = match d.action {
            "rejected" => theme.style("danger"),
            "approved" => theme.style("ok"),
            _ => base,
        };
        out.push(Line::from(vec![
            Span::styled(format!("{} ", d.on), muted),
            Span::styled(
                format!("{} {}{step}", d.by, action_text(lang, d.action)),
                style,
            ),
            Span::styled(
                match (d.comment.is_empty(), d.action) {
                    (true, _) => String::new(),
                    // A submission's comment is the application's reason, in the user's words
                    // when it is one the app gives (an outbound order's).
                    (false, "submitted") => format!(": {}", lang.reason(r.document, &d.comment)),
                    (false, _) => format!(": {}", d.comment),
                },
                base,
            ),
        ]));
    }
    out
}

/// An outbound order's contents for finance to approve: the machine (serial, model, a
/// substitute marked), then each accessory line, contract or extra.
fn order_lines(o: &crate::app::OrderView, lang: Lang, theme: &Theme) -> Vec<Line<'static>> {
    let base = theme.style("base");
    let mut out = Vec::new();
    out.push(match &o.serial {
        Some(serial) => {
            let model = o.machine_model.as_deref().unwrap_or(&o.contract_model);
            let substitute = if o.substitute {
                format!(" {}", lang.t(Msg::LabelSubstitute))
            } else {
                String::new()
            };
            Line::styled(
                lang.f(
                    Msg::DetailOrderMachine,
                    &[&o.id, serial, model, &substitute],
                ),
                theme.style("title"),
            )
        }
        None => Line::styled(
            lang.f(Msg::DetailOrderNoMachine, &[&o.id]),
            theme.style("danger"),
        ),
    });
    if o.accessories.is_empty() {
        out.push(Line::styled(lang.t(Msg::DetailOrderNoLines), base));
        return out;
    }
    out.push(Line::styled(lang.t(Msg::DetailOrderLines), base));
    for l in &o.accessories {
        let kind = lang.t(if l.extra {
            Msg::LineExtra
        } else {
            Msg::LineContract
        });
        out.push(Line::styled(
            lang.f(
                Msg::DetailOrderLine,
                &[&l.code, &l.name, &l.quantity.to_string(), &l.unit, kind],
            ),
            if l.extra {
                theme.style("warning")
            } else {
                base
            },
        ));
    }
    out
}

/// Draws the lines into `area`, each cut to its width — except a line of money figures,
/// wrapped at its spaces instead, so no figure is cut mid-number.
pub fn draw(v: &ApplicationView, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let w = area.width as usize;
    let fitted = lines(v, lang, theme).into_iter().flat_map(|line| {
        let wide = super::super::text::width(&line.to_string()) > w;
        match &line.spans[..] {
            [one] if wide && one.content.contains('¥') => {
                let style = one.style.patch(line.style);
                super::super::text::wrap(&one.content, w)
                    .into_iter()
                    .map(|part| Line::styled(part, style))
                    .collect()
            }
            _ => vec![cut(line, w)],
        }
    });
    for (i, line) in fitted.take(area.height as usize).enumerate() {
        buf.set_line(area.x, area.y + i as u16, &line, area.width);
    }
}

/// A line cut to `w` cells, ending with `…` where cut.
pub fn cut(line: Line<'static>, w: usize) -> Line<'static> {
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let sw = super::super::text::width(&span.content);
        if used + sw <= w {
            used += sw;
            spans.push(span);
        } else {
            let rest = w.saturating_sub(used);
            spans.push(Span::styled(truncate(&span.content, rest), span.style));
            break;
        }
    }
    Line::from(spans).style(line.style)
}
