//! The ledger benchmark: a generated book, timed where the desk spends its time.
//!
//! On a demo book of `contracts` contracts (100,000 by default: ~33 installments each, with
//! their payments, pending payments and contact logs) in a temporary database, it measures:
//! (a) generating and loading the book; (b) the bare scan-and-decode of every contract record;
//! (c) a full accrual pass (what `Accrue` does on an empty cache) against that scan, plus the
//! real `Accrue` mutation once; (d) one-day incremental accruals; (e) the sorted overdue query
//! as of today; (f) the peak resident memory of the process (VmHWM). Medians of `RUNS` runs.
//! Floating point here is for timings and ratios only, never for money.

use crate::app::{App, Ctx, LOCAL_ADMIN, Mutation, OverdueFilter};
use crate::demo::{self, DemoOptions, DemoSummary};
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::{Days, NaiveDate};
use std::fmt;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Runs of each repeatable measure; the report shows their median.
pub const RUNS: usize = 5;
/// The seed of the benchmark's book: the same book on every run.
pub const SEED: u64 = 7;
/// The environment variable that overrides the number of contracts.
pub const CONTRACTS_ENV: &str = "DUEDESK_BENCH_CONTRACTS";

const TARGET_RATIO: f64 = 1.5;
const TARGET_INCREMENTAL: Duration = Duration::from_millis(300);
const TARGET_OVERDUE: Duration = Duration::from_millis(200);
const TARGET_RSS_MIB: u64 = 400;

pub struct BenchOptions {
    pub contracts: usize,
}

impl Default for BenchOptions {
    fn default() -> BenchOptions {
        BenchOptions { contracts: 100_000 }
    }
}

impl BenchOptions {
    /// The defaults, with `DUEDESK_BENCH_CONTRACTS` overriding the number of contracts.
    pub fn from_env() -> Result<BenchOptions> {
        let mut opts = BenchOptions::default();
        if let Ok(text) = std::env::var(CONTRACTS_ENV) {
            opts.contracts = text.trim().parse().with_context(|| {
                format!("{CONTRACTS_ENV}={text:?} is not a number of contracts")
            })?;
        }
        Ok(opts)
    }
}

/// The business date of the benchmark's book: fixed, so runs compare.
pub fn bench_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

pub struct BenchReport {
    pub contracts: usize,
    pub today: NaiveDate,
    pub book: DemoSummary,
    pub db_bytes: u64,
    /// /proc/loadavg when the measures started and when they ended: other work on the
    /// machine stretches wall-clock times; CPU times are shown beside them.
    pub load_before: String,
    pub load_after: String,
    /// (a) generating and loading the book, without the final accrual.
    pub load: Timing,
    /// (b) scan + decode of every contract record.
    pub scan: Vec<Timing>,
    pub scanned: usize,
    /// (c) full accrual pass, read-only.
    pub full_pass: Vec<Timing>,
    pub open_contracts: usize,
    pub overdue_contracts: usize,
    /// The real `Accrue` mutation on an empty cache, once.
    pub accrue_full: Timing,
    pub accrue_full_message: String,
    /// (d) `Accrue` through today + 1 on today's cache, then through each following day
    /// on the day before's (nobody pays after today, so each day has more to recompute).
    pub incremental: Vec<Timing>,
    pub incremental_messages: Vec<String>,
    /// (e) the overdue query as of today.
    pub overdue: Vec<Timing>,
    pub overdue_rows: usize,
    /// (f) peak resident memory (KiB): while loading, and after loading.
    pub peak_rss_load_kib: Option<u64>,
    pub peak_rss_after_load_kib: Option<u64>,
}

impl BenchReport {
    pub fn scan_median(&self) -> Duration {
        median(&self.scan)
    }
    pub fn full_pass_median(&self) -> Duration {
        median(&self.full_pass)
    }
    /// The one-day incremental accrual: through today + 1, on today's cache.
    pub fn incremental_next_day(&self) -> Duration {
        self.incremental.first().map_or(Duration::ZERO, |t| t.wall)
    }
    pub fn overdue_median(&self) -> Duration {
        median(&self.overdue)
    }
    /// Full accrual pass over bare scan, medians.
    pub fn ratio(&self) -> f64 {
        self.full_pass_median().as_secs_f64() / self.scan_median().as_secs_f64().max(1e-9)
    }
    /// Peak resident memory of the whole process.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        match (self.peak_rss_load_kib, self.peak_rss_after_load_kib) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
    /// The targets missed, by name.
    pub fn missed(&self) -> Vec<&'static str> {
        let mut missed = Vec::new();
        if self.ratio() > TARGET_RATIO {
            missed.push("full accrual / scan");
        }
        if self.incremental_next_day() > TARGET_INCREMENTAL {
            missed.push("incremental accrual");
        }
        if self.overdue_median() > TARGET_OVERDUE {
            missed.push("overdue query");
        }
        if self
            .peak_rss_kib()
            .is_some_and(|kib| kib > TARGET_RSS_MIB * 1024)
        {
            missed.push("peak RSS");
        }
        missed
    }
}

/// Builds the book in a temporary directory (removed afterwards) and measures it.
pub fn run(opts: BenchOptions) -> Result<BenchReport> {
    let dir = TempDir::new()?;
    let app = App::open(&dir.path().join("db"))?;
    let today = bench_today();
    let ctx = Ctx::new(LOCAL_ADMIN, today, 0);
    let load_before = load_average();
    progress(format_args!(
        "bench: generating {} contracts into {} (load average {load_before})",
        opts.contracts,
        dir.path().display()
    ));

    let (book, load) = timed(|| {
        demo::load_without_accrual(
            &app,
            &DemoOptions {
                contracts: opts.contracts,
                seed: SEED,
                today,
            },
        )
    })?;
    let peak_rss_load_kib = vm_hwm_kib();
    reset_hwm();
    progress(format_args!("bench: loaded in {}: {book}", show(load)));

    let store = app.store();
    let mut scan = Vec::new();
    let mut scanned = 0;
    for _ in 0..RUNS {
        let (n, t) = timed(|| {
            let mut n = 0;
            for kv in store.scan_contract_bytes() {
                let (key, bytes) = kv?;
                let contract = Store::decode_contract(&key, &bytes)?;
                black_box(&contract);
                n += 1;
            }
            Ok(n)
        })?;
        scanned = n;
        scan.push(t);
    }
    progress(format_args!("bench: scan + decode {}", show_median(&scan)));

    let mut full_pass = Vec::new();
    let mut pass = Default::default();
    for _ in 0..RUNS {
        let (p, t) = timed(|| Ok(app.full_accrual_pass(today)?))?;
        pass = black_box(p);
        full_pass.push(t);
    }
    progress(format_args!(
        "bench: full accrual pass {}",
        show_median(&full_pass)
    ));

    let (outcome, accrue_full) =
        timed(|| Ok(app.execute(&ctx, Mutation::Accrue { through: today })?))?;
    progress(format_args!(
        "bench: Accrue (full) {}: {}",
        show(accrue_full),
        outcome.message
    ));

    let mut overdue = Vec::new();
    let mut overdue_rows = 0;
    for _ in 0..RUNS {
        let (rows, t) = timed(|| Ok(app.overdue(&ctx, today, &OverdueFilter::default())?))?;
        overdue_rows = rows.len();
        black_box(rows);
        overdue.push(t);
    }
    progress(format_args!(
        "bench: overdue query {}",
        show_median(&overdue)
    ));

    let mut incremental = Vec::new();
    let mut incremental_messages = Vec::new();
    for day in 1..=RUNS as u64 {
        let through = today + Days::new(day);
        let ctx = Ctx::new(LOCAL_ADMIN, through, 0);
        let (outcome, t) = timed(|| Ok(app.execute(&ctx, Mutation::Accrue { through })?))?;
        incremental.push(t);
        incremental_messages.push(outcome.message);
    }
    progress(format_args!(
        "bench: incremental accrual {}",
        show(incremental[0])
    ));

    let peak_rss_after_load_kib = vm_hwm_kib();
    let db_bytes = dir_size(dir.path());
    Ok(BenchReport {
        contracts: opts.contracts,
        today,
        book,
        db_bytes,
        load_before,
        load_after: load_average(),
        load,
        scan,
        scanned,
        full_pass,
        open_contracts: pass.contracts,
        overdue_contracts: pass.overdue,
        accrue_full,
        accrue_full_message: outcome.message,
        incremental,
        incremental_messages,
        overdue,
        overdue_rows,
        peak_rss_load_kib,
        peak_rss_after_load_kib,
    })
}

/// Time on a CPU of the calling thread, from /proc/thread-self/schedstat (Linux): what a
/// measure cost when other work shares the cores and stretches wall-clock time.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// One timed run: wall-clock time and this thread's CPU time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timing {
    pub wall: Duration,
    pub cpu: Option<Duration>,
}

fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, Timing)> {
    let (cpu0, wall0) = (thread_cpu(), Instant::now());
    let value = f()?;
    let wall = wall0.elapsed();
    let cpu = thread_cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    Ok((value, Timing { wall, cpu }))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn progress(args: fmt::Arguments<'_>) {
    eprintln!("{args}");
}

/// The median wall-clock time of some runs.
pub fn median(runs: &[Timing]) -> Duration {
    median_of(runs.iter().map(|t| t.wall))
}

fn median_cpu(runs: &[Timing]) -> Option<Duration> {
    runs.iter()
        .all(|t| t.cpu.is_some())
        .then(|| median_of(runs.iter().filter_map(|t| t.cpu)))
}

fn median_of(values: impl Iterator<Item = Duration>) -> Duration {
    let mut sorted: Vec<Duration> = values.collect();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// Peak resident set size of this process so far, from /proc/self/status (Linux).
pub fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets the peak to the current resident size (Linux ≥ 4.0); ignored elsewhere.
fn reset_hwm() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("duedesk-bench-{}-{nanos:09}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(TempDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

/// `wall (cpu …)`.
fn show(t: Timing) -> String {
    match t.cpu {
        Some(cpu) => format!("{} (cpu {})", secs(t.wall), secs(cpu)),
        None => secs(t.wall),
    }
}

fn show_median(runs: &[Timing]) -> String {
    match median_cpu(runs) {
        Some(cpu) => format!("{} (cpu {})", secs(median(runs)), secs(cpu)),
        None => secs(median(runs)),
    }
}

fn runs(list: &[Timing]) -> String {
    list.iter()
        .map(|t| secs(t.wall))
        .collect::<Vec<_>>()
        .join(", ")
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("n/a".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0))
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let installments_per = self.book.installments as f64 / self.book.contracts.max(1) as f64;
        writeln!(
            f,
            "duedesk ledger benchmark — {} contracts, today {}, seed {SEED}, medians of {RUNS} runs",
            self.contracts, self.today
        )?;
        writeln!(f, "book: {}", self.book)?;
        writeln!(
            f,
            "      {installments_per:.1} installments a contract; {} open contracts, {} overdue; database {:.0} MiB",
            self.open_contracts,
            self.overdue_contracts,
            self.db_bytes as f64 / (1024.0 * 1024.0)
        )?;
        writeln!(
            f,
            "load average {} before, {} after (2 cores: above 2, wall times stretch; cpu = this thread's CPU time)",
            self.load_before, self.load_after
        )?;
        writeln!(f)?;
        let next_day = self.incremental.first().copied().unwrap_or_default();
        let rows: Vec<[String; 4]> = vec![
            [
                "(a) generate + load (no accrual)".into(),
                show(self.load),
                String::new(),
                String::new(),
            ],
            [
                "    Accrue, full (real, once)".into(),
                show(self.accrue_full),
                String::new(),
                self.accrue_full_message.clone(),
            ],
            [
                format!("(b) scan + decode ({} records)", self.scanned),
                show_median(&self.scan),
                String::new(),
                runs(&self.scan),
            ],
            [
                "(c) full accrual pass (read-only)".into(),
                show_median(&self.full_pass),
                String::new(),
                runs(&self.full_pass),
            ],
            [
                "    ratio full accrual / scan".into(),
                format!("{:.2}", self.ratio()),
                format!("≤ {TARGET_RATIO:.1}"),
                verdict(self.ratio() <= TARGET_RATIO).into(),
            ],
            [
                "(d) Accrue through today + 1".into(),
                show(next_day),
                "≤ 300 ms".into(),
                format!(
                    "{}: {}",
                    verdict(self.incremental_next_day() <= TARGET_INCREMENTAL),
                    self.incremental_messages.first().map_or("", String::as_str)
                ),
            ],
            [
                "    then each next day".into(),
                show_median(&self.incremental[1..]),
                String::new(),
                runs(&self.incremental[1..]),
            ],
            [
                format!("(e) overdue query ({} rows)", self.overdue_rows),
                show_median(&self.overdue),
                "≤ 200 ms".into(),
                format!(
                    "{} [{}]",
                    verdict(self.overdue_median() <= TARGET_OVERDUE),
                    runs(&self.overdue)
                ),
            ],
            [
                "(f) peak RSS (VmHWM)".into(),
                mib(self.peak_rss_kib()),
                format!("≤ {TARGET_RSS_MIB} MiB"),
                format!(
                    "{} [load {}, after load {}]",
                    verdict(
                        self.peak_rss_kib()
                            .is_none_or(|k| k <= TARGET_RSS_MIB * 1024)
                    ),
                    mib(self.peak_rss_load_kib),
                    mib(self.peak_rss_after_load_kib)
                ),
            ],
        ];
        let headers = ["measure", "wall (cpu)", "target", "result / runs"];
        let width = |i: usize| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        };
        let (w0, w1, w2) = (width(0), width(1), width(2));
        writeln!(
            f,
            "{:<w0$}  {:>w1$}  {:<w2$}  {}",
            headers[0], headers[1], headers[2], headers[3]
        )?;
        for r in &rows {
            writeln!(f, "{:<w0$}  {:>w1$}  {:<w2$}  {}", r[0], r[1], r[2], r[3])?;
        }
        let missed = self.missed();
        if missed.is_empty() {
            write!(f, "\nall targets met")
        } else {
            write!(f, "\ntargets missed: {}", missed.join(", "))
        }
    }
}
