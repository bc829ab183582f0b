//! A plain table drawn as lines of padded cells: widths in display cells, `…` where a cell
//! is cut, the least important columns dropped first when the terminal is narrow.

use super::super::text::{pad_left, pad_right};
use super::list::ListNav;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColSpec<C> {
    pub id: C,
    /// Cells it needs to be useful.
    pub width: usize,
    /// Higher drops first when space runs out; 0 never drops.
    pub drop_rank: u8,
    pub right: bool,
    /// Takes the spare width (at most `grow` more cells).
    pub grow: usize,
}

/// The columns that fit `available` cells (one space between columns), with their widths.
pub fn fit<C: Copy>(available: usize, specs: &[ColSpec<C>]) -> Vec<(ColSpec<C>, usize)> {
    let mut keep: Vec<bool> = vec![true; specs.len()];
    let need = |keep: &[bool]| -> usize {
        let cols: Vec<&ColSpec<C>> = specs
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(s, _)| s)
            .collect();
        cols.iter().map(|s| s.width).sum::<usize>() + cols.len().saturating_sub(1)
    };
    while need(&keep) > available {
        let worst = specs
            .iter()
            .enumerate()
            .filter(|(i, s)| keep[*i] && s.drop_rank > 0)
            .max_by_key(|(i, s)| (s.drop_rank, *i))
            .map(|(i, _)| i);
        match worst {
            Some(i) => keep[i] = false,
            None => break,
        }
    }
    let mut spare = available.saturating_sub(need(&keep));
    let mut out: Vec<(ColSpec<C>, usize)> = specs
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(s, _)| (*s, s.width))
        .collect();
    for (spec, width) in out.iter_mut() {
        let more = spec.grow.min(spare);
        *width += more;
        spare -= more;
    }
    out
}

/// Widens each right-aligned column (figures: days, money) to its widest text in `rows`
/// (`texts(row, column)`), so no figure is cut mid-number; the columns that then do not fit
/// drop, least important first (`fit`).
pub fn widen_figures<C: Copy>(
    specs: &mut [ColSpec<C>],
    rows: usize,
    texts: impl Fn(usize, usize) -> usize,
) {
    for (at, spec) in specs.iter_mut().enumerate() {
        if spec.right {
            let widest = (0..rows).map(|r| texts(r, at)).max().unwrap_or(0);
            spec.width = spec.width.max(widest);
        }
    }
}

/// One cell's text padded to its column, with its style.
pub fn cell<'a>(text: &str, width: usize, right: bool, style: Style) -> Span<'a> {
    let padded = if right {
        pad_left(text, width)
    } else {
        pad_right(text, width)
    };
    Span::styled(padded, style)
}

/// Joins cells with one space between them. The space takes the style of the cell before
/// it, so a row changes style only where its cells do (fewer bytes on the wire).
pub fn row<'a>(cells: Vec<Span<'a>>) -> Line<'a> {
    let n = cells.len();
    let spans: Vec<Span> = cells
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            if i + 1 < n {
                c.content = format!("{} ", c.content).into();
            }
            c
        })
        .collect();
    Line::from(spans)
}

/// Draws lines, the selected one (index into `lines`) wholly in the selection style, across
/// the full width.
pub fn draw_lines(
    area: Rect,
    buf: &mut Buffer,
    lines: Vec<Line<'_>>,
    selected: Option<usize>,
    selection: Style,
) {
    let lines: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if Some(i) == selected {
                // One style across the selected row: it stands out the same way in every
                // theme, and a move costs one colour change instead of one per cell.
                let spans: Vec<Span> = l
                    .spans
                    .into_iter()
                    .map(|s| Span::styled(s.content, selection))
                    .collect();
                Line::from(spans).style(selection)
            } else {
                l
            }
        })
        .collect();
    Paragraph::new(lines).render(area, buf);
    if let Some(i) = selected
        && (i as u16) < area.height
    {
        buf.set_style(
            Rect::new(area.x, area.y + i as u16, area.width, 1),
            selection,
        );
    }
}

/// The page of `rows` that keeps `nav`'s cursor in sight, each row's cells in the fitted
/// `cols` (a cell is picked by its column's id), the cursor's row in `selection`.
pub fn draw_page(
    body: Rect,
    buf: &mut Buffer,
    cols: &[(ColSpec<usize>, usize)],
    rows: &[Vec<(String, Style)>],
    nav: &ListNav,
    selection: Style,
) {
    let height = body.height as usize;
    let offset = nav.window(height, rows.len());
    let lines: Vec<Line> = rows[offset..(offset + height).min(rows.len())]
        .iter()
        .map(|cells| {
            row(cols
                .iter()
                .map(|(s, cw)| {
                    let (text, style) = &cells[s.id];
                    cell(text, *cw, s.right, *style)
                })
                .collect())
        })
        .collect();
    draw_lines(
        body,
        buf,
        lines,
        Some(nav.selected.saturating_sub(offset)),
        selection,
    );
}

/// A column spec in one call: `spec(id, width, drop_rank, right, grow)`.
pub fn spec<C>(id: C, width: usize, drop_rank: u8, right: bool, grow: usize) -> ColSpec<C> {
    ColSpec {
        id,
        width,
        drop_rank,
        right,
        grow,
    }
}

/// A row of the fitted columns, `texts` indexed by column id, the cell of column `id` in
/// `style(id)`.
pub fn cells<'a, T: AsRef<str>>(
    cols: &[(ColSpec<usize>, usize)],
    texts: &[T],
    style: impl Fn(usize) -> Style,
) -> Line<'a> {
    row(cols
        .iter()
        .map(|(c, w)| cell(texts[c.id].as_ref(), *w, c.right, style(c.id)))
        .collect())
}

/// The header row of the fitted columns, `titles` indexed by column id.
pub fn header<'a>(cols: &[(ColSpec<usize>, usize)], titles: &[&str], style: Style) -> Line<'a> {
    cells(cols, titles, |_| style)
}

/// A list under its header: `header` on the first row, then the rows in the cursor's
/// window (`line(i)` draws row i of `len`), the selected one in `selection`; or `empty`
/// when there are no rows.
pub struct List<'a, F> {
    pub header: Line<'a>,
    pub empty: Line<'a>,
    pub nav: &'a super::list::ListNav,
    pub len: usize,
    pub line: F,
    pub selection: Style,
}

impl<'a, F: FnMut(usize) -> Line<'a>> List<'a, F> {
    pub fn draw(self, area: Rect, buf: &mut Buffer) {
        buf.set_line(area.x, area.y, &self.header, area.width);
        let body = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height.saturating_sub(1),
        );
        if self.len == 0 {
            buf.set_line(body.x, body.y, &self.empty, body.width);
            return;
        }
        let height = body.height as usize;
        let offset = self.nav.window(height, self.len);
        let lines = (offset..(offset + height).min(self.len))
            .map(self.line)
            .collect();
        draw_lines(
            body,
            buf,
            lines,
            Some(self.nav.selected - offset),
            self.selection,
        );
    }
}
