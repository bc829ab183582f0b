//! duedesk's entry point: parse the command line and dispatch. Nothing else.

fn main() {
    duedesk::allocator::tune();
    std::process::exit(duedesk::cli::main());
}
