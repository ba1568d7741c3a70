//! GlobalDesk half of the OpenFisca side-by-side benchmark (bench/side-by-side/run.sh).
//!
//!     cargo run --release -p rules --example side_by_side -- companies.csv rules20.gdr [--big]
//!
//! Reads the synthetic companies (a CSV without quoted fields, written by gen_companies.py) and
//! the programs (blocks separated by a line `---`, each opening with a `# pNN description`
//! line that is removed before parsing, since rule text has no comments). Evaluates as of
//! 2026-11-26 and times:
//!   columns   building the columns from the parsed rows (profile + subject per company)
//!   batch     columnar evaluator, N companies x the programs, best of 5 (all rayon threads,
//!             and again on one thread, as OpenFisca runs on one)
//!   single    row evaluator, one company x the programs, median over up to 20,000 companies
//!             (evaluation only; and with building the company's profile and subject)
//!   big       with --big: the programs copied 100 times (2,000 compiled programs), N companies,
//!             columnar, median of 3
//! It also checks the row evaluator against the columnar one on every company and program.
//! Prints eligible counts per program; the last line is one JSON object.

use rules::catalog::ids;
use rules::{Award, ColumnsBuilder, Language, Profile, RuleSet, Subject, Tri, Value};
use std::time::Instant;
use time::{Date, Month};

const COPIES_BIG: usize = 100;
const SINGLE_SAMPLE: usize = 20_000;

/// One CSV row, already parsed into typed values (parsing is not timed).
struct Row {
    employees: i64,
    revenue_krw: i64,
    exports_usd: i64,
    founded_on: Date,
    region: String,
    ksic: String,
    export_stage: String,
    size_class: String,
    target_countries: Vec<String>,
    venture_certified: Option<bool>,
    rnd_spend_krw: Option<i64>,
    last_voucher_on: Option<Date>,
}

fn fail(msg: String) -> ! {
    eprintln!("side_by_side: {msg}");
    std::process::exit(2)
}

fn date(s: &str) -> Result<Date, String> {
    let parts: Vec<&str> = s.split('-').collect();
    let bad = || format!("bad date {s:?}");
    if parts.len() != 3 {
        return Err(bad());
    }
    let y: i32 = parts[0].parse().map_err(|_| bad())?;
    let m: u8 = parts[1].parse().map_err(|_| bad())?;
    let d: u8 = parts[2].parse().map_err(|_| bad())?;
    Date::from_calendar_date(y, Month::try_from(m).map_err(|_| bad())?, d).map_err(|_| bad())
}

fn read_rows(path: &str) -> Result<Vec<Row>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty CSV")?.split(',').collect();
    let want = [
        "employees",
        "revenue_krw",
        "exports_usd",
        "founded_on",
        "region",
        "ksic",
        "export_stage",
        "size_class",
        "target_countries",
        "venture_certified",
        "rnd_spend_krw",
        "last_voucher_on",
    ];
    if header != want {
        return Err(format!("unexpected header {header:?}"));
    }
    let int = |s: &str, line: usize| s.parse::<i64>().map_err(|_| format!("line {line}: bad integer {s:?}"));
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != want.len() {
            return Err(format!("line {n}: {} fields, expected {}", f.len(), want.len()));
        }
        rows.push(Row {
            employees: int(f[0], n)?,
            revenue_krw: int(f[1], n)?,
            exports_usd: int(f[2], n)?,
            founded_on: date(f[3]).map_err(|e| format!("line {n}: {e}"))?,
            region: f[4].to_string(),
            ksic: f[5].to_string(),
            export_stage: f[6].to_string(),
            size_class: f[7].to_string(),
            target_countries: if f[8].is_empty() { Vec::new() } else { f[8].split(';').map(str::to_string).collect() },
            venture_certified: match f[9] {
                "" => None,
                "1" => Some(true),
                "0" => Some(false),
                other => return Err(format!("line {n}: bad venture_certified {other:?}")),
            },
            rnd_spend_krw: if f[10].is_empty() { None } else { Some(int(f[10], n)?) },
            last_voucher_on: if f[11].is_empty() { None } else { Some(date(f[11]).map_err(|e| format!("line {n}: {e}"))?) },
        });
    }
    Ok(rows)
}

/// (header, rule text) per block; the `#` header line is not part of the rule.
fn read_programs(path: &str) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut blocks = vec![(String::new(), String::new())];
    for line in text.lines() {
        if line.trim() == "---" {
            blocks.push((String::new(), String::new()));
            continue;
        }
        let (head, body) = blocks.last_mut().expect("one block");
        if let Some(h) = line.trim_start().strip_prefix('#') {
            *head = h.trim().to_string();
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    blocks.retain(|(h, b)| !(h.is_empty() && b.trim().is_empty()));
    Ok(blocks)
}

fn subject(lang: &Language, r: &Row, as_of: Date) -> Subject {
    let mut p = Profile::new(&lang.catalog);
    p.set(ids::EMPLOYEES, Some(Value::Int(r.employees)));
    p.set(ids::REVENUE_KRW, Some(Value::Int(r.revenue_krw)));
    p.set(ids::EXPORTS_USD, Some(Value::Int(r.exports_usd)));
    p.set(ids::FOUNDED_ON, Some(Value::date(r.founded_on)));
    p.set(ids::REGION, Some(Value::Text(r.region.clone())));
    p.set(ids::KSIC, Some(Value::Text(r.ksic.clone())));
    p.set(ids::EXPORT_STAGE, Some(Value::Text(r.export_stage.clone())));
    p.set(ids::SIZE_CLASS, Some(Value::Text(r.size_class.clone())));
    // Always-known sets the CSV does not carry: known and empty.
    p.set(ids::PRODUCTS, Some(Value::Codes(Vec::new())));
    p.set(ids::EXPORT_COUNTRIES, Some(Value::Codes(Vec::new())));
    p.set(ids::TARGET_COUNTRIES, Some(Value::Codes(r.target_countries.clone())));
    p.set(ids::VENTURE_CERTIFIED, r.venture_certified.map(Value::Bool));
    p.set(ids::RND_SPEND_KRW, r.rnd_spend_krw.map(Value::Int));
    let awards = r
        .last_voucher_on
        .map(|d| Award { family: "export-voucher".into(), category: "export-marketing".into(), awarded_on: d })
        .into_iter()
        .collect();
    Subject::new(p, awards, as_of)
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let big = args.iter().any(|a| a == "--big");
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if paths.len() != 2 {
        fail("usage: side_by_side companies.csv rules.gdr [--big]".into());
    }
    let as_of = Date::from_calendar_date(2026, Month::November, 26).expect("valid date");
    let lang = Language::standard();

    let rows = read_rows(paths[0]).unwrap_or_else(|e| fail(e));
    let programs = read_programs(paths[1]).unwrap_or_else(|e| fail(e));
    let n = rows.len();
    if n == 0 {
        fail("no companies".into());
    }

    let start = Instant::now();
    let mut set = RuleSet::new();
    let mut parsed = Vec::new();
    for (head, text) in &programs {
        let rule = rules::parse(text, &lang).unwrap_or_else(|e| fail(format!("program {head}: {e}")));
        set.add(&rule, &lang);
        parsed.push(rule);
    }
    let compile_ms = ms(start);
    let k = set.len();
    let all: Vec<usize> = (0..k).collect();
    println!(
        "GlobalDesk rules crate: {k} programs parsed and compiled in {compile_ms:.2} ms ({} distinct leaf conditions), N={n}, as of {as_of}, {} rayon threads",
        set.distinct_leaves(),
        rayon::current_num_threads()
    );

    // Columns: one profile and subject per company, pushed into the builder.
    let mut build_times = Vec::new();
    let mut cols = None;
    for _ in 0..3 {
        let start = Instant::now();
        let mut b = ColumnsBuilder::new(&lang.catalog, as_of);
        for r in &rows {
            b.push(&subject(&lang, r, as_of));
        }
        cols = Some(b.finish());
        build_times.push(ms(start));
    }
    let cols = cols.expect("built");
    let columns_ms = median(&mut build_times);
    // Of which: making the profiles and subjects alone (owned strings and lists per company).
    let mut subject_times = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        for r in &rows {
            std::hint::black_box(subject(&lang, r, as_of));
        }
        subject_times.push(ms(start));
    }
    let subjects_ms = median(&mut subject_times);

    // (a) batch, columnar.
    let mut best = f64::INFINITY;
    let mut matrix = None;
    for _ in 0..5 {
        let start = Instant::now();
        let m = set.matrix(&cols, &all);
        best = best.min(ms(start));
        matrix = Some(m);
    }
    let matrix = matrix.expect("ran");
    let batch_ms = best;
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("thread pool");
    let mut best_1t = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        let m = one_thread.install(|| set.matrix(&cols, &all));
        best_1t = best_1t.min(ms(start));
        drop(m);
    }
    let counts: Vec<usize> = (0..k).map(|p| matrix.count(p).0).collect();
    let unknown: Vec<usize> = (0..k).map(|p| matrix.count(p).1).collect();
    println!(
        "batch {n} x {k}: columns built in {columns_ms:.1} ms (median of 3; making the {n} subjects alone {subjects_ms:.1} ms); columnar evaluation best of 5 {batch_ms:.2} ms ({best_1t:.2} ms on 1 thread)"
    );

    // (b) one company x all programs, row evaluator; and the row/columnar cross-check.
    let subjects: Vec<Subject> = rows.iter().map(|r| subject(&lang, r, as_of)).collect();
    let mut mismatches = 0usize;
    let mut first_mismatch = None;
    let mut row_counts = vec![0usize; k];
    for (i, s) in subjects.iter().enumerate() {
        let mut ev = set.evaluate(s);
        for (p, count) in row_counts.iter_mut().enumerate() {
            let t = ev.outcome(p);
            *count += usize::from(t == Tri::True);
            let col = if matrix.is_eligible(p, i) {
                Tri::True
            } else if matrix.is_unknown(p, i) {
                Tri::Unknown
            } else {
                Tri::False
            };
            if col != t {
                mismatches += 1;
                first_mismatch.get_or_insert((i, p, t, col));
            }
        }
    }
    let sample = n.min(SINGLE_SAMPLE);
    let mut eval_us = Vec::with_capacity(sample);
    let mut eligible_seen = 0usize;
    for s in &subjects[..sample] {
        let start = Instant::now();
        let mut ev = set.evaluate(s);
        let e = (0..k).filter(|&p| ev.outcome(p) == Tri::True).count();
        eval_us.push(start.elapsed().as_secs_f64() * 1e6);
        eligible_seen += e;
    }
    let mut with_build_us = Vec::with_capacity(sample);
    for r in &rows[..sample] {
        let start = Instant::now();
        let s = subject(&lang, r, as_of);
        let mut ev = set.evaluate(&s);
        let e = (0..k).filter(|&p| ev.outcome(p) == Tri::True).count();
        with_build_us.push(start.elapsed().as_secs_f64() * 1e6);
        eligible_seen += e;
    }
    let single_us = median(&mut eval_us);
    let single_build_us = median(&mut with_build_us);
    std::hint::black_box(eligible_seen);
    println!(
        "single 1 x {k}: row evaluator median {single_us:.2} us over {sample} companies; {single_build_us:.2} us including building the profile and subject"
    );
    println!(
        "row evaluator vs columnar on all {n} x {k}: {}",
        if mismatches == 0 { "identical".to_string() } else { format!("{mismatches} DIFFERENT outcomes, first {first_mismatch:?}") }
    );
    drop(subjects);

    let mut out = format!(
        "{{\"engine\": \"globaldesk rules\", \"n\": {n}, \"threads\": {}, \"compile_ms\": {compile_ms:.3}, \"distinct_leaves\": {}, \"columns_ms\": {columns_ms:.3}, \"subjects_ms\": {subjects_ms:.3}, \"batch_ms\": {batch_ms:.3}, \"batch_1t_ms\": {best_1t:.3}, \"single_us\": {single_us:.3}, \"single_with_build_us\": {single_build_us:.3}, \"row_columnar_mismatches\": {mismatches}",
        rayon::current_num_threads(),
        set.distinct_leaves()
    );

    // (c) the programs copied 100 times.
    if big {
        let start = Instant::now();
        let mut big_set = RuleSet::new();
        for _ in 0..COPIES_BIG {
            for rule in &parsed {
                big_set.add(rule, &lang);
            }
        }
        let big_compile_ms = ms(start);
        let big_all: Vec<usize> = (0..big_set.len()).collect();
        let mut times = Vec::new();
        let mut big_counts = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let m = big_set.matrix(&cols, &big_all);
            times.push(ms(start));
            big_counts = (0..m.programs()).map(|p| m.count(p).0).collect();
        }
        let big_ms = median(&mut times);
        let ok = big_counts.chunks(k).all(|c| c == counts.as_slice());
        println!(
            "big {n} x {}: compiled in {big_compile_ms:.1} ms ({} distinct leaves), columnar median of 3 {big_ms:.1} ms, copies agree: {ok}",
            big_all.len(),
            big_set.distinct_leaves()
        );
        out.push_str(&format!(
            ", \"big_programs\": {}, \"big_compile_ms\": {big_compile_ms:.3}, \"big_ms\": {big_ms:.3}, \"big_counts_ok\": {ok}",
            big_all.len()
        ));
    }

    for (p, (head, _)) in programs.iter().enumerate() {
        println!("  {head:<60.60} eligible {:>7}  unknown {:>7}", counts[p], unknown[p]);
    }
    if row_counts != counts {
        println!("row evaluator eligible counts differ: {row_counts:?}");
    }
    let list = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
    out.push_str(&format!(", \"counts\": [{}], \"unknown\": [{}]}}", list(&counts), list(&unknown)));
    println!("{out}");
}
