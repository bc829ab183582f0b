//! Applications for lock (锁机), unlock (解锁), tow (拖机) and interest waiver (利息减免), and
//! what happens after approval (DOMAIN §4–5): the clerk registers a tow and records its
//! outcome; the clerk records a lock or unlock as executed.

use super::approval::{DocumentType, Review, ReviewState};
use super::ledger::Bucket;
use super::money::Money;
use super::refusal::Refusal;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The overdue figures when the application was submitted: what the approvers weigh.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(with = "crate::codec::date")]
    pub as_of: NaiveDate,
    pub days_overdue: i64,
    pub bucket: Bucket,
    pub overdue_amount: Money,
    pub penalty_outstanding: Money,
    pub total_outstanding: Money,
}

/// A registered tow (拖机登记).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TowPlan {
    pub crew: Vec<String>,
    #[serde(with = "crate::codec::date")]
    pub planned_on: NaiveDate,
    pub location: String,
    pub note: String,
    pub registered_by: String,
}

/// What became of an approved application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Followup {
    /// Nothing yet: approved and waiting for the clerk (or not approved yet).
    None,
    TowRegistered(TowPlan),
    TowCompleted {
        plan: TowPlan,
        #[serde(with = "crate::codec::date")]
        towed_on: NaiveDate,
        yard: String,
        condition: String,
        cost: Money,
        by: String,
    },
    TowFailed {
        plan: TowPlan,
        reason: String,
        by: String,
    },
    /// A lock or unlock order sent to the machine's GPS terminal.
    Executed {
        by: String,
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
        /// The exit status of the configured `lock_command`, when one ran.
        command_status: Option<i32>,
    },
    /// A waiver granted on the contract.
    Granted,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub document: DocumentType,
    pub contract_no: String,
    /// The customer's name when it was submitted (lists show it without a lookup).
    pub customer: String,
    pub branch: String,
    pub applicant: String,
    #[serde(with = "crate::codec::date")]
    pub submitted_on: NaiveDate,
    pub reason: String,
    /// Tow: where the machine is.
    pub location: String,
    /// Waiver: the amount asked for.
    pub amount: Option<Money>,
    /// Outbound: the order it asks finance to approve.
    pub order: Option<String>,
    pub snapshot: Snapshot,
    pub review: Review,
    pub followup: Followup,
    /// Lock and unlock orders: each run of the configured `lock_command` that failed.
    pub failed_commands: Vec<CommandAttempt>,
}

/// A run of the `lock_command` that did not succeed; the order stays approved for a retry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandAttempt {
    #[serde(with = "crate::codec::date")]
    pub on: NaiveDate,
    pub by: String,
    pub status: i32,
}

/// The stage of an application as the boards show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    InReview,
    Rejected,
    Withdrawn,
    /// Approved; waiting for registration (tow) or execution (lock, unlock).
    Approved,
    /// Tow registered and scheduled.
    Scheduled,
    /// Tow done, lock executed, waiver granted.
    Done,
    /// Tow failed or cancelled.
    Failed,
}

/// The remote-lock application a contract's machine takes: an unlock (解锁) when it is
/// locked, a lock (锁机) otherwise.
pub fn lock_document(machine: super::MachineState) -> DocumentType {
    match machine {
        super::MachineState::Locked => DocumentType::Unlock,
        _ => DocumentType::Lock,
    }
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::InReview => "in_review",
            Stage::Rejected => "rejected",
            Stage::Withdrawn => "withdrawn",
            Stage::Approved => "approved",
            Stage::Scheduled => "scheduled",
            Stage::Done => "done",
            Stage::Failed => "failed",
        }
    }
}

/// The subject of a budget application (kept where a contract's number is): `month/branch`.
pub fn budget_subject(month: super::budget::Month, branch: &str) -> String {
    format!("{month}/{branch}")
}

/// The month and branch of a budget subject, if `subject` is one.
pub fn parse_budget_subject(subject: &str) -> Option<(super::budget::Month, &str)> {
    let (month, branch) = subject.split_once('/')?;
    Some((super::budget::Month::parse(month)?, branch))
}

impl Application {
    /// The budget (month, branch) a budget application is about; `None` for the others,
    /// whose subject is a contract.
    pub fn budget(&self) -> Option<(super::budget::Month, &str)> {
        if self.document != DocumentType::Budget {
            return None;
        }
        parse_budget_subject(&self.contract_no)
    }

    /// The keys under which the store indexes this application: by document and stage, by
    /// contract, and while in review, by the chain step and branch waiting for a decision.
    pub fn index_keys(&self) -> Vec<String> {
        let mut keys = vec![
            format!(
                "stage/{}/{}/{}/{}",
                self.document.name(),
                self.stage().name(),
                self.branch,
                self.id
            ),
            format!("contract/{}/{}", self.contract_no, self.id),
        ];
        if let Some(step) = self.review.current_step() {
            keys.push(format!("step/{}/{}/{}", step.label(), self.branch, self.id));
        }
        keys
    }

    pub fn stage(&self) -> Stage {
        match (&self.review.state, &self.followup) {
            (ReviewState::InReview { .. }, _) => Stage::InReview,
            (ReviewState::Rejected, _) => Stage::Rejected,
            (ReviewState::Withdrawn, _) => Stage::Withdrawn,
            (ReviewState::Approved, Followup::None) => Stage::Approved,
            (ReviewState::Approved, Followup::TowRegistered(_)) => Stage::Scheduled,
            (ReviewState::Approved, Followup::TowFailed { .. }) => Stage::Failed,
            (ReviewState::Approved, _) => Stage::Done,
        }
    }

    /// Why its applicant cannot resubmit it now (only a rejected application comes back).
    pub fn resubmit_blocker(&self) -> Option<Refusal> {
        (self.review.state != ReviewState::Rejected).then(|| Refusal::NotRejected {
            id: self.id.clone(),
            state: self.review.state_name().to_string(),
        })
    }

    /// Why its applicant cannot withdraw it now (only while in review or rejected).
    pub fn withdraw_blocker(&self) -> Option<Refusal> {
        (!matches!(
            self.review.state,
            ReviewState::InReview { .. } | ReviewState::Rejected
        ))
        .then(|| Refusal::NotWithdrawable {
            id: self.id.clone(),
            state: self.review.state_name().to_string(),
        })
    }

    /// Why the clerk cannot register this tow now, if they cannot.
    pub fn registration_blocker(&self) -> Option<Refusal> {
        if self.document != DocumentType::Tow {
            return Some(self.not_a_tow());
        }
        let id = self.id.clone();
        match self.stage() {
            Stage::Approved => None,
            Stage::Scheduled => Some(Refusal::TowAlreadyRegistered { id }),
            stage => Some(Refusal::TowNotApproved {
                id,
                stage: stage.name().to_string(),
            }),
        }
    }

    fn not_a_tow(&self) -> Refusal {
        Refusal::NotATow {
            id: self.id.clone(),
            document: self.document.name().to_string(),
        }
    }

    /// Why the outcome of this tow cannot be recorded now, if it cannot.
    pub fn outcome_blocker(&self) -> Option<Refusal> {
        if self.document != DocumentType::Tow {
            return Some(self.not_a_tow());
        }
        let id = self.id.clone();
        match self.stage() {
            Stage::Scheduled => None,
            Stage::Approved => Some(Refusal::TowNotRegistered { id }),
            stage => Some(Refusal::TowClosed {
                id,
                stage: stage.name().to_string(),
            }),
        }
    }

    /// Why this lock or unlock cannot be recorded as executed now, if it cannot.
    pub fn execution_blocker(&self) -> Option<Refusal> {
        let id = self.id.clone();
        let document = self.document.name().to_string();
        if !matches!(self.document, DocumentType::Lock | DocumentType::Unlock) {
            return Some(Refusal::NotLockOrUnlock { id, document });
        }
        match self.stage() {
            Stage::Approved => None,
            Stage::Done => Some(Refusal::AlreadyExecuted { document, id }),
            stage => Some(Refusal::NotExecutable {
                document,
                id,
                stage: stage.name().to_string(),
            }),
        }
    }

    pub fn tow_plan(&self) -> Option<&TowPlan> {
        match &self.followup {
            Followup::TowRegistered(plan)
            | Followup::TowCompleted { plan, .. }
            | Followup::TowFailed { plan, .. } => Some(plan),
            _ => None,
        }
    }
}

/// Why a user hears about an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationKind {
    /// A step of the chain waits for this user (or their role).
    AwaitingDecision,
    Approved,
    Rejected {
        comment: String,
    },
    TowRegistered {
        #[serde(with = "crate::codec::date")]
        planned_on: NaiveDate,
        location: String,
    },
    TowCompleted {
        yard: String,
    },
    TowFailed {
        reason: String,
    },
    Executed,
    /// A budget's spending of a category passed its plan (`Notification::contract_no` is the
    /// budget's subject, `month/branch`).
    BudgetOverspent {
        category: String,
        plan: Money,
        actual: Money,
    },
    /// A budget's collections fall behind the pace the plan needs.
    BudgetBehindPace {
        plan: Money,
        pace: Money,
    },
    /// Head office refused the user's entry made at a branch site, or it no longer applies
    /// there after head office's changes (`Mutation::NoteConflict`): `application` holds the
    /// entry's id.
    SyncConflict {
        kind: String,
        refusal: crate::domain::Refusal,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// No `notify_command` has taken it yet.
    Pending,
    Delivered {
        at: i64,
    },
    Failed {
        attempts: u32,
        error: String,
        at: i64,
    },
}

/// One message in a user's inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub user: String,
    pub application: String,
    pub document: DocumentType,
    pub contract_no: String,
    #[serde(with = "crate::codec::date")]
    pub on: NaiveDate,
    pub at: i64,
    pub kind: NotificationKind,
    pub read: bool,
    pub delivery: Delivery,
}
