//! The dashboard's views (#13): *overdue* (the overdue list, `shared.rs`), *penalty only*
//! (open, nothing overdue, penalty outstanding), *all in scope* and *settled*. A contract
//! whose overdue money is paid leaves the overdue list; these views keep it reachable, to
//! waive its penalty or settle it.
//!
//! The three views beyond the overdue list are cuts of one list of every contract of the
//! book (`BookList`), kept by the process like the overdue list: computed once per book
//! version and date (the overdue contracts' lines taken from the overdue list, the open
//! contracts with nothing overdue evaluated for their penalty, the others owing nothing
//! shown), and patched after a change to a few contracts. Each viewer gets the indexes of
//! the lines of its view in its scope: the scope is cut here, in the app layer.

use super::overdue::{self, Owed, TicketFacts};
use super::permissions::in_scope_of;
use super::queries::{list_order, overdue_row};
use super::shared::{From, merge_order};
use super::{App, Ctx, OverdueRow, Result, SharedOverdue, parallel};
use crate::domain::{ContractState, Customer, Money, PenaltySettings, evaluate};
use crate::store::{ContractRef, Reader, Store};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A view of the dashboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListView {
    /// Open contracts with money overdue (the overdue list).
    #[default]
    Overdue,
    /// Open contracts with nothing overdue and penalty outstanding.
    PenaltyOnly,
    /// Every contract, whatever its state.
    All,
    /// Settled contracts.
    Settled,
}

impl ListView {
    pub const ALL: [ListView; 4] = [
        ListView::Overdue,
        ListView::PenaltyOnly,
        ListView::All,
        ListView::Settled,
    ];

    /// The view after this one, round to the first.
    pub fn next(self) -> ListView {
        let at = ListView::ALL.iter().position(|v| *v == self).unwrap_or(0);
        ListView::ALL[(at + 1) % ListView::ALL.len()]
    }

    /// Whether a line of `kind` belongs to the view.
    fn takes(self, kind: Kind) -> bool {
        match self {
            ListView::Overdue => kind == Kind::Overdue,
            ListView::PenaltyOnly => kind == Kind::PenaltyOnly,
            ListView::All => true,
            ListView::Settled => kind == Kind::Settled,
        }
    }
}

/// What a line of the book list is, for the views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Overdue,
    PenaltyOnly,
    Settled,
    /// Open and owing nothing overdue nor penalty, a draft, or repossessed.
    Other,
}

/// Every contract of the book as a line, in list order (most days overdue first, then by
/// contract number), with its kind.
#[derive(Clone)]
pub(crate) struct BookList {
    rows: Arc<[OverdueRow]>,
    kinds: Arc<[Kind]>,
}

impl App {
    /// A view of the dashboard as of `as_of` in the viewer's scope, sharing its rows with
    /// every other viewer of this process. The overdue view is `overdue_shared`; the others
    /// are cut from one list of the whole book.
    pub fn dashboard_list(
        &self,
        ctx: &Ctx,
        as_of: NaiveDate,
        view: ListView,
    ) -> Result<SharedOverdue> {
        if view == ListView::Overdue {
            return self.overdue_shared(ctx, as_of);
        }
        let user = self.viewer(ctx)?;
        let (version, book) = self.whole_book_list(as_of)?;
        let everything = view == ListView::All && user.sees_everything();
        let visible = (!everything).then(|| {
            book.rows
                .iter()
                .zip(book.kinds.iter())
                .enumerate()
                .filter(|(_, (r, k))| {
                    view.takes(**k) && in_scope_of(&user, &r.branch, &r.collector)
                })
                .map(|(i, _)| i as u32)
                .collect()
        });
        Ok(SharedOverdue::new(book.rows, visible, version, as_of))
    }

    /// Makes the list of every contract the dashboard's other views cut, so that a first
    /// switch to one finds it made (reading it whole takes about a second on a book of
    /// 100,000 contracts). Front ends call it on a thread of their own after the first
    /// frame; it shows nothing to anyone, so it asks no permission.
    pub fn prepare_views(&self, as_of: NaiveDate) -> Result<()> {
        self.whole_book_list(as_of).map(|_| ())
    }

    /// Every contract of the book as of `as_of`, and the book version it is current for.
    fn whole_book_list(&self, as_of: NaiveDate) -> Result<(u64, BookList)> {
        self.overdue_cache.book.current(
            || self.book_version(),
            as_of,
            || self.read_book_list(as_of),
            |base, changed| self.patched_book_list(base, as_of, changed),
        )
    }

    /// The book list read whole: the customers once, then the contracts in key ranges, one
    /// per core.
    fn read_book_list(&self, as_of: NaiveDate) -> Result<BookList> {
        let (_, overdue) = self.whole_overdue_list(as_of)?;
        let on_list: HashMap<&str, usize> = overdue
            .iter()
            .enumerate()
            .map(|(i, r)| (r.contract_no.as_str(), i))
            .collect();
        let store = self.store();
        let settings = store.settings()?;
        let mut customers = HashMap::new();
        for record in store.customer_records() {
            let record = record?;
            let c = record.customer()?;
            customers.insert(
                c.id.to_string(),
                Customer {
                    id: c.id.to_string(),
                    name: c.name.to_string(),
                    phone: c.phone.to_string(),
                    branch: c.branch.to_string(),
                    collector: c.collector.to_string(),
                    ..Customer::default()
                },
            );
        }
        let bounds = contract_bounds(store, parallel::cores())?;
        let parts = parallel::in_threads(
            &bounds,
            |(after, upto)| -> Result<Vec<(OverdueRow, Kind)>> {
                let mut lines = Vec::new();
                for record in store.contract_records_between(after.as_deref(), upto.as_deref()) {
                    let record = record?;
                    let contract = record.contract()?;
                    let listed = on_list.get(contract.no).map(|&i| &overdue[i]);
                    let customer = customers.get(contract.customer_id);
                    lines.push(line(store, &settings, &contract, customer, listed, as_of)?);
                }
                Ok(lines)
            },
        );
        let mut lines = Vec::new();
        for part in parts {
            lines.extend(part?);
        }
        // In contract order: a stable sort by days puts them in list order.
        lines.sort_by_key(|(r, _)| std::cmp::Reverse(r.days_overdue));
        Ok(book_list(lines))
    }

    /// `base` with the lines of the `changed` contracts read again.
    fn patched_book_list(
        &self,
        base: &BookList,
        as_of: NaiveDate,
        changed: BTreeSet<String>,
    ) -> Result<BookList> {
        let (_, overdue) = self.whole_overdue_list(as_of)?;
        let listed: HashMap<&str, &OverdueRow> = overdue
            .iter()
            .filter(|r| changed.contains(&r.contract_no))
            .map(|r| (r.contract_no.as_str(), r))
            .collect();
        let store = self.store();
        let settings = store.settings()?;
        let mut fresh = Vec::new();
        for no in &changed {
            let Some(record) = store.contract_record(no)? else {
                continue;
            };
            let contract = record.contract()?;
            let customer = store.customer(contract.customer_id)?;
            let listed = listed.get(no.as_str()).copied();
            fresh.push(line(
                store,
                &settings,
                &contract,
                customer.as_ref(),
                listed,
                as_of,
            )?);
        }
        fresh.sort_by(|a, b| list_order(&a.0, &b.0));
        let (fresh_rows, fresh_kinds): (Vec<OverdueRow>, Vec<Kind>) = fresh.into_iter().unzip();
        let changed: Vec<String> = changed.into_iter().collect();
        let lines = merge_order(&base.rows, &changed, &fresh_rows)
            .into_iter()
            .map(|from| match from {
                From::Kept(i) => (base.rows[i].clone(), base.kinds[i]),
                From::Fresh(i) => (fresh_rows[i].clone(), fresh_kinds[i]),
            })
            .collect();
        Ok(book_list(lines))
    }
}

fn book_list(lines: Vec<(OverdueRow, Kind)>) -> BookList {
    let (rows, kinds): (Vec<OverdueRow>, Vec<Kind>) = lines.into_iter().unzip();
    BookList {
        rows: rows.into(),
        kinds: kinds.into(),
    }
}

/// A contract's line of the book list and its kind: its line of the overdue list when it is
/// on it (`listed`); an open contract's penalty outstanding otherwise; nothing owed shown for
/// the others (a draft, a settled or repossessed contract).
fn line(
    store: &Store,
    settings: &PenaltySettings,
    contract: &ContractRef<'_>,
    customer: Option<&Customer>,
    listed: Option<&OverdueRow>,
    as_of: NaiveDate,
) -> Result<(OverdueRow, Kind)> {
    if let Some(row) = listed {
        return Ok((row.clone(), Kind::Overdue));
    }
    let missing = Customer {
        id: contract.customer_id.to_string(),
        ..Customer::default()
    };
    let customer = customer.unwrap_or(&missing);
    let (owed, kind) = match contract.state {
        ContractState::Active => {
            let figures = evaluate(contract, settings, as_of);
            // Overdue and not on the list: its line is the list's (a change not yet seen
            // there); shown with what it owes, as any other open contract.
            let owed = Owed::of(&figures);
            let kind = if figures.days_overdue > 0 {
                Kind::Overdue
            } else if figures.penalty_outstanding > Money::ZERO {
                Kind::PenaltyOnly
            } else {
                Kind::Other
            };
            (owed, kind)
        }
        ContractState::Settled { .. } => (Owed::nothing(as_of), Kind::Settled),
        ContractState::Draft | ContractState::Repossessed { .. } => {
            (Owed::nothing(as_of), Kind::Other)
        }
    };
    // The contact log matters where money is still owed; the others show none.
    let record = match kind {
        Kind::Other | Kind::Settled => None,
        Kind::Overdue | Kind::PenaltyOnly => store.ticket_record(contract.no)?,
    };
    let ticket = record.as_ref().map(|r| r.ticket()).transpose()?;
    let entry = overdue::line_of(
        contract,
        owed,
        TicketFacts::of_ref(ticket.as_ref()),
        customer,
    );
    let mut row = overdue_row(entry);
    row.state = contract.state.name();
    Ok((row, kind))
}

/// `parts` ranges of contract numbers of about equal size, as (after, up to) bounds.
pub(super) fn contract_bounds(
    store: &Store,
    parts: usize,
) -> Result<Vec<(Option<String>, Option<String>)>> {
    let numbers = store.contract_numbers()?;
    let size = numbers.len().div_ceil(parts.max(1)).max(1);
    let mut bounds = Vec::new();
    let mut after: Option<String> = None;
    for chunk in numbers.chunks(size) {
        let upto = chunk.last().cloned();
        bounds.push((after.take(), upto.clone()));
        after = upto;
    }
    // Up to the end of the book, whatever the index holds.
    match bounds.last_mut() {
        Some(last) => last.1 = None,
        None => bounds.push((None, None)),
    }
    Ok(bounds)
}
