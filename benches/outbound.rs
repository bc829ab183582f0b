//! Machine-system benchmark (issue 5) on a generated book of 20,000 machines and 100,000
//! contracts: the pick dialog's keystroke → frame at 80×24 and 120×40 (median and p99 over
//! a scripted sequence of typed characters and backspaces), and the stock report.
//!
//! `cargo bench --bench outbound` (release). `DUEDESK_BENCH_CONTRACTS=N` and
//! `DUEDESK_BENCH_MACHINES=N` change the book's size. The machines and orders go on a copy
//! of the shared bench book of contracts (`benches/common`), kept under `target/tui-bench/`
//! for later runs; delete that folder to generate them again.
//!
//! Targets: pick dialog ≤ 16 ms p99 per keystroke; stock report ≤ 100 ms.

mod common;

use common::*;
use duedesk::app::{App, Mutation};
use duedesk::domain::outbound::{Machine, MachineStock};
use duedesk::ui::Session;
use duedesk::ui::state::Popup;
use ratatui::crossterm::event::Event;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Bump when the machines or orders added change shape.
const MACHINES_VERSION: u32 = 2;
/// Orders created (each picking a machine), so the stock has reserved machines.
const ORDERS: usize = 300;

/// (model, type): the contracts' models (`common::MODELS`, all excavators) and others.
const MACHINE_MODELS: &[(&str, &str)] = &[
    ("SY75C", "excavator"),
    ("SY135", "excavator"),
    ("SY215", "excavator"),
    ("XE60", "excavator"),
    ("ZX120", "excavator"),
    ("PC200", "excavator"),
    ("CAT320", "excavator"),
    ("SY365H", "excavator"),
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

fn machines_batch(rng: &mut Rng, from: usize, to: usize) -> Vec<Mutation> {
    (from..to)
        .map(|i| {
            let (model, kind) = MACHINE_MODELS[i % MACHINE_MODELS.len()];
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

/// The shared book of contracts plus `machines` machines and `ORDERS` orders, each holding
/// a machine of its contract's model (or of the same type); generated on first use.
fn machine_book(contracts: usize, machines: usize) -> PathBuf {
    assert!(
        MODELS
            .iter()
            .all(|m| MACHINE_MODELS.iter().any(|(mm, _)| mm == m)),
        "every contract model has machines"
    );
    let base = book(contracts);
    let dir = base.parent().unwrap().with_file_name(format!(
        "outbound-{contracts}-{machines}-v{MACHINES_VERSION}"
    ));
    let db = dir.join("db");
    if dir.join("complete").exists() {
        return db;
    }
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&base, &db);
    eprintln!(
        "adding {machines} machines and {ORDERS} orders in {}",
        dir.display()
    );
    let started = Instant::now();
    let app = App::open(&db).unwrap();
    let c = ctx();
    let mut rng = Rng(0x5eed_0b0a_d000_0005);
    for from in (0..machines).step_by(1000) {
        let to = (from + 1000).min(machines);
        app.execute_batch(&c, &machines_batch(&mut rng, from, to))
            .unwrap();
    }
    // Orders on the first contracts that take one (a settled contract does not).
    let mut orders = 0;
    for i in 0..contracts {
        if orders == ORDERS {
            break;
        }
        let create = Mutation::CreateOrder {
            id: String::new(),
            contract: format!("HT-{i:06}"),
        };
        let Ok(order) = app.execute(&c, create) else {
            continue;
        };
        let order = order.id.unwrap();
        let pickable = app.pickable(&c, &order).unwrap();
        if let Some(m) = pickable.get(orders % pickable.len().max(1)) {
            let pick = Mutation::Pick {
                order,
                serial: m.serial.clone(),
            };
            app.execute(&c, pick).unwrap();
        }
        orders += 1;
    }
    drop(app);
    std::fs::write(dir.join("complete"), b"").unwrap();
    eprintln!("added in {:.1} s", started.elapsed().as_secs_f64());
    db
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
    let contracts = size("DUEDESK_BENCH_CONTRACTS", 100_000, 2_000);
    let machines = size("DUEDESK_BENCH_MACHINES", 20_000, 1_000);
    let db = machine_book(contracts, machines);
    let app = App::open(&db).unwrap();
    let c = ctx();

    // The stock report, several runs.
    let mut report_times = Vec::new();
    let mut models = 0;
    for _ in 0..9 {
        let t = Instant::now();
        models = app.stock_report(&c).unwrap().len();
        report_times.push(t.elapsed());
    }

    // Open an order whose contract is for an excavator (most machines are pickable).
    let mut session = Session::new(&app, c.clone(), settings()).unwrap();
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

    // Keystroke → frame, five rounds of the script at each size.
    let keys = script();
    let mut frames = Vec::new();
    for (w, h) in [(80, 24), (120, 40)] {
        let counter = Counter::default();
        let mut t = terminal_of(&counter, w, h);
        t.draw_lean(|f| session.draw(f)).unwrap();
        let mut times = Vec::new();
        for _round in 0..5 {
            for event in &keys {
                times.push(stroke(&mut session, &mut t, &counter, event).0);
            }
        }
        frames.push((format!("pick: keystroke → frame {w}×{h}"), times));
    }
    assert!(matches!(session.state.popup, Some(Popup::Pick(_))));

    println!(
        "\nbook: {contracts} contracts, {machines} machines ({models} models), \
         {pickable} pickable for an SY75C order, {} keys a round",
        keys.len()
    );
    println!("\n| what | median | p99 | max |\n|---|---|---|---|");
    let row = |name: &str, v: &[Duration]| {
        println!(
            "| {name} | {} | {} | {} |",
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.99)),
            ms(percentile(v, 1.0))
        );
    };
    for (name, times) in &frames {
        row(name, times);
    }
    row("stock report (9 runs)", &report_times);
    println!("| pick dialog open | {} | | |", ms(open_time));
    let p99 = frames
        .iter()
        .map(|(_, t)| percentile(t, 0.99))
        .max()
        .unwrap();
    let met = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "\ntargets: pick p99 ≤ 16 ms: {}; stock report median ≤ 100 ms: {}",
        met(p99 <= Duration::from_millis(16)),
        met(percentile(&report_times, 0.5) <= Duration::from_millis(100))
    );
}
