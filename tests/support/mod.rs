//! A small book built through the App API, and helpers to drive a UI session by keys and
//! render it on ratatui's TestBackend. `today` is fixed so figures and snapshots are stable.
#![allow(dead_code)]

use chrono::NaiveDate;
use duedesk::app::rules_file;
use duedesk::app::{App, Ctx, Mutation, NewContract};
use duedesk::domain::approval::DocumentType;
use duedesk::domain::{Channel, Customer, Installment, Money, Promise, Rate, Role};
use duedesk::ui::i18n::Lang;
use duedesk::ui::keymap::{Key, KeyMap};
use duedesk::ui::theme::Theme;
use duedesk::ui::{Session, Settings};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind, KeyEventState};

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

pub const TODAY: &str = "2026-06-15";

pub fn ctx_on(day: &str) -> Ctx {
    Ctx::new("admin", d(day), 1_781_500_000)
}

pub fn ctx() -> Ctx {
    ctx_on(TODAY)
}

pub struct Book {
    pub dir: tempfile::TempDir,
    pub app: App,
}

fn customer(id: &str, name: &str, phone: &str, branch: &str, collector: &str) -> Mutation {
    Mutation::PutCustomer(Customer {
        id: id.into(),
        name: name.into(),
        phone: phone.into(),
        id_number: String::new(),
        address: String::new(),
        branch: branch.into(),
        collector: collector.into(),
    })
}

/// One contract of 12 monthly installments (10,000.00 principal + 500.00 interest, due on
/// the 15th from 2025-07-15), the first `paid` of them paid on their due dates (confirmed).
fn contract(app: &App, no: &str, customer: &str, model: &str, serial: &str, paid: u32) {
    let c = ctx_on("2025-06-01");
    app.execute(
        &c,
        Mutation::AddContract(NewContract {
            no: no.into(),
            customer_id: customer.into(),
            signed_on: d("2025-06-01"),
            model: model.into(),
            serial: serial.into(),
            financed: m("120000"),
            penalty_rate: None,
            grace_days: None,
        }),
    )
    .unwrap();
    let due = |seq: u32| {
        let month0 = 6 + seq; // 2025-07 is seq 1
        let (y, mo) = (2025 + (month0 - 1) / 12, (month0 - 1) % 12 + 1);
        NaiveDate::from_ymd_opt(y as i32, mo, 15).unwrap()
    };
    app.execute(
        &c,
        Mutation::AddInstallments {
            contract: no.into(),
            installments: (1..=12)
                .map(|seq| Installment {
                    seq,
                    due: due(seq),
                    principal: m("10000"),
                    interest: m("500"),
                })
                .collect(),
        },
    )
    .unwrap();
    for seq in 1..=paid {
        app.execute(
            &ctx(),
            Mutation::RecordPayment {
                id: String::new(),
                contract: no.into(),
                received_on: due(seq),
                amount: m("10500"),
                method: "bank".into(),
                reference: format!("{no}-{seq}"),
                confirmed: true,
            },
        )
        .unwrap();
    }
}

/// The test book: five overdue contracts in three branches, one paid up; pending payments,
/// contacts with a kept, a due and a broken promise. Global rate 0.0005 a day, 3 grace days.
pub fn book() -> Book {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("db")).unwrap();
    let c = ctx_on("2025-06-01");
    app.execute(
        &c,
        Mutation::SetRate {
            contract: None,
            from: d("2025-01-01"),
            daily: Rate::parse("0.0005").unwrap(),
        },
    )
    .unwrap();
    app.execute(
        &c,
        Mutation::SetGrace {
            contract: None,
            days: 3,
        },
    )
    .unwrap();
    for m in [
        customer("C1", "张三", "13800000001", "杭州", "li"),
        customer("C2", "李四", "13900000002", "杭州", "wang"),
        customer("C3", "王小明", "13700000003", "宁波", "li"),
        customer(
            "C4",
            "欧阳建国机械工程有限公司",
            "13500000004",
            "宁波",
            "wang",
        ),
        customer("C5", "Smith Heavy Co", "13600000005", "温州", "chen"),
        customer("C6", "陈七", "13300000006", "温州", "chen"),
    ] {
        app.execute(&c, m).unwrap();
    }
    contract(&app, "HT-2025-001", "C1", "SY75C", "SY75C-0001", 8);
    contract(&app, "HT-2025-002", "C2", "SY135", "SY135-0002", 10);
    contract(&app, "HT-2025-003", "C3", "XE60", "XE60-0003", 9);
    contract(&app, "HT-2025-004", "C4", "SY215", "SY215-0004", 0);
    contract(&app, "HT-2025-005", "C5", "ZX120", "ZX120-0005", 10);
    contract(&app, "HT-2025-006", "C6", "SY75C", "SY75C-0006", 12);
    // Pending payments for finance to confirm.
    for (no, on, amount, reference) in [
        ("HT-2025-001", "2026-06-10", "3000", "WX-8812"),
        ("HT-2025-005", "2026-05-20", "5000", "CASH-17"),
        ("HT-2025-002", "2026-06-14", "10500", "BANK-5521"),
    ] {
        app.execute(
            &ctx(),
            Mutation::RecordPayment {
                id: String::new(),
                contract: no.into(),
                received_on: d(on),
                amount: m(amount),
                method: "bank".into(),
                reference: reference.into(),
                confirmed: false,
            },
        )
        .unwrap();
    }
    // Contacts: a broken promise, a promise still due, a visit without promise.
    let contact = |day: &str, no: &str, channel, result: &str, promise: Option<(&str, &str)>| {
        app.execute(
            &ctx_on(day),
            Mutation::AddContact {
                contract: no.into(),
                channel,
                result: result.into(),
                note: String::new(),
                promise: promise.map(|(date, amount)| Promise {
                    date: d(date),
                    amount: m(amount),
                }),
            },
        )
        .unwrap();
    };
    contact(
        "2026-06-01",
        "HT-2025-001",
        Channel::Call,
        "答应月初还款",
        Some(("2026-06-05", "10500")),
    );
    contact(
        "2026-06-12",
        "HT-2025-002",
        Channel::Wechat,
        "will pay after harvest",
        Some(("2026-06-20", "10500")),
    );
    contact(
        "2026-06-10",
        "HT-2025-003",
        Channel::Visit,
        "site visit, machine working",
        None,
    );
    contact(
        "2026-05-18",
        "HT-2025-005",
        Channel::Sms,
        "reminder sent",
        Some(("2026-05-20", "5000")),
    );
    Book { dir, app }
}

/// The approval rules of the workflow book: a tow 90 days or more overdue needs an
/// approver and then finance; every other application one step.
pub const RULES: &str = r#"[[rule]]
name = "long overdue tow"
document = "tow"
min_days_overdue = 90
chain = ["role:approver", "role:finance"]

[[rule]]
name = "default tow"
document = "tow"
chain = ["role:approver"]

[[rule]]
name = "default lock"
document = "lock"
chain = ["role:approver"]

[[rule]]
name = "default unlock"
document = "unlock"
chain = ["role:approver"]

[[rule]]
name = "default waiver"
document = "waiver"
chain = ["role:finance"]

[[rule]]
name = "default outbound"
document = "outbound"
chain = ["role:finance"]

[[rule]]
name = "default budget"
document = "budget"
chain = ["role:finance"]

[[rule]]
name = "default contract"
document = "contract"
chain = ["role:finance"]
"#;

pub fn ctx_as(user: &str) -> Ctx {
    Ctx::new(user, d(TODAY), 1_781_500_000)
}

/// Runs a mutation as a user and returns the id it created (if any).
pub fn run_as(app: &App, user: &str, m: Mutation) -> String {
    let out = app
        .execute(&ctx_as(user), m.clone())
        .unwrap_or_else(|e| panic!("{user}: {m:?}: {e}"));
    out.id.unwrap_or_default()
}

fn tow(app: &App, user: &str, contract: &str, reason: &str, location: &str) -> String {
    run_as(
        app,
        user,
        Mutation::Apply {
            id: String::new(),
            document: DocumentType::Tow,
            contract: contract.into(),
            reason: reason.into(),
            location: location.into(),
        },
    )
}

fn approve(app: &App, user: &str, id: &str, comment: &str) {
    run_as(
        app,
        user,
        Mutation::Approve {
            id: id.into(),
            comment: comment.into(),
        },
    );
}

fn register(app: &App, id: &str, crew: &[&str], on: &str, location: &str) {
    run_as(
        app,
        "zhou",
        Mutation::RegisterTow {
            id: id.into(),
            crew: crew.iter().map(|c| c.to_string()).collect(),
            planned_on: d(on),
            location: location.into(),
            note: "bring the flatbed".into(),
        },
    );
}

/// The test book plus users with roles and applications in every stage:
///
/// users: li, wang (collectors, made with their customers), zhou (clerk, 宁波), qian (approver, 宁波), zhao (approver,
/// 杭州), sun (finance); rules version 1 (`RULES`); two more 宁波 contracts (HT-2025-007,
/// HT-2025-008). Applications:
/// - A1 tow HT-2025-004 (wang): approved by qian and sun — awaiting registration;
/// - A2 tow HT-2025-003 (li): approved by qian, registered by zhou — scheduled;
/// - A3 tow HT-2025-007 (wang): approved, registered, failed;
/// - A4 tow HT-2025-008 (li): approved, registered, towed back — done;
/// - A5 tow HT-2025-001 (li): approved by zhao, waiting for finance (sun);
/// - A6 lock HT-2025-004 (wang): waiting for qian;
/// - A7 lock HT-2025-003 (li): rejected by qian, resubmitted, waiting for qian again.
pub fn workflow_book() -> Book {
    let b = book();
    let app = &b.app;
    let c = ctx_on("2025-06-01");
    for (name, display, roles, branch) in [
        ("zhou", "周文员", vec![Role::Clerk], Some("宁波")),
        ("qian", "钱审批", vec![Role::Approver], Some("宁波")),
        ("zhao", "赵审批", vec![Role::Approver], Some("杭州")),
        ("sun", "孙财务", vec![Role::Finance], None),
    ] {
        app.execute(
            &c,
            Mutation::AddUser {
                name: name.into(),
                display: display.into(),
                roles,
                branch: branch.map(str::to_string),
            },
        )
        .unwrap();
    }
    for m in [
        customer("C7", "赵八", "13100000007", "宁波", "wang"),
        customer("C8", "周九农机", "13200000008", "宁波", "li"),
    ] {
        app.execute(&c, m).unwrap();
    }
    contract(app, "HT-2025-007", "C7", "SY60", "SY60-0007", 9);
    contract(app, "HT-2025-008", "C8", "SY95", "SY95-0008", 10);
    let rules = rules_file::parse("rules.toml", RULES).unwrap();
    app.execute(&c, Mutation::SetRules { rules }).unwrap();

    let a1 = tow(
        app,
        "wang",
        "HT-2025-004",
        "no payment for eleven months",
        "北仑工地",
    );
    approve(app, "qian", &a1, "agreed");
    approve(app, "sun", &a1, "");
    let a2 = tow(
        app,
        "li",
        "HT-2025-003",
        "customer stopped answering",
        "镇海堆场",
    );
    approve(app, "qian", &a2, "");
    register(app, &a2, &["老周", "小李"], "2026-06-18", "镇海堆场");
    let a3 = tow(
        app,
        "wang",
        "HT-2025-007",
        "machine moved without notice",
        "慈溪",
    );
    approve(app, "qian", &a3, "");
    register(app, &a3, &["老周"], "2026-06-15", "慈溪");
    run_as(
        app,
        "zhou",
        Mutation::FailTow {
            id: a3,
            reason: "machine not at the site".into(),
        },
    );
    let a4 = tow(
        app,
        "li",
        "HT-2025-008",
        "promised twice, paid nothing",
        "余姚",
    );
    approve(app, "qian", &a4, "");
    register(app, &a4, &["小李"], "2026-06-15", "余姚");
    run_as(
        app,
        "zhou",
        Mutation::CompleteTow {
            id: a4,
            towed_on: d("2026-06-15"),
            yard: "宁波堆场".into(),
            condition: "good".into(),
            cost: m("1200"),
        },
    );
    let a5 = tow(app, "li", "HT-2025-001", "promise broken", "萧山");
    approve(app, "zhao", &a5, "ok from 杭州");
    run_as(
        app,
        "wang",
        Mutation::Apply {
            id: String::new(),
            document: DocumentType::Lock,
            contract: "HT-2025-004".into(),
            reason: "lock while the tow is arranged".into(),
            location: String::new(),
        },
    );
    let a7 = run_as(
        app,
        "li",
        Mutation::Apply {
            id: String::new(),
            document: DocumentType::Lock,
            contract: "HT-2025-003".into(),
            reason: "no answer for a month".into(),
            location: String::new(),
        },
    );
    run_as(
        app,
        "qian",
        Mutation::Reject {
            id: a7.clone(),
            comment: "call once more first".into(),
        },
    );
    run_as(
        app,
        "li",
        Mutation::Resubmit {
            id: a7,
            reason: Some("called twice more, no answer".into()),
            location: None,
            amount: None,
        },
    );
    b
}

/// A session acting as `user`.
pub fn session_as<'a>(book: &'a Book, user: &str, lang: Lang, theme: &str) -> Session<'a> {
    Session::new(&book.app, ctx_as(user), settings(lang, theme)).unwrap()
}

pub fn settings(lang: Lang, theme: &str) -> Settings {
    Settings {
        lang,
        theme: Theme::load(theme).unwrap(),
        keys: KeyMap::default(),
        export_dir: None,
        lock_command: None,
    }
}

pub fn session<'a>(book: &'a Book, lang: Lang, theme: &str) -> Session<'a> {
    Session::new(&book.app, ctx(), settings(lang, theme)).unwrap()
}

pub fn key_event(spec: &str) -> Event {
    let k = Key::parse(spec).unwrap();
    Event::Key(KeyEvent {
        code: k.code,
        modifiers: k.mods,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

/// Presses keys given as key-map specs: `["j", "enter", "ctrl-d"]`.
pub fn press(s: &mut Session<'_>, keys: &[&str]) {
    for k in keys {
        s.handle(&key_event(k));
    }
}

/// Types text, one key event per character.
pub fn type_text(s: &mut Session<'_>, text: &str) {
    for c in text.chars() {
        s.handle(&Event::Key(KeyEvent {
            code: ratatui::crossterm::event::KeyCode::Char(c),
            modifiers: ratatui::crossterm::event::KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }));
    }
}

pub fn terminal(w: u16, h: u16) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(w, h)).unwrap()
}

/// The screen as text and style runs (ratatui's Buffer debug form).
pub fn render(s: &Session<'_>, w: u16, h: u16) -> String {
    let mut t = terminal(w, h);
    t.draw(|f| s.draw(f)).unwrap();
    format!("{:?}", t.backend().buffer())
}

/// The screen as plain text lines.
pub fn text(s: &Session<'_>, w: u16, h: u16) -> String {
    let mut t = terminal(w, h);
    t.draw(|f| s.draw(f)).unwrap();
    t.backend().to_string()
}

/// Machines, accessories and orders on top of `book()`, for the machine system's screens
/// only (the other screens' snapshots keep the plain book).
///
/// Users: sales `zhao` and `qian` (branch 杭州), finance `fin`. Approved contracts
/// HT-2026-101 (SY75C, 张三), HT-2026-102 (SY75C, 李四), HT-2026-103 (SY135, 张三) and
/// HT-2026-104 (SY75C, 李四, no order yet). Orders: O1 of HT-2026-101 by zhao, a draft
/// holding SY75C-1001 with a contract line (2 buckets) and an extra line (1 hammer); O2 of
/// HT-2026-102 by qian, a draft holding SY75C-1002; O3 of HT-2026-103 by zhao, shipped, its
/// SY135-2001 swapped for SY135-2002. Eight machines in two yards; three accessories.
pub fn machine_book() -> Book {
    use duedesk::domain::Role;
    use duedesk::domain::outbound::{Machine, MachineStock};
    let book = book();
    let app = &book.app;
    let admin = ctx();
    let mut batch = Vec::new();
    for (name, role) in [
        ("zhao", Role::Sales),
        ("qian", Role::Sales),
        ("fin", Role::Finance),
    ] {
        batch.push(Mutation::AddUser {
            name: name.into(),
            display: String::new(),
            roles: vec![role],
            branch: (role == Role::Sales).then(|| "杭州".to_string()),
        });
    }
    for (no, customer, model) in [
        ("HT-2026-101", "C1", "SY75C"),
        ("HT-2026-102", "C2", "SY75C"),
        ("HT-2026-103", "C1", "SY135"),
        ("HT-2026-104", "C2", "SY75C"),
    ] {
        batch.push(Mutation::AddContract(NewContract {
            no: no.into(),
            customer_id: customer.into(),
            signed_on: d("2026-06-01"),
            model: model.into(),
            serial: String::new(),
            financed: m("300000"),
            penalty_rate: None,
            grace_days: None,
        }));
    }
    for (serial, model, kind, yard, arrived) in [
        (
            "SY75C-1001",
            "SY75C",
            "excavator",
            "合肥一号场",
            "2026-01-10",
        ),
        (
            "SY75C-1002",
            "SY75C",
            "excavator",
            "合肥一号场",
            "2026-02-20",
        ),
        ("SY75C-1003", "SY75C", "excavator", "芜湖场", "2026-03-05"),
        ("SY75C-1004", "SY75C", "excavator", "芜湖场", "2026-05-28"),
        (
            "SY135-2001",
            "SY135",
            "excavator",
            "合肥一号场",
            "2025-11-02",
        ),
        ("SY135-2002", "SY135", "excavator", "芜湖场", "2026-04-18"),
        (
            "SY135-2003",
            "SY135",
            "excavator",
            "合肥一号场",
            "2026-06-01",
        ),
        ("ZL50-3001", "ZL50GN", "loader", "芜湖场", "2025-12-15"),
    ] {
        batch.push(Mutation::AddMachine(Machine {
            serial: serial.into(),
            model: model.into(),
            machine_type: kind.into(),
            yard: yard.into(),
            arrived_on: d(arrived),
            state: MachineStock::InStock,
        }));
    }
    for (code, name, unit, quantity) in [
        ("BKT-08", "标准铲斗 0.3m³", "个", 6),
        ("HMR-75", "破碎锤", "台", 2),
        ("FLT-01", "燃油滤芯", "件", 40),
    ] {
        batch.push(Mutation::PutAccessory {
            code: code.into(),
            name: name.into(),
            unit: unit.into(),
            quantity,
        });
    }
    app.execute_batch(&admin, &batch).unwrap();
    let run = |user: &str, m: Mutation| run_as(app, user, m);
    for (user, contract) in [
        ("zhao", "HT-2026-101"),
        ("qian", "HT-2026-102"),
        ("zhao", "HT-2026-103"),
    ] {
        run(
            user,
            Mutation::CreateOrder {
                id: String::new(),
                contract: contract.into(),
            },
        );
    }
    let pick = |order: &str, serial: &str| Mutation::Pick {
        order: order.into(),
        serial: serial.into(),
    };
    run("zhao", pick("O1", "SY75C-1001"));
    run("qian", pick("O2", "SY75C-1002"));
    run("zhao", pick("O3", "SY135-2001"));
    for (code, quantity, extra) in [("BKT-08", 2, false), ("HMR-75", 1, true)] {
        run(
            "zhao",
            Mutation::AddAccessory {
                order: "O1".into(),
                code: code.into(),
                quantity,
                extra,
            },
        );
    }
    let submitted = run(
        "zhao",
        Mutation::SubmitOrder {
            application: String::new(),
            order: "O3".into(),
        },
    );
    run(
        "fin",
        Mutation::Approve {
            id: submitted,
            comment: String::new(),
        },
    );
    run(
        "zhao",
        Mutation::Ship {
            order: "O3".into(),
            on: d("2026-06-10"),
            carrier: "安达物流".into(),
            note: String::new(),
        },
    );
    run(
        "zhao",
        Mutation::SwapMachine {
            order: "O3".into(),
            serial: "SY135-2002".into(),
            reason: "客户要求换新机".into(),
        },
    );
    book
}

/// Pays a contract off through the app, as another user would while a screen is open: one
/// payment of its whole payoff received today, recorded and confirmed. Returns its id.
pub fn pay_off(book: &Book, contract: &str) -> String {
    let payoff = book.app.ticket(&ctx(), contract, d(TODAY)).unwrap().payoff;
    assert!(payoff.is_positive(), "{contract} owes nothing to pay off");
    let id = book
        .app
        .execute(
            &ctx(),
            Mutation::RecordPayment {
                id: String::new(),
                contract: contract.into(),
                received_on: d(TODAY),
                amount: payoff,
                method: "bank".into(),
                reference: "payoff".into(),
                confirmed: false,
            },
        )
        .unwrap()
        .id
        .unwrap();
    book.app
        .execute(&ctx(), Mutation::ConfirmPayment { id: id.clone() })
        .unwrap();
    assert!(
        book.app
            .ticket(&ctx(), contract, d(TODAY))
            .unwrap()
            .payoff
            .is_zero()
    );
    id
}

/// Voids a payment through the app, as finance would behind an open screen's back.
pub fn void_payment(book: &Book, id: &str) {
    book.app
        .execute(
            &ctx(),
            Mutation::VoidPayment {
                id: id.into(),
                reason: "bounced".into(),
            },
        )
        .unwrap();
}
