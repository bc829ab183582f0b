//! Machine-system benchmark (issue 5) on a generated book of 20,000 machines and 100,000
//! contracts: the pick dialog's time per keystroke (p50/p99 over a scripted sequence of
//! typed characters and backspaces), and the stock report (median of several runs).
//!
//! `cargo bench --bench outbound` (release). `DUEDESK_BENCH_CONTRACTS=N` and
//! `DUEDESK_BENCH_MACHINES=N` change the book's size. The book is generated once through
//! `App::execute_batch` in chunks of 1,000 and kept under `target/outbound-bench/`; delete
//! that folder to generate it again.
//!
//! Targets: pick dialog ≤ 16 ms p99 per keystroke; stock report ≤ 100 ms.

use chrono::NaiveDate;
use duedesk::app::{App, Ctx, Mutation, NewContract};
use duedesk::domain::outbound::{Machine, MachineStock};
use duedesk::domain::{Customer, Installment, Money};
use duedesk::ui::i18n::Lang;
use duedesk::ui::keymap::{Key, KeyMap};
use duedesk::ui::state::Popup;
use duedesk::ui::theme::Theme;
use duedesk::ui::{Session, Settings};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-06-15";
/// Bump when the generated book changes shape.
const BOOK_VERSION: u32 = 1;
/// Orders created (each picking a machine), so the stock has reserved machines.
const ORDERS: usize = 300;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ctx() -> Ctx {
    Ctx::new("admin", day(TODAY), 1_781_500_000)
}

/// xorshift64*: deterministic, so the book is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// (model, type)
const MODELS: &[(&str, &str)] = &[
    ("SY75C", "excavator"),
    ("SY135C", "excavator"),
    ("SY215C", "excavator"),
    ("SY365H", "excavator"),
    ("XE60DA", "excavator"),
    ("ZX120", "excavator"),
    ("PC200", "excavator"),
    ("CAT320", "excavator"),
    ("ZL50GN", "loader"),
    ("LW500", "loader"),
    ("SEM655", "loader"),
    ("XS123", "roller"),
];
const YARDS: &[&str] = &[
    "合肥一号场",
    "合肥二号场",
    "芜湖场",
    "蚌埠场",
    "阜阳场",
    "安庆场",
    "Hangzhou North",
    "Ningbo Port",
];

fn contracts_batch(rng: &mut Rng, from: usize, to: usize) -> Vec<Mutation> {
    let mut out = Vec::with_capacity((to - from) * 3);
    for i in from..to {
        let customer_id = format!("C{i:06}");
        out.push(Mutation::PutCustomer(Customer {
            id: customer_id.clone(),
            name: format!("客户{i}"),
            phone: String::new(),
            id_number: String::new(),
            address: String::new(),
            branch: "合肥".into(),
            collector: "li".into(),
        }));
        let no = format!("HT-{i:06}");
        let (model, _) = MODELS[rng.below(MODELS.len() as u64) as usize];
        out.push(Mutation::AddContract(NewContract {
            no: no.clone(),
            customer_id,
            signed_on: day("2026-03-01"),
            model: model.into(),
            serial: String::new(),
            financed: Money::from_cents(20_000_000),
            penalty_rate: None,
            grace_days: None,
        }));
        out.push(Mutation::AddInstallments {
            contract: no,
            installments: (1..=2)
                .map(|seq| Installment {
                    seq,
                    due: day(if seq == 1 { "2026-04-01" } else { "2026-05-01" }),
                    principal: Money::from_cents(10_000_000),
                    interest: Money::from_cents(0),
                })
                .collect(),
        });
    }
    out
}

fn machines_batch(rng: &mut Rng, from: usize, to: usize) -> Vec<Mutation> {
    (from..to)
        .map(|i| {
            let (model, kind) = MODELS[i % MODELS.len()];
            let days_ago = rng.below(400) as i64;
            Mutation::AddMachine(Machine {
                serial: format!("{model}-{i:06}"),
                model: model.into(),
                machine_type: kind.into(),
                yard: YARDS[rng.below(YARDS.len() as u64) as usize].into(),
                arrived_on: day(TODAY) - chrono::Duration::days(days_ago),
                state: MachineStock::InStock,
            })
        })
        .collect()
}

/// The cached book, generated on first use.
fn book(contracts: usize, machines: usize) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target
        .join("outbound-bench")
        .join(format!("book-{contracts}-{machines}-v{BOOK_VERSION}"));
    let done = dir.join("complete");
    let db = dir.join("db");
    if done.exists() {
        return db;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    eprintln!(
        "generating {contracts} contracts and {machines} machines in {}",
        dir.display()
    );
    let started = Instant::now();
    let app = App::open(&db).unwrap();
    let c = ctx();
    let mut rng = Rng(0x5eed_0b0a_d000_0005);
    let chunk = 1000;
    for from in (0..machines).step_by(chunk) {
        let to = (from + chunk).min(machines);
        app.execute_batch(&c, &machines_batch(&mut rng, from, to))
            .unwrap();
    }
    for from in (0..contracts).step_by(chunk) {
        let to = (from + chunk).min(contracts);
        app.execute_batch(&c, &contracts_batch(&mut rng, from, to))
            .unwrap();
    }
    // Orders on the first contracts, each holding one machine of its model (or same type).
    for i in 0..ORDERS.min(contracts) {
        let order = app
            .execute(
                &c,
                Mutation::CreateOrder {
                    contract: format!("HT-{i:06}"),
                },
            )
            .unwrap()
            .id
            .unwrap();
        let pickable = app.pickable(&c, &order).unwrap();
        if let Some(m) = pickable.get(i % pickable.len().max(1)) {
            app.execute(
                &c,
                Mutation::Pick {
                    order,
                    serial: m.serial.clone(),
                },
            )
            .unwrap();
        }
    }
    drop(app);
    std::fs::write(&done, b"").unwrap();
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    db
}

fn key(spec: &str) -> Event {
    let k = Key::parse(spec).unwrap();
    Event::Key(KeyEvent {
        code: k.code,
        modifiers: k.mods,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

fn char_key(c: char) -> Event {
    Event::Key(KeyEvent {
        code: KeyCode::Char(c),
        modifiers: ratatui::crossterm::event::KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

fn percentile(values: &[Duration], p: f64) -> Duration {
    let mut v = values.to_vec();
    v.sort();
    let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// The scripted typing: queries typed a character at a time, with backspaces, clears
/// (ctrl-u) and edits that do not extend the query before.
fn script() -> Vec<Event> {
    let mut out = Vec::new();
    let typed = |text: &str, out: &mut Vec<Event>| out.extend(text.chars().map(char_key));
    for (query, back) in [
        ("sy75c-00", 3),
        ("合肥一号", 2),
        ("pc200 芜湖", 4),
        ("0123", 4),
        ("cat320-01", 5),
        ("hangzhou", 8),
        ("zx120 ningbo 00", 6),
        ("xyz", 3),
        ("-0000", 2),
    ] {
        typed(query, &mut out);
        out.extend((0..back).map(|_| key("backspace")));
        out.push(key("ctrl-u"));
    }
    out
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs a tiny book only.
    let benching = std::env::args().any(|a| a == "--bench");
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let contracts = env(
        "DUEDESK_BENCH_CONTRACTS",
        if benching { 100_000 } else { 1_000 },
    );
    let machines = env(
        "DUEDESK_BENCH_MACHINES",
        if benching { 20_000 } else { 1_000 },
    );
    let db = book(contracts, machines);
    let app = App::open(&db).unwrap();
    let c = ctx();
    let settings = Settings {
        lang: Lang::Zh,
        theme: Theme::load("default").unwrap(),
        keys: KeyMap::default(),
    };

    // The stock report, several runs.
    let mut report_times = Vec::new();
    let mut models = 0;
    for _ in 0..9 {
        let t = Instant::now();
        models = app.stock_report(&c).unwrap().len();
        report_times.push(t.elapsed());
    }

    // Open an order whose contract is for an excavator (most machines are pickable).
    let mut session = Session::new(&app, c.clone(), settings).unwrap();
    session.handle(&key("8"));
    let row = session
        .state
        .orders
        .rows
        .iter()
        .position(|o| o.contract_model == "SY75C" && o.state == "draft")
        .expect("an SY75C order");
    for _ in 0..row {
        session.handle(&key("j"));
    }
    session.handle(&key("enter"));
    let t = Instant::now();
    session.handle(&key("p"));
    let open_time = t.elapsed();
    let pickable = match &session.state.popup {
        Some(Popup::Pick(p)) => p.rows.len(),
        other => panic!("no pick dialog: {other:?}"),
    };

    // Keystrokes: the update alone, and update plus drawing the frame at 120×40.
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| session.draw(f)).unwrap();
    let mut update_times = Vec::new();
    let mut frame_times = Vec::new();
    let keys = script();
    for _round in 0..5 {
        for event in &keys {
            let t = Instant::now();
            session.handle(event);
            update_times.push(t.elapsed());
            terminal.draw(|f| session.draw(f)).unwrap();
            frame_times.push(t.elapsed());
        }
    }
    assert!(matches!(session.state.popup, Some(Popup::Pick(_))));

    let report_median = percentile(&report_times, 0.5);
    let p99 = percentile(&frame_times, 0.99);
    println!();
    println!(
        "duedesk outbound benchmark: {contracts} contracts, {machines} machines ({models} models), {pickable} pickable for an SY75C order"
    );
    println!(
        "{:<44} {:>12} {:>12} {:>12}",
        "measure", "p50", "p99", "max"
    );
    let row = |name: &str, v: &[Duration]| {
        println!(
            "{:<44} {:>12} {:>12} {:>12}",
            name,
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.99)),
            ms(percentile(v, 1.0))
        );
    };
    row(
        &format!("pick: keystroke → state ({} keys)", update_times.len()),
        &update_times,
    );
    row("pick: keystroke → state + frame 120×40", &frame_times);
    row("stock report (9 runs)", &report_times);
    println!(
        "{:<44} {:>12}",
        "pick dialog open (load + keys)",
        ms(open_time)
    );
    println!();
    println!(
        "targets: pick p99 ≤ 16 ms: {}; stock report median ≤ 100 ms: {}",
        if p99 <= Duration::from_millis(16) {
            "met"
        } else {
            "MISSED"
        },
        if report_median <= Duration::from_millis(100) {
            "met"
        } else {
            "MISSED"
        }
    );
}
