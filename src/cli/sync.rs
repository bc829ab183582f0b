//! `site …` and `sync …`: branch sites and their sync with head office by file.

use super::args::{JsonFlag, SiteCmd, SyncArgs, SyncCmd};
use super::table::Table;
use super::{Done, Failure, print_json};
use crate::app::{App, Ctx, Mutation};
use crate::sync::{branch, hq};
use std::path::Path;

pub(super) fn site(app: &App, ctx: &Ctx, cmd: SiteCmd) -> Done {
    match cmd {
        SiteCmd::Add {
            name,
            code,
            branches,
            user,
        } => {
            let next = app.sites(ctx)?.iter().map(|s| s.number).max().unwrap_or(1) + 1;
            let outcome = app.execute(
                ctx,
                Mutation::AddSite {
                    site: next,
                    name,
                    code,
                    branches,
                    user,
                },
            )?;
            outln!("{}", outcome.message);
            Ok(())
        }
        SiteCmd::List(JsonFlag { json }) => {
            let rows = hq::site_rows(app, ctx)?;
            if json {
                return print_json(&rows);
            }
            if rows.is_empty() {
                outln!(
                    "no sites; add one with `duedesk site add NAME --code HF --branches 合肥 --user LOGIN`"
                );
                return Ok(());
            }
            let mut t = Table::new(&[
                "site",
                ">no",
                "code",
                "branches",
                "user",
                "last push",
                "last pull",
                ">cursor",
                ">pending",
                ">conflicts",
            ]);
            for r in rows {
                t.row(vec![
                    r.name,
                    r.number.to_string(),
                    r.code,
                    r.branches.join(","),
                    r.user,
                    r.last_push.unwrap_or_else(|| "never".into()),
                    r.last_pull.unwrap_or_else(|| "never".into()),
                    r.cursor.to_string(),
                    r.pending.to_string(),
                    r.conflicts.to_string(),
                ]);
            }
            out!("{}", t.render());
            Ok(())
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|e| Failure::of(vec![format!("cannot read {}: {e}", path.display())]))
}

/// Writes beside the target, then renames: a write cut short never leaves half a file.
fn write(path: &Path, bytes: &[u8]) -> Done {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| Failure::of(vec![format!("cannot write {}: {e}", path.display())]))
}

fn in_file(path: &Path, e: crate::sync::SyncError) -> Failure {
    Failure::of(vec![format!("{}: {e}; nothing changed", path.display())])
}

/// `sync init FILE|ssh://…`: runs before any database is opened (it creates one).
pub(super) fn init(db: &Path, file: &Path, site: Option<&str>, ssh_command: Option<&str>) -> Done {
    let now = chrono::Utc::now().timestamp();
    let source = file.to_string_lossy();
    let made = if source.starts_with("ssh://") {
        let site = site.ok_or_else(|| {
            Failure::of(vec![
                "sync init ssh://…: give the site to fetch with --site NAME".into(),
            ])
        })?;
        crate::sync::transport::init(db, &source, site, ssh_command, now)?
    } else {
        let bytes = read(file)?;
        branch::init(db, &bytes, now)
            .map_err(|e| in_file(file, e))?
            .1
    };
    outln!(
        "branch database {} created for site {} (number {}, ids {}-…) with {} entries from head office",
        db.display(),
        made.name,
        made.site,
        made.code,
        made.entries
    );
    Ok(())
}

pub(super) fn sync(app: &App, ctx: &Ctx, args: SyncArgs) -> Done {
    let Some(cmd) = args.cmd else {
        let done = crate::sync::transport::sync(
            app,
            ctx,
            args.remote.as_deref(),
            args.ssh_command.as_deref(),
        )?;
        if let Some(r) = &done.resumed {
            outln!(
                "the last sync was cut off after its push left: head office's verdicts on it pulled first ({} rejected, {} no longer apply); only entries it has not decided are pushed",
                r.rejected,
                r.dropped
            );
        }
        // What the sync did, the verdicts asked for first included.
        let mut p = done.pulled.clone();
        if let Some(r) = &done.resumed {
            p.rejected += r.rejected;
            p.dropped += r.dropped;
            p.received += r.received;
            p.left += r.left;
        }
        if p.left > 0 {
            outln!(
                "{} customers moved by head office to another branch left this database",
                p.left
            );
        }
        outln!(
            "{}: {} entries pushed ({} bytes); {} accepted, {} rejected, {} no longer apply; {} entries of head office applied ({} bytes)",
            done.remote,
            done.pushed,
            done.push_bytes,
            p.accepted,
            p.rejected,
            p.dropped,
            p.received,
            done.reply_bytes
        );
        if p.rejected + p.dropped > 0 {
            outln!("see them with `duedesk sync conflicts`");
        }
        return Ok(());
    };
    match cmd {
        SyncCmd::Clone { site, out } => {
            let cloned = hq::clone(app, ctx, &site)?;
            write(&out, &cloned.bytes)?;
            let per = cloned.bytes.len() / cloned.contracts.max(1);
            outln!(
                "{}: bundle of site {site}, {} entries, {} contracts, {} bytes ({per} bytes per contract)",
                out.display(),
                cloned.entries,
                cloned.contracts,
                cloned.bytes.len()
            );
            Ok(())
        }
        SyncCmd::Init { .. } => Err(Failure::of(vec![
            "sync init creates a database; run it on its own with --db DIR".into(),
        ])),
        SyncCmd::Push { out } => {
            let pushed = branch::push(app, ctx)?;
            write(&out, &pushed.bytes)?;
            outln!(
                "{}: {} entries pending (seqs {}–{}), {} bytes; take it to head office (sync accept), then pull its reply",
                out.display(),
                pushed.entries,
                pushed.first,
                pushed.last,
                pushed.bytes.len()
            );
            Ok(())
        }
        SyncCmd::Accept { file, reply } => {
            let bytes = read(&file)?;
            let done = hq::accept_with(app, ctx, &bytes, &mut accept_progress())
                .map_err(|e| in_file(&file, e))?;
            write(&reply, &done.reply)?;
            outln!(
                "site {}: {} accepted, {} rejected, {} decided before; reply {} carries {} entries of head office ({} bytes)",
                done.site,
                done.accepted,
                done.rejected,
                done.already,
                reply.display(),
                done.sent,
                done.reply.len()
            );
            Ok(())
        }
        SyncCmd::Pull { file } => {
            let bytes = read(&file)?;
            let pulled = branch::pull(app, ctx, &bytes).map_err(|e| in_file(&file, e))?;
            if pulled.already {
                outln!("{}: already applied; nothing changed", file.display());
                return Ok(());
            }
            outln!(
                "{}: {} of this branch's entries accepted, {} rejected, {} no longer apply; {} entries of head office applied",
                file.display(),
                pulled.accepted,
                pulled.rejected,
                pulled.dropped,
                pulled.received
            );
            if pulled.rejected + pulled.dropped > 0 {
                outln!("see them with `duedesk sync conflicts`");
            }
            Ok(())
        }
        SyncCmd::Status(JsonFlag { json }) => {
            let status = branch::status(app, ctx)?;
            if json {
                return print_json(&status);
            }
            outln!(
                "site {} (number {}, code {}, branches {})",
                status.site,
                status.number,
                status.code,
                status.branches.join(",")
            );
            outln!("pending: {}", status.pending);
            outln!(
                "last push: {}",
                status.last_push.as_deref().unwrap_or("never")
            );
            outln!(
                "last sync: {}",
                status.last_sync.as_deref().unwrap_or("never")
            );
            outln!("conflicts: {}", status.conflicts);
            Ok(())
        }
        SyncCmd::Conflicts(JsonFlag { json }) => {
            let conflicts = branch::conflicts(app, ctx)?;
            if json {
                return print_json(&conflicts);
            }
            if conflicts.is_empty() {
                outln!("no conflicts");
                return Ok(());
            }
            let mut t = Table::new(&["entry", "kind", "record", "author", "date", "reason"]);
            for c in conflicts {
                t.row(vec![
                    c.id,
                    c.kind,
                    c.record.unwrap_or_default(),
                    c.author,
                    c.business_date,
                    c.reason,
                ]);
            }
            out!("{}", t.render());
            Ok(())
        }
    }
}

/// `sync accept`'s progress: entries decided, on standard error after the first second when
/// it is a terminal. `DUEDESK_TEST_PAUSE_AFTER_PARTS=N` (for the tests that kill head office
/// mid-accept) stops after N parts: it writes the entries decided so far to the file named
/// by `DUEDESK_TEST_PAUSE_MARK` and waits there to be killed.
fn accept_progress() -> impl FnMut(usize, usize) {
    use std::io::IsTerminal;
    let started = std::time::Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let pause: Option<usize> = std::env::var("DUEDESK_TEST_PAUSE_AFTER_PARTS")
        .ok()
        .and_then(|n| n.parse().ok());
    let mut parts = 0;
    move |decided, total| {
        parts += 1;
        if terminal && started.elapsed() >= std::time::Duration::from_secs(1) {
            eprint!("\rsync accept: {decided} of {total} entries decided\x1b[K");
            if decided == total {
                eprintln!();
            }
        }
        if pause == Some(parts)
            && let Ok(mark) = std::env::var("DUEDESK_TEST_PAUSE_MARK")
        {
            let _ = std::fs::write(&mark, decided.to_string());
            loop {
                std::thread::park();
            }
        }
    }
}
