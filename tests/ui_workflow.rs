//! The workflow screens: the tow board, the approvals inbox, the rules screen and the audit
//! trail — snapshots in English and Chinese, and key sequences whose effects reach the
//! store. The book is `support::workflow_book` (users with roles, applications in every
//! stage).

mod support;

use duedesk::app::{App, ApplicationFilter, Mutation, rules_file};
use duedesk::domain::approval::DocumentType;
use duedesk::ui::form::Form;
use duedesk::ui::i18n::Lang;
use duedesk::ui::state::{Popup, Screen, Status};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::*;

/// Who looks at which screen, by which keys.
const SCREENS: &[(&str, &str, &[&str])] = &[
    ("tow_board", "zhou", &["5"]),
    ("inbox", "qian", &["4"]),
    ("rules", "admin", &["6"]),
];

#[test]
fn workflow_screen_snapshots() {
    let book = workflow_book();
    for (name, user, keys) in SCREENS {
        for (w, h) in [(80, 24), (120, 40)] {
            for (lang, lang_name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
                for theme in ["default", "mono"] {
                    let mut s = session_as(&book, user, lang, theme);
                    press(&mut s, keys);
                    let snap = format!("{name}_{w}x{h}_{lang_name}_{theme}");
                    insta::assert_snapshot!(snap, render(&s, w, h));
                }
            }
        }
    }
}

#[test]
fn workflow_dialog_snapshots() {
    let book = workflow_book();
    let cases: &[(&str, &str, Lang, &[&str])] = &[
        ("notifications_80x24_zh", "li", Lang::Zh, &["4", "h"]),
        ("decided_80x24_zh", "qian", Lang::Zh, &["4", "l"]),
        ("decided_60x20_en", "qian", Lang::En, &["4", "l"]),
        (
            "confirm_approve_60x20_zh",
            "qian",
            Lang::Zh,
            &["4", "a", "enter"],
        ),
        ("tow_board_finished_80x24_en", "zhou", Lang::En, &["5", "G"]),
        ("form_register_tow_80x24_zh", "zhou", Lang::Zh, &["5", "t"]),
        (
            "form_reject_80x24_en",
            "qian",
            Lang::En,
            &["4", "x", "enter"],
        ),
        ("rules_read_only_80x24_en", "qian", Lang::En, &["6"]),
        ("audit_80x24_en", "li", Lang::En, &["enter", "a"]),
        ("form_apply_tow_80x24_zh", "li", Lang::Zh, &["enter", "T"]),
    ];
    for (name, user, lang, keys) in cases {
        let mut s = session_as(&book, user, *lang, "default");
        press(&mut s, keys);
        let (w, h) = if name.contains("60x20") {
            (60, 20)
        } else {
            (80, 24)
        };
        insta::assert_snapshot!(*name, text(&s, w, h));
    }
    // The rules editor with a mistake typed on line 3: the problem names the line.
    for (lang, name) in [
        (Lang::En, "rules_editor_error_80x24_en"),
        (Lang::Zh, "rules_editor_error_80x24_zh"),
    ] {
        let mut s = session_as(&book, "admin", lang, "default");
        press(&mut s, &["6", "e", "down", "down", "end"]);
        type_text(&mut s, " x");
        insta::assert_snapshot!(name, text(&s, 80, 24));
    }
}

fn stage(app: &App, id: &str) -> String {
    app.application(&ctx(), id).unwrap().row.stage.to_string()
}

fn awaiting(app: &App, user: &str) -> Vec<String> {
    let filter = ApplicationFilter {
        awaiting_me: true,
        ..Default::default()
    };
    app.applications(&ctx_as(user), &filter)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn approving_from_the_inbox_moves_the_application_to_its_next_step() {
    let book = workflow_book();
    let app = &book.app;
    // New rules: a lock needs the approver, then finance. Applications in flight keep theirs.
    let two_steps = RULES.replace(
        "document = \"lock\"\nchain = [\"role:approver\"]",
        "document = \"lock\"\nchain = [\"role:approver\", \"role:finance\"]",
    );
    let rules = rules_file::parse("r.toml", &two_steps).unwrap();
    app.execute(&ctx(), Mutation::SetRules { rules }).unwrap();
    let id = run_as(
        app,
        "wang",
        Mutation::Apply {
            id: String::new(),
            document: DocumentType::Lock,
            contract: "HT-2025-007".into(),
            reason: "machine moved again".into(),
            location: String::new(),
        },
    );
    let mut s = session_as(&book, "qian", Lang::En, "default");
    press(&mut s, &["4"]);
    assert_eq!(s.state.screen, Screen::Approvals);
    // Newest first: the new lock, then A7 and A6.
    let ids: Vec<&str> = s
        .state
        .approvals
        .rows
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, [id.as_str(), "A7", "A6"]);
    assert_eq!(
        s.state.approvals.detail.as_ref().map(|d| d.row.id.clone()),
        Some(id.clone())
    );
    press(&mut s, &["a"]);
    type_text(&mut s, "lock it");
    // Approving asks first, naming what it approves; "n" goes back to the form.
    press(&mut s, &["enter"]);
    let Some(Popup::Confirm(c)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert!(
        c.prompt
            .starts_with(&format!("Approve {id}: lock of HT-2025-")),
        "{}",
        c.prompt
    );
    press(&mut s, &["n"]);
    assert!(matches!(s.state.popup, Some(Popup::Form(_))));
    assert_eq!(stage(app, &id), "in_review");
    assert_eq!(awaiting(app, "qian")[0], id);
    press(&mut s, &["enter", "y"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    assert!(matches!(s.state.status, Some(Status::Info(_))));
    let v = app.application(&ctx(), &id).unwrap();
    assert_eq!(v.row.stage, "in_review");
    assert_eq!(v.row.current_step.as_deref(), Some("role:finance"));
    assert_eq!(
        v.history.last().map(|d| d.comment.as_str()),
        Some("lock it")
    );
    // It left qian's inbox and reached finance's.
    assert_eq!(s.state.approvals.rows.len(), 2);
    assert!(awaiting(app, "sun").contains(&id));
    // A7 (an old one-step lock) is approved outright.
    press(&mut s, &["a", "enter", "y"]);
    assert_eq!(stage(app, "A7"), "approved");
    assert_eq!(awaiting(app, "qian"), ["A6"]);
    // Both are in qian's decided pane, with the decision and comment (latest first; these
    // two were decided at the same moment, so the newer application leads).
    press(&mut s, &["l"]);
    let decided: Vec<(&str, &str, &str)> = s
        .state
        .approvals
        .decided
        .iter()
        .map(|d| {
            (
                d.row.id.as_str(),
                d.decision.action,
                d.decision.comment.as_str(),
            )
        })
        .collect();
    assert_eq!(decided[0], (id.as_str(), "approved", "lock it"));
    assert_eq!(decided[1], ("A7", "approved", ""));
    // A7 was rejected by qian before its resubmission: the latest decision is the one shown.
    assert_eq!(decided.iter().filter(|d| d.0 == "A7").count(), 1);
    assert_eq!(
        s.state.approvals.detail.as_ref().map(|d| d.row.id.as_str()),
        Some(id.as_str()),
        "the selected decision shows whole"
    );
}

#[test]
fn rejecting_needs_a_comment_and_returns_the_application_to_its_applicant() {
    let book = workflow_book();
    let app = &book.app;
    let mut s = session_as(&book, "qian", Lang::En, "default");
    press(&mut s, &["4", "j"]);
    assert_eq!(
        s.state.approvals.selected().map(|r| r.id.as_str()),
        Some("A6")
    );
    press(&mut s, &["x", "enter"]);
    // No comment: the form stays, with its error, and nothing changed.
    assert!(matches!(s.state.popup, Some(Popup::Form(_))));
    assert_eq!(stage(app, "A6"), "in_review");
    type_text(&mut s, "tow first, lock later");
    press(&mut s, &["enter"]);
    assert!(s.state.popup.is_none());
    assert_eq!(stage(app, "A6"), "rejected");
    let inbox = app.inbox(&ctx_as("wang")).unwrap();
    assert!(
        inbox[0].text.contains("tow first, lock later") && !inbox[0].read,
        "{:?}",
        inbox[0]
    );
}

#[test]
fn finance_approves_the_last_step_and_the_tow_reaches_the_board() {
    let book = workflow_book();
    let app = &book.app;
    let mut s = session_as(&book, "sun", Lang::En, "default");
    press(&mut s, &["4", "a", "enter", "y"]);
    assert_eq!(stage(app, "A5"), "approved");
    assert!(s.state.approvals.rows.is_empty());
}

#[test]
fn a_clerk_registers_a_tow_from_the_board() {
    let book = workflow_book();
    let app = &book.app;
    let mut s = session_as(&book, "zhou", Lang::En, "default");
    press(&mut s, &["5"]);
    let ids: Vec<&str> = s
        .state
        .tows
        .rows
        .iter()
        .map(|v| v.row.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["A1", "A2", "A4", "A3"],
        "awaiting, scheduled, finished"
    );
    // The board asks the app what may follow, as the change itself is checked.
    let next = app.application(&ctx(), "A1").unwrap().row.next;
    assert_eq!(next.register, None);
    assert_eq!(
        next.outcome,
        Some(duedesk::domain::Refusal::TowNotRegistered { id: "A1".into() })
    );
    // An outcome before registration is refused by the screen, with a message.
    press(&mut s, &["c"]);
    assert!(s.state.popup.is_none());
    assert!(matches!(s.state.status, Some(Status::Error(_))));
    press(&mut s, &["t"]);
    type_text(&mut s, "老周，小王, ");
    press(&mut s, &["tab"]);
    // A planned date in the past is an error as you type.
    type_text(&mut s, "2026-06-01");
    press(&mut s, &["enter"]);
    assert!(matches!(s.state.popup, Some(Popup::Form(_))));
    assert_eq!(stage(app, "A1"), "approved");
    press(&mut s, &["ctrl-u"]);
    type_text(&mut s, "2026-06-20");
    press(&mut s, &["tab", "tab"]);
    type_text(&mut s, "call the customer first");
    press(&mut s, &["enter"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    let v = app.application(&ctx(), "A1").unwrap();
    assert_eq!(v.row.stage, "scheduled");
    assert_eq!(
        v.row.next.register,
        Some(duedesk::domain::Refusal::TowAlreadyRegistered { id: "A1".into() })
    );
    assert_eq!(v.row.next.outcome, None);
    let tow = v.tow.unwrap();
    assert_eq!(tow.crew, ["老周", "小王"]);
    assert_eq!(tow.planned_on, d("2026-06-20"));
    assert_eq!(
        tow.location, "北仑工地",
        "the application's location to start with"
    );
    assert_eq!(tow.note, "call the customer first");
    assert_eq!(tow.registered_by, "zhou");
    // The board regrouped: A1 joined A2 among the scheduled.
    assert_eq!(
        s.state
            .tows
            .count(duedesk::ui::screens::tows::Group::Scheduled),
        2
    );
}

#[test]
fn completing_a_tow_asks_first_and_no_returns_to_the_form() {
    let book = workflow_book();
    let app = &book.app;
    let mut s = session_as(&book, "zhou", Lang::En, "default");
    press(&mut s, &["5", "j"]);
    assert_eq!(
        s.state.tows.selected().map(|v| v.row.id.as_str()),
        Some("A2")
    );
    press(&mut s, &["c", "tab"]);
    type_text(&mut s, "镇海堆场");
    press(&mut s, &["tab", "tab"]);
    type_text(&mut s, "850");
    press(&mut s, &["enter"]);
    assert!(matches!(s.state.popup, Some(Popup::Confirm(_))));
    press(&mut s, &["n"]);
    assert!(
        matches!(s.state.popup, Some(Popup::Form(_))),
        "no keeps the form"
    );
    assert_eq!(stage(app, "A2"), "scheduled");
    press(&mut s, &["enter", "y"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    let v = app.application(&ctx(), "A2").unwrap();
    assert_eq!(v.row.stage, "done");
    let tow = v.tow.unwrap();
    assert_eq!(tow.yard.as_deref(), Some("镇海堆场"));
    assert_eq!(tow.cost, Some(m("850")));
    assert_eq!(tow.towed_on, Some(d(TODAY)));
    let ticket = app.ticket(&ctx(), "HT-2025-003", d(TODAY)).unwrap();
    assert_eq!(ticket.machine, "towed");
}

#[test]
fn a_failed_tow_needs_a_reason() {
    let book = workflow_book();
    let app = &book.app;
    let mut s = session_as(&book, "zhou", Lang::En, "default");
    press(&mut s, &["5", "j", "f", "enter"]);
    assert!(matches!(s.state.popup, Some(Popup::Form(_))));
    type_text(&mut s, "customer blocked the gate");
    // An outcome cannot be undone: it asks first.
    press(&mut s, &["enter"]);
    assert!(matches!(s.state.popup, Some(Popup::Confirm(_))));
    assert_eq!(stage(app, "A2"), "scheduled");
    press(&mut s, &["y"]);
    let v = app.application(&ctx(), "A2").unwrap();
    assert_eq!(v.row.stage, "failed");
    assert_eq!(
        v.tow.unwrap().failure.as_deref(),
        Some("customer blocked the gate")
    );
}

#[test]
fn a_rules_edit_with_an_error_is_fixed_and_saved_as_a_new_version() {
    let book = workflow_book();
    let app = &book.app;
    let mut s = session_as(&book, "admin", Lang::En, "default");
    press(&mut s, &["6"]);
    assert_eq!(s.state.rules.view.as_ref().map(|v| v.version), Some(1));
    press(&mut s, &["e"]);
    assert!(s.state.editing_rules());
    // Line 4 is `min_days_overdue = 90`: make it 120, with a typo first.
    press(
        &mut s,
        &["down", "down", "down", "end", "backspace", "backspace"],
    );
    type_text(&mut s, "1z0");
    let problems = s
        .state
        .rules
        .editor
        .as_ref()
        .unwrap()
        .parsed
        .clone()
        .unwrap_err();
    assert!(problems[0].starts_with("rules.toml:4:"), "{problems:?}");
    // Saving with a problem is refused on the screen; the store is unchanged.
    press(&mut s, &["ctrl-s"]);
    assert!(s.state.editing_rules());
    assert!(matches!(s.state.status, Some(Status::Error(_))));
    assert_eq!(app.rules(&ctx()).unwrap().version, 1);
    press(&mut s, &["left", "backspace"]);
    type_text(&mut s, "2");
    assert!(s.state.rules.editor.as_ref().unwrap().parsed.is_ok());
    press(&mut s, &["ctrl-s"]);
    assert!(!s.state.editing_rules());
    let rules = app.rules(&ctx()).unwrap();
    assert_eq!(rules.version, 2);
    assert_eq!(rules.rules[0].min_days_overdue, Some(120));
    assert_eq!(s.state.rules.view.as_ref().map(|v| v.version), Some(2));
}

#[test]
fn esc_with_changed_rules_asks_before_discarding() {
    let book = workflow_book();
    let mut s = session_as(&book, "admin", Lang::En, "default");
    press(&mut s, &["6", "e"]);
    type_text(&mut s, "# note\n");
    press(&mut s, &["esc"]);
    assert!(matches!(s.state.popup, Some(Popup::Confirm(_))));
    press(&mut s, &["n"]);
    assert!(s.state.editing_rules());
    press(&mut s, &["esc", "y"]);
    assert!(!s.state.editing_rules());
    assert_eq!(book.app.rules(&ctx()).unwrap().version, 1);
}

#[test]
fn only_an_admin_edits_the_rules() {
    let book = workflow_book();
    let mut s = session_as(&book, "qian", Lang::En, "default");
    press(&mut s, &["6", "e"]);
    assert!(!s.state.editing_rules());
    assert!(matches!(s.state.status, Some(Status::Error(_))));
    // The app layer refuses it anyway.
    let rules = rules_file::parse("r.toml", RULES).unwrap();
    let e = book
        .app
        .execute(&ctx_as("qian"), Mutation::SetRules { rules })
        .unwrap_err();
    assert!(e.to_string().contains("rules.set"), "{e}");
}

#[test]
fn a_collector_applies_from_the_ticket_and_a_refusal_stays_in_the_form() {
    let book = workflow_book();
    let app = &book.app;
    let mut s = session_as(&book, "li", Lang::En, "default");
    press(&mut s, &["enter"]);
    assert_eq!(
        s.state.ticket.as_ref().map(|t| t.view.contract_no.as_str()),
        Some("HT-2025-001")
    );
    // A tow: reason and machine location are both required.
    press(&mut s, &["T", "enter"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("form expected")
    };
    let errors = form.errors(Lang::En, d(TODAY));
    assert!(errors[0].is_some() && errors[1].is_some(), "{errors:?}");
    type_text(&mut s, "still no payment");
    press(&mut s, &["tab"]);
    type_text(&mut s, "萧山");
    press(&mut s, &["enter"]);
    // A5 (a tow on this contract) is still in review: the app refuses, the form keeps it.
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("the refused form stays open")
    };
    assert!(
        form.message.as_deref().unwrap_or("").contains("A5"),
        "{:?}",
        form.message
    );
    press(&mut s, &["esc", "L"]);
    type_text(&mut s, "lock until the tow");
    press(&mut s, &["enter"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    let lock = app
        .applications(&ctx(), &ApplicationFilter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.contract_no == "HT-2025-001" && r.document == "lock")
        .expect("the lock application");
    assert_eq!(lock.stage, "in_review");
    assert_eq!(lock.applicant, "li");
    // The ticket's applications pane shows it.
    let t = s.state.ticket.as_ref().unwrap();
    assert!(t.view.applications.iter().any(|a| a.id == lock.id));
}

#[test]
fn the_waiver_form_submits_a_waiver_application() {
    let mut form = Form::waiver("HT-2025-001", m("966"));
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    form.handle(&KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    for c in "paid in full".chars() {
        form.handle(&key(c));
    }
    assert_eq!(
        form.mutations(Lang::En, d(TODAY)),
        Some(vec![Mutation::ApplyWaiver {
            id: String::new(),
            contract: "HT-2025-001".into(),
            amount: m("966"),
            reason: "paid in full".into(),
        }])
    );
}

#[test]
fn the_audit_trail_opens_from_the_ticket_and_esc_returns() {
    let book = workflow_book();
    let mut s = session_as(&book, "li", Lang::En, "default");
    press(&mut s, &["enter", "a"]);
    let audit = s.state.audit.as_ref().expect("the audit trail");
    assert_eq!(audit.contract, "HT-2025-001");
    let what: Vec<(&str, &str)> = audit
        .entries
        .iter()
        .map(|e| (e.actor.as_str(), e.action))
        .collect();
    assert!(what.contains(&("li", "tow.apply")), "{what:?}");
    assert!(what.contains(&("zhao", "approval.decide")), "{what:?}");
    assert_eq!(
        audit.nav.selected,
        audit.entries.len() - 1,
        "newest selected"
    );
    press(&mut s, &["esc"]);
    assert!(s.state.audit.is_none());
    assert!(s.state.ticket.is_some());
}

#[test]
fn notifications_are_marked_read_and_the_count_follows() {
    let book = workflow_book();
    let app = &book.app;
    let unread = app.unread_count(&ctx_as("li")).unwrap();
    assert!(unread >= 2, "{unread}");
    let mut s = session_as(&book, "li", Lang::En, "default");
    assert_eq!(s.state.unread, unread);
    press(&mut s, &["4", "h", "m"]);
    assert_eq!(app.unread_count(&ctx_as("li")).unwrap(), unread - 1);
    assert_eq!(s.state.unread, unread - 1);
    press(&mut s, &["M"]);
    assert_eq!(app.unread_count(&ctx_as("li")).unwrap(), 0);
    assert_eq!(s.state.unread, 0);
}
