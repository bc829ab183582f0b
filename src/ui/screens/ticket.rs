//! Collection ticket (催收单) of one contract: who and what, the figures as of today
//! (overdue, penalty accrued / waived / paid / outstanding, rate, grace, pending money),
//! and panes for installments, payments, contacts with promises, and waivers.

use super::super::i18n::{Lang, Msg};
use super::super::text::{pad_left, pad_right, truncate};
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, ColSpec, spec};
use crate::app::TicketView;
use crate::domain::Money;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Installments,
    Payments,
    Contacts,
    Applications,
}

impl Pane {
    pub const ALL: [Pane; 4] = [
        Pane::Installments,
        Pane::Payments,
        Pane::Contacts,
        Pane::Applications,
    ];

    fn title(self) -> Msg {
        match self {
            Pane::Installments => Msg::PaneInstallments,
            Pane::Payments => Msg::PanePayments,
            Pane::Contacts => Msg::PaneContacts,
            Pane::Applications => Msg::PaneApplications,
        }
    }
}

#[derive(Clone, Debug)]
pub struct TicketScreen {
    pub view: TicketView,
    pub pane: Pane,
    pub nav: ListNav,
}

impl TicketScreen {
    pub fn new(view: TicketView) -> TicketScreen {
        TicketScreen {
            view: newest_contacts_first(view),
            pane: Pane::Installments,
            nav: ListNav::default(),
        }
    }

    pub fn pane_len(&self) -> usize {
        match self.pane {
            Pane::Installments => self.view.installments.len(),
            Pane::Payments => self.view.payments.len(),
            Pane::Contacts => self.view.contacts.len(),
            Pane::Applications => self.view.applications.len(),
        }
    }

    pub fn switch_pane(&mut self, forward: bool) {
        let i = Pane::ALL.iter().position(|p| *p == self.pane).unwrap_or(0);
        let n = Pane::ALL.len();
        self.pane = Pane::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        self.nav = ListNav::default();
        if self.pane == Pane::Installments {
            self.nav.selected = first_owing(&self.view);
        }
    }

    /// A fresh view after a change, keeping the pane and cursor.
    pub fn replace(&mut self, view: TicketView) {
        self.view = newest_contacts_first(view);
        self.nav.clamp(self.pane_len());
    }
}

/// The contact log as a collector reads it: the latest contact on top.
fn newest_contacts_first(mut view: TicketView) -> TicketView {
    view.contacts.reverse();
    view
}

/// The contact under the cursor, when the contacts pane is showing.
pub fn selected_contact(t: &TicketScreen) -> Option<&crate::app::ContactView> {
    (t.pane == Pane::Contacts)
        .then(|| t.view.contacts.get(t.nav.selected))
        .flatten()
}

/// The application under the cursor, when the applications pane is showing.
pub fn selected_application(t: &TicketScreen) -> Option<&crate::app::ApplicationRow> {
    (t.pane == Pane::Applications)
        .then(|| t.view.applications.get(t.nav.selected))
        .flatten()
}

/// A contact whole, as lines to wrap: who and when, channel, result, note, promise.
pub fn contact_lines(t: &TicketScreen, c: &crate::app::ContactView, lang: Lang) -> Vec<String> {
    let mut out = vec![
        lang.f(Msg::ContactChannel, &[lang.channel_name(c.channel)]),
        lang.f(Msg::ContactResult, &[&c.result]),
    ];
    if !c.note.is_empty() {
        out.push(lang.f(Msg::ContactNote, &[&c.note]));
    }
    if let Some(p) = promise_of(&t.view, c) {
        out.push(lang.f(
            Msg::ContactPromise,
            &[
                &p.amount.display(),
                &p.date.to_string(),
                lang.promise(p.state),
            ],
        ));
    }
    out
}

fn promise_of<'a>(
    v: &'a TicketView,
    c: &crate::app::ContactView,
) -> Option<&'a crate::app::PromiseView> {
    v.promises
        .iter()
        .find(|p| Some(p.date) == c.promise_date && p.made_on == c.on && p.by == c.by)
}

/// The first installment with money owing, where the cursor starts.
pub fn first_owing(view: &TicketView) -> usize {
    view.installments
        .iter()
        .position(|i| (i.principal_outstanding + i.interest_outstanding).is_positive())
        .unwrap_or(0)
}

pub fn draw(t: &TicketScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let v = &t.view;
    let w = area.width as usize;
    let base = theme.style("base");
    let muted = theme.style("muted");
    let mut y = area.y;
    let line = |buf: &mut Buffer, y: &mut u16, l: Line| {
        if *y < area.bottom() {
            buf.set_line(area.x, *y, &l, area.width);
            *y += 1;
        }
    };
    // The name gives way first, so the phone number always shows.
    let rest = |name: &str| {
        lang.f(
            Msg::TicketHeader,
            &[
                name,
                &v.customer.phone,
                &v.customer.branch,
                &v.customer.collector,
            ],
        )
    };
    let room = w.saturating_sub(super::super::text::width(&rest("")));
    let head = rest(&truncate(&v.customer.name, room.max(4)));
    line(
        buf,
        &mut y,
        Line::from(vec![Span::styled(truncate(&head, w), theme.style("title"))]),
    );
    let machine = lang.f(
        Msg::TicketMachine,
        &[
            &v.model,
            &v.serial,
            lang.machine(v.machine),
            lang.status(v.state),
        ],
    );
    line(
        buf,
        &mut y,
        Line::from(Span::styled(
            truncate(&format!("{} · {machine}", v.contract_no), w),
            theme.style(&format!("machine.{}", v.machine)),
        )),
    );
    // Figures in two columns.
    let half = w / 2;
    let label_w = 20.min(half / 2);
    let value_w = half.saturating_sub(label_w + 3);
    let money = |m: Money| m.display();
    let pairs: [[(Msg, String, Style); 2]; 6] = [
        [
            (
                Msg::LabelDaysOverdue,
                format!("{} ({})", v.days_overdue, lang.bucket(v.bucket)),
                theme.overdue(v.days_overdue),
            ),
            (
                Msg::LabelPenaltyOutstanding,
                money(v.penalty_outstanding),
                theme.style("danger"),
            ),
        ],
        [
            (
                Msg::LabelOverdueAmount,
                money(v.overdue_amount),
                theme.style("danger"),
            ),
            (Msg::LabelRate, v.rate_in_force.to_string(), base),
        ],
        [
            (Msg::LabelPenaltyAccrued, money(v.penalty_accrued), base),
            (Msg::LabelGrace, v.grace_days.to_string(), base),
        ],
        [
            (Msg::LabelPenaltyWaived, money(v.penalty_waived), base),
            (
                Msg::LabelPending,
                money(v.pending_payments),
                theme.style("status.pending"),
            ),
        ],
        [
            (Msg::LabelPenaltyPaid, money(v.penalty_paid), base),
            (
                Msg::LabelToCollect,
                money(v.total_to_collect),
                theme.style("title"),
            ),
        ],
        [
            (Msg::LabelCredit, money(v.credit), base),
            (Msg::LabelPayoff, money(v.payoff), theme.style("title")),
        ],
    ];
    for pair in pairs {
        let mut spans = Vec::new();
        for (label, value, style) in pair {
            spans.push(Span::styled(pad_right(lang.t(label), label_w), muted));
            spans.push(Span::raw(" "));
            spans.push(Span::styled(pad_left(&value, value_w), style));
            spans.push(Span::raw(" ".repeat(half - label_w - 1 - value_w)));
        }
        line(buf, &mut y, Line::from(spans));
    }
    // Pane tabs.
    let mut tabs = Vec::new();
    for pane in Pane::ALL {
        let count = match pane {
            Pane::Installments => v.installments.len(),
            Pane::Payments => v.payments.len(),
            Pane::Contacts => v.contacts.len(),
            Pane::Applications => v.applications.len(),
        };
        let style = if pane == t.pane {
            theme.style("tab.active")
        } else {
            theme.style("tab")
        };
        tabs.push(Span::styled(
            format!("{} ({count})", lang.t(pane.title())),
            style,
        ));
        tabs.push(Span::raw("  "));
    }
    line(buf, &mut y, Line::from(tabs));
    if y >= area.bottom() {
        return;
    }
    let rest = Rect::new(area.x, y, area.width, area.bottom() - y);
    draw_pane(t, lang, theme, buf, rest);
}

/// Column titles, column specs, and each row's cells (text and style).
type PaneTable = (Vec<Msg>, Vec<ColSpec<usize>>, Vec<Vec<(String, Style)>>);

fn draw_pane(t: &TicketScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let v = &t.view;
    let w = area.width as usize;
    let base = theme.style("base");
    let muted = theme.style("muted");
    // Columns: (title, spec) and rows of (text, style) per column.
    let (titles, specs, rows): PaneTable = match t.pane {
        Pane::Installments => (
            vec![
                Msg::ColSeq,
                Msg::ColDue,
                Msg::ColPrincipal,
                Msg::ColInterest,
                Msg::ColOwing,
                Msg::ColDays,
            ],
            vec![
                spec(0, 4, 0, true, 0),
                spec(1, 10, 0, false, 0),
                spec(2, 14, 0, true, 2),
                spec(3, 12, 0, true, 2),
                spec(4, 14, 0, true, 2),
                spec(5, 6, 0, true, 0),
            ],
            v.installments
                .iter()
                .map(|i| {
                    let owing = i.principal_outstanding + i.interest_outstanding;
                    let style = if i.days_overdue > 0 {
                        theme.overdue(i.days_overdue)
                    } else if owing.is_zero() {
                        muted
                    } else {
                        base
                    };
                    vec![
                        (i.seq.to_string(), style),
                        (i.due_date.to_string(), style),
                        (i.principal_due.display(), style),
                        (i.interest_due.display(), style),
                        (owing.display(), style),
                        (
                            if i.days_overdue > 0 {
                                i.days_overdue.to_string()
                            } else {
                                String::new()
                            },
                            style,
                        ),
                    ]
                })
                .collect(),
        ),
        Pane::Payments => (
            vec![
                Msg::ColId,
                Msg::ColDate,
                Msg::FieldAmount,
                Msg::ColMethod,
                Msg::ColStatus,
                Msg::ColBy,
                Msg::ColReference,
            ],
            vec![
                spec(0, 6, 0, false, 0),
                spec(1, 10, 0, false, 0),
                spec(2, 14, 0, true, 0),
                spec(3, 8, 3, false, 2),
                spec(4, 8, 0, false, 0),
                spec(5, 8, 2, false, 2),
                spec(6, 10, 1, false, 20),
            ],
            v.payments
                .iter()
                .map(|p| {
                    let style = match p.status {
                        "pending" => theme.style("status.pending"),
                        "void" => muted,
                        _ => base,
                    };
                    let reference = match &p.void_reason {
                        Some(r) => format!("{} ({r})", p.reference),
                        None => p.reference.clone(),
                    };
                    vec![
                        (p.id.clone(), style),
                        (p.received_on.to_string(), style),
                        (p.amount.display(), style),
                        (lang.method(&p.method), style),
                        (lang.status(p.status).to_string(), style),
                        (p.recorded_by.clone(), muted),
                        (reference, muted),
                    ]
                })
                .collect(),
        ),
        Pane::Contacts => (
            vec![
                Msg::ColDate,
                Msg::ColChannel,
                Msg::ColResult,
                Msg::ColPromise,
                Msg::FieldAmount,
                Msg::ColPromiseState,
                Msg::ColBy,
            ],
            vec![
                spec(0, 10, 0, false, 0),
                spec(1, 6, 0, false, 0),
                spec(2, 16, 0, false, 30),
                spec(3, 10, 0, false, 0),
                spec(4, 12, 0, true, 0),
                spec(5, 6, 1, false, 0),
                spec(6, 8, 2, false, 0),
            ],
            v.contacts
                .iter()
                .map(|c| {
                    let (pdate, pamount, pstate, pstyle) = match promise_of(v, c) {
                        Some(p) => (
                            p.date.to_string(),
                            p.amount.display(),
                            lang.promise(p.state).to_string(),
                            theme.style(&format!("promise.{}", p.state.name())),
                        ),
                        None => (String::new(), String::new(), String::new(), base),
                    };
                    let result = if c.note.is_empty() {
                        c.result.clone()
                    } else {
                        format!("{} - {}", c.result, c.note)
                    };
                    vec![
                        (c.on.to_string(), base),
                        (lang.channel_name(c.channel).to_string(), base),
                        (result, base),
                        (pdate, pstyle),
                        (pamount, pstyle),
                        (pstate, pstyle),
                        (c.by.clone(), muted),
                    ]
                })
                .collect(),
        ),
        Pane::Applications => (
            vec![
                Msg::ColId,
                Msg::ColDate,
                Msg::ColType,
                Msg::FieldAmount,
                Msg::ColStatus,
                Msg::ColReason,
            ],
            vec![
                spec(0, 6, 0, false, 0),
                spec(1, 10, 0, false, 0),
                spec(2, 8, 0, false, 1),
                spec(3, 14, 0, true, 2),
                spec(4, 8, 0, false, 0),
                spec(5, 20, 0, false, 40),
            ],
            v.applications
                .iter()
                .map(|x| {
                    let style = if x.stage == "in_review" {
                        theme.style("status.pending")
                    } else {
                        base
                    };
                    vec![
                        (x.id.clone(), style),
                        (x.submitted_on.to_string(), style),
                        (lang.document(x.document).to_string(), style),
                        (x.amount.map_or(String::new(), |a| a.display()), style),
                        (lang.status(x.stage).to_string(), style),
                        (x.reason.clone(), muted),
                    ]
                })
                .collect(),
        ),
    };
    let cols = table::fit(w, &specs);
    let header: Vec<Span> = cols
        .iter()
        .map(|(s, cw)| table::cell(lang.t(titles[s.id]), *cw, s.right, theme.style("header")))
        .collect();
    buf.set_line(area.x, area.y, &table::row(header), area.width);
    if area.height < 2 {
        return;
    }
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    if rows.is_empty() {
        buf.set_line(
            body.x,
            body.y,
            &Line::styled(lang.t(Msg::Empty), muted),
            body.width,
        );
        return;
    }
    table::draw_page(body, buf, &cols, &rows, &t.nav, theme.style("selection"));
}
