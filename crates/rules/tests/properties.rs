//! Property tests: the row and columnar evaluators agree on random companies and random rules;
//! both forms round-trip; the parser never panics, whatever it is given.

use proptest::prelude::*;
use rules::{Award, ColumnsBuilder, Language, Profile, Rule, RuleSet, Subject, Tri, Value};
use std::sync::OnceLock;
use time::{Date, Month};

fn lang() -> &'static Language {
    static L: OnceLock<Language> = OnceLock::new();
    L.get_or_init(Language::standard)
}

const REGIONS: [&str; 5] = ["11", "26", "27", "41", "48"];
const KSIC: [&str; 6] = ["C26", "C10", "J58", "J62", "G46", "M72"];
const HS: [&str; 6] = ["847130", "8517", "330499", "85", "220210", "610910"];
const COUNTRIES: [&str; 6] = ["VN", "ID", "US", "JP", "CN", "DE"];
const STAGES: [&str; 5] = ["domestic", "novice", "promising", "growth", "established"];
const SIZES: [&str; 4] = ["micro", "small", "medium", "above_sme"];

fn day(n: i32) -> Date {
    Date::from_calendar_date(2000, Month::January, 1).unwrap() + time::Duration::days(i64::from(n))
}

fn opt<T: std::fmt::Debug + Clone + 'static>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    prop_oneof![1 => Just(None), 4 => s.prop_map(Some)]
}

fn subset(items: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(items, 0..=3).prop_map(|v| v.into_iter().map(str::to_string).collect())
}

prop_compose! {
    fn subject()(
        employees in opt(0i64..400),
        revenue in opt(0i64..200_000_000_000),
        exports in opt(0i64..6_000_000),
        founded in opt(0i32..9500),
        region in opt(proptest::sample::select(&REGIONS[..])),
        ksic in opt(proptest::sample::select(&KSIC[..])),
        stage in opt(proptest::sample::select(&STAGES[..])),
        size in opt(proptest::sample::select(&SIZES[..])),
        products in opt(subset(&HS)),
        targets in opt(subset(&COUNTRIES)),
        venture in opt(any::<bool>()),
        rnd in opt(0i64..2_000_000_000),
        awards in proptest::collection::vec((0usize..2, 8500i32..9700), 0..3),
    ) -> Subject {
        let l = lang();
        let mut p = Profile::new(&l.catalog);
        let mut set = |name: &str, v: Option<Value>| if let Some(v) = v { p.set_named(&l.catalog, name, v).unwrap() };
        set("employees", employees.map(Value::Int));
        set("revenue_krw", revenue.map(Value::Int));
        set("exports_usd", exports.map(Value::Int));
        set("founded_on", founded.map(|d| Value::date(day(d))));
        set("region", region.map(|s| Value::Text(s.into())));
        set("ksic", ksic.map(|s| Value::Text(s.into())));
        set("export_stage", stage.map(|s| Value::Text(s.into())));
        set("size_class", size.map(|s| Value::Text(s.into())));
        set("products", products.map(Value::Codes));
        set("target_countries", targets.map(Value::Codes));
        set("venture_certified", venture.map(Value::Bool));
        set("rnd_spend_krw", rnd.map(Value::Int));
        let awards = awards.into_iter().map(|(f, d)| Award {
            family: ["export-voucher", "branch"][f].into(),
            category: ["export_voucher", "overseas_marketing"][f].into(),
            awarded_on: day(d),
        }).collect();
        Subject::new(p, awards, day(9677)) // 2026-06-30
    }
}

fn quoted(v: &[&str]) -> String {
    v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..400, proptest::sample::select(&["<", "<=", ">", ">=", "==", "!="][..])).prop_map(|(n, op)| format!("employees {op} {n}")),
        (0i64..6_000_000).prop_map(|n| format!("exports_usd < {n}")),
        (0i64..100_000_000_000, 0i64..100_000_000_000).prop_map(|(a, b)| format!("revenue_krw between {} and {}", a.min(b), a.max(b))),
        (0i64..30).prop_map(|n| format!("age_years >= {n}")),
        (0i32..9500).prop_map(|d| format!("founded_on < {}", rules::Lit::Date(day(d)))),
        proptest::sample::subsequence(&REGIONS[..], 1..3).prop_map(|v| format!("region in [{}]", quoted(&v))),
        proptest::sample::subsequence(&REGIONS[..], 1..3).prop_map(|v| format!("region not in [{}]", quoted(&v))),
        proptest::sample::subsequence(&["C", "J", "C26", "J6", "G"][..], 1..3).prop_map(|v| format!("ksic prefix_in [{}]", quoted(&v))),
        proptest::sample::subsequence(&["84", "8517", "33", "6109"][..], 1..3).prop_map(|v| format!("products prefix_in [{}]", quoted(&v))),
        proptest::sample::subsequence(&COUNTRIES[..], 1..3).prop_map(|v| format!("target_countries intersects [{}]", quoted(&v))),
        proptest::sample::select(&STAGES[..]).prop_map(|s| format!("export_stage == \"{s}\"")),
        Just("venture_certified".to_string()),
        Just("missing(venture_certified)".to_string()),
        (0i64..2_000_000_000).prop_map(|n| format!("rnd_spend_krw >= {n}")),
        proptest::sample::select(&["sme", "novice_exporter", "startup", "manufacturer", "non_capital_region"][..]).prop_map(str::to_string),
        (1i64..4).prop_map(|n| format!("received_within(\"export-voucher\", {n})")),
        (0i64..3).prop_map(|n| format!("awards_this_year(\"overseas_marketing\") < {n}")),
    ]
}

fn cond() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(|v| format!("({})", v.join(" and "))),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(|v| format!("({})", v.join(" or "))),
            inner.clone().prop_map(|c| format!("not ({c})")),
            (proptest::collection::vec(inner, 2..4), 1u32..3).prop_map(|(v, k)| format!(
                "at_least({}, [{}])",
                k.min(v.len() as u32),
                v.join(", ")
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn row_and_columnar_agree(rule_texts in proptest::collection::vec(cond(), 1..6), subjects in proptest::collection::vec(subject(), 1..70)) {
        let l = lang();
        let mut set = RuleSet::new();
        let mut programs = Vec::new();
        for t in &rule_texts {
            let rule = rules::parse(&format!("eligible if {t}"), l).unwrap();
            programs.push(set.add(&rule, l));
        }
        let mut b = ColumnsBuilder::new(&l.catalog, subjects[0].as_of);
        for s in &subjects { b.push(s); }
        let cols = b.finish();
        let m = set.matrix(&cols, &programs);
        for (row, s) in subjects.iter().enumerate() {
            let mut ev = set.evaluate(s);
            for (i, &p) in programs.iter().enumerate() {
                let want = ev.outcome(p);
                let got = if m.is_eligible(i, row) { Tri::True } else if m.is_unknown(i, row) { Tri::Unknown } else { Tri::False };
                prop_assert_eq!(got, want, "program {} ({}) row {}", p, rule_texts[i], row);
            }
        }
    }

    #[test]
    fn both_forms_round_trip(t in cond(), pts in proptest::collection::vec((-50i64..50, leaf()), 0..3)) {
        let l = lang();
        let mut text = format!("eligible if {t}");
        if !pts.is_empty() {
            text.push_str("\npoints\n");
            for (n, c) in &pts { text.push_str(&format!("  {n} if {c}\n")); }
        }
        let rule = rules::parse(&text, l).unwrap();
        prop_assert_eq!(&rules::parse(&rule.to_text(), l).unwrap(), &rule);
        prop_assert_eq!(&Rule::from_json(&rule.to_json(), l).unwrap(), &rule);
    }

    #[test]
    fn parser_never_panics(s in "\\PC{0,200}") {
        let _ = rules::parse(&s, lang());
        let _ = rules::parse_any(&s, lang());
    }

    #[test]
    fn parser_never_panics_on_near_rules(t in cond(), cut in 0usize..400, junk in "[()\\[\\],\"<>=! a-z0-9_-]{0,6}") {
        let text = format!("eligible if {t}");
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) { cut -= 1; }
        let mangled = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        let _ = rules::parse(&mangled, lang());
    }
}

/// `at_least` over more conditions than a byte can count (the limit allows ~500).
#[test]
fn at_least_over_many_conditions_agrees() {
    let l = lang();
    let items: Vec<String> = (0..300).map(|i| format!("employees > {i}")).collect();
    let rule = rules::parse(&format!("eligible if at_least(256, [{}])", items.join(", ")), l).unwrap();
    let mut set = RuleSet::new();
    let p = set.add(&rule, l);
    let subjects: Vec<Subject> = [0i64, 10, 255, 256, 400]
        .iter()
        .map(|&n| {
            let mut prof = Profile::new(&l.catalog);
            prof.set_named(&l.catalog, "employees", Value::Int(n)).unwrap();
            Subject::new(prof, vec![], day(9677))
        })
        .collect();
    let mut b = ColumnsBuilder::new(&l.catalog, subjects[0].as_of);
    subjects.iter().for_each(|s| b.push(s));
    let m = set.matrix(&b.finish(), &[p]);
    for (row, s) in subjects.iter().enumerate() {
        let want = set.evaluate(s).outcome(p);
        assert_eq!(m.is_eligible(0, row), want == Tri::True, "row {row}");
    }
    assert!(!m.is_eligible(0, 0) && m.is_eligible(0, 3), "256 of 300 needs more than 255 employees");
}

/// The smallest integer survives both round trips.
#[test]
fn smallest_integer_round_trips() {
    let l = lang();
    let rule = Rule::from_json(&serde_json::json!({"when": {"fact": "employees", "op": ">", "value": i64::MIN}}), l).unwrap();
    assert_eq!(rules::parse(&rule.to_text(), l).unwrap(), rule);
}
