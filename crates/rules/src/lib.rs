//! GlobalDesk's eligibility rule language (docs/rules.md): officers write a program's
//! eligibility as a small typed condition over a catalogue of company facts; the platform
//! checks it, compiles many programs into one shared form, and evaluates it either for one
//! company with a full trace (to explain the outcome) or for all companies at once with
//! bitsets (to count, compare versions and notify).
//!
//! No I/O here: storage and pages live in other crates.

pub mod ast;
pub mod catalog;
pub mod columnar;
pub mod engine;
pub mod error;
pub mod explain;
pub mod json;
pub mod language;
pub mod parse;
pub mod subject;
pub mod synthetic;

pub use ast::{CmpOp, Cond, Lit, PointsRow, Rule};
pub use catalog::{Catalog, Currency, FactDef, FactId, FactType};
pub use columnar::{Columns, ColumnsBuilder, Matrix};
pub use engine::{Evaluation, RuleSet, Tri};
pub use error::{ErrorKind, RuleError};
pub use explain::{Explanation, Line, LineKind, RequirementExplained};
pub use language::{Language, Predicate};
pub use subject::{Award, Profile, Subject, SubjectError, Value, subject_from_json};

/// Parses and checks a rule in the text form.
pub fn parse(text: &str, lang: &Language) -> Result<Rule, RuleError> {
    parse::parse_rule(text, lang)
}

/// A rule written in either form: JSON if it starts with `{`, text otherwise.
pub fn parse_any(source: &str, lang: &Language) -> Result<Rule, RuleError> {
    if source.trim_start().starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(source)
            .map_err(|e| RuleError::at(ErrorKind::Json(format!("valid JSON ({e})")), e.line() as u32, e.column() as u32))?;
        Rule::from_json(&v, lang)
    } else {
        parse(source, lang)
    }
}
