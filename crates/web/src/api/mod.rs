//! The JSON API for other agencies' systems: `/api/v1/…`, personal access tokens, RFC 9457
//! errors, and an OpenAPI 3.1 document with Swagger UI served from the binary (no internet).

pub mod cases;
pub mod companies;
pub mod experts;
pub mod plans;
pub mod programs;

use crate::AppState;
use crate::error::{ApiError, ApiErrorKind, Problem, ProblemField};
use crate::i18n::Lang;
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{header, request::Parts};
use axum::routing::{get, post};
use serde::Serialize;
use store::users::User;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "GlobalDesk API", version = "1", description = "One platform for SMEs going global and the agencies that support them. Authenticate with a personal access token: `Authorization: Bearer gdk_…`. Errors are RFC 9457 problem documents; messages follow `Accept-Language` (ko, en)."),
    paths(me, companies::list, companies::get_one, companies::update, companies::create, companies::hs, companies::hs_sections, companies::countries,
        programs::list, programs::get_one, programs::matches, programs::evaluate,
        programs::list_applications, programs::apply, programs::get_application, programs::transition,
        cases::list, cases::create, cases::get_one, cases::transition, cases::waiting, cases::message, cases::upload, cases::download,
        cases::refer, cases::decide, cases::knowledge_base, cases::knowledge_entry),
    components(schemas(Me, Problem, ProblemField, companies::CompanyJson, companies::CompanyPage, companies::CompanyWrite, companies::HsJson, companies::HsSectionJson, companies::CountryJson,
        programs::ProgramJson, programs::ProgramList, programs::ProgramDetail, programs::VersionJson, programs::AgencyJson, programs::BenefitJson,
        programs::WindowJson, programs::EffectiveJson, programs::ProgramRef, programs::MatchJson, programs::MatchesJson,
        programs::ExplanationJson, programs::RequirementJson, programs::LineJson, programs::PointsJson, programs::MissingJson,
        programs::EvaluateRequest, programs::EvaluateResult, programs::RuleProblem, programs::RuleErrorJson,
        programs::ApplicationJson, programs::ApplicationDetail, programs::ApplicationList, programs::EventJson, programs::DecisionJson,
        programs::ApplyRequest, programs::TransitionRequest,
        cases::CaseJson, cases::CaseList, cases::CaseWrite, cases::EventJson, cases::AttachmentJson, cases::SlaJson, cases::ReferralJson,
        cases::CaseDetail, cases::CaseTransition, cases::WaitingWrite, cases::MessageWrite, cases::ReferralWrite, cases::ReferralDecision,
        cases::KbEntryJson, cases::KbList)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

pub fn router(_state: AppState) -> axum::Router<AppState> {
    let api = axum::Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/companies", get(companies::list).post(companies::create))
        .route("/api/v1/companies/{id}", get(companies::get_one).put(companies::update))
        .route("/api/v1/reference/hs", get(companies::hs))
        .route("/api/v1/reference/hs-sections", get(companies::hs_sections))
        .route("/api/v1/reference/countries", get(companies::countries))
        .route("/api/v1/programs", get(programs::list))
        .route("/api/v1/programs/{id}", get(programs::get_one))
        .route("/api/v1/companies/{id}/matches", get(programs::matches))
        .route("/api/v1/rules/evaluate", post(programs::evaluate))
        .route("/api/v1/applications", get(programs::list_applications).post(programs::apply))
        .route("/api/v1/applications/{id}", get(programs::get_application))
        .route("/api/v1/applications/{id}/transitions", post(programs::transition))
        .route("/api/v1/cases", get(cases::list).post(cases::create))
        .route("/api/v1/cases/{id}", get(cases::get_one))
        .route("/api/v1/cases/{id}/transitions", post(cases::transition))
        .route("/api/v1/cases/{id}/waiting", post(cases::waiting))
        .route("/api/v1/cases/{id}/messages", post(cases::message))
        .route(
            "/api/v1/cases/{id}/attachments",
            post(cases::upload).layer(axum::extract::DefaultBodyLimit::max(crate::session::MAX_UPLOAD_BYTES)),
        )
        .route("/api/v1/cases/{id}/referrals", post(cases::refer))
        .route("/api/v1/referrals/{id}/decision", post(cases::decide))
        .route("/api/v1/attachments/{id}", get(cases::download))
        .route("/api/v1/knowledge-base", get(cases::knowledge_base))
        .route("/api/v1/knowledge-base/{id}", get(cases::knowledge_entry))
        .merge(plans::router())
        .merge(experts::router())
        .route("/api/openapi.json", get(openapi_json))
        // Unknown API paths answer as the API does; unknown pages are the pages' business.
        .route("/api/v1/{*rest}", axum::routing::any(api_not_found));
    let docs: axum::Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi-ui.json", document()).into();
    api.merge(docs)
}

/// The whole API description: the main document and each area's own.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(plans::Doc::openapi());
    doc.merge(experts::Doc::openapi());
    doc
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

async fn api_not_found(parts: Parts) -> ApiError {
    ApiError::new(lang_of(&parts, None), ApiErrorKind::NotFound)
}

/// The caller's language: `Accept-Language` first (a system states what it wants), then the
/// token owner's preference, then Korean.
pub(crate) fn lang_of(parts: &Parts, user: Option<&User>) -> Lang {
    parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .or_else(|| user.and_then(|u| Lang::parse(&u.locale)))
        .unwrap_or_default()
}

/// An authenticated API caller.
pub struct ApiUser {
    pub user: User,
    pub lang: Lang,
}

impl ApiUser {
    pub fn err(&self, kind: ApiErrorKind) -> ApiError {
        ApiError::new(self.lang, kind)
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts, None);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or(ApiError::new(lang, ApiErrorKind::Unauthorized))?;
        let db = &state.store.db;
        let user_id = store::tokens::authenticate(db, token)
            .await
            .map_err(|e| ApiError::store(lang, e))?
            .ok_or(ApiError::new(lang, ApiErrorKind::Unauthorized))?;
        let user = store::users::by_id(db, user_id)
            .await
            .map_err(|e| ApiError::store(lang, e))?
            .filter(|u| u.active)
            .ok_or(ApiError::new(lang, ApiErrorKind::Unauthorized))?;
        let lang = lang_of(parts, Some(&user));
        Ok(ApiUser { user, lang })
    }
}

/// JSON bodies whose parse errors come back as problem documents, not plain text.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = lang_of(&parts, None);
        match Json::<T>::from_request(Request::from_parts(parts, body), state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => {
                let status = rejection.status();
                if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Err(ApiError::new(lang, ApiErrorKind::TooLarge))
                } else {
                    Err(ApiError::new(lang, ApiErrorKind::BadRequest(rejection.body_text())))
                }
            }
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// company_member, officer, agency_admin, platform_admin or analyst.
    pub role: String,
    pub agency_id: Option<i64>,
    pub company_id: Option<i64>,
    pub locale: String,
}

/// The token's owner.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(State(_state): State<AppState>, caller: ApiUser) -> Json<Me> {
    let u = caller.user;
    Json(Me {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        role: u.role,
        agency_id: u.agency_id,
        company_id: u.company_id,
        locale: u.locale,
    })
}
