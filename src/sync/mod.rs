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

pub mod branch;
pub mod codec;
pub mod hq;
pub mod transport;

use crate::app::AppError;
use crate::store::StoreError;

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

/// The reason head office gives for refusing an entry: the one place a refusal becomes a
/// verdict's words (typed refusals will replace the English text here).
pub fn reason_of(error: &AppError) -> String {
    error.root().to_string()
}

/// The name of a mutation's variant (`RecordPayment`), as the journal's JSON spells it.
pub fn kind_of(mutation: &crate::app::Mutation) -> String {
    match serde_json::to_value(mutation) {
        Ok(serde_json::Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

/// An entry's id in messages: its origin site and seq (`2-17`).
pub fn entry_id(site: u32, seq: u64) -> String {
    format!("{site}-{seq}")
}
