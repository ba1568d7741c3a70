//! The front door: the public front page, the data-sources page, and the company member's
//! dashboard (what they have going on across the rooms, at a glance).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use companies::service::CompanyView;
use kit::Kit;
use kit::error::PageError;
use kit::layout::{Page, render};
use kit::session::Ctx;

/// The front page, the sources page and the dashboard.
pub fn router(kit: Kit) -> axum::Router {
    routes().with_state(kit)
}

fn routes() -> axum::Router<Kit> {
    axum::Router::new()
        .route("/", get(home))
        .route("/sources", get(sources))
        // The dashboard keeps the address it has always had; it is a dashboard, not the desk.
        .route("/desk", get(dashboard))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    p: Page,
    companies: i64,
    hs_codes: usize,
    countries: usize,
}

async fn home(State(state): State<Kit>, ctx: Ctx) -> Result<Response, PageError> {
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

async fn sources(State(state): State<Kit>, ctx: Ctx) -> Result<Response, PageError> {
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

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardTemplate {
    p: Page,
    view: Option<CompanyView>,
    size_label: String,
    consented: bool,
}

async fn dashboard(State(state): State<Kit>, ctx: Ctx) -> Result<Response, PageError> {
    let user = companies::pages::profile::member(&ctx)?;
    let p = Page::new(&state, &ctx, "desk-title");
    let company = match user.company_id {
        Some(id) => state.companies.get(id),
        None => None,
    };
    let size_label = company.as_ref().map(|c| p.t.t(&format!("size-{}", c.row.size_class))).unwrap_or_default();
    let consented = company.as_ref().is_some_and(|c| c.row.consent_version.is_some());
    let view = company.map(|c| companies::service::view_company(&state, &p.t, c));
    render(DashboardTemplate { p, view, size_label, consented })
}
