//! Operations endpoints: liveness, readiness, metrics.

use crate::Kit;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

pub fn router() -> axum::Router<Kit> {
    axum::Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers and the reference data is loaded.
async fn readyz(State(state): State<Kit>) -> impl IntoResponse {
    let refs_loaded = !state.refs().countries.is_empty() && !state.refs().hs.is_empty();
    match state.store.ping().await {
        Ok(()) if refs_loaded => (StatusCode::OK, "ready"),
        Ok(()) => (StatusCode::SERVICE_UNAVAILABLE, "reference data not loaded"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

async fn metrics(State(state): State<Kit>) -> impl IntoResponse {
    let db = &state.store.db;
    let pending = store::jobs::count_by_status(db, "pending").await.unwrap_or(-1);
    let dead = store::jobs::count_by_status(db, "dead").await.unwrap_or(-1);
    let mut body = state.metrics.render(&[
        ("globaldesk_jobs_pending", "Outbox jobs waiting to run.", pending),
        ("globaldesk_jobs_dead", "Outbox jobs that gave up after all retries.", dead),
    ]);
    state.registry.render(&mut body);
    state.changes.render(&mut body);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
