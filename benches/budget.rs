//! `cargo bench --bench budget`: the fund budget on the generated book of 100,000 contracts
//! (the TUI benchmark's book, cached under `target/tui-bench/`; `DUEDESK_BENCH_CONTRACTS=N`
//! changes the size), copied, with a year of approved budgets (2025-07 to 2026-06) for every
//! branch: a collection line per collector, one for the rest, and the four spending lines.
//!
//! Targets (issue 14): a month's budget (`budget show`) ≤ 100 ms; booking the actuals adds
//! ≤ 5 % to confirming a payment. The booking's share is measured two ways: booking payments
//! into the aggregates the way `ConfirmPayment` does, without the rest of the confirmation,
//! in one write (a confirmation adds its booking to the write it makes anyway); and whole
//! confirmations with booking and without (`App::bench_book_confirmations`), taken in turn,
//! the median of the pairs' differences against the median confirmation without.

mod common;

use common::*;
use duedesk::app::{App, Ctx, Mutation};
use duedesk::domain::budget::{Category, Line, LineKind, Month};
use duedesk::domain::{Money, Role};
use duedesk::store::Reader;
use std::time::{Duration, Instant};

const RUNS: usize = 20;
const PAYMENTS: usize = 200;
/// Confirmations with and without booking, timed in turn.
const PAIRS: usize = 1_000;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn lines(rng: &mut Rng) -> Vec<Line> {
    let mut out: Vec<Line> = COLLECTORS
        .iter()
        .map(|c| Line {
            kind: LineKind::Collection,
            collector: Some(c.to_string()),
            amount: Money::from_cents(5_000_000 + rng.below(5_000_000) as i64),
        })
        .collect();
    out.push(Line {
        kind: LineKind::Collection,
        collector: None,
        amount: Money::from_cents(1_000_000),
    });
    for category in Category::ALL {
        out.push(Line {
            kind: LineKind::Spending(category),
            collector: None,
            amount: Money::from_cents(100_000 + rng.below(500_000) as i64),
        });
    }
    out
}

/// A year of approved budgets for every branch, drafted and submitted by the admin and
/// approved by finance.
fn budgets(app: &App, c: &Ctx) {
    app.execute(
        c,
        Mutation::AddUser {
            name: "fin".into(),
            display: "fin".into(),
            roles: vec![Role::Finance],
            branch: None,
        },
    )
    .unwrap();
    let fin = Ctx::new("fin", c.today, c.now);
    let mut rng = Rng(0x00b0_d9e7);
    let mut month = Month::parse("2025-07").unwrap();
    for _ in 0..12 {
        for branch in BRANCHES {
            app.execute(
                c,
                Mutation::DraftBudget {
                    month,
                    branch: branch.to_string(),
                    lines: lines(&mut rng),
                },
            )
            .unwrap();
            let id = app
                .execute(
                    c,
                    Mutation::SubmitBudget {
                        application: String::new(),
                        month,
                        branch: branch.to_string(),
                    },
                )
                .unwrap()
                .id
                .unwrap();
            app.execute(
                &fin,
                Mutation::Approve {
                    id,
                    comment: String::new(),
                },
            )
            .unwrap();
        }
        month = month.next();
    }
}

fn main() {
    let contracts = size("DUEDESK_BENCH_CONTRACTS", 100_000, 2_000);
    let shared = book(contracts);
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shared, dir.path());
    let app = App::open(dir.path()).unwrap();
    let c = ctx();
    let started = Instant::now();
    budgets(&app, &c);
    eprintln!(
        "a year of budgets for {} branches in {:.1} s",
        BRANCHES.len(),
        started.elapsed().as_secs_f64()
    );
    let june = Month::parse("2026-06").unwrap();
    println!(
        "budget on {contracts} contracts, a year of budgets for {} branches; median of {RUNS} runs",
        BRANCHES.len()
    );
    println!("| what | median | slowest | target |");
    println!("| --- | --- | --- | --- |");
    for (what, branch) in [
        ("budget show 2026-06, every branch (query)", None),
        ("budget show 2026-06 --branch 杭州 (query)", Some("杭州")),
    ] {
        let times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                let view = app.budget_month(&c, june, branch).unwrap();
                assert!(!view.branches.is_empty());
                t.elapsed()
            })
            .collect();
        let slowest = *times.iter().max().unwrap();
        println!(
            "| {what} | {} | {} | ≤ 100 ms |",
            ms(median(times)),
            ms(slowest)
        );
    }
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            app.budget_league(&c, june).unwrap();
            t.elapsed()
        })
        .collect();
    println!(
        "| budget score 2026-06 (query) | {} | {} | |",
        ms(median(times.clone())),
        ms(*times.iter().max().unwrap())
    );

    // The budget screen (tab 0) as the admin sees it at 80×24: opening it loads the month
    // and the league table and draws; h and l step months, each a load and a frame.
    let counter = Counter::default();
    let mut term = terminal(&counter);
    let mut session = duedesk::ui::Session::new(&app, c.clone(), settings()).unwrap();
    term.draw_lean(|f| session.draw(f)).unwrap();
    let open = stroke(&mut session, &mut term, &counter, &key("0")).0;
    let times: Vec<Duration> = (0..RUNS)
        .map(|i| {
            let k = if i % 2 == 0 { "h" } else { "l" };
            stroke(&mut session, &mut term, &counter, &key(k)).0
        })
        .collect();
    println!(
        "| budget screen: open tab 0 (load and draw) | {} | | ≤ 100 ms |",
        ms(open)
    );
    println!(
        "| budget screen: step a month (h/l: load and draw) | {} | {} | ≤ 100 ms |",
        ms(median(times.clone())),
        ms(*times.iter().max().unwrap())
    );

    // Payments to confirm: one pending payment on each of 2 × PAYMENTS contracts (every
    // fourth of the first 4 × PAYMENTS confirmed in full, the next only booked), and 2 ×
    // PAIRS more for confirmations with and without booking, timed in turn.
    let mut ids = Vec::new();
    let mut booked_contracts = Vec::new();
    let n = 2 * PAIRS.max(2 * PAYMENTS);
    for i in 0..n {
        let no = format!("HT-{:06}", i * (contracts / n).max(1));
        if i % 4 == 1 && i < 4 * PAYMENTS {
            booked_contracts.push(no.clone());
        }
        if let Ok(outcome) = app.execute(
            &c,
            Mutation::RecordPayment {
                id: String::new(),
                contract: no,
                received_on: c.today,
                amount: Money::from_cents(100_000),
                method: "bank".into(),
                reference: "bench".into(),
                confirmed: false,
            },
        ) {
            ids.push(outcome.id.unwrap());
        }
    }
    let first: Vec<String> = ids.iter().take(4 * PAYMENTS).cloned().collect();
    let confirmed: Vec<String> = first.iter().step_by(4).cloned().collect();
    let booked: Vec<String> = first.iter().skip(1).step_by(4).cloned().collect();
    let rest: Vec<&String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| *i >= 4 * PAYMENTS || i % 4 >= 2)
        .map(|(_, id)| id)
        .collect();
    let with: Vec<String> = rest.iter().step_by(2).map(|id| id.to_string()).collect();
    let without: Vec<String> = rest
        .iter()
        .skip(1)
        .step_by(2)
        .map(|id| id.to_string())
        .collect();
    // A confirmation has read the contract and its customer (for the overdue line) by the
    // time it books: read them first here too, so the booking is timed as it runs there.
    for no in &booked_contracts {
        let contract = app.store().contract(no).unwrap().unwrap();
        app.store().customer(&contract.customer_id).unwrap();
    }
    let times: Vec<Duration> = confirmed
        .iter()
        .map(|id| {
            let t = Instant::now();
            app.execute(&c, Mutation::ConfirmPayment { id: id.clone() })
                .unwrap();
            t.elapsed()
        })
        .collect();
    let confirm = median(times);
    let payments = app.bench_payments(&booked).unwrap();
    let t = Instant::now();
    app.bench_book_payments_unjournaled(&c, &payments).unwrap();
    let booking = t.elapsed() / booked.len().max(1) as u32;
    let share = booking.as_secs_f64() / (confirm.as_secs_f64() - booking.as_secs_f64()) * 100.0;
    println!(
        "| confirming a payment ({} confirmed, median) | {} | | |",
        confirmed.len(),
        ms(confirm)
    );
    println!(
        "| of which booking its actuals (mean of {}) | {} | +{share:.1} % | ≤ 5 % |",
        booked.len(),
        ms(booking)
    );

    // The same as a whole: confirmations with and without booking, taken in turn so that the
    // machine's noise falls on both alike.
    let mut times = (Vec::new(), Vec::new());
    for (a, b) in with.iter().zip(&without) {
        for (id, on) in [(a, true), (b, false)] {
            app.bench_book_confirmations(on);
            let t = Instant::now();
            app.execute(&c, Mutation::ConfirmPayment { id: id.clone() })
                .unwrap();
            let took = t.elapsed();
            match on {
                true => times.0.push(took),
                false => times.1.push(took),
            }
        }
    }
    app.bench_book_confirmations(true);
    // The median of the pairs' differences, against the median without: a pair is taken
    // within a fraction of a millisecond, so drifts of the machine fall on both its halves.
    let mut differences: Vec<f64> = times
        .0
        .iter()
        .zip(&times.1)
        .map(|(a, b)| a.as_secs_f64() - b.as_secs_f64())
        .collect();
    differences.sort_by(f64::total_cmp);
    let difference = differences[differences.len() / 2];
    let (on, off) = (median(times.0), median(times.1));
    let added = difference / off.as_secs_f64() * 100.0;
    println!(
        "| confirming with booking against without, in turn ({} pairs; medians, and of the differences) | {} against {}: {:.1} µs more | {added:+.1} % | ≤ 5 % |",
        differences.len(),
        ms(on),
        ms(off),
        difference * 1e6
    );
}
