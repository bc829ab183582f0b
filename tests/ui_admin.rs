//! The admin's and the salesperson's day in the screens (issue #13 item 7), through keys only,
//! with the book checked afterwards through the app; and snapshots of every new view and
//! dialog at 80×24 and 60×20, in English and Chinese.
//!
//! Admin: the allocation order and a global rate (each asked first, saying it touches every
//! contract), the users pane (add, roles, branch, language, disable; the keys of the user
//! under the cursor). Sales: draft a contract, start an order from the list of contracts
//! waiting for their machine, remove an accessory line, and a swap that takes a machine from
//! another branch's yard (asked first). Finance: an outbound approval shows the order.

mod support;

use duedesk::app::Mutation;
use duedesk::domain::Role;
use duedesk::domain::outbound::{Machine, MachineStock};
use duedesk::ui::Session;
use duedesk::ui::i18n::Lang;
use duedesk::ui::state::{Popup, Status};
use support::*;

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0ZXN0a2V5Zm9yemhhb3RoYXRpc2xvbmcx zhao@phone";

/// `machine_book` with an SSH key for zhao, a salesperson of 宁波 (so 宁波堆场 is known as
/// 宁波's yard) and a machine there.
fn admin_book() -> Book {
    let book = machine_book();
    let admin = ctx();
    book.app
        .execute_batch(
            &admin,
            &[
                Mutation::AddKey {
                    user: "zhao".into(),
                    key: KEY.into(),
                    fingerprint: "SHA256:zhaoPhoneKey0001".into(),
                },
                Mutation::AddUser {
                    name: "sun".into(),
                    display: "孙宁".into(),
                    roles: vec![Role::Sales],
                    branch: Some("宁波".into()),
                },
                Mutation::AddMachine(Machine {
                    serial: "SY135-2009".into(),
                    model: "SY135".into(),
                    machine_type: "excavator".into(),
                    yard: "宁波堆场".into(),
                    arrived_on: d("2026-05-02"),
                    state: MachineStock::InStock,
                }),
            ],
        )
        .unwrap();
    book
}

fn confirm_prompt(s: &Session<'_>) -> String {
    match &s.state.popup {
        Some(Popup::Confirm(c)) => c.prompt.clone(),
        other => panic!("no question asked: {other:?}"),
    }
}

fn info(s: &Session<'_>) -> String {
    match &s.state.status {
        Some(Status::Info(t)) => t.clone(),
        other => panic!("no info in the status line: {other:?}"),
    }
}

#[test]
fn an_admin_does_the_day_through_keys() {
    let book = admin_book();
    let app = &book.app;
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["3"]);

    // The allocation order: asked first, for every contract; no keeps it.
    press(&mut s, &["o"]);
    assert!(confirm_prompt(&s).contains("every contract"));
    press(&mut s, &["n"]);
    assert_eq!(app.settings(&ctx()).unwrap().allocation_order, "default");
    press(&mut s, &["o", "y"]);
    assert_eq!(app.settings(&ctx()).unwrap().allocation_order, "statutory");
    assert!(info(&s).contains("statutory"));

    // A global rate: asked first; no goes back to the form as typed.
    press(&mut s, &["r", "tab", "ctrl-u"]);
    type_text(&mut s, "2026-07-01");
    press(&mut s, &["tab"]);
    type_text(&mut s, "0.0006");
    press(&mut s, &["enter"]);
    let prompt = confirm_prompt(&s);
    assert!(
        prompt.contains("0.0006")
            && prompt.contains("2026-07-01")
            && prompt.contains("every contract"),
        "{prompt}"
    );
    press(&mut s, &["n"]);
    assert!(matches!(&s.state.popup, Some(Popup::Form(f)) if f.fields[2].input.text() == "0.0006"));
    press(&mut s, &["enter", "y"]);
    let rates = app.settings(&ctx()).unwrap().rates;
    assert!(
        rates
            .iter()
            .any(|r| r.from == d("2026-07-01") && r.daily.to_string() == "0.0006"),
        "{rates:?}"
    );
    // A contract's own rate is not asked about.
    press(&mut s, &["r"]);
    type_text(&mut s, "HT-2026-101");
    press(&mut s, &["tab", "tab"]);
    type_text(&mut s, "0.0004");
    press(&mut s, &["enter"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);

    // The users pane: zhao's key is listed under the list while zhao is under the cursor.
    press(&mut s, &["l"]);
    let names: Vec<_> = s
        .state
        .settings
        .users
        .iter()
        .map(|u| u.name.clone())
        .collect();
    assert_eq!(names, ["chen", "fin", "li", "qian", "sun", "wang", "zhao"]);
    press(&mut s, &["G"]);
    assert_eq!(s.state.settings.keys_of.as_deref(), Some("zhao"));
    assert!(text(&s, 80, 24).contains("SHA256:zhaoPhoneKey0001 ssh-ed25519 zhao@phone"));

    // Add a user: a role is required; then sales in 合肥.
    press(&mut s, &["n"]);
    type_text(&mut s, "wu");
    press(&mut s, &["tab"]);
    type_text(&mut s, "吴芳");
    press(&mut s, &["tab"]);
    type_text(&mut s, "合肥");
    press(&mut s, &["enter"]);
    assert!(
        matches!(&s.state.popup, Some(Popup::Form(_))),
        "no role: kept open"
    );
    assert!(app.user("wu").is_err());
    press(&mut s, &["tab", "tab", "tab", "space", "enter"]);
    let wu = app.user("wu").unwrap();
    assert_eq!(
        (wu.display.as_str(), wu.roles.clone(), wu.branch.as_deref()),
        ("吴芳", vec![Role::Sales], Some("合肥"))
    );
    assert_eq!(s.state.settings.selected_user().unwrap().name, "wu");

    // Roles: collector as well. Branch: 杭州. Language: Chinese.
    press(&mut s, &["e", "space", "enter"]);
    assert_eq!(
        app.user("wu").unwrap().roles,
        vec![Role::Collector, Role::Sales]
    );
    press(&mut s, &["b", "ctrl-u"]);
    type_text(&mut s, "杭州");
    press(&mut s, &["enter"]);
    assert_eq!(app.user("wu").unwrap().branch.as_deref(), Some("杭州"));
    press(&mut s, &["L", "right", "enter"]);
    assert_eq!(app.preferred_language("wu").unwrap(), Some(Lang::Zh));
    assert_eq!(s.state.settings.selected_user().unwrap().lang, Some("zh"));

    // Disable: asked first.
    press(&mut s, &["d"]);
    assert!(confirm_prompt(&s).contains("wu (吴芳)"));
    press(&mut s, &["y"]);
    let wu = |app: &duedesk::app::App| {
        app.users(&ctx())
            .unwrap()
            .into_iter()
            .find(|u| u.name == "wu")
            .unwrap()
    };
    assert!(wu(app).disabled);
    assert!(
        s.state
            .status
            .as_ref()
            .is_some_and(|st| matches!(st, Status::Info(t) if t.contains("wu")))
    );

    // A branch cleared is no branch.
    press(&mut s, &["b", "ctrl-u", "enter"]);
    assert_eq!(wu(app).branch, None);
}

#[test]
fn the_users_pane_is_for_admins_only() {
    let book = admin_book();
    let mut s = session_as(&book, "fin", Lang::En, "default");
    press(&mut s, &["3", "l"]);
    assert_eq!(
        s.state.settings.pane,
        duedesk::ui::screens::settings::Pane::Settings
    );
    assert!(!text(&s, 80, 24).contains("Users"));
    // The allocation order is the admin's: the app refuses finance.
    press(&mut s, &["o", "y"]);
    assert!(
        matches!(&s.state.status, Some(Status::Error(_))),
        "{:?}",
        s.state.status
    );
    assert_eq!(
        book.app.settings(&ctx()).unwrap().allocation_order,
        "default"
    );
}

#[test]
fn a_salesperson_does_the_day_through_keys() {
    let book = admin_book();
    let app = &book.app;
    let mut s = session_as(&book, "zhao", Lang::En, "default");
    press(&mut s, &["8"]);

    // Draft a contract: it goes to approval.
    press(&mut s, &["d"]);
    type_text(&mut s, "HT-2026-201");
    press(&mut s, &["tab"]);
    type_text(&mut s, "C1");
    press(&mut s, &["tab"]);
    type_text(&mut s, "SY135");
    press(&mut s, &["tab"]);
    type_text(&mut s, "280000");
    press(&mut s, &["enter"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    assert!(info(&s).contains("HT-2026-201 drafted"));
    let drafted = app.ticket(&ctx(), "HT-2026-201", d(TODAY));
    assert!(drafted.is_ok(), "{drafted:?}");
    let waiting = app.contracts_awaiting_machine(&ctx_as("zhao")).unwrap();
    assert!(
        !waiting.iter().any(|c| c.contract_no == "HT-2026-201"),
        "a draft does not wait for a machine yet"
    );

    // A new order from the list: HT-2026-104 is the one waiting.
    press(&mut s, &["n", "enter"]);
    let order = s.state.orders.order.as_ref().expect("open").view.id.clone();
    assert_eq!(
        app.order(&ctx(), &order).unwrap().contract_no,
        "HT-2026-104"
    );

    // Add a line, then remove it: asked first; the stock is as before.
    let reserved = |code: &str| {
        app.accessories(&ctx())
            .unwrap()
            .into_iter()
            .find(|a| a.code == code)
            .unwrap()
            .reserved
    };
    let before = reserved("FLT-01");
    press(&mut s, &["a"]);
    type_text(&mut s, "FLT-01");
    press(&mut s, &["tab", "ctrl-u"]);
    type_text(&mut s, "4");
    press(&mut s, &["enter"]);
    assert_eq!(reserved("FLT-01"), before + 4);
    press(&mut s, &["x"]);
    assert!(confirm_prompt(&s).contains("FLT-01"));
    press(&mut s, &["y"]);
    assert!(app.order(&ctx(), &order).unwrap().accessories.is_empty());
    assert_eq!(reserved("FLT-01"), before);

    // A swap from another branch's yard is asked about; no goes back to the dialog.
    press(&mut s, &["esc", "g", "j"]);
    assert_eq!(s.state.orders.selected().unwrap().id, "O3");
    press(&mut s, &["enter", "w"]);
    type_text(&mut s, "2009");
    press(&mut s, &["tab"]);
    type_text(&mut s, "客户要宁波的机器");
    press(&mut s, &["enter"]);
    let prompt = confirm_prompt(&s);
    assert!(
        prompt.contains("宁波堆场") && prompt.contains("宁波") && prompt.contains("杭州"),
        "{prompt}"
    );
    press(&mut s, &["n"]);
    assert!(matches!(&s.state.popup, Some(Popup::Pick(_))));
    assert_eq!(
        app.order(&ctx(), "O3").unwrap().serial.as_deref(),
        Some("SY135-2002")
    );
    press(&mut s, &["enter", "y"]);
    assert_eq!(
        app.order(&ctx(), "O3").unwrap().serial.as_deref(),
        Some("SY135-2009")
    );
    // A machine of a yard of no known branch is swapped without a question.
    press(&mut s, &["w"]);
    type_text(&mut s, "2003");
    press(&mut s, &["tab"]);
    type_text(&mut s, "再换回来");
    press(&mut s, &["enter"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    assert_eq!(
        app.order(&ctx(), "O3").unwrap().serial.as_deref(),
        Some("SY135-2003")
    );
}

#[test]
fn an_outbound_approval_shows_the_order() {
    let book = admin_book();
    run_as(
        &book.app,
        "zhao",
        Mutation::SubmitOrder {
            application: String::new(),
            order: "O1".into(),
        },
    );
    let mut s = session_as(&book, "fin", Lang::En, "default");
    press(&mut s, &["4"]);
    let screen = text(&s, 120, 40);
    assert!(
        screen.contains("Order O1: machine SY75C-1001 (SY75C)"),
        "{screen}"
    );
    assert!(screen.contains("BKT-08"), "{screen}");
    assert!(screen.contains("HMR-75 破碎锤 × 1 台 (extra)"), "{screen}");
}

/// Keys that bring a session (user, keys) to each new view or dialog.
const VIEWS: &[(&str, &str, &[&str])] = &[
    ("settings_users", "admin", &["3", "l", "G"]),
    ("form_add_user", "admin", &["3", "l", "n"]),
    ("form_roles", "admin", &["3", "l", "G", "e"]),
    ("form_language", "admin", &["3", "l", "G", "L"]),
    ("confirm_disable", "admin", &["3", "l", "G", "d"]),
    ("confirm_allocation", "admin", &["3", "o"]),
    ("contract_pick", "zhao", &["8", "n"]),
    ("form_draft_contract", "zhao", &["8", "d"]),
    ("confirm_remove_line", "zhao", &["8", "G", "enter", "x"]),
];

#[test]
fn new_views_and_dialogs_at_both_sizes_and_languages() {
    let book = admin_book();
    run_as(
        &book.app,
        "zhao",
        Mutation::SubmitOrder {
            application: String::new(),
            order: "O1".into(),
        },
    );
    for (lang, lang_name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut shots: Vec<(String, Session<'_>)> = Vec::new();
        for (name, user, keys) in VIEWS {
            let mut s = session_as(&book, user, lang, "default");
            press(&mut s, keys);
            shots.push((name.to_string(), s));
        }
        // The global rate's question.
        let mut s = session(&book, lang, "default");
        press(&mut s, &["3", "r", "tab", "tab"]);
        type_text(&mut s, "0.0006");
        press(&mut s, &["enter"]);
        shots.push(("confirm_rate_all".into(), s));
        // The swap from another branch's yard.
        let mut s = session_as(&book, "zhao", lang, "default");
        press(&mut s, &["8", "enter", "w"]);
        type_text(&mut s, "2009");
        press(&mut s, &["tab"]);
        type_text(&mut s, "客户要求");
        press(&mut s, &["enter"]);
        shots.push(("confirm_swap_other_branch".into(), s));
        // Finance's approval of an outbound order.
        let mut s = session_as(&book, "fin", lang, "default");
        press(&mut s, &["4"]);
        shots.push(("approval_outbound".into(), s));
        for (name, s) in &shots {
            for (w, h) in [(80, 24), (60, 20)] {
                insta::assert_snapshot!(format!("admin_{name}_{w}x{h}_{lang_name}"), text(s, w, h));
            }
        }
    }
}
