//! A progress bar on standard error, shown only when it is a terminal: a label, a bar, the
//! percent (when the whole is known) and the rows so far, redrawn at most ten times a second
//! on one line, and cleared when done. Nothing is written when stderr is a file or a pipe.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const WIDTH: usize = 30;
const EVERY: Duration = Duration::from_millis(100);

pub struct Bar {
    label: &'static str,
    on: bool,
    last: Option<Instant>,
    shown: bool,
}

impl Bar {
    pub fn new(label: &'static str) -> Bar {
        Bar {
            label,
            on: std::io::stderr().is_terminal(),
            last: None,
            shown: false,
        }
    }

    /// `rows` done; `of`: (done, whole) in any unit (bytes, rows) for the percent.
    pub fn show(&mut self, rows: u64, of: Option<(u64, u64)>) {
        if !self.on || self.last.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        let _ = write!(std::io::stderr(), "\r{}", line(self.label, rows, of));
        self.shown = true;
    }

    /// Clears the bar's line.
    pub fn done(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r{:width$}\r", "", width = WIDTH + 40);
            self.shown = false;
        }
    }
}

/// The bar's text: `checking [#########.....] 45% 123456 rows`.
pub fn line(label: &str, rows: u64, of: Option<(u64, u64)>) -> String {
    match of {
        Some((done, whole)) if whole > 0 => {
            let percent = (done.min(whole) * 100 / whole) as usize;
            let filled = percent * WIDTH / 100;
            format!(
                "{label} [{}{}] {percent:>3}% {rows} rows",
                "#".repeat(filled),
                ".".repeat(WIDTH - filled)
            )
        }
        _ => format!("{label} {rows} rows"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_says_rows_and_percent() {
        assert_eq!(
            line("importing", 500, Some((500, 1000))),
            format!(
                "importing [{}{}]  50% 500 rows",
                "#".repeat(15),
                ".".repeat(15)
            )
        );
        assert_eq!(line("checking", 7, None), "checking 7 rows");
        assert!(line("x", 1, Some((5, 0))).ends_with("1 rows"));
        assert!(line("x", 1, Some((9, 3))).contains("100%"));
    }
}
