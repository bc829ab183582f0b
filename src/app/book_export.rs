//! The book out, in the columns the imports read (`duedesk import`), so an export imports
//! back: customers, contracts, installments and confirmed payments in the viewer's scope.
//! Rows are handed to a sink one at a time, in key order, never gathered: the installments
//! of a big book run to millions of rows. Must not touch: files (the edges write).

use super::tabular::Cell;
use super::{App, AppError, Ctx, Result};
use crate::domain::ContractState;
use crate::store::PaymentStatusRef;
use std::collections::HashSet;

pub const CUSTOMER_COLUMNS: &[&str] = &[
    "customer_id",
    "name",
    "phone",
    "id_number",
    "address",
    "branch",
    "collector",
];
pub const CONTRACT_COLUMNS: &[&str] = &[
    "contract_no",
    "customer_id",
    "signed_on",
    "model",
    "serial",
    "financed_amount",
    "penalty_rate",
    "grace_days",
];
pub const INSTALLMENT_COLUMNS: &[&str] =
    &["contract_no", "seq", "due_date", "principal", "interest"];
pub const PAYMENT_COLUMNS: &[&str] = &[
    "contract_no",
    "received_on",
    "amount",
    "method",
    "reference",
];

/// The parts of the book that export (and import).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookPart {
    Customers,
    Contracts,
    Installments,
    Payments,
}

impl BookPart {
    pub fn name(self) -> &'static str {
        match self {
            BookPart::Customers => "customers",
            BookPart::Contracts => "contracts",
            BookPart::Installments => "installments",
            BookPart::Payments => "payments",
        }
    }

    pub fn columns(self) -> &'static [&'static str] {
        match self {
            BookPart::Customers => CUSTOMER_COLUMNS,
            BookPart::Contracts => CONTRACT_COLUMNS,
            BookPart::Installments => INSTALLMENT_COLUMNS,
            BookPart::Payments => PAYMENT_COLUMNS,
        }
    }
}

impl App {
    /// Hands every row of `part` in the viewer's scope to `sink`, in the import's columns
    /// (`part.columns()`); returns how many. Contracts: approved ones (drafts are not
    /// imported), with the contract's own rate when it starts on the signing date. Payments:
    /// confirmed ones (import them back with `--confirm`). A sink's error stops the export.
    pub fn export_book(
        &self,
        ctx: &Ctx,
        part: BookPart,
        mut sink: impl FnMut(Vec<Cell>) -> std::result::Result<(), String>,
    ) -> Result<usize> {
        let user = self.viewer(ctx)?;
        let store = self.store();
        let mut visible = HashSet::new();
        let mut count = 0;
        let mut put = |row: Vec<Cell>| {
            count += 1;
            sink(row)
                .map_err(|reason| AppError::from(crate::domain::Refusal::ExportFailed { reason }))
        };
        for customer in store.customers() {
            let c = customer?;
            if !super::permissions::in_scope(&user, &c) {
                continue;
            }
            if part == BookPart::Customers {
                put(vec![
                    Cell::text(&c.id),
                    Cell::text(&c.name),
                    Cell::text(&c.phone),
                    Cell::text(&c.id_number),
                    Cell::text(&c.address),
                    Cell::text(&c.branch),
                    Cell::text(&c.collector),
                ])?;
            } else {
                visible.insert(c.id);
            }
        }
        if part == BookPart::Customers {
            return Ok(count);
        }
        for record in store.contract_records() {
            let record = record?;
            let c = record.contract()?;
            if matches!(c.state, ContractState::Draft) || !visible.contains(c.customer_id) {
                continue;
            }
            match part {
                BookPart::Contracts => {
                    let own = c
                        .own_rates
                        .first()
                        .filter(|r| r.from == c.signed_on)
                        .map_or(Cell::Empty, |r| Cell::text(r.daily.decimal().to_string()));
                    put(vec![
                        Cell::text(c.no),
                        Cell::text(c.customer_id),
                        Cell::Date(c.signed_on),
                        Cell::text(c.model),
                        Cell::text(c.serial),
                        Cell::Money(c.financed),
                        own,
                        c.grace_days
                            .map_or(Cell::Empty, |g| Cell::Int(i64::from(g))),
                    ])?;
                }
                BookPart::Installments => {
                    for i in &c.installments {
                        put(vec![
                            Cell::text(c.no),
                            Cell::Int(i64::from(i.seq)),
                            Cell::Date(i.due),
                            Cell::Money(i.principal),
                            Cell::Money(i.interest),
                        ])?;
                    }
                }
                BookPart::Payments => {
                    for p in &c.payments {
                        if matches!(p.status, PaymentStatusRef::Confirmed { .. }) {
                            put(vec![
                                Cell::text(c.no),
                                Cell::Date(p.received_on),
                                Cell::Money(p.amount),
                                Cell::text(p.method),
                                Cell::text(p.reference),
                            ])?;
                        }
                    }
                }
                BookPart::Customers => {}
            }
        }
        Ok(count)
    }
}
