//! Programs for everyone: the consolidated catalog (public), a program with the reader's own
//! result and its reasons, "programs for you", the company's extra facts and applications.

use crate::CatalogState;
use crate::matching::{self, ExplainView, MatchRow, lang};
use crate::service::{self, ApplyError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Role;
use kit::error::PageError;
use kit::layout::{Page, render};
use kit::page_cache::{PageKey, fold};
use kit::session::Ctx;
use kit::today;
use serde::Deserialize;
use store::applications::{self, Side};
use store::programs::{self, ProgramVersion};

pub fn router() -> axum::Router<CatalogState> {
    axum::Router::new()
        .route("/programs", get(catalog))
        .route("/programs/{id}", get(detail))
        .route("/programs/{id}/apply", post(apply))
        .route("/my/programs", get(for_you))
        .route("/company/facts", get(facts_form).post(save_facts))
        .route("/applications", get(my_applications))
        .route("/applications/{id}", get(application))
        .route("/applications/{id}/move", post(move_application))
}

/// A program as a list row or a header, in the reader's language.
pub struct ProgramCard {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub agency: String,
    pub category: String,
    pub benefit: String,
    pub window: String,
    pub window_state: &'static str,
    pub illustrative: bool,
    pub encoded: bool,
    pub imported: bool,
}

/// Notices imported from the portal carry simple HTML; the catalog shows their text.
fn strip_tags(s: &str) -> String {
    if !s.contains('<') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn window_state(v: &ProgramVersion, today: time::Date) -> &'static str {
    let from = v.apply_from.as_deref().and_then(kit::util::parse_date);
    let to = v.apply_to.as_deref().and_then(kit::util::parse_date);
    match (from, to) {
        (Some(f), _) if today < f => "upcoming",
        (_, Some(t)) if today > t => "closed",
        _ => "open",
    }
}

pub fn card(p: &Page, v: &ProgramVersion) -> ProgramCard {
    let mut c = card_without_summary(p, v);
    c.summary = strip_tags(p.t.pick(&v.summary_ko, &v.summary_en));
    c
}

/// A card for lists that show the reader's result instead of the program's summary.
pub fn card_without_summary(p: &Page, v: &ProgramVersion) -> ProgramCard {
    let t = &p.t;
    let window = match (&v.apply_from, &v.apply_to) {
        (None, None) => t.t("program-window-always"),
        (a, b) => {
            format!("{} ~ {}", a.as_deref().map(|d| t.date(d)).unwrap_or_default(), b.as_deref().map(|d| t.date(d)).unwrap_or_default())
        }
    };
    ProgramCard {
        id: v.program_id,
        title: t.pick(&v.title_ko, &v.title_en).to_string(),
        summary: String::new(),
        agency: t.pick(&v.agency_name_ko, &v.agency_name_en).to_string(),
        category: t.t(&format!("cat-{}", v.category)),
        benefit: v.benefit_krw.map(|n| t.krw(n)).unwrap_or_default(),
        window,
        window_state: window_state(v, today()),
        illustrative: v.illustrative,
        encoded: v.rule_text.is_some(),
        imported: v.source == "bizinfo",
    }
}

fn agency_options(p: &Page, cat: &matching::LiveCatalog) -> Vec<(String, String)> {
    cat.agencies.iter().map(|(code, ko, en)| (code.clone(), p.t.pick(ko, en).to_string())).collect()
}

fn categories(p: &Page) -> Vec<(String, String)> {
    programs::CATEGORIES.iter().map(|c| (c.to_string(), p.t.t(&format!("cat-{c}")))).collect()
}

/// Which group of "programs for you" a result belongs to (the order they are shown in).
fn group_of(m: &MatchRow) -> usize {
    match m.outcome {
        Some(rules::Tri::True) => 0,
        Some(rules::Tri::Unknown) => 1,
        Some(rules::Tri::False) if m.one_away => 2,
        None => 3,
        Some(rules::Tri::False) => 4,
    }
}

#[derive(Deserialize, Default)]
struct CatalogQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    open: String,
    #[serde(default)]
    sort: String,
    /// "programs for you": the group to list in full.
    more: Option<String>,
    page: Option<usize>,
}

#[derive(Template)]
#[template(path = "programs.html")]
struct CatalogTemplate {
    p: Page,
    q: CatalogQuery,
    cards: Vec<ProgramCard>,
    total: usize,
    page: usize,
    pages: usize,
    prev_href: String,
    next_href: String,
    categories: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
}

const CATALOG_PAGE: usize = 50;

async fn catalog(State(state): State<CatalogState>, ctx: Ctx, Query(q): Query<CatalogQuery>) -> Result<Response, PageError> {
    let p = Page::new(&state, &ctx, "programs-title");
    let cat = state.catalog().await;
    let today = today();
    let needle = q.q.trim().to_lowercase();
    let mut rows: Vec<&ProgramVersion> = cat
        .programs
        .iter()
        .enumerate()
        .filter(|(i, _)| cat.in_force(*i, today))
        .map(|(_, v)| v)
        .filter(|v| q.category.is_empty() || v.category == q.category)
        .filter(|v| q.agency.is_empty() || v.agency_code == q.agency)
        .filter(|v| q.open.is_empty() || window_state(v, today) == "open")
        .filter(|v| needle.is_empty() || v.title_ko.to_lowercase().contains(&needle) || v.title_en.to_lowercase().contains(&needle))
        .collect();
    if q.sort == "deadline" {
        rows.sort_by_key(|v| v.apply_to.clone().unwrap_or_else(|| "9999".into()));
    }
    let total = rows.len();
    let pages = total.div_ceil(CATALOG_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let cards = rows.into_iter().skip((page - 1) * CATALOG_PAGE).take(CATALOG_PAGE).map(|v| card(&p, v)).collect();
    let agencies = agency_options(&p, &cat);
    let href = |n: usize| {
        let enc = kit::session::urlencode;
        format!(
            "/programs?q={}&category={}&agency={}&open={}&sort={}&page={n}",
            enc(&q.q),
            enc(&q.category),
            enc(&q.agency),
            enc(&q.open),
            enc(&q.sort)
        )
    };
    let (prev_href, next_href) = (href(page.saturating_sub(1).max(1)), href((page + 1).min(pages)));
    render(CatalogTemplate { categories: categories(&p), agencies, cards, total, page, pages, prev_href, next_href, q, p })
}

#[derive(Template)]
#[template(path = "program_detail.html")]
struct DetailTemplate {
    p: Page,
    v: ProgramVersion,
    c: ProgramCard,
    stages: Vec<String>,
    documents: Vec<String>,
    result: Option<ExplainView>,
    can_apply: bool,
    signed_in_member: bool,
    rule: String,
    error: Option<String>,
}

async fn detail(
    State(state): State<CatalogState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ApplyErrorQuery>,
) -> Result<Response, PageError> {
    let cat = state.catalog().await;
    let idx = *cat.by_program_id.get(&id).ok_or_else(PageError::not_found)?;
    let v = cat.programs[idx].clone();
    let mut p = Page::new(&state, &ctx, "");
    p.title = p.t.pick(&v.title_ko, &v.title_en).to_string();
    let refs = state.refs();
    let member = ctx.user.as_ref().filter(|u| u.role() == Role::CompanyMember && u.company_id.is_some());
    let mut result = None;
    if let (Some(u), Some(ri)) = (member, cat.rule_of[idx]) {
        let company = state.companies.get(u.company_id.unwrap_or_default()).ok_or_else(PageError::not_found)?;
        let extras = matching::extras(&state, company.row.id).await?;
        let subject = matching::subject_of(&company, &extras.facts, &extras.awards, today());
        let mut ev = cat.set.evaluate_some(&subject, &[ri]);
        result = Some(matching::explain_view(&ev.explain(ri, lang()), &p.t, &refs));
    }
    let can_apply = member.is_some()
        && cat.in_force(idx, today())
        && matching::window_open(&v, today())
        && result.as_ref().is_none_or(|r| r.outcome != "not_eligible");
    let stages = v
        .stages()
        .iter()
        .map(|s| refs.stages.get(s).map(|st| p.t.pick(&st.name_ko, &st.name_en).to_string()).unwrap_or_else(|| s.to_string()))
        .collect();
    let documents = v.documents(p.t.is_ko()).into_iter().map(str::to_string).collect();
    let error = page_error(&p.t, q.error.as_deref(), q.arg.as_deref());
    render(DetailTemplate {
        c: card(&p, &v),
        rule: v.rule_text.clone().unwrap_or_default(),
        signed_in_member: member.is_some(),
        v,
        stages,
        documents,
        result,
        can_apply,
        error,
        p,
    })
}

#[derive(Deserialize, Default)]
struct ApplyErrorQuery {
    error: Option<String>,
    arg: Option<String>,
}

#[derive(Deserialize)]
struct ApplyForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    draft: Option<String>,
}

/// The error messages a redirect may ask a page to show (anything else in `?error=` is ignored).
const PAGE_ERRORS: [&str; 10] = [
    "err-note-too-long",
    "err-apply-forbidden",
    "err-not-found",
    "err-apply-no-company",
    "err-apply-closed",
    "err-apply-not-eligible",
    "err-apply-open",
    "err-stale",
    "err-bad-move",
    "error-internal",
];

/// The message for `?error=…[&arg=…]`, if it is one of ours; only the not-eligible message takes
/// an argument (the failing conditions), and only a short one.
pub fn page_error(t: &kit::i18n::Tr, key: Option<&str>, arg: Option<&str>) -> Option<String> {
    let key = PAGE_ERRORS.iter().find(|k| Some(**k) == key)?;
    match arg {
        Some(a) if *key == "err-apply-not-eligible" && a.chars().count() <= 1000 => Some(t.ta(key, a)),
        _ if *key == "err-apply-not-eligible" => Some(t.ta(key, "")),
        _ => Some(t.t(key)),
    }
}

pub fn apply_error_key(e: &ApplyError) -> (&'static str, Option<String>) {
    match e {
        ApplyError::Forbidden => ("err-apply-forbidden", None),
        ApplyError::NotFound => ("err-not-found", None),
        ApplyError::NoCompany => ("err-apply-no-company", None),
        ApplyError::Closed => ("err-apply-closed", None),
        ApplyError::NotEligible(f) => ("err-apply-not-eligible", Some(f.join("; "))),
        ApplyError::AlreadyOpen => ("err-apply-open", None),
        ApplyError::Stale => ("err-stale", None),
        ApplyError::BadMove => ("err-bad-move", None),
        ApplyError::NoteTooLong => ("err-note-too-long", None),
        ApplyError::Store(_) => ("error-internal", None),
    }
}

async fn apply(State(state): State<CatalogState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ApplyForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::apply(&state, user, id, f.draft.is_none(), &f.note).await {
        Ok(app) => Ok(Redirect::to(&format!("/applications/{app}?created=1")).into_response()),
        Err(ApplyError::Store(e)) => Err(e.into()),
        Err(ApplyError::Forbidden) => Err(PageError::forbidden()),
        Err(e) => {
            let (key, arg) = apply_error_key(&e);
            let arg = arg.map(|a| format!("&arg={}", kit::session::urlencode(&a))).unwrap_or_default();
            Ok(Redirect::to(&format!("/programs/{id}?error={key}{arg}")).into_response())
        }
    }
}

/// One program in "programs for you".
pub struct MatchView {
    pub card: ProgramCard,
    pub outcome: &'static str,
    pub one_away: bool,
    pub score: i64,
    /// The one-sentence reason (every listed program has one).
    pub summary: String,
    /// The full reasoning, for the first few of each group (the rest link to the program).
    pub explain: Option<ExplainView>,
}

#[derive(Template)]
#[template(path = "my_programs.html")]
struct ForYouTemplate {
    p: Page,
    q: CatalogQuery,
    /// (heading, id, shown, how many in all, link to the next page of the group)
    groups: Vec<(&'static str, &'static str, Vec<MatchView>, usize, String)>,
    others: usize,
    categories: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
}

/// How many programs of each group the page lists, and how many of those it explains in full
/// (the others show their one-sentence reason and link to the program).
const LISTED: usize = 10;
const EXPLAINED: usize = 1;

async fn for_you(State(state): State<CatalogState>, ctx: Ctx, Query(q): Query<CatalogQuery>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    if user.role() != Role::CompanyMember {
        return Err(PageError::forbidden());
    }
    let Some(company_id) = user.company_id else { return Ok(Redirect::to("/company").into_response()) };
    let company = state.companies.get(company_id).ok_or_else(PageError::not_found)?;
    let extras = matching::extras(&state, company_id).await?;
    let cat = state.catalog().await;
    // Everything the ranking reads: the profile, the extra facts and awards, the catalog in
    // force, the reference names (and, through the key, the day and the filters).
    let data = fold(&[company.row.version as u64, extras.digest, cat.version as u64, state.refs_stamp()]);
    let key = PageKey::new("programs-for-you", data, &ctx);
    state.pages.clone().serve(&ctx, key, |blank| async move { for_you_page(&state, &blank, q, &company, &extras, &cat) }).await
}

fn for_you_page(
    state: &CatalogState,
    ctx: &Ctx,
    q: CatalogQuery,
    company: &store::companies::Company,
    extras: &matching::Extras,
    cat: &matching::LiveCatalog,
) -> Result<Response, PageError> {
    let p = Page::new(state, ctx, "my-programs-title");
    let refs = state.refs();
    let today = today();
    let subject = matching::subject_of(company, &extras.facts, &extras.awards, today);
    let (mut ev, rows) = matching::match_company(cat, &subject, today);
    let keep = |m: &MatchRow| {
        let v = &cat.programs[m.idx];
        (q.category.is_empty() || v.category == q.category)
            && (q.agency.is_empty() || v.agency_code == q.agency)
            && (q.open.is_empty() || window_state(v, today) == "open")
    };
    // Rows arrive ranked (eligible by points, unknown, one away, not encoded, the rest).
    let mut rows: Vec<&MatchRow> = rows.iter().filter(|m| keep(m)).collect();
    if q.sort == "deadline" {
        rows.sort_by_key(|m| (group_of(m), cat.programs[m.idx].apply_to.clone().unwrap_or_else(|| "9999".into())));
    }
    let more = q.more.as_deref().unwrap_or("");
    let mut groups: Vec<(&'static str, &'static str, Vec<MatchView>, usize, String)> = vec![
        ("my-programs-eligible", "eligible", Vec::new(), 0, String::new()),
        ("my-programs-unknown", "unknown", Vec::new(), 0, String::new()),
        ("my-programs-near", "near", Vec::new(), 0, String::new()),
        ("my-programs-not-encoded", "not-encoded", Vec::new(), 0, String::new()),
    ];
    let mut others = 0;
    for m in rows {
        let g = group_of(m);
        if g == 4 {
            others += 1;
            continue;
        }
        let group = &mut groups[g];
        group.3 += 1;
        let limit = if more == group.1 { usize::MAX } else { LISTED };
        if group.2.len() >= limit {
            continue;
        }
        let v = &cat.programs[m.idx];
        let (summary, explain) = match (m.outcome, cat.rule_of[m.idx]) {
            (Some(_), Some(ri)) => {
                let ex = ev.explain(ri, lang());
                if group.2.len() < EXPLAINED {
                    let view = matching::explain_view(&ex, &p.t, &refs);
                    (view.summary.clone(), Some(view))
                } else {
                    (matching::summary(&ex, &p.t, &refs), None)
                }
            }
            _ => (p.t.t("program-not-encoded"), None),
        };
        group.2.push(MatchView {
            card: card_without_summary(&p, v),
            outcome: m.outcome.map_or("not_encoded", |o| o.as_str()),
            one_away: m.one_away,
            score: m.score,
            summary,
            explain,
        });
    }
    for g in &mut groups {
        if g.2.len() < g.3 {
            g.4 = format!(
                "/my/programs?category={}&agency={}&open={}&sort={}&more={}#group-{}",
                q.category, q.agency, q.open, q.sort, g.1, g.1
            );
        }
    }
    let agencies = agency_options(&p, cat);
    render(ForYouTemplate { categories: categories(&p), agencies, groups, others, q, p })
}

/// One supplementary fact on the form.
pub struct FactField {
    pub name: &'static str,
    pub label: String,
    pub boolean: bool,
    pub value: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "company_facts.html")]
struct FactsTemplate {
    p: Page,
    fields: Vec<FactField>,
}

async fn facts_page(
    state: &CatalogState,
    ctx: &Ctx,
    values: &[(String, String)],
    errors: &[(String, String)],
    saved: bool,
) -> Result<Response, PageError> {
    let p = Page::new(state, ctx, "facts-title").with_flash(saved.then_some("facts-saved"));
    let fields = matching::SUPPLEMENTARY
        .iter()
        .map(|&name| {
            let id = lang().catalog.id(name).expect("catalogue fact");
            FactField {
                name,
                label: matching::fact_label(&p.t, name),
                boolean: lang().catalog.get(id).ty == rules::FactType::Bool,
                value: values.iter().find(|(f, _)| f == name).map(|(_, v)| v.clone()).unwrap_or_default(),
                error: errors.iter().find(|(f, _)| f == name).map(|(_, e)| e.clone()).unwrap_or_default(),
            }
        })
        .collect();
    render(FactsTemplate { p, fields })
}

fn member_company(ctx: &Ctx) -> Result<(&store::users::User, i64), PageError> {
    let u = ctx.user()?;
    match (u.role(), u.company_id) {
        (Role::CompanyMember, Some(c)) => Ok((u, c)),
        _ => Err(PageError::forbidden()),
    }
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    saved: Option<String>,
    created: Option<String>,
    moved: Option<String>,
    error: Option<String>,
}

async fn facts_form(State(state): State<CatalogState>, ctx: Ctx, Query(q): Query<SavedQuery>) -> Result<Response, PageError> {
    let (_, company) = member_company(&ctx)?;
    let values: Vec<(String, String)> =
        programs::facts_of(&state.store.db, company).await?.into_iter().map(|f| (f.fact, f.value)).collect();
    facts_page(&state, &ctx, &values, &[], q.saved.is_some()).await
}

async fn save_facts(State(state): State<CatalogState>, ctx: Ctx, Form(form): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    use store::TransactionTrait;
    let (user, company) = member_company(&ctx)?;
    let t = ctx.tr();
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for &name in &matching::SUPPLEMENTARY {
        let raw = form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().replace([',', '_'], "")).unwrap_or_default();
        if raw.is_empty() {
            values.push((name.to_string(), None));
            continue;
        }
        match matching::fact_value(name, &raw) {
            Some(rules::Value::Int(n)) if n < 0 => errors.push((name.to_string(), t.t("err-negative"))),
            Some(_) => values.push((name.to_string(), Some(raw))),
            None => errors.push((name.to_string(), t.t("err-fact-value"))),
        }
    }
    if !errors.is_empty() {
        let typed: Vec<(String, String)> = form.into_iter().collect();
        let resp = facts_page(&state, &ctx, &typed, &errors, false).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, resp).into_response());
    }
    let tx = state.store.db.begin().await.map_err(store::StoreError::from)?;
    for (name, v) in &values {
        programs::set_fact(&tx, company, name, v.as_deref()).await?;
    }
    store::audit::record(&tx, Some(user.id), &user.email, "company.facts", &format!("company:{company}"), "", "").await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    matching::forget_extras(&state, company);
    Ok(Redirect::to("/company/facts?saved=1").into_response())
}

pub struct AppRow {
    pub app: applications::Application,
    pub title: String,
    pub company: String,
    pub status: String,
}

fn app_row(p: &Page, a: applications::Application) -> AppRow {
    AppRow {
        title: p.t.pick(&a.title_ko, &a.title_en).to_string(),
        company: p.t.pick(&a.company_name_ko, a.company_name_en.as_deref().unwrap_or("")).to_string(),
        status: p.t.t(&format!("status-{}", a.status)),
        app: a,
    }
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ApplicationsTemplate {
    p: Page,
    rows: Vec<AppRow>,
}

async fn my_applications(State(state): State<CatalogState>, ctx: Ctx) -> Result<Response, PageError> {
    let (_, company) = member_company(&ctx)?;
    let p = Page::new(&state, &ctx, "applications-title");
    let rows = applications::for_company(&state.store.db, company).await?.into_iter().map(|a| app_row(&p, a)).collect();
    render(ApplicationsTemplate { p, rows })
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationTemplate {
    p: Page,
    row: AppRow,
    events: Vec<(String, String, String, String)>,
    moves: Vec<(&'static str, String)>,
    decision: Option<(ExplainView, String, String)>,
    error: Option<String>,
}

async fn application(
    State(state): State<CatalogState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let a = applications::get(&state.store.db, id).await?.ok_or_else(PageError::not_found)?;
    let side = match user.role() {
        Role::CompanyMember if user.company_id == Some(a.company_id) => Side::Company,
        _ if service::can_manage(user, a.agency_id) && a.status != "draft" => Side::Agency,
        _ => return Err(PageError::not_found()),
    };
    let flash = if q.created.is_some() {
        Some("application-created")
    } else if q.moved.is_some() {
        Some("application-moved")
    } else {
        None
    };
    let mut p = Page::new(&state, &ctx, "").with_flash(flash);
    p.title = p.t.ta("application-title", &id.to_string());
    let t = p.t;
    let events = applications::events(&state.store.db, id)
        .await?
        .into_iter()
        .map(|e| {
            let from = e.from_status.map(|s| t.t(&format!("status-{s}"))).unwrap_or_default();
            (t.datetime(&e.at), format!("{from} → {}", t.t(&format!("status-{}", e.to_status))), e.actor_name.unwrap_or_default(), e.note)
        })
        .collect();
    let moves = applications::next_states(&a.status, side).into_iter().map(|s| (s, t.t(&format!("status-{s}")))).collect();
    // The decision as stored at application time, explained again from its own snapshot and
    // the exact version it was made under.
    let mut decision = None;
    if let Some(did) = a.decision_id
        && let Some(d) = programs::decision(&state.store.db, did).await?
        && let Some(v) = programs::version(&state.store.db, d.version_id).await?
        && let Some(rule) = v.rule_text.as_deref().and_then(|r| rules::parse(r, lang()).ok())
        && let Ok(snapshot) = serde_json::from_str::<serde_json::Value>(&d.facts_json)
        && let Ok(subject) = rules::subject_from_json(&lang().catalog, &snapshot, today())
    {
        let mut set = rules::RuleSet::new();
        let pi = set.add(&rule, lang());
        let mut ev = set.evaluate(&subject);
        let view = matching::explain_view(&ev.explain(pi, lang()), &t, &state.refs());
        decision = Some((view, d.content_hash.chars().take(12).collect(), t.date(&d.as_of)));
    }
    let error = page_error(&t, q.error.as_deref(), None);
    render(ApplicationTemplate { row: app_row(&p, a), events, moves, decision, error, p })
}

#[derive(Deserialize)]
struct MoveForm {
    to: String,
    version: i32,
    #[serde(default)]
    note: String,
}

async fn move_application(
    State(state): State<CatalogState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::move_application(&state, user, id, f.version, &f.to, &f.note).await {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}?moved=1")).into_response()),
        Err(ApplyError::Forbidden | ApplyError::NotFound) => Err(PageError::not_found()),
        Err(ApplyError::Store(e)) => Err(e.into()),
        Err(e) => Ok(Redirect::to(&format!("/applications/{id}?error={}", apply_error_key(&e).0)).into_response()),
    }
}
