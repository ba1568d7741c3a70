//! The JSON form, for tools and query-builder UIs (docs/rules.md §6). It converts to and from
//! the same tree as the text form, with the same checks, so either form round-trips.

use crate::ast::{CmpOp, Cond, Lit, PointsRow, Rule};
use crate::error::{ErrorKind, RuleError};
use crate::language::{Language, MAX_CONDITIONS, MAX_DEPTH};
use serde_json::{Map, Value, json};
use time::Date;

impl Rule {
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("when".into(), cond_to_json(&self.when));
        if !self.points.is_empty() {
            m.insert(
                "points".into(),
                Value::Array(self.points.iter().map(|p| json!({"points": p.points, "when": cond_to_json(&p.when)})).collect()),
            );
        }
        Value::Object(m)
    }

    pub fn from_json(v: &Value, lang: &Language) -> Result<Rule, RuleError> {
        let obj = v.as_object().ok_or_else(|| bad("an object with \"when\"", ""))?;
        let when = cond_from_json(obj.get("when").ok_or_else(|| bad("\"when\"", ""))?, lang, "when", 1)?;
        let mut points = Vec::new();
        if let Some(p) = obj.get("points") {
            let rows = p.as_array().ok_or_else(|| bad("a list", "points"))?;
            for (i, row) in rows.iter().enumerate() {
                let path = format!("points[{i}]");
                let n = row.get("points").and_then(Value::as_i64).ok_or_else(|| bad("\"points\": integer", &path))?;
                if !(-1000..=1000).contains(&n) {
                    return Err(RuleError::in_json(ErrorKind::PointsRange, &path));
                }
                let when = cond_from_json(row.get("when").ok_or_else(|| bad("\"when\"", &path))?, lang, &format!("{path}.when"), 1)?;
                points.push(PointsRow { points: n, when });
            }
        }
        if let Some(extra) = obj.keys().find(|k| *k != "when" && *k != "points") {
            return Err(bad("only \"when\" and \"points\"", extra));
        }
        let size = when.size() + points.iter().map(|p| p.when.size()).sum::<usize>();
        if size > MAX_CONDITIONS {
            return Err(RuleError::in_json(ErrorKind::TooManyConditions { limit: MAX_CONDITIONS }, ""));
        }
        Ok(Rule { when, points })
    }
}

fn bad(expected: &str, path: &str) -> RuleError {
    RuleError::in_json(ErrorKind::Json(expected.to_string()), path)
}

fn lit_to_json(l: &Lit) -> Value {
    match l {
        Lit::Int(n) => json!(n),
        Lit::Str(s) => json!(s),
        Lit::Date(d) => json!(Lit::Date(*d).to_string()),
        Lit::Bool(b) => json!(b),
    }
}

fn strs(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| json!(s)).collect())
}

pub fn cond_to_json(c: &Cond) -> Value {
    match c {
        Cond::Cmp { fact, op, value } => json!({"fact": fact, "op": op.symbol(), "value": lit_to_json(value)}),
        Cond::Between { fact, lo, hi } => json!({"fact": fact, "op": "between", "value": [lit_to_json(lo), lit_to_json(hi)]}),
        Cond::In { fact, negated, values } => {
            json!({"fact": fact, "op": if *negated { "not_in" } else { "in" }, "value": values.iter().map(lit_to_json).collect::<Vec<_>>()})
        }
        Cond::PrefixIn { fact, prefixes } => json!({"fact": fact, "op": "prefix_in", "value": strs(prefixes)}),
        Cond::Intersects { fact, values } => json!({"fact": fact, "op": "intersects", "value": strs(values)}),
        Cond::Missing(f) => json!({"missing": f}),
        Cond::All(items) => json!({"all": items.iter().map(cond_to_json).collect::<Vec<_>>()}),
        Cond::Any(items) => json!({"any": items.iter().map(cond_to_json).collect::<Vec<_>>()}),
        Cond::Not(inner) => json!({"not": cond_to_json(inner)}),
        Cond::AtLeast(k, items) => json!({"at_least": {"k": k, "of": items.iter().map(cond_to_json).collect::<Vec<_>>()}}),
        Cond::Ref(name) => json!({"ref": name}),
        Cond::ReceivedWithin { family, years } => json!({"received_within": {"family": family, "years": years}}),
        Cond::AwardsThisYear { category, op, value } => {
            json!({"awards_this_year": {"category": category, "op": op.symbol(), "value": value}})
        }
    }
}

/// A JSON value as a literal; strings that look like dates become dates only where the fact
/// is a date (decided by the caller through `want_date`).
fn lit_from_json(v: &Value, want_date: bool, path: &str) -> Result<Lit, RuleError> {
    match v {
        Value::Number(n) => n.as_i64().map(Lit::Int).ok_or_else(|| RuleError::in_json(ErrorKind::BadNumber(n.to_string()), path)),
        Value::Bool(b) => Ok(Lit::Bool(*b)),
        Value::String(s) if want_date => {
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(s, &fmt).map(Lit::Date).map_err(|_| RuleError::in_json(ErrorKind::BadDate(s.clone()), path))
        }
        Value::String(s) => Ok(Lit::Str(s.clone())),
        _ => Err(bad("a number, string or boolean", path)),
    }
}

fn cond_from_json(v: &Value, lang: &Language, path: &str, depth: usize) -> Result<Cond, RuleError> {
    if depth > MAX_DEPTH {
        return Err(RuleError::in_json(ErrorKind::TooDeep { limit: MAX_DEPTH }, path));
    }
    let obj = v.as_object().ok_or_else(|| bad("a condition object", path))?;
    let list = |key: &str| -> Result<Vec<Cond>, RuleError> {
        let items = obj.get(key).and_then(Value::as_array).ok_or_else(|| bad("a list of conditions", path))?;
        items.iter().enumerate().map(|(i, c)| cond_from_json(c, lang, &format!("{path}.{key}[{i}]"), depth + 1)).collect()
    };
    let string = |v: Option<&Value>, what: &str| v.and_then(Value::as_str).map(str::to_string).ok_or_else(|| bad(what, path));
    let cond = if obj.contains_key("all") {
        Cond::All(list("all")?)
    } else if obj.contains_key("any") {
        Cond::Any(list("any")?)
    } else if let Some(inner) = obj.get("not") {
        Cond::Not(Box::new(cond_from_json(inner, lang, &format!("{path}.not"), depth + 1)?))
    } else if let Some(al) = obj.get("at_least") {
        let k = al.get("k").and_then(Value::as_i64).ok_or_else(|| bad("\"k\": integer", path))?;
        let items = al.get("of").and_then(Value::as_array).ok_or_else(|| bad("\"of\": list", path))?;
        let items = items
            .iter()
            .enumerate()
            .map(|(i, c)| cond_from_json(c, lang, &format!("{path}.at_least.of[{i}]"), depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        if k < 1 || k as usize > items.len() {
            return Err(RuleError::in_json(ErrorKind::AtLeast { k, n: items.len() }, path));
        }
        Cond::AtLeast(k as u32, items)
    } else if let Some(r) = obj.get("ref") {
        Cond::Ref(string(Some(r), "\"ref\": name")?)
    } else if let Some(m) = obj.get("missing") {
        Cond::Missing(string(Some(m), "\"missing\": fact name")?)
    } else if let Some(rw) = obj.get("received_within") {
        let family = string(rw.get("family"), "\"family\": text")?;
        let years = rw.get("years").and_then(Value::as_i64).ok_or_else(|| bad("\"years\": integer", path))?;
        Cond::ReceivedWithin { family, years }
    } else if let Some(aty) = obj.get("awards_this_year") {
        let category = string(aty.get("category"), "\"category\": text")?;
        let op = aty.get("op").and_then(Value::as_str).and_then(CmpOp::from_symbol).ok_or_else(|| bad("\"op\": comparison", path))?;
        let value = aty.get("value").and_then(Value::as_i64).ok_or_else(|| bad("\"value\": integer", path))?;
        Cond::AwardsThisYear { category, op, value }
    } else if let Some(fact) = obj.get("fact") {
        let fact = fact.as_str().ok_or_else(|| bad("\"fact\": name", path))?.to_string();
        let op = obj.get("op").and_then(Value::as_str).ok_or_else(|| bad("\"op\"", path))?;
        let value = obj.get("value").ok_or_else(|| bad("\"value\"", path))?;
        let is_date = lang.catalog.id(&fact).is_some_and(|id| lang.catalog.get(id).ty == crate::catalog::FactType::Date);
        let arr = |v: &Value| -> Result<Vec<Value>, RuleError> { v.as_array().cloned().ok_or_else(|| bad("a list", path)) };
        let str_list = |v: &Value| -> Result<Vec<String>, RuleError> {
            arr(v)?.iter().map(|x| x.as_str().map(str::to_string).ok_or_else(|| bad("a list of strings", path))).collect()
        };
        match op {
            "between" => {
                let b = arr(value)?;
                if b.len() != 2 {
                    return Err(bad("[lower, upper]", path));
                }
                Cond::Between { fact, lo: lit_from_json(&b[0], is_date, path)?, hi: lit_from_json(&b[1], is_date, path)? }
            }
            "in" | "not_in" => Cond::In {
                fact,
                negated: op == "not_in",
                values: arr(value)?.iter().map(|x| lit_from_json(x, is_date, path)).collect::<Result<_, _>>()?,
            },
            "prefix_in" => Cond::PrefixIn { fact, prefixes: str_list(value)? },
            "intersects" => Cond::Intersects { fact, values: str_list(value)? },
            other => {
                let op = CmpOp::from_symbol(other).ok_or_else(|| bad("a known operator", path))?;
                Cond::Cmp { fact, op, value: lit_from_json(value, is_date, path)? }
            }
        }
    } else {
        return Err(bad("one of all, any, not, at_least, ref, missing, fact, received_within, awards_this_year", path));
    };
    lang.check_node(&cond).map_err(|k| RuleError::in_json(k, path))?;
    Ok(cond)
}
