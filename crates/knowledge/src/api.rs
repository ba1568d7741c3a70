//! The public knowledge base over the API: published summaries only, no token needed.

use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use desk::DeskState;
use kit::error::{ApiError, ApiErrorKind, Problem};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(knowledge_base, knowledge_entry), components(schemas(KbEntryJson, KbList)))]
pub struct Doc;

/// The knowledge base's API routes (public).
pub fn router(state: DeskState) -> axum::Router {
    axum::Router::new()
        .route("/api/v1/knowledge-base", get(knowledge_base))
        .route("/api/v1/knowledge-base/{id}", get(knowledge_entry))
        .with_state(state)
}

#[derive(Serialize, ToSchema)]
pub struct KbEntryJson {
    pub id: i64,
    pub category: String,
    pub country: String,
    pub hs_codes: Vec<String>,
    pub title_ko: String,
    pub title_en: String,
    pub summary_ko: String,
    pub summary_en: String,
    pub agency: String,
    pub published_at: Option<String>,
    /// Demo content that describes no real case.
    pub illustrative: bool,
}

#[derive(Serialize, ToSchema)]
pub struct KbList {
    pub total: usize,
    pub items: Vec<KbEntryJson>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct KbQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub hs: String,
    #[serde(default)]
    pub page: usize,
}

fn kb_json(e: store::kb::Entry) -> KbEntryJson {
    KbEntryJson {
        id: e.id,
        category: e.category,
        country: e.country,
        hs_codes: e.hs_codes.split_whitespace().map(str::to_string).collect(),
        title_ko: e.title_ko,
        title_en: e.title_en,
        summary_ko: e.summary_ko,
        summary_en: e.summary_en,
        agency: e.agency_en,
        published_at: e.published_at,
        illustrative: e.illustrative,
    }
}

/// The public knowledge base: published summaries only, no token needed.
#[utoipa::path(get, path = "/api/v1/knowledge-base", operation_id = "search_knowledge_base", params(KbQuery), security(()), responses((status = 200, body = KbList)))]
pub async fn knowledge_base(State(state): State<DeskState>, parts: axum::http::request::Parts) -> Result<Json<KbList>, ApiError> {
    let lang = kit::api::lang_of(&parts, None);
    let Query(q) = Query::<KbQuery>::try_from_uri(&parts.uri).map_err(|e| ApiError::new(lang, ApiErrorKind::BadRequest(e.body_text())))?;
    let (search, errs) =
        crate::service::PublicSearch::parse(|c| state.refs().country(c).is_some(), &q.q, &q.category, &q.country, &q.hs, q.page.max(1));
    if !errs.is_empty() {
        return Err(ApiError::new(lang, ApiErrorKind::Invalid(errs)));
    }
    let (entries, total) = crate::service::search_public(&state, &search, 50).await?;
    Ok(Json(KbList { total, items: entries.into_iter().map(kb_json).collect() }))
}

/// One published summary (no token needed).
#[utoipa::path(get, path = "/api/v1/knowledge-base/{id}", operation_id = "get_knowledge_entry", params(("id" = i64, Path, description = "Entry id")), security(()),
    responses((status = 200, body = KbEntryJson), (status = 404, body = Problem)))]
pub async fn knowledge_entry(State(state): State<DeskState>, parts: axum::http::request::Parts) -> Result<Json<KbEntryJson>, ApiError> {
    let lang = kit::api::lang_of(&parts, None);
    let id: i64 = parts.uri.path().rsplit('/').next().and_then(|s| s.parse().ok()).ok_or(ApiError::new(lang, ApiErrorKind::NotFound))?;
    let e = store::kb::get(&state.store.db, id).await.map_err(|e| ApiError::store(lang, e))?;
    match e {
        Some(e) if e.status == "published" => Ok(Json(kb_json(e))),
        _ => Err(ApiError::new(lang, ApiErrorKind::NotFound)),
    }
}
