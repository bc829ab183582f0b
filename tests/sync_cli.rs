//! The file route through the built binary: a site added at head office, its bundle, a branch
//! database made from it, a push, its acceptance and the reply pulled; damaged, foreign and
//! repeated files; a refused entry listed as a conflict. And `duedesk sync ssh://…` through
//! OpenSSH's real client against `duedesk serve`.

#[path = "support/openssh.rs"]
mod openssh;

use duedesk::app::{App, Ctx, Mutation};
use duedesk::ssh::{self, ServeOptions};
use openssh::ssh_command;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const TODAY: &str = "2026-11-30";

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn run(db: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("DUEDESK_TODAY", TODAY)
        .env_remove("DUEDESK_DB")
        .env_remove("DUEDESK_SSH")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn ok(db: &Path, args: &[&str]) -> String {
    let r = run(db, args);
    assert_eq!(r.code, 0, "duedesk {args:?} failed: {}{}", r.out, r.err);
    r.out
}

fn refused(db: &Path, args: &[&str]) -> String {
    let r = run(db, args);
    assert_eq!(
        r.code, 1,
        "duedesk {args:?} should be refused: {}{}",
        r.out, r.err
    );
    assert!(r.out.is_empty(), "{}", r.out);
    r.err
}

fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(db, args)).unwrap()
}

struct Sites {
    dir: tempfile::TempDir,
}

impl Sites {
    fn hq(&self) -> PathBuf {
        self.dir.path().join("hq")
    }
    fn branch(&self) -> PathBuf {
        self.dir.path().join("hf")
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn arg(&self, name: &str) -> String {
        self.path(name).to_string_lossy().into_owned()
    }
}

/// Head office with a demo book and site 合肥; the branch made from its bundle.
fn sites() -> Sites {
    let sites = Sites {
        dir: tempfile::tempdir().unwrap(),
    };
    let hq = sites.hq();
    ok(&hq, &["demo", "--contracts", "60", "--no-tui"]);
    let out = ok(
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
    assert!(out.contains("number 2"), "{out}");
    let out = ok(
        &hq,
        &[
            "sync",
            "clone",
            "--site",
            "合肥",
            "--out",
            &sites.arg("bundle"),
        ],
    );
    assert!(out.contains("bytes per contract"), "{out}");
    let out = ok(&sites.branch(), &["sync", "init", &sites.arg("bundle")]);
    assert!(out.contains("site 合肥") && out.contains("HF-"), "{out}");
    sites
}

#[test]
fn the_file_round_trip() {
    let s = sites();
    let (hq, br) = (s.hq(), s.branch());
    let err = refused(&br, &["sync", "init", &s.arg("bundle")]);
    assert!(err.contains("already holds"), "{err}");
    let users = json(&hq, &["user", "list", "--json"]);
    let site_user = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "hf-sync")
        .unwrap();
    assert_eq!(site_user["roles"], serde_json::json!(["site"]));

    // The branch holds 合肥's book only, as head office shows it.
    let lines = json(&br, &["overdue", "--json"]);
    let lines = lines.as_array().unwrap();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l["branch"] == "合肥"));
    assert_eq!(
        json(&hq, &["overdue", "--json", "--branch", "合肥"]),
        json(&br, &["overdue", "--json"])
    );

    // A day's work at the branch by its own users.
    let line = &lines[0];
    let no = line["contract_no"].as_str().unwrap();
    let collector = line["collector"].as_str().unwrap();
    let id = ok(
        &br,
        &[
            "--as",
            collector,
            "payment",
            "record",
            "--contract",
            no,
            "--amount",
            "1000",
            "--received-on",
            TODAY,
        ],
    );
    assert_eq!(id.trim(), "HF-P1");
    ok(
        &br,
        &[
            "--as",
            "neiqin_hf",
            "contact",
            "add",
            no,
            "--channel",
            "call",
            "--result",
            "promised",
        ],
    );
    let status = json(&br, &["sync", "status", "--json"]);
    assert_eq!(status["pending"], 2);
    assert_eq!(status["conflicts"], 0);

    ok(&br, &["sync", "push", "--out", &s.arg("push")]);
    // Head office meanwhile.
    ok(
        &hq,
        &[
            "contact",
            "add",
            no,
            "--channel",
            "visit",
            "--result",
            "met",
        ],
    );

    // Damaged files are refused, saying what is wrong, and change nothing.
    let bytes = std::fs::read(s.path("push")).unwrap();
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    std::fs::write(s.path("flipped"), &flipped).unwrap();
    std::fs::write(s.path("cut"), &bytes[..bytes.len() / 2]).unwrap();
    let before = json(&hq, &["site", "list", "--json"]);
    let err = refused(
        &hq,
        &["sync", "accept", &s.arg("flipped"), "--reply", &s.arg("r")],
    );
    assert!(
        err.contains("corrupted") && err.contains("nothing changed"),
        "{err}"
    );
    let err = refused(
        &hq,
        &["sync", "accept", &s.arg("cut"), "--reply", &s.arg("r")],
    );
    assert!(err.contains("truncated"), "{err}");
    let err = refused(
        &hq,
        &["sync", "accept", &s.arg("bundle"), "--reply", &s.arg("r")],
    );
    assert!(err.contains("expected a push"), "{err}");
    assert_eq!(json(&hq, &["site", "list", "--json"]), before);
    assert!(!s.path("r").exists());

    let out = ok(
        &hq,
        &["sync", "accept", &s.arg("push"), "--reply", &s.arg("reply")],
    );
    assert!(out.contains("2 accepted, 0 rejected"), "{out}");
    // The same push again: nothing applied twice, the same reply.
    let out = ok(
        &hq,
        &[
            "sync",
            "accept",
            &s.arg("push"),
            "--reply",
            &s.arg("reply2"),
        ],
    );
    assert!(
        out.contains("0 accepted, 0 rejected, 2 decided before"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(s.path("reply")).unwrap(),
        std::fs::read(s.path("reply2")).unwrap()
    );
    let err = refused(&br, &["sync", "pull", &s.arg("push")]);
    assert!(err.contains("expected a reply"), "{err}");
    let out = ok(&br, &["sync", "pull", &s.arg("reply")]);
    assert!(out.contains("2 of this branch's entries accepted"), "{out}");
    let out = ok(&br, &["sync", "pull", &s.arg("reply2")]);
    assert!(out.contains("already applied"), "{out}");

    assert_eq!(
        json(&hq, &["ticket", "show", no, "--json"]),
        json(&br, &["ticket", "show", no, "--json"])
    );
    let status = json(&br, &["sync", "status", "--json"]);
    assert_eq!(status["pending"], 0);
    assert!(status["last_sync"].is_string());
    let sites = json(&hq, &["site", "list", "--json"]);
    assert_eq!(sites[0]["name"], "合肥");
    assert_eq!(sites[0]["branches"], serde_json::json!(["合肥"]));
    assert_eq!(sites[0]["conflicts"], 0);
    assert!(sites[0]["last_push"].is_string());
}

#[test]
fn a_refused_entry_is_listed_as_a_conflict() {
    let s = sites();
    let (hq, br) = (s.hq(), s.branch());
    let lines = json(&br, &["overdue", "--json"]);
    let no = lines[0]["contract_no"].as_str().unwrap().to_string();
    let before = json(&hq, &["ticket", "show", &no, "--json"]);
    // The branch's local administrator is no user of its branches at head office.
    ok(
        &br,
        &[
            "payment",
            "record",
            "--contract",
            &no,
            "--amount",
            "77",
            "--received-on",
            TODAY,
        ],
    );
    ok(&br, &["sync", "push", "--out", &s.arg("push")]);
    let out = ok(
        &hq,
        &["sync", "accept", &s.arg("push"), "--reply", &s.arg("reply")],
    );
    assert!(out.contains("0 accepted, 1 rejected"), "{out}");
    ok(&br, &["sync", "pull", &s.arg("reply")]);
    let conflicts = json(&br, &["sync", "conflicts", "--json"]);
    let c = &conflicts[0];
    assert_eq!(c["id"], "2-1");
    assert_eq!(c["kind"], "RecordPayment");
    assert_eq!(c["author"], "admin");
    assert_eq!(c["record"], "HF-P1");
    // The verdict is typed: worded in English and Chinese from its kind.
    assert_eq!(c["refusal"], "Forbidden");
    assert_eq!(c["rejected_by_hq"], true);
    assert_eq!(
        c["reason"],
        "user admin may not do this: missing permission site.sync (held by: users of the branches of site 合肥)"
    );
    assert_eq!(
        c["reason_zh"],
        "用户 admin 无权执行此操作：缺少权限 site.sync（持有者：站点 合肥 所辖网点的用户）"
    );
    assert_eq!(json(&br, &["ticket", "show", &no, "--json"]), before);
    assert_eq!(json(&br, &["sync", "status", "--json"])["conflicts"], 1);
    assert_eq!(json(&hq, &["site", "list", "--json"])[0]["conflicts"], 1);
    let table = ok(&br, &["sync", "conflicts"]);
    assert!(
        table.contains("RecordPayment") && table.contains("HF-P1"),
        "{table}"
    );
    // Not a branch: a clear refusal.
    let err = refused(&hq, &["sync", "status"]);
    assert!(err.contains("sync init"), "{err}");
}

fn admin() -> Ctx {
    Ctx::new("admin", TODAY.parse().unwrap(), 1_796_000_000)
}

/// A new key pair for `user`, registered at head office; returns the private key's path.
fn key_for(app: &App, dir: &Path, user: &str) -> std::path::PathBuf {
    let (path, public) = openssh::keygen(dir, user);
    let (key, fingerprint) = duedesk::cli::parse_public_key(&public).unwrap();
    app.execute(
        &admin(),
        Mutation::AddKey {
            user: user.into(),
            key,
            fingerprint,
        },
    )
    .unwrap();
    path
}

#[test]
fn a_branch_syncs_over_openssh() {
    if !openssh::has_openssh("sync over OpenSSH") {
        return;
    }
    let s = sites();
    let (hq_db, br, dir) = (s.hq(), s.branch(), s.dir.path());
    let hq = Arc::new(App::open(&hq_db).unwrap());
    let site_key = key_for(&hq, dir, "hf-sync");
    let other_key = key_for(&hq, dir, "lihua");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let opts = ServeOptions {
        listen: "127.0.0.1:0".into(),
        host_key: dir.join("host_ed25519"),
        config: duedesk::ui::config::Config::default(),
        ui: duedesk::ui::UiOptions {
            theme: None,
            lang: None,
            config: None,
            follows_calendar: false,
        },
        today: Some(TODAY.parse().unwrap()),
    };
    let running = rt.block_on(ssh::start(hq.clone(), opts)).unwrap();
    let remote = format!("ssh://hf-sync@127.0.0.1:{}", running.addr.port());

    // The bootstrap in one step over SSH gives the same book as the bundle by file.
    let again = dir.join("hf-again");
    let out = ok(
        &again,
        &[
            "sync",
            "init",
            &remote,
            "--site",
            "合肥",
            "--ssh-command",
            &ssh_command(&site_key),
        ],
    );
    assert!(out.contains("site 合肥"), "{out}");
    assert_eq!(
        ok(&again, &["overdue", "--json"]),
        ok(&br, &["overdue", "--json"])
    );

    // Work at both ends.
    let lines: serde_json::Value = serde_json::from_str(&ok(&br, &["overdue", "--json"])).unwrap();
    let no = lines[0]["contract_no"].as_str().unwrap().to_string();
    let collector = lines[0]["collector"].as_str().unwrap().to_string();
    let id = ok(
        &br,
        &[
            "--as",
            &collector,
            "payment",
            "record",
            "--contract",
            &no,
            "--amount",
            "500",
            "--received-on",
            TODAY,
        ],
    );
    assert_eq!(id.trim(), "HF-P1");
    hq.execute(
        &admin(),
        Mutation::AddContact {
            contract: no.clone(),
            channel: duedesk::domain::Channel::Visit,
            result: "met".into(),
            note: "at the site".into(),
            promise: None,
        },
    )
    .unwrap();

    // A login that is not the site's user: refused, nothing changed at the branch.
    let before = ok(&br, &["sync", "status", "--json"]);
    let Run { code, err, .. } = run(
        &br,
        &[
            "sync",
            &remote.replace("hf-sync", "lihua"),
            "--ssh-command",
            &ssh_command(&other_key),
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("site.sync") && err.contains("nothing changed"),
        "{err}"
    );
    let after: serde_json::Value =
        serde_json::from_str(&ok(&br, &["sync", "status", "--json"])).unwrap();
    let before: serde_json::Value = serde_json::from_str(&before).unwrap();
    assert_eq!(after["pending"], before["pending"]);
    assert_eq!(after["last_sync"], before["last_sync"]);

    let out = ok(
        &br,
        &["sync", &remote, "--ssh-command", &ssh_command(&site_key)],
    );
    assert!(
        out.contains("1 entries pushed") && out.contains("1 accepted"),
        "{out}"
    );
    // The contact, and the two keys (users and keys reach every site).
    assert!(out.contains("3 entries of head office applied"), "{out}");
    // The address is remembered; a second sync has nothing to send and nothing to bring.
    let out = ok(&br, &["sync", "--ssh-command", &ssh_command(&site_key)]);
    assert!(out.contains("0 entries pushed"), "{out}");

    let at_branch: serde_json::Value =
        serde_json::from_str(&ok(&br, &["ticket", "show", &no, "--json"])).unwrap();
    let at_hq =
        serde_json::to_value(hq.ticket(&admin(), &no, TODAY.parse().unwrap()).unwrap()).unwrap();
    assert_eq!(at_branch, at_hq);
    let status: serde_json::Value =
        serde_json::from_str(&ok(&br, &["sync", "status", "--json"])).unwrap();
    assert_eq!(status["pending"], 0);
    rt.block_on(running.stop());
}

/// The branch's database holds the machines of its yards (the demo names a yard after its
/// branch: 合肥一号场), none of another's; its salesperson picks from them and adds an
/// accessory (every site has the catalogue), and head office takes the order as it is.
#[test]
fn a_site_holds_its_yards_machines_and_picks_from_them() {
    let s = sites();
    let (hq, br) = (s.hq(), s.branch());
    let stock = |db: &Path| -> Vec<serde_json::Value> {
        json(db, &["stock", "--json"]).as_array().unwrap().clone()
    };
    let (at_hq, here) = (stock(&hq), stock(&br));
    let yard = |m: &serde_json::Value| m["yard"].as_str().unwrap().to_string();
    assert!(!here.is_empty());
    assert!(here.iter().all(|m| yard(m).starts_with("合肥")), "{here:?}");
    let serials = |ms: &[&serde_json::Value]| -> Vec<String> {
        ms.iter().map(|m| m["serial"].to_string()).collect()
    };
    let hq_hf: Vec<&serde_json::Value> = at_hq
        .iter()
        .filter(|m| yard(m).starts_with("合肥"))
        .collect();
    assert_eq!(serials(&here.iter().collect::<Vec<_>>()), serials(&hq_hf));
    assert!(at_hq.len() > here.len());
    // In stock at head office too (another branch's order may hold one of 合肥's machines
    // there: the branch hears of it as a refusal if it picks it).
    let free = |m: &&serde_json::Value| {
        m["state"] == "in_stock"
            && at_hq
                .iter()
                .any(|h| h["serial"] == m["serial"] && h["state"] == "in_stock")
    };

    // An order at the branch picks a machine of its yard of the contract's model.
    let lines = json(&br, &["overdue", "--json"]);
    let (no, serial) = lines
        .as_array()
        .unwrap()
        .iter()
        .find_map(|l| {
            let no = l["contract_no"].as_str()?;
            let ticket = json(&br, &["ticket", "show", no, "--json"]);
            let model = ticket["model"].as_str()?.to_string();
            here.iter()
                .filter(free)
                .find(|m| m["model"] == model.as_str())
                .map(|m| (no.to_string(), m["serial"].as_str().unwrap().to_string()))
        })
        .expect("a contract with a machine of its model in 合肥's yard");
    let order = json(
        &br,
        &[
            "--as",
            "xiaoshou_hf",
            "outbound",
            "create",
            "--contract",
            &no,
            "--json",
        ],
    );
    let id = order["id"].as_str().unwrap().to_string();
    let pick = |order: &str, serial: &str| {
        run(
            &br,
            &[
                "--as",
                "xiaoshou_hf",
                "outbound",
                "pick",
                order,
                "--serial",
                serial,
            ],
        )
    };
    let picked = pick(&id, &serial);
    assert_eq!(picked.code, 0, "{}", picked.err);
    // Another yard's machine is not there to pick.
    let other = at_hq.iter().find(|m| !yard(m).starts_with("合肥")).unwrap()["serial"]
        .as_str()
        .unwrap()
        .to_string();
    let picked = pick(&id, &other);
    assert_eq!(picked.code, 1, "{}", picked.out);
    assert!(picked.err.contains(&other), "{}", picked.err);
    // The accessories are no yard's: the branch has them all.
    ok(
        &br,
        &[
            "--as",
            "xiaoshou_hf",
            "outbound",
            "add-accessory",
            &id,
            "--code",
            "BK-01",
            "--quantity",
            "1",
        ],
    );
    // One of 合肥's machines that another branch's order holds at head office (the demo's
    // drafted contract's) shows in stock here: that order is not the branch's to see. Picked
    // here, head office refuses it, and the branch lists the pick as a conflict.
    let held = here
        .iter()
        .find(|m| m["state"] == "in_stock" && !free(m))
        .expect("the demo's order of another branch holds one of 合肥's machines");
    let held_serial = held["serial"].as_str().unwrap();
    let type_of = |model: &serde_json::Value| {
        at_hq
            .iter()
            .find(|m| &m["model"] == model)
            .map(|m| m["machine_type"].clone())
    };
    ok(
        &br,
        &["export", "contracts", "--out", &s.arg("contracts.csv")],
    );
    let listed = std::fs::read_to_string(s.path("contracts.csv")).unwrap();
    let second = listed
        .lines()
        .skip(1)
        .filter_map(|row| {
            let cells: Vec<&str> = row.split(',').collect();
            Some((cells.first()?.to_string(), cells.get(3)?.to_string()))
        })
        .find(|(other, model)| {
            *other != no && type_of(&serde_json::json!(model)) == Some(held["machine_type"].clone())
        })
        .map(|(other, _)| other)
        .expect("another contract of the held machine's type");
    let order = json(
        &br,
        &[
            "--as",
            "xiaoshou_hf",
            "outbound",
            "create",
            "--contract",
            &second,
            "--json",
        ],
    );
    let second_id = order["id"].as_str().unwrap().to_string();
    let picked = pick(&second_id, held_serial);
    assert_eq!(picked.code, 0, "{}", picked.err);

    ok(&br, &["sync", "push", "--out", &s.arg("push")]);
    let out = ok(
        &hq,
        &["sync", "accept", &s.arg("push"), "--reply", &s.arg("reply")],
    );
    assert!(out.contains("4 accepted, 1 rejected"), "{out}");
    ok(&br, &["sync", "pull", &s.arg("reply")]);
    let conflicts = json(&br, &["sync", "conflicts", "--json"]);
    assert_eq!(conflicts.as_array().unwrap().len(), 1, "{conflicts}");
    assert_eq!(conflicts[0]["kind"], "Pick");
    assert_eq!(conflicts[0]["refusal"], "SerialHeld");
    let order_at = |db: &Path, id: &str| json(db, &["outbound", "show", id, "--json"]);
    assert_eq!(order_at(&br, &id), order_at(&hq, &id));
    assert_eq!(order_at(&br, &second_id), order_at(&hq, &second_id));
    assert_eq!(order_at(&br, &second_id)["serial"], serde_json::Value::Null);
    let machine = |db: &Path| json(db, &["machine", "show", &serial, "--json"]);
    assert_eq!(machine(&hq)["state"], "reserved");
    assert_eq!(machine(&br), machine(&hq));
}
