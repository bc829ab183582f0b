//! Terminal UI benchmarks on a generated book of 100,000 contracts (a benchmark, not a timed
//! test): start to first frame; keystroke → frame for move, search, sort, filter, go to
//! contract and the dashboard's views (switching, and keys in each); bytes
//! written at 80×24 through the crossterm backend into a counting writer.
//!
//! `cargo bench --bench tui` (release). `DUEDESK_BENCH_CONTRACTS=N` changes the book size.
//! The book is generated once through the App API and kept under
//! `target/tui-bench/` for later runs; delete that folder to generate it again.
//!
//! Targets (issue 3): first frame ≤ 300 ms; p99 keystroke → frame ≤ 16 ms; first paint
//! ≤ 4 KB; one-row move ≤ 300 B; a key that changes nothing 0 B.

mod common;

use common::*;
use duedesk::app::App;
use duedesk::ui::Session;
use duedesk::ui::backend::DrawLean;
use std::time::Instant;

/// Set in a child run: the database to open, time to its first frame, and exit.
const FIRST_FRAME: &str = "DUEDESK_BENCH_FIRST_FRAME";

/// A child run of this benchmark: opens the app on the database, builds the session, draws
/// the first frame and prints the times (µs from the start of `main`) and the bytes written.
fn first_frame(db: &std::path::Path) {
    let started = Instant::now();
    let app = App::open(db).unwrap();
    let opened = started.elapsed();
    let s = Session::new(&app, ctx(), settings()).unwrap();
    let loaded = started.elapsed();
    let counter = Counter::default();
    let mut t = terminal(&counter);
    t.draw_lean(|f| s.draw(f)).unwrap();
    let drawn = started.elapsed();
    println!(
        "{} {} {} {} {}",
        opened.as_micros(),
        loaded.as_micros(),
        drawn.as_micros(),
        counter.take(),
        s.state.dashboard.row_count()
    );
    // Exit as the program would on its first key: the rest is not part of starting.
    std::process::exit(0);
}

fn main() {
    if let Some(db) = std::env::var_os(FIRST_FRAME) {
        first_frame(std::path::Path::new(&db));
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it with no such flag and
    // then only a tiny book is used, to check that the benchmark works.
    let benching = std::env::args().any(|a| a == "--bench");
    let contracts: usize = std::env::var("DUEDESK_BENCH_CONTRACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 100_000 } else { 2_000 });
    let db = book(contracts);
    let c = ctx();

    // Start to first frame: each start a process of its own (this benchmark run again as a
    // child), as a user starting duedesk gets, with nothing left over from an earlier start.
    let mut open_times = Vec::new();
    let mut load_times = Vec::new();
    let mut first_frames = Vec::new();
    let mut first_paint = 0;
    let mut rows = 0;
    let us = |field: &str| std::time::Duration::from_micros(field.parse().unwrap());
    for _ in 0..7 {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env(FIRST_FRAME, &db)
            .output()
            .unwrap();
        assert!(out.status.success(), "the first-frame run failed: {out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [opened, loaded, drawn, paint, count] = fields[..] else {
            panic!("the first-frame run printed {text:?}");
        };
        open_times.push(us(opened));
        load_times.push(us(loaded) - us(opened));
        first_frames.push(us(drawn));
        first_paint = paint.parse().unwrap();
        rows = count.parse().unwrap();
    }

    // Leaked: the views' list is made on a thread of its own, as the front ends make it.
    let app: &'static App = Box::leak(Box::new(App::open(&db).unwrap()));
    // Where the load goes: the app's query, then the dashboard's own preparation.
    let mut query_times = Vec::new();
    let mut prepare_times = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let rows = app
            .overdue(&c, c.today, &duedesk::app::OverdueFilter::default())
            .unwrap();
        query_times.push(started.elapsed());
        let started = Instant::now();
        let d = duedesk::ui::screens::dashboard::Dashboard::of_rows(rows);
        prepare_times.push(started.elapsed());
        drop(d);
    }
    let mut s = Session::new(app, c.clone(), settings()).unwrap();
    // What `duedesk` and `duedesk serve` do after the first frame: make the list of every
    // contract the other views cut, on a thread of its own, while the first screen is used.
    let today = c.today;
    let prepared = std::thread::spawn(move || {
        let started = Instant::now();
        app.prepare_views(today).unwrap();
        started.elapsed()
    });
    let counter = Counter::default();
    let mut t = terminal(&counter);
    t.draw_lean(|f| s.draw(f)).unwrap();
    counter.take();

    // Move: j down the list.
    // Moves that keep the page (the cursor moves one row) and moves that scroll it.
    let mut moves = Samples::default();
    let mut in_page = Vec::new();
    let mut scrolling = Vec::new();
    for _ in 0..2000 {
        let offset = s.state.dashboard.nav.offset.get();
        let sample = stroke(&mut s, &mut t, &counter, &key("j"));
        if s.state.dashboard.nav.offset.get() == offset {
            in_page.push(sample.1);
        } else {
            scrolling.push(sample.1);
        }
        moves.add(sample);
    }
    // Keys that change nothing: an unmapped key, and k at the top after g.
    let mut noop = Samples::default();
    stroke(&mut s, &mut t, &counter, &key("g"));
    for _ in 0..100 {
        noop.add(stroke(&mut s, &mut t, &counter, &key("z")));
        noop.add(stroke(&mut s, &mut t, &counter, &key("k")));
    }

    // Search: `/`, a few characters (pinyin initials, full pinyin, digits), backspace, Esc.
    let mut search = Samples::default();
    let queries = [
        "zs", "zhang", "wxm", "lij", "138", "ht-0012", "chenj", "欧阳",
    ];
    for round in 0..10 {
        for q in queries {
            search.add(stroke(&mut s, &mut t, &counter, &key("/")));
            for ch in q.chars() {
                search.add(stroke(&mut s, &mut t, &counter, &char_key(ch)));
            }
            search.add(stroke(&mut s, &mut t, &counter, &key("backspace")));
            if round % 2 == 0 {
                search.add(stroke(&mut s, &mut t, &counter, &key("esc")));
            } else {
                // Keep the search, then clear it with the key map's clear.
                search.add(stroke(&mut s, &mut t, &counter, &key("enter")));
                search.add(stroke(&mut s, &mut t, &counter, &key("x")));
            }
        }
    }

    // Sort: `s`, move to the next column, Enter; three times round all ten columns.
    let mut sort = Samples::default();
    for _ in 0..30 {
        sort.add(stroke(&mut s, &mut t, &counter, &key("s")));
        sort.add(stroke(&mut s, &mut t, &counter, &key("j")));
        sort.add(stroke(&mut s, &mut t, &counter, &key("enter")));
    }
    // Back to the default order for the filter runs.
    let _ = &mut s;

    // Filter: `f`, pick the next branch / collector / bucket, Enter.
    let mut filter = Samples::default();
    for i in 0..36 {
        filter.add(stroke(&mut s, &mut t, &counter, &key("f")));
        for _ in 0..(i % 3) {
            filter.add(stroke(&mut s, &mut t, &counter, &key("j")));
        }
        filter.add(stroke(&mut s, &mut t, &counter, &key("l")));
        filter.add(stroke(&mut s, &mut t, &counter, &key("enter")));
    }

    // Go to contract: `o`, a query, Esc. The first search reads the directory of every
    // contract (once per process, patched after changes); the others search it.
    let started = Instant::now();
    stroke(&mut s, &mut t, &counter, &key("o"));
    stroke(&mut s, &mut t, &counter, &char_key('z'));
    let directory_read = started.elapsed();
    stroke(&mut s, &mut t, &counter, &key("esc"));
    let mut goto = Samples::default();
    for _ in 0..5 {
        for q in queries {
            goto.add(stroke(&mut s, &mut t, &counter, &key("o")));
            for ch in q.chars() {
                goto.add(stroke(&mut s, &mut t, &counter, &char_key(ch)));
            }
            goto.add(stroke(&mut s, &mut t, &counter, &key("esc")));
        }
    }

    // Dashboard views (`v`: overdue → penalty only → all in scope → settled → overdue). The
    // first switch reads the book list (every contract, once per process, patched after
    // changes); after it each switch cuts a view from it. In each view: moves, a search,
    // a sort.
    stroke(&mut s, &mut t, &counter, &key("x"));
    stroke(&mut s, &mut t, &counter, &key("g"));
    let book_read = prepared.join().unwrap();
    let started = Instant::now();
    stroke(&mut s, &mut t, &counter, &key("v"));
    let first_switch = started.elapsed();
    let mut switch = Samples::default();
    let mut in_view = Samples::default();
    let mut view_rows = Vec::new();
    for round in 0..8 {
        for _ in 0..4 {
            if round == 0 {
                view_rows.push((
                    format!("{:?}", s.state.dashboard.view),
                    s.state.dashboard.row_count(),
                ));
            }
            for _ in 0..20 {
                in_view.add(stroke(&mut s, &mut t, &counter, &key("j")));
            }
            in_view.add(stroke(&mut s, &mut t, &counter, &key("/")));
            for ch in queries[round % queries.len()].chars() {
                in_view.add(stroke(&mut s, &mut t, &counter, &char_key(ch)));
            }
            in_view.add(stroke(&mut s, &mut t, &counter, &key("esc")));
            in_view.add(stroke(&mut s, &mut t, &counter, &key("s")));
            in_view.add(stroke(&mut s, &mut t, &counter, &key("j")));
            in_view.add(stroke(&mut s, &mut t, &counter, &key("enter")));
            switch.add(stroke(&mut s, &mut t, &counter, &key("v")));
        }
    }

    let rule = "-".repeat(78);
    println!(
        "duedesk TUI benchmark: {contracts} contracts, {rows} overdue rows, 80x24, zh, default theme"
    );
    println!("{rule}");
    println!(
        "{:<34} {:>12} {:>12} {:>8} {:>8}",
        "what", "median", "p99 / max", "n", "target"
    );
    println!("{rule}");
    let line = |what: &str, med: String, p99: String, n: usize, target: &str| {
        println!("{what:<34} {med:>12} {p99:>12} {n:>8} {target:>8}");
    };
    line(
        "open the database",
        ms(percentile(&open_times, 0.5)),
        ms(*open_times.iter().max().unwrap()),
        open_times.len(),
        "",
    );
    line(
        "load the dashboard rows",
        ms(percentile(&load_times, 0.5)),
        ms(*load_times.iter().max().unwrap()),
        load_times.len(),
        "",
    );
    line(
        "  of which App::overdue",
        ms(percentile(&query_times, 0.5)),
        ms(*query_times.iter().max().unwrap()),
        query_times.len(),
        "",
    );
    line(
        "  of which Dashboard::new",
        ms(percentile(&prepare_times, 0.5)),
        ms(*prepare_times.iter().max().unwrap()),
        prepare_times.len(),
        "",
    );
    line(
        "start to first frame",
        ms(percentile(&first_frames, 0.5)),
        ms(*first_frames.iter().max().unwrap()),
        first_frames.len(),
        "300 ms",
    );
    for (what, samples) in [
        ("keystroke -> frame: move (j)", &moves),
        ("keystroke -> frame: search", &search),
        ("keystroke -> frame: sort", &sort),
        ("keystroke -> frame: filter", &filter),
        ("keystroke -> frame: no-op key", &noop),
        ("keystroke -> frame: go to contract", &goto),
        ("keystroke -> frame: switch view (v)", &switch),
        ("keystroke -> frame: in the views", &in_view),
    ] {
        line(
            what,
            ms(percentile(&samples.times, 0.5)),
            ms(percentile(&samples.times, 0.99)),
            samples.times.len(),
            "16 ms",
        );
    }
    line(
        "go to: first search (reads all)",
        ms(directory_read),
        ms(directory_read),
        1,
        "",
    );
    line(
        "views: the book list (own thread)",
        ms(book_read),
        ms(book_read),
        1,
        "",
    );
    line(
        "views: first switch (v)",
        ms(first_switch),
        ms(first_switch),
        1,
        "300 ms",
    );
    for (view, count) in &view_rows {
        println!("  view {view}: {count} rows");
    }
    println!("{rule}");
    println!(
        "{:<34} {:>12} {:>12}",
        "bytes to the terminal", "median", "max"
    );
    println!("{rule}");
    let bytes_line = |what: &str, med: usize, max: usize, target: &str| {
        println!(
            "{what:<34} {:>12} {:>12} {:>17}",
            format!("{med} B"),
            format!("{max} B"),
            target
        );
    };
    bytes_line("first paint", first_paint, first_paint, "4096 B");
    bytes_line(
        &format!("one-row move (j), {} in page", in_page.len()),
        percentile(&in_page, 0.5),
        in_page.iter().copied().max().unwrap_or(0),
        "300 B",
    );
    if !scrolling.is_empty() {
        bytes_line(
            &format!("move that scrolls (j), {}", scrolling.len()),
            percentile(&scrolling, 0.5),
            *scrolling.iter().max().unwrap(),
            "",
        );
        bytes_line(
            "mean over all 2000 moves",
            moves.bytes.iter().sum::<usize>() / moves.bytes.len(),
            *moves.bytes.iter().max().unwrap(),
            "",
        );
    }
    bytes_line(
        "no-op key (z, k at the top)",
        percentile(&noop.bytes, 0.5),
        *noop.bytes.iter().max().unwrap(),
        "0 B",
    );
    bytes_line(
        "search keystroke",
        percentile(&search.bytes, 0.5),
        *search.bytes.iter().max().unwrap(),
        "",
    );
    println!("{rule}");
}
