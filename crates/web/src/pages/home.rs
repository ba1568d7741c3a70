//! The public front page and the data-sources page.

use super::{Page, render};
use crate::AppState;
use crate::error::PageError;
use crate::session::Ctx;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/", get(home)).route("/sources", get(sources))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    p: Page,
    companies: i64,
    hs_codes: usize,
    countries: usize,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let refs = state.refs();
    let companies = state.companies.len() as i64;
    render(HomeTemplate { p: Page::new(&state, &ctx, ""), companies, hs_codes: refs.hs.len(), countries: refs.countries.len() })
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesTemplate {
    p: Page,
    stages: Vec<(String, String, String)>,
}

async fn sources(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let refs = state.refs();
    let t = ctx.tr();
    let stages = refs
        .stages
        .stages()
        .iter()
        .map(|s| {
            (t.pick(&s.name_ko, &s.name_en).to_string(), t.usd(s.min_usd), refs.stage_sources.get(&s.code).cloned().unwrap_or_default())
        })
        .collect();
    render(SourcesTemplate { p: Page::new(&state, &ctx, "sources-title"), stages })
}
