//! The permission matrix: every role × every mutation, against the app layer. The table
//! below is the specification a reviewer reads; the test checks the app agrees.

use chrono::NaiveDate;
use duedesk::app::permissions::check;
use duedesk::app::{App, AppError, Ctx, Mutation, NewContract};
use duedesk::domain::approval::DocumentType;
use duedesk::domain::{AllocationOrder, Channel, Customer, Installment, Money, Rate, Role, User};

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
                contract: "H1".into(),
                amount: m("1"),
                reason: "x".into(),
            },
            [y, y, n, n, n, y],
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
                document: DocumentType::Lock,
                contract: "H1".into(),
                reason: "x".into(),
                location: String::new(),
            },
            [y, n, n, n, n, y],
        ),
        (
            Mutation::Apply {
                document: DocumentType::Unlock,
                contract: "H1".into(),
                reason: "x".into(),
                location: String::new(),
            },
            [y, n, n, n, n, y],
        ),
        (
            Mutation::Apply {
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
                (false, Err(AppError::Forbidden { permission, .. })) => {
                    assert_eq!(
                        *permission,
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
                err,
                AppError::Forbidden {
                    permission: "scope",
                    ..
                }
            ),
            "{name}: {err}"
        );
        // Queries are scoped too: the ticket is refused and the overdue list is empty.
        let as_them = Ctx::new(name, day("2026-03-31"), 0);
        assert!(matches!(
            app.ticket(&as_them, "H1", day("2026-03-31")),
            Err(AppError::Forbidden { .. })
        ));
        assert!(
            app.overdue(&as_them, day("2026-03-31"), &Default::default())
                .unwrap()
                .is_empty()
        );
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
    }
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
