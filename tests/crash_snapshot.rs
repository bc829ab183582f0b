//! A database left unopenable by a kill while sled wrote a snapshot (sled 0.34.7 reads the
//! half-written `snap.*.generating` and stops: "Read corrupted data at file offset None";
//! sled issues #1527, #1509): duedesk moves it aside, opens, checks the projections against
//! the journal and says what it did.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .args(args)
        .env("DUEDESK_DB", db)
        .env("DUEDESK_TODAY", "2026-06-15")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn files(db: &Path, pred: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(db)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| pred(&p.file_name().unwrap().to_string_lossy()))
        .collect();
    found.sort();
    found
}

/// Plants what a kill during a snapshot leaves: the newest complete snapshot's bytes, cut
/// in half, under the name sled writes the next one under (`snap.<LSN>.generating`).
fn plant_incomplete_snapshot(db: &Path) -> PathBuf {
    let snaps = files(db, |n| {
        n.starts_with("snap.") && !n.ends_with(".generating")
    });
    let newest = snaps.last().expect("a closed database has a snapshot");
    let lsn = newest
        .file_name()
        .unwrap()
        .to_string_lossy()
        .trim_start_matches("snap.")
        .to_string();
    let lsn = u64::from_str_radix(&lsn, 16).unwrap();
    let bytes = std::fs::read(newest).unwrap();
    let planted = db.join(format!("snap.{:016X}.generating", lsn + 0x10_0000));
    std::fs::write(&planted, &bytes[..bytes.len() / 2]).unwrap();
    planted
}

#[test]
fn an_incomplete_snapshot_is_moved_aside_and_the_book_checked_against_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let (code, _, err) = run(&db, &["demo", "--no-tui", "--contracts", "80"]);
    assert_eq!(code, 0, "{err}");
    let (_, before, _) = run(&db, &["overdue", "--json"]);
    assert!(before.len() > 100);
    let planted = plant_incomplete_snapshot(&db);

    // sled alone no longer opens it: the case is real.
    let refused = sled::Config::new()
        .path(&db)
        .open()
        .expect_err("sled refuses it");
    assert!(refused.to_string().contains("corrupted"), "{refused}");

    let (code, out, err) = run(&db, &["overdue", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, before, "the same answers as before the kill");
    assert!(err.contains("moved aside"), "{err}");
    assert!(err.contains("equalled a replay of the journal"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(!planted.exists());
    let aside = files(&db, |n| n.starts_with("incomplete-snap."));
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(err.contains(&aside[0].display().to_string()), "{err}");

    // Opened again, there is nothing to say; the book still answers the same.
    let (code, out, err) = run(&db, &["overdue", "--json"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, before);
}

/// A corrupted database without an incomplete snapshot is not touched: the error is sled's.
#[test]
fn a_database_corrupted_otherwise_is_refused_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let (code, _, err) = run(&db, &["demo", "--no-tui", "--contracts", "20"]);
    assert_eq!(code, 0, "{err}");
    // A complete snapshot's name over bytes that are not one.
    let bad = db.join("snap.7FFFFFFFFFFFFFFF");
    std::fs::write(&bad, b"not a snapshot, but long enough").unwrap();
    let (code, _, err) = run(&db, &["overdue"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("corrupted"), "{err}");
    assert!(files(&db, |n| n.starts_with("incomplete-")).is_empty());
    assert!(bad.exists());
}
