//! The terminal UI (ratatui): overdue dashboard, collection tickets, payments to confirm
//! and settings, keyboard-driven, themed, in English and Chinese.
//!
//! One direction: input event → `Action` (`state::action_for`) → `state::update` →
//! `view::view`. The UI talks only to `crate::app::App` (queries and `execute`), never to
//! the store, and decides no business rule. The terminal is generic over its writer, so an
//! SSH channel can stand in for the local tty. It draws only when something changed.
//!
//! Owns: screens, keys, themes, the message catalog, the event loop. Must not touch: the
//! store, the clock below `Ctx`, process-wide state other than the terminal it was given.

pub mod admin;
pub mod backend;
pub mod budget;
pub mod config;
pub mod contract_pick;
pub mod file_error;
pub mod form;
pub mod goto;
pub mod job;
/// The message catalog lives at the crate root (the app and the CLI word refusals from it too).
pub use crate::i18n;
pub mod keymap;
pub mod log;
pub mod outbound;
pub mod pick;
pub mod reports;
pub mod screens;
pub use crate::search;
pub mod state;
pub mod text;
pub mod theme;
pub mod view;
pub mod widgets;

use crate::app::{App, Ctx};
use anyhow::Context as _;
use backend::{ColourDepth, DrawLean, LeanBackend};
use config::Config;
use i18n::Lang;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::{cursor, execute, terminal};
use state::{Action, State};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;
use theme::Theme;

/// What the command line may choose; each falls back to the config file, then the
/// environment (`NO_COLOR`, `LC_ALL`/`LANG`), then the defaults.
#[derive(Clone, Debug, Default)]
pub struct UiOptions {
    /// A shipped theme name (`default`, `light`, `base16`, `mono`) or a path to a theme file.
    pub theme: Option<String>,
    /// `en` or `zh`.
    pub lang: Option<String>,
    /// A config file instead of `~/.config/duedesk/config.toml`.
    pub config: Option<PathBuf>,
    /// No business date was given (`--today`): the screens move to the next day at
    /// midnight when left open.
    pub follows_calendar: bool,
}

/// Everything the UI needs besides the app: resolved from options, config and environment.
#[derive(Clone, Debug)]
pub struct Settings {
    pub lang: Lang,
    pub theme: Theme,
    pub keys: keymap::KeyMap,
    /// Where the reports screen writes its exports (config `export_dir`).
    pub export_dir: Option<std::path::PathBuf>,
    /// The GPS vendor's command the lock board sends an executed order through (config
    /// `lock_command`); none: the order is only recorded.
    pub lock_command: Option<String>,
}

impl Settings {
    /// Resolves options: command line, then `NO_COLOR` (theme only), then the config file,
    /// then `LC_ALL` / `LC_MESSAGES` / `LANG` (language only), then the defaults.
    pub fn resolve(opts: &UiOptions) -> anyhow::Result<Settings> {
        let config = Config::load(opts.config.as_deref())?;
        let lang = match &opts.lang {
            Some(l) => Lang::parse(l).with_context(|| format!("--lang {l}: use en or zh"))?,
            None => config.lang.unwrap_or_else(Lang::from_env),
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let theme_name = opts
            .theme
            .clone()
            .or_else(|| no_color.then(|| "mono".to_string()))
            .or(config.theme.clone())
            .unwrap_or_else(|| "default".to_string());
        let theme = Theme::load(&theme_name)?;
        Ok(Settings {
            lang,
            theme,
            keys: config.keys,
            export_dir: config.export_dir,
            lock_command: config.lock_command,
        })
    }
}

/// A UI session over one app: state plus the app and actor it works for. Front ends (the
/// local terminal, an SSH channel, tests) feed it events and draw it.
pub struct Session<'a> {
    pub app: &'a App,
    pub ctx: Ctx,
    pub state: State,
    /// Where the state's log lines go after each update (nowhere unless set).
    pub log: log::Log,
    /// Whether the business date follows the local calendar (no `--today` was given): a
    /// session left open past midnight works on the new day. Off unless the front end sets
    /// it, so a session given a date keeps it.
    pub follows_calendar: bool,
}

impl<'a> Session<'a> {
    pub fn new(app: &'a App, ctx: Ctx, settings: Settings) -> anyhow::Result<Session<'a>> {
        let mut state = State::new(app, &ctx, settings.lang, settings.theme, settings.keys)?;
        state.export_dir = settings.export_dir;
        state.lock_command = settings.lock_command;
        Ok(Session {
            app,
            ctx,
            state,
            log: log::Log::none(),
            follows_calendar: false,
        })
    }

    /// Brings the session's clock up to now: the wall time a change made next is journaled
    /// with and, when the session follows the calendar, the business date. Returns whether
    /// the screen must be redrawn (a new day was read).
    pub fn tick(&mut self) -> bool {
        self.ctx.now = chrono::Utc::now().timestamp();
        self.follows_calendar && self.roll_to(chrono::Local::now().date_naive())
    }

    /// Moves the session to business date `today` if it is another day: the screens are
    /// read again as of it. Returns whether it moved.
    pub fn roll_to(&mut self, today: chrono::NaiveDate) -> bool {
        if today == self.ctx.today {
            return false;
        }
        self.log.write(
            log::Level::Info,
            &format!(
                "{}: business date {} (was {})",
                self.ctx.actor, today, self.ctx.today
            ),
        );
        self.ctx.today = today;
        state::new_day(&mut self.state, self.app, &self.ctx);
        true
    }

    /// Handles one input event; returns whether the screen must be redrawn.
    pub fn handle(&mut self, event: &Event) -> bool {
        match state::action_for(&self.state, event) {
            Some(action) => self.apply(action),
            None => false,
        }
    }

    pub fn apply(&mut self, action: Action) -> bool {
        let new_day = self.tick();
        let dirty = state::update(&mut self.state, self.app, &self.ctx, action) || new_day;
        for (level, text) in self.state.log.drain(..) {
            self.log
                .write(level, &format!("{}: {text}", self.ctx.actor));
        }
        dirty
    }

    /// Whether a job is under way (an accrual over the book): the loop then does a part of it
    /// each round (`work`) instead of waiting for keys.
    pub fn busy(&self) -> bool {
        self.state.job.is_some()
    }

    /// Does the next part of the job under way; returns whether the screen must be redrawn.
    pub fn work(&mut self) -> bool {
        let dirty = job::step(&mut self.state, self.app, &self.ctx);
        for (level, text) in self.state.log.drain(..) {
            self.log
                .write(level, &format!("{}: {text}", self.ctx.actor));
        }
        dirty
    }

    pub fn draw(&self, frame: &mut ratatui::Frame) {
        view::view(&self.state, frame)
    }

    pub fn should_quit(&self) -> bool {
        self.state.quit
    }
}

/// Where events come from: the local terminal, or an SSH session's parser.
pub trait EventSource {
    /// The next event, or `None` when `timeout` passed without one.
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Event>>;
}

/// Events of the process's own terminal.
pub struct LocalEvents;

impl EventSource for LocalEvents {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Event>> {
        if event::poll(timeout)? {
            Ok(Some(event::read()?))
        } else {
            Ok(None)
        }
    }
}

/// Runs a session until it quits: draws the first frame, then redraws only after an event
/// that changed something, coalescing events that arrive together into one frame. Nothing
/// is written while idle.
pub fn run_loop<W: Write>(
    session: &mut Session<'_>,
    terminal: &mut Terminal<LeanBackend<W>>,
    events: &mut dyn EventSource,
) -> anyhow::Result<()> {
    terminal.draw_lean(|f| session.draw(f))?;
    while !session.should_quit() {
        // Block until something happens (a minute at most, to notice a new day); while a job
        // is under way, take its next part instead of waiting.
        let wait = match session.busy() {
            true => Duration::ZERO,
            false => Duration::from_secs(60),
        };
        let Some(first) = events.next(wait)? else {
            if session.tick() | session.work() {
                terminal.draw_lean(|f| session.draw(f))?;
            }
            continue;
        };
        let mut dirty = handle_event(session, terminal, &first)?;
        // Coalesce: take whatever else is already waiting before drawing.
        while !session.should_quit() {
            match events.next(Duration::ZERO)? {
                Some(e) => dirty |= handle_event(session, terminal, &e)?,
                None => break,
            }
        }
        if dirty && !session.should_quit() {
            terminal.draw_lean(|f| session.draw(f))?;
        }
    }
    Ok(())
}

fn handle_event<B: Backend>(
    session: &mut Session<'_>,
    terminal: &mut Terminal<B>,
    event: &Event,
) -> anyhow::Result<bool>
where
    B::Error: Send + Sync + 'static,
{
    if let Event::Resize(..) = event {
        terminal.autoresize()?;
    }
    Ok(session.handle(event))
}

/// A terminal on any writer: the local stdout, or an SSH channel.
pub struct Tui<W: Write> {
    pub terminal: Terminal<LeanBackend<W>>,
}

impl<W: Write> Tui<W> {
    /// Enters the alternate screen on `writer` and hides the cursor. Raw mode is the
    /// caller's (a local tty needs it; an SSH channel's pty is raw already).
    pub fn new(mut writer: W) -> std::io::Result<Tui<W>> {
        execute!(writer, terminal::EnterAlternateScreen, cursor::Hide)?;
        let depth = ColourDepth::from_colorterm(std::env::var("COLORTERM").ok().as_deref());
        let terminal = Terminal::new(LeanBackend::with_depth(writer, depth))?;
        Ok(Tui { terminal })
    }

    /// Leaves the alternate screen and shows the cursor again.
    pub fn restore(&mut self) -> std::io::Result<()> {
        let backend = self.terminal.backend_mut();
        execute!(backend, terminal::LeaveAlternateScreen, cursor::Show)?;
        Write::flush(backend)
    }
}

fn restore_local_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
}

/// Opens the TUI on the local terminal and runs it until the user quits.
///
/// Sets raw mode and the alternate screen, installs a panic hook that puts the terminal
/// back before the panic message is printed, and restores everything on return. Start,
/// stop, errors, refusals and a panic are logged to `<db>.log` beside the database
/// (`log::path_for_db`), never to the screen.
pub fn run(app: &App, ctx: Ctx, opts: UiOptions) -> anyhow::Result<()> {
    let log_path = log::path_for_db(app.db_path());
    let mut log = log::Log::open(&log_path);
    // Everything that can fail for a user's mistake (config, theme, language) fails here,
    // before the screen is touched.
    let settings = match Settings::resolve(&opts) {
        Ok(s) => s,
        Err(e) => {
            log.write(log::Level::Error, &format!("not started: {e:#}"));
            return Err(e);
        }
    };
    let started = std::time::Instant::now();
    log.write(
        log::Level::Info,
        &format!(
            "start: duedesk {} as {} on {}, business date {}, lang {:?}, theme {}",
            env!("CARGO_PKG_VERSION"),
            ctx.actor,
            app.db_path().display(),
            ctx.today,
            settings.lang,
            settings.theme.name,
        ),
    );
    let mut session = Session::new(app, ctx, settings)?;
    session.log = log;
    session.follows_calendar = opts.follows_calendar;

    let previous = std::panic::take_hook();
    let hook_log = log_path.clone();
    std::panic::set_hook(Box::new(move |info| {
        restore_local_terminal();
        log::append(&hook_log, log::Level::Error, &format!("panic: {info}"));
        eprintln!(
            "duedesk: the terminal UI stopped on an internal error; the terminal has been restored. \
             What follows is also in {}.",
            hook_log.display()
        );
        previous(info);
    }));

    let result = terminal::enable_raw_mode()
        .context("cannot put the terminal in raw mode")
        .and_then(|()| {
            let mut tui = Tui::new(std::io::stdout())?;
            // The dashboard's other views are made on a thread of their own while the
            // first screen is used (the scope waits for it on the way out).
            let today = session.ctx.today;
            let outcome = std::thread::scope(|scope| {
                let _ = std::thread::Builder::new()
                    .name("dashboard-views".into())
                    .spawn_scoped(scope, || app.prepare_views(today));
                run_loop(&mut session, &mut tui.terminal, &mut LocalEvents)
            });
            tui.restore()?;
            outcome
        });
    let _ = terminal::disable_raw_mode();
    if result.is_err() {
        restore_local_terminal();
    }
    let _ = std::panic::take_hook();
    match &result {
        Ok(()) => session.log.write(
            log::Level::Info,
            &format!("stop after {:.1} s", started.elapsed().as_secs_f64()),
        ),
        Err(e) => session
            .log
            .write(log::Level::Error, &format!("stop on error: {e:#}")),
    }
    result
}
