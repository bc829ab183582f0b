//! Read-only helpers for the ledger benchmark (`crate::bench`): a full accrual pass that can
//! be repeated, because it writes nothing.

use super::{App, Result};
use crate::domain::{Money, evaluate};
use crate::store::Reader;
use chrono::NaiveDate;

/// What a full accrual pass found: what `Accrue` would write on an empty cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccrualPass {
    /// Open contracts evaluated.
    pub contracts: usize,
    /// Of them, those with an installment unpaid past its due date.
    pub overdue: usize,
    /// Collection tickets `Accrue` would open.
    pub tickets_to_open: usize,
    /// Σ penalty accrued through the date, over the book.
    pub penalty_accrued: Money,
}

impl App {
    /// Evaluates every contract exactly as `Mutation::Accrue` does on a full pass (no cached
    /// accrual date), including the ticket look-ups, and returns what it would write — without
    /// writing anything.
    pub fn full_accrual_pass(&self, through: NaiveDate) -> Result<AccrualPass> {
        let store = self.store();
        let settings = store.settings()?;
        let mut pass = AccrualPass::default();
        for contract in store.contracts() {
            let contract = contract?;
            if !contract.is_open() {
                continue;
            }
            pass.contracts += 1;
            let figures = evaluate(&contract, &settings, through);
            pass.penalty_accrued += figures.penalty_accrued;
            if figures.oldest_unpaid_due.is_some() {
                pass.overdue += 1;
                let has_open = store
                    .ticket(&contract.no)?
                    .is_some_and(|t| t.closed_on.is_none());
                if !has_open {
                    pass.tickets_to_open += 1;
                }
            }
        }
        Ok(pass)
    }
}
