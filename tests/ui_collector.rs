//! A collector's and a clerk's day on the ticket and the tow board, by keystrokes only: the
//! payoff, the contact log newest first and whole, a rejected application read, resubmitted
//! with changes and withdrawn, and a tow's outcome asked about first. Each is checked in the
//! book through the app afterwards; the new dialogs are snapshotted at 80×24 and 60×20 in
//! English and Chinese.

mod support;

use duedesk::app::{Ctx, Mutation};
use duedesk::domain::approval::DocumentType;
use duedesk::domain::{Channel, Promise};
use duedesk::ui::i18n::Lang;
use duedesk::ui::state::{Popup, Status};
use support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (60, 20)];
const LANGS: [(Lang, &str); 2] = [(Lang::En, "en"), (Lang::Zh, "zh")];

/// Opens a contract's ticket from the dashboard by searching its number.
fn open_ticket(s: &mut duedesk::ui::Session<'_>, contract: &str) {
    press(s, &["/"]);
    type_text(s, contract);
    press(s, &["enter", "enter"]);
    let t = s.state.ticket.as_ref().expect("the ticket opened");
    assert_eq!(t.view.contract_no, contract);
}

/// A contact today with a long note and a six-figure promise, after the book's older one.
fn long_contact(book: &Book) {
    book.app
        .execute(
            &ctx(),
            Mutation::AddContact {
                contract: "HT-2025-001".into(),
                channel: Channel::Visit,
                result: "met the owner at the quarry".into(),
                note: "He says the quarry contract pays at the end of the month; he will bring \
                       the whole arrears and the penalty to the branch himself, in cash, and \
                       asks that the machine is not locked before then."
                    .into(),
                promise: Some(Promise {
                    date: d("2026-06-30"),
                    amount: m("123456.78"),
                }),
            },
        )
        .unwrap();
}

#[test]
fn the_ticket_shows_the_payoff_and_keeps_the_phone_visible() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    open_ticket(&mut s, "HT-2025-004");
    let view = book.app.ticket(&ctx(), "HT-2025-004", d(TODAY)).unwrap();
    // Principal and interest of every installment, due or not, and the penalty.
    assert_eq!(
        view.payoff,
        view.principal_outstanding + view.interest_outstanding + view.penalty_outstanding
    );
    for (w, h) in SIZES {
        let screen = text(&s, w, h);
        assert!(
            screen.contains(&view.payoff.display()),
            "the payoff shows at {w}×{h}:\n{screen}"
        );
        // The customer's long name gives way to the phone number.
        let head = screen.lines().nth(1).unwrap();
        assert!(head.contains("13500000004"), "{w}×{h}: {head}");
    }
}

#[test]
fn the_contact_log_lists_the_latest_first_and_enter_shows_it_whole() {
    let book = book();
    long_contact(&book);
    for (lang, lang_name) in LANGS {
        let mut s = session(&book, lang, "default");
        open_ticket(&mut s, "HT-2025-001");
        press(&mut s, &["l", "l"]);
        let t = s.state.ticket.as_ref().unwrap();
        let dates: Vec<String> = t.view.contacts.iter().map(|c| c.on.to_string()).collect();
        assert_eq!(dates, ["2026-06-15", "2026-06-01"], "newest first");
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("contacts_{w}x{h}_{lang_name}"), text(&s, w, h));
        }
        press(&mut s, &["enter"]);
        let Some(Popup::Detail(detail)) = &s.state.popup else {
            panic!("{:?}", s.state.popup)
        };
        let all: String = detail
            .lines
            .iter()
            .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
            .collect();
        assert!(all.contains("asks that the machine is not locked before then."));
        assert!(all.contains("¥123,456.78"), "{all}");
        assert_eq!(detail.resubmit, None);
        assert_eq!(detail.withdraw, None);
        for (w, h) in SIZES {
            let screen = text(&s, w, h);
            // Wrapped whole: the note's last words are on the screen.
            assert!(
                screen.contains("before then."),
                "{lang_name} {w}×{h}:\n{screen}"
            );
            insta::assert_snapshot!(format!("contact_detail_{w}x{h}_{lang_name}"), screen);
        }
        // Any key closes it, and the older contact is the next row.
        press(&mut s, &["esc", "j", "enter"]);
        let Some(Popup::Detail(detail)) = &s.state.popup else {
            panic!("{:?}", s.state.popup)
        };
        assert!(detail.title.contains("2026-06-01"), "{}", detail.title);
    }
}

#[test]
fn a_rejected_application_is_read_resubmitted_with_changes_and_withdrawn() {
    let book = workflow_book();
    let app = &book.app;
    let id = run_as(
        app,
        "li",
        Mutation::Apply {
            id: String::new(),
            document: DocumentType::Lock,
            contract: "HT-2025-001".into(),
            reason: "promise broken twice".into(),
            location: String::new(),
        },
    );
    run_as(
        app,
        "zhao",
        Mutation::Reject {
            id: id.clone(),
            comment: "visit the quarry before locking".into(),
        },
    );
    let open_it = |s: &mut duedesk::ui::Session<'_>| {
        open_ticket(s, "HT-2025-001");
        press(s, &["l", "l", "l"]);
        let at = s
            .state
            .ticket
            .as_ref()
            .unwrap()
            .view
            .applications
            .iter()
            .position(|a| a.id == id)
            .expect("the application is on the ticket");
        for _ in 0..at {
            press(s, &["j"]);
        }
        press(s, &["enter"]);
    };
    // Someone else reads it but may neither resubmit nor withdraw it.
    let mut s = session_as(&book, "admin", Lang::En, "default");
    open_it(&mut s);
    let Some(Popup::Detail(detail)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert!(detail.resubmit.is_none() && detail.withdraw.is_none());

    for (lang, lang_name) in LANGS {
        let mut s = session_as(&book, "li", lang, "default");
        open_it(&mut s);
        for (w, h) in SIZES {
            let screen = text(&s, w, h);
            // The popup's lines, unwrapped.
            let inside = screen
                .lines()
                .filter_map(|l| l.split('|').nth(1))
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                inside.contains("visit the quarry before locking"),
                "the reviewer's comment shows at {w}×{h}:\n{screen}"
            );
            insta::assert_snapshot!(format!("application_rejected_{w}x{h}_{lang_name}"), screen);
        }
    }
    // The applicant resubmits it with a new reason.
    let mut s = session_as(&book, "li", Lang::En, "default");
    open_it(&mut s);
    press(&mut s, &["R"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert_eq!(form.fields[0].text(), "promise broken twice", "as it was");
    insta::assert_snapshot!("resubmit_form_60x20_en", text(&s, 60, 20));
    press(&mut s, &["ctrl-u"]);
    type_text(&mut s, "visited: machine idle, owner away");
    press(&mut s, &["enter"]);
    assert_eq!(
        s.state.status,
        Some(Status::Info(format!(
            "{id} resubmitted: the chain starts again"
        )))
    );
    let v = app.application(&ctx(), &id).unwrap();
    assert_eq!(v.row.stage, "in_review");
    assert_eq!(v.row.reason, "visited: machine idle, owner away");
    // In review again: it may still be withdrawn, not resubmitted.
    press(&mut s, &["enter"]);
    let Some(Popup::Detail(detail)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert!(detail.resubmit.is_none());
    assert_eq!(detail.withdraw.as_deref(), Some(id.as_str()));
    // Withdrawing asks first; "n" leaves it in review.
    press(&mut s, &["W"]);
    assert!(matches!(s.state.popup, Some(Popup::Confirm(_))));
    press(&mut s, &["n"]);
    assert_eq!(app.application(&ctx(), &id).unwrap().row.stage, "in_review");
    press(&mut s, &["enter", "W", "y"]);
    assert_eq!(app.application(&ctx(), &id).unwrap().row.stage, "withdrawn");
    assert_eq!(
        s.state.status,
        Some(Status::Info(format!("{id} withdrawn")))
    );
}

#[test]
fn a_clerk_is_offered_today_and_asked_before_a_tows_outcome() {
    let book = workflow_book();
    let app = &book.app;
    let mut s = session_as(&book, "zhou", Lang::En, "default");
    press(&mut s, &["5"]);
    // A1 awaits registration: the planned date proposed is today.
    press(&mut s, &["t"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert_eq!(form.fields[1].text(), TODAY);
    press(&mut s, &["esc"]);
    // A2 is scheduled for 2026-06-18: failing it asks first, "n" returns to the form.
    press(&mut s, &["j", "f"]);
    type_text(&mut s, "customer blocked the gate");
    press(&mut s, &["enter"]);
    let Some(Popup::Confirm(c)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert!(c.prompt.contains("failed"), "{}", c.prompt);
    press(&mut s, &["n"]);
    assert!(matches!(s.state.popup, Some(Popup::Form(_))));
    assert_eq!(
        app.application(&ctx(), "A2").unwrap().row.stage,
        "scheduled"
    );
    press(&mut s, &["esc"]);
    // Towed back today, three days before the planned date: the question says so.
    for (lang, lang_name) in LANGS {
        s = session_as(&book, "zhou", lang, "default");
        press(&mut s, &["5", "j", "c", "tab"]);
        type_text(&mut s, "宁波堆场");
        press(&mut s, &["enter"]);
        let Some(Popup::Confirm(c)) = &s.state.popup else {
            panic!("{:?}", s.state.popup)
        };
        if lang == Lang::En {
            assert!(
                c.prompt
                    .starts_with("2026-06-15 is before the planned date 2026-06-18."),
                "{}",
                c.prompt
            );
        }
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("tow_early_{w}x{h}_{lang_name}"), text(&s, w, h));
        }
    }
    press(&mut s, &["y"]);
    let v = app.application(&ctx(), "A2").unwrap();
    assert_eq!(v.row.stage, "done");
    assert_eq!(v.tow.unwrap().towed_on, Some(d(TODAY)));
}

#[test]
fn a_contract_off_the_overdue_list_is_reached_by_name_and_settled() {
    let book = book();
    // HT-2025-004 is paid off: it leaves the overdue list, the only list there is.
    pay_off(&book, "HT-2025-004");
    let mut s = session(&book, Lang::Zh, "default");
    assert!(
        !s.state
            .dashboard
            .rows()
            .any(|r| r.contract_no == "HT-2025-004"),
        "off the overdue list"
    );
    // Go to it by the customer's pinyin initials.
    press(&mut s, &["o"]);
    type_text(&mut s, "oyjg");
    let Some(Popup::GoTo(g)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    let found: Vec<&str> = g.hits.iter().map(|h| h.contract_no.as_str()).collect();
    assert_eq!(found, ["HT-2025-004"]);
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("goto_{w}x{h}_zh"), text(&s, w, h));
    }
    press(&mut s, &["enter"]);
    let t = s.state.ticket.as_ref().expect("its ticket opened");
    assert_eq!(t.view.contract_no, "HT-2025-004");
    assert!(t.view.payoff.is_zero());
    // Settled from the screens, asked first.
    press(&mut s, &["S", "y"]);
    let t = book.app.ticket(&ctx(), "HT-2025-004", d(TODAY)).unwrap();
    assert_eq!(t.state, "settled");
    // Still found, as settled, by its number.
    press(&mut s, &["o"]);
    type_text(&mut s, "ht-2025-004");
    let Some(Popup::GoTo(g)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert_eq!(g.hits[0].contract_no, "HT-2025-004");
    assert_eq!(g.hits[0].state, "settled");
}

#[test]
fn go_to_finds_only_what_the_viewer_may_see() {
    let book = workflow_book();
    // li collects for 张三 (C1) and 王小明 (C3); 欧阳建国 (C4) is wang's.
    let li = ctx_as("li");
    let hits = book.app.find_contracts(&li, "欧阳").unwrap();
    assert!(hits.is_empty(), "{hits:?}");
    let mine: Vec<String> = book
        .app
        .find_contracts(&li, "HT-2025")
        .unwrap()
        .into_iter()
        .map(|h| h.contract_no)
        .collect();
    assert_eq!(mine, ["HT-2025-001", "HT-2025-003", "HT-2025-008"]);
    assert_eq!(book.app.find_contracts(&ctx(), "欧阳").unwrap().len(), 1);
    // By phone and by serial; an exact number first.
    let by_phone = book.app.find_contracts(&ctx(), "13800000001").unwrap();
    assert_eq!(by_phone[0].contract_no, "HT-2025-001");
    let by_serial = book.app.find_contracts(&ctx(), "sy75c-0006").unwrap();
    assert_eq!(by_serial[0].contract_no, "HT-2025-006");
    // A customer renamed after the directory was read is found by the new name.
    run_as(
        &book.app,
        "admin",
        Mutation::PutCustomer(duedesk::domain::Customer {
            id: "C6".into(),
            name: "陈七工程机械".into(),
            phone: "13300000006".into(),
            id_number: String::new(),
            address: String::new(),
            branch: "温州".into(),
            collector: "chen".into(),
        }),
    );
    let renamed = book.app.find_contracts(&ctx(), "chenqigongcheng").unwrap();
    assert_eq!(renamed.len(), 1, "{renamed:?}");
    assert_eq!(renamed[0].customer, "陈七工程机械");
}

#[test]
fn finance_searches_the_payments_and_the_void_dialog_names_the_payment() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["2"]);
    assert_eq!(s.state.payments.shown.len(), 3);
    // By reference, then by the customer's pinyin.
    press(&mut s, &["/"]);
    type_text(&mut s, "cash");
    assert_eq!(s.state.payments.shown.len(), 1);
    let only = s.state.payments.selected().unwrap().clone();
    assert_eq!(only.reference, "CASH-17");
    press(&mut s, &["enter"]);
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("payments_search_{w}x{h}_en"), text(&s, w, h));
    }
    // "a" marks what is shown, not the hidden ones.
    press(&mut s, &["a"]);
    assert_eq!(
        s.state.payments.marked.iter().collect::<Vec<_>>(),
        [&only.id]
    );
    press(&mut s, &["a", "v"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert_eq!(
        form.title_text(Lang::En),
        format!(
            "Void payment {} · ¥5,000.00 · HT-2025-005 Smith Heavy Co",
            only.id
        )
    );
    press(&mut s, &["esc", "/", "ctrl-u"]);
    type_text(&mut s, "zhangsan");
    press(&mut s, &["enter"]);
    let shown: Vec<&str> = s
        .state
        .payments
        .shown
        .iter()
        .map(|&i| s.state.payments.rows[i].contract_no.as_str())
        .collect();
    assert_eq!(shown, ["HT-2025-001"]);
    // Esc while typing clears the search: every payment again.
    press(&mut s, &["/", "esc"]);
    assert_eq!(s.state.payments.shown.len(), 3);
    // Two marked: the dialog says how many and how much.
    press(&mut s, &["space", "space", "v"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    let total: duedesk::domain::Money = s.state.payments.targets().iter().map(|r| r.amount).sum();
    assert_eq!(
        form.title_text(Lang::En),
        format!("Void 2 payments · {} in total", total.display())
    );
}

#[test]
fn finance_accrues_penalty_from_the_settings_screen_after_a_question() {
    let book = workflow_book();
    let before = book.app.settings(&ctx()).unwrap().accrued_through;
    assert_ne!(before, Some(d(TODAY)));
    // A collector may not: the app's refusal shows in the form, nothing changes.
    let mut s = session_as(&book, "li", Lang::En, "default");
    press(&mut s, &["3", "A", "enter", "y"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert!(
        form.message
            .as_deref()
            .unwrap_or("")
            .contains("penalty.accrue"),
        "{:?}",
        form.message
    );
    assert_eq!(book.app.settings(&ctx()).unwrap().accrued_through, before);
    // Finance: today proposed, asked first ("n" goes back to the form), then run.
    let mut s = session_as(&book, "sun", Lang::Zh, "default");
    press(&mut s, &["3", "A"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert_eq!(form.fields[0].text(), TODAY);
    press(&mut s, &["enter"]);
    assert!(matches!(s.state.popup, Some(Popup::Confirm(_))));
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("accrue_confirm_{w}x{h}_zh"), text(&s, w, h));
    }
    press(&mut s, &["n"]);
    assert!(matches!(s.state.popup, Some(Popup::Form(_))));
    assert_eq!(book.app.settings(&ctx()).unwrap().accrued_through, before);
    press(&mut s, &["enter", "y"]);
    assert_eq!(s.state.popup, None, "{:?}", s.state.popup);
    // Under way: its progress over the screen, keys wait (q does not quit), then a part a
    // round until it is done.
    assert!(s.busy());
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("accrue_progress_{w}x{h}_zh"), text(&s, w, h));
    }
    press(&mut s, &["q", "esc"]);
    assert!(s.busy() && !s.should_quit());
    let mut rounds = 0;
    while s.busy() {
        assert!(s.work());
        rounds += 1;
        assert!(rounds < 100, "the accrual never ends");
    }
    assert_eq!(
        book.app.settings(&ctx()).unwrap().accrued_through,
        Some(d(TODAY))
    );
    assert_eq!(
        s.state.status,
        Some(Status::Info(format!("罚息已计提至 {TODAY}")))
    );
    // The screen shows the new date.
    assert_eq!(
        s.state.settings.view.as_ref().unwrap().accrued_through,
        Some(d(TODAY))
    );
}

#[test]
fn a_clerk_executes_an_approved_lock_and_sends_it_again_after_a_failure() {
    let book = workflow_book();
    let app = &book.app;
    // A6: wang's lock of HT-2025-004 (宁波), approved by qian.
    run_as(
        app,
        "qian",
        Mutation::Approve {
            id: "A6".into(),
            comment: String::new(),
        },
    );
    let mut s = session_as(&book, "zhou", Lang::En, "default");
    press(&mut s, &["5", "l"]);
    let ids: Vec<&str> = s
        .state
        .tows
        .locks
        .iter()
        .map(|v| v.row.id.as_str())
        .collect();
    assert_eq!(ids, ["A6"]);
    // The GPS vendor's command fails: recorded, the order stays approved.
    s.state.lock_command = Some("cat >/dev/null; exit 3".into());
    press(&mut s, &["e"]);
    let Some(Popup::Confirm(c)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert!(
        c.prompt.starts_with("Send the lock order A6"),
        "{}",
        c.prompt
    );
    press(&mut s, &["y"]);
    let Some(Status::Error(said)) = &s.state.status else {
        panic!("{:?}", s.state.status)
    };
    assert!(said.contains("code 3"), "{said}");
    let v = app.application(&ctx(), "A6").unwrap();
    assert_eq!(v.row.stage, "approved");
    assert_eq!(v.failed_commands, [3]);
    // Too long for the status line: shown whole, read and closed.
    assert!(matches!(s.state.popup, Some(Popup::Message(_))));
    press(&mut s, &["esc"]);
    for (lang, lang_name) in LANGS {
        s.state.lang = lang;
        for (w, h) in SIZES {
            insta::assert_snapshot!(
                format!("lock_board_failed_{w}x{h}_{lang_name}"),
                text(&s, w, h)
            );
        }
    }
    s.state.lang = Lang::En;
    // Sent again, and it goes through.
    s.state.lock_command = Some("cat >/dev/null".into());
    press(&mut s, &["e", "y"]);
    assert_eq!(s.state.status, Some(Status::Info("A6 executed".into())));
    let v = app.application(&ctx(), "A6").unwrap();
    assert_eq!(v.row.stage, "done");
    assert_eq!(v.command_status, Some(0));
    // Executed: e now says why not, and sends nothing.
    press(&mut s, &["e"]);
    assert!(s.state.popup.is_none());
    assert!(matches!(s.state.status, Some(Status::Error(_))));
    // Back to the tows with l.
    press(&mut s, &["l"]);
    assert_eq!(s.state.tows.selected().unwrap().row.document, "tow");
}

/// An accrual done a step at a time, as the screens do it, moves its progress with each part
/// and leaves the book as one run of `accrue` does; a progress box in English too.
#[test]
fn an_accrual_in_steps_shows_its_progress_and_ends_as_one_run_does() {
    let (stepped, whole) = (workflow_book(), workflow_book());
    let finance = Ctx::new("sun", d(TODAY), 1_775_000_000);
    let mut steps = stepped.app.accrual_steps(&finance, d(TODAY), 2).unwrap();
    let (done, total) = steps.progress();
    assert_eq!(done, 0);
    assert!(total > 4, "{total} contracts to evaluate");
    let mut seen = vec![done];
    let outcome = loop {
        if let Some(outcome) = stepped.app.accrue_step(&finance, &mut steps).unwrap() {
            break outcome;
        }
        let (done, of) = steps.progress();
        assert_eq!(of, total);
        assert!(
            done > *seen.last().unwrap() && done < total,
            "{seen:?} then {done}"
        );
        seen.push(done);
    };
    assert!(outcome.changed);
    assert!(seen.len() >= 3, "{seen:?}");
    whole.app.accrue(&finance, d(TODAY), 1_000).unwrap();
    // The same projections, but for the journal's counters (the stepped run journaled more
    // parts).
    let book_of = |app: &duedesk::app::App| -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut dump = app.store().projection_dump().unwrap();
        dump.retain(|(k, _)| !k.starts_with(b"m/"));
        dump
    };
    assert!(
        book_of(&stepped.app) == book_of(&whole.app),
        "the stepped run left other projections than one run"
    );
    // A collector may not: refused before anything is written.
    let li = Ctx::new("li", d(TODAY), 1_775_000_000);
    assert!(whole.app.accrual_steps(&li, d(TODAY), 2).is_err());
    // The box in English, halfway through a run on the other book.
    let other = workflow_book();
    let mut s = session_as(&other, "sun", Lang::En, "default");
    press(&mut s, &["3", "A", "enter", "y"]);
    assert!(s.busy());
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("accrue_progress_{w}x{h}_en"), text(&s, w, h));
    }
}
