//! A database written by the landed version before the journal format of schema 3
//! (`tests/fixtures/landed_v2`) opens, is migrated once, and answers exactly as it did; its
//! rewritten journal replays into the same projections, and new ids follow the old ones.

use duedesk::app::App;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/landed_v2")
}

/// A copy of the fixture's database in a fresh directory (the fixture itself never changes).
fn copy_of_fixture() -> (tempfile::TempDir, PathBuf) {
    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    copy_dir(&fixture().join("db"), &db);
    (dir, db)
}

fn run(db: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .args(args)
        .env("DUEDESK_DB", db)
        .env("DUEDESK_TODAY", "2026-12-01")
        .env_remove("DUEDESK_CONFIG")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "duedesk {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// (expected file, command): what the landed version answered, file by file.
fn answers() -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = [
        ("overdue", "overdue --json"),
        ("approvals", "approval list --json"),
        ("orders", "outbound list --json"),
        ("stock", "stock --json"),
        ("users", "user list --json"),
        ("rules", "rules show --json"),
        ("settings", "settings --json"),
        ("waivers", "waiver list --json"),
        ("towboard", "tow board --json"),
    ]
    .iter()
    .map(|(f, c)| (f.to_string(), c.split(' ').map(String::from).collect()))
    .collect();
    for c in [
        "HF25000037",
        "WU24000023",
        "WH26000024",
        "CZ26000009",
        "LAN261130",
        "HFN-1",
    ] {
        out.push((
            format!("ticket-{c}"),
            vec!["ticket".into(), "show".into(), c.into(), "--json".into()],
        ));
        out.push((
            format!("audit-{c}"),
            vec!["audit".into(), c.into(), "--json".into()],
        ));
    }
    for u in ["hufang", "sunpeng", "caiwu", "shenpi_hf"] {
        out.push((
            format!("inbox-{u}"),
            vec!["--as".into(), u.into(), "inbox".into(), "--json".into()],
        ));
    }
    out
}

fn assert_answers_as_landed(db: &Path) {
    for (file, args) in answers() {
        let expected =
            std::fs::read_to_string(fixture().join("expected").join(format!("{file}.json")))
                .unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let answer = run(db, &args);
        if file.starts_with("audit-") {
            // The audit trail now also lists a contract's orders, picks, drafts and their
            // approvals: every entry the landed version listed is still there, in order.
            let listed: Vec<serde_json::Value> = serde_json::from_str(&answer).unwrap();
            let landed: Vec<serde_json::Value> = serde_json::from_str(&expected).unwrap();
            let mut rest = listed.iter();
            for entry in &landed {
                assert!(rest.any(|e| e == entry), "{file}: {entry} is missing");
            }
        } else if file.starts_with("ticket-") {
            // The ticket now also names its payoff (everything outstanding less credit):
            // that, and otherwise what the landed version answered.
            let mut listed: serde_json::Value = serde_json::from_str(&answer).unwrap();
            let landed: serde_json::Value = serde_json::from_str(&expected).unwrap();
            let payoff = listed.as_object_mut().unwrap().remove("payoff").unwrap();
            let money =
                |v: &serde_json::Value| duedesk::domain::Money::parse(v.as_str().unwrap()).unwrap();
            let owed = money(&landed["total_outstanding"]) - money(&landed["credit"]);
            assert_eq!(
                money(&payoff),
                owed.max(duedesk::domain::Money::ZERO),
                "{file}"
            );
            assert_eq!(listed, landed, "{file}: duedesk {args:?}");
        } else {
            assert_eq!(answer, expected, "{file}: duedesk {args:?}");
        }
    }
}

#[test]
fn a_landed_database_is_migrated_and_answers_as_it_did() {
    let (_dir, db) = copy_of_fixture();
    assert_answers_as_landed(&db);
    // Opened again (already migrated), and after a rebuild of the rewritten journal.
    assert_answers_as_landed(&db);
    let out = run(&db, &["rebuild"]);
    assert!(out.contains("1062 journal entries"), "{out}");
    assert_answers_as_landed(&db);
}

#[test]
fn the_audit_of_a_contract_lists_its_outbound_orders_steps() {
    let (_dir, db) = copy_of_fixture();
    // LAN261130 was drafted, approved, given order O1 (picked, submitted, approved, shipped,
    // swapped): the landed audit listed only the drafting.
    let audit: Vec<serde_json::Value> =
        serde_json::from_str(&run(&db, &["audit", "LAN261130", "--json"])).unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for step in [
        "contract.create",
        "approval.decide",
        "outbound.order",
        "outbound.ship",
    ] {
        assert!(actions.contains(&step), "{step} missing from {actions:?}");
    }
    let orders = actions.iter().filter(|a| **a == "outbound.order").count();
    assert!(
        orders >= 3,
        "create, pick, submit and swap are order steps: {actions:?}"
    );
}

#[test]
fn the_migrated_journal_replays_into_the_same_projections_and_ids_go_on() {
    let (_dir, db) = copy_of_fixture();
    let app = App::open(&db).unwrap();
    assert_eq!(app.store().schema_version().unwrap(), 4);
    assert_eq!(app.store().journal_len().unwrap(), 1062);
    assert!(!app.store().has_legacy_journal());
    // The last landed entry keeps its origin (site 1, seq 1062) and journal order.
    let last = app
        .store()
        .journal::<duedesk::app::Mutation>()
        .last()
        .unwrap()
        .unwrap();
    assert_eq!((last.0.site, last.0.seq), (1, 1062));
    assert_eq!(app.store().applied_through(1).unwrap(), 1062);
    let before = app.store().projection_dump().unwrap();
    app.rebuild().unwrap();
    assert_eq!(before, app.store().projection_dump().unwrap());
    drop(app);
    // The landed book had minted P624, A16 and O2: the next ones follow them.
    let paid = run(
        &db,
        &[
            "--as",
            "chenjing",
            "payment",
            "record",
            "--contract",
            "HF25000037",
            "--amount",
            "10",
            "--received-on",
            "2026-12-01",
        ],
    );
    assert_eq!(paid.trim(), "P625");
    let applied = run(
        &db,
        &[
            "--as",
            "hufang",
            "lock",
            "apply",
            "--contract",
            "WU24000023",
            "--reason",
            "no answer",
        ],
    );
    assert!(applied.contains("A17"), "{applied}");
}

/// A rebuild cut short (the projections cleared, the replay killed before it finished) is
/// done again when the database is next opened, before it answers anything; the journal
/// was never touched.
#[test]
fn a_rebuild_cut_short_is_finished_on_the_next_open() {
    let (_dir, db) = copy_of_fixture();
    let app = App::open(&db).unwrap();
    assert_eq!(app.redone_rebuild(), None);
    let before = app.store().projection_dump().unwrap();
    // What a kill right after the clearing leaves: no projections, the mark set.
    app.store().clear_projections().unwrap();
    assert!(app.store().rebuild_unfinished().unwrap());
    drop(app);
    let app = App::open(&db).unwrap();
    assert_eq!(app.redone_rebuild(), Some(1062));
    assert!(!app.store().rebuild_unfinished().unwrap());
    assert_eq!(before, app.store().projection_dump().unwrap());
    drop(app);
    // Through the command line, the next command says so and answers as before.
    let app = App::open(&db).unwrap();
    app.store().clear_projections().unwrap();
    drop(app);
    let output = Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .args(["overdue", "--json"])
        .env("DUEDESK_DB", &db)
        .env("DUEDESK_TODAY", "2026-12-01")
        .output()
        .unwrap();
    assert!(output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("had been cut short"), "{err}");
    let expected = std::fs::read_to_string(fixture().join("expected/overdue.json")).unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
}
