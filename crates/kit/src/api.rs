//! What every room's JSON API shares: the bearer-token caller ([`ApiUser`]), JSON bodies whose
//! errors are problem documents ([`ApiJson`]), the caller's language, and the security scheme of
//! the OpenAPI document (which the binary assembles from each room's part).

use crate::HasKit;
use crate::error::{ApiError, ApiErrorKind};
use crate::i18n::Lang;
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use store::users::User;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

tokio::task_local! {
    /// The caller's language while an API request is served (see [`language_scope`]).
    static CALLER_LANG: std::cell::Cell<Lang>;
}

/// Middleware in front of the API: the caller's language (from `Accept-Language`, refined by the
/// token owner's preference once [`ApiUser`] knows them) is kept for the whole request, so a
/// room's service error becomes a problem document through `From` and handlers just use `?`.
pub async fn language_scope(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let lang = lang_of(&parts, None);
    CALLER_LANG.scope(std::cell::Cell::new(lang), next.run(Request::from_parts(parts, body))).await
}

/// The language of the API request being served (Korean outside one).
pub fn caller_lang() -> Lang {
    CALLER_LANG.try_with(|l| l.get()).unwrap_or_default()
}

impl From<ApiErrorKind> for ApiError {
    fn from(kind: ApiErrorKind) -> Self {
        ApiError::new(caller_lang(), kind)
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        ApiError::store(caller_lang(), e)
    }
}

/// Unknown API paths answer as the API does (a problem document); unknown pages are the
/// pages' business.
pub async fn not_found(parts: Parts) -> ApiError {
    ApiError::new(lang_of(&parts, None), ApiErrorKind::NotFound)
}

/// The security scheme every room's API document refers to.
pub struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The caller's language: `Accept-Language` first (a system states what it wants), then the
/// token owner's preference, then Korean.
pub fn lang_of(parts: &Parts, user: Option<&User>) -> Lang {
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

impl<S: HasKit> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = state.kit();
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
        let _ = CALLER_LANG.try_with(|l| l.set(lang));
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
