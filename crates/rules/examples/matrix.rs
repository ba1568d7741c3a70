//! One full run of the eligibility matrix with its memory: `cargo run --release -p rules
//! --example matrix -- 1000000 2000`. Prints the time, the distinct leaves, the eligible and
//! unknown pairs and the peak resident memory of the process (VmHWM).

#[path = "../benches/support/synth.rs"]
mod synth;

use rules::{ColumnsBuilder, Language, RuleSet};
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find(|l| l.starts_with("VmHWM")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<f64>().ok()).unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("numbers")).collect();
    let (n, p) = (args.first().copied().unwrap_or(1_000_000), args.get(1).copied().unwrap_or(2000));
    let lang = Language::standard();
    let t = Instant::now();
    let mut rng = synth::Rng::new(42);
    let mut b = ColumnsBuilder::new(&lang.catalog, synth::as_of());
    for _ in 0..n {
        b.push(&synth::company(&mut rng, &lang));
    }
    let cols = b.finish();
    println!(
        "{n} companies generated and stored as columns in {:.2} s; peak RSS so far {:.0} MB",
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    let t = Instant::now();
    let mut set = RuleSet::new();
    for r in synth::programs(p, &lang) {
        set.add(&r, &lang);
    }
    println!("{p} programs compiled in {:.2} ms; {} distinct leaves", t.elapsed().as_secs_f64() * 1e3, set.distinct_leaves());
    let all: Vec<usize> = (0..p).collect();
    for run in 1..=3 {
        let t = Instant::now();
        let m = set.matrix(&cols, &all);
        let secs = t.elapsed().as_secs_f64();
        let (mut e, mut u) = (0usize, 0usize);
        for i in 0..p {
            let (a, b) = m.count(i);
            e += a;
            u += b;
        }
        println!(
            "run {run}: {n} x {p} full matrix in {secs:.3} s ({:.2} G decisions/s); eligible pairs {e}, unknown pairs {u}; result bitsets {:.0} MB; peak RSS {:.0} MB",
            (n * p) as f64 / secs / 1e9,
            m.heap_bytes() as f64 / 1e6,
            peak_rss_mb()
        );
    }
}
