//! The service layer: the one way in for every front end (CLI, TUI, SSH, sync).
//!
//! `App::execute(ctx, mutation)` checks the actor's permission, validates against current
//! state, appends the mutation to the journal and updates the projections in one atomic
//! write — or changes nothing and returns a typed error. Queries read projections and check
//! scope. Owns: identity, permissions, mutations, queries. Must not touch: sled keys
//! (store/), terminal or process I/O (edges).
//!
//! Layout, top to bottom (a file imports only files below it):
//! - `service` (`App`): execute, accrual runs, rebuild; the queries (`queries`,
//!   `workflow_queries`, `outbound_queries`, `shared`) add `impl App` blocks;
//! - `execute`: the one exhaustive dispatch of `Mutation`;
//! - handlers, one per area: `ledger`, `users`, `workflow`, `outbound`, `accrual`;
//! - helpers the handlers share: `applications`, `stock`, `book`, `overdue`;
//! - leaves: `mutation`, `outcome`, `error`, `permissions`.

mod accrual;
mod applications;
mod bench_support;
mod book;
pub mod book_export;
mod budget;
mod budget_book;
pub mod budget_queries;
pub mod directory;
mod error;
mod execute;
pub mod import;
mod ledger;
mod legacy;
pub mod mutation;
mod outbound;
pub mod outbound_queries;
mod outcome;
mod overdue;
mod parallel;
pub mod permissions;
pub mod queries;
pub mod reports;
pub mod rules_file;
mod service;
mod shared;
pub mod site_queries;
mod sites;
mod stock;
pub mod tabular;
mod users;
mod views;
mod workflow;
pub mod workflow_queries;

pub use applications::builtin_rules;
pub use book::UserKey;
pub use error::{AppError, Result};
pub use import::{IMPORT_PART, ImportStage, ResumedImport};
pub use outcome::{Ctx, Outcome};
pub(crate) use service::resolve_user;
pub use service::{ACCRUAL_PART, AccrualSteps, App, LOCAL_ADMIN, SnapshotCheck, replaying};
pub use sites::Site;

/// The approval rules in force (the built-in defaults until an admin sets some).
pub fn rules_in_force_of(app: &App) -> Result<crate::domain::approval::RuleSet> {
    applications::rules_in_force(app.store())
}

pub use bench_support::{AccrualPass, BenchPayments};
pub use directory::ContractHit;
pub use mutation::{Mutation, NewContract, SessionEvent};
pub use outbound_queries::*;
pub use queries::*;
pub use shared::SharedOverdue;
pub use views::ListView;
pub use workflow_queries::*;
