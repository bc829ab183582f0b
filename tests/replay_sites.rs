//! Replay across sites. A database that is a branch (site 2, its ids `HF-…`) takes local
//! changes of every kind — payments recorded, confirmed, voided and imported in batches, users,
//! approval rules, contracts drafted, orders created, picked, submitted, decided, shipped,
//! swapped and cancelled, accruals — and entries made at another site (site 3, ids `WH-…`)
//! applied as they came. Its rebuild equals its live projections byte for byte; ids carry the
//! site that minted them and never collide; every entry keeps its origin; an entry applied
//! twice changes nothing, and one that skips its site's order is refused.

use chrono::{Days, NaiveDate};
use duedesk::app::{App, Ctx, Mutation, NewContract, builtin_rules};
use duedesk::domain::approval::DocumentType;
use duedesk::domain::outbound::{Machine, MachineStock};
use duedesk::domain::{Customer, Installment, Money, Rate, Role};
use duedesk::store::EntryHeader;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .checked_add_days(Days::new(offset))
        .unwrap()
}

fn as_on(actor: &str, offset: u64) -> Ctx {
    Ctx::new(actor, day(offset), 1_767_225_600 + offset as i64 * 86_400)
}

const CONTRACTS: usize = 3;
const MACHINES: usize = 4;

fn seed(app: &App) {
    let c0 = as_on("admin", 0);
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
        batch.push(Mutation::PutCustomer(Customer {
            id: format!("C{i}"),
            name: format!("客户{i}"),
            phone: format!("1380000000{i}"),
            id_number: String::new(),
            address: String::new(),
            branch: "合肥".into(),
            collector: "wangjun".into(),
        }));
        batch.push(Mutation::AddContract(NewContract {
            no: format!("H{i}"),
            customer_id: format!("C{i}"),
            signed_on: day(0),
            model: "SY75C".into(),
            serial: String::new(),
            financed: Money::from_cents(300_000),
            penalty_rate: None,
            grace_days: None,
        }));
        batch.push(Mutation::AddInstallments {
            contract: format!("H{i}"),
            installments: (1..=3)
                .map(|k| Installment {
                    seq: k,
                    due: day(10 + 30 * (k as u64 - 1)),
                    principal: Money::from_cents(90_000),
                    interest: Money::from_cents(5_000),
                })
                .collect(),
        });
    }
    for (name, role) in [("cw", Role::Finance), ("sales", Role::Sales)] {
        batch.push(Mutation::AddUser {
            name: name.into(),
            display: name.into(),
            roles: vec![role],
            branch: Some("合肥".into()),
        });
    }
    for k in 0..MACHINES {
        batch.push(Mutation::AddMachine(Machine {
            serial: format!("M{k}"),
            model: "SY75C".into(),
            machine_type: "excavator".into(),
            yard: "合肥一号场".into(),
            arrived_on: day(0),
            state: MachineStock::InStock,
        }));
    }
    app.execute_batch(&c0, &batch).unwrap();
}

#[derive(Clone, Debug)]
enum Op {
    Pay {
        contract: usize,
        cents: i64,
    },
    Confirm {
        nth: usize,
    },
    Void {
        nth: usize,
    },
    Import {
        contract: usize,
        count: usize,
    },
    User {
        n: usize,
        clerk: bool,
    },
    Rules {
        strict: bool,
    },
    Draft {
        n: usize,
        customer: usize,
    },
    Order {
        contract: usize,
    },
    Pick {
        nth: usize,
        machine: usize,
    },
    Submit {
        nth: usize,
    },
    Decide {
        nth: usize,
        approve: bool,
    },
    Ship {
        nth: usize,
    },
    Swap {
        nth: usize,
        machine: usize,
    },
    Cancel {
        nth: usize,
    },
    /// A payment recorded at site 3 (head office or another branch), confirmed or not.
    Foreign {
        contract: usize,
        cents: i64,
        confirmed: bool,
    },
    /// The same foreign entry arriving again (a retried sync).
    Replay,
    Accrue,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..CONTRACTS, 1i64..200_000).prop_map(|(contract, cents)| Op::Pay { contract, cents }),
        2 => (0usize..6).prop_map(|nth| Op::Confirm { nth }),
        1 => (0usize..6).prop_map(|nth| Op::Void { nth }),
        1 => (0..CONTRACTS, 1usize..4).prop_map(|(contract, count)| Op::Import { contract, count }),
        1 => (0usize..3, any::<bool>()).prop_map(|(n, clerk)| Op::User { n, clerk }),
        1 => any::<bool>().prop_map(|strict| Op::Rules { strict }),
        1 => (0usize..3, 0..CONTRACTS).prop_map(|(n, customer)| Op::Draft { n, customer }),
        2 => (0..CONTRACTS).prop_map(|contract| Op::Order { contract }),
        2 => (0usize..3, 0..MACHINES).prop_map(|(nth, machine)| Op::Pick { nth, machine }),
        2 => (0usize..3).prop_map(|nth| Op::Submit { nth }),
        2 => (0usize..3, any::<bool>()).prop_map(|(nth, approve)| Op::Decide { nth, approve }),
        1 => (0usize..3).prop_map(|nth| Op::Ship { nth }),
        1 => (0usize..3, 0..MACHINES).prop_map(|(nth, machine)| Op::Swap { nth, machine }),
        1 => (0usize..3).prop_map(|nth| Op::Cancel { nth }),
        3 => (0..CONTRACTS, 1i64..200_000, any::<bool>()).prop_map(|(contract, cents, confirmed)| Op::Foreign { contract, cents, confirmed }),
        1 => Just(Op::Replay),
        1 => Just(Op::Accrue),
    ]
}

/// The branch and what it has applied from site 3.
struct World {
    _dir: tempfile::TempDir,
    app: App,
    foreign_seq: u64,
    last_foreign: Option<(EntryHeader, Mutation)>,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("db")).unwrap();
    app.store().set_site(2, Some("HF")).unwrap();
    seed(&app);
    World {
        _dir: dir,
        app,
        foreign_seq: 0,
        last_foreign: None,
    }
}

fn nth<T: Clone>(items: &[T], n: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[n % items.len()].clone())
}

fn run(w: &mut World, today: u64, op: &Op) {
    let app = &w.app;
    let admin = as_on("admin", today);
    let orders: Vec<String> = app
        .orders(&admin)
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let pending: Vec<String> = app
        .pending_payments(&admin)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let (actor, m) = match op {
        Op::Pay { contract, cents } => (
            "wangjun",
            Mutation::RecordPayment {
                id: String::new(),
                contract: format!("H{contract}"),
                received_on: day(today),
                amount: Money::from_cents(*cents),
                method: "transfer".into(),
                reference: String::new(),
                confirmed: false,
            },
        ),
        Op::Confirm { nth: n } => match nth(&pending, *n) {
            Some(id) => ("cw", Mutation::ConfirmPayment { id }),
            None => return,
        },
        Op::Void { nth: n } => match nth(&pending, *n) {
            Some(id) => (
                "cw",
                Mutation::VoidPayment {
                    id,
                    reason: "退票".into(),
                },
            ),
            None => return,
        },
        Op::Import { contract, count } => {
            let batch: Vec<Mutation> = (0..*count)
                .map(|k| Mutation::RecordPayment {
                    id: String::new(),
                    contract: format!("H{contract}"),
                    received_on: day(today),
                    amount: Money::from_cents(1_000 + k as i64),
                    method: "import".into(),
                    reference: format!("B{k}"),
                    confirmed: true,
                })
                .collect();
            let _ = app.execute_batch(&admin, &batch);
            return;
        }
        Op::User { n, clerk } => (
            "admin",
            if *clerk {
                Mutation::SetRoles {
                    name: format!("u{n}"),
                    roles: vec![Role::Clerk],
                }
            } else {
                Mutation::AddUser {
                    name: format!("u{n}"),
                    display: format!("用户{n}"),
                    roles: vec![Role::Collector],
                    branch: Some("合肥".into()),
                }
            },
        ),
        Op::Rules { strict } => {
            let mut rules = builtin_rules().rules;
            if *strict {
                let mut first = rules
                    .iter()
                    .find(|r| r.document == DocumentType::Outbound)
                    .unwrap()
                    .clone();
                first.name = "large outbound".into();
                first.branch = Some("合肥".into());
                rules.insert(0, first);
            }
            ("admin", Mutation::SetRules { rules })
        }
        Op::Draft { n, customer } => (
            "sales",
            Mutation::DraftContract {
                application: String::new(),
                contract: NewContract {
                    no: format!("D{n}"),
                    customer_id: format!("C{customer}"),
                    signed_on: day(today),
                    model: "SY75C".into(),
                    serial: String::new(),
                    financed: Money::from_cents(250_000),
                    penalty_rate: None,
                    grace_days: Some(2),
                },
            },
        ),
        Op::Order { contract } => (
            "sales",
            Mutation::CreateOrder {
                id: String::new(),
                contract: format!("H{contract}"),
            },
        ),
        Op::Pick { nth: n, machine } => match nth(&orders, *n) {
            Some(order) => (
                "sales",
                Mutation::Pick {
                    order,
                    serial: format!("M{machine}"),
                },
            ),
            None => return,
        },
        Op::Submit { nth: n } => match nth(&orders, *n) {
            Some(order) => (
                "sales",
                Mutation::SubmitOrder {
                    order,
                    application: String::new(),
                },
            ),
            None => return,
        },
        Op::Decide { nth: n, approve } => {
            let waiting: Vec<String> = app
                .applications(&admin, &duedesk::app::ApplicationFilter::default())
                .unwrap()
                .into_iter()
                .filter(|a| a.stage == "in_review")
                .map(|a| a.id)
                .collect();
            match nth(&waiting, *n) {
                Some(id) if *approve => (
                    "cw",
                    Mutation::Approve {
                        id,
                        comment: "ok".into(),
                    },
                ),
                Some(id) => (
                    "cw",
                    Mutation::Reject {
                        id,
                        comment: "no".into(),
                    },
                ),
                None => return,
            }
        }
        Op::Ship { nth: n } => match nth(&orders, *n) {
            Some(order) => (
                "sales",
                Mutation::Ship {
                    order,
                    on: day(today),
                    carrier: "顺丰".into(),
                    note: String::new(),
                },
            ),
            None => return,
        },
        Op::Swap { nth: n, machine } => match nth(&orders, *n) {
            Some(order) => (
                "sales",
                Mutation::SwapMachine {
                    order,
                    serial: format!("M{machine}"),
                    reason: "客户要求".into(),
                },
            ),
            None => return,
        },
        Op::Cancel { nth: n } => match nth(&orders, *n) {
            Some(order) => (
                "sales",
                Mutation::CancelOrder {
                    order,
                    reason: "取消".into(),
                },
            ),
            None => return,
        },
        Op::Foreign {
            contract,
            cents,
            confirmed,
        } => {
            w.foreign_seq += 1;
            let header = EntryHeader {
                site: 3,
                seq: w.foreign_seq,
                actor: "admin".into(),
                at: admin.now,
                business_date: day(today),
            };
            let m = Mutation::RecordPayment {
                id: format!("WH-P{}", w.foreign_seq),
                contract: format!("H{contract}"),
                received_on: day(today),
                amount: Money::from_cents(*cents),
                method: "transfer".into(),
                reference: String::new(),
                confirmed: *confirmed,
            };
            match app.apply_entry(&header, &m) {
                Ok(_) => w.last_foreign = Some((header, m)),
                // Refused (e.g. the contract was settled here): the site's next entry reuses
                // the seq, as a sync would after the refusal is reported.
                Err(_) => w.foreign_seq -= 1,
            }
            return;
        }
        Op::Replay => {
            if let Some((header, m)) = &w.last_foreign {
                let before = app.store().journal_len().unwrap();
                let outcome = app.apply_entry(header, m).unwrap();
                assert!(!outcome.changed, "an entry applied twice changes nothing");
                assert_eq!(app.store().journal_len().unwrap(), before);
                // One that skips its site's next seq is refused.
                let mut ahead = header.clone();
                ahead.seq = w.foreign_seq + 2;
                assert!(app.apply_entry(&ahead, m).is_err());
            }
            return;
        }
        Op::Accrue => {
            let _ = app.accrue(&as_on("cw", today), day(today), 2);
            return;
        }
    };
    let _ = app.execute(&as_on(actor, today), m);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_branch_with_another_sites_entries_rebuilds_byte_for_byte(
        ops in proptest::collection::vec((0u64..3, op()), 1..45)
    ) {
        let mut w = world();
        let mut today = 5;
        for (step, op) in &ops {
            today += step;
            run(&mut w, today, op);
        }
        let app = &w.app;
        // Ids carry the site that minted them.
        let admin = as_on("admin", today);
        for o in app.orders(&admin).unwrap() {
            prop_assert!(o.id.starts_with("HF-O"), "{}", o.id);
        }
        for a in app.applications(&admin, &duedesk::app::ApplicationFilter::default()).unwrap() {
            prop_assert!(a.id.starts_with("HF-A"), "{}", a.id);
        }
        // Every entry keeps its origin, each origin once; site 3's entries are gap-free.
        let mut origins = BTreeSet::new();
        let mut foreign = Vec::new();
        for entry in app.store().journal::<Mutation>() {
            let (header, m) = entry.unwrap();
            prop_assert!(origins.insert((header.site, header.seq)));
            if header.site == 3 {
                foreign.push(header.seq);
                if let Mutation::RecordPayment { id, .. } = &m {
                    prop_assert!(id.starts_with("WH-P"));
                }
            } else {
                prop_assert_eq!(header.site, 2);
                if let Mutation::RecordPayment { id, .. } = &m {
                    prop_assert!(id.starts_with("HF-P"), "{}", id);
                }
            }
        }
        prop_assert_eq!(foreign, (1..=w.foreign_seq).collect::<Vec<_>>());
        prop_assert_eq!(app.store().applied_through(3).unwrap(), w.foreign_seq);
        // No machine is held by two orders.
        let mut held = BTreeSet::new();
        for o in app.orders(&admin).unwrap() {
            if let Some(serial) = o.serial.filter(|_| o.state != "cancelled") {
                prop_assert!(held.insert(serial.clone()), "{} held twice", serial);
            }
        }
        let live = app.store().projection_dump().unwrap();
        app.rebuild().unwrap();
        prop_assert!(live == app.store().projection_dump().unwrap(), "rebuilt projections differ");
    }
}

/// A fixed history through every kind of operation: each one takes effect (the property above
/// would pass vacuously if they were all refused).
#[test]
fn every_kind_of_operation_takes_effect_at_a_branch() {
    let mut w = world();
    let script = [
        Op::Pay {
            contract: 0,
            cents: 50_000,
        },
        Op::Confirm { nth: 0 },
        Op::Pay {
            contract: 1,
            cents: 20_000,
        },
        Op::Void { nth: 0 },
        Op::Import {
            contract: 2,
            count: 3,
        },
        Op::User { n: 1, clerk: false },
        Op::User { n: 1, clerk: true },
        Op::Rules { strict: true },
        Op::Draft { n: 1, customer: 0 },
        Op::Order { contract: 0 },
        Op::Pick { nth: 0, machine: 0 },
        Op::Submit { nth: 0 },
        Op::Decide {
            nth: 0,
            approve: true,
        },
        Op::Decide {
            nth: 0,
            approve: true,
        },
        Op::Ship { nth: 0 },
        Op::Swap { nth: 0, machine: 1 },
        Op::Order { contract: 1 },
        Op::Cancel { nth: 1 },
        Op::Foreign {
            contract: 2,
            cents: 7_000,
            confirmed: true,
        },
        Op::Foreign {
            contract: 1,
            cents: 3_000,
            confirmed: false,
        },
        Op::Replay,
        Op::Accrue,
    ];
    for (k, op) in script.iter().enumerate() {
        run(&mut w, 20 + k as u64, op);
    }
    let app = &w.app;
    let admin = as_on("admin", 60);
    let orders = app.orders(&admin).unwrap();
    let states: Vec<(&str, &str)> = orders.iter().map(|o| (o.id.as_str(), o.state)).collect();
    assert_eq!(states, [("HF-O1", "shipped"), ("HF-O2", "cancelled")]);
    assert_eq!(
        orders[0].serial.as_deref(),
        Some("M1"),
        "swapped after shipment"
    );
    let apps: Vec<String> = app
        .applications(&admin, &duedesk::app::ApplicationFilter::default())
        .unwrap()
        .into_iter()
        .map(|a| format!("{} {}", a.id, a.stage))
        .collect();
    assert!(apps.contains(&"HF-A1 approved".to_string()), "{apps:?}");
    assert!(apps.contains(&"HF-A2 approved".to_string()), "{apps:?}");
    assert_eq!(app.store().applied_through(3).unwrap(), 2);
    let pending: Vec<String> = app
        .pending_payments(&admin)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(pending, ["WH-P2"]);
    let users: Vec<String> = app
        .users(&admin)
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert!(users.contains(&"u1".to_string()));
    let live = app.store().projection_dump().unwrap();
    app.rebuild().unwrap();
    assert!(live == app.store().projection_dump().unwrap());
}
