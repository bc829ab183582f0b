//! `backup` and `restore`: a consistent copy of the book, locally and from the serving
//! process over SSH while others write; a new database made from it equals the journal up
//! to the moment it was taken; a corrupted, truncated or foreign file is refused with one
//! line, changing nothing; admin only.

#[path = "support/ssh_client.rs"]
mod ssh_client;
mod support;

use duedesk::app::{App, Mutation};
use duedesk::domain::Channel;
use duedesk::ssh::{self, ServeOptions};
use duedesk::store::EntryHeader;
use ssh_client::*;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use support::*;

fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .args(args)
        .env("DUEDESK_DB", db)
        .env("DUEDESK_TODAY", TODAY)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn journal(app: &App) -> Vec<(EntryHeader, Mutation)> {
    app.store()
        .journal::<Mutation>()
        .map(|e| e.unwrap())
        .collect()
}

/// The restored database equals what was backed up, and a rebuild of it equals it.
fn assert_whole(restored: &Path) -> Vec<(EntryHeader, Mutation)> {
    let app = App::open(restored).unwrap();
    let live = app.store().projection_dump().unwrap();
    let entries = journal(&app);
    app.rebuild().unwrap();
    assert!(
        live == app.store().projection_dump().unwrap(),
        "a rebuild of the restored database differs from it"
    );
    entries
}

#[test]
fn a_backup_restores_to_the_same_book_and_a_bad_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let (code, _, err) = run(&db, &["demo", "--no-tui", "--contracts", "60"]);
    assert_eq!(code, 0, "{err}");
    let file = dir.path().join("book.backup");
    let file_s = file.to_string_lossy().into_owned();

    // Admin only: a collector is refused and no file is written.
    let (code, _, err) = run(&db, &["--as", "wangjun", "backup", &file_s]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("backup"), "{err}");
    assert!(!file.exists());

    let (code, out, err) = run(&db, &["backup", &file_s]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("journal entries"), "{out}");
    assert!(!dir.path().join("book.backup.partial").exists());

    let restored = dir.path().join("restored");
    let restored_s = restored.to_string_lossy().into_owned();
    let (code, out, err) = run(&restored, &["restore", &file_s]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("restored"), "{out}");
    assert_eq!(
        run(&restored, &["overdue", "--json"]).1,
        run(&db, &["overdue", "--json"]).1
    );
    let source = App::open(&db).unwrap();
    let (source_journal, source_dump) =
        (journal(&source), source.store().projection_dump().unwrap());
    drop(source);
    let entries = assert_whole(&restored);
    assert_eq!(entries, source_journal);
    let app = App::open(&restored).unwrap();
    assert!(app.store().projection_dump().unwrap() == source_dump);
    drop(app);

    // Over an existing database: refused, and it is left as it was.
    let (code, _, err) = run(&restored, &["--db", &restored_s, "restore", &file_s]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_whole(&restored);

    // Truncated, corrupted, or not a backup: one line, exit 1, nothing made.
    let bytes = std::fs::read(&file).unwrap();
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x20;
    let mut newer = bytes.clone();
    newer[18] = 9;
    for (name, content, says) in [
        (
            "cut.backup",
            bytes[..bytes.len() * 2 / 3].to_vec(),
            "cut short",
        ),
        ("cut-header.backup", bytes[..10].to_vec(), "cut short"),
        ("flipped.backup", flipped, "corrupted"),
        ("newer.backup", newer, "newer than this duedesk"),
        ("empty.backup", Vec::new(), "not a duedesk backup"),
        (
            "text.backup",
            b"customer_id,name\nC1,x\n".to_vec(),
            "not a duedesk backup",
        ),
    ] {
        let bad = dir.path().join(name);
        std::fs::write(&bad, content).unwrap();
        let target = dir.path().join(format!("from-{name}"));
        let (code, out, err) = run(&target, &["restore", &bad.to_string_lossy()]);
        assert_eq!(code, 1, "{name}: {out}{err}");
        assert!(err.contains(says), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(!target.exists(), "{name}: a refused restore makes nothing");
    }
}

/// `serve` holds the database; an admin's `ssh … backup` streams a copy taken by the
/// serving process while another thread keeps writing. Restored, it is the journal up to
/// one moment — a prefix of the source's journal — and its projections are that journal's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_over_ssh_under_write_load_restores_to_the_journal_up_to_that_point() {
    let Book { dir, app } = book();
    let admin = new_key();
    let collector = new_key();
    // The book's collector `wang` (added if it were not there).
    let _ = app.execute(
        &ctx(),
        Mutation::AddUser {
            name: "wang".into(),
            display: String::new(),
            roles: vec![duedesk::domain::Role::Collector],
            branch: None,
        },
    );
    for (user, key) in [("admin", &admin), ("wang", &collector)] {
        let public = key.public_key();
        app.execute(
            &ctx(),
            Mutation::AddKey {
                user: user.into(),
                key: public.to_openssh().unwrap(),
                fingerprint: ssh::server::fingerprint(public),
            },
        )
        .unwrap();
    }
    let contract = app.store().contract_numbers().unwrap()[0].clone();
    let app = Arc::new(app);
    let opts = ServeOptions {
        listen: "127.0.0.1:0".into(),
        host_key: dir.path().join("host_ed25519"),
        config: Default::default(),
        ui: duedesk::ui::UiOptions {
            theme: None,
            lang: None,
            config: None,
            follows_calendar: false,
        },
        today: Some(d(TODAY)),
    };
    let running = ssh::start(app.clone(), opts).await.unwrap();
    let addr = running.addr;

    // A collector is refused, and gets no bytes.
    let (status, out, err) = exec_bytes(addr, "wang", &collector, "backup").await;
    assert_ne!(status, Some(0), "{err}");
    assert!(out.is_empty());
    assert!(err.contains("backup"), "{err}");

    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let load = {
        let (app, stop, written, contract) =
            (app.clone(), stop.clone(), written.clone(), contract.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Acquire) {
                let n = written.load(Ordering::Acquire);
                app.execute(
                    &ctx(),
                    Mutation::AddContact {
                        contract: contract.clone(),
                        channel: Channel::Call,
                        result: format!("load {n}"),
                        note: String::new(),
                        promise: None,
                    },
                )
                .unwrap();
                written.fetch_add(1, Ordering::AcqRel);
            }
        })
    };
    while written.load(Ordering::Acquire) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (status, backup, err) = exec_bytes(addr, "admin", &admin, "backup").await;
    let during = written.load(Ordering::Acquire);
    while written.load(Ordering::Acquire) < during + 20 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::Release);
    load.join().unwrap();
    assert_eq!(status, Some(0), "{err}");
    assert!(err.contains("backup written"), "{err}");
    assert!(
        backup.starts_with(duedesk::store::backup::MAGIC),
        "the channel carries the backup's bytes as they are"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".partial"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "the server's copy is removed: {leftovers:?}"
    );

    let file = dir.path().join("served.backup");
    std::fs::write(&file, &backup).unwrap();
    let restored = dir.path().join("restored");
    duedesk::store::backup::restore(&file, &restored).unwrap();
    let entries = assert_whole(&restored);
    let source = journal(&app);
    assert!(
        entries.len() < source.len(),
        "the source went on after the backup ({} of {})",
        entries.len(),
        source.len()
    );
    assert_eq!(
        entries,
        source[..entries.len()],
        "the backup is the source's journal up to one moment"
    );
    let loaded = entries
        .iter()
        .filter(|(_, m)| matches!(m, Mutation::AddContact { result, .. } if result.starts_with("load ")))
        .count();
    assert!(
        loaded >= 20,
        "writes made before the backup are in it ({loaded})"
    );
    // Its answers are the source's at that moment: the source's contacts up to that point.
    let restored_app = App::open(&restored).unwrap();
    let ticket = restored_app.ticket(&ctx(), &contract, d(TODAY)).unwrap();
    let contacts = ticket
        .contacts
        .iter()
        .filter(|c| c.result.starts_with("load "))
        .count();
    assert_eq!(contacts, loaded);
    running.stop().await;
}
