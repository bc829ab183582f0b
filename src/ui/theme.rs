//! Themes: `themes/<name>.toml` with `inherits`, an optional `[palette]`, and dotted semantic
//! style keys (`selection`, `overdue.90`, `promise.broken`, …) that fall back to their
//! parent key (`overdue.90` → `overdue` → no style). Screens ask for a meaning, never for a
//! colour. The shipped themes are embedded, so the binary works anywhere; a path loads a
//! user's file. Unknown keys, colours and modifiers are errors naming the file and line.

use super::file_error::FileError;
use ratatui::style::{Color, Modifier, Style};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use toml::de::DeValue;

/// The themes shipped in `themes/`, embedded at build time.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("base16", include_str!("../../themes/base16.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// Every style key a theme may set. Parents come before children; a missing key falls back
/// to its parent.
pub const KEYS: &[&str] = &[
    "base",
    "muted",
    "title",
    "tab",
    "tab.active",
    "header",
    "selection",
    "marked",
    "danger",
    "warning",
    "ok",
    "money",
    "hint",
    "hint.key",
    "status",
    "status.error",
    "status.pending",
    "promise",
    "promise.kept",
    "promise.due",
    "promise.broken",
    "machine",
    "machine.locked",
    "machine.towed",
    "overdue",
    "overdue.30",
    "overdue.60",
    "overdue.90",
    "overdue.180",
    "overdue.max",
    "bar",
    "bar.count",
    "bar.amount",
    "input",
    "input.focus",
    "input.error",
    "popup",
    "popup.title",
];

/// An error in a theme file, naming the file, line and key.
pub type ThemeError = FileError;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: HashMap<String, Style>,
}

impl Theme {
    /// The style for a meaning, falling back through parent keys.
    pub fn style(&self, key: &str) -> Style {
        let mut key = key;
        loop {
            if let Some(style) = self.styles.get(key) {
                return *style;
            }
            match key.rfind('.') {
                Some(dot) => key = &key[..dot],
                None => return Style::default(),
            }
        }
    }

    /// The style of an aging bucket's figures.
    pub fn overdue(&self, days: i64) -> Style {
        self.style(match days {
            ..=30 => "overdue.30",
            31..=60 => "overdue.60",
            61..=90 => "overdue.90",
            91..=180 => "overdue.180",
            _ => "overdue.max",
        })
    }

    /// Every style the theme sets itself (after inheritance), for checks.
    pub fn styles(&self) -> impl Iterator<Item = (&str, &Style)> {
        self.styles.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// A shipped theme by name, or a theme file by path (anything with a `/` or ending in
    /// `.toml`).
    pub fn load(name_or_path: &str) -> Result<Theme, ThemeError> {
        Self::load_depth(name_or_path, None, 0)
    }

    pub fn builtin(name: &str) -> Option<&'static str> {
        BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }

    fn load_depth(name: &str, base_dir: Option<&Path>, depth: usize) -> Result<Theme, ThemeError> {
        if depth > 8 {
            return Err(FileError {
                what: "theme",
                file: name.into(),
                line: None,
                key: Some("inherits".into()),
                message: "themes inherit in a loop".into(),
            });
        }
        let is_path = name.contains('/') || name.ends_with(".toml");
        if !is_path {
            if let Some(text) = Self::builtin(name) {
                return Self::parse_depth(name, &format!("themes/{name}.toml"), text, None, depth);
            }
            let known: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            return Err(FileError {
                what: "theme",
                file: name.into(),
                line: None,
                key: None,
                message: format!(
                    "no such theme; shipped themes are {}, or give a path to a .toml file",
                    known.join(", ")
                ),
            });
        }
        let mut path = PathBuf::from(name);
        if path.is_relative()
            && let Some(dir) = base_dir
        {
            path = dir.join(path);
        }
        let text = FileError::read("theme", &path)?;
        let stem = path
            .file_stem()
            .map_or("custom".into(), |s| s.to_string_lossy().to_string());
        let dir = path.parent().map(Path::to_path_buf);
        Self::parse_depth(
            &stem,
            &path.display().to_string(),
            &text,
            dir.as_deref(),
            depth,
        )
    }

    /// Parses theme text; `file` names it in errors.
    pub fn parse(name: &str, file: &str, text: &str) -> Result<Theme, ThemeError> {
        Self::parse_depth(name, file, text, None, 0)
    }

    fn parse_depth(
        name: &str,
        file: &str,
        text: &str,
        dir: Option<&Path>,
        depth: usize,
    ) -> Result<Theme, ThemeError> {
        let err = |span: Option<std::ops::Range<usize>>, key: Option<&str>, message: String| {
            FileError::at("theme", file, text, span, key.map(str::to_string), message)
        };
        let doc = FileError::parse_toml("theme", file, text)?;
        let doc = doc.get_ref();
        let mut theme = Theme {
            name: name.to_string(),
            styles: HashMap::new(),
        };
        if let Some(parent) = doc.get("inherits") {
            let DeValue::String(parent_name) = parent.get_ref() else {
                return Err(err(
                    Some(parent.span()),
                    Some("inherits"),
                    "must be a theme name or path".into(),
                ));
            };
            theme.styles = Self::load_depth(parent_name, dir, depth + 1)?.styles;
        }
        let mut palette: HashMap<String, Color> = HashMap::new();
        if let Some(p) = doc.get("palette") {
            let DeValue::Table(entries) = p.get_ref() else {
                return Err(err(
                    Some(p.span()),
                    Some("palette"),
                    "must be a table of colours".into(),
                ));
            };
            for (k, v) in entries {
                let key = format!("palette.{}", k.get_ref());
                let DeValue::String(c) = v.get_ref() else {
                    return Err(err(
                        Some(v.span()),
                        Some(&key),
                        "a colour is a string (put style keys above [palette]: in TOML, keys after a table header belong to that table)".into(),
                    ));
                };
                let color = parse_color(c, &HashMap::new())
                    .map_err(|m| err(Some(v.span()), Some(&key), m))?;
                palette.insert(k.get_ref().to_string(), color);
            }
        }
        let mut found = Vec::new();
        for (k, v) in doc {
            let k = k.get_ref();
            if k == "inherits" || k == "palette" {
                continue;
            }
            collect(k, v, &mut found);
        }
        for (key, value, span) in found {
            if !KEYS.contains(&key.as_str()) {
                return Err(err(
                    Some(span),
                    Some(&key),
                    "unknown style key; see the list at the top of themes/default.toml".into(),
                ));
            }
            let style = parse_style(value, &palette).map_err(|m| err(Some(span), Some(&key), m))?;
            theme.styles.insert(key, style);
        }
        Ok(theme)
    }
}

/// Flattens nested tables into dotted keys. A table's `fg`, `bg` and `modifiers` are the
/// style of the table's own key; its other entries are children.
fn collect<'a>(
    prefix: &str,
    value: &'a toml::Spanned<DeValue<'a>>,
    out: &mut Vec<(String, StyleSpec<'a>, std::ops::Range<usize>)>,
) {
    match value.get_ref() {
        DeValue::Table(table) => {
            let mut own = Vec::new();
            for (k, v) in table {
                let k = k.get_ref();
                if matches!(k.as_ref(), "fg" | "bg" | "modifiers") {
                    own.push((k.to_string(), v));
                } else {
                    collect(&format!("{prefix}.{k}"), v, out);
                }
            }
            if !own.is_empty() {
                out.push((prefix.to_string(), StyleSpec::Table(own), value.span()));
            }
        }
        other => out.push((prefix.to_string(), StyleSpec::Value(other), value.span())),
    }
}

enum StyleSpec<'a> {
    Value(&'a DeValue<'a>),
    Table(Vec<(String, &'a toml::Spanned<DeValue<'a>>)>),
}

fn parse_style(spec: StyleSpec<'_>, palette: &HashMap<String, Color>) -> Result<Style, String> {
    match spec {
        StyleSpec::Value(DeValue::String(c)) => Ok(Style::default().fg(parse_color(c, palette)?)),
        StyleSpec::Value(_) => {
            Err("a style is a colour string or a table with fg, bg and modifiers".into())
        }
        StyleSpec::Table(entries) => {
            let mut style = Style::default();
            for (k, v) in entries {
                match (k.as_str(), v.get_ref()) {
                    ("fg", DeValue::String(c)) => style = style.fg(parse_color(c, palette)?),
                    ("bg", DeValue::String(c)) => style = style.bg(parse_color(c, palette)?),
                    ("modifiers", DeValue::Array(items)) => {
                        for item in items {
                            let DeValue::String(m) = item.get_ref() else {
                                return Err("modifiers are strings".into());
                            };
                            style = style.add_modifier(parse_modifier(m)?);
                        }
                    }
                    (k, _) => return Err(format!("`{k}` has the wrong type")),
                }
            }
            Ok(style)
        }
    }
}

/// The sixteen named ANSI colours, as themes spell them.
pub const ANSI_NAMES: &[(&str, Color)] = &[
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("darkgray", Color::DarkGray),
    ("lightred", Color::LightRed),
    ("lightgreen", Color::LightGreen),
    ("lightyellow", Color::LightYellow),
    ("lightblue", Color::LightBlue),
    ("lightmagenta", Color::LightMagenta),
    ("lightcyan", Color::LightCyan),
    ("white", Color::White),
];

fn parse_color(text: &str, palette: &HashMap<String, Color>) -> Result<Color, String> {
    if let Some(c) = palette.get(text) {
        return Ok(*c);
    }
    if let Some((_, c)) = ANSI_NAMES.iter().find(|(n, _)| *n == text) {
        return Ok(*c);
    }
    if text == "reset" {
        return Ok(Color::Reset);
    }
    if let Some(hex) = text.strip_prefix('#')
        && hex.len() == 6
        && let Ok(v) = u32::from_str_radix(hex, 16)
    {
        return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    Err(format!(
        "unknown colour `{text}`; use a palette name, one of the 16 ANSI names (red, lightblue, …) or #rrggbb"
    ))
}

fn parse_modifier(text: &str) -> Result<Modifier, String> {
    Ok(match text {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "reversed" | "reverse" => Modifier::REVERSED,
        _ => {
            return Err(format!(
                "unknown modifier `{text}`; use bold, dim, italic, underlined or reversed"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_keys_fall_back_to_their_parent() {
        let t = Theme::parse(
            "t",
            "t.toml",
            "[palette]\nhot = \"#ff0000\"\n[overdue]\nfg = \"yellow\"\n\"90\" = \"hot\"\n",
        )
        .unwrap();
        assert_eq!(t.style("overdue.90").fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.style("overdue.30").fg, Some(Color::Yellow));
        assert_eq!(t.style("danger"), Style::default());
    }

    #[test]
    fn unknown_keys_name_file_line_and_key() {
        let e =
            Theme::parse("t", "t.toml", "base = \"white\"\n\nselekshun = \"red\"\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert_eq!(e.key.as_deref(), Some("selekshun"));
        assert!(e.to_string().contains("t.toml"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn any_theme_text_is_read_or_refused_never_a_panic(text in proptest::prelude::any::<String>()) {
            let _ = Theme::parse("t", "t.toml", &text);
        }

        #[test]
        fn theme_like_text_never_panics(text in "(base|muted|overdue\\.90|fg|bg|modifiers|\\[palette\\]|red|#ff0000|=| |\"|\\{|\\}|,|\n){0,40}") {
            let _ = Theme::parse("t", "t.toml", &text);
        }
    }
}
