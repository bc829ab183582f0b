//! The command line: translate arguments into app calls and results into text or JSON.
//! No business rules here.

/// `print!` to the command's standard output (see `output`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!($crate::cli::output::Stdout, $($arg)*);
    }};
}

/// `println!` to the command's standard output.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!($crate::cli::output::Stdout, $($arg)*);
    }};
}

/// `eprintln!` to the command's standard error.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!($crate::cli::output::Stderr, $($arg)*);
    }};
}

pub mod args;
mod backup;
pub use crate::hooks;
mod budget;
pub mod import;
mod outbound;
pub mod output;
pub mod progress;
mod report;
mod sync;
mod table;
mod watchdog;
mod workflow;
mod xlsx;

pub use workflow::parse_public_key;

use crate::app::{
    App, BucketTotal, Ctx, LOCAL_ADMIN, Mutation, OverdueFilter, OverdueRow, TicketView,
    bucket_totals,
};
use crate::domain::{AllocationOrder, Bucket, Channel, Money, Promise, Rate};
use args::*;
use chrono::NaiveDate;
use clap::Parser;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use table::Table;

/// A failure to report: one line per entry on stderr, and the exit status: 1 when the
/// command was refused or failed, 2 when it was used wrongly.
#[derive(Debug)]
pub struct Failure {
    pub lines: Vec<String>,
    pub status: i32,
}

impl Failure {
    /// A refusal or a failure (exit status 1).
    pub fn of(lines: Vec<String>) -> Failure {
        Failure { lines, status: 1 }
    }

    /// A usage mistake the argument parser could not see (exit status 2).
    pub fn usage(line: String) -> Failure {
        Failure {
            lines: vec![line],
            status: 2,
        }
    }
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure::of(vec![e.to_string()])
    }
}

type Done = Result<(), Failure>;

/// Parses the command line, runs it and returns the process exit status.
pub fn main() -> i32 {
    // Whatever this process creates — the database's files as sled writes them (snapshots
    // included), the host key, exports — is its owner's alone: 0600 files, 0700 directories.
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    // A command that only prints has its output buffered; the terminal screens and the
    // server write as they go.
    let prints_only = !matches!(
        &cli.command,
        None | Some(Command::Demo(_) | Command::Serve { .. })
    );
    let buffer = prints_only.then(output::buffered);
    watchdog::start();
    let result = run(cli);
    drop(buffer);
    match result {
        Ok(()) => 0,
        Err(Failure { lines, status }) => {
            for line in lines {
                errln!("duedesk: {line}");
            }
            status
        }
    }
}

/// Runs the words of an SSH exec request (`overdue --json`) as `user` against the served
/// app, writing to `out` and `err`; returns the exit status. `--as`, `--db`, `--config` and
/// the business date are the server's to decide (the server's own `DUEDESK_DB`,
/// `DUEDESK_CONFIG` and `DUEDESK_TODAY` do not reach the command), and commands that read the
/// server's files, own the database or rebuild it are refused.
pub fn exec(
    app: &App,
    config: &crate::ui::config::Config,
    today: NaiveDate,
    user: &str,
    words: &[String],
    out: Box<dyn Write>,
    err: Box<dyn Write>,
) -> u32 {
    let _redirect = output::redirect(out, err);
    let argv = std::iter::once("duedesk".to_string()).chain(words.iter().cloned());
    let parsed = <Cli as clap::CommandFactory>::command()
        .try_get_matches_from(argv)
        .and_then(|mut matches| {
            // Only what the client typed counts; the server's environment is not theirs.
            let typed =
                |id: &str| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
            let typed = (typed("db"), typed("config"), typed("today"));
            let mut cli = <Cli as clap::FromArgMatches>::from_arg_matches_mut(&mut matches)?;
            let (db, config, today) = typed;
            if !db {
                cli.db = None;
            }
            if !config {
                cli.config = None;
            }
            if !today {
                cli.today = None;
            }
            Ok(cli)
        });
    let mut cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            if code == 0 {
                out!("{}", e.render());
            } else {
                let _ = write!(output::Stderr, "{}", e.render());
            }
            return code as u32;
        }
    };
    let refusal = if cli.as_user.as_deref().is_some_and(|u| u != user) {
        Some("--as: over SSH you act as the user your key logs in as".to_string())
    } else if cli.db.is_some() || cli.config.is_some() {
        Some("--db and --config are the server's; leave them out".to_string())
    } else if cli.today.is_some() {
        Some("--today: over SSH every command acts on the server's date; leave it out".to_string())
    } else {
        match &cli.command {
            Some(
                Command::Demo(_) | Command::Bench(_) | Command::Serve { .. } | Command::Rebuild,
            ) => Some("this command runs only on the server's own machine".to_string()),
            Some(
                Command::Import(_)
                | Command::Rules(RulesCmd::Set { .. } | RulesCmd::Check { .. })
                | Command::Budget(args::BudgetCmd::Import { .. }),
            ) => Some(
                "this command reads a file on the server; run it there, or copy the file first"
                    .to_string(),
            ),
            Some(Command::Sync(SyncArgs {
                cmd:
                    None
                    | Some(
                        SyncCmd::Clone { .. }
                        | SyncCmd::Init { .. }
                        | SyncCmd::Push { .. }
                        | SyncCmd::Accept { .. }
                        | SyncCmd::Pull { .. },
                    ),
                ..
            })) => Some(
                "sync reads and writes files and runs ssh on the server; run it there (a branch syncs with: duedesk sync ssh://USER@HOST)".to_string(),
            ),
            Some(Command::Restore { .. }) => {
                Some("this command runs only on the server's own machine".to_string())
            }
            Some(Command::Backup { file: Some(file) }) if file.as_os_str() != "-" => Some(
                "backup over SSH is written to your side: ssh -p PORT USER@HOST backup > FILE"
                    .to_string(),
            ),
            Some(Command::User(UserCmd::AddKey { .. })) => {
                Some("user add-key reads a key file; run it on the server".to_string())
            }
            Some(command) if report::writes_file(command) => Some(
                "this command writes a file on the server; leave out --out (csv goes to your terminal) or run it there"
                    .to_string(),
            ),
            _ => None,
        }
    };
    if let Some(reason) = refusal {
        errln!("duedesk: {reason}");
        return 2;
    }
    cli.as_user = Some(user.to_string());
    match run_on(app, cli, config, today) {
        Ok(()) => 0,
        Err(Failure { lines, status }) => {
            for line in lines {
                errln!("duedesk: {line}");
            }
            status.unsigned_abs()
        }
    }
}

/// The default database: `duedesk.db` in the platform data directory.
pub fn default_db_path() -> Result<PathBuf, Failure> {
    directories::ProjectDirs::from("", "", "duedesk")
        .map(|dirs| dirs.data_dir().join("duedesk.db"))
        .ok_or_else(|| {
            Failure::of(vec![
                "no home directory to keep the database in; pass --db PATH".into(),
            ])
        })
}

fn parse_date(text: &str, what: &str) -> Result<NaiveDate, Failure> {
    import::parse_date(text).map_err(|e| Failure::of(vec![format!("{what}: {e}")]))
}

fn parse_money(text: &str, what: &str) -> Result<Money, Failure> {
    Money::parse(text).map_err(|e| Failure::of(vec![format!("{what}: {e}")]))
}

fn print_json<T: Serialize>(value: &T) -> Done {
    let mut out = output::Stdout;
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Prints what a creating command made: its id, or `{"id": …}` with `--json`.
fn print_created(id: Option<String>, message: &str, json: bool) -> Done {
    if json {
        return print_json(&serde_json::json!({ "id": id }));
    }
    match id {
        Some(id) => outln!("{id}"),
        None => outln!("{message}"),
    }
    Ok(())
}

pub fn run(cli: Cli) -> Done {
    let db = match cli.db.clone() {
        Some(path) => path,
        None => default_db_path()?,
    };
    if let Some(Command::Bench(args)) = &cli.command {
        return bench(args);
    }
    if let Some(Command::Demo(args)) = &cli.command
        && args.force
        && db.exists()
    {
        std::fs::remove_dir_all(&db).map_err(|e| format!("cannot remove {}: {e}", db.display()))?;
    }
    if let Some(parent) = db.parent() {
        crate::store::files::create_private_dir(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let config = crate::ui::config::Config::load(cli.config.as_deref())?;
    let ui = crate::ui::UiOptions {
        theme: cli.theme.clone(),
        lang: cli.lang.clone(),
        config: cli.config.clone(),
        follows_calendar: cli.today.is_none(),
    };
    let fixed_today = fixed_today(cli.today.as_deref(), cfg!(debug_assertions))?;
    let warn_exposed = || {
        if let Some(warning) = crate::store::files::exposed(&db) {
            errln!("duedesk: {warning}");
        }
    };
    if let Some(Command::Serve { listen }) = &cli.command {
        warn_exposed();
        return crate::ssh::serve(&db, listen, config, ui, fixed_today)
            .map_err(|e| Failure::of(vec![format!("serve: {e:#}")]));
    }
    if let Some(Command::Sync(SyncArgs {
        cmd: Some(SyncCmd::Init { file, site }),
        ssh_command,
        ..
    })) = &cli.command
    {
        return sync::init(&db, file, site.as_deref(), ssh_command.as_deref());
    }
    if let Some(Command::Restore { file }) = &cli.command {
        return backup::restore(file, &db);
    }
    let app = App::open(&db)?;
    for note in opened_notes(&app, &db) {
        errln!("duedesk: {note}");
    }
    match app.resumed_import() {
        Some(crate::app::ResumedImport::Finished { import, rows }) => errln!(
            "duedesk: import {import} into {} had been cut short; it was finished before this command ({rows} rows)",
            db.display()
        ),
        Some(crate::app::ResumedImport::Undone { import, rows, why }) => errln!(
            "duedesk: import {import} into {} had been cut short and could not be finished ({why}); it was undone: none of its {rows} rows is in the book, import the file again",
            db.display()
        ),
        None => {}
    }
    warn_exposed();
    let today = fixed_today.unwrap_or_else(|| chrono::Local::now().date_naive());
    run_on(&app, cli, &config, today)
}

/// What opening the database did before answering anything, one line each: a rebuild cut
/// short finished, incomplete sled snapshots moved aside and the projections checked.
pub fn opened_notes(app: &App, db: &std::path::Path) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(entries) = app.redone_rebuild() {
        notes.push(format!(
            "a rebuild of {} had been cut short; its {entries} journal entries were replayed again before this command",
            db.display()
        ));
    }
    if let Some(check) = app.snapshot_check() {
        let moved: Vec<String> = check
            .moved
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let verdict = match check.agreed {
            Some(true) => "they equalled a replay of the journal",
            Some(false) => "they differed from a replay of the journal and are now the replay's",
            None => "they were replayed from the journal",
        };
        notes.push(format!(
            "database {} did not open: a kill had cut short sled's writing of a snapshot (sled issues #1527, #1509); the incomplete snapshot was moved aside to {}, the database opened from its last complete one, and its projections were checked against the journal's {} entries: {verdict}",
            db.display(),
            moved.join(", "),
            check.entries
        ));
    }
    notes
}

/// The business date a test fixed with the hidden `--today` or `DUEDESK_TODAY`. Only a debug
/// build (`debug_build`: what `cargo test` runs) takes one; a release build acts on the
/// machine's date.
fn fixed_today(text: Option<&str>, debug_build: bool) -> Result<Option<NaiveDate>, Failure> {
    let Some(text) = text else {
        return Ok(None);
    };
    if !debug_build {
        return Err(Failure::of(vec![
            "--today / DUEDESK_TODAY: only tests fix the business date (a debug build); this build acts on the machine's local date, so leave it out".into(),
        ]));
    }
    parse_date(text, "--today").map(Some)
}

/// Runs a command against an app that is already open: this process's own, or the one
/// `duedesk serve` holds (an SSH exec request, after `exec` fixed the user), on the
/// business date `today`.
pub fn run_on(app: &App, cli: Cli, config: &crate::ui::config::Config, today: NaiveDate) -> Done {
    let actor = cli
        .as_user
        .clone()
        .unwrap_or_else(|| LOCAL_ADMIN.to_string());
    let ctx = Ctx::new(&actor, today, chrono::Utc::now().timestamp());
    let hooks = hooks::Hooks::from_config(config);
    let ui = crate::ui::UiOptions {
        theme: cli.theme.clone(),
        lang: cli.lang.clone(),
        config: cli.config.clone(),
        follows_calendar: cli.today.is_none(),
    };
    app.user(&ctx.actor)?;

    let result = dispatch(app, &ctx, &hooks, &ui, cli.command);
    if let Some(command) = &hooks.notify_command {
        let failed = hooks::deliver(app, &ctx, command);
        if failed > 0 {
            errln!(
                "duedesk: notify_command failed for {failed} notifications; they stay in the inbox marked failed and are retried later"
            );
        }
    }
    result
}

fn dispatch(
    app: &App,
    ctx: &Ctx,
    hooks: &hooks::Hooks,
    ui: &crate::ui::UiOptions,
    command: Option<Command>,
) -> Done {
    let today = ctx.today;
    let Some(command) = command else {
        return interactive(app, ctx, ui);
    };
    match command {
        Command::Demo(args) => demo(app, ctx, ui, &args),
        Command::Import(args) => {
            let source = import::Source {
                path: &args.file,
                encoding: args.encoding,
                sheet: args.sheet.as_deref(),
            };
            let count = import::import(app, ctx, args.kind, &source, args.confirm)
                .map_err(|e| Failure::of(e.lines))?;
            outln!("{count} rows imported from {}", args.file.display());
            Ok(())
        }
        Command::Rate(RateCmd::Set {
            daily,
            from,
            contract,
        }) => {
            let daily =
                Rate::parse(&daily).map_err(|e| Failure::of(vec![format!("--daily: {e}")]))?;
            let from = parse_date(&from, "--from")?;
            say(
                app,
                ctx,
                Mutation::SetRate {
                    contract,
                    from,
                    daily,
                },
            )
        }
        Command::Grace(GraceCmd::Set { days, contract }) => {
            say(app, ctx, Mutation::SetGrace { contract, days })
        }
        Command::Allocation(AllocationCmd::Set { order }) => {
            let order = match order {
                OrderArg::Default => AllocationOrder::DueFirst,
                OrderArg::Statutory => AllocationOrder::Statutory,
            };
            say(app, ctx, Mutation::SetAllocationOrder { order })
        }
        Command::Settings(JsonFlag { json }) => {
            let s = app.settings(ctx)?;
            if json {
                return print_json(&s);
            }
            outln!("grace days: {}", s.grace_days);
            outln!("allocation order: {}", s.allocation_order);
            outln!(
                "penalty accrued through: {}",
                s.accrued_through
                    .map_or("never".to_string(), |d| d.to_string())
            );
            let mut t = Table::new(&["from", ">daily rate"]);
            for r in &s.rates {
                t.row(vec![r.from.to_string(), r.daily.to_string()]);
            }
            out!("{}", t.render());
            Ok(())
        }
        Command::Payment(cmd) => payment(app, ctx, cmd),
        Command::Accrue { through } => {
            let through = match through {
                Some(text) => parse_date(&text, "--through")?,
                None => today,
            };
            // The app refuses it too; here the message names the flag that was typed.
            crate::domain::limits::check_not_after_today("--through", through, today)?;
            say(app, ctx, Mutation::Accrue { through })
        }
        Command::Overdue(args) => overdue(app, ctx, &args),
        Command::Ticket(TicketCmd::Show {
            contract,
            as_of,
            json,
        }) => {
            let as_of = match as_of {
                Some(text) => parse_date(&text, "--as-of")?,
                None => today,
            };
            let view = app.ticket(ctx, &contract, as_of)?;
            if json {
                print_json(&view)
            } else {
                print_ticket(&view)
            }
        }
        Command::Contact(ContactCmd::Add {
            contract,
            channel,
            result,
            note,
            promise_date,
            promise_amount,
        }) => {
            let channel = match channel {
                ChannelArg::Call => Channel::Call,
                ChannelArg::Visit => Channel::Visit,
                ChannelArg::Sms => Channel::Sms,
                ChannelArg::Wechat => Channel::Wechat,
            };
            let promise = match (promise_date, promise_amount) {
                (Some(date), Some(amount)) => Some(Promise {
                    date: parse_date(&date, "--promise-date")?,
                    amount: parse_money(&amount, "--promise-amount")?,
                }),
                _ => None,
            };
            say(
                app,
                ctx,
                Mutation::AddContact {
                    contract,
                    channel,
                    result,
                    note,
                    promise,
                },
            )
        }
        Command::Waiver(cmd) => waiver(app, ctx, cmd),
        Command::Settle { contract } => say(app, ctx, Mutation::Settle { contract }),
        Command::Rebuild => {
            // Admin only (`rebuild_as`, journaled as an event); over SSH `exec` refuses it,
            // and a served database is not opened.
            let before = app.store().journal_len()?;
            let count = app.rebuild_as(ctx)?;
            outln!(
                "rebuilt the projections from {count} journal entries (journal length {before})"
            );
            Ok(())
        }
        Command::Bench(_) | Command::Serve { .. } => Err(Failure::of(vec![
            "bench and serve run on their own, not against an open database".into(),
        ])),
        Command::User(cmd) => workflow::user(app, ctx, cmd),
        Command::Rules(cmd) => workflow::rules(app, ctx, cmd),
        Command::Approval(cmd) => workflow::approval(app, ctx, cmd),
        Command::Lock(cmd) => workflow::lock(app, ctx, hooks, cmd),
        Command::Tow(cmd) => workflow::tow(app, ctx, cmd),
        Command::Inbox(args) => workflow::inbox(app, ctx, args),
        Command::Audit {
            contract,
            json,
            out,
        } => workflow::audit(app, ctx, &contract, json, &out),
        Command::Contract(cmd) => outbound::contract(app, ctx, cmd),
        Command::Outbound(cmd) => outbound::outbound(app, ctx, cmd),
        Command::Machine(cmd) => outbound::machine(app, ctx, cmd),
        Command::Stock { model, json, out } => outbound::stock(app, ctx, model, json, &out),
        Command::Report(cmd) => report::report(app, ctx, cmd),
        Command::Export(args) => report::export_book(app, ctx, &args),
        Command::Site(cmd) => sync::site(app, ctx, cmd),
        Command::Sync(cmd) => sync::sync(app, ctx, cmd),
        Command::Backup { file } => backup::backup(app, ctx, file.as_deref()),
        Command::Restore { .. } => Err(Failure::of(vec![
            "restore makes a new database; it does not run against an open one".into(),
        ])),
        Command::Budget(cmd) => budget::budget(app, ctx, cmd),
    }
}

/// Runs a mutation and prints its one-line outcome.
fn say(app: &App, ctx: &Ctx, mutation: Mutation) -> Done {
    let outcome = app.execute(ctx, mutation)?;
    outln!("{}", outcome.message);
    Ok(())
}

fn payment(app: &App, ctx: &Ctx, cmd: PaymentCmd) -> Done {
    match cmd {
        PaymentCmd::Record {
            contract,
            amount,
            received_on,
            method,
            reference,
            json,
        } => {
            let mutation = Mutation::RecordPayment {
                id: String::new(),
                contract,
                received_on: parse_date(&received_on, "--received-on")?,
                amount: parse_money(&amount, "--amount")?,
                method,
                reference,
                confirmed: false,
            };
            let outcome = app.execute(ctx, mutation)?;
            print_created(outcome.id, &outcome.message, json)
        }
        PaymentCmd::Confirm { id } => say(app, ctx, Mutation::ConfirmPayment { id }),
        PaymentCmd::Void { id, reason } => say(app, ctx, Mutation::VoidPayment { id, reason }),
        PaymentCmd::List(ListArgs { json, out }) => {
            let rows = app.pending_payments(ctx)?;
            if report::list_out("payments", &rows, &out)? {
                return Ok(());
            }
            if json {
                return print_json(&rows);
            }
            let mut t = Table::new(&[
                "id", "contract", "customer", "branch", "received", ">amount", "method", "by",
            ]);
            for r in &rows {
                t.row(vec![
                    r.id.clone(),
                    r.contract_no.clone(),
                    r.customer.clone(),
                    r.branch.clone(),
                    r.received_on.to_string(),
                    r.amount.display(),
                    r.method.clone(),
                    r.recorded_by.clone(),
                ]);
            }
            out!("{}", t.render());
            outln!("{} payments wait for confirmation", rows.len());
            Ok(())
        }
    }
}

fn waiver(app: &App, ctx: &Ctx, cmd: WaiverCmd) -> Done {
    match cmd {
        WaiverCmd::Apply {
            contract,
            amount,
            reason,
            json,
        } => {
            let amount = parse_money(&amount, "--amount")?;
            let outcome = app.execute(
                ctx,
                Mutation::ApplyWaiver {
                    id: String::new(),
                    contract,
                    amount,
                    reason,
                },
            )?;
            print_created(outcome.id, &outcome.message, json)
        }
        WaiverCmd::Approve { id, comment } => say(app, ctx, Mutation::Approve { id, comment }),
        WaiverCmd::Reject { id, reason } => say(
            app,
            ctx,
            Mutation::Reject {
                id,
                comment: reason,
            },
        ),
        WaiverCmd::List(JsonFlag { json }) => workflow::waiver_list(app, ctx, json),
    }
}

fn overdue(app: &App, ctx: &Ctx, args: &OverdueArgs) -> Done {
    let as_of = match &args.as_of {
        Some(text) => parse_date(text, "--as-of")?,
        None => ctx.today,
    };
    let filter = OverdueFilter {
        branch: args.branch.clone(),
        collector: args.collector.clone(),
        bucket: args.bucket.map(|b| match b {
            BucketArg::D1To30 => Bucket::D1To30,
            BucketArg::D31To60 => Bucket::D31To60,
            BucketArg::D61To90 => Bucket::D61To90,
            BucketArg::D91To180 => Bucket::D91To180,
            BucketArg::D181Plus => Bucket::D181Plus,
        }),
    };
    let rows = app.overdue(ctx, as_of, &filter)?;
    if report::list_out("overdue", &rows, &args.out)? {
        return Ok(());
    }
    if args.json {
        return print_json(&rows);
    }
    out!("{}", overdue_table(&rows, usize::MAX));
    print_totals(&bucket_totals(&rows));
    Ok(())
}

fn overdue_table(rows: &[OverdueRow], limit: usize) -> String {
    let mut t = Table::new(&[
        "contract",
        "customer",
        "branch",
        "collector",
        ">days",
        ">overdue",
        ">penalty",
        "promise",
        "machine",
    ]);
    for r in rows.iter().take(limit) {
        t.row(vec![
            r.contract_no.clone(),
            r.customer.clone(),
            r.branch.clone(),
            r.collector.clone(),
            r.days_overdue.to_string(),
            r.overdue_amount.display(),
            r.penalty_outstanding.display(),
            r.promise.map_or("-", |p| p.name()).to_string(),
            r.machine.to_string(),
        ]);
    }
    t.render()
}

fn print_totals(totals: &[BucketTotal]) {
    let mut t = Table::new(&["aging", ">contracts", ">overdue", ">penalty"]);
    let (mut n, mut amount, mut penalty) = (0, Money::ZERO, Money::ZERO);
    for b in totals {
        n += b.contracts;
        amount += b.overdue_amount;
        penalty += b.penalty_outstanding;
        t.row(vec![
            b.bucket.label().to_string(),
            b.contracts.to_string(),
            b.overdue_amount.display(),
            b.penalty_outstanding.display(),
        ]);
    }
    t.row(vec![
        "total".into(),
        n.to_string(),
        amount.display(),
        penalty.display(),
    ]);
    outln!();
    out!("{}", t.render());
}

/// With no command: the overdue summary of the book.
fn summary(app: &App, ctx: &Ctx) -> Done {
    if app.store().is_empty_book() {
        outln!(
            "The book at {} is empty. Import data (duedesk import …) or create a demo book (duedesk demo).",
            app.store().path().display()
        );
        return Ok(());
    }
    let rows = app.overdue(ctx, ctx.today, &OverdueFilter::default())?;
    outln!(
        "Overdue as of {} — {} contracts; the 20 most overdue:",
        ctx.today,
        rows.len()
    );
    out!("{}", overdue_table(&rows, 20));
    print_totals(&bucket_totals(&rows));
    Ok(())
}

fn demo(app: &App, ctx: &Ctx, ui: &crate::ui::UiOptions, args: &DemoArgs) -> Done {
    if app.store().is_empty_book() {
        let opts = crate::demo::DemoOptions {
            contracts: args.contracts,
            seed: args.seed,
            today: ctx.today,
        };
        let made = crate::demo::load(app, &opts)?;
        errln!(
            "demo book created in {}: {made}",
            app.store().path().display()
        );
    } else {
        errln!(
            "{} already holds a book; showing it (duedesk demo --force replaces it)",
            app.store().path().display()
        );
    }
    if args.no_tui {
        summary(app, ctx)
    } else {
        interactive(app, ctx, ui)
    }
}

/// The interactive screens on a terminal; the overdue summary when output is not one (a
/// script, a pipe), so nothing waits for keys that will never come.
fn interactive(app: &App, ctx: &Ctx, ui: &crate::ui::UiOptions) -> Done {
    use std::io::IsTerminal;
    if !(output::is_process_stdout()
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal())
    {
        return summary(app, ctx);
    }
    crate::ui::run(app, ctx.clone(), ui.clone()).map_err(|e| Failure::of(vec![format!("{e:#}")]))
}

fn bench(args: &BenchArgs) -> Done {
    let report = crate::bench::run(crate::bench::BenchOptions {
        contracts: args.contracts,
    })?;
    outln!("{report}");
    Ok(())
}

fn print_ticket(v: &TicketView) -> Done {
    let mut out = output::Stdout;
    let c = &v.customer;
    writeln!(
        out,
        "催收单 collection ticket — contract {} as of {}",
        v.contract_no, v.as_of
    )?;
    writeln!(
        out,
        "customer  {} ({})  phone {}  branch {}  collector {}",
        c.name, c.id, c.phone, c.branch, c.collector
    )?;
    writeln!(
        out,
        "machine   {} {}  state {}  contract {}",
        v.model, v.serial, v.machine, v.state
    )?;
    writeln!(out)?;
    let mut t = Table::new(&["", ">amount"]);
    let lines: [(&str, Money); 10] = [
        ("overdue amount", v.overdue_amount),
        ("penalty accrued", v.penalty_accrued),
        ("penalty waived", v.penalty_waived),
        ("penalty paid", v.penalty_paid),
        ("penalty outstanding", v.penalty_outstanding),
        ("total to collect", v.total_to_collect),
        ("pending payments", v.pending_payments),
        ("principal outstanding", v.principal_outstanding),
        ("interest outstanding", v.interest_outstanding),
        ("credit", v.credit),
    ];
    for (label, amount) in lines {
        t.row(vec![label.to_string(), amount.display()]);
    }
    write!(out, "{}", t.render())?;
    writeln!(
        out,
        "days overdue {} ({}), daily penalty rate {}, grace days {}",
        v.days_overdue,
        v.bucket.label(),
        v.rate_in_force,
        v.grace_days
    )?;
    writeln!(out)?;
    let mut t = Table::new(&[
        "#",
        "due",
        ">principal",
        ">interest",
        ">principal left",
        ">interest left",
        ">days",
    ]);
    for i in v
        .installments
        .iter()
        .filter(|i| (i.principal_outstanding + i.interest_outstanding).is_positive())
    {
        t.row(vec![
            i.seq.to_string(),
            i.due_date.to_string(),
            i.principal_due.display(),
            i.interest_due.display(),
            i.principal_outstanding.display(),
            i.interest_outstanding.display(),
            i.days_overdue.to_string(),
        ]);
    }
    writeln!(out, "installments with money outstanding:")?;
    write!(out, "{}", t.render())?;
    if !v.payments.is_empty() {
        writeln!(out, "\npayments:")?;
        let mut t = Table::new(&["id", "received", ">amount", "status", "method"]);
        for p in &v.payments {
            t.row(vec![
                p.id.clone(),
                p.received_on.to_string(),
                p.amount.display(),
                p.status.into(),
                p.method.clone(),
            ]);
        }
        write!(out, "{}", t.render())?;
    }
    if !v.contacts.is_empty() {
        writeln!(out, "\ncontact log:")?;
        for c in &v.contacts {
            let promise = match (c.promise_date, c.promise_amount) {
                (Some(d), Some(a)) => format!("  promise {} by {d}", a.display()),
                _ => String::new(),
            };
            writeln!(
                out,
                "  {} {:<6} {:<8} {}{promise}",
                c.on, c.channel, c.by, c.result
            )?;
        }
    }
    if !v.promises.is_empty() {
        writeln!(out, "\npromises:")?;
        for p in &v.promises {
            writeln!(
                out,
                "  {} by {}: {}",
                p.amount.display(),
                p.date,
                p.state.name()
            )?;
        }
    }
    if !v.applications.is_empty() {
        writeln!(out, "\napplications:")?;
        for a in &v.applications {
            let amount = a
                .amount
                .map_or(String::new(), |m| format!(" {}", m.display()));
            writeln!(
                out,
                "  {} {}{amount} {} — {}",
                a.id, a.document, a.stage, a.reason
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What an SSH client may type: words of the command line, flags the server keeps for
    /// itself, and anything at all.
    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(vec![
                "overdue",
                "--json",
                "--today",
                "2031-01-01",
                "--db",
                "/tmp/x",
                "--config",
                "rebuild",
                "demo",
                "serve",
                "import",
                "--as",
                "admin",
                "wang",
                "ticket",
                "show",
                "H1",
                "contact",
                "add",
                "--note",
                "payment",
                "record",
                "--amount",
                "12,34",
                "-",
                "--",
                "--help",
                "--version",
            ])
            .prop_map(str::to_string),
            any::<String>(),
        ]
    }

    #[test]
    fn only_a_debug_build_takes_a_business_date() {
        let day = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        assert_eq!(fixed_today(Some("2026-06-15"), true).unwrap(), Some(day));
        assert_eq!(fixed_today(None, false).unwrap(), None);
        let Failure { lines, .. } = fixed_today(Some("2026-06-15"), false).unwrap_err();
        assert!(
            lines[0].contains("only tests fix the business date"),
            "{lines:?}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
        #[test]
        fn any_ssh_command_line_is_answered_with_a_status_never_a_panic(
            words in proptest::collection::vec(word(), 0..6)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let app = App::open(&dir.path().join("db")).unwrap();
            let before = app.store().journal_len().unwrap();
            let config = crate::ui::config::Config::default();
            let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
            let status = exec(&app, &config, today, "admin", &words, Box::new(std::io::sink()), Box::new(std::io::sink()));
            prop_assert!(status <= 2, "status {status} for {words:?}");
            // clap answers --help and --version (status 0) before anything runs.
            let asks_help = words.iter().any(|w| w.contains("help") || w.contains("version") || w.starts_with("-h") || w.starts_with("-V"));
            if !asks_help && matches!(words.first().map(String::as_str), Some("--today" | "--db" | "--config" | "rebuild" | "demo" | "serve")) {
                prop_assert_eq!(status, 2, "{:?} was not refused", words);
                prop_assert_eq!(app.store().journal_len().unwrap(), before);
            }
        }
    }
}
