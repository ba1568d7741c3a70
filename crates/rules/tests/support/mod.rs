//! Shared by the conformance suite and the demo-catalog test: YAML profiles to subjects.

#![allow(dead_code)]

use rules::{Award, ColumnsBuilder, FactType, Language, Profile, RuleSet, Subject, Tri, Value};
use serde::Deserialize;
use std::collections::BTreeMap;
use time::Date;

pub fn date(s: &str) -> Date {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &fmt).unwrap_or_else(|e| panic!("bad date {s}: {e}"))
}

#[derive(Debug, Deserialize)]
pub struct YamlAward {
    pub family: String,
    pub category: String,
    pub awarded_on: String,
}

pub fn scalar_str(v: &serde_norway::Value) -> String {
    match v {
        serde_norway::Value::String(s) => s.clone(),
        serde_norway::Value::Number(n) => n.to_string(),
        serde_norway::Value::Bool(b) => b.to_string(),
        other => panic!("expected a scalar, got {other:?}"),
    }
}

/// Builds a subject; every fact absent from `profile` is missing.
pub fn subject(lang: &Language, profile: &BTreeMap<String, serde_norway::Value>, awards: &[YamlAward], as_of: &str) -> Subject {
    let mut p = Profile::new(&lang.catalog);
    for (name, v) in profile {
        let id = lang.catalog.id(name).unwrap_or_else(|| panic!("profile names unknown fact {name}"));
        let value = match lang.catalog.get(id).ty {
            FactType::Int | FactType::Money(_) => Value::Int(v.as_i64().unwrap_or_else(|| panic!("{name}: integer expected"))),
            FactType::Date => Value::date(date(&scalar_str(v))),
            FactType::Enum | FactType::Code => Value::Text(scalar_str(v)),
            FactType::CodeSet => {
                Value::Codes(v.as_sequence().unwrap_or_else(|| panic!("{name}: list expected")).iter().map(scalar_str).collect())
            }
            FactType::Bool => Value::Bool(v.as_bool().unwrap_or_else(|| panic!("{name}: boolean expected"))),
        };
        p.set_named(&lang.catalog, name, value).unwrap();
    }
    let awards =
        awards.iter().map(|a| Award { family: a.family.clone(), category: a.category.clone(), awarded_on: date(&a.awarded_on) }).collect();
    Subject::new(p, awards, date(as_of))
}

/// The columnar evaluator's outcome for one subject and one program of `set`.
pub fn columnar_outcome(lang: &Language, set: &RuleSet, program: usize, s: &Subject) -> Tri {
    let mut b = ColumnsBuilder::new(&lang.catalog, s.as_of);
    b.push(s);
    let m = set.matrix(&b.finish(), &[program]);
    if m.is_eligible(0, 0) {
        Tri::True
    } else if m.is_unknown(0, 0) {
        Tri::Unknown
    } else {
        Tri::False
    }
}
