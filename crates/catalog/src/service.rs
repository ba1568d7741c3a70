//! Operations on programs and applications shared by the pages and the API: who may do what,
//! validation in the user's language, publication with its tests and notifications.

use crate::CatalogState;
use crate::matching::{self, lang};
use domain::{FieldError, FieldErrors, Role};
use kit::today;
use rules::{Rule, RuleError, Tri};
use serde::Deserialize;
use store::StoreError;
use store::applications::{self, Side};
use store::programs::{self, Program, ProgramFields};
use store::users::User;

#[derive(Debug)]
pub enum ProgramError {
    Invalid(FieldErrors),
    Rule(RuleError),
    /// Test cases that failed: (name, what happened).
    TestsFailed(Vec<(String, String)>),
    Forbidden,
    NotFound,
    /// The draft changed (or was published) while it was being checked.
    Stale,
    Store(StoreError),
}

impl From<StoreError> for ProgramError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ProgramError::NotFound,
            StoreError::StaleVersion => ProgramError::Stale,
            StoreError::Duplicate("program key") => {
                let mut errs = FieldErrors::default();
                errs.push(FieldError::new("key", "err-program-key-taken"));
                ProgramError::Invalid(errs)
            }
            other => ProgramError::Store(other),
        }
    }
}

/// The program form as typed (pages and API alike).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ProgramForm {
    pub key: String,
    pub family: String,
    pub category: String,
    pub title_ko: String,
    pub title_en: String,
    pub summary_ko: String,
    pub summary_en: String,
    pub benefit_krw: String,
    pub copay_pct: String,
    pub apply_from: String,
    pub apply_to: String,
    pub effective_from: String,
    pub effective_to: String,
    /// Comma-separated export stages.
    pub target_stages: String,
    /// One document per line.
    pub documents_ko: String,
    pub documents_en: String,
    pub url: String,
    pub capacity: String,
    pub illustrative: Option<String>,
    /// The rule in text or JSON form; empty = not yet encoded.
    pub rule: String,
}

impl ProgramForm {
    pub fn from_version(v: &programs::ProgramVersion) -> ProgramForm {
        ProgramForm {
            key: v.key.clone(),
            family: v.family.clone(),
            category: v.category.clone(),
            title_ko: v.title_ko.clone(),
            title_en: v.title_en.clone(),
            summary_ko: v.summary_ko.clone(),
            summary_en: v.summary_en.clone(),
            benefit_krw: v.benefit_krw.map(|n| n.to_string()).unwrap_or_default(),
            copay_pct: v.copay_pct.map(|n| n.to_string()).unwrap_or_default(),
            apply_from: v.apply_from.clone().unwrap_or_default(),
            apply_to: v.apply_to.clone().unwrap_or_default(),
            effective_from: v.effective_from.clone(),
            effective_to: v.effective_to.clone().unwrap_or_default(),
            target_stages: v.target_stages.clone(),
            documents_ko: v.documents_ko.clone(),
            documents_en: v.documents_en.clone(),
            url: v.url.clone(),
            capacity: v.capacity.map(|n| n.to_string()).unwrap_or_default(),
            illustrative: v.illustrative.then(|| "on".to_string()),
            rule: v.rule_text.clone().unwrap_or_default(),
        }
    }
}

/// Parses the rule in either form; `Ok(None)` when blank.
pub fn parse_rule(source: &str) -> Result<Option<Rule>, RuleError> {
    if source.trim().is_empty() {
        return Ok(None);
    }
    rules::parse_any(source, lang()).map(Some)
}

fn opt_date(errs: &mut FieldErrors, field: &str, s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match kit::util::parse_date(s) {
        Some(d) if s.len() == 10 => Some(d.to_string()),
        _ => {
            errs.push(FieldError::with_arg(field, "err-date", s));
            None
        }
    }
}

fn opt_int(errs: &mut FieldErrors, field: &str, s: &str, max: i64) -> Option<i64> {
    let clean: String = s.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    match clean.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Some(n),
        Ok(_) => {
            errs.push(FieldError::with_arg(field, "err-range", max.to_string()));
            None
        }
        Err(_) => {
            errs.push(FieldError::new(field, "err-integer"));
            None
        }
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// Checks every field; the rule's own error (with line and column) comes separately.
pub fn validate(form: &ProgramForm) -> Result<(ProgramFields, Option<Rule>), ProgramError> {
    let mut errs = FieldErrors::default();
    let req = |errs: &mut FieldErrors, field: &str, v: &str, max: usize| {
        let v = v.trim();
        if v.is_empty() {
            errs.push(FieldError::new(field, "err-required"));
        } else if v.chars().count() > max {
            errs.push(FieldError::with_arg(field, "err-too-long", max.to_string()));
        }
        v.to_string()
    };
    let title_ko = req(&mut errs, "title_ko", &form.title_ko, 200);
    let title_en = req(&mut errs, "title_en", &form.title_en, 200);
    let summary_ko = req(&mut errs, "summary_ko", &form.summary_ko, 4000);
    let summary_en = req(&mut errs, "summary_en", &form.summary_en, 4000);
    if !programs::CATEGORIES.contains(&form.category.as_str()) {
        errs.push(FieldError::new("category", "err-category"));
    }
    let family = form.family.trim();
    if family.is_empty() || family.len() > 60 || !family.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        errs.push(FieldError::new("family", "err-family"));
    }
    let benefit_krw = opt_int(&mut errs, "benefit_krw", &form.benefit_krw, 1_000_000_000_000);
    let copay_pct = opt_int(&mut errs, "copay_pct", &form.copay_pct, 100);
    let capacity = opt_int(&mut errs, "capacity", &form.capacity, 10_000_000);
    let apply_from = opt_date(&mut errs, "apply_from", &form.apply_from);
    let apply_to = opt_date(&mut errs, "apply_to", &form.apply_to);
    let effective_from = opt_date(&mut errs, "effective_from", &form.effective_from);
    if form.effective_from.trim().is_empty() {
        errs.push(FieldError::new("effective_from", "err-required"));
    }
    let effective_to = opt_date(&mut errs, "effective_to", &form.effective_to);
    if let (Some(a), Some(b)) = (&apply_from, &apply_to)
        && a > b
    {
        errs.push(FieldError::new("apply_to", "err-date-order"));
    }
    if let (Some(a), Some(b)) = (&effective_from, &effective_to)
        && a > b
    {
        errs.push(FieldError::new("effective_to", "err-date-order"));
    }
    let stages: Vec<String> = form.target_stages.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if stages.iter().any(|s| !rules::catalog::EXPORT_STAGES.contains(&s.as_str())) {
        errs.push(FieldError::new("target_stages", "err-stage"));
    }
    let url = form.url.trim().to_string();
    if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        errs.push(FieldError::new("url", "err-url"));
    }
    let rule = parse_rule(&form.rule);
    if !errs.is_empty() {
        return Err(ProgramError::Invalid(errs));
    }
    let rule = rule.map_err(ProgramError::Rule)?;
    let fields = ProgramFields {
        title_ko,
        title_en,
        summary_ko,
        summary_en,
        benefit_krw,
        copay_pct,
        apply_from,
        apply_to,
        effective_from: effective_from.unwrap_or_default(),
        effective_to,
        target_stages: stages,
        documents_ko: lines(&form.documents_ko),
        documents_en: lines(&form.documents_en),
        url,
        capacity,
        illustrative: form.illustrative.is_some(),
        rule_text: rule.as_ref().map(Rule::to_text),
        rule_json: rule.as_ref().map(|r| r.to_json().to_string()),
        source_json: None,
    };
    Ok((fields, rule))
}

/// May this user manage (edit, test, publish, review applications of) this agency's programs?
pub fn can_manage(user: &User, agency_id: i64) -> bool {
    match user.role() {
        Role::Officer | Role::AgencyAdmin => user.agency_id == Some(agency_id),
        Role::PlatformAdmin => true,
        _ => false,
    }
}

/// Creates a program with its first draft, for the user's agency.
pub async fn create(state: &CatalogState, user: &User, form: &ProgramForm) -> Result<i64, ProgramError> {
    use store::TransactionTrait;
    let agency = match (user.role(), user.agency_id) {
        (Role::Officer | Role::AgencyAdmin, Some(a)) => a,
        _ => return Err(ProgramError::Forbidden),
    };
    let (fields, _) = validate(form)?;
    let key = form.key.trim();
    if key.is_empty() || key.len() > 80 || !key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        let mut e = FieldErrors::default();
        e.push(FieldError::new("key", "err-family"));
        return Err(ProgramError::Invalid(e));
    }
    let tx = state.store.db.begin().await.map_err(StoreError::from)?;
    let id = programs::create_program(&tx, key, agency, form.family.trim(), &form.category, "officer").await?;
    let p = programs::program(&tx, id).await?.ok_or(StoreError::NotFound)?;
    programs::insert_version(&tx, &p, "draft", &fields, Some(user.id)).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "program.create", &format!("program:{id}"), "", "").await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(id)
}

/// Saves the program's draft: edits the open draft, or starts a new one from the form.
pub async fn save_draft(state: &CatalogState, user: &User, program_id: i64, form: &ProgramForm) -> Result<i64, ProgramError> {
    let p = programs::program(&state.store.db, program_id).await?.ok_or(ProgramError::NotFound)?;
    if !can_manage(user, p.agency_id) {
        return Err(ProgramError::Forbidden);
    }
    let (mut fields, _) = validate(form)?;
    let versions = programs::versions(&state.store.db, program_id).await?;
    // An imported notice keeps its original text with every version.
    fields.source_json = versions.first().and_then(|v| v.source_json.clone());
    let id = match versions.first() {
        Some(v) if v.status == "draft" => {
            programs::update_draft(&state.store.db, v.id, &p, &fields).await?;
            v.id
        }
        _ => programs::insert_version(&state.store.db, &p, "draft", &fields, Some(user.id)).await?,
    };
    store::audit::record(&state.store.db, Some(user.id), &user.email, "program.save_draft", &format!("program:{program_id}"), "", "")
        .await?;
    Ok(id)
}

/// Runs the program's attached test cases against a rule.
pub async fn run_tests(state: &CatalogState, program_id: i64, rule: &Rule) -> Result<Vec<(String, Result<(), String>)>, ProgramError> {
    let tests = programs::tests_of(&state.store.db, program_id).await?;
    Ok(tests
        .into_iter()
        .map(|t| {
            let r = serde_json::from_str::<serde_json::Value>(&t.case_json)
                .map_err(|e| e.to_string())
                .and_then(|case| matching::run_test(rule, &case));
            (t.name, r)
        })
        .collect())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PublishReport {
    pub version_id: i64,
    pub newly_eligible: usize,
    pub no_longer_eligible: usize,
    pub notified_users: usize,
}

/// Publishes the program's draft. Refused when the rule does not check or a test case fails.
/// The companies the new version makes eligible (and the old did not) are told in the app and
/// by one e-mail each through the outbox.
pub async fn publish(state: &CatalogState, user: &User, program_id: i64) -> Result<PublishReport, ProgramError> {
    use store::TransactionTrait;
    let p = programs::program(&state.store.db, program_id).await?.ok_or(ProgramError::NotFound)?;
    if !can_manage(user, p.agency_id) {
        return Err(ProgramError::Forbidden);
    }
    let versions = programs::versions(&state.store.db, program_id).await?;
    let draft = versions.iter().find(|v| v.status == "draft").ok_or(ProgramError::NotFound)?;
    let new_rule = parse_rule(draft.rule_text.as_deref().unwrap_or("")).map_err(ProgramError::Rule)?;
    let old_rule =
        versions.iter().find(|v| v.status == "published").and_then(|v| v.rule_text.as_deref()).and_then(|t| rules::parse(t, lang()).ok());
    let pop = matching::population(state, std::time::Duration::ZERO).await?;
    let (gained, lost) = match &new_rule {
        Some(rule) => {
            let failed: Vec<(String, String)> =
                run_tests(state, program_id, rule).await?.into_iter().filter_map(|(n, r)| r.err().map(|e| (n, e))).collect();
            if !failed.is_empty() {
                return Err(ProgramError::TestsFailed(failed));
            }
            matching::diff(&pop, old_rule.as_ref(), rule)
        }
        None => {
            // A version without a rule ("not yet encoded") cannot satisfy the program's test cases.
            let tests = programs::tests_of(&state.store.db, program_id).await?;
            if !tests.is_empty() {
                return Err(ProgramError::TestsFailed(tests.into_iter().map(|t| (t.name, "no-rule".to_string())).collect()));
            }
            let lost = old_rule.as_ref().map(|old| matching::count(&pop, old, usize::MAX).3).unwrap_or_default();
            (Vec::new(), lost)
        }
    };
    // Publication, notifications, e-mails and the audit entry are one transaction: either the
    // new version is live and everyone concerned is told, or nothing happened.
    let tx = state.store.db.begin().await.map_err(StoreError::from)?;
    programs::publish(&tx, draft.id, &draft.content_hash, user.id).await?;
    // Only companies eligible while the program is in force hear about it.
    let notify = matching::in_force(draft, today());
    let mut notified = 0;
    if notify {
        let payload = serde_json::json!({"program_id": program_id, "title_ko": draft.title_ko, "title_en": draft.title_en});
        for company_id in &gained {
            for member in store::users::members_of(&tx, *company_id).await? {
                programs::notify(&tx, member.id, "program_eligible", &payload).await?;
                let t = kit::i18n::Tr::new(kit::i18n::Lang::parse(&member.locale).unwrap_or_default());
                let title = t.pick(&draft.title_ko, &draft.title_en).to_string();
                let body = t.targs(
                    "mail-eligible-body",
                    &[
                        ("name", member.display_name.clone()),
                        ("title", title.clone()),
                        ("link", format!("{}/programs/{program_id}", state.config.base_url)),
                    ],
                );
                kit::mail::enqueue(
                    &tx,
                    &kit::mail::Email { to: member.email.clone(), subject: t.ta("mail-eligible-subject", &title), body },
                )
                .await?;
                notified += 1;
            }
        }
    }
    store::audit::record(
        &tx,
        Some(user.id),
        &user.email,
        "program.publish",
        &format!("program:{program_id}"),
        "",
        &format!("version {} (+{} −{})", draft.version, gained.len(), lost.len()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    state.reload_catalog().await;
    Ok(PublishReport { version_id: draft.id, newly_eligible: gained.len(), no_longer_eligible: lost.len(), notified_users: notified })
}

#[derive(Debug)]
pub enum ApplyError {
    Forbidden,
    NotFound,
    NoCompany,
    Closed,
    NotEligible(Vec<String>),
    AlreadyOpen,
    NoteTooLong,
    Stale,
    BadMove,
    Store(StoreError),
}

impl From<StoreError> for ApplyError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(_) => ApplyError::AlreadyOpen,
            StoreError::StaleVersion => ApplyError::Stale,
            StoreError::NotFound => ApplyError::NotFound,
            StoreError::Invalid(_) => ApplyError::BadMove,
            other => ApplyError::Store(other),
        }
    }
}

/// A company member applies (`submit`) or saves a draft application. The decision at this
/// moment is stored with the version and content hash, so it can be shown again as it was.
/// The longest note an application or a move may carry.
pub const NOTE_MAX: usize = 2000;

pub async fn apply(state: &CatalogState, user: &User, program_id: i64, submit: bool, note: &str) -> Result<i64, ApplyError> {
    if user.role() != Role::CompanyMember {
        return Err(ApplyError::Forbidden);
    }
    if note.chars().count() > NOTE_MAX {
        return Err(ApplyError::NoteTooLong);
    }
    let company_id = user.company_id.ok_or(ApplyError::NoCompany)?;
    let cat = state.catalog().await;
    let idx = *cat.by_program_id.get(&program_id).ok_or(ApplyError::NotFound)?;
    let pv = &cat.programs[idx];
    let today = today();
    if !cat.in_force(idx, today) || !matching::window_open(pv, today) {
        return Err(ApplyError::Closed);
    }
    let company = state.companies.get(company_id).ok_or(ApplyError::NoCompany)?;
    // Read fresh: a decision is stored with the facts it was made on.
    let facts = programs::facts_of(&state.store.db, company_id).await?;
    let awards = programs::awards_of(&state.store.db, company_id).await?;
    let subject = matching::subject_of(&company, &facts, &awards, today);
    let mut decision_id = None;
    if let Some(ri) = cat.rule_of[idx] {
        let mut ev = cat.set.evaluate(&subject);
        let ex = ev.explain(ri, lang());
        if ex.outcome == Tri::False {
            return Err(ApplyError::NotEligible(ex.failing.iter().map(|s| s.to_string()).collect()));
        }
        let failing: Vec<String> = ex.failing.iter().map(|s| s.to_string()).collect();
        let missing: Vec<String> = ex.missing.iter().map(|s| s.to_string()).collect();
        let snapshot = snapshot_json(&subject);
        decision_id = Some(
            programs::record_decision(
                &state.store.db,
                programs::NewDecision {
                    company_id,
                    version_id: pv.id,
                    content_hash: &pv.content_hash,
                    as_of: &today.to_string(),
                    outcome: ex.outcome.as_str(),
                    failing: &failing,
                    missing: &missing,
                    facts_json: &snapshot.to_string(),
                },
            )
            .await?,
        );
    }
    let id = applications::create(
        &state.store.db,
        applications::NewApplication {
            program_id,
            version_id: pv.id,
            company_id,
            status: if submit { "submitted" } else { "draft" },
            note: note.trim(),
            decision_id,
            user_id: user.id,
        },
    )
    .await?;
    store::audit::record(&state.store.db, Some(user.id), &user.email, "application.create", &format!("application:{id}"), "", "").await?;
    Ok(id)
}

/// The facts a decision was made on, in the JSON shape `rules::subject_from_json` reads.
pub fn snapshot_json(s: &rules::Subject) -> serde_json::Value {
    let cat = &lang().catalog;
    let mut profile = serde_json::Map::new();
    for (i, v) in s.profile.values.iter().enumerate() {
        let def = cat.get(i);
        if def.derived {
            continue;
        }
        let json = match (def.ty, v) {
            (_, None) => continue,
            (rules::FactType::Date, Some(v)) => serde_json::json!(v.as_date().map(|d| d.to_string())),
            (_, Some(rules::Value::Int(n))) => serde_json::json!(n),
            (_, Some(rules::Value::Text(t))) => serde_json::json!(t),
            (_, Some(rules::Value::Codes(c))) => serde_json::json!(c),
            (_, Some(rules::Value::Bool(b))) => serde_json::json!(b),
        };
        profile.insert(def.name.to_string(), json);
    }
    let awards: Vec<_> = s
        .awards
        .iter()
        .map(|a| serde_json::json!({"family": a.family, "category": a.category, "awarded_on": a.awarded_on.to_string()}))
        .collect();
    serde_json::json!({"as_of": s.as_of.to_string(), "profile": profile, "awards": awards})
}

/// Moves an application: its company withdraws or submits, the owning agency reviews.
pub async fn move_application(
    state: &CatalogState,
    user: &User,
    app_id: i64,
    expected_version: i32,
    to: &str,
    note: &str,
) -> Result<(), ApplyError> {
    let app = applications::get(&state.store.db, app_id).await?.ok_or(ApplyError::NotFound)?;
    // Whoever may not see the application (another company, another agency, the agency while
    // it is still the company's draft) is told it does not exist.
    let side = match user.role() {
        Role::CompanyMember if user.company_id == Some(app.company_id) => Side::Company,
        _ if can_manage(user, app.agency_id) && app.status != "draft" => Side::Agency,
        _ => return Err(ApplyError::NotFound),
    };
    if note.chars().count() > NOTE_MAX {
        return Err(ApplyError::NoteTooLong);
    }
    let program: Program = programs::program(&state.store.db, app.program_id).await?.ok_or(ApplyError::NotFound)?;
    // Submitting a saved draft is applying: the window and the eligibility are checked again,
    // on the version in force now.
    if to == "submitted" {
        let cat = state.catalog().await;
        let idx = *cat.by_program_id.get(&app.program_id).ok_or(ApplyError::Closed)?;
        if !cat.in_force(idx, today()) || !matching::window_open(&cat.programs[idx], today()) {
            return Err(ApplyError::Closed);
        }
        if let Some(ri) = cat.rule_of[idx] {
            let company = state.companies.get(app.company_id).ok_or(ApplyError::NoCompany)?;
            let facts = programs::facts_of(&state.store.db, app.company_id).await?;
            let awards = programs::awards_of(&state.store.db, app.company_id).await?;
            let subject = matching::subject_of(&company, &facts, &awards, today());
            let mut ev = cat.set.evaluate_some(&subject, &[ri]);
            let ex = ev.explain(ri, lang());
            if ex.outcome == Tri::False {
                return Err(ApplyError::NotEligible(ex.failing.iter().map(|s| s.to_string()).collect()));
            }
        }
    }
    applications::transition(&state.store.db, app_id, expected_version, to, side, user.id, note.trim(), &program, &today().to_string())
        .await?;
    // An approval adds an award, which rules read.
    matching::forget_extras(state, app.company_id);
    // The company hears of every move the agency makes.
    if side == Side::Agency {
        let payload = serde_json::json!({"application_id": app_id, "status": to, "title_ko": app.title_ko, "title_en": app.title_en});
        for m in store::users::members_of(&state.store.db, app.company_id).await? {
            programs::notify(&state.store.db, m.id, "application_status", &payload).await?;
        }
    }
    store::audit::record(&state.store.db, Some(user.id), &user.email, "application.move", &format!("application:{app_id}"), "", to).await?;
    Ok(())
}
