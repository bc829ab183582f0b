//! A realistic demo book, generated deterministically from a seed.
//!
//! `load` fills an empty book through the app layer (named mutations, the journal, the
//! projections), exactly as an import and a few years of daily work would: customers of five
//! branches with their collectors, excavator and loader contracts signed over the three years
//! before `today`, their schedules, payments per customer class (current, late and caught up,
//! overdue in every aging bucket), pending payments awaiting confirmation, contact logs with
//! kept, broken and open promises, and finally the daily accrual through `today`.
//!
//! No `rand`: a splitmix64 generator, so the same seed gives the same book on every machine.
//! Contracts are loaded 500 to an atomic batch so memory stays flat at 100,000 contracts.
//! Events that must run with their own business date or actor (contacts are logged by the
//! collector on the day they happened; pending payments are recorded by the collector) are
//! kept in a compact list and run after the contracts, grouped by day and actor.

use crate::app::{App, Ctx, Mutation, NewContract};
use crate::domain::{
    AllocationOrder, Channel, Contract, ContractState, Customer, Installment, MachineState, Money,
    Payment, PaymentStatus, PenaltySettings, Promise, Rate, RateEntry, evaluate,
};
use anyhow::{Context, Result, bail};
use chrono::{Datelike, Days, Months, NaiveDate};
use std::fmt;

/// What to generate.
pub struct DemoOptions {
    pub contracts: usize,
    pub seed: u64,
    /// The book's business date: every event happens on or before it.
    pub today: NaiveDate,
}

/// What was loaded, for printing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub customers: usize,
    pub contracts: usize,
    pub installments: usize,
    /// Every payment recorded, confirmed or pending.
    pub payments: usize,
    pub pending_payments: usize,
    pub contacts: usize,
    pub promises: usize,
    pub settled: usize,
    pub own_rate_contracts: usize,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} customers, {} contracts ({} settled, {} with their own penalty rate), \
             {} installments, {} payments ({} pending confirmation), {} contacts ({} promises to pay)",
            self.customers,
            self.contracts,
            self.settled,
            self.own_rate_contracts,
            self.installments,
            self.payments,
            self.pending_payments,
            self.contacts,
            self.promises
        )
    }
}

/// Contracts per atomic batch.
const CHUNK: usize = 500;
/// Most mutations per batch in the later phases (contacts, pending payments, settlements).
const GROUP: usize = 2000;
const GRACE_DAYS: u32 = 3;
/// Rates some contracts carry instead of the global one.
const OWN_RATES: [&str; 3] = ["0.0003", "0.0004", "0.0007"];
/// The global daily penalty rate (万分之五), in force from four years before `today`.
const GLOBAL_RATE: &str = "0.0005";
/// Payments received this many days before today or later may still wait for confirmation.
const RECENT_DAYS: i64 = 4;

/// Fills an empty book with a demo of `opts.contracts` contracts and accrues penalty through
/// `opts.today`. Refuses a book that already has contracts.
pub fn load(app: &App, opts: &DemoOptions) -> Result<DemoSummary> {
    let summary = load_without_accrual(app, opts)?;
    let ctx = admin_ctx(opts.today);
    app.execute(
        &ctx,
        Mutation::Accrue {
            through: opts.today,
        },
    )
    .context("demo: accruing penalty through today")?;
    staff_stock_and_workflows(app, opts).context("demo: staff, stock and applications")?;
    Ok(summary)
}

/// The people besides the collectors (an approver, a clerk and a salesperson per branch, a
/// finance officer), machines and accessories in stock, and work in progress on every
/// desk: tow and lock applications at several steps, a contract drafted and approved with
/// an outbound order holding a machine.
fn staff_stock_and_workflows(app: &App, opts: &DemoOptions) -> Result<()> {
    use crate::domain::Role;
    use crate::domain::approval::DocumentType;
    use crate::domain::outbound::{Machine, MachineStock};
    let today = opts.today;
    let admin = admin_ctx(today);
    let as_user = |name: &str| Ctx::new(name, today, unix_noon(today));
    let mut staff = vec![Mutation::AddUser {
        name: "caiwu".into(),
        display: "陈雯（财务）".into(),
        roles: vec![Role::Finance],
        branch: None,
    }];
    for b in &BRANCHES {
        let code = b.code.to_lowercase();
        for (role, suffix, title) in [
            (Role::Approver, "shenpi", "审批"),
            (Role::Clerk, "neiqin", "内勤"),
            (Role::Sales, "xiaoshou", "销售"),
        ] {
            staff.push(Mutation::AddUser {
                name: format!("{suffix}_{code}"),
                display: format!("{}{title}", b.name),
                roles: vec![role],
                branch: Some(b.name.to_string()),
            });
        }
    }
    app.execute_batch(&admin, &staff)?;

    // Six machines of every model in the branches' yards, arrived over the last 200 days.
    let mut rng = Rng::new(opts.seed ^ 0x5704_c0de);
    let mut stock = Vec::new();
    for (m, model) in MODELS.iter().enumerate() {
        let machine_type = if ["ZL", "LG", "CLG"]
            .iter()
            .any(|p| model.name.starts_with(p))
        {
            "loader"
        } else {
            "excavator"
        };
        for k in 0..6 {
            let b = &BRANCHES[(m + k) % BRANCHES.len()];
            stock.push(Mutation::AddMachine(Machine {
                serial: format!("{}N{:04}", model.serial_prefix, m * 10 + k + 1),
                model: model.name.to_string(),
                machine_type: machine_type.to_string(),
                yard: format!("{}一号场", b.name),
                arrived_on: add_days(today, -(rng.below(200) as i64)),
                state: MachineStock::InStock,
            }));
        }
    }
    for (code, name, unit, quantity) in [
        ("BK-01", "破碎锤", "台", 4),
        ("QC-02", "快换接头", "个", 12),
        ("BU-03", "加宽铲斗", "个", 6),
        ("TK-04", "履带板总成", "套", 3),
    ] {
        stock.push(Mutation::PutAccessory {
            code: code.into(),
            name: name.into(),
            unit: unit.into(),
            quantity,
        });
    }
    app.execute_batch(&admin, &stock)?;

    // Applications on the longest-overdue accounts, by their collectors.
    let rows = app.overdue(&admin, today, &Default::default())?;
    for (i, row) in rows.iter().take(10).enumerate() {
        let document = if i % 3 == 2 {
            DocumentType::Lock
        } else {
            DocumentType::Tow
        };
        let reason = if document == DocumentType::Tow {
            "逾期超过半年，客户失联，机器仍在工地"
        } else {
            "多次承诺未兑现"
        };
        let applied = app.execute(
            &as_user(&row.collector),
            Mutation::Apply {
                id: String::new(),
                document,
                contract: row.contract_no.clone(),
                reason: reason.into(),
                location: format!("{}工地", row.branch),
            },
        )?;
        let Some(id) = applied.id else { continue };
        let code = BRANCHES
            .iter()
            .find(|b| b.name == row.branch)
            .map_or("hf".to_string(), |b| b.code.to_lowercase());
        let approver = as_user(&format!("shenpi_{code}"));
        match i % 5 {
            0 | 2 => {} // waiting for the approver
            1 => {
                app.execute(
                    &approver,
                    Mutation::Reject {
                        id,
                        comment: "先安排上门催收一次".into(),
                    },
                )?;
            }
            _ => {
                app.execute(
                    &approver,
                    Mutation::Approve {
                        id: id.clone(),
                        comment: "风险较高，同意".into(),
                    },
                )?;
                if i % 5 == 4 && document == DocumentType::Tow {
                    let clerk = as_user(&format!("neiqin_{code}"));
                    let register = Mutation::RegisterTow {
                        id,
                        crew: vec!["老王".into(), "小李".into()],
                        planned_on: add_days(today, 2),
                        location: format!("{}工地", row.branch),
                        note: "带拖车".into(),
                    };
                    app.execute(&clerk, register)?;
                }
            }
        }
    }

    // A new contract drafted by sales, approved by finance, with an order holding a machine.
    if let Some(row) = rows.first() {
        let code = BRANCHES
            .iter()
            .find(|b| b.name == row.branch)
            .map_or("hf".to_string(), |b| b.code.to_lowercase());
        let sales = as_user(&format!("xiaoshou_{code}"));
        let no = format!("{}N{}", code.to_uppercase(), today.format("%y%m%d"));
        let drafted = app.execute(
            &sales,
            Mutation::DraftContract {
                application: String::new(),
                contract: NewContract {
                    no: no.clone(),
                    customer_id: row.customer_id.clone(),
                    signed_on: today,
                    model: MODELS[0].name.to_string(),
                    serial: String::new(),
                    financed: Money::from_cents(30_000_000),
                    penalty_rate: None,
                    grace_days: None,
                },
            },
        )?;
        if let Some(application) = drafted.id {
            app.execute(
                &as_user("caiwu"),
                Mutation::Approve {
                    id: application,
                    comment: "资料齐全".into(),
                },
            )?;
            let installments = schedule(today, 24, 30_000_000, 600);
            app.execute(
                &admin,
                Mutation::AddInstallments {
                    contract: no.clone(),
                    installments,
                },
            )?;
            let order = app.execute(
                &sales,
                Mutation::CreateOrder {
                    id: String::new(),
                    contract: no,
                },
            )?;
            if let Some(order) = order.id {
                let serial = format!("{}N{:04}", MODELS[0].serial_prefix, 1);
                app.execute(
                    &sales,
                    Mutation::Pick {
                        order: order.clone(),
                        serial,
                    },
                )?;
                app.execute(
                    &sales,
                    Mutation::AddAccessory {
                        order,
                        code: "QC-02".into(),
                        quantity: 1,
                        extra: false,
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// Everything `load` does except the final accrual, so the benchmark can time a full
/// `Accrue` on its own.
pub(crate) fn load_without_accrual(app: &App, opts: &DemoOptions) -> Result<DemoSummary> {
    if !app.store().is_empty_book() {
        bail!(
            "the book at {} already has contracts; the demo loads only into an empty book \
             (use a new database path)",
            app.store().path().display()
        );
    }
    let today = opts.today;
    let admin = admin_ctx(today);
    let rate_from = add_days(today, -4 * 365);
    let daily = Rate::parse(GLOBAL_RATE).map_err(anyhow::Error::msg)?;
    app.execute(
        &admin,
        Mutation::SetRate {
            contract: None,
            from: rate_from,
            daily,
        },
    )
    .context("demo: setting the global penalty rate")?;
    app.execute(
        &admin,
        Mutation::SetGrace {
            contract: None,
            days: GRACE_DAYS,
        },
    )
    .context("demo: setting the grace days")?;

    let settings = PenaltySettings {
        rates: vec![RateEntry {
            from: rate_from,
            daily,
        }],
        grace_days: GRACE_DAYS,
        order: AllocationOrder::DueFirst,
    };
    let mut generator = Generator::new(opts.seed, today, settings);
    let mut summary = DemoSummary::default();
    let mut deferred = Deferred::default();

    let mut start = 0;
    while start < opts.contracts {
        let end = (start + CHUNK).min(opts.contracts);
        let mut batch = Vec::new();
        for index in start..end {
            let plan = generator.contract(index);
            plan.record(&mut batch, &mut summary, &mut deferred);
        }
        app.execute_batch(&admin, &batch)
            .with_context(|| format!("demo: loading contracts {}–{}", start + 1, end))?;
        start = end;
    }

    // Contacts: logged by the collector on the day they happened.
    deferred
        .contacts
        .sort_by(|a, b| (a.on, a.collector, a.seq).cmp(&(b.on, b.collector, b.seq)));
    for group in deferred
        .contacts
        .chunk_by(|a, b| a.on == b.on && a.collector == b.collector)
    {
        let ctx = Ctx::new(group[0].collector, group[0].on, unix_noon(group[0].on));
        for part in group.chunks(GROUP) {
            let batch: Vec<Mutation> = part.iter().map(DeferredContact::mutation).collect();
            app.execute_batch(&ctx, &batch)
                .with_context(|| format!("demo: logging contacts of {}", group[0].on))?;
        }
    }
    // Pending payments: recorded by the collector, waiting for finance.
    deferred
        .pending
        .sort_by(|a, b| (a.collector, a.seq).cmp(&(b.collector, b.seq)));
    for group in deferred.pending.chunk_by(|a, b| a.collector == b.collector) {
        let ctx = Ctx::new(group[0].collector, today, unix_noon(today));
        for part in group.chunks(GROUP) {
            let batch: Vec<Mutation> = part.iter().map(DeferredPayment::mutation).collect();
            app.execute_batch(&ctx, &batch)
                .context("demo: recording pending payments")?;
        }
    }
    // Contracts paid in full, penalty included: settled.
    for part in deferred.settle.chunks(GROUP) {
        let batch: Vec<Mutation> = part
            .iter()
            .map(|no| Mutation::Settle {
                contract: no.clone(),
            })
            .collect();
        app.execute_batch(&admin, &batch)
            .context("demo: settling paid-up contracts")?;
    }
    summary.customers = generator.customers;
    Ok(summary)
}

fn admin_ctx(today: NaiveDate) -> Ctx {
    Ctx::new(crate::app::LOCAL_ADMIN, today, unix_noon(today))
}

/// 10:00 Beijing time on `day`, as Unix seconds: a deterministic wall-clock for the journal.
fn unix_noon(day: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    (day - epoch).num_days() * 86_400 + 2 * 3600
}

fn add_days(day: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        day.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        day.checked_sub_days(Days::new(n.unsigned_abs()))
    }
    .expect("demo dates stay in range")
}

fn add_months(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_months(Months::new(n))
        .expect("demo dates stay in range")
}

fn sub_months(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(n))
        .expect("demo dates stay in range")
}

// ---------------------------------------------------------------------------------------------
// The generator.

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6475_6564_6573_6b21) // "duedesk!"
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below 2⁻⁴⁰ for our `n`).
    fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "empty range");
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        assert!(lo <= hi, "empty range {lo}..={hi}");
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// How a customer pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Pays on or about the due date (a few days early or late, now and then later).
    Current,
    /// Fell behind once for one to three months, was chased, and paid the arrears.
    CaughtUp,
    /// Stopped paying: overdue today, in any aging bucket.
    Overdue,
}

const CLASS_WEIGHTS: [u32; 3] = [76, 12, 12];

struct CustomerInfo {
    id: String,
    branch: &'static Branch,
    collector: &'static str,
    class: Class,
}

struct Generator {
    rng: Rng,
    today: NaiveDate,
    settings: PenaltySettings,
    customers: usize,
    current: Option<CustomerInfo>,
    /// The customer introduced by the latest contract, to be saved with it.
    fresh: Option<Customer>,
    branch_weights: Vec<u32>,
    model_weights: Vec<u32>,
}

/// A payment as planned.
#[derive(Clone, Debug)]
struct Planned {
    on: NaiveDate,
    cents: i64,
    method: &'static str,
    reference: String,
}

#[derive(Clone, Debug)]
struct PlannedContact {
    on: NaiveDate,
    channel: Channel,
    result: &'static str,
    note: &'static str,
    promise: Option<(NaiveDate, i64)>,
}

/// One contract and everything that happened to it.
struct Plan {
    customer: Option<Customer>,
    collector: &'static str,
    new: NewContract,
    installments: Vec<Installment>,
    rate_change: Option<(NaiveDate, Rate)>,
    confirmed: Vec<Planned>,
    pending: Vec<Planned>,
    contacts: Vec<PlannedContact>,
    settle: bool,
    /// Whether penalty has accrued that the customer has not paid.
    owes_penalty: bool,
}

impl Plan {
    fn grace(&self) -> u32 {
        self.new.grace_days.unwrap_or(GRACE_DAYS)
    }
}

#[derive(Default)]
struct Deferred {
    contacts: Vec<DeferredContact>,
    pending: Vec<DeferredPayment>,
    settle: Vec<String>,
}

struct DeferredContact {
    on: NaiveDate,
    collector: &'static str,
    seq: u32,
    contract: String,
    channel: Channel,
    result: &'static str,
    note: &'static str,
    promise: Option<(NaiveDate, i64)>,
}

impl DeferredContact {
    fn mutation(&self) -> Mutation {
        Mutation::AddContact {
            contract: self.contract.clone(),
            channel: self.channel,
            result: self.result.to_string(),
            note: self.note.to_string(),
            promise: self.promise.map(|(date, cents)| Promise {
                date,
                amount: Money::from_cents(cents),
            }),
        }
    }
}

struct DeferredPayment {
    collector: &'static str,
    seq: u32,
    contract: String,
    payment: Planned,
}

impl DeferredPayment {
    fn mutation(&self) -> Mutation {
        payment_mutation(&self.contract, &self.payment, false)
    }
}

fn payment_mutation(contract: &str, p: &Planned, confirmed: bool) -> Mutation {
    Mutation::RecordPayment {
        id: String::new(),
        contract: contract.to_string(),
        received_on: p.on,
        amount: Money::from_cents(p.cents),
        method: p.method.to_string(),
        reference: p.reference.clone(),
        confirmed,
    }
}

impl Plan {
    /// Appends the contract's own mutations to `batch`; defers those that need another
    /// business date or actor.
    fn record(self, batch: &mut Vec<Mutation>, summary: &mut DemoSummary, deferred: &mut Deferred) {
        let no = self.new.no.clone();
        if let Some(customer) = self.customer {
            batch.push(Mutation::PutCustomer(customer));
        }
        summary.contracts += 1;
        summary.installments += self.installments.len();
        summary.payments += self.confirmed.len() + self.pending.len();
        summary.pending_payments += self.pending.len();
        summary.contacts += self.contacts.len();
        summary.promises += self.contacts.iter().filter(|c| c.promise.is_some()).count();
        if self.new.penalty_rate.is_some() || self.rate_change.is_some() {
            summary.own_rate_contracts += 1;
        }
        batch.push(Mutation::AddContract(self.new));
        batch.push(Mutation::AddInstallments {
            contract: no.clone(),
            installments: self.installments,
        });
        if let Some((from, daily)) = self.rate_change {
            batch.push(Mutation::SetRate {
                contract: Some(no.clone()),
                from,
                daily,
            });
        }
        for p in &self.confirmed {
            batch.push(payment_mutation(&no, p, true));
        }
        for p in self.pending {
            let seq = deferred.pending.len() as u32;
            deferred.pending.push(DeferredPayment {
                collector: self.collector,
                seq,
                contract: no.clone(),
                payment: p,
            });
        }
        for c in self.contacts {
            let seq = deferred.contacts.len() as u32;
            deferred.contacts.push(DeferredContact {
                on: c.on,
                collector: self.collector,
                seq,
                contract: no.clone(),
                channel: c.channel,
                result: c.result,
                note: c.note,
                promise: c.promise,
            });
        }
        if self.settle {
            summary.settled += 1;
            deferred.settle.push(no);
        }
    }
}

impl Generator {
    fn new(seed: u64, today: NaiveDate, settings: PenaltySettings) -> Generator {
        Generator {
            rng: Rng::new(seed),
            today,
            settings,
            customers: 0,
            current: None,
            fresh: None,
            branch_weights: BRANCHES.iter().map(|b| b.weight).collect(),
            model_weights: MODELS.iter().map(|m| m.weight).collect(),
        }
    }

    /// The customer of the next contract: about one in twelve customers buys a second machine.
    fn next_customer(&mut self) {
        if self.current.is_some() && self.rng.percent(8) {
            self.fresh = None;
            return;
        }
        self.customers += 1;
        let rng = &mut self.rng;
        let branch = &BRANCHES[rng.weighted(&self.branch_weights)];
        let collector = *rng.pick(branch.collectors);
        let county = rng.pick(branch.counties);
        let town = *rng.pick(county.towns);
        let company = rng.percent(15);
        let name = if company {
            format!(
                "{}{}{}有限公司",
                branch.name,
                rng.pick(TRADE_NAMES),
                rng.pick(INDUSTRIES)
            )
        } else {
            format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN_NAMES))
        };
        let id_number = if company {
            credit_code(rng, county.code)
        } else {
            resident_id(rng, county.code, self.today)
        };
        let phone = format!("{}{}", rng.pick(PHONE_PREFIXES), rng.digits(8));
        let address = if rng.percent(60) {
            format!(
                "{}{}{}{}{}村{}组",
                branch.province,
                branch.city,
                county.name,
                town,
                rng.pick(VILLAGES),
                rng.range(1, 12)
            )
        } else {
            format!(
                "{}{}{}{}{}{}号",
                branch.province,
                branch.city,
                county.name,
                town,
                rng.pick(STREETS),
                rng.range(1, 288)
            )
        };
        let class = match rng.weighted(&CLASS_WEIGHTS) {
            0 => Class::Current,
            1 => Class::CaughtUp,
            _ => Class::Overdue,
        };
        let id = format!("C{:06}", self.customers);
        self.fresh = Some(Customer {
            id: id.clone(),
            name,
            phone,
            id_number,
            address,
            branch: branch.name.to_string(),
            collector: collector.to_string(),
        });
        self.current = Some(CustomerInfo {
            id,
            branch,
            collector,
            class,
        });
    }

    fn contract(&mut self, index: usize) -> Plan {
        self.next_customer();
        let today = self.today;
        let info = self.current.as_ref().expect("a customer was chosen");
        let (customer_id, branch, collector, class) =
            (info.id.clone(), info.branch, info.collector, info.class);
        let rng = &mut self.rng;

        let model = &MODELS[rng.weighted(&self.model_weights)];
        let term: u32 = [36, 24, 30][rng.weighted(&[65, 20, 15])];
        let price = rng.range(model.price_min, model.price_max) * 1000;
        let down_percent = rng.range(20, 40);
        let financed_yuan =
            (price * (100 - down_percent) / 100 / 1000 * 1000).clamp(200_000, 1_500_000);
        let annual_bp = rng.range(90, 170) * 5; // 4.50% … 8.50% a year

        // Signing date. An overdue contract is placed so that its oldest unpaid installment
        // falls due a chosen number of days before today, spreading them over every bucket.
        let (signed, stop) = if class == Class::Overdue {
            let days = match rng.weighted(&[30, 18, 14, 20, 18]) {
                0 => rng.range(1, 30),
                1 => rng.range(31, 60),
                2 => rng.range(61, 90),
                3 => rng.range(91, 180),
                _ => rng.range(181, 600),
            };
            let mut due = add_days(today, -days);
            if due.day() > 28 {
                due = due.with_day(28).expect("valid day");
            }
            let earliest = add_days(today, -1095);
            let mut max_stop = 0;
            while max_stop + 1 < term && sub_months(due, max_stop + 2) >= earliest {
                max_stop += 1;
            }
            let stop = rng.range(0, i64::from(max_stop)) as u32;
            (sub_months(due, stop + 1), Some(stop as usize))
        } else {
            (add_days(today, -rng.range(20, 1095)), None)
        };
        let no = format!("{}{:02}{:06}", branch.code, signed.year() % 100, index + 1);
        let serial = format!(
            "{}{:02}{:06}",
            model.serial_prefix,
            signed.year() % 100,
            (index as u64 * 7919 + 100_003) % 1_000_000
        );
        let penalty_rate = rng
            .percent(2)
            .then(|| Rate::parse(OWN_RATES[rng.below(3) as usize]).expect("valid rate"));
        let grace_days = if rng.percent(1) {
            Some(*rng.pick(&[0, 5, 7]))
        } else {
            None
        };
        let installments = schedule(signed, term, financed_yuan * 100, annual_bp);
        let new = NewContract {
            no: no.clone(),
            customer_id,
            signed_on: signed,
            model: model.name.to_string(),
            serial,
            financed: Money::from_cents(financed_yuan * 100),
            penalty_rate,
            grace_days,
        };
        let mut plan = Plan {
            customer: self.fresh.take(),
            collector,
            new,
            installments,
            rate_change: None,
            confirmed: Vec::new(),
            pending: Vec::new(),
            contacts: Vec::new(),
            settle: false,
            owes_penalty: false,
        };
        match class {
            Class::Current => self.pay_regularly(&mut plan, 0),
            Class::CaughtUp => self.fall_behind_and_catch_up(&mut plan),
            Class::Overdue => self.stop_paying(&mut plan, stop.expect("overdue has a stop")),
        }
        self.maybe_settle(&mut plan);
        plan
    }

    /// A payment of `cents` received on `on`; recent ones may still wait for confirmation.
    fn receive(&mut self, plan: &mut Plan, on: NaiveDate, cents: i64, pending_percent: u64) {
        let payment = self.payment(on, cents);
        if on >= add_days(self.today, -RECENT_DAYS) && self.rng.percent(pending_percent) {
            plan.pending.push(payment);
        } else {
            plan.confirmed.push(payment);
        }
    }

    fn payment(&mut self, on: NaiveDate, cents: i64) -> Planned {
        let rng = &mut self.rng;
        let stamp = on.format("%Y%m%d");
        let (method, reference) = match rng.weighted(&[74, 10, 9, 4, 3]) {
            0 => ("transfer", format!("{stamp}{}", rng.digits(10))),
            1 => ("cash", format!("SK{stamp}{}", rng.digits(4))),
            2 => ("wechat", format!("4200{stamp}{}", rng.digits(12))),
            3 => ("alipay", format!("{stamp}2200{}", rng.digits(10))),
            _ => ("draft", format!("CD{}", rng.digits(12))), // bank acceptance draft (承兑汇票)
        };
        Planned {
            on,
            cents,
            method,
            reference,
        }
    }

    /// Pays installments `from..` on or about their due dates, until a payment date would
    /// fall after today.
    fn pay_regularly(&mut self, plan: &mut Plan, from: usize) {
        for k in from..plan.installments.len() {
            let inst = &plan.installments[k];
            let delay = match self.rng.weighted(&[8, 55, 27, 10]) {
                0 => -self.rng.range(1, 5),
                1 => 0,
                2 => self.rng.range(1, 3),
                _ => self.rng.range(4, 15),
            };
            // Paid early, money goes to penalty outstanding before an installment not yet
            // due (DOMAIN §2): a customer who owes penalty pays on the due date instead.
            let delay = if delay < 0 && plan.owes_penalty {
                0
            } else {
                delay
            };
            let on = add_days(inst.due, delay);
            if on > self.today {
                break;
            }
            plan.owes_penalty |= delay > i64::from(plan.grace());
            let cents = inst.amount().cents();
            self.receive(plan, on, cents, 25);
        }
    }

    fn fall_behind_and_catch_up(&mut self, plan: &mut Plan) {
        let today = self.today;
        let n = plan.installments.len();
        // The episode starts at an installment due at least 75 days ago.
        let candidates = plan
            .installments
            .partition_point(|i| i.due <= add_days(today, -75));
        if candidates == 0 {
            return self.pay_regularly(plan, 0);
        }
        let first = self.rng.below(candidates as u64) as usize;
        let mut missed = self.rng.range(1, 3) as usize;
        let late = self.rng.range(5, 25);
        let caught_up = loop {
            let last = (first + missed - 1).min(n - 1);
            missed = last - first + 1;
            let day = add_days(plan.installments[last].due, late);
            if day <= add_days(today, -5) || missed == 1 {
                break day;
            }
            missed -= 1;
        };
        if caught_up > add_days(today, -5) {
            return self.pay_regularly(plan, 0);
        }
        // Regular until the episode.
        for k in 0..first {
            let inst = &plan.installments[k];
            let delay = self.rng.range(0, 3);
            let cents = inst.amount().cents();
            let on = add_days(inst.due, delay);
            let payment = self.payment(on, cents);
            plan.confirmed.push(payment);
        }
        // What is owed on the catch-up day, and the penalty so far.
        let figures = evaluate(
            &ledger_contract(plan, self.today),
            &self.settings,
            caught_up,
        );
        let pays_penalty = self.rng.percent(50);
        let arrears = figures.overdue_amount.cents();
        let cents = arrears
            + if pays_penalty {
                figures.penalty_outstanding.cents()
            } else {
                0
            };

        // The chase: contacts from a few days after the first missed due date.
        let start = plan.installments[first].due;
        let mut dates = Vec::new();
        let mut day = add_days(start, self.rng.range(3, 8));
        while day < caught_up {
            dates.push(day);
            day = add_days(day, self.rng.range(5, 12));
        }
        if dates.is_empty() {
            dates.push(add_days(caught_up, -1).max(add_days(start, 1)));
        }
        let last = dates.len() - 1;
        for (i, &on) in dates.iter().enumerate() {
            if i == last {
                // The promise the customer kept.
                let promise = (add_days(caught_up, self.rng.range(0, 3)), arrears);
                let contact = self.contact(on, Some(promise), false);
                plan.contacts.push(contact);
            } else {
                let promised = add_days(on, self.rng.range(2, 7)).min(add_days(caught_up, -1));
                let promise = (self.rng.percent(35) && promised >= on)
                    .then(|| (promised, round_up_hundred(arrears / 2)));
                let contact = self.contact(on, promise, false);
                plan.contacts.push(contact);
            }
        }
        let payment = self.payment(caught_up, cents);
        plan.confirmed.push(payment);
        plan.owes_penalty = !pays_penalty;
        self.pay_regularly(plan, first + missed);
    }

    /// Pays regularly up to installment `stop`, then stops: partial payments at most.
    fn stop_paying(&mut self, plan: &mut Plan, stop: usize) {
        let today = self.today;
        for k in 0..stop {
            let inst = &plan.installments[k];
            let delay = match self.rng.weighted(&[60, 25, 15]) {
                0 => 0,
                1 => self.rng.range(1, 3),
                _ => self.rng.range(4, 20),
            };
            let cents = inst.amount().cents();
            let on = add_days(inst.due, delay);
            let payment = self.payment(on, cents);
            plan.confirmed.push(payment);
        }
        let due = plan.installments[stop].due;
        let stop_amount = plan.installments[stop].amount().cents();
        let days = (today - due).num_days();
        if days > 150 && self.rng.percent(15) {
            // Long overdue: a higher rate was agreed for this contract from day 91.
            let raised = Rate::parse("0.0008").expect("valid rate");
            plan.rate_change = Some((add_days(due, 91), raised));
        }
        let mut partial = 0i64;
        let mut on = add_days(due, self.rng.range(2, 8));
        while on <= today {
            let long = (on - due).num_days() > 120;
            let owed: i64 = plan
                .installments
                .iter()
                .skip(stop)
                .take_while(|i| i.due < on)
                .map(|i| i.amount().cents())
                .sum::<i64>()
                - partial;
            let mut next = add_days(
                on,
                if long {
                    self.rng.range(10, 25)
                } else {
                    self.rng.range(4, 12)
                },
            );
            let promise = if self.rng.percent(45) {
                let date = add_days(on, self.rng.range(2, 14));
                let amount = if self.rng.percent(50) {
                    round_up_hundred(owed)
                } else {
                    round_up_hundred(stop_amount * self.rng.range(20, 50) / 100)
                };
                let affordable = partial + amount < stop_amount;
                if date < today {
                    // Its fate is known: kept (a part paid in time) or broken.
                    if affordable && self.rng.percent(30) {
                        let paid_on = add_days(on, self.rng.range(0, (date - on).num_days()));
                        partial += amount;
                        self.receive(plan, paid_on, amount, 50);
                    }
                } else if affordable && self.rng.percent(20) {
                    // Still open, already paid: waits for finance's confirmation.
                    let paid_on = add_days(on, self.rng.range(0, (today - on).num_days()));
                    partial += amount;
                    let payment = self.payment(paid_on, amount);
                    plan.pending.push(payment);
                }
                next = next.max(add_days(date, self.rng.range(1, 3)));
                Some((date, amount))
            } else {
                None
            };
            let contact = self.contact(on, promise, long);
            plan.contacts.push(contact);
            on = next;
        }
        // Payments are kept in the order received.
        plan.confirmed.sort_by_key(|p| p.on);
    }

    fn contact(
        &mut self,
        on: NaiveDate,
        promise: Option<(NaiveDate, i64)>,
        long: bool,
    ) -> PlannedContact {
        let rng = &mut self.rng;
        let channel = Channel::ALL[rng.weighted(&[55, if long { 25 } else { 10 }, 15, 20])];
        let result = *match (promise.is_some(), channel) {
            (true, Channel::Visit) => rng.pick(VISIT_PROMISE),
            (true, Channel::Wechat) => rng.pick(WECHAT_PROMISE),
            (true, _) => rng.pick(CALL_PROMISE),
            (false, Channel::Call) => rng.pick(CALL_RESULTS),
            (false, Channel::Visit) if long => rng.pick(LONG_VISIT_RESULTS),
            (false, Channel::Visit) => rng.pick(VISIT_RESULTS),
            (false, Channel::Sms) => rng.pick(SMS_RESULTS),
            (false, Channel::Wechat) => rng.pick(WECHAT_RESULTS),
        };
        let note = if rng.percent(30) {
            *rng.pick(NOTES)
        } else {
            ""
        };
        PlannedContact {
            on,
            channel,
            result,
            note,
            promise,
        }
    }

    /// A contract whose every installment is paid: most customers then pay the penalty
    /// still outstanding, and the contract is settled (结清).
    fn maybe_settle(&mut self, plan: &mut Plan) {
        let paid: i64 = plan.confirmed.iter().map(|p| p.cents).sum();
        let owed: i64 = plan.installments.iter().map(|i| i.amount().cents()).sum();
        if !plan.pending.is_empty() || paid < owed {
            return;
        }
        let f = evaluate(
            &ledger_contract(plan, self.today),
            &self.settings,
            self.today,
        );
        if f.principal_outstanding.is_positive() || f.interest_outstanding.is_positive() {
            return;
        }
        if f.penalty_outstanding.is_positive() {
            let last = plan.confirmed.last().map_or(self.today, |p| p.on);
            let on = add_days(last, self.rng.range(0, 20)).min(self.today);
            if self.rng.percent(20) || on >= add_days(self.today, -RECENT_DAYS) {
                return; // still owes it: a waiver may follow
            }
            // The penalty as of the day it is paid, which may be later than the last payment.
            let f = evaluate(&ledger_contract(plan, self.today), &self.settings, on);
            let payment = self.payment(on, f.penalty_outstanding.cents());
            plan.confirmed.push(payment);
        }
        let f = evaluate(
            &ledger_contract(plan, self.today),
            &self.settings,
            self.today,
        );
        plan.settle = f.principal_outstanding.is_zero()
            && f.interest_outstanding.is_zero()
            && f.penalty_outstanding.is_zero();
    }
}

/// The contract as the ledger will see it with the confirmed payments planned so far.
fn ledger_contract(plan: &Plan, today: NaiveDate) -> Contract {
    let new = &plan.new;
    Contract {
        no: new.no.clone(),
        customer_id: new.customer_id.clone(),
        signed_on: new.signed_on,
        model: new.model.clone(),
        serial: new.serial.clone(),
        financed: new.financed,
        installments: plan.installments.clone(),
        payments: plan
            .confirmed
            .iter()
            .map(|p| Payment {
                id: String::new(),
                received_on: p.on,
                amount: Money::from_cents(p.cents),
                method: String::new(),
                reference: String::new(),
                recorded_by: String::new(),
                status: PaymentStatus::Confirmed {
                    on: today,
                    by: String::new(),
                },
            })
            .collect(),
        own_rates: plan
            .new
            .penalty_rate
            .map(|daily| RateEntry {
                from: new.signed_on,
                daily,
            })
            .into_iter()
            .chain(
                plan.rate_change
                    .map(|(from, daily)| RateEntry { from, daily }),
            )
            .collect(),
        grace_days: new.grace_days,
        state: ContractState::Active,
        machine: MachineState::Normal,
        waivers: Vec::new(),
    }
}

fn round_up_hundred(cents: i64) -> i64 {
    (cents.max(1) + 9_999) / 10_000 * 10_000
}

/// An equal-principal schedule (等额本金): principal `financed / term` each month (the
/// remainder on the last), interest on the principal still owed. Sums to financed + interest.
fn schedule(signed: NaiveDate, term: u32, financed_cents: i64, annual_bp: i64) -> Vec<Installment> {
    let repay_day = signed.day().min(28);
    let first = signed.with_day(repay_day).expect("valid day");
    let base = financed_cents / i64::from(term);
    let mut owed = financed_cents;
    (0..term)
        .map(|k| {
            let principal = if k + 1 == term { owed } else { base };
            // owed × bp / 10000 / 12, half-up to the cent.
            let interest = (owed * annual_bp * 2 + 120_000) / 240_000;
            owed -= principal;
            Installment {
                seq: k + 1,
                due: add_months(first, k + 1),
                principal: Money::from_cents(principal),
                interest: Money::from_cents(interest),
            }
        })
        .collect()
}

/// An 18-character resident identity number with its ISO 7064 check character.
fn resident_id(rng: &mut Rng, region: &str, today: NaiveDate) -> String {
    let age = rng.range(24, 62) as i32;
    let body = format!(
        "{region}{:04}{:02}{:02}{}",
        today.year() - age,
        rng.range(1, 12),
        rng.range(1, 28),
        rng.digits(3)
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// An 18-character unified social credit code (统一社会信用代码) of a company, with both
/// of its check characters.
fn credit_code(rng: &mut Rng, region: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let org = rng.digits(8);
    const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = org
        .bytes()
        .zip(ORG_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let org_check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from(b'0' + c as u8),
    };
    let body = format!("91{region}{org}{org_check}");
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| {
            ALPHABET
                .iter()
                .position(|&a| a == b)
                .expect("code character") as u32
                * w
        })
        .sum();
    let check = ALPHABET[((31 - sum % 31) % 31) as usize] as char;
    format!("{body}{check}")
}

// ---------------------------------------------------------------------------------------------
// The dealer's world.

struct Branch {
    name: &'static str,
    code: &'static str,
    province: &'static str,
    city: &'static str,
    weight: u32,
    collectors: &'static [&'static str],
    counties: &'static [County],
}

struct County {
    name: &'static str,
    code: &'static str,
    towns: &'static [&'static str],
}

static BRANCHES: [Branch; 5] = [
    Branch {
        name: "合肥",
        code: "HF",
        province: "安徽省",
        city: "合肥市",
        weight: 30,
        collectors: &["wangjun", "lihua", "zhangqiang", "chenjing"],
        counties: &[
            County {
                name: "肥西县",
                code: "340123",
                towns: &["上派镇", "三河镇", "桃花镇", "花岗镇"],
            },
            County {
                name: "长丰县",
                code: "340121",
                towns: &["双墩镇", "岗集镇", "下塘镇"],
            },
            County {
                name: "肥东县",
                code: "340122",
                towns: &["店埠镇", "撮镇镇", "梁园镇"],
            },
            County {
                name: "庐江县",
                code: "340124",
                towns: &["庐城镇", "汤池镇", "白山镇"],
            },
            County {
                name: "巢湖市",
                code: "340181",
                towns: &["柘皋镇", "烔炀镇", "槐林镇"],
            },
        ],
    },
    Branch {
        name: "滁州",
        code: "CZ",
        province: "安徽省",
        city: "滁州市",
        weight: 15,
        collectors: &["liuyang", "zhaolei"],
        counties: &[
            County {
                name: "定远县",
                code: "341125",
                towns: &["定城镇", "炉桥镇", "藕塘镇"],
            },
            County {
                name: "凤阳县",
                code: "341126",
                towns: &["府城镇", "临淮关镇", "刘府镇"],
            },
            County {
                name: "全椒县",
                code: "341124",
                towns: &["襄河镇", "古河镇"],
            },
            County {
                name: "来安县",
                code: "341122",
                towns: &["新安镇", "半塔镇"],
            },
            County {
                name: "天长市",
                code: "341181",
                towns: &["铜城镇", "秦栏镇"],
            },
            County {
                name: "明光市",
                code: "341182",
                towns: &["女山湖镇", "管店镇"],
            },
        ],
    },
    Branch {
        name: "武汉",
        code: "WH",
        province: "湖北省",
        city: "武汉市",
        weight: 25,
        collectors: &["sunpeng", "zhoutao", "wuhao"],
        counties: &[
            County {
                name: "黄陂区",
                code: "420116",
                towns: &["前川街道", "横店街道", "祁家湾街道"],
            },
            County {
                name: "新洲区",
                code: "420117",
                towns: &["邾城街道", "阳逻街道"],
            },
            County {
                name: "江夏区",
                code: "420115",
                towns: &["纸坊街道", "郑店街道", "五里界街道"],
            },
            County {
                name: "蔡甸区",
                code: "420114",
                towns: &["蔡甸街道", "奓山街道"],
            },
            County {
                name: "汉南区",
                code: "420113",
                towns: &["纱帽街道", "邓南街道"],
            },
        ],
    },
    Branch {
        name: "芜湖",
        code: "WU",
        province: "安徽省",
        city: "芜湖市",
        weight: 18,
        collectors: &["xuming", "huangbo", "hufang"],
        counties: &[
            County {
                name: "湾沚区",
                code: "340221",
                towns: &["湾沚镇", "六郎镇"],
            },
            County {
                name: "繁昌区",
                code: "340222",
                towns: &["繁阳镇", "荻港镇"],
            },
            County {
                name: "南陵县",
                code: "340223",
                towns: &["籍山镇", "许镇镇"],
            },
            County {
                name: "无为市",
                code: "340281",
                towns: &["无城镇", "石涧镇", "襄安镇"],
            },
        ],
    },
    Branch {
        name: "六安",
        code: "LA",
        province: "安徽省",
        city: "六安市",
        weight: 12,
        collectors: &["guoliang", "heping"],
        counties: &[
            County {
                name: "霍山县",
                code: "341525",
                towns: &["衡山镇", "佛子岭镇"],
            },
            County {
                name: "金寨县",
                code: "341524",
                towns: &["梅山镇", "汤家汇镇"],
            },
            County {
                name: "舒城县",
                code: "341523",
                towns: &["城关镇", "杭埠镇"],
            },
            County {
                name: "霍邱县",
                code: "341522",
                towns: &["城关镇", "临淮岗镇"],
            },
            County {
                name: "裕安区",
                code: "341503",
                towns: &["苏埠镇", "独山镇"],
            },
        ],
    },
];

struct Model {
    name: &'static str,
    serial_prefix: &'static str,
    /// Price range in thousands of yuan.
    price_min: i64,
    price_max: i64,
    weight: u32,
}

static MODELS: [Model; 10] = [
    Model {
        name: "SY75C",
        serial_prefix: "SY075C",
        price_min: 280,
        price_max: 340,
        weight: 16,
    },
    Model {
        name: "SY135C",
        serial_prefix: "SY135C",
        price_min: 520,
        price_max: 620,
        weight: 12,
    },
    Model {
        name: "SY215C",
        serial_prefix: "SY215C",
        price_min: 850,
        price_max: 980,
        weight: 12,
    },
    Model {
        name: "SY365H",
        serial_prefix: "SY365H",
        price_min: 1500,
        price_max: 1800,
        weight: 4,
    },
    Model {
        name: "XE75DA",
        serial_prefix: "XUG075DA",
        price_min: 260,
        price_max: 320,
        weight: 10,
    },
    Model {
        name: "XE215DA",
        serial_prefix: "XUG215DA",
        price_min: 800,
        price_max: 920,
        weight: 11,
    },
    Model {
        name: "PC200-8M0",
        serial_prefix: "KMTPC200",
        price_min: 1000,
        price_max: 1150,
        weight: 6,
    },
    Model {
        name: "ZL50GN",
        serial_prefix: "XUGZL50GN",
        price_min: 330,
        price_max: 380,
        weight: 11,
    },
    Model {
        name: "LG855N",
        serial_prefix: "LG855N",
        price_min: 300,
        price_max: 360,
        weight: 10,
    },
    Model {
        name: "CLG856H",
        serial_prefix: "CLG856H",
        price_min: 350,
        price_max: 420,
        weight: 8,
    },
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史",
    "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "武", "戴", "孔", "汤", "葛",
];

const GIVEN_NAMES: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "建国", "志强", "海涛", "红梅",
    "玉兰", "德明", "国强", "文华", "春生", "金龙", "永刚", "晓东", "立新", "长青", "振华", "大勇",
    "宏伟", "俊", "斌", "浩", "鹏", "辉", "波", "林", "峰", "亮", "飞", "健", "新民", "玉华",
    "家俊", "志刚", "先进", "守义", "传福", "满堂", "德胜", "有才", "少华", "光明", "学军", "红兵",
];

const TRADE_NAMES: &[&str] = &[
    "恒通", "鑫达", "宏远", "顺发", "金鼎", "华建", "安泰", "中利", "永盛", "天成", "聚力", "盛世",
    "长丰", "润泽", "广源", "宏伟", "众鑫", "腾达",
];

const INDUSTRIES: &[&str] = &[
    "土石方工程",
    "工程机械租赁",
    "建筑工程",
    "矿业",
    "市政工程",
    "路桥工程",
    "建材",
];

const PHONE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "198", "199",
];

const VILLAGES: &[&str] = &[
    "张湾", "李庄", "新华", "红星", "光明", "王岗", "桥头", "东风", "团结", "和平", "长岗", "大店",
    "高庄", "马集", "双河",
];

const STREETS: &[&str] = &[
    "建设路",
    "人民路",
    "解放路",
    "工业大道",
    "迎宾大道",
    "兴业路",
    "长江路",
    "淮河路",
];

const CALL_RESULTS: &[&str] = &[
    "电话无人接听",
    "电话关机",
    "号码暂时无法接通",
    "客户称工地回款慢，资金紧张",
    "客户称机器停工，暂无收入",
    "客户表示下周筹款",
    "家属接听，答应转告客户",
    "客户态度消极，拒绝沟通",
];

const CALL_PROMISE: &[&str] = &[
    "客户承诺月底还款",
    "客户承诺按约定日期还款",
    "客户承诺先还一部分",
    "客户承诺工程款到账后还款",
];

const VISIT_RESULTS: &[&str] = &[
    "上门拜访，客户不在家",
    "现场查看机器，设备在工地正常作业",
    "上门催收，告知逾期将影响征信",
];

const LONG_VISIT_RESULTS: &[&str] = &[
    "上门催收，告知逾期将锁机",
    "现场未找到设备，已报告风控",
    "设备停放在客户家中，未作业",
    "建议申请拖机",
];

const VISIT_PROMISE: &[&str] = &["上门催收，客户承诺近期还款", "当面协商，客户签字承诺还款"];

const SMS_RESULTS: &[&str] = &[
    "已发送逾期提醒短信",
    "已发送罚息告知短信",
    "短信提醒后客户回电",
];

const WECHAT_RESULTS: &[&str] = &[
    "微信提醒，客户已读未回",
    "已微信发送还款明细",
    "微信语音未接",
];

const WECHAT_PROMISE: &[&str] = &["微信沟通，客户承诺尽快还款", "客户微信回复承诺还款"];

const NOTES: &[&str] = &[
    "工程款拖欠，需跟进",
    "客户另有贷款，还款压力大",
    "担保人已联系",
    "设备在外地工地",
    "客户要求减免罚息",
    "建议申请锁机",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::OverdueFilter;
    use crate::domain::{Bucket, PromiseState};
    use crate::store::Reader;
    use std::collections::BTreeSet;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, 15).unwrap()
    }

    fn demo(contracts: usize, seed: u64) -> (tempfile::TempDir, App, DemoSummary) {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(&dir.path().join("db")).unwrap();
        let summary = load(
            &app,
            &DemoOptions {
                contracts,
                seed,
                today: today(),
            },
        )
        .unwrap();
        (dir, app, summary)
    }

    fn admin() -> Ctx {
        admin_ctx(today())
    }

    #[test]
    fn the_same_seed_gives_the_same_book() {
        let (_a, first, s1) = demo(200, 42);
        let (_b, second, s2) = demo(200, 42);
        assert_eq!(s1, s2);
        let filter = OverdueFilter::default();
        let rows1 = first.overdue(&admin(), today(), &filter).unwrap();
        let rows2 = second.overdue(&admin(), today(), &filter).unwrap();
        assert!(!rows1.is_empty());
        assert_eq!(rows1, rows2);
        assert_eq!(
            first.store().journal_len().unwrap(),
            second.store().journal_len().unwrap()
        );
        // Another seed gives another book.
        let (_c, third, _) = demo(200, 43);
        assert_ne!(rows1, third.overdue(&admin(), today(), &filter).unwrap());
    }

    #[test]
    fn a_small_book_has_every_bucket_promises_and_pending_payments() {
        let (_dir, app, summary) = demo(300, 7);
        assert_eq!(summary.contracts, 300);
        assert!(summary.customers > 250 && summary.customers <= 300);
        assert!(summary.pending_payments > 0, "{summary}");
        assert!(summary.settled > 0, "{summary}");

        let rows = app
            .overdue(&admin(), today(), &OverdueFilter::default())
            .unwrap();
        let buckets: BTreeSet<Bucket> = rows.iter().map(|r| r.bucket).collect();
        for bucket in &Bucket::ALL[1..] {
            assert!(buckets.contains(bucket), "no contract in bucket {bucket:?}");
        }

        let mut states = BTreeSet::new();
        let mut contracts = Vec::new();
        for contract in app.store().contracts() {
            let contract = contract.unwrap();
            contracts.push(contract.no.clone());
            let view = app.ticket(&admin(), &contract.no, today()).unwrap();
            states.extend(view.promises.iter().map(|p| p.state.name()));
            // Installments sum to financed + interest.
            let principal: Money = contract.installments.iter().map(|i| i.principal).sum();
            assert_eq!(principal, contract.financed, "{}", contract.no);
            assert!((24..=36).contains(&contract.installments.len()));
        }
        for state in [PromiseState::Kept, PromiseState::Broken, PromiseState::Due] {
            assert!(states.contains(state.name()), "no {} promise", state.name());
        }

        let pending = app.pending_payments(&admin()).unwrap();
        assert_eq!(pending.len(), summary.pending_payments);
        assert!(
            pending
                .iter()
                .all(|p| p.received_on <= today() && p.received_on >= add_days(today(), -14))
        );
        // Recorded by the customer's collector, not by the administrator.
        assert!(pending.iter().all(|p| p.recorded_by == p.collector));

        // Accrued through today; the cache agrees with a fresh evaluation.
        assert_eq!(app.store().accrued_through().unwrap(), Some(today()));
    }

    #[test]
    fn the_overdue_projection_agrees_with_evaluation_and_survives_a_rebuild() {
        let (_dir, app, _) = demo(300, 11);
        let admin = admin();
        let all = OverdueFilter::default();
        let listed = app.overdue(&admin, today(), &all).unwrap();
        assert!(!listed.is_empty());
        assert_eq!(
            listed,
            app.overdue_without_projection(&admin, today(), &all)
                .unwrap()
        );

        // A day of work: a payment, a contact with a promise, a pending payment confirmed.
        let first = listed[0].contract_no.clone();
        let second = listed[listed.len() / 2].contract_no.clone();
        app.execute(
            &admin,
            Mutation::RecordPayment {
                id: String::new(),
                contract: first,
                received_on: today(),
                amount: Money::from_cents(5_000_000),
                method: "transfer".into(),
                reference: String::new(),
                confirmed: true,
            },
        )
        .unwrap();
        let collector = listed[listed.len() / 2].collector.clone();
        app.execute(
            &Ctx::new(&collector, today(), 0),
            Mutation::AddContact {
                contract: second,
                channel: Channel::Call,
                result: "客户承诺月底还款".into(),
                note: String::new(),
                promise: Some(Promise {
                    date: add_days(today(), 10),
                    amount: Money::from_cents(100_000),
                }),
            },
        )
        .unwrap();
        let pending = app.pending_payments(&admin).unwrap();
        app.execute(
            &admin,
            Mutation::ConfirmPayment {
                id: pending[0].id.clone(),
            },
        )
        .unwrap();
        let tomorrow = add_days(today(), 1);
        app.execute(&admin_ctx(tomorrow), Mutation::Accrue { through: tomorrow })
            .unwrap();
        for filter in [
            all.clone(),
            OverdueFilter {
                branch: Some("合肥".into()),
                ..Default::default()
            },
            OverdueFilter {
                bucket: Some(Bucket::D1To30),
                ..Default::default()
            },
        ] {
            let listed = app.overdue(&admin, tomorrow, &filter).unwrap();
            let evaluated = app
                .overdue_without_projection(&admin, tomorrow, &filter)
                .unwrap();
            assert_eq!(listed, evaluated, "{filter:?}");
        }
        let theirs = Ctx::new(&collector, tomorrow, 0);
        let mine = app.overdue(&theirs, tomorrow, &all).unwrap();
        assert!(!mine.is_empty() && mine.iter().all(|r| r.collector == collector));
        assert_eq!(
            mine,
            app.overdue_without_projection(&theirs, tomorrow, &all)
                .unwrap()
        );

        // Replaying the journal rebuilds the same projections, the overdue list included.
        let before = app.store().projection_dump().unwrap();
        app.rebuild().unwrap();
        assert_eq!(before, app.store().projection_dump().unwrap());
    }

    #[test]
    fn a_database_of_schema_1_is_migrated_to_the_projections_of_schema_2() {
        let (dir, app, _) = demo(200, 5);
        let before = app.store().projection_dump().unwrap();
        // Schema 1 kept no penalty facts and overdue lines of another shape.
        app.store().clear_overdue_lines().unwrap();
        app.store().set_schema_version(1).unwrap();
        drop(app);
        let app = App::open(&dir.path().join("db")).unwrap();
        assert_eq!(
            app.store().schema_version().unwrap(),
            crate::store::SCHEMA_VERSION
        );
        assert!(before == app.store().projection_dump().unwrap());
    }

    #[test]
    fn a_customer_change_reaches_their_lines_of_the_overdue_list() {
        let (_dir, app, _) = demo(200, 3);
        let admin = admin();
        let all = OverdueFilter::default();
        let row = app.overdue(&admin, today(), &all).unwrap()[0].clone();
        let mut customer = app.store().customer(&row.customer_id).unwrap().unwrap();
        customer.name = "新名字".into();
        customer.collector = "newcomer".into();
        app.execute(&admin, Mutation::PutCustomer(customer))
            .unwrap();
        let listed = app.overdue(&admin, today(), &all).unwrap();
        let line = listed
            .iter()
            .find(|r| r.contract_no == row.contract_no)
            .unwrap();
        assert_eq!(
            (line.customer.as_str(), line.collector.as_str()),
            ("新名字", "newcomer")
        );
        assert_eq!(
            listed,
            app.overdue_without_projection(&admin, today(), &all)
                .unwrap()
        );
        let theirs = Ctx::new("newcomer", today(), 0);
        let mine = app.overdue(&theirs, today(), &all).unwrap();
        assert!(mine.iter().any(|r| r.contract_no == row.contract_no));
    }

    #[test]
    fn a_book_with_contracts_is_refused() {
        let (_dir, app, _) = demo(5, 1);
        let again = load(
            &app,
            &DemoOptions {
                contracts: 5,
                seed: 1,
                today: today(),
            },
        );
        let message = again.unwrap_err().to_string();
        assert!(message.contains("already has contracts"), "{message}");
    }

    #[test]
    fn identity_numbers_carry_valid_check_characters() {
        let mut rng = Rng::new(1);
        let id = resident_id(&mut rng, "340123", today());
        assert_eq!(id.len(), 18);
        // 11010519491231002X is the standard's published example.
        let example = "11010519491231002";
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = example
            .bytes()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        assert_eq!(b"10X98765432"[(sum % 11) as usize], b'X');
        let code = credit_code(&mut rng, "340100");
        assert_eq!(code.len(), 18);
        assert!(code.starts_with("91340100"));
    }

    #[test]
    fn schedules_are_equal_principal_with_interest_on_the_balance() {
        let signed = NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
        let s = schedule(signed, 24, 100_000_000, 600);
        assert_eq!(s.len(), 24);
        assert_eq!(s[0].due, NaiveDate::from_ymd_opt(2025, 2, 28).unwrap());
        assert_eq!(s[1].due, NaiveDate::from_ymd_opt(2025, 3, 28).unwrap());
        // 1,000,000.00 / 24 = 41,666.66 a month; the last takes the remainder.
        assert_eq!(s[0].principal, Money::from_cents(4_166_666));
        assert_eq!(s[23].principal, Money::from_cents(4_166_682));
        // 1,000,000 × 6% / 12 = 5,000.00 on the first; the balance shrinks after.
        assert_eq!(s[0].interest, Money::from_cents(500_000));
        assert!(s[23].interest < s[0].interest);
        let total: Money = s.iter().map(|i| i.principal).sum();
        assert_eq!(total, Money::from_cents(100_000_000));
    }

    #[test]
    fn the_generator_is_deterministic_and_uniform_enough() {
        let mut a = Rng::new(9);
        let mut b = Rng::new(9);
        let xs: Vec<u64> = (0..100).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[a.below(6) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{counts:?}"
        );
    }
}
