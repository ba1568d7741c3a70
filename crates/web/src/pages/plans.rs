//! A company's plans for setting up abroad.

use crate::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
}
