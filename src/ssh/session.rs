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
//! Owns: the session loop, frames, resize, idle timeout. Must not touch: business rules
//! (the app decides), the network (the server does).

use super::input::{ESC_TIMEOUT, InputParser};
use crate::app::{App, Ctx};
use crate::ui::Session;
use crate::ui::backend::{ColourDepth, LeanBackend};
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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Bytes a session may have on their way to a client that is not reading before frames
/// are skipped.
pub const OUTPUT_BUDGET: usize = 256 * 1024;

/// How often a session looks for changes made elsewhere.
pub const POLL: Duration = Duration::from_millis(100);

/// What the connection hands to a session.
#[derive(Debug)]
pub enum Input {
    Bytes(Vec<u8>),
    /// The client's window changed: columns, rows.
    Resize(u16, u16),
    /// The channel closed or the client sent EOF.
    Closed,
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
}

/// Runs a session until the user quits, the client goes, or it idles out. Always leaves
/// the alternate screen on the way out (when the client is still there to see it).
pub fn run(spec: SessionSpec, input: Receiver<Input>, out: OutputSink) -> anyhow::Result<End> {
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
    // Plain `draw`, not `DrawLean::draw_lean`: scrolling a list in the terminal saves bytes
    // but renders each frame twice, which under 100 sessions on two cores costs more in
    // latency (p99 64 ms against 24 ms in `cargo bench --bench ssh`) than it saves.
    terminal.draw(|f| session.draw(f))?;
    if !out.send(frames.take()) {
        return Ok(End::ClientGone);
    }

    let mut parser = InputParser::new();
    let mut last_input = Instant::now();
    // A frame was skipped: the client's screen is not what the terminal thinks it is.
    let mut behind = false;
    let end = loop {
        let wait = if parser.is_waiting() {
            ESC_TIMEOUT
        } else {
            POLL
        };
        let mut dirty = false;
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
            match next {
                Ok(Input::Bytes(bytes)) => {
                    last_input = Instant::now();
                    for event in parser.feed(&bytes, last_input) {
                        dirty |= session.handle(&event);
                        if session.should_quit() {
                            break;
                        }
                    }
                }
                Ok(Input::Resize(cols, rows)) => {
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
            break End::ClientGone;
        }
        for event in parser.flush_stale(Instant::now()) {
            dirty |= session.handle(&event);
        }
        dirty |= session.tick();
        if session.should_quit() {
            break End::Quit;
        }
        if last_input.elapsed() >= spec.idle_timeout {
            break End::Idle;
        }
        // Changes made elsewhere: reload, unless a form or dialog is open over the screen.
        let version = spec.app.book_version();
        if version != seen_version && session.state.popup.is_none() {
            seen_version = version;
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
            terminal.draw(|f| session.draw(f))?;
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
        if end == End::Idle {
            let minutes = spec.idle_timeout.as_secs().div_ceil(60);
            write!(
                backend,
                "duedesk: session closed after {minutes} min without input\r\n"
            )?;
        }
        out.send(frames.take());
    }
    let _ = out.tx.send(Output::Exit(0));
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
