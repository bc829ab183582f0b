//! The UI's log: a plain text file next to the database (`<db>.log`), never the screen.
//! One line per event: start and stop, refusals and errors, a panic. Money and business
//! changes are not logged here: the journal is their record.
//!
//! Logging must never stop the UI: a log that cannot be opened or written is dropped
//! silently (the UI still runs). The file is kept small: past `MAX_BYTES` it is moved to
//! `<db>.log.1` (one old file kept) when the next session starts.
//!
//! Owns: the log file. Must not touch: the terminal.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A log that grew past this is started afresh (the old one kept as `.1`).
pub const MAX_BYTES: u64 = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    /// The app said no to something the user asked (a validation or permission refusal).
    Refused,
    Error,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Refused => "REFUSED",
            Level::Error => "ERROR",
        }
    }
}

/// Where a database's UI log goes: `book.db` → `book.log`, `db` → `db.log`.
pub fn path_for_db(db: &Path) -> PathBuf {
    db.with_extension("log")
}

/// An append-only log file, or nothing.
#[derive(Debug, Default)]
pub struct Log {
    file: Option<File>,
}

impl Log {
    /// A log that writes nowhere (tests, or a file that could not be opened).
    pub fn none() -> Log {
        Log { file: None }
    }

    /// Opens `path` for appending, first moving a file past `MAX_BYTES` to `<path>.1`.
    pub fn open(path: &Path) -> Log {
        if std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_BYTES) {
            let mut old = path.as_os_str().to_owned();
            old.push(".1");
            let _ = std::fs::rename(path, old);
        }
        let file = OpenOptions::new().create(true).append(true).open(path).ok();
        Log { file }
    }

    pub fn is_open(&self) -> bool {
        self.file.is_some()
    }

    /// Appends one line: UTC time, level, text (newlines in the text become spaces).
    pub fn write(&mut self, level: Level, text: &str) {
        let Some(file) = self.file.as_mut() else {
            return;
        };
        let line = format_line(level, text);
        if file.write_all(line.as_bytes()).is_err() {
            self.file = None;
        }
    }
}

fn format_line(level: Level, text: &str) -> String {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let text = text.replace(['\n', '\r'], " ");
    format!("{now} {:<7} {text}\n", level.name())
}

/// Appends one line to the log at `path` without keeping it open (for the panic hook).
pub fn append(path: &Path, level: Level, text: &str) {
    if let Ok(mut file) = OpenOptions::new().create(true).append(true).open(path) {
        let _ = file.write_all(format_line(level, text).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_one_per_event_and_a_big_log_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for_db(&dir.path().join("book.db"));
        assert_eq!(path, dir.path().join("book.log"));
        let mut log = Log::open(&path);
        assert!(log.is_open());
        log.write(Level::Info, "start");
        log.write(Level::Refused, "payment refused:\nover the limit");
        drop(log);
        append(&path, Level::Error, "panic");
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].ends_with(" INFO    start"), "{}", lines[0]);
        assert!(lines[1].ends_with(" REFUSED payment refused: over the limit"));
        assert!(lines[2].ends_with(" ERROR   panic"));

        std::fs::write(&path, vec![b'x'; MAX_BYTES as usize + 1]).unwrap();
        let mut log = Log::open(&path);
        log.write(Level::Info, "fresh");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1);
        let old = dir.path().join("book.log.1");
        assert_eq!(std::fs::metadata(old).unwrap().len(), MAX_BYTES + 1);
    }

    #[test]
    fn a_log_that_cannot_be_opened_is_silent() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = Log::open(&dir.path().join("no/such/dir/x.log"));
        assert!(!log.is_open());
        log.write(Level::Error, "nowhere"); // no panic, no error
        Log::none().write(Level::Info, "nowhere");
    }
}
