//! Programs, eligibility and applications over the API: the live catalog, a company's matches
//! with their explanations in the caller's language, a rule evaluator for tools, and the
//! application workflow (apply, review, decide).
//!
//! Errors are problem documents like the rest of the API. Some carry members of their own:
//! a rule that does not check says where (`rule_error`: line, column, JSON path), and a refused
//! application lists the conditions it failed (`failing`).

use crate::CatalogState;
use crate::matching::{self, ExplainView, lang};
use crate::service::{self, ApplyError};
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use companies::service as services;
use domain::{FieldError, FieldErrors, Role};
use kit::api::{ApiJson, ApiUser};
use kit::error::{ApiError, ApiErrorKind, Problem, ProblemField};
use kit::i18n::{Lang, Tr};
use rules::{Rule, RuleError, RuleSet, Tri};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use store::applications::{self, Application, Side};
use store::programs::ProgramVersion;
use store::users::User;
use utoipa::OpenApi;
use utoipa::ToSchema;

/// The longest note an application or a move may carry.
const NOTE_MAX: usize = 2000;

// ---------------------------------------------------------------------------------------------
// Errors

/// What a handler here answers when it cannot do what was asked: the API's usual problem
/// documents, or one with members of its own.
pub enum Fail {
    Api(ApiError),
    Problem(StatusCode, serde_json::Value),
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Fail::Api(e)
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        match self {
            Fail::Api(e) => e.into_response(),
            Fail::Problem(status, body) => {
                let mut r = (status, Json(body)).into_response();
                r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
                r
            }
        }
    }
}

/// A message by key, or the `fallback` message while the key has no text yet (a missing key
/// shows itself, which helps nobody reading an API answer).
fn message(t: &Tr, key: &str, fallback: &str) -> String {
    let m = t.t(key);
    if m == key { t.t(fallback) } else { m }
}

/// An RFC 9457 document with extension members (`extra` must be an object).
fn problem(
    status: StatusCode,
    slug: &str,
    title: String,
    detail: Option<String>,
    errors: Vec<ProblemField>,
    extra: serde_json::Value,
) -> Fail {
    let base = Problem { kind: format!("/api/problems/{slug}"), title, status: status.as_u16(), detail, errors };
    let mut body = serde_json::to_value(base).unwrap_or_default();
    if let (Some(obj), serde_json::Value::Object(more)) = (body.as_object_mut(), extra) {
        obj.extend(more);
    }
    Fail::Problem(status, body)
}

fn invalid(lang: Lang, field: &str, code: &'static str) -> Fail {
    let mut errs = FieldErrors::default();
    errs.push(FieldError::new(field, code));
    ApiError::new(lang, ApiErrorKind::Invalid(errs)).into()
}

/// Where a rule went wrong, for people and for editors that underline it.

#[derive(OpenApi)]
#[openapi(
    paths(list, get_one, matches, evaluate, list_applications, apply, get_application, transition),
    components(schemas(
        ProgramJson,
        ProgramList,
        ProgramDetail,
        VersionJson,
        AgencyJson,
        BenefitJson,
        WindowJson,
        EffectiveJson,
        ProgramRef,
        MatchJson,
        MatchesJson,
        ExplanationJson,
        RequirementJson,
        LineJson,
        PointsJson,
        MissingJson,
        EvaluateRequest,
        EvaluateResult,
        RuleProblem,
        RuleErrorJson,
        ApplicationJson,
        ApplicationDetail,
        ApplicationList,
        EventJson,
        DecisionJson,
        ApplyRequest,
        TransitionRequest
    ))
)]
pub struct Doc;

/// The catalog's API routes.
pub fn router(state: CatalogState) -> axum::Router {
    axum::Router::new()
        .route("/api/v1/programs", get(list))
        .route("/api/v1/programs/{id}", get(get_one))
        .route("/api/v1/companies/{id}/matches", get(matches))
        .route("/api/v1/rules/evaluate", post(evaluate))
        .route("/api/v1/applications", get(list_applications).post(apply))
        .route("/api/v1/applications/{id}", get(get_application))
        .route("/api/v1/applications/{id}/transitions", post(transition))
        .with_state(state)
}

#[derive(Serialize, ToSchema)]
pub struct RuleErrorJson {
    /// 1-based line of the text form; 0 when the rule came as a JSON object.
    pub line: u32,
    /// 1-based column (in characters); 0 when the rule came as a JSON object.
    pub column: u32,
    /// Where in the JSON form, e.g. `when.all[2]`; empty for the text form.
    pub path: String,
    /// The message id (`rule-err-…`).
    pub code: String,
    /// The message in the caller's language.
    pub message: String,
}

/// A problem document for a rule that does not parse or check: 422 with `rule_error`.
#[derive(Serialize, ToSchema)]
pub struct RuleProblem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: Option<String>,
    pub errors: Vec<ProblemField>,
    pub rule_error: RuleErrorJson,
}

/// A rule error's message in the reader's language, worded as the program pages word it (the
/// English text of the rules crate while a message has no translation).
pub fn rule_error_message(t: &Tr, e: &RuleError) -> String {
    let key = e.key();
    if t.targs(key, &e.args()) == key { e.to_string() } else { matching::rule_error_text(t, e) }
}

fn rule_problem(lang: Lang, e: &RuleError) -> Fail {
    let t = Tr::new(lang);
    let msg = rule_error_message(&t, e);
    let rule_error =
        RuleErrorJson { line: e.line, column: e.column, path: e.path.clone(), code: e.key().to_string(), message: msg.clone() };
    problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "rule",
        t.t("api-invalid"),
        Some(msg.clone()),
        vec![ProblemField { field: "rule".into(), code: e.key().into(), message: msg }],
        serde_json::json!({ "rule_error": rule_error }),
    )
}

/// An application refused or not moved, as a problem document with a message in the caller's
/// language.
fn apply_error(lang: Lang, e: ApplyError) -> Fail {
    let t = Tr::new(lang);
    let (status, slug, key, fallback) = match &e {
        ApplyError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "err-apply-forbidden", "error-forbidden"),
        ApplyError::NotFound => (StatusCode::NOT_FOUND, "not-found", "err-not-found", "error-not-found"),
        ApplyError::NoCompany => (StatusCode::UNPROCESSABLE_ENTITY, "no-company", "err-apply-no-company", "api-invalid"),
        ApplyError::Closed => (StatusCode::CONFLICT, "application-closed", "err-apply-closed", "error-conflict"),
        ApplyError::NotEligible(_) => (StatusCode::UNPROCESSABLE_ENTITY, "not-eligible", "err-apply-not-eligible", "api-invalid"),
        ApplyError::AlreadyOpen => (StatusCode::CONFLICT, "already-open", "err-apply-open", "err-duplicate"),
        ApplyError::Stale => (StatusCode::CONFLICT, "conflict", "err-stale", "error-conflict"),
        ApplyError::BadMove => (StatusCode::CONFLICT, "bad-move", "err-bad-move", "error-conflict"),
        ApplyError::NoteTooLong => (StatusCode::UNPROCESSABLE_ENTITY, "note-too-long", "err-note-too-long", "api-invalid"),
        // Logged and answered as the API answers any storage failure.
        ApplyError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "error-internal", "error-internal"),
    };
    match e {
        ApplyError::Store(e) => ApiError::store(lang, e).into(),
        ApplyError::NotEligible(failing) => {
            let m = t.ta(key, &failing.join("; "));
            let title = if m == key { t.t(fallback) } else { m };
            problem(status, slug, title, None, vec![], serde_json::json!({ "failing": failing }))
        }
        _ => problem(status, slug, message(&t, key, fallback), None, vec![], serde_json::json!({})),
    }
}

/// An id in the path; anything that is not one is simply not found.
fn path_id(caller: &ApiUser, p: Result<Path<i64>, PathRejection>) -> Result<i64, Fail> {
    p.map(|Path(id)| id).map_err(|_| caller.err(ApiErrorKind::NotFound).into())
}

fn query<T>(caller: &ApiUser, q: Result<Query<T>, QueryRejection>) -> Result<T, Fail> {
    q.map(|Query(v)| v).map_err(|r| caller.err(ApiErrorKind::BadRequest(r.body_text())).into())
}

/// The caller's address, as the pages record it in the audit log.
pub struct ClientIp(pub String);

impl FromRequestParts<CatalogState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &CatalogState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        Ok(ClientIp(kit::session::client_ip(state, &parts.headers, peer)))
    }
}

// ---------------------------------------------------------------------------------------------
// Programs

#[derive(Serialize, ToSchema)]
pub struct AgencyJson {
    /// KOTRA, KOSME, KSURE, KCS, BUSAN, MSS, …
    pub code: String,
    /// In the caller's language.
    pub name: String,
    pub name_ko: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct BenefitJson {
    /// Support per company, in won.
    pub krw: Option<i64>,
    /// The company's share, in percent.
    pub copay_pct: Option<i32>,
    /// How many companies the program takes.
    pub capacity: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct WindowJson {
    /// First day applications are taken (YYYY-MM-DD); none = no limit.
    pub from: Option<String>,
    /// Last day applications are taken (YYYY-MM-DD); none = no limit.
    pub to: Option<String>,
    /// Whether applications are taken today (Korean time).
    pub open: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EffectiveJson {
    pub from: String,
    pub to: Option<String>,
    /// Whether the program is in force today (Korean time).
    pub in_force: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ProgramJson {
    /// The program's id (the same for all its versions).
    pub id: i64,
    pub key: String,
    /// The version shown (the published one, for everyone but its agency).
    pub version: i32,
    /// draft, published or superseded.
    pub status: String,
    /// In the caller's language.
    pub title: String,
    pub title_ko: String,
    pub title_en: String,
    /// In the caller's language.
    pub summary: String,
    pub summary_ko: String,
    pub summary_en: String,
    pub agency: AgencyJson,
    /// One of the 13 program categories (export_voucher, exhibitions, trade_insurance, …).
    pub category: String,
    /// Programs of one family count together in `received_within("family", n)`.
    pub family: String,
    pub benefit: BenefitJson,
    pub window: WindowJson,
    pub effective: EffectiveJson,
    /// Export stages the program is meant for.
    pub stages: Vec<String>,
    /// Documents to submit, in the caller's language.
    pub documents: Vec<String>,
    pub documents_ko: Vec<String>,
    pub documents_en: Vec<String>,
    pub url: String,
    /// Amounts, windows and criteria are examples, not verified facts.
    pub illustrative: bool,
    /// Whether eligibility is written as a rule (otherwise: "not yet encoded").
    pub encoded: bool,
    /// SHA-256 of everything a decision depends on; stored with each decision.
    pub content_hash: String,
    pub published_at: Option<String>,
    /// The rule in canonical text form (docs/rules.md), when encoded.
    pub rule: Option<String>,
    /// The same rule in JSON form.
    #[schema(value_type = Option<Object>)]
    pub rule_json: Option<serde_json::Value>,
    /// catalog, officer or bizinfo (an imported public notice).
    pub source: String,
}

fn program_json(t: &Tr, v: &ProgramVersion, today: time::Date) -> ProgramJson {
    let docs = |s: &str| s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect::<Vec<_>>();
    ProgramJson {
        id: v.program_id,
        key: v.key.clone(),
        version: v.version,
        status: v.status.clone(),
        title: t.pick(&v.title_ko, &v.title_en).to_string(),
        title_ko: v.title_ko.clone(),
        title_en: v.title_en.clone(),
        summary: t.pick(&v.summary_ko, &v.summary_en).to_string(),
        summary_ko: v.summary_ko.clone(),
        summary_en: v.summary_en.clone(),
        agency: AgencyJson {
            code: v.agency_code.clone(),
            name: t.pick(&v.agency_name_ko, &v.agency_name_en).to_string(),
            name_ko: v.agency_name_ko.clone(),
            name_en: v.agency_name_en.clone(),
        },
        category: v.category.clone(),
        family: v.family.clone(),
        benefit: BenefitJson { krw: v.benefit_krw, copay_pct: v.copay_pct, capacity: v.capacity },
        window: WindowJson { from: v.apply_from.clone(), to: v.apply_to.clone(), open: matching::window_open(v, today) },
        effective: EffectiveJson { from: v.effective_from.clone(), to: v.effective_to.clone(), in_force: matching::in_force(v, today) },
        stages: v.stages().into_iter().map(str::to_string).collect(),
        documents: v.documents(t.is_ko()).into_iter().map(str::to_string).collect(),
        documents_ko: docs(&v.documents_ko),
        documents_en: docs(&v.documents_en),
        url: v.url.clone(),
        illustrative: v.illustrative,
        encoded: v.encoded(),
        content_hash: v.content_hash.clone(),
        published_at: v.published_at.clone(),
        rule: v.rule_text.clone(),
        rule_json: v.rule_json.as_deref().and_then(|j| serde_json::from_str(j).ok()),
        source: v.source.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgramList {
    /// The date (Korean time) "in force" and "open" were judged on.
    pub as_of: String,
    pub total: usize,
    pub items: Vec<ProgramJson>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramFilter {
    /// A program category, e.g. `exhibitions`.
    category: Option<String>,
    /// An agency code, e.g. `KOTRA`.
    agency: Option<String>,
    /// Words in the Korean or English title.
    q: Option<String>,
    /// true: only programs taking applications today; false: only those that are not.
    open: Option<bool>,
    /// true: only programs whose eligibility is encoded as a rule; false: only those not yet.
    encoded: Option<bool>,
}

/// The programs in force today (published versions), with filters. Any token holder may list.
#[utoipa::path(get, path = "/api/v1/programs", operation_id = "list_programs", params(ProgramFilter),
    responses((status = 200, body = ProgramList), (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<CatalogState>,
    caller: ApiUser,
    q: Result<Query<ProgramFilter>, QueryRejection>,
) -> Result<Json<ProgramList>, Fail> {
    let f = query(&caller, q)?;
    let category = f.category.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = category
        && !store::programs::CATEGORIES.contains(&c)
    {
        return Err(invalid(caller.lang, "category", "err-category"));
    }
    let agency = f.agency.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let words: Vec<String> = f.q.as_deref().unwrap_or("").split_whitespace().map(str::to_lowercase).collect();
    let t = Tr::new(caller.lang);
    let today = kit::today();
    let cat = state.catalog().await;
    let items: Vec<ProgramJson> = cat
        .programs
        .iter()
        .filter(|p| matching::in_force(p, today))
        .filter(|p| category.is_none_or(|c| p.category == c))
        .filter(|p| agency.is_none_or(|a| p.agency_code.eq_ignore_ascii_case(a)))
        .filter(|p| f.open.is_none_or(|o| matching::window_open(p, today) == o))
        .filter(|p| f.encoded.is_none_or(|e| p.encoded() == e))
        .filter(|p| {
            let titles = format!("{} {}", p.title_ko, p.title_en).to_lowercase();
            words.iter().all(|w| titles.contains(w.as_str()))
        })
        .map(|p| program_json(&t, p, today))
        .collect();
    Ok(Json(ProgramList { as_of: today.to_string(), total: items.len(), items }))
}

#[derive(Serialize, ToSchema)]
pub struct VersionJson {
    pub version: i32,
    /// draft, published or superseded.
    pub status: String,
    pub created_at: String,
    pub published_at: Option<String>,
    pub content_hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProgramDetail {
    #[serde(flatten)]
    pub program: ProgramJson,
    /// Every version for officers of the owning agency and platform admins; the published one
    /// for everyone else.
    pub versions: Vec<VersionJson>,
}

/// One program by id: its published version (its agency also sees drafts and past versions).
#[utoipa::path(get, path = "/api/v1/programs/{id}", operation_id = "get_program", params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, body = ProgramDetail), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<CatalogState>,
    caller: ApiUser,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<ProgramDetail>, Fail> {
    let id = path_id(&caller, id)?;
    let db = &state.store.db;
    let p =
        store::programs::program(db, id).await.map_err(|e| ApiError::store(caller.lang, e))?.ok_or(caller.err(ApiErrorKind::NotFound))?;
    let manager = service::can_manage(&caller.user, p.agency_id);
    let all = store::programs::versions(db, id).await.map_err(|e| ApiError::store(caller.lang, e))?;
    let published = all.iter().find(|v| v.status == "published");
    // Its agency sees a program before it is first published; nobody else does.
    let shown = match (published, manager) {
        (Some(v), _) => v,
        (None, true) => all.first().ok_or(caller.err(ApiErrorKind::NotFound))?,
        (None, false) => return Err(caller.err(ApiErrorKind::NotFound).into()),
    };
    let versions = all
        .iter()
        .filter(|v| manager || v.status == "published")
        .map(|v| VersionJson {
            version: v.version,
            status: v.status.clone(),
            created_at: v.created_at.clone(),
            published_at: v.published_at.clone(),
            content_hash: v.content_hash.clone(),
        })
        .collect();
    let t = Tr::new(caller.lang);
    Ok(Json(ProgramDetail { program: program_json(&t, shown, kit::today()), versions }))
}

// ---------------------------------------------------------------------------------------------
// Explanations and matches

#[derive(Serialize, ToSchema)]
pub struct LineJson {
    /// Nesting under the requirement (0 = the requirement itself).
    pub depth: u8,
    /// met, not_met or unknown.
    pub outcome: String,
    pub text: String,
    /// A condition on a fact (not a group heading or a named predicate).
    pub leaf: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementJson {
    /// met, not_met or unknown.
    pub outcome: String,
    /// The requirement in words, with the company's value.
    pub text: String,
    /// The requirement in canonical rule text.
    pub rule: String,
    pub lines: Vec<LineJson>,
}

#[derive(Serialize, ToSchema)]
pub struct PointsJson {
    pub points: i64,
    pub text: String,
    /// Whether these points count for this company.
    pub counted: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MissingJson {
    /// The fact's name in the rule language.
    pub fact: String,
    /// The fact's name for people, in the caller's language.
    pub label: String,
    /// The page where the company can fill it in.
    pub href: String,
}

/// Why a company is (not) eligible, worded in the caller's language.
#[derive(Serialize, ToSchema)]
pub struct ExplanationJson {
    /// eligible, not_eligible or unknown.
    pub outcome: String,
    pub summary: String,
    pub requirements: Vec<RequirementJson>,
    pub points: Vec<PointsJson>,
    /// Facts that would settle an unknown outcome.
    pub missing: Vec<MissingJson>,
    /// The requirements that are not met, in canonical rule text.
    pub failing: Vec<String>,
}

impl From<ExplainView> for ExplanationJson {
    fn from(v: ExplainView) -> Self {
        ExplanationJson {
            outcome: v.outcome.to_string(),
            summary: v.summary,
            requirements: v
                .requirements
                .into_iter()
                .map(|r| RequirementJson {
                    outcome: r.outcome.to_string(),
                    text: r.text,
                    rule: r.rule,
                    lines: r
                        .lines
                        .into_iter()
                        .map(|l| LineJson { depth: l.depth, outcome: l.outcome.to_string(), text: l.text, leaf: l.leaf })
                        .collect(),
                })
                .collect(),
            points: v.points.into_iter().map(|p| PointsJson { points: p.points, text: p.text, counted: p.counted }).collect(),
            missing: v.missing.into_iter().map(|m| MissingJson { fact: m.fact, label: m.label, href: m.href.to_string() }).collect(),
            failing: v.failing,
        }
    }
}

/// A program as a match refers to it.
#[derive(Serialize, ToSchema)]
pub struct ProgramRef {
    pub id: i64,
    pub version: i32,
    /// In the caller's language.
    pub title: String,
    pub title_ko: String,
    pub title_en: String,
    /// The agency's code.
    pub agency: String,
    /// The agency's name in the caller's language.
    pub agency_name: String,
    pub category: String,
    pub family: String,
    /// Whether applications are taken today.
    pub window_open: bool,
    pub apply_to: Option<String>,
    pub illustrative: bool,
    pub content_hash: String,
}

fn program_ref(t: &Tr, v: &ProgramVersion, today: time::Date) -> ProgramRef {
    ProgramRef {
        id: v.program_id,
        version: v.version,
        title: t.pick(&v.title_ko, &v.title_en).to_string(),
        title_ko: v.title_ko.clone(),
        title_en: v.title_en.clone(),
        agency: v.agency_code.clone(),
        agency_name: t.pick(&v.agency_name_ko, &v.agency_name_en).to_string(),
        category: v.category.clone(),
        family: v.family.clone(),
        window_open: matching::window_open(v, today),
        apply_to: v.apply_to.clone(),
        illustrative: v.illustrative,
        content_hash: v.content_hash.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct MatchJson {
    pub program: ProgramRef,
    /// eligible, not_eligible, unknown or not_encoded.
    pub outcome: String,
    /// Sum of the rule's points that hold (for ranking).
    pub score: i64,
    /// Not eligible because of exactly one requirement, with nothing unknown.
    pub one_away: bool,
    /// None when eligibility is not yet encoded.
    pub explanation: Option<ExplanationJson>,
}

#[derive(Serialize, ToSchema)]
pub struct MatchesJson {
    pub company_id: i64,
    /// The date (Korean time) the company was evaluated on.
    pub as_of: String,
    pub total: usize,
    /// Eligible first (best score first), then unknown, then one condition away, then not
    /// encoded, then not eligible.
    pub items: Vec<MatchJson>,
}

/// Every program in force for one company the caller may see (its members; agency staff for
/// companies that consented to share; platform admins), with explanations in the caller's
/// language.
#[utoipa::path(get, path = "/api/v1/companies/{id}/matches", operation_id = "company_matches", params(("id" = i64, Path, description = "Company id")),
    responses((status = 200, body = MatchesJson), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn matches(
    State(state): State<CatalogState>,
    caller: ApiUser,
    ClientIp(ip): ClientIp,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<MatchesJson>, Fail> {
    let id = path_id(&caller, id)?;
    // 404 for companies the caller may not see, so the API does not reveal who is registered.
    let company = state.companies.get(id).filter(|c| services::can_view(&caller.user, &c.row)).ok_or(caller.err(ApiErrorKind::NotFound))?;
    if caller.user.company_id != Some(id) {
        state.read_audit.record(kit::audit_sink::ReadAudit {
            user_id: caller.user.id,
            actor: caller.user.email.clone(),
            action: "company.matches",
            target: format!("company:{id}"),
            ip,
            at: store::now_iso(),
        });
    }
    let db = &state.store.db;
    let store_err = |e| ApiError::store(caller.lang, e);
    let facts = store::programs::facts_of(db, id).await.map_err(store_err)?;
    let awards = store::programs::awards_of(db, id).await.map_err(store_err)?;
    let today = kit::today();
    let subject = matching::subject_of(&company, &facts, &awards, today);
    let cat = state.catalog().await;
    let refs = state.refs();
    let t = Tr::new(caller.lang);
    let (mut ev, rows) = matching::match_company(&cat, &subject, today);
    let items: Vec<MatchJson> = rows
        .iter()
        .map(|m| {
            let p = &cat.programs[m.idx];
            // The points a program would give, whatever the outcome (the page ranks only the
            // eligible ones and skips this work for the rest).
            let score = cat.rule_of[m.idx].map_or(0, |ri| ev.score(ri));
            let explanation =
                cat.rule_of[m.idx].map(|ri| ExplanationJson::from(matching::explain_view(&ev.explain(ri, lang()), &t, &refs)));
            MatchJson {
                program: program_ref(&t, p, today),
                outcome: m.outcome.map_or("not_encoded", Tri::as_str).to_string(),
                score,
                one_away: m.one_away,
                explanation,
            }
        })
        .collect();
    Ok(Json(MatchesJson { company_id: id, as_of: today.to_string(), total: items.len(), items }))
}

// ---------------------------------------------------------------------------------------------
// Rule evaluation

fn rule_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
    let one_of = OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String).description(Some("The rule in text form (or its JSON form as a string).")))
        .item(ObjectBuilder::new().schema_type(Type::Object).description(Some("The rule in JSON form (docs/rules.md §6).")))
        .build();
    Schema::OneOf(one_of)
}

/// A rule and the facts to try it on.
#[derive(Deserialize, ToSchema)]
pub struct EvaluateRequest {
    /// The rule: its text form, or its JSON form (as an object or a string).
    #[schema(schema_with = rule_schema)]
    pub rule: serde_json::Value,
    /// Facts by name, e.g. `{"employees": 12, "region": "26", "founded_on": "2019-04-01"}`;
    /// facts left out are missing.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub profile: serde_json::Value,
    /// Awards received: `[{"family": "export-voucher", "category": "export_voucher", "awarded_on": "2025-05-01"}]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub awards: serde_json::Value,
    /// The evaluation date (YYYY-MM-DD); today in Korea when left out.
    pub as_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EvaluateResult {
    /// eligible, not_eligible or unknown.
    pub outcome: String,
    pub score: i64,
    pub one_away: bool,
    /// Requirements not met, in canonical rule text.
    pub failing: Vec<String>,
    /// Facts that would settle an unknown outcome.
    pub missing: Vec<String>,
    /// The date the rule was evaluated on.
    pub as_of: String,
    /// The rule in canonical text form.
    pub rule: String,
    /// The rule in JSON form.
    #[schema(value_type = Object)]
    pub rule_json: serde_json::Value,
    pub explanation: ExplanationJson,
}

fn parse_rule(lang: Lang, rule: &serde_json::Value) -> Result<Rule, Fail> {
    let parsed = match rule {
        serde_json::Value::String(s) => rules::parse_any(s, matching::lang()),
        serde_json::Value::Object(_) => Rule::from_json(rule, matching::lang()),
        _ => return Err(invalid(lang, "rule", "err-required")),
    };
    parsed.map_err(|e| rule_problem(lang, &e))
}

/// One invalid part of the facts, with the reason (the rule engine's words).
fn bad_facts(lang: Lang, field: &str, e: rules::SubjectError) -> Fail {
    let t = Tr::new(lang);
    let reason = matching::subject_error_text(&t, &e);
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let errors = vec![ProblemField { field: field.to_string(), code: format!("err-{field}"), message: reason.clone() }];
    problem(status, "validation", t.t("api-invalid"), Some(reason), errors, serde_json::json!({}))
}

fn subject_of_request(lang: Lang, body: &EvaluateRequest) -> Result<rules::Subject, Fail> {
    let cat = &matching::lang().catalog;
    let today = kit::today();
    if let Some(d) = &body.as_of
        && (d.len() != 10 || kit::util::parse_date(d).is_none())
    {
        let mut errs = FieldErrors::default();
        errs.push(FieldError::with_arg("as_of", "err-date", d.clone()));
        return Err(ApiError::new(lang, ApiErrorKind::Invalid(errs)).into());
    }
    // Each part alone first, so a refusal names the part that is wrong.
    if !body.profile.is_null() {
        rules::subject_from_json(cat, &serde_json::json!({ "profile": body.profile }), today).map_err(|e| bad_facts(lang, "profile", e))?;
    }
    if !body.awards.is_null() {
        rules::subject_from_json(cat, &serde_json::json!({ "awards": body.awards }), today).map_err(|e| bad_facts(lang, "awards", e))?;
    }
    let mut all = serde_json::Map::new();
    if let Some(d) = &body.as_of {
        all.insert("as_of".into(), d.clone().into());
    }
    if !body.profile.is_null() {
        all.insert("profile".into(), body.profile.clone());
    }
    if !body.awards.is_null() {
        all.insert("awards".into(), body.awards.clone());
    }
    rules::subject_from_json(cat, &serde_json::Value::Object(all), today).map_err(|e| bad_facts(lang, "profile", e))
}

/// Checks a rule and evaluates it against the facts given (no company data is read). A rule
/// that does not parse or check is a 422 with `rule_error` (line, column, message).
#[utoipa::path(post, path = "/api/v1/rules/evaluate", operation_id = "evaluate_rule", request_body = EvaluateRequest,
    responses((status = 200, body = EvaluateResult), (status = 400, body = Problem), (status = 401, body = Problem), (status = 413, body = Problem),
        (status = 422, description = "The rule does not check (`rule_error`), or the facts are not valid", body = RuleProblem)))]
pub async fn evaluate(
    State(state): State<CatalogState>,
    caller: ApiUser,
    ApiJson(body): ApiJson<EvaluateRequest>,
) -> Result<Json<EvaluateResult>, Fail> {
    let rule = parse_rule(caller.lang, &body.rule)?;
    let subject = subject_of_request(caller.lang, &body)?;
    let mut set = RuleSet::new();
    let p = set.add(&rule, matching::lang());
    let mut ev = set.evaluate(&subject);
    let ex = ev.explain(p, matching::lang());
    let t = Tr::new(caller.lang);
    let view = matching::explain_view(&ex, &t, &state.refs());
    Ok(Json(EvaluateResult {
        outcome: ex.outcome.as_str().to_string(),
        score: ex.score,
        one_away: ex.one_away(),
        failing: ex.failing.iter().map(|s| s.to_string()).collect(),
        missing: ex.missing.iter().map(|s| s.to_string()).collect(),
        as_of: subject.as_of.to_string(),
        rule: rule.to_text(),
        rule_json: rule.to_json(),
        explanation: view.into(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Applications

#[derive(Serialize, ToSchema)]
pub struct ApplicationJson {
    pub id: i64,
    pub program_id: i64,
    /// The program version applied to.
    pub program_version_id: i64,
    /// The program's title in the caller's language.
    pub title: String,
    pub title_ko: String,
    pub title_en: String,
    pub agency_id: i64,
    pub company_id: i64,
    /// The company's name in the caller's language.
    pub company_name: String,
    /// draft, submitted, under_review, approved, rejected, completed or withdrawn.
    pub status: String,
    pub note: String,
    /// The eligibility decision stored when the company applied.
    pub decision_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    /// Send this back with a transition; a stale one is refused with 409.
    pub version: i32,
    /// The states the caller may move the application to now.
    pub next: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EventJson {
    pub from: Option<String>,
    pub to: String,
    pub actor: Option<String>,
    pub note: String,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionJson {
    pub id: i64,
    /// eligible or unknown (a company found not eligible cannot apply).
    pub outcome: String,
    pub as_of: String,
    pub content_hash: String,
    pub failing: Vec<String>,
    pub missing: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationDetail {
    #[serde(flatten)]
    pub application: ApplicationJson,
    pub decision: Option<DecisionJson>,
    /// Every change, oldest first.
    pub events: Vec<EventJson>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub total: usize,
    pub items: Vec<ApplicationJson>,
}

/// Which side of an application the user acts for, if any.
fn side_of(user: &User, a: &Application) -> Option<Side> {
    match user.role() {
        Role::CompanyMember if user.company_id == Some(a.company_id) => Some(Side::Company),
        _ if service::can_manage(user, a.agency_id) => Some(Side::Agency),
        _ => None,
    }
}

/// May the user read this application? Its company; the owning agency's staff and platform
/// admins once it is submitted (a draft is the company's own).
fn may_read(user: &User, a: &Application) -> bool {
    match user.role() {
        Role::CompanyMember => user.company_id == Some(a.company_id),
        Role::Officer | Role::AgencyAdmin | Role::PlatformAdmin => a.status != "draft" && service::can_manage(user, a.agency_id),
        Role::Analyst | Role::Expert => false,
    }
}

fn application_json(t: &Tr, user: &User, a: &Application) -> ApplicationJson {
    let next = side_of(user, a).map(|s| applications::next_states(&a.status, s)).unwrap_or_default();
    ApplicationJson {
        id: a.id,
        program_id: a.program_id,
        program_version_id: a.version_id,
        title: t.pick(&a.title_ko, &a.title_en).to_string(),
        title_ko: a.title_ko.clone(),
        title_en: a.title_en.clone(),
        agency_id: a.agency_id,
        company_id: a.company_id,
        company_name: t.pick(&a.company_name_ko, a.company_name_en.as_deref().unwrap_or("")).to_string(),
        status: a.status.clone(),
        note: a.note.clone(),
        decision_id: a.decision_id,
        created_at: a.created_at.clone(),
        updated_at: a.updated_at.clone(),
        version: a.version,
        next: next.into_iter().map(str::to_string).collect(),
    }
}

async fn application_detail(state: &CatalogState, caller: &ApiUser, a: &Application) -> Result<ApplicationDetail, Fail> {
    let db = &state.store.db;
    let store_err = |e| ApiError::store(caller.lang, e);
    let events = applications::events(db, a.id)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|e| EventJson { from: e.from_status, to: e.to_status, actor: e.actor_name, note: e.note, at: e.at })
        .collect();
    let decision = match a.decision_id {
        Some(d) => store::programs::decision(db, d).await.map_err(store_err)?.map(|d| DecisionJson {
            id: d.id,
            outcome: d.outcome,
            as_of: d.as_of,
            content_hash: d.content_hash,
            failing: serde_json::from_str(&d.failing).unwrap_or_default(),
            missing: serde_json::from_str(&d.missing).unwrap_or_default(),
        }),
        None => None,
    };
    Ok(ApplicationDetail { application: application_json(&Tr::new(caller.lang), &caller.user, a), decision, events })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationFilter {
    /// Only applications in this state.
    status: Option<String>,
    /// 1–500, default 100 (agency queues; newest change first).
    limit: Option<i64>,
}

/// Applications the caller works on: a company member's own company's; an agency's review
/// queue (officers and agency admins); every agency's (platform admins). Analysts: 403.
#[utoipa::path(get, path = "/api/v1/applications", operation_id = "list_applications", params(ApplicationFilter),
    responses((status = 200, body = ApplicationList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_applications(
    State(state): State<CatalogState>,
    caller: ApiUser,
    q: Result<Query<ApplicationFilter>, QueryRejection>,
) -> Result<Json<ApplicationList>, Fail> {
    let f = query(&caller, q)?;
    let status = f.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = status
        && !applications::STATES.contains(&s)
    {
        return Err(invalid(caller.lang, "status", "err-bad-move"));
    }
    let limit = f.limit.unwrap_or(100).clamp(1, 500);
    let db = &state.store.db;
    let store_err = |e| ApiError::store(caller.lang, e);
    let user = &caller.user;
    let rows = match user.role() {
        Role::CompanyMember => match user.company_id {
            Some(c) => {
                let mut rows = applications::for_company(db, c).await.map_err(store_err)?;
                rows.retain(|a| status.is_none_or(|s| a.status == s));
                rows.truncate(limit as usize);
                rows
            }
            None => Vec::new(),
        },
        Role::Officer | Role::AgencyAdmin => match user.agency_id {
            Some(a) => applications::for_agency(db, Some(a), status, limit).await.map_err(store_err)?,
            None => Vec::new(),
        },
        Role::PlatformAdmin => applications::for_agency(db, None, status, limit).await.map_err(store_err)?,
        Role::Analyst | Role::Expert => return Err(caller.err(ApiErrorKind::Forbidden).into()),
    };
    let t = Tr::new(caller.lang);
    let items: Vec<ApplicationJson> = rows.iter().map(|a| application_json(&t, user, a)).collect();
    Ok(Json(ApplicationList { total: items.len(), items }))
}

/// One application the caller may read, or the reason not.
async fn readable(state: &CatalogState, caller: &ApiUser, id: i64) -> Result<Application, Fail> {
    if matches!(caller.user.role(), Role::Analyst | Role::Expert) {
        return Err(caller.err(ApiErrorKind::Forbidden).into());
    }
    let a = applications::get(&state.store.db, id).await.map_err(|e| ApiError::store(caller.lang, e))?;
    a.filter(|a| may_read(&caller.user, a)).ok_or(caller.err(ApiErrorKind::NotFound).into())
}

/// One application with its stored decision and its history.
#[utoipa::path(get, path = "/api/v1/applications/{id}", operation_id = "get_application", params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetail), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_application(
    State(state): State<CatalogState>,
    caller: ApiUser,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<ApplicationDetail>, Fail> {
    let id = path_id(&caller, id)?;
    let a = readable(&state, &caller, id).await?;
    Ok(Json(application_detail(&state, &caller, &a).await?))
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, ToSchema)]
pub struct ApplyRequest {
    pub program_id: i64,
    /// true (default): submit now; false: keep as a draft.
    #[serde(default = "yes")]
    pub submit: bool,
    #[serde(default)]
    pub note: String,
}

/// A company member applies to a program for their company. Refused when the window is closed
/// (409), the company is not eligible (422, with `failing`) or already has an open application
/// (409). The eligibility decision is stored with the application.
#[utoipa::path(post, path = "/api/v1/applications", operation_id = "apply", request_body = ApplyRequest,
    responses((status = 201, body = ApplicationDetail), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn apply(
    State(state): State<CatalogState>,
    caller: ApiUser,
    ApiJson(body): ApiJson<ApplyRequest>,
) -> Result<(StatusCode, Json<ApplicationDetail>), Fail> {
    if body.note.trim().chars().count() > NOTE_MAX {
        let mut errs = FieldErrors::default();
        errs.push(FieldError::with_arg("note", "err-too-long", NOTE_MAX.to_string()));
        return Err(ApiError::new(caller.lang, ApiErrorKind::Invalid(errs)).into());
    }
    let id =
        service::apply(&state, &caller.user, body.program_id, body.submit, &body.note).await.map_err(|e| apply_error(caller.lang, e))?;
    let a = readable(&state, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(application_detail(&state, &caller, &a).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// The new state: submitted or withdrawn (the company); under_review, approved, rejected or
    /// completed (the owning agency).
    pub to: String,
    /// The application's `version` as read; a stale one is refused with 409.
    pub version: i64,
    #[serde(default)]
    pub note: String,
}

/// Moves an application. Its company submits or withdraws; officers of the owning agency review,
/// approve (which records an award later rules see), reject and complete.
#[utoipa::path(post, path = "/api/v1/applications/{id}/transitions", operation_id = "move_application", params(("id" = i64, Path, description = "Application id")),
    request_body = TransitionRequest,
    responses((status = 200, body = ApplicationDetail), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn transition(
    State(state): State<CatalogState>,
    caller: ApiUser,
    id: Result<Path<i64>, PathRejection>,
    ApiJson(body): ApiJson<TransitionRequest>,
) -> Result<Json<ApplicationDetail>, Fail> {
    let id = path_id(&caller, id)?;
    let mut errs = FieldErrors::default();
    if !applications::STATES.contains(&body.to.as_str()) {
        errs.push(FieldError::new("to", "err-bad-move"));
    }
    if body.note.trim().chars().count() > NOTE_MAX {
        errs.push(FieldError::with_arg("note", "err-too-long", NOTE_MAX.to_string()));
    }
    if !errs.is_empty() {
        return Err(ApiError::new(caller.lang, ApiErrorKind::Invalid(errs)).into());
    }
    // A version no application ever had is as stale as an old one.
    let version = i32::try_from(body.version).map_err(|_| apply_error(caller.lang, ApplyError::Stale))?;
    service::move_application(&state, &caller.user, id, version, &body.to, &body.note).await.map_err(|e| apply_error(caller.lang, e))?;
    let a = readable(&state, &caller, id).await?;
    Ok(Json(application_detail(&state, &caller, &a).await?))
}
