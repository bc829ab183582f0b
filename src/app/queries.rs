//! Queries: read projections, compute figures as of a date, check scope. JSON shapes here
//! are an interface (README *JSON*): stable keys, money as two-decimal strings, ISO dates.

use super::overdue::{self, OverdueEntry, TicketFacts};
use super::parallel;
use super::permissions::{in_scope, in_scope_of, visible_contract};
use super::workflow_queries::ApplicationRow;
use super::{App, Ctx, Result};
use crate::domain::refusal::Refusal;
use crate::domain::{
    Bucket, Contact, Customer, InstallmentFigures, MachineState, Money, Payment, PaymentStatus,
    PromiseState, Rate, Role, User, evaluate,
};
use crate::store::{OverdueLine, Reader, RecordKind, decode};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
pub struct OverdueFilter {
    pub branch: Option<String>,
    pub collector: Option<String>,
    pub bucket: Option<Bucket>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OverdueRow {
    pub contract_no: String,
    pub customer_id: String,
    pub customer: String,
    pub phone: String,
    pub branch: String,
    pub collector: String,
    pub model: String,
    pub serial: String,
    pub days_overdue: i64,
    pub bucket: Bucket,
    pub overdue_amount: Money,
    pub penalty_outstanding: Money,
    pub pending_payments: Money,
    pub total_to_collect: Money,
    pub last_contact: Option<NaiveDate>,
    pub promise: Option<PromiseState>,
    pub machine: &'static str,
    /// The contract's state (draft, active, settled, repossessed): the overdue list's are
    /// all active; the dashboard's view of every contract shows it. Not in `--json`.
    #[serde(skip)]
    pub state: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct CustomerView {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub branch: String,
    pub collector: String,
}

impl From<&Customer> for CustomerView {
    fn from(c: &Customer) -> CustomerView {
        CustomerView {
            id: c.id.clone(),
            name: c.name.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            branch: c.branch.clone(),
            collector: c.collector.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PaymentView {
    pub id: String,
    pub received_on: NaiveDate,
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub status: &'static str,
    pub recorded_by: String,
    pub decided_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub void_reason: Option<String>,
}

impl From<&Payment> for PaymentView {
    fn from(p: &Payment) -> PaymentView {
        let (status, decided_on, decided_by, void_reason) = match &p.status {
            PaymentStatus::Pending => ("pending", None, None, None),
            PaymentStatus::Confirmed { on, by } => ("confirmed", Some(*on), Some(by.clone()), None),
            PaymentStatus::Voided { on, by, reason } => {
                ("void", Some(*on), Some(by.clone()), Some(reason.clone()))
            }
        };
        PaymentView {
            id: p.id.clone(),
            received_on: p.received_on,
            amount: p.amount,
            method: p.method.clone(),
            reference: p.reference.clone(),
            status,
            recorded_by: p.recorded_by.clone(),
            decided_on,
            decided_by,
            void_reason,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ContactView {
    pub on: NaiveDate,
    pub by: String,
    pub channel: &'static str,
    pub result: String,
    pub note: String,
    pub promise_date: Option<NaiveDate>,
    pub promise_amount: Option<Money>,
}

impl From<&Contact> for ContactView {
    fn from(c: &Contact) -> ContactView {
        ContactView {
            on: c.on,
            by: c.by.clone(),
            channel: c.channel.name(),
            result: c.result.clone(),
            note: c.note.clone(),
            promise_date: c.promise.as_ref().map(|p| p.date),
            promise_amount: c.promise.as_ref().map(|p| p.amount),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PromiseView {
    pub made_on: NaiveDate,
    pub by: String,
    pub date: NaiveDate,
    pub amount: Money,
    pub state: PromiseState,
}

/// A collection ticket (催收单) as of a date: the contract's figures, money and contacts.
#[derive(Clone, Debug, Serialize)]
pub struct TicketView {
    pub contract_no: String,
    pub customer: CustomerView,
    pub as_of: NaiveDate,
    pub state: &'static str,
    pub machine: &'static str,
    /// The machine's state as the rules read it (the screens choose lock or unlock by it).
    #[serde(skip)]
    pub machine_state: MachineState,
    pub model: String,
    pub serial: String,
    pub financed_amount: Money,
    pub days_overdue: i64,
    pub bucket: Bucket,
    pub overdue_amount: Money,
    pub penalty_accrued: Money,
    pub penalty_waived: Money,
    pub penalty_paid: Money,
    pub penalty_outstanding: Money,
    pub pending_payments: Money,
    pub total_to_collect: Money,
    pub total_outstanding: Money,
    /// What settles the contract today: everything outstanding less credit.
    pub payoff: Money,
    pub principal_outstanding: Money,
    pub interest_outstanding: Money,
    pub credit: Money,
    pub rate_in_force: Rate,
    pub grace_days: u32,
    pub ticket_opened_on: Option<NaiveDate>,
    pub ticket_closed_on: Option<NaiveDate>,
    pub installments: Vec<InstallmentFigures>,
    pub payments: Vec<PaymentView>,
    pub contacts: Vec<ContactView>,
    pub promises: Vec<PromiseView>,
    /// Every application on the contract (lock, unlock, tow, waiver), newest first.
    pub applications: Vec<ApplicationRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PendingPaymentRow {
    pub id: String,
    pub contract_no: String,
    pub customer: String,
    pub branch: String,
    pub collector: String,
    pub received_on: NaiveDate,
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub recorded_by: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct BucketTotal {
    pub bucket: Bucket,
    pub contracts: usize,
    pub overdue_amount: Money,
    pub penalty_outstanding: Money,
}

#[derive(Clone, Debug, Serialize)]
pub struct RateView {
    pub from: NaiveDate,
    pub daily: Rate,
}

#[derive(Clone, Debug, Serialize)]
pub struct SettingsView {
    pub rates: Vec<RateView>,
    pub grace_days: u32,
    pub allocation_order: &'static str,
    pub accrued_through: Option<NaiveDate>,
}

/// Totals per aging bucket of a list of overdue rows (the dashboard header).
pub fn bucket_totals(rows: &[OverdueRow]) -> Vec<BucketTotal> {
    Bucket::ALL[1..]
        .iter()
        .map(|&bucket| {
            let mine = rows.iter().filter(|r| r.bucket == bucket);
            let (mut contracts, mut overdue_amount, mut penalty_outstanding) =
                (0, Money::ZERO, Money::ZERO);
            for row in mine {
                contracts += 1;
                overdue_amount += row.overdue_amount;
                penalty_outstanding += row.penalty_outstanding;
            }
            BucketTotal {
                bucket,
                contracts,
                overdue_amount,
                penalty_outstanding,
            }
        })
        .collect()
}

impl App {
    pub(crate) fn viewer(&self, ctx: &Ctx) -> Result<User> {
        self.user(&ctx.actor)
    }

    /// Whether the viewer holds the permission named `name` (`Mutation::permission`): what
    /// the screens offer. `execute` checks every change again, with its scope.
    pub fn may(&self, ctx: &Ctx, name: &str) -> Result<bool> {
        let user = self.viewer(ctx)?;
        Ok(super::permissions::holders_of(name)
            .iter()
            .any(|r| user.has(*r)))
    }

    /// Overdue contracts as of `as_of` in the viewer's scope, most days overdue first.
    ///
    /// As of the accrual date (the daily case) this reads the overdue list projection; for
    /// any other date it evaluates the candidate contracts on the spot. Both make their lines
    /// with `overdue::entry`.
    pub fn overdue(
        &self,
        ctx: &Ctx,
        as_of: NaiveDate,
        filter: &OverdueFilter,
    ) -> Result<Vec<OverdueRow>> {
        let user = self.viewer(ctx)?;
        self.overdue_seen_by(Some(&user), as_of, filter)
    }

    /// `overdue` as `user` sees it; `None`: every line of the book (for the shared list,
    /// which is cut to each viewer's scope before anyone sees it).
    pub(crate) fn overdue_seen_by(
        &self,
        user: Option<&User>,
        as_of: NaiveDate,
        filter: &OverdueFilter,
    ) -> Result<Vec<OverdueRow>> {
        if self.store().overdue_through()? == Some(as_of) {
            self.overdue_listed(user, as_of, filter)
        } else {
            self.overdue_evaluated(user, as_of, filter)
        }
    }

    /// `overdue` from the projection kept as of the accrual date `as_of`: each line carried
    /// from the day it was written to `as_of` (a line that cannot be, which the accrual
    /// prevents, is evaluated from its contract).
    ///
    /// The lines are read in key ranges, one per core (`parallel::in_threads`): reading and
    /// decoding them is most of the cost of opening the dashboard on a big book.
    fn overdue_listed(
        &self,
        user: Option<&User>,
        as_of: NaiveDate,
        filter: &OverdueFilter,
    ) -> Result<Vec<OverdueRow>> {
        let store = self.store();
        let settings = store.settings()?;
        let ranges = store.record_ranges(RecordKind::Overdue, parallel::cores())?;
        let parts = parallel::in_threads(&ranges, |range| -> Result<Vec<OverdueRow>> {
            let mut customers = CustomerCache::default();
            let mut rows = Vec::new();
            for kv in store.raw_records_in(range) {
                let (key, value) = kv?;
                let line: OverdueLine<OverdueEntry> = decode(&key, &value)?;
                let no = line.entry.contract_no.clone();
                let Some((entry, _)) = overdue::line_as_of(line, &settings, as_of) else {
                    let scope = (user, filter, &mut customers);
                    rows.extend(self.evaluated_row(&settings, scope, &no, as_of)?);
                    continue;
                };
                if filter
                    .bucket
                    .is_some_and(|b| b != Bucket::of_days(entry.days_overdue))
                {
                    continue;
                }
                if visible(user, filter, &entry.branch, &entry.collector) {
                    rows.push(overdue_row(entry));
                }
            }
            Ok(rows)
        });
        let mut rows = Vec::new();
        for part in parts {
            let part = part?;
            if rows.is_empty() {
                rows = part;
            } else {
                rows.extend(part);
            }
        }
        sort_overdue(&mut rows);
        Ok(rows)
    }

    /// `overdue` computed from the contracts, for any date.
    fn overdue_evaluated(
        &self,
        user: Option<&User>,
        as_of: NaiveDate,
        filter: &OverdueFilter,
    ) -> Result<Vec<OverdueRow>> {
        let settings = self.store().settings()?;
        let mut customers = CustomerCache::default();
        let mut rows = Vec::new();
        for no in self
            .store()
            .contracts_due_before_or_paid_after(as_of, as_of)?
        {
            let scope = (user, filter, &mut customers);
            rows.extend(self.evaluated_row(&settings, scope, &no, as_of)?);
        }
        sort_overdue(&mut rows);
        Ok(rows)
    }

    /// A contract's row of the overdue list as of `as_of`, evaluated from the contract, if it
    /// is on the list and the viewer and the filter let it through.
    fn evaluated_row(
        &self,
        settings: &crate::domain::PenaltySettings,
        (user, filter, customers): (Option<&User>, &OverdueFilter, &mut CustomerCache),
        no: &str,
        as_of: NaiveDate,
    ) -> Result<Option<OverdueRow>> {
        let store = self.store();
        let Some(record) = store.contract_record(no)? else {
            return Ok(None);
        };
        let contract = record.contract()?;
        if !contract.is_open() {
            return Ok(None);
        }
        let Some(customer) = customers.in_scope(store, user, filter, contract.customer_id) else {
            return Ok(None);
        };
        let figures = evaluate(&contract, settings, as_of);
        if figures.days_overdue <= 0 || filter.bucket.is_some_and(|b| b != figures.bucket) {
            return Ok(None);
        }
        let ticket_record = store.ticket_record(no)?;
        let ticket = ticket_record.as_ref().map(|r| r.ticket()).transpose()?;
        let entry = overdue::entry(
            &contract,
            &figures,
            TicketFacts::of_ref(ticket.as_ref()),
            customer,
        );
        Ok(entry.map(overdue_row))
    }

    /// Lines of the whole book's overdue list as of `as_of` for the given contracts (those
    /// not on it left out), most days overdue first: what `overdue_seen_by(None, ..)` has
    /// for them.
    pub(crate) fn overdue_lines(
        &self,
        as_of: NaiveDate,
        contracts: &[String],
    ) -> Result<Vec<OverdueRow>> {
        let settings = self.store().settings()?;
        let mut customers = CustomerCache::default();
        let filter = OverdueFilter::default();
        let mut rows = Vec::new();
        for no in contracts {
            let scope = (None, &filter, &mut customers);
            rows.extend(self.evaluated_row(&settings, scope, no, as_of)?);
        }
        sort_overdue(&mut rows);
        Ok(rows)
    }

    /// The penalty a contract has accrued through its accrual date, as the accrual cache
    /// keeps it: in its line of the overdue list (carried to that date), or in `ac/`.
    pub fn cached_penalty(&self, contract_no: &str) -> Result<Money> {
        let store = self.store();
        let Some(day) = super::book::accrual_date_of(store, contract_no)? else {
            return Ok(Money::ZERO);
        };
        match store.overdue_line::<OverdueEntry>(contract_no)? {
            Some(line) => {
                let settings = store.settings()?;
                let carried = overdue::line_as_of(line, &settings, day);
                carried.map(|(_, accrued)| accrued).ok_or_else(|| {
                    Refusal::OverdueLineStale {
                        contract: contract_no.to_string(),
                        day,
                    }
                    .into()
                })
            }
            None => Ok(store.accrual(contract_no)?),
        }
    }

    /// `overdue` always computed from the contracts: what the projection must agree with
    /// (for tests).
    #[doc(hidden)]
    pub fn overdue_without_projection(
        &self,
        ctx: &Ctx,
        as_of: NaiveDate,
        filter: &OverdueFilter,
    ) -> Result<Vec<OverdueRow>> {
        let user = self.viewer(ctx)?;
        self.overdue_evaluated(Some(&user), as_of, filter)
    }

    /// The collection ticket of a contract as of a date.
    pub fn ticket(&self, ctx: &Ctx, contract_no: &str, as_of: NaiveDate) -> Result<TicketView> {
        let user = self.viewer(ctx)?;
        let store = self.store();
        // Out of scope reads as not there: the answer must not say whether it exists.
        visible_contract(store, &user, contract_no)?;
        let contract = store
            .contract(contract_no)?
            .ok_or_else(|| Refusal::ContractHidden {
                contract: contract_no.to_string(),
            })?;
        let customer =
            store
                .customer(&contract.customer_id)?
                .ok_or_else(|| Refusal::CustomerMissing {
                    customer: contract.customer_id.clone(),
                    contract: contract_no.to_string(),
                })?;
        let settings = store.settings()?;
        let f = evaluate(&contract, &settings, as_of);
        let ticket = store.ticket(contract_no)?;
        let contacts = ticket
            .as_ref()
            .map(|t| t.contacts.as_slice())
            .unwrap_or_default();
        let promises = contacts
            .iter()
            .filter_map(|c| {
                c.promise.as_ref().map(|p| PromiseView {
                    made_on: c.on,
                    by: c.by.clone(),
                    date: p.date,
                    amount: p.amount,
                    state: crate::domain::promise_state(p, c.on, &contract.payments, as_of),
                })
            })
            .collect();
        let applications = self.applications_of(&user, contract_no)?;
        let pending = contract.pending_total();
        Ok(TicketView {
            contract_no: contract.no.clone(),
            customer: CustomerView::from(&customer),
            as_of,
            state: contract.state.name(),
            machine: contract.machine.name(),
            machine_state: contract.machine,
            model: contract.model.clone(),
            serial: contract.serial.clone(),
            financed_amount: contract.financed,
            days_overdue: f.days_overdue,
            bucket: f.bucket,
            overdue_amount: f.overdue_amount,
            penalty_accrued: f.penalty_accrued,
            penalty_waived: f.penalty_waived,
            penalty_paid: f.penalty_paid,
            penalty_outstanding: f.penalty_outstanding,
            pending_payments: pending,
            total_to_collect: f.total_to_collect(),
            total_outstanding: f.total_outstanding(),
            payoff: f.payoff(),
            principal_outstanding: f.principal_outstanding,
            interest_outstanding: f.interest_outstanding,
            credit: f.credit,
            rate_in_force: f.rate_in_force,
            grace_days: contract.grace(&settings),
            ticket_opened_on: ticket.as_ref().map(|t| t.opened_on),
            ticket_closed_on: ticket.as_ref().and_then(|t| t.closed_on),
            installments: f.installments,
            payments: contract.payments.iter().map(PaymentView::from).collect(),
            contacts: contacts.iter().map(ContactView::from).collect(),
            promises,
            applications,
        })
    }

    /// Payments waiting for confirmation (收款确认) in the viewer's scope.
    pub fn pending_payments(&self, ctx: &Ctx) -> Result<Vec<PendingPaymentRow>> {
        let user = self.viewer(ctx)?;
        let store = self.store();
        let mut rows = Vec::new();
        let mut by_contract: HashMap<String, Vec<String>> = HashMap::new();
        for id in store.pending_payment_ids()? {
            if let Some(no) = store.payment_contract(&id)? {
                by_contract.entry(no).or_default().push(id);
            }
        }
        for (no, ids) in by_contract {
            let Some(contract) = store.contract(&no)? else {
                continue;
            };
            let Some(customer) = store.customer(&contract.customer_id)? else {
                continue;
            };
            if !in_scope(&user, &customer) {
                continue;
            }
            for p in contract.payments.iter().filter(|p| ids.contains(&p.id)) {
                rows.push(PendingPaymentRow {
                    id: p.id.clone(),
                    contract_no: no.clone(),
                    customer: customer.name.clone(),
                    branch: customer.branch.clone(),
                    collector: customer.collector.clone(),
                    received_on: p.received_on,
                    amount: p.amount,
                    method: p.method.clone(),
                    reference: p.reference.clone(),
                    recorded_by: p.recorded_by.clone(),
                });
            }
        }
        rows.sort_by(|a, b| {
            a.received_on
                .cmp(&b.received_on)
                .then_with(|| id_order(&a.id).cmp(&id_order(&b.id)))
        });
        Ok(rows)
    }

    pub fn settings(&self, ctx: &Ctx) -> Result<SettingsView> {
        self.viewer(ctx)?;
        let store = self.store();
        let s = store.settings()?;
        Ok(SettingsView {
            rates: s
                .rates
                .iter()
                .map(|r| RateView {
                    from: r.from,
                    daily: r.daily,
                })
                .collect(),
            grace_days: s.grace_days,
            allocation_order: s.order.name(),
            accrued_through: store.accrued_through()?,
        })
    }

    /// Whether the viewer holds a role (screens use it to hide what the app refuses anyway).
    pub fn has_role(&self, ctx: &Ctx, role: Role) -> Result<bool> {
        Ok(self.viewer(ctx)?.has(role))
    }
}

/// Customers read once per query, with the viewer's scope and the list's filters applied.
#[derive(Default)]
struct CustomerCache {
    seen: HashMap<String, Option<Customer>>,
}

impl CustomerCache {
    /// The customer, if the viewer may see them and they pass the branch and collector
    /// filters. A customer that is missing or unreadable drops the line.
    fn in_scope(
        &mut self,
        store: &crate::store::Store,
        user: Option<&User>,
        filter: &OverdueFilter,
        id: &str,
    ) -> Option<&Customer> {
        if !self.seen.contains_key(id) {
            let customer = store.customer(id).ok().flatten();
            self.seen.insert(id.to_string(), customer);
        }
        let customer = self.seen.get(id)?.as_ref()?;
        visible(user, filter, &customer.branch, &customer.collector).then_some(customer)
    }
}

/// Whether the viewer may see a customer of `branch` and `collector`, and the list's branch
/// and collector filters let them through.
fn visible(user: Option<&User>, filter: &OverdueFilter, branch: &str, collector: &str) -> bool {
    user.is_none_or(|u| in_scope_of(u, branch, collector))
        && filter.branch.as_ref().is_none_or(|b| b == branch)
        && filter.collector.as_ref().is_none_or(|c| c == collector)
}

pub(super) fn overdue_row(entry: OverdueEntry) -> OverdueRow {
    OverdueRow {
        contract_no: entry.contract_no,
        customer_id: entry.customer_id,
        customer: entry.customer,
        phone: entry.phone,
        branch: entry.branch,
        collector: entry.collector,
        model: entry.model,
        serial: entry.serial,
        days_overdue: entry.days_overdue,
        bucket: Bucket::of_days(entry.days_overdue),
        overdue_amount: entry.overdue_amount,
        penalty_outstanding: entry.penalty_outstanding,
        pending_payments: entry.pending_payments,
        total_to_collect: entry.overdue_amount + entry.penalty_outstanding,
        last_contact: entry.last_contact,
        promise: entry.promise,
        machine: entry.machine.name(),
        state: "active",
    }
}

/// Sorts rows into `list_order`. Rows read in contract order (as the store keeps them) need
/// only a stable sort by days, on the keys alone; the rows move once, not at every merge.
fn sort_overdue(rows: &mut [OverdueRow]) {
    if rows.is_sorted_by(|a, b| a.contract_no <= b.contract_no) {
        rows.sort_by_cached_key(|r| std::cmp::Reverse(r.days_overdue));
    } else {
        rows.sort_by(list_order);
    }
}

/// The overdue list's order: most days overdue first, then by contract number.
pub(crate) fn list_order(a: &OverdueRow, b: &OverdueRow) -> std::cmp::Ordering {
    b.days_overdue
        .cmp(&a.days_overdue)
        .then_with(|| a.contract_no.cmp(&b.contract_no))
}

/// `P12` → 12, so ids sort by number rather than as text.
fn id_order(id: &str) -> u64 {
    id.trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(no: &str, days: i64) -> OverdueRow {
        OverdueRow {
            contract_no: no.into(),
            customer_id: String::new(),
            customer: String::new(),
            phone: String::new(),
            branch: String::new(),
            collector: String::new(),
            model: String::new(),
            serial: String::new(),
            days_overdue: days,
            bucket: Bucket::of_days(days),
            overdue_amount: Money::ZERO,
            penalty_outstanding: Money::ZERO,
            pending_payments: Money::ZERO,
            total_to_collect: Money::ZERO,
            last_contact: None,
            promise: None,
            machine: "",
            state: "active",
        }
    }

    fn order_of(rows: &[OverdueRow]) -> Vec<(i64, &str)> {
        rows.iter()
            .map(|r| (r.days_overdue, r.contract_no.as_str()))
            .collect()
    }

    #[test]
    fn the_list_runs_from_most_days_overdue_then_by_contract_number() {
        let mut rows = vec![row("H1", 5), row("H2", 40), row("H3", 5), row("H4", 91)];
        sort_overdue(&mut rows);
        let expected = [(91, "H4"), (40, "H2"), (5, "H1"), (5, "H3")];
        assert_eq!(order_of(&rows), expected);
        let mut rows = vec![row("H3", 5), row("H2", 40), row("H1", 5), row("H4", 91)];
        sort_overdue(&mut rows);
        assert_eq!(order_of(&rows), expected, "rows not read in contract order");
    }

    proptest! {
        /// Rows in contract order (as read from the store) or in any order sort the same.
        #[test]
        fn sorting_rows_gives_the_list_order(
            lines in proptest::collection::btree_map("[A-Z]{1,3}[0-9]{0,3}", 1i64..400, 0..80),
            shuffle in any::<u64>(),
        ) {
            let mut rows: Vec<OverdueRow> = lines.iter().map(|(no, &days)| row(no, days)).collect();
            let mut expected = rows.clone();
            expected.sort_by(list_order);
            sort_overdue(&mut rows);
            prop_assert_eq!(&rows, &expected);
            let mut shuffled = expected.clone();
            let n = shuffled.len();
            for i in (1..n).rev() {
                shuffled.swap(i, (shuffle.rotate_left(i as u32) % (i as u64 + 1)) as usize);
            }
            sort_overdue(&mut shuffled);
            prop_assert_eq!(&shuffled, &expected);
        }
    }
}
