//! Helpers beneath the handlers for applications and their approval chains (DOMAIN §6):
//! the rules in force, submission, decisions, notifications, and keeping an order or a
//! drafted contract in step with its review.

use super::book::*;
use super::error::Result;
use super::outcome::Outcome;
use super::stock::*;
use crate::domain::approval::{
    Action, Approver, Decision, DocumentType, Facts, ReviewState, Rule, RuleSet,
};
use crate::domain::outbound::*;
use crate::domain::refusal::{Holders, Refusal, Thing};
use crate::domain::workflow::{
    Application, Delivery, Followup, Notification, NotificationKind, Snapshot,
};
use crate::domain::{
    self, Contract, ContractState, MachineState, Money, Role, User, WaiverGrant, evaluate,
};
use crate::store::{EntryHeader, Reader, RecordKind, Txn};

/// The rules in force before an admin sets any: waivers, outbound, budget changes and new
/// contracts go to finance; locks, unlocks and tows to the branch's approver.
pub fn builtin_rules() -> RuleSet {
    let rules = DocumentType::ALL
        .iter()
        .map(|&document| Rule {
            name: format!("default {}", document.name()),
            document,
            branch: None,
            min_days_overdue: None,
            min_overdue_amount: None,
            min_amount: None,
            chain: vec![Approver::Role(match document {
                DocumentType::Tow | DocumentType::Lock | DocumentType::Unlock => Role::Approver,
                DocumentType::Waiver
                | DocumentType::Outbound
                | DocumentType::Budget
                | DocumentType::Contract => Role::Finance,
            })],
        })
        .collect();
    RuleSet { version: 0, rules }
}

pub(crate) fn rules_in_force<R: Reader + ?Sized>(reader: &R) -> Result<RuleSet> {
    Ok(reader.rules()?.unwrap_or_else(builtin_rules))
}

pub(super) fn decision(header: &EntryHeader, action: Action, comment: &str) -> Decision {
    Decision {
        by: header.actor.clone(),
        on: header.business_date,
        at: header.at,
        action,
        step: None,
        comment: comment.to_string(),
    }
}

pub(crate) fn application<R: Reader + ?Sized>(reader: &R, id: &str) -> Result<Application> {
    reader
        .record(RecordKind::Application, id)?
        .ok_or_else(|| Refusal::not_found(Thing::Application, id).into())
}

pub(super) fn notification(txn: &Txn<'_>, id: &str) -> Result<Notification> {
    txn.record(RecordKind::Notification, id)?
        .ok_or_else(|| Refusal::not_found(Thing::Notification, id).into())
}

pub(super) fn snapshot(f: &domain::Figures) -> Snapshot {
    Snapshot {
        as_of: f.as_of,
        days_overdue: f.days_overdue,
        bucket: f.bucket,
        overdue_amount: f.overdue_amount,
        penalty_outstanding: f.penalty_outstanding,
        total_outstanding: f.total_outstanding(),
    }
}

pub(super) fn facts(a: &Application, f: &domain::Figures) -> Facts {
    Facts {
        document: a.document,
        branch: a.branch.clone(),
        days_overdue: f.days_overdue,
        overdue_amount: f.overdue_amount,
        amount: a.amount,
    }
}

/// What an application is submitted with.
pub(super) struct Submission<'a> {
    /// Its id, minted by `execute` and carried in the mutation.
    pub id: &'a str,
    pub document: DocumentType,
    pub reason: &'a str,
    pub location: &'a str,
    pub amount: Option<Money>,
    pub order: Option<String>,
}

/// Submits an application: snapshot, chain under the rules in force, first notifications.
pub(super) fn submit_for(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    c: &Contract,
    submission: Submission<'_>,
) -> Result<Outcome> {
    let Submission {
        id,
        document,
        reason,
        location,
        amount,
        order,
    } = submission;
    fresh_id(
        "application",
        id,
        txn.record::<Application>(RecordKind::Application, id)?
            .is_some(),
    )?;
    let in_flight = match txn.open_application(&c.no, document.name())? {
        Some(id) => Some(application(txn, &id)?),
        None => None,
    };
    if let Some(other) = in_flight {
        return Err(Refusal::InFlight {
            contract: c.no.clone(),
            document: document.name().to_string(),
            stage: other.stage().name().to_string(),
            id: other.id,
        }
        .into());
    }
    let settings = txn.settings()?;
    let figures = evaluate(c, &settings, header.business_date);
    let a = Application {
        id: id.to_string(),
        document,
        contract_no: c.no.clone(),
        customer: txn
            .customer(&c.customer_id)?
            .map(|cu| cu.name)
            .unwrap_or_default(),
        branch: branch_of(txn, c)?,
        applicant: header.actor.clone(),
        submitted_on: header.business_date,
        reason: reason.to_string(),
        location: location.to_string(),
        amount,
        order,
        snapshot: snapshot(&figures),
        review: unstarted_review(),
        followup: Followup::None,
        failed_commands: Vec::new(),
    };
    let facts = facts(&a, &figures);
    start_review(txn, header, a, &facts)
}

/// Starts the review of a new application under the rules in force for `facts`, notifies
/// the first step and saves it: the part of submitting every subject (a contract's
/// application, a budget) shares.
pub(super) fn start_review(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    mut a: Application,
    facts: &Facts,
) -> Result<Outcome> {
    a.review = domain::approval::Review::start(&rules_in_force(txn)?, facts)?;
    a.review
        .history
        .push(decision(header, Action::Submitted, &a.reason));
    notify_step(txn, header, &a)?;
    save_application(txn, &a)?;
    let step = a
        .review
        .current_step()
        .map(|s| s.label())
        .unwrap_or_default();
    let subject = if a.document == DocumentType::Budget {
        format!("for {}", a.contract_no)
    } else {
        format!("on {}", a.contract_no)
    };
    Ok(Outcome::created(
        a.id.clone(),
        format!(
            "{} application {} {subject} submitted under rule '{}'; first step: {step}",
            a.document.name(),
            a.id,
            a.review.rule_name
        ),
    ))
}

/// A review that has not started: what an application holds until `start_review`.
pub(super) fn unstarted_review() -> domain::approval::Review {
    domain::approval::Review {
        rule_version: 0,
        rule_name: String::new(),
        chain: Vec::new(),
        state: ReviewState::Withdrawn,
        history: Vec::new(),
    }
}

/// The application and the acting user, if the user may decide its current step.
pub(super) fn decidable(
    txn: &Txn<'_>,
    header: &EntryHeader,
    id: &str,
) -> Result<(Application, User)> {
    let a = application(txn, id)?;
    let user = super::resolve_user(txn, &header.actor)?;
    if let Some(why) = a.review.decision_blocker(&user, &a.applicant, &a.branch) {
        return Err(Refusal::Forbidden {
            user: user.name.clone(),
            permission: "approval.decide".into(),
            holders: Holders::Approver {
                id: id.to_string(),
                why,
            },
        }
        .into());
    }
    Ok((a, user))
}

pub(super) fn own_application(
    txn: &Txn<'_>,
    header: &EntryHeader,
    id: &str,
) -> Result<Application> {
    let a = application(txn, id)?;
    if a.applicant != header.actor {
        return Err(Refusal::Forbidden {
            user: header.actor.clone(),
            permission: "approval.applicant".into(),
            holders: Holders::Applicant {
                user: a.applicant.clone(),
            },
        }
        .into());
    }
    Ok(a)
}

/// Saves an application and keeps the index of applications in flight in step: one per
/// contract and document type while it is in review, approved or scheduled.
pub(super) fn save_application(txn: &mut Txn<'_>, a: &Application) -> Result<()> {
    use domain::workflow::Stage;
    let in_flight = matches!(
        a.stage(),
        Stage::InReview | Stage::Approved | Stage::Scheduled
    );
    let current = txn.open_application(&a.contract_no, a.document.name())?;
    if in_flight {
        txn.set_open_application(&a.contract_no, a.document.name(), Some(&a.id));
    } else if current.as_deref() == Some(a.id.as_str()) {
        txn.set_open_application(&a.contract_no, a.document.name(), None);
    }
    let before: Option<Application> = txn.record(RecordKind::Application, &a.id)?;
    let old_keys = before.map(|b| b.index_keys()).unwrap_or_default();
    let new_keys = a.index_keys();
    for key in old_keys.iter().filter(|k| !new_keys.contains(k)) {
        txn.set_application_index(key, false);
    }
    for key in &new_keys {
        txn.set_application_index(key, true);
    }
    txn.put_record(RecordKind::Application, &a.id, a);
    Ok(())
}

/// An approved waiver reduces the penalty outstanding, if it still fits under it.
pub(super) fn grant_waiver(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    a: &mut Application,
) -> Result<()> {
    let mut c = open_contract(txn, &a.contract_no)?;
    let settings = txn.settings()?;
    let figures = evaluate(&c, &settings, header.business_date);
    let amount = a.amount.unwrap_or(Money::ZERO);
    if amount > figures.penalty_outstanding {
        return Err(Refusal::WaiverOverPenaltyToday {
            id: a.id.clone(),
            amount,
            penalty: figures.penalty_outstanding,
        }
        .into());
    }
    c.waivers.push(WaiverGrant {
        id: a.id.clone(),
        approved_on: header.business_date,
        amount,
    });
    save_contract(txn, &c)?;
    a.followup = Followup::Granted;
    Ok(())
}

/// Tells the users who may decide the current step.
pub(super) fn notify_step(txn: &mut Txn<'_>, header: &EntryHeader, a: &Application) -> Result<()> {
    let Some(step) = a.review.current_step().cloned() else {
        return Ok(());
    };
    let users: Vec<String> = txn
        .store()
        .users()
        .filter_map(|u| u.ok())
        .filter(|u| step.admits(u, &a.branch) && u.name != a.applicant)
        .map(|u| u.name)
        .collect();
    let users = match step {
        Approver::User(name) if users.is_empty() => vec![name],
        _ => users,
    };
    notify(txn, header, a, &users, NotificationKind::AwaitingDecision)
}

/// Puts a notification in each user's inbox (each user once; never the actor).
pub(super) fn notify(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    a: &Application,
    users: &[String],
    kind: NotificationKind,
) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for user in users {
        if user.is_empty() || *user == header.actor || !seen.insert(user.clone()) {
            continue;
        }
        let about = (a.id.as_str(), a.document, a.contract_no.as_str());
        put_notification(txn, header, user, about, kind.clone())?;
    }
    Ok(())
}

/// Puts one notification in `user`'s inbox, about (application, document, subject): the
/// subject is a contract's number, or a budget's `month/branch`.
pub(super) fn put_notification(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    user: &str,
    (application, document, subject): (&str, DocumentType, &str),
    kind: NotificationKind,
) -> Result<()> {
    let number = txn.next_counter("notification")?;
    let id = format!("{user}/{number:08}");
    let n = Notification {
        id: id.clone(),
        user: user.to_string(),
        application: application.to_string(),
        document,
        contract_no: subject.to_string(),
        on: header.business_date,
        at: header.at,
        kind,
        read: false,
        delivery: Delivery::Pending,
    };
    txn.put_record(RecordKind::Notification, &id, &n);
    Ok(())
}

/// Called when an application's review ends or restarts: keeps its order or contract in step.
pub(super) fn on_review_change(
    txn: &mut Txn<'_>,
    a: &crate::domain::workflow::Application,
) -> Result<()> {
    use crate::domain::approval::ReviewState;
    match a.document {
        DocumentType::Outbound => {
            let Some(id) = &a.order else { return Ok(()) };
            let mut o = order(txn, id)?;
            if matches!(
                o.state,
                OrderState::Cancelled { .. } | OrderState::Shipped { .. }
            ) {
                return Ok(());
            }
            o.state = match a.review.state {
                ReviewState::Approved => OrderState::Approved,
                ReviewState::InReview { .. } => OrderState::Submitted {
                    application: a.id.clone(),
                },
                ReviewState::Rejected | ReviewState::Withdrawn => OrderState::Draft,
            };
            txn.put_record(RecordKind::Order, id, &o);
        }
        DocumentType::Contract if a.review.state == ReviewState::Approved => {
            let mut c = contract(txn, &a.contract_no)?;
            if c.state == ContractState::Draft {
                c.state = ContractState::Active;
                c.machine = MachineState::Normal;
                save_contract(txn, &c)?;
            }
        }
        DocumentType::Budget => super::budget_book::on_review_change(txn, a)?,
        _ => {}
    }
    Ok(())
}

/// `Mutation::NoteConflict`: a notification in `user`'s inbox (a user this site does not
/// know is passed over: nothing to tell).
pub(super) fn note_conflict(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    user: &str,
    entry: &str,
    kind: &str,
    contract: &str,
    refusal: &crate::domain::Refusal,
) -> Result<Outcome> {
    if txn.user(user)?.is_none() {
        return Ok(Outcome::nothing(format!("no user {user} here to tell")));
    }
    let number = txn.next_counter("notification")?;
    let id = format!("{user}/{number:08}");
    let n = Notification {
        id: id.clone(),
        user: user.to_string(),
        application: entry.to_string(),
        document: DocumentType::Contract,
        contract_no: contract.to_string(),
        on: header.business_date,
        at: header.at,
        kind: NotificationKind::SyncConflict {
            kind: kind.to_string(),
            refusal: refusal.clone(),
        },
        read: false,
        delivery: Delivery::Pending,
    };
    txn.put_record(RecordKind::Notification, &id, &n);
    Ok(Outcome::done(format!("{user} told of conflict {entry}")))
}
