//! Sync over SSH: the branch runs the system `ssh` client (so the clerk's keys and
//! `~/.ssh/config` apply), which runs `sync-serve` under head office's `duedesk serve`; the
//! push goes in on its standard input, the reply comes back on its standard output.

use super::{Result, SyncError, branch, hq};
use crate::app::{App, Ctx};
use std::io::{IsTerminal, Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The exec command `duedesk serve` answers with a sync: a push in, the reply out.
pub const SERVE_COMMAND: &str = "sync-serve";
/// The exec command `duedesk serve` answers with a site's bootstrap bundle (`sync-clone SITE`).
pub const CLONE_COMMAND: &str = "sync-clone";

/// Whether an exec request's words are one of sync's (which read the channel's input).
pub fn is_sync(words: &[String]) -> bool {
    match words {
        [one] => one == SERVE_COMMAND,
        [first, _] => first == CLONE_COMMAND,
        _ => false,
    }
}
/// The most a push may be (a branch's pushes are kilobytes; a month offline, megabytes).
pub const MAX_PUSH: usize = 256 << 20;
const REMOTE: &str = "remote";

/// `ssh://USER@HOST[:PORT]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    pub user: String,
    pub host: String,
    pub port: Option<u16>,
}

impl Remote {
    pub fn parse(text: &str) -> Result<Remote> {
        let bad = || {
            SyncError::Refused(format!(
                "head office's address '{text}': give ssh://USER@HOST or ssh://USER@HOST:PORT"
            ))
        };
        let rest = text.strip_prefix("ssh://").ok_or_else(bad)?;
        let (user, host) = rest.split_once('@').ok_or_else(bad)?;
        let (host, port) = match host.rsplit_once(':') {
            Some((host, port)) => (host, Some(port.parse::<u16>().map_err(|_| bad())?)),
            None => (host, None),
        };
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || "._-[]:".contains(c))
        };
        if !plain(user) || !plain(host) {
            return Err(bad());
        }
        Ok(Remote {
            user: user.to_string(),
            host: host.to_string(),
            port,
        })
    }

    pub fn text(&self) -> String {
        match self.port {
            Some(port) => format!("ssh://{}@{}:{port}", self.user, self.host),
            None => format!("ssh://{}@{}", self.user, self.host),
        }
    }
}

/// What a sync over SSH did.
#[derive(Clone, Debug)]
pub struct Synced {
    pub remote: String,
    pub pushed: usize,
    pub push_bytes: usize,
    pub reply_bytes: usize,
    pub pulled: branch::Pulled,
    /// The last sync was cut off after its push left: what head office had decided of it,
    /// asked first (so it is not sent again).
    pub resumed: Option<branch::Pulled>,
}

/// Kept while a push over SSH is out and its reply not pulled: the next sync asks head
/// office what it decided first.
const UNANSWERED: &str = "unanswered";

/// One round trip: push, head office's reply, pull. `remote` `None`: the one used last.
/// `ssh_command` replaces `ssh` (words, as `GIT_SSH_COMMAND`). A failure on the way changes
/// nothing here: the pending entries stay. After a sync cut off once its push had left, the
/// next one first asks head office what it decided (an empty push) and pulls that, so it
/// sends only the entries head office has not decided.
pub fn sync(
    app: &App,
    ctx: &Ctx,
    remote: Option<&str>,
    ssh_command: Option<&str>,
) -> Result<Synced> {
    let remote = match remote {
        Some(text) => Remote::parse(text)?,
        None => {
            let kept: Option<String> = app.store().sync_state(REMOTE)?;
            let text = kept.ok_or_else(|| {
                SyncError::Refused(
                    "give head office's address the first time: duedesk sync ssh://USER@HOST[:PORT]"
                        .into(),
                )
            })?;
            Remote::parse(&text)?
        }
    };
    branch::state(app.store())?;
    let store = app.store();
    let mut resumed = None;
    if store.sync_state::<bool>(UNANSWERED)?.unwrap_or(false) {
        let probe = branch::probe(app, ctx)?;
        let reply = exchange(&remote, ssh_command, &[SERVE_COMMAND], &probe, None)?;
        resumed = Some(branch::pull(app, ctx, &reply)?);
        store.set_sync_state::<bool>(UNANSWERED, None)?;
    }
    let push = branch::push(app, ctx)?;
    store.set_sync_state(UNANSWERED, Some(&true))?;
    let reply = exchange(
        &remote,
        ssh_command,
        &[SERVE_COMMAND],
        &push.bytes,
        Some(push.entries),
    )?;
    let pulled = branch::pull(app, ctx, &reply)?;
    store.set_sync_state::<bool>(UNANSWERED, None)?;
    remember(app, &remote)?;
    Ok(Synced {
        remote: remote.text(),
        pushed: push.entries,
        push_bytes: push.bytes.len(),
        reply_bytes: reply.len(),
        pulled,
        resumed,
    })
}

fn remember(app: &App, remote: &Remote) -> Result<()> {
    app.store().set_sync_state(REMOTE, Some(&remote.text()))?;
    Ok(())
}

/// `sync init ssh://…`: the site's bundle from head office, the branch database made from it
/// at `db`, the address remembered for the next `duedesk sync`.
pub fn init(
    db: &std::path::Path,
    remote: &str,
    site: &str,
    ssh_command: Option<&str>,
    now: i64,
) -> Result<branch::Initialized> {
    let remote = Remote::parse(remote)?;
    let bundle = exchange(&remote, ssh_command, &[CLONE_COMMAND, site], &[], None)?;
    let (app, made) = branch::init(db, &bundle, now)?;
    remember(&app, &remote)?;
    Ok(made)
}

/// Runs `ssh [-p PORT] USER@HOST WORDS…` with `input` on its standard input; returns its
/// standard output. A transfer longer than a second shows its progress on standard error
/// when that is a terminal (`entries`: how many the input carries).
fn exchange(
    remote: &Remote,
    ssh_command: Option<&str>,
    words: &[&str],
    push: &[u8],
    entries: Option<usize>,
) -> Result<Vec<u8>> {
    let ssh = crate::ssh::split_words(ssh_command.unwrap_or("ssh"));
    let (program, args) = ssh
        .split_first()
        .ok_or_else(|| SyncError::Refused("the ssh command is empty".into()))?;
    let mut command = Command::new(program);
    command.args(args);
    if let Some(port) = remote.port {
        command.args(["-p", &port.to_string()]);
    }
    command
        .arg(format!("{}@{}", remote.user, remote.host))
        .args(words)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| {
        SyncError::Refused(format!(
            "cannot run {program}: {e}; install OpenSSH's client or give --ssh-command"
        ))
    })?;
    let progress = Progress::start(push.len(), entries);
    let mut stdin = child.stdin.take().expect("piped");
    let push = push.to_vec();
    let sent = progress.sent.clone();
    let writer = std::thread::spawn(move || {
        for chunk in push.chunks(16 << 10) {
            if stdin.write_all(chunk).is_err() {
                return;
            }
            sent.fetch_add(chunk.len(), Ordering::Relaxed);
        }
    });
    let mut err = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let mut reply = Vec::new();
    let mut out = child.stdout.take().expect("piped");
    let read = (|| -> std::io::Result<()> {
        let mut buf = vec![0u8; 16 << 10];
        loop {
            let n = out.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            reply.extend_from_slice(&buf[..n]);
            progress.received.store(reply.len(), Ordering::Relaxed);
        }
    })();
    let status = child.wait();
    let _ = writer.join();
    progress.finish();
    let stderr = errors.join().unwrap_or_default();
    let said = stderr.trim().lines().last().unwrap_or("").to_string();
    match (read, status) {
        (Ok(_), Ok(status)) if status.success() => Ok(reply),
        (_, status) => Err(SyncError::Refused(format!(
            "{} ({}) did not finish{}{}; nothing changed here: the pending entries stay and the next sync sends them again",
            remote.text(),
            program,
            status
                .ok()
                .and_then(|s| s.code())
                .map_or(String::new(), |c| format!(" (exit status {c})")),
            if said.is_empty() {
                String::new()
            } else {
                format!(": {said}")
            }
        ))),
    }
}

/// A transfer's progress on standard error: shown after its first second, only on a
/// terminal, a line rewritten four times a second.
struct Progress {
    sent: Arc<AtomicUsize>,
    received: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(total: usize, entries: Option<usize>) -> Progress {
        let sent = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let ticker = std::io::stderr().is_terminal().then(|| {
            let (sent, received, done) = (sent.clone(), received.clone(), done.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                let line = || {
                    progress_line(
                        entries,
                        sent.load(Ordering::Relaxed),
                        total,
                        received.load(Ordering::Relaxed),
                    )
                };
                let mut shown = false;
                while !done.load(Ordering::Relaxed) {
                    std::thread::park_timeout(Duration::from_millis(250));
                    if started.elapsed() < Duration::from_secs(1) {
                        continue;
                    }
                    eprint!("\r{}\x1b[K", line());
                    shown = true;
                }
                if shown {
                    eprintln!("\r{}\x1b[K", line());
                }
            })
        });
        Progress {
            sent,
            received,
            done,
            ticker,
        }
    }

    fn finish(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            ticker.thread().unpark();
            let _ = ticker.join();
        }
    }
}

/// `sync: pushed 300 entries, 4.1 of 4.1 KB; received 12.0 KB`.
pub fn progress_line(entries: Option<usize>, sent: usize, total: usize, received: usize) -> String {
    let kb = |b: usize| format!("{:.1}", b as f64 / 1024.0);
    let what = match entries {
        Some(n) => format!("pushed {n} entries, "),
        None => String::new(),
    };
    format!(
        "sync: {what}{} of {} KB sent; {} KB received",
        kb(sent),
        kb(total),
        kb(received)
    )
}

/// Head office's side of an exec request `is_sync` accepts, as the login user `ctx.actor`:
/// `sync-serve` takes a push on `input` and answers the reply, telling `progress` (entries
/// decided, entries to decide) after each part it applies; `sync-clone SITE` answers the
/// site's bundle; (exit status, standard output, standard error).
pub fn serve(
    app: &App,
    ctx: &Ctx,
    words: &[String],
    input: &[u8],
    progress: &mut dyn FnMut(usize, usize),
) -> (u32, Vec<u8>, Vec<u8>) {
    if let [first, site] = words
        && first == CLONE_COMMAND
    {
        return match hq::clone(app, ctx, site) {
            Ok(cloned) => (0, cloned.bytes, Vec::new()),
            Err(e) => (1, Vec::new(), format!("duedesk: {e}\n").into_bytes()),
        };
    }
    serve_push(app, ctx, input, progress)
}

/// The answer to a push larger than `MAX_PUSH`.
pub fn too_large() -> (u32, Vec<u8>, Vec<u8>) {
    (
        1,
        Vec::new(),
        format!("duedesk: the push is larger than {MAX_PUSH} bytes; sync more often\n")
            .into_bytes(),
    )
}

fn serve_push(
    app: &App,
    ctx: &Ctx,
    push: &[u8],
    progress: &mut dyn FnMut(usize, usize),
) -> (u32, Vec<u8>, Vec<u8>) {
    if push.len() > MAX_PUSH {
        return too_large();
    }
    match hq::accept_with(app, ctx, push, progress) {
        Ok(done) => (0, done.reply, Vec::new()),
        Err(e) => (
            1,
            Vec::new(),
            format!("duedesk: {e}; nothing changed at head office\n").into_bytes(),
        ),
    }
}

#[cfg(test)]
mod progress_tests {
    use super::progress_line;

    #[test]
    fn a_progress_line_names_the_entries_and_the_bytes() {
        assert_eq!(
            progress_line(Some(300), 2048, 4096, 1536),
            "sync: pushed 300 entries, 2.0 of 4.0 KB sent; 1.5 KB received"
        );
        assert_eq!(
            progress_line(None, 0, 0, 10240),
            "sync: 0.0 of 0.0 KB sent; 10.0 KB received"
        );
    }
}
