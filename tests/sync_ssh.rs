//! `duedesk sync ssh://…` through OpenSSH's real client against `duedesk serve`: a branch's
//! work reaches head office and head office's comes back in one round trip; a login that is
//! not the site's is refused and changes nothing at the branch.

use duedesk::app::{App, Ctx, Mutation};
use duedesk::ssh::{self, ServeOptions};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

const TODAY: &str = "2026-11-30";

fn ctx() -> Ctx {
    Ctx::new("admin", TODAY.parse().unwrap(), 1_796_000_000)
}

fn duedesk(db: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("DUEDESK_TODAY", TODAY)
        .env_remove("DUEDESK_DB")
        .env_remove("DUEDESK_SSH")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn ok(db: &Path, args: &[&str]) -> String {
    let (code, out, err) = duedesk(db, args);
    assert_eq!(code, 0, "duedesk {args:?}: {out}{err}");
    out
}

/// A new key pair for `user`, registered at head office; returns the private key's path.
fn key_for(app: &App, dir: &Path, user: &str) -> std::path::PathBuf {
    let path = dir.join(format!("id_{user}"));
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    let (key, fingerprint) = duedesk::cli::parse_public_key(&public).unwrap();
    app.execute(
        &ctx(),
        Mutation::AddKey {
            user: user.into(),
            key,
            fingerprint,
        },
    )
    .unwrap();
    path
}

fn ssh_command(key: &Path) -> String {
    format!(
        "ssh -i {} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR -o ConnectTimeout=10",
        key.display()
    )
}

#[test]
fn a_branch_syncs_over_openssh() {
    let has = |tool: &str| Command::new(tool).arg("-V").output().is_ok();
    if !has("ssh") || !has("ssh-keygen") {
        eprintln!("SKIPPED: sync over OpenSSH — `ssh`/`ssh-keygen` not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (hq_db, br) = (dir.path().join("hq"), dir.path().join("hf"));
    ok(&hq_db, &["demo", "--contracts", "40", "--no-tui"]);
    ok(
        &hq_db,
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
    let bundle = dir.path().join("bundle");
    ok(
        &hq_db,
        &[
            "sync",
            "clone",
            "--site",
            "合肥",
            "--out",
            bundle.to_str().unwrap(),
        ],
    );
    ok(&br, &["sync", "init", bundle.to_str().unwrap()]);

    let hq = Arc::new(App::open(&hq_db).unwrap());
    let site_key = key_for(&hq, dir.path(), "hf-sync");
    let other_key = key_for(&hq, dir.path(), "lihua");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let opts = ServeOptions {
        listen: "127.0.0.1:0".into(),
        host_key: dir.path().join("host_ed25519"),
        config: duedesk::ui::config::Config::default(),
        ui: duedesk::ui::UiOptions {
            theme: None,
            lang: None,
            config: None,
        },
        today: Some(TODAY.parse().unwrap()),
    };
    let running = rt.block_on(ssh::start(hq.clone(), opts)).unwrap();
    let remote = format!("ssh://hf-sync@127.0.0.1:{}", running.addr.port());

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
        &ctx(),
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
    let (code, _, err) = duedesk(
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
        serde_json::to_value(hq.ticket(&ctx(), &no, TODAY.parse().unwrap()).unwrap()).unwrap();
    assert_eq!(at_branch, at_hq);
    let status: serde_json::Value =
        serde_json::from_str(&ok(&br, &["sync", "status", "--json"])).unwrap();
    assert_eq!(status["pending"], 0);
    rt.block_on(running.stop());
}
