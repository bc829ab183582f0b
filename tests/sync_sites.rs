//! Branches syncing with head office by file, in process: HQ and three branch sites (合肥
//! `HF`, 芜湖 `WH`, 巢湖 `CH`), each made from HQ's bundle, work on their own (payments
//! recorded, confirmed and voided, contacts, tow and waiver applications, orders picking the
//! same few serials — a branch those of its own yard, head office any for any contract —; the
//! branches' approvers decide at head office, which also moves
//! customers between the sites) while pushes and replies are lost, duplicated and delivered
//! out of order. No serial ends up held by two orders anywhere.
//! After a final round each branch's projections for its scope equal HQ's (every ticket as
//! `ticket show --json` gives it, the overdue list), and every entry a branch made is either
//! applied at HQ or listed as a conflict at the branch — never both, never neither.

use chrono::NaiveDate;
use duedesk::app::{App, Ctx, Mutation, NewContract, OverdueFilter};
use duedesk::domain::{Channel, Customer, Installment, Money, Rate, Refusal, Role};
use duedesk::store::Reader;
use duedesk::sync::{branch, hq};
use duedesk::ui::i18n::Lang;
use duedesk::ui::keymap::KeyMap;
use duedesk::ui::theme::Theme;
use duedesk::ui::{Session, Settings};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeSet;

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n as u64)
}

fn ctx(actor: &str) -> Ctx {
    Ctx::new(actor, day(100), 1_775_000_000)
}

const BRANCHES: [(&str, &str); 3] = [("合肥", "HF"), ("芜湖", "WH"), ("巢湖", "CH")];
const PER_BRANCH: usize = 3;
/// Machines in stock, `M0`, `M1`, …: `Mk` in the yard of branch `k % 3` (`合肥一号场`, …),
/// which only that branch's site holds (and a site whose orders head office gave one of
/// another yard).
const SERIALS: usize = 6;

fn yard_of(k: usize) -> String {
    format!("{}一号场", BRANCHES[k % BRANCHES.len()].0)
}

/// The contracts of branch `b`.
fn contracts_of(b: usize) -> Vec<String> {
    (0..PER_BRANCH)
        .map(|i| format!("{}{i}", BRANCHES[b].1))
        .collect()
}

/// HQ's book: a rate, three contracts per branch, a collector and a finance user per branch,
/// head office's own finance user `cw`.
fn seed(hq: &App) {
    let admin = ctx("admin");
    hq.execute(
        &admin,
        Mutation::SetRate {
            contract: None,
            from: day(0),
            daily: Rate::parse("0.0005").unwrap(),
        },
    )
    .unwrap();
    let mut batch = vec![Mutation::AddUser {
        name: "cw".into(),
        display: "cw".into(),
        roles: vec![Role::Finance],
        branch: None,
    }];
    for (b, (branch, code)) in BRANCHES.iter().enumerate() {
        let lower = code.to_lowercase();
        batch.push(Mutation::AddUser {
            name: format!("col_{lower}"),
            display: format!("col_{lower}"),
            roles: vec![Role::Collector],
            branch: Some(branch.to_string()),
        });
        batch.push(Mutation::AddUser {
            name: format!("sa_{lower}"),
            display: format!("sa_{lower}"),
            roles: vec![Role::Sales],
            branch: Some(branch.to_string()),
        });
        // The branch's approver works at head office: decisions travel to the site.
        batch.push(Mutation::AddUser {
            name: format!("ap_{lower}"),
            display: format!("ap_{lower}"),
            roles: vec![Role::Approver],
            branch: Some(branch.to_string()),
        });
        batch.push(Mutation::AddUser {
            name: format!("cw_{lower}"),
            display: format!("cw_{lower}"),
            roles: vec![Role::Finance],
            branch: Some(branch.to_string()),
        });
        for (i, no) in contracts_of(b).iter().enumerate() {
            batch.push(Mutation::PutCustomer(Customer {
                id: format!("C{no}"),
                name: format!("客户{no}"),
                phone: format!("1380000{i:04}"),
                id_number: String::new(),
                address: String::new(),
                branch: branch.to_string(),
                collector: format!("col_{lower}"),
            }));
            batch.push(Mutation::AddContract(NewContract {
                no: no.clone(),
                customer_id: format!("C{no}"),
                signed_on: day(0),
                model: "SY75C".into(),
                serial: String::new(),
                financed: Money::from_cents(300_000),
                penalty_rate: None,
                grace_days: None,
            }));
            batch.push(Mutation::AddInstallments {
                contract: no.clone(),
                installments: (1..=3)
                    .map(|k| Installment {
                        seq: k,
                        due: day(10 + 30 * (k - 1)),
                        principal: Money::from_cents(90_000),
                        interest: Money::from_cents(5_000),
                    })
                    .collect(),
            });
        }
    }
    for k in 0..SERIALS {
        batch.push(Mutation::AddMachine(duedesk::domain::outbound::Machine {
            serial: format!("M{k}"),
            model: "SY75C".into(),
            machine_type: "excavator".into(),
            yard: yard_of(k),
            arrived_on: day(0),
            state: duedesk::domain::outbound::MachineStock::InStock,
        }));
    }
    hq.execute_batch(&admin, &batch).unwrap();
    for (b, (branch, code)) in BRANCHES.iter().enumerate() {
        hq.execute(
            &admin,
            Mutation::AddSite {
                site: b as u32 + 2,
                name: branch.to_string(),
                code: code.to_string(),
                branches: vec![branch.to_string()],
                user: format!("sync_{}", code.to_lowercase()),
            },
        )
        .unwrap();
    }
}

#[derive(Clone, Debug)]
enum Op {
    /// At HQ (`None`) or a branch.
    Pay {
        at: Option<usize>,
        contract: usize,
        cents: i64,
    },
    Confirm {
        at: Option<usize>,
        nth: usize,
    },
    Void {
        at: Option<usize>,
        nth: usize,
    },
    Contact {
        at: Option<usize>,
        contract: usize,
    },
    /// The contract's collector applies for a tow (拖机) or, with `waiver` cents, a penalty
    /// waiver, at HQ or a branch.
    Apply {
        at: Option<usize>,
        contract: usize,
        waiver: Option<i64>,
    },
    /// An outbound order for the contract (by its branch's salesperson, or head office's
    /// admin) picks one of the few machines: at a branch one of its yard's (`serial` chooses
    /// which), at head office `Mserial` whatever its yard. A branch and head office pick the
    /// same serials at once; a machine head office gives another yard's contract reaches that
    /// contract's site.
    Order {
        at: Option<usize>,
        contract: usize,
        serial: usize,
    },
    /// At HQ, branch `b`'s approver approves (or rejects) the nth application awaiting them.
    Decide {
        b: usize,
        nth: usize,
        approve: bool,
    },
    /// The branch writes a push (it joins the pushes in transit).
    Push {
        b: usize,
    },
    /// HQ accepts one push in transit (kept: it may arrive again), its reply in transit.
    Accept {
        b: usize,
        nth: usize,
    },
    /// The branch pulls one reply in transit (kept: it may arrive again).
    Pull {
        b: usize,
        nth: usize,
    },
    /// Everything in transit to or from the branch is lost.
    Lose {
        b: usize,
    },
    /// A round on a good link.
    Round {
        b: usize,
    },
    /// At HQ, global changes every site takes: a key for a site's sync user, a new user.
    Global {
        b: usize,
        n: u8,
    },
    /// At HQ, a customer moved to the other branch (another site's), with its collector.
    Move {
        contract: usize,
    },
    /// HQ (`None`) or a branch stops between two steps, as a kill -9 would stop it (what it
    /// wrote is on disk: every step commits), and its database is opened again.
    Restart {
        at: Option<usize>,
    },
}

fn place() -> impl Strategy<Value = Option<usize>> {
    prop_oneof![Just(None), (0..BRANCHES.len()).prop_map(Some)]
}

fn op() -> impl Strategy<Value = Op> {
    let b = 0..BRANCHES.len();
    prop_oneof![
        4 => (place(), 0..PER_BRANCH, 1i64..200_000).prop_map(|(at, contract, cents)| Op::Pay { at, contract, cents }),
        3 => (place(), 0..4usize).prop_map(|(at, nth)| Op::Confirm { at, nth }),
        2 => (place(), 0..4usize).prop_map(|(at, nth)| Op::Void { at, nth }),
        2 => (place(), 0..PER_BRANCH).prop_map(|(at, contract)| Op::Contact { at, contract }),
        2 => (place(), 0..PER_BRANCH, prop_oneof![Just(None), (1i64..2_000).prop_map(Some)])
            .prop_map(|(at, contract, waiver)| Op::Apply { at, contract, waiver }),
        2 => (place(), 0..PER_BRANCH, 0..SERIALS)
            .prop_map(|(at, contract, serial)| Op::Order { at, contract, serial }),
        2 => (b.clone(), 0..4usize, any::<bool>())
            .prop_map(|(b, nth, approve)| Op::Decide { b, nth, approve }),
        2 => b.clone().prop_map(|b| Op::Push { b }),
        2 => (b.clone(), 0..4usize).prop_map(|(b, nth)| Op::Accept { b, nth }),
        2 => (b.clone(), 0..4usize).prop_map(|(b, nth)| Op::Pull { b, nth }),
        1 => b.clone().prop_map(|b| Op::Lose { b }),
        2 => b.clone().prop_map(|b| Op::Round { b }),
        1 => (b, any::<u8>()).prop_map(|(b, n)| Op::Global { b, n }),
        1 => (0..PER_BRANCH * BRANCHES.len()).prop_map(|contract| Op::Move { contract }),
        1 => place().prop_map(|at| Op::Restart { at }),
    ]
}

struct World {
    _dir: tempfile::TempDir,
    hq: App,
    branches: Vec<App>,
    pushes: Vec<Vec<Vec<u8>>>,
    replies: Vec<Vec<Vec<u8>>>,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let hq = App::open(&dir.path().join("hq")).unwrap();
    seed(&hq);
    let mut branches = Vec::new();
    for (b, (name, _)) in BRANCHES.iter().enumerate() {
        let bundle = hq::clone(&hq, &ctx("admin"), name).unwrap();
        let db = dir.path().join(format!("branch{b}"));
        let (app, _) = branch::init(&db, &bundle.bytes, 1_775_000_000).unwrap();
        branches.push(app);
    }
    World {
        _dir: dir,
        hq,
        branches,
        pushes: vec![Vec::new(); BRANCHES.len()],
        replies: vec![Vec::new(); BRANCHES.len()],
    }
}

impl World {
    fn app(&self, at: Option<usize>) -> &App {
        at.map_or(&self.hq, |b| &self.branches[b])
    }

    /// Who records on contract `no` at `at`: the customer's collector at a branch (if the
    /// branch holds it), admin at HQ.
    fn collector(app: &App, at: Option<usize>, no: &str) -> Option<String> {
        match at {
            None => Some("admin".into()),
            Some(_) => {
                let contract = app.store().contract(no).unwrap()?;
                Some(
                    app.store()
                        .customer(&contract.customer_id)
                        .unwrap()?
                        .collector,
                )
            }
        }
    }

    fn finance(at: Option<usize>) -> String {
        match at {
            None => "cw".into(),
            Some(b) => format!("cw_{}", BRANCHES[b].1.to_lowercase()),
        }
    }

    fn run(&mut self, op: &Op) {
        match op {
            Op::Pay {
                at,
                contract,
                cents,
            } => {
                // HQ works on any contract; a branch on those it holds.
                let no = pick(*at, *contract);
                let app = self.app(*at);
                let Some(who) = Self::collector(app, *at, &no) else {
                    return;
                };
                let _ = app.execute(
                    &ctx(&who),
                    Mutation::RecordPayment {
                        id: String::new(),
                        contract: no.clone(),
                        received_on: day(90),
                        amount: Money::from_cents(*cents),
                        method: "transfer".into(),
                        reference: String::new(),
                        confirmed: false,
                    },
                );
            }
            Op::Confirm { at, nth } | Op::Void { at, nth } => {
                let app = self.app(*at);
                let who = ctx(&Self::finance(*at));
                let pending = app.pending_payments(&who).unwrap();
                if let Some(p) = pending.get(nth % pending.len().max(1)) {
                    let mutation = match op {
                        Op::Confirm { .. } => Mutation::ConfirmPayment { id: p.id.clone() },
                        _ => Mutation::VoidPayment {
                            id: p.id.clone(),
                            reason: "wrong amount".into(),
                        },
                    };
                    let _ = app.execute(&who, mutation);
                }
            }
            Op::Contact { at, contract } => {
                let no = pick(*at, *contract);
                let app = self.app(*at);
                let Some(who) = Self::collector(app, *at, &no) else {
                    return;
                };
                let _ = app.execute(
                    &ctx(&who),
                    Mutation::AddContact {
                        contract: no.clone(),
                        channel: Channel::Call,
                        result: "reached".into(),
                        note: format!("note at {at:?}"),
                        promise: None,
                    },
                );
            }
            Op::Apply {
                at,
                contract,
                waiver,
            } => {
                let no = pick(*at, *contract);
                let app = self.app(*at);
                let Some(who) = Self::collector(app, *at, &no) else {
                    return;
                };
                // Refused where it is made (a waiver while money is overdue, an application
                // already in review) and then never journaled; otherwise it travels.
                let mutation = match waiver {
                    Some(cents) => Mutation::ApplyWaiver {
                        id: String::new(),
                        contract: no.clone(),
                        amount: Money::from_cents(*cents),
                        reason: "paid up, asks for relief".into(),
                    },
                    None => Mutation::Apply {
                        id: String::new(),
                        document: duedesk::domain::approval::DocumentType::Tow,
                        contract: no.clone(),
                        reason: "no answer".into(),
                        location: "site".into(),
                    },
                };
                let _ = app.execute(&ctx(&who), mutation);
            }
            Op::Order {
                at,
                contract,
                serial,
            } => {
                let no = pick(*at, *contract);
                let app = self.app(*at);
                let who = ctx(&match at {
                    None => "admin".to_string(),
                    Some(b) => format!("sa_{}", BRANCHES[*b].1.to_lowercase()),
                });
                // The contract's open order, or a new one (refused where it is made when one
                // is open there already).
                let created = app.execute(
                    &who,
                    Mutation::CreateOrder {
                        id: String::new(),
                        contract: no.clone(),
                    },
                );
                let order = match created {
                    Ok(outcome) => outcome.id,
                    Err(_) => app
                        .orders(&who)
                        .unwrap_or_default()
                        .into_iter()
                        .find(|o| o.contract_no == no && o.state == "draft")
                        .map(|o| o.id),
                };
                let serial = match at {
                    None => *serial,
                    Some(b) => (b + BRANCHES.len() * serial) % SERIALS,
                };
                if let Some(order) = order {
                    let _ = app.execute(
                        &who,
                        Mutation::Pick {
                            order,
                            serial: format!("M{serial}"),
                        },
                    );
                }
            }
            Op::Decide { b, nth, approve } => {
                let who = ctx(&format!("ap_{}", BRANCHES[*b].1.to_lowercase()));
                let filter = duedesk::app::ApplicationFilter {
                    awaiting_me: true,
                    ..Default::default()
                };
                let waiting = self.hq.applications(&who, &filter).unwrap();
                if let Some(a) = waiting.get(nth % waiting.len().max(1)) {
                    let id = a.id.clone();
                    let mutation = if *approve {
                        Mutation::Approve {
                            id,
                            comment: String::new(),
                        }
                    } else {
                        Mutation::Reject {
                            id,
                            comment: "not yet".into(),
                        }
                    };
                    let _ = self.hq.execute(&who, mutation);
                }
            }
            Op::Push { b } => {
                let pushed = branch::push(&self.branches[*b], &ctx("admin")).unwrap();
                self.pushes[*b].push(pushed.bytes);
            }
            Op::Accept { b, nth } => {
                if let Some(bytes) = self.pushes[*b].get(nth % self.pushes[*b].len().max(1)) {
                    // An old push may be refused as out of order; then nothing changed.
                    if let Ok(done) = hq::accept(&self.hq, &ctx("admin"), bytes) {
                        self.replies[*b].push(done.reply);
                    }
                }
            }
            Op::Pull { b, nth } => {
                if let Some(bytes) = self.replies[*b].get(nth % self.replies[*b].len().max(1)) {
                    let before = branch::status(&self.branches[*b], &ctx("admin")).unwrap();
                    if branch::pull(&self.branches[*b], &ctx("admin"), bytes).is_err() {
                        let after = branch::status(&self.branches[*b], &ctx("admin")).unwrap();
                        assert_eq!(before, after, "a refused reply changed the branch");
                    }
                }
            }
            Op::Lose { b } => {
                self.pushes[*b].clear();
                self.replies[*b].clear();
            }
            Op::Round { b } => self.round(*b),
            Op::Restart { at } => {
                let slot = match at {
                    None => &mut self.hq,
                    Some(b) => &mut self.branches[*b],
                };
                let db = slot.store().path().to_path_buf();
                // The old handle is let go of before the database is opened again.
                let placeholder = App::open(&self._dir.path().join("placeholder")).unwrap();
                drop(std::mem::replace(slot, placeholder));
                *slot = App::open(&db).unwrap();
            }
            Op::Move { contract } => {
                let no = all_contracts()[*contract].clone();
                let mut customer = self
                    .hq
                    .store()
                    .customer(&format!("C{no}"))
                    .unwrap()
                    .unwrap();
                let to = BRANCHES
                    .iter()
                    .position(|(b, _)| *b != customer.branch)
                    .unwrap();
                customer.branch = BRANCHES[to].0.to_string();
                customer.collector = format!("col_{}", BRANCHES[to].1.to_lowercase());
                self.hq
                    .execute(&ctx("admin"), Mutation::PutCustomer(customer))
                    .unwrap();
            }
            Op::Global { b, n } => {
                let (branch, code) = BRANCHES[*b];
                let admin = ctx("admin");
                let _ = self.hq.execute(
                    &admin,
                    Mutation::AddKey {
                        user: format!("sync_{}", code.to_lowercase()),
                        key: format!("ssh-ed25519 AAAA{n} sync"),
                        fingerprint: format!("SHA256:{code}{n}"),
                    },
                );
                let _ = self.hq.execute(
                    &admin,
                    Mutation::AddUser {
                        name: format!("u{n}"),
                        display: format!("u{n}"),
                        roles: vec![Role::Clerk],
                        branch: Some(branch.to_string()),
                    },
                );
            }
        }
    }

    /// A round on a good link: push, accept, pull.
    fn round(&mut self, b: usize) {
        let pushed = branch::push(&self.branches[b], &ctx("admin")).unwrap();
        let done = hq::accept(&self.hq, &ctx("admin"), &pushed.bytes).unwrap();
        branch::pull(&self.branches[b], &ctx("admin"), &done.reply).unwrap();
    }
}

/// Every contract of both branches.
fn all_contracts() -> Vec<String> {
    (0..BRANCHES.len()).flat_map(contracts_of).collect()
}

/// The contract a change at `at` is about: any at HQ; at a branch, any too (one it does not
/// hold, or no longer holds, is refused there or later at HQ).
fn pick(at: Option<usize>, contract: usize) -> String {
    let all = all_contracts();
    match at {
        None => all[contract % all.len()].clone(),
        // Mostly the branch's own, as its seed had them; sometimes the other's.
        Some(b) => all[(b * PER_BRANCH + contract) % all.len()].clone(),
    }
}

/// The contracts whose customer is in branch `b` at HQ now.
fn held_by(hq: &App, b: usize) -> Vec<String> {
    all_contracts()
        .into_iter()
        .filter(|no| {
            hq.store()
                .customer(&format!("C{no}"))
                .unwrap()
                .unwrap()
                .branch
                == BRANCHES[b].0
        })
        .collect()
}

fn tickets_of(app: &App, contracts: &[String]) -> Vec<serde_json::Value> {
    contracts
        .iter()
        .map(|no| serde_json::to_value(app.ticket(&ctx("admin"), no, day(100)).unwrap()).unwrap())
        .collect()
}

fn tickets(app: &App, b: usize) -> Vec<serde_json::Value> {
    tickets_of(app, &contracts_of(b))
}

fn overdue(app: &App, b: usize) -> serde_json::Value {
    let filter = OverdueFilter {
        branch: Some(BRANCHES[b].0.to_string()),
        ..OverdueFilter::default()
    };
    serde_json::to_value(app.overdue(&ctx("admin"), day(100), &filter).unwrap()).unwrap()
}

/// Every entry branch `b` made is in its journal and applied at HQ, or a conflict not applied
/// at HQ.
fn accounted(world: &World, b: usize) -> Result<(), TestCaseError> {
    let app = &world.branches[b];
    let site = app.store().site().unwrap();
    let last = app.store().begin().next_origin().unwrap().1 - 1;
    let mine = app.store().entries_of_site::<Mutation>(site, 0).unwrap();
    // Local entries (telling an author of a conflict) never travel.
    let local: BTreeSet<u64> = mine
        .iter()
        .filter(|(_, _, m)| m.is_local())
        .map(|(_, h, _)| h.seq)
        .collect();
    let held: BTreeSet<u64> = mine
        .into_iter()
        .filter(|(_, _, m)| !m.is_local())
        .map(|(_, h, _)| h.seq)
        .collect();
    let at_hq: BTreeSet<u64> = world
        .hq
        .store()
        .entries_of_site::<Mutation>(site, 0)
        .unwrap()
        .into_iter()
        .map(|(_, h, _)| h.seq)
        .collect();
    let conflicts: BTreeSet<u64> = branch::conflicts(app, &ctx("admin"))
        .unwrap()
        .iter()
        .map(|c| c.id.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    for seq in (1..=last).filter(|s| !local.contains(s)) {
        // Applied at HQ: held here too, unless its customer has moved to the other site.
        let applied = at_hq.contains(&seq) && !conflicts.contains(&seq);
        let conflict = conflicts.contains(&seq) && !held.contains(&seq) && !at_hq.contains(&seq);
        prop_assert!(
            !held.contains(&seq) || at_hq.contains(&seq),
            "entry {site}-{seq} held but not at HQ"
        );
        prop_assert!(
            applied ^ conflict,
            "entry {site}-{seq}: held {} at HQ {} conflict {}",
            held.contains(&seq),
            at_hq.contains(&seq),
            conflicts.contains(&seq)
        );
    }
    prop_assert_eq!(branch::status(app, &ctx("admin")).unwrap().pending, 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn branches_converge_with_head_office(ops in proptest::collection::vec(op(), 1..60)) {
        let mut world = world();
        for op in &ops {
            world.run(op);
        }
        // The final round: every branch on a good link, twice (a reply may bring head
        // office's decisions on entries that arrived with the first).
        for _ in 0..2 {
            for b in 0..BRANCHES.len() {
                world.round(b);
            }
        }
        let mut shown = BTreeSet::new();
        for (b, (name, _)) in BRANCHES.iter().enumerate() {
            // The site's scope as HQ has it now (customers move between the sites).
            let held = held_by(&world.hq, b);
            prop_assert_eq!(tickets_of(&world.branches[b], &held), tickets_of(&world.hq, &held), "tickets of {}", name);
            prop_assert_eq!(overdue(&world.branches[b], b), overdue(&world.hq, b), "overdue list of {}", name);
            accounted(&world, b)?;
            let users = |app: &App| app.store().users().map(|u| u.unwrap()).collect::<Vec<_>>();
            prop_assert_eq!(users(&world.branches[b]), users(&world.hq));
            // The branch holds nothing of the other branch's book: not a contract, not a
            // customer, not a payment.
            let book = world.branches[b].store();
            for no in all_contracts().iter().filter(|no| !held.contains(no)) {
                prop_assert!(book.contract(no).unwrap().is_none(), "{} holds {}", name, no);
                let customer = format!("C{no}");
                prop_assert!(book.customer(&customer).unwrap().is_none());
            }
            for ticket in tickets_of(&world.branches[b], &held) {
                for p in ticket["payments"].as_array().unwrap() {
                    shown.insert(p["id"].as_str().unwrap().to_string());
                }
            }
            // Its machines: every one of its yard, and of another yard only one an entry it
            // holds picked or swapped in.
            let machines = |app: &App| -> BTreeSet<String> {
                app.machines(&ctx("admin")).unwrap().into_iter().map(|m| m.serial).collect()
            };
            let here = machines(&world.branches[b]);
            let own: BTreeSet<String> = (0..SERIALS)
                .filter(|k| k % BRANCHES.len() == b)
                .map(|k| format!("M{k}"))
                .collect();
            prop_assert!(own.is_subset(&here), "{} holds {:?}, not all of {:?}", name, here, own);
            let named: BTreeSet<String> = book
                .journal_after::<Mutation>(0)
                .filter_map(|e| match e.unwrap().2 {
                    Mutation::Pick { serial, .. } | Mutation::SwapMachine { serial, .. } => Some(serial),
                    _ => None,
                })
                .collect();
            for serial in here.difference(&own) {
                prop_assert!(named.contains(serial), "{} holds {} of another yard, named by nothing it holds", name, serial);
            }
        }
        // No serial is held by two orders, at HQ or at any site.
        for app in std::iter::once(&world.hq).chain(world.branches.iter()) {
            let mut held = BTreeSet::new();
            for o in app.orders(&ctx("admin")).unwrap() {
                if let (Some(serial), true) = (&o.serial, o.state != "cancelled") {
                    prop_assert!(held.insert(serial.clone()), "{} held twice", serial);
                }
            }
        }
        // Money is conserved: every payment at HQ is on one contract, and the sites show
        // exactly HQ's payments of their contracts, none twice.
        let mut at_hq = BTreeSet::new();
        for ticket in tickets_of(&world.hq, &all_contracts()) {
            for p in ticket["payments"].as_array().unwrap() {
                prop_assert!(at_hq.insert(p["id"].as_str().unwrap().to_string()), "payment twice at HQ");
            }
        }
        prop_assert_eq!(shown, at_hq);
    }
}

/// A payment recorded at branch `b` on its contract 1 and synced, then voided at head office
/// while the branch confirms it (not synced yet); returns its id.
fn voided_at_hq_confirmed_here(world: &mut World, b: usize) -> String {
    let finance = format!("cw_{}", BRANCHES[b].1.to_lowercase());
    world.run(&Op::Pay {
        at: Some(b),
        contract: 1,
        cents: 50_000,
    });
    world.round(b);
    let id = world.branches[b].pending_payments(&ctx(&finance)).unwrap()[0]
        .id
        .clone();
    world
        .hq
        .execute(
            &ctx("cw"),
            Mutation::VoidPayment {
                id: id.clone(),
                reason: "bounced".into(),
            },
        )
        .unwrap();
    world.branches[b]
        .execute(&ctx(&finance), Mutation::ConfirmPayment { id: id.clone() })
        .unwrap();
    id
}

/// A branch's payment confirmed at the branch while head office voids it: head office's order
/// decides, the branch's confirmation is a conflict with its reason, and its effect is gone.
#[test]
fn a_refused_entry_becomes_a_conflict_and_its_effect_goes() {
    let mut world = world();
    let hf = 0;
    let id = voided_at_hq_confirmed_here(&mut world, hf);
    assert_eq!(id, "HF-P1");
    assert!(
        world.branches[hf]
            .pending_payments(&ctx("cw_hf"))
            .unwrap()
            .is_empty()
    );
    world.round(hf);
    let conflicts = branch::conflicts(&world.branches[hf], &ctx("admin")).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].kind, "ConfirmPayment");
    assert_eq!(conflicts[0].author, "cw_hf");
    // Head office's verdict is its refusal, worded at the branch in either language.
    let refusal = Refusal::PaymentNotPending {
        id: id.clone(),
        state: "void".into(),
    };
    assert_eq!(conflicts[0].refusal, "PaymentNotPending");
    assert!(conflicts[0].rejected_by_hq);
    assert_eq!(conflicts[0].reason, Lang::En.refusal(&refusal));
    assert_eq!(conflicts[0].reason_zh, Lang::Zh.refusal(&refusal));
    assert_eq!(tickets(&world.branches[hf], hf), tickets(&world.hq, hf));
    let status = branch::status(&world.branches[hf], &ctx("admin")).unwrap();
    assert_eq!((status.pending, status.conflicts), (0, 1));
    // Its author is told, in their inbox, once (a reply pulled again tells nobody again).
    let inbox = world.branches[hf].inbox(&ctx("cw_hf")).unwrap();
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert!(
        inbox[0].text.contains(&Lang::En.refusal(&refusal)) && inbox[0].text.contains("HF-"),
        "{}",
        inbox[0].text
    );
    world.round(hf);
    assert_eq!(world.branches[hf].inbox(&ctx("cw_hf")).unwrap().len(), 1);

    // The screens' status line says it, in either language; head office's has no sync state.
    for (lang, expected) in [
        (Lang::En, "0 pending · synced"),
        (Lang::Zh, "待同步 0 · 上次同步"),
    ] {
        let screen = screen(&world.branches[hf], lang);
        assert!(screen.contains(expected), "{screen}");
        assert!(
            screen.contains(if lang == Lang::En {
                "1 conflicts"
            } else {
                "同步冲突 1"
            }),
            "{screen}"
        );
    }
    assert!(!screen(&world.hq, Lang::En).contains("pending"));
}

fn screen(app: &App, lang: Lang) -> String {
    let settings = Settings {
        lang,
        theme: Theme::load("mono").unwrap(),
        keys: KeyMap::default(),
        export_dir: None,
        lock_command: None,
    };
    let session = Session::new(app, ctx("admin"), settings).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(140, 20)).unwrap();
    terminal.draw(|f| session.draw(f)).unwrap();
    terminal.backend().to_string()
}

/// A push sent twice is answered twice alike, and its entries are applied once; a push with
/// nothing pending still brings head office's changes back.
#[test]
fn a_push_sent_again_changes_nothing_and_an_empty_push_brings_changes() {
    let mut world = world();
    world.run(&Op::Pay {
        at: Some(0),
        contract: 0,
        cents: 10_000,
    });
    let push = branch::push(&world.branches[0], &ctx("admin")).unwrap();
    assert_eq!(push.entries, 1);
    let first = hq::accept(&world.hq, &ctx("admin"), &push.bytes).unwrap();
    let journal = world.hq.store().journal_len().unwrap();
    let again = hq::accept(&world.hq, &ctx("admin"), &push.bytes).unwrap();
    assert_eq!(first.reply, again.reply);
    assert_eq!((again.accepted, again.already), (0, 1));
    assert_eq!(world.hq.store().journal_len().unwrap(), journal);
    branch::pull(&world.branches[0], &ctx("admin"), &first.reply).unwrap();
    assert!(
        branch::pull(&world.branches[0], &ctx("admin"), &again.reply)
            .unwrap()
            .already
    );

    world.run(&Op::Contact {
        at: None,
        contract: 0,
    });
    let empty = branch::push(&world.branches[0], &ctx("admin")).unwrap();
    assert_eq!(empty.entries, 0);
    let done = hq::accept(&world.hq, &ctx("admin"), &empty.bytes).unwrap();
    assert_eq!(done.sent, 1);
    let pulled = branch::pull(&world.branches[0], &ctx("admin"), &done.reply).unwrap();
    assert_eq!(pulled.received, 1);
    assert_eq!(tickets(&world.branches[0], 0), tickets(&world.hq, 0));
}

/// Files of the wrong site, kind or order are refused with what was expected; nothing changes.
#[test]
fn foreign_and_out_of_order_files_are_refused() {
    let mut world = world();
    world.run(&Op::Pay {
        at: Some(1),
        contract: 0,
        cents: 10_000,
    });
    let wh_push = branch::push(&world.branches[1], &ctx("admin")).unwrap();
    let wh_reply = hq::accept(&world.hq, &ctx("admin"), &wh_push.bytes).unwrap();
    let hf = &world.branches[0];
    let before = hf.store().projection_dump().unwrap();
    let e = branch::pull(hf, &ctx("admin"), &wh_reply.reply)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("for site number 3") && e.contains("site 2"),
        "{e}"
    );
    let e = branch::pull(hf, &ctx("admin"), &wh_push.bytes)
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected a reply"), "{e}");
    assert_eq!(hf.store().projection_dump().unwrap(), before);

    // Two pushes of 合肥: the second, accepted first, leaves the first's reply behind it.
    world.run(&Op::Pay {
        at: Some(0),
        contract: 0,
        cents: 10_000,
    });
    let p1 = branch::push(&world.branches[0], &ctx("admin")).unwrap();
    world.run(&Op::Contact {
        at: None,
        contract: 0,
    });
    let r1 = hq::accept(&world.hq, &ctx("admin"), &p1.bytes).unwrap();
    branch::pull(&world.branches[0], &ctx("admin"), &r1.reply).unwrap();
    world.run(&Op::Pay {
        at: Some(0),
        contract: 1,
        cents: 20_000,
    });
    let p2 = branch::push(&world.branches[0], &ctx("admin")).unwrap();
    let r2 = hq::accept(&world.hq, &ctx("admin"), &p2.bytes).unwrap();
    branch::pull(&world.branches[0], &ctx("admin"), &r2.reply).unwrap();
    assert!(
        branch::pull(&world.branches[0], &ctx("admin"), &r1.reply)
            .unwrap()
            .already
    );
    assert_eq!(tickets(&world.branches[0], 0), tickets(&world.hq, 0));
}

/// A customer moved at HQ from 合肥 to 芜湖: 合肥's payment made after the move is refused with
/// the move as its reason, listed as a conflict and gone from 合肥's book; the customer leaves
/// 合肥's database and reaches 芜湖's with its history (the payments 合肥 made before); moved
/// back, it returns to 合肥 whole.
#[test]
fn a_customer_moves_between_sites() {
    let mut world = world();
    let (hf, wh) = (0, 1);
    let no = contracts_of(hf)[1].clone();
    world.run(&Op::Pay {
        at: Some(hf),
        contract: 1,
        cents: 40_000,
    });
    world.round(hf);
    world
        .hq
        .execute(
            &ctx("admin"),
            Mutation::SetLanguage {
                name: "col_hf".into(),
                lang: Lang::Zh,
            },
        )
        .unwrap();
    world.run(&Op::Move { contract: 1 });
    // 合肥 has not heard of the move: its collector records another payment.
    world.branches[hf]
        .execute(
            &ctx("col_hf"),
            Mutation::RecordPayment {
                id: String::new(),
                contract: no.clone(),
                received_on: day(91),
                amount: Money::from_cents(7_000),
                method: "cash".into(),
                reference: String::new(),
                confirmed: false,
            },
        )
        .unwrap();
    world.round(hf);
    let conflicts = branch::conflicts(&world.branches[hf], &ctx("admin")).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].kind, "RecordPayment");
    assert_eq!(conflicts[0].refusal, "CustomerMovedAway");
    let refusal = Refusal::CustomerMovedAway {
        customer: format!("C{no}"),
        branch: "芜湖".into(),
    };
    assert_eq!(conflicts[0].reason, Lang::En.refusal(&refusal));
    assert_eq!(conflicts[0].reason_zh, Lang::Zh.refusal(&refusal));
    assert!(conflicts[0].rejected_by_hq);
    // Its author is told in their language.
    let inbox = world.branches[hf].inbox(&ctx("col_hf")).unwrap();
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert!(
        inbox[0].text.contains(&Lang::Zh.refusal(&refusal)) && inbox[0].text.contains("总部"),
        "{}",
        inbox[0].text
    );
    assert!(world.branches[hf].store().contract(&no).unwrap().is_none());
    assert!(
        world.branches[hf]
            .store()
            .customer(&format!("C{no}"))
            .unwrap()
            .is_none()
    );
    assert!(
        world.branches[hf]
            .ticket(&ctx("admin"), &no, day(100))
            .is_err()
    );
    assert_eq!(overdue(&world.branches[hf], hf), overdue(&world.hq, hf));
    assert_eq!(
        branch::status(&world.branches[hf], &ctx("admin"))
            .unwrap()
            .pending,
        0
    );

    // 芜湖 gets the customer with its contract's history: the payment 合肥 made before.
    assert!(world.branches[wh].store().contract(&no).unwrap().is_none());
    world.round(wh);
    let at_wh = tickets_of(&world.branches[wh], std::slice::from_ref(&no));
    assert_eq!(at_wh, tickets_of(&world.hq, std::slice::from_ref(&no)));
    assert_eq!(at_wh[0]["payments"].as_array().unwrap().len(), 1);
    assert_eq!(overdue(&world.branches[wh], wh), overdue(&world.hq, wh));
    // 芜湖's collector works on it, and HQ takes it.
    world.branches[wh]
        .execute(
            &ctx("col_wh"),
            Mutation::AddContact {
                contract: no.clone(),
                channel: Channel::Visit,
                result: "met".into(),
                note: "new collector".into(),
                promise: None,
            },
        )
        .unwrap();
    world.round(wh);
    assert!(
        branch::conflicts(&world.branches[wh], &ctx("admin"))
            .unwrap()
            .is_empty()
    );

    // Moved back: it leaves 芜湖 and returns to 合肥 with everything.
    world.run(&Op::Move { contract: 1 });
    world.round(wh);
    world.round(hf);
    assert!(world.branches[wh].store().contract(&no).unwrap().is_none());
    assert_eq!(
        tickets_of(&world.branches[hf], std::slice::from_ref(&no)),
        tickets_of(&world.hq, std::slice::from_ref(&no))
    );
    for b in [hf, wh] {
        accounted(&world, b).unwrap();
        assert_eq!(overdue(&world.branches[b], b), overdue(&world.hq, b));
    }
}

/// The serials of the machines `app` holds.
fn machines(app: &App) -> BTreeSet<String> {
    app.machines(&ctx("admin"))
        .unwrap()
        .into_iter()
        .map(|m| m.serial)
        .collect()
}

fn set(serials: &[&str]) -> BTreeSet<String> {
    serials.iter().map(|s| s.to_string()).collect()
}

/// A site holds its yards' machines, not the others': its salespeople pick them, and one
/// arriving in its yard at head office reaches it; a machine of another yard that head office
/// picks for one of its contracts reaches it with the pick, and leaves it with the contract's
/// customer, for the customer's new site.
#[test]
fn a_site_holds_the_machines_of_its_yards_and_those_its_orders_name() {
    let mut world = world();
    let (hf, wh, ch) = (0, 1, 2);
    assert_eq!(machines(&world.hq).len(), SERIALS);
    assert_eq!(machines(&world.branches[hf]), set(&["M0", "M3"]));
    assert_eq!(machines(&world.branches[wh]), set(&["M1", "M4"]));
    assert_eq!(machines(&world.branches[ch]), set(&["M2", "M5"]));
    // 合肥's salesperson picks from its own yard; another yard's machine is not there to pick.
    let sales = ctx("sa_hf");
    let order = world.branches[hf]
        .execute(
            &sales,
            Mutation::CreateOrder {
                id: String::new(),
                contract: contracts_of(hf)[1].clone(),
            },
        )
        .unwrap()
        .id
        .unwrap();
    let pick = |serial: &str| Mutation::Pick {
        order: order.clone(),
        serial: serial.into(),
    };
    assert!(world.branches[hf].execute(&sales, pick("M1")).is_err());
    world.branches[hf].execute(&sales, pick("M0")).unwrap();
    // Head office gives contract HF0 巢湖's M2.
    let admin = ctx("admin");
    let hq_order = world
        .hq
        .execute(
            &admin,
            Mutation::CreateOrder {
                id: String::new(),
                contract: contracts_of(hf)[0].clone(),
            },
        )
        .unwrap()
        .id
        .unwrap();
    world
        .hq
        .execute(
            &admin,
            Mutation::Pick {
                order: hq_order.clone(),
                serial: "M2".into(),
            },
        )
        .unwrap();
    // Machines arriving at head office: one in 合肥's yard reaches 合肥, one in head
    // office's own yard reaches no site.
    for (serial, yard) in [("M9", "合肥二号场"), ("M10", "总部一号场")] {
        world
            .hq
            .execute(
                &admin,
                Mutation::AddMachine(duedesk::domain::outbound::Machine {
                    serial: serial.into(),
                    model: "SY75C".into(),
                    machine_type: "excavator".into(),
                    yard: yard.into(),
                    arrived_on: day(90),
                    state: duedesk::domain::outbound::MachineStock::InStock,
                }),
            )
            .unwrap();
    }
    world.round(hf);
    world.round(ch);
    assert_eq!(
        machines(&world.branches[hf]),
        set(&["M0", "M2", "M3", "M9"])
    );
    assert_eq!(machines(&world.branches[ch]), set(&["M2", "M5"]));
    assert!(
        branch::conflicts(&world.branches[hf], &admin)
            .unwrap()
            .is_empty()
    );
    let held = |app: &App| -> Vec<(String, Option<String>)> {
        let mut orders: Vec<_> = app
            .orders(&admin)
            .unwrap()
            .into_iter()
            .map(|o| (o.id, o.serial))
            .collect();
        orders.sort();
        orders
    };
    assert_eq!(held(&world.branches[hf]), held(&world.hq));
    let state = |app: &App, serial: &str| app.machine(&admin, serial).unwrap().state;
    assert_eq!(state(&world.hq, "M0"), "reserved");
    assert_eq!(state(&world.branches[hf], "M2"), "reserved");
    // HF0's customer moves to 芜湖: M2 leaves 合肥 with the order, and reaches 芜湖.
    world.run(&Op::Move { contract: 0 });
    world.round(hf);
    world.round(wh);
    assert_eq!(machines(&world.branches[hf]), set(&["M0", "M3", "M9"]));
    assert_eq!(machines(&world.branches[wh]), set(&["M1", "M2", "M4"]));
    assert_eq!(state(&world.branches[wh], "M2"), "reserved");
    assert_eq!(
        world.branches[wh].order(&admin, &hq_order).unwrap().serial,
        Some("M2".to_string())
    );
    for b in [hf, wh] {
        let orders = held(&world.branches[b]);
        assert!(!orders.is_empty());
        assert!(orders.iter().all(|o| held(&world.hq).contains(o)));
    }
}

/// A pull killed while it replays the branch's journal under head office's entries (the
/// journal's tail replaced, the projections not yet replayed): opening the database finishes
/// the replay as the pull would have, an entry of the branch that no longer applies there
/// stays in the journal unapplied, and the next pull lists it as a conflict — nothing lost,
/// the projections head office's.
#[test]
fn a_pull_cut_off_mid_replay_is_finished_when_the_branch_opens() {
    let mut world = world();
    let hf = 0;
    let id = voided_at_hq_confirmed_here(&mut world, hf);
    // The pull's replay cut off: head office's void under the branch's confirmation, as a
    // rebase writes it, and nothing more.
    let void = world
        .hq
        .store()
        .journal_after::<Mutation>(0)
        .map(|e| e.unwrap())
        .find(|(_, _, m)| matches!(m, Mutation::VoidPayment { .. }))
        .map(|(_, h, m)| (h, m))
        .unwrap();
    let db = world._dir.path().join(format!("branch{hf}"));
    {
        let store = world.branches[hf].store();
        let keep = branch::state(store).unwrap().confirmed;
        let mut tail = vec![void];
        tail.extend(
            store
                .journal_after::<Mutation>(keep)
                .map(|e| e.unwrap())
                .map(|(_, h, m)| (h, m)),
        );
        store.begin_rebase(keep).unwrap();
        store.replace_journal_tail(keep, &tail).unwrap();
    }
    drop(std::mem::replace(
        &mut world.branches[hf],
        App::open(&world._dir.path().join("spare")).unwrap(),
    ));
    let reopened = App::open(&db).unwrap();
    // Head office's void stands; the confirmation is in the journal, not in the book.
    let ticket = serde_json::to_value(
        reopened
            .ticket(&ctx("admin"), &contracts_of(hf)[1], day(100))
            .unwrap(),
    )
    .unwrap();
    let payment = ticket["payments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(payment["status"], "void", "{payment}");
    assert!(reopened.store().has_unapplied().unwrap());
    world.branches[hf] = reopened;
    world.round(hf);
    let conflicts = branch::conflicts(&world.branches[hf], &ctx("admin")).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].kind, "ConfirmPayment");
    assert!(!world.branches[hf].store().has_unapplied().unwrap());
    assert_eq!(tickets(&world.branches[hf], hf), tickets(&world.hq, hf));
    accounted(&world, hf).unwrap();
}
