//! `/api/v1/experts`: the directory of verified local experts. Public like the directory page
//! (no token needed): only verified listings, each with its track record.

use crate::service::{self, ExpertError, Viewer};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use kit::error::{ApiError, ApiErrorKind, Problem};
use navigator::NavState;
use serde::{Deserialize, Serialize};
use store::experts::Expert;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(list, get_one), components(schemas(ExpertJson, ExpertList, AgencyRef)))]
pub struct Doc;

pub fn router(state: NavState) -> axum::Router {
    axum::Router::new().route("/api/v1/experts", get(list)).route("/api/v1/experts/{id}", get(get_one)).with_state(state)
}

#[derive(Serialize, ToSchema)]
pub struct AgencyRef {
    pub name_ko: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct ExpertJson {
    pub id: i64,
    /// ISO 3166 alpha-2.
    pub country: String,
    /// law_firm, accountant, consultant or notary.
    pub kind: String,
    pub name_ko: String,
    pub name_en: String,
    pub city: String,
    /// establishment, tax, accounting, labour, licensing, customs, ip, real_estate, visas.
    pub specialties: Vec<String>,
    /// ISO 639-1 codes; `ko` means Korean-speaking.
    pub languages: Vec<String>,
    pub korean_speaking: bool,
    /// Indicative hourly fee range in whole US dollars.
    pub fee_min_usd: Option<i64>,
    pub fee_max_usd: Option<i64>,
    pub contact_email: String,
    pub description_ko: String,
    pub description_en: String,
    /// Always `verified` here: the directory lists nothing else.
    pub status: String,
    pub verified_by: Option<AgencyRef>,
    pub verified_at: Option<String>,
    pub endorsed_by: Option<AgencyRef>,
    /// Conflict-of-interest declaration and when it was made.
    pub coi_declaration: String,
    pub coi_declared_at: Option<String>,
    /// Consultations completed through GlobalDesk.
    pub completed: i64,
    /// Average of the companies' ratings (1–5), when there is any.
    pub rating_avg: Option<f64>,
    pub rating_count: i64,
    /// Invented for the demo; not a real firm.
    pub illustrative: bool,
}

fn agency(ko: &Option<String>, en: &Option<String>) -> Option<AgencyRef> {
    match (ko, en) {
        (Some(ko), Some(en)) => Some(AgencyRef { name_ko: ko.clone(), name_en: en.clone() }),
        _ => None,
    }
}

fn json(x: &Expert) -> ExpertJson {
    ExpertJson {
        id: x.id,
        country: x.country.clone(),
        kind: x.kind.clone(),
        name_ko: x.name_ko.clone(),
        name_en: x.name_en.clone(),
        city: x.city.clone(),
        specialties: x.specialties.split_whitespace().map(str::to_string).collect(),
        languages: x.languages.split_whitespace().map(str::to_string).collect(),
        korean_speaking: x.speaks("ko"),
        fee_min_usd: x.fee_min_usd,
        fee_max_usd: x.fee_max_usd,
        contact_email: x.contact_email.clone(),
        description_ko: x.description_ko.clone(),
        description_en: x.description_en.clone(),
        status: x.status.clone(),
        verified_by: agency(&x.verified_agency_ko, &x.verified_agency_en),
        verified_at: x.verified_at.clone(),
        endorsed_by: agency(&x.endorsed_agency_ko, &x.endorsed_agency_en),
        coi_declaration: x.coi_declaration.clone(),
        coi_declared_at: x.coi_declared_at.clone(),
        completed: x.completed,
        rating_avg: x.rating_avg.map(|r| (r * 100.0).round() / 100.0),
        rating_count: x.rating_count,
        illustrative: x.illustrative,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ExpertList {
    pub total: usize,
    pub items: Vec<ExpertJson>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ExpertQuery {
    /// ISO 3166 alpha-2, e.g. ID.
    #[serde(default)]
    pub country: String,
    /// law_firm, accountant, consultant or notary.
    #[serde(default)]
    pub kind: String,
    /// One specialty key, e.g. tax.
    #[serde(default)]
    pub specialty: String,
    /// `true`: Korean-speaking experts only.
    #[serde(default)]
    pub korean: bool,
}

impl From<ExpertError> for ApiError {
    fn from(e: ExpertError) -> ApiError {
        fail(kit::api::caller_lang(), e)
    }
}

fn fail(lang: kit::i18n::Lang, e: ExpertError) -> ApiError {
    let kind = match e {
        ExpertError::NotFound => ApiErrorKind::NotFound,
        ExpertError::Forbidden => ApiErrorKind::Forbidden,
        ExpertError::Invalid(errs) => ApiErrorKind::Invalid(errs),
        ExpertError::Internal => ApiErrorKind::Internal,
        other => ApiErrorKind::Conflict(other.message_key()),
    };
    ApiError::new(lang, kind)
}

/// Verified experts, filtered; the best track record first.
#[utoipa::path(get, path = "/api/v1/experts", operation_id = "list_experts", params(ExpertQuery), security(()),
    responses((status = 200, body = ExpertList)))]
pub async fn list(State(state): State<NavState>, Query(q): Query<ExpertQuery>) -> Result<Json<ExpertList>, ApiError> {
    let filter = service::filter_from(&q.country, &q.kind, &q.specialty, q.korean);
    let rows = service::directory(&state, filter).await?;
    let items: Vec<ExpertJson> = rows.iter().map(json).collect();
    Ok(Json(ExpertList { total: items.len(), items }))
}

/// One verified expert; others answer 404.
#[utoipa::path(get, path = "/api/v1/experts/{id}", operation_id = "get_expert", params(("id" = i64, Path, description = "Expert id")),
    security(()), responses((status = 200, body = ExpertJson), (status = 404, body = Problem)))]
pub async fn get_one(State(state): State<NavState>, Path(id): Path<i64>) -> Result<Json<ExpertJson>, ApiError> {
    let x = service::listing(&state, Viewer::Public, id).await?;
    Ok(Json(json(&x)))
}
