//! Where the command line writes: the process's stdout and stderr, or — for a command run
//! over SSH — the writers `cli::exec` was given. The choice is per thread, so many SSH
//! commands can run at once, each on its own thread.

use std::cell::RefCell;
use std::io::{self, Write};

type Pair = (Box<dyn Write>, Box<dyn Write>);

thread_local! {
    static SINKS: RefCell<Option<Pair>> = const { RefCell::new(None) };
}

/// Sends this thread's output to `out` and `err` until the guard is dropped.
pub fn redirect(out: Box<dyn Write>, err: Box<dyn Write>) -> Redirect {
    SINKS.with(|s| *s.borrow_mut() = Some((out, err)));
    Redirect(())
}

pub struct Redirect(());

impl Drop for Redirect {
    fn drop(&mut self) {
        let taken = SINKS.with(|s| s.borrow_mut().take());
        if let Some((mut out, mut err)) = taken {
            let _ = out.flush();
            let _ = err.flush();
        }
    }
}

fn with<R>(stderr: bool, f: impl FnOnce(&mut dyn Write) -> R) -> R {
    SINKS.with(|s| match s.borrow_mut().as_mut() {
        Some((out, err)) => f(if stderr { &mut **err } else { &mut **out }),
        None if stderr => f(&mut io::stderr().lock()),
        None => f(&mut io::stdout().lock()),
    })
}

/// The command's standard output.
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        with(false, |w| w.write(buf))
    }
    fn flush(&mut self) -> io::Result<()> {
        with(false, |w| w.flush())
    }
}

/// The command's standard error.
pub struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        with(true, |w| w.write(buf))
    }
    fn flush(&mut self) -> io::Result<()> {
        with(true, |w| w.flush())
    }
}

/// Whether output goes to the process's own stdout (not redirected).
pub fn is_process_stdout() -> bool {
    SINKS.with(|s| s.borrow().is_none())
}
