//! The rule as written: a syntax tree shared by the text and JSON forms, and the canonical
//! printer. Checking against the catalogue happens while parsing (see `parse` and `json`), so
//! every `Rule` that exists is well-typed.

use std::fmt::{self, Write};
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lit {
    Int(i64),
    Str(String),
    Date(Date),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    pub fn from_symbol(s: &str) -> Option<CmpOp> {
        Some(match s {
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            _ => return None,
        })
    }

    pub fn holds<T: Ord>(self, a: T, b: T) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cond {
    Cmp { fact: String, op: CmpOp, value: Lit },
    Between { fact: String, lo: Lit, hi: Lit },
    In { fact: String, negated: bool, values: Vec<Lit> },
    PrefixIn { fact: String, prefixes: Vec<String> },
    Intersects { fact: String, values: Vec<String> },
    Missing(String),
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    AtLeast(u32, Vec<Cond>),
    Ref(String),
    ReceivedWithin { family: String, years: i64 },
    AwardsThisYear { category: String, op: CmpOp, value: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PointsRow {
    pub points: i64,
    pub when: Cond,
}

/// A program's eligibility condition and its points table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    pub when: Cond,
    pub points: Vec<PointsRow>,
}

impl Rule {
    /// The top-level requirements: the parts of the outer `and`, or the whole condition.
    pub fn requirements(&self) -> &[Cond] {
        match &self.when {
            Cond::All(items) => items,
            other => std::slice::from_ref(other),
        }
    }

    /// The canonical text form (see docs/rules.md §8).
    pub fn to_text(&self) -> String {
        let mut out = String::from("eligible if\n");
        for (i, req) in self.requirements().iter().enumerate() {
            out.push_str(if i == 0 { "  " } else { "  and " });
            // A requirement is a child of the top-level `and`; when the rule is a single
            // condition it stands alone and needs no parentheses.
            if matches!(self.when, Cond::All(_)) {
                write_child(&mut out, req, Parent::All);
            } else {
                write_cond(&mut out, req);
            }
            out.push('\n');
        }
        if !self.points.is_empty() {
            out.push_str("points\n");
            for row in &self.points {
                let _ = write!(out, "  {} if ", row.points);
                write_cond(&mut out, &row.when);
                out.push('\n');
            }
        }
        out
    }
}

impl Cond {
    /// Every fact the condition reads (named predicates not expanded).
    pub fn facts(&self, out: &mut Vec<String>) {
        match self {
            Cond::Cmp { fact, .. }
            | Cond::Between { fact, .. }
            | Cond::In { fact, .. }
            | Cond::PrefixIn { fact, .. }
            | Cond::Intersects { fact, .. }
            | Cond::Missing(fact) => out.push(fact.clone()),
            Cond::All(items) | Cond::Any(items) | Cond::AtLeast(_, items) => items.iter().for_each(|c| c.facts(out)),
            Cond::Not(c) => c.facts(out),
            Cond::Ref(_) | Cond::ReceivedWithin { .. } | Cond::AwardsThisYear { .. } => {}
        }
    }

    /// Number of nodes, for the size limit.
    pub fn size(&self) -> usize {
        1 + match self {
            Cond::All(items) | Cond::Any(items) | Cond::AtLeast(_, items) => items.iter().map(Cond::size).sum(),
            Cond::Not(c) => c.size(),
            _ => 0,
        }
    }

    pub fn depth(&self) -> usize {
        1 + match self {
            Cond::All(items) | Cond::Any(items) | Cond::AtLeast(_, items) => items.iter().map(Cond::depth).max().unwrap_or(0),
            Cond::Not(c) => c.depth(),
            _ => 0,
        }
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        write_cond(&mut s, self);
        f.write_str(&s)
    }
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Int(n) => f.write_str(&group_thousands(*n)),
            Lit::Str(s) => write_str_lit(f, s),
            Lit::Date(d) => write!(f, "{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
            Lit::Bool(b) => write!(f, "{b}"),
        }
    }
}

fn write_str_lit(f: &mut impl Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for ch in s.chars() {
        match ch {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// `150000000000` → `150_000_000_000`; numbers under five digits stay as they are.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sign = if n < 0 { "-" } else { "" };
    if digits.len() < 5 {
        return format!("{sign}{digits}");
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

fn write_list<T: fmt::Display>(out: &mut String, items: &[T]) {
    out.push('[');
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{v}");
    }
    out.push(']');
}

struct Quoted<'a>(&'a str);
impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_str_lit(f, self.0)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Parent {
    All,
    Any,
    Not,
}

fn write_child(out: &mut String, c: &Cond, parent: Parent) {
    let needs_parens = matches!((parent, c), (Parent::All | Parent::Not, Cond::All(_) | Cond::Any(_)) | (Parent::Any, Cond::Any(_)));
    if needs_parens {
        out.push('(');
        write_cond(out, c);
        out.push(')');
    } else {
        write_cond(out, c);
    }
}

fn write_cond(out: &mut String, c: &Cond) {
    match c {
        Cond::Cmp { fact, op: CmpOp::Eq, value: Lit::Bool(true) } => out.push_str(fact),
        Cond::Cmp { fact, op, value } => {
            let _ = write!(out, "{fact} {} {value}", op.symbol());
        }
        Cond::Between { fact, lo, hi } => {
            let _ = write!(out, "{fact} between {lo} and {hi}");
        }
        Cond::In { fact, negated, values } => {
            let _ = write!(out, "{fact} {} ", if *negated { "not in" } else { "in" });
            write_list(out, values);
        }
        Cond::PrefixIn { fact, prefixes } => {
            let _ = write!(out, "{fact} prefix_in ");
            write_list(out, &prefixes.iter().map(|p| Quoted(p)).collect::<Vec<_>>());
        }
        Cond::Intersects { fact, values } => {
            let _ = write!(out, "{fact} intersects ");
            write_list(out, &values.iter().map(|p| Quoted(p)).collect::<Vec<_>>());
        }
        Cond::Missing(fact) => {
            let _ = write!(out, "missing({fact})");
        }
        Cond::All(items) | Cond::Any(items) => {
            let (sep, parent) = if matches!(c, Cond::All(_)) { (" and ", Parent::All) } else { (" or ", Parent::Any) };
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                write_child(out, item, parent);
            }
        }
        Cond::Not(inner) => {
            out.push_str("not ");
            write_child(out, inner, Parent::Not);
        }
        Cond::AtLeast(k, items) => {
            let _ = write!(out, "at_least({k}, [");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_cond(out, item);
            }
            out.push_str("])");
        }
        Cond::Ref(name) => out.push_str(name),
        Cond::ReceivedWithin { family, years } => {
            let _ = write!(out, "received_within({}, {years})", Quoted(family));
        }
        Cond::AwardsThisYear { category, op, value } => {
            let _ = write!(out, "awards_this_year({}) {} {}", Quoted(category), op.symbol(), group_thousands(*value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(1234), "1234");
        assert_eq!(group_thousands(12345), "12_345");
        assert_eq!(group_thousands(150_000_000_000), "150_000_000_000");
        assert_eq!(group_thousands(-100_000), "-100_000");
        assert_eq!(group_thousands(0), "0");
    }
}
