//! The UI's state and the one function that changes it: an input event becomes an
//! `Action` (`action_for`), and `update` applies it, calling the app for queries and
//! mutations. `view` (view.rs) only reads the state.

use super::form::{Form, FormEvent, FormKind};
use super::i18n::{Lang, Msg};
use super::keymap::{Command, Context, Key, KeyMap};
use super::log::Level;
use super::pick::PickDialog;
use super::screens::approvals::{self, ApprovalsScreen};
use super::screens::audit::AuditScreen;
use super::screens::dashboard::{Column, Dashboard, Filter};
use super::screens::outbound::OrdersScreen;
use super::screens::payments::PaymentsScreen;
use super::screens::rules::{RulesEditor, RulesScreen};
use super::screens::settings::{Pane as SettingsPane, SettingsScreen};
use super::screens::stock::StockScreen;
use super::screens::ticket::{self, TicketScreen};
use super::screens::tows::{TowBoard, View as TowView};
use super::theme::Theme;
use crate::app::{App, AppError, ApplicationFilter, Ctx, ListView, Mutation, Outcome, rules_file};
use crate::domain::approval::DocumentType;
use crate::domain::{Bucket, Role};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::text::Line;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Dashboard,
    Payments,
    Settings,
    Approvals,
    Tows,
    Rules,
    /// The stock browser (库存), shown when the book uses the machine system.
    Stock,
    /// Outbound orders (交机出库), shown with the stock browser.
    Orders,
    /// Management reports (报表), for finance, approvers and admins.
    Reports,
    /// The fund budget (资金预算), tab 0, for finance, admins and a branch's approvers.
    Budget,
}

impl Screen {
    pub const ALL: [Screen; 6] = [
        Screen::Dashboard,
        Screen::Payments,
        Screen::Settings,
        Screen::Approvals,
        Screen::Tows,
        Screen::Rules,
    ];
    /// The machine system's screens, after `ALL`.
    pub const MACHINE: [Screen; 2] = [Screen::Stock, Screen::Orders];

    pub fn title(self) -> Msg {
        match self {
            Screen::Dashboard => Msg::ScreenDashboard,
            Screen::Payments => Msg::ScreenPayments,
            Screen::Settings => Msg::ScreenSettings,
            Screen::Approvals => Msg::ScreenApprovals,
            Screen::Tows => Msg::ScreenTows,
            Screen::Rules => Msg::ScreenRules,
            Screen::Stock => Msg::ScreenStock,
            Screen::Orders => Msg::ScreenOutbound,
            Screen::Reports => Msg::ScreenReports,
            Screen::Budget => Msg::ScreenBudget,
        }
    }
}

/// Something irreversible waiting for a yes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    Settle {
        contract: String,
    },
    ConfirmPayments {
        ids: Vec<String>,
    },
    /// A form's change that cannot be undone (an approval, a tow's outcome): the form
    /// that asks for it.
    Form {
        form: Box<Form>,
    },
    /// Leave the rules editor, dropping what was typed.
    DiscardRules,
    /// Send an approved lock or unlock order (through `lock_command`) and record it.
    ExecuteLock {
        id: String,
    },
    /// Withdraw one's own application.
    Withdraw {
        id: String,
        contract: String,
    },
    /// A machine-system mutation (ship, cancel an order) asked for from a form.
    Outbound(Box<crate::app::Mutation>),
    /// An admin's change asked about first (disable a user, the allocation order).
    Admin(Box<crate::app::Mutation>),
    Quit,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub prompt: String,
    pub pending: Pending,
    /// The popup to return to on "no" (the form a quit question interrupted).
    pub back: Option<Box<Popup>>,
}

/// A filter popup: one choice per row (the dashboard's branch, collector and bucket; the
/// stock's yard and state); 0 is "all".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterPopup {
    pub row: usize,
    pub choice: [usize; 3],
}

/// What a key did in a filter popup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterKey {
    Close,
    Apply,
    Changed,
    Unchanged,
}

impl FilterPopup {
    /// Moves between the rows (`counts.len()` of them, row `i` with `counts[i]` choices)
    /// and steps the focused row's choice.
    pub fn handle(&mut self, key: &KeyEvent, counts: &[usize]) -> FilterKey {
        let rows = counts.len();
        match key.code {
            KeyCode::Esc => return FilterKey::Close,
            KeyCode::Enter => return FilterKey::Apply,
            KeyCode::Down | KeyCode::Tab | KeyCode::Char('j') => self.row = (self.row + 1) % rows,
            KeyCode::Up | KeyCode::BackTab | KeyCode::Char('k') => {
                self.row = (self.row + rows - 1) % rows
            }
            KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => {
                self.choice[self.row] = (self.choice[self.row] + 1) % counts[self.row]
            }
            KeyCode::Left | KeyCode::Char('h') => {
                self.choice[self.row] =
                    (self.choice[self.row] + counts[self.row] - 1) % counts[self.row]
            }
            _ => return FilterKey::Unchanged,
        }
        FilterKey::Changed
    }
}

/// What sits over the screen and takes the keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Popup {
    Help,
    Filter(FilterPopup),
    Sort {
        cursor: usize,
    },
    Form(Box<Form>),
    Confirm(Confirm),
    /// The pick-serial or sales-swap dialog.
    Pick(Box<PickDialog>),
    /// The stock browser's filter: rows yard and state (the third choice is unused).
    StockFilter(FilterPopup),
    /// An error or refusal too long for the status line, wrapped whole; any key closes it.
    Message(String),
    /// A contact or an application of the open ticket shown whole, with what may be done to
    /// it from there; any other key closes it.
    Detail(Box<Detail>),
    /// Go to any contract in scope by number, name, pinyin, phone or serial.
    GoTo(Box<super::goto::GoTo>),
    /// The contracts waiting for their machine, one to start a new outbound order from.
    ContractPick(Box<super::contract_pick::ContractPick>),
}

/// A record shown whole: its title and lines (wrapped to the popup), and the follow-ups its
/// keys offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    pub title: String,
    pub lines: Vec<Line<'static>>,
    /// The application a `R` resubmits (with the form it opens) and a `W` withdraws.
    pub resubmit: Option<Box<Form>>,
    pub withdraw: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Info(String),
    Error(String),
}

/// What an input event asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// A command from the key map.
    Command(Command),
    /// A raw key for whoever takes text: the search line, a form, a popup.
    Input(KeyEvent),
    /// The terminal changed size: redraw.
    Resize,
}

pub struct State {
    /// The business date every figure is shown as of.
    pub today: chrono::NaiveDate,
    pub lang: Lang,
    pub theme: Theme,
    pub keymap: KeyMap,
    pub screen: Screen,
    pub dashboard: Dashboard,
    pub ticket: Option<TicketScreen>,
    pub payments: PaymentsScreen,
    pub settings: SettingsScreen,
    pub approvals: ApprovalsScreen,
    pub tows: TowBoard,
    pub rules: RulesScreen,
    /// The audit trail of the open ticket's contract, shown over the ticket.
    pub audit: Option<AuditScreen>,
    /// The viewer's unread notifications, for the status bar.
    pub unread: usize,
    /// A branch site's sync state (entries pending, last sync, conflicts), for the status
    /// bar; `None` at head office.
    pub sync: Option<crate::sync::branch::Line>,
    pub stock: StockScreen,
    pub orders: OrdersScreen,
    /// Whether the stock and outbound screens are offered (the book uses them).
    pub machine_system: bool,
    pub reports: super::screens::reports::ReportsScreen,
    pub budget: super::screens::budget::BudgetScreen,
    /// Whether the budget screen is offered (see `ui::budget::allowed`).
    pub budget_allowed: bool,
    /// Whether the reports screen is offered (finance, approvers, admins).
    pub reports_allowed: bool,
    /// Where the reports screen's export key writes (the config's `export_dir`; default:
    /// the working directory).
    pub export_dir: Option<std::path::PathBuf>,
    /// The configured `lock_command` the lock board runs (none: orders are only recorded).
    pub lock_command: Option<String>,
    pub popup: Option<Popup>,
    pub status: Option<Status>,
    /// Work under way a part at a time (an accrual), its progress over the screen.
    pub job: Option<super::job::Job>,
    pub quit: bool,
    /// Lines for the log file (errors and refusals), taken by the session after each
    /// update: `update` itself writes nowhere.
    pub log: Vec<(Level, String)>,
    /// The width of the last frame drawn, in cells: an error wider than the status line
    /// opens `Popup::Message`.
    pub drawn_width: std::cell::Cell<u16>,
    /// Commands whose change the user's roles may not make (`Command::permission`, asked of
    /// the app): their keys are not offered.
    pub denied: Vec<Command>,
}

/// An error of the app in the session's language, without its batch position.
pub(super) fn app_error(lang: Lang, e: &AppError) -> String {
    match e.root() {
        AppError::Refused(refusal) => lang.refusal(refusal),
        other => other.to_string(),
    }
}

/// Puts an error in the status line; one too long for it is shown whole in a popup.
pub(super) fn error_status(state: &mut State, text: String) {
    let room = super::view::status_room(state, state.drawn_width.get() as usize);
    if state.popup.is_none() && super::text::width(&text) > room {
        state.popup = Some(Popup::Message(text.clone()));
    }
    state.status = Some(Status::Error(text));
}

/// Shows an error in the status line and notes it for the log.
pub(super) fn show_error(state: &mut State, what: &str, e: &AppError) {
    let text = app_error(state.lang, e);
    state.log.push((Level::Error, format!("{what}: {e}")));
    error_status(state, text);
}

/// Shows the app's refusal of `what` in the session's language and notes it for the log in
/// English.
pub(super) fn show_app_refusal(state: &mut State, what: &str, e: &AppError) {
    state
        .log
        .push((Level::Refused, format!("{what}: {}", e.root())));
    let text = state.lang.f(Msg::Refused, &[&app_error(state.lang, e)]);
    error_status(state, text);
}

/// Shows a refusal of `what` (in the session's language) and notes it for the log.
pub(super) fn show_refusal(state: &mut State, what: &str, why: String) {
    state.log.push((Level::Refused, format!("{what}: {why}")));
    let text = state.lang.f(Msg::Refused, &[&why]);
    error_status(state, text);
}

impl State {
    /// Loads the home screen's rows.
    pub fn new(
        app: &App,
        ctx: &Ctx,
        lang: Lang,
        theme: Theme,
        keymap: KeyMap,
    ) -> Result<State, AppError> {
        let list = app.overdue_shared(ctx, ctx.today)?;
        let unread = app.unread_count(ctx)?;
        let may_edit = app.user(&ctx.actor)?.has(Role::Admin);
        Ok(State {
            today: ctx.today,
            lang,
            theme,
            keymap,
            screen: Screen::Dashboard,
            dashboard: Dashboard::new(&list),
            ticket: None,
            payments: PaymentsScreen::default(),
            settings: SettingsScreen {
                admin: may_edit,
                ..SettingsScreen::default()
            },
            approvals: ApprovalsScreen::default(),
            tows: TowBoard::default(),
            rules: RulesScreen {
                may_edit,
                ..RulesScreen::default()
            },
            audit: None,
            unread,
            sync: crate::sync::branch::line(app),
            stock: StockScreen::default(),
            orders: OrdersScreen::default(),
            machine_system: super::outbound::in_use(app, ctx),
            reports: Default::default(),
            reports_allowed: super::reports::allowed(app, ctx),
            budget: Default::default(),
            budget_allowed: super::budget::allowed(app, ctx),
            export_dir: None,
            lock_command: None,
            popup: None,
            status: None,
            job: None,
            quit: false,
            log: Vec::new(),
            drawn_width: std::cell::Cell::new(80),
            denied: denied_commands(app, ctx)?,
        })
    }

    /// The key tables in force, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        let screen = match (self.screen, &self.ticket) {
            (Screen::Dashboard, Some(_)) if self.audit.is_some() => Context::Audit,
            (Screen::Dashboard, Some(_)) => Context::Ticket,
            (Screen::Dashboard, None) => Context::Dashboard,
            (Screen::Payments, _) => Context::Payments,
            (Screen::Settings, _) if self.settings.pane == SettingsPane::Users => Context::Users,
            (Screen::Settings, _) => Context::Settings,
            (Screen::Approvals, _) => Context::Approvals,
            (Screen::Tows, _) => Context::Tows,
            (Screen::Rules, _) => Context::Rules,
            (Screen::Stock, _) => Context::Stock,
            (Screen::Orders, _) if self.orders.order.is_some() => Context::Order,
            (Screen::Orders, _) => Context::Orders,
            (Screen::Reports, _) => Context::Reports,
            (Screen::Budget, _) => Context::Budget,
        };
        vec![screen, Context::List, Context::Global]
    }

    /// The screens the tab bar offers, in order.
    pub fn screens(&self) -> Vec<Screen> {
        let mut out = Screen::ALL.to_vec();
        if self.machine_system {
            out.extend(Screen::MACHINE);
        }
        if self.reports_allowed {
            out.push(Screen::Reports);
        }
        if self.budget_allowed {
            out.push(Screen::Budget);
        }
        out
    }

    /// Whether a command can do anything here for this user (the hint bar and help list
    /// only those).
    pub fn offers(&self, command: Command) -> bool {
        !self.denied.contains(&command)
            && (self.machine_system || !matches!(command, Command::Screen7 | Command::Screen8))
            && (self.reports_allowed || command != Command::Screen9)
            && (self.budget_allowed || command != Command::Screen0)
            && (self.settings.admin
                || !matches!(
                    command,
                    Command::AddUser
                        | Command::SetRoles
                        | Command::SetBranch
                        | Command::DisableUser
                        | Command::Language
                        | Command::Allocation
                ))
    }

    /// Whether keys go to a text field or popup instead of the key map.
    pub fn takes_raw_keys(&self) -> bool {
        self.popup.is_some()
            || (self.screen == Screen::Dashboard
                && self.ticket.is_none()
                && self.dashboard.searching)
            || (self.screen == Screen::Payments && self.payments.searching)
            || self.editing_rules()
    }

    /// Whether the rules editor is open on screen (it takes the keys).
    pub fn editing_rules(&self) -> bool {
        self.screen == Screen::Rules && self.rules.editor.is_some()
    }

    fn form_is_dirty(&self) -> bool {
        matches!(&self.popup, Some(Popup::Form(f)) if f.is_dirty())
            || self.rules.editor.as_ref().is_some_and(|e| e.is_dirty())
    }
}

/// The commands whose change the user may not make (the app says who may).
fn denied_commands(app: &App, ctx: &Ctx) -> Result<Vec<Command>, AppError> {
    let mut denied = Vec::new();
    for command in Command::ALL {
        if let Some(permission) = command.permission()
            && !app.may(ctx, permission)?
        {
            denied.push(*command);
        }
    }
    Ok(denied)
}

/// Maps an input event to an action; `None` for events that mean nothing here (they cause
/// no redraw).
pub fn action_for(state: &State, event: &Event) -> Option<Action> {
    match event {
        Event::Resize(..) => Some(Action::Resize),
        // Keys wait while a job is under way (its box says so).
        Event::Key(_) if state.job.is_some() => None,
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            if state.takes_raw_keys() {
                Some(Action::Input(*key))
            } else {
                state
                    .keymap
                    .lookup(&state.contexts(), Key::from_event(key))
                    .map(Action::Command)
            }
        }
        _ => None,
    }
}

/// Applies an action. Returns whether anything visible changed (then the caller redraws).
pub fn update(state: &mut State, app: &App, ctx: &Ctx, action: Action) -> bool {
    let contract = shown_contract(state);
    let status = state.status.clone();
    let dirty = match action {
        Action::Resize => true,
        Action::Input(key) => input(state, app, ctx, key),
        Action::Command(command) => command_(state, app, ctx, command),
    };
    // Another contract on screen: a message about the one before no longer applies (one
    // the action itself gave stays).
    let now = shown_contract(state);
    if now.is_some() && now != contract && state.status == status && status.is_some() {
        state.status = None;
        return true;
    }
    dirty
}

/// The contract whose ticket is on screen, if any.
fn shown_contract(state: &State) -> Option<String> {
    match (state.screen, &state.ticket) {
        (Screen::Dashboard, Some(t)) => Some(t.view.contract_no.clone()),
        _ => None,
    }
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c')
}

fn request_quit(state: &mut State) -> bool {
    if state.form_is_dirty() {
        let back = state.popup.take().map(Box::new);
        state.popup = Some(Popup::Confirm(Confirm {
            prompt: state.lang.t(Msg::ConfirmQuit).to_string(),
            pending: Pending::Quit,
            back,
        }));
    } else {
        state.quit = true;
    }
    true
}

fn input(state: &mut State, app: &App, ctx: &Ctx, key: KeyEvent) -> bool {
    if is_ctrl_c(&key) && !matches!(state.popup, Some(Popup::Confirm(_))) {
        return request_quit(state);
    }
    let Some(popup) = state.popup.take() else {
        if state.editing_rules() {
            return rules_input(state, app, ctx, key);
        }
        if state.screen == Screen::Payments {
            return payments_search_input(state, key);
        }
        return search_input(state, key);
    };
    match popup {
        Popup::Help | Popup::Message(_) => true, // any key closes help or a message
        Popup::GoTo(mut dialog) => {
            use super::goto::GoToKey;
            match dialog.handle(&key) {
                GoToKey::Close => true,
                GoToKey::Open => {
                    let no = dialog.selected().map(|h| h.contract_no.clone());
                    if let Some(no) = no {
                        open_ticket(state, app, ctx, &no);
                    }
                    true
                }
                GoToKey::Search => {
                    match app.find_contracts(ctx, dialog.query.text()) {
                        Ok(hits) => dialog.set_hits(hits),
                        Err(e) => show_error(state, "find contracts", &e),
                    }
                    state.popup = Some(Popup::GoTo(dialog));
                    true
                }
                moved => {
                    state.popup = Some(Popup::GoTo(dialog));
                    moved == GoToKey::Moved
                }
            }
        }
        Popup::Detail(detail) => {
            let Detail {
                resubmit, withdraw, ..
            } = *detail;
            match (key.code, resubmit, withdraw) {
                (KeyCode::Char('R'), Some(form), _) => state.popup = Some(Popup::Form(form)),
                (KeyCode::Char('W'), _, Some(id)) => {
                    let contract = state
                        .ticket
                        .as_ref()
                        .map(|t| t.view.contract_no.clone())
                        .unwrap_or_default();
                    state.popup = Some(Popup::Confirm(Confirm {
                        prompt: state.lang.f(Msg::ConfirmWithdraw, &[&id]),
                        pending: Pending::Withdraw { id, contract },
                        back: None,
                    }));
                }
                _ => {}
            }
            true
        }
        Popup::Confirm(confirm) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                run_pending(state, app, ctx, confirm.pending);
                true
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                state.popup = confirm.back.map(|b| *b);
                true
            }
            _ if is_ctrl_c(&key) => {
                state.popup = confirm.back.map(|b| *b);
                true
            }
            _ => {
                state.popup = Some(Popup::Confirm(confirm));
                false
            }
        },
        Popup::Sort { mut cursor } => {
            let n = Column::ALL.len();
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => return true,
                KeyCode::Enter => {
                    state.dashboard.sort_by(Column::ALL[cursor]);
                    return true;
                }
                KeyCode::Down | KeyCode::Char('j') => cursor = (cursor + 1) % n,
                KeyCode::Up | KeyCode::Char('k') => cursor = (cursor + n - 1) % n,
                _ => {
                    state.popup = Some(Popup::Sort { cursor });
                    return false;
                }
            }
            state.popup = Some(Popup::Sort { cursor });
            true
        }
        Popup::Filter(mut f) => {
            let counts = [
                state.dashboard.branches().len() + 1,
                state.dashboard.collectors().len() + 1,
                Bucket::ALL.len(), // "all" plus the five overdue buckets
            ];
            match f.handle(&key, &counts) {
                FilterKey::Close => true,
                FilterKey::Apply => {
                    let d = &state.dashboard;
                    let filter = Filter {
                        branch: f.choice[0].checked_sub(1).map(|i| d.branches()[i].clone()),
                        collector: f.choice[1]
                            .checked_sub(1)
                            .map(|i| d.collectors()[i].clone()),
                        bucket: f.choice[2].checked_sub(1).map(|i| Bucket::ALL[i + 1]),
                    };
                    state.dashboard.set_filter(filter);
                    true
                }
                moved => {
                    state.popup = Some(Popup::Filter(f));
                    moved == FilterKey::Changed
                }
            }
        }
        Popup::Pick(dialog) => super::outbound::pick_input(state, app, ctx, dialog, key),
        Popup::ContractPick(dialog) => {
            super::outbound::contract_pick_input(state, app, ctx, dialog, key)
        }
        Popup::StockFilter(f) => super::outbound::stock_filter_input(state, f, key),
        Popup::Form(mut form) => match form.handle(&key) {
            FormEvent::Cancel => true,
            FormEvent::Changed => {
                state.popup = Some(Popup::Form(form));
                true
            }
            FormEvent::Unchanged => {
                state.popup = Some(Popup::Form(form));
                false
            }
            FormEvent::Submit => {
                submit(state, app, ctx, form);
                true
            }
        },
    }
}

/// Keys while typing a search on the dashboard.
fn search_input(state: &mut State, key: KeyEvent) -> bool {
    let d = &mut state.dashboard;
    match key.code {
        KeyCode::Esc => {
            d.searching = false;
            d.query.clear();
            d.search_changed();
            true
        }
        KeyCode::Enter => {
            d.searching = false;
            true
        }
        KeyCode::Down => d.nav.apply(Command::Down, d.visible.len()).unwrap_or(false),
        KeyCode::Up => d.nav.apply(Command::Up, d.visible.len()).unwrap_or(false),
        _ => match d.query.handle(&key) {
            Some(true) => {
                d.search_changed();
                true
            }
            _ => false,
        },
    }
}

/// Keys while editing the rules: C-s saves, Esc leaves (asking first if anything changed),
/// everything else edits the text, which is checked again after each change.
fn rules_input(state: &mut State, app: &App, ctx: &Ctx, key: KeyEvent) -> bool {
    let Some(editor) = state.rules.editor.as_mut() else {
        return false;
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            if editor.is_dirty() {
                state.popup = Some(Popup::Confirm(Confirm {
                    prompt: state.lang.t(Msg::ConfirmDiscardRules).to_string(),
                    pending: Pending::DiscardRules,
                    back: None,
                }));
            } else {
                state.rules.editor = None;
            }
            true
        }
        KeyCode::Char('s') if ctrl => {
            save_rules(state, app, ctx);
            true
        }
        _ => {
            if editor.area.input(key) {
                editor.check();
            }
            // A key that changed no text may still have moved the cursor.
            true
        }
    }
}

fn save_rules(state: &mut State, app: &App, ctx: &Ctx) {
    let Some(editor) = state.rules.editor.as_ref() else {
        return;
    };
    let rules = match &editor.parsed {
        Ok(rules) => rules.clone(),
        Err(problems) => {
            let text = state
                .lang
                .f(Msg::RulesProblems, &[&problems.len().to_string()]);
            error_status(state, text);
            return;
        }
    };
    match execute(app, ctx, state.lang, &[Mutation::SetRules { rules }]) {
        Ok(message) => {
            state.status = Some(Status::Info(message));
            state.rules.editor = None;
            reload_rules(state, app, ctx);
        }
        Err(e) => show_app_refusal(state, "save approval rules", &e),
    }
}

fn list_len(state: &State) -> usize {
    match state.screen {
        Screen::Dashboard => match (&state.ticket, &state.audit) {
            (Some(_), Some(a)) => a.entries.len(),
            (Some(t), None) => t.pane_len(),
            (None, _) => state.dashboard.visible.len(),
        },
        Screen::Payments => state.payments.shown.len(),
        Screen::Settings => state.settings.len(),
        Screen::Approvals => state.approvals.len(),
        Screen::Tows => match state.tows.view {
            TowView::Tows => state.tows.rows.len(),
            TowView::Locks => state.tows.locks.len(),
        },
        Screen::Rules => state.rules.view.as_ref().map_or(0, |v| v.rules.len()),
        Screen::Stock => state.stock.len(),
        Screen::Orders => state.orders.len(),
        Screen::Reports => state.reports.len(),
        Screen::Budget => state.budget.len(),
    }
}

fn switch_to(state: &mut State, app: &App, ctx: &Ctx, screen: Screen) -> bool {
    if state.screen == screen {
        return false;
    }
    state.screen = screen;
    match screen {
        Screen::Payments if !state.payments.loaded => reload_payments(state, app, ctx),
        Screen::Settings if state.settings.view.is_none() => reload_settings(state, app, ctx),
        Screen::Approvals if !state.approvals.loaded => reload_approvals(state, app, ctx),
        Screen::Tows if !state.tows.loaded => reload_tows(state, app, ctx),
        Screen::Rules if state.rules.view.is_none() => reload_rules(state, app, ctx),
        Screen::Stock if !state.stock.loaded => super::outbound::reload_stock(state, app, ctx),
        Screen::Orders if !state.orders.loaded => super::outbound::reload_orders(state, app, ctx),
        Screen::Reports if !state.reports.loaded => super::reports::reload(state, app, ctx),
        Screen::Budget if !state.budget.loaded => super::budget::reload(state, app, ctx),
        _ => {}
    }
    true
}

/// The steps awaiting the viewer, their notifications, and the selected step in full.
fn reload_approvals(state: &mut State, app: &App, ctx: &Ctx) {
    let filter = ApplicationFilter {
        awaiting_me: true,
        ..Default::default()
    };
    let decided = |rows| {
        let decided = app.decided_by_me(ctx, approvals::DECIDED_SHOWN)?;
        Ok((rows, decided, app.inbox(ctx)?))
    };
    match app.applications(ctx, &filter).and_then(decided) {
        Ok((rows, decided, notes)) => {
            state.unread = notes.iter().filter(|n| !n.read).count();
            state.approvals.load(rows, decided, notes);
            load_approval_detail(state, app, ctx);
        }
        Err(e) => error_status(state, app_error(state.lang, &e)),
    }
}

fn load_approval_detail(state: &mut State, app: &App, ctx: &Ctx) {
    let id = state.approvals.selected().map(|r| r.id.clone());
    if state.approvals.detail.as_ref().map(|d| &d.row.id) == id.as_ref() {
        return;
    }
    state.approvals.detail = match id {
        Some(id) => match app.application(ctx, &id) {
            Ok(v) => Some(v),
            Err(e) => {
                error_status(state, app_error(state.lang, &e));
                None
            }
        },
        None => None,
    };
}

fn reload_tows(state: &mut State, app: &App, ctx: &Ctx) {
    let whole = |rows: Vec<crate::app::ApplicationRow>| {
        rows.iter()
            .map(|r| app.application(ctx, &r.id))
            .collect::<Result<Vec<_>, _>>()
    };
    let views = app
        .tow_board(ctx)
        .and_then(whole)
        .and_then(|tows| Ok((tows, app.lock_board(ctx).and_then(whole)?)));
    match views {
        Ok((tows, locks)) => {
            state.tows.load(tows);
            state.tows.load_locks(locks);
        }
        Err(e) => error_status(state, app_error(state.lang, &e)),
    }
}

fn reload_rules(state: &mut State, app: &App, ctx: &Ctx) {
    let text = crate::app::rules_in_force_of(app).map(|set| rules_file::render(&set.rules));
    match app.rules(ctx).and_then(|v| Ok((v, text?))) {
        Ok((view, text)) => {
            state.rules.view = Some(view);
            state.rules.text = text;
            let n = list_len(state);
            state.rules.nav.clamp(n);
        }
        Err(e) => error_status(state, app_error(state.lang, &e)),
    }
}

fn reload_unread(state: &mut State, app: &App, ctx: &Ctx) {
    if let Ok(n) = app.unread_count(ctx) {
        state.unread = n;
    }
    state.sync = crate::sync::branch::line(app);
}

fn reload_payments(state: &mut State, app: &App, ctx: &Ctx) {
    match app.pending_payments(ctx) {
        Ok(rows) => state.payments.load(rows),
        Err(e) => show_error(state, "load payments to confirm", &e),
    }
}

fn reload_settings(state: &mut State, app: &App, ctx: &Ctx) {
    match app.settings(ctx) {
        Ok(v) => state.settings.view = Some(v),
        Err(e) => show_error(state, "load settings", &e),
    }
}

/// A session left open past midnight: everything shown is read again as of `ctx.today`.
pub(super) fn new_day(state: &mut State, app: &App, ctx: &Ctx) {
    state.today = ctx.today;
    update(state, app, ctx, Action::Command(Command::Reload));
    // On the dashboard the reload read the list and the open ticket.
    if state.screen != Screen::Dashboard {
        reload_dashboard(state, app, ctx);
        if let Some(no) = state.ticket.as_ref().map(|t| t.view.contract_no.clone()) {
            reload_ticket(state, app, ctx, &no);
        }
    }
}

fn reload_dashboard(state: &mut State, app: &App, ctx: &Ctx) {
    show_view(state, app, ctx, state.dashboard.view);
}

/// Shows a view of the dashboard (read again as the book is now).
fn show_view(state: &mut State, app: &App, ctx: &Ctx, view: ListView) {
    match app.dashboard_list(ctx, ctx.today, view) {
        Ok(list) => state.dashboard.load(&list, view),
        Err(e) => show_error(state, "load the dashboard", &e),
    }
}

fn reload_ticket(state: &mut State, app: &App, ctx: &Ctx, contract: &str) {
    match app.ticket(ctx, contract, ctx.today) {
        Ok(view) => {
            if let Some(t) = state
                .ticket
                .as_mut()
                .filter(|t| t.view.contract_no == contract)
            {
                t.replace(view);
            }
        }
        Err(e) => show_error(state, &format!("load ticket {contract}"), &e),
    }
}

fn command_(state: &mut State, app: &App, ctx: &Ctx, command: Command) -> bool {
    let len = list_len(state);
    let nav = match (state.screen, state.ticket.as_mut()) {
        (Screen::Dashboard, Some(_)) if state.audit.is_some() => {
            state.audit.as_mut().map(|a| &mut a.nav)
        }
        (Screen::Dashboard, Some(t)) => Some(&mut t.nav),
        (Screen::Dashboard, None) => Some(&mut state.dashboard.nav),
        (Screen::Payments, _) => Some(&mut state.payments.nav),
        (Screen::Settings, _) if state.settings.pane == SettingsPane::Users => {
            Some(&mut state.settings.nav)
        }
        (Screen::Settings, _) => None,
        (Screen::Approvals, _) => Some(state.approvals.nav_mut()),
        (Screen::Tows, _) => Some(state.tows.list().1),
        (Screen::Rules, _) => Some(&mut state.rules.nav),
        (Screen::Stock, _) => Some(state.stock.nav_mut()),
        (Screen::Orders, _) => Some(state.orders.nav_mut()),
        (Screen::Reports, _) => Some(&mut state.reports.nav),
        (Screen::Budget, _) => Some(&mut state.budget.nav),
    };
    if let Some(moved) = nav.and_then(|n| n.apply(command, len)) {
        if moved && state.screen == Screen::Approvals {
            load_approval_detail(state, app, ctx);
        }
        if moved {
            super::admin::moved(state, app, ctx);
        }
        return moved;
    }
    if let Some(done) = super::outbound::command(state, app, ctx, command) {
        return done;
    }
    if let Some(done) = super::admin::command(state, app, ctx, command) {
        return done;
    }
    if let Some(done) = super::reports::command(state, app, ctx, command) {
        return done;
    }
    if let Some(done) = super::budget::command(state, app, ctx, command) {
        return done;
    }
    match command {
        Command::Quit => request_quit(state),
        Command::Help => {
            state.popup = Some(Popup::Help);
            true
        }
        Command::NextScreen | Command::PrevScreen => {
            let screens = state.screens();
            let i = screens.iter().position(|s| *s == state.screen).unwrap_or(0);
            let n = screens.len();
            let next = if command == Command::NextScreen {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            switch_to(state, app, ctx, screens[next])
        }
        Command::Screen1 => switch_to(state, app, ctx, Screen::Dashboard),
        Command::Screen2 => switch_to(state, app, ctx, Screen::Payments),
        Command::Screen3 => switch_to(state, app, ctx, Screen::Settings),
        Command::Screen4 => switch_to(state, app, ctx, Screen::Approvals),
        Command::Screen5 => switch_to(state, app, ctx, Screen::Tows),
        Command::Screen6 => switch_to(state, app, ctx, Screen::Rules),
        Command::Screen7 if state.machine_system => switch_to(state, app, ctx, Screen::Stock),
        Command::Screen8 if state.machine_system => switch_to(state, app, ctx, Screen::Orders),
        Command::Screen9 if state.reports_allowed => switch_to(state, app, ctx, Screen::Reports),
        Command::GoTo => {
            state.popup = Some(Popup::GoTo(Box::default()));
            true
        }
        Command::Open if state.screen == Screen::Dashboard && state.ticket.is_some() => {
            open_in_ticket(state, app, ctx)
        }
        Command::Screen0 if state.budget_allowed => switch_to(state, app, ctx, Screen::Budget),
        Command::Open => {
            let Some(no) = state.dashboard.selected().map(|r| r.contract_no.clone()) else {
                return false;
            };
            open_ticket(state, app, ctx, &no);
            true
        }
        Command::Back => {
            if state.audit.take().is_some() {
                return true;
            }
            state.ticket.take().is_some()
        }
        Command::Search if state.screen == Screen::Payments => {
            state.payments.searching = true;
            true
        }
        Command::Search => {
            state.dashboard.searching = true;
            true
        }
        Command::Filter => {
            let d = &state.dashboard;
            let pos = |list: &[String], v: &Option<String>| {
                v.as_ref()
                    .and_then(|v| list.iter().position(|x| x == v))
                    .map_or(0, |i| i + 1)
            };
            state.popup = Some(Popup::Filter(FilterPopup {
                row: 0,
                choice: [
                    pos(d.branches(), &d.filter.branch),
                    pos(d.collectors(), &d.filter.collector),
                    d.filter
                        .bucket
                        .and_then(|b| Bucket::ALL.iter().position(|x| *x == b))
                        .unwrap_or(0),
                ],
            }));
            true
        }
        Command::Sort => {
            let cursor = Column::ALL
                .iter()
                .position(|c| *c == state.dashboard.sort)
                .unwrap_or(0);
            state.popup = Some(Popup::Sort { cursor });
            true
        }
        Command::View => {
            let next = state.dashboard.view.next();
            show_view(state, app, ctx, next);
            true
        }
        Command::Clear => {
            let d = &mut state.dashboard;
            if d.filter.is_empty() && d.query.is_empty() {
                return false;
            }
            d.query.clear();
            d.set_filter(Filter::default());
            true
        }
        Command::Reload => {
            match state.screen {
                Screen::Dashboard => {
                    reload_dashboard(state, app, ctx);
                    // An open ticket shows its contract as it is now (another session may
                    // have changed it).
                    if let Some(no) = state.ticket.as_ref().map(|t| t.view.contract_no.clone()) {
                        reload_ticket(state, app, ctx, &no);
                    }
                }
                Screen::Payments => reload_payments(state, app, ctx),
                Screen::Settings => reload_settings(state, app, ctx),
                Screen::Approvals => reload_approvals(state, app, ctx),
                Screen::Tows => reload_tows(state, app, ctx),
                Screen::Rules => reload_rules(state, app, ctx),
                Screen::Budget => super::budget::reload(state, app, ctx),
                Screen::Stock | Screen::Orders | Screen::Reports => {}
            }
            reload_unread(state, app, ctx);
            // Roles changed elsewhere change the keys offered.
            if let Ok(denied) = denied_commands(app, ctx) {
                state.denied = denied;
            }
            // The first machine, accessory or order, added elsewhere, brings tabs 7 and 8.
            if !state.machine_system {
                state.machine_system = super::outbound::in_use(app, ctx);
            }
            true
        }
        Command::NextPane | Command::PrevPane if state.screen == Screen::Tows => {
            state.tows.toggle_view();
            true
        }
        Command::ExecuteLock => {
            let Some(v) = state
                .tows
                .selected()
                .filter(|_| state.tows.view == TowView::Locks)
            else {
                return false;
            };
            let (id, next) = (v.row.id.clone(), v.row.next.clone());
            if let Some(why) = next.execute {
                error_status(state, state.lang.refusal(&why));
                return true;
            }
            let lang = state.lang;
            let prompt = match &state.lock_command {
                Some(_) => lang.f(
                    Msg::ConfirmExecuteSend,
                    &[
                        lang.document(v.row.document),
                        &id,
                        &v.row.contract_no,
                        &v.row.customer,
                    ],
                ),
                None => lang.f(
                    Msg::ConfirmExecuteRecord,
                    &[
                        lang.document(v.row.document),
                        &id,
                        &v.row.contract_no,
                        &v.row.customer,
                    ],
                ),
            };
            state.popup = Some(Popup::Confirm(Confirm {
                prompt,
                pending: Pending::ExecuteLock { id },
                back: None,
            }));
            true
        }
        Command::NextPane | Command::PrevPane if state.screen == Screen::Approvals => {
            state.approvals.switch_pane(command == Command::NextPane);
            load_approval_detail(state, app, ctx);
            true
        }
        Command::NextPane | Command::PrevPane => match state.ticket.as_mut() {
            Some(t) => {
                t.switch_pane(command == Command::NextPane);
                true
            }
            None => false,
        },
        Command::Approve | Command::Reject => {
            if state.approvals.pane != approvals::Pane::Pending {
                return false;
            }
            let Some(id) = state.approvals.selected().map(|r| r.id.clone()) else {
                return false;
            };
            let form = if command == Command::Approve {
                Form::approve(&id)
            } else {
                Form::reject(&id)
            };
            state.popup = Some(Popup::Form(Box::new(form)));
            true
        }
        Command::MarkRead | Command::MarkAllRead => {
            let a = &state.approvals;
            let ids: Vec<String> = if command == Command::MarkAllRead {
                a.notes
                    .iter()
                    .filter(|n| !n.read)
                    .map(|n| n.id.clone())
                    .collect()
            } else {
                a.selected_note()
                    .filter(|n| !n.read)
                    .map(|n| n.id.clone())
                    .into_iter()
                    .collect()
            };
            if a.pane != approvals::Pane::Notifications || ids.is_empty() {
                return false;
            }
            if let Err(e) = execute(app, ctx, state.lang, &[Mutation::MarkRead { ids }]) {
                show_app_refusal(state, "mark read", &e);
            }
            reload_approvals(state, app, ctx);
            true
        }
        Command::RegisterTow | Command::CompleteTow | Command::FailTow => {
            let Some(v) = state.tows.selected() else {
                return false;
            };
            // The app says what may follow; the board does not read the stage itself.
            let (id, next) = (v.row.id.clone(), v.row.next.clone());
            let form = match command {
                Command::RegisterTow if next.register.is_none() => {
                    Form::register_tow(&id, &v.row.location, ctx.today)
                }
                Command::RegisterTow => {
                    error_status(state, state.lang.t(Msg::NotOnBoard).into());
                    return true;
                }
                _ if next.outcome.is_some() => {
                    error_status(state, state.lang.t(Msg::NotScheduled).into());
                    return true;
                }
                Command::CompleteTow => {
                    Form::complete_tow(&id, v.tow.as_ref().map(|t| t.planned_on), ctx.today)
                }
                _ => Form::fail_tow(&id),
            };
            state.popup = Some(Popup::Form(Box::new(form)));
            true
        }
        Command::ApplyLock | Command::ApplyTow => {
            let Some(t) = &state.ticket else {
                return false;
            };
            let document = match command {
                Command::ApplyTow => DocumentType::Tow,
                _ => crate::domain::workflow::lock_document(t.view.machine_state),
            };
            let form = Form::apply(document, &t.view.contract_no);
            state.popup = Some(Popup::Form(Box::new(form)));
            true
        }
        Command::Audit => {
            let Some(no) = state.ticket.as_ref().map(|t| t.view.contract_no.clone()) else {
                return false;
            };
            match app.audit(ctx, &no) {
                Ok(entries) => state.audit = Some(AuditScreen::new(&no, entries)),
                Err(e) => error_status(state, app_error(state.lang, &e)),
            }
            true
        }
        Command::Edit => {
            if !state.rules.may_edit {
                error_status(state, state.lang.t(Msg::RulesNotAdmin).into());
                return true;
            }
            if state.rules.view.is_none() {
                reload_rules(state, app, ctx);
            }
            state.rules.editor = Some(RulesEditor::new(&state.rules.text, &state.theme));
            true
        }
        Command::Contact | Command::Payment | Command::Waiver | Command::Settle => {
            let Some(t) = &state.ticket else {
                return false;
            };
            let no = t.view.contract_no.clone();
            state.popup = Some(match command {
                Command::Contact => Popup::Form(Box::new(Form::contact(&no))),
                Command::Payment => Popup::Form(Box::new(Form::payment(&no, ctx.today))),
                Command::Waiver => {
                    Popup::Form(Box::new(Form::waiver(&no, t.view.penalty_outstanding)))
                }
                _ => settle_question(state.lang, &t.view),
            });
            true
        }
        Command::Toggle => state.payments.toggle(),
        Command::SelectAll => state.payments.toggle_all(),
        Command::Confirm => {
            let targets = state.payments.targets();
            if targets.is_empty() {
                return false;
            }
            let total: crate::domain::Money = targets.iter().map(|r| r.amount).sum();
            let ids: Vec<String> = targets.iter().map(|r| r.id.clone()).collect();
            state.popup = Some(Popup::Confirm(Confirm {
                prompt: state.lang.f(
                    Msg::ConfirmPayments,
                    &[&ids.len().to_string(), &total.display()],
                ),
                pending: Pending::ConfirmPayments { ids },
                back: None,
            }));
            true
        }
        Command::Void => {
            let targets = state.payments.targets();
            let ids: Vec<String> = targets.iter().map(|r| r.id.clone()).collect();
            // The dialog names what it voids.
            let what = match targets[..] {
                [] => return false,
                [one] => state.lang.f(
                    Msg::VoidOne,
                    &[
                        &one.id,
                        &one.amount.display(),
                        &one.contract_no,
                        &one.customer,
                    ],
                ),
                ref many => state.lang.f(
                    Msg::VoidMany,
                    &[
                        &many.len().to_string(),
                        &many
                            .iter()
                            .map(|r| r.amount)
                            .sum::<crate::domain::Money>()
                            .display(),
                    ],
                ),
            };
            state.popup = Some(Popup::Form(Box::new(Form::void(ids, what))));
            true
        }
        Command::Rate => {
            state.popup = Some(Popup::Form(Box::new(Form::rate(ctx.today))));
            true
        }
        Command::Accrue => {
            state.popup = Some(Popup::Form(Box::new(Form::accrue(ctx.today))));
            true
        }
        Command::Grace => {
            let current = state.settings.view.as_ref().map_or(0, |v| v.grace_days);
            state.popup = Some(Popup::Form(Box::new(Form::grace(current))));
            true
        }
        // Navigation commands on a screen without a list.
        _ => false,
    }
}

/// Runs mutations as one atomic batch; the refusal's text, if refused.
/// Runs `mutations` (several: all or nothing) and says what they did in `lang`, or why the
/// app refused them.
pub(super) fn execute(
    app: &App,
    ctx: &Ctx,
    lang: Lang,
    mutations: &[Mutation],
) -> Result<String, AppError> {
    let result = if mutations.len() == 1 {
        app.execute(ctx, mutations[0].clone()).map(|o| vec![o])
    } else {
        app.execute_batch(ctx, mutations)
    };
    match result {
        Ok(outcomes) => Ok(done_text(lang, mutations, &outcomes)),
        Err(e) => Err(e),
    }
}

/// What `mutations` did, for the status line: the catalog's words with the ids the app gave
/// (a payment's, an application's, an order's), not the app's own English note.
pub(super) fn done_text(lang: Lang, mutations: &[Mutation], outcomes: &[Outcome]) -> String {
    let confirms = mutations
        .iter()
        .all(|m| matches!(m, Mutation::ConfirmPayment { .. }));
    if confirms && mutations.len() > 1 {
        return lang.f(Msg::DoneConfirmMany, &[&mutations.len().to_string()]);
    }
    mutations
        .iter()
        .zip(outcomes)
        .map(|(m, o)| done_one(lang, m, o))
        .collect::<Vec<_>>()
        .join("; ")
}

fn done_one(lang: Lang, mutation: &Mutation, outcome: &Outcome) -> String {
    let id = outcome.id.as_deref().unwrap_or_default();
    let scope = |contract: &Option<String>| match contract {
        Some(no) => lang.f(Msg::ContractNo, &[no]),
        None => lang.t(Msg::AllContracts).to_string(),
    };
    match mutation {
        Mutation::RecordPayment {
            contract,
            amount,
            confirmed,
            ..
        } => {
            let msg = if *confirmed {
                Msg::DonePaymentConfirmed
            } else {
                Msg::DonePayment
            };
            lang.f(msg, &[id, &amount.display(), contract])
        }
        Mutation::ConfirmPayment { id } => lang.f(Msg::DoneConfirm, &[id]),
        Mutation::VoidPayment { id, .. } => lang.f(Msg::DoneVoid, &[id]),
        Mutation::AddContact {
            contract, promise, ..
        } => match promise {
            Some(p) => lang.f(
                Msg::DoneContactPromise,
                &[contract, &p.amount.display(), &p.date.to_string()],
            ),
            None => lang.f(Msg::DoneContact, &[contract]),
        },
        Mutation::Apply {
            document, contract, ..
        } => lang.f(
            Msg::DoneApplication,
            &[lang.document(document.name()), id, contract],
        ),
        Mutation::ApplyWaiver {
            contract, amount, ..
        } => lang.f(Msg::DoneWaiver, &[id, &amount.display(), contract]),
        Mutation::Approve { id, .. } => lang.f(Msg::DoneApprove, &[id]),
        Mutation::Reject { id, .. } => lang.f(Msg::DoneReject, &[id]),
        Mutation::Resubmit { id, .. } => lang.f(Msg::DoneResubmit, &[id]),
        Mutation::Withdraw { id } => lang.f(Msg::DoneWithdraw, &[id]),
        Mutation::RegisterTow { id, planned_on, .. } => {
            lang.f(Msg::DoneTowRegistered, &[id, &planned_on.to_string()])
        }
        Mutation::CompleteTow { id, yard, .. } => lang.f(Msg::DoneTowCompleted, &[id, yard]),
        Mutation::FailTow { id, .. } => lang.f(Msg::DoneTowFailed, &[id]),
        Mutation::SetRate {
            contract,
            from,
            daily,
        } => lang.f(
            Msg::DoneRate,
            &[&daily.to_string(), &from.to_string(), &scope(contract)],
        ),
        Mutation::SetGrace { contract, days } => {
            lang.f(Msg::DoneGrace, &[&days.to_string(), &scope(contract)])
        }
        Mutation::SetRules { rules } => lang.f(Msg::DoneRules, &[&rules.len().to_string()]),
        Mutation::Settle { contract } => lang.f(Msg::DoneSettle, &[contract]),
        Mutation::Accrue { through } if outcome.changed => {
            lang.f(Msg::DoneAccrue, &[&through.to_string()])
        }
        Mutation::MarkRead { .. } => lang.t(Msg::DoneRead).to_string(),
        Mutation::CreateOrder { contract, .. } => lang.f(Msg::DoneOrderCreated, &[id, contract]),
        Mutation::SubmitOrder { order, .. } => lang.f(Msg::DoneOrderSubmitted, &[order]),
        Mutation::CancelOrder { order, .. } => lang.f(Msg::DoneOrderCancelled, &[order]),
        Mutation::Pick { order, serial } => lang.f(Msg::DonePick, &[serial, order]),
        Mutation::SwapMachine { order, serial, .. } => lang.f(Msg::DoneSwap, &[order, serial]),
        Mutation::Ship { order, on, .. } => lang.f(Msg::DoneShip, &[order, &on.to_string()]),
        Mutation::AddAccessory {
            order,
            code,
            quantity,
            ..
        } => lang.f(Msg::DoneAccessory, &[&quantity.to_string(), code, order]),
        Mutation::AddUser { name, .. } => lang.f(Msg::DoneUserAdded, &[name]),
        Mutation::SetRoles { name, roles } => {
            let roles: Vec<&str> = roles.iter().map(|r| lang.role(*r)).collect();
            lang.f(Msg::DoneRoles, &[name, &roles.join(",")])
        }
        Mutation::SetBranch { name, branch } => lang.f(
            Msg::DoneBranch,
            &[name, branch.as_deref().unwrap_or(lang.t(Msg::NoBranch))],
        ),
        Mutation::DisableUser { name } => lang.f(Msg::DoneDisabled, &[name]),
        Mutation::SetLanguage { name, lang: l } => lang.f(
            Msg::DoneLanguage,
            &[name, super::form::language_word(lang, *l)],
        ),
        Mutation::SetAllocationOrder { order } => lang.f(
            Msg::DoneAllocation,
            &[lang.t(super::admin::order_word(*order))],
        ),
        Mutation::DraftContract { contract, .. } => {
            lang.f(Msg::DoneDraftContract, &[&contract.no, id])
        }
        Mutation::RemoveAccessory { order, code, .. } => {
            lang.f(Msg::DoneRemoveLine, &[code, order])
        }
        // A change no screen makes: the app's own words.
        _ => outcome.message.clone(),
    }
}

fn after_change(state: &mut State, app: &App, ctx: &Ctx, contracts: &[String]) {
    for no in contracts {
        reload_ticket(state, app, ctx, no);
    }
    reload_dashboard(state, app, ctx);
    if state.payments.loaded {
        reload_payments(state, app, ctx);
    }
}

fn submit(state: &mut State, app: &App, ctx: &Ctx, mut form: Box<Form>) {
    let Some(mutations) = form.mutations(state.lang, ctx.today) else {
        state.popup = Some(Popup::Form(form));
        return;
    };
    // A tow's outcome cannot be undone: ask first. Towed back repossesses the contract, and
    // a date before the planned one is pointed out.
    let lang = state.lang;
    let prompt = match (&form.kind, mutations.first()) {
        (
            FormKind::CompleteTow { id, planned_on },
            Some(Mutation::CompleteTow { towed_on, yard, .. }),
        ) => {
            let mut prompt = lang.f(Msg::ConfirmCompleteTow, &[id, &towed_on.to_string(), yard]);
            if let Some(planned) = planned_on.filter(|p| towed_on < p) {
                prompt = format!(
                    "{} {prompt}",
                    lang.f(
                        Msg::WarnTowEarly,
                        &[&towed_on.to_string(), &planned.to_string()]
                    )
                );
            }
            Some(prompt)
        }
        // Accrual runs over the whole book and cannot be undone.
        (FormKind::Accrue, Some(Mutation::Accrue { through })) => {
            let since = state.settings.view.as_ref().and_then(|v| v.accrued_through);
            Some(match since {
                Some(since) => lang.f(
                    Msg::ConfirmAccrueSince,
                    &[&through.to_string(), &since.to_string()],
                ),
                None => lang.f(Msg::ConfirmAccrue, &[&through.to_string()]),
            })
        }
        (FormKind::FailTow { id }, Some(Mutation::FailTow { reason, .. })) => {
            Some(lang.f(Msg::ConfirmFailTow, &[id, reason]))
        }
        // A global rate changes the penalty of every contract without its own: ask first.
        (
            FormKind::Rate,
            Some(Mutation::SetRate {
                contract: None,
                from,
                daily,
            }),
        ) => Some(lang.f(
            Msg::ConfirmRateAll,
            &[&daily.to_string(), &from.to_string()],
        )),
        // Approving asks, as rejecting does by its required comment: a stray Enter must not
        // send a tow on its way.
        (FormKind::Approve { id }, _) => {
            state.approvals.rows.iter().find(|r| &r.id == id).map(|r| {
                lang.f(
                    Msg::ConfirmApprove,
                    &[
                        id,
                        lang.document(r.document),
                        &r.contract_no,
                        &r.customer,
                        &r.days_overdue.to_string(),
                    ],
                )
            })
        }
        _ => None,
    };
    if let Some(prompt) = prompt {
        state.popup = Some(Popup::Confirm(Confirm {
            prompt,
            pending: Pending::Form { form: form.clone() },
            back: Some(Box::new(Popup::Form(form))),
        }));
        return;
    }
    if let Some(prompt) = super::outbound::confirm_prompt(state.lang, &form) {
        state.popup = Some(Popup::Confirm(Confirm {
            prompt,
            pending: super::outbound::pending(mutations[0].clone()),
            back: Some(Box::new(Popup::Form(form))),
        }));
        return;
    }
    run_form(state, app, ctx, form, &mutations);
}

/// Runs a form's mutations: on success the screens it touched reload; a refusal keeps the
/// form open with the reason under its fields.
fn run_form(state: &mut State, app: &App, ctx: &Ctx, mut form: Box<Form>, mutations: &[Mutation]) {
    // Accrual runs over the whole book: a part at a time, its progress shown.
    let result = match mutations {
        [Mutation::Accrue { through }] => {
            super::job::start_accrual(state, app, ctx, *through, super::job::ACCRUE_STEP)
                .map(|()| None)
        }
        _ => execute(app, ctx, state.lang, mutations).map(Some),
    };
    match result {
        // Under way: the job says how it ended.
        Ok(None) => {}
        Err(e) => {
            state
                .log
                .push((Level::Refused, format!("{:?}: {}", form.kind, e.root())));
            form.message = Some(app_error(state.lang, &e));
            state.popup = Some(Popup::Form(form));
        }
        Ok(Some(message)) => {
            state.status = Some(Status::Info(message));
            match &form.kind {
                FormKind::Contact { contract }
                | FormKind::Payment { contract }
                | FormKind::Waiver { contract, .. } => {
                    after_change(state, app, ctx, std::slice::from_ref(contract))
                }
                FormKind::Void { ids, .. } => {
                    let contracts = contracts_of(state, ids);
                    after_change(state, app, ctx, &contracts);
                }
                FormKind::Accessory { .. }
                | FormKind::Ship { .. }
                | FormKind::CancelOrder { .. } => {
                    super::outbound::after_form(state, app, ctx, &form)
                }
                FormKind::Rate | FormKind::Grace | FormKind::Accrue => {
                    after_settings_change(state, app, ctx)
                }
                FormKind::AddUser
                | FormKind::Roles { .. }
                | FormKind::Branch { .. }
                | FormKind::Language { .. } => super::admin::after_form(state, app, ctx, &form),
                FormKind::DraftContract => super::outbound::after_form(state, app, ctx, &form),
                FormKind::Apply { contract, .. } | FormKind::Resubmit { contract, .. } => {
                    after_change(state, app, ctx, std::slice::from_ref(contract))
                }
                FormKind::Approve { .. } | FormKind::Reject { .. } => {
                    reload_approvals(state, app, ctx);
                    if state.tows.loaded {
                        reload_tows(state, app, ctx);
                    }
                }
                FormKind::RegisterTow { .. }
                | FormKind::CompleteTow { .. }
                | FormKind::FailTow { .. } => {
                    reload_tows(state, app, ctx);
                    reload_dashboard(state, app, ctx);
                }
                FormKind::BudgetLine { .. } | FormKind::BudgetSpending { .. } => {
                    super::budget::reload(state, app, ctx)
                }
            }
            reload_unread(state, app, ctx);
        }
    }
}

/// After a book-wide setting changed (rate, grace, accrual, allocation order): the settings,
/// the dashboard and the open ticket read again.
pub(super) fn after_settings_change(state: &mut State, app: &App, ctx: &Ctx) {
    reload_settings(state, app, ctx);
    reload_dashboard(state, app, ctx);
    if let Some(no) = state.ticket.as_ref().map(|t| t.view.contract_no.clone()) {
        reload_ticket(state, app, ctx, &no);
    }
}

fn contracts_of(state: &State, ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = state
        .payments
        .rows
        .iter()
        .filter(|r| ids.contains(&r.id))
        .map(|r| r.contract_no.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn run_pending(state: &mut State, app: &App, ctx: &Ctx, pending: Pending) {
    match pending {
        Pending::Quit => state.quit = true,
        Pending::DiscardRules => state.rules.editor = None,
        Pending::Form { mut form } => {
            if let Some(mutations) = form.mutations(state.lang, ctx.today) {
                run_form(state, app, ctx, form, &mutations);
            } else {
                state.popup = Some(Popup::Form(form));
            }
        }
        Pending::Outbound(m) => super::outbound::run(state, app, ctx, *m),
        Pending::Admin(m) => super::admin::run(state, app, ctx, *m),
        Pending::ExecuteLock { id } => {
            let lang = state.lang;
            let sent =
                crate::hooks::execute_lock_order(app, ctx, state.lock_command.as_deref(), &id);
            match sent {
                Ok((_, Some(code))) if code != 0 => {
                    let text = lang.f(Msg::ExecuteFailed, &[&id, &code.to_string()]);
                    state.log.push((
                        Level::Error,
                        format!("lock order {id}: command exit {code}"),
                    ));
                    error_status(state, text);
                }
                Ok(_) => state.status = Some(Status::Info(lang.f(Msg::DoneExecuted, &[&id]))),
                Err(e) => show_app_refusal(state, &format!("execute {id}"), &e),
            }
            reload_tows(state, app, ctx);
        }
        Pending::Withdraw { id, contract } => {
            match execute(
                app,
                ctx,
                state.lang,
                &[Mutation::Withdraw { id: id.clone() }],
            ) {
                Ok(message) => {
                    state.status = Some(Status::Info(message));
                    after_change(state, app, ctx, std::slice::from_ref(&contract));
                }
                Err(e) => show_app_refusal(state, &format!("withdraw {id}"), &e),
            }
        }
        Pending::Settle { contract } => {
            match execute(
                app,
                ctx,
                state.lang,
                &[Mutation::Settle {
                    contract: contract.clone(),
                }],
            ) {
                Ok(message) => {
                    state.status = Some(Status::Info(message));
                    after_change(state, app, ctx, std::slice::from_ref(&contract));
                }
                Err(e) => show_app_refusal(state, &format!("settle {contract}"), &e),
            }
        }
        Pending::ConfirmPayments { ids } => {
            let contracts = contracts_of(state, &ids);
            let mutations: Vec<Mutation> = ids
                .iter()
                .map(|id| Mutation::ConfirmPayment { id: id.clone() })
                .collect();
            match execute(app, ctx, state.lang, &mutations) {
                Ok(message) => {
                    state.status = Some(Status::Info(message));
                    state.payments.marked.clear();
                    after_change(state, app, ctx, &contracts);
                }
                Err(e) => {
                    show_app_refusal(state, &format!("confirm payments {}", ids.join(", ")), &e)
                }
            }
        }
    }
}

/// Settling asks with the payoff shown; while money is still owed it says what instead of
/// asking (the app refuses such a settlement anyway).
fn settle_question(lang: Lang, v: &crate::app::TicketView) -> Popup {
    let no = v.contract_no.clone();
    if v.payoff.is_positive() {
        return Popup::Message(lang.f(
            Msg::SettleOwing,
            &[
                &no,
                &v.payoff.display(),
                &v.principal_outstanding.display(),
                &v.interest_outstanding.display(),
                &v.penalty_outstanding.display(),
            ],
        ));
    }
    Popup::Confirm(Confirm {
        prompt: lang.f(
            Msg::ConfirmSettle,
            &[
                &no,
                &v.payoff.display(),
                &v.principal_outstanding.display(),
                &v.interest_outstanding.display(),
                &v.penalty_outstanding.display(),
                &v.credit.display(),
            ],
        ),
        pending: Pending::Settle { contract: no },
        back: None,
    })
}

/// Enter on the open ticket: the contact or application under the cursor, whole.
fn open_in_ticket(state: &mut State, app: &App, ctx: &Ctx) -> bool {
    let Some(t) = &state.ticket else {
        return false;
    };
    let lang = state.lang;
    if let Some(c) = ticket::selected_contact(t) {
        let lines = ticket::contact_lines(t, c, lang)
            .into_iter()
            .map(|l| Line::styled(l, state.theme.style("base")))
            .collect();
        state.popup = Some(Popup::Detail(Box::new(Detail {
            title: lang.f(Msg::ContactTitle, &[&c.on.to_string(), &c.by]),
            lines,
            resubmit: None,
            withdraw: None,
        })));
        return true;
    }
    let Some(id) = ticket::selected_application(t).map(|a| a.id.clone()) else {
        return false;
    };
    match app.application(ctx, &id) {
        Ok(view) => {
            let mine = view.row.applicant == ctx.actor;
            let resubmit = (mine && view.row.next.resubmit.is_none())
                .then(|| Box::new(Form::resubmit(&view.row)));
            let withdraw = (mine && view.row.next.withdraw.is_none()).then(|| id.clone());
            state.popup = Some(Popup::Detail(Box::new(Detail {
                title: lang.f(Msg::ApplicationTitle, &[&id]),
                lines: super::screens::application::lines(&view, lang, &state.theme),
                resubmit,
                withdraw,
            })));
        }
        Err(e) => show_error(state, &format!("open application {id}"), &e),
    }
    true
}

/// Opens a contract's ticket on the dashboard (the app says no to one out of scope).
fn open_ticket(state: &mut State, app: &App, ctx: &Ctx, no: &str) {
    match app.ticket(ctx, no, ctx.today) {
        Ok(view) => {
            let mut t = TicketScreen::new(view);
            t.nav.selected = ticket::first_owing(&t.view);
            state.screen = Screen::Dashboard;
            state.audit = None;
            state.ticket = Some(t);
        }
        Err(e) => show_error(state, &format!("open ticket {no}"), &e),
    }
}

/// Keys while typing a search on the payments list.
fn payments_search_input(state: &mut State, key: KeyEvent) -> bool {
    let p = &mut state.payments;
    match key.code {
        KeyCode::Esc => {
            p.searching = false;
            p.query.clear();
            p.search_changed();
            true
        }
        KeyCode::Enter => {
            p.searching = false;
            true
        }
        KeyCode::Down => p.nav.apply(Command::Down, p.shown.len()).unwrap_or(false),
        KeyCode::Up => p.nav.apply(Command::Up, p.shown.len()).unwrap_or(false),
        _ => match p.query.handle(&key) {
            Some(true) => {
                p.search_changed();
                true
            }
            _ => false,
        },
    }
}
