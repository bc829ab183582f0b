//! A sync cut off by `kill -9` of either side, then a sync that finishes the job: real
//! processes (the built binary). Two ways:
//! - through OpenSSH's `ssh` against head office's `duedesk serve`, killed at varied moments
//!   while it applies a push of hundreds of entries, or the branch's `duedesk sync` killed
//!   at varied moments of its exchange (`*_over_openssh`; skipped, loudly, without OpenSSH);
//! - through a stand-in for `ssh` that runs `duedesk sync accept` on head office's database
//!   (the same `hq::accept` `sync-serve` runs under `duedesk serve`), which can stop either
//!   side at a known point: head office after some parts of a push are applied, or the
//!   branch after head office answered and before it pulled the reply.

#[path = "support/openssh.rs"]
mod openssh;
#[path = "support/ssh_client.rs"]
mod ssh_client;

use duedesk::app::{App, Ctx, Mutation};
use duedesk::domain::Money;
use duedesk::store::Reader;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-30";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_duedesk"));
    c.env("DUEDESK_TODAY", TODAY)
        .env_remove("DUEDESK_DB")
        .env_remove("DUEDESK_SSH")
        .env_remove("DUEDESK_TEST_PAUSE_AFTER_PARTS")
        .env_remove("DUEDESK_TEST_PAUSE_MARK");
    c
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = bin().arg("--db").arg(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "duedesk {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn hq(&self) -> PathBuf {
        self.path("hq")
    }
    fn branch(&self) -> PathBuf {
        self.path("hf")
    }

    /// `duedesk sync` at the branch through the stand-in for ssh, with `env` (started, not
    /// waited for).
    fn sync(&self, env: &[(&str, String)]) -> Child {
        let mut c = self.sync_command();
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        for (k, v) in env {
            c.env(k, v);
        }
        c.spawn().unwrap()
    }

    /// `duedesk sync` at the branch through the stand-in for ssh, to be set up further.
    fn sync_command(&self) -> Command {
        let mut c = bin();
        c.arg("--db").arg(self.branch()).args([
            "sync",
            "ssh://hf-sync@hq.example",
            "--ssh-command",
            &format!("sh {}", self.path("fake-ssh.sh").display()),
        ]);
        c
    }

    fn accept_log(&self) -> String {
        std::fs::read_to_string(self.path("accept.log")).unwrap_or_default()
    }
}

/// Head office with a 60-contract demo book and site 合肥, the branch made from its bundle,
/// and the stand-in for ssh: it saves the push, runs `sync accept` on head office's database
/// (its pid in `hq.pid`), and answers the reply — or, while `hold` exists, holds the reply
/// back (its pid in `held`) until it is killed.
fn world() -> World {
    let w = World {
        dir: tempfile::tempdir().unwrap(),
    };
    let hq = w.hq();
    ok(&hq, &["demo", "--contracts", "60", "--no-tui"]);
    ok(
        &hq,
        &[
            "site",
            "add",
            "合肥",
            "--code",
            "HF",
            "--branches",
            "合肥",
            "--user",
            "hf-sync",
        ],
    );
    let bundle = w.path("bundle");
    ok(
        &hq,
        &[
            "sync",
            "clone",
            "--site",
            "合肥",
            "--out",
            bundle.to_str().unwrap(),
        ],
    );
    ok(&w.branch(), &["sync", "init", bundle.to_str().unwrap()]);
    // Accrual is local: the branch accrues as head office did (tickets open alike).
    let settings: serde_json::Value =
        serde_json::from_str(&ok(&hq, &["settings", "--json"])).unwrap();
    let through = settings["accrued_through"].as_str().unwrap();
    ok(&w.branch(), &["accrue", "--through", through]);
    let d = w.dir.path().display();
    let script = format!(
        r#"#!/bin/sh
# Stands in for ssh: head office's side of `duedesk sync`, by duedesk's CLI.
d="{d}"
n=$(date +%s%N)
cat > "$d/push.$n"
"{bin}" --db "$d/hq" sync accept "$d/push.$n" --reply "$d/reply.$n" >> "$d/accept.log" 2>&1 &
echo $! > "$d/hq.pid"
wait $! || exit 1
if [ -f "$d/hold" ]; then echo $$ > "$d/held"; exec sleep 600; fi
cat "$d/reply.$n"
"#,
        bin = env!("CARGO_BIN_EXE_duedesk")
    );
    std::fs::write(w.path("fake-ssh.sh"), script).unwrap();
    w
}

/// `count` payments recorded at the branch by the customers' collectors, round the
/// contracts; returns the contracts paid.
fn pay_at_branch(w: &World, count: usize) -> Vec<String> {
    let app = App::open(&w.branch()).unwrap();
    let mut on: Vec<(String, String)> = Vec::new();
    for c in app.store().contracts() {
        let c = c.unwrap();
        let customer = app.store().customer(&c.customer_id).unwrap().unwrap();
        on.push((c.no, customer.collector));
    }
    assert!(!on.is_empty());
    let today = TODAY.parse().unwrap();
    for i in 0..count {
        let (no, collector) = &on[i % on.len()];
        app.execute(
            &Ctx::new(collector, today, 1_796_000_000 + i as i64),
            Mutation::RecordPayment {
                id: String::new(),
                contract: no.clone(),
                received_on: today,
                amount: Money::from_cents(100 + i as i64),
                method: "cash".into(),
                reference: String::new(),
                confirmed: false,
            },
        )
        .unwrap();
    }
    on.into_iter().take(count).map(|(no, _)| no).collect()
}

fn wait_for(path: &Path) -> String {
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Written whole before anyone reads it: wait for its end of line or number.
    std::thread::sleep(Duration::from_millis(50));
    std::fs::read_to_string(path).unwrap().trim().to_string()
}

/// `kill -s KILL -- PID` (a process group as `-PGID`). The `--` is not a nicety: procps-ng
/// 4.0.2's `kill -9 -PGID` signals pid -1 — every process the user may signal.
fn kill_9(pid: &str) {
    let status = Command::new("kill")
        .args(["-s", "KILL", "--", pid])
        .status()
        .unwrap();
    assert!(status.success(), "kill -s KILL -- {pid}");
}

fn finished(child: Child) -> (Output, String, String) {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// The branch's entries head office holds, by seq: each once.
fn at_hq(w: &World) -> Vec<u64> {
    let app = App::open(&w.hq()).unwrap();
    let site = app.store().entries_of_site::<Mutation>(2, 0).unwrap();
    let seqs: Vec<u64> = site.iter().map(|(_, h, _)| h.seq).collect();
    let mut unique = seqs.clone();
    unique.dedup();
    assert_eq!(seqs, unique, "an entry applied twice at head office");
    seqs
}

/// The branch's own entries that travel (accrual stays local), by seq.
fn branch_seqs(w: &World) -> Vec<u64> {
    let app = App::open(&w.branch()).unwrap();
    app.store()
        .entries_of_site::<Mutation>(2, 0)
        .unwrap()
        .iter()
        .filter(|(_, _, m)| !m.is_local())
        .map(|(_, h, _)| h.seq)
        .collect()
}

/// Both ends show the same tickets for the contracts paid; nothing is pending or refused.
fn converged(w: &World, paid: &[String]) {
    for no in paid {
        let at = |db: &Path| -> serde_json::Value {
            serde_json::from_str(&ok(db, &["ticket", "show", no, "--json"])).unwrap()
        };
        let (hq, branch) = (at(&w.hq()), at(&w.branch()));
        let ids = |t: &serde_json::Value| -> Vec<String> {
            t["payments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| format!("{} {}", p["id"], p["status"]))
                .collect()
        };
        assert_eq!(
            ids(&hq),
            ids(&branch),
            "payments of {no}: head office, branch"
        );
        let differ: Vec<String> = hq
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, v)| branch.get(k.as_str()) != Some(v))
            .map(|(k, v)| format!("{k}: {v} / {}", branch[k.as_str()]))
            .collect();
        assert!(
            differ.is_empty(),
            "ticket {no}, head office / branch: {differ:?}"
        );
    }
    assert_eq!(
        ok(&w.hq(), &["overdue", "--json", "--branch", "合肥"]),
        ok(&w.branch(), &["overdue", "--json"]),
        "the overdue list of 合肥: head office, branch"
    );
    let status: serde_json::Value =
        serde_json::from_str(&ok(&w.branch(), &["sync", "status", "--json"])).unwrap();
    assert_eq!(status["pending"], 0, "{status}");
    assert_eq!(status["conflicts"], 0, "{status}");
}

#[test]
fn head_office_killed_mid_accept_then_a_sync_finishes_the_job() {
    let w = world();
    let paid = pay_at_branch(&w, 200);
    // Head office stops after 3 parts of 32 entries (each part kept as it ends), and is
    // killed there.
    let child = w.sync(&[
        ("DUEDESK_TEST_PAUSE_AFTER_PARTS", "3".into()),
        (
            "DUEDESK_TEST_PAUSE_MARK",
            w.path("paused").display().to_string(),
        ),
    ]);
    let decided = wait_for(&w.path("paused"));
    assert_eq!(decided, "96");
    kill_9(&wait_for(&w.path("hq.pid")));
    let (out, _, err) = finished(child);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("did not finish") && err.contains("pending entries stay"),
        "{err}"
    );
    // What head office applied before it died stands; the branch still has all 200 pending.
    assert_eq!(at_hq(&w), branch_seqs(&w)[..96]);
    let status: serde_json::Value =
        serde_json::from_str(&ok(&w.branch(), &["sync", "status", "--json"])).unwrap();
    assert_eq!(status["pending"], 200);

    // The next sync asks what head office decided, then sends only the rest.
    let (out, stdout, err) = finished(w.sync(&[]));
    assert!(out.status.success(), "{stdout}{err}");
    assert!(stdout.contains("cut off after its push left"), "{stdout}");
    assert!(stdout.contains("104 entries pushed"), "{stdout}");
    assert!(stdout.contains("104 accepted, 0 rejected"), "{stdout}");
    let log = w.accept_log();
    assert!(
        log.lines()
            .last()
            .unwrap()
            .contains("104 accepted, 0 rejected, 0 decided before"),
        "{log}"
    );
    assert_eq!(at_hq(&w), branch_seqs(&w));
    assert_eq!(at_hq(&w).len(), 200);
    converged(&w, &paid);
}

#[test]
fn the_branch_killed_before_it_pulled_then_a_sync_finishes_the_job() {
    let w = world();
    let paid = pay_at_branch(&w, 50);
    std::fs::write(w.path("hold"), "").unwrap();
    let mut child = w.sync(&[]);
    let held = wait_for(&w.path("held"));
    // Head office applied the push and wrote its reply; the branch dies waiting for it.
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    kill_9(&held);
    std::fs::remove_file(w.path("hold")).unwrap();
    assert_eq!(at_hq(&w), branch_seqs(&w));
    assert_eq!(at_hq(&w).len(), 50);
    let status: serde_json::Value =
        serde_json::from_str(&ok(&w.branch(), &["sync", "status", "--json"])).unwrap();
    assert_eq!(status["pending"], 50);

    let (out, stdout, err) = finished(w.sync(&[]));
    assert!(out.status.success(), "{stdout}{err}");
    assert!(stdout.contains("cut off after its push left"), "{stdout}");
    assert!(stdout.contains("0 entries pushed"), "{stdout}");
    assert_eq!(at_hq(&w), branch_seqs(&w));
    assert_eq!(at_hq(&w).len(), 50);
    converged(&w, &paid);
    // A third sync has nothing to do, and asks nothing first.
    let (out, stdout, _) = finished(w.sync(&[]));
    assert!(out.status.success());
    assert!(!stdout.contains("cut off"), "{stdout}");
    assert!(stdout.contains("0 entries pushed"), "{stdout}");
}

/// Whether any process of group `pgid` is still alive (not a zombie).
fn group_alive(pgid: u32) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        // pid (comm) state ppid pgrp …: the comm may hold spaces, so read after its ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string()
    })
}

/// Both sides killed together (`kill -9` of the sync's process group: the branch's
/// `duedesk sync`, the stand-in for ssh, head office's `sync accept`) at a few points of a
/// sync, whichever step each is in, each time followed by a sync that finishes: nothing
/// lost, nothing applied twice.
#[test]
fn both_sides_killed_anywhere_then_a_sync_finishes_the_job() {
    use std::os::unix::process::CommandExt;
    let w = world();
    let mut paid = Vec::new();
    for (round, delay) in [0u64, 150, 300, 600, 1200].into_iter().enumerate() {
        paid.extend(pay_at_branch(&w, 40));
        let mut c = w.sync_command();
        c.stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        let mut child = c.spawn().unwrap();
        let pgid = child.id();
        std::thread::sleep(Duration::from_millis(delay));
        kill_9(&format!("-{pgid}"));
        let _ = child.wait();
        let started = Instant::now();
        while group_alive(pgid) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "group {pgid} lives on"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let (out, stdout, err) = finished(w.sync(&[]));
        assert!(out.status.success(), "round {round}: {stdout}{err}");
        assert_eq!(at_hq(&w), branch_seqs(&w), "round {round}");
        assert_eq!(at_hq(&w).len(), (round + 1) * 40, "round {round}");
    }
    paid.sort();
    paid.dedup();
    converged(&w, &paid);
}

/// Head office's `duedesk serve` on a free loopback port, as its own process: its log
/// (standard error) a line at a time.
struct Served {
    child: Child,
    port: u16,
    log: std::sync::mpsc::Receiver<String>,
}

impl Served {
    fn start(w: &World) -> Served {
        use std::io::BufRead;
        std::fs::write(w.path("config.toml"), "").unwrap();
        let mut child = bin()
            .arg("--db")
            .arg(w.hq())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DUEDESK_CONFIG", w.path("config.toml"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        if first.is_empty() {
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
            panic!("duedesk serve did not start: {err}");
        }
        let port = ssh_client::served_address(&first).port();
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let err = child.stderr.take().unwrap();
        let (tx, log) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Served { child, port, log }
    }

    /// Waits for a log line that satisfies `pred`.
    fn wait_log(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) if pred(&line) => return line,
                Ok(_) => {}
                Err(e) => panic!("duedesk serve never logged {what}: {e}"),
            }
        }
    }

    /// Passes over what it has logged so far (a quiet tenth of a second ends it).
    fn drain(&self) {
        while self.log.recv_timeout(Duration::from_millis(100)).is_ok() {}
    }

    fn kill_9(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }

    /// Stops it as an operator does (SIGTERM), so the database can be read here.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-s", "TERM", "--", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap();
    }
}

/// The world of `world()` with keys made by `ssh-keygen` for the site's user `hf-sync` and
/// for head office's admin: their private keys' paths.
fn keys(w: &World) -> (PathBuf, PathBuf) {
    let app = App::open(&w.hq()).unwrap();
    let admin = Ctx::new("admin", TODAY.parse().unwrap(), 1_796_000_000);
    let mut paths = Vec::new();
    for user in ["hf-sync", "admin"] {
        let (path, public) = openssh::keygen(w.dir.path(), user);
        let (key, fingerprint) = duedesk::cli::parse_public_key(&public).unwrap();
        app.execute(
            &admin,
            Mutation::AddKey {
                user: user.into(),
                key,
                fingerprint,
            },
        )
        .unwrap();
        paths.push(path);
    }
    (paths.remove(0), paths.remove(0))
}

/// `duedesk sync` at the branch through OpenSSH to head office's serve on `port` (started).
fn sync_over_ssh(w: &World, key: &Path, port: u16) -> Child {
    bin()
        .arg("--db")
        .arg(w.branch())
        .args([
            "sync",
            &format!("ssh://hf-sync@127.0.0.1:{port}"),
            "--ssh-command",
            &openssh::ssh_command(key),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A small generator of varied moments: seeded from the clock unless
/// `DUEDESK_TEST_SEED` gives the seed (printed, to run a failure again).
struct Moments(u64);

impl Moments {
    fn new() -> Moments {
        let seed = std::env::var("DUEDESK_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        eprintln!("kill moments: DUEDESK_TEST_SEED={seed}");
        Moments(seed | 1)
    }

    /// A number below `n`.
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// `entries` of the serve's log line `… N of M entries decided`: (N, M).
fn decided(line: &str) -> (usize, usize) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "of").unwrap();
    (
        words[at - 1].parse().unwrap(),
        words[at + 1].parse().unwrap(),
    )
}

/// Head office's `duedesk serve`, behind OpenSSH, killed with `kill -9` at a varied moment
/// while it applies a push of 200 entries (after a random number of its parts and a few
/// milliseconds more), then started again; the next `duedesk sync` finishes the job: every
/// entry applied once, none lost, both ends alike. Head office changes the site's contracts
/// too between the rounds, so the branch's pull puts its entries under the branch's.
#[test]
fn head_office_serve_killed_mid_push_over_openssh_then_a_sync_finishes_the_job() {
    if !openssh::has_openssh("kill -9 of duedesk serve behind OpenSSH") {
        return;
    }
    let w = world();
    let (site_key, _) = keys(&w);
    let mut moments = Moments::new();
    let mut paid = Vec::new();
    let mut cut_mid_way = 0;
    const ROUNDS: usize = 3;
    const ENTRIES: usize = 200;
    for round in 0..ROUNDS {
        paid.extend(pay_at_branch(&w, ENTRIES));
        // Head office's own change on one of the site's contracts, before the branch's push.
        ok(
            &w.hq(),
            &[
                "contact",
                "add",
                &paid[round],
                "--channel",
                "visit",
                "--result",
                "met",
            ],
        );
        let before = at_hq(&w).len();
        let served = Served::start(&w);
        let child = sync_over_ssh(&w, &site_key, served.port);
        // After 1 to 3 of its 7 parts, and 0–20 ms more: inside a part or between two.
        let parts = 1 + moments.below(3) as usize;
        let line = served.wait_log("a part decided", |l| {
            l.contains("entries decided") && decided(l).0 >= parts * 32
        });
        std::thread::sleep(Duration::from_millis(moments.below(20)));
        served.kill_9();
        let (out, stdout, err) = finished(child);
        let applied = at_hq(&w).len() - before;
        eprintln!("round {round}: killed after {line:?}; {applied} of {ENTRIES} applied");
        if applied < ENTRIES {
            cut_mid_way += 1;
            assert_eq!(out.status.code(), Some(1), "{stdout}{err}");
            assert!(
                err.contains("did not finish") && err.contains("pending entries stay"),
                "{err}"
            );
        }
        // What head office applied stands, in the branch's order, each once.
        assert_eq!(at_hq(&w)[..], branch_seqs(&w)[..at_hq(&w).len()]);

        let served = Served::start(&w);
        let (out, stdout, err) = finished(sync_over_ssh(&w, &site_key, served.port));
        assert!(out.status.success(), "round {round}: {stdout}{err}");
        if applied < ENTRIES {
            assert!(stdout.contains("cut off after its push left"), "{stdout}");
            assert!(
                stdout.contains(&format!("{} entries pushed", ENTRIES - applied)),
                "{stdout}"
            );
        }
        served.stop();
        assert_eq!(at_hq(&w), branch_seqs(&w), "round {round}");
        assert_eq!(at_hq(&w).len(), (round + 1) * ENTRIES, "round {round}");
        let status: serde_json::Value =
            serde_json::from_str(&ok(&w.branch(), &["sync", "status", "--json"])).unwrap();
        assert_eq!(status["pending"], 0, "round {round}: {status}");
    }
    assert!(
        cut_mid_way > 0,
        "no kill landed while head office applied the push"
    );
    paid.sort();
    paid.dedup();
    converged(&w, &paid);
}

/// The branch's `duedesk sync` killed with `kill -9` at varied moments of a sync through
/// OpenSSH to head office's `duedesk serve` — while it starts and sends its push, while head
/// office applies it, while the reply comes back and is pulled — then a sync that finishes
/// the job: every entry applied once at head office, none lost, both ends alike.
#[test]
fn the_branch_killed_mid_sync_over_openssh_then_a_sync_finishes_the_job() {
    if !openssh::has_openssh("kill -9 of duedesk sync over OpenSSH") {
        return;
    }
    let w = world();
    let (site_key, admin_key) = keys(&w);
    let mut moments = Moments::new();
    let served = Served::start(&w);
    let mut paid = Vec::new();
    const ENTRIES: usize = 100;
    const ROUNDS: usize = 6;
    for round in 0..ROUNDS {
        paid.extend(pay_at_branch(&w, ENTRIES));
        // Head office's admin changes one of the site's contracts over SSH meanwhile.
        let contact = openssh::ssh(&admin_key, served.port, "admin")
            .args([
                "contact",
                "add",
                &paid[round],
                "--channel",
                "visit",
                "--result",
                "met",
            ])
            .output()
            .unwrap();
        assert!(
            contact.status.success(),
            "{}",
            String::from_utf8_lossy(&contact.stderr)
        );
        served.drain();
        let mut child = sync_over_ssh(&w, &site_key, served.port);
        // A whole sync here takes a fifth of a second or so, its pull a tenth.
        let when = match round % 3 {
            0 => {
                // Starting, logging in, sending its push.
                let ms = moments.below(150);
                std::thread::sleep(Duration::from_millis(ms));
                format!("{ms} ms after it started")
            }
            1 => {
                // Head office is applying the push: the branch waits for the reply.
                served.wait_log("a part decided", |l| l.contains("entries decided"));
                "while head office applied its push".to_string()
            }
            _ => {
                // The reply is on its way or being pulled.
                served.wait_log("the last part decided", |l| {
                    l.contains("entries decided") && {
                        let (done, of) = decided(l);
                        done == of
                    }
                });
                let ms = moments.below(80);
                std::thread::sleep(Duration::from_millis(ms));
                format!("{ms} ms after head office decided the push")
            }
        };
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        let (out, stdout, err) = finished(sync_over_ssh(&w, &site_key, served.port));
        assert!(out.status.success(), "round {round}: {stdout}{err}");
        eprintln!(
            "round {round}: the branch killed {when}; then {}",
            stdout.lines().next().unwrap_or_default()
        );
        let status: serde_json::Value =
            serde_json::from_str(&ok(&w.branch(), &["sync", "status", "--json"])).unwrap();
        assert_eq!(status["pending"], 0, "round {round}: {status}");
        assert_eq!(status["conflicts"], 0, "round {round}: {status}");
    }
    served.stop();
    assert_eq!(at_hq(&w), branch_seqs(&w));
    assert_eq!(at_hq(&w).len(), ROUNDS * ENTRIES);
    paid.sort();
    paid.dedup();
    converged(&w, &paid);
}
