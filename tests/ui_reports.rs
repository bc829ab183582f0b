//! The reports screen (tab 9): snapshots at 80×24 in English and Chinese, default and mono;
//! choosing reports, periods and parts; the export key; who is offered the tab.

mod support;

use duedesk::ui::i18n::Lang;
use duedesk::ui::state::Screen;
use support::*;

/// Key presses from the dashboard to a report: 9 opens aging; l steps to the next report.
const VIEWS: &[(&str, &[&str])] = &[
    ("reports_aging", &["9"]),
    ("reports_aging_trend", &["9", "s"]),
    ("reports_forecast", &["9", "l", "l", "l"]),
    ("reports_penalty", &["9", "h", "h", "h"]),
];

#[test]
fn reports_screen_snapshots() {
    let book = workflow_book();
    for (name, keys) in VIEWS {
        for (lang, lang_name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
            for theme in ["default", "mono"] {
                let mut s = session(&book, lang, theme);
                press(&mut s, keys);
                let snap = format!("{name}_80x24_{lang_name}_{theme}");
                insta::assert_snapshot!(snap, render(&s, 80, 24));
            }
        }
    }
}

#[test]
fn keys_step_through_reports_periods_and_parts() {
    let book = workflow_book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["9"]);
    assert_eq!(s.state.screen, Screen::Reports);
    let report = |s: &duedesk::ui::Session| s.state.reports.data.as_ref().unwrap().name;
    assert_eq!(report(&s), "aging");
    press(&mut s, &["l"]);
    assert_eq!(report(&s), "roll-rates");
    press(&mut s, &["h", "h"]);
    assert_eq!(report(&s), "stock");
    press(&mut s, &["l", "p"]);
    let data = s.state.reports.data.as_ref().unwrap();
    assert_eq!(
        (data.name, data.from.to_string()),
        ("aging", "2026-01-01".to_string())
    );
    press(&mut s, &["s", "s"]);
    assert_eq!(s.state.reports.sheet, 2);
    let by_branch = s.state.reports.current().unwrap();
    assert_eq!(by_branch.name, "by_branch");
    press(&mut s, &["f"]);
    let first = s.state.reports.branches[0].clone();
    let data = s.state.reports.data.as_ref().unwrap();
    let branches: Vec<String> = data
        .sheet("by_branch")
        .unwrap()
        .rows
        .iter()
        .map(|r| r[0].plain())
        .collect();
    assert!(
        branches.iter().all(|b| *b == first),
        "{branches:?} filtered to {first}"
    );
}

#[test]
fn the_export_key_writes_the_report_shown_to_the_configured_directory() {
    let book = workflow_book();
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&book, Lang::Zh, "default");
    s.state.export_dir = Some(dir.path().to_path_buf());
    press(&mut s, &["9", "e"]);
    let file = dir.path().join("aging-2025-07-01-2026-06-15.xlsx");
    assert!(
        file.exists(),
        "{:?}",
        std::fs::read_dir(dir.path()).unwrap().collect::<Vec<_>>()
    );
    let status = text(&s, 80, 24);
    assert!(status.contains("已保存"), "{status}");
}

#[test]
fn collectors_and_clerks_are_not_offered_the_reports_tab() {
    let book = workflow_book();
    for (user, offered) in [
        ("li", false),
        ("zhou", false),
        ("qian", true),
        ("sun", true),
    ] {
        let mut s = session_as(&book, user, Lang::En, "default");
        assert_eq!(
            s.state.screens().contains(&Screen::Reports),
            offered,
            "{user}"
        );
        press(&mut s, &["9"]);
        assert_eq!(s.state.screen == Screen::Reports, offered, "{user}");
    }
}
