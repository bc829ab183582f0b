//! The kill -9 crash test. The built binary, on a demo book, runs one write at a time —
//! record, confirm and void a payment, log a contact, import customers, accrue (in runs of
//! many parts), apply for a lock and approve it, pick a machine for an order, rebuild — and
//! most are killed with SIGKILL at a random moment. Throughout:
//!
//! - the database always opens (every check opens it, and no command that ran to its end
//!   failed on the store);
//! - every change whose command returned success is in the journal, and so in the book;
//! - no import is half there: each file's customers are all present or none;
//! - a rebuild gives the same projections;
//! - at the end an accrual run, interrupted any number of times, finishes to the figures an
//!   uninterrupted one gives (each contract's penalty as evaluated on its own, the overdue
//!   list from its lines as evaluated from the contracts).
//!
//! `DUEDESK_CRASH_CYCLES` sets the number of commands (300 by default: 45 s on a busy two-core
//! machine); `DUEDESK_CRASH_SEED` the seed (printed, to replay a failure).

use chrono::{Days, NaiveDate};
use duedesk::app::{App, Ctx, Mutation, OverdueFilter};
use duedesk::domain::evaluate;
use duedesk::store::Reader;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const START: &str = "2026-06-15";
/// Customers in each imported file.
const IMPORT_ROWS: usize = 120;
/// Contracts in each part of an accrual run: a run on the demo book is many parts.
const ACCRUAL_PART: &str = "1";
/// A check of the whole database every so many commands.
const CHECK_EVERY: usize = 40;

/// xorshift64*: the test's only randomness, from one printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Record,
    Confirm,
    Void,
    Contact,
    Import,
    Accrue,
    Apply,
    Approve,
    Pick,
    Rebuild,
}

/// How often each write is chosen.
const MIX: &[(Op, u64)] = &[
    (Op::Record, 4),
    (Op::Confirm, 2),
    (Op::Void, 1),
    (Op::Contact, 3),
    (Op::Import, 2),
    (Op::Accrue, 2),
    (Op::Apply, 1),
    (Op::Approve, 1),
    (Op::Pick, 2),
    (Op::Rebuild, 1),
];

struct Outcome {
    killed: bool,
    code: i32,
    out: String,
    err: String,
}

/// What the commands that returned success did: all of it must be in the journal.
#[derive(Default)]
struct Acknowledged {
    payments: BTreeSet<String>,
    confirmed: BTreeSet<String>,
    voided: BTreeSet<String>,
    contacts: BTreeSet<String>,
    imports: BTreeSet<usize>,
    accrued: BTreeSet<NaiveDate>,
    applied: BTreeSet<String>,
    approved: BTreeSet<String>,
    /// The serials picked, in order.
    picked: Vec<String>,
    rebuilds: usize,
}

struct World {
    db: PathBuf,
    files: PathBuf,
    today: NaiveDate,
    /// Overdue contracts with their branch (whose approver decides a lock).
    contracts: Vec<(String, String)>,
    pending: Vec<String>,
    confirmed: Vec<String>,
    /// Lock applications waiting for their branch's approver: (id, branch).
    applications: Vec<(String, String)>,
    /// Contracts already applied for (one open lock application each).
    applied_for: BTreeSet<String>,
    order: String,
    serials: Vec<String>,
    /// Every import attempted, killed or not.
    imports: usize,
    contacts: usize,
    ack: Acknowledged,
    /// Typical time each write takes when it runs to its end: kills land within it.
    typical: BTreeMap<Op, Duration>,
    kills: BTreeMap<Op, usize>,
    /// Accrual runs a kill left unfinished (parts done, the run not).
    interrupted_runs: usize,
    /// Commands that first finished a rebuild a kill had cut short.
    redone_rebuilds: usize,
}

impl World {
    fn new(db: PathBuf, files: PathBuf, today: NaiveDate) -> World {
        World {
            db,
            files,
            today,
            contracts: Vec::new(),
            pending: Vec::new(),
            confirmed: Vec::new(),
            applications: Vec::new(),
            applied_for: BTreeSet::new(),
            order: String::new(),
            serials: Vec::new(),
            imports: 0,
            contacts: 0,
            ack: Acknowledged::default(),
            typical: BTreeMap::new(),
            kills: BTreeMap::new(),
            interrupted_runs: 0,
            redone_rebuilds: 0,
        }
    }

    fn command(&self, user: Option<&str>, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_duedesk"));
        if let Some(user) = user {
            cmd.args(["--as", user]);
        }
        cmd.args(args)
            .env("DUEDESK_DB", &self.db)
            .env("DUEDESK_TODAY", self.today.to_string())
            .env("DUEDESK_ACCRUAL_PART", ACCRUAL_PART)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs a command to its end.
    fn ok(&self, user: Option<&str>, args: &[&str]) -> String {
        let output = self.command(user, args).output().unwrap();
        assert!(
            output.status.success(),
            "duedesk {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs a command and, unless `kill_after` is `None`, kills it with SIGKILL once that
    /// much time has passed (if it is still running).
    fn run(
        &mut self,
        op: Op,
        user: Option<&str>,
        args: &[&str],
        kill_after: Option<Duration>,
    ) -> Outcome {
        let started = Instant::now();
        let mut child = self.command(user, args).spawn().unwrap();
        let mut killed = false;
        if let Some(delay) = kill_after {
            loop {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if started.elapsed() >= delay {
                    child.kill().unwrap();
                    killed = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(2).min(delay));
            }
        }
        let output = child.wait_with_output().unwrap();
        let killed = killed && output.status.code().is_none();
        if killed {
            *self.kills.entry(op).or_default() += 1;
        } else if outcome_err_is_empty(&output.stderr) {
            // Not a command that first finished a rebuild cut short (that takes longer).
            let took = started.elapsed();
            let typical = self.typical.entry(op).or_insert(took);
            *typical = (*typical * 3 + took) / 4;
        }
        let outcome = Outcome {
            killed,
            code: output.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&output.stdout).into_owned(),
            err: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        if outcome.err.contains("had been cut short") {
            self.redone_rebuilds += 1;
        }
        if !outcome.killed && outcome.code != 0 {
            // A refusal (a payment already confirmed, a lock already applied for) is fine;
            // a store that fails is not.
            for sign in ["database", "corrupt", "cannot be read", "panicked"] {
                assert!(
                    !outcome.err.contains(sign),
                    "{op:?} {args:?} failed on the store: {}",
                    outcome.err
                );
            }
        }
        outcome
    }

    /// Counts the run a killed accrual left unfinished, if it did.
    fn note_interrupted_run(&mut self) {
        let app = App::open(&self.db).unwrap();
        if app.store().accrual_run().unwrap().is_some() {
            self.interrupted_runs += 1;
        }
    }

    fn import_file(&self, n: usize) -> PathBuf {
        let path = self.files.join(format!("customers-{n}.csv"));
        let mut text = String::from("customer_id,name,phone,id_number,address,branch,collector\n");
        for row in 0..IMPORT_ROWS {
            text.push_str(&format!(
                "{},客户{n}-{row},13800{:06},340100199001011234,合肥市,合肥,wangjun\n",
                import_id(n, row),
                n * IMPORT_ROWS + row
            ));
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// One write, chosen by `rng`, perhaps killed; what returned success is acknowledged.
    fn step(&mut self, rng: &mut Rng, cycle: usize) {
        let total: u64 = MIX.iter().map(|(_, w)| w).sum();
        let mut pick = rng.below(total);
        let op = MIX
            .iter()
            .find(|(_, w)| {
                let hit = pick < *w;
                pick = pick.saturating_sub(*w);
                hit
            })
            .unwrap()
            .0;
        // Two in three are killed, somewhere within the time the write takes.
        let typical = self
            .typical
            .get(&op)
            .copied()
            .unwrap_or(Duration::from_millis(200));
        let kill_after = (rng.below(3) != 0).then(|| {
            let span = typical.as_micros() as u64 * 5 / 4 + 1;
            Duration::from_micros(rng.below(span))
        });
        let contract = self.contracts[rng.below(self.contracts.len() as u64) as usize].clone();
        match op {
            Op::Record => {
                let amount = format!("{}.{:02}", 10 + rng.below(500), rng.below(100));
                let today = self.today.to_string();
                let args = [
                    "payment",
                    "record",
                    "--contract",
                    &contract.0,
                    "--amount",
                    &amount,
                    "--received-on",
                    &today,
                    "--json",
                ];
                let o = self.run(op, None, &args, kill_after);
                if o.code == 0 && !o.killed {
                    let v: serde_json::Value = serde_json::from_str(&o.out).unwrap();
                    let id = v["id"].as_str().unwrap().to_string();
                    self.ack.payments.insert(id.clone());
                    self.pending.push(id);
                }
            }
            Op::Confirm | Op::Void => {
                let from = if op == Op::Confirm {
                    &mut self.pending
                } else {
                    &mut self.confirmed
                };
                if from.is_empty() {
                    return;
                }
                let id = from.remove(rng.below(from.len() as u64) as usize);
                let reason = format!("void {cycle}");
                let args: Vec<&str> = if op == Op::Confirm {
                    vec!["payment", "confirm", &id]
                } else {
                    vec!["payment", "void", &id, "--reason", &reason]
                };
                let o = self.run(op, None, &args, kill_after);
                if o.code == 0 && !o.killed {
                    if op == Op::Confirm {
                        self.ack.confirmed.insert(id.clone());
                        self.confirmed.push(id);
                    } else {
                        self.ack.voided.insert(id);
                    }
                } else if o.killed {
                    // Done or not: either way it may be tried again.
                    if op == Op::Confirm {
                        &mut self.pending
                    } else {
                        &mut self.confirmed
                    }
                    .push(id);
                }
            }
            Op::Contact => {
                self.contacts += 1;
                let result = format!("contact {}", self.contacts);
                let args = [
                    "contact",
                    "add",
                    &contract.0,
                    "--channel",
                    "call",
                    "--result",
                    &result,
                ];
                let o = self.run(op, None, &args, kill_after);
                if o.code == 0 && !o.killed {
                    self.ack.contacts.insert(result);
                }
            }
            Op::Import => {
                let n = self.imports;
                self.imports += 1;
                let file = self.import_file(n);
                let file = file.to_string_lossy().into_owned();
                let o = self.run(op, None, &["import", "customers", &file], kill_after);
                if o.code == 0 && !o.killed {
                    self.ack.imports.insert(n);
                }
            }
            Op::Accrue => {
                // A few days at a time: in the book's first months many contracts fall
                // overdue, so a run is many parts.
                self.today = self.today + Days::new(1 + rng.below(4));
                let through = self.today.to_string();
                let o = self.run(op, None, &["accrue", "--through", &through], kill_after);
                if o.code == 0 && !o.killed {
                    self.ack.accrued.insert(self.today);
                } else if o.killed {
                    self.note_interrupted_run();
                }
            }
            Op::Apply => {
                let Some((no, branch)) = self
                    .contracts
                    .iter()
                    .find(|(no, _)| !self.applied_for.contains(no))
                    .cloned()
                else {
                    return;
                };
                self.applied_for.insert(no.clone());
                let args = ["lock", "apply", "--contract", &no, "--reason", "crash test"];
                let o = self.run(op, None, &args, kill_after);
                if o.code == 0 && !o.killed {
                    let id = o.out.split_whitespace().next().unwrap().to_string();
                    assert!(id.starts_with('A'), "{}", o.out);
                    self.ack.applied.insert(id.clone());
                    self.applications.push((id, branch));
                }
            }
            Op::Approve => {
                if self.applications.is_empty() {
                    return;
                }
                let (id, branch) = self.applications.remove(0);
                let approver = approver_of(&branch);
                let args = ["approval", "approve", &id];
                let o = self.run(op, Some(approver), &args, kill_after);
                if o.code == 0 && !o.killed {
                    self.ack.approved.insert(id);
                } else if o.killed {
                    self.applications.push((id, branch));
                }
            }
            Op::Pick => {
                // Picking the machine the order holds already changes nothing (and journals
                // nothing): pick another.
                let order = self.order.clone();
                let show = self.ok(None, &["outbound", "show", &order]);
                let held = show
                    .lines()
                    .find_map(|l| l.strip_prefix("machine: "))
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                let others: Vec<&String> = self.serials.iter().filter(|s| **s != held).collect();
                let serial = others[rng.below(others.len() as u64) as usize].clone();
                let args = ["outbound", "pick", &order, "--serial", &serial];
                let o = self.run(op, Some("xiaoshou_hf"), &args, kill_after);
                if o.code == 0 && !o.killed {
                    self.ack.picked.push(serial);
                }
            }
            Op::Rebuild => {
                let o = self.run(op, None, &["rebuild"], kill_after);
                if o.code == 0 && !o.killed {
                    self.ack.rebuilds += 1;
                }
            }
        }
    }
}

fn outcome_err_is_empty(err: &[u8]) -> bool {
    err.is_empty()
}

fn import_id(n: usize, row: usize) -> String {
    format!("K{n:04}-{row:03}")
}

fn approver_of(branch: &str) -> &'static str {
    match branch {
        "合肥" => "shenpi_hf",
        "滁州" => "shenpi_cz",
        "六安" => "shenpi_la",
        "武汉" => "shenpi_wh",
        _ => "shenpi_wu",
    }
}

/// Opens the database (it must open) and checks it: everything acknowledged is in the
/// journal, every import is all there or not at all, and, with `rebuild`, a replay of the
/// journal gives the projections it holds.
fn check(world: &World, rebuild: bool) -> App {
    let app = App::open(&world.db).unwrap_or_else(|e| panic!("the database does not open: {e}"));
    let mut seen = Acknowledged::default();
    for entry in app.store().journal::<Mutation>() {
        let (_, mutation) = entry.expect("every journal entry reads");
        match mutation {
            Mutation::RecordPayment { id, .. } => {
                seen.payments.insert(id);
            }
            Mutation::ConfirmPayment { id } => {
                seen.confirmed.insert(id);
            }
            Mutation::VoidPayment { id, .. } => {
                seen.voided.insert(id);
            }
            Mutation::AddContact { result, .. } => {
                seen.contacts.insert(result);
            }
            Mutation::AccruePart {
                through,
                upto: None,
                ..
            } => {
                seen.accrued.insert(through);
            }
            Mutation::Apply { id, .. } => {
                seen.applied.insert(id);
            }
            Mutation::Approve { id, .. } => {
                seen.approved.insert(id);
            }
            Mutation::Pick { order, serial } if order == world.order => seen.picked.push(serial),
            Mutation::Rebuild { .. } => seen.rebuilds += 1,
            _ => {}
        }
    }
    let ack = &world.ack;
    for (what, acked, held) in [
        ("payment", &ack.payments, &seen.payments),
        ("confirmation", &ack.confirmed, &seen.confirmed),
        ("void", &ack.voided, &seen.voided),
        ("contact", &ack.contacts, &seen.contacts),
        ("application", &ack.applied, &seen.applied),
        ("approval", &ack.approved, &seen.approved),
    ] {
        let lost: Vec<_> = acked.difference(held).collect();
        assert!(lost.is_empty(), "acknowledged {what}s lost: {lost:?}");
    }
    let lost: Vec<_> = ack.accrued.difference(&seen.accrued).collect();
    assert!(
        lost.is_empty(),
        "acknowledged accruals not finished: {lost:?}"
    );
    assert!(seen.rebuilds >= ack.rebuilds, "a rebuild's event lost");
    // The acknowledged picks happened in this order, among picks cut short.
    let mut journal_picks = seen.picked.iter();
    for serial in &ack.picked {
        assert!(
            journal_picks.any(|s| s == serial),
            "acknowledged pick of {serial} lost (or out of order)"
        );
    }
    let store = app.store();
    for n in 0..world.imports {
        let held = (0..IMPORT_ROWS)
            .filter(|&row| store.customer(&import_id(n, row)).unwrap().is_some())
            .count();
        assert!(
            held == 0 || held == IMPORT_ROWS,
            "import {n} is half there: {held} of {IMPORT_ROWS} customers"
        );
        if ack.imports.contains(&n) {
            assert_eq!(held, IMPORT_ROWS, "acknowledged import {n} lost");
        }
    }
    if rebuild {
        let live = store.projection_dump().unwrap();
        app.rebuild().unwrap();
        assert!(
            live == store.projection_dump().unwrap(),
            "a rebuild gives other projections"
        );
    }
    app
}

#[test]
fn writes_killed_at_random_moments_lose_nothing_acknowledged() {
    let cycles: usize = std::env::var("DUEDESK_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("DUEDESK_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash test: {cycles} cycles, DUEDESK_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::new(
        dir.path().join("db"),
        dir.path().to_path_buf(),
        NaiveDate::parse_from_str(START, "%Y-%m-%d").unwrap(),
    );
    world.ok(None, &["demo", "--no-tui", "--contracts", "100"]);
    let overdue: serde_json::Value =
        serde_json::from_str(&world.ok(None, &["overdue", "--json"])).unwrap();
    world.contracts = overdue
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["contract_no"].as_str().unwrap().to_string(),
                row["branch"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        world.contracts.len() >= 5,
        "the demo book has overdue contracts"
    );
    // The demo's draft order (its contract's model is SY75C) and the machines it may pick.
    let orders = world.ok(None, &["outbound", "list"]);
    world.order = orders
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .expect("the demo book has an order")
        .to_string();
    let stock = world.ok(None, &["stock", "--model", "SY75C"]);
    world.serials = stock
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(world.serials.len() >= 2, "{stock}");

    for cycle in 1..=cycles {
        world.step(&mut rng, cycle);
        if cycle % CHECK_EVERY == 0 {
            let app = check(&world, cycle % (2 * CHECK_EVERY) == 0);
            drop(app);
        }
    }

    // An accrual left unfinished by a kill is finished by the next: run one to its end and
    // compare with each contract evaluated on its own (what an uninterrupted run gives).
    world.today = world.today + Days::new(1);
    let through = world.today.to_string();
    world.ok(None, &["accrue", "--through", &through]);
    world.ack.accrued.insert(world.today);
    let app = check(&world, true);
    let store = app.store();
    assert_eq!(store.accrued_through().unwrap(), Some(world.today));
    assert!(store.accrual_run().unwrap().is_none(), "the run finished");
    let settings = store.settings().unwrap();
    for no in store.contract_numbers().unwrap() {
        let contract = store.contract(&no).unwrap().unwrap();
        assert_eq!(
            app.cached_penalty(&no).unwrap(),
            evaluate(&contract, &settings, world.today).penalty_accrued,
            "contract {no}: the accrued penalty differs from an uninterrupted accrual's"
        );
    }
    let ctx = Ctx::new("admin", world.today, 0);
    let all = OverdueFilter::default();
    assert_eq!(
        app.overdue(&ctx, world.today, &all).unwrap(),
        app.overdue_without_projection(&ctx, world.today, &all)
            .unwrap(),
        "the overdue list from its lines differs from the one evaluated from the contracts"
    );
    let killed: usize = world.kills.values().sum();
    eprintln!(
        "crash test: {killed} kills in {cycles} cycles ({:?}), {} accrual runs left unfinished, {} rebuilds cut short and redone; acknowledged: {} payments, {} confirmations, {} voids, {} contacts, {} of {} imports, {} accruals, {} applications, {} approvals, {} picks, {} rebuilds",
        world.kills,
        world.interrupted_runs,
        world.redone_rebuilds,
        world.ack.payments.len(),
        world.ack.confirmed.len(),
        world.ack.voided.len(),
        world.ack.contacts.len(),
        world.ack.imports.len(),
        world.imports,
        world.ack.accrued.len(),
        world.ack.applied.len(),
        world.ack.approved.len(),
        world.ack.picked.len(),
        world.ack.rebuilds,
    );
    assert!(killed > cycles / 4, "many writes were killed");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// What an accrual decides: each contract's accrued penalty and the overdue list.
fn accrual_figures(db: &std::path::Path, through: NaiveDate) -> (Vec<String>, String) {
    let app = App::open(db).unwrap();
    let store = app.store();
    assert_eq!(store.accrued_through().unwrap(), Some(through));
    assert!(store.accrual_run().unwrap().is_none());
    let penalties = store
        .contract_numbers()
        .unwrap()
        .into_iter()
        .map(|no| format!("{no} {}", app.cached_penalty(&no).unwrap()))
        .collect();
    let ctx = Ctx::new("admin", through, 0);
    let overdue = app
        .overdue(&ctx, through, &OverdueFilter::default())
        .unwrap();
    (penalties, format!("{overdue:?}"))
}

/// An accrual run killed between its parts (SIGKILL at moments swept across the time a
/// run takes, until some land inside one) is finished by the next `accrue` to the same
/// figures as the run on a copy of the book that nobody interrupted.
#[test]
fn an_accrual_run_cut_by_a_kill_finishes_to_the_figures_of_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let start = NaiveDate::parse_from_str(START, "%Y-%m-%d").unwrap();
    let through = start + Days::new(45);
    let world = |db: PathBuf| World::new(db, dir.path().to_path_buf(), through);
    let template = dir.path().join("template");
    let mut demo = world(template.clone());
    demo.today = start;
    demo.ok(None, &["demo", "--no-tui", "--contracts", "100"]);
    let whole_db = dir.path().join("whole");
    copy_dir(&template, &whole_db);
    let mut whole = world(whole_db.clone());
    let accrue = ["accrue", "--through", &through.to_string()];
    let o = whole.run(Op::Accrue, None, &accrue, None);
    assert_eq!(o.code, 0, "{}", o.err);
    assert!(
        !o.out.contains(" 0 contracts"),
        "a run with work: {}",
        o.out
    );
    let typical = whole.typical[&Op::Accrue];
    let expected = accrual_figures(&whole_db, through);

    let mut finished = 0;
    for attempt in 0..120u32 {
        let cut_db = dir.path().join(format!("cut{attempt}"));
        copy_dir(&template, &cut_db);
        let mut cut = world(cut_db.clone());
        let delay = typical * (attempt % 24 + 1) / 24;
        let o = cut.run(Op::Accrue, None, &accrue, Some(delay));
        let unfinished = o.killed && {
            let app = App::open(&cut_db).unwrap();
            app.store().accrual_run().unwrap().is_some()
        };
        if unfinished {
            let out = cut.ok(None, &accrue);
            assert!(out.contains("interrupted accrual"), "{out}");
            assert_eq!(
                accrual_figures(&cut_db, through),
                expected,
                "a run cut after {delay:?} finished to other figures"
            );
            finished += 1;
        }
        std::fs::remove_dir_all(&cut_db).unwrap();
        if finished == 3 {
            break;
        }
    }
    eprintln!("accrual runs cut and finished: {finished}");
    assert!(finished > 0, "no kill landed inside an accrual run");
}
