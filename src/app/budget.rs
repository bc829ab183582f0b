//! Handlers of the fund budget's mutations (DOMAIN §8): drafting a branch's month, sending it
//! to approval, manual spending lines, closing a month, the scoring rules. The bookings of
//! payments and tows happen in their own handlers through `budget_book`.

use super::applications::{start_review, unstarted_review};
use super::book::{fresh_id, required};
use super::budget_book::*;
use super::error::Result;
use super::outcome::Outcome;
use crate::domain::Money;
use crate::domain::approval::DocumentType;
use crate::domain::budget::{
    self, Category, Closing, Line, LinesProblem, ManualLine, Month, ScoringRules, Target,
    VersionState,
};
use crate::domain::refusal::Refusal;
use crate::domain::workflow::{Application, Followup};
use crate::store::{EntryHeader, Reader, RecordKind, Txn};
use rust_decimal::Decimal;

/// `Mutation::DraftBudget`.
pub(super) fn draft(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    month: &Month,
    branch: &str,
    lines: &[Line],
) -> Result<Outcome> {
    required("branch", branch)?;
    open_month(txn, *month)?;
    match budget::lines_problem(lines) {
        Some(LinesProblem::Duplicate(line)) => {
            return Err(Refusal::BudgetLineDuplicate { line }.into());
        }
        Some(LinesProblem::CollectorOnSpending(collector)) => {
            return Err(Refusal::BudgetCollectorOnSpending { collector }.into());
        }
        Some(LinesProblem::Negative(line)) => {
            return Err(Refusal::AmountNegative {
                field: line,
                amount: lines.iter().map(|l| l.amount).min().unwrap_or(Money::ZERO),
            }
            .into());
        }
        None => {}
    }
    let mut plan = plan(txn, *month, branch)?;
    not_in_review(&plan)?;
    let mut lines = lines.to_vec();
    lines.sort_by(|a, b| (a.kind, &a.collector).cmp(&(b.kind, &b.collector)));
    let number = plan.redraft(lines, &header.actor, header.business_date);
    let total = plan.draft().map(|v| v.total()).unwrap_or_default();
    save_plan(txn, &plan);
    Ok(Outcome::done(format!(
        "budget {month} of {branch}: version {number} drafted, total {total}"
    )))
}

/// `Mutation::SubmitBudget`.
pub(super) fn submit(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    month: &Month,
    branch: &str,
) -> Result<Outcome> {
    fresh_id(
        "application",
        id,
        txn.record::<Application>(RecordKind::Application, id)?
            .is_some(),
    )?;
    let mut plan = draft_to_submit(txn, *month, branch)?;
    let version = plan.versions.last_mut().expect("a draft to submit");
    let total = version.total();
    let number = version.number;
    version.state = VersionState::InReview {
        application: id.to_string(),
    };
    let changes = plan.in_force().map(|v| v.number);
    save_plan(txn, &plan);
    let reason = match changes {
        Some(old) => format!("budget {month} of {branch}: version {number} changes version {old}"),
        None => format!("budget {month} of {branch}: version {number}"),
    };
    let a = Application {
        id: id.to_string(),
        document: DocumentType::Budget,
        contract_no: key(*month, branch),
        customer: String::new(),
        branch: branch.to_string(),
        applicant: header.actor.clone(),
        submitted_on: header.business_date,
        reason,
        location: String::new(),
        amount: Some(total),
        order: None,
        snapshot: budget_snapshot(header.business_date, total),
        review: unstarted_review(),
        followup: Followup::None,
        failed_commands: Vec::new(),
    };
    start_review(txn, header, a, &budget_facts(branch, total))
}

/// `Mutation::BookSpending`: a manual spending line, in an open month.
#[allow(clippy::too_many_arguments)]
pub(super) fn book_spending(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    id: &str,
    month: &Month,
    branch: &str,
    category: &Category,
    amount: &Money,
    reason: &str,
) -> Result<Outcome> {
    required("branch", branch)?;
    required("reason", reason)?;
    if !amount.is_positive() {
        return Err(Refusal::PaymentNotPositive { amount: *amount }.into());
    }
    open_month(txn, *month)?;
    fresh_id(
        "spending",
        id,
        txn.record::<budget::Booking>(RecordKind::BudgetBooking, id)?
            .is_some(),
    )?;
    // The line is dated in its month (the first day, or today when that is in it).
    let on = if Month::of(header.business_date) == *month {
        header.business_date
    } else {
        month.first_day()
    };
    book(
        txn,
        header,
        id,
        branch,
        Target::Spending(*category),
        on,
        *amount,
    )?;
    let mut actuals = actuals(txn, *month, branch)?;
    actuals.manual.push(ManualLine {
        id: id.to_string(),
        category: *category,
        amount: *amount,
        reason: reason.to_string(),
        by: header.actor.clone(),
        on: header.business_date,
    });
    save_actuals(txn, *month, branch, &actuals);
    Ok(Outcome::created(
        id.to_string(),
        format!(
            "{id}: {} spending {amount} booked to {month} of {branch}",
            category.name()
        ),
    ))
}

/// `Mutation::CloseBudgetMonth`: once the month is over; freezes its league table.
pub(super) fn close_month(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    month: &Month,
) -> Result<Outcome> {
    open_month(txn, *month)?;
    if Month::of(header.business_date) <= *month {
        return Err(Refusal::BudgetMonthNotOver {
            month: month.to_string(),
        }
        .into());
    }
    let rules = scoring_rules(txn)?;
    let league = league(txn, txn.store(), *month, &rules)?;
    txn.put_record(
        RecordKind::BudgetClosing,
        &month.to_string(),
        &Closing {
            month: *month,
            by: header.actor.clone(),
            on: header.business_date,
            rules_version: rules.version,
        },
    );
    txn.put_record(
        RecordKind::BudgetSetting,
        &format!("league/{month}"),
        &league,
    );
    Ok(Outcome::done(format!(
        "budget month {month} closed; {} rows in its league table; later bookings for it count in the month they are made",
        league.len()
    )))
}

/// `Mutation::SetScoringRules`: checked, then kept as the next version.
pub(super) fn set_scoring_rules(txn: &mut Txn<'_>, rules: &ScoringRules) -> Result<Outcome> {
    let invalid = |field: &str| -> Result<Outcome> {
        Err(Refusal::BudgetScoringInvalid {
            field: field.to_string(),
        }
        .into())
    };
    if rules.points_per_percent < Decimal::ZERO {
        return invalid("points_per_percent");
    }
    if rules.cap_percent == 0 {
        return invalid("cap_percent");
    }
    if rules.overspend_penalty < Decimal::ZERO {
        return invalid("overspend_penalty");
    }
    if rules.unplanned_penalty < Decimal::ZERO {
        return invalid("unplanned_penalty");
    }
    if rules.pace_tolerance_percent > 100 {
        return invalid("pace_tolerance_percent");
    }
    let version = scoring_rules(txn)?.version + 1;
    let kept = ScoringRules {
        version,
        ..rules.clone()
    };
    txn.put_record(RecordKind::BudgetSetting, "scoring", &kept);
    Ok(Outcome::done(format!(
        "scoring rules version {version} set"
    )))
}
