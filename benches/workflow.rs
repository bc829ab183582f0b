//! Workflow benchmarks (issue 4, a benchmark, not a timed test): with the generated book of
//! 100,000 contracts and 10,000 applications in every state, opening the approvals inbox
//! and the tow board, and each keystroke in them.
//!
//! `cargo bench --bench workflow` (release). `DUEDESK_BENCH_CONTRACTS=N` and
//! `DUEDESK_BENCH_APPLICATIONS=N` change the sizes. The book with its applications is kept
//! under `target/tui-bench/` for later runs.
//!
//! Target: opening each screen and each keystroke in it ≤ 16 ms p99.

mod common;

use common::*;
use duedesk::app::{App, ApplicationFilter, Ctx, Mutation, OverdueFilter};
use duedesk::domain::Role;
use duedesk::domain::approval::DocumentType;
use duedesk::ui::Session;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn as_user(name: &str) -> Ctx {
    Ctx::new(name, day(TODAY), 1_781_500_000)
}

/// The generated book plus users and `n` applications in every stage.
fn book_with_applications(contracts: usize, n: usize) -> PathBuf {
    let base = book(contracts);
    let dir = base
        .parent()
        .unwrap()
        .with_file_name(format!("workflow-{contracts}-{n}-v4"));
    let db = dir.join("db");
    if dir.join("complete").exists() {
        return db;
    }
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&base, &db);
    let started = Instant::now();
    let app = App::open(&db).unwrap();
    let admin = ctx();
    let mut users = Vec::new();
    for b in BRANCHES {
        users.push(Mutation::AddUser {
            name: format!("appr-{b}"),
            display: String::new(),
            roles: vec![Role::Approver],
            branch: Some(b.to_string()),
        });
        users.push(Mutation::AddUser {
            name: format!("clerk-{b}"),
            display: String::new(),
            roles: vec![Role::Clerk],
            branch: Some(b.to_string()),
        });
    }
    app.execute_batch(&admin, &users).unwrap();

    // Applications on overdue contracts, each by the customer's collector.
    let rows = app
        .overdue(&admin, day(TODAY), &OverdueFilter::default())
        .unwrap();
    let mut by_collector: BTreeMap<String, Vec<Mutation>> = BTreeMap::new();
    for (i, row) in rows.iter().take(n).enumerate() {
        let document = if i % 3 == 0 {
            DocumentType::Lock
        } else {
            DocumentType::Tow
        };
        by_collector
            .entry(row.collector.clone())
            .or_default()
            .push(Mutation::Apply {
                id: String::new(),
                document,
                contract: row.contract_no.clone(),
                reason: "催收不顺".into(),
                location: "工地".into(),
            });
    }
    for (collector, batch) in &by_collector {
        for chunk in batch.chunks(500) {
            app.execute_batch(&as_user(collector), chunk).unwrap();
        }
    }
    // Decide most of them: 40% stay in review, 10% rejected, the rest approved.
    let all = app
        .applications(&admin, &ApplicationFilter::default())
        .unwrap();
    let mut decisions: BTreeMap<String, Vec<Mutation>> = BTreeMap::new();
    for (i, a) in all.iter().enumerate() {
        let m = match i % 10 {
            0..=3 => continue,
            4 => Mutation::Reject {
                id: a.id.clone(),
                comment: "先上门".into(),
            },
            _ => Mutation::Approve {
                id: a.id.clone(),
                comment: String::new(),
            },
        };
        decisions
            .entry(format!("appr-{}", a.branch))
            .or_default()
            .push(m);
    }
    for (approver, batch) in &decisions {
        for chunk in batch.chunks(500) {
            app.execute_batch(&as_user(approver), chunk).unwrap();
        }
    }
    // The clerks move approved ones on: register tows (then complete or fail some), execute locks.
    let approved: Vec<_> = app
        .applications(
            &admin,
            &ApplicationFilter {
                stages: vec![duedesk::domain::workflow::Stage::Approved],
                ..Default::default()
            },
        )
        .unwrap();
    let mut work: BTreeMap<String, Vec<Mutation>> = BTreeMap::new();
    for (i, a) in approved.iter().enumerate() {
        let clerk = format!("clerk-{}", a.branch);
        if a.document == "lock" {
            if i % 2 == 0 {
                work.entry(clerk).or_default().push(Mutation::Execute {
                    id: a.id.clone(),
                    command_status: None,
                });
            }
            continue;
        }
        if i % 4 == 0 {
            continue; // awaiting registration
        }
        let list = work.entry(clerk).or_default();
        list.push(Mutation::RegisterTow {
            id: a.id.clone(),
            crew: vec!["老王".into()],
            planned_on: day(TODAY),
            location: "工地".into(),
            note: String::new(),
        });
        match i % 4 {
            1 => list.push(Mutation::CompleteTow {
                id: a.id.clone(),
                towed_on: day(TODAY),
                yard: "一号场".into(),
                condition: String::new(),
                cost: duedesk::domain::Money::from_cents(300_000),
            }),
            2 => list.push(Mutation::FailTow {
                id: a.id.clone(),
                reason: "机器已转移".into(),
            }),
            _ => {}
        }
    }
    for (clerk, batch) in &work {
        for chunk in batch.chunks(500) {
            app.execute_batch(&as_user(clerk), chunk).unwrap();
        }
    }
    drop(app);
    std::fs::write(dir.join("complete"), b"").unwrap();
    eprintln!(
        "added {n} applications in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    db
}

fn report(name: &str, times: &[Duration]) {
    println!(
        "| {name} | {} | {} | {} |",
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.99)),
        times.len()
    );
}

/// Opens a screen by its digit from the dashboard, `rounds` times, and moves through it.
fn screen(app: &App, user: &str, digit: char, label: &str) {
    let counter = Counter::default();
    let mut t = terminal(&counter);
    let mut s = Session::new(app, as_user(user), settings()).unwrap();
    t.draw_lean(|f| s.draw(f)).unwrap();
    let mut open = Vec::new();
    let mut keys = Vec::new();
    for _ in 0..20 {
        open.push(stroke(&mut s, &mut t, &counter, &char_key(digit)).0);
        for k in ["j", "j", "j", "k", "G", "g"] {
            keys.push(stroke(&mut s, &mut t, &counter, &key(k)).0);
        }
        stroke(&mut s, &mut t, &counter, &char_key('1'));
    }
    report(&format!("open {label} ({user})"), &open);
    report(&format!("keystroke in {label}"), &keys);
}

fn main() {
    let contracts = size("DUEDESK_BENCH_CONTRACTS", 100_000, 2_000);
    let applications = size("DUEDESK_BENCH_APPLICATIONS", 10_000, 300);
    let db = book_with_applications(contracts, applications);
    let app = App::open(&db).unwrap();
    let admin = ctx();
    let all = app
        .applications(&admin, &ApplicationFilter::default())
        .unwrap();
    let mut stages: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &all {
        *stages.entry(a.stage).or_default() += 1;
    }
    println!(
        "book: {contracts} contracts, {} applications: {stages:?}",
        all.len()
    );
    let branch = BRANCHES[0];
    let approver = format!("appr-{branch}");
    let clerk = format!("clerk-{branch}");

    println!("\n| what | median | p99 | n |\n|---|---|---|---|");
    let mut q = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        let mine = app
            .applications(
                &as_user(&approver),
                &ApplicationFilter {
                    awaiting_me: true,
                    ..Default::default()
                },
            )
            .unwrap();
        let inbox = app.inbox(&as_user(&approver)).unwrap();
        std::hint::black_box((mine.len(), inbox.len()));
        q.push(started.elapsed());
    }
    report("app: my pending steps + inbox", &q);
    let mut q = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        std::hint::black_box(app.tow_board(&as_user(&clerk)).unwrap().len());
        q.push(started.elapsed());
    }
    report("app: tow board", &q);
    screen(&app, &approver, '4', "approvals inbox");
    screen(&app, &clerk, '5', "tow board");
}
