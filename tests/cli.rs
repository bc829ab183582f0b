//! The built binary on a temporary database: the whole flow, and every bad-input path.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Book {
    dir: tempfile::TempDir,
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

impl Book {
    fn new() -> Book {
        Book {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("db")
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn run_on(&self, today: &str, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_duedesk"))
            .args(args)
            .env("DUEDESK_DB", self.db())
            .env("DUEDESK_TODAY", today)
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&output.stdout).into_owned(),
            err: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn ok(&self, today: &str, args: &[&str]) -> String {
        let r = self.run_on(today, args);
        assert_eq!(r.code, 0, "duedesk {args:?} failed: {}{}", r.out, r.err);
        r.out
    }

    fn refused(&self, today: &str, args: &[&str]) -> String {
        let r = self.run_on(today, args);
        assert_eq!(
            r.code, 1,
            "duedesk {args:?} should be refused with 1: {}{}",
            r.out, r.err
        );
        assert!(!r.err.trim().is_empty(), "a refusal says why on stderr");
        assert!(!r.err.contains("panicked"), "{}", r.err);
        r.err
    }

    fn json(&self, today: &str, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(today, args)).unwrap()
    }

    fn import(&self, kind: &str, name: &str, text: &str) -> Run {
        let path = self.file(name, text.as_bytes());
        self.run_on(TODAY, &["import", kind, path.to_str().unwrap()])
    }
}

const TODAY: &str = "2026-03-31";

const CUSTOMERS: &str = "customer_id,name,phone,id_number,address,branch,collector
C1,张伟,13800000001,340101199001011234,合肥市蜀山区,合肥,wangjun
C2,李娜,13800000002,,滁州市南谯区,滁州,liqiang
";
const CONTRACTS: &str =
    "contract_no,customer_id,signed_on,model,serial,financed_amount,penalty_rate,grace_days
H1,C1,2026-01-01,SY75C,SY0001,10000,,
H2,C2,2026-01-01,ZL50GN,ZL0002,20000,0.0006,3
";
const INSTALLMENTS: &str = "contract_no,seq,due_date,principal,interest
H1,1,2026-02-15,9000,1000
H2,1,2026-02-01,9000,1000
H2,2,2026-03-01,9000,1000
";

/// Two customers, two contracts, the global rate 0.0005 from 2025.
fn book() -> Book {
    let b = Book::new();
    b.ok(
        TODAY,
        &["rate", "set", "--daily", "0.0005", "--from", "2025-01-01"],
    );
    for (kind, name, text) in [
        ("customers", "cu.csv", CUSTOMERS),
        ("contracts", "co.csv", CONTRACTS),
        ("installments", "in.csv", INSTALLMENTS),
    ] {
        let r = b.import(kind, name, text);
        assert_eq!(r.code, 0, "{}", r.err);
    }
    b
}

fn money(v: &serde_json::Value) -> &str {
    v.as_str().expect("money in JSON is a string")
}

#[test]
fn a_late_payment_costs_fourteen_days_of_penalty() {
    let b = book();
    let created = b.json(
        TODAY,
        &[
            "payment",
            "record",
            "--contract",
            "H1",
            "--amount",
            "10000",
            "--received-on",
            "2026-03-01",
            "--json",
        ],
    );
    let id = created["id"].as_str().unwrap().to_string();
    // Pending: it counts for nothing yet.
    let t = b.json(TODAY, &["ticket", "show", "H1", "--json"]);
    assert_eq!(money(&t["pending_payments"]), "10000.00");
    assert_eq!(money(&t["overdue_amount"]), "10000.00");
    // Confirmed on the 31st, it counts from 1 March: 16 Feb … 1 Mar = 14 days × 5.00.
    b.ok(TODAY, &["payment", "confirm", &id]);
    let t = b.json(TODAY, &["ticket", "show", "H1", "--json"]);
    assert_eq!(money(&t["penalty_accrued"]), "70.00");
    assert_eq!(money(&t["overdue_amount"]), "0.00");
    assert_eq!(t["days_overdue"], 0);
    assert_eq!(t["customer"]["name"], "张伟");
    assert_eq!(t["as_of"], "2026-03-31");
    let inst = &t["installments"][0];
    for key in [
        "seq",
        "due_date",
        "principal_due",
        "interest_due",
        "principal_outstanding",
        "interest_outstanding",
        "days_overdue",
    ] {
        assert!(!inst[key].is_null(), "installment JSON has {key}");
    }
    for key in [
        "bucket",
        "penalty_waived",
        "penalty_paid",
        "penalty_outstanding",
        "total_outstanding",
        "contacts",
        "promises",
    ] {
        assert!(!t[key].is_null(), "ticket JSON has {key}");
    }
}

#[test]
fn overdue_lists_most_days_first_with_filters_and_json() {
    let b = book();
    let rows = b.json(TODAY, &["overdue", "--json"]);
    let rows = rows.as_array().unwrap();
    // H2: 1 Feb unpaid → 58 days; H1: 15 Feb unpaid → 44 days.
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["contract_no"], "H2");
    assert_eq!(rows[0]["days_overdue"], 58);
    assert_eq!(rows[1]["days_overdue"], 44);
    assert_eq!(rows[0]["bucket"], "31-60");
    // H2 at its own 0.0006: 28 days × 6.00 + 30 days × 12.00 = 528.00.
    assert_eq!(money(&rows[0]["penalty_outstanding"]), "528.00");
    let hefei = b.json(TODAY, &["overdue", "--branch", "合肥", "--json"]);
    assert_eq!(hefei.as_array().unwrap().len(), 1);
    assert_eq!(hefei[0]["contract_no"], "H1");
    let none = b.json(TODAY, &["overdue", "--bucket", "181+", "--json"]);
    assert!(none.as_array().unwrap().is_empty());
    let by_collector = b.json(TODAY, &["overdue", "--collector", "liqiang", "--json"]);
    assert_eq!(by_collector[0]["contract_no"], "H2");
    // As of an earlier date: an installment due on that date is not yet overdue.
    let early = b.json(TODAY, &["overdue", "--as-of", "2026-02-15", "--json"]);
    assert_eq!(early.as_array().unwrap().len(), 1);
    assert_eq!(early[0]["contract_no"], "H2");
    let human = b.ok(TODAY, &["overdue"]);
    assert!(
        human.contains("李娜") && human.contains("¥20,000.00"),
        "{human}"
    );
}

#[test]
fn waiver_then_settlement() {
    let b = book();
    let id = b.json(
        TODAY,
        &[
            "payment",
            "record",
            "--contract",
            "H1",
            "--amount",
            "10000",
            "--received-on",
            "2026-03-01",
            "--json",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    b.ok(TODAY, &["payment", "confirm", &id]);
    let err = b.refused(TODAY, &["settle", "H1"]);
    assert!(
        err.contains("H1") && err.contains("penalty 70.00 outstanding"),
        "{err}"
    );
    // The collector applies; the built-in rules send waivers to finance.
    b.ok(
        TODAY,
        &[
            "user",
            "add",
            "cw",
            "--role",
            "finance",
            "--display",
            "陈雯",
        ],
    );
    let w = b.json(
        TODAY,
        &[
            "--as",
            "wangjun",
            "waiver",
            "apply",
            "--contract",
            "H1",
            "--amount",
            "70",
            "--reason",
            "客户已还清本息",
            "--json",
        ],
    );
    let wid = w["id"].as_str().unwrap().to_string();
    let err = b.refused(TODAY, &["--as", "wangjun", "waiver", "approve", &wid]);
    assert!(
        err.contains("approval.decide") && err.contains("own application"),
        "{err}"
    );
    let err = b.refused(TODAY, &["waiver", "approve", &wid]);
    assert!(err.contains("role:finance"), "{err}");
    b.ok(
        TODAY,
        &["--as", "cw", "waiver", "approve", &wid, "--comment", "同意"],
    );
    let t = b.json(TODAY, &["ticket", "show", "H1", "--json"]);
    assert_eq!(money(&t["penalty_waived"]), "70.00");
    assert_eq!(money(&t["penalty_outstanding"]), "0.00");
    assert!(b.ok(TODAY, &["settle", "H1"]).contains("settled"));
    let t = b.json(TODAY, &["ticket", "show", "H1", "--json"]);
    assert_eq!(t["state"], "settled");
    let err = b.refused(
        TODAY,
        &[
            "payment",
            "record",
            "--contract",
            "H1",
            "--amount",
            "1",
            "--received-on",
            TODAY,
        ],
    );
    assert!(err.contains("settled"), "{err}");
}

#[test]
fn waiver_refused_while_overdue_and_above_outstanding() {
    let b = book();
    let err = b.refused(
        TODAY,
        &[
            "waiver",
            "apply",
            "--contract",
            "H2",
            "--amount",
            "10",
            "--reason",
            "x",
        ],
    );
    assert!(err.contains("overdue"), "{err}");
    let id = b.json(
        TODAY,
        &[
            "payment",
            "record",
            "--contract",
            "H1",
            "--amount",
            "10000",
            "--received-on",
            "2026-03-01",
            "--json",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    b.ok(TODAY, &["payment", "confirm", &id]);
    let err = b.refused(
        TODAY,
        &[
            "waiver",
            "apply",
            "--contract",
            "H1",
            "--amount",
            "70.01",
            "--reason",
            "x",
        ],
    );
    assert!(
        err.contains("more than the penalty outstanding 70.00"),
        "{err}"
    );
}

#[test]
fn accrue_is_idempotent_and_catches_up() {
    let b = book();
    let first = b.ok("2026-03-10", &["accrue"]);
    assert!(first.contains("through 2026-03-10"), "{first}");
    let again = b.ok("2026-03-10", &["accrue"]);
    assert!(
        again.contains("already accrued through 2026-03-10"),
        "{again}"
    );
    let later = b.ok(TODAY, &["accrue"]);
    assert!(
        later.contains("from 2026-03-10 through 2026-03-31"),
        "{later}"
    );
    let s = b.json(TODAY, &["settings", "--json"]);
    assert_eq!(s["accrued_through"], "2026-03-31");
    // Overdue contracts got their collection tickets, dated the day they went overdue.
    let t = b.json(TODAY, &["ticket", "show", "H2", "--json"]);
    assert_eq!(t["ticket_opened_on"], "2026-02-02");
}

#[test]
fn contacts_and_promises_on_the_ticket() {
    let b = book();
    b.ok(
        "2026-03-20",
        &[
            "contact",
            "add",
            "H2",
            "--channel",
            "call",
            "--result",
            "客户承诺月底还款",
            "--promise-date",
            "2026-03-25",
            "--promise-amount",
            "5000",
        ],
    );
    let t = b.json("2026-03-25", &["ticket", "show", "H2", "--json"]);
    assert_eq!(t["contacts"][0]["channel"], "call");
    assert_eq!(t["promises"][0]["state"], "due");
    // Broken the day after its date.
    let t = b.json("2026-03-26", &["ticket", "show", "H2", "--json"]);
    assert_eq!(t["promises"][0]["state"], "broken");
    let rows = b.json("2026-03-26", &["overdue", "--json"]);
    assert_eq!(rows[0]["promise"], "broken");
    assert_eq!(rows[0]["last_contact"], "2026-03-20");
    let err = b.refused(
        TODAY,
        &[
            "contact",
            "add",
            "H2",
            "--channel",
            "visit",
            "--result",
            "x",
            "--promise-date",
            "2026-03-01",
            "--promise-amount",
            "5",
        ],
    );
    assert!(err.contains("promise date"), "{err}");
}

#[test]
fn rebuild_reproduces_the_same_figures() {
    let b = book();
    b.ok(
        TODAY,
        &[
            "payment",
            "record",
            "--contract",
            "H2",
            "--amount",
            "4000",
            "--received-on",
            "2026-03-05",
        ],
    );
    b.ok(TODAY, &["payment", "confirm", "P1"]);
    b.ok(TODAY, &["accrue"]);
    let before = b.ok(TODAY, &["ticket", "show", "H2", "--json"]);
    let out = b.ok(TODAY, &["rebuild"]);
    assert!(out.contains("journal entries"), "{out}");
    assert_eq!(b.ok(TODAY, &["ticket", "show", "H2", "--json"]), before);
}

#[test]
fn bad_csv_rows_import_nothing_and_are_all_reported() {
    let b = book();
    let bad = "contract_no,received_on,amount,method,reference
H1,2026-03-01,100.00,cash,
H9,2026-03-01,100.00,cash,
H1,2026-13-01,100.00,cash,
H1,2026-03-02,12.345,cash,
H1,2026-04-30,5,cash,
H1,2026-03-02,-5,cash,
";
    let r = b.import("payments", "pay.csv", bad);
    assert_eq!(r.code, 1, "{}", r.err);
    let lines: Vec<&str> = r.err.lines().collect();
    assert_eq!(lines.len(), 5, "one line per bad row: {}", r.err);
    assert!(
        r.err
            .contains("pay.csv:3: contract_no: H9 is not in the book"),
        "{}",
        r.err
    );
    assert!(r.err.contains("pay.csv:4: received_on:"), "{}", r.err);
    assert!(
        r.err.contains("pay.csv:5: amount:") && r.err.contains("more than two decimals"),
        "{}",
        r.err
    );
    assert!(
        r.err
            .contains("pay.csv:6: received_on: 2026-04-30 is after today"),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("pay.csv:7: amount:") && r.err.contains("negative"),
        "{}",
        r.err
    );
    // Nothing was imported, not even the good first row.
    let t = b.json(TODAY, &["ticket", "show", "H1", "--json"]);
    assert!(t["payments"].as_array().unwrap().is_empty());
}

#[test]
fn import_errors_name_the_column_and_reference() {
    let b = book();
    let r = b.import("contracts", "c.csv", "contract_no,customer_id,signed_on,model,serial,financed_amount,penalty_rate,grace_days\nH1,C1,2026-01-01,SY75C,S,100,,\nH3,C9,2026-01-01,SY75C,S,abc,2,x\n");
    assert_eq!(r.code, 1);
    for expected in [
        "c.csv:2: contract_no: H1 already exists",
        "c.csv:3: customer_id: C9 is not in the book",
        "c.csv:3: financed_amount:",
        "c.csv:3: penalty_rate:",
        "c.csv:3: grace_days:",
    ] {
        assert!(
            r.err.contains(expected),
            "missing '{expected}' in {}",
            r.err
        );
    }
    let r = b.import("customers", "h.csv", "customer_id,name\nC5,王芳\n");
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("h.csv:1: header: missing column(s) phone"),
        "{}",
        r.err
    );
    let r = b.import(
        "installments",
        "i.csv",
        "contract_no,seq,due_date,principal,interest\nH1,1,2026-05-15,1,1\nH1,0,2026-05-15,1,1\n",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .contains("i.csv:2: seq: installment 1 of H1 already exists"),
        "{}",
        r.err
    );
    assert!(r.err.contains("i.csv:3: seq:"), "{}", r.err);
    let r = b.import(
        "payments",
        "ragged.csv",
        "contract_no,received_on,amount,method,reference\nH1,2026-03-01\n",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("ragged.csv:2: row: cannot be read"),
        "{}",
        r.err
    );
    let r = b.import(
        "payments",
        "empty.csv",
        "contract_no,received_on,amount,method,reference\n",
    );
    assert_eq!(r.code, 1);
    assert!(r.err.contains("no data rows"), "{}", r.err);
    let missing = b.run_on(TODAY, &["import", "payments", "/nonexistent/p.csv"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.err.contains("/nonexistent/p.csv: cannot be read"),
        "{}",
        missing.err
    );
}

#[test]
fn gb18030_and_bom_files_import() {
    let b = Book::new();
    let (gb, _, _) = encoding_rs::GB18030.encode(CUSTOMERS);
    let path = b.file("gb.csv", &gb);
    b.ok(TODAY, &["import", "customers", path.to_str().unwrap()]);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(CONTRACTS.as_bytes());
    let path = b.file("bom.csv", &bom);
    b.ok(TODAY, &["import", "contracts", path.to_str().unwrap()]);
    let path = b.file("in.csv", INSTALLMENTS.as_bytes());
    b.ok(TODAY, &["import", "installments", path.to_str().unwrap()]);
    let t = b.json(TODAY, &["ticket", "show", "H2", "--json"]);
    assert_eq!(t["customer"]["name"], "李娜");
    assert_eq!(t["customer"]["branch"], "滁州");
    // Forcing the wrong encoding is refused with advice.
    let path = b.file("gb2.csv", &gb);
    let err = b.refused(
        TODAY,
        &[
            "import",
            "customers",
            path.to_str().unwrap(),
            "--encoding",
            "utf-8",
        ],
    );
    assert!(err.contains("gb18030"), "{err}");
}

#[test]
fn bad_command_input_is_refused_with_status_1() {
    let b = book();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "payment",
                "record",
                "--contract",
                "H1",
                "--amount",
                "abc",
                "--received-on",
                TODAY,
            ],
            "--amount",
        ),
        (
            &[
                "payment",
                "record",
                "--contract",
                "H1",
                "--amount",
                "0",
                "--received-on",
                TODAY,
            ],
            "more than 0",
        ),
        (
            &[
                "payment",
                "record",
                "--contract",
                "H1",
                "--amount",
                "5",
                "--received-on",
                "31/03/2026",
            ],
            "--received-on",
        ),
        (
            &[
                "payment",
                "record",
                "--contract",
                "H1",
                "--amount",
                "5",
                "--received-on",
                "2026-04-01",
            ],
            "after today",
        ),
        (
            &[
                "payment",
                "record",
                "--contract",
                "NOPE",
                "--amount",
                "5",
                "--received-on",
                TODAY,
            ],
            "contract NOPE does not exist",
        ),
        (&["payment", "confirm", "P77"], "payment P77 does not exist"),
        (
            &["payment", "void", "P77", "--reason", "dup"],
            "payment P77 does not exist",
        ),
        (
            &["rate", "set", "--daily", "-1", "--from", TODAY],
            "negative",
        ),
        (
            &["rate", "set", "--daily", "0.0005", "--from", "yesterday"],
            "--from",
        ),
        (
            &[
                "rate",
                "set",
                "--daily",
                "0.0005",
                "--from",
                TODAY,
                "--contract",
                "H404",
            ],
            "contract H404 does not exist",
        ),
        (
            &["grace", "set", "--days", "400"],
            "grace days 400: give 0 to 365",
        ),
        (&["ticket", "show", "H404"], "contract H404 does not exist"),
        (&["settle", "H2"], "principal 18000.00 outstanding"),
        (
            &["waiver", "approve", "A9"],
            "application A9 does not exist",
        ),
        (&["accrue", "--through", "2026-02-30"], "--through"),
        (&["overdue", "--as-of", "x"], "--as-of"),
        (&["--as", "nobody", "overdue"], "user nobody does not exist"),
        (
            &["--as", "wangjun", "payment", "confirm", "P1"],
            "payment.confirm",
        ),
        // Out of scope reads as not there (it must not say whether H2 exists).
        (
            &["--as", "wangjun", "ticket", "show", "H2"],
            "contract H2 does not exist or is not yours to see",
        ),
        (
            &[
                "--as", "wangjun", "rate", "set", "--daily", "0.1", "--from", TODAY,
            ],
            "settings.rate",
        ),
    ];
    for (args, expected) in cases {
        let err = b.refused(TODAY, args);
        assert!(
            err.contains(expected),
            "duedesk {args:?}: expected '{expected}' in: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    // Nothing above changed the book.
    let t = b.json(TODAY, &["ticket", "show", "H1", "--json"]);
    assert!(t["payments"].as_array().unwrap().is_empty());
}

#[test]
fn payment_confirm_twice_and_void_flow() {
    let b = book();
    b.ok(
        TODAY,
        &[
            "payment",
            "record",
            "--contract",
            "H2",
            "--amount",
            "100",
            "--received-on",
            TODAY,
        ],
    );
    let pending = b.json(TODAY, &["payment", "list", "--json"]);
    assert_eq!(pending[0]["id"], "P1");
    assert_eq!(money(&pending[0]["amount"]), "100.00");
    b.ok(TODAY, &["payment", "confirm", "P1"]);
    let err = b.refused(TODAY, &["payment", "confirm", "P1"]);
    assert!(err.contains("payment P1 is confirmed"), "{err}");
    let usage = b.run_on(TODAY, &["payment", "void", "P1"]);
    assert_eq!(usage.code, 2, "a missing --reason is a usage error");
    b.ok(TODAY, &["payment", "void", "P1", "--reason", "bounced"]);
    let t = b.json(TODAY, &["ticket", "show", "H2", "--json"]);
    assert_eq!(t["payments"][0]["status"], "void");
    assert_eq!(money(&t["overdue_amount"]), "20000.00");
}

#[test]
fn usage_errors_exit_2() {
    let b = Book::new();
    for args in [
        &["frobnicate"][..],
        &["payment", "record"],
        &["overdue", "--bucket", "7-8"],
        &["import", "things", "x.csv"],
    ] {
        let r = b.run_on(TODAY, args);
        assert_eq!(r.code, 2, "duedesk {args:?}: {}", r.err);
    }
}

#[test]
fn a_newer_database_is_refused() {
    let b = book();
    {
        let store = duedesk::store::Store::open(Path::new(&b.db())).unwrap();
        store
            .set_schema_version(duedesk::store::SCHEMA_VERSION + 1)
            .unwrap();
    }
    let err = b.refused(TODAY, &["overdue"]);
    assert!(err.contains("newer than this duedesk understands"), "{err}");
}

#[test]
fn statutory_order_pays_penalty_before_principal() {
    let b = book();
    b.ok(TODAY, &["allocation", "set", "statutory"]);
    b.ok(
        TODAY,
        &[
            "payment",
            "record",
            "--contract",
            "H1",
            "--amount",
            "1100",
            "--received-on",
            "2026-03-01",
        ],
    );
    b.ok(TODAY, &["payment", "confirm", "P1"]);
    let t = b.json(TODAY, &["ticket", "show", "H1", "--json"]);
    // Interest 1000.00 first, then the penalty of 14 days × 5.00 = 70.00, then 30.00 principal.
    assert_eq!(money(&t["penalty_paid"]), "70.00");
    assert_eq!(money(&t["installments"][0]["interest_outstanding"]), "0.00");
    assert_eq!(
        money(&t["installments"][0]["principal_outstanding"]),
        "8970.00"
    );
    b.ok(TODAY, &["allocation", "set", "default"]);
    let t = b.json(TODAY, &["ticket", "show", "H1", "--json"]);
    // Default order: all 1100.00 to the due installment: 1000.00 interest, 100.00 principal.
    assert_eq!(money(&t["penalty_paid"]), "0.00");
    assert_eq!(
        money(&t["installments"][0]["principal_outstanding"]),
        "8900.00"
    );
}

#[test]
fn a_database_open_elsewhere_is_refused_plainly() {
    let b = book();
    let _held = duedesk::store::Store::open(&b.db()).unwrap();
    let err = b.refused(TODAY, &["overdue"]);
    assert!(err.contains("is open in another duedesk process"), "{err}");
}

#[test]
fn rebuild_is_the_admins() {
    let t = Book::new();
    t.ok(TODAY, &["user", "add", "wangjun", "--role", "collector"]);
    let err = t.refused(TODAY, &["--as", "wangjun", "rebuild"]);
    assert!(err.contains("rebuild") && err.contains("admin"), "{err}");
    let out = t.ok(TODAY, &["rebuild"]);
    assert!(out.contains("rebuilt"), "{out}");
}

/// No raw control character (but newline) on either stream.
fn assert_clean(r: &Run) {
    for (name, text) in [("stdout", &r.out), ("stderr", &r.err)] {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "a control character reached {name}: {text:?}"
        );
    }
}

#[test]
fn control_characters_are_refused_at_every_input_naming_the_field() {
    let b = book();
    // An imported name that would write the reader's clipboard and clear their screen.
    let r = b.import(
        "customers",
        "evil.csv",
        "customer_id,name,phone,id_number,address,branch,collector\nC9,\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J,,,,合肥,wangjun\n",
    );
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err
            .contains("evil.csv:2: name: holds the control character U+001B"),
        "{}",
        r.err
    );
    assert_clean(&r);
    // Typed on the command line: the note and the result, each named.
    let contact = |result: &str, note: &str| {
        b.run_on(
            TODAY,
            &[
                "contact",
                "add",
                "H1",
                "--channel",
                "call",
                "--result",
                result,
                "--note",
                note,
            ],
        )
    };
    let r = contact("answered", "see \u{1b}]8;;http://x\u{7}link");
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("note: holds the control character U+001B"),
        "{}",
        r.err
    );
    assert_clean(&r);
    let r = contact("ok\u{9b}2J", "");
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("result: holds the control character U+009B"),
        "{}",
        r.err
    );
    // A tab in a note is fine.
    assert_eq!(contact("answered", "called\tno answer").code, 0);
    // A waiver's reason, an approval's comment: the same check, in the app.
    let r = b.run_on(
        TODAY,
        &[
            "waiver",
            "apply",
            "--contract",
            "H1",
            "--amount",
            "1",
            "--reason",
            "x\u{7f}",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("reason: holds the control character U+007F"),
        "{}",
        r.err
    );
    // A config file with an escape in a string: refused at its line.
    let config = b.file(
        "config.toml",
        b"theme = \"default\"\nlock_command = \"echo \\u001b[2J\"\n",
    );
    let r = b.run_on(TODAY, &["--config", config.to_str().unwrap(), "overdue"]);
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("line 2") && r.err.contains("U+001B"),
        "{}",
        r.err
    );
}

#[test]
fn output_never_carries_control_characters_from_input() {
    let b = book();
    // A name echoed in a refusal.
    let r = b.run_on(
        TODAY,
        &["--as", "x\u{1b}[2J\u{1b}]52;c;AA==\u{7}", "overdue"],
    );
    assert_eq!(r.code, 1);
    assert!(r.err.contains("does not exist"), "{}", r.err);
    assert_clean(&r);
    // NUL bytes from a file, in a date and a header.
    let r = b.import(
        "payments",
        "nul.csv",
        "contract_no,received_on,amount,method,reference\nH1,2026-03-0\u{0}1,100,cash,R1\n",
    );
    assert_eq!(r.code, 1);
    assert!(r.err.contains("received_on"), "{}", r.err);
    assert_clean(&r);
    let r = b.run_on(
        TODAY,
        &[
            "payment",
            "record",
            "--contract",
            "H1",
            "--amount",
            "1\u{1b}[2J0",
            "--received-on",
            TODAY,
        ],
    );
    assert_eq!(r.code, 1);
    assert!(r.err.contains("--amount"), "{}", r.err);
    assert_clean(&r);
}

#[test]
fn amounts_dates_and_commas_are_checked_at_every_input_naming_the_field() {
    let b = book();
    let record = |amount: &str, on: &str| {
        let on = format!("--received-on={on}");
        b.run_on(
            TODAY,
            &[
                "payment",
                "record",
                "--contract",
                "H1",
                "--amount",
                amount,
                &on,
                "--json",
            ],
        )
    };
    // A decimal comma must not book a hundred times the money.
    for bad in ["12,34", "1,2,3", "1234,5"] {
        let r = record(bad, TODAY);
        assert_eq!(r.code, 1, "{bad}: {}", r.out);
        assert!(
            r.err.contains("--amount") && r.err.contains("comma"),
            "{bad}: {}",
            r.err
        );
    }
    let r = record("1,234.50", TODAY);
    assert_eq!(r.code, 0, "{}", r.err);
    let pending = b.json(TODAY, &["payment", "list", "--json"]);
    assert!(pending.to_string().contains("\"1234.50\""), "{pending}");
    // Above the largest amount: refused, naming the field, never a panic (exit 101).
    let r = record("999,999,999,999.99", TODAY);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err.contains("--amount") && r.err.contains("largest"),
        "{}",
        r.err
    );
    let r = b.import(
        "installments",
        "big.csv",
        "contract_no,seq,due_date,principal,interest\nH1,2,2026-03-15,999999999999.99,0\n",
    );
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err.contains("big.csv:2: principal:") && r.err.contains("largest"),
        "{}",
        r.err
    );
    // Dates outside the range, each input naming its field.
    for day in ["0000-01-01", "1000-01-01", "-0001-01-01", "9999-12-31"] {
        let r = record("1", day);
        assert_eq!(r.code, 1, "{day}");
        assert!(r.err.contains("--received-on"), "{day}: {}", r.err);
    }
    let r = b.run_on(
        TODAY,
        &[
            "contract",
            "add",
            "--contract-no",
            "H7",
            "--customer-id",
            "C1",
            "--signed-on",
            "0000-01-01",
            "--model",
            "SY75C",
            "--financed-amount",
            "1000",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("--signed-on") && r.err.contains("1990-01-01"),
        "{}",
        r.err
    );
    let r = b.import(
        "machines",
        "m.csv",
        "serial,model,type,yard,arrived_on\nSY9,SY75C,excavator,合肥,1000-01-01\n",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("m.csv:2: arrived_on:") && r.err.contains("outside"),
        "{}",
        r.err
    );
    // Accruing past today cannot be undone: refused.
    for (through, why) in [("9999-12-31", "outside"), ("2026-04-01", "after today")] {
        let r = b.run_on(TODAY, &["accrue", "--through", through]);
        assert_eq!(r.code, 1, "{through}: {}", r.out);
        assert!(r.err.contains("--through"), "{}", r.err);
        assert!(r.err.contains(why), "{through}: {}", r.err);
    }
    assert_eq!(b.run_on(TODAY, &["accrue", "--through", TODAY]).code, 0);
}

#[cfg(unix)]
#[test]
fn the_database_is_its_owners_alone_and_a_readable_one_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let b = book();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&b.db()), 0o700);
    for entry in std::fs::read_dir(b.db()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    let r = b.run_on(TODAY, &["overdue"]);
    assert!(!r.err.contains("warning"), "{}", r.err);
    std::fs::set_permissions(b.db(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = b.run_on(TODAY, &["overdue"]);
    assert_eq!(r.code, 0);
    assert!(
        r.err.contains("can be read by other users") && r.err.contains("chmod 700"),
        "{}",
        r.err
    );
}

#[test]
fn version_names_the_release_and_the_commit() {
    let out = Command::new(env!("CARGO_BIN_EXE_duedesk"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = format!("duedesk {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(text.starts_with(&expected), "{text}");
    let commit = text[expected.len()..].trim_end().trim_end_matches(')');
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{text}"
    );
}

/// The fund budget from the command line: import (all rows or none, every bad row named),
/// submit, approve, a payment booked, `show --json`, a manual line, the league, close.
#[test]
fn budget_import_submit_show_score_and_close() {
    let b = book();
    b.ok(TODAY, &["user", "add", "cw", "--role", "finance"]);
    let bad = b.file(
        "bad.csv",
        "month,branch,kind,category,collector,amount\n2026-03,合肥,collection,,wangjun,5000\n2026-13,合肥,spending,food,,1\n".as_bytes(),
    );
    let err = b.refused(TODAY, &["budget", "import", bad.to_str().unwrap()]);
    assert!(
        err.contains("bad.csv:3: month: '2026-13' is not a month"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:3: category: 'food' is not a category"),
        "{err}"
    );
    let shown = b.json(TODAY, &["budget", "show", "2026-03", "--json"]);
    assert_eq!(
        shown["branches"].as_array().unwrap().len(),
        0,
        "nothing imported"
    );
    let (gb, _, _) = encoding_rs::GB18030.encode(
        "month,branch,kind,category,collector,amount\n2026-03,合肥,collection,,wangjun,5000\n2026-03,合肥,spending,tow,,800\n",
    );
    let good = b.file("budget.csv", &gb);
    let out = b.ok(TODAY, &["budget", "import", good.to_str().unwrap()]);
    assert!(out.contains("2 budget lines imported"), "{out}");
    let submitted = b.json(
        "2026-03-01",
        &["budget", "submit", "2026-03", "--branch", "合肥", "--json"],
    );
    let id = submitted["id"].as_str().unwrap().to_string();
    b.ok("2026-03-01", &["--as", "cw", "approval", "approve", &id]);
    let p = b.json(
        "2026-03-10",
        &[
            "payment",
            "record",
            "--contract",
            "H1",
            "--amount",
            "2000",
            "--received-on",
            "2026-03-10",
            "--json",
        ],
    );
    let p = p["id"].as_str().unwrap().to_string();
    b.ok("2026-03-10", &["--as", "cw", "payment", "confirm", &p]);
    b.ok(
        "2026-03-11",
        &[
            "--as",
            "cw",
            "budget",
            "actual",
            "2026-03",
            "--branch",
            "合肥",
            "--category",
            "travel",
            "--amount",
            "120.50",
            "--reason",
            "出差",
        ],
    );
    let shown = b.json(
        "2026-03-11",
        &["budget", "show", "2026-03", "--branch", "合肥", "--json"],
    );
    let branch = &shown["branches"][0];
    assert_eq!(branch["in_force"], 1);
    assert_eq!(branch["collection_actual"], "2000.00");
    assert_eq!(branch["spending_actual"], "120.50");
    let wang = branch["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["collector"] == "wangjun")
        .unwrap();
    // 2,000.00 by 11 March: 2,000 × 31 / 11 = 5,636.36.
    assert_eq!(wang["pace"], "5636.36");
    assert_eq!(wang["variance"], "-3000.00");
    let human = b.ok("2026-03-11", &["budget", "show", "2026-03"]);
    assert!(human.contains("version 1: approved"), "{human}");
    // wangjun: 2,000 of 5,000 = 40 % → 40.00 points.
    let league = b.json("2026-03-11", &["budget", "score", "2026-03", "--json"]);
    let row = league["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["collector"] == "wangjun")
        .unwrap();
    assert_eq!(row["points"], "40.00");
    let err = b.refused("2026-03-11", &["budget", "close", "2026-03"]);
    assert!(err.contains("is not over yet"), "{err}");
    b.ok("2026-04-01", &["budget", "close", "2026-03"]);
    let err = b.refused(
        "2026-04-01",
        &[
            "budget",
            "actual",
            "2026-03",
            "--branch",
            "合肥",
            "--category",
            "legal",
            "--amount",
            "1",
            "--reason",
            "x",
        ],
    );
    assert!(err.contains("budget month 2026-03 is closed"), "{err}");
    let r = b.run_on(TODAY, &["budget", "show", "2026-3"]);
    assert_eq!(r.code, 2, "{}", r.err);
}
