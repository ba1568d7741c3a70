//! Times the SLA sweep behind the desk's daily digest: every open case's clock (pauses included)
//! over the business calendar, from the in-memory case index each node keeps.
//!   cargo run --release -p globaldesk --example sla_sweep -- sqlite:///tmp/gd-desk.db

use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let url = std::env::args().nth(1).unwrap_or_else(|| "sqlite:///tmp/gd-desk.db".into());
    let store = store::Store::connect(&url).await?;
    let cfg = desk::runtime::DeskConfig::load(&store).await?;
    let today = kit::today();
    let t0 = Instant::now();
    let index = desk::case_index::CaseIndex::load(&store).await?;
    let load = t0.elapsed();
    let mut times = Vec::new();
    let mut flagged = 0;
    for _ in 0..20 {
        let t = Instant::now();
        flagged = index.flag(&cfg, today).len();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!("cases in the index: {}; open ones at risk or overdue: {flagged}", index.len());
    println!("index loaded from the database in {:.0} ms (once, at start)", load.as_secs_f64() * 1e3);
    println!("SLA status of every open case: median {:.1} ms, worst {:.1} ms (20 runs)", times[10], times[19]);
    Ok(())
}
