//! A sync cut off by `kill -9` of either side, then a sync that finishes the job: real
//! processes (the built binary), head office's side run by a stand-in for `ssh` that runs
//! `duedesk sync accept` on head office's database (the same `hq::accept` `sync-serve` runs
//! under `duedesk serve`), so the test needs no OpenSSH and can stop either side at a known
//! point: head office after some parts of a push are applied, or the branch after head
//! office answered and before it pulled the reply.

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
        let mut c = bin();
        c.arg("--db")
            .arg(self.branch())
            .args([
                "sync",
                "ssh://hf-sync@hq.example",
                "--ssh-command",
                &format!("sh {}", self.path("fake-ssh.sh").display()),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            c.env(k, v);
        }
        c.spawn().unwrap()
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

fn kill_9(pid: &str) {
    let status = Command::new("kill").args(["-9", pid]).status().unwrap();
    assert!(status.success(), "kill -9 {pid}");
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
        let mut c = bin();
        c.arg("--db")
            .arg(w.branch())
            .args([
                "sync",
                "ssh://hf-sync@hq.example",
                "--ssh-command",
                &format!("sh {}", w.path("fake-ssh.sh").display()),
            ])
            .stdout(Stdio::null())
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
