//! One file per screen: its state, what its commands do to that state, and its view.

pub mod application;
pub mod approvals;
pub mod audit;
pub mod budget;
pub mod dash_data;
pub mod dashboard;
pub mod outbound;
pub mod payments;
pub mod reports;
pub mod rules;
pub mod settings;
pub mod stock;
pub mod ticket;
pub mod tows;
