//! `cargo bench --bench reports`: the management reports and the overdue list to xlsx on the
//! generated book of 100,000 contracts (the TUI benchmark's book, cached under
//! `target/tui-bench/`; `DUEDESK_BENCH_CONTRACTS=N` changes the size).
//!
//! Targets (issue 15): every report ≤ 2 s, aging and forecast ≤ 1 s (the last twelve months,
//! as of the book's date, as finance sees it); the overdue list to xlsx ≤ 5 s and ≤ 400 MB
//! peak RSS, measured in a fresh child process doing only that (`VmHWM` at its end).

mod common;

use common::*;
use duedesk::app::App;
use duedesk::app::reports::{ReportName, ReportQuery};
use duedesk::app::{OverdueFilter, tabular::Report};
use std::time::{Duration, Instant};

/// Set in a child run: the database, and the xlsx file to write the overdue list to.
const XLSX_CHILD: &str = "DUEDESK_BENCH_XLSX";

const RUNS: usize = 3;

/// The child: opens the book, writes the overdue list as xlsx the way `duedesk overdue --out
/// FILE.xlsx` does, and prints the rows, the seconds and its peak RSS in KiB.
fn xlsx_child(db: &str, file: &str) {
    let started = Instant::now();
    let app = App::open(std::path::Path::new(db)).unwrap();
    let rows = app
        .overdue(&ctx(), ctx().today, &OverdueFilter::default())
        .unwrap();
    let sheet = duedesk::export::sheet_of("overdue", &rows).unwrap();
    duedesk::export::save_xlsx(&[sheet], std::path::Path::new(file)).unwrap();
    println!(
        "{} {:.3} {}",
        rows.len(),
        started.elapsed().as_secs_f64(),
        peak_rss_kib().unwrap_or(0)
    );
    std::process::exit(0);
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    if let Ok(spec) = std::env::var(XLSX_CHILD) {
        let (db, file) = spec.split_once('\n').unwrap();
        xlsx_child(db, file);
    }
    let contracts = size("DUEDESK_BENCH_CONTRACTS", 100_000, 2_000);
    let db = book(contracts);
    let app = App::open(&db).unwrap();
    let c = ctx();
    let query = ReportQuery::last_12_months(c.today);
    println!(
        "reports on {contracts} contracts, {} to {}, as admin; median of {RUNS} runs",
        query.from, query.to
    );
    println!("| report | median | slowest | target |");
    println!("| --- | --- | --- | --- |");
    for name in ReportName::ALL {
        let mut times = Vec::new();
        let mut last: Option<Report> = None;
        for _ in 0..RUNS {
            let started = Instant::now();
            last = Some(app.report(&c, name, &query).unwrap());
            times.push(started.elapsed());
        }
        let slowest = *times.iter().max().unwrap();
        let target = match name {
            ReportName::Aging | ReportName::Forecast => "≤ 1 s",
            _ => "≤ 2 s",
        };
        let rows: usize = last.map_or(0, |r| r.sheets.iter().map(|s| s.rows.len()).sum());
        println!(
            "| {} ({rows} rows) | {} | {} | {target} |",
            name.name(),
            ms(median(times)),
            ms(slowest)
        );
    }
    drop(app);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("overdue.xlsx");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env(XLSX_CHILD, format!("{}\n{}", db.display(), file.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let (rows, secs, kib) = (
        parts.next().unwrap_or("?"),
        parts.next().unwrap_or("?"),
        parts.next().unwrap_or("0").parse::<u64>().unwrap_or(0),
    );
    let bytes = std::fs::metadata(&file).map_or(0, |m| m.len());
    println!(
        "| overdue list to xlsx ({rows} rows, {:.1} MB file), fresh process | {secs} s | peak RSS {} MiB | ≤ 5 s, ≤ 400 MB |",
        bytes as f64 / 1e6,
        kib / 1024
    );
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
}
