//! `duedesk serve`: one process owns the database and serves the interactive screens and
//! the commands to many users over SSH (russh). Public keys only; the key decides the user.
//!
//! - `server`: host key, authentication, the failed-attempts limit, channels, output pumps.
//! - `session`: one interactive session, the same screens as the local terminal.
//! - `input`: terminal bytes → key events, keeping state across packets.
//!
//! Owns: the network edge. Must not touch: business rules (app/ decides) or sled (store/).

pub mod input;
pub mod server;
pub mod session;

use crate::app::App;
use crate::store::serve_lock_path;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use server::{ServeOptions, host_key_path, start};

/// Splits an exec request's command line into words, as a POSIX shell would for plain
/// words, 'single' and "double" quotes and backslash escapes (no expansions).
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                if !matches!(n, '"' | '\\' | '$' | '`') {
                                    word.push('\\');
                                }
                                word.push(n);
                            }
                        }
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Removes the serve lock when the server stops, however it stops.
struct ServeLock(PathBuf);

impl ServeLock {
    /// Writes the lock as a new file, never through a symlink: whatever sits at its path
    /// (a lock left by a server that was killed — this process holds the database, so no
    /// other server runs — or a symlink planted to make a root `serve` overwrite another
    /// file) is removed first, itself and not what it points to, and the file is created
    /// with `O_CREAT|O_EXCL|O_NOFOLLOW`.
    fn write(db: &Path, addr: &std::net::SocketAddr) -> anyhow::Result<ServeLock> {
        use std::io::Write as _;
        let path = serve_lock_path(db);
        if std::fs::symlink_metadata(&path).is_ok() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove the old {}", path.display()))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW).mode(0o644);
        }
        let mut file = options
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        write!(file, "pid={}\naddress={addr}\n", std::process::id())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(ServeLock(path))
    }
}

impl Drop for ServeLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs `duedesk serve` until interrupted (Ctrl-C or SIGTERM).
pub fn serve(
    db: &Path,
    listen: &str,
    config: crate::ui::config::Config,
    ui: crate::ui::UiOptions,
    today: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    let app = Arc::new(App::open(db)?);
    for note in crate::cli::opened_notes(&app, db) {
        eprintln!("duedesk: {note}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async move {
        let opts = ServeOptions {
            listen: listen.to_string(),
            host_key: host_key_path(db),
            config,
            ui,
            today,
        };
        let running = start(app, opts).await?;
        let _lock = ServeLock::write(db, &running.addr)?;
        println!(
            "duedesk serve: {} on {} (pid {})\nhost key {} {}\nCtrl-C stops it.",
            db.display(),
            running.addr,
            std::process::id(),
            host_key_path(db).display(),
            running.fingerprint
        );
        wait_for_stop().await;
        println!("duedesk serve: stopping");
        running.stop().await;
        Ok(())
    })
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[cfg(unix)]
    #[test]
    fn the_serve_lock_never_writes_through_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("book.db");
        let victim = dir.path().join("passwd");
        std::fs::write(&victim, "root:x:0:0\n").unwrap();
        std::os::unix::fs::symlink(&victim, super::serve_lock_path(&db)).unwrap();
        let addr = "127.0.0.1:2222".parse().unwrap();
        let lock = super::ServeLock::write(&db, &addr).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "root:x:0:0\n");
        let meta = std::fs::symlink_metadata(super::serve_lock_path(&db)).unwrap();
        assert!(meta.file_type().is_file());
        assert!(
            std::fs::read_to_string(super::serve_lock_path(&db))
                .unwrap()
                .contains("address=127.0.0.1:2222")
        );
        drop(lock);
        assert!(!super::serve_lock_path(&db).exists());
        assert!(victim.exists());
    }

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(split_words("overdue --json"), vec!["overdue", "--json"]);
        assert_eq!(
            split_words(r#"contact add H1 --note "called, no answer" 'it''s'"#),
            vec!["contact", "add", "H1", "--note", "called, no answer", "its"]
        );
        assert_eq!(split_words(r"a\ b  c"), vec!["a b", "c"]);
        assert_eq!(split_words("  "), Vec::<String>::new());
        assert_eq!(split_words("''"), vec![""]);
    }

    /// A word as a POSIX shell quotes it: 'it'\''s'.
    fn shell_quote(word: &str) -> String {
        format!("'{}'", word.replace('\'', r"'\''"))
    }

    proptest::proptest! {
        #[test]
        fn any_command_line_splits_without_panicking(line in proptest::prelude::any::<String>()) {
            let words = split_words(&line);
            // Never more words than characters, and no word holds unquoted whitespace
            // that came from outside quotes in a plain line.
            proptest::prop_assert!(words.len() <= line.chars().count());
        }

        #[test]
        fn quoted_words_come_back_as_they_were(
            words in proptest::collection::vec(proptest::prelude::any::<String>(), 0..6)
        ) {
            let line = words.iter().map(|w| shell_quote(w)).collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(split_words(&line), words);
        }

        #[test]
        fn plain_words_split_on_whitespace(words in proptest::collection::vec("[a-zA-Z0-9_.,:=/-]{1,12}", 0..8)) {
            proptest::prop_assert_eq!(split_words(&words.join("  \t")), words);
        }
    }
}
