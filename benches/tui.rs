//! Terminal UI benchmarks on a generated book of 100,000 contracts (a benchmark, not a timed
//! test): start to first frame; keystroke → frame for move, search, sort and filter; bytes
//! written at 80×24 through the crossterm backend into a counting writer.
//!
//! `cargo bench --bench tui` (release). `DUEDESK_BENCH_CONTRACTS=N` changes the book size.
//! The book is generated once through the App API and kept under
//! `target/tui-bench/` for later runs; delete that folder to generate it again.
//!
//! Targets (issue 3): first frame ≤ 300 ms; p99 keystroke → frame ≤ 16 ms; first paint
//! ≤ 4 KB; one-row move ≤ 300 B; a key that changes nothing 0 B.

use chrono::NaiveDate;
use duedesk::app::{App, Ctx, Mutation, NewContract};
use duedesk::domain::{Channel, Customer, Installment, Money, Promise, Rate};
use duedesk::ui::backend::LeanBackend;
use duedesk::ui::i18n::Lang;
use duedesk::ui::keymap::{Key, KeyMap};
use duedesk::ui::theme::Theme;
use duedesk::ui::{Session, Settings};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

const TODAY: &str = "2026-06-15";
/// Bump when the generated book changes shape, so an old cached book is not reused.
const BOOK_VERSION: u32 = 1;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ctx() -> Ctx {
    Ctx::new("admin", day(TODAY), 1_781_500_000)
}

/// xorshift64*: a small deterministic generator, so the book is the same on every machine.
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
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "海燕", "小明", "春生", "国庆",
];
const BRANCHES: &[&str] = &[
    "杭州", "宁波", "温州", "绍兴", "湖州", "嘉兴", "金华", "衢州", "台州", "丽水", "舟山",
];
const COLLECTORS: &[&str] = &[
    "li", "wang", "chen", "zhao", "liu", "sun", "zhou", "wu", "zheng", "feng", "he", "lv",
];
const MODELS: &[&str] = &[
    "SY75C", "SY135", "SY215", "XE60", "ZX120", "PC200", "CAT320",
];

/// Mutations for contracts `from..to`: a customer each, a contract of 24 monthly
/// installments, one confirmed payment covering a random number of them, and a contact
/// (some with a promise) on one contract in three.
fn contracts_batch(rng: &mut Rng, from: usize, to: usize) -> Vec<Mutation> {
    let today = day(TODAY);
    let mut out = Vec::with_capacity((to - from) * 5);
    for i in from..to {
        let customer_id = format!("C{i:06}");
        let name = if rng.below(20) == 0 {
            format!("{}机械工程有限公司", rng.pick(SURNAMES))
        } else {
            format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
        };
        out.push(Mutation::PutCustomer(Customer {
            id: customer_id.clone(),
            name,
            phone: format!("13{:09}", rng.below(1_000_000_000)),
            id_number: String::new(),
            address: String::new(),
            branch: rng.pick(BRANCHES).into(),
            collector: rng.pick(COLLECTORS).into(),
        }));
        // Signed 1 to 30 months ago, on a day from the 1st to the 28th.
        let months_ago = 1 + rng.below(30) as i32;
        let dom = 1 + rng.below(28) as u32;
        let month0 = 2026 * 12 + 5 - months_ago; // 2026-06 is month0 2026*12+5
        let signed = NaiveDate::from_ymd_opt(month0 / 12, (month0 % 12) as u32 + 1, dom).unwrap();
        let no = format!("HT-{i:06}");
        let model = rng.pick(MODELS);
        let principal_cents = 200_000 + rng.below(800_000) as i64; // 2,000.00 to 10,000.00
        let interest_cents = principal_cents / 20;
        out.push(Mutation::AddContract(NewContract {
            no: no.clone(),
            customer_id,
            signed_on: signed,
            model: model.into(),
            serial: format!("{model}-{i:06}"),
            financed: Money::from_cents(principal_cents * 24),
            penalty_rate: None,
            grace_days: None,
        }));
        let due = |seq: i32| {
            let m = month0 + seq;
            NaiveDate::from_ymd_opt(m / 12, (m % 12) as u32 + 1, dom).unwrap()
        };
        out.push(Mutation::AddInstallments {
            contract: no.clone(),
            installments: (1..=24)
                .map(|seq| Installment {
                    seq: seq as u32,
                    due: due(seq),
                    principal: Money::from_cents(principal_cents),
                    interest: Money::from_cents(interest_cents),
                })
                .collect(),
        });
        let fallen_due = (1..=24).filter(|&s| due(s) <= today).count() as u64;
        // Three in ten pay everything due; the rest fall one to six installments behind.
        let behind = if rng.below(10) < 3 {
            0
        } else {
            1 + rng.below(6)
        };
        let paid = fallen_due.saturating_sub(behind);
        if paid > 0 {
            out.push(Mutation::RecordPayment {
                contract: no.clone(),
                received_on: due(paid as i32),
                amount: Money::from_cents((principal_cents + interest_cents) * paid as i64),
                method: "bank".into(),
                reference: format!("{no}-P"),
                confirmed: true,
            });
        }
        if behind > 0 && rng.below(3) == 0 {
            let promise = (rng.below(2) == 0).then(|| Promise {
                date: today + chrono::Days::new(1 + rng.below(20)),
                amount: Money::from_cents(principal_cents + interest_cents),
            });
            out.push(Mutation::AddContact {
                contract: no,
                channel: Channel::Call,
                result: "答应尽快还款".into(),
                note: String::new(),
                promise,
            });
        }
    }
    out
}

/// The cached book for `contracts` contracts, generated on first use.
fn book(contracts: usize) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target
        .join("tui-bench")
        .join(format!("book-{contracts}-v{BOOK_VERSION}"));
    let done = dir.join("complete");
    let db = dir.join("db");
    if done.exists() {
        return db;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    eprintln!(
        "generating a book of {contracts} contracts in {}",
        dir.display()
    );
    let started = Instant::now();
    let app = App::open(&db).unwrap();
    let c = ctx();
    app.execute(
        &c,
        Mutation::SetRate {
            contract: None,
            from: day("2024-01-01"),
            daily: Rate::parse("0.0005").unwrap(),
        },
    )
    .unwrap();
    app.execute(
        &c,
        Mutation::SetGrace {
            contract: None,
            days: 3,
        },
    )
    .unwrap();
    let mut rng = Rng(0x5eed_d0e5_d35c_0001);
    let chunk = 1000;
    for from in (0..contracts).step_by(chunk) {
        let to = (from + chunk).min(contracts);
        app.execute_batch(&c, &contracts_batch(&mut rng, from, to))
            .unwrap();
    }
    drop(app);
    std::fs::write(&done, b"").unwrap();
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    db
}

/// A writer that counts what goes through it.
#[derive(Clone, Default)]
struct Counter(Rc<Cell<usize>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Counter {
    fn take(&self) -> usize {
        self.0.replace(0)
    }
}

type Term = Terminal<LeanBackend<Counter>>;

fn terminal(counter: &Counter) -> Term {
    Terminal::with_options(
        LeanBackend::new(counter.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
        },
    )
    .unwrap()
}

fn settings() -> Settings {
    Settings {
        lang: Lang::Zh,
        theme: Theme::load("default").unwrap(),
        keys: KeyMap::default(),
    }
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
    Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        ratatui::crossterm::event::KeyModifiers::NONE,
    ))
}

/// One keystroke as the event loop handles it: update, then a frame only if dirty.
/// Returns the time to the end of the frame and the bytes written.
fn stroke(
    s: &mut Session<'_>,
    t: &mut Term,
    counter: &Counter,
    event: &Event,
) -> (Duration, usize) {
    counter.take();
    let started = Instant::now();
    if s.handle(event) {
        t.draw(|f| s.draw(f)).unwrap();
    }
    (started.elapsed(), counter.take())
}

#[derive(Default)]
struct Samples {
    times: Vec<Duration>,
    bytes: Vec<usize>,
}

impl Samples {
    fn add(&mut self, (time, bytes): (Duration, usize)) {
        self.times.push(time);
        self.bytes.push(bytes);
    }
}

fn percentile<T: Copy + Ord>(values: &[T], p: f64) -> T {
    let mut v = values.to_vec();
    v.sort();
    let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it with no such flag and
    // then only a tiny book is used, to check that the benchmark works.
    let benching = std::env::args().any(|a| a == "--bench");
    let contracts: usize = std::env::var("DUEDESK_BENCH_CONTRACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 100_000 } else { 2_000 });
    let db = book(contracts);
    let c = ctx();

    // Start to first frame, a few times over (the app is opened afresh each time).
    let mut open_times = Vec::new();
    let mut load_times = Vec::new();
    let mut first_frames = Vec::new();
    let mut first_paint = 0;
    let mut rows = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let app = App::open(&db).unwrap();
        let opened = started.elapsed();
        let s = Session::new(&app, c.clone(), settings()).unwrap();
        let loaded = started.elapsed();
        let counter = Counter::default();
        let mut t = terminal(&counter);
        t.draw(|f| s.draw(f)).unwrap();
        first_frames.push(started.elapsed());
        open_times.push(opened);
        load_times.push(loaded - opened);
        first_paint = counter.take();
        rows = s.state.dashboard.rows.len();
    }

    let app = App::open(&db).unwrap();
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
        let d = duedesk::ui::screens::dashboard::Dashboard::new(rows);
        prepare_times.push(started.elapsed());
        drop(d);
    }
    let mut s = Session::new(&app, c.clone(), settings()).unwrap();
    let counter = Counter::default();
    let mut t = terminal(&counter);
    t.draw(|f| s.draw(f)).unwrap();
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
    ] {
        line(
            what,
            ms(percentile(&samples.times, 0.5)),
            ms(percentile(&samples.times, 0.99)),
            samples.times.len(),
            "16 ms",
        );
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
