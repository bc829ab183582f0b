//! One interactive SSH session: the same screens as the local terminal (`ui::Session`),
//! drawn into frames that go to the channel, fed by the channel's input bytes.
//!
//! Runs on its own thread, blocking: input comes from the connection's handler through a
//! channel, frames go to an output pump (see `server`). Per-session output is bounded:
//! a frame that would push the bytes not yet taken by the client past `OUTPUT_BUDGET` is
//! not sent, no further frame is sent, and once the client has caught up the whole screen
//! is repainted. A frame is sent whole or not at all.
//!
//! A change committed anywhere (another session, an SSH command) bumps the app's book
//! version; the session sees it within `POLL` and reloads its screen's data. The diffing
//! terminal then sends only the cells that changed: nothing, if nothing shown changed.
//!
//! Input is bounded too (`input_channel`): the bytes not yet read by the session are held
//! under `INPUT_BUDGET` (a client that sends more is dropped: `End::Flooded`), a window
//! change only replaces the size waiting to be applied (only the last size matters), and a
//! closed connection is seen before the next key is handled, not after the queue drains.
//!
//! Owns: the session loop, frames, resize, idle timeout. Must not touch: business rules
//! (the app decides), the network (the server does).

use super::input::{ESC_TIMEOUT, InputParser};
use crate::app::{App, Ctx};
use crate::ui::Session;
use crate::ui::backend::{ColourDepth, DrawLean, LeanBackend};
use crate::ui::keymap::Command;
use crate::ui::state::Action;
use crate::ui::{self, Settings};
use ratatui::crossterm::{cursor, queue, terminal};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Bytes a session may have on their way to a client that is not reading before frames
/// are skipped.
pub const OUTPUT_BUDGET: usize = 256 * 1024;

/// How often a session looks for changes made elsewhere.
pub const POLL: Duration = Duration::from_millis(100);
/// How often a session reads the book again for changes made elsewhere, at most. While a
/// branch's push is applied at head office the book changes every few milliseconds; reading
/// it again each time (and before answering the key just typed) made typing stall for
/// seconds under 100 sites' syncs (`cargo bench --bench sync`).
pub const RELOAD_EVERY: Duration = Duration::from_millis(1000);

/// Input bytes a session may have waiting before its client counts as flooding it.
pub const INPUT_BUDGET: usize = 64 * 1024;

/// What the connection hands to a session.
#[derive(Debug)]
pub enum Input {
    Bytes(Vec<u8>),
    /// The client's window changed: the size waiting in the link is the one to apply.
    Resize,
    /// The client sent EOF.
    Closed,
}

/// What a connection and its session share beside the queue.
#[derive(Debug, Default)]
struct Link {
    /// Bytes queued and not yet taken by the session.
    waiting: AtomicUsize,
    /// The last size the client asked for: columns << 16 | rows.
    size: AtomicU32,
    /// A `Resize` is queued and not yet taken: further window changes only set `size`.
    resize_queued: AtomicBool,
    /// The connection closed: the session stops before its next key.
    closed: AtomicBool,
    /// The client sent more than `budget` ahead of the session.
    flooded: AtomicBool,
    /// Bytes the client may have waiting before it counts as flooding (`INPUT_BUDGET` for a
    /// session).
    budget: usize,
}

/// The connection's end of a session's input.
#[derive(Debug, Clone)]
pub struct InputSender {
    tx: Sender<Input>,
    link: Arc<Link>,
}

/// The session's end of its input.
pub struct InputReceiver {
    rx: Receiver<Input>,
    link: Arc<Link>,
}

/// A session's input queue: bytes bounded by `INPUT_BUDGET`, resizes coalesced.
pub fn input_channel() -> (InputSender, InputReceiver) {
    input_channel_of(INPUT_BUDGET)
}

/// An input queue whose client may be up to `budget` bytes ahead of its reader (an exec
/// command that reads its whole standard input first, such as a branch's sync push).
pub fn input_channel_of(budget: usize) -> (InputSender, InputReceiver) {
    let (tx, rx) = std::sync::mpsc::channel();
    let link = Arc::new(Link {
        budget,
        ..Link::default()
    });
    (
        InputSender {
            tx,
            link: link.clone(),
        },
        InputReceiver { rx, link },
    )
}

impl InputSender {
    /// Queues the client's bytes; false (and nothing queued) once the client is more than
    /// its budget (`INPUT_BUDGET`) ahead of the session: it floods, and the session ends.
    pub fn bytes(&self, data: &[u8]) -> bool {
        if self.link.flooded.load(Ordering::Acquire) {
            return false;
        }
        let waiting = self.link.waiting.fetch_add(data.len(), Ordering::AcqRel) + data.len();
        if waiting > self.link.budget {
            self.link.waiting.fetch_sub(data.len(), Ordering::AcqRel);
            self.link.flooded.store(true, Ordering::Release);
            // Wakes the session, which sees the flag.
            let _ = self.tx.send(Input::Closed);
            return false;
        }
        let _ = self.tx.send(Input::Bytes(data.to_vec()));
        true
    }

    /// The client's window changed: only the last size is applied.
    pub fn resize(&self, cols: u16, rows: u16) {
        let packed = u32::from(cols) << 16 | u32::from(rows);
        self.link.size.store(packed, Ordering::Release);
        if !self.link.resize_queued.swap(true, Ordering::AcqRel) {
            let _ = self.tx.send(Input::Resize);
        }
    }

    /// The client sent EOF.
    pub fn eof(&self) {
        let _ = self.tx.send(Input::Closed);
    }

    /// The connection or channel closed: the session stops at once, whatever is queued.
    pub fn close(&self) {
        self.link.closed.store(true, Ordering::Release);
        let _ = self.tx.send(Input::Closed);
    }
}

impl InputReceiver {
    fn gone(&self) -> bool {
        self.link.closed.load(Ordering::Acquire) || self.link.flooded.load(Ordering::Acquire)
    }

    fn took(&self, input: &Input) {
        match input {
            Input::Bytes(bytes) => {
                self.link.waiting.fetch_sub(bytes.len(), Ordering::AcqRel);
            }
            Input::Resize => self.link.resize_queued.store(false, Ordering::Release),
            Input::Closed => {}
        }
    }

    /// The size to apply after a `Resize`.
    fn size(&self) -> (u16, u16) {
        let packed = self.link.size.load(Ordering::Acquire);
        ((packed >> 16) as u16, packed as u16)
    }

    /// The client's bytes up to its EOF (an exec command's standard input), at most `max`
    /// of them: `None` when it sent more, or more than its budget ahead of this reader. A
    /// client gone before its EOF leaves what came (a sync push then fails its checksum).
    pub fn read_to_eof(&self, max: usize) -> Option<Vec<u8>> {
        let mut bytes = Vec::new();
        while let Ok(input) = self.rx.recv() {
            self.took(&input);
            match input {
                Input::Bytes(more) => bytes.extend(more),
                Input::Resize => {}
                Input::Closed => break,
            }
            if bytes.len() > max {
                return None;
            }
        }
        (!self.link.flooded.load(Ordering::Acquire)).then_some(bytes)
    }

    fn recv_timeout(&self, wait: Duration) -> Result<Input, RecvTimeoutError> {
        let input = self.rx.recv_timeout(wait)?;
        self.took(&input);
        Ok(input)
    }

    fn try_recv(&self) -> Result<Input, std::sync::mpsc::TryRecvError> {
        let input = self.rx.try_recv()?;
        self.took(&input);
        Ok(input)
    }
}

/// What a session hands to its output pump.
#[derive(Debug)]
pub enum Output {
    Frame(Vec<u8>),
    /// The session ended with this exit status.
    Exit(u32),
}

/// The sending end of a session's output, with the count of bytes not yet taken.
#[derive(Clone)]
pub struct OutputSink {
    pub tx: tokio::sync::mpsc::UnboundedSender<Output>,
    /// Bytes handed to the pump and not yet accepted by the client's window.
    pub pending: Arc<AtomicUsize>,
}

impl OutputSink {
    fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    /// Sends a whole frame; false when the pump is gone (the connection ended).
    fn send(&self, frame: Vec<u8>) -> bool {
        if frame.is_empty() {
            return true;
        }
        self.pending.fetch_add(frame.len(), Ordering::AcqRel);
        self.tx.send(Output::Frame(frame)).is_ok()
    }
}

/// Everything a session starts from.
pub struct SessionSpec {
    pub app: Arc<App>,
    pub user: String,
    pub today: chrono::NaiveDate,
    /// No business date was given to the server: a session left open past midnight moves
    /// to the new day.
    pub follows_calendar: bool,
    pub settings: Settings,
    /// The colours the client's terminal takes.
    pub depth: ColourDepth,
    pub cols: u16,
    pub rows: u16,
    pub idle_timeout: Duration,
}

/// Collects what the terminal writes for one frame (shared with the loop, which takes it).
#[derive(Clone, Default)]
pub struct FrameBuf(Rc<RefCell<Vec<u8>>>);

impl FrameBuf {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

impl Write for FrameBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn area(cols: u16, rows: u16) -> Rect {
    Rect::new(0, 0, cols.max(1), rows.max(1))
}

/// Why a session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    Quit,
    ClientGone,
    Idle,
    /// The client sent input faster than the session could take it (`INPUT_BUDGET`).
    Flooded,
    /// The user was disabled (or lost the right to log in) while the session was open.
    Disabled,
}

/// Runs a session until the user quits, the client goes, or it idles out. Always leaves
/// the alternate screen on the way out (when the client is still there to see it).
pub fn run(spec: SessionSpec, input: InputReceiver, out: OutputSink) -> anyhow::Result<End> {
    let ctx = Ctx::new(&spec.user, spec.today, chrono::Utc::now().timestamp());
    let mut session = Session::new(&spec.app, ctx, spec.settings)?;
    session.follows_calendar = spec.follows_calendar;
    let options = TerminalOptions {
        viewport: Viewport::Fixed(area(spec.cols, spec.rows)),
    };
    let frames = FrameBuf::default();
    let mut terminal =
        Terminal::with_options(LeanBackend::with_depth(frames.clone(), spec.depth), options)?;
    queue!(
        terminal.backend_mut(),
        terminal::EnterAlternateScreen,
        cursor::Hide
    )?;
    let mut seen_version = spec.app.book_version();
    let mut reloaded = Instant::now();
    // `DrawLean::draw_lean`: a list that moved by a line is scrolled in the client's
    // terminal instead of rewritten (a one-row move that scrolls costs a few hundred bytes,
    // not a repaint). It renders each frame once, as plain `draw` does.
    terminal.draw_lean(|f| session.draw(f))?;
    if !out.send(frames.take()) {
        return Ok(End::ClientGone);
    }
    // The dashboard's other views, made off the session's thread (once per process).
    let app = spec.app.clone();
    let _ = std::thread::Builder::new()
        .name("dashboard-views".into())
        .spawn(move || app.prepare_views(spec.today));

    let mut parser = InputParser::new();
    let mut last_input = Instant::now();
    // A frame was skipped: the client's screen is not what the terminal thinks it is.
    let mut behind = false;
    let end = loop {
        let wait = if parser.is_waiting() {
            ESC_TIMEOUT
        } else if session.busy() {
            // A job under way (an accrual) takes its next part instead of waiting.
            Duration::ZERO
        } else {
            POLL
        };
        let mut dirty = false;
        // Keys typed in this round: their frame goes out before the book is read again.
        let mut typed = false;
        let mut first = Some(input.recv_timeout(wait));
        // Coalesce: handle whatever else is already waiting before drawing.
        let mut gone = false;
        while let Some(next) = first.take().or_else(|| match input.try_recv() {
            Ok(i) => Some(Ok(i)),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Some(Err(RecvTimeoutError::Disconnected))
            }
        }) {
            if input.gone() {
                gone = true;
                break;
            }
            match next {
                Ok(Input::Bytes(bytes)) => {
                    typed = true;
                    last_input = Instant::now();
                    for event in parser.feed(&bytes, last_input) {
                        dirty |= session.handle(&event);
                        if session.should_quit() || input.gone() {
                            break;
                        }
                    }
                }
                Ok(Input::Resize) => {
                    let (cols, rows) = input.size();
                    terminal.resize(area(cols, rows))?;
                    dirty = true;
                }
                Ok(Input::Closed) | Err(RecvTimeoutError::Disconnected) => {
                    gone = true;
                    break;
                }
                Err(RecvTimeoutError::Timeout) => break,
            }
            if session.should_quit() {
                break;
            }
        }
        if gone {
            if input.link.flooded.load(Ordering::Acquire)
                && !input.link.closed.load(Ordering::Acquire)
            {
                break End::Flooded;
            }
            break End::ClientGone;
        }
        for event in parser.flush_stale(Instant::now()) {
            dirty |= session.handle(&event);
        }
        dirty |= session.tick();
        dirty |= session.work();
        if session.should_quit() {
            break End::Quit;
        }
        if last_input.elapsed() >= spec.idle_timeout {
            break End::Idle;
        }
        // Changes made elsewhere: reload, unless a form or dialog is open over the screen.
        let version = spec.app.book_version();
        // A change may have disabled the user: their screens close.
        if version != seen_version && spec.app.user(&spec.user).is_err() {
            break End::Disabled;
        }
        // Read again at most every `RELOAD_EVERY`, and not in a round that answers a key
        // (the next quiet round does it), unless the user has typed for three of those.
        let due = reloaded.elapsed();
        if version != seen_version
            && session.state.popup.is_none()
            && due >= RELOAD_EVERY
            && (!typed || due >= 3 * RELOAD_EVERY)
        {
            seen_version = version;
            reloaded = Instant::now();
            dirty |= session.apply(Action::Command(Command::Reload));
        }
        if behind {
            if out.pending() > 0 {
                continue;
            }
            // Caught up: repaint everything.
            terminal.clear()?;
            dirty = true;
            behind = false;
        }
        if dirty {
            terminal.draw_lean(|f| session.draw(f))?;
            let frame = frames.take();
            if out.pending() > 0 && out.pending() + frame.len() > OUTPUT_BUDGET {
                behind = true;
                continue;
            }
            if !out.send(frame) {
                break End::ClientGone;
            }
        }
    };
    if end != End::ClientGone {
        let backend = terminal.backend_mut();
        queue!(backend, terminal::LeaveAlternateScreen, cursor::Show)?;
        match end {
            End::Idle => {
                let minutes = spec.idle_timeout.as_secs().div_ceil(60);
                write!(
                    backend,
                    "duedesk: session closed after {minutes} min without input\r\n"
                )?;
            }
            End::Flooded => write!(
                backend,
                "duedesk: session closed: input came faster than it could be read\r\n"
            )?,
            End::Disabled => write!(
                backend,
                "duedesk: session closed: your user may no longer log in\r\n"
            )?,
            End::Quit | End::ClientGone => {}
        }
        out.send(frames.take());
    }
    let status = match end {
        End::Quit | End::Idle | End::ClientGone => 0,
        End::Flooded | End::Disabled => 1,
    };
    let _ = out.tx.send(Output::Exit(status));
    Ok(end)
}

/// The colours the client's terminal takes: 24-bit when it sends `COLORTERM=truecolor`
/// (OpenSSH sends it only when told to: `SendEnv COLORTERM`), else the 256-colour palette.
pub fn colour_depth(env: &[(String, String)]) -> ColourDepth {
    let colorterm = env
        .iter()
        .rev()
        .find(|(k, _)| k == "COLORTERM")
        .map(|(_, v)| v.as_str());
    ColourDepth::from_colorterm(colorterm)
}

/// The session's settings: the server's, with the client's `LANG`/`LC_ALL` and `NO_COLOR`
/// taking the place of the process environment's. A client that names no language gets
/// the user's preferred one (`preferred`), else English.
pub fn settings_for(
    base: &Settings,
    opts: &ui::UiOptions,
    config: &ui::config::Config,
    env: &[(String, String)],
    preferred: Option<ui::i18n::Lang>,
) -> anyhow::Result<Settings> {
    let mut settings = base.clone();
    let get = |name: &str| {
        env.iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    if opts.lang.is_none() && config.lang.is_none() {
        let lang = get("LC_ALL")
            .or_else(|| get("LC_MESSAGES"))
            .or_else(|| get("LANG"));
        settings.lang = match lang {
            Some(lang) => ui::i18n::Lang::parse(lang).unwrap_or_default(),
            None => preferred.unwrap_or_default(),
        };
    }
    if opts.theme.is_none() && get("NO_COLOR").is_some() {
        settings.theme = ui::theme::Theme::load("mono")?;
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: &tempfile::TempDir) -> SessionSpec {
        let app = Arc::new(App::open(&dir.path().join("db")).unwrap());
        SessionSpec {
            app,
            user: "admin".into(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap(),
            follows_calendar: false,
            settings: Settings::resolve(&ui::UiOptions::default()).unwrap(),
            depth: ColourDepth::Palette256,
            cols: 80,
            rows: 24,
            idle_timeout: Duration::from_secs(600),
        }
    }

    fn sink() -> (OutputSink, tokio::sync::mpsc::UnboundedReceiver<Output>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let sink = OutputSink {
            tx,
            pending: Arc::new(AtomicUsize::new(0)),
        };
        (sink, rx)
    }

    #[test]
    fn a_closed_connection_leaves_its_queued_keys_unhandled() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = input_channel();
        for _ in 0..50_000 {
            assert!(tx.bytes(b"2"));
        }
        tx.close();
        let (out, _frames) = sink();
        assert_eq!(run(spec(&dir), rx, out).unwrap(), End::ClientGone);
        // Not one of the 50,000 keys was worked through after the client left.
        assert_eq!(tx.link.waiting.load(Ordering::Acquire), 50_000 - 1);
    }

    #[test]
    fn input_past_the_budget_ends_the_session_and_queues_nothing_more() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = input_channel();
        let chunk = vec![b'2'; 1024];
        let mut taken = 0;
        while tx.bytes(&chunk) {
            taken += chunk.len();
        }
        assert_eq!(taken, INPUT_BUDGET);
        assert!(!tx.bytes(b"1"), "a flooded session takes nothing more");
        let (out, mut frames) = sink();
        assert_eq!(run(spec(&dir), rx, out).unwrap(), End::Flooded);
        let mut said = Vec::new();
        let mut status = None;
        while let Ok(item) = frames.try_recv() {
            match item {
                Output::Frame(f) => said.extend(f),
                Output::Exit(s) => status = Some(s),
            }
        }
        assert_eq!(status, Some(1));
        assert!(String::from_utf8_lossy(&said).contains("faster than it could be read"));
    }

    /// An exec command's standard input (a branch's sync push) may run past a session's
    /// budget: it is read whole up to its EOF, and refused past its own budget or `max`.
    #[test]
    fn an_exec_input_is_read_to_its_eof_within_its_budget() {
        let chunk = vec![b'p'; 1024];
        let (tx, rx) = input_channel_of(4 * INPUT_BUDGET);
        for _ in 0..(4 * INPUT_BUDGET / chunk.len()) {
            assert!(tx.bytes(&chunk));
        }
        tx.resize(100, 30);
        tx.eof();
        let read = rx.read_to_eof(usize::MAX).expect("within the budget");
        assert_eq!(read.len(), 4 * INPUT_BUDGET);
        assert!(read.iter().all(|b| *b == b'p'));

        let (tx, rx) = input_channel_of(INPUT_BUDGET);
        while tx.bytes(&chunk) {}
        tx.eof();
        assert_eq!(rx.read_to_eof(usize::MAX), None, "past its budget");

        let (tx, rx) = input_channel_of(INPUT_BUDGET);
        assert!(tx.bytes(&chunk) && tx.bytes(&chunk));
        tx.eof();
        assert_eq!(rx.read_to_eof(chunk.len()), None, "past max");
    }

    #[test]
    fn window_changes_are_coalesced_to_the_last_size() {
        let (tx, rx) = input_channel();
        for i in 0..20_000u16 {
            tx.resize(100 + i % 7, 30 + i % 5);
        }
        tx.resize(90, 25);
        // One message queued, carrying the last size.
        assert!(matches!(rx.try_recv(), Ok(Input::Resize)));
        assert!(rx.try_recv().is_err());
        assert_eq!(rx.size(), (90, 25));
        // Taken: the next change queues one again.
        tx.resize(80, 24);
        assert!(matches!(rx.try_recv(), Ok(Input::Resize)));
    }
}
