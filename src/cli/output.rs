//! Where the command line writes: the process's stdout and stderr, or — for a command run
//! over SSH — the writers `cli::exec` was given. The choice is per thread, so many SSH
//! commands can run at once, each on its own thread.
//!
//! Everything written goes through `domain::text::neutralise_bytes`: a control character
//! in a name, a note or a file's bytes echoed in an error reaches no terminal as itself.

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

/// Buffers this thread's stdout until the guard is dropped (or stderr is written): a command
/// that prints thousands of lines makes a few writes instead of one per line.
pub fn buffered() -> Redirect {
    redirect(
        Box::new(io::BufWriter::with_capacity(64 * 1024, io::stdout())),
        Box::new(io::stderr()),
    )
}

impl Drop for Redirect {
    fn drop(&mut self) {
        let taken = SINKS.with(|s| s.borrow_mut().take());
        if let Some((mut out, mut err)) = taken {
            let _ = out.flush();
            let _ = err.flush();
        }
    }
}

/// Runs `f` on this thread's stdout or stderr. Before anything goes to stderr the stdout
/// sink is flushed, so a buffered stdout keeps its order with the messages between lines.
fn with<R>(stderr: bool, f: impl FnOnce(&mut dyn Write) -> R) -> R {
    SINKS.with(|s| match s.borrow_mut().as_mut() {
        Some((out, err)) if stderr => {
            let _ = out.flush();
            f(&mut **err)
        }
        Some((out, _)) => f(&mut **out),
        None if stderr => f(&mut io::stderr().lock()),
        None => f(&mut io::stdout().lock()),
    })
}

/// The command's standard output.
pub struct Stdout;

/// Writes all of `buf`, neutralised, and says it took all of it.
fn write_neutralised(stderr: bool, buf: &[u8]) -> io::Result<usize> {
    let shown = crate::domain::text::neutralise_bytes(buf);
    with(stderr, |w| w.write_all(&shown))?;
    Ok(buf.len())
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        write_neutralised(false, buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        with(false, |w| w.flush())
    }
}

/// The command's standard error.
pub struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        write_neutralised(true, buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        with(true, |w| w.flush())
    }
}

/// Whether output goes to the process's own stdout (not redirected).
pub fn is_process_stdout() -> bool {
    SINKS.with(|s| s.borrow().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    /// One log both sinks write into, as a terminal shows stdout and stderr together.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn buffered_stdout_keeps_its_order_with_stderr_and_is_written_at_the_end() {
        let screen = Shared::default();
        let guard = redirect(
            Box::new(io::BufWriter::new(screen.clone())),
            Box::new(screen.clone()),
        );
        writeln!(Stdout, "row 1").unwrap();
        assert!(screen.0.borrow().is_empty(), "stdout waits in its buffer");
        writeln!(Stderr, "warning").unwrap();
        writeln!(Stdout, "row 2").unwrap();
        drop(guard);
        let text = String::from_utf8(screen.0.borrow().clone()).unwrap();
        assert_eq!(text, "row 1\nwarning\nrow 2\n");
        assert!(is_process_stdout(), "the guard gives stdout back");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let screen = Shared::default();
        let guard = redirect(Box::new(screen.clone()), Box::new(screen.clone()));
        writeln!(Stdout, "张三\x1b]52;c;ZXZpbA==\x07 owes").unwrap();
        writeln!(Stderr, "bad date '\0\x1b[2J'").unwrap();
        drop(guard);
        let text = String::from_utf8(screen.0.borrow().clone()).unwrap();
        assert_eq!(
            text,
            "张三\u{fffd}]52;c;ZXZpbA==\u{fffd} owes\nbad date '\u{fffd}\u{fffd}[2J'\n"
        );
    }
}
