//! `/api/v1/experts`: the directory of verified local experts.

use crate::AppState;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(), components(schemas()))]
pub struct Doc;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
}
