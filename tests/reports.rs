//! Management reports on small books whose every figure is worked out by hand in the
//! comments. No penalty rate is set unless a test says so, so payments go to installments
//! only and the figures stay easy to redo on paper.

use chrono::NaiveDate;
use duedesk::app::reports::{ReportName, ReportQuery};
use duedesk::app::tabular::{Cell, Report};
use duedesk::app::{App, Ctx, Mutation, NewContract};
use duedesk::domain::approval::DocumentType;
use duedesk::domain::{Channel, Customer, Installment, Money, Promise, Rate, Role};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn on(day: &str) -> Ctx {
    Ctx::new("admin", d(day), 1_780_000_000)
}

struct Book {
    _dir: tempfile::TempDir,
    app: App,
}

impl Book {
    fn new() -> Book {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(&dir.path().join("db")).unwrap();
        let book = Book { _dir: dir, app };
        for (id, collector) in [("C1", "wang"), ("C2", "wang"), ("C3", "li")] {
            book.run(
                "2026-01-01",
                Mutation::PutCustomer(Customer {
                    id: id.into(),
                    name: format!("客户{id}"),
                    phone: String::new(),
                    id_number: String::new(),
                    address: String::new(),
                    branch: "合肥".into(),
                    collector: collector.into(),
                }),
            );
        }
        book
    }

    fn run(&self, day: &str, mutation: Mutation) -> Option<String> {
        self.app.execute(&on(day), mutation).unwrap().id
    }

    fn run_as(&self, user: &str, day: &str, mutation: Mutation) -> Option<String> {
        let ctx = Ctx::new(user, d(day), 1_780_000_000);
        self.app.execute(&ctx, mutation).unwrap().id
    }

    /// A contract signed 2026-01-01 of 1,000.00 installments (principal only) due on `dues`.
    fn contract(&self, no: &str, customer: &str, dues: &[&str]) {
        self.run(
            "2026-01-01",
            Mutation::AddContract(NewContract {
                no: no.into(),
                customer_id: customer.into(),
                signed_on: d("2026-01-01"),
                model: "SY75C".into(),
                serial: format!("S-{no}"),
                financed: m("1000").times(dues.len() as i64),
                penalty_rate: None,
                grace_days: None,
            }),
        );
        let installments = dues
            .iter()
            .enumerate()
            .map(|(i, due)| Installment {
                seq: i as u32 + 1,
                due: d(due),
                principal: m("1000"),
                interest: Money::ZERO,
            })
            .collect();
        self.run(
            "2026-01-01",
            Mutation::AddInstallments {
                contract: no.into(),
                installments,
            },
        );
    }

    fn pay(&self, no: &str, day: &str, amount: &str) {
        self.run(
            day,
            Mutation::RecordPayment {
                id: String::new(),
                contract: no.into(),
                received_on: d(day),
                amount: m(amount),
                method: "transfer".into(),
                reference: String::new(),
                confirmed: true,
            },
        );
    }

    fn contact(&self, no: &str, day: &str, promise: Option<(&str, &str)>) {
        self.run(
            day,
            Mutation::AddContact {
                contract: no.into(),
                channel: Channel::Call,
                result: "reached".into(),
                note: String::new(),
                promise: promise.map(|(date, amount)| Promise {
                    date: d(date),
                    amount: m(amount),
                }),
            },
        );
    }

    fn report(&self, name: ReportName, from: &str, to: &str) -> Report {
        let q = ReportQuery {
            from: d(from),
            to: d(to),
            branch: None,
            collector: None,
        };
        self.app.report(&on(to), name, &q).unwrap()
    }
}

/// The row of `sheet` whose first cells are `key`.
fn row<'a>(report: &'a Report, sheet: &str, key: &[&str]) -> &'a [Cell] {
    let sheet = report
        .sheet(sheet)
        .unwrap_or_else(|| panic!("no sheet {sheet}"));
    sheet
        .rows
        .iter()
        .find(|r| key.iter().zip(r.iter()).all(|(k, c)| c.plain() == *k))
        .unwrap_or_else(|| panic!("no row {key:?} in {}", sheet.name))
}

/// The named cells of a row, as plain text.
fn cells(report: &Report, sheet: &str, key: &[&str], columns: &[&str]) -> Vec<String> {
    let r = row(report, sheet, key);
    let s = report.sheet(sheet).unwrap();
    columns
        .iter()
        .map(|c| {
            let i = s
                .columns
                .iter()
                .position(|x| x == c)
                .unwrap_or_else(|| panic!("{c}"));
            r[i].plain()
        })
        .collect()
}

/// A, B, C (1,000.00 installments):
/// - A (C1, wang): due 01-15, 02-15, 03-15; never pays.
/// - B (C2, wang): due 01-15, 02-15, 03-15; pays 1,000 on 02-10 and 2,000 on 03-20.
/// - C (C3, li):   due 02-15, 03-15, 04-15; never pays.
fn abc() -> Book {
    let b = Book::new();
    b.contract("A", "C1", &["2026-01-15", "2026-02-15", "2026-03-15"]);
    b.contract("B", "C2", &["2026-01-15", "2026-02-15", "2026-03-15"]);
    b.contract("C", "C3", &["2026-02-15", "2026-03-15", "2026-04-15"]);
    b.pay("B", "2026-02-10", "1000");
    b.pay("B", "2026-03-20", "2000");
    b
}

#[test]
fn roll_rates_across_three_month_ends() {
    // Month ends 01-31, 02-28, 03-31.
    // 01-31: A 16 days (1-30, balance 3,000); B 16 days (1-30, 3,000); C current (3,000).
    // 02-28: A 44 days (31-60); B paid the first, 13 days on the second (1-30, 2,000);
    //        C 13 days (1-30, 3,000).
    // 03-31: A 75 days (61-90); B paid everything (current); C 44 days (31-60).
    let r = abc().report(ReportName::RollRates, "2026-02-01", "2026-03-31");
    let cols = [
        "contracts",
        "balance",
        "cured",
        "stayed",
        "worse",
        "worse_share",
        "stayed_share",
        "cured_share",
    ];
    // February: of 6,000 in 1-30, A's 3,000 rolled worse and B's 3,000 stayed.
    assert_eq!(
        cells(&r, "rolls", &["2026-02", "1-30"], &cols),
        [
            "2", "6000.00", "0.00", "3000.00", "3000.00", "0.5000", "0.5000", "0.0000"
        ]
    );
    // February: C's 3,000 rolled from current to 1-30.
    assert_eq!(
        cells(&r, "rolls", &["2026-02", "current"], &cols),
        [
            "1", "3000.00", "0.00", "0.00", "3000.00", "1.0000", "0.0000", "0.0000"
        ]
    );
    // March: of 5,000 in 1-30, B's 2,000 was cured and C's 3,000 rolled worse.
    assert_eq!(
        cells(&r, "rolls", &["2026-03", "1-30"], &cols),
        [
            "2", "5000.00", "2000.00", "0.00", "3000.00", "0.6000", "0.0000", "0.4000"
        ]
    );
    // March: A's 3,000 rolled from 31-60 to 61-90.
    assert_eq!(
        cells(&r, "rolls", &["2026-03", "31-60"], &cols),
        [
            "1", "3000.00", "0.00", "0.00", "3000.00", "1.0000", "0.0000", "0.0000"
        ]
    );
    assert_eq!(
        cells(&r, "rolls", &["2026-03", "current"], &["contracts"]),
        ["0"]
    );
}

#[test]
fn aging_now_and_by_month() {
    let r = abc().report(ReportName::Aging, "2026-02-01", "2026-03-31");
    let cols = ["contracts", "overdue_amount", "balance", "share_of_overdue"];
    // As of 03-31: B current (balance 0), C 31-60 (2,000 overdue of 3,000), A 61-90 (3,000).
    assert_eq!(
        cells(&r, "buckets", &["current"], &cols),
        ["1", "0.00", "0.00", "0.0000"]
    );
    assert_eq!(
        cells(&r, "buckets", &["31-60"], &cols),
        ["1", "2000.00", "3000.00", "0.4000"]
    );
    assert_eq!(
        cells(&r, "buckets", &["61-90"], &cols),
        ["1", "3000.00", "3000.00", "0.6000"]
    );
    let trend = ["contracts_overdue", "1-30", "31-60", "61-90", "total"];
    // 02-28: A 31-60 with 2,000 overdue; B and C 1-30 with 1,000 each.
    assert_eq!(
        cells(&r, "trend", &["2026-02"], &trend),
        ["3", "2000.00", "2000.00", "0.00", "4000.00"]
    );
    assert_eq!(
        cells(&r, "trend", &["2026-03"], &trend),
        ["2", "0.00", "2000.00", "3000.00", "5000.00"]
    );
    assert_eq!(
        cells(&r, "by_collector", &["合肥", "wang"], &trend),
        ["1", "0.00", "0.00", "3000.00", "3000.00"]
    );
    assert_eq!(cells(&r, "by_branch", &["合肥"], &["total"]), ["5000.00"]);
}

#[test]
fn collection_performance_per_collector() {
    let b = abc();
    b.contact("A", "2026-03-05", None);
    b.contact("A", "2026-03-06", Some(("2026-03-20", "500"))); // broken: A never pays
    b.contact("B", "2026-03-10", Some(("2026-03-25", "2000"))); // kept: 2,000 on 03-20
    b.contact("C", "2026-02-20", None); // before the period
    let r = b.report(ReportName::Collection, "2026-03-01", "2026-03-31");
    let cols = [
        "contacts",
        "promises",
        "promised_amount",
        "kept",
        "kept_amount",
        "broken",
        "owed",
        "collected",
        "collected_share",
        "overdue_at_start",
        "cured",
        "cure_rate",
    ];
    // wang: owed in March = A (2,000 overdue at 02-28 + 1,000 due 03-15) + B (1,000 + 1,000)
    // = 5,000; collected B's 2,000 (40 %); A and B overdue at the start, B cured (50 %).
    assert_eq!(
        cells(&r, "by_collector", &["合肥", "wang"], &cols),
        [
            "3", "2", "2500.00", "1", "2000.00", "1", "5000.00", "2000.00", "0.4000", "2", "1",
            "0.5000"
        ]
    );
    // li: C owed 1,000 overdue + 1,000 due 03-15, paid nothing.
    assert_eq!(
        cells(&r, "by_collector", &["合肥", "li"], &cols),
        [
            "0", "0", "0.00", "0", "0.00", "0", "2000.00", "0.00", "0.0000", "1", "0", "0.0000"
        ]
    );
    assert_eq!(
        cells(
            &r,
            "by_branch",
            &["合肥"],
            &["owed", "collected", "cure_rate"]
        ),
        ["7000.00", "2000.00", "0.3333"]
    );
}

#[test]
fn forecast_on_three_contracts_with_weights_from_the_book() {
    // X: due 01-15 … 05-15, paid on each due date through 03-15.
    // Y: due 01-15 … 04-15, pays 1,000 on 02-20 and 1,000 on 03-20.
    // Z: due 01-15 … 04-15, never pays; promises 800 by 04-20.
    let b = Book::new();
    b.contract(
        "X",
        "C1",
        &[
            "2026-01-15",
            "2026-02-15",
            "2026-03-15",
            "2026-04-15",
            "2026-05-15",
        ],
    );
    b.contract(
        "Y",
        "C2",
        &["2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15"],
    );
    b.contract(
        "Z",
        "C3",
        &["2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15"],
    );
    for day in ["2026-01-15", "2026-02-15", "2026-03-15"] {
        b.pay("X", day, "1000");
    }
    b.pay("Y", "2026-02-20", "1000");
    b.pay("Y", "2026-03-20", "1000");
    b.contact("Z", "2026-03-25", Some(("2026-04-20", "800")));
    let r = b.report(ReportName::Forecast, "2026-03-01", "2026-03-31");
    // Weights from the whole months before March (only February has contracts at its start):
    // current: X owed 1,000 in February and paid it → 1.
    // 1-30: Y owed 1,000 overdue + 1,000 due 02-15 and paid 1,000; Z owed 2,000, paid 0
    //       → 1,000 / 4,000 = 0.25.
    // 61-90: no history → 0.
    let w = ["owed", "collected", "weight"];
    assert_eq!(
        cells(&r, "weights", &["current"], &w),
        ["1000.00", "1000.00", "1.0000"]
    );
    assert_eq!(
        cells(&r, "weights", &["1-30"], &w),
        ["4000.00", "1000.00", "0.2500"]
    );
    assert_eq!(
        cells(&r, "weights", &["61-90"], &w),
        ["0.00", "0.00", "0.0000"]
    );
    // As of 03-31: X current (04-15, 05-15 to come); Y 1-30 (03-15 overdue, 04-15 to come);
    // Z 61-90 (3,000 overdue, 04-15 to come).
    // April: X 1,000 × 1 + Y 2,000 × 0.25 + Z 4,000 × 0 = 1,500 of 7,000; promised 800.
    let cols = ["kind", "scheduled", "expected", "promised", "actual"];
    assert_eq!(
        cells(&r, "by_month", &["2026-04"], &cols),
        ["forecast", "7000.00", "1500.00", "800.00", ""]
    );
    assert_eq!(
        cells(&r, "by_month", &["2026-05"], &cols),
        ["forecast", "1000.00", "1000.00", "0.00", ""]
    );
    assert_eq!(
        cells(&r, "by_month", &["2026-06"], &cols),
        ["forecast", "0.00", "0.00", "0.00", ""]
    );
    // What came in: January X's 1,000; February X's and Y's 1,000 each.
    assert_eq!(
        cells(&r, "by_month", &["2026-01"], &cols),
        ["actual", "", "", "", "1000.00"]
    );
    assert_eq!(
        cells(&r, "by_month", &["2026-02"], &cols),
        ["actual", "", "", "", "2000.00"]
    );
    let months = &r.sheet("by_month").unwrap().rows;
    assert_eq!(months.len(), 24, "12 months back, 12 ahead");
}

#[test]
fn penalty_income_by_month() {
    // 1 % a day on P's one installment of 1,000.00 due 01-10: 10.00 a day from 01-11.
    // Through 01-31: 21 days = 210.00. Paid 1,000 on 02-15 (to the installment): 15 more
    // days in February = 150.00. 300.00 on 03-10 goes to the penalty; 60.00 waived in March.
    let b = Book::new();
    b.run(
        "2026-01-01",
        Mutation::SetRate {
            contract: None,
            from: d("2025-01-01"),
            daily: Rate::parse("0.01").unwrap(),
        },
    );
    b.run(
        "2026-01-01",
        Mutation::AddUser {
            name: "fin".into(),
            display: "财务".into(),
            roles: vec![Role::Finance],
            branch: None,
        },
    );
    b.contract("P", "C1", &["2026-01-10"]);
    b.pay("P", "2026-02-15", "1000");
    b.pay("P", "2026-03-10", "300");
    let waiver = b
        .run(
            "2026-03-12",
            Mutation::ApplyWaiver {
                id: String::new(),
                contract: "P".into(),
                amount: m("60"),
                reason: "goodwill".into(),
            },
        )
        .unwrap();
    b.run_as(
        "fin",
        "2026-03-12",
        Mutation::Approve {
            id: waiver,
            comment: String::new(),
        },
    );
    let r = b.report(ReportName::Penalty, "2026-02-01", "2026-03-31");
    let cols = ["accrued", "waived", "collected", "outstanding"];
    // Outstanding at 02-28: 210 + 150 = 360; at 03-31: 360 − 300 − 60 = 0.
    assert_eq!(
        cells(&r, "by_month", &["2026-02"], &cols),
        ["150.00", "0.00", "0.00", "360.00"]
    );
    assert_eq!(
        cells(&r, "by_month", &["2026-03"], &cols),
        ["0.00", "60.00", "300.00", "0.00"]
    );
    assert_eq!(
        cells(&r, "by_branch", &["合肥"], &cols),
        ["150.00", "60.00", "300.00", "0.00"]
    );
}

#[test]
fn tows_and_locks() {
    let b = abc();
    for (name, role) in [("appr", Role::Approver), ("clerk", Role::Clerk)] {
        b.run(
            "2026-01-01",
            Mutation::AddUser {
                name: name.into(),
                display: name.into(),
                roles: vec![role],
                branch: Some("合肥".into()),
            },
        );
    }
    let apply = |document, contract: &str, day| {
        b.run(
            day,
            Mutation::Apply {
                id: String::new(),
                document,
                contract: contract.into(),
                reason: "no contact".into(),
                location: "工地".into(),
            },
        )
        .unwrap()
    };
    let approve = |id: &str, day| {
        b.run_as(
            "appr",
            day,
            Mutation::Approve {
                id: id.into(),
                comment: String::new(),
            },
        );
    };
    // Tow of A: applied 03-01, approved 03-03 (2 days), towed back 03-10 (7 days), 1,500.
    let t1 = apply(DocumentType::Tow, "A", "2026-03-01");
    approve(&t1, "2026-03-03");
    b.run_as(
        "clerk",
        "2026-03-04",
        Mutation::RegisterTow {
            id: t1.clone(),
            crew: vec!["张三".into()],
            planned_on: d("2026-03-08"),
            location: "工地".into(),
            note: String::new(),
        },
    );
    b.run_as(
        "clerk",
        "2026-03-10",
        Mutation::CompleteTow {
            id: t1,
            towed_on: d("2026-03-10"),
            yard: "合肥一号场".into(),
            condition: "good".into(),
            cost: m("1500"),
        },
    );
    // Tow of C: applied 03-05, approved 03-09 (4 days), failed.
    let t2 = apply(DocumentType::Tow, "C", "2026-03-05");
    approve(&t2, "2026-03-09");
    b.run_as(
        "clerk",
        "2026-03-10",
        Mutation::RegisterTow {
            id: t2.clone(),
            crew: vec!["李四".into()],
            planned_on: d("2026-03-12"),
            location: "工地".into(),
            note: String::new(),
        },
    );
    b.run_as(
        "clerk",
        "2026-03-12",
        Mutation::FailTow {
            id: t2,
            reason: "machine gone".into(),
        },
    );
    // A lock of B, in review.
    apply(DocumentType::Lock, "B", "2026-03-06");
    let r = b.report(ReportName::Tows, "2026-03-01", "2026-03-31");
    let cols = [
        "applications",
        "in_review",
        "done",
        "failed",
        "success_rate",
        "avg_days_to_approve",
        "avg_days_to_tow",
        "cost",
    ];
    assert_eq!(
        cells(&r, "summary", &["tow"], &cols),
        ["2", "0", "1", "1", "0.5000", "3.0", "7.0", "1500.00"]
    );
    assert_eq!(
        cells(&r, "summary", &["lock"], &cols),
        ["1", "1", "0", "0", "0.0000", "0.0", "0.0", "0.00"]
    );
    let towed = r.sheet("towed").unwrap();
    assert_eq!(towed.rows.len(), 1);
    assert_eq!(
        cells(
            &r,
            "towed",
            &[],
            &["contract_no", "yard", "days_to_tow", "cost"]
        ),
        ["A", "合肥一号场", "7", "1500.00"]
    );
}

#[test]
fn reports_keep_to_the_viewers_scope_and_the_filters() {
    // li exists as a collector: customers name their collectors.
    let b = abc();
    let q = ReportQuery {
        from: d("2026-02-01"),
        to: d("2026-03-31"),
        branch: None,
        collector: None,
    };
    let li = Ctx::new("li", d("2026-03-31"), 0);
    let r = b.app.report(&li, ReportName::Aging, &q).unwrap();
    // li collects C alone: 2,000 overdue in 31-60.
    assert_eq!(cells(&r, "by_branch", &["合肥"], &["total"]), ["2000.00"]);
    let wang = ReportQuery {
        collector: Some("wang".into()),
        ..q.clone()
    };
    let r = b
        .app
        .report(&on("2026-03-31"), ReportName::Aging, &wang)
        .unwrap();
    assert_eq!(cells(&r, "by_branch", &["合肥"], &["total"]), ["3000.00"]);
    let elsewhere = ReportQuery {
        branch: Some("武汉".into()),
        ..q.clone()
    };
    let r = b
        .app
        .report(&on("2026-03-31"), ReportName::Aging, &elsewhere)
        .unwrap();
    assert!(r.sheet("by_branch").unwrap().rows.is_empty());
    let backwards = ReportQuery {
        from: d("2026-04-01"),
        ..q
    };
    let err = b
        .app
        .report(&on("2026-03-31"), ReportName::Aging, &backwards)
        .unwrap_err();
    assert!(
        err.to_string().contains("--to must not be before --from"),
        "{err}"
    );
}
