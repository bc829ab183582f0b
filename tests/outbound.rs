//! Machine outbound: exclusive serials and accessory stock under concurrent users, swaps and
//! cancellations releasing stock, and the whole flow through the CLI with every refusal.

use chrono::NaiveDate;
use duedesk::app::{App, Ctx, Mutation, NewContract};
use duedesk::domain::outbound::{Machine, MachineStock};
use duedesk::domain::{Customer, Money, Refusal, Role};
use std::sync::{Arc, Barrier};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ctx(user: &str) -> Ctx {
    Ctx::new(user, day("2026-03-31"), 0)
}

fn machine(serial: &str, model: &str, kind: &str) -> Mutation {
    Mutation::AddMachine(Machine {
        serial: serial.into(),
        model: model.into(),
        machine_type: kind.into(),
        yard: "合肥一号场".into(),
        arrived_on: day("2026-01-10"),
        state: MachineStock::InStock,
    })
}

/// Customer C1 of the 合肥 branch, collector coll.
fn customer_c1() -> Mutation {
    Mutation::PutCustomer(Customer {
        id: "C1".into(),
        name: "张伟".into(),
        phone: String::new(),
        id_number: String::new(),
        address: String::new(),
        branch: "合肥".into(),
        collector: "coll".into(),
    })
}

/// An approved contract `no` of customer C1 for an SY75C, ¥500,000 financed.
fn sy75c_contract(no: &str) -> Mutation {
    Mutation::AddContract(NewContract {
        no: no.into(),
        customer_id: "C1".into(),
        signed_on: day("2026-03-01"),
        model: "SY75C".into(),
        serial: String::new(),
        financed: Money::from_cents(50_000_000),
        penalty_rate: None,
        grace_days: None,
    })
}

/// `n` approved contracts H0…, each with a draft order O1… by salesperson s0…; machines
/// SY1–SY3 (SY75C excavators), PC1 (PC200 excavator), ZL1 (ZL50GN loader); 5 buckets.
fn book(n: usize) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("db")).unwrap();
    let admin = ctx("admin");
    let mut batch = vec![customer_c1()];
    for i in 0..n {
        batch.push(Mutation::AddUser {
            name: format!("s{i}"),
            display: String::new(),
            roles: vec![Role::Sales],
            branch: Some("合肥".into()),
        });
        batch.push(sy75c_contract(&format!("H{i}")));
    }
    for (s, m, k) in [
        ("SY1", "SY75C", "excavator"),
        ("SY2", "SY75C", "excavator"),
        ("SY3", "SY75C", "excavator"),
        ("PC1", "PC200", "excavator"),
        ("ZL1", "ZL50GN", "loader"),
    ] {
        batch.push(machine(s, m, k));
    }
    batch.push(Mutation::PutAccessory {
        code: "BK".into(),
        name: "破碎锤".into(),
        unit: "台".into(),
        quantity: 5,
    });
    app.execute_batch(&admin, &batch).unwrap();
    for i in 0..n {
        app.execute(
            &ctx(&format!("s{i}")),
            Mutation::CreateOrder {
                id: String::new(),
                contract: format!("H{i}"),
            },
        )
        .unwrap();
    }
    (dir, app)
}

#[test]
fn sixteen_salespeople_race_for_one_serial_and_exactly_one_wins() {
    let (_dir, app) = book(16);
    let app = Arc::new(app);
    let barrier = Arc::new(Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let (app, barrier) = (app.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                app.execute(
                    &ctx(&format!("s{i}")),
                    Mutation::Pick {
                        order: format!("O{}", i + 1),
                        serial: "SY1".into(),
                    },
                )
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let winners: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one pick wins: {results:?}");
    let w = winners[0];
    let holder = format!("order O{} of contract H{w} by s{w}", w + 1);
    for (i, r) in results.iter().enumerate().filter(|(i, _)| *i != w) {
        let refusal = match r {
            Err(e) => e.refusal(),
            Ok(_) => None,
        };
        match refusal {
            Some(
                refusal @ Refusal::SerialHeld {
                    order, holder: who, ..
                },
            ) => {
                assert_eq!(
                    (order.as_str(), who.as_str()),
                    (format!("O{}", w + 1).as_str(), format!("s{w}").as_str()),
                    "loser {i} is told who holds it"
                );
                assert!(refusal.to_string().contains(&holder), "{refusal}");
            }
            other => panic!("loser {i}: {other:?}"),
        }
    }
    let m = app.machine(&ctx("admin"), "SY1").unwrap();
    assert_eq!(m.state, "reserved");
    assert_eq!(m.order.as_deref(), Some(format!("O{}", w + 1).as_str()));
}

#[test]
fn racing_for_the_last_accessories_never_drives_stock_negative() {
    let (_dir, app) = book(16);
    let app = Arc::new(app);
    let barrier = Arc::new(Barrier::new(16));
    // 5 on hand; 16 orders each ask for 2: exactly two lines fit (4), one unit stays.
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let (app, barrier) = (app.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let add = Mutation::AddAccessory {
                    order: format!("O{}", i + 1),
                    code: "BK".into(),
                    quantity: 2,
                    extra: i % 2 == 0,
                };
                app.execute(&ctx(&format!("s{i}")), add)
            })
        })
        .collect();
    let ok = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|r| r.is_ok())
        .count();
    assert_eq!(ok, 2);
    let a = app
        .accessories(&ctx("admin"))
        .unwrap()
        .into_iter()
        .find(|a| a.code == "BK")
        .unwrap();
    assert_eq!((a.on_hand, a.reserved, a.available), (5, 4, 1));
    let err = app
        .execute(
            &ctx("s15"),
            Mutation::AddAccessory {
                order: "O16".into(),
                code: "BK".into(),
                quantity: 2,
                extra: true,
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("1 台 available, 2 asked"), "{err}");
}

/// Picks, submits and has finance approve an order; returns nothing, panics on failure.
fn approve(app: &App, order: &str, sales: &str, serial: &str) {
    app.execute(
        &ctx("admin"),
        Mutation::AddUser {
            name: format!("fin-{order}"),
            display: String::new(),
            roles: vec![Role::Finance],
            branch: None,
        },
    )
    .unwrap();
    app.execute(
        &ctx(sales),
        Mutation::Pick {
            order: order.into(),
            serial: serial.into(),
        },
    )
    .unwrap();
    let submitted = app
        .execute(
            &ctx(sales),
            Mutation::SubmitOrder {
                application: String::new(),
                order: order.into(),
            },
        )
        .unwrap();
    let application = submitted.id.unwrap();
    app.execute(
        &ctx(&format!("fin-{order}")),
        Mutation::Approve {
            id: application,
            comment: String::new(),
        },
    )
    .unwrap();
}

#[test]
fn swap_and_cancel_release_machines_and_shipped_counts_add_up() {
    let (_dir, app) = book(3);
    app.execute(
        &ctx("s0"),
        Mutation::AddAccessory {
            order: "O1".into(),
            code: "BK".into(),
            quantity: 1,
            extra: false,
        },
    )
    .unwrap();
    approve(&app, "O1", "s0", "SY1");
    app.execute(
        &ctx("s0"),
        Mutation::Ship {
            order: "O1".into(),
            on: day("2026-03-31"),
            carrier: "安达物流".into(),
            note: String::new(),
        },
    )
    .unwrap();
    let bk = app
        .accessories(&ctx("admin"))
        .unwrap()
        .into_iter()
        .find(|a| a.code == "BK")
        .unwrap();
    assert_eq!(
        (bk.on_hand, bk.reserved),
        (4, 0),
        "shipping takes the accessory out of stock"
    );

    // Swap SY1 for PC1 (another excavator model): SY1 is back in stock for anyone.
    app.execute(
        &ctx("s0"),
        Mutation::SwapMachine {
            order: "O1".into(),
            serial: "PC1".into(),
            reason: "客户要求换大机".into(),
        },
    )
    .unwrap();
    assert_eq!(app.machine(&ctx("admin"), "SY1").unwrap().state, "in_stock");
    assert_eq!(app.machine(&ctx("admin"), "PC1").unwrap().state, "shipped");
    app.execute(
        &ctx("s1"),
        Mutation::Pick {
            order: "O2".into(),
            serial: "SY1".into(),
        },
    )
    .unwrap();
    // Cancelling O2 releases SY1 again.
    app.execute(
        &ctx("s1"),
        Mutation::CancelOrder {
            order: "O2".into(),
            reason: "客户退订".into(),
        },
    )
    .unwrap();
    app.execute(
        &ctx("s2"),
        Mutation::Pick {
            order: "O3".into(),
            serial: "SY1".into(),
        },
    )
    .unwrap();
    // A swap to a loader is refused: not the same type.
    let err = app
        .execute(
            &ctx("s0"),
            Mutation::SwapMachine {
                order: "O1".into(),
                serial: "ZL1".into(),
                reason: "x".into(),
            },
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("pick the same model or type"),
        "{err}"
    );

    let report = app.stock_report(&ctx("admin")).unwrap();
    let count = |model: &str| report.iter().find(|l| l.model == model).unwrap().clone();
    let sy = count("SY75C");
    assert_eq!((sy.in_stock, sy.reserved, sy.shipped), (2, 1, 0));
    let pc = count("PC200");
    assert_eq!(pc.shipped, 1);
    let total: usize = report
        .iter()
        .map(|l| l.in_stock + l.reserved + l.shipped + l.towed_back)
        .sum();
    assert_eq!(total, 5, "every machine is counted once");
    let by_state = app.orders_by_state(&ctx("admin")).unwrap();
    let n = |s: &str| by_state.iter().find(|b| b.state == s).unwrap().orders;
    assert_eq!((n("shipped"), n("cancelled"), n("draft")), (1, 1, 1));
}

mod cli {
    use std::process::Command;

    const TODAY: &str = "2026-03-31";

    struct Book(tempfile::TempDir);

    impl Book {
        fn run(&self, user: &str, args: &[&str]) -> (i32, String, String) {
            let o = Command::new(env!("CARGO_BIN_EXE_duedesk"))
                .args(["--as", user])
                .args(args)
                .env("DUEDESK_DB", self.0.path().join("db"))
                .env("DUEDESK_TODAY", TODAY)
                .env("DUEDESK_CONFIG", self.0.path().join("none.toml"))
                .output()
                .unwrap();
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into(),
                String::from_utf8_lossy(&o.stderr).into(),
            )
        }
        fn ok(&self, user: &str, args: &[&str]) -> String {
            let (code, out, err) = self.run(user, args);
            assert_eq!(code, 0, "{user}: {args:?}: {out}{err}");
            out
        }
        fn refused(&self, user: &str, args: &[&str]) -> String {
            let (code, out, err) = self.run(user, args);
            assert_eq!(code, 1, "{user}: {args:?} should be refused: {out}{err}");
            err
        }
        fn json(&self, user: &str, args: &[&str]) -> serde_json::Value {
            serde_json::from_str(&self.ok(user, args)).unwrap()
        }
        fn file(&self, name: &str, text: &str) -> String {
            let p = self.0.path().join(name);
            std::fs::write(&p, text).unwrap();
            p.to_str().unwrap().into()
        }
    }

    fn book() -> Book {
        let b = Book(tempfile::tempdir().unwrap());
        std::fs::write(b.0.path().join("none.toml"), "").unwrap();
        let cu = b.file("cu.csv", "customer_id,name,phone,id_number,address,branch,collector\nC1,张伟,1,,合肥,合肥,wangjun\n");
        b.ok("admin", &["import", "customers", &cu]);
        let (gb, _, _) = encoding_rs::GB18030.encode("serial,model,type,yard,arrived_on\nSY1,SY75C,excavator,合肥一号场,2026-01-10\nSY2,SY75C,excavator,合肥一号场,2026-02-01\nPC1,PC200,excavator,合肥二号场,2025-12-01\nZL1,ZL50GN,loader,合肥一号场,2026-01-20\n");
        let machines = b.0.path().join("machines.csv");
        std::fs::write(&machines, &gb).unwrap();
        b.ok("admin", &["import", "machines", machines.to_str().unwrap()]);
        let acc = b.file(
            "acc.csv",
            "code,name,unit,quantity\nBK,破碎锤,台,2\nTH,快换接头,个,10\n",
        );
        b.ok("admin", &["import", "accessories", &acc]);
        b.ok(
            "admin",
            &["user", "add", "li", "--role", "sales", "--branch", "合肥"],
        );
        b.ok(
            "admin",
            &["user", "add", "zhou", "--role", "sales", "--branch", "合肥"],
        );
        b.ok("admin", &["user", "add", "cw", "--role", "finance"]);
        b
    }

    #[test]
    fn the_whole_outbound_flow_and_its_refusals() {
        let b = book();
        // A contract created here is a draft until finance approves it.
        let app_id = b.json(
            "li",
            &[
                "contract",
                "add",
                "--contract-no",
                "HT9",
                "--customer-id",
                "C1",
                "--signed-on",
                "2026-03-20",
                "--model",
                "SY75C",
                "--financed-amount",
                "380000",
                "--json",
            ],
        )["id"]
            .as_str()
            .unwrap()
            .to_string();
        let err = b.refused("li", &["outbound", "create", "--contract", "HT9"]);
        assert!(
            err.contains(
                "contract HT9 is a draft, not approved yet; only approved contracts take outbound"
            ),
            "{err}"
        );
        let err = b.refused(
            "admin",
            &[
                "payment",
                "record",
                "--contract",
                "HT9",
                "--amount",
                "1",
                "--received-on",
                TODAY,
            ],
        );
        assert!(err.contains("draft"), "{err}");
        b.ok("cw", &["approval", "approve", &app_id]);
        let order = b.json("li", &["outbound", "create", "--contract", "HT9", "--json"])["id"]
            .as_str()
            .unwrap()
            .to_string();

        // Refusals: another type, unknown serial; a substitute of the same type is fine.
        let err = b.refused("li", &["outbound", "pick", &order, "--serial", "ZL1"]);
        assert!(
            err.contains("the contract is for type excavator (SY75C): pick the same model or type"),
            "{err}"
        );
        let err = b.refused("li", &["outbound", "pick", &order, "--serial", "XX9"]);
        assert!(err.contains("machine XX9 is not in stock records"), "{err}");
        assert!(
            b.ok("li", &["outbound", "pick", &order, "--serial", "PC1"])
                .contains("substitute")
        );
        b.ok("li", &["outbound", "pick", &order, "--serial", "SY1"]);
        assert_eq!(
            b.json("li", &["machine", "show", "PC1", "--json"])["state"],
            "in_stock",
            "re-picking releases the first pick"
        );

        // Another salesperson's order cannot take SY1: the refusal names who holds it.
        b.ok("admin", &["import", "contracts", &b.file("co.csv", "contract_no,customer_id,signed_on,model,serial,financed_amount,penalty_rate,grace_days\nHT10,C1,2026-03-01,SY75C,,300000,,\n")]);
        let other = b.json(
            "zhou",
            &["outbound", "create", "--contract", "HT10", "--json"],
        )["id"]
            .as_str()
            .unwrap()
            .to_string();
        let err = b.refused("zhou", &["outbound", "pick", &other, "--serial", "SY1"]);
        assert!(
            err.contains(&format!(
                "machine SY1 is reserved: order {order} of contract HT9 by li"
            )),
            "{err}"
        );

        b.ok(
            "li",
            &[
                "outbound",
                "add-accessory",
                &order,
                "--code",
                "BK",
                "--quantity",
                "1",
            ],
        );
        b.ok(
            "li",
            &[
                "outbound",
                "add-accessory",
                &order,
                "--code",
                "TH",
                "--quantity",
                "2",
                "--extra",
            ],
        );
        let err = b.refused(
            "zhou",
            &[
                "outbound",
                "add-accessory",
                &other,
                "--code",
                "BK",
                "--quantity",
                "2",
            ],
        );
        assert!(err.contains("1 台 available, 2 asked"), "{err}");

        // Not approved yet: cannot ship.
        let err = b.refused("li", &["outbound", "ship", &order, "--date", TODAY]);
        assert!(
            err.contains("only an order approved by finance can ship"),
            "{err}"
        );
        let approval = b.json("li", &["outbound", "submit", &order, "--json"])["id"]
            .as_str()
            .unwrap()
            .to_string();
        let err = b.refused(
            "li",
            &[
                "outbound",
                "add-accessory",
                &order,
                "--code",
                "TH",
                "--quantity",
                "1",
            ],
        );
        assert!(err.contains("only a draft order can be changed"), "{err}");
        let err = b.refused("li", &["approval", "approve", &approval]);
        assert!(
            err.contains("own application") || err.contains("role:finance"),
            "{err}"
        );
        b.ok("cw", &["approval", "approve", &approval]);
        b.ok(
            "li",
            &[
                "outbound",
                "ship",
                &order,
                "--date",
                TODAY,
                "--carrier",
                "安达物流",
            ],
        );
        let o = b.json("li", &["outbound", "show", &order, "--json"]);
        assert_eq!(o["state"], "shipped");
        assert_eq!(o["accessories"][1]["extra"], true);
        assert_eq!(
            b.json("li", &["machine", "show", "SY1", "--json"])["state"],
            "shipped"
        );

        // Swap: another type refused; same type accepted, the old machine back in stock.
        let err = b.refused(
            "li",
            &[
                "outbound", "swap", &order, "--serial", "ZL1", "--reason", "x",
            ],
        );
        assert!(err.contains("pick the same model or type"), "{err}");
        b.ok(
            "li",
            &[
                "outbound",
                "swap",
                &order,
                "--serial",
                "SY2",
                "--reason",
                "发动机异响",
            ],
        );
        assert_eq!(
            b.json("li", &["machine", "show", "SY1", "--json"])["state"],
            "in_stock"
        );
        b.ok("zhou", &["outbound", "pick", &other, "--serial", "SY1"]);
        let err = b.refused("li", &["outbound", "cancel", &order, "--reason", "x"]);
        assert!(err.contains("shipped; it cannot be cancelled"), "{err}");

        let stock = b.json("admin", &["report", "stock", "--json"]);
        let sy = stock
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["model"] == "SY75C")
            .unwrap();
        assert_eq!(
            (
                sy["in_stock"].as_u64(),
                sy["reserved"].as_u64(),
                sy["shipped"].as_u64()
            ),
            (Some(0), Some(1), Some(1))
        );
        let listing = b.json("admin", &["stock", "--model", "PC200", "--json"]);
        assert_eq!(listing[0]["days_in_stock"], 120);
        let report = b.json("admin", &["report", "outbound", "--json"]);
        assert_eq!(report["by_state"][3]["state"], "shipped");
        assert_eq!(report["by_state"][3]["orders"], 1);
    }

    #[test]
    fn a_contract_takes_one_order_until_it_is_cancelled() {
        let b = book();
        b.ok("admin", &["import", "contracts", &b.file("co.csv", "contract_no,customer_id,signed_on,model,serial,financed_amount,penalty_rate,grace_days\nHT10,C1,2026-03-01,SY75C,,300000,,\n")]);
        let create = ["outbound", "create", "--contract", "HT10", "--json"];
        let first = b.json("li", &create)["id"].as_str().unwrap().to_string();
        b.ok("li", &["outbound", "pick", &first, "--serial", "SY1"]);

        // The same salesperson or another: the open order is named.
        for user in ["li", "zhou"] {
            let err = b.refused(user, &create);
            assert!(
                err.contains(&format!(
                    "contract HT10 already has order {first} (draft); use it or cancel it"
                )),
                "{user}: {err}"
            );
        }

        b.ok(
            "li",
            &[
                "outbound",
                "cancel",
                &first,
                "--reason",
                "customer changed model",
            ],
        );
        let second = b.json("zhou", &create)["id"].as_str().unwrap().to_string();
        assert_ne!(second, first);
        let err = b.refused("li", &create);
        assert!(
            err.contains(&format!("already has order {second}")),
            "{err}"
        );
        // The cancelled order released its machine for the new one.
        b.ok("zhou", &["outbound", "pick", &second, "--serial", "SY1"]);
    }

    #[test]
    fn bad_stock_files_import_nothing() {
        let b = book();
        let bad = b.file("m.csv", "serial,model,type,yard,arrived_on\nSY1,SY75C,excavator,y,2026-01-01\nN1,ZL50GN,excavator,y,2026-13-01\nN2,,loader,y,2026-01-01\n");
        let err = b.refused("admin", &["import", "machines", &bad]);
        for expected in [
            "m.csv:2: serial: SY1 is already in stock records",
            "m.csv:3: type: model ZL50GN is of type loader, not excavator",
            "m.csv:3: arrived_on:",
            "m.csv:4: model: is empty",
        ] {
            assert!(err.contains(expected), "missing '{expected}' in {err}");
        }
        assert_eq!(
            b.json("admin", &["stock", "--json"])
                .as_array()
                .unwrap()
                .len(),
            4
        );
        let acc = b.file("a.csv", "code,name,unit,quantity\nX1,螺栓,个,-3\n");
        let err = b.refused("admin", &["import", "accessories", &acc]);
        assert!(err.contains("a.csv:2: quantity:"), "{err}");
        let err = b.refused("li", &["import", "machines", &bad]);
        assert!(err.contains("stock.import"), "{err}");
    }
}

#[test]
fn the_machine_system_is_in_use_from_the_first_machine_accessory_or_order_the_viewer_sees() {
    let in_use = |app: &App, user: &str| app.machine_system_in_use(&ctx(user)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("db")).unwrap();
    let admin = ctx("admin");
    assert!(!in_use(&app, "admin"), "an empty book");
    let batch = vec![
        customer_c1(),
        Mutation::AddUser {
            name: "s0".into(),
            display: String::new(),
            roles: vec![Role::Sales],
            branch: Some("合肥".into()),
        },
        Mutation::AddUser {
            name: "far".into(),
            display: String::new(),
            roles: vec![Role::Collector],
            branch: Some("南京".into()),
        },
        sy75c_contract("H0"),
    ];
    app.execute_batch(&admin, &batch).unwrap();
    assert!(!in_use(&app, "admin"), "contracts alone");
    let order = Mutation::CreateOrder {
        id: String::new(),
        contract: "H0".into(),
    };
    app.execute(&ctx("s0"), order).unwrap();
    assert!(in_use(&app, "admin") && in_use(&app, "s0"));
    assert!(!in_use(&app, "far"), "an order outside the viewer's scope");
    let accessory = Mutation::PutAccessory {
        code: "BK".into(),
        name: "破碎锤".into(),
        unit: "台".into(),
        quantity: 5,
    };
    app.execute(&admin, accessory).unwrap();
    assert!(in_use(&app, "far"), "accessories are the whole book's");

    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("db")).unwrap();
    app.execute(&admin, machine("SY1", "SY75C", "excavator"))
        .unwrap();
    assert!(in_use(&app, "admin"), "one machine in stock");
    assert!(
        app.machine_system_in_use(&ctx("nobody")).is_err(),
        "an unknown user is refused"
    );
}

#[test]
fn machines_and_tickets_say_nothing_of_another_branchs_contracts() {
    let (_dir, app) = book(1);
    app.execute(
        &ctx("admin"),
        Mutation::AddUser {
            name: "other".into(),
            display: String::new(),
            roles: vec![Role::Collector],
            branch: Some("滁州".into()),
        },
    )
    .unwrap();
    let order = app.orders(&ctx("s0")).unwrap()[0].id.clone();
    app.execute(
        &ctx("s0"),
        Mutation::Pick {
            order,
            serial: "SY1".into(),
        },
    )
    .unwrap();
    // C1's own collector sees who holds it…
    let seen = app.machine(&ctx("coll"), "SY1").unwrap();
    assert!(
        seen.held_by
            .as_deref()
            .is_some_and(|h| h.contains("H0") && h.contains("s0"))
    );
    // …another branch's collector sees a reserved machine and nothing of the contract.
    let hidden = app.machine(&ctx("other"), "SY1").unwrap();
    assert_eq!(hidden.state, "reserved");
    assert_eq!((hidden.order, hidden.held_by), (None, None));
    for m in app.stock(&ctx("other"), None).unwrap() {
        assert_eq!((&m.order, &m.held_by), (&None, &None), "{}", m.serial);
    }
    // A ticket out of scope reads exactly as a contract that does not exist.
    let out_of_scope = app
        .ticket(&ctx("other"), "H0", day("2026-03-31"))
        .unwrap_err();
    let missing = app
        .ticket(&ctx("other"), "H9", day("2026-03-31"))
        .unwrap_err();
    assert!(
        matches!(out_of_scope.refusal(), Some(Refusal::ContractHidden { .. })),
        "{out_of_scope}"
    );
    assert_eq!(
        out_of_scope.to_string().replace("H0", "H9"),
        missing.to_string()
    );
    // So does its audit trail.
    let out_of_scope = app.audit(&ctx("other"), "H0").unwrap_err();
    let missing = app.audit(&ctx("other"), "H9").unwrap_err();
    assert_eq!(
        out_of_scope.to_string().replace("H0", "H9"),
        missing.to_string()
    );
}

fn refusal(e: duedesk::app::AppError) -> Refusal {
    match e.root() {
        duedesk::app::AppError::Refused(r) => (**r).clone(),
        other => panic!("not a refusal: {other}"),
    }
}

#[test]
fn removing_an_accessory_line_returns_its_stock_until_the_order_is_submitted() {
    let (_dir, app) = book(2);
    let reserved = |app: &App| app.accessories(&ctx("admin")).unwrap()[0].reserved;
    for (order, extra) in [("O1", false), ("O1", true)] {
        app.execute(
            &ctx("s0"),
            Mutation::AddAccessory {
                order: order.into(),
                code: "BK".into(),
                quantity: 2,
                extra,
            },
        )
        .unwrap();
    }
    assert_eq!(reserved(&app), 4);
    let remove = |user: &str, order: &str, extra: bool| {
        app.execute(
            &ctx(user),
            Mutation::RemoveAccessory {
                order: order.into(),
                code: "BK".into(),
                extra,
            },
        )
    };
    // Only the extra line goes; the contract line of the same code stays.
    remove("s0", "O1", true).unwrap();
    let lines = app.order(&ctx("s0"), "O1").unwrap().accessories;
    assert_eq!(lines.len(), 1);
    assert!(!lines[0].extra);
    assert_eq!(reserved(&app), 2);
    // Twice: no such line, and nothing changes.
    assert!(matches!(
        refusal(remove("s0", "O1", true).unwrap_err()),
        Refusal::AccessoryLineMissing { .. }
    ));
    assert_eq!(reserved(&app), 2);
    // Another branch's salesperson may not; a submitted order keeps its lines.
    app.execute(
        &ctx("admin"),
        Mutation::AddUser {
            name: "far".into(),
            display: String::new(),
            roles: vec![Role::Sales],
            branch: Some("芜湖".into()),
        },
    )
    .unwrap();
    assert!(matches!(
        refusal(remove("far", "O1", false).unwrap_err()),
        Refusal::Forbidden { .. }
    ));
    approve(&app, "O1", "s0", "SY1");
    assert!(matches!(
        refusal(remove("s0", "O1", false).unwrap_err()),
        Refusal::OrderNotDraft { .. }
    ));
    assert_eq!(reserved(&app), 2);
    // Replayed from the journal, the line and the stock come out the same.
    let lines = |app: &App| format!("{:?}", app.order(&ctx("admin"), "O1").unwrap().accessories);
    let before = lines(&app);
    app.rebuild().unwrap();
    assert_eq!(lines(&app), before);
    assert_eq!(reserved(&app), 2);
}

#[test]
fn a_user_moved_to_another_branch_sees_that_branch() {
    let (_dir, app) = book(1);
    let set = |user: &str, branch: Option<&str>| {
        app.execute(
            &ctx(user),
            Mutation::SetBranch {
                name: "s0".into(),
                branch: branch.map(str::to_string),
            },
        )
    };
    // Only an admin moves people.
    assert!(matches!(
        refusal(set("s0", Some("芜湖")).unwrap_err()),
        Refusal::Forbidden { .. }
    ));
    set("admin", Some("芜湖")).unwrap();
    assert_eq!(app.user("s0").unwrap().branch.as_deref(), Some("芜湖"));
    // Out of 合肥, the order of 合肥's contract is no longer theirs.
    assert!(app.order(&ctx("s0"), "O1").is_err());
    assert!(!set("admin", Some("芜湖")).unwrap().changed);
    set("admin", Some(" ")).unwrap();
    assert_eq!(app.user("s0").unwrap().branch, None);
}

#[test]
fn a_swap_from_another_branchs_yard_is_named_and_the_contracts_waiting_are_listed() {
    let (_dir, app) = book(2);
    let admin = ctx("admin");
    app.execute_batch(
        &admin,
        &[
            Mutation::AddUser {
                name: "wh".into(),
                display: String::new(),
                roles: vec![Role::Clerk],
                branch: Some("芜湖".into()),
            },
            Mutation::AddMachine(Machine {
                serial: "SY9".into(),
                model: "SY75C".into(),
                machine_type: "excavator".into(),
                yard: "芜湖二号场".into(),
                arrived_on: day("2026-01-10"),
                state: MachineStock::InStock,
            }),
        ],
    )
    .unwrap();
    approve(&app, "O1", "s0", "SY1");
    let crossing = |serial: &str| app.swap_crossing(&ctx("s0"), "O1", serial).unwrap();
    let x = crossing("SY9").expect("芜湖二号场 is 芜湖's");
    assert_eq!(
        (
            x.yard.as_str(),
            x.yard_branch.as_str(),
            x.contract_branch.as_str()
        ),
        ("芜湖二号场", "芜湖", "合肥")
    );
    assert_eq!(
        crossing("SY2"),
        None,
        "合肥一号场 is the contract's own branch's"
    );
    // Contracts waiting for their machine: H1's order is cancelled, so it waits again.
    assert!(
        app.contracts_awaiting_machine(&ctx("s0"))
            .unwrap()
            .is_empty(),
        "both contracts have orders"
    );
    app.execute(
        &ctx("s1"),
        Mutation::CancelOrder {
            order: "O2".into(),
            reason: "客户改期".into(),
        },
    )
    .unwrap();
    let waiting: Vec<_> = app
        .contracts_awaiting_machine(&ctx("s0"))
        .unwrap()
        .into_iter()
        .map(|c| c.contract_no)
        .collect();
    assert_eq!(waiting, ["H1"]);
    assert!(
        app.contracts_awaiting_machine(&ctx("wh"))
            .unwrap()
            .is_empty()
    );
}
