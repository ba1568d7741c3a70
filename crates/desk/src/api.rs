//! The regulatory desk over the API: cases with their timeline and clock, transitions, messages,
//! attachments, referrals, and the public knowledge base (no token needed). The rules are the
//! same as in the browser (`case_svc`); so are the refusals, as problem documents in the
//! caller's language.

use crate::DeskState;
use crate::pages::queue::{QueueQuery, build_filter};
use crate::runtime;
use crate::service::{self, CaseError, MessageKind, ReportForm, Upload, Viewer};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{FieldError, FieldErrors};
use kit::api::{ApiJson, ApiUser};
use kit::error::{ApiError, ApiErrorKind, Problem};
use kit::i18n::Lang;
use kit::today;
use serde::{Deserialize, Serialize};
use store::cases;
use utoipa::OpenApi;
use utoipa::ToSchema;

#[derive(OpenApi)]
#[openapi(
    paths(list, create, get_one, transition, waiting, message, upload, download, refer, decide),
    components(schemas(
        CaseJson,
        CaseList,
        CaseWrite,
        EventJson,
        AttachmentJson,
        SlaJson,
        ReferralJson,
        CaseDetail,
        CaseTransition,
        WaitingWrite,
        MessageWrite,
        ReferralWrite,
        ReferralDecision
    ))
)]
pub struct Doc;

/// The desk's API routes.
pub fn router(state: DeskState) -> axum::Router {
    axum::Router::new()
        .route("/api/v1/cases", get(list).post(create))
        .route("/api/v1/cases/{id}", get(get_one))
        .route("/api/v1/cases/{id}/transitions", post(transition))
        .route("/api/v1/cases/{id}/waiting", post(waiting))
        .route("/api/v1/cases/{id}/messages", post(message))
        .route("/api/v1/cases/{id}/attachments", post(upload).layer(axum::extract::DefaultBodyLimit::max(kit::session::MAX_UPLOAD_BYTES)))
        .route("/api/v1/cases/{id}/referrals", post(refer))
        .route("/api/v1/referrals/{id}/decision", post(decide))
        .route("/api/v1/attachments/{id}", get(download))
        .with_state(state)
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> ApiError {
        fail(kit::api::caller_lang(), e)
    }
}

fn fail(lang: Lang, e: CaseError) -> ApiError {
    let kind = match e {
        CaseError::NotFound => ApiErrorKind::NotFound,
        CaseError::Forbidden => ApiErrorKind::Forbidden,
        CaseError::Invalid(errs) => ApiErrorKind::Invalid(errs),
        CaseError::Stale => ApiErrorKind::Conflict("case-error-stale"),
        CaseError::BadMove => ApiErrorKind::Conflict("case-error-bad-move"),
        CaseError::Upload(u) => ApiErrorKind::Invalid(FieldErrors::single("file", u.message_key())),
        CaseError::Internal(_) => ApiErrorKind::Internal,
    };
    ApiError::new(lang, kind)
}

fn page_fail(lang: Lang, e: kit::error::PageError) -> ApiError {
    use kit::error::PageErrorKind as K;
    ApiError::new(
        lang,
        match e.0 {
            K::NotFound => ApiErrorKind::NotFound,
            K::Forbidden => ApiErrorKind::Forbidden,
            K::Conflict => ApiErrorKind::Conflict("error-conflict"),
            _ => ApiErrorKind::Internal,
        },
    )
}

#[derive(Serialize, ToSchema)]
pub struct CaseJson {
    pub id: i64,
    /// The number a company quotes, e.g. RD-2026-000123.
    pub reference: String,
    pub company_id: i64,
    pub category: String,
    pub country: String,
    pub hs_codes: Vec<String>,
    pub title: String,
    pub description: String,
    pub impact_krw: Option<i64>,
    pub deadline: Option<String>,
    /// draft, submitted, triaged, in_progress, resolved_full, resolved_partial, closed_*.
    pub status: String,
    /// desk, company, agency or foreign_government.
    pub waiting_on: String,
    pub priority: String,
    pub agency: Option<String>,
    pub assignee_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub submitted_at: Option<String>,
    pub due_on: Option<String>,
    /// Send it back with a change; a stale one is refused with 409.
    pub version: i64,
    pub updated_at: String,
}

fn case_json(k: &cases::Case, hs_codes: Vec<String>) -> CaseJson {
    CaseJson {
        id: k.id,
        reference: service::reference(k),
        company_id: k.company_id,
        category: k.category.clone(),
        country: k.country.clone(),
        hs_codes,
        title: k.title.clone(),
        description: k.description.clone(),
        impact_krw: k.impact_krw,
        deadline: k.deadline.clone(),
        status: k.status.clone(),
        waiting_on: k.waiting_on.clone(),
        priority: k.priority.clone(),
        agency: k.agency_code.clone(),
        assignee_id: k.assignee_id,
        merged_into: k.merged_into,
        submitted_at: k.submitted_at.clone(),
        due_on: k.due_on.clone(),
        version: k.version,
        updated_at: k.updated_at.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub total: i64,
    pub page: i64,
    pub items: Vec<CaseJson>,
}

/// Cases the caller may see: a company its own, an agency what it holds or was referred.
#[utoipa::path(get, path = "/api/v1/cases", operation_id = "list_cases", params(QueueQuery), responses((status = 200, body = CaseList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(State(state): State<DeskState>, caller: ApiUser, Query(mut q): Query<QueueQuery>) -> Result<Json<CaseList>, ApiError> {
    let v = service::viewer(&caller.user).ok_or(caller.err(ApiErrorKind::Forbidden))?;
    // A company has no agency queue: by default it lists all its cases.
    if matches!(v, Viewer::Company(_)) && q.view.is_empty() {
        q.view = "all".into();
    }
    let f = build_filter(&state, &caller.user, v, &q, 50).await.map_err(|e| page_fail(caller.lang, e))?;
    let items: Vec<CaseJson>;
    let total;
    if let Some(index) = state.case_index() {
        let (rows, n) = index.queue(v.scope(), &f);
        items = rows.iter().map(|e| case_json(&e.case, Vec::new())).collect();
        total = n;
    } else {
        let (rows, n) = cases::queue(&state.store.db, v.scope(), &f).await.map_err(|e| ApiError::store(caller.lang, e))?;
        items = rows.iter().map(|k| case_json(k, Vec::new())).collect();
        total = n;
    }
    Ok(Json(CaseList { total, page: q.page.max(1), items }))
}

#[derive(Deserialize, ToSchema)]
pub struct CaseWrite {
    pub category: String,
    /// ISO 3166 alpha-2.
    pub country: String,
    #[serde(default)]
    pub hs_codes: Vec<String>,
    pub title: String,
    pub description: String,
    pub impact_krw: Option<i64>,
    /// YYYY-MM-DD.
    pub deadline: Option<String>,
    /// false keeps it as a draft.
    #[serde(default = "yes")]
    pub submit: bool,
}

fn yes() -> bool {
    true
}

/// A company member reports a case (or saves a draft with `submit: false`).
#[utoipa::path(post, path = "/api/v1/cases", operation_id = "report_case", request_body = CaseWrite,
    responses((status = 201, body = CaseDetail), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(State(state): State<DeskState>, caller: ApiUser, ApiJson(b): ApiJson<CaseWrite>) -> Result<Response, ApiError> {
    let form = ReportForm {
        category: b.category,
        country: b.country,
        hs_codes: b.hs_codes.join(","),
        title: b.title,
        description: b.description,
        impact_krw: b.impact_krw.map(|n| n.to_string()).unwrap_or_default(),
        deadline: b.deadline.unwrap_or_default(),
    };
    let id = service::save_report(&state, &caller.user, None, &form, b.submit, Vec::new()).await?;
    let detail = detail_of(&state, &caller, id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(detail)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct EventJson {
    pub id: i64,
    /// created, submitted, routed, status, waiting, priority, assigned, reply, message, answer, request, note, referred, …
    pub kind: String,
    pub at: String,
    pub actor: Option<String>,
    pub agency_id: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub body: String,
    /// Officers' notes; never sent to the company.
    pub internal: bool,
    pub attachments: Vec<AttachmentJson>,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentJson {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// GET it with the same token.
    pub href: String,
}

#[derive(Serialize, ToSchema)]
pub struct SlaJson {
    /// on_track, at_risk, breached, paused, met, met_late.
    pub state: String,
    pub first_response_state: String,
    pub due_on: String,
    pub first_response_due_on: String,
    pub elapsed_business_days: i64,
    pub remaining_business_days: i64,
    pub paused_business_days: i64,
    pub paused_calendar_days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralJson {
    pub id: i64,
    pub from_agency_id: i64,
    pub to_agency_id: i64,
    pub scope: String,
    pub note: String,
    pub status: String,
    pub reason: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseJson,
    /// None for drafts.
    pub sla: Option<SlaJson>,
    pub timeline: Vec<EventJson>,
    /// Staff only.
    pub referrals: Vec<ReferralJson>,
}

async fn detail_of(state: &DeskState, caller: &ApiUser, id: i64) -> Result<CaseDetail, ApiError> {
    let a = service::access(state, &caller.user, id).await?;
    let db = &state.store.db;
    let staff = a.viewer.is_staff();
    let se = |e| ApiError::store(caller.lang, e);
    let cfg = state.desk().await.map_err(se)?;
    let pauses = cases::pauses(db, id).await.map_err(se)?;
    let sla = runtime::clock(&cfg, &a.case, &pauses, today()).map(|s| SlaJson {
        state: s.state.as_str().into(),
        first_response_state: s.first_response_state.as_str().into(),
        due_on: s.due_on.to_string(),
        first_response_due_on: s.first_response_due_on.to_string(),
        elapsed_business_days: s.elapsed_business_days,
        remaining_business_days: s.remaining_business_days,
        paused_business_days: s.paused_business_days,
        paused_calendar_days: s.paused_calendar_days,
    });
    let files = cases::attachments(db, id, staff).await.map_err(se)?;
    let timeline = cases::events(db, id, staff)
        .await
        .map_err(se)?
        .into_iter()
        .map(|e| EventJson {
            attachments: files
                .iter()
                .filter(|f| f.event_id == Some(e.id))
                .map(|f| AttachmentJson {
                    id: f.id,
                    file_name: f.file_name.clone(),
                    media_type: f.media_type.clone(),
                    size_bytes: f.size_bytes,
                    sha256: f.sha256.clone(),
                    href: format!("/api/v1/attachments/{}", f.id),
                })
                .collect(),
            id: e.id,
            kind: e.kind,
            at: e.at,
            actor: e.actor_name,
            agency_id: e.actor_agency_id,
            from: e.from_value,
            to: e.to_value,
            body: e.body,
            internal: e.internal,
        })
        .collect();
    let referrals = if staff {
        cases::referrals(db, id)
            .await
            .map_err(se)?
            .into_iter()
            .map(|r| ReferralJson {
                id: r.id,
                from_agency_id: r.from_agency_id,
                to_agency_id: r.to_agency_id,
                scope: r.scope,
                note: r.note,
                status: r.status,
                reason: r.reason,
                created_at: r.created_at,
            })
            .collect()
    } else {
        Vec::new()
    };
    let hs = cases::products(db, id).await.map_err(se)?;
    Ok(CaseDetail { case: case_json(&a.case, hs), sla, timeline, referrals })
}

/// One case with its timeline (internal notes for staff only) and its clock.
#[utoipa::path(get, path = "/api/v1/cases/{id}", operation_id = "get_case", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_one(State(state): State<DeskState>, caller: ApiUser, Path(id): Path<i64>) -> Result<Json<CaseDetail>, ApiError> {
    Ok(Json(detail_of(&state, &caller, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CaseTransition {
    pub to: String,
    pub version: i64,
    #[serde(default)]
    pub note: String,
}

/// Moves a case (officers of the agency in charge; the company submits, withdraws or reopens).
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", operation_id = "move_case", params(("id" = i64, Path, description = "Case id")), request_body = CaseTransition,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn transition(
    State(state): State<DeskState>,
    caller: ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CaseTransition>,
) -> Result<Json<CaseDetail>, ApiError> {
    service::transition(&state, &caller.user, id, b.version, &b.to, &b.note).await?;
    Ok(Json(detail_of(&state, &caller, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct WaitingWrite {
    /// desk, company, agency or foreign_government; waiting on the company or a foreign government pauses the clock.
    pub waiting_on: String,
    pub version: i64,
    #[serde(default)]
    pub note: String,
}

/// Says whom the case waits on (the agency in charge only).
#[utoipa::path(post, path = "/api/v1/cases/{id}/waiting", operation_id = "set_case_waiting", params(("id" = i64, Path, description = "Case id")), request_body = WaitingWrite,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn waiting(
    State(state): State<DeskState>,
    caller: ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<WaitingWrite>,
) -> Result<Json<CaseDetail>, ApiError> {
    service::set_waiting(&state, &caller.user, id, b.version, &b.waiting_on, &b.note).await?;
    Ok(Json(detail_of(&state, &caller, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MessageWrite {
    /// reply (the company's messages are always replies), note (officers only) or request (asks the company; pauses the clock).
    #[serde(default)]
    pub kind: String,
    pub body: String,
}

fn message_kind(s: &str) -> MessageKind {
    match s {
        "note" => MessageKind::Note,
        "request" => MessageKind::Request,
        _ => MessageKind::Reply,
    }
}

/// Adds a message to the timeline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/messages", operation_id = "add_case_message", params(("id" = i64, Path, description = "Case id")), request_body = MessageWrite,
    responses((status = 201, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn message(
    State(state): State<DeskState>,
    caller: ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MessageWrite>,
) -> Result<Response, ApiError> {
    service::message(&state, &caller.user, id, message_kind(&b.kind), &b.body, Vec::new()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(detail_of(&state, &caller, id).await?)).into_response())
}

/// Uploads files (multipart field `file`, repeatable; optional fields `kind` and `body`). The
/// format is judged from the content; at most 5 files of 10 MB.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", operation_id = "upload_case_attachments", params(("id" = i64, Path, description = "Case id")),
    request_body(content_type = "multipart/form-data", description = "file (repeatable), kind, body"),
    responses((status = 201, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(State(state): State<DeskState>, caller: ApiUser, Path(id): Path<i64>, mut mp: Multipart) -> Result<Response, ApiError> {
    let (mut kind, mut body, mut files) = (String::new(), String::new(), Vec::new());
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(caller.err(ApiErrorKind::TooLarge)),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|_| caller.err(ApiErrorKind::TooLarge))?;
        match name.as_str() {
            "file" | "files" => files.push(Upload { name: file_name.unwrap_or_else(|| "file".into()), bytes: bytes.to_vec() }),
            "kind" => kind = String::from_utf8_lossy(&bytes).into_owned(),
            "body" => body = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    if files.is_empty() {
        return Err(caller.err(ApiErrorKind::Invalid(FieldErrors(vec![FieldError::new("file", "upload-empty")]))));
    }
    service::message(&state, &caller.user, id, message_kind(&kind), &body, files).await?;
    Ok((axum::http::StatusCode::CREATED, Json(detail_of(&state, &caller, id).await?)).into_response())
}

/// Downloads an attachment, for those who may see its case.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", operation_id = "download_attachment", params(("id" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The file"), (status = 404, body = Problem)))]
pub async fn download(State(state): State<DeskState>, caller: ApiUser, Path(aid): Path<i64>) -> Result<Response, ApiError> {
    let se = |e| ApiError::store(caller.lang, e);
    let att = cases::attachment(&state.store.db, aid).await.map_err(se)?.ok_or(caller.err(ApiErrorKind::NotFound))?;
    let a = service::access(&state, &caller.user, att.case_id).await?;
    if att.internal && !a.viewer.is_staff() {
        return Err(caller.err(ApiErrorKind::NotFound));
    }
    let bytes = tokio::fs::read(runtime::attachment_path(&state, &att.storage_key)).await.map_err(|e| {
        tracing::error!(error = %e, attachment = aid, "attachment file missing");
        caller.err(ApiErrorKind::Internal)
    })?;
    Ok(([(header::CONTENT_TYPE, att.media_type), (header::CONTENT_DISPOSITION, "attachment".to_string())], bytes).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ReferralWrite {
    /// Agency code, e.g. KOTRA.
    pub to_agency: String,
    /// whole or part.
    pub scope: String,
    pub note: String,
    pub version: i64,
}

/// The agency in charge refers the case to another agency.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", operation_id = "refer_case", params(("id" = i64, Path, description = "Case id")), request_body = ReferralWrite,
    responses((status = 201, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn refer(
    State(state): State<DeskState>,
    caller: ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReferralWrite>,
) -> Result<Response, ApiError> {
    let to = store::agencies::by_code(&state.store.db, b.to_agency.trim())
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?
        .map(|a| a.id)
        .unwrap_or(0);
    service::refer(&state, &caller.user, id, b.version, to, &b.scope, &b.note).await?;
    Ok((axum::http::StatusCode::CREATED, Json(detail_of(&state, &caller, id).await?)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ReferralDecision {
    pub accept: bool,
    /// Required when declining.
    #[serde(default)]
    pub reason: String,
}

/// The receiving agency accepts or declines a referral.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/decision", operation_id = "decide_referral", params(("id" = i64, Path, description = "Referral id")), request_body = ReferralDecision,
    responses((status = 200, body = CaseDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<DeskState>,
    caller: ApiUser,
    Path(rid): Path<i64>,
    ApiJson(b): ApiJson<ReferralDecision>,
) -> Result<Json<CaseDetail>, ApiError> {
    let r = cases::referral(&state.store.db, rid)
        .await
        .map_err(|e| ApiError::store(caller.lang, e))?
        .ok_or(caller.err(ApiErrorKind::NotFound))?;
    service::decide_referral(&state, &caller.user, rid, b.accept, &b.reason).await?;
    Ok(Json(detail_of(&state, &caller, r.case_id).await?))
}
