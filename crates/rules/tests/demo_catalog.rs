//! The demo programme catalogue (data/programs/catalog.yaml, described in its SOURCE.md): every
//! entry is well formed, every rule parses and type-checks against the standard catalogue and
//! round-trips through both forms, and every test case comes out as the entry says, with the
//! row evaluator (one rule set holding all programs) and the columnar evaluator agreeing.

mod support;

use rules::{Language, Rule, RuleSet, Tri};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use support::{YamlAward, date, scalar_str, subject};

const AGENCIES: [&str; 6] = ["MSS", "KOTRA", "KOSME", "KSURE", "BUSAN", "KCS"];
use rules::catalog::{EXPORT_STAGES as STAGES, PROGRAM_CATEGORIES as CATEGORIES};
const EXPECTS: [&str; 3] = ["eligible", "not_eligible", "unknown"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Program {
    key: String,
    agency: String,
    family: String,
    category: String,
    title_ko: String,
    title_en: String,
    summary_ko: String,
    summary_en: String,
    benefit_krw: Option<i64>,
    copay_pct: Option<i64>,
    apply_from: Option<serde_norway::Value>,
    apply_to: Option<serde_norway::Value>,
    effective_from: serde_norway::Value,
    effective_to: Option<serde_norway::Value>,
    target_stages: Vec<String>,
    documents_ko: Vec<String>,
    documents_en: Vec<String>,
    url: String,
    capacity: Option<i64>,
    illustrative: bool,
    rule: String,
    tests: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    as_of: serde_norway::Value,
    profile: BTreeMap<String, serde_norway::Value>,
    #[serde(default)]
    awards: Vec<YamlAward>,
    expect: String,
}

fn load() -> Vec<Program> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/programs/catalog.yaml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Problems with an entry's fields (not its rule), one message per problem.
fn check_fields(p: &Program) -> Vec<String> {
    let mut errs = Vec::new();
    let mut bad = |m: String| errs.push(format!("{}: {m}", p.key));
    if !is_slug(&p.key) {
        bad("key is not a lowercase-hyphen id".into());
    }
    if !is_slug(&p.family) {
        bad(format!("family {:?} is not a lowercase-hyphen id", p.family));
    }
    if !AGENCIES.contains(&p.agency.as_str()) {
        bad(format!("unknown agency {:?}", p.agency));
    }
    if !CATEGORIES.contains(&p.category.as_str()) {
        bad(format!("unknown category {:?}", p.category));
    }
    for (name, v) in [("title_ko", &p.title_ko), ("title_en", &p.title_en), ("summary_ko", &p.summary_ko), ("summary_en", &p.summary_en)] {
        if v.trim().is_empty() {
            bad(format!("{name} is empty"));
        }
    }
    if p.target_stages.is_empty() || p.target_stages.iter().any(|s| !STAGES.contains(&s.as_str())) {
        bad(format!("target_stages {:?} not a non-empty subset of {STAGES:?}", p.target_stages));
    }
    if p.documents_ko.is_empty() || p.documents_ko.len() != p.documents_en.len() {
        bad("documents_ko and documents_en must be non-empty parallel lists".into());
    }
    if !p.url.starts_with("https://") || !p.url.ends_with('/') || p.url["https://".len()..].trim_end_matches('/').contains('/') {
        bad(format!("url {:?} is not a home page", p.url));
    }
    if p.copay_pct.is_some_and(|c| !(0..=100).contains(&c)) {
        bad("copay_pct outside 0-100".into());
    }
    if p.benefit_krw.is_some_and(|b| b <= 0) || p.capacity.is_some_and(|c| c <= 0) {
        bad("benefit_krw and capacity must be positive".into());
    }
    if !p.illustrative {
        bad("every demo entry is illustrative".into());
    }
    let d = |v: &serde_norway::Value| date(&scalar_str(v));
    let in_range = |v: &serde_norway::Value| (2026..=2027).contains(&d(v).year());
    match (&p.apply_from, &p.apply_to) {
        (Some(f), Some(t)) => {
            if d(f) > d(t) || !in_range(f) || !in_range(t) {
                bad("application window out of order or outside 2026-2027".into());
            }
        }
        (None, None) => {}
        _ => bad("apply_from and apply_to go together".into()),
    }
    if !in_range(&p.effective_from) {
        bad("effective_from outside 2026-2027".into());
    }
    if let Some(t) = &p.effective_to
        && d(t) < d(&p.effective_from)
    {
        bad("effective_to before effective_from".into());
    }
    let expects: HashSet<&str> = p.tests.iter().map(|c| c.expect.as_str()).collect();
    if let Some(e) = expects.iter().find(|e| !EXPECTS.contains(e)) {
        bad(format!("unknown expected outcome {e:?}"));
    }
    if !expects.contains("eligible") || !expects.contains("not_eligible") {
        bad("tests need at least one eligible and one not_eligible case".into());
    }
    errs
}

#[test]
fn demo_catalog_is_well_formed_and_its_tests_pass() {
    let lang = Language::standard();
    let programs = load();
    assert!(programs.len() >= 30, "the demo catalogue needs at least 30 programs, has {}", programs.len());

    let mut failures = Vec::new();
    let mut keys = HashSet::new();
    for p in &programs {
        if !keys.insert(p.key.as_str()) {
            failures.push(format!("duplicate key {}", p.key));
        }
        failures.extend(check_fields(p));
    }
    let agencies: HashSet<&str> = programs.iter().map(|p| p.agency.as_str()).collect();
    assert_eq!(agencies.len(), AGENCIES.len(), "every seeded agency should have programs: {agencies:?}");

    // Parse and type-check every rule; check both forms round-trip.
    let mut parsed: Vec<Option<Rule>> = Vec::new();
    for p in &programs {
        let rule = match rules::parse(&p.rule, &lang) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: rule does not parse: {e}", p.key));
                parsed.push(None);
                continue;
            }
        };
        match rules::parse(&rule.to_text(), &lang) {
            Ok(again) if again == rule => {}
            Ok(_) => failures.push(format!("{}: text round trip changed the rule:\n{}", p.key, rule.to_text())),
            Err(e) => failures.push(format!("{}: canonical text does not parse: {e}", p.key)),
        }
        match Rule::from_json(&rule.to_json(), &lang) {
            Ok(again) if again == rule => {}
            Ok(_) => failures.push(format!("{}: JSON round trip changed the rule", p.key)),
            Err(e) => failures.push(format!("{}: JSON form does not parse: {e}", p.key)),
        }
        parsed.push(Some(rule));
    }

    // One rule set with every program, as the platform compiles them.
    let mut set = RuleSet::new();
    let index: Vec<Option<usize>> = parsed.iter().map(|r| r.as_ref().map(|r| set.add(r, &lang))).collect();

    let (mut cases, mut outcomes) = (0, BTreeMap::<&str, usize>::new());
    for (p, idx) in programs.iter().zip(&index) {
        let Some(idx) = *idx else { continue };
        let mut names = HashSet::new();
        for c in &p.tests {
            cases += 1;
            if !names.insert(c.name.as_str()) {
                failures.push(format!("{}: duplicate test name {:?}", p.key, c.name));
            }
            let s = subject(&lang, &c.profile, &c.awards, &scalar_str(&c.as_of));
            let mut ev = set.evaluate(&s);
            let ex = ev.explain(idx, &lang);
            let got = ex.outcome.as_str();
            *outcomes.entry(got).or_default() += 1;
            if got != c.expect {
                failures.push(format!(
                    "{} / {}: outcome {got}, expected {} (failing {:?}, missing {:?})",
                    p.key, c.name, c.expect, ex.failing, ex.missing
                ));
                continue;
            }
            if ex.outcome == Tri::Unknown && ex.missing.is_empty() {
                failures.push(format!("{} / {}: unknown without missing facts", p.key, c.name));
            }
            // A not-eligible decision may still list the facts behind other, unknown requirements
            // (docs/rules.md §9); an eligible one has none.
            if ex.outcome == Tri::True && !ex.missing.is_empty() {
                failures.push(format!("{} / {}: eligible but lists missing facts {:?}", p.key, c.name, ex.missing));
            }
            if ex.outcome == Tri::False && ex.failing.is_empty() {
                failures.push(format!("{} / {}: not eligible without a failing requirement", p.key, c.name));
            }

            // The columnar evaluator agrees with the row evaluator.
            let col = support::columnar_outcome(&lang, &set, idx, &s);
            if col != ex.outcome {
                failures.push(format!("{} / {}: columnar evaluator says {}, row evaluator {got}", p.key, c.name, col.as_str()));
            }
        }
    }
    eprintln!("demo catalogue: {} programs, {cases} test cases, outcomes {outcomes:?}, {} failures", programs.len(), failures.len());
    assert!(outcomes.get("unknown").copied().unwrap_or(0) > 0, "some cases should exercise missing optional facts");
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}
