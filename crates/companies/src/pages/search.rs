//! Agency staff: find companies, open one with its history, export the result.

use crate::service::{self, CompanyView};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use domain::Role;
use kit::Kit;
use kit::error::PageError;
use kit::layout::{Page, render};
use kit::page_cache::{PageKey, fold};
use kit::session::{Ctx, urlencode};
use serde::Deserialize;
use std::sync::Arc;
use store::companies::{Company, Filter, Sort};
use store::reference::RefData;
use store::users::User;

pub fn router() -> axum::Router<Kit> {
    axum::Router::new()
        .route("/companies", get(search))
        .route("/companies/export.csv", get(export_csv))
        .route("/companies/export.xlsx", get(export_xlsx))
        .route("/companies/{id}", get(detail))
}

pub const PAGE_SIZE: i64 = 25;
/// Exports stop here; a larger extract is an operator's job, not a browser download.
pub const EXPORT_LIMIT: i64 = 50_000;

fn staff(ctx: &Ctx) -> Result<&User, PageError> {
    let u = ctx.user()?;
    if u.role().can_search_companies() { Ok(u) } else { Err(PageError::forbidden()) }
}

#[derive(Deserialize, Default, Clone)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub ksic: String,
    #[serde(default)]
    pub hs: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    pub page: Option<i64>,
}

impl SearchQuery {
    pub fn filter(&self, user: &User) -> Filter {
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Filter {
            q: opt(&self.q),
            region: opt(&self.region),
            ksic: opt(&self.ksic).map(|k| k.to_ascii_uppercase()),
            hs_prefix: opt(&self.hs).map(|h| h.chars().filter(char::is_ascii_digit).collect()),
            country: opt(&self.country).map(|c| c.to_ascii_uppercase()),
            stage: opt(&self.stage),
            // Only platform admins see companies that have not consented to share.
            consented_only: user.role() != Role::PlatformAdmin,
        }
    }
    fn query_string(&self, page: Option<i64>) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("region", &self.region),
            ("ksic", &self.ksic),
            ("hs", &self.hs),
            ("country", &self.country),
            ("stage", &self.stage),
            ("sort", &self.sort),
            ("dir", &self.dir),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        }
        if let Some(p) = page {
            parts.push(format!("page={p}"));
        }
        parts.join("&")
    }
}

/// A company as a result row: reference codes resolved to names in the reader's language.
pub struct RowView {
    pub company: Arc<Company>,
    pub brn: String,
    pub region: String,
    pub stage: String,
}

#[derive(Template)]
#[template(path = "companies.html")]
struct SearchTemplate {
    p: Page,
    q: SearchQuery,
    rows: Vec<RowView>,
    total: i64,
    page: i64,
    pages: i64,
    page_links: Vec<(i64, String)>,
    regions: Vec<(String, String)>,
    stages: Vec<(String, String)>,
    ksic_sections: Vec<(String, String)>,
    export_qs: String,
    prev_href: String,
    next_href: String,
}

fn row_view(refs: &RefData, t: &kit::i18n::Tr, company: &Arc<Company>) -> RowView {
    let row = &company.row;
    RowView {
        brn: domain::Brn::parse("brn", &row.brn).map(|b| b.formatted()).unwrap_or_else(|_| row.brn.clone()),
        region: refs.region(&row.region).map(|r| t.pick(&r.name_ko, &r.name_en).to_string()).unwrap_or_default(),
        stage: refs.stages.get(&row.export_stage).map(|s| t.pick(&s.name_ko, &s.name_en).to_string()).unwrap_or_default(),
        company: company.clone(),
    }
}

async fn search(State(state): State<Kit>, ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Response, PageError> {
    staff(&ctx)?;
    // A result page is kept until any company changes (the index's generation): officers page
    // back and forth and repeat searches; the key holds the query and the reader's role, which
    // decides whether non-consenting companies count.
    let key = PageKey::new("company-search", fold(&[state.companies.generation(), state.refs_stamp()]), &ctx);
    state.pages.clone().serve(&ctx, key, |blank| async move { search_page(&state, &blank, q) }).await
}

fn search_page(state: &Kit, ctx: &Ctx, q: SearchQuery) -> Result<Response, PageError> {
    let user = staff(ctx)?;
    let p = Page::new(state, ctx, "companies-title");
    let page = q.page.unwrap_or(1).max(1);
    let found = state.companies.search(
        &q.filter(user),
        Sort::parse(&q.sort),
        q.dir == "desc",
        PAGE_SIZE as usize,
        ((page - 1) * PAGE_SIZE) as usize,
    );
    let total = found.total as i64;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let refs = state.refs();
    let t = p.t;
    let window = (page - 2).max(1)..=(page + 2).min(pages);
    let page_links = window.map(|n| (n, format!("/companies?{}", q.query_string(Some(n))))).collect();
    render(SearchTemplate {
        rows: found.rows.iter().map(|c| row_view(&refs, &t, c)).collect(),
        total,
        page,
        pages,
        page_links,
        regions: refs.regions.iter().map(|r| (r.code.clone(), t.pick(&r.name_ko, &r.name_en).to_string())).collect(),
        stages: refs.stages.stages().iter().map(|s| (s.code.clone(), t.pick(&s.name_ko, &s.name_en).to_string())).collect(),
        ksic_sections: refs
            .ksic
            .iter()
            .filter(|k| k.level == "section")
            .map(|k| (k.code.clone(), format!("{} {}", k.code, t.pick(&k.name_ko, &k.name_en))))
            .collect(),
        export_qs: q.query_string(None),
        prev_href: format!("/companies?{}", q.query_string(Some((page - 1).max(1)))),
        next_href: format!("/companies?{}", q.query_string(Some((page + 1).min(pages)))),
        q,
        p,
    })
}

/// The columns of an export, in the reader's language.
fn export_rows(refs: &RefData, t: &kit::i18n::Tr, companies: &[Arc<Company>]) -> (Vec<String>, Vec<Vec<String>>) {
    let header = [
        "field-brn",
        "field-name-ko",
        "field-name-en",
        "field-region",
        "field-ksic",
        "field-founded-on",
        "field-employees",
        "field-revenue-krw",
        "field-exports-usd",
        "field-stage",
        "field-products",
    ]
    .iter()
    .map(|k| t.t(k))
    .collect();
    let body = companies
        .iter()
        .map(|c| {
            let v = row_view(refs, t, c);
            let r = &c.row;
            vec![
                v.brn,
                r.name_ko.clone(),
                r.name_en.clone().unwrap_or_default(),
                v.region,
                r.ksic.clone(),
                r.founded_on.clone(),
                r.employees.to_string(),
                r.revenue_krw.to_string(),
                r.exports_usd.to_string(),
                v.stage,
                c.products.join(" "),
            ]
        })
        .collect();
    (header, body)
}

async fn export_data(state: &Kit, ctx: &Ctx, q: &SearchQuery) -> Result<(Vec<String>, Vec<Vec<String>>), PageError> {
    let user = staff(ctx)?;
    let found = state.companies.search(&q.filter(user), Sort::parse(&q.sort), q.dir == "desc", EXPORT_LIMIT as usize, 0);
    store::audit::record(
        &state.store.db,
        Some(user.id),
        &user.email,
        "companies.export",
        "",
        &ctx.ip,
        &format!("{} rows; {}", found.rows.len(), q.query_string(None)),
    )
    .await?;
    Ok(export_rows(&state.refs(), &ctx.tr(), &found.rows))
}

async fn export_csv(State(state): State<Kit>, ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Response, PageError> {
    let (header, body) = export_data(&state, &ctx, &q).await?;
    kit::export::csv("globaldesk-companies.csv", &header, &body)
}

async fn export_xlsx(State(state): State<Kit>, ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Response, PageError> {
    let (header, body) = export_data(&state, &ctx, &q).await?;
    // Employees, revenue and exports stay numbers.
    kit::export::xlsx("globaldesk-companies.xlsx", header, body, &[6, 7, 8]).await
}

#[derive(Template)]
#[template(path = "company_detail.html")]
struct DetailTemplate {
    p: Page,
    v: CompanyView,
    brn: String,
    size_label: String,
    history: Vec<store::companies::Change>,
}

async fn detail(State(state): State<Kit>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let company = state.companies.get(id).ok_or_else(PageError::not_found)?;
    // Not-found rather than forbidden for companies the user may not see: it does not reveal
    // which companies are registered.
    if !service::can_view(user, &company.row) {
        return Err(PageError::not_found());
    }
    state.read_audit.record(kit::audit_sink::ReadAudit {
        user_id: user.id,
        actor: user.email.clone(),
        action: "company.view",
        target: format!("company:{id}"),
        ip: ctx.ip.clone(),
        at: store::now_iso(),
    });
    // The officer's view is kept per company version (its history only grows with a change).
    let key = PageKey::new("company-detail", fold(&[id as u64, company.row.version as u64, state.refs_stamp()]), &ctx);
    state
        .pages
        .clone()
        .serve(&ctx, key, |blank| async move {
            let p = Page::new(&state, &blank, "company-detail-title");
            let history = store::companies::history(&state.store.db, id, 200).await?;
            let size_label = p.t.t(&format!("size-{}", company.row.size_class));
            let brn = domain::Brn::parse("brn", &company.row.brn).map(|b| b.formatted()).unwrap_or_else(|_| company.row.brn.clone());
            let v = service::view_company(&state, &p.t, company);
            render(DetailTemplate { p, v, brn, size_label, history })
        })
        .await
}
