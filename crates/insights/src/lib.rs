//! Figures for policy analysts: companies by region, export stage and size, from the node's
//! company index (no query per page).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use domain::Role;
use kit::Kit;
use kit::error::PageError;
use kit::layout::{Page, render};
use kit::session::Ctx;

/// The analysts' pages.
pub fn router(kit: Kit) -> axum::Router {
    axum::Router::new().route("/insights", get(insights)).with_state(kit)
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsTemplate {
    p: Page,
    /// (heading message id, rows of label and count)
    groups: Vec<(&'static str, Vec<(String, i64)>)>,
    total: i64,
}

async fn insights(State(state): State<Kit>, ctx: Ctx) -> Result<Response, PageError> {
    let me = ctx.user()?;
    if !matches!(me.role(), Role::Analyst | Role::PlatformAdmin) {
        return Err(PageError::forbidden());
    }
    let p = Page::new(&state, &ctx, "insights-title");
    let refs = state.refs();
    let t = p.t;
    let by_region: Vec<(String, i64)> = state
        .companies
        .tally("region")
        .into_iter()
        .map(|(k, n)| (refs.region(&k).map(|r| t.pick(&r.name_ko, &r.name_en).to_string()).unwrap_or(k), n as i64))
        .collect();
    let by_stage: Vec<(String, i64)> = state
        .companies
        .tally("export_stage")
        .into_iter()
        .map(|(k, n)| (refs.stages.get(&k).map(|s| t.pick(&s.name_ko, &s.name_en).to_string()).unwrap_or(k), n as i64))
        .collect();
    let by_size: Vec<(String, i64)> =
        state.companies.tally("size_class").into_iter().map(|(k, n)| (t.t(&format!("size-{k}")), n as i64)).collect();
    let total = state.companies.len() as i64;
    render(InsightsTemplate { p, groups: vec![("field-region", by_region), ("field-stage", by_stage), ("fact-size", by_size)], total })
}
