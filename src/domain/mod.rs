//! The business rules of DOMAIN.md, pure: no sled, no clock, no I/O. "Today" is an argument.

pub mod approval;
pub mod budget;
pub mod contract;
pub mod ledger;
pub mod limits;
pub mod money;
pub mod outbound;
pub mod party;
pub mod refusal;
pub mod reports;
pub mod text;
pub mod ticket;
pub mod workflow;

#[cfg(test)]
mod ledger_props;
#[cfg(test)]
mod ledger_reference;
#[cfg(test)]
mod ledger_tests;

pub use contract::*;
pub use ledger::{
    Advanced, Bucket, Figures, InstallmentFigures, PenaltyFacts, Position, Positions, Unpaid,
    Waived, evaluate, positions, settlement_blockers, waiver_blocker,
};
pub use money::{Money, MoneyError, Rate, round_cents};
pub use party::{Customer, Role, User};
pub use refusal::Refusal;
pub use ticket::{
    Channel, Contact, Promise, PromiseState, Ticket, promise_state, promise_state_of,
};
