//! SLA status for a desk-sized queue: 100,000 open cases, a third with 1–3 pauses, over the real
//! 2024–2030 Korean holiday calendar. The desk budget is well under 100 ms for the whole queue.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use domain::sla::{BusinessCalendar, ClockInput, SlaTarget, status};
use time::{Date, Duration, macros::date};

const CASES: usize = 100_000;

fn holidays() -> Vec<Date> {
    let path = ["/work/main/data/holidays/kr-public-holidays-2024-2030.csv", "/work/shared/data/holidays/kr-public-holidays-2024-2030.csv"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("holiday CSV");
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    std::fs::read_to_string(path).unwrap().lines().skip(1).map(|line| Date::parse(line.split(',').next().unwrap(), fmt).unwrap()).collect()
}

struct Case {
    submitted_on: Date,
    target: SlaTarget,
    pauses: std::ops::Range<usize>,
}

/// Deterministic queue: a fixed-seed xorshift picks submission dates over the year before
/// `today`, targets, and for every third case 1–3 sorted pauses, the last sometimes still open.
fn queue(today: Date) -> (Vec<Case>, Vec<(Date, Option<Date>)>) {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |bound: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % bound) as i64
    };
    let (mut cases, mut pauses) = (Vec::with_capacity(CASES), Vec::new());
    for i in 0..CASES {
        let submitted_on = today - Duration::days(next(365));
        let target = SlaTarget { first_response_days: 1 + next(3), resolution_days: 5 + next(26) };
        let first = pauses.len();
        if i % 3 == 0 {
            let mut at = submitted_on + Duration::days(next(10));
            for k in 0..1 + next(3) {
                let len = 1 + next(15);
                let open = k == 2 && next(2) == 0;
                if at >= today {
                    break;
                }
                pauses.push((at, if open { None } else { Some(at + Duration::days(len)) }));
                at += Duration::days(len + next(20));
            }
        }
        cases.push(Case { submitted_on, target, pauses: first..pauses.len() });
    }
    (cases, pauses)
}

fn bench(c: &mut Criterion) {
    let cal = BusinessCalendar::new(holidays(), date!(2024 - 01 - 01), date!(2030 - 12 - 31));
    let today = date!(2026 - 11 - 26);
    let (cases, pauses) = queue(today);
    c.bench_function("sla status, 100k open cases", |b| {
        b.iter(|| {
            let mut breached = 0u32;
            for case in &cases {
                let input = ClockInput {
                    submitted_on: case.submitted_on,
                    first_response_on: None,
                    resolved_on: None,
                    pauses: &pauses[case.pauses.clone()],
                };
                let s = status(&cal, case.target, black_box(&input), today);
                breached += u32::from(s.state == domain::sla::SlaState::Breached);
            }
            black_box(breached)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
