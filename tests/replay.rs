//! Journal properties over random histories: a rebuild from the journal equals the live
//! projections byte for byte; accrual advanced day by day equals accrual in one go, and an
//! accrual run cut short and finished later equals one run straight through; the overdue list
//! projection equals the list evaluated from the contracts; no figure is ever negative.

use chrono::{Days, NaiveDate};
use duedesk::app::{App, Ctx, Mutation, NewContract, OverdueFilter};
use duedesk::domain::approval::DocumentType;
use duedesk::domain::{Channel, Customer, Installment, Money, Promise, Rate, evaluate};
use duedesk::store::Reader;
use proptest::prelude::*;

fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .checked_add_days(Days::new(offset))
        .unwrap()
}

fn ctx(offset: u64) -> Ctx {
    Ctx::new("admin", day(offset), 1_767_225_600 + offset as i64 * 86_400)
}

const CONTRACTS: usize = 3;

fn customer(i: usize, name: &str, collector: &str) -> Customer {
    Customer {
        id: format!("C{i}"),
        name: name.into(),
        phone: format!("1380000000{i}"),
        id_number: String::new(),
        address: String::new(),
        branch: "合肥".into(),
        collector: collector.into(),
    }
}

/// Customer `C{i}` (collector wangjun) and their contract `no` with its installments.
fn add_contract(
    batch: &mut Vec<Mutation>,
    i: usize,
    no: &str,
    penalty_rate: Option<Rate>,
    grace_days: Option<u32>,
    installments: Vec<Installment>,
) {
    batch.push(Mutation::PutCustomer(customer(
        i,
        &format!("客户{i}"),
        "wangjun",
    )));
    batch.push(Mutation::AddContract(NewContract {
        no: no.into(),
        customer_id: format!("C{i}"),
        signed_on: day(0),
        model: "SY75C".into(),
        serial: format!("S{i}"),
        financed: Money::from_cents(300_000),
        penalty_rate,
        grace_days,
    }));
    batch.push(Mutation::AddInstallments {
        contract: no.into(),
        installments,
    });
}

/// Three customers and contracts, monthly installments, global rate 0.0005.
fn seed(app: &App) {
    let c0 = ctx(0);
    app.execute(
        &c0,
        Mutation::SetRate {
            contract: None,
            from: day(0),
            daily: Rate::parse("0.0005").unwrap(),
        },
    )
    .unwrap();
    let mut batch = Vec::new();
    for i in 0..CONTRACTS {
        let rate = (i == 2).then(|| Rate::parse("0.0007").unwrap());
        let installments = (1..=4)
            .map(|k| Installment {
                seq: k,
                due: day(10 + 30 * (k as u64 - 1) + i as u64),
                principal: Money::from_cents(70_000 + 13 * i as i64),
                interest: Money::from_cents(5_011),
            })
            .collect();
        let grace = (i == 1).then_some(5);
        add_contract(&mut batch, i, &format!("H{i}"), rate, grace, installments);
    }
    batch.push(Mutation::AddUser {
        name: "cw".into(),
        display: "陈雯".into(),
        roles: vec![duedesk::domain::Role::Finance],
        branch: None,
    });
    batch.push(Mutation::AddUser {
        name: "zhao".into(),
        display: "赵刚".into(),
        roles: vec![duedesk::domain::Role::Approver],
        branch: Some("合肥".into()),
    });
    app.execute_batch(&c0, &batch).unwrap();
}

#[derive(Clone, Debug)]
enum Op {
    /// Pays and confirms everything the contract owes today, so settlement can happen.
    PayAll {
        contract: usize,
    },
    Pay {
        contract: usize,
        cents: i64,
        back: u64,
    },
    Confirm {
        nth: usize,
    },
    Void {
        nth: usize,
    },
    Rate {
        contract: Option<usize>,
        ten_thousandths: u32,
        back: u64,
    },
    Grace {
        contract: Option<usize>,
        days: u32,
    },
    Contact {
        contract: usize,
        promise_cents: Option<i64>,
    },
    Waiver {
        contract: usize,
        cents: i64,
    },
    ApproveWaiver {
        nth: usize,
    },
    Settle {
        contract: usize,
    },
    Statutory(bool),
    /// The collector applies for a lock (0), unlock (1) or tow (2).
    Apply {
        contract: usize,
        kind: u8,
    },
    /// The approver decides the nth application waiting for him.
    Decide {
        nth: usize,
        approve: bool,
    },
    /// The clerk moves the nth approved application on: registers, completes or executes.
    FollowUp {
        nth: usize,
    },
    /// The admin renames the contract's customer, or hands them to another collector.
    Customer {
        contract: usize,
        renamed: bool,
        collector: bool,
    },
    /// The fund budget of 合肥 for today's month: draft (0), submit (1; finance approves it
    /// as a waiver's approver does), manual spending (2), close last month (3).
    Budget {
        kind: u8,
        cents: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..CONTRACTS, 1i64..150_000, 0u64..20).prop_map(|(contract, cents, back)| Op::Pay { contract, cents, back }),
        4 => (0usize..8).prop_map(|nth| Op::Confirm { nth }),
        1 => (0..CONTRACTS).prop_map(|contract| Op::PayAll { contract }),
        1 => (0usize..8).prop_map(|nth| Op::Void { nth }),
        1 => (proptest::option::of(0..CONTRACTS), 0u32..12, 0u64..40).prop_map(|(contract, ten_thousandths, back)| Op::Rate { contract, ten_thousandths, back }),
        1 => (proptest::option::of(0..CONTRACTS), 0u32..8).prop_map(|(contract, days)| Op::Grace { contract, days }),
        1 => (0..CONTRACTS, proptest::option::of(1i64..90_000)).prop_map(|(contract, promise_cents)| Op::Contact { contract, promise_cents }),
        1 => (0..CONTRACTS, 1i64..3_000).prop_map(|(contract, cents)| Op::Waiver { contract, cents }),
        1 => (0usize..4).prop_map(|nth| Op::ApproveWaiver { nth }),
        2 => (0..CONTRACTS).prop_map(|contract| Op::Settle { contract }),
        1 => any::<bool>().prop_map(Op::Statutory),
        2 => (0u8..4, 1i64..500_000).prop_map(|(kind, cents)| Op::Budget { kind, cents }),
        2 => (0..CONTRACTS, 0u8..3).prop_map(|(contract, kind)| Op::Apply { contract, kind }),
        4 => (0usize..4, any::<bool>()).prop_map(|(nth, approve)| Op::Decide { nth, approve }),
        4 => (0usize..4).prop_map(|nth| Op::FollowUp { nth }),
        1 => (0..CONTRACTS, any::<bool>(), any::<bool>()).prop_map(|(contract, renamed, collector)| Op::Customer { contract, renamed, collector }),
    ]
}

/// Runs one operation on business day `today`; refusals are part of life and change nothing.
fn run(app: &App, today: u64, op: &Op) {
    let c = ctx(today);
    let pending = app.pending_payments(&c).unwrap();
    let waivers: Vec<String> = app
        .applications(&c, &duedesk::app::ApplicationFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.stage == "in_review")
        .map(|a| a.id)
        .collect();
    let m = match op {
        Op::Pay {
            contract,
            cents,
            back,
        } => Mutation::RecordPayment {
            id: String::new(),
            contract: format!("H{contract}"),
            received_on: day(today.saturating_sub(*back)),
            amount: Money::from_cents(*cents),
            method: "cash".into(),
            reference: String::new(),
            confirmed: false,
        },
        Op::PayAll { contract } => {
            let no = format!("H{contract}");
            for p in pending.iter().filter(|p| p.contract_no == no) {
                let _ = app.execute(
                    &c,
                    Mutation::VoidPayment {
                        id: p.id.clone(),
                        reason: "replaced".into(),
                    },
                );
            }
            let Ok(t) = app.ticket(&c, &no, c.today) else {
                return;
            };
            if t.total_outstanding.is_positive() {
                let pay = Mutation::RecordPayment {
                    id: String::new(),
                    contract: no.clone(),
                    received_on: c.today,
                    amount: t.total_outstanding,
                    method: "cash".into(),
                    reference: String::new(),
                    confirmed: true,
                };
                let _ = app.execute(&c, pay);
            }
            Mutation::Settle { contract: no }
        }
        Op::Confirm { nth } => match pending.get(*nth % pending.len().max(1)) {
            Some(p) => Mutation::ConfirmPayment { id: p.id.clone() },
            None => return,
        },
        Op::Void { nth } => match pending.get(*nth % pending.len().max(1)) {
            Some(p) => Mutation::VoidPayment {
                id: p.id.clone(),
                reason: "bounced".into(),
            },
            None => return,
        },
        Op::Rate {
            contract,
            ten_thousandths,
            back,
        } => Mutation::SetRate {
            contract: contract.map(|i| format!("H{i}")),
            from: day(today.saturating_sub(*back)),
            daily: Rate::new(rust_decimal::Decimal::new(*ten_thousandths as i64, 4)),
        },
        Op::Grace { contract, days } => Mutation::SetGrace {
            contract: contract.map(|i| format!("H{i}")),
            days: *days,
        },
        Op::Contact {
            contract,
            promise_cents,
        } => Mutation::AddContact {
            contract: format!("H{contract}"),
            channel: Channel::Call,
            result: "答应还款".into(),
            note: String::new(),
            promise: promise_cents.map(|cents| Promise {
                date: day(today + 3),
                amount: Money::from_cents(cents),
            }),
        },
        Op::Waiver { contract, cents } => Mutation::ApplyWaiver {
            id: String::new(),
            contract: format!("H{contract}"),
            amount: Money::from_cents(*cents),
            reason: "r".into(),
        },
        // Applied for by the collector, approved by the admin: nobody approves their own.
        Op::ApproveWaiver { nth } => match waivers.get(*nth % waivers.len().max(1)) {
            Some(id) => Mutation::Approve {
                id: id.clone(),
                comment: String::new(),
            },
            None => return,
        },
        Op::Settle { contract } => Mutation::Settle {
            contract: format!("H{contract}"),
        },
        Op::Apply { contract, kind } => Mutation::Apply {
            id: String::new(),
            document: [DocumentType::Lock, DocumentType::Unlock, DocumentType::Tow][*kind as usize],
            contract: format!("H{contract}"),
            reason: "催收不顺".into(),
            location: "工地".into(),
        },
        Op::Decide { nth, approve } => {
            let zhao = Ctx::new("zhao", c.today, c.now);
            let filter = duedesk::app::ApplicationFilter {
                awaiting_me: true,
                ..Default::default()
            };
            let waiting = app.applications(&zhao, &filter).unwrap();
            let Some(a) = waiting.get(*nth % waiting.len().max(1)) else {
                return;
            };
            if *approve {
                Mutation::Approve {
                    id: a.id.clone(),
                    comment: "同意".into(),
                }
            } else {
                Mutation::Reject {
                    id: a.id.clone(),
                    comment: "再等等".into(),
                }
            }
        }
        Op::FollowUp { nth } => {
            let all = app.applications(&c, &Default::default()).unwrap();
            let ready: Vec<_> = all
                .iter()
                .filter(|a| matches!(a.stage, "approved" | "scheduled"))
                .collect();
            let Some(a) = ready.get(*nth % ready.len().max(1)) else {
                return;
            };
            match (a.document, a.stage) {
                ("tow", "approved") => Mutation::RegisterTow {
                    id: a.id.clone(),
                    crew: vec!["老王".into()],
                    planned_on: c.today,
                    location: "工地".into(),
                    note: String::new(),
                },
                ("tow", _) => Mutation::CompleteTow {
                    id: a.id.clone(),
                    towed_on: c.today,
                    yard: "一号场".into(),
                    condition: String::new(),
                    cost: Money::from_cents(350_000),
                },
                _ => Mutation::Execute {
                    id: a.id.clone(),
                    command_status: None,
                },
            }
        }
        Op::Customer {
            contract,
            renamed,
            collector,
        } => {
            let name = format!("客户{contract}{}", if *renamed { "（新）" } else { "" });
            let collector = if *collector { "lina" } else { "wangjun" };
            Mutation::PutCustomer(customer(*contract, &name, collector))
        }
        Op::Budget { kind, cents } => {
            use duedesk::domain::budget::{Category, Line, LineKind, Month};
            let month = Month::of(c.today);
            match kind {
                0 => Mutation::DraftBudget {
                    month,
                    branch: "合肥".into(),
                    lines: vec![
                        Line {
                            kind: LineKind::Collection,
                            collector: None,
                            amount: Money::from_cents(*cents),
                        },
                        Line {
                            kind: LineKind::Spending(Category::Tow),
                            collector: None,
                            amount: Money::from_cents(*cents / 10),
                        },
                    ],
                },
                1 => Mutation::SubmitBudget {
                    application: String::new(),
                    month,
                    branch: "合肥".into(),
                },
                2 => Mutation::BookSpending {
                    id: String::new(),
                    month,
                    branch: "合肥".into(),
                    category: Category::Travel,
                    amount: Money::from_cents(*cents),
                    reason: "出差".into(),
                },
                _ => Mutation::CloseBudgetMonth {
                    month: Month::of(month.first_day().pred_opt().unwrap()),
                },
            }
        }
        Op::Statutory(on) => Mutation::SetAllocationOrder {
            order: if *on {
                duedesk::domain::AllocationOrder::Statutory
            } else {
                duedesk::domain::AllocationOrder::DueFirst
            },
        },
    };
    // The collector applies for waivers, finance decides them: nobody approves their own.
    let actor = match op {
        Op::Waiver { .. } => "wangjun",
        Op::ApproveWaiver { .. } => "cw",
        Op::Apply { .. } => "wangjun",
        Op::Decide { .. } => "zhao",
        _ => "admin",
    };
    let _ = app.execute(&Ctx::new(actor, c.today, c.now), m);
}

fn fresh() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("db")).unwrap();
    seed(&app);
    (dir, app)
}

/// What the accrual cache holds, read through the app: the overdue list as of the accrual date
/// and every contract's cached penalty.
fn cached(app: &App) -> (Vec<duedesk::app::OverdueRow>, Vec<Money>) {
    let (listed, _) = overdue_both_ways(app);
    let penalties = (0..CONTRACTS)
        .map(|i| app.cached_penalty(&format!("H{i}")).unwrap())
        .collect();
    (listed, penalties)
}

/// The overdue list as of the accrual date, read from the projection, and as evaluated from
/// the contracts: they must agree.
fn overdue_both_ways(app: &App) -> (Vec<duedesk::app::OverdueRow>, Vec<duedesk::app::OverdueRow>) {
    let through = app.store().accrued_through().unwrap().unwrap();
    let c = ctx(0);
    let all = OverdueFilter::default();
    (
        app.overdue(&c, through, &all).unwrap(),
        app.overdue_without_projection(&c, through, &all).unwrap(),
    )
}

/// Runs `ops` from day 5, each after its step of days, accruing every seventh day in parts
/// of one, two or three contracts (a run of several changes); `after` sees the app, the
/// day and whether it accrued after each operation. Returns the last day.
fn play(
    app: &App,
    ops: &[(u64, Op)],
    mut after: impl FnMut(&App, u64, bool) -> Result<(), TestCaseError>,
) -> Result<u64, TestCaseError> {
    let mut today = 5;
    for (step, op) in ops {
        today += step;
        run(app, today, op);
        let accrued = today % 7 == 0;
        if accrued {
            let part = 1 + (today as usize / 7) % 3;
            app.accrue(&ctx(today), day(today), part).unwrap();
        }
        after(app, today, accrued)?;
    }
    Ok(today)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rebuild_equals_live_state_byte_for_byte(ops in proptest::collection::vec((0u64..3, op()), 1..40)) {
        let (_dir, app) = fresh();
        let today = play(&app, &ops, |app, _, accrued| {
            if accrued {
                let (listed, evaluated) = overdue_both_ways(app);
                prop_assert_eq!(listed, evaluated);
            }
            Ok(())
        })?;
        let live = app.store().projection_dump().unwrap();
        app.rebuild().unwrap();
        let rebuilt = app.store().projection_dump().unwrap();
        prop_assert_eq!(live.len(), rebuilt.len());
        prop_assert!(live == rebuilt, "rebuilt projections differ from the live ones");

        // Nothing is ever negative, and money is conserved (asserted inside evaluate).
        let settings = app.store().settings().unwrap();
        for contract in app.store().contracts() {
            let f = evaluate(&contract.unwrap(), &settings, day(today + 30));
            for m in [f.overdue_amount, f.penalty_accrued, f.penalty_outstanding, f.principal_outstanding, f.interest_outstanding, f.credit] {
                prop_assert!(!m.is_negative());
            }
        }
    }

    /// The overdue list the screens share is patched after each change to a few contracts:
    /// it must equal the list read afresh after every operation.
    #[test]
    fn the_shared_overdue_list_follows_every_change(ops in proptest::collection::vec((0u64..2, op()), 1..40)) {
        let (_dir, app) = fresh();
        play(&app, &ops, |app, today, _| {
            // As of the business day, as the screens ask: the list is kept for one date, so
            // it is patched while operations fall on the same day, read afresh on the next.
            let c = ctx(today);
            let shared = app.overdue_shared(&c, c.today).unwrap().to_vec();
            let fresh = app.overdue(&c, c.today, &Default::default()).unwrap();
            prop_assert_eq!(format!("{shared:?}"), format!("{fresh:?}"), "day {}", today);
            Ok(())
        })?;
    }

    #[test]
    fn accrual_day_by_day_equals_accrual_in_one_go(ops in proptest::collection::vec((0u64..4, op()), 1..30)) {
        let (_a_dir, daily) = fresh();
        let (_b_dir, once) = fresh();
        let mut today = 5;
        daily.execute(&ctx(today), Mutation::Accrue { through: day(today) }).unwrap();
        once.execute(&ctx(today), Mutation::Accrue { through: day(today) }).unwrap();
        for (step, op) in &ops {
            for d in today + 1..=today + step {
                daily.execute(&ctx(d), Mutation::Accrue { through: day(d) }).unwrap();
            }
            today += step;
            run(&daily, today, op);
            run(&once, today, op);
        }
        let end = today + 45;
        for d in today + 1..=end {
            daily.execute(&ctx(d), Mutation::Accrue { through: day(d) }).unwrap();
        }
        once.execute(&ctx(end), Mutation::Accrue { through: day(end) }).unwrap();
        // The overdue list is the same, and agrees with the contracts, however the days were
        // accrued.
        prop_assert_eq!(cached(&daily), cached(&once));
        let (listed, evaluated) = overdue_both_ways(&daily);
        prop_assert_eq!(listed, evaluated);
        let settings = once.store().settings().unwrap();
        for i in 0..CONTRACTS {
            let no = format!("H{i}");
            let contract = once.store().contract(&no).unwrap().unwrap();
            let one_go = once.cached_penalty(&no).unwrap();
            let day_by_day = daily.cached_penalty(&no).unwrap();
            prop_assert_eq!(day_by_day, one_go, "contract {}", no);
            if contract.is_open() {
                prop_assert_eq!(one_go, evaluate(&contract, &settings, day(end)).penalty_accrued);
            }
        }
    }

    #[test]
    fn an_accrual_run_cut_short_and_finished_later_equals_one_run(
        before in proptest::collection::vec((0u64..4, op()), 0..12),
        between in proptest::collection::vec(op(), 0..6),
        after in proptest::collection::vec((0u64..4, op()), 0..12),
        parts_done in 1usize..CONTRACTS,
    ) {
        let (_a_dir, cut) = fresh();
        let (_b_dir, whole) = fresh();
        let mut today = 5;
        for app in [&cut, &whole] {
            app.execute(&ctx(today), Mutation::Accrue { through: day(today) }).unwrap();
        }
        for (step, op) in &before {
            today += step;
            run(&cut, today, op);
            run(&whole, today, op);
        }
        // The run through today + 10 in parts of one contract: `cut` stops after `parts_done`
        // of them (as if the machine went down), `whole` goes to the end.
        let through = today + 10;
        let mut upto = None;
        for k in 0..parts_done {
            let part = Mutation::AccruePart { through: day(through), after: upto.clone(), upto: Some(format!("H{k}")) };
            cut.execute(&ctx(through), part).unwrap();
            upto = Some(format!("H{k}"));
        }
        prop_assert_eq!(cut.store().accrued_through().unwrap(), Some(day(5)));
        prop_assert!(cut.store().overdue_through().unwrap().is_none());
        whole.accrue(&ctx(through), day(through), 1).unwrap();
        // A part out of turn is refused.
        let out_of_turn = Mutation::AccruePart { through: day(through), after: None, upto: None };
        prop_assert!(cut.execute(&ctx(through), out_of_turn).is_err());
        // Work goes on in between, on a book half accrued.
        today = through;
        for op in &between {
            run(&cut, today, op);
            run(&whole, today, op);
        }
        // The next accrual finishes the run first.
        let end = today + 3;
        let outcome = cut.execute(&ctx(end), Mutation::Accrue { through: day(end) }).unwrap();
        prop_assert!(outcome.message.contains("interrupted"), "{}", outcome.message);
        whole.execute(&ctx(end), Mutation::Accrue { through: day(end) }).unwrap();
        today = end;
        for (step, op) in &after {
            today += step;
            run(&cut, today, op);
            run(&whole, today, op);
        }
        for app in [&cut, &whole] {
            app.execute(&ctx(today + 1), Mutation::Accrue { through: day(today + 1) }).unwrap();
            let (listed, evaluated) = overdue_both_ways(app);
            prop_assert_eq!(listed, evaluated);
        }
        prop_assert_eq!(cached(&cut), cached(&whole));
        let live = cut.store().projection_dump().unwrap();
        cut.rebuild().unwrap();
        prop_assert!(live == cut.store().projection_dump().unwrap(), "rebuilt projections differ");
    }
}

/// An accrual over hundreds of contracts with staggered due dates, in full and then day by day
/// and over a fortnight, equals each contract evaluated on its own, and the overdue list read
/// from its lines (on every core) equals the one evaluated from the contracts.
#[test]
fn an_accrual_over_many_contracts_equals_each_contract_evaluated() {
    const MANY: usize = 700;
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("db")).unwrap();
    let c0 = ctx(0);
    let rate = Mutation::SetRate {
        contract: None,
        from: day(0),
        daily: Rate::parse("0.0005").unwrap(),
    };
    app.execute(&c0, rate).unwrap();
    let mut batch = Vec::new();
    for i in 0..MANY {
        let rate = (i % 7 == 0).then(|| Rate::parse("0.0007").unwrap());
        let installments = (1..=3)
            .map(|k| Installment {
                seq: k,
                due: day(5 + 30 * (k as u64 - 1) + (i % 40) as u64),
                principal: Money::from_cents(90_000 + i as i64),
                interest: Money::from_cents(4_000),
            })
            .collect();
        let grace = (i % 5 == 0).then_some(3);
        add_contract(
            &mut batch,
            i,
            &format!("H{i:04}"),
            rate,
            grace,
            installments,
        );
    }
    app.execute_batch(&c0, &batch).unwrap();
    let settings = app.store().settings().unwrap();
    for through in [60, 61, 75] {
        app.execute(
            &ctx(through),
            Mutation::Accrue {
                through: day(through),
            },
        )
        .unwrap();
        let (listed, evaluated) = overdue_both_ways(&app);
        assert!(
            listed.len() > 300,
            "most contracts are overdue: {}",
            listed.len()
        );
        assert_eq!(listed, evaluated, "as of day {through}");
        for i in 0..MANY {
            let no = format!("H{i:04}");
            let contract = app.store().contract(&no).unwrap().unwrap();
            assert_eq!(
                app.cached_penalty(&no).unwrap(),
                evaluate(&contract, &settings, day(through)).penalty_accrued,
                "contract {no} as of day {through}"
            );
        }
    }
}
