//! TEMPORARY placeholder until the benchmark branch is merged.
pub struct BenchOptions {
    pub contracts: usize,
}
pub fn run(_o: BenchOptions) -> anyhow::Result<String> {
    anyhow::bail!("bench not merged yet")
}
