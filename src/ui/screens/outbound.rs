//! Outbound orders (交机出库): the list of orders in the viewer's scope with a header line of
//! orders by state, and one order's screen — machine, accessory lines (contract or extra),
//! state, approval, shipment and sales swaps.

use super::super::i18n::{Lang, Msg};
use super::super::text::truncate;
use super::super::theme::Theme;
use super::super::widgets::list::ListNav;
use super::super::widgets::table::{self, spec};
use crate::app::{OrderView, OrdersByState};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

#[derive(Clone, Debug)]
pub struct OrderScreen {
    pub view: OrderView,
    /// Cursor over the accessory lines.
    pub nav: ListNav,
}

#[derive(Clone, Debug, Default)]
pub struct OrdersScreen {
    pub rows: Vec<OrderView>,
    pub by_state: Vec<OrdersByState>,
    pub nav: ListNav,
    pub order: Option<OrderScreen>,
    pub loaded: bool,
}

impl OrdersScreen {
    pub fn load(&mut self, rows: Vec<OrderView>, by_state: Vec<OrdersByState>) {
        self.rows = rows;
        self.by_state = by_state;
        self.nav.clamp(self.rows.len());
        self.loaded = true;
    }

    pub fn selected(&self) -> Option<&OrderView> {
        self.rows.get(self.nav.selected)
    }

    /// Puts a freshly read order on its screen (and in the list).
    pub fn replace(&mut self, view: OrderView) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.id == view.id) {
            *row = view.clone();
        }
        match self.order.as_mut().filter(|o| o.view.id == view.id) {
            Some(o) => {
                o.view = view;
                o.nav.clamp(o.view.accessories.len());
            }
            None => {
                self.order = Some(OrderScreen {
                    view,
                    nav: ListNav::default(),
                })
            }
        }
    }

    pub fn len(&self) -> usize {
        match &self.order {
            Some(o) => o.view.accessories.len(),
            None => self.rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn nav_mut(&mut self) -> &mut ListNav {
        match self.order.as_mut() {
            Some(o) => &mut o.nav,
            None => &mut self.nav,
        }
    }
}

/// The style of an order state's word.
pub fn state_style(theme: &Theme, state: &str) -> Style {
    theme.style(match state {
        "submitted" => "status.pending",
        "approved" | "shipped" => "ok",
        "cancelled" => "danger",
        _ => "muted",
    })
}

pub fn draw(s: &OrdersScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    if area.height < 3 {
        return;
    }
    match &s.order {
        Some(o) => draw_order(o, lang, theme, buf, area),
        None => draw_list(s, lang, theme, buf, area),
    }
}

fn draw_list(s: &OrdersScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    // The outbound report: orders by state.
    let summary: Vec<String> = s
        .by_state
        .iter()
        .map(|b| format!("{} {}", lang.order_state(b.state), b.orders))
        .collect();
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(
            truncate(&summary.join(" · "), area.width as usize),
            theme.style("title"),
        ),
        area.width,
    );
    let titles = [
        lang.t(Msg::ColOrder),
        lang.t(Msg::ColState),
        lang.t(Msg::ColContract),
        lang.t(Msg::ColCustomer),
        lang.t(Msg::ColSalesperson),
        lang.t(Msg::ColModel),
        lang.t(Msg::ColSerial),
    ];
    let specs = [
        spec(0, 6, 0, false, 0),
        spec(1, 8, 0, false, 4),
        spec(2, 11, 0, false, 2),
        spec(3, 12, 0, false, 14),
        spec(4, 10, 2, false, 4),
        spec(5, 8, 1, false, 4),
        spec(6, 12, 0, false, 6),
    ];
    let cols = table::fit(area.width as usize, &specs);
    table::List {
        header: table::header(&cols, &titles, theme.style("header")),
        empty: Line::styled(lang.t(Msg::NoOrders), theme.style("muted")),
        nav: &s.nav,
        len: s.rows.len(),
        line: |i: usize| {
            let o = &s.rows[i];
            let texts = [
                o.id.clone(),
                lang.order_state(o.state).to_string(),
                o.contract_no.clone(),
                o.customer.clone(),
                o.salesperson.clone(),
                o.contract_model.clone(),
                o.serial.clone().unwrap_or_else(|| "-".into()),
            ];
            table::cells(&cols, &texts, |id| match id {
                1 => state_style(theme, o.state),
                _ => theme.style("base"),
            })
        },
        selection: theme.style("selection"),
    }
    .draw(
        Rect::new(area.x, area.y + 1, area.width, area.height - 1),
        buf,
    );
}

fn draw_order(o: &OrderScreen, lang: Lang, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let v = &o.view;
    let w = area.width as usize;
    let mut y = area.y;
    let put = |buf: &mut Buffer, line: Line, y: &mut u16| {
        if *y < area.bottom() {
            buf.set_line(area.x, *y, &line, area.width);
        }
        *y += 1;
    };
    put(
        buf,
        Line::styled(
            truncate(&lang.f(Msg::OrderHeading, &[&v.id, &v.contract_no]), w),
            theme.style("title"),
        ),
        &mut y,
    );
    let label = |m: Msg| {
        Span::styled(
            lang.f(Msg::Labelled, &[lang.t(m), ""]),
            theme.style("muted"),
        )
    };
    put(
        buf,
        Line::from(vec![
            label(Msg::ColState),
            Span::styled(lang.order_state(v.state), state_style(theme, v.state)),
            Span::raw("   "),
            label(Msg::ColCustomer),
            Span::raw(v.customer.clone()),
            Span::raw("   "),
            label(Msg::ColSalesperson),
            Span::raw(v.salesperson.clone()),
        ]),
        &mut y,
    );
    let mut machine = vec![
        label(Msg::LabelContractModel),
        Span::raw(v.contract_model.clone()),
        Span::raw("   "),
        label(Msg::LabelSerial),
    ];
    match &v.serial {
        Some(s) => {
            machine.push(Span::styled(s.clone(), theme.style("title")));
            if v.substitute {
                machine.push(Span::styled(
                    format!(" {}", lang.t(Msg::LabelSubstitute)),
                    theme.style("warning"),
                ));
            }
        }
        None => machine.push(Span::styled(lang.t(Msg::NotPicked), theme.style("muted"))),
    }
    put(buf, Line::from(machine), &mut y);
    let mut extra = Vec::new();
    if let Some(a) = &v.application {
        extra.extend([label(Msg::LabelApplication), Span::raw(a.clone())]);
    }
    if let Some(on) = v.shipped_on {
        let carrier = v.carrier.clone().unwrap_or_default();
        extra.extend([
            label(Msg::LabelShipped),
            Span::raw(format!("{on} {carrier}").trim_end().to_string()),
        ]);
    }
    if let Some(r) = &v.cancel_reason {
        extra.extend([label(Msg::LabelCancelled), Span::raw(r.clone())]);
    }
    put(buf, Line::from(extra), &mut y);
    y += 1;
    put(
        buf,
        Line::styled(lang.t(Msg::AccessoryLines), theme.style("title")),
        &mut y,
    );
    let titles = [
        lang.t(Msg::ColCode),
        lang.t(Msg::ColName),
        lang.t(Msg::ColQuantity),
        lang.t(Msg::ColLine),
    ];
    let specs = [
        spec(0, 10, 0, false, 4),
        spec(1, 14, 0, false, 16),
        spec(2, 8, 0, true, 2),
        spec(3, 8, 0, false, 2),
    ];
    let cols = table::fit(w, &specs);
    put(
        buf,
        table::header(&cols, &titles, theme.style("header")),
        &mut y,
    );
    // Swaps take the bottom: their title and one line each.
    let swap_rows = if v.swaps.is_empty() {
        0
    } else {
        v.swaps.len() as u16 + 2
    };
    let lines_h = area.bottom().saturating_sub(y + swap_rows).max(1);
    let body = Rect::new(area.x, y.min(area.bottom()), area.width, lines_h);
    if v.accessories.is_empty() {
        buf.set_line(
            body.x,
            body.y,
            &Line::styled(lang.t(Msg::NoLines), theme.style("muted")),
            body.width,
        );
    } else if y < area.bottom() {
        let height = (body.height as usize).min((area.bottom() - y) as usize);
        let offset = o.nav.window(height, v.accessories.len());
        let lines: Vec<Line> = v.accessories[offset..(offset + height).min(v.accessories.len())]
            .iter()
            .map(|l| {
                let kind = lang.t(if l.extra {
                    Msg::LineExtra
                } else {
                    Msg::LineContract
                });
                let texts = [
                    l.code.clone(),
                    l.name.clone(),
                    format!("{} {}", l.quantity, l.unit),
                    kind.to_string(),
                ];
                table::cells(&cols, &texts, |id| match id {
                    3 if l.extra => theme.style("warning"),
                    _ => theme.style("base"),
                })
            })
            .collect();
        table::draw_lines(
            Rect::new(body.x, body.y, body.width, height as u16),
            buf,
            lines,
            Some(o.nav.selected - offset),
            theme.style("selection"),
        );
    }
    if swap_rows > 0 {
        let mut y = area.bottom().saturating_sub(swap_rows) + 1;
        buf.set_line(
            area.x,
            y,
            &Line::styled(lang.t(Msg::SwapsTitle), theme.style("title")),
            area.width,
        );
        for s in &v.swaps {
            y += 1;
            if y >= area.bottom() {
                break;
            }
            let text = lang.f(
                Msg::SwapLine,
                &[
                    &s.on.to_string(),
                    &s.old_serial,
                    &s.new_serial,
                    &s.by,
                    &s.reason,
                ],
            );
            buf.set_line(
                area.x,
                y,
                &Line::styled(truncate(&text, w), theme.style("base")),
                area.width,
            );
        }
    }
}
