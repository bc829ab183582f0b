//! Who may do what. Checked here, in the app layer, for every mutation and query; screens
//! only hide what this already refuses.

use super::{AppError, Mutation, Result};
use crate::domain::refusal::{Holders, Refusal};
use crate::domain::workflow::Application;
use crate::domain::{Customer, Role, User};
use crate::store::{Reader, RecordKind};

/// The roles that hold a permission.
pub fn holders(mutation: &Mutation) -> &'static [Role] {
    holders_of(mutation.permission())
}

/// The roles that hold the permission named `name` (`Mutation::permission`); none for a
/// name that is not one.
pub fn holders_of(name: &str) -> &'static [Role] {
    use Role::*;
    match name {
        "customer.import"
        | "contract.import"
        | "payment.import"
        | "settings.rate"
        | "settings.grace"
        | "settings.allocation"
        | "user.manage"
        | "user.keys"
        | "rules.set"
        | "site.manage"
        | "rebuild"
        | "stock.import"
        | "budget.scoring" => &[Admin],
        "payment.record" | "contract.settle" => &[Collector, Finance, Admin],
        "payment.confirm" | "payment.void" | "penalty.accrue" => &[Finance, Admin],
        "ticket.contact" => &[Collector, Clerk, Admin],
        // Waivers are the collector's to apply for (README, *Who may do what*).
        "waiver.apply" | "tow.apply" | "unlock.apply" | "lock.apply" => &[Collector, Admin],
        "tow.register" | "lock.execute" => &[Clerk, Admin],
        "contract.create" | "outbound.order" => &[Sales, Admin],
        "outbound.ship" => &[Sales, Clerk, Admin],
        // The chain step decides who approves, only the applicant resubmits or withdraws, and
        // a user reads only their own inbox: checked where the record is at hand.
        "approval.decide"
        | "approval.applicant"
        | "inbox.read"
        | "notification.deliver"
        | "session.log" => &Role::ALL,
        // Anyone sets their own language; an admin anyone's (checked in `check`).
        "user.lang" => &Role::ALL,
        // Marks of an import run: each row it applies is checked as itself.
        "import.mark" => &Role::ALL,
        "budget.plan" | "budget.spending" | "budget.close" => &[Finance, Admin],
        // Whoever runs a branch's sync tells the authors of its conflicts.
        "sync.conflict" => &Role::ALL,
        _ => &[],
    }
}

/// What a mutation touches: the one contract it changes, or the whole book. One answer for
/// the audit trail (an entry is listed under the contract it touches), the shared overdue
/// list (which lines to patch) and, through `subject`, the scope check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Touches {
    /// Nothing on a contract: users, keys, rules, notifications, stock.
    Nothing,
    /// One contract (a drafted one included).
    Contract(String),
    /// Any contract may change: customers, imports of contracts, book-wide settings, accrual.
    Book,
}

/// What `mutation` touches, read before it applies (ids resolve through the current book).
pub(crate) fn touches<R: Reader + ?Sized>(reader: &R, mutation: &Mutation) -> Result<Touches> {
    let application_contract = |id: &str| -> Result<Option<String>> {
        // A budget's application has no contract behind it.
        Ok(reader
            .record::<Application>(RecordKind::Application, id)?
            .filter(|a| a.budget().is_none())
            .map(|a| a.contract_no))
    };
    let contract = match mutation {
        Mutation::PutCustomer(_)
        | Mutation::SetAllocationOrder { .. }
        | Mutation::Accrue { .. }
        | Mutation::AccruePart { .. }
        | Mutation::SetRate { contract: None, .. }
        | Mutation::SetGrace { contract: None, .. } => return Ok(Touches::Book),
        Mutation::AddContract(c) => Some(c.no.clone()),
        Mutation::DraftContract { contract: c, .. } => Some(c.no.clone()),
        // Decisions act on their application's contract (a waiver, a lock, an order).
        Mutation::Approve { id, .. }
        | Mutation::Reject { id, .. }
        | Mutation::Resubmit { id, .. }
        | Mutation::Withdraw { id } => application_contract(id)?,
        other => subject(reader, other)?,
    };
    Ok(contract.map_or(Touches::Nothing, Touches::Contract))
}

/// The contract a mutation is about, for the scope check.
pub(crate) fn subject<R: Reader + ?Sized>(
    reader: &R,
    mutation: &Mutation,
) -> Result<Option<String>> {
    Ok(match mutation {
        Mutation::RecordPayment { contract, .. }
        | Mutation::AddContact { contract, .. }
        | Mutation::ApplyWaiver { contract, .. }
        | Mutation::Apply { contract, .. }
        | Mutation::Settle { contract }
        | Mutation::AddInstallments { contract, .. } => Some(contract.clone()),
        Mutation::SetRate { contract, .. } | Mutation::SetGrace { contract, .. } => {
            contract.clone()
        }
        Mutation::ConfirmPayment { id } | Mutation::VoidPayment { id, .. } => {
            reader.payment_contract(id)?
        }
        Mutation::RegisterTow { id, .. }
        | Mutation::CompleteTow { id, .. }
        | Mutation::FailTow { id, .. }
        | Mutation::Execute { id, .. } => reader
            .record::<Application>(RecordKind::Application, id)?
            .map(|a| a.contract_no),
        Mutation::CreateOrder { contract, .. } => Some(contract.clone()),
        Mutation::Pick { order, .. }
        | Mutation::AddAccessory { order, .. }
        | Mutation::SubmitOrder { order, .. }
        | Mutation::Ship { order, .. }
        | Mutation::SwapMachine { order, .. }
        | Mutation::CancelOrder { order, .. }
        | Mutation::RemoveAccessory { order, .. } => reader
            .record::<crate::domain::outbound::Order>(RecordKind::Order, order)?
            .map(|o| o.contract_no),
        // A draft contract's customer is checked in `check`.
        Mutation::DraftContract { .. } => None,
        Mutation::AddMachine(_) | Mutation::PutAccessory { .. } => None,
        // Deciding follows the chain (a rule may name any user); the applicant, the inbox
        // owner and delivery are checked by the mutation itself.
        Mutation::Approve { .. }
        | Mutation::Reject { .. }
        | Mutation::Resubmit { .. }
        | Mutation::Withdraw { .. }
        | Mutation::MarkRead { .. }
        | Mutation::RecordDelivery { .. }
        | Mutation::AddUser { .. }
        | Mutation::DisableUser { .. }
        | Mutation::SetRoles { .. }
        | Mutation::AddKey { .. }
        | Mutation::RemoveKey { .. }
        | Mutation::Session { .. }
        | Mutation::SetRules { .. }
        | Mutation::PutCustomer(_)
        | Mutation::AddContract(_)
        | Mutation::SetAllocationOrder { .. }
        | Mutation::Accrue { .. }
        | Mutation::AccruePart { .. }
        | Mutation::SetLanguage { .. }
        | Mutation::AddSite { .. }
        | Mutation::Rebuild { .. }
        | Mutation::ImportPart { .. }
        | Mutation::ImportEnd { .. }
        | Mutation::DraftBudget { .. }
        | Mutation::SubmitBudget { .. }
        | Mutation::BookSpending { .. }
        | Mutation::CloseBudgetMonth { .. }
        | Mutation::SetScoringRules { .. }
        | Mutation::NoteConflict { .. }
        | Mutation::SetBranch { .. } => None,
    })
}

/// Whether `user` may see the customer's accounts: collectors their own customers, clerks
/// and approvers their branch, finance and admin everything.
pub fn in_scope(user: &User, customer: &Customer) -> bool {
    in_scope_of(user, &customer.branch, &customer.collector)
}

/// `in_scope` for a customer of `branch` whose collector is `collector`.
pub fn in_scope_of(user: &User, branch: &str, collector: &str) -> bool {
    if user.sees_everything() {
        return true;
    }
    if user.has(Role::Collector) && collector == user.name {
        return true;
    }
    let branch_roles = user.has(Role::Clerk) || user.has(Role::Approver) || user.has(Role::Sales);
    branch_roles && user.branch.as_deref() == Some(branch)
}

/// Whether `user` holds a role that may run this kind of mutation (scope aside).
pub fn may(user: &User, mutation: &Mutation) -> bool {
    holders(mutation).iter().any(|r| user.has(*r))
}

/// The refusal of `mutation` to a user without its permission, naming who holds it.
pub fn forbidden(user: &User, mutation: &Mutation) -> AppError {
    Refusal::Forbidden {
        user: user.name.clone(),
        permission: mutation.permission().to_string(),
        holders: Holders::Roles(holders(mutation).to_vec()),
    }
    .into()
}

/// Refuses, naming the missing permission, unless `user` may run `mutation`.
pub fn check<R: Reader + ?Sized>(reader: &R, user: &User, mutation: &Mutation) -> Result<()> {
    if !may(user, mutation) {
        return Err(forbidden(user, mutation));
    }
    if let Mutation::SetLanguage { name, .. } = mutation
        && *name != user.name
        && !user.has(Role::Admin)
    {
        return Err(Refusal::Forbidden {
            user: user.name.clone(),
            permission: mutation.permission().to_string(),
            holders: Holders::SelfOrAdmin { user: name.clone() },
        }
        .into());
    }
    if let Some(no) = subject(reader, mutation)? {
        check_contract_scope(reader, user, &no)?;
    }
    if let Mutation::DraftBudget { branch, .. }
    | Mutation::SubmitBudget { branch, .. }
    | Mutation::BookSpending { branch, .. } = mutation
        && !super::budget_book::plans_for(user, branch)
    {
        return Err(Refusal::BudgetBranchOutOfScope {
            user: user.name.clone(),
            branch: branch.clone(),
        }
        .into());
    }
    if let Mutation::DraftContract { contract: c, .. } = mutation
        && let Some(customer) = reader.customer(&c.customer_id)?
        && !in_scope(user, &customer)
    {
        return Err(Refusal::Forbidden {
            user: user.name.clone(),
            permission: "scope".into(),
            holders: Holders::BranchSales {
                branch: customer.branch,
            },
        }
        .into());
    }
    Ok(())
}

/// For a query about one contract: the contract exists and is in the user's scope, or the
/// same "does not exist or is not yours to see" either way, so the answer never tells a
/// user whether a contract out of their scope exists.
pub fn visible_contract<R: Reader + ?Sized>(reader: &R, user: &User, no: &str) -> Result<()> {
    let exists = reader.contract(no)?.is_some();
    if exists && check_contract_scope(reader, user, no).is_ok() {
        return Ok(());
    }
    Err(Refusal::ContractHidden {
        contract: no.to_string(),
    }
    .into())
}

/// Refuses a contract outside the user's scope. A contract that does not exist passes: the
/// mutation or query itself reports it.
pub fn check_contract_scope<R: Reader + ?Sized>(reader: &R, user: &User, no: &str) -> Result<()> {
    if user.sees_everything() {
        return Ok(());
    }
    let Some(contract) = reader.contract(no)? else {
        return Ok(());
    };
    let customer = reader.customer(&contract.customer_id)?;
    if customer.is_some_and(|c| in_scope(user, &c)) {
        Ok(())
    } else {
        Err(Refusal::Forbidden {
            user: user.name.clone(),
            permission: "scope".into(),
            holders: Holders::ContractScope {
                contract: no.to_string(),
            },
        }
        .into())
    }
}
