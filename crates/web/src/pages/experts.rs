//! The experts directory, an expert's own page, verification by agencies, and bookings.

use crate::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
}
