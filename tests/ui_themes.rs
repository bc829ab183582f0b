//! Theme and config files: every shipped theme loads and shows the selected row; broken
//! files under tests/ui_files give errors naming the file, the line and the key.

use duedesk::ui::config::Config;
use duedesk::ui::i18n::Lang;
use duedesk::ui::keymap::{Command, Context, Key};
use duedesk::ui::theme::{ANSI_NAMES, BUILTIN, KEYS, Theme};
use duedesk::ui::{Settings, UiOptions};
use ratatui::style::{Color, Modifier};
use std::path::PathBuf;

fn file(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/ui_files")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn every_shipped_theme_loads_and_its_selection_shows() {
    for (name, _) in BUILTIN {
        let theme = Theme::load(name).unwrap_or_else(|e| panic!("{e}"));
        let sel = theme.style("selection");
        let base = theme.style("base");
        let visible = sel.add_modifier.contains(Modifier::REVERSED)
            || (sel.bg.is_some() && sel.bg != base.bg);
        assert!(visible, "theme {name}: the selected row must stand out");
    }
}

#[test]
fn the_shipped_files_are_the_embedded_ones() {
    for (name, text) in BUILTIN {
        let on_disk =
            std::fs::read_to_string(format!("{}/themes/{name}.toml", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        assert_eq!(&on_disk, text);
    }
}

#[test]
fn base16_uses_only_the_sixteen_names_and_mono_no_colour() {
    let base16 = Theme::load("base16").unwrap();
    let named = |c: Option<Color>| {
        c.is_none_or(|c| c == Color::Reset || ANSI_NAMES.iter().any(|(_, n)| *n == c))
    };
    for (key, style) in base16.styles() {
        assert!(
            named(style.fg) && named(style.bg),
            "base16 {key}: {style:?}"
        );
    }
    let mono = Theme::load("mono").unwrap();
    for (key, style) in mono.styles() {
        assert!(style.fg.is_none() && style.bg.is_none(), "mono {key}");
        let allowed = Modifier::BOLD | Modifier::REVERSED | Modifier::UNDERLINED;
        assert!(allowed.contains(style.add_modifier), "mono {key}");
    }
}

#[test]
fn every_key_a_screen_uses_is_known() {
    // A theme file may set any of these; the default sets most.
    let default = Theme::load("default").unwrap();
    for key in [
        "selection",
        "overdue.90",
        "promise.broken",
        "bar.count",
        "input.focus",
    ] {
        assert!(KEYS.contains(&key));
        assert_ne!(
            default.style(key),
            ratatui::style::Style::default(),
            "{key}"
        );
    }
}

#[test]
fn a_theme_file_inherits_and_overrides() {
    let t = Theme::load(&file("good_child_theme.toml")).unwrap();
    assert_eq!(t.style("selection").bg, Some(Color::Red));
    // Everything else comes from light.
    assert_eq!(
        t.style("danger"),
        Theme::load("light").unwrap().style("danger")
    );
}

#[test]
fn broken_themes_name_file_line_and_key() {
    for (name, line, key, says) in [
        (
            "bad_theme_unknown_key.toml",
            Some(4),
            Some("selection.glow"),
            "unknown style key",
        ),
        (
            "bad_theme_colour.toml",
            Some(2),
            Some("danger"),
            "vermilion",
        ),
        ("bad_theme_modifier.toml", Some(1), Some("base"), "blink"),
        ("bad_theme_parent.toml", None, None, "no such theme"),
    ] {
        let e = Theme::load(&file(name)).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.line, line, "{text}");
        assert_eq!(e.key.as_deref(), key, "{text}");
        assert!(text.contains(says), "{text}");
        if name != "bad_theme_parent.toml" {
            assert!(text.contains(name), "{text}");
        }
    }
    let e = Theme::load("solarized").unwrap_err();
    assert!(
        e.to_string().contains("default, light, base16, mono"),
        "{e}"
    );
}

#[test]
fn a_config_overrides_theme_language_and_keys() {
    let c = Config::load(Some(PathBuf::from(file("good_config.toml")).as_path())).unwrap();
    assert_eq!(c.theme.as_deref(), Some("mono"));
    assert_eq!(c.lang, Some(Lang::Zh));
    let o = Key::parse("o").unwrap();
    assert_eq!(c.keys.lookup(&[Context::Dashboard], o), Some(Command::Sort));
    assert_eq!(
        c.keys
            .lookup(&[Context::Global], Key::parse("ctrl-q").unwrap()),
        Some(Command::Quit)
    );
    assert_eq!(
        c.keys.lookup(&[Context::Global], Key::parse("q").unwrap()),
        None
    );
    // Options given on the command line win over the config.
    let s = Settings::resolve(&UiOptions {
        theme: Some("light".into()),
        lang: Some("en".into()),
        config: Some(file("good_config.toml").into()),
        ..UiOptions::default()
    })
    .unwrap();
    assert_eq!(s.lang, Lang::En);
    assert_eq!(s.theme.name, "light");
}

#[test]
fn broken_configs_name_file_line_and_key() {
    for (name, line, key, says) in [
        (
            "bad_config_command.toml",
            Some(6),
            Some("keys.dashboard.fliter"),
            "unknown command",
        ),
        (
            "bad_config_key.toml",
            Some(2),
            Some("keys.global.quit"),
            "ctrl-shift-meta-q",
        ),
        (
            "bad_config_setting.toml",
            Some(1),
            Some("colour"),
            "unknown setting",
        ),
        ("bad_config_lang.toml", Some(1), Some("lang"), "en or zh"),
        ("bad_config_syntax.toml", Some(1), None, "config"),
    ] {
        let e = Config::load(Some(PathBuf::from(file(name)).as_path())).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.line, line, "{text}");
        assert_eq!(e.key.as_deref(), key, "{text}");
        assert!(text.contains(says), "{text}");
        assert!(text.contains(name), "{text}");
    }
    let missing = Config::load(Some(PathBuf::from(file("nope.toml")).as_path())).unwrap_err();
    assert!(missing.to_string().contains("cannot read"), "{missing}");
}
