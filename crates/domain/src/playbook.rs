//! Country playbooks for setting up a company abroad, and the arithmetic around them.
//!
//! A playbook lists the procedures for one entity type in one country (a foreign-owned company in
//! Indonesia, a representative office in Vietnam…), each with its authority, documents, typical
//! duration and the steps it waits for. This module holds the shape of that data, checks it before
//! an officer can publish it, schedules a company's plan over the dependencies (critical path
//! method on calendar days), tells which steps changed between two versions, and writes a plan as
//! an iCalendar file. It does no I/O: the YAML files, the database and the web layer sit above.
//!
//! Conventions used throughout:
//! - Money is an integer in the currency's minor units (cents for USD, whole yen for JPY, see
//!   [`minor_unit_exponent`]), as everywhere in GlobalDesk.
//! - Schedule offsets are calendar days counted from the plan's start date. A step that starts on
//!   day `s` and takes `d` days finishes on day `s + d`, and a step waiting for it may start on that
//!   same day: the usual CPM convention, so a chain of a 3-day and a 2-day step takes 5 days.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

// Dates travel as ISO 8601 text (`2027-03-01`) in YAML and JSON; the workspace does not enable
// `time`'s human-readable serde, whose default would be a `[year, ordinal]` pair.
time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// More steps than this is a data error, not a real procedure, and would make the plan pages
/// unreadable.
pub const MAX_STEPS: usize = 200;

/// Ten years: a longer "typical duration" is a typing mistake, and the bound keeps every date the
/// schedule computes far inside `time::Date`'s range.
pub const MAX_STEP_DAYS: u32 = 3650;

/// An amount in the minor units of its currency (ISO 4217).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    pub amount: i64,
    pub currency: String,
}

/// A reference shown with the playbook: an official portal, a law, an agency guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    pub url: String,
}

/// Where a procedure is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    InPerson,
    /// Either online or at a counter, at the applicant's choice.
    Either,
}

impl Channel {
    /// The name used in the data and in message ids (`online`, `in_person`, `either`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::InPerson => "in_person",
            Channel::Either => "either",
        }
    }
}

/// The procedures for one entity type in one country, in Korean and English.
///
/// Unknown fields are refused so that a misspelt key in a YAML file fails loudly instead of
/// silently dropping, say, a step's dependencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// A stable key such as `foreign_owned_company`, `representative_office` or `branch`.
    pub entity_type: String,
    pub name_ko: String,
    pub name_en: String,
    pub summary_ko: String,
    pub summary_en: String,
    /// ISO 4217 code of the local currency; `cost_local` and `min_capital` are in it.
    pub currency: String,
    /// The legal minimum paid-in or registered capital, when there is one.
    #[serde(default)]
    pub min_capital: Option<Money>,
    pub foreign_ownership_ko: String,
    pub foreign_ownership_en: String,
    pub visas_ko: String,
    pub visas_en: String,
    /// What the Korean parent must report at home (the outward direct investment report to a
    /// foreign-exchange bank under the Foreign Exchange Transactions Act, and what follows it).
    pub home_reporting_ko: String,
    pub home_reporting_en: String,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// One procedure of a playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the playbook; lower-case letters, digits, `_` and `-`. Plans and version
    /// diffs refer to steps by key, so a key must not be reused for a different procedure.
    pub key: String,
    pub title_ko: String,
    pub title_en: String,
    pub detail_ko: String,
    pub detail_en: String,
    pub authority_ko: String,
    pub authority_en: String,
    pub channel: Channel,
    #[serde(default)]
    pub documents_ko: Vec<String>,
    #[serde(default)]
    pub documents_en: Vec<String>,
    /// Typical duration in calendar days, at least 1.
    pub days: u32,
    /// Official fees in minor units of the playbook's currency, when known.
    #[serde(default)]
    pub cost_local: Option<i64>,
    /// The same in US cents, for comparing countries.
    #[serde(default)]
    pub cost_usd: Option<i64>,
    /// Keys of the steps that must finish before this one can start.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The law or the official portal the step is based on (a URL or a citation).
    pub source: String,
    /// When someone last checked the step against the authority's current rules; `None` means
    /// never.
    #[serde(default, with = "iso_date::option")]
    pub last_verified: Option<Date>,
    /// Days and costs are estimates, not checked figures. Required in the data so that nobody can
    /// forget to say it.
    pub illustrative: bool,
}

/// Why a playbook cannot be published or scheduled. Each variant carries what a person needs to
/// find the problem; [`PlaybookError::message_key`] and [`PlaybookError::args`] let the web layer
/// word it in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum PlaybookError {
    #[error("two steps share the key {0:?}")]
    DuplicateStep(String),
    #[error("step {step:?} depends on {missing:?}, which is not a step of this playbook")]
    UnknownDependency { step: String, missing: String },
    /// The keys on the cycle, each a prerequisite of the next and the last of the first.
    #[error("steps wait on each other in a circle: {}", cycle_text(.0))]
    Cycle(Vec<String>),
    #[error("step {0:?} takes zero days")]
    ZeroDays(String),
    #[error("step {0:?} takes more than {MAX_STEP_DAYS} days")]
    DaysTooLong(String),
    #[error("{0:?} is not an ISO 4217 currency code")]
    BadCurrency(String),
    #[error("{0:?} is not an ISO 3166 alpha-2 country code")]
    BadCountry(String),
    #[error("step key {0:?} must be 1-64 lower-case letters, digits, '_' or '-'")]
    BadKey(String),
    #[error("step {0:?} has no title in one of the languages")]
    EmptyTitle(String),
    /// A required text other than a step title is blank; `field` names it, e.g. `summary_en` or
    /// `steps.name_reservation.detail_ko`.
    #[error("{field} is empty")]
    MissingText { field: String },
    #[error("step {0:?} lists a different number of documents in Korean and in English")]
    DocumentsMismatch(String),
    #[error("step {0:?} has a negative cost")]
    NegativeCost(String),
    #[error("the minimum capital is negative")]
    NegativeCapital,
    #[error("{0} steps; a playbook may have at most {MAX_STEPS}")]
    TooManySteps(usize),
    #[error("a scheduled date falls outside the calendar")]
    DateOutOfRange,
}

fn cycle_text(keys: &[String]) -> String {
    let mut s = keys.join(" → ");
    if let Some(first) = keys.first() {
        s.push_str(" → ");
        s.push_str(first);
    }
    s
}

impl PlaybookError {
    /// The Fluent message id for this error.
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::DuplicateStep(_) => "playbook-error-duplicate-step",
            Self::UnknownDependency { .. } => "playbook-error-unknown-dependency",
            Self::Cycle(_) => "playbook-error-cycle",
            Self::ZeroDays(_) => "playbook-error-zero-days",
            Self::DaysTooLong(_) => "playbook-error-days-too-long",
            Self::BadCurrency(_) => "playbook-error-bad-currency",
            Self::BadCountry(_) => "playbook-error-bad-country",
            Self::BadKey(_) => "playbook-error-bad-key",
            Self::EmptyTitle(_) => "playbook-error-empty-title",
            Self::MissingText { .. } => "playbook-error-missing-text",
            Self::DocumentsMismatch(_) => "playbook-error-documents-mismatch",
            Self::NegativeCost(_) => "playbook-error-negative-cost",
            Self::NegativeCapital => "playbook-error-negative-capital",
            Self::TooManySteps(_) => "playbook-error-too-many-steps",
            Self::DateOutOfRange => "playbook-error-date-out-of-range",
        }
    }

    /// The Fluent arguments of the message (`$step`, `$missing`, `$steps`, `$code`, `$field`,
    /// `$count`, `$max`).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::DuplicateStep(k)
            | Self::ZeroDays(k)
            | Self::BadKey(k)
            | Self::EmptyTitle(k)
            | Self::DocumentsMismatch(k)
            | Self::NegativeCost(k) => vec![("step", k.clone())],
            Self::DaysTooLong(k) => vec![("step", k.clone()), ("max", MAX_STEP_DAYS.to_string())],
            Self::UnknownDependency { step, missing } => vec![("step", step.clone()), ("missing", missing.clone())],
            Self::Cycle(keys) => vec![("steps", cycle_text(keys))],
            Self::BadCurrency(c) | Self::BadCountry(c) => vec![("code", c.clone())],
            Self::MissingText { field } => vec![("field", field.clone())],
            Self::TooManySteps(n) => vec![("count", n.to_string()), ("max", MAX_STEPS.to_string())],
            Self::NegativeCapital | Self::DateOutOfRange => Vec::new(),
        }
    }
}

/// Three upper-case ASCII letters. Whether the code is assigned is a reference-data question; the
/// shape is what keeps `usd` or `Won` out of stored money.
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// Decimal places of a currency's minor unit (ISO 4217), for showing `Money` to people. Most
/// currencies have two; the exceptions listed are those a Korean exporter is likely to meet.
pub fn minor_unit_exponent(currency: &str) -> u32 {
    match currency {
        "KRW" | "JPY" | "VND" | "CLP" | "ISK" | "PYG" | "UGX" | "XAF" | "XOF" | "KMF" | "RWF" | "DJF" | "GNF" | "VUV" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

fn is_step_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Checks a playbook before it is published, reporting every problem at once (an officer fixing
/// a draft wants the whole list, not one error per attempt).
pub fn validate(pb: &Playbook) -> Result<(), Vec<PlaybookError>> {
    let mut errors = Vec::new();
    if pb.steps.len() > MAX_STEPS {
        // Anything else we would say about thousands of steps is noise.
        return Err(vec![PlaybookError::TooManySteps(pb.steps.len())]);
    }
    if pb.country.len() != 2 || !pb.country.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(PlaybookError::BadCountry(pb.country.clone()));
    }
    if !is_currency_code(&pb.currency) {
        errors.push(PlaybookError::BadCurrency(pb.currency.clone()));
    }
    if let Some(m) = &pb.min_capital {
        if !is_currency_code(&m.currency) {
            errors.push(PlaybookError::BadCurrency(m.currency.clone()));
        }
        if m.amount < 0 {
            errors.push(PlaybookError::NegativeCapital);
        }
    }
    let texts: [(&str, &str); 11] = [
        ("entity_type", &pb.entity_type),
        ("name_ko", &pb.name_ko),
        ("name_en", &pb.name_en),
        ("summary_ko", &pb.summary_ko),
        ("summary_en", &pb.summary_en),
        ("foreign_ownership_ko", &pb.foreign_ownership_ko),
        ("foreign_ownership_en", &pb.foreign_ownership_en),
        ("visas_ko", &pb.visas_ko),
        ("visas_en", &pb.visas_en),
        ("home_reporting_ko", &pb.home_reporting_ko),
        ("home_reporting_en", &pb.home_reporting_en),
    ];
    for (field, text) in texts {
        if text.trim().is_empty() {
            errors.push(PlaybookError::MissingText { field: field.to_string() });
        }
    }
    for s in &pb.steps {
        check_step(s, &mut errors);
    }
    // Dependencies are checked last so their errors follow the per-step ones in the report.
    link(&pb.steps, &mut errors);
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

fn check_step(s: &Step, errors: &mut Vec<PlaybookError>) {
    if !is_step_key(&s.key) {
        errors.push(PlaybookError::BadKey(s.key.clone()));
    }
    if s.title_ko.trim().is_empty() || s.title_en.trim().is_empty() {
        errors.push(PlaybookError::EmptyTitle(s.key.clone()));
    }
    let texts = [
        ("detail_ko", &s.detail_ko),
        ("detail_en", &s.detail_en),
        ("authority_ko", &s.authority_ko),
        ("authority_en", &s.authority_en),
        ("source", &s.source),
    ];
    for (field, text) in texts {
        if text.trim().is_empty() {
            errors.push(PlaybookError::MissingText { field: format!("steps.{}.{field}", s.key) });
        }
    }
    if s.documents_ko.len() != s.documents_en.len() {
        errors.push(PlaybookError::DocumentsMismatch(s.key.clone()));
    }
    for (i, d) in s.documents_ko.iter().enumerate() {
        if d.trim().is_empty() {
            errors.push(PlaybookError::MissingText { field: format!("steps.{}.documents_ko[{i}]", s.key) });
        }
    }
    for (i, d) in s.documents_en.iter().enumerate() {
        if d.trim().is_empty() {
            errors.push(PlaybookError::MissingText { field: format!("steps.{}.documents_en[{i}]", s.key) });
        }
    }
    if s.days == 0 {
        errors.push(PlaybookError::ZeroDays(s.key.clone()));
    } else if s.days > MAX_STEP_DAYS {
        errors.push(PlaybookError::DaysTooLong(s.key.clone()));
    }
    if s.cost_local.is_some_and(|c| c < 0) || s.cost_usd.is_some_and(|c| c < 0) {
        errors.push(PlaybookError::NegativeCost(s.key.clone()));
    }
}

/// The dependency graph with keys resolved to indices once, so the schedule passes run over plain
/// arrays. Both adjacency lists are in compressed-row form: the dependencies of step `i` are
/// `dep_idx[dep_ptr[i]..dep_ptr[i + 1]]`, its dependants likewise in `out_*`.
struct Graph {
    dep_ptr: Vec<u32>,
    dep_idx: Vec<u32>,
    out_ptr: Vec<u32>,
    out_idx: Vec<u32>,
    /// A topological order (every step after its dependencies), stable with respect to the
    /// playbook's own order where the dependencies allow.
    order: Vec<u32>,
}

impl Graph {
    fn deps(&self, i: usize) -> &[u32] {
        &self.dep_idx[self.dep_ptr[i] as usize..self.dep_ptr[i + 1] as usize]
    }
    fn dependants(&self, i: usize) -> &[u32] {
        &self.out_idx[self.out_ptr[i] as usize..self.out_ptr[i + 1] as usize]
    }
}

/// Resolves the dependency keys and orders the steps (Kahn's algorithm). Pushes every duplicate
/// key, unknown dependency and, if the known edges contain one, a cycle; returns the graph only
/// when there was none of these.
fn link(steps: &[Step], errors: &mut Vec<PlaybookError>) -> Option<Graph> {
    let n = steps.len();
    let before = errors.len();
    let mut index: HashMap<&str, u32> = HashMap::with_capacity(n);
    for (i, s) in steps.iter().enumerate() {
        if index.insert(s.key.as_str(), i as u32).is_some() {
            errors.push(PlaybookError::DuplicateStep(s.key.clone()));
        }
    }
    let mut dep_ptr = Vec::with_capacity(n + 1);
    let mut dep_idx = Vec::with_capacity(steps.iter().map(|s| s.depends_on.len()).sum());
    dep_ptr.push(0u32);
    for s in steps {
        for d in &s.depends_on {
            match index.get(d.as_str()) {
                Some(&j) => dep_idx.push(j),
                None => errors.push(PlaybookError::UnknownDependency { step: s.key.clone(), missing: d.clone() }),
            }
        }
        dep_ptr.push(dep_idx.len() as u32);
    }

    // Reverse edges by counting sort, so both directions are flat arrays.
    let mut out_ptr = vec![0u32; n + 1];
    for &j in &dep_idx {
        out_ptr[j as usize + 1] += 1;
    }
    for i in 0..n {
        out_ptr[i + 1] += out_ptr[i];
    }
    let mut fill = out_ptr.clone();
    let mut out_idx = vec![0u32; dep_idx.len()];
    for i in 0..n {
        for &j in &dep_idx[dep_ptr[i] as usize..dep_ptr[i + 1] as usize] {
            out_idx[fill[j as usize] as usize] = i as u32;
            fill[j as usize] += 1;
        }
    }

    // Kahn: a FIFO seeded in playbook order keeps the topological order close to the authored one.
    let mut waiting: Vec<u32> = (0..n).map(|i| dep_ptr[i + 1] - dep_ptr[i]).collect();
    let mut order: Vec<u32> = (0..n as u32).filter(|&i| waiting[i as usize] == 0).collect();
    let mut head = 0;
    while head < order.len() {
        let j = order[head] as usize;
        head += 1;
        for &i in &out_idx[out_ptr[j] as usize..out_ptr[j + 1] as usize] {
            waiting[i as usize] -= 1;
            if waiting[i as usize] == 0 {
                order.push(i);
            }
        }
    }
    if order.len() < n {
        errors.push(PlaybookError::Cycle(find_cycle(steps, &dep_ptr, &dep_idx, &waiting)));
    }
    (errors.len() == before).then_some(Graph { dep_ptr, dep_idx, out_ptr, out_idx, order })
}

/// Names one cycle among the steps Kahn's algorithm could not place. Every such step still waits
/// for at least one unplaced dependency, so walking from one to an unplaced dependency, and on,
/// must come back to a step already seen; the loop from there is a cycle.
fn find_cycle(steps: &[Step], dep_ptr: &[u32], dep_idx: &[u32], waiting: &[u32]) -> Vec<String> {
    let n = steps.len();
    let mut seen_at = vec![u32::MAX; n];
    let mut path: Vec<usize> = Vec::new();
    let Some(mut u) = (0..n).find(|&i| waiting[i] > 0) else { return Vec::new() };
    while seen_at[u] == u32::MAX {
        seen_at[u] = path.len() as u32;
        path.push(u);
        let deps = &dep_idx[dep_ptr[u] as usize..dep_ptr[u + 1] as usize];
        match deps.iter().find(|&&d| waiting[d as usize] > 0) {
            Some(&d) => u = d as usize,
            None => return Vec::new(), // unreachable by the argument above; be safe, not sorry
        }
    }
    // The walk follows "depends on"; people read a cycle in the direction work flows.
    let mut cycle: Vec<usize> = path[seen_at[u] as usize..].iter().rev().copied().collect();
    // Start at the step that comes first in the playbook, so the same data names the same cycle.
    if let Some(p) = cycle.iter().enumerate().min_by_key(|&(_, &i)| i).map(|(p, _)| p) {
        cycle.rotate_left(p);
    }
    cycle.into_iter().map(|i| steps[i].key.clone()).collect()
}

/// What actually happened to a step of a company's plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActualDates {
    #[serde(default, with = "iso_date::option")]
    pub started_on: Option<Date>,
    #[serde(default, with = "iso_date::option")]
    pub done_on: Option<Date>,
}

/// Whether a step's dates come from the plan or from what the company reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Planned,
    Started,
    Done,
}

/// One step's place in the schedule, as day offsets from the plan's start and as dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepSchedule {
    pub earliest_start: i64,
    pub earliest_finish: i64,
    pub latest_start: i64,
    pub latest_finish: i64,
    /// Days the step can slip without moving the opening date. Negative only when reported dates
    /// contradict the dependencies (a step started before its prerequisite finished).
    pub slack: i64,
    /// No slack: a day lost here is a day lost on the opening date.
    pub critical: bool,
    pub basis: Basis,
    #[serde(with = "iso_date")]
    pub earliest_start_on: Date,
    #[serde(with = "iso_date")]
    pub earliest_finish_on: Date,
    #[serde(with = "iso_date")]
    pub latest_start_on: Date,
    #[serde(with = "iso_date")]
    pub latest_finish_on: Date,
}

/// The schedule of a plan; `steps` is in the same order as the steps given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    #[serde(with = "iso_date")]
    pub start_on: Date,
    pub steps: Vec<StepSchedule>,
    /// Step indices in an order where every step follows its dependencies (for a Gantt chart).
    pub order: Vec<usize>,
    /// Days from `start_on` until the last step finishes.
    pub total_days: i64,
    /// One chain of critical steps from a first step to the last to finish, each driving the next.
    /// Other critical chains of equal length, if any, show in the steps' `critical` flags.
    pub critical_path: Vec<usize>,
    /// The date the entity can open: `start_on + total_days`.
    #[serde(with = "iso_date")]
    pub opens_on: Date,
}

/// Schedules `steps` from `start_on` by the critical path method, with what really happened laid
/// over the plan:
/// - a done step finishes on its `done_on` (and started on its `started_on`, or `days` before);
/// - a started step began on its `started_on` and finishes at `start + days`, or today if that is
///   already past (it is not done yet, so it cannot have finished earlier);
/// - a step not yet started starts when its dependencies have finished, and not before `today`
///   nor `start_on`: a plan can only be honest about the future.
///
/// `actual` is matched to `steps` by position; a missing entry means nothing happened yet, so a
/// new plan passes `&[]`. The dependency errors of [`validate`] are returned as the first one
/// found (a published playbook has none).
pub fn schedule(steps: &[Step], actual: &[ActualDates], start_on: Date, today: Date) -> Result<Schedule, PlaybookError> {
    if steps.len() > MAX_STEPS {
        return Err(PlaybookError::TooManySteps(steps.len()));
    }
    let mut errors = Vec::new();
    let Some(g) = link(steps, &mut errors) else {
        return Err(errors.swap_remove(0));
    };
    let n = steps.len();
    let off = |d: Date| (d - start_on).whole_days();
    let now = off(today);

    let mut es = vec![0i64; n];
    let mut ef = vec![0i64; n];
    let mut basis = vec![Basis::Planned; n];
    for &i in &g.order {
        let i = i as usize;
        let days = i64::from(steps[i].days);
        let a = actual.get(i).copied().unwrap_or_default();
        (es[i], ef[i], basis[i]) = match (a.started_on, a.done_on) {
            (started, Some(done)) => {
                let f = off(done);
                let s = started.map_or(f - days, off).min(f);
                (s, f, Basis::Done)
            }
            (Some(started), None) => {
                let s = off(started);
                (s, (s + days).max(now), Basis::Started)
            }
            (None, None) => {
                let ready = g.deps(i).iter().map(|&d| ef[d as usize]).max().unwrap_or(0);
                let s = ready.max(now).max(0);
                (s, s + days, Basis::Planned)
            }
        };
    }
    let total_days = ef.iter().copied().max().unwrap_or(0).max(0);

    let mut ls = vec![0i64; n];
    let mut lf = vec![0i64; n];
    for &i in g.order.iter().rev() {
        let i = i as usize;
        lf[i] = g.dependants(i).iter().map(|&j| ls[j as usize]).min().unwrap_or(total_days);
        // Reported steps keep their real length; planned ones have exactly `days`.
        ls[i] = lf[i] - (ef[i] - es[i]);
    }

    let date = |o: i64| start_on.checked_add(Duration::days(o)).ok_or(PlaybookError::DateOutOfRange);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let slack = lf[i] - ef[i];
        out.push(StepSchedule {
            earliest_start: es[i],
            earliest_finish: ef[i],
            latest_start: ls[i],
            latest_finish: lf[i],
            slack,
            critical: slack <= 0,
            basis: basis[i],
            earliest_start_on: date(es[i])?,
            earliest_finish_on: date(ef[i])?,
            latest_start_on: date(ls[i])?,
            latest_finish_on: date(lf[i])?,
        });
    }

    // Walk back from the last step to finish through the dependency that drove each start.
    let mut critical_path = Vec::new();
    let mut cur = g.order.iter().map(|&i| i as usize).filter(|&i| ef[i] == total_days).find(|&i| out[i].critical);
    while let Some(i) = cur {
        critical_path.push(i);
        cur = g.deps(i).iter().map(|&d| d as usize).find(|&d| out[d].critical && ef[d] == es[i]);
    }
    critical_path.reverse();

    Ok(Schedule {
        start_on,
        steps: out,
        order: g.order.iter().map(|&i| i as usize).collect(),
        total_days,
        critical_path,
        opens_on: date(total_days)?,
    })
}

/// The last day a plan of `total_days` can start and still open on `target_open`. Saturates at
/// the calendar's first day rather than failing, since only absurd inputs get there.
pub fn must_start_by(total_days: i64, target_open: Date) -> Date {
    target_open.checked_sub(Duration::days(total_days)).unwrap_or(Date::MIN)
}

/// How a step differs between two versions of a playbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    /// The name used in stored change lists and message ids (`added`, `removed`, `changed`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepChange {
    pub key: String,
    pub kind: ChangeKind,
    /// What changed, for `Changed`: any of `title`, `detail`, `authority`, `channel`,
    /// `documents`, `days`, `cost`, `depends_on`, `source`, `verification` (last verified date or
    /// the illustrative mark). Empty for `Added` and `Removed`.
    pub fields: Vec<&'static str>,
}

/// The steps that differ between two versions, matched by key: added and changed steps in the new
/// version's order, then removed ones in the old version's order. Used to tell companies with an
/// open plan which of their steps a new version touches.
pub fn diff(old: &Playbook, new: &Playbook) -> Vec<StepChange> {
    let old_by_key: HashMap<&str, &Step> = old.steps.iter().map(|s| (s.key.as_str(), s)).collect();
    let new_keys: std::collections::HashSet<&str> = new.steps.iter().map(|s| s.key.as_str()).collect();
    let mut changes = Vec::new();
    for s in &new.steps {
        match old_by_key.get(s.key.as_str()) {
            None => changes.push(StepChange { key: s.key.clone(), kind: ChangeKind::Added, fields: Vec::new() }),
            Some(o) => {
                let fields = changed_fields(o, s);
                if !fields.is_empty() {
                    changes.push(StepChange { key: s.key.clone(), kind: ChangeKind::Changed, fields });
                }
            }
        }
    }
    for s in &old.steps {
        if !new_keys.contains(s.key.as_str()) {
            changes.push(StepChange { key: s.key.clone(), kind: ChangeKind::Removed, fields: Vec::new() });
        }
    }
    changes
}

fn changed_fields(a: &Step, b: &Step) -> Vec<&'static str> {
    // The order of dependencies carries no meaning, so reordering them is not a change.
    fn sorted(v: &[String]) -> Vec<&str> {
        let mut v: Vec<&str> = v.iter().map(String::as_str).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    let checks = [
        ("title", a.title_ko != b.title_ko || a.title_en != b.title_en),
        ("detail", a.detail_ko != b.detail_ko || a.detail_en != b.detail_en),
        ("authority", a.authority_ko != b.authority_ko || a.authority_en != b.authority_en),
        ("channel", a.channel != b.channel),
        ("documents", a.documents_ko != b.documents_ko || a.documents_en != b.documents_en),
        ("days", a.days != b.days),
        ("cost", a.cost_local != b.cost_local || a.cost_usd != b.cost_usd),
        ("depends_on", sorted(&a.depends_on) != sorted(&b.depends_on)),
        ("source", a.source != b.source),
        ("verification", a.last_verified != b.last_verified || a.illustrative != b.illustrative),
    ];
    checks.into_iter().filter(|&(_, changed)| changed).map(|(f, _)| f).collect()
}

/// One step of a plan as a calendar entry: an all-day event on its due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    /// Made unique per plan and step by the caller (e.g. `plan-42-name_reservation`); the UID is
    /// `uid_suffix@uid_domain`, so re-importing an updated file moves events instead of doubling them.
    pub uid_suffix: String,
    pub summary: String,
    pub description: String,
    pub due: Date,
}

/// Writes a plan as an RFC 5545 iCalendar document (CRLF line ends, long lines folded).
pub fn to_ics(plan_title: &str, uid_domain: &str, events: &[IcsEvent], stamp: OffsetDateTime) -> String {
    let utc = stamp.to_offset(UtcOffset::UTC);
    let dtstamp = format!("{}T{:02}{:02}{:02}Z", ics_date(utc.date()), utc.hour(), utc.minute(), utc.second());
    let mut out = String::with_capacity(256 + events.len() * 300);
    let mut line = |s: &str| push_folded(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//GlobalDesk//Overseas establishment plan//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    // NAME is RFC 7986; X-WR-CALNAME is what older clients (Outlook, Apple) read.
    line(&format!("NAME:{}", ics_escape(plan_title)));
    line(&format!("X-WR-CALNAME:{}", ics_escape(plan_title)));
    for e in events {
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", ics_escape(&format!("{}@{}", e.uid_suffix, uid_domain))));
        line(&format!("DTSTAMP:{dtstamp}"));
        line(&format!("DTSTART;VALUE=DATE:{}", ics_date(e.due)));
        // DTEND of an all-day event is exclusive: the next day.
        line(&format!("DTEND;VALUE=DATE:{}", ics_date(e.due.next_day().unwrap_or(e.due))));
        line(&format!("SUMMARY:{}", ics_escape(&e.summary)));
        if !e.description.is_empty() {
            line(&format!("DESCRIPTION:{}", ics_escape(&e.description)));
        }
        // A deadline is not a meeting: it should not mark the day busy.
        line("TRANSP:TRANSPARENT");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

fn ics_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma get a backslash, line
/// breaks of any style become `\n`, and other control characters, which TEXT may not hold, are
/// dropped.
pub fn ics_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so that no physical line exceeds 75 octets (RFC 5545 §3.1).
/// Cuts fall on character boundaries: a Hangul syllable is three octets in UTF-8 and must not be
/// split across lines, or strict parsers reject the file.
fn push_folded(out: &mut String, line: &str) {
    let mut rest = line;
    // The continuation lines' leading space counts towards their 75 octets.
    let mut room = 75;
    while rest.len() > room {
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = 74;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn step(key: &str, days: u32, deps: &[&str]) -> Step {
        Step {
            key: key.into(),
            title_ko: format!("{key} 단계"),
            title_en: format!("Step {key}"),
            detail_ko: "내용".into(),
            detail_en: "Detail".into(),
            authority_ko: "기관".into(),
            authority_en: "Authority".into(),
            channel: Channel::Online,
            documents_ko: vec!["서류".into()],
            documents_en: vec!["Document".into()],
            days,
            cost_local: None,
            cost_usd: None,
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
            source: "https://example.org".into(),
            last_verified: None,
            illustrative: true,
        }
    }

    fn playbook(steps: Vec<Step>) -> Playbook {
        Playbook {
            country: "ID".into(),
            entity_type: "foreign_owned_company".into(),
            name_ko: "외국인투자법인".into(),
            name_en: "Foreign-owned company".into(),
            summary_ko: "요약".into(),
            summary_en: "Summary".into(),
            currency: "IDR".into(),
            min_capital: Some(Money { amount: 1_000, currency: "IDR".into() }),
            foreign_ownership_ko: "허용".into(),
            foreign_ownership_en: "Allowed".into(),
            visas_ko: "취업비자".into(),
            visas_en: "Work visa".into(),
            home_reporting_ko: "해외직접투자 신고".into(),
            home_reporting_en: "Outward investment report".into(),
            steps,
            sources: vec![],
        }
    }

    fn errors_of(pb: &Playbook) -> Vec<PlaybookError> {
        validate(pb).expect_err("should be refused")
    }

    #[test]
    fn names_match_the_serialised_form() {
        for c in [Channel::Online, Channel::InPerson, Channel::Either] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for k in [ChangeKind::Added, ChangeKind::Removed, ChangeKind::Changed] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn a_sound_playbook_validates() {
        let pb = playbook(vec![step("a", 1, &[]), step("b", 2, &["a"]), step("c", 3, &["a", "b"])]);
        assert_eq!(validate(&pb), Ok(()));
    }

    #[test]
    fn duplicate_keys_are_named() {
        let pb = playbook(vec![step("a", 1, &[]), step("a", 2, &[])]);
        assert_eq!(errors_of(&pb), vec![PlaybookError::DuplicateStep("a".into())]);
    }

    #[test]
    fn a_dependency_pointing_nowhere_is_named() {
        let pb = playbook(vec![step("a", 1, &["ghost"])]);
        let e = errors_of(&pb);
        assert_eq!(e, vec![PlaybookError::UnknownDependency { step: "a".into(), missing: "ghost".into() }]);
        assert_eq!(e[0].message_key(), "playbook-error-unknown-dependency");
        assert_eq!(e[0].args(), vec![("step", "a".to_string()), ("missing", "ghost".to_string())]);
    }

    #[test]
    fn a_cycle_is_named_in_the_order_work_would_flow() {
        // start → x → y → z → x: z waits for y, y for x, x for z.
        let pb = playbook(vec![step("start", 1, &[]), step("x", 1, &["start", "z"]), step("y", 1, &["x"]), step("z", 1, &["y"])]);
        let e = errors_of(&pb);
        assert_eq!(e, vec![PlaybookError::Cycle(vec!["x".into(), "y".into(), "z".into()])]);
        assert_eq!(e[0].message_key(), "playbook-error-cycle");
        assert_eq!(e[0].args(), vec![("steps", "x → y → z → x".to_string())]);
    }

    #[test]
    fn a_step_waiting_for_itself_is_a_cycle() {
        let pb = playbook(vec![step("a", 1, &["a"])]);
        assert_eq!(errors_of(&pb), vec![PlaybookError::Cycle(vec!["a".into()])]);
    }

    #[test]
    fn a_step_downstream_of_a_cycle_is_not_named_in_it() {
        let pb = playbook(vec![step("after", 1, &["b"]), step("a", 1, &["b"]), step("b", 1, &["a"])]);
        assert_eq!(errors_of(&pb), vec![PlaybookError::Cycle(vec!["a".into(), "b".into()])]);
    }

    #[test]
    fn zero_and_absurd_durations_are_refused() {
        let pb = playbook(vec![step("a", 0, &[]), step("b", MAX_STEP_DAYS + 1, &[])]);
        assert_eq!(errors_of(&pb), vec![PlaybookError::ZeroDays("a".into()), PlaybookError::DaysTooLong("b".into())]);
    }

    #[test]
    fn currencies_must_be_three_capital_letters() {
        let mut pb = playbook(vec![step("a", 1, &[])]);
        pb.currency = "usd".into();
        pb.min_capital = Some(Money { amount: 5, currency: "US$".into() });
        let e = errors_of(&pb);
        assert_eq!(e, vec![PlaybookError::BadCurrency("usd".into()), PlaybookError::BadCurrency("US$".into())]);
        assert_eq!(e[0].args(), vec![("code", "usd".to_string())]);
        assert!(is_currency_code("VND") && !is_currency_code("VNDX") && !is_currency_code("VN"));
    }

    #[test]
    fn an_empty_title_in_either_language_is_refused() {
        let mut s = step("a", 1, &[]);
        s.title_en = "  ".into();
        let pb = playbook(vec![s]);
        assert_eq!(errors_of(&pb), vec![PlaybookError::EmptyTitle("a".into())]);
    }

    #[test]
    fn negative_costs_are_refused() {
        let mut s = step("a", 1, &[]);
        s.cost_usd = Some(-1);
        let mut pb = playbook(vec![s]);
        pb.min_capital = Some(Money { amount: -5, currency: "IDR".into() });
        assert_eq!(errors_of(&pb), vec![PlaybookError::NegativeCapital, PlaybookError::NegativeCost("a".into())]);
    }

    #[test]
    fn too_many_steps_is_the_only_complaint() {
        let steps: Vec<Step> = (0..=MAX_STEPS).map(|i| step(&format!("s{i}"), 0, &[])).collect();
        let e = errors_of(&playbook(steps));
        assert_eq!(e, vec![PlaybookError::TooManySteps(MAX_STEPS + 1)]);
        assert_eq!(e[0].args(), vec![("count", "201".to_string()), ("max", "200".to_string())]);
        let steps: Vec<Step> = (0..MAX_STEPS).map(|i| step(&format!("s{i}"), 1, &[])).collect();
        assert_eq!(validate(&playbook(steps)), Ok(()));
    }

    #[test]
    fn keys_texts_country_and_documents_are_checked() {
        let mut s = step("Bad Key", 1, &[]);
        s.detail_en = String::new();
        s.documents_en.clear();
        let mut pb = playbook(vec![s]);
        pb.country = "IDN".into();
        pb.summary_ko = String::new();
        let e = errors_of(&pb);
        assert_eq!(
            e,
            vec![
                PlaybookError::BadCountry("IDN".into()),
                PlaybookError::MissingText { field: "summary_ko".into() },
                PlaybookError::BadKey("Bad Key".into()),
                PlaybookError::MissingText { field: "steps.Bad Key.detail_en".into() },
                PlaybookError::DocumentsMismatch("Bad Key".into()),
            ]
        );
    }

    #[test]
    fn every_error_has_a_distinct_message_key() {
        let all = [
            PlaybookError::DuplicateStep("a".into()),
            PlaybookError::UnknownDependency { step: "a".into(), missing: "b".into() },
            PlaybookError::Cycle(vec!["a".into()]),
            PlaybookError::ZeroDays("a".into()),
            PlaybookError::DaysTooLong("a".into()),
            PlaybookError::BadCurrency("x".into()),
            PlaybookError::BadCountry("x".into()),
            PlaybookError::BadKey("x".into()),
            PlaybookError::EmptyTitle("a".into()),
            PlaybookError::MissingText { field: "f".into() },
            PlaybookError::DocumentsMismatch("a".into()),
            PlaybookError::NegativeCost("a".into()),
            PlaybookError::NegativeCapital,
            PlaybookError::TooManySteps(201),
            PlaybookError::DateOutOfRange,
        ];
        let keys: std::collections::HashSet<_> = all.iter().map(|e| e.message_key()).collect();
        assert_eq!(keys.len(), all.len());
        assert!(keys.iter().all(|k| k.starts_with("playbook-error-")));
    }

    const START: Date = date!(2027 - 01 - 04);

    /// a(2) → { b(5), c(3) } → d(1), plus e(4) hanging off a with nothing after it.
    fn diamond() -> Vec<Step> {
        vec![step("a", 2, &[]), step("b", 5, &["a"]), step("c", 3, &["a"]), step("d", 1, &["b", "c"]), step("e", 4, &["a"])]
    }

    #[test]
    fn parallel_branches_take_the_longer_one() {
        let s = schedule(&diamond(), &[], START, START).unwrap();
        assert_eq!(s.total_days, 8);
        assert_eq!(s.opens_on, date!(2027 - 01 - 12));
        let es: Vec<i64> = s.steps.iter().map(|x| x.earliest_start).collect();
        assert_eq!(es, vec![0, 2, 2, 7, 2]);
        assert_eq!(s.steps[3].earliest_start_on, date!(2027 - 01 - 11));
        assert_eq!(s.steps[3].earliest_finish_on, date!(2027 - 01 - 12));
    }

    #[test]
    fn critical_path_and_slack() {
        let s = schedule(&diamond(), &[], START, START).unwrap();
        assert_eq!(s.critical_path, vec![0, 1, 3]);
        let slack: Vec<i64> = s.steps.iter().map(|x| x.slack).collect();
        assert_eq!(slack, vec![0, 0, 2, 0, 2]);
        let critical: Vec<bool> = s.steps.iter().map(|x| x.critical).collect();
        assert_eq!(critical, vec![true, true, false, true, false]);
        // c can start as late as day 4 and finish on day 7, just in time for d.
        assert_eq!((s.steps[2].latest_start, s.steps[2].latest_finish), (4, 7));
        assert_eq!(s.steps[2].latest_start_on, date!(2027 - 01 - 08));
        assert_eq!((s.steps[4].latest_start, s.steps[4].latest_finish), (4, 8));
    }

    #[test]
    fn steps_authored_out_of_order_are_scheduled_after_their_dependencies() {
        let steps = vec![step("late", 1, &["early"]), step("early", 3, &[])];
        let s = schedule(&steps, &[], START, START).unwrap();
        assert_eq!(s.order, vec![1, 0]);
        assert_eq!(s.steps[0].earliest_start, 3);
        assert_eq!(s.critical_path, vec![1, 0]);
    }

    #[test]
    fn a_late_finish_pushes_dependants_and_moves_the_critical_path() {
        let mut actual = vec![ActualDates::default(); 5];
        // c was planned for days 2..5 but finished on day 12.
        actual[0] = ActualDates { started_on: Some(START), done_on: Some(date!(2027 - 01 - 06)) };
        actual[2] = ActualDates { started_on: Some(date!(2027 - 01 - 06)), done_on: Some(date!(2027 - 01 - 16)) };
        let today = date!(2027 - 01 - 16);
        let s = schedule(&diamond(), &actual, START, today).unwrap();
        assert_eq!(s.steps[2].basis, Basis::Done);
        assert_eq!(s.steps[2].earliest_finish, 12);
        // b has not started; it cannot start in the past, so it starts today (day 12).
        assert_eq!(s.steps[1].earliest_start, 12);
        assert_eq!(s.steps[3].earliest_start, 17);
        assert_eq!(s.total_days, 18);
        assert_eq!(s.opens_on, date!(2027 - 01 - 22));
    }

    #[test]
    fn a_started_step_overrunning_its_days_finishes_no_earlier_than_today() {
        let steps = vec![step("a", 3, &[]), step("b", 2, &["a"])];
        let actual = [ActualDates { started_on: Some(START), done_on: None }];
        let today = date!(2027 - 01 - 14); // day 10, a should have taken 3 days
        let s = schedule(&steps, &actual, START, today).unwrap();
        assert_eq!(s.steps[0].basis, Basis::Started);
        assert_eq!((s.steps[0].earliest_start, s.steps[0].earliest_finish), (0, 10));
        assert_eq!(s.steps[1].earliest_start, 10);
        assert_eq!(s.total_days, 12);
        assert_eq!(s.critical_path, vec![0, 1]);
        // Still within its days: the plan stands.
        let s = schedule(&steps, &actual, START, date!(2027 - 01 - 05)).unwrap();
        assert_eq!(s.steps[0].earliest_finish, 3);
    }

    #[test]
    fn a_plan_starting_in_the_future_is_not_pulled_to_today() {
        let s = schedule(&diamond(), &[], START, date!(2026 - 12 - 01)).unwrap();
        assert_eq!(s.steps[0].earliest_start, 0);
        assert_eq!(s.total_days, 8);
    }

    #[test]
    fn must_start_by_counts_back_from_the_target() {
        let s = schedule(&diamond(), &[], START, START).unwrap();
        assert_eq!(must_start_by(s.total_days, date!(2027 - 03 - 01)), date!(2027 - 02 - 21));
        assert_eq!(must_start_by(0, date!(2027 - 03 - 01)), date!(2027 - 03 - 01));
    }

    #[test]
    fn schedule_refuses_a_broken_graph() {
        let steps = vec![step("a", 1, &["b"]), step("b", 1, &["a"])];
        assert_eq!(schedule(&steps, &[], START, START), Err(PlaybookError::Cycle(vec!["a".into(), "b".into()])));
        let steps = vec![step("a", 1, &["nope"])];
        assert!(matches!(schedule(&steps, &[], START, START), Err(PlaybookError::UnknownDependency { .. })));
    }

    #[test]
    fn an_empty_playbook_opens_on_its_start() {
        let s = schedule(&[], &[], START, START).unwrap();
        assert_eq!((s.total_days, s.opens_on, s.critical_path.len()), (0, START, 0));
    }

    #[test]
    fn diff_names_added_removed_and_changed_fields() {
        let old = playbook(vec![step("a", 2, &[]), step("b", 5, &["a"]), step("c", 3, &["a"])]);
        let mut steps = vec![step("a", 2, &[]), step("b", 7, &["a"]), step("new", 1, &["b"])];
        steps[1].documents_en.push("Lease".into());
        steps[1].documents_ko.push("임대차 계약서".into());
        steps[1].authority_en = "Another authority".into();
        steps[1].last_verified = Some(date!(2027 - 01 - 01));
        let new = playbook(steps);
        assert_eq!(
            diff(&old, &new),
            vec![
                StepChange { key: "b".into(), kind: ChangeKind::Changed, fields: vec!["authority", "documents", "days", "verification"] },
                StepChange { key: "new".into(), kind: ChangeKind::Added, fields: vec![] },
                StepChange { key: "c".into(), kind: ChangeKind::Removed, fields: vec![] },
            ]
        );
    }

    #[test]
    fn reordering_dependencies_is_not_a_change() {
        let old = playbook(vec![step("a", 1, &[]), step("b", 1, &[]), step("c", 1, &["a", "b"])]);
        let mut new = old.clone();
        new.steps[2].depends_on.reverse();
        assert!(diff(&old, &new).is_empty());
        new.steps[2].depends_on.pop();
        new.steps[2].cost_local = Some(100);
        assert_eq!(diff(&old, &new)[0].fields, vec!["cost", "depends_on"]);
    }

    #[test]
    fn ics_text_is_escaped() {
        assert_eq!(ics_escape("a\\b;c,d\ne\r\nf\rg"), "a\\\\b\\;c\\,d\\ne\\nf\\ng");
        assert_eq!(ics_escape("서류: 정관, 등기부등본; 번역본"), "서류: 정관\\, 등기부등본\\; 번역본");
        assert_eq!(ics_escape("bell\u{7}gone"), "bellgone");
    }

    #[test]
    fn long_korean_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let text = format!("DESCRIPTION:{}", "법인설립등기 신청서와 정관을 관할 등기소에 제출합니다. ".repeat(6));
        push_folded(&mut out, &text);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.last(), Some(&""), "ends with CRLF");
        let lines = &lines[..lines.len() - 1];
        assert!(lines.len() > 3);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.len() <= 75, "line {i} has {} octets", l.len());
            if i > 0 {
                assert!(l.starts_with(' '));
            }
        }
        // Unfolding (drop CRLF + one space) gives back the original line; since every piece is a
        // &str, no piece split a character.
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, text);
        // Short lines are left alone.
        let mut out = String::new();
        push_folded(&mut out, "VERSION:2.0");
        assert_eq!(out, "VERSION:2.0\r\n");
    }

    #[test]
    fn a_fold_never_splits_a_hangul_syllable() {
        // After the 8-octet name, 3-octet syllables end at octets 74 and 77: 75 falls inside one.
        let text = format!("SUMMARY:{}", "가".repeat(40));
        let mut out = String::new();
        push_folded(&mut out, &text);
        let first = out.split("\r\n").next().unwrap();
        assert_eq!(first.len(), 75 - 1, "cut back to the syllable boundary at 74 octets");
        assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), text);
    }

    #[test]
    fn ics_calendar_has_the_required_properties() {
        let events = vec![
            IcsEvent {
                uid_suffix: "plan-7-name_reservation".into(),
                summary: "회사명 예약, 확인".into(),
                description: "담당: 법무부\n온라인".into(),
                due: date!(2027 - 02 - 28),
            },
            IcsEvent { uid_suffix: "plan-7-nib".into(), summary: "NIB".into(), description: String::new(), due: date!(2027 - 12 - 31) },
        ];
        let stamp = datetime!(2027-01-04 09:30:00 +9);
        let ics = to_ics("인도네시아 법인 설립 계획", "globaldesk.example", &events, stamp);
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "bare LF");
        for needle in [
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:",
            "CALSCALE:GREGORIAN\r\n",
            "X-WR-CALNAME:인도네시아 법인 설립 계획\r\n",
            "UID:plan-7-name_reservation@globaldesk.example\r\n",
            "DTSTAMP:20270104T003000Z\r\n",
            "DTSTART;VALUE=DATE:20270228\r\nDTEND;VALUE=DATE:20270301\r\n",
            "SUMMARY:회사명 예약\\, 확인\r\n",
            "DESCRIPTION:담당: 법무부\\n온라인\r\n",
            "DTSTART;VALUE=DATE:20271231\r\nDTEND;VALUE=DATE:20280101\r\n",
        ] {
            assert!(ics.contains(needle), "missing {needle:?} in\n{ics}");
        }
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert_eq!(ics.matches("END:VEVENT").count(), 2);
        // The event without a description has no DESCRIPTION line.
        assert_eq!(ics.matches("DESCRIPTION:").count(), 1);
    }

    #[test]
    fn minor_units() {
        assert_eq!(minor_unit_exponent("JPY"), 0);
        assert_eq!(minor_unit_exponent("VND"), 0);
        assert_eq!(minor_unit_exponent("IDR"), 2);
        assert_eq!(minor_unit_exponent("AED"), 2);
    }
}
