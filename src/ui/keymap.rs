//! One key map table per screen. The same table drives key handling, the bottom hint bar
//! and the `?` help overlay, so help never drifts from the real keys. A user's config file
//! may rebind any command (see `config.rs`).
//!
//! Lookup order: the active screen's table, then the list-navigation table (screens that
//! show a list), then the global table. Forms, search and popups take raw keys instead;
//! their fixed keys are shown in their own footers.

use super::i18n::Msg;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// A key as the map stores it: the code and the modifiers that matter (Shift is folded into
/// the character for printable keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(event: &KeyEvent) -> Key {
        let mut mods = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match event.code {
            KeyCode::BackTab => KeyCode::BackTab,
            // Ctrl-H is Backspace (a local tty reads 0x08 as Ctrl-H, SSH as Backspace).
            KeyCode::Char('h' | 'H') if mods == KeyModifiers::CONTROL => {
                return Key {
                    code: KeyCode::Backspace,
                    mods: KeyModifiers::NONE,
                };
            }
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        if matches!(code, KeyCode::Tab) && event.modifiers.contains(KeyModifiers::SHIFT) {
            mods = KeyModifiers::NONE;
            return Key {
                code: KeyCode::BackTab,
                mods,
            };
        }
        Key { code, mods }
    }

    /// `q`, `G`, `/`, `enter`, `esc`, `tab`, `shift-tab`, `ctrl-d`, `alt-x`, `pgdown`, `f5`,
    /// `space`, `up`, …
    pub fn parse(spec: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = spec.trim();
        if rest.is_empty() {
            return Err("a key is empty".into());
        }
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && (lower.starts_with("ctrl-") || lower.starts_with("c-")) {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.find('-').unwrap() + 1..];
            } else if rest.chars().count() > 1
                && (lower.starts_with("alt-") || lower.starts_with("m-"))
            {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.find('-').unwrap() + 1..];
            } else if lower == "shift-tab" || lower == "s-tab" || lower == "backtab" {
                return Ok(Key {
                    code: KeyCode::BackTab,
                    mods,
                });
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                c.to_ascii_lowercase()
            } else {
                c
            }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdown" | "pgdn" | "pagedown" => KeyCode::PageDown,
                f if f.starts_with('f')
                    && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
                {
                    KeyCode::F(f[1..].parse().unwrap())
                }
                _ => {
                    return Err(format!(
                        "unknown key `{spec}`; use a character, or enter, esc, tab, shift-tab, space, up, down, left, right, home, end, pgup, pgdown, f1..f12, with ctrl- or alt- before it"
                    ));
                }
            },
        };
        Ok(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("C-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("M-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("S-Tab"),
            KeyCode::Backspace => f.write_str("BS"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Which table a binding belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    List,
    Dashboard,
    Ticket,
    Payments,
    Settings,
    Approvals,
    Tows,
    Rules,
    Audit,
    Stock,
    Orders,
    Order,
    Reports,
    Budget,
    /// The settings screen's users pane (admins).
    Users,
}

impl Context {
    pub const ALL: [Context; 16] = [
        Context::Global,
        Context::List,
        Context::Dashboard,
        Context::Ticket,
        Context::Payments,
        Context::Settings,
        Context::Approvals,
        Context::Tows,
        Context::Rules,
        Context::Audit,
        Context::Stock,
        Context::Orders,
        Context::Order,
        Context::Reports,
        Context::Budget,
        Context::Users,
    ];

    /// The table's name in the config file: `[keys.<name>]`.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Dashboard => "dashboard",
            Context::Ticket => "ticket",
            Context::Payments => "payments",
            Context::Settings => "settings",
            Context::Approvals => "approvals",
            Context::Tows => "tows",
            Context::Rules => "rules",
            Context::Audit => "audit",
            Context::Stock => "stock",
            Context::Orders => "orders",
            Context::Order => "order",
            Context::Reports => "reports",
            Context::Budget => "budget",
            Context::Users => "users",
        }
    }

    pub fn parse(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }
}

macro_rules! commands {
    ($($name:ident => $config:literal, $msg:ident;)*) => {
        /// Everything a key can ask for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Command { $($name),* }

        impl Command {
            pub const ALL: &'static [Command] = &[$(Command::$name),*];

            /// The command's name in the config file.
            pub fn name(self) -> &'static str {
                match self { $(Command::$name => $config),* }
            }

            /// What the hint bar and help overlay call it.
            pub fn describe(self) -> Msg {
                match self { $(Command::$name => Msg::$msg),* }
            }
        }
    };
}

commands! {
    Quit => "quit", CmdQuit;
    Help => "help", CmdHelp;
    NextScreen => "next_screen", CmdNextScreen;
    PrevScreen => "prev_screen", CmdPrevScreen;
    Screen1 => "screen_overdue", CmdScreen1;
    Screen2 => "screen_payments", CmdScreen2;
    Screen3 => "screen_settings", CmdScreen3;
    Screen4 => "screen_approvals", CmdScreen4;
    Screen5 => "screen_tows", CmdScreen5;
    Screen6 => "screen_rules", CmdScreen6;
    Screen7 => "screen_stock", CmdScreen7;
    Screen8 => "screen_outbound", CmdScreen8;
    Down => "down", CmdDown;
    Up => "up", CmdUp;
    Top => "top", CmdTop;
    Bottom => "bottom", CmdBottom;
    PageDown => "page_down", CmdPageDown;
    PageUp => "page_up", CmdPageUp;
    HalfDown => "half_page_down", CmdHalfDown;
    HalfUp => "half_page_up", CmdHalfUp;
    Open => "open", CmdOpen;
    Back => "back", CmdBack;
    Search => "search", CmdSearch;
    Filter => "filter", CmdFilter;
    Sort => "sort", CmdSort;
    Clear => "clear", CmdClear;
    Contact => "contact", CmdContact;
    Payment => "payment", CmdPayment;
    Waiver => "waiver", CmdWaiver;
    Settle => "settle", CmdSettle;
    NextPane => "next_pane", CmdNextPane;
    PrevPane => "prev_pane", CmdPrevPane;
    Toggle => "toggle", CmdToggle;
    SelectAll => "select_all", CmdSelectAll;
    Confirm => "confirm", CmdConfirm;
    Void => "void", CmdVoid;
    Rate => "rate", CmdRate;
    Grace => "grace", CmdGrace;
    Reload => "reload", CmdReload;
    Approve => "approve", CmdApprove;
    Reject => "reject", CmdReject;
    MarkRead => "mark_read", CmdMarkRead;
    MarkAllRead => "mark_all_read", CmdMarkAllRead;
    RegisterTow => "register_tow", CmdRegisterTow;
    CompleteTow => "complete_tow", CmdCompleteTow;
    FailTow => "fail_tow", CmdFailTow;
    ApplyLock => "apply_lock", CmdApplyLock;
    ApplyTow => "apply_tow", CmdApplyTow;
    Audit => "audit", CmdAudit;
    Edit => "edit", CmdEdit;
    NewOrder => "new_order", CmdNewOrder;
    Pick => "pick", CmdPick;
    AddLine => "add_accessory", CmdAddLine;
    SubmitOrder => "submit", CmdSubmitOrder;
    Ship => "ship", CmdShip;
    Swap => "swap", CmdSwap;
    CancelOrder => "cancel_order", CmdCancelOrder;
    Screen9 => "screen_reports", CmdScreen9;
    NextReport => "next_report", CmdNextReport;
    PrevReport => "prev_report", CmdPrevReport;
    Period => "period", CmdPeriod;
    NextSheet => "next_sheet", CmdNextSheet;
    Export => "export", CmdExport;
    GoTo => "goto", CmdGoTo;
    Accrue => "accrue", CmdAccrue;
    ExecuteLock => "execute", CmdExecuteLock;
    Screen0 => "screen_budget", CmdScreen0;
    PrevMonth => "prev_month", CmdPrevMonth;
    NextMonth => "next_month", CmdNextMonth;
    League => "league", CmdLeague;
    BudgetLine => "budget_line", CmdBudgetLine;
    BudgetSpending => "budget_spending", CmdBudgetSpending;
    BudgetSubmit => "budget_submit", CmdBudgetSubmit;
    AddUser => "add_user", CmdAddUser;
    SetRoles => "roles", CmdRoles;
    SetBranch => "branch", CmdBranch;
    DisableUser => "disable", CmdDisable;
    Language => "language", CmdLanguage;
    Allocation => "allocation", CmdAllocation;
    DraftContract => "draft_contract", CmdDraftContract;
    RemoveLine => "remove_line", CmdRemoveLine;
    View => "view", CmdView;
}

impl Command {
    /// The permission the command's change needs (`Mutation::permission`), if it makes one:
    /// a user without it is not offered the key (the app refuses the change all the same).
    pub fn permission(self) -> Option<&'static str> {
        use Command::*;
        Some(match self {
            Contact => "ticket.contact",
            Payment => "payment.record",
            Waiver => "waiver.apply",
            Settle => "contract.settle",
            ApplyLock => "lock.apply",
            ApplyTow => "tow.apply",
            Toggle | SelectAll | Confirm => "payment.confirm",
            Void => "payment.void",
            Rate => "settings.rate",
            Grace => "settings.grace",
            Accrue => "penalty.accrue",
            RegisterTow | CompleteTow | FailTow => "tow.register",
            ExecuteLock => "lock.execute",
            Edit => "rules.set",
            NewOrder | Pick | AddLine | SubmitOrder | Swap | CancelOrder => "outbound.order",
            Ship => "outbound.ship",
            BudgetLine | BudgetSubmit => "budget.plan",
            BudgetSpending => "budget.spending",
            AddUser | SetRoles | SetBranch | DisableUser => "user.manage",
            Allocation => "settings.allocation",
            DraftContract => "contract.create",
            RemoveLine => "outbound.order",
            _ => return None,
        })
    }
}

/// One line of help: a command and its keys not already taken by a table before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpEntry {
    pub command: Command,
    pub keys: Vec<Key>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub command: Command,
    pub keys: Vec<Key>,
}

/// All tables. Order within a table is the order of the hint bar and help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMap {
    tables: Vec<(Context, Vec<Binding>)>,
}

fn table(specs: &[(Command, &[&str])]) -> Vec<Binding> {
    specs
        .iter()
        .map(|(command, keys)| Binding {
            command: *command,
            keys: keys
                .iter()
                .map(|k| Key::parse(k).expect("default keys parse"))
                .collect(),
        })
        .collect()
}

impl Default for KeyMap {
    fn default() -> KeyMap {
        use Command::*;
        KeyMap {
            tables: vec![
                (
                    Context::Dashboard,
                    table(&[
                        (Open, &["enter"]),
                        (GoTo, &["o"]),
                        (View, &["v"]),
                        (Search, &["/"]),
                        (Filter, &["f"]),
                        (Sort, &["s"]),
                        (Clear, &["x"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (
                    Context::Ticket,
                    table(&[
                        (Back, &["esc", "backspace"]),
                        (Open, &["enter"]),
                        (GoTo, &["o"]),
                        (Contact, &["c"]),
                        (Payment, &["p"]),
                        (Waiver, &["w"]),
                        (Settle, &["S"]),
                        (NextPane, &["l", "right"]),
                        (PrevPane, &["h", "left"]),
                        (ApplyLock, &["L"]),
                        (ApplyTow, &["T"]),
                        (Audit, &["a"]),
                    ]),
                ),
                (
                    Context::Approvals,
                    table(&[
                        (Approve, &["a"]),
                        (Reject, &["x"]),
                        (NextPane, &["l", "right"]),
                        (PrevPane, &["h", "left"]),
                        (MarkRead, &["m"]),
                        (MarkAllRead, &["M"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (
                    Context::Tows,
                    table(&[
                        (RegisterTow, &["t"]),
                        (CompleteTow, &["c"]),
                        (FailTow, &["f"]),
                        (ExecuteLock, &["e"]),
                        (NextPane, &["l", "right"]),
                        (PrevPane, &["h", "left"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (Context::Rules, table(&[(Edit, &["e"]), (Reload, &["r"])])),
                (Context::Audit, table(&[(Back, &["esc", "backspace"])])),
                (
                    Context::Payments,
                    table(&[
                        (Toggle, &["space"]),
                        (Search, &["/"]),
                        (SelectAll, &["a"]),
                        (Confirm, &["c"]),
                        (Void, &["v"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (
                    Context::Settings,
                    table(&[
                        (Rate, &["r"]),
                        (Grace, &["g"]),
                        (Allocation, &["o"]),
                        (Accrue, &["A"]),
                        (NextPane, &["l", "right"]),
                        (PrevPane, &["h", "left"]),
                    ]),
                ),
                (
                    Context::Stock,
                    table(&[
                        (Open, &["enter"]),
                        (Back, &["esc", "backspace"]),
                        (Filter, &["f"]),
                        (Clear, &["x"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (
                    Context::Orders,
                    table(&[
                        (Open, &["enter"]),
                        (NewOrder, &["n"]),
                        (DraftContract, &["d"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (
                    Context::Users,
                    table(&[
                        (AddUser, &["n"]),
                        (SetRoles, &["e"]),
                        (SetBranch, &["b"]),
                        (Language, &["L"]),
                        (DisableUser, &["d"]),
                        (NextPane, &["l", "right"]),
                        (PrevPane, &["h", "left"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (
                    Context::Reports,
                    table(&[
                        (NextReport, &["l", "right"]),
                        (PrevReport, &["h", "left"]),
                        (Period, &["p"]),
                        (Filter, &["f"]),
                        (NextSheet, &["s"]),
                        (Export, &["e"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (
                    Context::Budget,
                    table(&[
                        (PrevMonth, &["h", "left"]),
                        (NextMonth, &["l", "right"]),
                        (Filter, &["f"]),
                        (League, &["v"]),
                        (BudgetLine, &["a"]),
                        (BudgetSpending, &["m"]),
                        (BudgetSubmit, &["s"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (
                    Context::Order,
                    table(&[
                        (Back, &["esc", "backspace"]),
                        (Pick, &["p"]),
                        (AddLine, &["a"]),
                        (SubmitOrder, &["s"]),
                        (Ship, &["S"]),
                        (Swap, &["w"]),
                        (CancelOrder, &["c"]),
                        (RemoveLine, &["x", "delete"]),
                        (Reload, &["r"]),
                    ]),
                ),
                (
                    Context::List,
                    table(&[
                        (Down, &["j", "down"]),
                        (Up, &["k", "up"]),
                        (Top, &["g", "home"]),
                        (Bottom, &["G", "end"]),
                        (PageDown, &["pgdown"]),
                        (PageUp, &["pgup"]),
                        (HalfDown, &["ctrl-d"]),
                        (HalfUp, &["ctrl-u"]),
                    ]),
                ),
                (
                    Context::Global,
                    table(&[
                        (Help, &["?"]),
                        (Quit, &["q", "ctrl-c"]),
                        (NextScreen, &["tab"]),
                        (PrevScreen, &["shift-tab"]),
                        (Screen1, &["1"]),
                        (Screen2, &["2"]),
                        (Screen3, &["3"]),
                        (Screen4, &["4"]),
                        (Screen5, &["5"]),
                        (Screen6, &["6"]),
                        (Screen7, &["7"]),
                        (Screen8, &["8"]),
                        (Screen9, &["9"]),
                        (Screen0, &["0"]),
                    ]),
                ),
            ],
        }
    }
}

impl KeyMap {
    pub fn bindings(&self, context: Context) -> &[Binding] {
        self.tables
            .iter()
            .find(|(c, _)| *c == context)
            .map_or(&[], |(_, b)| b.as_slice())
    }

    /// The command a key means in a chain of contexts, first match wins.
    pub fn lookup(&self, contexts: &[Context], key: Key) -> Option<Command> {
        contexts.iter().find_map(|context| {
            self.bindings(*context)
                .iter()
                .find(|b| b.keys.contains(&key))
                .map(|b| b.command)
        })
    }

    /// What the help lists for a chain of contexts (most specific first): each command
    /// `offered`, once, with the keys that reach it — a key an earlier table binds is not
    /// listed again, and a command left without keys is not listed.
    pub fn entries(
        &self,
        contexts: &[Context],
        offered: impl Fn(Command) -> bool,
    ) -> Vec<HelpEntry> {
        let mut taken: Vec<Key> = Vec::new();
        let mut out: Vec<HelpEntry> = Vec::new();
        for context in contexts {
            let mut claimed = Vec::new();
            for b in self.bindings(*context) {
                let keys: Vec<Key> = b
                    .keys
                    .iter()
                    .filter(|k| !taken.contains(k))
                    .copied()
                    .collect();
                claimed.extend(keys.iter().copied());
                if keys.is_empty() || !offered(b.command) {
                    continue;
                }
                match out.iter_mut().find(|e| e.command == b.command) {
                    Some(e) => e.keys.extend(keys),
                    None => out.push(HelpEntry {
                        command: b.command,
                        keys,
                    }),
                }
            }
            // A key this table binds is its own, whether or not it is offered here.
            taken.extend(claimed);
        }
        out
    }

    /// The keys of a command in a context, for hints.
    pub fn keys_of(&self, context: Context, command: Command) -> &[Key] {
        self.bindings(context)
            .iter()
            .find(|b| b.command == command)
            .map_or(&[], |b| b.keys.as_slice())
    }

    /// Whether a command may be bound in a context (the defaults say where each belongs).
    pub fn accepts(&self, context: Context, command: Command) -> bool {
        self.bindings(context).iter().any(|b| b.command == command)
    }

    /// Rebinds a command; the new keys replace the old ones, and another command of the
    /// context that had one of them by default loses it (the user's binding wins: a config
    /// written before a default took the key keeps working).
    pub fn rebind(&mut self, context: Context, command: Command, keys: Vec<Key>) -> bool {
        let Some((_, bindings)) = self.tables.iter_mut().find(|(c, _)| *c == context) else {
            return false;
        };
        if !bindings.iter().any(|b| b.command == command) {
            return false;
        }
        for b in bindings.iter_mut() {
            if b.command == command {
                b.keys = keys.clone();
            } else {
                b.keys.retain(|k| !keys.contains(k));
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_binding_takes_the_key_from_a_default() {
        let mut keys = KeyMap::default();
        let o = Key::parse("o").unwrap();
        assert_eq!(keys.lookup(&[Context::Dashboard], o), Some(Command::GoTo));
        assert!(keys.rebind(Context::Dashboard, Command::Sort, vec![o]));
        assert_eq!(keys.lookup(&[Context::Dashboard], o), Some(Command::Sort));
        assert!(keys.keys_of(Context::Dashboard, Command::GoTo).is_empty());
        // Elsewhere the default stays.
        assert_eq!(keys.lookup(&[Context::Ticket], o), Some(Command::GoTo));
    }

    #[test]
    fn help_lists_no_key_twice_and_hides_what_is_not_offered() {
        let map = KeyMap::default();
        for screen in Context::ALL {
            let chain = [screen, Context::List, Context::Global];
            let entries = map.entries(&chain, |_| true);
            let mut seen = Vec::new();
            for e in &entries {
                for k in &e.keys {
                    assert!(!seen.contains(k), "{k} twice in {}", screen.name());
                    seen.push(*k);
                }
            }
            // Every key listed does what the help says.
            for e in &entries {
                for k in &e.keys {
                    assert_eq!(
                        map.lookup(&chain, *k),
                        Some(e.command),
                        "{k} in {}",
                        screen.name()
                    );
                }
            }
        }
        // The settings screen's `g` (grace) hides the list's `g` (top), which keeps `home`.
        let settings = [Context::Settings, Context::List, Context::Global];
        let entries = map.entries(&settings, |_| true);
        let top = entries.iter().find(|e| e.command == Command::Top).unwrap();
        assert_eq!(top.keys, vec![Key::parse("home").unwrap()]);
        // A command not offered is not listed, and its key is not given to another.
        let entries = map.entries(&settings, |c| c != Command::Grace);
        assert!(entries.iter().all(|e| e.command != Command::Grace));
        let top = entries.iter().find(|e| e.command == Command::Top).unwrap();
        assert_eq!(top.keys, vec![Key::parse("home").unwrap()]);
    }

    #[test]
    fn keys_parse_and_print() {
        for (spec, shown) in [
            ("q", "q"),
            ("G", "G"),
            ("ctrl-d", "C-d"),
            ("shift-tab", "S-Tab"),
            ("pgdown", "PgDn"),
            ("space", "Space"),
            ("f5", "F5"),
            ("enter", "Enter"),
        ] {
            assert_eq!(Key::parse(spec).unwrap().to_string(), shown);
        }
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("").is_err());
    }

    #[test]
    fn a_screen_key_wins_over_list_and_global() {
        let map = KeyMap::default();
        let g = Key::parse("g").unwrap();
        assert_eq!(
            map.lookup(&[Context::Settings, Context::List, Context::Global], g),
            Some(Command::Grace)
        );
        assert_eq!(
            map.lookup(&[Context::Dashboard, Context::List, Context::Global], g),
            Some(Command::Top)
        );
    }

    #[test]
    fn crossterm_shift_letters_match_their_capital() {
        let ev = KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Key::parse("S").unwrap());
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Key::parse("shift-tab").unwrap());
    }
}
