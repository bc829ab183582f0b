//! `cargo bench --bench sync`: branches syncing with head office (issue 12) on the generated
//! book of 100,000 contracts (the TUI benchmark's book, cached under `target/tui-bench/`;
//! `DUEDESK_BENCH_CONTRACTS=N` changes the size).
//!
//! 1. A site holding one branch of the book (its contracts: the book's 11 branches share
//!    them): the bootstrap bundle's bytes per contract (target ≤ 1 KB).
//! 2. A day's branch work, 300 mutations (150 payments, 150 contacts), pushed and pulled in
//!    one round trip through a relay that limits the link to 64 kbit/s with 300 ms round
//!    trips (this bench's own binary stands in for `ssh`: stdin and stdout through a paced
//!    TCP connection to head office's side in this process): bytes per mutation on the wire
//!    (target ≤ 80 B) and the sync end to end (target ≤ 10 s). Three days; medians.
//! 3. 100 sites' daily batches (300 mutations each, 30,000 in all) pushed over SSH to the
//!    real `duedesk serve` (`sync-serve`, as each site's user), one after another, while 12
//!    SSH users move through the overdue list: the time for all (target ≤ 30 s) and the
//!    keystroke → first output byte p99 meanwhile (target ≤ 50 ms), beside the same typing
//!    with no sync. Head office's book is accrued through the machine's date first (a
//!    release `duedesk serve` works on it), as its daily job would have.

mod common;
#[path = "../tests/support/ssh_client.rs"]
mod ssh_client;

use common::{BRANCHES, COLLECTORS, Rng, TODAY, book, copy_dir, ctx, day, ms, percentile, size};
use duedesk::app::{App, Ctx, Mutation, NewContract};
use duedesk::domain::{Channel, Customer, Installment, Money, Role};
use duedesk::store::{EntryHeader, entry_bytes};
use duedesk::sync::codec::{self, Message, Push};
use duedesk::sync::{branch, hq, transport};
use russh::ChannelMsg;
use russh::keys::PrivateKey;
use ssh_client::*;
use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// 64 kbit/s.
const LINK_BYTES_PER_SEC: u64 = 8_000;
const ROUND_TRIP: Duration = Duration::from_millis(300);
const DAYS: usize = 3;
const PER_DAY: usize = 300;

/// Writes `bytes` at the link's pace.
fn paced(out: &mut impl Write, bytes: &[u8]) {
    for chunk in bytes.chunks(500) {
        std::thread::sleep(Duration::from_micros(
            chunk.len() as u64 * 1_000_000 / LINK_BYTES_PER_SEC,
        ));
        out.write_all(chunk).unwrap();
    }
    out.flush().unwrap();
}

/// The relay, run as the `ssh` command: the push from stdin to head office's side on `port`
/// and its reply back to stdout, each way half a round trip late and at the link's pace.
fn relay(port: u16) -> ! {
    let mut push = Vec::new();
    std::io::stdin().read_to_end(&mut push).unwrap();
    let mut socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::thread::sleep(ROUND_TRIP / 2);
    paced(&mut socket, &push);
    socket.shutdown(std::net::Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    socket.read_to_end(&mut reply).unwrap();
    std::thread::sleep(ROUND_TRIP / 2);
    paced(&mut std::io::stdout().lock(), &reply);
    std::process::exit(0);
}

/// Head office's side of the relay: each connection is a push, answered with its reply (as
/// `sync-serve` does, as the site's user).
fn serve_relay(hq: Arc<App>, user: String, pushes: usize) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = std::thread::spawn(move || {
        for stream in listener.incoming().take(pushes) {
            let mut stream = stream.unwrap();
            let mut push = Vec::new();
            stream.read_to_end(&mut push).unwrap();
            let done = hq::accept(&hq, &Ctx::new(&user, day(TODAY), now()), &push).unwrap();
            stream.write_all(&done.reply).unwrap();
        }
    });
    (port, served)
}

fn now() -> i64 {
    1_781_500_000
}

fn median<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// A day's work at the branch: 150 payments by its finance user, 150 contacts by its clerk.
fn day_of_work(app: &App, contracts: &[String], rng: &mut Rng, day_no: usize) {
    for i in 0..PER_DAY {
        let no = &contracts[rng.below(contracts.len() as u64) as usize];
        let at = now() + (day_no * PER_DAY + i) as i64;
        let (who, mutation) = if i % 2 == 0 {
            (
                "fin0",
                Mutation::RecordPayment {
                    id: String::new(),
                    contract: no.clone(),
                    received_on: day(TODAY),
                    amount: Money::from_cents(10_000 + rng.below(500_000) as i64),
                    method: "cash".into(),
                    reference: format!("R{}", rng.below(1_000_000)),
                    confirmed: false,
                },
            )
        } else {
            (
                "clk0",
                Mutation::AddContact {
                    contract: no.clone(),
                    channel: Channel::Call,
                    result: ["答应尽快还款", "无人接听", "已上门"][rng.below(3) as usize].into(),
                    note: String::new(),
                    promise: None,
                },
            )
        };
        app.execute(&Ctx::new(who, day(TODAY), at), mutation)
            .unwrap();
    }
}

fn user(name: &str, role: Role, branch: &str) -> Mutation {
    Mutation::AddUser {
        name: name.into(),
        display: name.into(),
        roles: vec![role],
        branch: Some(branch.into()),
    }
}

/// Parts 1 and 2, in this process; returns the report's lines.
fn one_site(hq_db: &std::path::Path, work: &std::path::Path) -> Vec<String> {
    let hq = Arc::new(App::open(hq_db).unwrap());
    let admin = ctx();
    let branch_name = BRANCHES[0];
    hq.execute_batch(
        &admin,
        &[
            user("fin0", Role::Finance, branch_name),
            user("clk0", Role::Clerk, branch_name),
        ],
    )
    .unwrap();
    hq.execute(
        &admin,
        Mutation::AddSite {
            site: 2,
            name: branch_name.into(),
            code: "HZ".into(),
            branches: vec![branch_name.into()],
            user: "hz-sync".into(),
        },
    )
    .unwrap();
    let started = Instant::now();
    let cloned = hq::clone(&hq, &admin, branch_name).unwrap();
    let clone_time = started.elapsed();
    let started = Instant::now();
    let (br, made) = branch::init(&work.join("branch"), &cloned.bytes, now()).unwrap();
    let init_time = started.elapsed();
    let contracts: Vec<String> = br
        .store()
        .contracts()
        .map(|c| c.unwrap().no)
        .collect::<Vec<_>>();
    let mut lines = vec![format!(
        "bootstrap of site {branch_name}: {} contracts, {} entries, {} bytes: {} bytes per contract (clone {:.2} s, init {:.2} s)",
        cloned.contracts,
        made.entries,
        cloned.bytes.len(),
        cloned.bytes.len() / cloned.contracts.max(1),
        clone_time.as_secs_f64(),
        init_time.as_secs_f64()
    )];

    let (port, served) = serve_relay(hq.clone(), "hz-sync".into(), DAYS);
    let exe = std::env::current_exe().unwrap();
    let ssh = format!("{} --relay {port}", exe.display());
    let mut rng = Rng(0x5e7c_0000_0000_0012);
    let (mut wire, mut push_per, mut times) = (Vec::new(), Vec::new(), Vec::new());
    for d in 0..DAYS {
        day_of_work(&br, &contracts, &mut rng, d);
        // Head office's own day in the site's scope: a contact on a few of its contracts.
        for _ in 0..10 {
            let no = &contracts[rng.below(contracts.len() as u64) as usize];
            hq.execute(
                &admin,
                Mutation::AddContact {
                    contract: no.clone(),
                    channel: Channel::Visit,
                    result: "总部回访".into(),
                    note: String::new(),
                    promise: None,
                },
            )
            .unwrap();
        }
        let started = Instant::now();
        let done = transport::sync(
            &br,
            &Ctx::new("fin0", day(TODAY), now()),
            Some("ssh://hz-sync@relay"),
            Some(&ssh),
        )
        .unwrap();
        times.push(started.elapsed().as_secs_f64());
        assert_eq!(done.pushed, PER_DAY);
        assert_eq!(done.pulled.accepted, PER_DAY);
        wire.push((done.push_bytes + done.reply_bytes) as f64 / PER_DAY as f64);
        push_per.push(done.push_bytes as f64 / PER_DAY as f64);
        lines.push(format!(
            "day {}: {} mutations pushed in {} bytes, reply {} bytes ({} entries of head office); end to end {:.2} s",
            d + 1,
            done.pushed,
            done.push_bytes,
            done.reply_bytes,
            done.pulled.received,
            started.elapsed().as_secs_f64()
        ));
    }
    // Before zstd: the entries in the journal's encoding.
    let raw: usize = br
        .store()
        .entries_of_site::<Mutation>(2, 0)
        .unwrap()
        .iter()
        .filter(|(_, _, m)| !m.is_local())
        .map(|(_, h, m)| entry_bytes(h, m).len())
        .sum();
    let raw_per = raw as f64 / (DAYS * PER_DAY) as f64;
    lines.push(format!(
        "a day of {PER_DAY} mutations, median of {DAYS}: {:.1} bytes per mutation on the wire (push and reply; push alone {:.1}; {:.1} before zstd); end to end through 64 kbit/s, 300 ms round trips: {:.2} s",
        median(wire),
        median(push_per),
        raw_per,
        median(times)
    ));
    served.join().unwrap();
    lines
}

/// The pushes of `sites` sites numbered from `first`, each a day of 300 mutations on its own
/// 50 contracts, made as a branch would (ids carry the site's code); the sites, users and
/// contracts are added to head office's book. Returns (site user, push) for each.
fn many_sites(hq: &App, first: u32, sites: usize) -> Vec<(String, Vec<u8>)> {
    let admin = ctx();
    let mut pushes = Vec::new();
    let mut rng = Rng(0x5e7c_0000_0000_0100);
    for s in 0..sites {
        let code = format!("S{s:02}");
        let branch_name = format!("站{s:02}");
        let mut batch = vec![
            user(&format!("f{s:02}"), Role::Finance, &branch_name),
            user(&format!("k{s:02}"), Role::Clerk, &branch_name),
        ];
        let contracts: Vec<String> = (0..50).map(|i| format!("XT-{s:02}{i:02}")).collect();
        for (i, no) in contracts.iter().enumerate() {
            let customer = format!("X{s:02}{i:02}");
            batch.push(Mutation::PutCustomer(Customer {
                id: customer.clone(),
                name: format!("客户{s}-{i}"),
                phone: format!("139{s:02}{i:06}"),
                id_number: String::new(),
                address: String::new(),
                branch: branch_name.clone(),
                collector: format!("x{s:02}"),
            }));
            batch.push(Mutation::AddContract(NewContract {
                no: no.clone(),
                customer_id: customer,
                signed_on: day("2025-06-01"),
                model: "SY75C".into(),
                serial: format!("SY75C-X{s:02}{i:02}"),
                financed: Money::from_cents(1_200_000),
                penalty_rate: None,
                grace_days: None,
            }));
            batch.push(Mutation::AddInstallments {
                contract: no.clone(),
                installments: (1..=12)
                    .map(|k| Installment {
                        seq: k,
                        due: day("2025-06-01") + chrono::Months::new(k),
                        principal: Money::from_cents(100_000),
                        interest: Money::from_cents(5_000),
                    })
                    .collect(),
            });
        }
        hq.execute_batch(&admin, &batch).unwrap();
        let number = first + s as u32;
        hq.execute(
            &admin,
            Mutation::AddSite {
                site: number,
                name: branch_name.clone(),
                code: code.clone(),
                branches: vec![branch_name],
                user: format!("sync{s:02}"),
            },
        )
        .unwrap();
        let cursor = hq.store().journal_len().unwrap();
        let entries = (1..=PER_DAY as u64)
            .map(|seq| {
                let no = contracts[rng.below(50) as usize].clone();
                let (actor, mutation) = if seq % 2 == 1 {
                    (
                        format!("f{s:02}"),
                        Mutation::RecordPayment {
                            id: format!("{code}-P{seq}"),
                            contract: no,
                            received_on: day(TODAY),
                            amount: Money::from_cents(10_000 + rng.below(500_000) as i64),
                            method: "cash".into(),
                            reference: String::new(),
                            confirmed: false,
                        },
                    )
                } else {
                    (
                        format!("k{s:02}"),
                        Mutation::AddContact {
                            contract: no,
                            channel: Channel::Call,
                            result: "无人接听".into(),
                            note: String::new(),
                            promise: None,
                        },
                    )
                };
                let header = EntryHeader {
                    site: number,
                    seq,
                    actor,
                    at: now() + seq as i64,
                    business_date: day(TODAY),
                };
                entry_bytes(&header, &mutation)
            })
            .collect();
        let push = codec::encode(&Message::Push(Push {
            site: number,
            code,
            cursor,
            first: 1,
            last: PER_DAY as u64,
            entries,
        }));
        pushes.push((format!("sync{s:02}"), push));
    }
    pushes
}

/// `sync-serve` over SSH with the push on its input: (exit status, reply bytes, stderr).
async fn sync_serve(
    addr: std::net::SocketAddr,
    user: &str,
    key: &PrivateKey,
    push: &[u8],
) -> (Option<u32>, usize, String) {
    let handle = login(addr, user, key).await.expect("login");
    let mut channel = handle.channel_open_session().await.expect("session");
    channel.exec(true, "sync-serve").await.expect("exec");
    channel.data(push).await.expect("push");
    channel.eof().await.expect("eof");
    let (mut status, mut out, mut err) = (None, 0, Vec::new());
    while let Some(msg) = channel.wait().await {
        match msg {
            ChannelMsg::Data { data } => out += data.len(),
            ChannelMsg::ExtendedData { data, .. } => err.extend_from_slice(&data),
            ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
            ChannelMsg::Close => break,
            _ => {}
        }
    }
    let _ = handle
        .disconnect(russh::Disconnect::ByApplication, "", "")
        .await;
    (status, out, String::from_utf8_lossy(&err).into_owned())
}

/// Keystrokes (j and k) in `t` until `stop`, each timed to its first output byte.
async fn type_until(t: &mut Term, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let mut times = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let key: &[u8] = if i % 2 == 0 { b"j" } else { b"k" };
        i += 1;
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

/// Part 3; returns the report's lines.
fn hundred_sites(hq_db: &std::path::Path, dir: &std::path::Path, sites: usize) -> Vec<String> {
    let typists: Vec<&str> = COLLECTORS.to_vec();
    let keys: Vec<PrivateKey> = (0..sites + typists.len()).map(|_| new_key()).collect();
    let pushes = {
        let hq = App::open(hq_db).unwrap();
        let pushes = many_sites(&hq, 10, sites);
        // A release `duedesk serve` works on the machine's date: accrue through it, as head
        // office's daily job does, so the screens read the overdue list from its lines
        // (patched after each part) rather than recomputing the book for another date.
        let today = chrono::Local::now().date_naive();
        hq.execute(
            &Ctx::new("admin", today, now()),
            Mutation::Accrue { through: today },
        )
        .unwrap();
        let users = pushes
            .iter()
            .map(|(u, _)| u.as_str())
            .chain(typists.iter().copied());
        for (name, key) in users.zip(&keys) {
            let public = key.public_key();
            hq.execute(
                &ctx(),
                Mutation::AddKey {
                    user: name.into(),
                    key: public.to_openssh().unwrap(),
                    fingerprint: duedesk::ssh::server::fingerprint(public),
                },
            )
            .unwrap();
        }
        pushes
    };
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "ssh_max_sessions = 500\nssh_max_connections_per_address = 500\n",
    )
    .unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .arg("--db")
        .arg(hq_db)
        .arg("--config")
        .arg(&config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(server.stdout.take().unwrap()).lines();
    let addr = served_address(&out.next().unwrap().unwrap());
    std::thread::spawn(move || for _ in out {});
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let keys = Arc::new(keys);
    let lines = rt.block_on(async {
        let mut terms = Vec::new();
        for (i, name) in typists.iter().enumerate() {
            let mut t = Term::open(addr, name, &keys[sites + i], 100, 30, &[])
                .await
                .expect("session");
            t.expect("HT-").await;
            t.settle(Duration::from_millis(50)).await;
            terms.push(t);
        }
        // The typing alone, then beside the sites' pushes.
        let mut phases = Vec::new();
        let mut per_site = Vec::new();
        for with_sync in [false, true] {
            let stop = Arc::new(AtomicBool::new(false));
            let mut tasks = Vec::new();
            for mut t in terms.drain(..) {
                let stop = stop.clone();
                tasks.push(tokio::spawn(async move {
                    let times = type_until(&mut t, stop).await;
                    (t, times)
                }));
            }
            let started = Instant::now();
            let mut failed = 0;
            if with_sync {
                for (s, (user, push)) in pushes.iter().enumerate() {
                    let one = Instant::now();
                    let (status, _, err) = sync_serve(addr, user, &keys[s], push).await;
                    per_site.push(one.elapsed());
                    if status != Some(0) {
                        failed += 1;
                        eprintln!("{user}: {err}");
                    }
                }
            } else {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            let took = started.elapsed();
            stop.store(true, Ordering::Relaxed);
            let mut all = Vec::new();
            for task in tasks {
                let (t, times) = task.await.unwrap();
                all.extend(times);
                terms.push(t);
            }
            all.sort();
            phases.push((took, failed, all));
        }
        let p = |all: &[Duration], q: f64| ms(percentile(all, q));
        let (_, _, alone) = &phases[0];
        let (took, failed, beside) = &phases[1];
        vec![
            format!(
                "{} SSH users typing alone: keystroke p50 {}, p99 {} ({} keystrokes)",
                typists.len(),
                p(alone, 0.50),
                p(alone, 0.99),
                alone.len()
            ),
            format!(
                "{sites} sites' batches of {PER_DAY} ({} mutations) over SSH to duedesk serve: {:.2} s ({failed} failed); meanwhile keystroke p50 {}, p99 {}, max {} ({} keystrokes)",
                sites * PER_DAY,
                took.as_secs_f64(),
                p(beside, 0.50),
                p(beside, 0.99),
                p(beside, 1.0),
                beside.len()
            ),
            format!(
                "one site's sync-serve: first {}, median {}, last {}, max {}",
                ms(per_site[0]),
                ms(percentile(&per_site, 0.5)),
                ms(*per_site.last().unwrap()),
                ms(percentile(&per_site, 1.0)),
            ),
        ]
    });
    let _ = server.kill();
    let _ = server.wait();
    lines
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--relay") {
        relay(args[at + 1].parse().unwrap());
    }
    if args.iter().any(|a| a == "--list") {
        return; // `cargo test --benches` lists; nothing to list.
    }
    let contracts = size("DUEDESK_BENCH_CONTRACTS", 100_000, 2_000);
    let sites = size("DUEDESK_BENCH_SITES", 100, 3);
    let book = book(contracts);
    let dir = tempfile::tempdir().unwrap();
    let hq_db = dir.path().join("hq");
    copy_dir(&book, &hq_db);
    let mut lines = vec![format!("book: {contracts} contracts")];
    if std::env::var_os("DUEDESK_BENCH_ONLY_SITES").is_none() {
        lines.extend(one_site(&hq_db, dir.path()));
    }
    lines.extend(hundred_sites(&hq_db, dir.path(), sites));
    for line in lines {
        println!("{line}");
    }
}
