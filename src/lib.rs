//! duedesk: the receivables desk of a machinery dealer.
//!
//! Layers (arrows point down only): `cli` → `app` → `domain` + `store`.

pub mod app;
pub mod bench;
pub mod codec;
pub mod demo;
pub mod domain;
pub mod store;
