//! The budget screen (tab 0): snapshots of a branch's month and the league table at 80×24
//! and 60×20 in English and Chinese; drafting a line and submitting from the screen; who is
//! offered the tab and what they see.

mod support;

use duedesk::app::{Ctx, Mutation};
use duedesk::domain::Role;
use duedesk::domain::budget::{Category, Line, LineKind, Month};
use duedesk::ui::i18n::Lang;
use duedesk::ui::state::Screen;
use support::*;

fn as_(user: &str) -> Ctx {
    Ctx::new(user, d(TODAY), 1_781_500_000)
}

/// The workflow book with June's budget of 宁波 approved: li 20,000.00, the rest 5,000.00,
/// tow 1,000.00 (the tow completed on 15 June cost 1,200.00), travel 500.00; and a manual
/// travel line of 320.50.
fn budget_book() -> Book {
    let book = workflow_book();
    let app = &book.app;
    app.execute(
        &ctx(),
        Mutation::AddUser {
            name: "fin2".into(),
            display: "二号财务".into(),
            roles: vec![Role::Finance],
            branch: None,
        },
    )
    .unwrap();
    let june = Month::parse("2026-06").unwrap();
    let line = |kind, collector: Option<&str>, amount: &str| Line {
        kind,
        collector: collector.map(str::to_string),
        amount: m(amount),
    };
    app.execute(
        &as_("sun"),
        Mutation::DraftBudget {
            month: june,
            branch: "宁波".into(),
            lines: vec![
                line(LineKind::Collection, Some("li"), "20000"),
                line(LineKind::Collection, None, "5000"),
                line(LineKind::Spending(Category::Tow), None, "1000"),
                line(LineKind::Spending(Category::Travel), None, "500"),
            ],
        },
    )
    .unwrap();
    let id = app
        .execute(
            &as_("sun"),
            Mutation::SubmitBudget {
                application: String::new(),
                month: june,
                branch: "宁波".into(),
            },
        )
        .unwrap()
        .id
        .unwrap();
    app.execute(
        &as_("fin2"),
        Mutation::Approve {
            id,
            comment: String::new(),
        },
    )
    .unwrap();
    app.execute(
        &as_("sun"),
        Mutation::BookSpending {
            id: String::new(),
            month: june,
            branch: "宁波".into(),
            category: Category::Travel,
            amount: m("320.50"),
            reason: "去余姚拖机".into(),
        },
    )
    .unwrap();
    book
}

const VIEWS: &[(&str, &[&str])] = &[("budget_lines", &["0"]), ("budget_league", &["0", "v"])];

#[test]
fn budget_screen_snapshots() {
    let book = budget_book();
    for (name, keys) in VIEWS {
        for (w, h) in [(80, 24), (60, 20)] {
            for (lang, lang_name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
                let mut s = session_as(&book, "sun", lang, "default");
                press(&mut s, keys);
                let snap = format!("{name}_{w}x{h}_{lang_name}");
                insta::assert_snapshot!(snap, text(&s, w, h));
            }
        }
    }
}

#[test]
fn the_month_shows_plan_actual_and_the_tow_over_plan() {
    let book = budget_book();
    let mut s = session_as(&book, "sun", Lang::En, "default");
    press(&mut s, &["0"]);
    assert_eq!(s.state.screen, Screen::Budget);
    assert_eq!(s.state.budget.branch(), Some("宁波"));
    let data = s.state.budget.data.as_ref().unwrap();
    let tow = data
        .lines
        .iter()
        .find(|l| l.category == Some("tow"))
        .unwrap();
    assert_eq!(
        (tow.plan, tow.actual, tow.warning),
        (Some(m("1000")), m("1200"), true)
    );
    let screen = text(&s, 80, 24);
    assert!(screen.contains("去余姚拖机"), "{screen}");
}

#[test]
fn finance_drafts_a_line_and_submits_the_change_from_the_screen() {
    let book = budget_book();
    let mut s = session_as(&book, "sun", Lang::En, "default");
    // A legal line of 800.00: kind → (collection, tow, travel, legal), amount.
    press(&mut s, &["0", "a", "right", "right", "right", "tab", "tab"]);
    type_text(&mut s, "800");
    press(&mut s, &["enter"]);
    assert!(s.state.popup.is_none(), "{:?}", s.state.popup);
    let data = s.state.budget.data.as_ref().unwrap();
    assert_eq!((data.in_force, data.draft), (Some(1), Some(2)));
    press(&mut s, &["s"]);
    let data = s.state.budget.data.as_ref().unwrap();
    assert_eq!(data.draft_state, Some("in_review"));
    let lines = book
        .app
        .budget_lines(
            &as_("sun"),
            Month::parse("2026-06").unwrap(),
            "宁波",
            Some(2),
        )
        .unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.kind == LineKind::Spending(Category::Legal) && l.amount == m("800"))
    );
    // The month steps with h and l.
    press(&mut s, &["l"]);
    assert_eq!(s.state.budget.month, Some(Month::parse("2026-07").unwrap()));
}

#[test]
fn a_branch_approver_sees_their_branch_and_a_collector_no_budget_tab() {
    let book = budget_book();
    let mut s = session_as(&book, "qian", Lang::Zh, "default");
    press(&mut s, &["0"]);
    assert_eq!(s.state.screen, Screen::Budget);
    assert_eq!(s.state.budget.branches, vec!["宁波".to_string()]);
    let mut s = session_as(&book, "li", Lang::En, "default");
    press(&mut s, &["0"]);
    assert_eq!(s.state.screen, Screen::Dashboard);
}

#[test]
fn finance_decides_a_budget_in_the_approvals_tab_and_a_collector_cannot_read_it() {
    let book = budget_book();
    let mut s = session_as(&book, "sun", Lang::En, "default");
    press(&mut s, &["0", "a", "tab", "tab"]);
    type_text(&mut s, "3000");
    press(&mut s, &["enter", "s"]);
    let id = s
        .state
        .budget
        .data
        .as_ref()
        .unwrap()
        .versions
        .last()
        .unwrap()
        .application
        .clone()
        .unwrap();
    let mut f = session_as(&book, "fin2", Lang::Zh, "default");
    press(&mut f, &["4"]);
    let screen = text(&f, 80, 24);
    assert!(screen.contains(&id), "{screen}");
    assert!(
        !matches!(f.state.status, Some(duedesk::ui::state::Status::Error(_))),
        "{:?}",
        f.state.status
    );
    assert!(book.app.application(&as_("li"), &id).is_err());
    book.app
        .execute(
            &as_("fin2"),
            Mutation::Approve {
                id,
                comment: String::new(),
            },
        )
        .unwrap();
    let shown = book
        .app
        .budget_month(&as_("sun"), Month::parse("2026-06").unwrap(), Some("宁波"))
        .unwrap();
    assert_eq!(shown.branches[0].in_force, Some(2));
}
