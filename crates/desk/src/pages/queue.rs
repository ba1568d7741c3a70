//! Officers' queues (my cases, my agency, unassigned, at risk, overdue, waiting on…, referred to
//! us), full-text search, saved filters and exports; and the administrators' page for the desk's
//! configuration (routing rules, service-level targets, the holiday calendar).

use super::cases::{CaseRow, case_row};
use crate::DeskState;
use crate::service::{self, Viewer};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Role;
use domain::case::{CaseCategory, CaseStatus, Priority};
use kit::error::PageError;
use kit::layout::{Page, render};
use kit::page_cache::{PageKey, fold};
use kit::session::Ctx;
use kit::today;
use kit::util::country_options;
use serde::Deserialize;
use store::TransactionTrait;
use store::cases::{self, QueueFilter, QueueSort};
use store::users::User;

pub fn router() -> axum::Router<DeskState> {
    axum::Router::new()
        .route("/officer/cases", get(queue))
        .route("/officer/cases/export.csv", get(export_csv))
        .route("/officer/cases/export.xlsx", get(export_xlsx))
        .route("/officer/filters", post(save_filter))
        .route("/officer/filters/{id}/delete", post(delete_filter))
        .route("/admin/desk", get(config_page))
        .route("/admin/desk/routing", post(add_rule))
        .route("/admin/desk/routing/{id}/delete", post(delete_rule))
        .route("/admin/desk/sla", post(set_target))
        .route("/admin/desk/sla/{id}/delete", post(delete_target))
        .route("/admin/desk/holidays", post(add_holiday))
        .route("/admin/desk/holidays/{day}/delete", post(delete_holiday))
}

pub const VIEWS: [&str; 11] = [
    "agency",
    "mine",
    "unassigned",
    "at_risk",
    "overdue",
    "waiting_company",
    "waiting_foreign",
    "waiting_agency",
    "referred",
    "closed",
    "all",
];

/// Cases due within this many business days count as at risk in the queue.
pub const AT_RISK_DAYS: i64 = 3;

pub const PAGE_SIZE: i64 = 25;

/// A queue as asked for, by the page's form or by the API's query string.
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
pub struct QueueQuery {
    /// agency (default; a company gets all its own), mine, unassigned, at_risk, overdue, waiting_company, waiting_foreign, waiting_agency, referred, closed, all.
    #[serde(default)]
    pub view: String,
    /// Full text, Korean or English.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub status: String,
    /// due (default), priority, newest or updated.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: i64,
}

fn staff(user: &User) -> Result<Viewer, PageError> {
    match service::viewer(user) {
        Some(v) if v.is_staff() => Ok(v),
        _ => Err(PageError::forbidden()),
    }
}

/// Turns the query into a store filter, running the full-text part through the index.
pub async fn build_filter(state: &DeskState, user: &User, v: Viewer, q: &QueueQuery, limit: i64) -> Result<QueueFilter, PageError> {
    let cfg = state.desk().await?;
    let day = today();
    let mut f = QueueFilter { limit, offset: (q.page.max(1) - 1) * limit, ..Default::default() };
    let open: Vec<String> = ["submitted", "triaged", "in_progress"].iter().map(|s| s.to_string()).collect();
    match q.view.as_str() {
        "mine" => {
            f.assignee = Some(user.id);
            f.statuses = open.clone();
        }
        "unassigned" => f.unassigned = true,
        "overdue" => f.due_before = Some(day.to_string()),
        "at_risk" => f.due_before = Some(cfg.calendar.add_business_days(day, AT_RISK_DAYS).next_day().unwrap_or(day).to_string()),
        "waiting_company" => f.waiting_on = Some("company".into()),
        "waiting_foreign" => f.waiting_on = Some("foreign_government".into()),
        "waiting_agency" => f.waiting_on = Some("agency".into()),
        "referred" => {
            if let Viewer::Agency { agency_id, .. } = v {
                f.referred_to = Some(agency_id);
            }
        }
        "closed" => f.statuses = CaseStatus::ALL.iter().filter(|s| s.is_final()).map(|s| s.as_str().to_string()).collect(),
        "all" => {}
        // The default: the agency's open cases.
        _ => f.statuses = open.clone(),
    }
    if let Some(s) = CaseStatus::parse(&q.status) {
        f.statuses = vec![s.as_str().to_string()];
    }
    f.category = CaseCategory::parse(&q.category).map(|c| c.as_str().to_string());
    f.priority = Priority::parse(&q.priority).map(|c| c.as_str().to_string());
    let country = q.country.trim().to_ascii_uppercase();
    f.country = state.refs().country(&country).map(|c| c.alpha2.clone());
    f.sort = match q.sort.as_str() {
        "newest" => QueueSort::Newest,
        "updated" => QueueSort::Updated,
        "priority" => QueueSort::Priority,
        _ => QueueSort::Due,
    };
    let text = q.q.trim();
    if !text.is_empty() {
        let ids = match state.search() {
            Some(index) => {
                let terms = v.search_terms();
                let hits = index
                    .search(&search::Query {
                        text,
                        kind: search::DocKind::Case,
                        visible_to: &terms,
                        category: f.category.as_deref(),
                        country: f.country.as_deref(),
                        hs_prefix: None,
                        statuses: &[],
                        limit: 1000,
                        offset: 0,
                    })
                    .map_err(|e| {
                        tracing::error!(error = %e, "case search failed");
                        PageError(kit::error::PageErrorKind::Internal)
                    })?;
                hits.ids.into_iter().map(|(id, _)| id).collect()
            }
            None => Vec::new(),
        };
        f.ids = Some(ids);
    }
    Ok(f)
}

#[derive(Template)]
#[template(path = "officer_cases.html")]
struct QueueTemplate {
    p: Page,
    rows: Vec<CaseRow>,
    q: QueueQuery,
    views: Vec<(String, String, bool)>,
    counts: Option<[i64; 5]>,
    categories: Vec<(String, String)>,
    countries: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    sorts: Vec<(String, String)>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: String,
    next_href: String,
    query_string: String,
    filters: Vec<(i64, String, String)>,
    followups: Vec<(i64, i64, String, String, String)>,
}

fn with_page(query: &str, page: i64) -> String {
    let rest: Vec<&str> = query.split('&').filter(|kv| !kv.starts_with("page=") && !kv.is_empty()).collect();
    let mut s = rest.join("&");
    if !s.is_empty() {
        s.push('&');
    }
    format!("/officer/cases?{s}page={page}")
}

async fn queue(
    State(state): State<DeskState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    staff(ctx.user()?)?;
    if state.case_index().is_none() {
        // Still starting: no generation to key a kept page by.
        return queue_page(&state, &ctx, q, raw).await;
    }
    // A queue page is kept until anything on the desk changes (a case, a referral, a saved
    // filter, a follow-up, the configuration) on any node; the key holds the reader, the
    // filters and the day (overdue and at-risk views count from today).
    let key = PageKey::new("case-queue", fold(&[state.desk.generation(), state.refs_stamp()]), &ctx);
    state.pages.clone().serve(&ctx, key, |blank| async move { queue_page(&state, &blank, q, raw).await }).await
}

async fn queue_page(state: &DeskState, ctx: &Ctx, q: QueueQuery, raw: Option<String>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let v = staff(user)?;
    let cfg = state.desk().await?;
    let f = build_filter(state, user, v, &q, PAGE_SIZE).await?;
    let p = Page::new(state, ctx, "queue-cases-title");
    let t = p.t;
    let day = today();
    let (rows, total) = queue_rows(state, &t, &cfg, v, &f, day).await?;
    let (counts, followups) = match v {
        Viewer::Agency { agency_id, .. } => (
            Some(match state.case_index() {
                Some(index) => index.agency_counts(agency_id, day),
                None => cases::agency_counts(&state.store.db, agency_id, &day.to_string()).await?,
            }),
            cases::open_followups(&state.store.db, agency_id)
                .await?
                .into_iter()
                .map(|f| (f.id, f.case_id, f.description, t.date(&f.due_on), f.case_title))
                .collect(),
        ),
        _ => (None, Vec::new()),
    };
    let current = if VIEWS.contains(&q.view.as_str()) { q.view.as_str() } else { "agency" };
    let views = VIEWS.iter().map(|v| (v.to_string(), t.t(&format!("queue-view-{v}")), *v == current)).collect();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = q.page.clamp(1, pages);
    let raw = raw.unwrap_or_default();
    let filters = store::desk::saved_filters(&state.store.db, user.id).await?.into_iter().map(|f| (f.id, f.name, f.query)).collect();
    render(QueueTemplate {
        rows,
        views,
        counts,
        categories: CaseCategory::ALL.iter().map(|c| (c.as_str().to_string(), t.t(c.message_key()))).collect(),
        countries: country_options(state, &t),
        priorities: Priority::ALL.iter().map(|c| (c.as_str().to_string(), t.t(c.message_key()))).collect(),
        statuses: CaseStatus::ALL
            .iter()
            .filter(|s| **s != CaseStatus::Draft)
            .map(|c| (c.as_str().to_string(), t.t(c.message_key())))
            .collect(),
        sorts: ["due", "priority", "newest", "updated"].iter().map(|s| (s.to_string(), t.t(&format!("queue-sort-{s}")))).collect(),
        total,
        page,
        pages,
        prev_href: with_page(&raw, page - 1),
        next_href: with_page(&raw, page + 1),
        query_string: raw.split('&').filter(|kv| !kv.starts_with("page=")).collect::<Vec<_>>().join("&"),
        filters,
        followups,
        q,
        p,
    })
}

/// A queue page's rows: from the in-memory index (the normal case), or from the database while
/// the index is not built yet.
pub async fn queue_rows(
    state: &DeskState,
    t: &kit::i18n::Tr,
    cfg: &crate::runtime::DeskConfig,
    v: Viewer,
    f: &QueueFilter,
    day: time::Date,
) -> Result<(Vec<CaseRow>, i64), PageError> {
    Ok(match state.case_index() {
        Some(index) => {
            let (list, total) = index.queue(v.scope(), f);
            (list.iter().map(|e| case_row(state, t, cfg, &e.case, day)).collect(), total)
        }
        None => {
            let (list, total) = cases::queue(&state.store.db, v.scope(), f).await?;
            (list.iter().map(|k| case_row(state, t, cfg, k, day)).collect(), total)
        }
    })
}

async fn export_rows(state: &DeskState, ctx: &Ctx, q: &QueueQuery) -> Result<(Vec<String>, Vec<Vec<String>>), PageError> {
    let user = ctx.user()?;
    let v = staff(user)?;
    let cfg = state.desk().await?;
    let mut q = q.clone();
    q.page = 1;
    let f = build_filter(state, user, v, &q, 10_000).await?;
    let (list, _) = cases::queue(&state.store.db, v.scope(), &f).await?;
    let t = ctx.tr();
    // (Exports read the database: they are rare, and want the latest rows.)
    let head = [
        "case-reference",
        "field-title",
        "queue-company",
        "field-category",
        "field-country",
        "case-status",
        "case-waiting-on",
        "case-priority",
        "case-holder",
        "case-assignee",
        "case-submitted",
        "case-due",
        "sla-state",
        "field-impact-krw",
    ]
    .iter()
    .map(|k| t.t(k))
    .collect();
    let day = today();
    let rows = list
        .iter()
        .map(|k| {
            let r = case_row(state, &t, &cfg, k, day);
            vec![
                r.reference,
                r.title,
                r.company,
                r.category,
                r.country,
                r.status,
                r.waiting,
                r.priority,
                r.agency,
                r.assignee,
                k.submitted_at.clone().unwrap_or_default(),
                k.due_on.clone().unwrap_or_default(),
                r.sla,
                k.impact_krw.map(|n| n.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Ok((head, rows))
}

async fn export_csv(State(state): State<DeskState>, ctx: Ctx, Query(q): Query<QueueQuery>) -> Result<Response, PageError> {
    let (head, rows) = export_rows(&state, &ctx, &q).await?;
    kit::export::csv("globaldesk-cases.csv", &head, &rows)
}

async fn export_xlsx(State(state): State<DeskState>, ctx: Ctx, Query(q): Query<QueueQuery>) -> Result<Response, PageError> {
    let (head, rows) = export_rows(&state, &ctx, &q).await?;
    kit::export::xlsx("globaldesk-cases.xlsx", head, rows, &[13]).await
}

#[derive(Deserialize)]
struct FilterForm {
    name: String,
    query: String,
}

async fn save_filter(State(state): State<DeskState>, ctx: Ctx, Form(f): Form<FilterForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    staff(user)?;
    let name = f.name.trim();
    // A saved filter is only ever a query string for the queue page.
    let query: String = f.query.chars().filter(|c| !c.is_control()).take(1000).collect();
    if name.is_empty() || name.chars().count() > 100 {
        return Ok(Redirect::to(&format!("/officer/cases?{query}")).into_response());
    }
    let tx = state.store.db.begin().await.map_err(store::StoreError::from)?;
    store::desk::save_filter(&tx, user.id, name, &query).await?;
    // Logged like a case change, so every node's kept queue pages show the new filter.
    store::changes::publish(&tx, store::changes::Topic::SavedFilter, user.id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    service::after_change(&state).await;
    Ok(Redirect::to(&format!("/officer/cases?{query}")).into_response())
}

async fn delete_filter(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let tx = state.store.db.begin().await.map_err(store::StoreError::from)?;
    store::desk::delete_filter(&tx, user.id, id).await?;
    store::changes::publish(&tx, store::changes::Topic::SavedFilter, user.id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    service::after_change(&state).await;
    Ok(Redirect::to("/officer/cases").into_response())
}

// ---- administration -------------------------------------------------------------------------

fn admin(user: &User) -> Result<(), PageError> {
    if matches!(user.role(), Role::PlatformAdmin | Role::AgencyAdmin) { Ok(()) } else { Err(PageError::forbidden()) }
}

#[derive(Template)]
#[template(path = "admin_desk.html")]
struct ConfigTemplate {
    p: Page,
    rules: Vec<(i64, i64, String, String, String, String)>,
    targets: Vec<(i64, String, String, i64, i64)>,
    holidays: Vec<(String, String, String)>,
    categories: Vec<(String, String)>,
    countries: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct ConfigQuery {
    error: Option<String>,
    ok: Option<String>,
}

const CONFIG_ERRORS: &[&str] =
    &["case-error-required", "case-error-date", "desk-error-number", "case-error-invalid", "desk-error-duplicate-holiday"];

async fn config_page(State(state): State<DeskState>, ctx: Ctx, Query(q): Query<ConfigQuery>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    admin(user)?;
    let cfg = state.desk().await?;
    let p = Page::new(&state, &ctx, "desk-config-title")
        .with_flash(q.ok.as_deref().filter(|k| *k == "desk-config-saved").map(|_| "desk-config-saved"));
    let t = p.t;
    let any = t.t("desk-any");
    let this_year = today().year();
    let rules = cfg
        .routing
        .iter()
        .map(|r| {
            (
                r.id,
                r.position,
                r.category.as_deref().and_then(CaseCategory::parse).map(|c| t.t(c.message_key())).unwrap_or_else(|| any.clone()),
                r.country.as_deref().map(|c| kit::util::country_label(&state, &t, c)).unwrap_or_else(|| any.clone()),
                r.hs_prefix.clone().unwrap_or_else(|| any.clone()),
                t.pick(&r.agency_ko, &r.agency_en).to_string(),
            )
        })
        .collect();
    let targets = store::desk::sla_targets(&state.store.db)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.id,
                r.priority.as_deref().and_then(Priority::parse).map(|c| t.t(c.message_key())).unwrap_or_else(|| any.clone()),
                r.category.as_deref().and_then(CaseCategory::parse).map(|c| t.t(c.message_key())).unwrap_or_else(|| any.clone()),
                r.first_response_days,
                r.resolution_days,
            )
        })
        .collect();
    // The current and next year are what the clocks use; older days stay in the table.
    let holidays = cfg
        .holidays
        .iter()
        .filter(|h| h.day.get(..4).and_then(|y| y.parse::<i32>().ok()).is_some_and(|y| y == this_year || y == this_year + 1))
        .map(|h| (h.day.clone(), t.date(&h.day), t.pick(&h.name_ko, &h.name_en).to_string()))
        .collect();
    let agencies = store::agencies::list(&state.store.db)
        .await?
        .into_iter()
        .map(|a| (a.id.to_string(), t.pick(&a.name_ko, &a.name_en).to_string()))
        .collect();
    render(ConfigTemplate {
        rules,
        targets,
        holidays,
        categories: CaseCategory::ALL.iter().map(|c| (c.as_str().to_string(), t.t(c.message_key()))).collect(),
        countries: country_options(&state, &t),
        priorities: Priority::ALL.iter().map(|c| (c.as_str().to_string(), t.t(c.message_key()))).collect(),
        agencies,
        error: CONFIG_ERRORS.iter().find(|k| Some(**k) == q.error.as_deref()).map(|k| t.t(k)),
        p,
    })
}

fn config_error(key: &str) -> Response {
    Redirect::to(&format!("/admin/desk?error={key}")).into_response()
}

/// After an edit: this node reloads at once (others within a poll), and the due dates of open
/// cases are recomputed under the new calendar and targets.
async fn config_changed(state: &DeskState, user: &User, what: &str) -> Result<Response, PageError> {
    state.reload_desk().await?;
    crate::runtime::recompute_due_dates(state).await?;
    store::audit::record(&state.store.db, Some(user.id), &user.email, "desk.config", what, "", "").await?;
    Ok(Redirect::to("/admin/desk?ok=desk-config-saved").into_response())
}

#[derive(Deserialize)]
struct RuleForm {
    #[serde(default)]
    position: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    hs_prefix: String,
    agency: String,
}

async fn add_rule(State(state): State<DeskState>, ctx: Ctx, Form(f): Form<RuleForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    admin(user)?;
    let Ok(position) = f.position.trim().parse::<i64>() else { return Ok(config_error("desk-error-number")) };
    let category = CaseCategory::parse(f.category.trim()).map(|c| c.as_str());
    if !f.category.trim().is_empty() && category.is_none() {
        return Ok(config_error("case-error-invalid"));
    }
    let country = f.country.trim().to_ascii_uppercase();
    let country = if country.is_empty() {
        None
    } else {
        match state.refs().country(&country) {
            Some(c) => Some(c.alpha2.clone()),
            None => return Ok(config_error("case-error-invalid")),
        }
    };
    let hs: String = f.hs_prefix.chars().filter(|c| c.is_ascii_digit()).take(10).collect();
    let Some(agency) = f.agency.trim().parse::<i64>().ok() else { return Ok(config_error("case-error-invalid")) };
    if store::agencies::by_id(&state.store.db, agency).await?.is_none() {
        return Ok(config_error("case-error-invalid"));
    }
    store::desk::add_routing_rule(&state.store.db, position, category, country.as_deref(), (!hs.is_empty()).then_some(hs.as_str()), agency)
        .await?;
    config_changed(&state, user, "routing").await
}

async fn delete_rule(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    admin(user)?;
    store::desk::delete_routing_rule(&state.store.db, id).await?;
    config_changed(&state, user, "routing").await
}

#[derive(Deserialize)]
struct TargetForm {
    #[serde(default)]
    priority: String,
    #[serde(default)]
    category: String,
    first_response_days: String,
    resolution_days: String,
}

async fn set_target(State(state): State<DeskState>, ctx: Ctx, Form(f): Form<TargetForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    admin(user)?;
    let days = |s: &str| s.trim().parse::<i64>().ok().filter(|n| (1..=365).contains(n));
    let (Some(first), Some(resolution)) = (days(&f.first_response_days), days(&f.resolution_days)) else {
        return Ok(config_error("desk-error-number"));
    };
    let priority = Priority::parse(f.priority.trim()).map(|p| p.as_str());
    let category = CaseCategory::parse(f.category.trim()).map(|c| c.as_str());
    if (!f.priority.trim().is_empty() && priority.is_none()) || (!f.category.trim().is_empty() && category.is_none()) {
        return Ok(config_error("case-error-invalid"));
    }
    store::desk::set_sla_target(&state.store.db, priority, category, first, resolution).await?;
    config_changed(&state, user, "sla").await
}

async fn delete_target(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    admin(user)?;
    store::desk::delete_sla_target(&state.store.db, id).await?;
    config_changed(&state, user, "sla").await
}

#[derive(Deserialize)]
struct HolidayForm {
    day: String,
    name_ko: String,
    name_en: String,
}

async fn add_holiday(State(state): State<DeskState>, ctx: Ctx, Form(f): Form<HolidayForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    admin(user)?;
    let Some(day) = kit::util::parse_date(f.day.trim()) else { return Ok(config_error("case-error-date")) };
    let (ko, en) = (f.name_ko.trim(), f.name_en.trim());
    if ko.is_empty() || en.is_empty() || ko.chars().count() > 100 || en.chars().count() > 100 {
        return Ok(config_error("case-error-required"));
    }
    match store::desk::add_holiday(&state.store.db, &day.to_string(), ko, en).await {
        Ok(()) => config_changed(&state, user, "holidays").await,
        Err(store::StoreError::Duplicate(_)) => Ok(config_error("desk-error-duplicate-holiday")),
        Err(e) => Err(e.into()),
    }
}

async fn delete_holiday(State(state): State<DeskState>, ctx: Ctx, Path(day): Path<String>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    admin(user)?;
    store::desk::delete_holiday(&state.store.db, &day).await?;
    config_changed(&state, user, "holidays").await
}
