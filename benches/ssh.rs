//! `duedesk serve` under load, on loopback: the real binary serves a generated book in its
//! own process; this process is the clients (russh's, in-process).
//!
//! Reports: p50/p99 keystroke → first output byte over 100 sessions × 50 keystrokes; the
//! same for 20 sessions beside a client that never reads; bytes sent for a one-row move,
//! within the page and one that scrolls the list;
//! the server's memory per extra session (VmRSS after 1 session and after 100).
//!
//! `cargo bench --bench ssh` (book size: `SSH_BENCH_CONTRACTS`, default 100000).

#[path = "../tests/support/ssh_client.rs"]
mod ssh_client;

use chrono::NaiveDate;
use duedesk::app::{App, Ctx, Mutation, NewContract};
use duedesk::domain::{Customer, Installment, Money, Role};
use russh::keys::PrivateKey;
use ssh_client::*;
use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SESSIONS: usize = 100;
const KEYS: usize = 50;
const COLLECTORS: usize = 100;
const TODAY: &str = "2026-06-15";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Customers, contracts of 12 monthly installments and users, in batches of 500 contracts.
fn generate(app: &App, contracts: usize) {
    let ctx = Ctx::new("admin", d("2024-01-01"), 1_700_000_000);
    for c in 0..COLLECTORS {
        app.execute(
            &ctx,
            Mutation::AddUser {
                name: format!("c{c:03}"),
                display: String::new(),
                roles: vec![Role::Collector],
                branch: Some(format!("B{}", c % 10)),
            },
        )
        .unwrap();
    }
    let started = Instant::now();
    let mut batch = Vec::new();
    for i in 0..contracts {
        let no = format!("HT-{i:06}");
        let cust = format!("C{i:06}");
        batch.push(Mutation::PutCustomer(Customer {
            id: cust.clone(),
            name: format!("客户{i}"),
            phone: format!("138{i:08}"),
            id_number: String::new(),
            address: String::new(),
            branch: format!("B{}", (i % COLLECTORS) % 10),
            collector: format!("c{:03}", i % COLLECTORS),
        }));
        // Signed over two years up to the business date: most are overdue, some not yet.
        let start_month = (i % 24) as u32; // months after 2024-07
        let signed = NaiveDate::from_ymd_opt(
            2024 + ((6 + start_month) / 12) as i32,
            (6 + start_month) % 12 + 1,
            1,
        )
        .unwrap();
        batch.push(Mutation::AddContract(NewContract {
            no: no.clone(),
            customer_id: cust,
            signed_on: signed,
            model: "SY75C".into(),
            serial: format!("S{i:07}"),
            financed: Money::parse("120000").unwrap(),
            penalty_rate: None,
            grace_days: None,
        }));
        batch.push(Mutation::AddInstallments {
            contract: no,
            installments: (1..=12)
                .map(|seq| {
                    let m = signed.checked_add_months(chrono::Months::new(seq)).unwrap();
                    Installment {
                        seq,
                        due: m.with_day(15).unwrap_or(m),
                        principal: Money::parse("10000").unwrap(),
                        interest: Money::parse("500").unwrap(),
                    }
                })
                .collect(),
        });
        if batch.len() >= 1500 {
            app.execute_batch(&ctx, &batch).unwrap();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        app.execute_batch(&ctx, &batch).unwrap();
    }
    eprintln!(
        "generated {contracts} contracts in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

use chrono::Datelike as _;

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100)
        .saturating_sub(1)
        .min(sorted.len() - 1)]
}

async fn keystrokes(t: &mut Term, keys: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(keys);
    for i in 0..keys {
        let key: &[u8] = if i % 2 == 0 { b"j" } else { b"k" };
        let sent = Instant::now();
        t.send(key).await;
        if !t.read_once(Duration::from_secs(10)).await {
            times.push(Duration::from_secs(10));
            continue;
        }
        times.push(sent.elapsed());
        t.settle(Duration::from_millis(5)).await;
    }
    times
}

async fn round(
    addr: std::net::SocketAddr,
    keys: &[PrivateKey],
    sessions: usize,
) -> (Vec<Term>, Vec<Duration>) {
    let mut terms = Vec::new();
    for i in 0..sessions {
        let mut t = Term::open(
            addr,
            &format!("c{:03}", i % COLLECTORS),
            &keys[i % COLLECTORS],
            100,
            30,
            &[],
        )
        .await
        .expect("session");
        t.expect("HT-").await;
        t.settle(Duration::from_millis(20)).await;
        terms.push(t);
    }
    let mut tasks = Vec::new();
    for mut t in terms {
        tasks.push(tokio::spawn(async move {
            let times = keystrokes(&mut t, KEYS).await;
            (t, times)
        }));
    }
    let mut all = Vec::new();
    let mut terms = Vec::new();
    for task in tasks {
        let (t, times) = task.await.unwrap();
        all.extend(times);
        terms.push(t);
    }
    all.sort();
    (terms, all)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists; nothing to list.
    }
    let contracts: usize = std::env::var("SSH_BENCH_CONTRACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    let keys: Vec<PrivateKey> = (0..COLLECTORS).map(|_| new_key()).collect();
    {
        let app = App::open(&db).unwrap();
        generate(&app, contracts);
        let ctx = Ctx::new("admin", d(TODAY), 1_781_500_000);
        for (c, key) in keys.iter().enumerate() {
            let public = key.public_key();
            app.execute(
                &ctx,
                Mutation::AddKey {
                    user: format!("c{c:03}"),
                    key: public.to_openssh().unwrap(),
                    fingerprint: duedesk::ssh::server::fingerprint(public),
                },
            )
            .unwrap();
        }
    }
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "ssh_max_sessions = 500\nssh_max_connections_per_address = 500\n",
    )
    .unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .arg("--db")
        .arg(&db)
        .arg("--config")
        .arg(&config)
        // A release build acts on the machine's date (only tests fix it).
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = server.id();
    let mut lines = std::io::BufReader::new(server.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = served_address(&first);
    std::thread::spawn(move || for _ in lines {});

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = rt.block_on(async {
        let keys = Arc::new(keys);
        let rss_idle = rss_kib(pid);
        // One session, then a one-row move's bytes.
        let mut one = Term::open(addr, "c000", &keys[0], 100, 30, &[]).await.unwrap();
        one.expect("HT-").await;
        // The first session also starts the process's one list of every contract for the
        // dashboard's views (~1 s on its own thread): a cost of the process, not of each
        // session, so it is made before the one-session reading.
        one.settle(Duration::from_millis(3_000)).await;
        let rss_one = rss_kib(pid);
        let before = one.received;
        one.send(b"j").await;
        one.settle(Duration::from_millis(300)).await;
        let move_bytes = one.received - before;
        // The same move on an 80x24 terminal.
        let mut small = Term::open(addr, "c002", &keys[2], 80, 24, &[]).await.unwrap();
        small.expect("HT-").await;
        small.settle(Duration::from_millis(300)).await;
        let before = small.received;
        small.send(b"j").await;
        small.settle(Duration::from_millis(300)).await;
        let move_bytes_80 = small.received - before;
        // Down past the list's last row: each move now scrolls the list.
        for _ in 0..30 {
            small.send(b"j").await;
            small.settle(Duration::from_millis(30)).await;
        }
        small.settle(Duration::from_millis(300)).await;
        let mut scroll_bytes = Vec::new();
        for _ in 0..10 {
            let before = small.received;
            small.send(b"j").await;
            small.settle(Duration::from_millis(200)).await;
            scroll_bytes.push(small.received - before);
        }
        scroll_bytes.sort();
        drop(small);
        tokio::time::sleep(Duration::from_millis(300)).await;

        let (terms, all) = round(addr, &keys, SESSIONS - 1).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss_many = rss_kib(pid);
        let per_session_kib = (rss_many.saturating_sub(rss_one)) as f64 / (SESSIONS - 1) as f64;
        let p50 = percentile(&all, 50);
        let p99 = percentile(&all, 99);
        drop(terms);
        drop(one);
        tokio::time::sleep(Duration::from_millis(500)).await;

        // A client that never reads, flooding screen switches, beside 20 typing sessions.
        let stalled = Term::open(addr, "c001", &keys[1], 200, 60, &[]).await.unwrap();
        let flood = tokio::spawn(async move {
            for i in 0..5000 {
                let key: &[u8] = [b"1", b"2", b"3"][i % 3];
                if tokio::time::timeout(Duration::from_millis(50), stalled.channel.data(key))
                    .await
                    .is_err()
                {
                    break;
                }
            }
            stalled
        });
        let (_terms, stalled_all) = round(addr, &keys, 20).await;
        let stalled_p99 = percentile(&stalled_all, 99);
        let _ = tokio::time::timeout(Duration::from_secs(30), flood).await;

        format!(
            "book: {contracts} contracts, {COLLECTORS} collectors; sessions 100x30 cells\n\
             {SESSIONS} sessions x {KEYS} keystrokes: keystroke -> output p50 {:.1} ms, p99 {:.1} ms ({} samples)\n\
             20 sessions beside a client that never reads: p99 {:.1} ms\n\
             one-row move: {move_bytes} bytes on the channel at 100x30, {move_bytes_80} at 80x24\n\
             one-row move that scrolls the list, 80x24: median {} bytes, max {} (10 moves)\n\
             server VmRSS: idle {} MiB, 1 session {} MiB, {SESSIONS} sessions {} MiB: {:.0} KiB per extra session",
            p50.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0,
            all.len(),
            stalled_p99.as_secs_f64() * 1000.0,
            scroll_bytes[scroll_bytes.len() / 2],
            scroll_bytes[scroll_bytes.len() - 1],
            rss_idle / 1024,
            rss_one / 1024,
            rss_many / 1024,
            per_session_kib,
        )
    });
    let _ = server.kill();
    let _ = server.wait();
    println!("{report}");
}
