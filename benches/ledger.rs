//! `cargo bench --bench ledger`: the ledger benchmark on a generated book of 100,000
//! contracts (override with DUEDESK_BENCH_CONTRACTS), in a temporary database.

fn main() -> anyhow::Result<()> {
    let opts = duedesk::bench::BenchOptions::from_env()?;
    let report = duedesk::bench::run(opts)?;
    println!("{report}");
    Ok(())
}
