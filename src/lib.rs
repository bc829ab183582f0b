//! duedesk: the receivables desk of a machinery dealer.
//!
//! Layers (arrows point down only): `cli` → `app` → `domain` + `store`.

pub mod domain;
