//! Every screen at 80×24 and 120×40, in English and Chinese, in the default and mono
//! themes. Review a `.snap` diff with every change that touches a screen.

mod support;

use duedesk::ui::i18n::Lang;
use support::*;

/// Key presses that bring a fresh session to each screen.
const SCREENS: &[(&str, &[&str])] = &[
    ("dashboard", &[]),
    ("ticket", &["enter"]),
    ("ticket_contacts", &["enter", "l", "l"]),
    ("payments", &["2"]),
    ("settings", &["3"]),
    ("help", &["?"]),
    ("form_payment", &["enter", "p"]),
    ("filter", &["f"]),
    ("settle_owing", &["enter", "S"]),
];

fn snapshot_all(filter: impl Fn(&str) -> bool) {
    let book = book();
    for (name, keys) in SCREENS.iter().filter(|(n, _)| filter(n)) {
        for (w, h) in [(80, 24), (120, 40)] {
            for (lang, lang_name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
                for theme in ["default", "mono"] {
                    let mut s = session(&book, lang, theme);
                    press(&mut s, keys);
                    let snap = format!("{name}_{w}x{h}_{lang_name}_{theme}");
                    insta::assert_snapshot!(snap, render(&s, w, h));
                }
            }
        }
    }
}

#[test]
fn dashboard_snapshots() {
    snapshot_all(|n| n == "dashboard" || n == "filter" || n == "help");
}

#[test]
fn ticket_snapshots() {
    snapshot_all(|n| n.starts_with("ticket") || n == "form_payment" || n == "settle_owing");
}

#[test]
fn payments_and_settings_snapshots() {
    snapshot_all(|n| n == "payments" || n == "settings");
}

#[test]
fn a_form_shows_errors_beside_fields_as_you_type() {
    let book = book();
    let mut s = session(&book, Lang::En, "default");
    press(&mut s, &["enter", "p", "down"]);
    press(&mut s, &["ctrl-u"]);
    type_text(&mut s, "12.345");
    insta::assert_snapshot!("form_payment_error_80x24_en", text(&s, 80, 24));
    let mut s = session(&book, Lang::Zh, "default");
    press(&mut s, &["enter", "c", "down"]);
    type_text(&mut s, "客户说下周还");
    insta::assert_snapshot!("form_contact_typing_80x24_zh", text(&s, 80, 24));
}

/// A Chinese screen words the app's refusal in Chinese, whole: too long for the status line,
/// it shows in a popup that wraps it.
#[test]
fn a_refusal_shows_whole_in_chinese() {
    let book = book();
    let mut s = session(&book, Lang::Zh, "default");
    text(&s, 80, 24);
    // HT-2025-004's screen shows it paid off, but the payment has been voided since:
    // settling it is refused by the app.
    press(&mut s, &["/"]);
    type_text(&mut s, "oyjg");
    let payment = pay_off(&book, "HT-2025-004");
    press(&mut s, &["enter", "enter"]);
    void_payment(&book, &payment);
    press(&mut s, &["S", "y"]);
    let Some(duedesk::ui::state::Status::Error(refusal)) = &s.state.status else {
        panic!("{:?}", s.state.status)
    };
    assert!(
        refusal.starts_with("未执行：合同 HT-2025-004：本金未还 "),
        "{refusal}"
    );
    assert!(
        refusal.ends_with("；结清前请先登记收款或申请减免"),
        "{refusal}"
    );
    let screen = text(&s, 80, 24);
    let shown: String = screen
        .lines()
        .filter_map(|l| l.split('|').nth(1))
        .map(|l| l.replace(' ', ""))
        .collect();
    assert!(
        shown.contains(&refusal.replace(' ', "")),
        "the whole refusal is in the popup:\n{screen}"
    );
    insta::assert_snapshot!("refusal_popup_80x24_zh", screen);
}
