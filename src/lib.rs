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

pub mod allocator {
    //! mimalloc's options for a process that serves many sessions, each on its own thread.
    //! Its arenas are committed as used, not eagerly: that one is read before `main`, so it
    //! is a define of the build (`.cargo/config.toml`).

    /// The purge delay's position in mimalloc 3's `mi_option_e` (its `mimalloc.h`; the Rust
    /// crate's constants are version 2's): checked by a test.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

    /// Memory freed goes back to the system at once instead of after a second. With the
    /// arenas committed as used, `serve` keeps ~1 MB for each extra SSH session (~4.6 MB with
    /// mimalloc's defaults), and an import of 300,000 payments peaked at 136 MB (213 MB), no
    /// slower. Called first thing by `duedesk`'s `main`.
    pub fn tune() {
        // SAFETY: `mi_option_set` only stores a value in mimalloc's option table; any value
        // is valid for this option.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
    }

    #[cfg(test)]
    mod tests {
        /// The positions name the options they are meant to: the purge delay reads mimalloc
        /// 3's default (1,000 ms, `options.c`) before `tune` and 0 after; the arenas' eager
        /// commit reads 0, as the build defines it (mimalloc's own default is 2).
        #[test]
        fn the_options_are_the_ones_meant_and_set() {
            // SAFETY: reading mimalloc's option table.
            let get = |o| unsafe { libmimalloc_sys::mi_option_get(o) };
            // The arenas' eager commit, 4th in `mi_option_e`.
            const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
            assert_eq!(get(ARENA_EAGER_COMMIT), 0, "see .cargo/config.toml");
            assert_eq!(get(super::PURGE_DELAY), 1_000);
            super::tune();
            assert_eq!(get(super::PURGE_DELAY), 0);
        }
    }
}
