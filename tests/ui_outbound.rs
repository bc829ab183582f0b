//! The machine system's screens: snapshots of the stock browser, the outbound orders, the
//! order screen and the pick dialog (English and Chinese, 80×24 and 120×40), and the update
//! logic — key sequences to state, and what reaches the store.

mod support;

use duedesk::app::Mutation;
use duedesk::ui::i18n::Lang;
use duedesk::ui::keymap::Command;
use duedesk::ui::state::{Action, Popup, Screen, Status};
use support::*;

/// Key presses that bring a fresh admin session to each screen.
const SCREENS: &[(&str, &[&str])] = &[
    ("stock", &["7"]),
    ("stock_serials", &["7", "j", "enter"]),
    ("orders", &["8"]),
    ("order", &["8", "G", "enter"]),
    ("order_shipped", &["8", "enter"]),
    ("pick", &["8", "G", "enter", "p"]),
];

#[test]
fn machine_screen_snapshots() {
    let book = machine_book();
    for (name, keys) in SCREENS {
        for (w, h) in [(80, 24), (120, 40)] {
            for (lang, lang_name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
                let mut s = session(&book, lang, "default");
                press(&mut s, keys);
                assert!(s.state.status.is_none(), "{name}: {:?}", s.state.status);
                let snap = format!("{name}_{w}x{h}_{lang_name}_default");
                insta::assert_snapshot!(snap, render(&s, w, h));
            }
        }
    }
    let mut s = session(&book, Lang::En, "mono");
    press(&mut s, &["8", "G", "enter"]);
    insta::assert_snapshot!("order_80x24_en_mono", render(&s, 80, 24));
}

#[test]
fn swap_dialog_and_accessory_form_as_text() {
    let book = machine_book();
    let mut s = session(&book, Lang::Zh, "default");
    press(&mut s, &["8", "enter", "w"]);
    type_text(&mut s, "2003");
    insta::assert_snapshot!("swap_80x24_zh", text(&s, 80, 24));
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["8", "G", "enter", "a"]);
    type_text(&mut s, "hmr-75");
    press(&mut s, &["tab", "ctrl-u"]);
    type_text(&mut s, "5");
    insta::assert_snapshot!("form_accessory_error_80x24_en", text(&s, 80, 24));
}

#[test]
fn a_book_without_machines_offers_no_machine_screens() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    assert!(!s.state.machine_system);
    press(&mut s, &["7", "8"]);
    assert_eq!(s.state.screen, Screen::Dashboard);
    let book = machine_book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["8"]);
    assert_eq!(s.state.screen, Screen::Orders);
    press(&mut s, &["tab"]);
    assert_eq!(
        s.state.screen,
        Screen::Reports,
        "reports come after the machine screens for an admin"
    );
    press(&mut s, &["tab"]);
    assert_eq!(s.state.screen, Screen::Budget, "the budget comes last");
    press(&mut s, &["tab"]);
    assert_eq!(s.state.screen, Screen::Dashboard, "tab wraps round");
}

#[test]
fn the_first_machine_added_elsewhere_brings_the_machine_screens_on_reload() {
    use duedesk::domain::outbound::{Machine, MachineStock};
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    assert!(!s.state.machine_system);
    let machine = Mutation::AddMachine(Machine {
        serial: "SY75C-9001".into(),
        model: "SY75C".into(),
        machine_type: "excavator".into(),
        yard: "合肥一号场".into(),
        arrived_on: d("2026-06-01"),
        state: MachineStock::InStock,
    });
    book.app.execute(&ctx(), machine).unwrap();
    s.apply(Action::Command(Command::Reload));
    assert!(s.state.machine_system);
    press(&mut s, &["7"]);
    assert_eq!(s.state.screen, Screen::Stock);
}

fn pick_visible(s: &duedesk::ui::Session<'_>) -> Vec<String> {
    match &s.state.popup {
        Some(Popup::Pick(p)) => p
            .visible()
            .iter()
            .map(|&i| p.rows[i as usize].serial.clone())
            .collect(),
        other => panic!("no pick dialog: {other:?}"),
    }
}

fn pick_message(s: &duedesk::ui::Session<'_>) -> Option<String> {
    match &s.state.popup {
        Some(Popup::Pick(p)) => p.message.clone(),
        other => panic!("no pick dialog: {other:?}"),
    }
}

#[test]
fn typing_in_the_pick_dialog_filters_and_the_contract_model_comes_first() {
    let book = machine_book();
    let mut s = session_as(&book, "zhao", Lang::En, "default");
    press(&mut s, &["8", "G", "enter", "p"]);
    // In stock: SY75C-1003/1004 (the contract's model, oldest first), then the same-type
    // SY135s; the loader is not offered, nor the machines other orders hold.
    assert_eq!(
        pick_visible(&s),
        ["SY75C-1003", "SY75C-1004", "SY135-2001", "SY135-2003"]
    );
    type_text(&mut s, "芜湖");
    assert_eq!(pick_visible(&s), ["SY75C-1003", "SY75C-1004"]);
    type_text(&mut s, " 1004");
    assert_eq!(pick_visible(&s), ["SY75C-1004"]);
    press(&mut s, &["ctrl-u"]);
    type_text(&mut s, "sy135");
    assert_eq!(pick_visible(&s), ["SY135-2001", "SY135-2003"]);
    press(&mut s, &["backspace", "backspace", "backspace"]);
    assert_eq!(pick_visible(&s).len(), 4, "«sy» matches every serial");
    type_text(&mut s, "zzz");
    assert!(pick_visible(&s).is_empty());
    press(&mut s, &["esc"]);
    assert!(s.state.popup.is_none());
}

#[test]
fn picking_reserves_the_machine_in_the_store_and_releases_the_old_one() {
    let book = machine_book();
    let mut s = session_as(&book, "zhao", Lang::En, "default");
    press(&mut s, &["8", "G", "enter", "p"]);
    type_text(&mut s, "1004");
    press(&mut s, &["enter"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    assert!(
        matches!(&s.state.status, Some(Status::Info(t)) if t.contains("SY75C-1004 reserved for order O1")),
        "{:?}",
        s.state.status
    );
    let m = book.app.machine(&ctx(), "SY75C-1004").unwrap();
    assert_eq!((m.state, m.order.as_deref()), ("reserved", Some("O1")));
    assert_eq!(
        book.app.machine(&ctx(), "SY75C-1001").unwrap().state,
        "in_stock"
    );
    // The order screen shows the new serial.
    let o = s.state.orders.order.as_ref().unwrap();
    assert_eq!(o.view.serial.as_deref(), Some("SY75C-1004"));
}

#[test]
fn a_machine_taken_by_another_order_meanwhile_is_refused_with_its_holder() {
    let book = machine_book();
    let mut s = session_as(&book, "zhao", Lang::En, "default");
    press(&mut s, &["8", "G", "enter", "p"]);
    type_text(&mut s, "1003");
    assert_eq!(pick_visible(&s), ["SY75C-1003"]);
    // Another session: qian picks the same machine for O2 first.
    book.app
        .execute(
            &duedesk::app::Ctx::new("qian", d(TODAY), 1_781_500_000),
            duedesk::app::Mutation::Pick {
                order: "O2".into(),
                serial: "SY75C-1003".into(),
            },
        )
        .unwrap();
    press(&mut s, &["enter"]);
    let message = pick_message(&s).expect("the refusal shows in the dialog");
    assert!(
        message.contains("reserved: order O2 of contract HT-2026-102 by qian"),
        "{message}"
    );
    let m = book.app.machine(&ctx(), "SY75C-1003").unwrap();
    assert_eq!(m.order.as_deref(), Some("O2"), "the store is unchanged");
    assert_eq!(
        book.app.order(&ctx(), "O1").unwrap().serial.as_deref(),
        Some("SY75C-1001")
    );
    // Typing again clears the message; Esc closes.
    type_text(&mut s, "x");
    assert_eq!(pick_message(&s), None);
}

#[test]
fn the_accessory_form_checks_stock_as_you_type_and_adds_a_line() {
    let book = machine_book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["8", "G", "enter", "a"]);
    type_text(&mut s, "nope");
    let errors = |s: &duedesk::ui::Session<'_>| match &s.state.popup {
        Some(Popup::Form(f)) => f.errors(Lang::En, d(TODAY)),
        other => panic!("no form: {other:?}"),
    };
    assert_eq!(errors(&s)[0].as_deref(), Some("no such accessory"));
    press(&mut s, &["ctrl-u"]);
    type_text(&mut s, "hmr-75");
    assert_eq!(errors(&s)[0], None);
    press(&mut s, &["tab", "ctrl-u"]);
    type_text(&mut s, "2");
    // Two on hand, one held by O1's extra line.
    assert_eq!(errors(&s)[1].as_deref(), Some("only 1 台 available"));
    press(&mut s, &["enter"]);
    assert!(matches!(s.state.popup, Some(Popup::Form(_))), "not saved");
    press(&mut s, &["backspace"]);
    type_text(&mut s, "1");
    press(&mut s, &["tab", "space", "enter"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    let o = book.app.order(&ctx(), "O1").unwrap();
    let hammer: Vec<_> = o
        .accessories
        .iter()
        .filter(|l| l.code == "HMR-75")
        .collect();
    assert_eq!(hammer.len(), 1, "same code and kind add up");
    assert_eq!((hammer[0].quantity, hammer[0].extra), (2, true));
}

#[test]
fn submit_then_ship_after_a_confirmation() {
    let book = machine_book();
    let mut s = session_as(&book, "zhao", Lang::En, "default");
    press(&mut s, &["8", "G", "enter", "s"]);
    let o = book.app.order(&ctx(), "O1").unwrap();
    assert_eq!(o.state, "submitted");
    let application = o.application.unwrap();
    book.app
        .execute(
            &duedesk::app::Ctx::new("fin", d(TODAY), 1_781_500_000),
            duedesk::app::Mutation::Approve {
                id: application,
                comment: String::new(),
            },
        )
        .unwrap();
    press(&mut s, &["r", "S", "tab"]);
    type_text(&mut s, "安达物流");
    press(&mut s, &["enter"]);
    assert!(
        matches!(&s.state.popup, Some(Popup::Confirm(c)) if c.prompt.contains("Ship order O1 (machine SY75C-1001) on 2026-06-15")),
        "{:?}",
        s.state.popup
    );
    // No goes back to the form with what was typed.
    press(&mut s, &["n"]);
    assert!(
        matches!(&s.state.popup, Some(Popup::Form(f)) if f.fields[1].input.text() == "安达物流")
    );
    assert_eq!(book.app.order(&ctx(), "O1").unwrap().state, "approved");
    press(&mut s, &["enter", "y"]);
    let o = book.app.order(&ctx(), "O1").unwrap();
    assert_eq!(
        (o.state, o.carrier.as_deref()),
        ("shipped", Some("安达物流"))
    );
    assert_eq!(
        book.app.machine(&ctx(), "SY75C-1001").unwrap().state,
        "shipped"
    );
    assert_eq!(s.state.orders.order.as_ref().unwrap().view.state, "shipped");
}

#[test]
fn cancel_asks_first_and_releases_the_machine() {
    let book = machine_book();
    let mut s = session_as(&book, "qian", Lang::Zh, "default");
    press(&mut s, &["8", "j", "enter"]);
    assert_eq!(s.state.orders.order.as_ref().unwrap().view.id, "O2");
    press(&mut s, &["c", "enter"]);
    assert!(
        matches!(s.state.popup, Some(Popup::Form(_))),
        "a reason is required"
    );
    type_text(&mut s, "客户改期");
    press(&mut s, &["enter"]);
    assert!(matches!(s.state.popup, Some(Popup::Confirm(_))));
    press(&mut s, &["y"]);
    assert_eq!(book.app.order(&ctx(), "O2").unwrap().state, "cancelled");
    assert_eq!(
        book.app.machine(&ctx(), "SY75C-1002").unwrap().state,
        "in_stock"
    );
}

#[test]
fn a_new_order_starts_from_the_contracts_waiting_for_their_machine() {
    let book = machine_book();
    let mut s = session_as(&book, "zhao", Lang::En, "default");
    // qian opens the same list before zhao takes the contract.
    let mut other = session_as(&book, "qian", Lang::En, "default");
    press(&mut other, &["8", "n"]);
    press(&mut s, &["8", "n"]);
    let listed = |s: &duedesk::ui::Session<'_>| match &s.state.popup {
        Some(Popup::ContractPick(p)) => p
            .shown
            .iter()
            .map(|&i| p.rows[i].contract_no.clone())
            .collect::<Vec<_>>(),
        other => panic!("no contract list: {other:?}"),
    };
    // The other approved contracts have orders already.
    assert_eq!(listed(&s), ["HT-2026-104"]);
    type_text(&mut s, "zzz");
    assert!(listed(&s).is_empty());
    press(&mut s, &["ctrl-u"]);
    type_text(&mut s, "李四 sy75");
    assert_eq!(listed(&s), ["HT-2026-104"]);
    press(&mut s, &["enter"]);
    let o = s
        .state
        .orders
        .order
        .as_ref()
        .expect("the new order is open");
    assert_eq!((o.view.id.as_str(), o.view.state), ("O4", "draft"));
    // Now no contract waits.
    press(&mut s, &["esc", "n"]);
    assert!(listed(&s).is_empty());
    // The other session's Enter is refused inside its dialog, naming the order.
    press(&mut other, &["enter"]);
    assert!(
        matches!(&other.state.popup, Some(Popup::ContractPick(p)) if p.message.as_deref().is_some_and(|m| m.contains("already has order O4"))),
        "{:?}",
        other.state.popup
    );
}

#[test]
fn a_swap_needs_a_reason_and_returns_the_old_machine_to_stock() {
    let book = machine_book();
    let mut s = session_as(&book, "zhao", Lang::En, "default");
    press(&mut s, &["8", "enter"]);
    assert_eq!(s.state.orders.order.as_ref().unwrap().view.id, "O3");
    press(&mut s, &["w"]);
    // Same type only: the SY75C and SY135 in stock, SY135 first; not the loader.
    let offered = pick_visible(&s);
    assert_eq!(offered[..2], ["SY135-2001", "SY135-2003"]);
    assert!(!offered.iter().any(|m| m.starts_with("ZL50")));
    type_text(&mut s, "2003");
    press(&mut s, &["enter"]);
    assert_eq!(pick_message(&s).as_deref(), Some("Reason: required"));
    type_text(&mut s, "发动机异响");
    press(&mut s, &["enter"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    let o = book.app.order(&ctx(), "O3").unwrap();
    assert_eq!(o.serial.as_deref(), Some("SY135-2003"));
    assert_eq!(o.swaps.len(), 2);
    assert_eq!(
        book.app.machine(&ctx(), "SY135-2002").unwrap().state,
        "in_stock"
    );
    // A draft cannot be swapped: said in the status line.
    press(&mut s, &["esc", "G", "enter", "w"]);
    assert!(s.state.popup.is_none());
    assert!(matches!(&s.state.status, Some(Status::Error(t)) if t.contains("order O1 is draft")));
}

#[test]
fn the_stock_browser_drills_into_serials_and_filters_by_yard_and_state() {
    let book = machine_book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["7"]);
    let models: Vec<_> = s
        .state
        .stock
        .lines
        .iter()
        .map(|l| l.model.clone())
        .collect();
    assert_eq!(models, ["SY135", "SY75C", "ZL50GN"]);
    let sy75 = &s.state.stock.lines[1];
    assert_eq!(
        (sy75.in_stock, sy75.reserved, sy75.shipped, sy75.towed_back),
        (2, 2, 0, 0)
    );
    // Filter: yard 芜湖场 (the second yard), state reserved → no model has one there.
    press(
        &mut s,
        &["f", "right", "right", "down", "right", "right", "enter"],
    );
    assert_eq!(s.state.stock.filter.yard.as_deref(), Some("芜湖场"));
    assert_eq!(s.state.stock.filter.state, Some("reserved"));
    assert!(s.state.stock.lines.is_empty());
    // x clears; the SY75C serials show their holders.
    press(&mut s, &["x", "j", "enter"]);
    let m = s.state.stock.serials.as_ref().unwrap();
    let held: Vec<_> = m
        .visible
        .iter()
        .map(|&i| (m.all[i].serial.as_str(), m.all[i].held_by.is_some()))
        .collect();
    assert_eq!(
        held,
        [
            ("SY75C-1001", true),
            ("SY75C-1002", true),
            ("SY75C-1003", false),
            ("SY75C-1004", false)
        ]
    );
    // A filter applies to the serials too; Esc goes back to the models.
    press(&mut s, &["f", "down", "right", "enter"]);
    let m = s.state.stock.serials.as_ref().unwrap();
    assert_eq!(m.visible.len(), 2, "in stock only");
    press(&mut s, &["esc"]);
    assert!(s.state.stock.serials.is_none());
}
