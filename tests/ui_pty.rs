//! End to end: the real `duedesk` binary in a pseudo-terminal (portable-pty), its output read
//! through a terminal emulator (vt100) as a person would see the screen. Finds a customer by
//! pinyin initials, records a payment through the form, quits, and checks the database.
//!
//! Every wait is bounded; on a failure the child is killed and the screen is printed.

mod support;

use duedesk::app::App;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use support::*;

/// How long one step may take: generous, for a loaded two-core machine.
const STEP: Duration = Duration::from_secs(30);
const ROWS: u16 = 24;
const COLS: u16 = 80;

struct Output {
    parser: vt100::Parser,
    /// The reader reached the end: the child closed the terminal.
    closed: bool,
}

/// The child in its pty; killed on drop if still running (so a failed test never leaves it).
struct Pty {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    output: Arc<(Mutex<Output>, Condvar)>,
}

impl Pty {
    fn spawn(db: &Path, home: &Path, args: &[&str]) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_duedesk"));
        cmd.args(args);
        cmd.env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("DUEDESK_DB", db);
        cmd.env("DUEDESK_TODAY", TODAY);
        cmd.env("LANG", "C.UTF-8");
        cmd.env("RUST_BACKTRACE", "0");
        cmd.cwd(home);
        let child = pair.slave.spawn_command(cmd).expect("spawn duedesk");
        // The child holds the slave now; ours must close so the reader sees the end.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let output = Arc::new((
            Mutex::new(Output {
                parser: vt100::Parser::new(
                    NonZeroU16::new(ROWS).unwrap(),
                    NonZeroU16::new(COLS).unwrap(),
                    0,
                ),
                closed: false,
            }),
            Condvar::new(),
        ));
        let shared = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) | Err(_) => 0, // EOF, or EIO once the child has gone
                    Ok(n) => n,
                };
                let (lock, cvar) = &*shared;
                let mut out = lock.lock().unwrap();
                if n == 0 {
                    out.closed = true;
                    cvar.notify_all();
                    return;
                }
                out.parser.process(&buf[..n]);
                cvar.notify_all();
            }
        });
        Pty {
            child,
            writer,
            master: pair.master,
            output,
        }
    }

    fn screen(&self) -> String {
        let out = self.output.0.lock().unwrap();
        out.parser.screen().contents()
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until the screen satisfies `ready`; fails with the screen after `STEP`.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + STEP;
        let (lock, cvar) = &*self.output;
        let mut out = lock.lock().unwrap();
        loop {
            let screen = out.parser.screen().contents();
            if ready(&screen) {
                return;
            }
            let now = Instant::now();
            if now >= deadline || out.closed {
                drop(out);
                panic!(
                    "waiting for {what}: {}; the screen:\n{screen}",
                    if now >= deadline {
                        "timed out"
                    } else {
                        "the program closed the terminal"
                    }
                );
            }
            out = cvar.wait_timeout(out, deadline - now).unwrap().0;
        }
    }

    fn wait_text(&self, text: &str) {
        self.wait_for(&format!("{text:?}"), |s| s.contains(text));
    }

    /// Waits for the child to exit; kills it and fails after `STEP`.
    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + STEP;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("duedesk did not exit; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (bounded) until the reader has seen everything the child wrote.
    fn wait_closed(&self) {
        let deadline = Instant::now() + STEP;
        let (lock, cvar) = &*self.output;
        let mut out = lock.lock().unwrap();
        while !out.closed && Instant::now() < deadline {
            out = cvar
                .wait_timeout(out, deadline.saturating_duration_since(Instant::now()))
                .unwrap()
                .0;
        }
    }

    /// Resizes the terminal (the emulator first, then the pty, which signals the child).
    fn resize(&self, rows: u16, cols: u16) {
        self.output.0.lock().unwrap().parser.screen_mut().set_size(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
        );
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    fn alternate_screen(&self) -> bool {
        self.output
            .0
            .lock()
            .unwrap()
            .parser
            .screen()
            .alternate_screen()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The test book on disk, closed so that the child can open it.
fn book_on_disk() -> tempfile::TempDir {
    let Book { dir, app } = book();
    drop(app);
    dir
}

#[test]
fn find_by_pinyin_initials_record_a_payment_quit_and_it_is_in_the_database() {
    let dir = book_on_disk();
    let db = dir.path().join("db");
    let mut pty = Pty::spawn(&db, dir.path(), &["--lang", "en"]);

    // The dashboard: five overdue contracts.
    pty.wait_for("the dashboard", |s| {
        s.contains("5 overdue contracts") && s.contains("HT-2025-004")
    });
    assert!(
        pty.alternate_screen(),
        "the TUI draws on the alternate screen"
    );

    // `/` and the pinyin initials of 张三 leave one row.
    pty.send("/");
    pty.wait_text("Search:");
    pty.send("zs");
    pty.wait_for("one row left", |s| {
        s.contains("1 overdue contracts") && s.contains("HT-2025-001") && !s.contains("HT-2025-004")
    });

    // Enter ends the search, Enter again opens the ticket.
    pty.send("\r");
    pty.wait_for("the search line to close", |s| !s.contains("Search:"));
    pty.send("\r");
    pty.wait_text("> HT-2025-001");

    // `p` opens the payment form: date prefilled with today; amount, method, reference.
    pty.send("p");
    pty.wait_text("Record payment");
    pty.send("\t");
    pty.send("123.45");
    pty.wait_text("123.45");
    pty.send("\t\t");
    pty.send("PTY-E2E-1");
    pty.wait_text("PTY-E2E-1");
    pty.send("\r");
    pty.wait_for(
        "the form to close saying the payment awaits confirmation",
        |s| {
            s.contains("¥123.45 on HT-2025-001 recorded, awaiting confirmation")
                && !s.contains("Record payment")
        },
    );

    // Resize, wait for the redraw at the new width, then quit.
    pty.resize(30, 110);
    pty.wait_for("a redraw at 110 columns", |s| {
        s.lines().any(|l| l.trim_end().chars().count() > 80)
    });
    pty.send("q");
    let status = pty.wait_exit();
    assert!(
        status.success(),
        "exit status {status:?}:\n{}",
        pty.screen()
    );
    pty.wait_closed();
    assert!(
        !pty.alternate_screen(),
        "the alternate screen is left on quit"
    );
    let normal = pty.screen();
    assert!(
        !normal.contains("HT-2025") && !normal.contains("overdue"),
        "nothing of the UI is left on the normal screen:\n{normal}"
    );

    // The log beside the database: start and stop, nothing on the screen.
    let log = std::fs::read_to_string(dir.path().join("db.log")).expect("the UI log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(lines[0].contains(" INFO    start: duedesk "), "{log}");
    assert!(lines[1].contains(" INFO    stop after "), "{log}");

    // The payment is in the database, pending confirmation.
    let app = App::open(&db).unwrap();
    let pending = app.pending_payments(&ctx()).unwrap();
    let p = pending
        .iter()
        .find(|p| p.reference == "PTY-E2E-1")
        .unwrap_or_else(|| panic!("no payment PTY-E2E-1 among {pending:?}"));
    assert_eq!(p.contract_no, "HT-2025-001");
    assert_eq!(p.amount, m("123.45"));
    assert_eq!(p.received_on, d(TODAY));
}
