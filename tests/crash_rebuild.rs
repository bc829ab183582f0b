//! `rebuild` as the built binary runs it: admin only, journaled as an event of the audit
//! trail, the same answers after as before however often it runs, and a replay stuck inside
//! sled (sled issue #1412) recovered after a bounded wait.

use duedesk::app::{App, Mutation};
use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-06-15";

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn run(db: &Path, envs: &[(&str, &str)], args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .args(args)
        .env("DUEDESK_DB", db)
        .env("DUEDESK_TODAY", TODAY)
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn ok(db: &Path, args: &[&str]) -> String {
    let r = run(db, &[], args);
    assert_eq!(r.code, 0, "duedesk {args:?}: {}{}", r.out, r.err);
    r.out
}

/// A demo book of `contracts` contracts, accrued and worked on by the demo's generator.
fn demo(contracts: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    ok(
        &db,
        &["demo", "--no-tui", "--contracts", &contracts.to_string()],
    );
    (dir, db)
}

/// What the book answers: the whole overdue list and one contract's audit trail.
fn answers(db: &Path) -> String {
    let overdue = ok(db, &["overdue", "--json"]);
    assert!(overdue.len() > 100, "the demo book has overdue contracts");
    overdue
}

fn journal(db: &Path) -> Vec<(String, Mutation)> {
    let app = App::open(db).unwrap();
    app.store()
        .journal::<Mutation>()
        .map(|e| {
            let (header, mutation) = e.unwrap();
            (header.actor, mutation)
        })
        .collect()
}

#[test]
fn rebuild_is_an_admins_journaled_event_and_a_user_is_refused() {
    let (_dir, db) = demo(60);
    // The demo book's collector `wangjun`.
    let before = journal(&db);
    let refused = run(&db, &[], &["--as", "wangjun", "rebuild"]);
    assert_eq!(refused.code, 1, "{}{}", refused.out, refused.err);
    assert!(refused.err.contains("rebuild"), "{}", refused.err);
    assert_eq!(
        journal(&db).len(),
        before.len(),
        "a refusal changes nothing"
    );

    let answered = answers(&db);
    let out = ok(&db, &["rebuild"]);
    assert!(
        out.contains(&format!("{} journal entries", before.len())),
        "{out}"
    );
    let after = journal(&db);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(
        after.last().unwrap(),
        &(
            "admin".to_string(),
            Mutation::Rebuild {
                entries: before.len() as u64
            }
        )
    );
    assert_eq!(answers(&db), answered);
    // The event replays as nothing: a second rebuild answers the same again.
    ok(&db, &["rebuild"]);
    assert_eq!(answers(&db), answered);
    assert!(matches!(
        journal(&db).last().unwrap().1,
        Mutation::Rebuild { entries } if entries == before.len() as u64 + 1
    ));
}

#[test]
fn repeated_rebuilds_finish_and_answer_the_same() {
    let (_dir, db) = demo(300);
    let answered = answers(&db);
    let app = App::open(&db).unwrap();
    let projections = app.store().projection_dump().unwrap().len();
    drop(app);
    for round in 0..6 {
        let r = run(&db, &[], &["rebuild"]);
        assert_eq!(r.code, 0, "round {round}: {}{}", r.out, r.err);
        assert!(r.err.is_empty(), "round {round}: {}", r.err);
        assert_eq!(answers(&db), answered, "round {round}");
    }
    let app = App::open(&db).unwrap();
    assert_eq!(app.store().projection_dump().unwrap().len(), projections);
    // Rebuilt through the library too, the projections are what the binary left.
    let live = app.store().projection_dump().unwrap();
    app.rebuild().unwrap();
    assert!(live == app.store().projection_dump().unwrap());
}

/// A replay that stops dead (as one stuck in sled's `bump_tip` does; simulated by a debug
/// build's `DUEDESK_TEST_STALL_REPLAY`) is given up after `DUEDESK_STALL_SECS` and run again
/// in a fresh process, which finishes it.
#[test]
fn a_replay_stuck_inside_sled_is_run_again_after_a_bounded_wait() {
    let (_dir, db) = demo(60);
    let answered = answers(&db);
    let entries = journal(&db).len();
    let r = run(
        &db,
        &[
            ("DUEDESK_TEST_STALL_REPLAY", "40"),
            ("DUEDESK_STALL_SECS", "1"),
        ],
        &["rebuild"],
    );
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(r.err.contains("stuck inside sled"), "{}", r.err);
    assert!(r.err.contains("attempt 1 of 2"), "{}", r.err);
    // The fresh process found the mark, finished the replay on open, then ran the command.
    assert!(r.err.contains("had been cut short"), "{}", r.err);
    assert!(r.out.contains("rebuilt the projections"), "{}", r.out);
    assert_eq!(answers(&db), answered);
    let journal = journal(&db);
    assert_eq!(journal.len(), entries + 1, "one rebuild journaled, not two");
}

/// While `serve` holds the database, a local `rebuild` is refused at once, naming the
/// server, and changes nothing (over SSH it is refused as well: `cli::exec`).
#[test]
fn rebuild_is_refused_while_the_database_is_served() {
    let (dir, db) = demo(20);
    let before = journal(&db).len();
    let mut server = Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DUEDESK_DB", &db)
        .env("DUEDESK_TODAY", TODAY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = dir.path().join("db.serve.lock");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !lock.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(lock.exists(), "serve started");
    let r = run(&db, &[], &["rebuild"]);
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert!(r.err.contains("duedesk serve"), "{}", r.err);
    assert_eq!(journal(&db).len(), before, "nothing changed");
}
