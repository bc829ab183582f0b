//! The one dispatch of the write path: every `Mutation` variant handed to its handler.
//!
//! The match is exhaustive, so a new variant without a handler does not compile. Handlers
//! (`ledger`, `users`, `workflow`, `outbound`, `accrual`) validate against the transaction's
//! state and write projections; they read only the transaction and the entry header (actor,
//! business date, wall time of submission) — never the clock, never random state — so live
//! execution and journal replay both come through here and give the same projections.
//! Must not touch: the journal (the caller appends the entry), permissions (checked before).

use super::outcome::Outcome;
use super::{
    Mutation, Result, accrual, budget, budget_book, import, ledger, outbound, sites, users,
    workflow,
};
use crate::store::{EntryHeader, Txn};

/// Applies one mutation to the projections in `txn`.
pub(super) fn apply(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    mutation: &Mutation,
) -> Result<Outcome> {
    match mutation {
        Mutation::PutCustomer(customer) => ledger::put_customer(txn, customer),
        Mutation::AddContract(new) => ledger::add_contract(txn, new),
        Mutation::AddInstallments {
            contract,
            installments,
        } => ledger::add_installments(txn, contract, installments),
        Mutation::RecordPayment {
            id,
            contract,
            received_on,
            amount,
            method,
            reference,
            confirmed,
        } => ledger::record_payment(
            txn,
            header,
            id,
            contract,
            received_on,
            amount,
            method,
            reference,
            confirmed,
        ),
        Mutation::ConfirmPayment { id } => ledger::confirm_payment(txn, header, id),
        Mutation::VoidPayment { id, reason } => ledger::void_payment(txn, header, id, reason),
        Mutation::SetRate {
            contract,
            from,
            daily,
        } => ledger::set_rate(txn, contract, from, daily),
        Mutation::SetGrace { contract, days } => ledger::set_grace(txn, contract, days),
        Mutation::SetAllocationOrder { order } => ledger::set_allocation_order(txn, order),
        Mutation::Accrue { through } => {
            let outcome = accrual::accrue_part(txn, *through, None, None)?;
            budget_book::after_accrual(txn, header, *through, &outcome)?;
            Ok(outcome)
        }
        Mutation::AccruePart {
            through,
            after,
            upto,
        } => {
            let outcome = accrual::accrue_part(txn, *through, after.as_deref(), upto.as_deref())?;
            if upto.is_none() {
                budget_book::after_accrual(txn, header, *through, &outcome)?;
            }
            Ok(outcome)
        }
        Mutation::AddContact {
            contract,
            channel,
            result,
            note,
            promise,
        } => ledger::add_contact(txn, header, contract, channel, result, note, promise),
        Mutation::Settle { contract } => ledger::settle(txn, header, contract),
        Mutation::AddUser {
            name,
            display,
            roles,
            branch,
        } => users::add_user(txn, name, display, roles, branch),
        Mutation::DisableUser { name } => users::disable_user(txn, name),
        Mutation::SetRoles { name, roles } => users::set_roles(txn, name, roles),
        Mutation::AddKey {
            user,
            key,
            fingerprint,
        } => users::add_key(txn, user, key, fingerprint),
        Mutation::RemoveKey { user, fingerprint } => users::remove_key(txn, user, fingerprint),
        Mutation::Session { user, event, peer } => users::session(header, user, event, peer),
        Mutation::SetRules { rules } => users::set_rules(txn, rules),
        Mutation::ApplyWaiver {
            id,
            contract,
            amount,
            reason,
        } => workflow::apply_waiver(txn, header, id, contract, amount, reason),
        Mutation::Apply {
            id,
            document,
            contract,
            reason,
            location,
        } => workflow::apply(txn, header, id, document, contract, reason, location),
        Mutation::Approve { id, comment } => workflow::approve(txn, header, id, comment),
        Mutation::Reject { id, comment } => workflow::reject(txn, header, id, comment),
        Mutation::Resubmit {
            id,
            reason,
            location,
            amount,
        } => workflow::resubmit(txn, header, id, reason, location, amount),
        Mutation::Withdraw { id } => workflow::withdraw(txn, header, id),
        Mutation::RegisterTow {
            id,
            crew,
            planned_on,
            location,
            note,
        } => workflow::register_tow(txn, header, id, crew, planned_on, location, note),
        Mutation::CompleteTow {
            id,
            towed_on,
            yard,
            condition,
            cost,
        } => workflow::complete_tow(txn, header, id, towed_on, yard, condition, cost),
        Mutation::FailTow { id, reason } => workflow::fail_tow(txn, header, id, reason),
        Mutation::Execute { id, command_status } => {
            workflow::execute(txn, header, id, command_status)
        }
        Mutation::MarkRead { ids } => users::mark_read(txn, header, ids),
        Mutation::RecordDelivery {
            id,
            delivered,
            error,
            at,
        } => users::record_delivery(txn, id, delivered, error, at),
        Mutation::AddMachine(m) => outbound::add_machine(txn, m),
        Mutation::PutAccessory {
            code,
            name,
            unit,
            quantity,
        } => outbound::put_accessory(txn, code, name, unit, quantity),
        Mutation::DraftContract {
            application,
            contract,
        } => outbound::draft_contract(txn, header, application, contract),
        Mutation::CreateOrder { id, contract } => outbound::create_order(txn, header, id, contract),
        Mutation::Pick { order: id, serial } => outbound::pick(txn, id, serial),
        Mutation::AddAccessory {
            order: id,
            code,
            quantity,
            extra,
        } => outbound::add_accessory(txn, id, code, quantity, extra),
        Mutation::SubmitOrder { order, application } => {
            outbound::submit_order(txn, header, order, application)
        }
        Mutation::Ship {
            order: id,
            on,
            carrier,
            note,
        } => outbound::ship(txn, id, on, carrier, note),
        Mutation::SwapMachine {
            order: id,
            serial,
            reason,
        } => outbound::swap_machine(txn, header, id, serial, reason),
        Mutation::CancelOrder { order: id, reason } => outbound::cancel_order(txn, id, reason),
        Mutation::SetLanguage { name, lang } => users::set_language(txn, name, *lang),
        Mutation::AddSite {
            site,
            name,
            code,
            branches,
            user,
        } => sites::add_site(txn, *site, name, code, branches, user),
        // The projections it replayed are the journal's before it: nothing to apply.
        Mutation::Rebuild { entries } => Ok(Outcome::done(format!(
            "rebuilt the projections from {entries} journal entries"
        ))),
        Mutation::ImportPart {
            import,
            through,
            rows,
        } => Ok(import::part_mark(import, *through, *rows)),
        Mutation::ImportEnd {
            import,
            rows,
            undone,
        } => Ok(import::end_mark(import, *rows, *undone)),
        Mutation::DraftBudget {
            month,
            branch,
            lines,
        } => budget::draft(txn, header, month, branch, lines),
        Mutation::SubmitBudget {
            application,
            month,
            branch,
        } => budget::submit(txn, header, application, month, branch),
        Mutation::BookSpending {
            id,
            month,
            branch,
            category,
            amount,
            reason,
        } => budget::book_spending(txn, header, id, month, branch, category, amount, reason),
        Mutation::CloseBudgetMonth { month } => budget::close_month(txn, header, month),
        Mutation::SetScoringRules { rules } => budget::set_scoring_rules(txn, rules),
        Mutation::NoteConflict {
            user,
            entry,
            kind,
            contract,
            refusal,
        } => super::applications::note_conflict(txn, header, user, entry, kind, contract, refusal),
        Mutation::SetBranch { name, branch } => users::set_branch(txn, name, branch),
        Mutation::RemoveAccessory {
            order: id,
            code,
            extra,
        } => outbound::remove_accessory(txn, id, code, *extra),
    }
}
