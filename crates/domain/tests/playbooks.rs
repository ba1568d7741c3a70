//! The shipped country playbooks (`data/playbooks/*.yaml`) load, validate and schedule, in both
//! languages, for all ten markets the issue names. A broken file fails here rather than when an
//! officer first opens the country guide.

use domain::playbook::{Playbook, schedule, validate};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use time::macros::date;

const MARKETS: [&str; 10] = ["VN", "ID", "US", "CN", "JP", "IN", "TH", "MX", "PL", "AE"];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/playbooks")
}

/// File stem → (raw text, playbooks), for every YAML file in the folder.
fn load_all() -> BTreeMap<String, (String, Vec<Playbook>)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir()).expect("data/playbooks exists") {
        let path = entry.unwrap().path();
        if !matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let playbooks: Vec<Playbook> = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        out.insert(stem, (text, playbooks));
    }
    out
}

#[test]
fn all_ten_markets_are_present() {
    let all = load_all();
    let countries: HashSet<&str> = all.values().flat_map(|(_, pbs)| pbs.iter().map(|p| p.country.as_str())).collect();
    for m in MARKETS {
        assert!(all.contains_key(m), "no data/playbooks/{m}.yaml");
        assert!(countries.contains(m), "no playbook for {m}");
    }
    for (stem, (_, pbs)) in &all {
        assert!(!pbs.is_empty(), "{stem}.yaml is empty");
        for p in pbs {
            assert_eq!(&p.country, stem, "{stem}.yaml holds a playbook for {}", p.country);
        }
        let types: HashSet<&str> = pbs.iter().map(|p| p.entity_type.as_str()).collect();
        assert_eq!(types.len(), pbs.len(), "{stem}.yaml repeats an entity type");
    }
}

#[test]
fn every_playbook_validates() {
    for (stem, (_, pbs)) in load_all() {
        for p in &pbs {
            if let Err(errors) = validate(p) {
                panic!("{stem} {}: {errors:?}", p.entity_type);
            }
        }
    }
}

#[test]
fn every_text_is_in_korean_and_english() {
    let hangul = |s: &str| s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
    for (stem, (_, pbs)) in load_all() {
        for p in &pbs {
            let at = format!("{stem} {}", p.entity_type);
            let pairs = [
                ("name", &p.name_ko, &p.name_en),
                ("summary", &p.summary_ko, &p.summary_en),
                ("foreign_ownership", &p.foreign_ownership_ko, &p.foreign_ownership_en),
                ("visas", &p.visas_ko, &p.visas_en),
                ("home_reporting", &p.home_reporting_ko, &p.home_reporting_en),
            ];
            for (field, ko, en) in pairs {
                assert!(hangul(ko), "{at}: {field}_ko is not Korean");
                assert!(!en.trim().is_empty() && !hangul(en), "{at}: {field}_en is empty or not English");
            }
            for s in &p.steps {
                let at = format!("{at} step {}", s.key);
                for (field, ko, en) in [
                    ("title", &s.title_ko, &s.title_en),
                    ("detail", &s.detail_ko, &s.detail_en),
                    ("authority", &s.authority_ko, &s.authority_en),
                ] {
                    assert!(hangul(ko), "{at}: {field}_ko is not Korean");
                    assert!(!en.trim().is_empty() && !hangul(en), "{at}: {field}_en is empty or not English");
                }
                assert_eq!(s.documents_ko.len(), s.documents_en.len(), "{at}: documents differ in number");
                assert!(!s.documents_ko.is_empty(), "{at}: no documents listed");
                for (ko, en) in s.documents_ko.iter().zip(&s.documents_en) {
                    assert!(hangul(ko) && !en.trim().is_empty() && !hangul(en), "{at}: document {ko:?} / {en:?}");
                }
            }
            for src in &p.sources {
                assert!(!src.title.trim().is_empty() && src.url.starts_with("https://"), "{at}: source {src:?}");
            }
        }
    }
}

#[test]
fn every_playbook_schedules() {
    let start = date!(2027 - 01 - 04);
    for (stem, (_, pbs)) in load_all() {
        for p in &pbs {
            let s = schedule(&p.steps, &[], start, start).unwrap_or_else(|e| panic!("{stem} {}: {e}", p.entity_type));
            assert!(s.total_days > 0, "{stem} {}", p.entity_type);
            assert!(!s.critical_path.is_empty(), "{stem} {}", p.entity_type);
            assert_eq!(s.opens_on, start + time::Duration::days(s.total_days));
        }
    }
}

#[test]
fn playbooks_have_the_shape_the_guide_promises() {
    for (stem, (text, pbs)) in load_all() {
        assert!(text.contains("NOT VERIFIED"), "{stem}.yaml lacks the unverified-content header");
        for p in &pbs {
            let at = format!("{stem} {}", p.entity_type);
            assert!((8..=20).contains(&p.steps.len()), "{at}: {} steps", p.steps.len());
            if let Some(m) = &p.min_capital {
                assert_eq!(m.currency, p.currency, "{at}: minimum capital in another currency");
            }
            // The Korean-side report comes first and gates the money or the set-up abroad.
            let report = p.steps.iter().find(|s| s.key == "kr_outward_report").unwrap_or_else(|| panic!("{at}: no kr_outward_report"));
            assert!(report.depends_on.is_empty(), "{at}: the home report should not wait for anything abroad");
            assert!(
                p.steps.iter().any(|s| s.depends_on.iter().any(|d| d == "kr_outward_report")),
                "{at}: no step waits for the home report"
            );
            for s in &p.steps {
                assert!(!s.source.trim().is_empty(), "{at} {}: no source", s.key);
                // The honesty rule: what nobody checked is marked as an estimate.
                if s.last_verified.is_none() {
                    assert!(s.illustrative, "{at} {}: unverified but not marked illustrative", s.key);
                }
            }
        }
    }
}

#[test]
fn dates_in_yaml_are_iso_8601() {
    let yaml = r#"
key: a
title_ko: "가"
title_en: "A"
detail_ko: "가"
detail_en: "A"
authority_ko: "가"
authority_en: "A"
channel: in_person
days: 1
source: "law"
last_verified: 2027-03-01
illustrative: false
"#;
    let s: domain::playbook::Step = serde_norway::from_str(yaml).unwrap();
    assert_eq!(s.last_verified, Some(date!(2027 - 03 - 01)));
    assert!(s.depends_on.is_empty() && s.documents_ko.is_empty());
    assert!(serde_norway::to_string(&s).unwrap().contains("last_verified: 2027-03-01"));
    // A misspelt field is refused rather than dropped.
    let typo = yaml.replace("days: 1", "days: 1\ndepend_on: [b]");
    assert!(serde_norway::from_str::<domain::playbook::Step>(&typo).is_err());
}
