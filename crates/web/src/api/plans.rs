//! `/api/v1/playbooks` and `/api/v1/plans`: playbooks, plans with their schedule, calendars.

use crate::AppState;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(), components(schemas()))]
pub struct Doc;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
}
