//! Handlers of the workflow's mutations: lock, unlock, tow and waiver applications, chain
//! decisions, resubmission, tow registration and outcome, lock execution (DOMAIN §4–6).

use super::applications::*;
use super::book::*;
use super::error::Result;
use super::outcome::Outcome;
use crate::domain::approval::{Action, DocumentType, ReviewState};
use crate::domain::workflow::{Followup, NotificationKind, TowPlan};
use crate::domain::{self, ContractState, MachineState, Money, Refusal, evaluate};
use crate::store::{EntryHeader, Reader, Txn};
use chrono::NaiveDate;

/// `Mutation::ApplyWaiver`.
pub(super) fn apply_waiver(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    contract: &str,
    amount: &Money,
    reason: &str,
) -> Result<Outcome> {
    let today = header.business_date;
    required("reason", reason)?;
    let c = open_contract(txn, contract)?;
    let settings = txn.settings()?;
    let figures = evaluate(&c, &settings, today);
    if let Some(why) = domain::waiver_blocker(contract, &figures, *amount) {
        return Err(why.into());
    }
    let submission = Submission {
        id,
        document: DocumentType::Waiver,
        reason,
        location: "",
        amount: Some(*amount),
        order: None,
    };
    submit_for(txn, header, &c, submission)
}

/// `Mutation::Apply`.
pub(super) fn apply(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    document: &DocumentType,
    contract: &str,
    reason: &str,
    location: &str,
) -> Result<Outcome> {
    required("reason", reason)?;
    let c = open_contract(txn, contract)?;
    let machine_ok = match document {
        DocumentType::Lock => c.machine == MachineState::Normal,
        DocumentType::Unlock => c.machine == MachineState::Locked,
        DocumentType::Tow => c.machine != MachineState::Towed,
        _ => {
            return Err(Refusal::NotMachineDocument {
                document: document.name().to_string(),
            }
            .into());
        }
    };
    if !machine_ok {
        return Err(Refusal::MachineStateForbids {
            contract: contract.to_string(),
            machine: c.machine.name().to_string(),
            document: document.name().to_string(),
        }
        .into());
    }
    let submission = Submission {
        id,
        document: *document,
        reason,
        location,
        amount: None,
        order: None,
    };
    submit_for(txn, header, &c, submission)
}

/// `Mutation::Approve`.
pub(super) fn approve(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    comment: &str,
) -> Result<Outcome> {
    let (mut a, user) = decidable(txn, header, id)?;
    a.review
        .approve(decision(header, Action::Approved, comment));
    match a.review.state {
        ReviewState::InReview { .. } => {
            notify_step(txn, header, &a)?;
            save_application(txn, &a)?;
            let step = a
                .review
                .current_step()
                .map(|s| s.label())
                .unwrap_or_default();
            Ok(Outcome::done(format!(
                "{id} approved by {}; next step: {step}",
                user.name
            )))
        }
        _ => {
            if a.document == DocumentType::Waiver {
                grant_waiver(txn, header, &mut a)?;
            }
            on_review_change(txn, &a)?;
            notify(
                txn,
                header,
                &a,
                &[a.applicant.clone()],
                NotificationKind::Approved,
            )?;
            save_application(txn, &a)?;
            Ok(Outcome::done(format!("{id} approved")))
        }
    }
}

/// `Mutation::Reject`.
pub(super) fn reject(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    comment: &str,
) -> Result<Outcome> {
    required("comment", comment)?;
    let (mut a, _) = decidable(txn, header, id)?;
    a.review.reject(decision(header, Action::Rejected, comment));
    on_review_change(txn, &a)?;
    let kind = NotificationKind::Rejected {
        comment: comment.to_string(),
    };
    notify(txn, header, &a, &[a.applicant.clone()], kind)?;
    save_application(txn, &a)?;
    Ok(Outcome::done(format!(
        "{id} rejected and returned to {}",
        a.applicant
    )))
}

/// `Mutation::Resubmit`.
pub(super) fn resubmit(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    reason: &Option<String>,
    location: &Option<String>,
    amount: &Option<Money>,
) -> Result<Outcome> {
    let today = header.business_date;
    let mut a = own_application(txn, header, id)?;
    if let Some(why) = a.resubmit_blocker() {
        return Err(why.into());
    }
    if let Some(other) = txn.open_application(&a.contract_no, a.document.name())? {
        let stage = application(txn, &other)?.stage().name().to_string();
        return Err(Refusal::InFlight {
            contract: a.contract_no.clone(),
            document: a.document.name().to_string(),
            id: other,
            stage,
        }
        .into());
    }
    if a.document == DocumentType::Budget {
        return super::budget_book::resubmit(txn, header, a, reason);
    }
    // A draft contract's own approval is resubmitted while it is still a draft.
    let c = if a.document == DocumentType::Contract {
        contract(txn, &a.contract_no)?
    } else {
        open_contract(txn, &a.contract_no)?
    };
    if let Some(reason) = reason {
        required("reason", reason)?;
        a.reason = reason.to_string();
    }
    if let Some(location) = location {
        a.location = location.to_string();
    }
    if let Some(amount) = amount {
        a.amount = Some(*amount);
    }
    let settings = txn.settings()?;
    let figures = evaluate(&c, &settings, today);
    if a.document == DocumentType::Waiver {
        let asked = a.amount.unwrap_or(Money::ZERO);
        if let Some(why) = domain::waiver_blocker(&c.no, &figures, asked) {
            return Err(why.into());
        }
    }
    let history = std::mem::take(&mut a.review.history);
    a.snapshot = snapshot(&figures);
    a.submitted_on = today;
    a.review = domain::approval::Review::start(&rules_in_force(txn)?, &facts(&a, &figures))?;
    a.review.history = history;
    a.review
        .history
        .push(decision(header, Action::Resubmitted, &a.reason));
    notify_step(txn, header, &a)?;
    save_application(txn, &a)?;
    Ok(Outcome::done(format!(
        "{id} resubmitted; the chain starts again"
    )))
}

/// `Mutation::Withdraw`.
pub(super) fn withdraw(txn: &mut Txn<'_>, header: &EntryHeader, id: &str) -> Result<Outcome> {
    let mut a = own_application(txn, header, id)?;
    if let Some(why) = a.withdraw_blocker() {
        return Err(why.into());
    }
    a.review.state = ReviewState::Withdrawn;
    a.review
        .history
        .push(decision(header, Action::Withdrawn, ""));
    if a.document == DocumentType::Budget {
        on_review_change(txn, &a)?;
    }
    save_application(txn, &a)?;
    Ok(Outcome::done(format!("{id} withdrawn")))
}

/// `Mutation::RegisterTow`.
pub(super) fn register_tow(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    crew: &[String],
    planned_on: &NaiveDate,
    location: &str,
    note: &str,
) -> Result<Outcome> {
    let mut a = application(txn, id)?;
    if let Some(why) = a.registration_blocker() {
        return Err(why.into());
    }
    let crew: Vec<String> = crew
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if crew.is_empty() {
        return Err(Refusal::CrewRequired.into());
    }
    required("location", location)?;
    let plan = TowPlan {
        crew: crew.clone(),
        planned_on: *planned_on,
        location: location.to_string(),
        note: note.to_string(),
        registered_by: header.actor.clone(),
    };
    a.followup = Followup::TowRegistered(plan);
    let mut told = crew;
    told.push(collector_of(txn, &a.contract_no)?);
    told.push(a.applicant.clone());
    let kind = NotificationKind::TowRegistered {
        planned_on: *planned_on,
        location: location.to_string(),
    };
    notify(txn, header, &a, &told, kind)?;
    save_application(txn, &a)?;
    Ok(Outcome::done(format!(
        "tow {id} registered for {planned_on}"
    )))
}

/// `Mutation::CompleteTow`.
pub(super) fn complete_tow(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    towed_on: &NaiveDate,
    yard: &str,
    condition: &str,
    cost: &Money,
) -> Result<Outcome> {
    let mut a = application(txn, id)?;
    if let Some(why) = a.outcome_blocker() {
        return Err(why.into());
    }
    required("yard", yard)?;
    let Some(plan) = a.tow_plan().cloned() else {
        unreachable!("scheduled tows have a plan")
    };
    let mut c = contract(txn, &a.contract_no)?;
    c.machine = MachineState::Towed;
    if c.is_open() {
        c.state = ContractState::Repossessed { on: *towed_on };
    }
    if let Some(mut ticket) = txn.ticket(&c.no)? {
        ticket.closed_on.get_or_insert(*towed_on);
        txn.put_ticket(&ticket);
    }
    save_contract(txn, &c)?;
    a.followup = Followup::TowCompleted {
        plan,
        towed_on: *towed_on,
        yard: yard.to_string(),
        condition: condition.to_string(),
        cost: *cost,
        by: header.actor.clone(),
    };
    let told = [a.applicant.clone(), collector_of(txn, &a.contract_no)?];
    notify(
        txn,
        header,
        &a,
        &told,
        NotificationKind::TowCompleted {
            yard: yard.to_string(),
        },
    )?;
    save_application(txn, &a)?;
    let late = if cost.is_positive() {
        let booking = super::budget_book::book(
            txn,
            header,
            id,
            &a.branch,
            crate::domain::budget::Target::Spending(crate::domain::budget::Category::Tow),
            *towed_on,
            *cost,
        )?;
        super::budget_book::late_note(&booking)
    } else {
        String::new()
    };
    Ok(Outcome::done(format!(
        "tow {id} done: contract {} repossessed, machine in {yard}{late}",
        c.no
    )))
}

/// `Mutation::FailTow`.
pub(super) fn fail_tow(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    reason: &str,
) -> Result<Outcome> {
    required("reason", reason)?;
    let mut a = application(txn, id)?;
    if let Some(why) = a.outcome_blocker() {
        return Err(why.into());
    }
    let Some(plan) = a.tow_plan().cloned() else {
        unreachable!("scheduled tows have a plan")
    };
    a.followup = Followup::TowFailed {
        plan,
        reason: reason.to_string(),
        by: header.actor.clone(),
    };
    let told = [a.applicant.clone(), collector_of(txn, &a.contract_no)?];
    notify(
        txn,
        header,
        &a,
        &told,
        NotificationKind::TowFailed {
            reason: reason.to_string(),
        },
    )?;
    save_application(txn, &a)?;
    Ok(Outcome::done(format!("tow {id} recorded as failed")))
}

/// `Mutation::Execute`.
pub(super) fn execute(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    command_status: &Option<i32>,
) -> Result<Outcome> {
    let today = header.business_date;
    let mut a = application(txn, id)?;
    if let Some(why) = a.execution_blocker() {
        return Err(why.into());
    }
    let mut c = open_contract(txn, &a.contract_no)?;
    if let Some(status) = command_status.filter(|s| *s != 0) {
        // The GPS terminal did not take the order: nothing changed on the machine.
        a.failed_commands.push(domain::workflow::CommandAttempt {
            on: today,
            by: header.actor.clone(),
            status,
        });
        save_application(txn, &a)?;
        return Ok(Outcome::done(format!(
            "{} {id}: the lock command failed with status {status}; the order stays approved — check the GPS terminal and run it again",
            a.document.name()
        )));
    }
    c.machine = if a.document == DocumentType::Lock {
        MachineState::Locked
    } else {
        MachineState::Normal
    };
    save_contract(txn, &c)?;
    a.followup = Followup::Executed {
        by: header.actor.clone(),
        on: today,
        command_status: *command_status,
    };
    let told = [a.applicant.clone(), collector_of(txn, &a.contract_no)?];
    notify(txn, header, &a, &told, NotificationKind::Executed)?;
    save_application(txn, &a)?;
    let status = if command_status.is_some() {
        "; the lock command succeeded"
    } else {
        ""
    };
    Ok(Outcome::done(format!(
        "{} {id} executed: machine {}{status}",
        a.document.name(),
        c.machine.name()
    )))
}
