//! duedesk's entry point: parse the command line and dispatch. Nothing else.

fn main() {
    std::process::exit(duedesk::cli::main());
}
