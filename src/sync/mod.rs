//! Sync: branch sites working on their own database exchange batches with head office (HQ).
//!
//! An edge over app/, like cli/: it moves journal entries and asks the app to apply them.
//! Two messages carry everything (`codec`): a branch's **push** (its entries HQ has not
//! decided, and the cursor of HQ's journal it holds) and HQ's **reply** (a verdict on each
//! pushed entry, and HQ's entries for the site's scope after that cursor, in HQ's order). A
//! **bundle** bootstraps a branch. They travel as files (`sync push`, `sync accept`, `sync
//! pull`); the same bytes can travel over SSH.
//!
//! HQ (`hq`) re-executes each pushed entry, in its site's order, as its original actor
//! (`App::apply_pushed`), once: what it decided is kept per site, so a push sent again gets
//! the same verdicts. A branch (`branch`) keeps its journal as HQ's order for everything HQ
//! has confirmed, then its pending entries on top; a pull puts HQ's new entries and the
//! branch's accepted ones in HQ's order under the pending ones (`App::rebase`), and a
//! rejected entry leaves the journal for the conflicts list.
//!
//! A verdict is typed: a rejected entry carries the app's `Refusal` (kind and figures), kept
//! so at head office and in a branch's conflicts (`Why`), and worded only where it is shown
//! (`reason_of`: the CLI's English, or the reader's language).

pub mod branch;
pub mod codec;
pub mod hq;
pub mod transport;

use crate::app::AppError;
use crate::domain::Refusal;
use crate::i18n::{Lang, Msg};
use crate::store::StoreError;
use serde::{Deserialize, Serialize};

/// Why a sync step did not happen. Nothing was changed by a step that failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Codec(#[from] codec::CodecError),
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T> = std::result::Result<T, SyncError>;

/// The refusal an error carries, for a verdict or a conflict; any other error (the store
/// failing) is not a verdict on the entry and comes back as it was.
pub fn refusal_of(error: AppError) -> std::result::Result<Refusal, AppError> {
    match error {
        AppError::Refused(refusal) => Ok(*refusal),
        AppError::InBatch { error, .. } => refusal_of(*error),
        other => Err(other),
    }
}

/// Why an entry of a branch left its journal: typed, worded where it is shown
/// (`reason_of`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Why {
    /// Head office refused it: its verdict.
    Rejected(Refusal),
    /// It no longer applies at the branch on top of head office's changes.
    NoLongerApplies(Refusal),
}

impl Why {
    pub fn refusal(&self) -> &Refusal {
        match self {
            Why::Rejected(r) | Why::NoLongerApplies(r) => r,
        }
    }
}

/// A conflict's reason in `lang`: the one place a verdict becomes words (the CLI's English,
/// the screens' language).
pub fn reason_of(why: &Why, lang: Lang) -> String {
    match why {
        Why::Rejected(refusal) => lang.refusal(refusal),
        Why::NoLongerApplies(refusal) => {
            lang.f(Msg::SyncNoLongerApplies, &[&lang.refusal(refusal)])
        }
    }
}

/// The name of a mutation's variant (`RecordPayment`), as the journal's JSON spells it.
pub fn kind_of(mutation: &crate::app::Mutation) -> String {
    variant_name(mutation)
}

/// The name of an enum value's variant, as its JSON spells it (`PaymentNotPending`).
pub fn variant_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

/// An entry's id in messages: its origin site and seq (`2-17`).
pub fn entry_id(site: u32, seq: u64) -> String {
    format!("{site}-{seq}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_is_worded_from_its_refusal_in_either_language() {
        let refusal = Refusal::PaymentVoid { id: "HF-P1".into() };
        let rejected = Why::Rejected(refusal.clone());
        assert_eq!(
            reason_of(&rejected, Lang::En),
            "payment HF-P1 is already void"
        );
        assert_eq!(reason_of(&rejected, Lang::Zh), "收款 HF-P1 已作废");
        let dropped = Why::NoLongerApplies(refusal);
        assert_eq!(
            reason_of(&dropped, Lang::En),
            "no longer applies after head office's changes: payment HF-P1 is already void"
        );
        assert_eq!(
            reason_of(&dropped, Lang::Zh),
            "在总部的更改之后不再适用：收款 HF-P1 已作废"
        );
        assert_eq!(variant_name(dropped.refusal()), "PaymentVoid");
        assert_eq!(variant_name(&Refusal::NoAccrualRun), "NoAccrualRun");
    }

    #[test]
    fn only_a_refusal_is_a_verdict() {
        let refused = AppError::InBatch {
            index: 2,
            error: Box::new(Refusal::PaymentVoid { id: "P1".into() }.into()),
        };
        assert_eq!(
            refusal_of(refused).unwrap(),
            Refusal::PaymentVoid { id: "P1".into() }
        );
        let failed = AppError::Store(StoreError::Journal("x".into()));
        assert!(refusal_of(failed).is_err());
    }
}
