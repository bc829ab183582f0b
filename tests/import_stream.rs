//! Imports streamed and applied in journaled parts (issue 16), tested by behaviour:
//! - rows imported in parts of any size give the book that recording them one by one gives,
//!   byte for byte, and a rebuild from the journal gives it again;
//! - an import cut short between two parts is finished on the next open, and one that cannot
//!   be finished (its staged rows gone) is undone: the book is as before the import, as it is
//!   when a row is refused while applying;
//! - a bad row at the very end of a large file changes nothing and leaves no scratch file;
//! - the journal shows the run's marks, which stay local (never pushed by sync), while the
//!   rows a branch imports reach head office one by one.

use chrono::NaiveDate;
use duedesk::app::{App, Ctx, Mutation, NewContract, ResumedImport};
use duedesk::cli::args::{Encoding, ImportKind};
use duedesk::cli::import::{Source, import};
use duedesk::domain::{Customer, Installment, Money};
use proptest::prelude::*;
use std::path::Path;

const TODAY: &str = "2026-06-15";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ctx() -> Ctx {
    Ctx::new("admin", day(TODAY), 1_781_500_000)
}

const CONTRACTS: usize = 3;

/// A book of `CONTRACTS` customers and contracts, 12 installments each.
fn book(db: &Path) -> App {
    let app = App::open(db).unwrap();
    let mut batch = Vec::new();
    for i in 0..CONTRACTS {
        batch.push(Mutation::PutCustomer(Customer {
            id: format!("C{i}"),
            name: format!("客户{i}"),
            phone: String::new(),
            id_number: String::new(),
            address: String::new(),
            branch: "合肥".into(),
            collector: "wangjun".into(),
        }));
        batch.push(Mutation::AddContract(NewContract {
            no: format!("H{i}"),
            customer_id: format!("C{i}"),
            signed_on: day("2025-01-10"),
            model: "SY75C".into(),
            serial: String::new(),
            financed: Money::from_cents(1_200_000),
            penalty_rate: None,
            grace_days: None,
        }));
        batch.push(Mutation::AddInstallments {
            contract: format!("H{i}"),
            installments: (1..=12)
                .map(|seq| Installment {
                    seq,
                    due: day("2025-01-10") + chrono::Months::new(seq),
                    principal: Money::from_cents(100_000),
                    interest: Money::from_cents(5_000),
                })
                .collect(),
        });
    }
    app.execute_batch(&ctx(), &batch).unwrap();
    app
}

fn payment(contract: usize, offset: u64, cents: i64, confirmed: bool) -> Mutation {
    Mutation::RecordPayment {
        id: String::new(),
        contract: format!("H{contract}"),
        received_on: day("2025-02-01") + chrono::Days::new(offset),
        amount: Money::from_cents(cents),
        method: "bank".into(),
        reference: format!("R{offset}"),
        confirmed,
    }
}

/// Stages `rows` (line = index + 2, as in a file under its header) and runs the import in
/// parts of `part` rows.
fn import_rows(app: &App, rows: &[Mutation], part: usize) -> u64 {
    let mut stage = app.stage_import(&ctx()).unwrap().with_part(part);
    for (i, m) in rows.iter().enumerate() {
        stage.push(app, i as u64 + 2, m).unwrap();
    }
    app.run_import(&ctx(), stage, &mut |_, _| {}).unwrap()
}

/// The projections, without the journal's own counters (its length and this site's seq),
/// which the run's marks move on.
fn projections(app: &App) -> Vec<(String, Vec<u8>)> {
    app.store()
        .projection_dump()
        .unwrap()
        .into_iter()
        .map(|(k, v)| (String::from_utf8_lossy(&k).into_owned(), v))
        .filter(|(k, _)| !k.ends_with("journal_len") && !k.ends_with("/seq"))
        .collect()
}

/// Keys whose values differ, for a failure's message.
fn differing(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]) -> Vec<String> {
    let a: std::collections::BTreeMap<_, _> = a.iter().cloned().collect();
    let b: std::collections::BTreeMap<_, _> = b.iter().cloned().collect();
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// `duedesk import payments FILE --confirm`, as the command line runs it.
fn import_payments(app: &App, file: &Path) -> Result<usize, duedesk::cli::import::ImportError> {
    let source = Source {
        path: file,
        encoding: Encoding::Auto,
        sheet: None,
    };
    import(app, &ctx(), ImportKind::Payments, &source, true)
}

fn staged_files(db: &Path) -> Vec<String> {
    std::fs::read_dir(db)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".staged"))
        .collect()
}

fn marks(app: &App) -> Vec<Mutation> {
    app.store()
        .journal::<Mutation>()
        .map(|e| e.unwrap().1)
        .filter(|m| matches!(m, Mutation::ImportPart { .. } | Mutation::ImportEnd { .. }))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Payments imported in parts — many on one contract, interleaved with others, pending or
    /// confirmed — give the projections recording them one by one gives, and a rebuild from
    /// the journal gives them again.
    #[test]
    fn an_import_in_parts_equals_recording_row_by_row(
        rows in proptest::collection::vec((0..CONTRACTS, 0u64..400, 1i64..200_000, any::<bool>()), 1..60),
        part in 1usize..12,
    ) {
        let rows: Vec<Mutation> = rows
            .into_iter()
            .map(|(c, offset, cents, confirmed)| payment(c, offset, cents, confirmed))
            .collect();
        let one = tempfile::tempdir().unwrap();
        let by_hand = book(&one.path().join("db"));
        for m in &rows {
            by_hand.execute(&ctx(), m.clone()).unwrap();
        }
        let two = tempfile::tempdir().unwrap();
        let imported = book(&two.path().join("db"));
        prop_assert_eq!(import_rows(&imported, &rows, part), rows.len() as u64);
        let expected = projections(&by_hand);
        let got = projections(&imported);
        prop_assert!(expected == got, "import differs from one by one: {:?}", differing(&expected, &got));
        imported.rebuild().unwrap();
        let got = projections(&imported);
        prop_assert!(expected == got, "rebuild differs: {:?}", differing(&expected, &got));
        // One mark a part, then the end; no scratch file is left.
        let parts = rows.len().div_ceil(part);
        let marks = marks(&imported);
        prop_assert_eq!(marks.len(), parts + 1);
        let finished = matches!(marks.last(), Some(Mutation::ImportEnd { undone: false, .. }));
        prop_assert!(finished, "the run ends with its end mark");
        prop_assert!(staged_files(&two.path().join("db")).is_empty());
    }
}

/// Installments, then payments: the kinds that change contracts, cut at every part size.
#[test]
fn installments_in_parts_equal_one_batch() {
    let rows: Vec<Mutation> = (0..CONTRACTS)
        .flat_map(|c| {
            (13..=20).map(move |seq| Mutation::AddInstallments {
                contract: format!("H{c}"),
                installments: vec![Installment {
                    seq,
                    due: day("2026-02-10") + chrono::Months::new(seq - 13),
                    principal: Money::from_cents(100_000),
                    interest: Money::from_cents(5_000),
                }],
            })
        })
        .collect();
    let one = tempfile::tempdir().unwrap();
    let by_hand = book(&one.path().join("db"));
    by_hand.execute_batch(&ctx(), &rows).unwrap();
    for part in [1, 5, 100] {
        let two = tempfile::tempdir().unwrap();
        let imported = book(&two.path().join("db"));
        import_rows(&imported, &rows, part);
        let (a, b) = (projections(&by_hand), projections(&imported));
        assert!(a == b, "part {part}: {:?}", differing(&a, &b));
    }
}

/// A kill between two parts: the next open finishes the import before answering, to the book
/// an import straight through gives.
#[test]
fn an_import_cut_short_is_finished_on_the_next_open() {
    let rows: Vec<Mutation> = (0..50)
        .map(|i| payment(i % CONTRACTS, i as u64 * 3, 10_000 + i as i64, true))
        .collect();
    let straight = tempfile::tempdir().unwrap();
    let app = book(&straight.path().join("db"));
    import_rows(&app, &rows, 7);
    let expected = projections(&app);

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let app = book(&db);
    let mut stage = app.stage_import(&ctx()).unwrap().with_part(7).stop_after(3);
    for (i, m) in rows.iter().enumerate() {
        stage.push(&app, i as u64 + 2, m).unwrap();
    }
    app.run_import(&ctx(), stage, &mut |_, _| {}).unwrap();
    // Cut short: three parts in, the run unfinished, its rows staged.
    assert!(app.import_unfinished().unwrap());
    assert_eq!(marks(&app).len(), 3);
    assert_eq!(staged_files(&db).len(), 1);
    drop(app);
    let app = App::open(&db).unwrap();
    match app.resumed_import() {
        Some(ResumedImport::Finished { rows: n, .. }) => assert_eq!(*n, 50),
        other => panic!("not finished: {other:?}"),
    }
    assert!(!app.import_unfinished().unwrap());
    assert!(staged_files(&db).is_empty());
    // Parts of 7 before the cut, of the default size after it: the same book.
    let got = projections(&app);
    assert!(expected == got, "{:?}", differing(&expected, &got));
    assert!(matches!(
        marks(&app).last(),
        Some(Mutation::ImportEnd {
            undone: false,
            rows: 50,
            ..
        })
    ));
    drop(app);
    let app = App::open(&db).unwrap();
    assert_eq!(app.resumed_import(), None);
    // Through the command line, the next command says what it finished.
    let mut stage = app.stage_import(&ctx()).unwrap().with_part(7).stop_after(1);
    for (i, m) in rows.iter().enumerate() {
        stage.push(&app, i as u64 + 2, m).unwrap();
    }
    app.run_import(&ctx(), stage, &mut |_, _| {}).unwrap();
    drop(app);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .args(["overdue", "--json"])
        .env("DUEDESK_DB", &db)
        .env("DUEDESK_TODAY", TODAY)
        .output()
        .unwrap();
    assert!(output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("had been cut short; it was finished before this command (50 rows)"),
        "{err}"
    );
}

/// A run cut short whose staged rows are gone cannot be finished: the next open undoes it, to
/// the book as it was before the import, and says so.
#[test]
fn an_import_that_cannot_be_finished_is_undone_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let app = book(&db);
    let before = projections(&app);
    let rows: Vec<Mutation> = (0..20).map(|i| payment(0, i, 5_000, true)).collect();
    let mut stage = app.stage_import(&ctx()).unwrap().with_part(4).stop_after(2);
    for (i, m) in rows.iter().enumerate() {
        stage.push(&app, i as u64 + 2, m).unwrap();
    }
    app.run_import(&ctx(), stage, &mut |_, _| {}).unwrap();
    assert!(before != projections(&app), "half applied");
    drop(app);
    for name in staged_files(&db) {
        std::fs::remove_file(db.join(name)).unwrap();
    }
    let app = App::open(&db).unwrap();
    match app.resumed_import() {
        Some(ResumedImport::Undone { rows: 20, why, .. }) => {
            assert!(why.contains("staged"), "{why}")
        }
        other => panic!("not undone: {other:?}"),
    }
    assert!(!app.import_unfinished().unwrap());
    // The same book; only the payment ids it minted stay used (never minted again).
    let after = projections(&app);
    assert_eq!(differing(&before, &after), vec!["mi/payment".to_string()]);
    // The journal keeps none of its rows, only the mark that it was undone.
    let journaled: Vec<Mutation> = app
        .store()
        .journal::<Mutation>()
        .map(|e| e.unwrap().1)
        .collect();
    assert!(!journaled.iter().any(|m| matches!(
        m,
        Mutation::RecordPayment { .. } | Mutation::ImportPart { .. }
    )));
    assert!(matches!(
        journaled.last(),
        Some(Mutation::ImportEnd { undone: true, .. })
    ));
    // And a rebuild agrees.
    app.rebuild().unwrap();
    let rebuilt = projections(&app);
    assert!(after == rebuilt, "{:?}", differing(&after, &rebuilt));
}

/// A file of 30,000 payment rows whose very last row is bad imports nothing, reports that row
/// as `FILE:LINE: column: reason`, and leaves no scratch file.
#[test]
fn a_bad_row_at_the_end_of_a_large_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let app = book(&db);
    let before = projections(&app);
    let journal = app.store().journal_len().unwrap();
    let mut text = String::from("contract_no,received_on,amount,method,reference\n");
    for i in 0..30_000 {
        text.push_str(&format!("H{},2026-01-02,1.00,bank,R{i}\n", i % CONTRACTS));
    }
    text.push_str("H1,2026-01-02,1.005,bank,last\n");
    let file = dir.path().join("big.csv");
    std::fs::write(&file, text).unwrap();
    let err = import_payments(&app, &file).unwrap_err();
    assert_eq!(err.lines.len(), 1, "{:?}", err.lines);
    assert!(
        err.lines[0].starts_with(&format!("{}:30002: amount:", file.display())),
        "{:?}",
        err.lines
    );
    let after = projections(&app);
    assert!(before == after, "{:?}", differing(&before, &after));
    assert_eq!(app.store().journal_len().unwrap(), journal);
    assert!(staged_files(&db).is_empty());
    // The same file without its bad row imports every row, in parts.
    let text = std::fs::read_to_string(&file).unwrap();
    let good: String = text
        .lines()
        .take(30_001)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, good).unwrap();
    let n = import_payments(&app, &file).unwrap();
    assert_eq!(n, 30_000);
    let parts = marks(&app)
        .iter()
        .filter(|m| matches!(m, Mutation::ImportPart { .. }))
        .count();
    assert_eq!(
        parts,
        30_000 / duedesk::app::IMPORT_PART,
        "30,000 rows in parts of {}",
        duedesk::app::IMPORT_PART
    );
}

/// Past the report's limit, problems are counted, not kept: memory stays bounded.
#[test]
fn a_file_of_bad_rows_reports_the_first_ones_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let app = book(&dir.path().join("db"));
    let mut text = String::from("contract_no,received_on,amount,method,reference\n");
    let bad = duedesk::cli::import::MAX_REPORTED + 25;
    for i in 0..bad {
        text.push_str(&format!("H9,2026-01-02,1.00,bank,R{i}\n"));
    }
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, text).unwrap();
    let err = import_payments(&app, &file).unwrap_err();
    assert_eq!(err.lines.len(), duedesk::cli::import::MAX_REPORTED + 1);
    assert!(err.lines[0].contains("bad.csv:2: contract_no: H9 is not in the book"));
    assert!(
        err.lines.last().unwrap().contains("25 more problems"),
        "{}",
        err.lines.last().unwrap()
    );
}

/// The run's marks never travel: they are local, like accrual parts; the rows they mark do.
#[test]
fn import_marks_are_local_and_the_rows_travel() {
    let mark = Mutation::ImportPart {
        import: "1-1".into(),
        through: 1,
        rows: 2,
    };
    let end = Mutation::ImportEnd {
        import: "1-1".into(),
        rows: 2,
        undone: false,
    };
    assert!(mark.is_local() && end.is_local());
    assert!(!payment(0, 1, 100, true).is_local());
}

/// Rows a branch imports travel to head office one by one, as rows recorded by hand do; the
/// run's marks stay at the branch. Head office then holds every imported payment.
#[test]
fn a_branch_import_reaches_head_office_row_by_row() {
    use duedesk::sync::{branch, hq};
    let dir = tempfile::tempdir().unwrap();
    let head = book(&dir.path().join("hq"));
    // Head office accepts a branch's entries from the users of its branches.
    let setup = [
        Mutation::AddUser {
            name: "hf_admin".into(),
            display: "合肥管理员".into(),
            roles: vec![duedesk::domain::Role::Admin],
            branch: Some("合肥".into()),
        },
        Mutation::AddSite {
            site: 2,
            name: "合肥".into(),
            code: "HF".into(),
            branches: vec!["合肥".into()],
            user: "sync_hf".into(),
        },
    ];
    for m in setup {
        head.execute(&ctx(), m).unwrap();
    }
    let bundle = hq::clone(&head, &ctx(), "合肥").unwrap();
    let (site, _) = branch::init(&dir.path().join("hf"), &bundle.bytes, 1_781_500_000).unwrap();
    let as_branch = Ctx::new("hf_admin", day(TODAY), 1_781_500_000);
    let mut stage = site.stage_import(&as_branch).unwrap().with_part(10);
    for i in 0..25 {
        let row = payment(i % CONTRACTS, i as u64, 1_000 + i as i64, true);
        stage.push(&site, i as u64 + 2, &row).unwrap();
    }
    assert_eq!(
        site.run_import(&as_branch, stage, &mut |_, _| {}).unwrap(),
        25
    );
    assert_eq!(marks(&site).len(), 4, "three parts and the end");
    let push = branch::push(&site, &ctx()).unwrap();
    assert_eq!(push.entries, 25, "the rows, not the marks");
    let accepted = hq::accept(&head, &ctx(), &push.bytes).unwrap();
    assert_eq!((accepted.accepted, accepted.rejected), (25, 0));
    assert!(marks(&head).is_empty(), "marks never leave the branch");
    branch::pull(&site, &ctx(), &accepted.reply).unwrap();
    for c in 0..CONTRACTS {
        let payments = |app: &App| {
            duedesk::store::Reader::contract(app.store(), &format!("H{c}"))
                .unwrap()
                .unwrap()
                .payments
        };
        assert_eq!(payments(&head), payments(&site), "H{c}");
        assert!(!payments(&head).is_empty());
    }
}

/// A row refused while applying (here one the handler refuses but no check before it saw)
/// undoes the parts already applied: the run is all or nothing, and the refusal names the
/// row's line.
#[test]
fn a_row_refused_while_applying_undoes_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let app = book(&db);
    let before = projections(&app);
    let mut stage = app.stage_import(&ctx()).unwrap().with_part(3);
    for i in 0..7 {
        stage
            .push(&app, i + 2, &payment(1, i, 2_000, true))
            .unwrap();
    }
    // Installment 1 of H0 is in the book already.
    let taken = Mutation::AddInstallments {
        contract: "H0".into(),
        installments: vec![Installment {
            seq: 1,
            due: day("2026-01-10"),
            principal: Money::from_cents(100),
            interest: Money::ZERO,
        }],
    };
    stage.push(&app, 9, &taken).unwrap();
    match app.run_import(&ctx(), stage, &mut |_, _| {}) {
        Err(duedesk::app::AppError::InBatch { index, error }) => {
            assert_eq!(index, 9);
            assert!(error.to_string().contains("installment 1"), "{error}");
        }
        other => panic!("not refused: {other:?}"),
    }
    assert!(!app.import_unfinished().unwrap());
    assert!(staged_files(&db).is_empty());
    let after = projections(&app);
    assert_eq!(differing(&before, &after), vec!["mi/payment".to_string()]);
    assert!(matches!(
        marks(&app).last(),
        Some(Mutation::ImportEnd { undone: true, .. })
    ));
}
