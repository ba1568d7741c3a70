//! The language a rule is checked against: the fact catalogue plus the named predicates, and
//! the checks every condition must pass whichever form (text or JSON) it came in.

use crate::ast::{CmpOp, Cond, Lit};
use crate::catalog::{Catalog, FactDef, FactType, nearest};
use crate::error::ErrorKind;
use std::collections::HashMap;

pub const MAX_CONDITIONS: usize = 500;
pub const MAX_DEPTH: usize = 16;
pub const MAX_TEXT_BYTES: usize = 20_000;
pub const MAX_LIST: usize = 1_000;

/// A shared, labelled condition with a legal reference (docs/rules.md §4).
#[derive(Debug, Clone)]
pub struct Predicate {
    pub name: &'static str,
    pub label_ko: &'static str,
    pub label_en: &'static str,
    pub legal_ref_ko: &'static str,
    pub legal_ref_en: &'static str,
    /// True when the definition simplifies the law or its thresholds were not verified.
    pub illustrative: bool,
    pub cond: Cond,
}

pub struct Language {
    pub catalog: Catalog,
    predicates: Vec<Predicate>,
    by_name: HashMap<&'static str, usize>,
}

/// (name, ko, en, legal reference ko, en, illustrative, definition)
type PredicateSource = (&'static str, &'static str, &'static str, &'static str, &'static str, bool, &'static str);

const PREDICATES: &[PredicateSource] = &[
    (
        "sme",
        "중소기업(중소기업기본법)",
        "SME under the Framework Act",
        "중소기업기본법 제2조, 시행령 제3조",
        "Framework Act on SMEs, Art. 2; Enforcement Decree, Art. 3",
        true,
        r#"size_class in ["micro", "small", "medium"]"#,
    ),
    (
        "small_business",
        "소기업",
        "Small business",
        "중소기업기본법 시행령 제8조",
        "Enforcement Decree of the Framework Act on SMEs, Art. 8",
        true,
        r#"size_class in ["micro", "small"]"#,
    ),
    (
        "novice_exporter",
        "수출 초보기업",
        "Novice exporter",
        "수출바우처 사업 기준(예시)",
        "Export voucher criteria (illustrative)",
        true,
        "exports_usd < 100_000",
    ),
    (
        "promising_exporter",
        "수출 유망기업",
        "Promising exporter",
        "수출바우처 사업 기준(예시)",
        "Export voucher criteria (illustrative)",
        true,
        "exports_usd between 100_000 and 999_999",
    ),
    (
        "growth_exporter",
        "수출 성장기업",
        "Growth exporter",
        "수출바우처 사업 기준(예시)",
        "Export voucher criteria (illustrative)",
        true,
        "exports_usd between 1_000_000 and 4_999_999",
    ),
    (
        "startup",
        "창업기업(7년 이내)",
        "Start-up (within 7 years)",
        "중소기업창업 지원법 제2조",
        "Support for SME Start-ups Act, Art. 2",
        false,
        "age_years < 7",
    ),
    (
        "non_capital_region",
        "비수도권",
        "Outside the capital area",
        "수도권정비계획법 제2조",
        "Seoul Metropolitan Area Readjustment Planning Act, Art. 2",
        false,
        r#"region not in ["11", "28", "41"]"#,
    ),
    ("manufacturer", "제조업", "Manufacturer", "한국표준산업분류 대분류 C", "KSIC section C", false, r#"ksic prefix_in ["C"]"#),
];

impl Language {
    pub fn standard() -> Language {
        let catalog = Catalog::standard();
        let mut lang = Language { catalog, predicates: Vec::new(), by_name: HashMap::new() };
        for &(name, label_ko, label_en, legal_ref_ko, legal_ref_en, illustrative, text) in PREDICATES {
            let cond = crate::parse::parse_condition(text, &lang).unwrap_or_else(|e| panic!("built-in predicate {name}: {e}"));
            lang.by_name.insert(name, lang.predicates.len());
            lang.predicates.push(Predicate { name, label_ko, label_en, legal_ref_ko, legal_ref_en, illustrative, cond });
        }
        lang
    }

    pub fn predicate(&self, name: &str) -> Option<&Predicate> {
        self.by_name.get(name).map(|&i| &self.predicates[i])
    }

    pub fn predicates(&self) -> &[Predicate] {
        &self.predicates
    }

    fn fact(&self, name: &str) -> Result<&FactDef, ErrorKind> {
        match self.catalog.id(name) {
            Some(id) => Ok(self.catalog.get(id)),
            None => Err(ErrorKind::UnknownFact {
                name: name.to_string(),
                suggestions: self.catalog.nearest(name).into_iter().map(str::to_string).collect(),
            }),
        }
    }

    /// A bare name: a predicate, or a boolean fact meaning `fact == true`.
    pub fn resolve_name(&self, name: &str) -> Result<Cond, ErrorKind> {
        if self.predicate(name).is_some() {
            return Ok(Cond::Ref(name.to_string()));
        }
        if let Some(id) = self.catalog.id(name) {
            let f = self.catalog.get(id);
            return if f.ty == FactType::Bool {
                Ok(Cond::Cmp { fact: name.to_string(), op: CmpOp::Eq, value: Lit::Bool(true) })
            } else {
                Err(ErrorKind::NeedsComparison { fact: name.to_string(), fact_type: f.ty.name(), found: "the end of the condition".into() })
            };
        }
        let names = self.predicates.iter().map(|p| p.name).chain(self.catalog.facts().iter().map(|f| f.name));
        Err(ErrorKind::UnknownPredicate {
            name: name.to_string(),
            suggestions: nearest(name, names).into_iter().map(str::to_string).collect(),
        })
    }

    /// Checks one condition node (not its children) against the catalogue.
    pub fn check_node(&self, c: &Cond) -> Result<(), ErrorKind> {
        match c {
            Cond::Cmp { fact, op, value } => {
                let f = self.fact(fact)?;
                let op_ok = match f.ty {
                    t if t.is_ordered() => true,
                    FactType::Enum | FactType::Code | FactType::Bool => matches!(op, CmpOp::Eq | CmpOp::Ne),
                    _ => false,
                };
                if !op_ok {
                    return Err(op_type(f, op.symbol()));
                }
                self.check_value(f, value)
            }
            Cond::Between { fact, lo, hi } => {
                let f = self.fact(fact)?;
                if !f.ty.is_ordered() {
                    return Err(op_type(f, "between"));
                }
                self.check_value(f, lo)?;
                self.check_value(f, hi)?;
                if lit_key(lo) > lit_key(hi) {
                    return Err(ErrorKind::BetweenOrder);
                }
                Ok(())
            }
            Cond::In { fact, negated, values } => {
                let f = self.fact(fact)?;
                if !matches!(f.ty, FactType::Int | FactType::Enum | FactType::Code) {
                    return Err(op_type(f, if *negated { "not in" } else { "in" }));
                }
                check_list_len(values.len())?;
                values.iter().try_for_each(|v| self.check_value(f, v))
            }
            Cond::PrefixIn { fact, prefixes } => {
                let f = self.fact(fact)?;
                if !matches!(f.ty, FactType::Code | FactType::CodeSet) {
                    return Err(op_type(f, "prefix_in"));
                }
                check_list_len(prefixes.len())?;
                prefixes.iter().try_for_each(|p| check_code(f, p, true))
            }
            Cond::Intersects { fact, values } => {
                let f = self.fact(fact)?;
                if f.ty != FactType::CodeSet {
                    return Err(op_type(f, "intersects"));
                }
                check_list_len(values.len())?;
                values.iter().try_for_each(|v| check_code(f, v, false))
            }
            Cond::Missing(fact) => self.fact(fact).map(|_| ()),
            Cond::All(items) | Cond::Any(items) => {
                if items.len() < 2 {
                    return Err(ErrorKind::SingleItemGroup);
                }
                Ok(())
            }
            Cond::AtLeast(k, items) => {
                if *k < 1 || *k as usize > items.len() {
                    return Err(ErrorKind::AtLeast { k: i64::from(*k), n: items.len() });
                }
                Ok(())
            }
            Cond::Not(_) => Ok(()),
            Cond::Ref(name) => self.resolve_name(name).and_then(|r| match r {
                Cond::Ref(_) => Ok(()),
                // A boolean fact arrived as a reference (JSON `{"ref": …}`): the text form would
                // print it as a comparison, so refuse it here rather than lose the round trip.
                _ => Err(ErrorKind::UnknownPredicate { name: name.clone(), suggestions: vec![] }),
            }),
            Cond::ReceivedWithin { family, years } => {
                if family.trim().is_empty() {
                    return Err(ErrorKind::EmptyList);
                }
                if !(1..=20).contains(years) {
                    return Err(ErrorKind::YearsRange);
                }
                Ok(())
            }
            Cond::AwardsThisYear { category, value, .. } => {
                if !crate::catalog::PROGRAM_CATEGORIES.contains(&category.as_str()) {
                    return Err(ErrorKind::UnknownValue { fact: "awards_this_year".into(), value: format!("\"{category}\"") });
                }
                if *value < 0 {
                    return Err(ErrorKind::ValueType {
                        fact: "awards_this_year".into(),
                        expected: "non-negative integer",
                        found: value.to_string(),
                    });
                }
                Ok(())
            }
        }
    }

    fn check_value(&self, f: &FactDef, v: &Lit) -> Result<(), ErrorKind> {
        let ok = match (f.ty, v) {
            (FactType::Int | FactType::Money(_), Lit::Int(_)) => true,
            (FactType::Date, Lit::Date(_)) => true,
            (FactType::Bool, Lit::Bool(_)) => true,
            (FactType::Enum, Lit::Str(s)) => {
                if !f.domain.is_empty() && !f.domain.iter().any(|d| d == s) {
                    return Err(ErrorKind::UnknownValue { fact: f.name.to_string(), value: format!("\"{s}\"") });
                }
                true
            }
            (FactType::Code, Lit::Str(s)) => return check_code(f, s, false),
            _ => false,
        };
        if ok { Ok(()) } else { Err(ErrorKind::ValueType { fact: f.name.to_string(), expected: value_kind(f.ty), found: v.to_string() }) }
    }
}

fn op_type(f: &FactDef, op: &str) -> ErrorKind {
    ErrorKind::OperatorType { fact: f.name.to_string(), fact_type: f.ty.name(), op: op.to_string() }
}

fn value_kind(t: FactType) -> &'static str {
    match t {
        FactType::Int => "integer",
        FactType::Money(_) => "integer (money)",
        FactType::Date => "date",
        FactType::Enum | FactType::Code | FactType::CodeSet => "text",
        FactType::Bool => "true/false",
    }
}

fn check_list_len(n: usize) -> Result<(), ErrorKind> {
    if n == 0 {
        Err(ErrorKind::EmptyList)
    } else if n > MAX_LIST {
        Err(ErrorKind::ListTooLong { limit: MAX_LIST })
    } else {
        Ok(())
    }
}

/// The shape of the codes each code fact holds, so that a rule cannot quietly never match
/// (`"vn"` for Viet Nam, an HS code with letters).
fn check_code(f: &FactDef, s: &str, prefix: bool) -> Result<(), ErrorKind> {
    let ok = match f.name {
        "products" => !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) && (prefix || s.len().is_multiple_of(2)),
        "export_countries" | "target_countries" => {
            (if prefix { (1..=2).contains(&s.len()) } else { s.len() == 2 }) && s.bytes().all(|b| b.is_ascii_uppercase())
        }
        "ksic" => {
            let mut b = s.bytes();
            matches!(b.next(), Some(c) if c.is_ascii_uppercase()) && s.len() <= 6 && b.all(|c| c.is_ascii_digit())
        }
        _ => !s.is_empty(),
    };
    if ok { Ok(()) } else { Err(ErrorKind::UnknownValue { fact: f.name.to_string(), value: format!("\"{s}\"") }) }
}

/// Orders literals of one type (dates and integers) for the `between` bound check.
fn lit_key(l: &Lit) -> i64 {
    match l {
        Lit::Int(n) => *n,
        Lit::Date(d) => i64::from(d.to_julian_day()),
        _ => 0,
    }
}
