//! What a rule is evaluated against: a company's facts, the awards it has received, and the
//! date of evaluation.

use crate::catalog::{Catalog, FactId, FactType, ids};
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Integers, money (integer units) and dates (as days, see `Value::date`).
    Int(i64),
    Text(String),
    Codes(Vec<String>),
    Bool(bool),
}

impl Value {
    pub fn date(d: Date) -> Value {
        Value::Int(i64::from(d.to_julian_day()))
    }

    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Int(n) => Date::from_julian_day(i32::try_from(*n).ok()?).ok(),
            _ => None,
        }
    }
}

/// A company's facts, laid out by fact id; `None` is a missing fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub values: Vec<Option<Value>>,
}

impl Profile {
    pub fn new(catalog: &Catalog) -> Profile {
        Profile { values: vec![None; catalog.len()] }
    }

    pub fn get(&self, id: FactId) -> Option<&Value> {
        self.values.get(id).and_then(Option::as_ref)
    }

    pub fn set(&mut self, id: FactId, v: Option<Value>) {
        self.values[id] = v;
    }

    /// Sets a fact by name, checking that the value fits the fact's type.
    pub fn set_named(&mut self, catalog: &Catalog, name: &str, v: Value) -> Result<(), String> {
        let id = catalog.id(name).ok_or_else(|| format!("unknown fact {name}"))?;
        let def = catalog.get(id);
        if def.derived {
            return Err(format!("{name} is computed, not set"));
        }
        let fits = matches!(
            (def.ty, &v),
            (FactType::Int | FactType::Money(_) | FactType::Date, Value::Int(_))
                | (FactType::Enum | FactType::Code, Value::Text(_))
                | (FactType::CodeSet, Value::Codes(_))
                | (FactType::Bool, Value::Bool(_))
        );
        if !fits {
            return Err(format!("{name} needs a {} value", def.ty.name()));
        }
        self.values[id] = Some(v);
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub family: String,
    pub category: String,
    pub awarded_on: Date,
}

#[derive(Debug, Clone)]
pub struct Subject {
    pub profile: Profile,
    pub awards: Vec<Award>,
    pub as_of: Date,
}

impl Subject {
    /// Fills in the derived facts (the age on `as_of`) and keeps the rest as given.
    pub fn new(mut profile: Profile, awards: Vec<Award>, as_of: Date) -> Subject {
        let age = profile.get(ids::FOUNDED_ON).and_then(Value::as_date).map(|f| Value::Int(whole_years(f, as_of)));
        profile.set(ids::AGE_YEARS, age);
        Subject { profile, awards, as_of }
    }
}

/// Completed years from `from` to `to`, counted like birthdays (a company founded on
/// 29 February turns one on 1 March of a common year).
pub fn whole_years(from: Date, to: Date) -> i64 {
    let mut years = i64::from(to.year() - from.year());
    if (u8::from(to.month()), to.day()) < (u8::from(from.month()), from.day()) {
        years -= 1;
    }
    years
}

/// The date `years` before `d` (29 February falls back to 28 February).
pub fn years_before(d: Date, years: i64) -> Date {
    let y = d.year() - years as i32;
    Date::from_calendar_date(y, d.month(), d.day()).or_else(|_| Date::from_calendar_date(y, d.month(), d.day() - 1)).unwrap_or(Date::MIN)
}

/// Whether an award counts for `received_within(family, years)` on `as_of`: after the date
/// `years` earlier, and not after `as_of`.
pub fn award_within(a: &Award, family: &str, years: i64, as_of: Date) -> bool {
    a.family == family && a.awarded_on > years_before(as_of, years) && a.awarded_on <= as_of
}

pub fn award_this_year(a: &Award, category: &str, as_of: Date) -> bool {
    a.category == category && a.awarded_on.year() == as_of.year()
}

/// Why a JSON profile could not be read: a message id (for the reader's language) and the
/// fact or value it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectError {
    pub key: &'static str,
    pub arg: String,
}

impl SubjectError {
    fn new(key: &'static str, arg: impl Into<String>) -> SubjectError {
        SubjectError { key, arg: arg.into() }
    }
}

impl std::fmt::Display for SubjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.key {
            "subject-err-date" => "not a date (YYYY-MM-DD)",
            "subject-err-unknown-fact" => "unknown fact",
            "subject-err-derived" => "computed, cannot be set",
            "subject-err-integer" => "an integer is needed",
            "subject-err-text" => "text is needed",
            "subject-err-list" => "a list of text is needed",
            "subject-err-bool" => "true or false is needed",
            _ => "malformed",
        };
        write!(f, "{}: {what}", self.arg)
    }
}

impl std::error::Error for SubjectError {}

/// A subject from JSON, as the API and stored test cases send it:
/// `{"as_of": "2026-11-26", "profile": {"employees": 12, "region": "26", …},
///   "awards": [{"family": "…", "category": "…", "awarded_on": "2025-05-01"}]}`.
/// Facts absent from `profile` are missing. `as_of` defaults to `today`.
pub fn subject_from_json(catalog: &Catalog, v: &serde_json::Value, today: Date) -> Result<Subject, SubjectError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let date = |s: &str| Date::parse(s, &fmt).map_err(|_| SubjectError::new("subject-err-date", s));
    let as_of = match v.get("as_of").and_then(|d| d.as_str()) {
        Some(s) => date(s)?,
        None => today,
    };
    let mut p = Profile::new(catalog);
    if let Some(obj) = v.get("profile") {
        let obj = obj.as_object().ok_or_else(|| SubjectError::new("subject-err-shape", "profile"))?;
        for (name, val) in obj {
            if val.is_null() {
                continue;
            }
            let id = catalog.id(name).ok_or_else(|| SubjectError::new("subject-err-unknown-fact", name.clone()))?;
            let def = catalog.get(id);
            if def.derived {
                return Err(SubjectError::new("subject-err-derived", name.clone()));
            }
            let need = |key: &'static str| SubjectError::new(key, name.clone());
            let value = match def.ty {
                FactType::Int | FactType::Money(_) => Value::Int(val.as_i64().ok_or_else(|| need("subject-err-integer"))?),
                FactType::Date => Value::date(date(val.as_str().ok_or_else(|| need("subject-err-date"))?)?),
                FactType::Enum | FactType::Code => Value::Text(val.as_str().ok_or_else(|| need("subject-err-text"))?.to_string()),
                FactType::CodeSet => Value::Codes(
                    val.as_array()
                        .ok_or_else(|| need("subject-err-list"))?
                        .iter()
                        .map(|x| x.as_str().map(str::to_string).ok_or_else(|| need("subject-err-list")))
                        .collect::<Result<_, _>>()?,
                ),
                FactType::Bool => Value::Bool(val.as_bool().ok_or_else(|| need("subject-err-bool"))?),
            };
            p.set(id, Some(value));
        }
    }
    let mut awards = Vec::new();
    if let Some(list) = v.get("awards") {
        for a in list.as_array().ok_or_else(|| SubjectError::new("subject-err-shape", "awards"))? {
            let s = |k: &str| {
                a.get(k)
                    .and_then(|x| x.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| SubjectError::new("subject-err-shape", format!("awards.{k}")))
            };
            awards.push(Award { family: s("family")?, category: s("category")?, awarded_on: date(&s("awarded_on")?)? });
        }
    }
    Ok(Subject::new(p, awards, as_of))
}
