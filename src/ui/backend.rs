//! A crossterm backend lean on bytes, for slow links (a collector's phone over SSH pays for
//! every one). ratatui's own crossterm backend moves the cursor after every wide (CJK)
//! character, writes one escape sequence per style change (bold, colours, underline
//! colour apart), resets four things after every frame and hides the cursor on every
//! frame. This one writes the changed cells itself:
//!
//! - the cursor moves only when the next cell is not where the terminal's cursor already
//!   is (after a wide character it is two cells on), forward on the same row by `CSI n C`;
//! - one `SGR` per style change, holding only what changed;
//! - one reset after a frame, and only when the frame left a style set;
//! - the cursor hidden or shown only when that changes;
//! - colours as the terminal takes them: 24-bit, or mapped to the 256-colour palette for a
//!   terminal that does not say it takes 24-bit colour (`ColourDepth`).
//!
//! Everything else is delegated to crossterm's backend.

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use ratatui::{Frame, Terminal};
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// The colours a terminal takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColourDepth {
    /// 24-bit colour (`COLORTERM=truecolor`, most terminals today).
    #[default]
    TrueColour,
    /// The 256-colour palette: 24-bit theme colours are sent as the nearest of it.
    Palette256,
}

impl ColourDepth {
    /// What a terminal takes, from its `COLORTERM` (`truecolor` or `24bit` for 24-bit).
    pub fn from_colorterm(colorterm: Option<&str>) -> ColourDepth {
        match colorterm.map(str::to_ascii_lowercase).as_deref() {
            Some("truecolor" | "24bit") => ColourDepth::TrueColour,
            _ => ColourDepth::Palette256,
        }
    }
}

pub struct LeanBackend<W: Write> {
    inner: CrosstermBackend<W>,
    depth: ColourDepth,
    /// Whether the cursor is shown, as far as this backend knows (`None`: unknown).
    cursor_shown: Option<bool>,
    /// What the terminal shows, kept up to date with every cell written once `DrawLean`
    /// starts it (`None` after a clear: unknown). Not ratatui's last frame: overwriting
    /// half of a wide character blanks its other half in the style in force, which
    /// ratatui's frames do not record; this does, so the next frame repairs it.
    shown: Option<Buffer>,
    /// Writing nothing: ratatui is being told what the terminal shows, not drawing.
    muted: bool,
    /// Where a muted draw put the cursor (`None`: hidden): the frame's own, kept to draw it
    /// again without rendering it again.
    muted_cursor: Option<Position>,
}

impl<W: Write> LeanBackend<W> {
    pub fn new(writer: W) -> LeanBackend<W> {
        LeanBackend::with_depth(writer, ColourDepth::TrueColour)
    }

    pub fn with_depth(writer: W, depth: ColourDepth) -> LeanBackend<W> {
        LeanBackend {
            inner: CrosstermBackend::new(writer),
            depth,
            cursor_shown: None,
            shown: None,
            muted: false,
            muted_cursor: None,
        }
    }

    pub fn inner_mut(&mut self) -> &mut CrosstermBackend<W> {
        &mut self.inner
    }
}

impl<W: Write> Write for LeanBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Written around the backend (alternate screen, cursor): what the cursor shows is
        // no longer known.
        self.cursor_shown = None;
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

/// The style the terminal has in force.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

const PLAIN: Pen = Pen {
    fg: Color::Reset,
    bg: Color::Reset,
    modifier: Modifier::empty(),
};

/// Each modifier with the SGR numbers that set and clear it. Bold and dim share their
/// clear (22), as do both blinks (25).
const MODIFIERS: [(Modifier, u8, u8); 9] = [
    (Modifier::BOLD, 1, 22),
    (Modifier::DIM, 2, 22),
    (Modifier::ITALIC, 3, 23),
    (Modifier::UNDERLINED, 4, 24),
    (Modifier::SLOW_BLINK, 5, 25),
    (Modifier::RAPID_BLINK, 6, 25),
    (Modifier::REVERSED, 7, 27),
    (Modifier::HIDDEN, 8, 28),
    (Modifier::CROSSED_OUT, 9, 29),
];

/// Appends the SGR parameters that take the terminal from `from` to `to`.
fn sgr(out: &mut Vec<u8>, from: Pen, to: Pen, depth: ColourDepth) {
    let mut params: Vec<u8> = Vec::new();
    let param = |params: &mut Vec<u8>, text: &str| {
        if !params.is_empty() {
            params.push(b';');
        }
        params.extend_from_slice(text.as_bytes());
    };
    if from.modifier != to.modifier {
        let removed = from.modifier - to.modifier;
        let mut cleared = Modifier::empty();
        for (m, _, off) in MODIFIERS {
            if removed.contains(m) {
                param(&mut params, &off.to_string());
                // A shared clear takes its partner too.
                cleared |= MODIFIERS
                    .iter()
                    .filter(|(_, _, o)| *o == off)
                    .fold(Modifier::empty(), |all, (m, _, _)| all | *m);
            }
        }
        for (m, on, _) in MODIFIERS {
            let wanted = to.modifier.contains(m);
            let had = from.modifier.contains(m) && !cleared.contains(m);
            if wanted && !had {
                param(&mut params, &on.to_string());
            }
        }
    }
    if from.fg != to.fg {
        param(&mut params, &colour(to.fg, true, depth));
    }
    if from.bg != to.bg {
        param(&mut params, &colour(to.bg, false, depth));
    }
    if !params.is_empty() {
        out.extend_from_slice(b"\x1b[");
        out.extend_from_slice(&params);
        out.push(b'm');
    }
}

/// The SGR parameters for a foreground or background colour.
fn colour(c: Color, fg: bool, depth: ColourDepth) -> String {
    let base = |n: u8| if fg { n } else { n + 10 };
    match c {
        Color::Reset => base(39).to_string(),
        Color::Black => base(30).to_string(),
        Color::Red => base(31).to_string(),
        Color::Green => base(32).to_string(),
        Color::Yellow => base(33).to_string(),
        Color::Blue => base(34).to_string(),
        Color::Magenta => base(35).to_string(),
        Color::Cyan => base(36).to_string(),
        Color::Gray => base(37).to_string(),
        Color::DarkGray => base(90).to_string(),
        Color::LightRed => base(91).to_string(),
        Color::LightGreen => base(92).to_string(),
        Color::LightYellow => base(93).to_string(),
        Color::LightBlue => base(94).to_string(),
        Color::LightMagenta => base(95).to_string(),
        Color::LightCyan => base(96).to_string(),
        Color::White => base(97).to_string(),
        Color::Indexed(i) => format!("{};5;{i}", base(38)),
        Color::Rgb(r, g, b) => match depth {
            ColourDepth::TrueColour => format!("{};2;{r};{g};{b}", base(38)),
            ColourDepth::Palette256 => format!("{};5;{}", base(38), nearest_256(r, g, b)),
        },
    }
}

/// The xterm 256-colour palette entry nearest to a 24-bit colour: the 6×6×6 cube or the
/// 24-step grey ramp, whichever is closer.
pub fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    const STEPS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let step = |v: u8| -> usize {
        STEPS
            .iter()
            .enumerate()
            .min_by_key(|(_, s)| (i32::from(**s) - i32::from(v)).abs())
            .map_or(0, |(i, _)| i)
    };
    let (ri, gi, bi) = (step(r), step(g), step(b));
    let cube = (STEPS[ri], STEPS[gi], STEPS[bi]);
    let grey_level = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_index = (grey_level.saturating_sub(8) / 10).min(23) as u8;
    let grey = 8 + 10 * grey_index;
    let distance = |(cr, cg, cb): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(cr, r) + d(cg, g) + d(cb, b)
    };
    if distance((grey, grey, grey)) < distance(cube) {
        232 + grey_index
    } else {
        16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8
    }
}

/// Appends the shortest move of the cursor from `at` (if known) to column `x`, row `y`.
fn move_to(out: &mut Vec<u8>, at: Option<(u16, u16)>, x: u16, y: u16) {
    match at {
        Some((ax, ay)) if ay == y && x > ax => {
            let n = x - ax;
            if n == 1 {
                out.extend_from_slice(b"\x1b[C");
            } else {
                let _ = write!(out, "\x1b[{n}C");
            }
        }
        _ if x == 0 => {
            let _ = write!(out, "\x1b[{}H", y + 1);
        }
        _ => {
            let _ = write!(out, "\x1b[{};{}H", y + 1, x + 1);
        }
    }
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        if self.muted {
            return Ok(());
        }
        let mut out = Vec::new();
        // Where the terminal's cursor is: after the last cell written.
        let mut at: Option<(u16, u16)> = None;
        let mut pen = PLAIN;
        for (x, y, cell) in content {
            if at != Some((x, y)) {
                move_to(&mut out, at, x, y);
            }
            let next = Pen {
                fg: cell.fg,
                bg: cell.bg,
                modifier: cell.modifier,
            };
            sgr(&mut out, pen, next, self.depth);
            pen = next;
            let symbol = cell.symbol();
            // A control character in a name reaches no one's terminal as itself.
            out.extend_from_slice(crate::domain::text::neutralise(symbol).as_bytes());
            let width = UnicodeWidthStr::width(symbol).max(1) as u16;
            at = Some((x + width, y));
            if let Some(shown) = self.shown.as_mut() {
                record(shown, x, y, width, pen, cell);
            }
        }
        if pen != PLAIN {
            out.extend_from_slice(b"\x1b[0m");
        }
        self.inner.write_all(&out)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.muted {
            self.muted_cursor = None;
        } else if self.cursor_shown != Some(false) {
            self.inner.hide_cursor()?;
            self.cursor_shown = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if !self.muted && self.cursor_shown != Some(true) {
            self.inner.show_cursor()?;
            self.cursor_shown = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        if self.muted {
            self.muted_cursor = Some(position.into());
            return Ok(());
        }
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.shown = None;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.shown = None;
        self.inner.clear_region(clear_type)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.muted {
            return Ok(());
        }
        Backend::flush(&mut self.inner)
    }
}

/// Records in `shown` a cell written at `x`, `y`, as a terminal shows it: a wide
/// character it cuts in half is blanked, in the style in force (`pen`).
fn record(shown: &mut Buffer, x: u16, y: u16, width: u16, pen: Pen, cell: &Cell) {
    let area = shown.area;
    if !area.contains(Position { x, y }) {
        return;
    }
    let wide = |c: &Cell| UnicodeWidthStr::width(c.symbol()) > 1;
    let mut blank = Cell::default();
    blank.set_fg(pen.fg).set_bg(pen.bg);
    blank.modifier = pen.modifier;
    // The second half of a wide character: its first half goes.
    if x > area.x && wide(&shown[(x - 1, y)]) {
        shown[(x - 1, y)] = blank.clone();
    }
    // The last cell covered is the first half of a wide character: its second half goes.
    let last = x + width - 1;
    if last + 1 < area.right() && last < area.right() && wide(&shown[(last, y)]) {
        shown[(last + 1, y)] = blank;
    }
    shown[(x, y)] = cell.clone();
    for covered in x + 1..(x + width).min(area.right()) {
        shown[(covered, y)] = Cell::default();
    }
}

/// A band of rows that moved between two frames: rows `top..=bottom` scrolled up (or down)
/// by `by` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scroll {
    pub top: u16,
    pub bottom: u16,
    pub by: u16,
    pub up: bool,
}

/// How far a band of rows may move and still be found.
const MAX_SCROLL: u16 = 3;
/// Fewer rows than this moving are cheaper rewritten than scrolled.
const MIN_SCROLLED_ROWS: u16 = 3;

fn row(buf: &Buffer, y: u16) -> &[Cell] {
    let w = buf.area.width as usize;
    let from = (y - buf.area.y) as usize * w;
    &buf.content[from..from + w]
}

/// The band of rows of `last` that `next` shows moved up or down (a list scrolled by a
/// line or two), if moving it saves rewriting enough rows.
pub fn find_scroll(last: &Buffer, next: &Buffer) -> Option<Scroll> {
    if last.area != next.area {
        return None;
    }
    let (y0, h) = (next.area.y, next.area.height);
    let mut best: Option<(u16, Scroll)> = None;
    for by in 1..=MAX_SCROLL.min(h.saturating_sub(1)) {
        for up in [true, false] {
            // Rows of `next` that equal `last` shifted, and did not equal it in place.
            let mut run_start: Option<u16> = None;
            let gains = |y: u16| {
                let from = if up { y + by } else { y.wrapping_sub(by) };
                let source_ok = if up { y + by < y0 + h } else { y >= y0 + by };
                source_ok && row(next, y) == row(last, from) && row(next, y) != row(last, y)
            };
            for y in y0..=y0 + h {
                let hit = y < y0 + h && gains(y);
                match (hit, run_start) {
                    (true, None) => run_start = Some(y),
                    (false, Some(start)) => {
                        let len = y - start;
                        let scroll = if up {
                            Scroll {
                                top: start,
                                bottom: y - 1 + by,
                                by,
                                up,
                            }
                        } else {
                            Scroll {
                                top: start - by,
                                bottom: y - 1,
                                by,
                                up,
                            }
                        };
                        if len >= MIN_SCROLLED_ROWS && best.is_none_or(|(l, _)| len > l) {
                            best = Some((len, scroll));
                        }
                        run_start = None;
                    }
                    _ => {}
                }
            }
        }
    }
    best.map(|(_, scroll)| scroll)
}

/// `last` as the terminal shows it after `scroll`: the band moved, the rows it leaves
/// blank.
fn scrolled(last: &Buffer, s: Scroll) -> Buffer {
    let mut out = last.clone();
    let w = last.area.width as usize;
    let at = |y: u16| (y - last.area.y) as usize * w;
    for y in s.top..=s.bottom {
        let source = if s.up { y + s.by } else { y.wrapping_sub(s.by) };
        let inside = if s.up {
            source <= s.bottom
        } else {
            source >= s.top && y >= s.by
        };
        let (to, from) = (at(y), at(source));
        if inside {
            out.content[to..to + w].clone_from_slice(&last.content[from..from + w]);
        } else {
            out.content[to..to + w].fill(Cell::default());
        }
    }
    out
}

/// The escape sequence that scrolls rows `top..=bottom` of the terminal: set the scroll
/// region, scroll it, reset the region (which homes the cursor; every frame moves it
/// before writing).
fn scroll_sequence(s: Scroll) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = write!(out, "\x1b[{};{}r", s.top + 1, s.bottom + 1);
    let verb = if s.up { 'S' } else { 'T' };
    if s.by == 1 {
        let _ = write!(out, "\x1b[{verb}");
    } else {
        let _ = write!(out, "\x1b[{}{verb}", s.by);
    }
    out.extend_from_slice(b"\x1b[r");
    out
}

/// Drawing through a `LeanBackend` that scrolls the terminal instead of rewriting the rows
/// of a list that moved by a line: a move down a long list then costs the row that comes
/// into view and the selection, not the whole page.
pub trait DrawLean {
    fn draw_lean<F: FnMut(&mut Frame)>(&mut self, render: F) -> io::Result<()>;
}

impl<W: Write> DrawLean for Terminal<LeanBackend<W>> {
    fn draw_lean<F: FnMut(&mut Frame)>(&mut self, mut render: F) -> io::Result<()> {
        let Some(last) = self.backend_mut().shown.take() else {
            // After a clear the terminal is blank, as ratatui takes it to be.
            let area = self.get_frame().area();
            self.backend_mut().shown = Some(Buffer::empty(area));
            self.draw(&mut render)?;
            return Ok(());
        };
        // Render once, writing nothing, to see the frame (and where it puts the cursor);
        // then tell ratatui what the terminal will show once the band is scrolled (or what
        // it shows now), and draw the frame for real against that — the frame already
        // rendered, not rendered again.
        self.backend_mut().muted = true;
        self.backend_mut().muted_cursor = None;
        let next = self.draw(&mut render).map(|done| done.buffer.clone());
        let cursor = self.backend_mut().muted_cursor.take();
        let scroll = next.as_ref().ok().and_then(|next| find_scroll(&last, next));
        let before = match scroll {
            Some(s) => scrolled(&last, s),
            None => last,
        };
        let told = self
            .draw(|f| f.buffer_mut().clone_from(&before))
            .map(|_| ());
        self.backend_mut().muted = false;
        let next = next?;
        told?;
        if let Some(s) = scroll {
            self.backend_mut().inner.write_all(&scroll_sequence(s))?;
        }
        // Drawing records every cell written into what the terminal shows.
        self.backend_mut().shown = Some(before);
        self.draw(|f| {
            f.buffer_mut().clone_from(&next);
            if let Some(at) = cursor {
                f.set_cursor_position(at);
            }
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    use ratatui::{Terminal, TerminalOptions, Viewport};
    use std::cell::RefCell;
    use std::rc::Rc;

    #[derive(Clone, Default)]
    struct Sink(Rc<RefCell<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    const W: u16 = 12;
    const H: u16 = 10;

    fn vt_colour(c: Color) -> vt100::Color {
        match c {
            Color::Reset => vt100::Color::Default,
            Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
            Color::Indexed(i) => vt100::Color::Idx(i),
            Color::Red => vt100::Color::Idx(1),
            Color::LightCyan => vt100::Color::Idx(14),
            other => panic!("no vt100 colour for {other:?} in this test"),
        }
    }

    /// The lean terminal shows what the stock one shows, cell by cell: text, colours,
    /// bold, underline and reverse. Where a wide character was half overwritten, the
    /// terminal blanks the other half in whatever style it has in force, which differs
    /// between the two; there a blank may instead match the frame's own cell.
    fn assert_same(lean: &vt100::Screen, stock: &vt100::Screen, frame: &Buffer) {
        let text = |c: &vt100::Cell| match c.contents() {
            "" => " ".to_string(),
            t => t.to_string(),
        };
        for y in 0..H {
            for x in 0..W {
                let (a, b) = (lean.cell(y, x).unwrap(), stock.cell(y, x).unwrap());
                assert_eq!(text(a), text(b), "text at {x},{y}");
                let look = |c: &vt100::Cell| (c.bgcolor(), c.inverse(), c.underline());
                if text(a) == " " {
                    let want = &frame[(x, y)];
                    let framed = (
                        vt_colour(want.bg),
                        want.modifier.contains(Modifier::REVERSED),
                        want.modifier.contains(Modifier::UNDERLINED),
                    );
                    assert!(
                        look(a) == look(b) || look(a) == framed,
                        "blank at {x},{y}: {:?}, stock {:?}, frame {framed:?}",
                        look(a),
                        look(b)
                    );
                    continue;
                }
                assert_eq!(look(a), look(b), "style at {x},{y}");
                assert_eq!(a.fgcolor(), b.fgcolor(), "fg at {x},{y}");
                assert_eq!(a.bold(), b.bold(), "bold at {x},{y}");
            }
        }
    }

    fn style() -> impl Strategy<Value = Style> {
        let colour = prop_oneof![
            Just(Color::Reset),
            Just(Color::Red),
            Just(Color::LightCyan),
            Just(Color::Indexed(208)),
            (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(r, g, b)| Color::Rgb(r, g, b)),
        ];
        let modifier = (0u16..8).prop_map(|bits| {
            let mut m = Modifier::empty();
            for (i, one) in [Modifier::BOLD, Modifier::UNDERLINED, Modifier::REVERSED]
                .into_iter()
                .enumerate()
            {
                if bits & (1 << i) != 0 {
                    m |= one;
                }
            }
            m
        });
        (colour.clone(), colour, modifier)
            .prop_map(|(fg, bg, m)| Style::default().fg(fg).bg(bg).add_modifier(m))
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![Just("a"), Just("Z"), Just("逾"), Just("¥"), Just(" ")],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    type Frame = Vec<(u16, u16, String, Style)>;

    fn frame() -> impl Strategy<Value = Frame> {
        prop::collection::vec((0..W, 0..H, text(), style()), 0..8)
    }

    fn terminal<B: Backend>(backend: B) -> Terminal<B> {
        Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, W, H)),
            },
        )
        .unwrap()
    }

    /// This backend and ratatui's own, each feeding a vt100 terminal.
    struct Pair {
        lean: Terminal<LeanBackend<Sink>>,
        stock: Terminal<CrosstermBackend<Sink>>,
        outs: (Sink, Sink),
        screens: (vt100::Parser, vt100::Parser),
    }

    impl Pair {
        fn new() -> Pair {
            let outs = (Sink::default(), Sink::default());
            let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
            Pair {
                lean: terminal(LeanBackend::new(outs.0.clone())),
                stock: terminal(CrosstermBackend::new(outs.1.clone())),
                outs,
                screens: (
                    vt100::Parser::new(nz(H), nz(W), 0),
                    vt100::Parser::new(nz(H), nz(W), 0),
                ),
            }
        }

        /// Draws a frame through both (the lean one with `draw_lean` or plain `draw`) and
        /// checks the two screens agree and the lean one wrote no more bytes.
        fn draw(
            &mut self,
            lean_draw: bool,
            paint: impl Fn(&mut ratatui::Frame),
        ) -> Result<(), TestCaseError> {
            if lean_draw {
                self.lean.draw_lean(&paint).unwrap();
            } else {
                self.lean.draw(&paint).unwrap();
            }
            let frame = self.stock.draw(&paint).unwrap().buffer.clone();
            let a = self.outs.0.0.borrow_mut().split_off(0);
            let b = self.outs.1.0.borrow_mut().split_off(0);
            prop_assert!(a.len() <= b.len(), "{} B against {} B", a.len(), b.len());
            self.screens.0.process(&a);
            self.screens.1.process(&b);
            assert_same(self.screens.0.screen(), self.screens.1.screen(), &frame);
            Ok(())
        }
    }

    proptest! {
        /// Frame after frame, a terminal fed by this backend shows exactly what one fed by
        /// ratatui's own crossterm backend shows, in fewer bytes.
        #[test]
        fn the_terminal_shows_what_the_stock_backend_shows(frames in prop::collection::vec(frame(), 1..6)) {
            let mut pair = Pair::new();
            for spans in frames {
                pair.draw(false, |f: &mut ratatui::Frame| {
                    for (x, y, text, style) in &spans {
                        f.buffer_mut().set_stringn(*x, *y, text, usize::from(W - x), *style);
                    }
                })?;
            }
        }
    }

    /// A list of `lines` in a window of the screen (rows 1..H-1, a header and a footer
    /// around it) from `offset`, the `selected` line highlighted.
    fn list_frame(f: &mut ratatui::Frame, lines: &[String], offset: usize, selected: usize) {
        let buf = f.buffer_mut();
        buf.set_string(0, 0, "header", Style::default().fg(Color::LightCyan));
        for (row, line) in lines
            .iter()
            .skip(offset)
            .take(usize::from(H - 2))
            .enumerate()
        {
            let style = if offset + row == selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default().fg(Color::Rgb(200, 100, 50))
            };
            buf.set_stringn(0, 1 + row as u16, line, usize::from(W), style);
        }
        buf.set_string(0, H - 1, format!("{selected}"), Style::default());
    }

    proptest! {
        /// Moving through a list scrolls the terminal's rows; the screen still shows
        /// exactly what ratatui's own backend shows, and never costs more bytes.
        #[test]
        fn scrolling_a_list_shows_what_the_stock_backend_shows(
            lines in prop::collection::vec(text(), 1..20),
            moves in prop::collection::vec(-3i32..=3, 1..30),
        ) {
            let mut pair = Pair::new();
            let (mut selected, mut offset) = (0usize, 0usize);
            let height = usize::from(H - 2);
            for step in moves {
                selected = (selected as i32 + step).clamp(0, lines.len() as i32 - 1) as usize;
                if selected < offset {
                    offset = selected;
                } else if selected >= offset + height {
                    offset = selected + 1 - height;
                }
                pair.draw(true, |f| list_frame(f, &lines, offset, selected))?;
            }
        }
    }

    #[test]
    fn a_list_moved_by_a_line_is_scrolled_not_rewritten() {
        let lines: Vec<String> = (0..40)
            .map(|i| format!("{i:02} {}", "行".repeat(i % 5)))
            .collect();
        let sink = Sink::default();
        let mut t = terminal(LeanBackend::new(sink.clone()));
        t.draw_lean(|f| list_frame(f, &lines, 0, 0)).unwrap();
        let first = sink.0.borrow_mut().split_off(0);
        // The window holds eight lines (rows 1 to 8): moving from the eighth line to the
        // ninth scrolls rows 1 to 7 up; row 8 gets the new, selected line.
        t.draw_lean(|f| list_frame(f, &lines, 0, 7)).unwrap();
        sink.0.borrow_mut().clear();
        t.draw_lean(|f| list_frame(f, &lines, 1, 8)).unwrap();
        let moved = sink.0.borrow_mut().split_off(0);
        let text = String::from_utf8_lossy(&moved);
        assert!(
            text.starts_with("\x1b[2;8r\x1b[S\x1b[r"),
            "scrolled: {text:?}"
        );
        // The line that came into view, the selection and the footer: under half a page.
        assert!(
            moved.len() * 2 < first.len(),
            "{} B against {} B",
            moved.len(),
            first.len()
        );
    }

    #[test]
    fn a_control_character_in_a_cell_never_reaches_the_terminal() {
        let sink = Sink::default();
        let mut backend = LeanBackend::new(sink.clone());
        let mut cell = ratatui::buffer::Cell::default();
        cell.set_symbol("\u{1b}]52;c;ZXZpbA==\u{7}");
        let mut clear = ratatui::buffer::Cell::default();
        clear.set_symbol("\u{9b}2J");
        backend
            .draw([(0u16, 0u16, &cell), (1, 0, &clear)].into_iter())
            .unwrap();
        let out = sink.0.borrow().clone();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains("\u{1b}]52") && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(!text.contains('\u{9b}'), "{text:?}");
        assert!(text.contains("\u{fffd}]52;c;ZXZpbA==\u{fffd}"), "{text:?}");
    }

    #[test]
    fn one_sgr_holds_only_what_changed() {
        let mut out = Vec::new();
        let bold_red = Pen {
            fg: Color::Red,
            bg: Color::Reset,
            modifier: Modifier::BOLD,
        };
        sgr(&mut out, PLAIN, bold_red, ColourDepth::TrueColour);
        assert_eq!(out, b"\x1b[1;31m");
        out.clear();
        // Dropping bold but keeping dim clears both (22) and sets dim again.
        let dim = Pen {
            modifier: Modifier::DIM,
            ..PLAIN
        };
        let bold_dim = Pen {
            modifier: Modifier::BOLD | Modifier::DIM,
            ..PLAIN
        };
        sgr(&mut out, bold_dim, dim, ColourDepth::TrueColour);
        assert_eq!(out, b"\x1b[22;2m");
        out.clear();
        sgr(&mut out, PLAIN, PLAIN, ColourDepth::TrueColour);
        assert!(out.is_empty());
    }

    #[test]
    fn colours_for_a_256_colour_terminal() {
        // Pure colours land on the cube's corners, greys on the ramp.
        assert_eq!(nearest_256(255, 0, 0), 196);
        assert_eq!(nearest_256(0, 0, 0), 16);
        assert_eq!(nearest_256(255, 255, 255), 231);
        assert_eq!(nearest_256(128, 128, 128), 244);
        assert_eq!(
            colour(Color::Rgb(255, 0, 0), true, ColourDepth::Palette256),
            "38;5;196"
        );
        assert_eq!(
            colour(Color::Rgb(255, 0, 0), false, ColourDepth::TrueColour),
            "48;2;255;0;0"
        );
        assert_eq!(
            ColourDepth::from_colorterm(Some("truecolor")),
            ColourDepth::TrueColour
        );
        assert_eq!(ColourDepth::from_colorterm(None), ColourDepth::Palette256);
    }
}
