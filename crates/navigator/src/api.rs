//! `/api/v1/playbooks` and `/api/v1/plans`: the published playbooks (public), a company's plans
//! with their computed schedule, step updates, and the plan as an iCalendar file. Same rules as
//! the pages (`plan_svc`), refusals as problem documents in the caller's language.

use crate::NavState;
use crate::service::{self, NewPlanForm, PlanData, PlanError, StepForm};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::FieldErrors;
use kit::api::{ApiJson, ApiUser};
use kit::error::{ApiError, ApiErrorKind, Problem};
use kit::i18n::Tr;
use kit::today;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list_playbooks, get_playbook, list_plans, create_plan, get_plan, update_step, plan_calendar),
    components(schemas(
        PlaybookSummary,
        PlaybookList,
        PlaybookDetail,
        PlanJson,
        PlanList,
        PlanStepJson,
        PlanUpdateJson,
        PlanWrite,
        StepWrite
    ))
)]
pub struct Doc;

pub fn router(state: NavState) -> axum::Router {
    axum::Router::new()
        .route("/api/v1/playbooks", get(list_playbooks))
        .route("/api/v1/playbooks/{id}", get(get_playbook))
        .route("/api/v1/plans", get(list_plans).post(create_plan))
        .route("/api/v1/plans/{id}", get(get_plan))
        .route("/api/v1/plans/{id}/steps/{key}", post(update_step))
        .route("/api/v1/plans/{id}/calendar.ics", get(plan_calendar))
        .with_state(state)
}

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> ApiError {
        let kind = match e {
            PlanError::NotFound => ApiErrorKind::NotFound,
            PlanError::Forbidden => ApiErrorKind::Forbidden,
            PlanError::Invalid(errs) => ApiErrorKind::Invalid(errs),
            PlanError::Stale => ApiErrorKind::Conflict("plan-error-stale"),
            PlanError::OwnReview => ApiErrorKind::Conflict("playbook-error-own-review"),
            PlanError::Playbook(_) => ApiErrorKind::Conflict("playbook-error-invalid"),
            PlanError::Upload(u) => ApiErrorKind::Invalid(FieldErrors::single("file", u.message_key())),
            PlanError::Internal => ApiErrorKind::Internal,
        };
        ApiError::new(kit::api::caller_lang(), kind)
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlaybookSummary {
    pub id: i64,
    pub country: String,
    pub entity_type: String,
    pub name_ko: String,
    pub name_en: String,
    pub version: i64,
    pub published_at: String,
    pub steps: usize,
    /// Calendar days from start to opening when every step takes its typical time.
    pub total_days: i64,
    /// Days and costs are estimates not yet checked by the responsible agency.
    pub illustrative: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PlaybookList {
    pub items: Vec<PlaybookSummary>,
}

fn summary(p: &service::Published) -> PlaybookSummary {
    let t = today();
    PlaybookSummary {
        id: p.playbook_id,
        country: p.pb.country.clone(),
        entity_type: p.pb.entity_type.clone(),
        name_ko: p.pb.name_ko.clone(),
        name_en: p.pb.name_en.clone(),
        version: p.version,
        published_at: p.published_at.clone(),
        steps: p.pb.steps.len(),
        total_days: domain::playbook::schedule(&p.pb.steps, &[], t, t).map(|s| s.total_days).unwrap_or(0),
        illustrative: p.pb.steps.iter().any(|s| s.illustrative),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct PlaybookQuery {
    /// ISO 3166-1 alpha-2, e.g. ID.
    pub country: Option<String>,
}

/// The published playbooks, optionally of one country. No token needed: they are public.
#[utoipa::path(get, path = "/api/v1/playbooks", operation_id = "list_playbooks", params(PlaybookQuery), security(()),
    responses((status = 200, body = PlaybookList)))]
pub async fn list_playbooks(State(state): State<NavState>, Query(q): Query<PlaybookQuery>) -> Result<Json<PlaybookList>, ApiError> {
    let cat = service::catalog(&state).await?;
    let want = q.country.map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
    let items = cat.list.iter().filter(|p| want.as_ref().is_none_or(|c| &p.pb.country == c)).map(|p| summary(p)).collect();
    Ok(Json(PlaybookList { items }))
}

#[derive(Serialize, ToSchema)]
pub struct PlaybookDetail {
    #[serde(flatten)]
    pub summary: PlaybookSummary,
    /// The whole playbook: entity details, steps with authority, documents, days, costs (minor
    /// units), dependencies, source and last verification.
    #[schema(value_type = Object)]
    pub playbook: serde_json::Value,
    /// Step keys on the critical path, in order.
    pub critical_path: Vec<String>,
}

/// One published playbook with its steps and critical path.
#[utoipa::path(get, path = "/api/v1/playbooks/{id}", operation_id = "get_playbook", params(("id" = i64, Path)), security(()),
    responses((status = 200, body = PlaybookDetail), (status = 404, body = Problem)))]
pub async fn get_playbook(State(state): State<NavState>, Path(id): Path<i64>) -> Result<Json<PlaybookDetail>, ApiError> {
    let cat = service::catalog(&state).await?;
    let p = cat.by_id(id).ok_or(ApiErrorKind::NotFound)?;
    let t = today();
    let critical_path = domain::playbook::schedule(&p.pb.steps, &[], t, t)
        .map(|s| s.critical_path.iter().map(|&i| p.pb.steps[i].key.clone()).collect())
        .unwrap_or_default();
    Ok(Json(PlaybookDetail { summary: summary(p), playbook: serde_json::to_value(&*p.pb).unwrap_or_default(), critical_path }))
}

#[derive(Serialize, ToSchema)]
pub struct PlanStepJson {
    pub key: String,
    pub title_ko: String,
    pub title_en: String,
    pub authority_ko: String,
    pub authority_en: String,
    pub days: u32,
    /// todo, in_progress, done, blocked
    pub status: String,
    pub blocked_reason: String,
    pub started_on: Option<String>,
    pub done_on: Option<String>,
    pub depends_on: Vec<String>,
    pub earliest_start_on: String,
    pub earliest_finish_on: String,
    pub latest_start_on: String,
    pub latest_finish_on: String,
    pub slack_days: i64,
    pub critical: bool,
    /// planned, started or done: where the dates come from.
    pub basis: String,
    pub case_id: Option<i64>,
    pub files: usize,
}

#[derive(Serialize, ToSchema)]
pub struct PlanUpdateJson {
    pub from_version: i64,
    pub to_version: i64,
    pub created_at: String,
    pub seen: bool,
    #[schema(value_type = Vec<Object>)]
    pub changes: serde_json::Value,
    pub change_note: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlanJson {
    pub id: i64,
    pub company_id: i64,
    pub playbook_id: i64,
    pub version: i64,
    pub country: String,
    pub entity_type: String,
    /// open or closed
    pub status: String,
    pub start_on: String,
    pub target_open_on: Option<String>,
    pub total_days: i64,
    /// When the entity can open, from the real dates so far.
    pub opens_on: String,
    /// When it could open starting from scratch today.
    pub opens_if_started_today: String,
    /// The last day to start from scratch and still open on the target date.
    pub must_start_by: Option<String>,
    pub on_time: Option<bool>,
    pub critical_path: Vec<String>,
    /// Send this back with a change; a stale value gets 409.
    pub row_version: i64,
    pub steps: Vec<PlanStepJson>,
    pub updates: Vec<PlanUpdateJson>,
}

fn plan_json(data: &PlanData) -> Result<PlanJson, PlanError> {
    let now = today();
    let s = data.schedule(now)?;
    let fresh = data.fresh_total_days(now);
    let target = data.plan.target_open_on.as_deref().and_then(service::parse_date);
    let steps = data
        .pb
        .steps
        .iter()
        .zip(&s.steps)
        .map(|(st, sc)| {
            let row = data.step(&st.key);
            PlanStepJson {
                key: st.key.clone(),
                title_ko: st.title_ko.clone(),
                title_en: st.title_en.clone(),
                authority_ko: st.authority_ko.clone(),
                authority_en: st.authority_en.clone(),
                days: st.days,
                status: row.map(|r| r.status.clone()).unwrap_or_else(|| "todo".into()),
                blocked_reason: row.map(|r| r.blocked_reason.clone()).unwrap_or_default(),
                started_on: row.and_then(|r| r.started_on.clone()),
                done_on: row.and_then(|r| r.done_on.clone()),
                depends_on: st.depends_on.clone(),
                earliest_start_on: sc.earliest_start_on.to_string(),
                earliest_finish_on: sc.earliest_finish_on.to_string(),
                latest_start_on: sc.latest_start_on.to_string(),
                latest_finish_on: sc.latest_finish_on.to_string(),
                slack_days: sc.slack,
                critical: sc.critical,
                basis: serde_json::to_value(sc.basis).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
                case_id: row.and_then(|r| r.case_id),
                files: data.files.iter().filter(|f| f.step_key == st.key).count(),
            }
        })
        .collect();
    Ok(PlanJson {
        id: data.plan.id,
        company_id: data.plan.company_id,
        playbook_id: data.plan.playbook_id,
        version: data.plan.version,
        country: data.plan.country.clone(),
        entity_type: data.plan.entity_type.clone(),
        status: data.plan.status.clone(),
        start_on: data.plan.start_on.clone(),
        target_open_on: data.plan.target_open_on.clone(),
        total_days: s.total_days,
        opens_on: s.opens_on.to_string(),
        opens_if_started_today: now.checked_add(time::Duration::days(fresh)).unwrap_or(now).to_string(),
        must_start_by: target.map(|t| domain::playbook::must_start_by(fresh, t).to_string()),
        on_time: target.map(|t| s.opens_on <= t),
        critical_path: s.critical_path.iter().map(|&i| data.pb.steps[i].key.clone()).collect(),
        row_version: data.plan.row_version,
        steps,
        updates: data
            .updates
            .iter()
            .map(|u| PlanUpdateJson {
                from_version: u.from_version,
                to_version: u.to_version,
                created_at: u.created_at.clone(),
                seen: u.seen_at.is_some(),
                changes: serde_json::from_str(&u.changes).unwrap_or_default(),
                change_note: u.change_note.clone(),
            })
            .collect(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct PlanList {
    pub items: Vec<PlanJson>,
}

/// The caller's company's plans, newest first.
#[utoipa::path(get, path = "/api/v1/plans", operation_id = "list_plans",
    responses((status = 200, body = PlanList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_plans(State(state): State<NavState>, caller: ApiUser) -> Result<Json<PlanList>, ApiError> {
    let plans = service::plans_of(&state, &caller.user).await?;
    let mut items = Vec::with_capacity(plans.len());
    for p in plans {
        let data = service::plan_for(&state, &caller.user, p.id).await?;
        items.push(plan_json(&data)?);
    }
    Ok(Json(PlanList { items }))
}

#[derive(Deserialize, ToSchema)]
pub struct PlanWrite {
    /// ISO 3166-1 alpha-2, e.g. ID.
    pub country: String,
    /// e.g. foreign_owned_company, representative_office, branch (see /api/v1/playbooks).
    pub entity_type: String,
    /// YYYY-MM-DD; today when absent.
    pub start_on: Option<String>,
    /// YYYY-MM-DD.
    pub target_open_on: Option<String>,
}

/// A company member starts a plan from the published playbook.
#[utoipa::path(post, path = "/api/v1/plans", operation_id = "create_plan", request_body = PlanWrite,
    responses((status = 201, body = PlanJson), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_plan(State(state): State<NavState>, caller: ApiUser, ApiJson(b): ApiJson<PlanWrite>) -> Result<Response, ApiError> {
    let form = NewPlanForm {
        country: b.country,
        entity_type: b.entity_type,
        start_on: b.start_on.unwrap_or_default(),
        target_open_on: b.target_open_on.unwrap_or_default(),
    };
    let id = service::start_plan(&state, &caller.user, &form).await?;
    let data = service::plan_for(&state, &caller.user, id).await?;
    Ok((StatusCode::CREATED, Json(plan_json(&data)?)).into_response())
}

/// A plan with every step's computed schedule (earliest and latest dates, slack, critical path).
#[utoipa::path(get, path = "/api/v1/plans/{id}", operation_id = "get_plan", params(("id" = i64, Path)),
    responses((status = 200, body = PlanJson), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_plan(State(state): State<NavState>, caller: ApiUser, Path(id): Path<i64>) -> Result<Json<PlanJson>, ApiError> {
    let data = service::plan_for(&state, &caller.user, id).await?;
    Ok(Json(plan_json(&data)?))
}

#[derive(Deserialize, ToSchema)]
pub struct StepWrite {
    pub row_version: i64,
    /// todo, in_progress, done, blocked
    pub status: String,
    /// Required when blocked.
    pub blocked_reason: Option<String>,
    /// YYYY-MM-DD, not in the future; today when a step starts without one.
    pub started_on: Option<String>,
    /// YYYY-MM-DD, not in the future; today when a step is done without one.
    pub done_on: Option<String>,
    pub note: Option<String>,
}

/// Moves a step (and records its real dates); the schedule is computed again.
#[utoipa::path(post, path = "/api/v1/plans/{id}/steps/{key}", operation_id = "update_plan_step", request_body = StepWrite,
    params(("id" = i64, Path), ("key" = String, Path)),
    responses((status = 200, body = PlanJson), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_step(
    State(state): State<NavState>,
    caller: ApiUser,
    Path((id, key)): Path<(i64, String)>,
    ApiJson(b): ApiJson<StepWrite>,
) -> Result<Json<PlanJson>, ApiError> {
    let form = StepForm {
        row_version: b.row_version,
        status: b.status,
        blocked_reason: b.blocked_reason.unwrap_or_default(),
        started_on: b.started_on.unwrap_or_default(),
        done_on: b.done_on.unwrap_or_default(),
        note: b.note.unwrap_or_default(),
    };
    service::update_step(&state, &caller.user, id, &key, &form).await?;
    let data = service::plan_for(&state, &caller.user, id).await?;
    Ok(Json(plan_json(&data)?))
}

/// The plan as an iCalendar file (RFC 5545): one all-day event per step on its due date.
#[utoipa::path(get, path = "/api/v1/plans/{id}/calendar.ics", operation_id = "plan_calendar", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = Problem)))]
pub async fn plan_calendar(State(state): State<NavState>, caller: ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let data = service::plan_for(&state, &caller.user, id).await?;
    let body = service::calendar(&state, &data, &Tr::new(caller.lang))?;
    Ok(crate::pages::plans::ics_response(id, body))
}
