//! What can be wrong with a rule, with where it is. Messages are English here; the web layer
//! shows them in the user's language from `key()` and `args()`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    Expected {
        expected: String,
        found: String,
    },
    UnterminatedString,
    BadNumber(String),
    BadDate(String),
    UnknownFact {
        name: String,
        suggestions: Vec<String>,
    },
    UnknownPredicate {
        name: String,
        suggestions: Vec<String>,
    },
    /// The operator does not apply to the fact's type.
    OperatorType {
        fact: String,
        fact_type: &'static str,
        op: String,
    },
    /// A value of the wrong type for the fact.
    ValueType {
        fact: String,
        expected: &'static str,
        found: String,
    },
    UnknownValue {
        fact: String,
        value: String,
    },
    /// A non-boolean fact used on its own, where a comparison was needed.
    NeedsComparison {
        fact: String,
        fact_type: &'static str,
        found: String,
    },
    EmptyList,
    ListTooLong {
        limit: usize,
    },
    AtLeast {
        k: i64,
        n: usize,
    },
    BetweenOrder,
    YearsRange,
    PointsRange,
    SingleItemGroup,
    TooManyConditions {
        limit: usize,
    },
    TooDeep {
        limit: usize,
    },
    TooLong {
        limit: usize,
    },
    Json(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub kind: ErrorKind,
    /// 1-based line and column (in characters) in the text form; 0 when the rule came as JSON.
    pub line: u32,
    pub column: u32,
    /// Where in the JSON form, e.g. `when.all[2]`; empty for the text form.
    pub path: String,
}

impl RuleError {
    pub fn at(kind: ErrorKind, line: u32, column: u32) -> RuleError {
        RuleError { kind, line, column, path: String::new() }
    }

    pub fn in_json(kind: ErrorKind, path: &str) -> RuleError {
        RuleError { kind, line: 0, column: 0, path: path.to_string() }
    }

    /// The Fluent message id for this error.
    pub fn key(&self) -> &'static str {
        match &self.kind {
            ErrorKind::Expected { .. } => "rule-err-expected",
            ErrorKind::UnterminatedString => "rule-err-unterminated-string",
            ErrorKind::BadNumber(_) => "rule-err-bad-number",
            ErrorKind::BadDate(_) => "rule-err-bad-date",
            ErrorKind::UnknownFact { .. } => "rule-err-unknown-fact",
            ErrorKind::UnknownPredicate { .. } => "rule-err-unknown-predicate",
            ErrorKind::OperatorType { .. } => "rule-err-operator-type",
            ErrorKind::ValueType { .. } => "rule-err-value-type",
            ErrorKind::UnknownValue { .. } => "rule-err-unknown-value",
            ErrorKind::NeedsComparison { .. } => "rule-err-needs-comparison",
            ErrorKind::EmptyList => "rule-err-empty-list",
            ErrorKind::ListTooLong { .. } => "rule-err-list-too-long",
            ErrorKind::AtLeast { .. } => "rule-err-at-least",
            ErrorKind::BetweenOrder => "rule-err-between-order",
            ErrorKind::YearsRange => "rule-err-years-range",
            ErrorKind::PointsRange => "rule-err-points-range",
            ErrorKind::SingleItemGroup => "rule-err-single-item-group",
            ErrorKind::TooManyConditions { .. } => "rule-err-too-many",
            ErrorKind::TooDeep { .. } => "rule-err-too-deep",
            ErrorKind::TooLong { .. } => "rule-err-too-long",
            ErrorKind::Json(_) => "rule-err-json",
        }
    }

    /// Named arguments for the message (all as strings; the page formats nothing further).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        let mut a = vec![("line", self.line.to_string()), ("column", self.column.to_string())];
        match &self.kind {
            ErrorKind::Expected { expected, found } => {
                a.push(("expected", expected.clone()));
                a.push(("found", found.clone()));
            }
            ErrorKind::BadNumber(s) | ErrorKind::BadDate(s) | ErrorKind::Json(s) => a.push(("text", s.clone())),
            ErrorKind::UnknownFact { name, suggestions } | ErrorKind::UnknownPredicate { name, suggestions } => {
                a.push(("name", name.clone()));
                a.push(("suggestions", suggestions.join(", ")));
            }
            ErrorKind::OperatorType { fact, fact_type, op } => {
                a.push(("fact", fact.clone()));
                a.push(("type", fact_type.to_string()));
                a.push(("op", op.clone()));
            }
            ErrorKind::ValueType { fact, expected, found } => {
                a.push(("fact", fact.clone()));
                a.push(("expected", expected.to_string()));
                a.push(("found", found.clone()));
            }
            ErrorKind::UnknownValue { fact, value } => {
                a.push(("fact", fact.clone()));
                a.push(("value", value.clone()));
            }
            ErrorKind::NeedsComparison { fact, fact_type, found } => {
                a.push(("fact", fact.clone()));
                a.push(("type", fact_type.to_string()));
                a.push(("found", found.clone()));
            }
            ErrorKind::ListTooLong { limit }
            | ErrorKind::TooManyConditions { limit }
            | ErrorKind::TooDeep { limit }
            | ErrorKind::TooLong { limit } => a.push(("limit", limit.to_string())),
            ErrorKind::AtLeast { k, n } => {
                a.push(("k", k.to_string()));
                a.push(("n", n.to_string()));
            }
            _ => {}
        }
        a
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Expected { expected, found } => write!(f, "expected {expected}, found {found}"),
            ErrorKind::UnterminatedString => write!(f, "unterminated string"),
            ErrorKind::BadNumber(s) => write!(f, "not a valid integer: {s}"),
            ErrorKind::BadDate(s) => write!(f, "not a valid date: {s}"),
            ErrorKind::UnknownFact { name, suggestions } => {
                write!(f, "unknown fact `{name}`")?;
                if !suggestions.is_empty() {
                    write!(f, "; did you mean {}?", suggestions.join(", "))?;
                }
                Ok(())
            }
            ErrorKind::UnknownPredicate { name, suggestions } => {
                write!(f, "unknown predicate or fact `{name}`")?;
                if !suggestions.is_empty() {
                    write!(f, "; did you mean {}?", suggestions.join(", "))?;
                }
                Ok(())
            }
            ErrorKind::OperatorType { fact, fact_type, op } => {
                write!(f, "type error: `{op}` does not apply to `{fact}`, which is a {fact_type}")
            }
            ErrorKind::ValueType { fact, expected, found } => write!(f, "type error: `{fact}` needs a {expected} value, found {found}"),
            ErrorKind::UnknownValue { fact, value } => write!(f, "unknown value {value} for `{fact}`"),
            ErrorKind::NeedsComparison { fact, fact_type, found } => {
                write!(
                    f,
                    "type error: `{fact}` is a {fact_type}, not true/false; expected a comparison such as `{fact} == …`, found {found}"
                )
            }
            ErrorKind::EmptyList => write!(f, "empty list: give at least one value"),
            ErrorKind::ListTooLong { limit } => write!(f, "list too long: at most {limit} values"),
            ErrorKind::AtLeast { k, n } => write!(f, "at_least({k}, …) needs k between 1 and the number of conditions ({n})"),
            ErrorKind::BetweenOrder => write!(f, "between: the lower bound is greater than the upper bound"),
            ErrorKind::YearsRange => write!(f, "received_within: years must be between 1 and 20"),
            ErrorKind::PointsRange => write!(f, "points must be between -1000 and 1000"),
            ErrorKind::SingleItemGroup => write!(f, "expected at least two conditions in all/any"),
            ErrorKind::TooManyConditions { limit } => write!(f, "too many conditions: at most {limit}"),
            ErrorKind::TooDeep { limit } => write!(f, "rule nested too deep: at most {limit} levels"),
            ErrorKind::TooLong { limit } => write!(f, "rule text too long: at most {limit} bytes"),
            ErrorKind::Json(s) => write!(f, "malformed JSON rule (expected {s})"),
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}: {}", self.line, self.column, self.kind)
        } else if !self.path.is_empty() {
            write!(f, "at {}: {}", self.path, self.kind)
        } else {
            write!(f, "{}", self.kind)
        }
    }
}

impl std::error::Error for RuleError {}
