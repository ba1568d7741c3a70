//! Criterion benchmarks for the figures issue 3 names (see BENCHMARKS.md):
//! one company × 2,000 programs with the trace and explanations; one newly published program
//! × 1,000,000 companies; 1,000,000 × 2,000 full matrix (a few samples: it takes ~1 s).

#[path = "support/synth.rs"]
mod synth;

use criterion::{Criterion, criterion_group, criterion_main};
use rules::{ColumnsBuilder, Language, RuleSet, Tri};
use std::hint::black_box;
use std::time::Duration;

fn one_company(c: &mut Criterion) {
    let lang = Language::standard();
    let mut set = RuleSet::new();
    for r in synth::programs(2000, &lang) {
        set.add(&r, &lang);
    }
    let mut rng = synth::Rng::new(7);
    let companies: Vec<_> = (0..256).map(|_| synth::company(&mut rng, &lang)).collect();
    let mut i = 0;
    c.bench_function("one company x 2000 programs: outcomes, scores, trace", |b| {
        b.iter(|| {
            i = (i + 1) % companies.len();
            let mut ev = set.evaluate(&companies[i]);
            let mut eligible = 0;
            for p in 0..set.len() {
                if ev.outcome(p) == Tri::True {
                    eligible += ev.score(p);
                }
            }
            black_box(eligible)
        })
    });
    c.bench_function("one company x 2000 programs + explanations of the 20 best and 5 nearest misses", |b| {
        b.iter(|| {
            i = (i + 1) % companies.len();
            let mut ev = set.evaluate(&companies[i]);
            let mut scored: Vec<(i64, usize)> = Vec::new();
            for p in 0..set.len() {
                if ev.outcome(p) == Tri::True {
                    scored.push((ev.score(p), p));
                }
            }
            scored.sort_unstable_by(|a, b| b.cmp(a));
            let mut n = 0;
            for &(_, p) in scored.iter().take(20) {
                n += ev.explain(p, &lang).requirements.len();
            }
            let mut near = 0;
            for p in 0..set.len() {
                if near == 5 {
                    break;
                }
                if ev.outcome(p) == Tri::False && ev.requirement_counts(p) == (1, 0) {
                    near += 1;
                    n += ev.explain(p, &lang).requirements.len();
                }
            }
            black_box(n)
        })
    });
}

fn columns(n: usize, lang: &Language) -> rules::Columns {
    let mut rng = synth::Rng::new(42);
    let mut b = ColumnsBuilder::new(&lang.catalog, synth::as_of());
    for _ in 0..n {
        b.push(&synth::company(&mut rng, lang));
    }
    b.finish()
}

fn million(c: &mut Criterion) {
    let lang = Language::standard();
    let cols = columns(1_000_000, &lang);
    let mut set = RuleSet::new();
    for r in synth::programs(2000, &lang) {
        set.add(&r, &lang);
    }
    let mut g = c.benchmark_group("1,000,000 companies");
    g.sample_size(20);
    let mut k = 0;
    g.bench_function("one new program (fan-out)", |b| {
        b.iter(|| {
            k = (k + 1) % 2000;
            black_box(set.matrix(&cols, &[k]).count(0))
        })
    });
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let all: Vec<usize> = (0..2000).collect();
    g.bench_function("x 2000 programs, full matrix", |b| b.iter(|| black_box(set.matrix(&cols, &all).programs())));
    g.finish();
}

criterion_group!(benches, one_company, million);
criterion_main!(benches);
