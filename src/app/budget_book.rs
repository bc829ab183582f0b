//! Helpers beneath the handlers for the fund budget (DOMAIN §8): plans and closed months as
//! the store keeps them, the bookings of actuals (payments confirmed or voided, tows
//! completed, manual lines) into the per-(month, branch) aggregates in the same write, the
//! warnings to finance and the branch's approvers, and keeping a plan's version in step with
//! its approval. Must not touch: permissions (checked before), the clock.

use super::error::Result;
use crate::domain::approval::DocumentType;
use crate::domain::budget::{
    self, Actuals, Booking, Category, Closing, Month, Plan, ScoringRules, Target, VersionState,
};
use crate::domain::refusal::Refusal;
use crate::domain::workflow::{Application, NotificationKind, budget_subject};
use crate::domain::{Money, Role, User};
use crate::store::{EntryHeader, Reader, RecordKind, Txn};
use chrono::NaiveDate;

/// The store's key of a branch's month: `2026-03/合肥`.
pub(crate) fn key(month: Month, branch: &str) -> String {
    budget_subject(month, branch)
}

pub(crate) fn plan<R: Reader + ?Sized>(reader: &R, month: Month, branch: &str) -> Result<Plan> {
    Ok(reader
        .record(RecordKind::Budget, &key(month, branch))?
        .unwrap_or_else(|| Plan::new(month, branch)))
}

pub(super) fn save_plan(txn: &mut Txn<'_>, plan: &Plan) {
    txn.put_record(RecordKind::Budget, &key(plan.month, &plan.branch), plan);
}

pub(crate) fn actuals<R: Reader + ?Sized>(
    reader: &R,
    month: Month,
    branch: &str,
) -> Result<Actuals> {
    Ok(reader
        .record(RecordKind::BudgetActual, &key(month, branch))?
        .unwrap_or_default())
}

pub(super) fn save_actuals(txn: &mut Txn<'_>, month: Month, branch: &str, actuals: &Actuals) {
    txn.put_record(RecordKind::BudgetActual, &key(month, branch), actuals);
}

pub(crate) fn closing<R: Reader + ?Sized>(reader: &R, month: Month) -> Result<Option<Closing>> {
    Ok(reader.record(RecordKind::BudgetClosing, &month.to_string())?)
}

/// Whether a month is closed: read on every booking, so its record is small (the league
/// table it froze is kept apart, `league`).
pub(crate) fn is_closed<R: Reader + ?Sized>(reader: &R, month: Month) -> Result<bool> {
    Ok(closing(reader, month)?.is_some())
}

/// The league table a month was closed with.
pub(crate) fn closed_league<R: Reader + ?Sized>(
    reader: &R,
    month: Month,
) -> Result<Option<Vec<budget::Score>>> {
    Ok(reader.record(RecordKind::BudgetSetting, &format!("league/{month}"))?)
}

/// Refuses a change to a closed month.
pub(super) fn open_month<R: Reader + ?Sized>(reader: &R, month: Month) -> Result<()> {
    if is_closed(reader, month)? {
        return Err(Refusal::BudgetMonthClosed {
            month: month.to_string(),
        }
        .into());
    }
    Ok(())
}

pub(crate) fn scoring_rules<R: Reader + ?Sized>(reader: &R) -> Result<ScoringRules> {
    Ok(reader
        .record(RecordKind::BudgetSetting, "scoring")?
        .unwrap_or_default())
}

/// Books an amount dated `on` (a tow's day, a manual line's) to a branch's month, kept under
/// `source` in `bb/` so that taking it off again knows where it went (see `booking`).
pub(super) fn book(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    source: &str,
    branch: &str,
    target: Target,
    on: NaiveDate,
    amount: Money,
) -> Result<Booking> {
    let booking = booking(txn, header, source, branch, target, on, amount)?;
    txn.put_record(RecordKind::BudgetBooking, source, &booking);
    Ok(booking)
}

/// Books an amount dated `on` to a branch's month: its own month, or today's when that one is
/// closed (then marked late). The caller keeps the booking with its source.
fn booking(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    source: &str,
    branch: &str,
    target: Target,
    on: NaiveDate,
    amount: Money,
) -> Result<Booking> {
    let own = Month::of(on);
    let late_from = is_closed(txn, own)?.then_some(own);
    let month = match late_from {
        Some(_) => Month::of(header.business_date),
        None => own,
    };
    let booking = Booking {
        source: source.to_string(),
        month,
        branch: branch.to_string(),
        target,
        amount,
        late_from,
    };
    add(txn, header, &booking)?;
    Ok(booking)
}

/// Takes a booking off again: in the month it was booked in, or today's when that month is
/// closed (marked late).
fn take_off(txn: &mut Txn<'_>, header: &EntryHeader, booked: Booking) -> Result<()> {
    let (month, late_from) = if is_closed(txn, booked.month)? {
        (Month::of(header.business_date), Some(booked.month))
    } else {
        (booked.month, None)
    };
    let reversal = Booking {
        month,
        late_from,
        amount: -booked.amount,
        ..booked
    };
    add(txn, header, &reversal)
}

/// Takes off what a voided payment of `contract` booked, if it booked anything: kept with the
/// payment in `pa/`, or, booked by a database of before, under its id in `bb/`.
pub(super) fn unbook_payment(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    payment: &str,
    contract: &str,
) -> Result<()> {
    if let Some(booked) = txn.payment_booking::<Booking>(payment)? {
        take_off(txn, header, booked)?;
        txn.set_payment_booking::<Booking>(payment, contract, None);
    } else if let Some(booked) = txn.record::<Booking>(RecordKind::BudgetBooking, payment)? {
        take_off(txn, header, booked)?;
        txn.delete_record(RecordKind::BudgetBooking, payment);
    }
    Ok(())
}

/// Adds a booking to its (month, branch) aggregate, kept decoded for the rest of the write
/// (an import part books thousands of payments into a handful of aggregates).
fn add(txn: &mut Txn<'_>, header: &EntryHeader, booking: &Booking) -> Result<()> {
    let key = key(booking.month, &booking.branch);
    let actuals = txn.record_mut::<Actuals>(RecordKind::BudgetActual, &key)?;
    actuals.book(booking);
    if let Target::Spending(category) = booking.target {
        // The warning reads the plan and the users: the aggregate is lent out meanwhile.
        let mut lent = std::mem::take(actuals);
        let warned = warn_overspend(txn, header, booking, category, &mut lent);
        *txn.record_mut::<Actuals>(RecordKind::BudgetActual, &key)? = lent;
        warned?;
    }
    Ok(())
}

/// Tells finance and the branch's approvers, once a month per category, when spending passes
/// the plan in force (spending in a category without a line passes a plan of 0).
fn warn_overspend(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    booking: &Booking,
    category: Category,
    actuals: &mut Actuals,
) -> Result<()> {
    let spent = actuals.spent(category);
    if actuals.warned_over.contains(&category) || !spent.is_positive() {
        return Ok(());
    }
    let plan = plan(txn, booking.month, &booking.branch)?;
    let Some(version) = plan.in_force() else {
        return Ok(());
    };
    let planned: Money = version
        .lines
        .iter()
        .filter(|l| l.kind == budget::LineKind::Spending(category))
        .map(|l| l.amount)
        .sum();
    if spent <= planned {
        return Ok(());
    }
    actuals.warned_over.push(category);
    let kind = NotificationKind::BudgetOverspent {
        category: category.name().to_string(),
        plan: planned,
        actual: spent,
    };
    warn(txn, header, booking.month, &booking.branch, kind)
}

/// Tells finance and the branch's approvers when the branch's collections fall behind the
/// pace its plan needs, once a month: checked as the daily accrual finishes.
pub(super) fn warn_behind_pace(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    today: NaiveDate,
) -> Result<()> {
    let month = Month::of(today);
    let rules = scoring_rules(txn)?;
    let plans: Vec<Plan> = txn
        .store()
        .records_with_prefix::<Plan>(RecordKind::Budget, &format!("{month}/"))
        .collect::<std::result::Result<_, _>>()?;
    for plan in plans {
        let Some(version) = plan.in_force() else {
            continue;
        };
        let planned: Money = version
            .lines
            .iter()
            .filter(|l| l.kind == budget::LineKind::Collection)
            .map(|l| l.amount)
            .sum();
        let mut actuals = actuals(txn, month, &plan.branch)?;
        let Some(pace) = budget::pace(actuals.collected(), month, today) else {
            continue;
        };
        if actuals.warned_pace
            || !planned.is_positive()
            || !budget::behind(pace, planned, rules.pace_tolerance_percent)
        {
            continue;
        }
        actuals.warned_pace = true;
        save_actuals(txn, month, &plan.branch, &actuals);
        let kind = NotificationKind::BudgetBehindPace {
            plan: planned,
            pace,
        };
        warn(txn, header, month, &plan.branch, kind)?;
    }
    Ok(())
}

/// Whether `user` is told about `branch`'s budget: finance (of that branch, or of head
/// office) and the branch's approvers.
fn told(user: &User, branch: &str) -> bool {
    if user.disabled {
        return false;
    }
    let own = user.branch.as_deref() == Some(branch);
    (user.has(Role::Finance) && (user.branch.is_none() || own)) || (user.has(Role::Approver) && own)
}

fn warn(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    month: Month,
    branch: &str,
    kind: NotificationKind,
) -> Result<()> {
    let users: Vec<String> = txn
        .store()
        .users()
        .filter_map(|u| u.ok())
        .filter(|u| told(u, branch))
        .map(|u| u.name)
        .collect();
    let subject = key(month, branch);
    for user in users {
        let about = ("", DocumentType::Budget, subject.as_str());
        super::applications::put_notification(txn, header, &user, about, kind.clone())?;
    }
    Ok(())
}

/// Keeps the plan's version in step with its application's review: in review, approved
/// (from the day of the last decision), rejected or withdrawn.
pub(super) fn on_review_change(txn: &mut Txn<'_>, a: &Application) -> Result<()> {
    use crate::domain::approval::ReviewState;
    let Some((month, branch)) = a.budget() else {
        return Ok(());
    };
    // A closed month's plan no longer changes: its application may be withdrawn, not
    // approved.
    if a.review.state == ReviewState::Approved {
        open_month(txn, month)?;
    }
    let mut plan = plan(txn, month, branch)?;
    let decided_on = a
        .review
        .history
        .last()
        .map(|d| d.on)
        .unwrap_or(a.submitted_on);
    let Some(version) = plan.version_of_application(&a.id) else {
        return Ok(());
    };
    let application = a.id.clone();
    version.state = match a.review.state {
        ReviewState::InReview { .. } => VersionState::InReview { application },
        ReviewState::Approved => VersionState::Approved {
            application,
            on: decided_on,
        },
        ReviewState::Rejected => VersionState::Rejected { application },
        ReviewState::Withdrawn => VersionState::Withdrawn { application },
    };
    save_plan(txn, &plan);
    Ok(())
}

/// What a budget application is submitted with: the draft's total, under the rules for
/// document type `budget` (`min_amount` compares the plan's total).
pub(super) fn budget_facts(branch: &str, total: Money) -> crate::domain::approval::Facts {
    crate::domain::approval::Facts {
        document: DocumentType::Budget,
        branch: branch.to_string(),
        days_overdue: 0,
        overdue_amount: Money::ZERO,
        amount: Some(total),
    }
}

/// A budget application has no overdue figures: its snapshot holds the plan's total.
pub(super) fn budget_snapshot(today: NaiveDate, total: Money) -> crate::domain::workflow::Snapshot {
    crate::domain::workflow::Snapshot {
        as_of: today,
        days_overdue: 0,
        bucket: crate::domain::Bucket::Current,
        overdue_amount: Money::ZERO,
        penalty_outstanding: Money::ZERO,
        total_outstanding: total,
    }
}

/// Refuses a change while the plan's last version is in review.
pub(super) fn not_in_review(plan: &Plan) -> Result<()> {
    if let Some(v) = plan.in_review()
        && let VersionState::InReview { application } = &v.state
    {
        return Err(Refusal::BudgetInReview {
            month: plan.month.to_string(),
            branch: plan.branch.clone(),
            application: application.clone(),
        }
        .into());
    }
    Ok(())
}

/// The month's draft of the branch, ready to go to approval: the month open, nothing in
/// review, some lines drafted.
pub(super) fn draft_to_submit(txn: &Txn<'_>, month: Month, branch: &str) -> Result<Plan> {
    open_month(txn, month)?;
    let plan = plan(txn, month, branch)?;
    not_in_review(&plan)?;
    if plan.draft().is_none_or(|v| v.lines.is_empty()) {
        return Err(Refusal::BudgetNoDraft {
            month: month.to_string(),
            branch: branch.to_string(),
        }
        .into());
    }
    Ok(plan)
}

/// `Mutation::Resubmit` of a rejected budget application: the branch's current draft goes
/// to approval again under this application, the chain starting again.
pub(super) fn resubmit(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    mut a: Application,
    reason: &Option<String>,
) -> Result<super::Outcome> {
    use crate::domain::approval::{Action, Review};
    let Some((month, branch)) = a.budget().map(|(m, b)| (m, b.to_string())) else {
        return Ok(super::Outcome::done(String::new()));
    };
    let mut plan = draft_to_submit(txn, month, &branch)?;
    if let Some(reason) = reason {
        super::book::required("reason", reason)?;
        a.reason = reason.clone();
    }
    let version = plan.versions.last_mut().expect("a draft to submit");
    let total = version.total();
    version.state = VersionState::InReview {
        application: a.id.clone(),
    };
    a.amount = Some(total);
    a.submitted_on = header.business_date;
    a.snapshot = budget_snapshot(header.business_date, total);
    let history = std::mem::take(&mut a.review.history);
    a.review = Review::start(
        &super::applications::rules_in_force(txn)?,
        &budget_facts(&branch, total),
    )?;
    a.review.history = history;
    a.review.history.push(super::applications::decision(
        header,
        Action::Resubmitted,
        &a.reason,
    ));
    super::applications::notify_step(txn, header, &a)?;
    super::applications::save_application(txn, &a)?;
    save_plan(txn, &plan);
    Ok(super::Outcome::done(format!(
        "{} resubmitted; the chain starts again",
        a.id
    )))
}

/// The branches with a plan or actuals in `month`, in order.
pub(crate) fn branches_of_month(store: &crate::store::Store, month: Month) -> Result<Vec<String>> {
    let prefix = format!("{month}/");
    let mut branches = std::collections::BTreeSet::new();
    for kind in [RecordKind::Budget, RecordKind::BudgetActual] {
        for id in store.record_ids_with_prefix(kind, &prefix)? {
            branches.insert(id[prefix.len()..].to_string());
        }
    }
    Ok(branches.into_iter().collect())
}

/// The league table of a month as it stands: every branch with a plan in force or actuals.
pub(crate) fn league<R: Reader + ?Sized>(
    reader: &R,
    store: &crate::store::Store,
    month: Month,
    rules: &ScoringRules,
) -> Result<Vec<budget::Score>> {
    let mut out = Vec::new();
    for branch in branches_of_month(store, month)? {
        let plan = plan(reader, month, &branch)?;
        let lines = plan.in_force().map(|v| v.lines.clone()).unwrap_or_default();
        let actuals = actuals(reader, month, &branch)?;
        out.extend(budget::scores(&branch, &lines, &actuals, rules));
    }
    budget::rank(&mut out);
    Ok(out)
}

/// Whether `user` may draft, submit and book for `branch`: admin, and finance of head office
/// (no branch of their own) or of that branch.
pub(crate) fn plans_for(user: &crate::domain::User, branch: &str) -> bool {
    user.has(Role::Admin)
        || (user.has(Role::Finance) && user.branch.as_deref().is_none_or(|own| own == branch))
}

/// Whose collections a contract's confirmed payments count toward: its customer's branch and
/// collector.
pub(super) struct Owner {
    contract: String,
    branch: String,
    collector: String,
}

impl Owner {
    /// The owner of `contract`'s payments, its customer already read.
    pub(super) fn of(
        contract: &crate::domain::Contract,
        customer: crate::domain::Customer,
    ) -> Owner {
        Owner {
            contract: contract.no.clone(),
            branch: customer.branch,
            collector: customer.collector,
        }
    }
}

/// The owner of `contract`'s payments (branch and collector empty when its customer is
/// unknown).
pub(super) fn owner(txn: &Txn<'_>, contract: &crate::domain::Contract) -> Result<Owner> {
    Ok(match txn.customer(&contract.customer_id)? {
        Some(customer) => Owner::of(contract, customer),
        None => Owner {
            contract: contract.no.clone(),
            branch: String::new(),
            collector: String::new(),
        },
    })
}

/// Off only while the budget benchmark confirms payments without booking them, to measure
/// what booking adds to a confirmation (`App::bench_book_confirmations`).
pub(super) static BOOKING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Books a confirmed payment to the collections of its contract's branch and collector, in
/// the month of receipt (or today's, when that month is closed), and keeps the booking with
/// the payment. Returns a sentence saying so when it landed late.
pub(super) fn book_payment(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    owner: &Owner,
    payment: &str,
    received_on: NaiveDate,
    amount: Money,
) -> Result<String> {
    if !BOOKING.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(String::new());
    }
    let booking = booking(
        txn,
        header,
        payment,
        &owner.branch,
        Target::Collection {
            collector: owner.collector.clone(),
        },
        received_on,
        amount,
    )?;
    txn.set_payment_booking(payment, &owner.contract, Some(&booking));
    Ok(late_note(&booking))
}

/// `; budget month 2026-02 is closed, so it counts in 2026-03`, or nothing.
pub(super) fn late_note(booking: &Booking) -> String {
    match booking.late_from {
        Some(from) => format!(
            "; budget month {from} is closed, so it counts in {}",
            booking.month
        ),
        None => String::new(),
    }
}

/// As the daily accrual finishes a run through `through`: the collections behind pace are
/// warned about (the accrual date is the day the pace is measured on).
pub(super) fn after_accrual(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    through: NaiveDate,
    outcome: &super::Outcome,
) -> Result<()> {
    if outcome.changed {
        warn_behind_pace(txn, header, through)?;
    }
    Ok(())
}
