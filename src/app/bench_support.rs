//! Read-only helpers for the ledger benchmark (`crate::bench`): a full accrual pass that can
//! be repeated, because it writes nothing.

use super::accrual::accrue_contract;
use super::{App, Result};
use crate::domain::Money;
use crate::store::Reader;
use chrono::NaiveDate;

/// What a full accrual pass found: what `Accrue` would write on an empty cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccrualPass {
    /// Open contracts evaluated.
    pub contracts: usize,
    /// Of them, those with money overdue (each gets a line of the overdue list).
    pub overdue: usize,
    /// Collection tickets `Accrue` would open.
    pub tickets_to_open: usize,
    /// Σ penalty accrued through the date, over the book.
    pub penalty_accrued: Money,
}

impl App {
    /// Does for every contract exactly what `Mutation::Accrue` does on a full pass (no cached
    /// accrual date) — the same function, `apply::accrue_contract`: decode, evaluate, look up
    /// the ticket, make the overdue line — and tallies what it would write, writing nothing.
    pub fn full_accrual_pass(&self, through: NaiveDate) -> Result<AccrualPass> {
        let store = self.store();
        let settings = store.settings()?;
        let mut pass = AccrualPass::default();
        for record in store.contract_records() {
            let accrued = accrue_contract(store, &settings, through, &record?)?;
            pass.contracts += 1;
            pass.penalty_accrued += accrued.penalty_accrued;
            pass.overdue += usize::from(accrued.line.is_some());
            pass.tickets_to_open += usize::from(accrued.open_ticket.is_some());
        }
        Ok(pass)
    }
}

/// Payments read for the budget benchmark: each with its contract, as a confirmation has
/// them when it books.
#[doc(hidden)]
pub struct BenchPayments(Vec<(crate::domain::Contract, String)>);

impl App {
    /// For the budget benchmark: the payments `ids` with their contracts.
    #[doc(hidden)]
    pub fn bench_payments(&self, ids: &[String]) -> Result<BenchPayments> {
        let txn = self.store().begin();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let (c, _) = super::book::payment_for_change(&txn, id)?;
            out.push((c, id.clone()));
        }
        Ok(BenchPayments(out))
    }

    /// For the budget benchmark only, on a throwaway copy of a book: books the payments
    /// (as if confirmed on `ctx.today`) into the budget aggregates exactly as `ConfirmPayment`
    /// does (`budget_book::book_payment`), all in one write and without journal entries:
    /// what the budget adds to a confirmation, whose write and flush the confirmation pays
    /// anyway. Leaves the projections ahead of the journal: never call it on a real database.
    #[doc(hidden)]
    pub fn bench_book_payments_unjournaled(
        &self,
        ctx: &super::Ctx,
        payments: &BenchPayments,
    ) -> Result<()> {
        let _writer = self.store().lock();
        let mut txn = self.store().begin();
        let header = crate::store::EntryHeader {
            site: 1,
            seq: 0,
            actor: ctx.actor.clone(),
            at: ctx.now,
            business_date: ctx.today,
        };
        for (c, id) in &payments.0 {
            let p = c
                .payments
                .iter()
                .find(|p| p.id == *id)
                .expect("its contract");
            let owner = super::budget_book::owner(&txn, c)?;
            super::budget_book::book_payment(
                &mut txn,
                &header,
                &owner,
                id,
                p.received_on,
                p.amount,
            )?;
        }
        txn.commit()?;
        Ok(())
    }

    /// For the budget benchmark only, on a throwaway copy of a book: whether confirmations
    /// book the budget's actuals (on unless turned off here), so that confirmations with and
    /// without booking can be timed against each other. Leaves the budget short of what was
    /// confirmed meanwhile: never call it on a real database.
    #[doc(hidden)]
    pub fn bench_book_confirmations(&self, on: bool) {
        super::budget_book::BOOKING.store(on, std::sync::atomic::Ordering::Relaxed);
    }
}
