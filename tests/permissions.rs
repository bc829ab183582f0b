//! The permission matrix: every role × every mutation, against the app layer. The table
//! below is the specification a reviewer reads; the test checks the app agrees.

use chrono::NaiveDate;
use duedesk::app::permissions::check;
use duedesk::app::{App, Ctx, Mutation, NewContract};
use duedesk::domain::approval::DocumentType;
use duedesk::domain::{
    AllocationOrder, Channel, Customer, Installment, Money, Rate, Refusal, Role, User,
};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const ROLES: [Role; 6] = [
    Role::Collector,
    Role::Clerk,
    Role::Sales,
    Role::Finance,
    Role::Approver,
    Role::Admin,
];

/// A book with one contract H1 of customer C1 in 合肥, collected by `coll`; one user per
/// role, all in 合肥 (the collector is the customer's collector), so scope never refuses.
fn book() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("db")).unwrap();
    let ctx = Ctx::new("admin", day("2026-03-31"), 0);
    let mut batch = vec![Mutation::PutCustomer(Customer {
        id: "C1".into(),
        name: "张伟".into(),
        phone: String::new(),
        id_number: String::new(),
        address: String::new(),
        branch: "合肥".into(),
        collector: "coll".into(),
    })];
    for role in ROLES {
        if role != Role::Collector {
            batch.push(Mutation::AddUser {
                name: role.name().into(),
                display: String::new(),
                roles: vec![role],
                branch: Some("合肥".into()),
            });
        }
    }
    batch.push(Mutation::AddContract(NewContract {
        no: "H1".into(),
        customer_id: "C1".into(),
        signed_on: day("2026-01-01"),
        model: "SY75C".into(),
        serial: "S1".into(),
        financed: Money::from_cents(1_000_000),
        penalty_rate: None,
        grace_days: None,
    }));
    batch.push(Mutation::AddInstallments {
        contract: "H1".into(),
        installments: vec![Installment {
            seq: 1,
            due: day("2026-02-15"),
            principal: Money::from_cents(900_000),
            interest: Money::from_cents(100_000),
        }],
    });
    app.execute_batch(&ctx, &batch).unwrap();
    (dir, app)
}

fn user(app: &App, role: Role) -> User {
    let name = if role == Role::Collector {
        "coll"
    } else {
        role.name()
    };
    app.user(name).unwrap()
}

#[test]
fn every_role_against_every_mutation() {
    let (_dir, app) = book();
    let m = |s: &str| Money::parse(s).unwrap();
    // Columns: collector, clerk, sales, finance, approver, admin.
    let y = true;
    let n = false;
    let table: Vec<(Mutation, [bool; 6])> = vec![
        (
            Mutation::PutCustomer(Customer {
                id: "C2".into(),
                name: "x".into(),
                phone: String::new(),
                id_number: String::new(),
                address: String::new(),
                branch: "合肥".into(),
                collector: "coll".into(),
            }),
            [n, n, n, n, n, y],
        ),
        (
            Mutation::AddContract(NewContract {
                no: "H2".into(),
                customer_id: "C1".into(),
                signed_on: day("2026-01-01"),
                model: "m".into(),
                serial: String::new(),
                financed: m("1"),
                penalty_rate: None,
                grace_days: None,
            }),
            [n, n, n, n, n, y],
        ),
        (
            Mutation::AddInstallments {
                contract: "H1".into(),
                installments: vec![],
            },
            [n, n, n, n, n, y],
        ),
        (
            Mutation::RecordPayment {
                id: String::new(),
                contract: "H1".into(),
                received_on: day("2026-03-01"),
                amount: m("1"),
                method: String::new(),
                reference: String::new(),
                confirmed: false,
            },
            [y, n, n, y, n, y],
        ),
        (
            Mutation::RecordPayment {
                id: String::new(),
                contract: "H1".into(),
                received_on: day("2026-03-01"),
                amount: m("1"),
                method: String::new(),
                reference: String::new(),
                confirmed: true,
            },
            [n, n, n, n, n, y],
        ),
        (
            Mutation::ConfirmPayment { id: "P1".into() },
            [n, n, n, y, n, y],
        ),
        (
            Mutation::VoidPayment {
                id: "P1".into(),
                reason: "x".into(),
            },
            [n, n, n, y, n, y],
        ),
        (
            Mutation::SetRate {
                contract: None,
                from: day("2026-01-01"),
                daily: Rate::parse("0.0005").unwrap(),
            },
            [n, n, n, n, n, y],
        ),
        (
            Mutation::SetRate {
                contract: Some("H1".into()),
                from: day("2026-01-01"),
                daily: Rate::parse("0.0005").unwrap(),
            },
            [n, n, n, n, n, y],
        ),
        (
            Mutation::SetGrace {
                contract: None,
                days: 3,
            },
            [n, n, n, n, n, y],
        ),
        (
            Mutation::SetAllocationOrder {
                order: AllocationOrder::Statutory,
            },
            [n, n, n, n, n, y],
        ),
        (
            Mutation::Accrue {
                through: day("2026-03-31"),
            },
            [n, n, n, y, n, y],
        ),
        (
            Mutation::AddContact {
                contract: "H1".into(),
                channel: Channel::Call,
                result: "x".into(),
                note: String::new(),
                promise: None,
            },
            [y, y, n, n, n, y],
        ),
        (
            Mutation::ApplyWaiver {
                id: String::new(),
                contract: "H1".into(),
                amount: m("1"),
                reason: "x".into(),
            },
            // The README's role table: waivers are the collector's, not the clerk's.
            [y, n, n, n, n, y],
        ),
        (
            Mutation::Settle {
                contract: "H1".into(),
            },
            [y, n, n, y, n, y],
        ),
        (
            Mutation::AddUser {
                name: "z".into(),
                display: String::new(),
                roles: vec![Role::Clerk],
                branch: None,
            },
            [n, n, n, n, n, y],
        ),
        (
            Mutation::DisableUser {
                name: "clerk".into(),
            },
            [n, n, n, n, n, y],
        ),
        (
            Mutation::SetRoles {
                name: "clerk".into(),
                roles: vec![Role::Clerk],
            },
            [n, n, n, n, n, y],
        ),
        (Mutation::SetRules { rules: vec![] }, [n, n, n, n, n, y]),
        (
            Mutation::Apply {
                id: String::new(),
                document: DocumentType::Lock,
                contract: "H1".into(),
                reason: "x".into(),
                location: String::new(),
            },
            [y, n, n, n, n, y],
        ),
        (
            Mutation::Apply {
                id: String::new(),
                document: DocumentType::Unlock,
                contract: "H1".into(),
                reason: "x".into(),
                location: String::new(),
            },
            [y, n, n, n, n, y],
        ),
        (
            Mutation::Apply {
                id: String::new(),
                document: DocumentType::Tow,
                contract: "H1".into(),
                reason: "x".into(),
                location: "工地".into(),
            },
            [y, n, n, n, n, y],
        ),
        (
            Mutation::RegisterTow {
                id: "A1".into(),
                crew: vec!["x".into()],
                planned_on: day("2026-04-01"),
                location: "x".into(),
                note: String::new(),
            },
            [n, y, n, n, n, y],
        ),
        (
            Mutation::CompleteTow {
                id: "A1".into(),
                towed_on: day("2026-04-01"),
                yard: "x".into(),
                condition: String::new(),
                cost: Money::ZERO,
            },
            [n, y, n, n, n, y],
        ),
        (
            Mutation::FailTow {
                id: "A1".into(),
                reason: "x".into(),
            },
            [n, y, n, n, n, y],
        ),
        (
            Mutation::Execute {
                id: "A1".into(),
                command_status: None,
            },
            [n, y, n, n, n, y],
        ),
        // Checked against the record itself (chain step, applicant, inbox owner): every
        // role passes the role gate, see the other tests for the record checks.
        (
            Mutation::Approve {
                id: "A1".into(),
                comment: String::new(),
            },
            [y, y, y, y, y, y],
        ),
        (
            Mutation::Reject {
                id: "A1".into(),
                comment: "x".into(),
            },
            [y, y, y, y, y, y],
        ),
        (
            Mutation::Resubmit {
                id: "A1".into(),
                reason: None,
                location: None,
                amount: None,
            },
            [y, y, y, y, y, y],
        ),
        (Mutation::Withdraw { id: "A1".into() }, [y, y, y, y, y, y]),
        (Mutation::MarkRead { ids: vec![] }, [y, y, y, y, y, y]),
        (
            Mutation::RecordDelivery {
                id: "x".into(),
                delivered: true,
                error: String::new(),
                at: 0,
            },
            [y, y, y, y, y, y],
        ),
    ];
    for (mutation, allowed) in &table {
        for (role, &expected) in ROLES.iter().zip(allowed) {
            let u = user(&app, *role);
            let result = check(app.store(), &u, mutation);
            match (expected, &result) {
                (true, Ok(())) => {}
                (false, Err(e)) if matches!(e.refusal(), Some(Refusal::Forbidden { .. })) => {
                    let Some(Refusal::Forbidden { permission, .. }) = e.refusal() else {
                        unreachable!()
                    };
                    assert_eq!(
                        permission,
                        mutation.permission(),
                        "the refusal names the permission"
                    )
                }
                _ => panic!(
                    "{} as {}: expected allowed={expected}, got {result:?}",
                    mutation.permission(),
                    role.name()
                ),
            }
        }
    }
}

#[test]
fn scope_refuses_another_collectors_customer() {
    let (_dir, app) = book();
    let ctx = Ctx::new("admin", day("2026-03-31"), 0);
    app.execute(
        &ctx,
        Mutation::AddUser {
            name: "other".into(),
            display: String::new(),
            roles: vec![Role::Collector],
            branch: Some("合肥".into()),
        },
    )
    .unwrap();
    app.execute(
        &ctx,
        Mutation::AddUser {
            name: "wuhan".into(),
            display: String::new(),
            roles: vec![Role::Clerk],
            branch: Some("武汉".into()),
        },
    )
    .unwrap();
    let contact = Mutation::AddContact {
        contract: "H1".into(),
        channel: Channel::Call,
        result: "x".into(),
        note: String::new(),
        promise: None,
    };
    for name in ["other", "wuhan"] {
        let err = check(app.store(), &app.user(name).unwrap(), &contact).unwrap_err();
        assert!(
            matches!(
                err.refusal(),
                Some(Refusal::Forbidden {
                    permission,
                    ..
                }) if permission == "scope"
            ),
            "{name}: {err}"
        );
        // Queries are scoped too: the ticket reads as not there (it must not say whether H1
        // exists) and the overdue list is empty.
        let as_them = Ctx::new(name, day("2026-03-31"), 0);
        assert!(matches!(
            app.ticket(&as_them, "H1", day("2026-03-31")),
            Err(e) if matches!(e.refusal(), Some(Refusal::ContractHidden { .. }))
        ));
        assert!(
            app.overdue(&as_them, day("2026-03-31"), &Default::default())
                .unwrap()
                .is_empty()
        );
        // The list shared by the screens holds the whole book; the viewer sees none of it.
        let shared = app.overdue_shared(&as_them, day("2026-03-31")).unwrap();
        assert_eq!(shared.rows().len(), 1, "{name}");
        assert!(shared.is_empty() && shared.to_vec().is_empty(), "{name}");
        assert!(!shared.may_see(0), "{name}");
    }
    // The branch's clerk and the customer's own collector see it.
    for name in ["coll", "clerk"] {
        let as_them = Ctx::new(name, day("2026-03-31"), 0);
        assert_eq!(
            app.overdue(&as_them, day("2026-03-31"), &Default::default())
                .unwrap()
                .len(),
            1,
            "{name}"
        );
        let shared = app.overdue_shared(&as_them, day("2026-03-31")).unwrap();
        assert_eq!(shared.len(), 1, "{name}");
        assert!(shared.may_see(0), "{name}");
    }
}

/// The overdue list the screens share: computed once per book version, each viewer cut to
/// their scope, equal to what `overdue` gives them, and new after every change.
#[test]
fn the_shared_overdue_list_is_cut_to_each_viewers_scope() {
    let (_dir, app) = book();
    let admin = Ctx::new("admin", day("2026-03-31"), 0);
    let mut batch = vec![Mutation::AddUser {
        name: "other".into(),
        display: String::new(),
        roles: vec![Role::Collector],
        branch: Some("武汉".into()),
    }];
    for (i, collector, branch) in [
        (2, "other", "武汉"),
        (3, "coll", "合肥"),
        (4, "other", "武汉"),
    ] {
        batch.push(Mutation::PutCustomer(Customer {
            id: format!("C{i}"),
            name: format!("客户{i}"),
            phone: String::new(),
            id_number: String::new(),
            address: String::new(),
            branch: branch.into(),
            collector: collector.into(),
        }));
        batch.push(Mutation::AddContract(NewContract {
            no: format!("H{i}"),
            customer_id: format!("C{i}"),
            signed_on: day("2026-01-01"),
            model: "SY75C".into(),
            serial: format!("S{i}"),
            financed: Money::from_cents(1_000_000),
            penalty_rate: None,
            grace_days: None,
        }));
        batch.push(Mutation::AddInstallments {
            contract: format!("H{i}"),
            installments: vec![Installment {
                seq: 1,
                due: day(&format!("2026-02-1{i}")),
                principal: Money::from_cents(500_000),
                interest: Money::ZERO,
            }],
        });
    }
    app.execute_batch(&admin, &batch).unwrap();
    let today = day("2026-03-31");
    let nos = |rows: Vec<duedesk::app::OverdueRow>| -> Vec<String> {
        rows.into_iter().map(|r| r.contract_no).collect()
    };
    let mut first = None;
    for (name, want) in [
        ("admin", vec!["H1", "H2", "H3", "H4"]),
        ("coll", vec!["H1", "H3"]),
        ("other", vec!["H2", "H4"]),
        ("clerk", vec!["H1", "H3"]),
    ] {
        let ctx = Ctx::new(name, today, 0);
        let shared = app.overdue_shared(&ctx, today).unwrap();
        let direct = app.overdue(&ctx, today, &Default::default()).unwrap();
        assert_eq!(nos(shared.to_vec()), nos(direct), "{name}");
        let mut seen = nos(shared.to_vec());
        seen.sort();
        assert_eq!(seen, want, "{name}");
        // One copy of the rows for everyone.
        let rows = shared.rows().clone();
        let first = first.get_or_insert(rows.clone());
        assert!(std::sync::Arc::ptr_eq(first, &rows), "{name}");
    }
    // A change makes a new list, with the change in it.
    let before = app.overdue_shared(&admin, today).unwrap();
    app.execute(
        &admin,
        Mutation::RecordPayment {
            id: String::new(),
            contract: "H3".into(),
            amount: Money::from_cents(600_000),
            received_on: day("2026-03-01"),
            method: String::new(),
            reference: String::new(),
            confirmed: true,
        },
    )
    .unwrap();
    let after = app.overdue_shared(&admin, today).unwrap();
    assert_ne!(before.version, after.version);
    // Most days overdue first: H2 fell due on the 12th, H4 on the 14th, H1 on the 15th.
    assert_eq!(nos(after.to_vec()), vec!["H2", "H4", "H1"]);
    assert_eq!(
        nos(after.to_vec()),
        nos(app.overdue(&admin, today, &Default::default()).unwrap())
    );
}

#[test]
fn a_disabled_user_is_refused_everything() {
    let (_dir, app) = book();
    let admin = Ctx::new("admin", day("2026-03-31"), 0);
    app.execute(
        &admin,
        Mutation::DisableUser {
            name: "finance".into(),
        },
    )
    .unwrap();
    let as_finance = Ctx::new("finance", day("2026-03-31"), 0);
    let err = app
        .execute(
            &as_finance,
            Mutation::Accrue {
                through: day("2026-03-31"),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("finance"), "{err}");
    assert!(
        app.overdue(&as_finance, day("2026-03-31"), &Default::default())
            .is_err()
    );
}
