//! Agency staff manage their programs: write and check eligibility rules as they type, see how
//! many companies a rule admits now (with a sample and its reasons), compare with the
//! published version, attach test cases, publish; and review applications.

use crate::CatalogState;
use crate::matching::{self, ExplainView, lang};
use crate::service::{self, ProgramError, ProgramForm};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{FieldErrors, Role};
use kit::error::PageError;
use kit::layout::{Field, Page, render};
use kit::session::Ctx;
use serde::Deserialize;
use store::programs::{self, ProgramVersion};
use store::users::User;

pub fn router() -> axum::Router<CatalogState> {
    axum::Router::new()
        .route("/officer/programs", get(list))
        .route("/officer/programs/new", get(new_form).post(create))
        .route("/officer/programs/{id}", get(edit).post(save))
        .route("/officer/programs/{id}/publish", post(publish))
        .route("/officer/programs/{id}/tests", post(add_test))
        .route("/officer/programs/{id}/tests/{tid}/delete", post(delete_test))
        .route("/officer/rules/check", post(check))
        .route("/officer/applications", get(queue))
}

fn staff(ctx: &Ctx) -> Result<&User, PageError> {
    let u = ctx.user()?;
    match u.role() {
        Role::Officer | Role::AgencyAdmin | Role::PlatformAdmin => Ok(u),
        _ => Err(PageError::forbidden()),
    }
}

/// The agency whose programs this user manages (`None` = all, for platform admins).
fn scope(u: &User) -> Option<i64> {
    if u.role() == Role::PlatformAdmin { None } else { u.agency_id.or(Some(-1)) }
}

pub struct ProgramRow {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub version: i32,
    pub status: String,
    pub encoded: bool,
    pub agency: String,
}

#[derive(Template)]
#[template(path = "admin_programs.html")]
struct ListTemplate {
    p: Page,
    rows: Vec<ProgramRow>,
    can_create: bool,
    page: i64,
    pages: i64,
}

const LIST_PAGE: i64 = 50;

#[derive(Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
}

async fn list(State(state): State<CatalogState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let user = staff(&ctx)?;
    let p = Page::new(&state, &ctx, "admin-programs-title");
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let (versions, total) = programs::latest_versions(&state.store.db, scope(user), LIST_PAGE, (page - 1) * LIST_PAGE).await?;
    let pages = ((total + LIST_PAGE - 1) / LIST_PAGE).max(1);
    let rows = versions
        .into_iter()
        .map(|v| ProgramRow {
            id: v.program_id,
            title: p.t.pick(&v.title_ko, &v.title_en).to_string(),
            category: p.t.t(&format!("cat-{}", v.category)),
            version: v.version,
            status: p.t.t(&format!("status-{}", v.status)),
            encoded: v.rule_text.is_some(),
            agency: p.t.pick(&v.agency_name_ko, &v.agency_name_en).to_string(),
        })
        .collect();
    render(ListTemplate { can_create: user.agency_id.is_some(), rows, page, pages, p })
}

fn form_fields(p: &Page, f: &ProgramForm, errs: &FieldErrors, is_new: bool) -> Vec<Field> {
    let t = &p.t;
    let mut fields = Vec::new();
    if is_new {
        fields.push(Field::new(t, "key", "text", &f.key, errs).required());
    }
    fields.extend([
        Field::new(t, "family", "text", &f.family, errs).required(),
        Field::new(t, "category", "select", &f.category, errs)
            .required()
            .options(programs::CATEGORIES.iter().map(|c| (c.to_string(), t.t(&format!("cat-{c}")))).collect()),
        Field::new(t, "title_ko", "text", &f.title_ko, errs).required(),
        Field::new(t, "title_en", "text", &f.title_en, errs).required(),
        Field::new(t, "benefit_krw", "text", &f.benefit_krw, errs),
        Field::new(t, "copay_pct", "text", &f.copay_pct, errs),
        Field::new(t, "apply_from", "date", &f.apply_from, errs),
        Field::new(t, "apply_to", "date", &f.apply_to, errs),
        Field::new(t, "effective_from", "date", &f.effective_from, errs).required(),
        Field::new(t, "effective_to", "date", &f.effective_to, errs),
        Field::new(t, "target_stages", "text", &f.target_stages, errs),
        Field::new(t, "url", "url", &f.url, errs),
        Field::new(t, "capacity", "text", &f.capacity, errs),
    ]);
    fields
}

#[derive(Template)]
#[template(path = "admin_program_new.html")]
struct NewTemplate {
    p: Page,
    fields: Vec<Field>,
    f: ProgramForm,
    errs: Vec<(String, String)>,
    rule_error: String,
}

fn field_errs(p: &Page, errs: &FieldErrors) -> Vec<(String, String)> {
    ["summary_ko", "summary_en", "documents_ko", "documents_en"]
        .iter()
        .filter_map(|f| errs.for_field(f).map(|e| (f.to_string(), p.t.field_error(e))))
        .collect()
}

async fn new_form(State(state): State<CatalogState>, ctx: Ctx) -> Result<Response, PageError> {
    staff(&ctx)?;
    let p = Page::new(&state, &ctx, "admin-programs-new");
    let f = ProgramForm { effective_from: kit::today().to_string(), illustrative: Some("on".into()), ..ProgramForm::default() };
    render(NewTemplate { fields: form_fields(&p, &f, &FieldErrors::default(), true), f, errs: Vec::new(), rule_error: String::new(), p })
}

async fn create(State(state): State<CatalogState>, ctx: Ctx, Form(f): Form<ProgramForm>) -> Result<Response, PageError> {
    let user = staff(&ctx)?;
    match service::create(&state, user, &f).await {
        Ok(id) => Ok(Redirect::to(&format!("/officer/programs/{id}?created=1")).into_response()),
        Err(ProgramError::Forbidden) => Err(PageError::forbidden()),
        Err(ProgramError::Store(e)) => Err(e.into()),
        Err(e) => {
            let p = Page::new(&state, &ctx, "admin-programs-new");
            let (errs, rule_error) = match &e {
                ProgramError::Invalid(errs) => (errs.clone(), String::new()),
                ProgramError::Rule(r) => (FieldErrors::default(), matching::rule_error_text(&p.t, r)),
                _ => (FieldErrors::default(), p.t.t("error-internal")),
            };
            let fields = form_fields(&p, &f, &errs, true);
            let resp = render(NewTemplate { errs: field_errs(&p, &errs), fields, f, rule_error, p })?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, resp).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "admin_program_edit.html")]
struct EditTemplate {
    p: Page,
    id: i64,
    fields: Vec<Field>,
    f: ProgramForm,
    errs: Vec<(String, String)>,
    check: CheckView,
    tests: Vec<TestRow>,
    versions: Vec<(i32, String, String, String)>,
    has_draft: bool,
    error: String,
    agency: String,
}

pub struct TestRow {
    pub id: i64,
    pub name: String,
    pub expect: String,
    pub result: Option<Result<(), String>>,
}

/// The live check under the rule editor: errors, or counts, a sample, tests and the diff.
#[derive(Default)]
pub struct CheckView {
    pub empty: bool,
    pub error: String,
    pub preview: String,
    pub sample: Vec<(i64, String, ExplainView)>,
    pub diff: String,
    pub tests: Vec<(String, bool, String)>,
}

#[derive(Deserialize, Default)]
struct EditQuery {
    created: Option<String>,
    saved: Option<String>,
    published: Option<String>,
    gained: Option<usize>,
    lost: Option<usize>,
    notified: Option<usize>,
    error: Option<String>,
}

async fn program_for(state: &CatalogState, user: &User, id: i64) -> Result<(programs::Program, Vec<ProgramVersion>), PageError> {
    let prog = programs::program(&state.store.db, id).await?.ok_or_else(PageError::not_found)?;
    if !service::can_manage(user, prog.agency_id) {
        return Err(PageError::not_found());
    }
    let versions = programs::versions(&state.store.db, id).await?;
    Ok((prog, versions))
}

async fn check_view(state: &CatalogState, p: &Page, program_id: Option<i64>, source: &str) -> Result<CheckView, PageError> {
    let t = &p.t;
    let rule = match service::parse_rule(source) {
        Ok(Some(r)) => r,
        Ok(None) => return Ok(CheckView { empty: true, ..CheckView::default() }),
        Err(e) => return Ok(CheckView { error: matching::rule_error_text(t, &e), ..CheckView::default() }),
    };
    let pop = matching::population(state, std::time::Duration::from_secs(10)).await?;
    let (eligible, unknown, total, sample_ids) = matching::count(&pop, &rule, 5);
    let preview = t.targs(
        "admin-rule-preview",
        &[("eligible", t.num(eligible as i64)), ("unknown", t.num(unknown as i64)), ("total", t.num(total as i64))],
    );
    let refs = state.refs();
    let mut sample = Vec::new();
    let mut set = rules::RuleSet::new();
    let pi = set.add(&rule, lang());
    for id in sample_ids {
        let Some(c) = state.companies.get(id) else { continue };
        let facts = programs::facts_of(&state.store.db, id).await?;
        let awards = programs::awards_of(&state.store.db, id).await?;
        let subject = matching::subject_of(&c, &facts, &awards, pop.as_of);
        let mut ev = set.evaluate(&subject);
        sample.push((
            id,
            t.pick(&c.row.name_ko, c.row.name_en.as_deref().unwrap_or("")).to_string(),
            matching::explain_view(&ev.explain(pi, lang()), t, &refs),
        ));
    }
    let mut diff = String::new();
    let mut tests = Vec::new();
    if let Some(pid) = program_id {
        let versions = programs::versions(&state.store.db, pid).await?;
        let published = versions
            .iter()
            .find(|v| v.status == "published")
            .and_then(|v| v.rule_text.as_deref())
            .and_then(|r| rules::parse(r, lang()).ok());
        diff = match &published {
            Some(old) => {
                let (gained, lost) = matching::diff(&pop, Some(old), &rule);
                t.targs("admin-diff-summary", &[("gained", t.num(gained.len() as i64)), ("lost", t.num(lost.len() as i64))])
            }
            None => t.t("admin-diff-none"),
        };
        for (name, r) in service::run_tests(state, pid, &rule).await.map_err(|_| PageError::not_found())? {
            tests.push((name, r.is_ok(), r.err().map(|e| matching::test_failure_text(t, &e)).unwrap_or_default()));
        }
    }
    Ok(CheckView { empty: false, error: String::new(), preview, sample, diff, tests })
}

async fn edit_page(
    state: &CatalogState,
    ctx: &Ctx,
    id: i64,
    f: Option<ProgramForm>,
    errs: FieldErrors,
    error: String,
    flash: Option<String>,
) -> Result<Response, PageError> {
    let user = staff(ctx)?;
    let (_, versions) = program_for(state, user, id).await?;
    let latest = versions.first().ok_or_else(PageError::not_found)?;
    let mut p = Page::new(state, ctx, "");
    p.title = p.t.pick(&latest.title_ko, &latest.title_en).to_string();
    p.flash = flash;
    let f = f.unwrap_or_else(|| ProgramForm::from_version(latest));
    let check = check_view(state, &p, Some(id), &f.rule).await?;
    let rule = service::parse_rule(&f.rule).ok().flatten();
    let mut tests = Vec::new();
    for tc in programs::tests_of(&state.store.db, id).await? {
        let case: serde_json::Value = serde_json::from_str(&tc.case_json).unwrap_or_default();
        tests.push(TestRow {
            id: tc.id,
            name: tc.name,
            expect: p.t.t(&format!("outcome-{}", case["expect"].as_str().unwrap_or(""))),
            result: rule.as_ref().map(|r| matching::run_test(r, &case)),
        });
    }
    let versions_view = versions
        .iter()
        .map(|v| {
            (
                v.version,
                p.t.t(&format!("status-{}", v.status)),
                v.published_at.as_deref().map(|d| p.t.datetime(d)).unwrap_or_default(),
                v.content_hash.chars().take(12).collect(),
            )
        })
        .collect();
    let agency = p.t.pick(&latest.agency_name_ko, &latest.agency_name_en).to_string();
    let resp = render(EditTemplate {
        id,
        fields: form_fields(&p, &f, &errs, false),
        errs: field_errs(&p, &errs),
        has_draft: latest.status == "draft",
        f,
        check,
        tests,
        versions: versions_view,
        error,
        agency,
        p,
    })?;
    Ok(resp)
}

async fn edit(State(state): State<CatalogState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<EditQuery>) -> Result<Response, PageError> {
    let t = ctx.tr();
    let flash = if q.created.is_some() {
        Some(t.t("admin-program-created"))
    } else if q.saved.is_some() {
        Some(t.t("admin-program-saved"))
    } else if q.published.is_some() {
        Some(t.targs(
            "admin-program-published",
            &[
                ("gained", q.gained.unwrap_or(0).to_string()),
                ("lost", q.lost.unwrap_or(0).to_string()),
                ("notified", q.notified.unwrap_or(0).to_string()),
            ],
        ))
    } else {
        None
    };
    let error = super::programs::page_error(&t, q.error.as_deref(), None).unwrap_or_default();
    edit_page(&state, &ctx, id, None, FieldErrors::default(), error, flash).await
}

async fn save(State(state): State<CatalogState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ProgramForm>) -> Result<Response, PageError> {
    let user = staff(&ctx)?;
    match service::save_draft(&state, user, id, &f).await {
        Ok(_) => Ok(Redirect::to(&format!("/officer/programs/{id}?saved=1")).into_response()),
        Err(ProgramError::Forbidden | ProgramError::NotFound) => Err(PageError::not_found()),
        Err(ProgramError::Store(e)) => Err(e.into()),
        Err(e) => {
            let t = ctx.tr();
            let (errs, error) = match &e {
                ProgramError::Invalid(errs) => (errs.clone(), String::new()),
                ProgramError::Rule(r) => (FieldErrors::default(), matching::rule_error_text(&t, r)),
                _ => (FieldErrors::default(), t.t("error-internal")),
            };
            let resp = edit_page(&state, &ctx, id, Some(f), errs, error, None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, resp).into_response())
        }
    }
}

async fn publish(State(state): State<CatalogState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = staff(&ctx)?;
    match service::publish(&state, user, id).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/officer/programs/{id}?published=1&gained={}&lost={}&notified={}",
            r.newly_eligible, r.no_longer_eligible, r.notified_users
        ))
        .into_response()),
        Err(ProgramError::Forbidden) => Err(PageError::not_found()),
        Err(ProgramError::Store(e)) => Err(e.into()),
        Err(e) => {
            let t = ctx.tr();
            let error = match &e {
                ProgramError::TestsFailed(list) => t.ta(
                    "err-tests-failed",
                    &list.iter().map(|(n, why)| format!("{n} ({})", matching::test_failure_text(&t, why))).collect::<Vec<_>>().join("; "),
                ),
                ProgramError::Rule(r) => matching::rule_error_text(&t, r),
                ProgramError::NotFound => t.t("err-not-found"),
                ProgramError::Stale => t.t("err-stale"),
                _ => t.t("error-internal"),
            };
            let resp = edit_page(&state, &ctx, id, None, FieldErrors::default(), error, None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, resp).into_response())
        }
    }
}

#[derive(Deserialize)]
struct TestForm {
    name: String,
    case: String,
    expect: String,
}

async fn add_test(
    State(state): State<CatalogState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TestForm>,
) -> Result<Response, PageError> {
    let user = staff(&ctx)?;
    program_for(&state, user, id).await?;
    let t = ctx.tr();
    let name = f.name.trim();
    let parsed = serde_json::from_str::<serde_json::Value>(&f.case)
        .map_err(|e| t.targs("test-case-json", &[("line", e.line().to_string()), ("column", e.column().to_string())]))
        .and_then(|mut v| {
            if !v.is_object() {
                return Err(t.targs("test-case-json", &[("line", "1".into()), ("column", "1".into())]));
            }
            if !["eligible", "not_eligible", "unknown"].contains(&f.expect.as_str()) {
                return Err(f.expect.clone());
            }
            v["expect"] = serde_json::json!(f.expect);
            v["name"] = serde_json::json!(name);
            rules::subject_from_json(&lang().catalog, &v, kit::today()).map(|_| v).map_err(|e| matching::subject_error_text(&t, &e))
        });
    match parsed {
        Ok(case) if !name.is_empty() && name.chars().count() <= 200 => {
            programs::add_test(&state.store.db, id, name, &case.to_string(), Some(user.id)).await?;
            Ok(Redirect::to(&format!("/officer/programs/{id}#tests")).into_response())
        }
        Ok(_) => {
            let resp = edit_page(&state, &ctx, id, None, FieldErrors::default(), t.t("err-required"), None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, resp).into_response())
        }
        Err(why) => {
            let resp =
                edit_page(&state, &ctx, id, None, FieldErrors::default(), format!("{}: {why}", t.t("admin-tests-case")), None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, resp).into_response())
        }
    }
}

async fn delete_test(State(state): State<CatalogState>, ctx: Ctx, Path((id, tid)): Path<(i64, i64)>) -> Result<Response, PageError> {
    let user = staff(&ctx)?;
    program_for(&state, user, id).await?;
    programs::delete_test(&state.store.db, id, tid).await?;
    Ok(Redirect::to(&format!("/officer/programs/{id}#tests")).into_response())
}

#[derive(Deserialize)]
struct CheckForm {
    #[serde(default)]
    rule: String,
    program_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "_rule_check.html")]
struct CheckTemplate {
    p: Page,
    check: CheckView,
}

/// The htmx fragment under the rule editor, refreshed as the officer types.
async fn check(State(state): State<CatalogState>, ctx: Ctx, Form(f): Form<CheckForm>) -> Result<Response, PageError> {
    let user = staff(&ctx)?;
    let program_id = match f.program_id {
        Some(id) => {
            program_for(&state, user, id).await?;
            Some(id)
        }
        None => None,
    };
    let p = Page::new(&state, &ctx, "");
    let check = check_view(&state, &p, program_id, &f.rule).await?;
    render(CheckTemplate { p, check })
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "admin_queue.html")]
struct QueueTemplate {
    p: Page,
    rows: Vec<super::programs::AppRow>,
    status: String,
    statuses: Vec<(String, String)>,
}

async fn queue(State(state): State<CatalogState>, ctx: Ctx, Query(q): Query<QueueQuery>) -> Result<Response, PageError> {
    let user = staff(&ctx)?;
    let p = Page::new(&state, &ctx, "queue-title");
    let status = store::applications::STATES.iter().find(|s| **s == q.status && **s != "draft").copied();
    let rows = store::applications::for_agency(&state.store.db, scope(user), status, 200).await?;
    let statuses =
        store::applications::STATES.iter().filter(|s| **s != "draft").map(|s| (s.to_string(), p.t.t(&format!("status-{s}")))).collect();
    let rows = rows
        .into_iter()
        .map(|a| super::programs::AppRow {
            title: p.t.pick(&a.title_ko, &a.title_en).to_string(),
            company: p.t.pick(&a.company_name_ko, a.company_name_en.as_deref().unwrap_or("")).to_string(),
            status: p.t.t(&format!("status-{}", a.status)),
            app: a,
        })
        .collect();
    render(QueueTemplate { p, rows, status: q.status, statuses })
}
