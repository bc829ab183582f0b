//! duedesk: the receivables desk of a machinery dealer.
//!
//! Layers (arrows point down only): `cli` → `app` → `domain` + `store`.

pub mod app;
pub mod bench;
pub mod cli;
pub mod codec;
pub mod demo;
pub mod domain;
pub mod export;
pub mod hooks;
pub mod i18n;
pub mod search;
pub mod ssh;
pub mod store;
pub mod sync;
pub mod ui;

/// The allocator of every program built on duedesk: sled allocates and frees a node for each
/// key it writes, and under glibc's malloc a big import spent a quarter of its time there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
