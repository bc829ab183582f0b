//! The fund budget (资金预算) through the App, with figures a finance officer can redo:
//! a February of 合肥 with a payment confirmed after the month closed, a void after the
//! close and a tow cost over plan; the approval of a plan and of a change to it under the
//! rules; the refusals (a branch out of scope, a closed month); warnings in the inbox; and a
//! rebuild giving the same budgets.

use chrono::NaiveDate;
use duedesk::app::{App, AppError, Ctx, Mutation, NewContract};
use duedesk::domain::Money;
use duedesk::domain::Role;
use duedesk::domain::approval::{Approver, DocumentType, Rule};
use duedesk::domain::budget::{Category, Line, LineKind, Month};
use duedesk::domain::refusal::Refusal;
use duedesk::domain::{Customer, Installment};
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn as_(user: &str, day: &str) -> Ctx {
    Ctx::new(user, d(day), 1_770_000_000)
}

fn refusal(e: AppError) -> Refusal {
    match e {
        AppError::Refused(r) => *r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn collection(collector: Option<&str>, amount: &str) -> Line {
    Line {
        kind: LineKind::Collection,
        collector: collector.map(str::to_string),
        amount: m(amount),
    }
}

fn spending(category: Category, amount: &str) -> Line {
    Line {
        kind: LineKind::Spending(category),
        collector: None,
        amount: m(amount),
    }
}

/// 合肥 with customers of wang (H1, H4) and li (H2), 巢湖 with one of zhao (H3); finance qian
/// (head office), hf-fin (合肥's finance), approver zhou and clerk sun of 合肥, and the
/// collectors.
fn book() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("db")).unwrap();
    let admin = as_("admin", "2026-01-05");
    for (name, roles, branch) in [
        ("qian", vec![Role::Finance], None),
        ("hf-fin", vec![Role::Finance], Some("合肥")),
        ("zhou", vec![Role::Approver], Some("合肥")),
        ("sun", vec![Role::Clerk], Some("合肥")),
        ("wang", vec![Role::Collector], Some("合肥")),
        ("li", vec![Role::Collector], Some("合肥")),
        ("zhao", vec![Role::Collector], Some("巢湖")),
    ] {
        app.execute(
            &admin,
            Mutation::AddUser {
                name: name.into(),
                display: name.into(),
                roles,
                branch: branch.map(str::to_string),
            },
        )
        .unwrap();
    }
    for (i, branch, collector) in [
        (1, "合肥", "wang"),
        (2, "合肥", "li"),
        (3, "巢湖", "zhao"),
        (4, "合肥", "wang"),
    ] {
        app.execute(
            &admin,
            Mutation::PutCustomer(Customer {
                id: format!("C{i}"),
                name: format!("客户{i}"),
                phone: format!("1380000000{i}"),
                id_number: String::new(),
                address: String::new(),
                branch: branch.into(),
                collector: collector.into(),
            }),
        )
        .unwrap();
        app.execute(
            &admin,
            Mutation::AddContract(NewContract {
                no: format!("H{i}"),
                customer_id: format!("C{i}"),
                signed_on: d("2025-06-01"),
                model: "SY75C".into(),
                serial: format!("S{i}"),
                financed: m("120000"),
                penalty_rate: None,
                grace_days: None,
            }),
        )
        .unwrap();
        app.execute(
            &admin,
            Mutation::AddInstallments {
                contract: format!("H{i}"),
                installments: vec![Installment {
                    seq: 1,
                    due: d("2025-07-15"),
                    principal: m("100000"),
                    interest: m("20000"),
                }],
            },
        )
        .unwrap();
    }
    (dir, app)
}

fn pay(app: &App, day: &str, contract: &str, received: &str, amount: &str) -> String {
    app.execute(
        &as_("wang", day),
        Mutation::RecordPayment {
            id: String::new(),
            contract: contract.into(),
            received_on: d(received),
            amount: m(amount),
            method: "bank".into(),
            reference: String::new(),
            confirmed: false,
        },
    )
    .or_else(|_| {
        app.execute(
            &as_("admin", day),
            Mutation::RecordPayment {
                id: String::new(),
                contract: contract.into(),
                received_on: d(received),
                amount: m(amount),
                method: "bank".into(),
                reference: String::new(),
                confirmed: false,
            },
        )
    })
    .unwrap()
    .id
    .unwrap()
}

fn confirm(app: &App, day: &str, id: &str) -> String {
    app.execute(
        &as_("qian", day),
        Mutation::ConfirmPayment { id: id.into() },
    )
    .unwrap()
    .message
}

fn draft(app: &App, by: &str, day: &str, mo: &str, branch: &str, lines: Vec<Line>) {
    app.execute(
        &as_(by, day),
        Mutation::DraftBudget {
            month: month(mo),
            branch: branch.into(),
            lines,
        },
    )
    .unwrap();
}

fn submit(app: &App, by: &str, day: &str, mo: &str, branch: &str) -> String {
    app.execute(
        &as_(by, day),
        Mutation::SubmitBudget {
            application: String::new(),
            month: month(mo),
            branch: branch.into(),
        },
    )
    .unwrap()
    .id
    .unwrap()
}

fn approve(app: &App, by: &str, day: &str, id: &str) {
    app.execute(
        &as_(by, day),
        Mutation::Approve {
            id: id.into(),
            comment: "ok".into(),
        },
    )
    .unwrap();
}

/// A tow of H4 applied for by wang, approved by zhou, registered and completed by sun on
/// `towed_on` with `cost`.
fn tow(app: &App, towed_on: &str, cost: &str) -> String {
    let id = app
        .execute(
            &as_("wang", "2026-02-20"),
            Mutation::Apply {
                id: String::new(),
                document: DocumentType::Tow,
                contract: "H4".into(),
                reason: "失联".into(),
                location: "工地".into(),
            },
        )
        .unwrap()
        .id
        .unwrap();
    approve(app, "zhou", "2026-02-21", &id);
    app.execute(
        &as_("sun", "2026-02-22"),
        Mutation::RegisterTow {
            id: id.clone(),
            crew: vec!["老周".into()],
            planned_on: d("2026-02-26"),
            location: "工地".into(),
            note: String::new(),
        },
    )
    .unwrap();
    app.execute(
        &as_("sun", towed_on),
        Mutation::CompleteTow {
            id: id.clone(),
            towed_on: d(towed_on),
            yard: "合肥堆场".into(),
            condition: "良好".into(),
            cost: m(cost),
        },
    )
    .unwrap();
    id
}

/// The February of 合肥, as a finance officer would check it:
/// - plan: wang 10,000.00, the rest of the branch 5,000.00, tow 2,000.00 (total 17,000.00);
/// - P1 6,000.00 of wang received 10 Feb, confirmed 12 Feb: February;
/// - P3 1,500.00 of wang received 26 Feb, confirmed 27 Feb: February (wang 7,500.00);
/// - a tow completed 27 Feb costing 2,400.00: February, 400.00 over the tow line;
/// - February closed on 1 March;
/// - P2 3,000.00 of li received 25 Feb, confirmed 3 March: February is closed, so March;
/// - P3 voided on 5 March: February is closed, so it comes off in March.
fn february(app: &App) {
    draft(
        app,
        "qian",
        "2026-01-20",
        "2026-02",
        "合肥",
        vec![
            collection(Some("wang"), "10000"),
            collection(None, "5000"),
            spending(Category::Tow, "2000"),
        ],
    );
    let a = submit(app, "qian", "2026-01-20", "2026-02", "合肥");
    approve(app, "hf-fin", "2026-01-21", &a);
    let p1 = pay(app, "2026-02-10", "H1", "2026-02-10", "6000");
    confirm(app, "2026-02-12", &p1);
    let p2 = pay(app, "2026-02-25", "H2", "2026-02-25", "3000");
    let p3 = pay(app, "2026-02-26", "H1", "2026-02-26", "1500");
    confirm(app, "2026-02-27", &p3);
    tow(app, "2026-02-27", "2400");
    app.execute(
        &as_("qian", "2026-03-01"),
        Mutation::CloseBudgetMonth {
            month: month("2026-02"),
        },
    )
    .unwrap();
    let said = confirm(app, "2026-03-03", &p2);
    assert!(
        said.contains("budget month 2026-02 is closed, so it counts in 2026-03"),
        "{said}"
    );
    app.execute(
        &as_("qian", "2026-03-05"),
        Mutation::VoidPayment {
            id: p3,
            reason: "退票".into(),
        },
    )
    .unwrap();
}

/// A report line as the test reads it: category, collector, plan, actual, variance, warning.
type Row<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<Money>,
    Money,
    Money,
    bool,
);

#[test]
fn a_month_with_a_late_payment_a_void_after_close_and_a_tow_cost() {
    let (_dir, app) = book();
    february(&app);
    let feb = app
        .budget_month(&as_("qian", "2026-03-06"), month("2026-02"), Some("合肥"))
        .unwrap();
    assert!(feb.closed);
    let b = &feb.branches[0];
    let rows: Vec<Row> = b
        .lines
        .iter()
        .map(|l| {
            (
                l.category,
                l.collector.as_deref(),
                l.plan,
                l.actual,
                l.variance,
                l.warning,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            // li's 3,000.00 came after the close: the rest of the branch has nothing.
            (None, None, Some(m("5000")), m("0"), -m("5000"), true),
            // wang 6,000 + 1,500 (voided after the close: stays in February).
            (
                None,
                Some("wang"),
                Some(m("10000")),
                m("7500"),
                -m("2500"),
                true
            ),
            (
                Some("tow"),
                None,
                Some(m("2000")),
                m("2400"),
                m("400"),
                true
            ),
        ]
    );
    let mar = app
        .budget_month(&as_("qian", "2026-03-06"), month("2026-03"), Some("合肥"))
        .unwrap();
    let b = &mar.branches[0];
    assert_eq!(b.collection_actual, m("1500")); // li 3,000.00 − wang's void 1,500.00
    let late: Vec<(&str, &str, Money)> = b
        .late
        .iter()
        .map(|l| (l.source.as_str(), l.from.as_str(), l.amount))
        .collect();
    assert_eq!(
        late,
        vec![("P2", "2026-02", m("3000")), ("P3", "2026-02", -m("1500"))]
    );

    // The league of February, frozen at the close: 合肥 collected 7,500.00 of 15,000.00 =
    // 50 % → 50.00 points, less 10 for the tow line over plan: 40.00; wang 75 % → 75.00.
    let league = app
        .budget_league(&as_("qian", "2026-03-06"), month("2026-02"))
        .unwrap();
    assert!(league.closed);
    let rows: Vec<(Option<&str>, Decimal)> = league
        .rows
        .iter()
        .map(|r| (r.collector.as_deref(), r.points))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some("wang"), Decimal::new(7500, 2)),
            (None, Decimal::new(4000, 2))
        ]
    );
}

#[test]
fn overspending_warns_finance_and_the_branch_approvers() {
    let (_dir, app) = book();
    february(&app);
    for user in ["qian", "hf-fin", "zhou"] {
        let inbox = app.inbox(&as_(user, "2026-03-06")).unwrap();
        assert!(
            inbox
                .iter()
                .any(|n| n.text
                    == "budget 2026-02/合肥: tow spending 2400.00 passed the plan 2000.00"),
            "{user}: {:?}",
            inbox.iter().map(|n| &n.text).collect::<Vec<_>>()
        );
    }
    let wang = app.inbox(&as_("wang", "2026-03-06")).unwrap();
    assert!(!wang.iter().any(|n| n.text.contains("passed the plan")));
}

#[test]
fn collections_behind_pace_are_warned_when_the_day_is_accrued() {
    let (_dir, app) = book();
    draft(
        &app,
        "qian",
        "2026-03-01",
        "2026-03",
        "合肥",
        vec![collection(None, "20000")],
    );
    let a = submit(&app, "qian", "2026-03-01", "2026-03", "合肥");
    approve(&app, "hf-fin", "2026-03-01", &a);
    let p = pay(&app, "2026-03-02", "H2", "2026-03-02", "1000");
    confirm(&app, "2026-03-02", &p);
    // By 10 March: 1,000.00 × 31 / 10 = 3,100.00, below 18,000.00 (20,000 less 10 %).
    app.execute(
        &as_("qian", "2026-03-10"),
        Mutation::Accrue {
            through: d("2026-03-10"),
        },
    )
    .unwrap();
    let inbox = app.inbox(&as_("zhou", "2026-03-10")).unwrap();
    let texts: Vec<&str> = inbox.iter().map(|n| n.text.as_str()).collect();
    assert!(
        texts.contains(
            &"budget 2026-03/合肥: at this pace collections reach 3100.00, behind the plan 20000.00"
        ),
        "{texts:?}"
    );
    // Once a month.
    app.execute(
        &as_("qian", "2026-03-11"),
        Mutation::Accrue {
            through: d("2026-03-11"),
        },
    )
    .unwrap();
    let again = app.inbox(&as_("zhou", "2026-03-11")).unwrap();
    assert_eq!(again.len(), inbox.len());
}

#[test]
fn a_plan_and_a_change_to_it_go_through_the_approval_rules() {
    let (_dir, app) = book();
    // Budgets of 100,000.00 or more need finance, then the admin.
    let mut rules = duedesk::app::builtin_rules().rules;
    rules.insert(
        0,
        Rule {
            name: "big budgets".into(),
            document: DocumentType::Budget,
            branch: None,
            min_days_overdue: None,
            min_overdue_amount: None,
            min_amount: Some(m("100000")),
            chain: vec![
                Approver::Role(Role::Finance),
                Approver::User("admin".into()),
            ],
        },
    );
    app.execute(&as_("admin", "2026-02-01"), Mutation::SetRules { rules })
        .unwrap();
    draft(
        &app,
        "qian",
        "2026-02-10",
        "2026-03",
        "合肥",
        vec![collection(None, "60000")],
    );
    let v1 = submit(&app, "qian", "2026-02-10", "2026-03", "合肥");
    // Nobody approves their own; qian drafted it.
    let own = app
        .execute(
            &as_("qian", "2026-02-10"),
            Mutation::Approve {
                id: v1.clone(),
                comment: String::new(),
            },
        )
        .unwrap_err();
    assert!(matches!(refusal(own), Refusal::Forbidden { .. }));
    approve(&app, "hf-fin", "2026-02-11", &v1);
    // The change: 120,000.00 is a big budget; two steps.
    draft(
        &app,
        "qian",
        "2026-02-15",
        "2026-03",
        "合肥",
        vec![
            collection(None, "100000"),
            spending(Category::Travel, "20000"),
        ],
    );
    let shown = app
        .budget_month(&as_("qian", "2026-02-15"), month("2026-03"), Some("合肥"))
        .unwrap();
    // Until approved, version 1 is in force.
    assert_eq!(shown.branches[0].in_force, Some(1));
    assert_eq!(shown.branches[0].collection_plan, m("60000"));
    let v2 = submit(&app, "qian", "2026-02-15", "2026-03", "合肥");
    // Nothing is drafted over a plan in review.
    let in_review = app
        .execute(
            &as_("qian", "2026-02-15"),
            Mutation::DraftBudget {
                month: month("2026-03"),
                branch: "合肥".into(),
                lines: vec![collection(None, "1")],
            },
        )
        .unwrap_err();
    assert!(matches!(refusal(in_review), Refusal::BudgetInReview { .. }));
    approve(&app, "hf-fin", "2026-02-16", &v2);
    let halfway = app
        .budget_month(&as_("qian", "2026-02-16"), month("2026-03"), Some("合肥"))
        .unwrap();
    assert_eq!(halfway.branches[0].in_force, Some(1), "one step of two");
    approve(&app, "admin", "2026-02-17", &v2);
    let shown = app
        .budget_month(&as_("zhou", "2026-02-17"), month("2026-03"), Some("合肥"))
        .unwrap();
    let b = &shown.branches[0];
    assert_eq!(b.in_force, Some(2));
    assert_eq!(b.collection_plan, m("100000"));
    assert_eq!(b.spending_plan, m("20000"));
    let history: Vec<(u32, &str, Option<&str>, Money)> = b
        .versions
        .iter()
        .map(|v| (v.number, v.state, v.application.as_deref(), v.total))
        .collect();
    assert_eq!(
        history,
        vec![
            (1, "approved", Some(v1.as_str()), m("60000")),
            (2, "approved", Some(v2.as_str()), m("120000")),
        ]
    );
    // The rejected version goes back to finance, who change it and resubmit.
    draft(
        &app,
        "qian",
        "2026-02-18",
        "2026-03",
        "合肥",
        vec![collection(None, "1")],
    );
    let v3 = submit(&app, "qian", "2026-02-18", "2026-03", "合肥");
    app.execute(
        &as_("hf-fin", "2026-02-18"),
        Mutation::Reject {
            id: v3.clone(),
            comment: "太低".into(),
        },
    )
    .unwrap();
    draft(
        &app,
        "qian",
        "2026-02-19",
        "2026-03",
        "合肥",
        vec![collection(None, "70000")],
    );
    app.execute(
        &as_("qian", "2026-02-19"),
        Mutation::Resubmit {
            id: v3.clone(),
            reason: None,
            location: None,
            amount: None,
        },
    )
    .unwrap();
    approve(&app, "hf-fin", "2026-02-20", &v3);
    let shown = app
        .budget_month(&as_("qian", "2026-02-20"), month("2026-03"), Some("合肥"))
        .unwrap();
    assert_eq!(shown.branches[0].in_force, Some(3));
    assert_eq!(shown.branches[0].collection_plan, m("70000"));
}

#[test]
fn refusals_name_the_branch_out_of_scope_and_the_closed_month() {
    let (_dir, app) = book();
    draft(
        &app,
        "qian",
        "2026-01-10",
        "2026-02",
        "巢湖",
        vec![collection(None, "1000")],
    );
    let late_plan = submit(&app, "qian", "2026-01-10", "2026-02", "巢湖");
    february(&app);
    // 合肥's finance plans only for 合肥.
    let e = app
        .execute(
            &as_("hf-fin", "2026-03-06"),
            Mutation::DraftBudget {
                month: month("2026-04"),
                branch: "巢湖".into(),
                lines: vec![collection(None, "1")],
            },
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "hf-fin may not plan or see the budget of branch 巢湖; finance of that branch or head office does"
    );
    // 合肥's approver sees 合肥, not 巢湖; a collector sees no budget.
    assert!(
        app.budget_month(&as_("zhou", "2026-03-06"), month("2026-02"), Some("合肥"))
            .is_ok()
    );
    let e = app
        .budget_month(&as_("zhou", "2026-03-06"), month("2026-02"), Some("巢湖"))
        .unwrap_err();
    assert!(matches!(refusal(e), Refusal::BudgetBranchOutOfScope { .. }));
    let e = app
        .budget_month(&as_("wang", "2026-03-06"), month("2026-02"), None)
        .unwrap_err();
    assert!(matches!(refusal(e), Refusal::Forbidden { .. }));
    // February is closed: no new version, no manual line, no second close.
    for mutation in [
        Mutation::DraftBudget {
            month: month("2026-02"),
            branch: "合肥".into(),
            lines: vec![collection(None, "1")],
        },
        Mutation::BookSpending {
            id: String::new(),
            month: month("2026-02"),
            branch: "合肥".into(),
            category: Category::Travel,
            amount: m("100"),
            reason: "出差".into(),
        },
        Mutation::CloseBudgetMonth {
            month: month("2026-02"),
        },
    ] {
        let e = app
            .execute(&as_("qian", "2026-03-06"), mutation)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "budget month 2026-02 is closed; book it in the current month instead"
        );
    }
    // A plan of February submitted before the close is not approved after it.
    let e = app
        .execute(
            &as_("hf-fin", "2026-03-06"),
            Mutation::Approve {
                id: late_plan,
                comment: String::new(),
            },
        )
        .unwrap_err();
    assert!(matches!(refusal(e), Refusal::BudgetMonthClosed { .. }));
    // A month is closed once it is over.
    let e = app
        .execute(
            &as_("qian", "2026-03-06"),
            Mutation::CloseBudgetMonth {
                month: month("2026-03"),
            },
        )
        .unwrap_err();
    assert!(matches!(refusal(e), Refusal::BudgetMonthNotOver { .. }));
    // The scoring rules are the admin's.
    let e = app
        .execute(
            &as_("qian", "2026-03-06"),
            Mutation::SetScoringRules {
                rules: Default::default(),
            },
        )
        .unwrap_err();
    assert!(matches!(refusal(e), Refusal::Forbidden { .. }));
}

#[test]
fn manual_spending_counts_with_its_reason_and_scores_follow_the_admin_rules() {
    let (_dir, app) = book();
    draft(
        &app,
        "qian",
        "2026-03-01",
        "2026-03",
        "合肥",
        vec![
            collection(Some("li"), "4000"),
            spending(Category::Travel, "500"),
        ],
    );
    let a = submit(&app, "qian", "2026-03-01", "2026-03", "合肥");
    approve(&app, "hf-fin", "2026-03-01", &a);
    let id = app
        .execute(
            &as_("hf-fin", "2026-03-04"),
            Mutation::BookSpending {
                id: String::new(),
                month: month("2026-03"),
                branch: "合肥".into(),
                category: Category::Travel,
                amount: m("320.50"),
                reason: "去巢湖催收".into(),
            },
        )
        .unwrap()
        .id
        .unwrap();
    assert_eq!(id, "M1");
    let p = pay(&app, "2026-03-05", "H2", "2026-03-05", "5000");
    confirm(&app, "2026-03-05", &p);
    app.execute(
        &as_("admin", "2026-03-06"),
        Mutation::SetScoringRules {
            rules: duedesk::domain::budget::ScoringRules {
                points_per_percent: Decimal::new(5, 1),
                cap_percent: 110,
                ..Default::default()
            },
        },
    )
    .unwrap();
    let shown = app
        .budget_month(&as_("qian", "2026-03-06"), month("2026-03"), Some("合肥"))
        .unwrap();
    let b = &shown.branches[0];
    assert_eq!(b.manual[0].reason, "去巢湖催收");
    assert_eq!(b.spending_actual, m("320.50"));
    // li collected 5,000.00 of 4,000.00 = 125 %, capped at 110 % × 0.5 = 55.00 points.
    let league = app
        .budget_league(&as_("qian", "2026-03-06"), month("2026-03"))
        .unwrap();
    assert_eq!(league.rules_version, 1);
    let li = league
        .rows
        .iter()
        .find(|r| r.collector.as_deref() == Some("li"))
        .unwrap();
    assert_eq!(li.points, Decimal::new(5500, 2));
}

#[test]
fn a_rebuild_gives_the_same_budgets() {
    let (_dir, app) = book();
    february(&app);
    let c = as_("qian", "2026-03-06");
    let before = (
        app.budget_month(&c, month("2026-02"), None).unwrap(),
        app.budget_month(&c, month("2026-03"), None).unwrap(),
        app.budget_league(&c, month("2026-02")).unwrap(),
        app.inbox(&c).unwrap().len(),
    );
    let live = app.store().projection_dump().unwrap();
    app.rebuild().unwrap();
    let after = (
        app.budget_month(&c, month("2026-02"), None).unwrap(),
        app.budget_month(&c, month("2026-03"), None).unwrap(),
        app.budget_league(&c, month("2026-02")).unwrap(),
        app.inbox(&c).unwrap().len(),
    );
    assert_eq!(before, after);
    assert!(live == app.store().projection_dump().unwrap());
}

/// A payment confirmed by a database of before kept its booking under its own id (`bb/`);
/// one confirmed now keeps it with the payment. A void takes either off its month, once.
#[test]
fn a_void_takes_off_a_booking_kept_either_way() {
    use duedesk::domain::budget::Booking;
    use duedesk::store::{Reader, RecordKind};
    let (_dir, app) = book();
    let c = as_("qian", "2026-03-06");
    let collected = |app: &App| {
        app.budget_month(&c, month("2026-03"), Some("合肥"))
            .unwrap()
            .branches
            .first()
            .map(|b| b.collection_actual)
            .unwrap_or(Money::ZERO)
    };
    let old = pay(&app, "2026-03-02", "H1", "2026-03-02", "800");
    confirm(&app, "2026-03-02", &old);
    let new = pay(&app, "2026-03-03", "H2", "2026-03-03", "300");
    confirm(&app, "2026-03-03", &new);
    assert_eq!(collected(&app), m("1100"));
    // Both bookings are kept with their payments, none under `bb/`.
    for id in [&old, &new] {
        let booked: Booking = app.store().payment_booking(id).unwrap().unwrap();
        assert_eq!(&booked.source, id);
        assert!(
            app.store()
                .record::<Booking>(RecordKind::BudgetBooking, id)
                .unwrap()
                .is_none()
        );
    }
    // `old` as a database of before kept it: its id → contract only, the booking in `bb/`.
    let booked: Booking = app.store().payment_booking(&old).unwrap().unwrap();
    let mut txn = app.store().begin();
    txn.set_payment_contract(&old, "H1");
    txn.put_record(RecordKind::BudgetBooking, &old, &booked);
    txn.commit().unwrap();
    assert!(
        app.store()
            .payment_booking::<Booking>(&old)
            .unwrap()
            .is_none()
    );
    assert_eq!(
        app.store().payment_contract(&old).unwrap().as_deref(),
        Some("H1")
    );

    for (id, left) in [(&old, "300"), (&new, "0")] {
        app.execute(
            &as_("qian", "2026-03-06"),
            Mutation::VoidPayment {
                id: id.clone(),
                reason: "退票".into(),
            },
        )
        .unwrap();
        assert_eq!(collected(&app), m(left), "after voiding {id}");
        assert!(
            app.store()
                .payment_booking::<Booking>(id)
                .unwrap()
                .is_none()
        );
        assert!(
            app.store()
                .record::<Booking>(RecordKind::BudgetBooking, id)
                .unwrap()
                .is_none()
        );
        // The payment still leads to its contract.
        assert!(app.store().payment_contract(id).unwrap().is_some());
    }
}
