//! One file per screen: its state, what its commands do to that state, and its view.

pub mod dashboard;
pub mod outbound;
pub mod payments;
pub mod settings;
pub mod stock;
pub mod ticket;
