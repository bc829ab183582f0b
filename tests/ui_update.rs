//! The update logic: key sequences → state, and what reaches the store.

mod support;

use duedesk::app::OverdueFilter;
use duedesk::ui::i18n::Lang;
use duedesk::ui::screens::dashboard::Column;
use duedesk::ui::state::{Popup, Screen, Status};
use support::*;

fn names(s: &duedesk::ui::Session<'_>) -> Vec<String> {
    let d = &s.state.dashboard;
    d.shown().map(|r| r.customer.clone()).collect()
}

#[test]
fn search_finds_by_pinyin_initials_full_pinyin_phone_contract_and_serial() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    assert_eq!(names(&s).len(), 5, "the paid-up contract is not overdue");
    press(&mut s, &["/"]);
    type_text(&mut s, "zs");
    assert_eq!(names(&s), ["张三"]);
    press(&mut s, &["ctrl-u"]);
    type_text(&mut s, "ouyang");
    assert_eq!(names(&s), ["欧阳建国机械工程有限公司"]);
    for (query, name) in [
        ("wxm", "王小明"),
        ("13900000002", "李四"),
        ("ht-2025-005", "Smith Heavy Co"),
        ("xe60", "王小明"),
        ("Wang Xiao", "王小明"),
    ] {
        press(&mut s, &["ctrl-u"]);
        type_text(&mut s, query);
        assert_eq!(names(&s), [name], "{query}");
    }
    // Enter keeps the search and leaves typing; Enter again opens the one match.
    press(&mut s, &["enter", "enter"]);
    assert_eq!(
        s.state.ticket.as_ref().map(|t| t.view.contract_no.as_str()),
        Some("HT-2025-003")
    );
    // Esc closes the ticket; x clears the search.
    press(&mut s, &["esc", "x"]);
    assert!(s.state.ticket.is_none());
    assert_eq!(names(&s).len(), 5);
    // Esc while typing drops the query.
    press(&mut s, &["/"]);
    type_text(&mut s, "zzzz");
    assert!(names(&s).is_empty());
    press(&mut s, &["esc"]);
    assert_eq!(names(&s).len(), 5);
}

#[test]
fn sort_by_any_column_and_flip_direction() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    // Default: days overdue, most first.
    assert_eq!(names(&s)[0], "欧阳建国机械工程有限公司");
    // s opens the column list on the current column (Days); up four times is Customer.
    press(&mut s, &["s", "k", "k", "k", "k", "enter"]);
    assert_eq!(s.state.dashboard.sort, Column::Customer);
    assert_eq!(
        names(&s),
        [
            "李四",
            "欧阳建国机械工程有限公司",
            "Smith Heavy Co",
            "王小明",
            "张三"
        ],
        "customers sort by pinyin"
    );
    press(&mut s, &["s", "enter"]);
    assert!(s.state.dashboard.descending);
    assert_eq!(names(&s)[0], "张三");
    // Penalty outstanding, largest first.
    press(&mut s, &["s", "j", "j", "j", "j", "j", "j", "enter"]);
    assert_eq!(s.state.dashboard.sort, Column::Penalty);
    assert_eq!(names(&s)[..2], ["欧阳建国机械工程有限公司", "张三"]);
}

#[test]
fn filter_by_branch_collector_and_bucket() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    // Branches sort 宁波, 杭州, 温州: one step right is 宁波.
    press(&mut s, &["f", "right", "enter"]);
    let mut got = names(&s);
    got.sort();
    assert_eq!(got, ["欧阳建国机械工程有限公司", "王小明"]);
    // Add the bucket 31-60 (two steps right on the third row): nothing in 宁波.
    press(&mut s, &["f", "down", "down", "right", "right", "enter"]);
    assert!(names(&s).is_empty());
    // Back to every branch: the two contracts 31 days overdue.
    press(&mut s, &["f", "left", "enter"]);
    let mut got = names(&s);
    got.sort();
    assert_eq!(got, ["Smith Heavy Co", "李四"]);
    // Collector chen (collectors sort chen, li, wang).
    press(&mut s, &["x", "f", "down", "right", "enter"]);
    assert_eq!(names(&s), ["Smith Heavy Co"]);
    // Esc leaves the filter as it was.
    press(&mut s, &["f", "right", "esc"]);
    assert_eq!(names(&s), ["Smith Heavy Co"]);
}

#[test]
fn navigation_keys_move_the_cursor() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["j", "j"]);
    assert_eq!(s.state.dashboard.nav.selected, 2);
    press(&mut s, &["G"]);
    assert_eq!(s.state.dashboard.nav.selected, 4);
    press(&mut s, &["g"]);
    assert_eq!(s.state.dashboard.nav.selected, 0);
    // A page is what the last frame showed.
    render(&s, 80, 24);
    press(&mut s, &["down", "up", "pgdown"]);
    assert_eq!(s.state.dashboard.nav.selected, 4);
    press(&mut s, &["tab"]);
    assert_eq!(s.state.screen, Screen::Payments);
    // Back past the first screen wraps to the last (an admin's last is the budget, after
    // the reports).
    press(&mut s, &["shift-tab", "shift-tab"]);
    assert_eq!(s.state.screen, Screen::Budget);
    press(&mut s, &["shift-tab"]);
    assert_eq!(s.state.screen, Screen::Reports);
    press(&mut s, &["1", "?"]);
    assert_eq!(s.state.popup, Some(Popup::Help));
    press(&mut s, &["esc"]);
    assert_eq!(s.state.popup, None);
}

#[test]
fn a_payment_form_validates_as_you_type_and_the_payment_reaches_the_store() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    let before = book.app.pending_payments(&ctx()).unwrap().len();
    press(&mut s, &["/"]);
    type_text(&mut s, "zs");
    press(&mut s, &["enter", "enter", "p", "down"]);
    type_text(&mut s, "12.345");
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("the payment form is open");
    };
    let errors = form.errors(Lang::En, d(TODAY));
    assert!(
        errors[1].as_deref().unwrap().contains("amount"),
        "{errors:?}"
    );
    // Enter with an error keeps the form and what was typed.
    press(&mut s, &["enter"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("the form stays open on an error");
    };
    assert_eq!(form.fields[1].input.text(), "12.345");
    assert_eq!(book.app.pending_payments(&ctx()).unwrap().len(), before);
    // A received date in the future is refused beside its field.
    press(&mut s, &["backspace", "up", "ctrl-u"]);
    type_text(&mut s, "2026-07-01");
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!()
    };
    assert!(form.errors(Lang::En, d(TODAY))[0].is_some());
    press(&mut s, &["ctrl-u"]);
    type_text(&mut s, "2026-06-14");
    press(&mut s, &["down", "down", "down"]);
    type_text(&mut s, "WX-20260614");
    press(&mut s, &["enter"]);
    assert_eq!(s.state.popup, None, "saved and closed");
    let pending = book.app.pending_payments(&ctx()).unwrap();
    assert_eq!(pending.len(), before + 1);
    let p = pending
        .iter()
        .find(|p| p.reference == "WX-20260614")
        .unwrap();
    let said = format!(
        "Payment {} of ¥12.34 on HT-2025-001 recorded, awaiting confirmation",
        p.id
    );
    assert_eq!(s.state.status, Some(Status::Info(said)));
    assert_eq!(p.amount, m("12.34"));
    assert_eq!(p.contract_no, "HT-2025-001");
    assert_eq!(p.received_on, d("2026-06-14"));
    // The open ticket shows it.
    let t = s.state.ticket.as_ref().unwrap();
    assert!(t.view.payments.iter().any(|p| p.reference == "WX-20260614"));
}

#[test]
fn esc_leaves_a_form_without_changing_anything() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    let before = book.app.ticket(&ctx(), "HT-2025-004", d(TODAY)).unwrap();
    press(&mut s, &["enter", "c", "down"]);
    type_text(&mut s, "called, no answer");
    press(&mut s, &["esc"]);
    assert_eq!(s.state.popup, None);
    let after = book.app.ticket(&ctx(), "HT-2025-004", d(TODAY)).unwrap();
    assert_eq!(before.contacts.len(), after.contacts.len());
}

#[test]
fn a_contact_with_a_promise_is_logged_and_the_row_follows() {
    let book = book();
    let mut s = session(&book, Lang::Zh, "default");
    // Channel: right once is visit.
    press(&mut s, &["enter", "c", "right", "down"]);
    type_text(&mut s, "客户答应下周还款");
    press(&mut s, &["down", "down"]);
    type_text(&mut s, "2026-06-22");
    press(&mut s, &["enter"]);
    // Date without amount: refused beside the amount field.
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("a half promise is refused")
    };
    assert!(form.errors(Lang::Zh, d(TODAY))[4].is_some());
    press(&mut s, &["down"]);
    type_text(&mut s, "20000");
    press(&mut s, &["enter"]);
    assert_eq!(s.state.popup, None);
    let t = book.app.ticket(&ctx(), "HT-2025-004", d(TODAY)).unwrap();
    let c = t.contacts.last().unwrap();
    assert_eq!(
        (c.channel, c.result.as_str()),
        ("visit", "客户答应下周还款")
    );
    assert_eq!(c.promise_amount, Some(m("20000")));
    let row = s.state.dashboard.selected().unwrap();
    assert_eq!(row.last_contact, Some(d(TODAY)));
    assert_eq!(row.promise.map(|p| p.name()), Some("due"));
}

#[test]
fn quitting_with_unsaved_input_asks_first_and_no_keeps_the_form() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["enter", "w", "down"]);
    type_text(&mut s, "hardship");
    press(&mut s, &["ctrl-c"]);
    assert!(matches!(s.state.popup, Some(Popup::Confirm(_))));
    press(&mut s, &["n"]);
    let Some(Popup::Form(form)) = &s.state.popup else {
        panic!("the form is back")
    };
    assert_eq!(form.fields[1].input.text(), "hardship");
    assert!(!s.should_quit());
    press(&mut s, &["ctrl-c", "y"]);
    assert!(s.should_quit());
    // Without a form, q quits at once.
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["q"]);
    assert!(s.should_quit());
}

#[test]
fn settle_shows_the_payoff_asks_and_a_refusal_changes_nothing() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    // Money still owed: the screen says what the payoff is instead of asking.
    press(&mut s, &["enter", "S"]);
    let payoff = book
        .app
        .ticket(&ctx(), "HT-2025-004", d(TODAY))
        .unwrap()
        .payoff;
    let Some(Popup::Message(said)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert!(
        said.starts_with(&format!(
            "Contract HT-2025-004 cannot be settled yet: payoff {} is still owed",
            payoff.display()
        )),
        "{said}"
    );
    press(&mut s, &["esc"]);
    // Paid off: the question shows the payoff (nothing) and "n" does nothing.
    let payment = pay_off(&book, "HT-2025-004");
    press(&mut s, &["esc", "enter", "S"]);
    let Some(Popup::Confirm(c)) = &s.state.popup else {
        panic!("{:?}", s.state.popup)
    };
    assert!(
        c.prompt
            .starts_with("Settle contract HT-2025-004? Payoff ¥0.00"),
        "{}",
        c.prompt
    );
    press(&mut s, &["n"]);
    assert_eq!(s.state.popup, None);
    // Finance voids the payment behind the open screen: the app refuses the settlement the
    // screen still offers, and nothing changes.
    void_payment(&book, &payment);
    press(&mut s, &["S", "y"]);
    let Some(Status::Error(why)) = &s.state.status else {
        panic!("settling an overdue contract is refused")
    };
    assert!(why.contains("HT-2025-004"), "{why}");
    let t = book.app.ticket(&ctx(), "HT-2025-004", d(TODAY)).unwrap();
    assert_eq!(t.state, "active");
}

#[test]
fn finance_confirms_several_payments_at_once_and_voids_with_a_reason() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["2"]);
    assert_eq!(s.state.payments.rows.len(), 3);
    press(&mut s, &["space", "space", "c"]);
    assert!(matches!(s.state.popup, Some(Popup::Confirm(_))));
    press(&mut s, &["y"]);
    let said = Some(Status::Info("2 payments confirmed".into()));
    assert_eq!(s.state.status, said);
    let pending = book.app.pending_payments(&ctx()).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(s.state.payments.rows.len(), 1);
    assert!(s.state.payments.marked.is_empty());
    // The confirmed money now counts on the dashboard: Smith's 5,000 was confirmed.
    let smith = book
        .app
        .overdue(&ctx(), d(TODAY), &OverdueFilter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.contract_no == "HT-2025-005")
        .unwrap();
    assert_eq!(smith.overdue_amount, m("5500"));
    // Void the last one, in Chinese: a reason is required.
    let mut s = session(&book, Lang::Zh, "default");
    press(&mut s, &["2", "v", "enter"]);
    assert!(matches!(s.state.popup, Some(Popup::Form(_))));
    type_text(&mut s, "重复录入");
    press(&mut s, &["enter"]);
    assert_eq!(s.state.popup, None);
    let said = format!("收款 {} 已作废", pending[0].id);
    assert_eq!(s.state.status, Some(Status::Info(said)));
    assert!(book.app.pending_payments(&ctx()).unwrap().is_empty());
}

#[test]
fn settings_set_grace_days_and_a_contract_rate() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["3", "g", "down", "ctrl-u"]);
    type_text(&mut s, "5");
    press(&mut s, &["enter"]);
    assert_eq!(book.app.settings(&ctx()).unwrap().grace_days, 5);
    assert_eq!(s.state.settings.view.as_ref().unwrap().grace_days, 5);
    press(&mut s, &["r"]);
    type_text(&mut s, "HT-2025-001");
    press(&mut s, &["down", "down"]);
    type_text(&mut s, "0.001");
    press(&mut s, &["enter"]);
    assert_eq!(s.state.popup, None, "{:?}", s.state.popup);
    let t = book.app.ticket(&ctx(), "HT-2025-001", d(TODAY)).unwrap();
    assert_eq!(t.rate_in_force.to_string(), "0.001");
}

#[test]
fn a_refusal_is_shown_and_noted_for_the_log() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    assert!(s.state.log.is_empty());
    // HT-2025-004's screen shows it paid off, but the payment has been voided since:
    // settling it is refused by the app.
    press(&mut s, &["/"]);
    type_text(&mut s, "oyjg");
    let payment = pay_off(&book, "HT-2025-004");
    press(&mut s, &["enter", "enter"]);
    void_payment(&book, &payment);
    press(&mut s, &["S", "y"]);
    let Some(Status::Error(refusal)) = &s.state.status else {
        panic!("{:?}", s.state.status)
    };
    // Longer than the status line of an 80-column terminal: shown whole in a popup too,
    // which the next key closes (and does nothing else).
    assert!(
        refusal.ends_with("record a payment or apply for a waiver before settling"),
        "{refusal}"
    );
    assert_eq!(s.state.popup, Some(Popup::Message(refusal.clone())));
    press(&mut s, &["j"]);
    assert_eq!(s.state.popup, None);
    // The session has taken the line for its log (a file when run on a terminal).
    assert!(s.state.log.is_empty(), "drained by the session");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ui.log");
    s.log = duedesk::ui::log::Log::open(&path);
    press(&mut s, &["S", "y"]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("REFUSED admin: settle HT-2025-004:"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
}

/// Every column, both directions: the dashboard's order equals a plain comparison sort by
/// the column (reversed when descending), then by contract number ascending.
#[test]
fn sorting_by_every_column_matches_a_naive_sort() {
    use duedesk::app::OverdueRow;
    use std::cmp::Ordering;
    let book = book();
    // A settled contract among the active ones, for the state column.
    book.app
        .execute(
            &ctx(),
            duedesk::app::Mutation::Settle {
                contract: "HT-2025-006".into(),
            },
        )
        .unwrap();
    let mut s = session(&book, Lang::En, "default");
    let promise = |r: &OverdueRow| r.promise.map_or(0, |p| 1 + p as u8);
    // The overdue view, then the view of every contract (`v` twice).
    for view in 0..2 {
        if view == 1 {
            press(&mut s, &["v", "v"]);
        }
        for column in Column::ALL {
            for _ in 0..2 {
                s.state.dashboard.sort_by(column);
                let d = &s.state.dashboard;
                let mut rows: Vec<&OverdueRow> = d.rows().collect();
                rows.sort_by(|a, b| {
                    let primary: Ordering = match column {
                        Column::Customer => {
                            let pa = duedesk::ui::search::pinyin_forms(&a.customer).0;
                            let pb = duedesk::ui::search::pinyin_forms(&b.customer).0;
                            pa.cmp(&pb).then_with(|| a.customer.cmp(&b.customer))
                        }
                        Column::Contract => a.contract_no.cmp(&b.contract_no),
                        Column::Branch => a.branch.cmp(&b.branch),
                        Column::Collector => a.collector.cmp(&b.collector),
                        Column::Days => a.days_overdue.cmp(&b.days_overdue),
                        Column::Overdue => a.overdue_amount.cmp(&b.overdue_amount),
                        Column::Penalty => a.penalty_outstanding.cmp(&b.penalty_outstanding),
                        Column::LastContact => a.last_contact.cmp(&b.last_contact),
                        Column::Promise => promise(a).cmp(&promise(b)),
                        Column::Machine => a.machine.cmp(b.machine),
                        Column::State => a.state.cmp(b.state),
                    };
                    let primary = if d.descending {
                        primary.reverse()
                    } else {
                        primary
                    };
                    primary.then_with(|| a.contract_no.cmp(&b.contract_no))
                });
                let want: Vec<&str> = rows.iter().map(|r| r.contract_no.as_str()).collect();
                let got: Vec<&str> = d.shown().map(|r| r.contract_no.as_str()).collect();
                assert_eq!(got, want, "{column:?} descending={}", d.descending);
            }
        }
    }
}

/// Each change made on the screens is journaled with the wall time it was made at, not
/// the time the session started.
#[test]
fn a_change_is_journaled_at_the_time_it_is_made() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    let started = s.ctx.now;
    let before = chrono::Utc::now().timestamp();
    assert!(
        before > started,
        "the test book's session starts in the past"
    );
    press(&mut s, &["enter", "c", "down"]);
    type_text(&mut s, "answered");
    press(&mut s, &["enter"]);
    assert_eq!(s.state.popup, None, "the contact is saved");
    let no = s.state.ticket.as_ref().unwrap().view.contract_no.clone();
    let entry = book.app.audit(&ctx(), &no).unwrap().pop().unwrap();
    assert_eq!(entry.action, "ticket.contact");
    let at = chrono::DateTime::parse_from_rfc3339(&entry.at)
        .unwrap()
        .timestamp();
    assert!(
        at >= before && at <= chrono::Utc::now().timestamp(),
        "journaled at {at}, the session started at {started}, the change was made after {before}"
    );
}

/// A session left open past midnight works on the new day: the dashboard is read as of
/// it, and forms take it as today.
#[test]
fn a_session_left_open_moves_to_the_next_day() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    assert!(!s.follows_calendar, "a session given a date keeps it");
    assert!(!s.tick(), "no new day without the calendar");
    let days = |s: &duedesk::ui::Session<'_>| {
        s.state
            .dashboard
            .rows()
            .map(|r| (r.contract_no.clone(), r.days_overdue))
            .collect::<Vec<_>>()
    };
    let before = days(&s);
    let next = d(TODAY).succ_opt().unwrap();
    assert!(s.roll_to(next));
    assert_eq!((s.ctx.today, s.state.today), (next, next));
    let after = days(&s);
    assert_eq!(after.len(), before.len());
    for ((no, was), (no2, is)) in before.iter().zip(&after) {
        assert_eq!(no, no2);
        assert_eq!(*is, was + 1, "{no} is a day later");
    }
    assert!(!s.roll_to(next), "the same day again changes nothing");
}
