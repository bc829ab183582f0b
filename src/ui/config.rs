//! The user's config file, `~/.config/duedesk/config.toml` (or `$XDG_CONFIG_HOME`, or the
//! path given to `--config`): theme, language and key overrides.
//!
//! ```toml
//! theme = "light"          # a shipped theme or a path to a theme file
//! lang = "zh"              # en | zh
//! [keys.dashboard]
//! sort = ["s", "o"]        # a command's new keys replace its defaults
//! [keys.global]
//! quit = "ctrl-q"
//! ```
//!
//! A mistake is an error naming the file, the line and the key.

use super::file_error::FileError;
use super::i18n::Lang;
use super::keymap::{Command, Context, Key, KeyMap};
use std::path::{Path, PathBuf};
use toml::de::DeValue;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub theme: Option<String>,
    pub lang: Option<Lang>,
    pub keys: KeyMap,
    /// Run with each approved lock or unlock order as JSON on stdin (the GPS vendor's API).
    pub lock_command: Option<String>,
    /// Run with each notification as JSON on stdin (an SMS or WeChat gateway).
    pub notify_command: Option<String>,
    /// `duedesk serve`: a session with no input for this long is closed.
    pub ssh_idle_timeout_secs: Option<u64>,
    /// `duedesk serve`: at most this many interactive sessions at once.
    pub ssh_max_sessions: Option<usize>,
    /// `duedesk serve`: a connection that has not started a session or a command this long
    /// after it connected is closed.
    pub ssh_login_grace_secs: Option<u64>,
    /// `duedesk serve`: at most this many connections from one address at once.
    pub ssh_max_connections_per_address: Option<usize>,
    /// Where the reports screen's export key writes its files.
    pub export_dir: Option<PathBuf>,
    /// Where it was read from, if a file was read.
    pub file: Option<PathBuf>,
}

/// An error in the config file, naming the file, line and key.
pub type ConfigError = FileError;

/// `$XDG_CONFIG_HOME/duedesk/config.toml`, else `~/.config/duedesk/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("duedesk").join("config.toml"))
}

impl Config {
    /// Reads the config: the given path (which must exist), else the default path if a
    /// file is there, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match default_path() {
                Some(p) if p.exists() => p,
                _ => return Ok(Config::default()),
            },
        };
        let text = FileError::read("config", &path)?;
        let mut config = Config::parse(&path.display().to_string(), &text)?;
        config.file = Some(path);
        Ok(config)
    }

    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let err = |span: Option<std::ops::Range<usize>>, key: Option<String>, message: String| {
            FileError::at("config", file, text, span, key, message)
        };
        let doc = FileError::parse_toml("config", file, text)?;
        let mut config = Config::default();
        for (k, v) in doc.get_ref() {
            let name = k.get_ref().to_string();
            match (name.as_str(), v.get_ref()) {
                ("theme", DeValue::String(s)) => config.theme = Some(s.to_string()),
                ("export_dir", DeValue::String(s)) => {
                    config.export_dir = Some(PathBuf::from(s.as_ref() as &str))
                }
                ("lang", DeValue::String(s)) => {
                    config.lang = Some(Lang::parse(s).ok_or_else(|| {
                        err(Some(v.span()), Some(name.clone()), "use en or zh".into())
                    })?)
                }
                ("keys", DeValue::Table(contexts)) => {
                    for (ck, cv) in contexts {
                        let cname = ck.get_ref().to_string();
                        let Some(context) = Context::parse(&cname) else {
                            let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
                            return Err(err(
                                Some(ck.span()),
                                Some(format!("keys.{cname}")),
                                format!("unknown key table; use one of {}", names.join(", ")),
                            ));
                        };
                        let DeValue::Table(bindings) = cv.get_ref() else {
                            return Err(err(
                                Some(cv.span()),
                                Some(format!("keys.{cname}")),
                                "must be a table of command = keys".into(),
                            ));
                        };
                        for (bk, bv) in bindings {
                            let full = format!("keys.{cname}.{}", bk.get_ref());
                            let Some(command) = Command::ALL
                                .iter()
                                .copied()
                                .find(|c| c.name() == bk.get_ref().as_ref())
                                .filter(|c| config.keys.accepts(context, *c))
                            else {
                                let names: Vec<&str> = config
                                    .keys
                                    .bindings(context)
                                    .iter()
                                    .map(|b| b.command.name())
                                    .collect();
                                return Err(err(
                                    Some(bk.span()),
                                    Some(full),
                                    format!(
                                        "unknown command in [keys.{cname}]; use one of {}",
                                        names.join(", ")
                                    ),
                                ));
                            };
                            let specs: Vec<&str> = match bv.get_ref() {
                                DeValue::String(s) => vec![s.as_ref()],
                                DeValue::Array(items) => {
                                    let mut out = Vec::new();
                                    for item in items {
                                        match item.get_ref() {
                                            DeValue::String(s) => out.push(s.as_ref()),
                                            _ => {
                                                return Err(err(
                                                    Some(item.span()),
                                                    Some(full),
                                                    "a key is a string such as \"ctrl-d\"".into(),
                                                ));
                                            }
                                        }
                                    }
                                    out
                                }
                                _ => {
                                    return Err(err(
                                        Some(bv.span()),
                                        Some(full),
                                        "give a key or a list of keys".into(),
                                    ));
                                }
                            };
                            if specs.is_empty() {
                                return Err(err(
                                    Some(bv.span()),
                                    Some(full),
                                    "give at least one key".into(),
                                ));
                            }
                            let keys = specs
                                .iter()
                                .map(|s| Key::parse(s))
                                .collect::<Result<Vec<_>, _>>()
                                .map_err(|m| err(Some(bv.span()), Some(full.clone()), m))?;
                            config.keys.rebind(context, command, keys);
                        }
                    }
                }
                (
                    "ssh_idle_timeout_secs"
                    | "ssh_max_sessions"
                    | "ssh_login_grace_secs"
                    | "ssh_max_connections_per_address",
                    DeValue::Integer(i),
                ) => {
                    let n = u64::from_str_radix(i.as_str(), i.radix())
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| {
                            err(
                                Some(v.span()),
                                Some(name.clone()),
                                "give a whole number greater than 0".into(),
                            )
                        })?;
                    if name == "ssh_max_sessions" {
                        config.ssh_max_sessions = Some(n as usize);
                    } else if name == "ssh_login_grace_secs" {
                        config.ssh_login_grace_secs = Some(n);
                    } else if name == "ssh_max_connections_per_address" {
                        config.ssh_max_connections_per_address = Some(n as usize);
                    } else {
                        config.ssh_idle_timeout_secs = Some(n);
                    }
                }
                ("lock_command" | "notify_command", DeValue::String(s)) => {
                    if s.trim().is_empty() {
                        return Err(err(
                            Some(v.span()),
                            Some(name),
                            "is empty; give a command line or leave it out".into(),
                        ));
                    }
                    let command = Some(s.to_string());
                    if name == "lock_command" {
                        config.lock_command = command;
                    } else {
                        config.notify_command = command;
                    }
                }
                (
                    "theme" | "lang" | "keys" | "lock_command" | "notify_command" | "export_dir",
                    _,
                ) => {
                    return Err(err(Some(v.span()), Some(name), "has the wrong type".into()));
                }
                _ => {
                    return Err(err(
                        Some(k.span()),
                        Some(name),
                        "unknown setting; use theme, lang, lock_command, notify_command or [keys.<screen>]".into(),
                    ));
                }
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_a_commands_keys() {
        let c = Config::parse(
            "c.toml",
            "theme = \"mono\"\nlang = \"zh\"\n[keys.dashboard]\nsort = [\"o\", \"s\"]\n",
        )
        .unwrap();
        assert_eq!(c.theme.as_deref(), Some("mono"));
        assert_eq!(c.lang, Some(Lang::Zh));
        assert_eq!(
            c.keys
                .lookup(&[Context::Dashboard], Key::parse("o").unwrap()),
            Some(Command::Sort)
        );
    }

    #[test]
    fn bad_keys_are_named_with_their_line() {
        let e =
            Config::parse("c.toml", "lang = \"en\"\n[keys.dashboard]\nsrot = \"s\"\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert_eq!(e.key.as_deref(), Some("keys.dashboard.srot"));
        let e = Config::parse("c.toml", "[keys.global]\nquit = \"hyper-q\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("hyper-q"), "{e}");
    }

    #[test]
    fn an_escape_in_a_string_or_key_is_refused_at_its_line() {
        let e = Config::parse(
            "c.toml",
            "lang = \"en\"\nnotify_command = \"x\\u001b[2J\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("U+001B"), "{e}");
        let e = Config::parse("c.toml", "[keys.dashboard]\n\"so\\u0007rt\" = \"s\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("U+0007"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn any_config_text_is_read_or_refused_never_a_panic(text in proptest::prelude::any::<String>()) {
            if let Err(e) = Config::parse("c.toml", &text) {
                proptest::prop_assert!(e.line.is_none_or(|l| l >= 1 && l <= text.lines().count().max(1) + 1));
            }
        }

        #[test]
        fn config_like_text_never_panics(text in "(lang|theme|notify_command|ssh_max_sessions|\\[keys\\.dashboard\\]|sort|quit|=| |\"|\\\\u001b|[a-z0-9]|\n){0,40}") {
            let _ = Config::parse("c.toml", &text);
        }
    }
}
