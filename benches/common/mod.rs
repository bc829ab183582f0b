//! What the benchmarks share: a generated book of contracts (kept under `target/tui-bench/`
//! between runs), a counting terminal writer, keystrokes through a UI session, percentiles.
#![allow(dead_code)]

use chrono::NaiveDate;
use duedesk::app::{App, Ctx, Mutation, NewContract};
use duedesk::domain::{Channel, Customer, Installment, Money, Promise, Rate};
pub use duedesk::ui::backend::DrawLean;
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

pub const TODAY: &str = "2026-06-15";
/// Bump when the generated book changes shape, so an old cached book is not reused (4: the
/// journal of schema 3; 5: its confirmed payments booked into the budget's actuals).
pub const BOOK_VERSION: u32 = 5;

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn ctx() -> Ctx {
    Ctx::new("admin", day(TODAY), 1_781_500_000)
}

/// A size from the environment variable `var`, else `full` under `cargo bench` (which
/// passes `--bench`) or `small` under `cargo test --benches`, which only checks the bench runs.
pub fn size(var: &str, full: usize, small: usize) -> usize {
    let benching = std::env::args().any(|a| a == "--bench");
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { full } else { small })
}

/// xorshift64*: a small deterministic generator, so the book is the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

pub const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳",
];
pub const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "海燕", "小明", "春生", "国庆",
];
pub const BRANCHES: &[&str] = &[
    "杭州", "宁波", "温州", "绍兴", "湖州", "嘉兴", "金华", "衢州", "台州", "丽水", "舟山",
];
pub const COLLECTORS: &[&str] = &[
    "li", "wang", "chen", "zhao", "liu", "sun", "zhou", "wu", "zheng", "feng", "he", "lv",
];
pub const MODELS: &[&str] = &[
    "SY75C", "SY135", "SY215", "XE60", "ZX120", "PC200", "CAT320",
];

/// Mutations for contracts `from..to`: a customer each, a contract of 24 monthly
/// installments, one confirmed payment covering a random number of them, and a contact
/// (some with a promise) on one contract in three.
pub fn contracts_batch(rng: &mut Rng, from: usize, to: usize) -> Vec<Mutation> {
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
                id: String::new(),
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
pub fn book(contracts: usize) -> PathBuf {
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
    // As a real book is: penalty accrued through today by the daily job, which also keeps
    // the overdue list projection that the dashboard reads.
    app.execute(
        &c,
        Mutation::Accrue {
            through: day(TODAY),
        },
    )
    .unwrap();
    drop(app);
    std::fs::write(&done, b"").unwrap();
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    db
}

/// Copies a database directory, so a bench can add to the shared book without changing it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
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

/// A writer that counts what goes through it.
#[derive(Clone, Default)]
pub struct Counter(pub Rc<Cell<usize>>);

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
    pub fn take(&self) -> usize {
        self.0.replace(0)
    }
}

pub type Term = Terminal<LeanBackend<Counter>>;

pub fn terminal(counter: &Counter) -> Term {
    terminal_of(counter, 80, 24)
}

pub fn terminal_of(counter: &Counter, width: u16, height: u16) -> Term {
    Terminal::with_options(
        LeanBackend::new(counter.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )
    .unwrap()
}

pub fn settings() -> Settings {
    Settings {
        lang: Lang::Zh,
        theme: Theme::load("default").unwrap(),
        keys: KeyMap::default(),
        export_dir: None,
        lock_command: None,
    }
}

pub fn key(spec: &str) -> Event {
    let k = Key::parse(spec).unwrap();
    Event::Key(KeyEvent {
        code: k.code,
        modifiers: k.mods,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

pub fn char_key(c: char) -> Event {
    Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        ratatui::crossterm::event::KeyModifiers::NONE,
    ))
}

/// One keystroke as the event loop handles it: update, then a frame only if dirty.
/// Returns the time to the end of the frame and the bytes written.
pub fn stroke(
    s: &mut Session<'_>,
    t: &mut Term,
    counter: &Counter,
    event: &Event,
) -> (Duration, usize) {
    counter.take();
    let started = Instant::now();
    if s.handle(event) {
        t.draw_lean(|f| s.draw(f)).unwrap();
    }
    (started.elapsed(), counter.take())
}

#[derive(Default)]
pub struct Samples {
    pub times: Vec<Duration>,
    pub bytes: Vec<usize>,
}

impl Samples {
    pub fn add(&mut self, (time, bytes): (Duration, usize)) {
        self.times.push(time);
        self.bytes.push(bytes);
    }
}

pub fn percentile<T: Copy + Ord>(values: &[T], p: f64) -> T {
    let mut v = values.to_vec();
    v.sort();
    let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The peak resident memory of this process so far (`VmHWM`), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The CPU time this process has used so far (user + system, every thread), in seconds:
/// on a shared machine it says what the work cost when the wall clock says little.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (in parentheses, which may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0) // USER_HZ
}
