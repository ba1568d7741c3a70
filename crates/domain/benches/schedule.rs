//! Schedule of a 60-step plan, the size the issue budgets at under 1 ms. The graph is shaped like
//! a real playbook: a few chains from the parent's papers and the home report, fanning out after
//! registration, each step waiting for one to three earlier ones. Measured fresh (nothing
//! happened yet) and mid-way (a third of the steps done or started), and with validation, which
//! is what publishing a version costs.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use domain::playbook::{ActualDates, Channel, Playbook, Step, schedule, validate};
use time::{Duration, macros::date};

const STEPS: usize = 60;

fn steps() -> Vec<Step> {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |bound: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % bound) as usize
    };
    (0..STEPS)
        .map(|i| {
            let deps: Vec<String> = if i < 3 {
                Vec::new()
            } else {
                let mut d: Vec<usize> = (0..1 + next(3)).map(|_| i - 1 - next(i.min(8) as u64)).collect();
                d.sort_unstable();
                d.dedup();
                d.into_iter().map(|j| format!("step_{j:02}")).collect()
            };
            Step {
                key: format!("step_{i:02}"),
                title_ko: format!("{i}단계 절차"),
                title_en: format!("Procedure {i}"),
                detail_ko: "관할 기관에 신청서를 제출합니다.".into(),
                detail_en: "File the application with the authority.".into(),
                authority_ko: "관할 기관".into(),
                authority_en: "Competent authority".into(),
                channel: Channel::Either,
                documents_ko: vec!["신청서".into(), "정관".into()],
                documents_en: vec!["Application".into(), "Articles".into()],
                days: 1 + next(30) as u32,
                cost_local: None,
                cost_usd: None,
                depends_on: deps,
                source: "https://example.org/law".into(),
                last_verified: None,
                illustrative: true,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let steps = steps();
    let start = date!(2027 - 01 - 04);
    let today = date!(2027 - 03 - 15);
    let fresh = schedule(&steps, &[], start, start).expect("valid graph");
    assert!(fresh.total_days > 0);

    // Steps in topological order up to a third are done on their planned finish plus a few days'
    // slippage, the next few started.
    let mut actual = vec![ActualDates::default(); STEPS];
    for (n, &i) in fresh.order.iter().enumerate() {
        let s = &fresh.steps[i];
        if n < STEPS / 3 {
            actual[i].started_on = Some(s.earliest_start_on);
            actual[i].done_on = Some(s.earliest_finish_on + Duration::days((n % 4) as i64));
        } else if n < STEPS / 3 + 5 {
            actual[i].started_on = Some(s.earliest_start_on.min(today));
        }
    }

    let playbook = Playbook {
        country: "ID".into(),
        entity_type: "foreign_owned_company".into(),
        name_ko: "외국인투자법인".into(),
        name_en: "Foreign-owned company".into(),
        summary_ko: "요약".into(),
        summary_en: "Summary".into(),
        currency: "IDR".into(),
        min_capital: None,
        foreign_ownership_ko: "허용".into(),
        foreign_ownership_en: "Allowed".into(),
        visas_ko: "취업비자".into(),
        visas_en: "Work visa".into(),
        home_reporting_ko: "해외직접투자 신고".into(),
        home_reporting_en: "Outward direct investment report".into(),
        steps: steps.clone(),
        sources: Vec::new(),
    };

    c.bench_function("schedule 60 steps, fresh plan", |b| b.iter(|| schedule(black_box(&steps), &[], start, start)));
    c.bench_function("schedule 60 steps, a third done", |b| b.iter(|| schedule(black_box(&steps), black_box(&actual), start, today)));
    c.bench_function("validate 60-step playbook", |b| b.iter(|| validate(black_box(&playbook))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
