//! Programs meet companies: the live catalog compiled into one rule set, a company's matches
//! with their explanations in the reader's language, the all-companies population for
//! previews, version diffs and the notifications a publication sends.

use crate::CatalogState;
use kit::i18n::Tr;
use rules::{Columns, ColumnsBuilder, Explanation, FactType, Language, LineKind, Rule, RuleSet, Subject, Tri, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use store::companies::Company;
use store::programs::{AwardRow, CompanyFact, ProgramVersion};
use store::reference::RefData;
use time::Date;

/// The rule language (facts, predicates) every part of the site checks rules against.
pub fn lang() -> &'static Language {
    static L: OnceLock<Language> = OnceLock::new();
    L.get_or_init(Language::standard)
}

/// The published programs, with the encoded ones compiled together.
#[derive(Default)]
pub struct LiveCatalog {
    /// `catalog_version` it was loaded at; 0 = never loaded.
    pub version: i64,
    pub programs: Vec<ProgramVersion>,
    /// For each program (same index): its index in `set`, if its eligibility is encoded.
    pub rule_of: Vec<Option<usize>>,
    pub set: RuleSet,
    pub by_program_id: HashMap<i64, usize>,
    /// Per program: (effective from, effective to), parsed once rather than on every request.
    effective: Vec<(Option<Date>, Option<Date>)>,
    /// The agencies, for filters: (code, Korean name, English name).
    pub agencies: Vec<(String, String, String)>,
}

impl LiveCatalog {
    pub async fn load(store: &store::Store) -> store::Result<LiveCatalog> {
        let version = store::programs::catalog_version(&store.db).await?;
        let programs = store::programs::published(&store.db).await?;
        let mut set = RuleSet::new();
        let mut rule_of = Vec::with_capacity(programs.len());
        for p in &programs {
            rule_of.push(p.rule_text.as_deref().and_then(|text| match rules::parse(text, lang()) {
                Ok(rule) => Some(set.add(&rule, lang())),
                Err(e) => {
                    // Stored rules were checked when saved; a failure means the language changed
                    // under them. Show the program as not encoded rather than guess.
                    tracing::error!(program = p.program_id, version = p.version, error = %e, "published rule no longer parses");
                    None
                }
            }));
        }
        let by_program_id = programs.iter().enumerate().map(|(i, p)| (p.program_id, i)).collect();
        let effective = programs
            .iter()
            .map(|p| (kit::util::parse_date(&p.effective_from), p.effective_to.as_deref().and_then(kit::util::parse_date)))
            .collect();
        let agencies = store::agencies::list(&store.db).await?.into_iter().map(|a| (a.code, a.name_ko, a.name_en)).collect();
        Ok(LiveCatalog { version: version.max(1), programs, rule_of, set, by_program_id, effective, agencies })
    }

    pub fn in_force(&self, i: usize, today: Date) -> bool {
        let (from, to) = self.effective[i];
        from.is_none_or(|d| d <= today) && to.is_none_or(|d| today <= d)
    }
}

pub fn in_force(p: &ProgramVersion, today: Date) -> bool {
    let from = kit::util::parse_date(&p.effective_from).is_none_or(|d| d <= today);
    let to = p.effective_to.as_deref().and_then(kit::util::parse_date).is_none_or(|d| today <= d);
    from && to
}

/// Whether the application window is open today (no window = always open).
pub fn window_open(p: &ProgramVersion, today: Date) -> bool {
    let from = p.apply_from.as_deref().and_then(kit::util::parse_date).is_none_or(|d| d <= today);
    let to = p.apply_to.as_deref().and_then(kit::util::parse_date).is_none_or(|d| today <= d);
    from && to
}

/// A company's facts as the rules see them.
pub fn subject_of(c: &Company, facts: &[CompanyFact], awards: &[AwardRow], as_of: Date) -> Subject {
    use rules::catalog::ids;
    let cat = &lang().catalog;
    let r = &c.row;
    let mut p = rules::Profile::new(cat);
    p.set(ids::EMPLOYEES, Some(Value::Int(r.employees)));
    p.set(ids::REVENUE_KRW, Some(Value::Int(r.revenue_krw)));
    p.set(ids::EXPORTS_USD, Some(Value::Int(r.exports_usd)));
    p.set(ids::FOUNDED_ON, kit::util::parse_date(&r.founded_on).map(Value::date));
    p.set(ids::REGION, Some(Value::Text(r.region.clone())));
    p.set(ids::KSIC, Some(Value::Text(format!("{}{}", r.ksic_section, r.ksic))));
    p.set(ids::EXPORT_STAGE, Some(Value::Text(r.export_stage.clone())));
    p.set(ids::SIZE_CLASS, Some(Value::Text(r.size_class.clone())));
    p.set(ids::PRODUCTS, Some(Value::Codes(c.products.clone())));
    p.set(ids::EXPORT_COUNTRIES, Some(Value::Codes(c.export_countries.clone())));
    p.set(ids::TARGET_COUNTRIES, Some(Value::Codes(c.target_countries.clone())));
    for f in facts {
        if let Some(v) = fact_value(&f.fact, &f.value) {
            let _ = p.set_named(cat, &f.fact, v);
        }
    }
    let awards = awards
        .iter()
        .filter_map(|a| {
            Some(rules::Award { family: a.family.clone(), category: a.category.clone(), awarded_on: kit::util::parse_date(&a.awarded_on)? })
        })
        .collect();
    Subject::new(p, awards, as_of)
}

/// A company's extra facts and awards: what the rules read beyond the profile.
pub struct Extras {
    pub facts: Vec<CompanyFact>,
    pub awards: Vec<AwardRow>,
    /// A hash of the two lists: the same while they read the same, however often they are
    /// read again (pages made from them are keyed by it).
    pub digest: u64,
}

/// Companies whose extras a node keeps; beyond it the least recently read leave.
pub const EXTRAS_KEPT: usize = 100_000;

/// A company's extras, from this node's copy. Changes anywhere publish
/// `Topic::CompanyFacts`, and the node drops the company's copy when it hears it (this node's own
/// changes at once, with `forget_extras`).
pub async fn extras(state: &CatalogState, company_id: i64) -> store::Result<Arc<Extras>> {
    if let Some(e) = state.extras.get(&company_id) {
        return Ok(e);
    }
    let (facts, awards) =
        tokio::try_join!(store::programs::facts_of(&state.store.db, company_id), store::programs::awards_of(&state.store.db, company_id))?;
    let digest = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&facts, &awards).hash(&mut h);
        h.finish()
    };
    let e = Arc::new(Extras { facts, awards, digest });
    state.extras.put(company_id, e.clone());
    Ok(e)
}

pub fn forget_extras(state: &CatalogState, company_id: i64) {
    state.extras.remove(&company_id);
}

/// The facts a company may add beyond its profile (`company_facts`), in form order.
pub const SUPPLEMENTARY: [&str; 6] =
    ["venture_certified", "innobiz_certified", "women_owned", "rnd_spend_krw", "export_staff", "has_overseas_entity"];

/// A stored supplementary fact as a rule value ("true"/"false", or an integer).
pub fn fact_value(fact: &str, stored: &str) -> Option<Value> {
    let id = lang().catalog.id(fact)?;
    match lang().catalog.get(id).ty {
        FactType::Bool => match stored {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        FactType::Int | FactType::Money(_) => stored.parse().ok().map(Value::Int),
        _ => None,
    }
}

/// A company's result for one program of the live catalog.
#[derive(Debug, Clone, Copy)]
pub struct MatchRow {
    pub idx: usize,
    /// `None`: eligibility not yet encoded.
    pub outcome: Option<Tri>,
    pub score: i64,
    pub one_away: bool,
}

/// Evaluates every program in force for one company: eligible ones best first, then unknown,
/// then those one condition away, then the rest.
pub fn match_company<'a>(cat: &'a LiveCatalog, subject: &'a Subject, today: Date) -> (rules::Evaluation<'a>, Vec<MatchRow>) {
    let mut ev = cat.set.evaluate(subject);
    let mut rows: Vec<MatchRow> = Vec::with_capacity(cat.programs.len());
    for (idx, r) in cat.rule_of.iter().enumerate() {
        if !cat.in_force(idx, today) {
            continue;
        }
        rows.push(match r {
            Some(ri) => {
                let outcome = ev.outcome(*ri);
                let one_away = outcome == Tri::False && ev.requirement_counts(*ri) == (1, 0);
                // Points rank eligible programs; the others are listed in catalog order.
                let score = if outcome == Tri::True { ev.score(*ri) } else { 0 };
                MatchRow { idx, outcome: Some(outcome), score, one_away }
            }
            None => MatchRow { idx, outcome: None, score: 0, one_away: false },
        });
    }
    // Group by outcome, keeping catalog order within a group; only the eligible group is
    // ranked by points (sorting all 2,000 rows on every page view showed up in profiles).
    let rank = |m: &MatchRow| match m.outcome {
        Some(Tri::True) => 0,
        Some(Tri::Unknown) => 1,
        _ if m.one_away => 2,
        None => 3,
        Some(Tri::False) => 4,
    };
    let mut buckets: [Vec<MatchRow>; 5] = Default::default();
    for m in rows {
        buckets[rank(&m)].push(m);
    }
    buckets[0].sort_unstable_by_key(|m| (-m.score, m.idx));
    let rows = buckets.into_iter().flatten().collect();
    (ev, rows)
}

/// An explanation worded for a reader.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExplainView {
    pub outcome: &'static str,
    pub summary: String,
    pub requirements: Vec<RequirementView>,
    pub points: Vec<PointsView>,
    pub missing: Vec<MissingView>,
    pub failing: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RequirementView {
    pub outcome: &'static str,
    pub text: String,
    pub rule: String,
    pub lines: Vec<LineView>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LineView {
    pub depth: u8,
    pub outcome: &'static str,
    pub text: String,
    /// A condition on a fact (not a group or a predicate's name).
    pub leaf: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PointsView {
    pub points: i64,
    pub text: String,
    pub counted: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MissingView {
    pub fact: String,
    pub label: String,
    pub href: &'static str,
}

fn outcome_key(t: Tri) -> &'static str {
    match t {
        Tri::True => "met",
        Tri::False => "not_met",
        Tri::Unknown => "unknown",
    }
}

pub fn fact_label(t: &Tr, fact: &str) -> String {
    lang()
        .catalog
        .id(fact)
        .map(|id| lang().catalog.get(id))
        .map(|f| t.pick(f.label_ko, f.label_en).to_string())
        .unwrap_or_else(|| fact.to_string())
}

/// A value of a fact, formatted for the reader (money with its currency, dates, names of
/// regions and stages).
pub fn format_value(t: &Tr, refs: &RefData, fact: &str, v: &rules::Lit) -> String {
    use rules::Lit;
    let ty = lang().catalog.id(fact).map(|id| lang().catalog.get(id).ty);
    match (ty, v) {
        (Some(FactType::Money(rules::Currency::Krw)), Lit::Int(n)) => t.krw(*n),
        (Some(FactType::Money(rules::Currency::Usd)), Lit::Int(n)) => t.usd(*n),
        (_, Lit::Int(n)) => t.num(*n),
        (_, Lit::Date(d)) => t.date(&rules::Lit::Date(*d).to_string()),
        (_, Lit::Bool(b)) => t.t(if *b { "yes" } else { "no" }),
        (_, Lit::Str(s)) => name_of(t, refs, fact, s),
    }
}

fn name_of(t: &Tr, refs: &RefData, fact: &str, code: &str) -> String {
    match fact {
        "region" => refs.region(code).map(|r| t.pick(&r.name_ko, &r.name_en).to_string()),
        "export_stage" => refs.stages.get(code).map(|s| t.pick(&s.name_ko, &s.name_en).to_string()),
        "size_class" => Some(t.t(&format!("size-{code}"))),
        "target_countries" | "export_countries" if code.len() == 2 => {
            refs.country(code).map(|c| t.pick(&c.name_ko, &c.name_en).to_string())
        }
        _ => None,
    }
    .unwrap_or_else(|| code.to_string())
}

fn actual_text(t: &Tr, refs: &RefData, fact: &str, v: Option<&Value>) -> String {
    let ty = lang().catalog.id(fact).map(|id| lang().catalog.get(id).ty);
    match (ty, v) {
        (_, None) => t.t("explain-not-provided"),
        (Some(FactType::Date), Some(Value::Int(_))) => {
            v.and_then(Value::as_date).map(|d| t.date(&rules::Lit::Date(d).to_string())).unwrap_or_default()
        }
        (Some(FactType::Int), Some(Value::Int(n))) if fact == "age_years" => t.ta("years", &n.to_string()),
        (_, Some(Value::Int(n))) => format_value(t, refs, fact, &rules::Lit::Int(*n)),
        (_, Some(Value::Text(s))) => name_of(t, refs, fact, s),
        (_, Some(Value::Codes(cs))) if cs.is_empty() => t.t("explain-none"),
        (_, Some(Value::Codes(cs))) => cs.iter().map(|c| name_of(t, refs, fact, c)).collect::<Vec<_>>().join(", "),
        (_, Some(Value::Bool(b))) => t.t(if *b { "yes" } else { "no" }),
    }
}

/// "under USD 100,000", "1억 원 이상", "one of Busan, Ulsan": the requirement of a condition.
pub fn requirement_text(t: &Tr, refs: &RefData, c: &rules::Cond) -> String {
    use rules::{CmpOp, Cond, Lit};
    let list = |fact: &str, vs: &[Lit]| vs.iter().map(|v| format_value(t, refs, fact, v)).collect::<Vec<_>>().join(", ");
    let strs = |fact: &str, vs: &[String]| vs.iter().map(|v| name_of(t, refs, fact, v)).collect::<Vec<_>>().join(", ");
    match c {
        Cond::Cmp { fact, op: CmpOp::Eq, value: Lit::Bool(b) } => {
            t.targs("req-is", &[("fact", fact_label(t, fact)), ("value", t.t(if *b { "yes" } else { "no" }))])
        }
        Cond::Cmp { fact, op, value } => {
            let key = match op {
                CmpOp::Lt => "req-lt",
                CmpOp::Le => "req-le",
                CmpOp::Gt => "req-gt",
                CmpOp::Ge => "req-ge",
                CmpOp::Eq => "req-eq",
                CmpOp::Ne => "req-ne",
            };
            t.targs(key, &[("fact", fact_label(t, fact)), ("value", format_value(t, refs, fact, value))])
        }
        Cond::Between { fact, lo, hi } => t.targs(
            "req-between",
            &[("fact", fact_label(t, fact)), ("lo", format_value(t, refs, fact, lo)), ("hi", format_value(t, refs, fact, hi))],
        ),
        Cond::In { fact, negated, values } => {
            t.targs(if *negated { "req-not-in" } else { "req-in" }, &[("fact", fact_label(t, fact)), ("value", list(fact, values))])
        }
        Cond::PrefixIn { fact, prefixes } => t.targs("req-prefix", &[("fact", fact_label(t, fact)), ("value", strs(fact, prefixes))]),
        Cond::Intersects { fact, values } => t.targs("req-intersects", &[("fact", fact_label(t, fact)), ("value", strs(fact, values))]),
        Cond::Missing(fact) => t.targs("req-missing", &[("fact", fact_label(t, fact))]),
        Cond::ReceivedWithin { family, years } => t.targs("req-received", &[("family", family.clone()), ("years", years.to_string())]),
        Cond::AwardsThisYear { category, op, value } => t.targs(
            "req-awards-year",
            &[("category", t.t(&format!("cat-{category}"))), ("op", op.symbol().to_string()), ("value", value.to_string())],
        ),
        Cond::Ref(name) => match lang().predicate(name) {
            Some(p) => t.pick(p.label_ko, p.label_en).to_string(),
            None => name.clone(),
        },
        Cond::All(items) => items.iter().map(|c| requirement_text(t, refs, c)).collect::<Vec<_>>().join(&format!(" {} ", t.t("word-and"))),
        Cond::Any(items) => items.iter().map(|c| requirement_text(t, refs, c)).collect::<Vec<_>>().join(&format!(" {} ", t.t("word-or"))),
        Cond::Not(inner) => t.ta("req-not", &requirement_text(t, refs, inner)),
        Cond::AtLeast(k, items) => t.targs(
            "req-at-least",
            &[("k", k.to_string()), ("items", items.iter().map(|c| requirement_text(t, refs, c)).collect::<Vec<_>>().join(", "))],
        ),
    }
}

/// `requirement_text` for a condition given with its canonical text. The wording does not
/// depend on the company, so each thread keeps what it has worded (per language, for the
/// reference data in force): lists of many programs then cost a lookup per line.
fn requirement_text_cached(t: &Tr, refs: &RefData, cond: &rules::Cond, canonical: &str) -> String {
    thread_local! {
        static CACHE: std::cell::RefCell<(i64, [HashMap<String, String>; 2])> = std::cell::RefCell::new((i64::MIN, Default::default()));
    }
    let slot = usize::from(!t.is_ko());
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.0 != refs.version || c.1[slot].len() > 50_000 {
            *c = (refs.version, Default::default());
        }
        if let Some(v) = c.1[slot].get(canonical) {
            return v.clone();
        }
        let v = requirement_text(t, refs, cond);
        c.1[slot].insert(canonical.to_string(), v.clone());
        v
    })
}

/// One explanation line in words.
fn line_text(l: &rules::Line, t: &Tr, refs: &RefData) -> String {
    match l.kind {
        LineKind::Condition { cond, fact } => {
            let req = requirement_text_cached(t, refs, cond, l.text);
            match fact {
                Some(f) => {
                    let name = lang().catalog.get(*f).name;
                    t.targs("explain-line", &[("requirement", req), ("actual", actual_text(t, refs, name, l.actual))])
                }
                None => req,
            }
        }
        LineKind::Predicate { name } => match lang().predicate(name) {
            Some(p) => format!("{} ({})", t.pick(p.label_ko, p.label_en), t.pick(p.legal_ref_ko, p.legal_ref_en)),
            None => name.clone(),
        },
        LineKind::Group { op, k } => t.ta(&format!("explain-group-{op}"), &k.to_string()),
    }
}

/// The one-sentence explanation: the conditions on facts behind the outcome, with the
/// company's values ("Eligible: exports last year under USD 100,000 — yours: USD 40,000"),
/// not group headings. Only the quoted lines are worded, so a list of many programs stays cheap.
pub fn summary(ex: &Explanation, t: &Tr, refs: &RefData) -> String {
    let leaves = |o: Tri, limit: usize| {
        ex.requirements
            .iter()
            .filter(|r| r.outcome == o)
            .flat_map(|r| r.lines.iter().filter(move |l| l.outcome == o && matches!(l.kind, LineKind::Condition { .. })))
            .take(limit)
            .map(|l| line_text(l, t, refs))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match ex.outcome {
        Tri::True => t.ta("explain-summary-eligible", &leaves(Tri::True, 2)),
        Tri::False => t.ta("explain-summary-not", &leaves(Tri::False, 3)),
        Tri::Unknown => t.ta("explain-summary-unknown", &ex.missing.iter().map(|f| fact_label(t, f)).collect::<Vec<_>>().join(", ")),
    }
}

pub fn explain_view(ex: &Explanation, t: &Tr, refs: &RefData) -> ExplainView {
    let requirements: Vec<RequirementView> = ex
        .requirements
        .iter()
        .map(|r| {
            let lines: Vec<LineView> = r
                .lines
                .iter()
                .map(|l| LineView {
                    depth: l.depth,
                    outcome: outcome_key(l.outcome),
                    text: line_text(l, t, refs),
                    leaf: matches!(l.kind, LineKind::Condition { .. }),
                })
                .collect();
            let text = lines.first().map(|l| l.text.clone()).unwrap_or_default();
            RequirementView { outcome: outcome_key(r.outcome), text, rule: r.text.to_string(), lines }
        })
        .collect();
    let missing: Vec<MissingView> = ex
        .missing
        .iter()
        .map(|f| MissingView {
            fact: f.to_string(),
            label: fact_label(t, f),
            href: if SUPPLEMENTARY.contains(f) { "/company/facts" } else { "/company" },
        })
        .collect();
    let points = ex
        .points
        .iter()
        .map(|(n, cond, o)| PointsView { points: *n, text: requirement_text(t, refs, cond), counted: *o == Tri::True })
        .collect();
    ExplainView {
        outcome: ex.outcome.as_str(),
        summary: summary(ex, t, refs),
        requirements,
        points,
        missing,
        failing: ex.failing.iter().map(|s| s.to_string()).collect(),
    }
}

/// Every consented company as columns, for counts, previews, diffs and notifications.
pub struct Population {
    pub built: Instant,
    pub as_of: Date,
    pub ids: Vec<i64>,
    pub cols: Columns,
}

impl Population {
    pub async fn build(state: &CatalogState, as_of: Date) -> store::Result<Population> {
        let companies = state.companies.consented();
        let facts = store::programs::all_facts(&state.store.db).await?;
        let awards = store::programs::all_awards(&state.store.db).await?;
        let pop = tokio::task::spawn_blocking(move || {
            let mut facts_by: HashMap<i64, Vec<CompanyFact>> = HashMap::new();
            for f in facts {
                facts_by.entry(f.company_id).or_default().push(f);
            }
            let mut awards_by: HashMap<i64, Vec<AwardRow>> = HashMap::new();
            for a in awards {
                awards_by.entry(a.company_id).or_default().push(a);
            }
            let mut b = ColumnsBuilder::new(&lang().catalog, as_of);
            let mut ids = Vec::with_capacity(companies.len());
            for c in &companies {
                let id = c.row.id;
                let s = subject_of(
                    c,
                    facts_by.get(&id).map_or(&[][..], Vec::as_slice),
                    awards_by.get(&id).map_or(&[][..], Vec::as_slice),
                    as_of,
                );
                b.push(&s);
                ids.push(id);
            }
            Population { built: Instant::now(), as_of, ids, cols: b.finish() }
        })
        .await
        .map_err(|e| store::StoreError::Invalid(format!("population build failed: {e}")))?;
        Ok(pop)
    }
}

/// The population, rebuilt when older than `max_age` (or from another day).
pub async fn population(state: &CatalogState, max_age: Duration) -> store::Result<Arc<Population>> {
    let today = kit::today();
    if let Some(p) = kit::util::lock(&state.population).clone()
        && p.built.elapsed() < max_age
        && p.as_of == today
    {
        return Ok(p);
    }
    let fresh = Arc::new(Population::build(state, today).await?);
    *kit::util::lock(&state.population) = Some(fresh.clone());
    Ok(fresh)
}

/// How many companies one rule admits now: (eligible, unknown, of how many), and the rows of
/// up to `sample` eligible companies.
pub fn count(pop: &Population, rule: &Rule, sample: usize) -> (usize, usize, usize, Vec<i64>) {
    let mut set = RuleSet::new();
    let p = set.add(rule, lang());
    let m = set.matrix(&pop.cols, &[p]);
    let (e, u) = m.count(0);
    let rows = m.eligible_rows(0).into_iter().take(sample).map(|r| pop.ids[r as usize]).collect();
    (e, u, pop.ids.len(), rows)
}

/// Companies eligible under `new` but not under `old` (newly eligible), and the reverse.
pub fn diff(pop: &Population, old: Option<&Rule>, new: &Rule) -> (Vec<i64>, Vec<i64>) {
    let mut set = RuleSet::new();
    let n = set.add(new, lang());
    let mut programs = vec![n];
    if let Some(o) = old {
        programs.push(set.add(o, lang()));
    }
    let m = set.matrix(&pop.cols, &programs);
    let (mut gained, mut lost) = (Vec::new(), Vec::new());
    for (row, id) in pop.ids.iter().enumerate() {
        let now = m.is_eligible(0, row);
        let before = old.is_some() && m.is_eligible(1, row);
        if now && !before {
            gained.push(*id);
        } else if before && !now {
            lost.push(*id);
        }
    }
    (gained, lost)
}

/// The outcome of a stored test case against a rule: `Ok` when it matches `expect`.
pub fn run_test(rule: &Rule, case: &serde_json::Value) -> Result<(), String> {
    let subject = rules::subject_from_json(&lang().catalog, case, kit::today()).map_err(|e| format!("subject:{}:{}", e.key, e.arg))?;
    let want = case.get("expect").and_then(|e| e.as_str()).ok_or("expect is needed")?;
    let mut set = RuleSet::new();
    let p = set.add(rule, lang());
    let mut ev = set.evaluate(&subject);
    let got = ev.outcome(p).as_str();
    if got == want { Ok(()) } else { Err(format!("mismatch:{got}:{want}")) }
}

/// A test failure from `run_test` in the reader's language.
pub fn test_failure_text(t: &Tr, failure: &str) -> String {
    if failure == "no-rule" {
        return t.t("test-no-rule");
    }
    if let Some((key, arg)) = failure.strip_prefix("subject:").and_then(|r| r.split_once(':')) {
        return t.ta(key, arg);
    }
    match failure.strip_prefix("mismatch:").and_then(|r| r.split_once(':')) {
        Some((got, want)) => t.targs("test-result", &[("got", t.t(&format!("outcome-{got}"))), ("want", t.t(&format!("outcome-{want}")))]),
        None => failure.to_string(),
    }
}

/// Why a posted or stored profile could not be read, in the reader's language.
pub fn subject_error_text(t: &Tr, e: &rules::SubjectError) -> String {
    t.ta(e.key, &e.arg)
}

/// A rule error in the reader's language, with its line and column.
pub fn rule_error_text(t: &Tr, e: &rules::RuleError) -> String {
    let mut args: Vec<(&str, String)> = e.args();
    for (k, v) in &mut args {
        if *k == "suggestions" && v.is_empty() {
            *v = "—".into();
        }
    }
    let message = t.targs(e.key(), &args);
    if e.line > 0 {
        t.targs("rule-err-at", &[("line", e.line.to_string()), ("column", e.column.to_string()), ("message", message)])
    } else if !e.path.is_empty() {
        t.targs("rule-err-at-path", &[("path", e.path.clone()), ("message", message)])
    } else {
        message
    }
}
