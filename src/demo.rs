//! TEMPORARY placeholder until the demo generator branch is merged.
use crate::app::App;
pub struct DemoOptions {
    pub contracts: usize,
    pub seed: u64,
    pub today: chrono::NaiveDate,
}
pub fn load(_app: &App, _opts: &DemoOptions) -> anyhow::Result<String> {
    anyhow::bail!("demo generator not merged yet")
}
