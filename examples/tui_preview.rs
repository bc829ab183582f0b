//! Opens the terminal UI on the small test book (tests/support) in a temporary directory:
//! `cargo run --example tui_preview -- [THEME] [LANG]`. For trying screens by hand until
//! the CLI opens the TUI on a real database.

#[path = "../tests/support/mod.rs"]
mod support;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let book = support::book();
    duedesk::ui::run(
        &book.app,
        support::ctx(),
        duedesk::ui::UiOptions {
            theme: args.next().filter(|t| !t.is_empty()),
            lang: args.next(),
            config: None,
            follows_calendar: false,
        },
    )
}
