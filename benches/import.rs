//! `cargo bench --bench import`: a whole book of 100,000 contracts imported from CSV into an
//! empty database, as a dealer migrating its history would: customers, contracts, 36
//! installments each (3.6 M rows) and 15 confirmed payments each (1.5 M rows), one
//! `duedesk import … --confirm` after the other. Each import runs in a fresh child process
//! doing only that, which reports its seconds and peak RSS (`VmHWM` at its end).
//! `DUEDESK_BENCH_CONTRACTS=N` changes the size (`cargo test --benches` runs 300).
//!
//! Targets (issue 16): ≤ 60 s in all; every import's peak RSS ≤ 400 MB.
//!
//! Then many payments on one contract (2,000, 4,000, 8,000 rows): the time per row stays flat
//! (it grew with the rows before: 0.8 s, 3.0 s, 12.6 s).

mod common;

use common::*;
use duedesk::app::App;
use duedesk::cli::args::{Encoding, ImportKind};
use duedesk::cli::import::{Source, import};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Set in a child run: the database, the kind and the file, one a line.
const CHILD: &str = "DUEDESK_BENCH_IMPORT";

const KINDS: [(&str, ImportKind); 4] = [
    ("customers", ImportKind::Customers),
    ("contracts", ImportKind::Contracts),
    ("installments", ImportKind::Installments),
    ("payments", ImportKind::Payments),
];

const INSTALLMENTS: u32 = 36;
const PAYMENTS: u32 = 15;

/// The child: imports one file as `duedesk import KIND FILE --confirm` does; prints the rows,
/// the seconds and its peak RSS in KiB.
fn child(spec: &str) {
    // As `duedesk`'s main does.
    duedesk::allocator::tune();
    let mut parts = spec.split('\n');
    let (db, kind, file) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let kind = KINDS.iter().find(|(k, _)| *k == kind).unwrap().1;
    let started = Instant::now();
    let app = App::open(Path::new(db)).unwrap();
    let source = Source {
        path: Path::new(file),
        encoding: Encoding::Auto,
        sheet: None,
    };
    let rows = import(&app, &ctx(), kind, &source, true)
        .unwrap_or_else(|e| panic!("{}", e.lines.join("\n")));
    drop(app);
    println!(
        "{rows} {:.3} {} {:.2}",
        started.elapsed().as_secs_f64(),
        peak_rss_kib().unwrap_or(0),
        cpu_seconds().unwrap_or(0.0)
    );
    std::process::exit(0);
}

/// Writes the book's four CSV files (cached by size under `target/import-bench/`).
fn write_book(dir: &Path, contracts: usize) -> Vec<PathBuf> {
    let files: Vec<PathBuf> = KINDS
        .iter()
        .map(|(k, _)| dir.join(format!("{k}.csv")))
        .collect();
    let done = dir.join("complete");
    if done.exists() {
        return files;
    }
    std::fs::create_dir_all(dir).unwrap();
    let open = |p: &PathBuf| std::io::BufWriter::new(std::fs::File::create(p).unwrap());
    let (mut cu, mut co, mut ins, mut pay) = (
        open(&files[0]),
        open(&files[1]),
        open(&files[2]),
        open(&files[3]),
    );
    writeln!(
        cu,
        "customer_id,name,phone,id_number,address,branch,collector"
    )
    .unwrap();
    writeln!(
        co,
        "contract_no,customer_id,signed_on,model,serial,financed_amount,penalty_rate,grace_days"
    )
    .unwrap();
    writeln!(ins, "contract_no,seq,due_date,principal,interest").unwrap();
    writeln!(pay, "contract_no,received_on,amount,method,reference").unwrap();
    let mut rng = Rng(0x1a7e_b00c_0000_0016);
    let today = day(TODAY);
    for i in 0..contracts {
        let name = format!(
            "{}{}",
            SURNAMES[rng.below(SURNAMES.len() as u64) as usize],
            GIVEN[rng.below(GIVEN.len() as u64) as usize]
        );
        let branch = BRANCHES[rng.below(BRANCHES.len() as u64) as usize];
        let collector = COLLECTORS[rng.below(COLLECTORS.len() as u64) as usize];
        writeln!(
            cu,
            "C{i:06},{name},13{:09},,浙江省{branch}市,{branch},{collector}",
            rng.below(1_000_000_000)
        )
        .unwrap();
        // Signed 16 to 40 months ago, so at least 15 installments have fallen due.
        let months_ago = 16 + rng.below(25) as i32;
        let dom = 1 + rng.below(28) as u32;
        let month0 = 2026 * 12 + 5 - months_ago;
        let date = |m: i32| chrono::NaiveDate::from_ymd_opt(m / 12, (m % 12) as u32 + 1, dom);
        let signed = date(month0).unwrap();
        let principal = 2_000 + rng.below(8_000);
        let model = MODELS[rng.below(MODELS.len() as u64) as usize];
        writeln!(
            co,
            "HT-{i:06},C{i:06},{signed},{model},{model}-{i:06},{},,",
            principal * u64::from(INSTALLMENTS)
        )
        .unwrap();
        for seq in 1..=INSTALLMENTS {
            let due = date(month0 + seq as i32).unwrap();
            writeln!(
                ins,
                "HT-{i:06},{seq},{due},{principal}.00,{}.50",
                principal / 20
            )
            .unwrap();
        }
        for n in 1..=PAYMENTS {
            let on = date(month0 + n as i32).unwrap().min(today);
            writeln!(
                pay,
                "HT-{i:06},{on},{}.50,bank,HT-{i:06}-{n}",
                principal + principal / 20
            )
            .unwrap();
        }
    }
    for mut w in [cu, co, ins, pay] {
        w.flush().unwrap();
    }
    std::fs::write(&done, b"").unwrap();
    files
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        child(&spec);
    }
    let contracts = size("DUEDESK_BENCH_CONTRACTS", 100_000, 300);
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("import-bench");
    let started = Instant::now();
    let files = write_book(&dir.join(format!("csv-{contracts}")), contracts);
    eprintln!(
        "CSV files of {contracts} contracts ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let db = dir.join(format!("db-{contracts}"));
    let _ = std::fs::remove_dir_all(&db);
    let me = std::env::current_exe().unwrap();
    println!("import of a {contracts}-contract book from CSV into an empty database");
    println!("| file | rows | MB | time | CPU time | peak RSS |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut total = 0.0;
    let mut total_cpu = 0.0;
    let mut peak = 0u64;
    for ((kind, _), file) in KINDS.iter().zip(&files) {
        let spec = format!("{}\n{kind}\n{}", db.display(), file.display());
        let out = std::process::Command::new(&me)
            .env(CHILD, spec)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let mut fields = text.split_whitespace();
        let rows: u64 = fields.next().unwrap().parse().unwrap();
        let secs: f64 = fields.next().unwrap().parse().unwrap();
        let rss: u64 = fields.next().unwrap().parse().unwrap();
        let cpu: f64 = fields.next().unwrap().parse().unwrap();
        total_cpu += cpu;
        let mb = std::fs::metadata(file).unwrap().len() as f64 / 1e6;
        total += secs;
        peak = peak.max(rss);
        println!(
            "| {kind} | {rows} | {mb:.0} | {secs:.1} s | {cpu:.1} s | {:.0} MB |",
            rss as f64 / 1024.0
        );
    }
    println!(
        "| all | | | {total:.1} s (target ≤ 60 s) | {total_cpu:.1} s | {:.0} MB (target ≤ 400 MB) |",
        peak as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&db);
    one_contract(&dir);
}

/// Imports `n` payments on one contract into a book of that one contract, for each `n`.
fn one_contract(dir: &Path) {
    let sizes = if std::env::args().any(|a| a == "--bench") {
        vec![2_000, 4_000, 8_000]
    } else {
        vec![100, 200]
    };
    println!();
    println!("payments on one contract");
    println!("| rows | time | per row |");
    println!("| --- | --- | --- |");
    for n in sizes {
        let db = dir.join(format!("one-{n}"));
        let _ = std::fs::remove_dir_all(&db);
        let app = App::open(&db).unwrap();
        let c = ctx();
        let mut rng = Rng(7);
        let mut batch = contracts_batch(&mut rng, 0, 1);
        batch.retain(|m| !matches!(m, duedesk::app::Mutation::RecordPayment { .. }));
        app.execute_batch(&c, &batch).unwrap();
        let file = dir.join(format!("one-{n}.csv"));
        let mut text = String::from("contract_no,received_on,amount,method,reference\n");
        for i in 0..n {
            text.push_str(&format!("HT-000000,2026-01-02,1.00,bank,R{i}\n"));
        }
        std::fs::write(&file, text).unwrap();
        let source = Source {
            path: &file,
            encoding: Encoding::Auto,
            sheet: None,
        };
        let started = Instant::now();
        let rows = import(&app, &c, ImportKind::Payments, &source, true)
            .unwrap_or_else(|e| panic!("{}", e.lines.join("\n")));
        let took = started.elapsed();
        assert_eq!(rows, n);
        println!(
            "| {n} | {:.2} s | {:.0} µs |",
            took.as_secs_f64(),
            took.as_secs_f64() * 1e6 / n as f64
        );
        drop(app);
        let _ = std::fs::remove_dir_all(&db);
        let _ = std::fs::remove_file(&file);
    }
}
