//! Who acts and when (`Ctx`), and what a mutation did (`Outcome`): shared by the service, the
//! dispatch and every handler. A leaf: imports nothing of app/.

use chrono::NaiveDate;

/// Who is acting, and when: "today" is given, never read from a clock below this point.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: String,
    pub today: NaiveDate,
    /// Wall-clock time, seconds since the Unix epoch: recorded in the journal, never used
    /// by the rules.
    pub now: i64,
}

impl Ctx {
    pub fn new(actor: &str, today: NaiveDate, now: i64) -> Ctx {
        Ctx {
            actor: actor.to_string(),
            today,
            now,
        }
    }
}

/// What a mutation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The id of what it created, if it created something.
    pub id: Option<String>,
    /// One line for a person.
    pub message: String,
    /// False when there was nothing to do (nothing was journaled).
    pub changed: bool,
    /// What a part of an accrual run did, to be added up over the run.
    pub(super) accrual: AccrualCounts,
}

/// Contracts an accrual recomputed and tickets it opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct AccrualCounts {
    pub recomputed: usize,
    pub opened: usize,
}

impl Outcome {
    pub(super) fn created(id: String, message: String) -> Outcome {
        Outcome {
            id: Some(id),
            message,
            changed: true,
            ..Outcome::default()
        }
    }
    pub(super) fn done(message: String) -> Outcome {
        Outcome {
            message,
            changed: true,
            ..Outcome::default()
        }
    }
    pub(super) fn nothing(message: String) -> Outcome {
        Outcome {
            message,
            ..Outcome::default()
        }
    }
    pub(super) fn accrued(counts: AccrualCounts, since: &str, through: NaiveDate) -> Outcome {
        Outcome {
            message: format!(
                "penalty accrued from {since} through {through}: {} contracts recomputed, {} tickets opened",
                counts.recomputed, counts.opened
            ),
            changed: true,
            accrual: counts,
            ..Outcome::default()
        }
    }
}
