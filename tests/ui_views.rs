//! The dashboard's views (overdue, penalty only, all in scope, settled), role-filtered keys,
//! Ctrl-H, the status line and the open ticket following the book, the tab bar and narrow
//! tables (#13 items 1, 9 and 10) — by keystrokes, checked through the app; the new views
//! snapshotted at 80×24 and 60×20 in English and Chinese.

mod support;

use duedesk::app::{ApplicationFilter, Ctx, ListView, Mutation, NewContract};
use duedesk::domain::approval::DocumentType;
use duedesk::domain::{Installment, Role};
use duedesk::ui::Session;
use duedesk::ui::i18n::{Lang, Msg};
use duedesk::ui::keymap::Command;
use duedesk::ui::state::{Action, Popup, Screen, Status};
use support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (60, 20)];
const LANGS: [(Lang, &str); 2] = [(Lang::En, "en"), (Lang::Zh, "zh")];

/// The workflow book with HT-2025-001 (li's) paid up to date but for its penalty — penalty
/// only — and HT-2025-006 (chen's, paid in full on time) settled.
fn views_book() -> Book {
    let book = workflow_book();
    let app = &book.app;
    let t = app.ticket(&ctx(), "HT-2025-001", d(TODAY)).unwrap();
    assert!(t.days_overdue > 0);
    let id = app
        .execute(
            &ctx(),
            Mutation::RecordPayment {
                id: String::new(),
                contract: "HT-2025-001".into(),
                received_on: d(TODAY),
                amount: t.overdue_amount,
                method: "bank".into(),
                reference: "arrears".into(),
                confirmed: false,
            },
        )
        .unwrap()
        .id
        .unwrap();
    app.execute(&ctx(), Mutation::ConfirmPayment { id })
        .unwrap();
    let t = app.ticket(&ctx(), "HT-2025-001", d(TODAY)).unwrap();
    assert_eq!(t.days_overdue, 0);
    assert!(t.penalty_outstanding.is_positive());
    app.execute(
        &ctx(),
        Mutation::Settle {
            contract: "HT-2025-006".into(),
        },
    )
    .unwrap();
    book
}

/// The contracts a view holds for a viewer, as the app gives them, in list order.
fn in_view(book: &Book, c: &Ctx, view: ListView) -> Vec<String> {
    book.app
        .dashboard_list(c, d(TODAY), view)
        .unwrap()
        .to_vec()
        .into_iter()
        .map(|r| r.contract_no)
        .collect()
}

/// The contracts the dashboard shows, in order.
fn shown(s: &Session<'_>) -> Vec<String> {
    s.state
        .dashboard
        .shown()
        .map(|r| r.contract_no.clone())
        .collect()
}

#[test]
fn each_view_holds_its_contracts_in_the_viewers_scope() {
    let book = views_book();
    let admin = ctx();
    let li = ctx_as("li");
    // The overdue list lost HT-2025-001; penalty only has it.
    assert!(!in_view(&book, &admin, ListView::Overdue).contains(&"HT-2025-001".into()));
    assert_eq!(
        in_view(&book, &admin, ListView::PenaltyOnly),
        ["HT-2025-001"]
    );
    assert_eq!(in_view(&book, &li, ListView::PenaltyOnly), ["HT-2025-001"]);
    assert_eq!(
        in_view(&book, &ctx_as("wang"), ListView::PenaltyOnly),
        Vec::<String>::new()
    );
    // All in scope: every contract for the admin, the collector's own for li (the
    // repossessed HT-2025-008 too), overdue ones first.
    let mut all = in_view(&book, &admin, ListView::All);
    assert_eq!(all.len(), 8);
    assert_eq!(all[0], "HT-2025-004", "most days overdue first");
    all.sort();
    assert_eq!(
        all,
        (1..=8)
            .map(|i| format!("HT-2025-00{i}"))
            .collect::<Vec<_>>()
    );
    let mut mine = in_view(&book, &li, ListView::All);
    mine.sort();
    assert_eq!(mine, ["HT-2025-001", "HT-2025-003", "HT-2025-008"]);
    // Settled: HT-2025-006, which li may not see.
    assert_eq!(in_view(&book, &admin, ListView::Settled), ["HT-2025-006"]);
    assert_eq!(in_view(&book, &li, ListView::Settled), Vec::<String>::new());
    // A change reaches the views the next time they are read (the list kept is patched).
    let payment = pay_off(&book, "HT-2025-001");
    assert_eq!(
        in_view(&book, &admin, ListView::PenaltyOnly),
        Vec::<String>::new()
    );
    void_payment(&book, &payment);
    assert_eq!(
        in_view(&book, &admin, ListView::PenaltyOnly),
        ["HT-2025-001"]
    );
}

#[test]
fn a_collector_reaches_a_penalty_only_contract_and_applies_for_a_waiver() {
    let book = views_book();
    let mut s = session_as(&book, "li", Lang::En, "default");
    assert_eq!(s.state.dashboard.view, ListView::Overdue);
    assert!(!shown(&s).contains(&"HT-2025-001".to_string()));
    press(&mut s, &["v"]);
    assert_eq!(s.state.dashboard.view, ListView::PenaltyOnly);
    assert_eq!(
        shown(&s),
        in_view(&book, &ctx_as("li"), ListView::PenaltyOnly)
    );
    let screen = text(&s, 80, 24);
    assert!(screen.contains("Penalty only: 1 contracts"), "{screen}");
    // Open it, apply for a waiver of the whole penalty.
    let penalty = book
        .app
        .ticket(&ctx_as("li"), "HT-2025-001", d(TODAY))
        .unwrap()
        .penalty_outstanding;
    press(&mut s, &["enter", "w", "down"]);
    type_text(&mut s, "arrears paid in full");
    press(&mut s, &["enter"]);
    let waivers = book
        .app
        .applications(
            &ctx(),
            &ApplicationFilter {
                document: Some(DocumentType::Waiver),
                ..Default::default()
            },
        )
        .unwrap();
    let w = waivers
        .iter()
        .find(|a| a.contract_no == "HT-2025-001")
        .expect("the waiver application");
    assert_eq!(w.applicant, "li");
    assert_eq!(w.amount, Some(penalty));
    // Round the views: all in scope, settled (nothing for li), and back to overdue.
    press(&mut s, &["esc", "v"]);
    assert_eq!(s.state.dashboard.view, ListView::All);
    assert_eq!(shown(&s).len(), 3);
    press(&mut s, &["v"]);
    assert_eq!(s.state.dashboard.view, ListView::Settled);
    assert!(shown(&s).is_empty());
    assert!(text(&s, 80, 24).contains("No contracts in this view match."));
    press(&mut s, &["v"]);
    assert_eq!(s.state.dashboard.view, ListView::Overdue);
    assert_eq!(shown(&s), in_view(&book, &ctx_as("li"), ListView::Overdue));
}

#[test]
fn the_admin_settles_from_the_all_view_and_finds_it_under_settled() {
    let book = views_book();
    pay_off(&book, "HT-2025-007");
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["v", "v"]);
    assert_eq!(s.state.dashboard.view, ListView::All);
    press(&mut s, &["/"]);
    type_text(&mut s, "HT-2025-007");
    press(&mut s, &["enter", "enter", "S", "y"]);
    assert_eq!(
        s.state.status.as_ref().map(|_| ()),
        Some(()),
        "a message says so"
    );
    let t = book.app.ticket(&ctx(), "HT-2025-007", d(TODAY)).unwrap();
    assert_eq!(t.state, "settled");
    press(&mut s, &["esc", "x", "v"]);
    assert_eq!(s.state.dashboard.view, ListView::Settled);
    assert_eq!(shown(&s), ["HT-2025-006", "HT-2025-007"]);
    assert_eq!(shown(&s), in_view(&book, &ctx(), ListView::Settled));
}

#[test]
fn view_snapshots() {
    let book = views_book();
    for (user, presses, name) in [
        ("li", 1, "penalty_only"),
        ("admin", 2, "all"),
        ("admin", 3, "settled"),
    ] {
        for (lang, lang_name) in LANGS {
            let mut s = session_as(&book, user, lang, "default");
            for _ in 0..presses {
                press(&mut s, &["v"]);
            }
            for (w, h) in SIZES {
                let screen = text(&s, w, h);
                // The contract column stays at 60 cells.
                assert!(screen.contains("HT-2025-00"), "{name} {w}×{h}:\n{screen}");
                insta::assert_snapshot!(format!("view_{name}_{w}x{h}_{lang_name}"), screen);
            }
        }
    }
}

#[test]
fn the_overdue_dashboard_keeps_the_contract_column_at_60_cells() {
    let book = book();
    for (lang, _) in LANGS {
        let s = session(&book, lang, "default");
        let screen = text(&s, 60, 20);
        assert!(screen.contains("HT-2025-004"), "{screen}");
    }
}

/// The hint bar (the last line) and the help of a session.
fn hints_and_help(s: &mut Session<'_>) -> (String, String) {
    let screen = text(s, 200, 60);
    let hints = screen.lines().last().unwrap().to_string();
    press(s, &["?"]);
    let help = text(s, 200, 60);
    press(s, &["esc"]);
    (hints, help)
}

#[test]
fn keys_a_role_may_not_use_are_not_offered() {
    let book = workflow_book();
    let t = |m| Lang::En.t(m).to_string();
    // A clerk on a ticket: contacts, but no payment, waiver, settlement, lock or tow.
    let mut s = session_as(&book, "zhou", Lang::En, "default");
    press(&mut s, &["enter"]);
    assert!(s.state.ticket.is_some());
    let (hints, help) = hints_and_help(&mut s);
    assert!(hints.contains(&t(Msg::CmdContact)), "{hints}");
    for denied in [
        Msg::CmdPayment,
        Msg::CmdWaiver,
        Msg::CmdSettle,
        Msg::CmdApplyTow,
    ] {
        let word = format!(" {}  ", t(denied));
        assert!(!hints.contains(&word), "{word:?} in {hints}");
        assert!(!help.contains(&word), "{word:?} in {help}");
    }
    // The app agrees: the clerk may not record a payment.
    assert!(!book.app.may(&ctx_as("zhou"), "payment.record").unwrap());
    assert!(book.app.may(&ctx_as("zhou"), "ticket.contact").unwrap());
    // Given the collector's role too, the clerk is offered payments at the next reload.
    book.app
        .execute(
            &ctx(),
            Mutation::SetRoles {
                name: "zhou".into(),
                roles: vec![Role::Clerk, Role::Collector],
            },
        )
        .unwrap();
    s.apply(Action::Command(Command::Reload));
    let (hints, _) = hints_and_help(&mut s);
    assert!(
        hints.contains(&format!(" {}  ", t(Msg::CmdPayment))),
        "{hints}"
    );
    // A collector on the payments list: no confirm nor void.
    let mut s = session_as(&book, "li", Lang::En, "default");
    press(&mut s, &["2"]);
    let (hints, help) = hints_and_help(&mut s);
    for denied in [Msg::CmdConfirm, Msg::CmdVoid] {
        assert!(!hints.contains(&t(denied)), "{hints}");
        assert!(!help.contains(&t(denied)), "{help}");
    }
    // Finance has them.
    let mut s = session_as(&book, "sun", Lang::En, "default");
    press(&mut s, &["2"]);
    let (hints, _) = hints_and_help(&mut s);
    assert!(hints.contains(&t(Msg::CmdConfirm)), "{hints}");
    // On the settings screen the list's `g` is the screen's grace: help lists `g` once.
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["3", "?"]);
    let help = text(&s, 200, 60);
    let g_lines = help
        .lines()
        .filter(|l| l.contains("|g ") || l.contains(" g "))
        .count();
    assert_eq!(g_lines, 1, "{help}");
}

#[test]
fn ctrl_h_deletes_like_backspace() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    // The dashboard's search.
    press(&mut s, &["/"]);
    type_text(&mut s, "zsx");
    press(&mut s, &["ctrl-h"]);
    assert_eq!(s.state.dashboard.query.text(), "zs");
    press(&mut s, &["esc"]);
    // Go to contract.
    press(&mut s, &["o"]);
    type_text(&mut s, "HT-0");
    press(&mut s, &["ctrl-h"]);
    let Some(Popup::GoTo(g)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert_eq!(g.query.text(), "HT-");
    press(&mut s, &["esc"]);
    // A form field.
    press(&mut s, &["enter", "c", "down"]);
    type_text(&mut s, "abc");
    press(&mut s, &["ctrl-h"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert_eq!(form.fields[1].input.text(), "ab");
    // Outside text, Ctrl-H is Backspace too: back from the ticket.
    press(&mut s, &["esc", "ctrl-h"]);
    assert!(s.state.ticket.is_none());
}

#[test]
fn the_status_clears_when_another_contract_is_shown() {
    let book = views_book();
    let mut s = session_as(&book, "li", Lang::En, "default");
    press(&mut s, &["v", "enter", "w", "down"]);
    type_text(&mut s, "arrears paid");
    press(&mut s, &["enter"]);
    assert!(
        matches!(&s.state.status, Some(Status::Info(m)) if m.contains("HT-2025-001")),
        "{:?}",
        s.state.status
    );
    // Back on the list the message stays; another contract's ticket clears it.
    press(&mut s, &["esc"]);
    assert!(s.state.status.is_some());
    press(&mut s, &["o"]);
    type_text(&mut s, "HT-2025-003");
    press(&mut s, &["enter"]);
    assert_eq!(
        s.state.ticket.as_ref().map(|t| t.view.contract_no.as_str()),
        Some("HT-2025-003")
    );
    assert_eq!(s.state.status, None);
}

#[test]
fn an_open_ticket_follows_changes_made_by_another_session() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["enter"]);
    let no = s.state.ticket.as_ref().unwrap().view.contract_no.clone();
    let before = s.state.ticket.as_ref().unwrap().view.payoff;
    // Another session records and confirms a payment; the server's reload comes round.
    pay_off(&book, &no);
    s.apply(Action::Command(Command::Reload));
    let t = s.state.ticket.as_ref().unwrap();
    let now = book.app.ticket(&ctx(), &no, d(TODAY)).unwrap();
    assert_eq!(
        (
            t.view.payoff,
            t.view.pending_payments,
            t.view.penalty_outstanding
        ),
        (now.payoff, now.pending_payments, now.penalty_outstanding)
    );
    assert!(t.view.payoff.is_zero() && before.is_positive());
    assert!(text(&s, 80, 24).contains("¥0.00"));
    assert_eq!(s.state.screen, Screen::Dashboard);
}

#[test]
fn the_tab_bar_names_the_current_tab_at_80_cells() {
    let book = workflow_book();
    for (lang, _) in LANGS {
        let mut s = session_as(&book, "sun", lang, "default");
        for (key, title) in [
            ("1", Msg::ScreenDashboard),
            ("4", Msg::ScreenApprovals),
            ("5", Msg::ScreenTows),
            ("6", Msg::ScreenRules),
            ("9", Msg::ScreenReports),
        ] {
            press(&mut s, &[key]);
            for (w, h) in SIZES {
                let screen = text(&s, w, h);
                let bar = screen.lines().next().unwrap();
                assert!(bar.contains(lang.t(title)), "{key} {w}×{h}: {bar}");
            }
        }
        // At 80 cells the overdue tab shows other titles beside its own.
        press(&mut s, &["1"]);
        let screen = text(&s, 80, 24);
        let bar = screen.lines().next().unwrap();
        assert!(bar.contains(lang.t(Msg::ScreenPayments)), "{bar}");
    }
}

/// A contract of large installments for li's customer 张三, overdue since 2025-07-15.
fn big_contract(book: &Book) {
    let c = ctx_on("2025-06-01");
    book.app
        .execute(
            &c,
            Mutation::AddContract(NewContract {
                no: "HT-2025-009".into(),
                customer_id: "C3".into(),
                signed_on: d("2025-06-01"),
                model: "SY750H".into(),
                serial: "SY750H-0009".into(),
                financed: m("12000000"),
                penalty_rate: None,
                grace_days: None,
            }),
        )
        .unwrap();
    book.app
        .execute(
            &c,
            Mutation::AddInstallments {
                contract: "HT-2025-009".into(),
                installments: (1..=12)
                    .map(|seq| Installment {
                        seq,
                        due: d(&format!(
                            "{}-{:02}-15",
                            2025 + (6 + seq - 1) / 12,
                            (6 + seq - 1) % 12 + 1
                        )),
                        principal: m("1000000"),
                        interest: m("50000"),
                    })
                    .collect(),
            },
        )
        .unwrap();
}

#[test]
fn figures_on_the_approvals_and_tow_board_are_never_cut() {
    let book = workflow_book();
    big_contract(&book);
    let id = run_as(
        &book.app,
        "li",
        Mutation::Apply {
            id: String::new(),
            document: DocumentType::Tow,
            contract: "HT-2025-009".into(),
            reason: "eleven months unpaid".into(),
            location: "镇海".into(),
        },
    );
    let cut = |screen: &str| {
        screen
            .lines()
            .any(|l| l.contains("¥") && (l.contains(",…") || l.contains("0…") || l.contains(".…")))
            || screen.chars().collect::<Vec<_>>().windows(2).any(|w| {
                w[1] == '…' && (w[0].is_ascii_digit() || w[0] == ',' || w[0] == '.' || w[0] == '¥')
            })
    };
    let overdue = book
        .app
        .ticket(&ctx(), "HT-2025-009", d(TODAY))
        .unwrap()
        .overdue_amount;
    assert!(overdue.display().len() > 12, "{}", overdue.display());
    for (lang, _) in LANGS {
        let mut s = session_as(&book, "qian", lang, "default");
        press(&mut s, &["4"]);
        for (w, h) in SIZES {
            let screen = text(&s, w, h);
            assert!(screen.contains(&id), "{screen}");
            assert!(!cut(&screen), "{w}×{h}:\n{screen}");
        }
    }
    // Approved (by the branch's approver, then finance), it reaches the clerk's tow board.
    for user in ["qian", "sun"] {
        run_as(
            &book.app,
            user,
            Mutation::Approve {
                id: id.clone(),
                comment: String::new(),
            },
        );
    }
    for (lang, _) in LANGS {
        let mut s = session_as(&book, "zhou", lang, "default");
        press(&mut s, &["5"]);
        for (w, h) in SIZES {
            let screen = text(&s, w, h);
            assert!(!cut(&screen), "{w}×{h}:\n{screen}");
        }
        let wide = text(&s, 120, 40);
        assert!(wide.contains(&overdue.display()), "{wide}");
    }
}
