//! Workflows through the built binary: users, approval rules, lock, tow and waiver
//! applications, tow registration, outside commands and notifications.

use std::path::PathBuf;
use std::process::Command;

const TODAY: &str = "2026-03-31";

struct Book {
    dir: tempfile::TempDir,
    config: Option<PathBuf>,
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

impl Book {
    fn run(&self, user: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_duedesk"));
        cmd.args(["--as", user])
            .args(args)
            .env("DUEDESK_DB", self.dir.path().join("db"))
            .env("DUEDESK_TODAY", TODAY);
        // Never read the developer's own configuration.
        cmd.env(
            "DUEDESK_CONFIG",
            self.config
                .clone()
                .unwrap_or_else(|| self.dir.path().join("none.toml")),
        );
        if self.config.is_none() {
            std::fs::write(self.dir.path().join("none.toml"), "").unwrap();
        }
        let o = cmd.output().unwrap();
        Run {
            code: o.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&o.stdout).into_owned(),
            err: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    fn ok(&self, user: &str, args: &[&str]) -> String {
        let r = self.run(user, args);
        assert_eq!(r.code, 0, "{user}: duedesk {args:?}: {}{}", r.out, r.err);
        r.out
    }

    fn refused(&self, user: &str, args: &[&str]) -> String {
        let r = self.run(user, args);
        assert_eq!(
            r.code, 1,
            "{user}: duedesk {args:?} should be refused: {}{}",
            r.out, r.err
        );
        r.err
    }

    fn json(&self, user: &str, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(user, args)).unwrap()
    }

    fn id(&self, user: &str, args: &[&str]) -> String {
        self.json(user, args)["id"].as_str().unwrap().to_string()
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }

    fn with_config(mut self, text: &str) -> Book {
        let p = self.dir.path().join("config.toml");
        std::fs::write(&p, text).unwrap();
        self.config = Some(p);
        self
    }
}

/// Customers of 合肥 (collector wangjun) and 滁州 (collector liqiang); users: zhao (approver,
/// 合肥), qian (approver, 滁州), cw (finance), neiqin (clerk, 合肥).
fn book() -> Book {
    let b = Book {
        dir: tempfile::tempdir().unwrap(),
        config: None,
    };
    b.ok(
        "admin",
        &["rate", "set", "--daily", "0.0005", "--from", "2025-01-01"],
    );
    let cu = b.file("cu.csv", "customer_id,name,phone,id_number,address,branch,collector\nC1,张伟,1,,合肥,合肥,wangjun\nC2,李娜,2,,滁州,滁州,liqiang\n");
    let co = b.file("co.csv", "contract_no,customer_id,signed_on,model,serial,financed_amount,penalty_rate,grace_days\nH1,C1,2025-06-01,SY75C,SY0001,200000,,\nH2,C2,2025-06-01,ZL50GN,ZL0002,100000,,\n");
    let inst = b.file("in.csv", "contract_no,seq,due_date,principal,interest\nH1,1,2025-10-15,90000,10000\nH1,2,2026-04-15,90000,10000\nH2,1,2026-03-01,45000,5000\n");
    for (kind, path) in [
        ("customers", &cu),
        ("contracts", &co),
        ("installments", &inst),
    ] {
        b.ok("admin", &["import", kind, path]);
    }
    for (name, roles, branch) in [
        ("zhao", "approver", "合肥"),
        ("qian", "approver", "滁州"),
        ("cw", "finance", "合肥"),
        ("neiqin", "clerk", "合肥"),
    ] {
        b.ok(
            "admin",
            &["user", "add", name, "--role", roles, "--branch", branch],
        );
    }
    b
}

/// wangjun applies to tow H1's machine; the application's id.
fn tow_on_h1(b: &Book) -> String {
    b.id(
        "wangjun",
        &[
            "tow",
            "apply",
            "--contract",
            "H1",
            "--reason",
            "r",
            "--json",
        ],
    )
}

const RULES: &str = r#"
[[rule]]
name = "long overdue tow"
document = "tow"
min_days_overdue = 90
chain = ["role:approver", "role:finance"]

[[rule]]
name = "tow"
document = "tow"
chain = ["role:approver"]

[[rule]]
name = "lock"
document = "lock"
chain = ["role:approver"]

[[rule]]
name = "unlock"
document = "unlock"
chain = ["user:cw"]

[[rule]]
name = "waiver"
document = "waiver"
chain = ["role:finance"]

[[rule]]
name = "outbound"
document = "outbound"
chain = ["role:finance"]

[[rule]]
name = "budget"
document = "budget"
chain = ["role:finance"]

[[rule]]
name = "contract"
document = "contract"
chain = ["role:finance"]
"#;

#[test]
fn the_tow_lifecycle_end_to_end() {
    let b = book();
    let rules = b.file("rules.toml", RULES);
    b.ok("admin", &["rules", "check", &rules]);
    b.ok("admin", &["rules", "set", &rules]);
    assert_eq!(b.json("admin", &["rules", "show", "--json"])["version"], 1);

    // H1 is 167 days overdue: the long-overdue rule applies, two steps.
    let id = b.id(
        "wangjun",
        &[
            "tow",
            "apply",
            "--contract",
            "H1",
            "--reason",
            "失联三个月",
            "--location",
            "合肥市肥西县工地",
            "--json",
        ],
    );
    let a = b.json("wangjun", &["approval", "show", &id, "--json"]);
    assert_eq!(a["rule_name"], "long overdue tow");
    assert_eq!(a["days_overdue"], 167);
    assert_eq!(a["overdue_amount"], "100000.00");
    assert_eq!(
        a["chain"],
        serde_json::json!(["role:approver", "role:finance"])
    );
    assert_eq!(a["current_step"], "role:approver");

    // 滁州's approver may not decide a 合肥 application; 合肥's may, and it is in his inbox.
    let mine = b.json("zhao", &["approval", "list", "--mine", "--json"]);
    assert_eq!(mine[0]["id"], id.as_str());
    assert!(
        b.json("qian", &["approval", "list", "--mine", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let err = b.refused("qian", &["approval", "approve", &id]);
    assert!(
        err.contains("approval.decide") && err.contains("role:approver"),
        "{err}"
    );
    let inbox = b.json("zhao", &["inbox", "--json"]);
    assert!(
        inbox[0]["text"]
            .as_str()
            .unwrap()
            .contains("waits for your decision"),
        "{inbox}"
    );

    b.ok(
        "zhao",
        &["approval", "approve", &id, "--comment", "风险可控，同意"],
    );
    // Not registrable before the last step.
    let err = b.refused(
        "neiqin",
        &[
            "tow",
            "register",
            &id,
            "--crew",
            "老王,小李",
            "--date",
            "2026-04-02",
            "--location",
            "肥西",
        ],
    );
    assert!(err.contains("in_review"), "{err}");
    b.ok("cw", &["approval", "approve", &id]);
    assert_eq!(
        b.json("admin", &["tow", "show", &id, "--json"])["stage"],
        "approved"
    );
    let board = b.json("neiqin", &["tow", "board", "--json"]);
    assert_eq!(board[0]["id"], id.as_str());

    // A collector may not register; the clerk does, and the collector hears of it.
    let err = b.refused(
        "wangjun",
        &[
            "tow",
            "register",
            &id,
            "--crew",
            "老王",
            "--date",
            "2026-04-02",
            "--location",
            "肥西",
        ],
    );
    assert!(err.contains("tow.register"), "{err}");
    b.ok(
        "neiqin",
        &[
            "tow",
            "register",
            &id,
            "--crew",
            "老王,小李",
            "--date",
            "2026-04-02",
            "--location",
            "肥西县",
            "--note",
            "带拖车",
        ],
    );
    let t = b.json("neiqin", &["tow", "show", &id, "--json"]);
    assert_eq!(t["stage"], "scheduled");
    assert_eq!(t["tow"]["crew"], serde_json::json!(["老王", "小李"]));
    let inbox = b.json("wangjun", &["inbox", "--json"]);
    assert!(
        inbox.as_array().unwrap().iter().any(|n| n["text"]
            .as_str()
            .unwrap()
            .contains("registered for 2026-04-02")),
        "{inbox}"
    );

    let err = b.refused(
        "neiqin",
        &[
            "tow",
            "register",
            &id,
            "--crew",
            "x",
            "--date",
            "2026-04-02",
            "--location",
            "x",
        ],
    );
    assert!(err.contains("already registered"), "{err}");
    b.ok(
        "neiqin",
        &[
            "tow",
            "complete",
            &id,
            "--date",
            "2026-04-02",
            "--yard",
            "合肥一号场",
            "--condition",
            "完好",
            "--cost",
            "3500",
        ],
    );
    let t = b.json("neiqin", &["tow", "show", &id, "--json"]);
    assert_eq!(t["stage"], "done");
    assert_eq!(t["tow"]["cost"], "3500.00");
    let ticket = b.json("admin", &["ticket", "show", "H1", "--json"]);
    assert_eq!(ticket["state"], "repossessed");
    assert_eq!(ticket["machine"], "towed");
    // A repossessed contract leaves the overdue list.
    let overdue = b.json("admin", &["overdue", "--json"]);
    assert!(
        overdue
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["contract_no"] != "H1"),
        "{overdue}"
    );
    // The audit trail has every step, who and what.
    let audit = b.json("admin", &["audit", "H1", "--json"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "contract.import",
        "tow.apply",
        "approval.decide",
        "tow.register",
    ] {
        assert!(actions.contains(&expected), "{actions:?}");
    }
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "zhao")
    );
}

#[test]
fn a_failed_tow_is_recorded_with_its_reason() {
    let b = book();
    let id = b.id(
        "liqiang",
        &[
            "tow",
            "apply",
            "--contract",
            "H2",
            "--reason",
            "r",
            "--json",
        ],
    );
    b.ok("qian", &["approval", "approve", &id]);
    b.ok(
        "admin",
        &[
            "tow",
            "register",
            &id,
            "--crew",
            "老王",
            "--date",
            "2026-04-02",
            "--location",
            "滁州",
        ],
    );
    b.ok(
        "admin",
        &["tow", "fail", &id, "--reason", "客户阻挠，机器已转移"],
    );
    let t = b.json("admin", &["tow", "show", &id, "--json"]);
    assert_eq!(t["stage"], "failed");
    assert_eq!(t["tow"]["failure"], "客户阻挠，机器已转移");
    assert_eq!(
        b.json("admin", &["ticket", "show", "H2", "--json"])["state"],
        "active"
    );
}

#[test]
fn rejection_resubmission_and_withdrawal() {
    let b = book();
    let id = b.id(
        "wangjun",
        &[
            "lock",
            "apply",
            "--contract",
            "H1",
            "--reason",
            "多次催收无果",
            "--json",
        ],
    );
    let err = b.refused("zhao", &["approval", "reject", &id, "--comment", ""]);
    assert!(err.contains("comment"), "{err}");
    b.ok(
        "zhao",
        &["approval", "reject", &id, "--comment", "先上门一次"],
    );
    let a = b.json("wangjun", &["approval", "show", &id, "--json"]);
    assert_eq!(a["stage"], "rejected");
    assert!(
        b.json("wangjun", &["inbox", "--json"])[0]["text"]
            .as_str()
            .unwrap()
            .contains("rejected: 先上门一次")
    );
    // Only the applicant resubmits; the chain starts again.
    let err = b.refused("zhao", &["approval", "resubmit", &id]);
    assert!(err.contains("approval.applicant"), "{err}");
    b.ok(
        "wangjun",
        &[
            "approval",
            "resubmit",
            &id,
            "--reason",
            "已上门，客户仍拒绝还款",
        ],
    );
    let a = b.json("wangjun", &["approval", "show", &id, "--json"]);
    assert_eq!(a["stage"], "in_review");
    assert_eq!(a["reason"], "已上门，客户仍拒绝还款");
    let actions: Vec<&str> = a["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["submitted", "rejected", "resubmitted"]);
    b.ok("wangjun", &["approval", "withdraw", &id]);
    assert_eq!(
        b.json("wangjun", &["approval", "show", &id, "--json"])["stage"],
        "withdrawn"
    );
    let err = b.refused("zhao", &["approval", "approve", &id]);
    assert!(err.contains("not waiting for a decision"), "{err}");
    // Withdrawn, it no longer blocks a new application.
    b.ok(
        "wangjun",
        &["lock", "apply", "--contract", "H1", "--reason", "again"],
    );
}

#[test]
fn a_rule_change_in_flight_does_not_change_the_chain() {
    let b = book();
    let id = tow_on_h1(&b);
    assert_eq!(
        b.json("admin", &["approval", "show", &id, "--json"])["chain"],
        serde_json::json!(["role:approver"])
    );
    let rules = b.file("rules.toml", RULES);
    b.ok("admin", &["rules", "set", &rules]);
    let a = b.json("admin", &["approval", "show", &id, "--json"]);
    assert_eq!(a["rule_version"], 0);
    assert_eq!(a["chain"], serde_json::json!(["role:approver"]));
    b.ok("zhao", &["approval", "approve", &id]);
    assert_eq!(
        b.json("admin", &["approval", "show", &id, "--json"])["stage"],
        "approved"
    );
    // A new application is decided under version 1.
    let id2 = b.id(
        "liqiang",
        &[
            "tow",
            "apply",
            "--contract",
            "H2",
            "--reason",
            "r",
            "--json",
        ],
    );
    assert_eq!(
        b.json("admin", &["approval", "show", &id2, "--json"])["rule_version"],
        1
    );
}

#[test]
fn nobody_approves_their_own_application() {
    let b = book();
    // zhao collects and approves in 合肥: he may apply for a 合肥 lock, never approve it.
    b.ok(
        "admin",
        &["user", "roles", "zhao", "--set", "collector,approver"],
    );
    b.ok(
        "admin",
        &[
            "user", "add", "sun", "--role", "approver", "--branch", "合肥",
        ],
    );
    let id = b.id(
        "zhao",
        &[
            "lock",
            "apply",
            "--contract",
            "H1",
            "--reason",
            "r",
            "--json",
        ],
    );
    let err = b.refused("zhao", &["approval", "approve", &id]);
    assert!(err.contains("own application"), "{err}");
    assert!(
        b.json("zhao", &["approval", "list", "--mine", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    b.ok("sun", &["approval", "approve", &id]);
    assert_eq!(
        b.json("admin", &["approval", "show", &id, "--json"])["stage"],
        "approved"
    );
}

#[test]
fn lock_with_a_lock_command_that_succeeds_and_one_that_fails() {
    let dir = tempfile::tempdir().unwrap();
    let order = dir.path().join("order.json");
    let ok = book().with_config(&format!("lock_command = \"cat > {}\"\n", order.display()));
    let id = ok.id(
        "wangjun",
        &[
            "lock",
            "apply",
            "--contract",
            "H1",
            "--reason",
            "r",
            "--json",
        ],
    );
    let err = ok.refused("neiqin", &["lock", "execute", &id]);
    assert!(err.contains("in_review"), "{err}");
    ok.ok("zhao", &["approval", "approve", &id]);
    let out = ok.ok("neiqin", &["lock", "execute", &id]);
    assert!(
        out.contains("machine locked") && out.contains("succeeded"),
        "{out}"
    );
    let sent: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&order).unwrap()).unwrap();
    assert_eq!(sent["order"], "lock");
    assert_eq!(sent["contract_no"], "H1");
    assert_eq!(
        ok.json("admin", &["ticket", "show", "H1", "--json"])["machine"],
        "locked"
    );
    let a = ok.json("admin", &["approval", "show", &id, "--json"]);
    assert_eq!(a["command_status"], 0);
    // A locked machine cannot be locked again; it can be applied for unlock.
    let err = ok.refused(
        "wangjun",
        &["lock", "apply", "--contract", "H1", "--reason", "r"],
    );
    assert!(err.contains("machine is locked"), "{err}");

    let failing = book().with_config("lock_command = \"cat > /dev/null; exit 3\"\n");
    let id = failing.id(
        "wangjun",
        &[
            "lock",
            "apply",
            "--contract",
            "H1",
            "--reason",
            "r",
            "--json",
        ],
    );
    failing.ok("zhao", &["approval", "approve", &id]);
    let err = failing.refused("neiqin", &["lock", "execute", &id]);
    assert!(
        err.contains("failed with status 3") && err.contains("stays approved"),
        "{err}"
    );
    // Nothing changed on the machine; the failed run is recorded; it can be run again.
    assert_eq!(
        failing.json("admin", &["ticket", "show", "H1", "--json"])["machine"],
        "normal"
    );
    let a = failing.json("admin", &["approval", "show", &id, "--json"]);
    assert_eq!(a["stage"], "approved");
    assert_eq!(a["failed_commands"], serde_json::json!([3]));
}

#[test]
fn unlock_goes_to_the_named_user() {
    let b = book();
    let rules = b.file("rules.toml", RULES);
    b.ok("admin", &["rules", "set", &rules]);
    let lock = b.id(
        "wangjun",
        &[
            "lock",
            "apply",
            "--contract",
            "H1",
            "--reason",
            "r",
            "--json",
        ],
    );
    b.ok("zhao", &["approval", "approve", &lock]);
    b.ok("neiqin", &["lock", "execute", &lock]);
    let unlock = b.id(
        "wangjun",
        &[
            "lock",
            "unlock",
            "--contract",
            "H1",
            "--reason",
            "已还款",
            "--json",
        ],
    );
    let err = b.refused("zhao", &["approval", "approve", &unlock]);
    assert!(err.contains("user:cw"), "{err}");
    b.ok("cw", &["approval", "approve", &unlock]);
    b.ok("neiqin", &["lock", "execute", &unlock]);
    assert_eq!(
        b.json("admin", &["ticket", "show", "H1", "--json"])["machine"],
        "normal"
    );
}

#[test]
fn a_failing_notify_command_neither_loses_nor_blocks() {
    let b = book().with_config("notify_command = \"cat > /dev/null; exit 1\"\n");
    let id = tow_on_h1(&b);
    let r = b.run("zhao", &["approval", "approve", &id]);
    assert_eq!(r.code, 0, "the workflow goes on: {}", r.err);
    assert!(r.err.contains("notify_command failed"), "{}", r.err);
    assert_eq!(
        b.json("admin", &["approval", "show", &id, "--json"])["stage"],
        "approved"
    );
    let inbox = b.json("zhao", &["inbox", "--json"]);
    let n = &inbox[0];
    assert!(
        n["text"]
            .as_str()
            .unwrap()
            .contains("waits for your decision")
    );
    assert_eq!(n["delivery"], "failed");
    assert!(n["delivery_error"].as_str().unwrap().contains("status 1"));
    assert_eq!(
        b.json("wangjun", &["inbox", "--json"])[0]["delivery"],
        "failed"
    );
    // Reading the inbox still works and marks it read.
    b.ok("zhao", &["inbox", "--read-all"]);
    assert_eq!(b.json("zhao", &["inbox", "--json"])[0]["read"], true);
}

#[test]
fn a_working_notify_command_gets_every_notification_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sms.log");
    let b = book().with_config(&format!(
        "notify_command = \"cat >> {0}; echo >> {0}\"\n",
        log.display()
    ));
    let id = tow_on_h1(&b);
    b.ok("zhao", &["approval", "approve", &id]);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .any(|n| n["user"] == "zhao" && n["application"] == id.as_str()),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|n| n["user"] == "wangjun" && n["text"].as_str().unwrap().contains("approved")),
        "{lines:?}"
    );
    assert_eq!(
        b.json("zhao", &["inbox", "--json"])[0]["delivery"],
        "delivered"
    );
}

#[test]
fn waivers_follow_the_chain_and_grant_on_the_last_step() {
    let b = book();
    let pay = b.id(
        "admin",
        &[
            "payment",
            "record",
            "--contract",
            "H2",
            "--amount",
            "50000",
            "--received-on",
            "2026-03-21",
            "--json",
        ],
    );
    b.ok("cw", &["payment", "confirm", &pay]);
    // 50,000 unpaid 2 Mar … 21 Mar = 20 days × 25.00 = 500.00 of penalty.
    let t = b.json("admin", &["ticket", "show", "H2", "--json"]);
    assert_eq!(t["penalty_outstanding"], "500.00");
    let id = b.id(
        "liqiang",
        &[
            "waiver",
            "apply",
            "--contract",
            "H2",
            "--amount",
            "500",
            "--reason",
            "客户困难",
            "--json",
        ],
    );
    let err = b.refused(
        "liqiang",
        &[
            "waiver",
            "apply",
            "--contract",
            "H2",
            "--amount",
            "1",
            "--reason",
            "x",
        ],
    );
    assert!(err.contains("still in_review"), "{err}");
    b.ok("cw", &["waiver", "approve", &id]);
    let t = b.json("admin", &["ticket", "show", "H2", "--json"]);
    assert_eq!(t["penalty_waived"], "500.00");
    assert_eq!(t["applications"][0]["stage"], "done");
    b.ok("liqiang", &["settle", "H2"]);
}

#[test]
fn rules_files_are_checked_before_anything_changes() {
    let b = book();
    let bad = b.file(
        "bad.toml",
        "[[rule]]\nname = \"x\"\ndocument = \"tow\"\nbranch = \"合肥\"\nchain = [\"role:boss\"]\n",
    );
    let err = b.refused("admin", &["rules", "check", &bad]);
    assert!(
        err.contains("bad.toml:1: chain: 'boss' is not a role"),
        "{err}"
    );
    let no_default = b.file("nd.toml", "[[rule]]\nname = \"x\"\ndocument = \"tow\"\nbranch = \"合肥\"\nchain = [\"role:approver\"]\n");
    let err = b.refused("admin", &["rules", "set", &no_default]);
    assert!(
        err.contains("document type tow: the last rule must have no conditions"),
        "{err}"
    );
    assert_eq!(b.json("admin", &["rules", "show", "--json"])["version"], 0);
    let rules = b.file("rules.toml", RULES);
    let err = b.refused("cw", &["rules", "set", &rules]);
    assert!(err.contains("rules.set"), "{err}");
    let err = b.refused("admin", &["rules", "check", "/nonexistent/r.toml"]);
    assert!(err.contains("/nonexistent/r.toml: cannot be read"), "{err}");
}

#[test]
fn users_roles_and_disabling() {
    let b = book();
    let err = b.refused("admin", &["user", "add", "zhao", "--role", "clerk"]);
    assert!(err.contains("already exists"), "{err}");
    let err = b.refused("admin", &["user", "add", "x", "--role", "boss"]);
    assert!(err.contains("'boss' is not a role"), "{err}");
    b.ok(
        "admin",
        &[
            "user",
            "add",
            "wang",
            "--role",
            "clerk,approver",
            "--branch",
            "武汉",
            "--display",
            "王军",
        ],
    );
    let users = b.json("admin", &["user", "list", "--json"]);
    let wang = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "wang")
        .unwrap();
    assert_eq!(wang["roles"], serde_json::json!(["clerk", "approver"]));
    assert_eq!(wang["display"], "王军");
    let err = b.refused("neiqin", &["user", "list"]);
    assert!(err.contains("user.list"), "{err}");
    b.ok("admin", &["user", "disable", "wang"]);
    let err = b.refused("wang", &["overdue"]);
    assert!(err.contains("wang"), "{err}");
    let err = b.refused("nobody", &["overdue"]);
    assert!(err.contains("user nobody does not exist"), "{err}");
}

#[test]
fn the_readme_configuration_example_is_valid() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme
        .find("### Configuration")
        .expect("README has a Configuration section")..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let b = book().with_config(example);
    b.ok("admin", &["settings"]);
    let broken = book().with_config(&example.replace("lang = ", "langauge = "));
    let err = broken.refused("admin", &["settings"]);
    assert!(err.contains("line 2") && err.contains("langauge"), "{err}");
}

/// A user's preferred language: set by themself or an admin, listed, and the language their
/// inbox and their notify_command texts are worded in. The CLI's refusals stay English.
#[test]
fn a_user_reads_notifications_in_their_language() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sms.log");
    let b = book().with_config(&format!(
        "notify_command = \"cat >> {0}; echo >> {0}\"\n",
        log.display()
    ));
    b.ok("wangjun", &["user", "lang", "wangjun", "zh"]);
    let err = b.refused("zhao", &["user", "lang", "wangjun", "en"]);
    assert!(
        err.contains("missing permission user.lang (held by: wangjun themself, admin)"),
        "{err}"
    );
    b.ok("admin", &["user", "lang", "zhao", "en"]);
    let r = b.run("admin", &["user", "lang", "zhao", "fr"]);
    assert_eq!(r.code, 2, "a usage error: {}", r.err);
    let users = b.json("admin", &["user", "list", "--json"]);
    let lang_of = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == name)
            .unwrap()["lang"]
            .clone()
    };
    assert_eq!(lang_of("wangjun"), "zh");
    assert_eq!(lang_of("zhao"), "en");
    assert_eq!(lang_of("qian"), serde_json::Value::Null);
    let table = b.ok("admin", &["user", "list"]);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("wangjun") && l.trim_end().ends_with("zh")),
        "{table}"
    );

    let id = tow_on_h1(&b);
    b.ok("zhao", &["approval", "approve", &id]);
    let inbox = b.ok("wangjun", &["inbox"]);
    assert!(
        inbox.contains(&format!("拖机申请 {id}（合同 H1）已批准")),
        "{inbox}"
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let text_to = |user: &str| {
        lines
            .iter()
            .find(|n| n["user"] == user)
            .map(|n| n["text"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("nothing to {user}: {lines:?}"))
    };
    assert_eq!(
        text_to("wangjun"),
        format!("拖机申请 {id}（合同 H1）已批准")
    );
    assert_eq!(
        text_to("zhao"),
        format!("tow {id} on contract H1 waits for your decision")
    );
    // Refusals on the command line stay English whatever the user's language.
    let err = b.refused("wangjun", &["settle", "H9"]);
    assert!(err.contains("contract H9 does not exist"), "{err}");
}
