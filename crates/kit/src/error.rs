//! The two error boundaries of the web layer.
//!
//! [`PageError`] is what page handlers return. It carries no text: the session middleware,
//! which knows the reader's language, renders the page for it (see `session::render_error`).
//! [`ApiError`] becomes an RFC 9457 problem document with per-field messages in the caller's
//! language. Internal failures are logged with detail here and shown to nobody.

use crate::i18n::{Lang, Tr};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::FieldErrors;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageErrorKind {
    NotFound,
    Forbidden,
    /// Not signed in: the middleware redirects to the sign-in page.
    SignInRequired,
    /// Form token missing or wrong.
    Csrf,
    Conflict,
    Internal,
}

#[derive(Debug)]
pub struct PageError(pub PageErrorKind);

impl PageError {
    pub fn not_found() -> Self {
        PageError(PageErrorKind::NotFound)
    }
    pub fn forbidden() -> Self {
        PageError(PageErrorKind::Forbidden)
    }
    pub fn sign_in() -> Self {
        PageError(PageErrorKind::SignInRequired)
    }
}

impl From<store::StoreError> for PageError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound => PageError::not_found(),
            store::StoreError::StaleVersion | store::StoreError::Duplicate(_) => PageError(PageErrorKind::Conflict),
            other => {
                tracing::error!(error = %other, "storage failure while serving a page");
                PageError(PageErrorKind::Internal)
            }
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "template failure");
        PageError(PageErrorKind::Internal)
    }
}

impl PageErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            PageErrorKind::NotFound => StatusCode::NOT_FOUND,
            PageErrorKind::Forbidden | PageErrorKind::Csrf => StatusCode::FORBIDDEN,
            PageErrorKind::SignInRequired => StatusCode::UNAUTHORIZED,
            PageErrorKind::Conflict => StatusCode::CONFLICT,
            PageErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    pub fn message_key(self) -> &'static str {
        match self {
            PageErrorKind::NotFound => "error-not-found",
            PageErrorKind::Forbidden => "error-forbidden",
            PageErrorKind::SignInRequired => "error-sign-in",
            PageErrorKind::Csrf => "error-csrf",
            PageErrorKind::Conflict => "error-conflict",
            PageErrorKind::Internal => "error-internal",
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        // A bare response with the kind attached; the session middleware dresses it.
        let mut r = self.0.status().into_response();
        r.extensions_mut().insert(self.0);
        r
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// One entry per invalid field, with the message in the caller's language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug)]
pub enum ApiErrorKind {
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict(&'static str),
    Invalid(FieldErrors),
    BadRequest(String),
    TooLarge,
    Internal,
}

#[derive(Debug)]
pub struct ApiError {
    pub lang: Lang,
    pub kind: ApiErrorKind,
}

impl ApiError {
    pub fn new(lang: Lang, kind: ApiErrorKind) -> Self {
        ApiError { lang, kind }
    }
    pub fn store(lang: Lang, e: store::StoreError) -> Self {
        let kind = match e {
            store::StoreError::NotFound => ApiErrorKind::NotFound,
            store::StoreError::StaleVersion => ApiErrorKind::Conflict("error-conflict"),
            store::StoreError::Duplicate(_) => ApiErrorKind::Conflict("err-duplicate"),
            other => {
                tracing::error!(error = %other, "storage failure while serving the API");
                ApiErrorKind::Internal
            }
        };
        ApiError { lang, kind }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let t = Tr::new(self.lang);
        let (status, slug, title_key, detail, errors) = match self.kind {
            ApiErrorKind::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "api-unauthorized", None, vec![]),
            ApiErrorKind::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "error-forbidden", None, vec![]),
            ApiErrorKind::NotFound => (StatusCode::NOT_FOUND, "not-found", "error-not-found", None, vec![]),
            ApiErrorKind::Conflict(key) => (StatusCode::CONFLICT, "conflict", key, None, vec![]),
            ApiErrorKind::BadRequest(d) => (StatusCode::BAD_REQUEST, "bad-request", "api-bad-request", Some(d), vec![]),
            ApiErrorKind::Invalid(errs) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "api-invalid",
                None,
                errs.0
                    .iter()
                    .map(|e| ProblemField { field: e.field.clone(), code: e.code.to_string(), message: t.field_error(e) })
                    .collect(),
            ),
            ApiErrorKind::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too-large", "api-too-large", None, vec![]),
            ApiErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "error-internal", None, vec![]),
        };
        let body = Problem { kind: format!("/api/problems/{slug}"), title: t.t(title_key), status: status.as_u16(), detail, errors };
        let mut r = (status, axum::Json(body)).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
        r
    }
}
