//! Officers edit playbooks as new versions: draft, review, publish.

use crate::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
}
