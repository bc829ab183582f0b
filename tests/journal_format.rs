//! The journal's byte format, pinned: every `Mutation` variant and the entry header, encoded
//! as the journal stores them (and sync sends them), against `tests/journal_format.golden`.
//!
//! A journal entry, once written (at a branch, at head office), is never rewritten: changing
//! how an existing variant encodes would make every database unreadable. So this test fails
//! when a variant's bytes change. A new variant goes at the end of `enum Mutation`, gets a
//! name in `name_of` (the match is exhaustive: a new variant does not compile until it has
//! one) and a sample in `samples`; then run once with `DUEDESK_BLESS_NEW=1` to append its
//! golden line. Existing lines are never re-blessed.

use chrono::NaiveDate;
use duedesk::app::{Mutation, NewContract, SessionEvent};
use duedesk::domain::approval::{Approver, DocumentType, Rule};
use duedesk::domain::budget;
use duedesk::domain::outbound::{Machine, MachineStock};
use duedesk::domain::{
    AllocationOrder, Channel, Customer, Installment, Money, Promise, Rate, Role,
};
use duedesk::store::{EntryHeader, JOURNAL_FORMAT, entry_bytes};
use std::collections::BTreeMap;
use std::path::Path;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn header() -> EntryHeader {
    EntryHeader {
        site: 7,
        seq: 123_456,
        actor: "王五".into(),
        at: 1_796_000_000,
        business_date: d("2026-11-30"),
    }
}

fn new_contract() -> NewContract {
    NewContract {
        no: "HT-1".into(),
        customer_id: "C1".into(),
        signed_on: d("2025-01-15"),
        model: "SY75C".into(),
        serial: "SY75C-0001".into(),
        financed: m("300000.00"),
        penalty_rate: Some(Rate::parse("0.0005").unwrap()),
        grace_days: Some(3),
    }
}

/// The name of each variant. Exhaustive: a variant added without a name does not compile.
fn name_of(mutation: &Mutation) -> &'static str {
    match mutation {
        Mutation::PutCustomer(_) => "PutCustomer",
        Mutation::AddContract(_) => "AddContract",
        Mutation::AddInstallments { .. } => "AddInstallments",
        Mutation::RecordPayment { .. } => "RecordPayment",
        Mutation::ConfirmPayment { .. } => "ConfirmPayment",
        Mutation::VoidPayment { .. } => "VoidPayment",
        Mutation::SetRate { .. } => "SetRate",
        Mutation::SetGrace { .. } => "SetGrace",
        Mutation::SetAllocationOrder { .. } => "SetAllocationOrder",
        Mutation::Accrue { .. } => "Accrue",
        Mutation::AddContact { .. } => "AddContact",
        Mutation::ApplyWaiver { .. } => "ApplyWaiver",
        Mutation::Settle { .. } => "Settle",
        Mutation::AddUser { .. } => "AddUser",
        Mutation::DisableUser { .. } => "DisableUser",
        Mutation::SetRoles { .. } => "SetRoles",
        Mutation::AddKey { .. } => "AddKey",
        Mutation::RemoveKey { .. } => "RemoveKey",
        Mutation::Session { .. } => "Session",
        Mutation::SetRules { .. } => "SetRules",
        Mutation::Apply { .. } => "Apply",
        Mutation::Approve { .. } => "Approve",
        Mutation::Reject { .. } => "Reject",
        Mutation::Resubmit { .. } => "Resubmit",
        Mutation::Withdraw { .. } => "Withdraw",
        Mutation::RegisterTow { .. } => "RegisterTow",
        Mutation::CompleteTow { .. } => "CompleteTow",
        Mutation::FailTow { .. } => "FailTow",
        Mutation::Execute { .. } => "Execute",
        Mutation::MarkRead { .. } => "MarkRead",
        Mutation::AddMachine(_) => "AddMachine",
        Mutation::PutAccessory { .. } => "PutAccessory",
        Mutation::DraftContract { .. } => "DraftContract",
        Mutation::CreateOrder { .. } => "CreateOrder",
        Mutation::Pick { .. } => "Pick",
        Mutation::AddAccessory { .. } => "AddAccessory",
        Mutation::SubmitOrder { .. } => "SubmitOrder",
        Mutation::Ship { .. } => "Ship",
        Mutation::SwapMachine { .. } => "SwapMachine",
        Mutation::CancelOrder { .. } => "CancelOrder",
        Mutation::RecordDelivery { .. } => "RecordDelivery",
        Mutation::AccruePart { .. } => "AccruePart",
        Mutation::SetLanguage { .. } => "SetLanguage",
        Mutation::AddSite { .. } => "AddSite",
        Mutation::Rebuild { .. } => "Rebuild",
        Mutation::ImportPart { .. } => "ImportPart",
        Mutation::ImportEnd { .. } => "ImportEnd",
        Mutation::DraftBudget { .. } => "DraftBudget",
        Mutation::SubmitBudget { .. } => "SubmitBudget",
        Mutation::BookSpending { .. } => "BookSpending",
        Mutation::CloseBudgetMonth { .. } => "CloseBudgetMonth",
        Mutation::SetScoringRules { .. } => "SetScoringRules",
        Mutation::NoteConflict { .. } => "NoteConflict",
        Mutation::SetBranch { .. } => "SetBranch",
        Mutation::RemoveAccessory { .. } => "RemoveAccessory",
    }
}

/// One sample of every variant, with every field set (options both ways where it matters).
fn samples() -> Vec<Mutation> {
    vec![
        Mutation::PutCustomer(Customer {
            id: "C1".into(),
            name: "张三".into(),
            phone: "13800000000".into(),
            id_number: "340100199001011234".into(),
            address: "合肥市".into(),
            branch: "合肥".into(),
            collector: "wang".into(),
        }),
        Mutation::AddContract(new_contract()),
        Mutation::AddInstallments {
            contract: "HT-1".into(),
            installments: vec![Installment {
                seq: 1,
                due: d("2025-02-15"),
                principal: m("8000.00"),
                interest: m("1234.56"),
            }],
        },
        Mutation::RecordPayment {
            id: "HF-P12".into(),
            contract: "HT-1".into(),
            received_on: d("2025-03-01"),
            amount: m("5000.00"),
            method: "transfer".into(),
            reference: "R1".into(),
            confirmed: false,
        },
        Mutation::ConfirmPayment { id: "P3".into() },
        Mutation::VoidPayment {
            id: "P3".into(),
            reason: "退票".into(),
        },
        Mutation::SetRate {
            contract: Some("HT-1".into()),
            from: d("2026-01-01"),
            daily: Rate::parse("0.0006").unwrap(),
        },
        Mutation::SetGrace {
            contract: None,
            days: 5,
        },
        Mutation::SetAllocationOrder {
            order: AllocationOrder::Statutory,
        },
        Mutation::Accrue {
            through: d("2026-11-30"),
        },
        Mutation::AddContact {
            contract: "HT-1".into(),
            channel: Channel::Wechat,
            result: "答应还款".into(),
            note: "周五".into(),
            promise: Some(Promise {
                date: d("2026-12-05"),
                amount: m("8000.00"),
            }),
        },
        Mutation::ApplyWaiver {
            id: "A9".into(),
            contract: "HT-1".into(),
            amount: m("120.50"),
            reason: "goodwill".into(),
        },
        Mutation::Settle {
            contract: "HT-1".into(),
        },
        Mutation::AddUser {
            name: "wang".into(),
            display: "王".into(),
            roles: vec![Role::Collector, Role::Clerk],
            branch: Some("合肥".into()),
        },
        Mutation::DisableUser {
            name: "wang".into(),
        },
        Mutation::SetRoles {
            name: "wang".into(),
            roles: vec![Role::Approver],
        },
        Mutation::AddKey {
            user: "wang".into(),
            key: "ssh-ed25519 AAAA wang".into(),
            fingerprint: "SHA256:abc".into(),
        },
        Mutation::RemoveKey {
            user: "wang".into(),
            fingerprint: "SHA256:abc".into(),
        },
        Mutation::Session {
            user: "wang".into(),
            event: SessionEvent::Logout,
            peer: "127.0.0.1:5555".into(),
        },
        Mutation::SetRules {
            rules: vec![Rule {
                name: "large tow".into(),
                document: DocumentType::Tow,
                branch: Some("合肥".into()),
                min_days_overdue: Some(90),
                min_overdue_amount: Some(m("100000.00")),
                min_amount: None,
                chain: vec![Approver::Role(Role::Approver), Approver::User("li".into())],
            }],
        },
        Mutation::Apply {
            id: "A10".into(),
            document: DocumentType::Tow,
            contract: "HT-1".into(),
            reason: "失联".into(),
            location: "工地".into(),
        },
        Mutation::Approve {
            id: "A10".into(),
            comment: "同意".into(),
        },
        Mutation::Reject {
            id: "A10".into(),
            comment: "no".into(),
        },
        Mutation::Resubmit {
            id: "A10".into(),
            reason: Some("again".into()),
            location: None,
            amount: Some(m("99.99")),
        },
        Mutation::Withdraw { id: "A10".into() },
        Mutation::RegisterTow {
            id: "A10".into(),
            crew: vec!["张".into(), "李".into()],
            planned_on: d("2026-12-02"),
            location: "芜湖".into(),
            note: "night".into(),
        },
        Mutation::CompleteTow {
            id: "A10".into(),
            towed_on: d("2026-12-03"),
            yard: "一号场".into(),
            condition: "good".into(),
            cost: m("3500.00"),
        },
        Mutation::FailTow {
            id: "A10".into(),
            reason: "machine gone".into(),
        },
        Mutation::Execute {
            id: "A11".into(),
            command_status: Some(0),
        },
        Mutation::MarkRead {
            ids: vec!["wang/00000001".into()],
        },
        Mutation::AddMachine(Machine {
            serial: "SY75C-0001".into(),
            model: "SY75C".into(),
            machine_type: "excavator".into(),
            yard: "一号场".into(),
            arrived_on: d("2026-05-01"),
            state: MachineStock::Reserved { order: "O1".into() },
        }),
        Mutation::PutAccessory {
            code: "BKT".into(),
            name: "铲斗".into(),
            unit: "个".into(),
            quantity: 12,
        },
        Mutation::DraftContract {
            application: "A12".into(),
            contract: new_contract(),
        },
        Mutation::CreateOrder {
            id: "O2".into(),
            contract: "HT-1".into(),
        },
        Mutation::Pick {
            order: "O2".into(),
            serial: "SY75C-0001".into(),
        },
        Mutation::AddAccessory {
            order: "O2".into(),
            code: "BKT".into(),
            quantity: 2,
            extra: true,
        },
        Mutation::SubmitOrder {
            order: "O2".into(),
            application: "A13".into(),
        },
        Mutation::Ship {
            order: "O2".into(),
            on: d("2026-12-04"),
            carrier: "顺丰".into(),
            note: "".into(),
        },
        Mutation::SwapMachine {
            order: "O2".into(),
            serial: "SY75C-0002".into(),
            reason: "customer asked".into(),
        },
        Mutation::CancelOrder {
            order: "O2".into(),
            reason: "cancelled".into(),
        },
        Mutation::RecordDelivery {
            id: "wang/00000001".into(),
            delivered: false,
            error: "exit 1".into(),
            at: 1_796_000_100,
        },
        Mutation::AccruePart {
            through: d("2026-11-30"),
            after: Some("HT-0".into()),
            upto: None,
        },
        Mutation::SetLanguage {
            name: "li".into(),
            lang: duedesk::i18n::Lang::Zh,
        },
        Mutation::AddSite {
            site: 2,
            name: "合肥".into(),
            code: "HF".into(),
            branches: vec!["合肥".into(), "巢湖".into()],
            user: "hf-sync".into(),
        },
        Mutation::Rebuild { entries: 48_563 },
        Mutation::ImportPart {
            import: "1796000000-12".into(),
            through: 10_000,
            rows: 1_500_000,
        },
        Mutation::ImportEnd {
            import: "1796000000-12".into(),
            rows: 1_500_000,
            undone: true,
        },
        Mutation::DraftBudget {
            month: budget::Month::parse("2026-03").unwrap(),
            branch: "合肥".into(),
            lines: vec![
                budget::Line {
                    kind: budget::LineKind::Collection,
                    collector: Some("wang".into()),
                    amount: m("50000.00"),
                },
                budget::Line {
                    kind: budget::LineKind::Spending(budget::Category::Tow),
                    collector: None,
                    amount: m("3000.00"),
                },
            ],
        },
        Mutation::SubmitBudget {
            application: "HF-A9".into(),
            month: budget::Month::parse("2026-03").unwrap(),
            branch: "合肥".into(),
        },
        Mutation::BookSpending {
            id: "HF-M2".into(),
            month: budget::Month::parse("2026-03").unwrap(),
            branch: "合肥".into(),
            category: budget::Category::Travel,
            amount: m("320.50"),
            reason: "差旅".into(),
        },
        Mutation::CloseBudgetMonth {
            month: budget::Month::parse("2026-02").unwrap(),
        },
        Mutation::SetScoringRules {
            rules: budget::ScoringRules {
                version: 0,
                points_per_percent: "1.5".parse().unwrap(),
                cap_percent: 120,
                overspend_penalty: "10".parse().unwrap(),
                unplanned_penalty: "5".parse().unwrap(),
                pace_tolerance_percent: 10,
            },
        },
        Mutation::NoteConflict {
            user: "li".into(),
            entry: "2-17".into(),
            kind: "ConfirmPayment".into(),
            contract: "H1".into(),
            refusal: duedesk::domain::Refusal::PaymentVoid { id: "HF-P1".into() },
        },
        Mutation::SetBranch {
            name: "wang".into(),
            branch: Some("合肥".into()),
        },
        Mutation::RemoveAccessory {
            order: "O3".into(),
            code: "BK-01".into(),
            extra: true,
        },
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn golden_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/journal_format.golden")
}

fn golden() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(golden_path()).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, hex) = l.split_once(' ').expect("golden lines are `name hex`");
            (name.to_string(), hex.to_string())
        })
        .collect()
}

#[test]
fn every_variant_has_one_sample() {
    let names: Vec<&str> = samples().iter().map(name_of).collect();
    let unique: std::collections::BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(names.len(), unique.len(), "a variant has two samples");
    // The samples and `name_of` agree; a variant without a sample is missed here only if it
    // also lacks a golden line, which `journal_bytes_are_pinned` then reports.
    for (name, _) in golden() {
        if name != "header" {
            assert!(
                unique.contains(name.as_str()),
                "golden line {name} has no sample"
            );
        }
    }
}

#[test]
fn journal_bytes_are_pinned() {
    let golden = golden();
    let mut entries = vec![("header".to_string(), entry_bytes(&header(), &()))];
    for sample in samples() {
        entries.push((
            name_of(&sample).to_string(),
            entry_bytes(&header(), &sample),
        ));
    }
    let bless = std::env::var_os("DUEDESK_BLESS_NEW").is_some();
    let mut new_lines = String::new();
    for (name, bytes) in &entries {
        assert_eq!(bytes[0], JOURNAL_FORMAT, "{name}: the format byte leads");
        match golden.get(name) {
            Some(expected) => assert_eq!(
                &hex(bytes),
                expected,
                "the journal encoding of {name} changed: entries already written could no longer be read; add a new variant instead"
            ),
            None if bless => new_lines.push_str(&format!("{name} {}\n", hex(bytes))),
            None => panic!(
                "{name} has no golden line: run `DUEDESK_BLESS_NEW=1 cargo test --test journal_format` once and commit tests/journal_format.golden"
            ),
        }
    }
    if !new_lines.is_empty() {
        let mut text = std::fs::read_to_string(golden_path()).unwrap_or_else(|_| {
            "# The journal's bytes, one entry per line: name, then hex. Append only.\n".into()
        });
        text.push_str(&new_lines);
        std::fs::write(golden_path(), text).unwrap();
    }
    // Entries decode back to what was encoded.
    for sample in samples() {
        let bytes = entry_bytes(&header(), &sample);
        let (h, back): (EntryHeader, Mutation) =
            bincode::serde::decode_from_slice(&bytes[1..], bincode::config::standard())
                .unwrap()
                .0;
        assert_eq!((h, back), (header(), sample));
    }
}

/// Every operation the audit trail names is worded for people in both languages: a new
/// variant's permission without a catalog entry would show raw (`payment.record`) on screen.
#[test]
fn every_operation_is_translated() {
    use duedesk::ui::i18n::Lang;
    for mutation in samples() {
        let name = mutation.permission();
        for lang in [Lang::En, Lang::Zh] {
            let worded = lang.operation(name);
            assert_ne!(worded, name, "{lang:?} has no words for {name}");
        }
        assert!(
            Lang::Zh.operation(name).chars().any(|c| c > '\u{2e80}'),
            "{name} in Chinese: {}",
            Lang::Zh.operation(name)
        );
    }
}
