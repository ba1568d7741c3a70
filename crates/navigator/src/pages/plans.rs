//! A company's plans for setting up abroad: the list and the start form, and one plan's page —
//! what changed in the playbook, when the company can open, the timeline (Gantt-style), and the
//! checklist where each step is moved, dated, noted, evidenced, taken to the regulatory desk or
//! to a local expert. Exports: iCalendar and XLSX.

use crate::NavState;
use crate::service::{self, NewPlanForm, PlanData, PlanError, SettingsForm, StepForm};
use askama::Template;
use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use desk::service::Upload;
use domain::FieldErrors;
use domain::playbook::{ChangeKind, StepChange};
use kit::error::{PageError, PageErrorKind};
use kit::i18n::Tr;
use kit::layout::{Field, Page, render};
use kit::page_cache::PageKey;
use kit::session::Ctx;
use kit::today;
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> axum::Router<NavState> {
    axum::Router::new()
        .route("/plans", get(list).post(create))
        .route("/plans/new", get(new_form))
        .route("/plans/{id}", get(detail))
        .route("/plans/{id}/settings", post(settings))
        .route("/plans/{id}/seen", post(seen))
        .route("/plans/{id}/steps/{key}", post(update_step))
        .route("/plans/{id}/steps/{key}/notes", post(add_note))
        .route("/plans/{id}/steps/{key}/files", post(upload).layer(DefaultBodyLimit::max(kit::session::MAX_UPLOAD_BYTES)))
        .route("/plans/{id}/steps/{key}/case", post(open_case))
        .route("/plans/{id}/files/{file}", get(download))
        .route("/plans/{id}/calendar.ics", get(calendar))
        .route("/plans/{id}/export.xlsx", get(export_xlsx))
        .route("/plans/{id}/export.pdf", get(export_pdf))
}

/// How a refusal of the plan service shows as a page (also used by the playbook editor).
pub fn page_error(e: PlanError) -> PageError {
    e.into()
}

pub fn country_name(state: &NavState, t: &Tr, code: &str) -> String {
    kit::util::country_label(state, t, code)
}

// ---- list and start ---------------------------------------------------------------------------

pub struct PlanRow {
    pub id: i64,
    pub name: String,
    pub country: String,
    pub start: String,
    pub target: String,
    pub opens: String,
    pub on_time: Option<bool>,
    pub status: String,
    pub status_code: String,
    pub progress: String,
    pub unseen: bool,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct ListTemplate {
    p: Page,
    rows: Vec<PlanRow>,
    fields: Vec<Field>,
}

/// Choices for the start form: one per published playbook, "country — entity type".
fn playbook_options(state: &NavState, t: &Tr, cat: &service::NavCatalog) -> Vec<(String, String)> {
    cat.list
        .iter()
        .map(|p| {
            (
                format!("{}:{}", p.pb.country, p.pb.entity_type),
                format!("{} — {}", country_name(state, t, &p.pb.country), t.pick(&p.pb.name_ko, &p.pb.name_en)),
            )
        })
        .collect()
}

fn start_fields(state: &NavState, t: &Tr, cat: &service::NavCatalog, f: &NewPlanForm, errs: &FieldErrors) -> Vec<Field> {
    // The form has one choice for country and entity type; their errors show on it.
    let mut errs_for_choice = FieldErrors::default();
    for e in &errs.0 {
        let mut e = e.clone();
        if e.field == "country" || e.field == "entity_type" {
            e.field = "playbook".into();
        }
        errs_for_choice.push(e);
    }
    let chosen = if f.country.is_empty() { String::new() } else { format!("{}:{}", f.country.to_ascii_uppercase(), f.entity_type) };
    vec![
        Field::new(t, "playbook", "select", chosen, &errs_for_choice).required().options(playbook_options(state, t, cat)),
        Field::new(t, "start_on", "date", &f.start_on, &errs_for_choice),
        Field::new(t, "target_open_on", "date", &f.target_open_on, &errs_for_choice),
    ]
}

async fn render_list(state: &NavState, ctx: &Ctx, f: &NewPlanForm, errs: &FieldErrors) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let list = service::plans_of(state, user).await.map_err(page_error)?;
    let cat = service::catalog(state).await.map_err(page_error)?;
    let p = Page::new(state, ctx, "plans-title");
    let t = p.t;
    let mut rows = Vec::with_capacity(list.len());
    for plan in list {
        let data = service::plan_for(state, user, plan.id).await.map_err(page_error)?;
        let s = data.schedule(today()).ok();
        let target = data.plan.target_open_on.as_deref().and_then(service::parse_date);
        let done = data.steps.iter().filter(|s| !s.removed && s.status == "done").count();
        let total = data.steps.iter().filter(|s| !s.removed).count();
        rows.push(PlanRow {
            id: plan.id,
            name: t.pick(&data.pb.name_ko, &data.pb.name_en).to_string(),
            country: country_name(state, &t, &plan.country),
            start: t.date(&plan.start_on),
            target: plan.target_open_on.as_deref().map(|d| t.date(d)).unwrap_or_else(|| "—".into()),
            opens: s.as_ref().map(|s| t.date(&s.opens_on.to_string())).unwrap_or_default(),
            on_time: target.zip(s.as_ref()).map(|(tg, s)| s.opens_on <= tg),
            status: t.t(&format!("plan-status-{}", plan.status)),
            status_code: plan.status.clone(),
            progress: t.targs("plan-progress", &[("done", done.to_string()), ("total", total.to_string())]),
            unseen: data.updates.iter().any(|u| u.seen_at.is_none()),
        });
    }
    let fields = start_fields(state, &t, &cat, f, errs);
    let status = if errs.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut resp = render(ListTemplate { p, rows, fields })?;
    *resp.status_mut() = status;
    Ok(resp)
}

async fn list(State(state): State<NavState>, ctx: Ctx) -> Result<Response, PageError> {
    render_list(&state, &ctx, &NewPlanForm::default(), &FieldErrors::default()).await
}

#[derive(Deserialize, Default)]
struct NewQuery {
    country: Option<String>,
    entity_type: Option<String>,
}

/// From a country guide's "start a plan" button: the list page with the choice made.
async fn new_form(State(state): State<NavState>, ctx: Ctx, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    let f = NewPlanForm { country: q.country.unwrap_or_default(), entity_type: q.entity_type.unwrap_or_default(), ..Default::default() };
    render_list(&state, &ctx, &f, &FieldErrors::default()).await
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    playbook: String,
    #[serde(default)]
    start_on: String,
    #[serde(default)]
    target_open_on: String,
}

async fn create(State(state): State<NavState>, ctx: Ctx, Form(f): Form<StartForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let (country, entity) = f.playbook.split_once(':').unwrap_or(("", ""));
    let form = NewPlanForm { country: country.into(), entity_type: entity.into(), start_on: f.start_on, target_open_on: f.target_open_on };
    match service::start_plan(&state, user, &form).await {
        Ok(id) => Ok(Redirect::to(&format!("/plans/{id}?ok=plan-flash-created")).into_response()),
        Err(PlanError::Invalid(errs)) => render_list(&state, &ctx, &form, &errs).await,
        Err(e) => Err(page_error(e)),
    }
}

// ---- one plan ---------------------------------------------------------------------------------

pub struct ChangeView {
    pub step: String,
    pub kind: String,
    pub kind_code: &'static str,
    pub fields: String,
}

pub struct UpdateView {
    pub from: i64,
    pub to: i64,
    pub at: String,
    pub note: String,
    pub unseen: bool,
    pub changes: Vec<ChangeView>,
}

pub struct FileView {
    pub id: i64,
    pub name: String,
    pub size: String,
}

pub struct StepView {
    pub number: usize,
    pub key: String,
    pub w: super::guides::StepWords,
    pub days: u32,
    pub status_code: String,
    pub status: String,
    pub blocked_reason: String,
    pub started_on: String,
    pub done_on: String,
    pub due: String,
    pub latest: String,
    pub slack: i64,
    pub critical: bool,
    pub late: bool,
    pub case_id: Option<i64>,
    pub files: Vec<FileView>,
    pub notes: Vec<(String, String, String)>,
    pub illustrative: bool,
    /// Gantt bar, in percent of the whole span.
    pub left: i64,
    pub width: i64,
    /// Values of the step form (what was typed, after an error) and its errors.
    pub form_status: String,
    pub form_started: String,
    pub form_done: String,
    pub form_reason: String,
    pub form_note: String,
    pub errors: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanTemplate {
    p: Page,
    id: i64,
    row_version: i64,
    country_code: String,
    country: String,
    version: i64,
    status_code: String,
    status_label: String,
    start_on: String,
    start_raw: String,
    target: String,
    target_raw: String,
    total_days: i64,
    opens: String,
    opens_if_now: String,
    must_start: String,
    on_time: Option<bool>,
    late_days: i64,
    today_left: i64,
    progress: String,
    updates: Vec<UpdateView>,
    steps: Vec<StepView>,
    removed: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    error: Option<String>,
    settings_errors: Vec<(String, String)>,
    consultations: Vec<(String, String, String)>,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    ok: Option<String>,
}

const FLASHES: &[&str] = &["plan-flash-created", "plan-flash-saved", "plan-flash-uploaded", "plan-flash-case", "plan-flash-seen"];

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 { format!("{:.1} MB", bytes as f64 / 1_048_576.0) } else { format!("{} kB", (bytes + 1023) / 1024) }
}

/// What went wrong with one step's form, so the page can show it there with what was typed.
struct StepFailure {
    key: String,
    form: StepForm,
    errors: FieldErrors,
}

async fn render_plan(
    state: &NavState,
    ctx: &Ctx,
    data: &PlanData,
    flash: Option<&str>,
    error: Option<String>,
    failure: Option<StepFailure>,
    settings_errors: Option<&FieldErrors>,
) -> Result<Response, PageError> {
    let mut p = Page::new(state, ctx, "").with_flash(flash);
    let t = p.t;
    let plan = &data.plan;
    let pb = &data.pb;
    let today = today();
    let s = data.schedule(today).map_err(page_error)?;
    p.title = format!("{} · {}", t.pick(&pb.name_ko, &pb.name_en), country_name(state, &t, &plan.country));
    let target = plan.target_open_on.as_deref().and_then(service::parse_date);
    let fresh_total = data.fresh_total_days(today);
    let span = s.total_days.max(1);
    let by_key = |k: &str| data.step(k);
    let mut steps = Vec::with_capacity(pb.steps.len());
    for (n, &i) in s.order.iter().enumerate() {
        let st = &pb.steps[i];
        let sc = &s.steps[i];
        let row = by_key(&st.key);
        let status_code = row.map(|r| r.status.clone()).unwrap_or_else(|| "todo".into());
        let failed = failure.as_ref().filter(|f| f.key == st.key);
        steps.push(StepView {
            number: n + 1,
            key: st.key.clone(),
            w: super::guides::step_words(&t, st),
            days: st.days,
            status: t.t(&format!("plan-step-{status_code}")),
            blocked_reason: row.map(|r| r.blocked_reason.clone()).unwrap_or_default(),
            started_on: row.and_then(|r| r.started_on.as_deref()).map(|d| t.date(d)).unwrap_or_default(),
            done_on: row.and_then(|r| r.done_on.as_deref()).map(|d| t.date(d)).unwrap_or_default(),
            due: t.date(&sc.earliest_finish_on.to_string()),
            latest: t.date(&sc.latest_finish_on.to_string()),
            slack: sc.slack,
            critical: sc.critical,
            late: status_code != "done" && target.is_some_and(|tg| sc.earliest_finish_on > tg),
            case_id: row.and_then(|r| r.case_id),
            files: data
                .files
                .iter()
                .filter(|f| f.step_key == st.key)
                .map(|f| FileView { id: f.id, name: f.file_name.clone(), size: size_label(f.size_bytes) })
                .collect(),
            notes: data
                .notes
                .iter()
                .filter(|x| x.step_key == st.key)
                .map(|x| (t.datetime(&x.created_at), x.author_name.clone().unwrap_or_default(), x.body.clone()))
                .collect(),
            illustrative: st.illustrative,
            left: sc.earliest_start.max(0) * 100 / span,
            width: ((sc.earliest_finish - sc.earliest_start.max(0)) * 100 / span).max(1),
            form_status: failed.map(|f| f.form.status.clone()).unwrap_or_else(|| status_code.clone()),
            form_started: failed
                .map(|f| f.form.started_on.clone())
                .unwrap_or_else(|| row.and_then(|r| r.started_on.clone()).unwrap_or_default()),
            form_done: failed.map(|f| f.form.done_on.clone()).unwrap_or_else(|| row.and_then(|r| r.done_on.clone()).unwrap_or_default()),
            form_reason: failed
                .map(|f| f.form.blocked_reason.clone())
                .unwrap_or_else(|| row.map(|r| r.blocked_reason.clone()).unwrap_or_default()),
            form_note: failed.map(|f| f.form.note.clone()).unwrap_or_default(),
            errors: failed.map(|f| f.errors.0.iter().map(|e| (e.field.clone(), t.field_error(e))).collect()).unwrap_or_default(),
            status_code,
        });
    }
    let title_of = |key: &str| -> String {
        pb.steps.iter().find(|s| s.key == key).map(|s| t.pick(&s.title_ko, &s.title_en).to_string()).unwrap_or_else(|| key.to_string())
    };
    let updates = data
        .updates
        .iter()
        .map(|u| {
            let changes: Vec<StepChange> = serde_json::from_str::<Vec<serde_json::Value>>(&u.changes)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|v| {
                    let kind: ChangeKind = serde_json::from_value(v["kind"].clone()).ok()?;
                    let fields =
                        v["fields"].as_array().map(|a| a.iter().filter_map(|f| f.as_str()).map(field_name).collect()).unwrap_or_default();
                    Some(StepChange { key: v["key"].as_str()?.to_string(), kind, fields })
                })
                .collect();
            UpdateView {
                from: u.from_version,
                to: u.to_version,
                at: t.datetime(&u.created_at),
                note: u.change_note.clone(),
                unseen: u.seen_at.is_none(),
                changes: changes
                    .iter()
                    .map(|c| ChangeView {
                        step: title_of(&c.key),
                        kind: t.t(&format!("plan-change-{}", c.kind.as_str())),
                        kind_code: c.kind.as_str(),
                        fields: c.fields.iter().map(|f| t.t(&format!("plan-field-{f}"))).collect::<Vec<_>>().join(", "),
                    })
                    .collect(),
            }
        })
        .collect();
    let removed = data.steps.iter().filter(|s| s.removed).map(|s| (s.step_key.clone(), t.t(&format!("plan-step-{}", s.status)))).collect();
    let done = data.steps.iter().filter(|s| !s.removed && s.status == "done").count();
    let consultations = data
        .consultations
        .iter()
        .map(|c| {
            (
                title_of(&c.step_key),
                t.pick(&c.expert_name_ko, &c.expert_name_en).to_string(),
                t.t(&format!("consultation-status-{}", c.status)),
            )
        })
        .collect();
    let html = PlanTemplate {
        id: plan.id,
        row_version: plan.row_version,
        country_code: plan.country.clone(),
        country: country_name(state, &t, &plan.country),
        version: plan.version,
        status_code: plan.status.clone(),
        status_label: t.t(&format!("plan-status-{}", plan.status)),
        start_on: t.date(&plan.start_on),
        start_raw: plan.start_on.clone(),
        target: plan.target_open_on.as_deref().map(|d| t.date(d)).unwrap_or_default(),
        target_raw: plan.target_open_on.clone().unwrap_or_default(),
        total_days: s.total_days,
        opens: t.date(&s.opens_on.to_string()),
        opens_if_now: t.date(&today.checked_add(time::Duration::days(fresh_total)).unwrap_or(today).to_string()),
        must_start: target.map(|tg| t.date(&domain::playbook::must_start_by(fresh_total, tg).to_string())).unwrap_or_default(),
        on_time: target.map(|tg| s.opens_on <= tg),
        late_days: target.map(|tg| (s.opens_on - tg).whole_days()).unwrap_or(0).max(0),
        today_left: ((today - s.start_on).whole_days().clamp(0, span) * 100) / span,
        progress: t.targs("plan-progress", &[("done", done.to_string()), ("total", pb.steps.len().to_string())]),
        updates,
        steps,
        removed,
        statuses: service::STEP_STATUSES.iter().map(|s| (s.to_string(), t.t(&format!("plan-step-{s}")))).collect(),
        error,
        settings_errors: settings_errors.map(|e| e.0.iter().map(|e| (e.field.clone(), t.field_error(e))).collect()).unwrap_or_default(),
        consultations,
        p,
    };
    let failed = html.error.is_some() || !html.settings_errors.is_empty() || html.steps.iter().any(|s| !s.errors.is_empty());
    let mut resp = render(html)?;
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// Field names of a step change as stored, kept `'static` for `StepChange`.
fn field_name(f: &str) -> &'static str {
    const FIELDS: [&str; 10] =
        ["title", "detail", "authority", "channel", "documents", "days", "cost", "depends_on", "source", "verification"];
    FIELDS.iter().copied().find(|x| *x == f).unwrap_or("detail")
}

async fn detail(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<DetailQuery>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let data = service::plan_for(&state, user, id).await.map_err(page_error)?;
    let flash = FLASHES.iter().copied().find(|k| Some(*k) == q.ok.as_deref());
    if flash.is_some() {
        return render_plan(&state, &ctx, &data, flash, None, None, None).await;
    }
    // The plain page is the one read again and again: it is rendered once per plan version,
    // reader, language and day.
    let key = PageKey::new("plan", data.stamp, &ctx);
    state.pages.clone().serve(&ctx, key, |blank| async move { render_plan(&state, &blank, &data, None, None, None, None).await }).await
}

/// After a failed action: the plan again with the reason, and the step's form as typed.
async fn show_failure(state: &NavState, ctx: &Ctx, id: i64, e: PlanError, failure: Option<StepFailure>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let t = ctx.tr();
    let data = service::plan_for(state, user, id).await.map_err(page_error)?;
    match e {
        PlanError::Invalid(errors) => {
            let failure = failure.map(|f| StepFailure { errors, ..f });
            render_plan(state, ctx, &data, None, Some(t.t("form-has-errors")), failure, None).await
        }
        PlanError::NotFound => Err(PageError::not_found()),
        PlanError::Internal => Err(PageError(PageErrorKind::Internal)),
        other => render_plan(state, ctx, &data, None, Some(t.t(other.message_key())), failure, None).await,
    }
}

async fn update_step(
    State(state): State<NavState>,
    ctx: Ctx,
    Path((id, key)): Path<(i64, String)>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::update_step(&state, user, id, &key, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/plans/{id}?ok=plan-flash-saved#step-{key}")).into_response()),
        Err(e) => show_failure(&state, &ctx, id, e, Some(StepFailure { key, form: f, errors: FieldErrors::default() })).await,
    }
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn add_note(
    State(state): State<NavState>,
    ctx: Ctx,
    Path((id, key)): Path<(i64, String)>,
    Form(f): Form<NoteForm>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::add_note(&state, user, id, &key, &f.note).await {
        Ok(()) => Ok(Redirect::to(&format!("/plans/{id}?ok=plan-flash-saved#step-{key}")).into_response()),
        Err(e) => {
            let data = service::plan_for(&state, user, id).await.map_err(page_error)?;
            let current = data.step(&key).ok_or_else(PageError::not_found)?;
            let form = StepForm { status: current.status.clone(), note: f.note, ..Default::default() };
            show_failure(&state, &ctx, id, e, Some(StepFailure { key, form, errors: FieldErrors::default() })).await
        }
    }
}

async fn upload(
    State(state): State<NavState>,
    ctx: Ctx,
    Path((id, key)): Path<(i64, String)>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let mut files = Vec::new();
    let too_large = PlanError::Upload(domain::upload::UploadError::TooLarge);
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return show_failure(&state, &ctx, id, too_large, None).await,
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(_) => return show_failure(&state, &ctx, id, too_large, None).await,
        };
        if let ("files", Some(n)) = (name.as_str(), file_name)
            && !bytes.is_empty()
        {
            files.push(Upload { name: n, bytes: bytes.to_vec() });
        }
    }
    match service::upload(&state, user, id, &key, files).await {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}?ok=plan-flash-uploaded#step-{key}")).into_response()),
        Err(PlanError::Invalid(errs)) => {
            let t = ctx.tr();
            let msg = errs.0.first().map(|e| t.field_error(e)).unwrap_or_default();
            let data = service::plan_for(&state, user, id).await.map_err(page_error)?;
            render_plan(&state, &ctx, &data, None, Some(format!("{}: {msg}", t.t("plan-files"))), None, None).await
        }
        Err(e) => show_failure(&state, &ctx, id, e, None).await,
    }
}

async fn open_case(State(state): State<NavState>, ctx: Ctx, Path((id, key)): Path<(i64, String)>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::open_case(&state, user, id, &key, ctx.lang).await {
        Ok(case_id) => Ok(Redirect::to(&format!("/cases/{case_id}")).into_response()),
        Err(e) => show_failure(&state, &ctx, id, e, None).await,
    }
}

async fn settings(
    State(state): State<NavState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<SettingsForm>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::change_settings(&state, user, id, &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/plans/{id}?ok=plan-flash-saved")).into_response()),
        Err(PlanError::Invalid(errs)) => {
            let data = service::plan_for(&state, user, id).await.map_err(page_error)?;
            let t = ctx.tr();
            render_plan(&state, &ctx, &data, None, Some(t.t("form-has-errors")), None, Some(&errs)).await
        }
        Err(e) => show_failure(&state, &ctx, id, e, None).await,
    }
}

async fn seen(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    service::mark_seen(&state, user, id).await.map_err(page_error)?;
    Ok(Redirect::to(&format!("/plans/{id}?ok=plan-flash-seen")).into_response())
}

async fn download(State(state): State<NavState>, ctx: Ctx, Path((id, file)): Path<(i64, i64)>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let (f, bytes) = service::file(&state, user, id, file).await.map_err(page_error)?;
    let name = kit::session::urlencode(&f.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, f.content_type.clone()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"file\"; filename*=UTF-8''{name}")),
            (header::HeaderName::from_static("x-content-type-options"), "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

pub fn ics_response(id: i64, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"globaldesk-plan-{id}.ics\"")),
        ],
        body,
    )
        .into_response()
}

async fn calendar(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let data = service::plan_for(&state, user, id).await.map_err(page_error)?;
    let body = service::calendar(&state, &data, &ctx.tr()).map_err(page_error)?;
    Ok(ics_response(id, body))
}

/// The checklist with its schedule for the company's management, as a spreadsheet.
async fn export_xlsx(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let data = service::plan_for(&state, user, id).await.map_err(page_error)?;
    let t = ctx.tr();
    let s = data.schedule(today()).map_err(page_error)?;
    let head: Vec<String> = [
        "plan-col-number",
        "plan-col-step",
        "field-authority",
        "plan-col-days",
        "field-status",
        "plan-col-start",
        "plan-col-due",
        "plan-col-latest",
        "plan-col-slack",
        "plan-col-critical",
        "plan-col-started",
        "plan-col-done",
        "field-blocked-reason",
        "plan-col-files",
    ]
    .iter()
    .map(|k| t.t(k))
    .collect();
    let rows = s
        .order
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let st = &data.pb.steps[i];
            let sc = &s.steps[i];
            let row = data.step(&st.key);
            vec![
                (n + 1).to_string(),
                t.pick(&st.title_ko, &st.title_en).to_string(),
                t.pick(&st.authority_ko, &st.authority_en).to_string(),
                st.days.to_string(),
                t.t(&format!("plan-step-{}", row.map(|r| r.status.as_str()).unwrap_or("todo"))),
                sc.earliest_start_on.to_string(),
                sc.earliest_finish_on.to_string(),
                sc.latest_finish_on.to_string(),
                sc.slack.to_string(),
                if sc.critical { t.t("guide-critical") } else { String::new() },
                row.and_then(|r| r.started_on.clone()).unwrap_or_default(),
                row.and_then(|r| r.done_on.clone()).unwrap_or_default(),
                row.map(|r| r.blocked_reason.clone()).unwrap_or_default(),
                data.files.iter().filter(|f| f.step_key == st.key).count().to_string(),
            ]
        })
        .collect();
    kit::export::xlsx(&format!("globaldesk-plan-{id}.xlsx"), head, rows, &[0, 3, 8, 13]).await
}

/// The font of PDF exports, read from the static folder once per process.
fn pdf_font(state: &NavState) -> Option<Arc<Vec<u8>>> {
    static FONT: std::sync::OnceLock<Option<Arc<Vec<u8>>>> = std::sync::OnceLock::new();
    FONT.get_or_init(|| {
        let path = state.config.static_dir.join("fonts").join("NanumGothic.ttf");
        match std::fs::read(&path) {
            Ok(bytes) => Some(Arc::new(bytes)),
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "the PDF font is missing; PDF exports are unavailable");
                None
            }
        }
    })
    .clone()
}

/// The plan for the company's management as a PDF: the summary and every step with its
/// authority, status, due date and latest finish (critical steps in the accent colour).
async fn export_pdf(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let data = service::plan_for(&state, user, id).await.map_err(page_error)?;
    let t = ctx.tr();
    let now = today();
    let s = data.schedule(now).map_err(page_error)?;
    let pb = &data.pb;
    let target = data.plan.target_open_on.as_deref().and_then(service::parse_date);
    let fresh = data.fresh_total_days(now);
    let done = data.steps.iter().filter(|x| !x.removed && x.status == "done").count();
    let mut summary = vec![
        (t.t("plan-playbook-version"), t.ta("plan-version", &data.plan.version.to_string())),
        (t.t("field-start-on"), t.date(&data.plan.start_on)),
        (t.t("guide-total-days"), t.targs("guide-days", &[("n", s.total_days.to_string())])),
        (t.t("plan-opens"), t.date(&s.opens_on.to_string())),
        (t.t("plan-col-progress"), t.targs("plan-progress", &[("done", done.to_string()), ("total", pb.steps.len().to_string())])),
    ];
    if let Some(tg) = target {
        summary.push((t.t("field-target-open-on"), t.date(&tg.to_string())));
        summary.push((t.t("plan-must-start"), t.date(&domain::playbook::must_start_by(fresh, tg).to_string())));
    }
    let rows = s
        .order
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let st = &pb.steps[i];
            let sc = &s.steps[i];
            let status = data.step(&st.key).map(|r| r.status.as_str()).unwrap_or("todo");
            let mut status = t.t(&format!("plan-step-{status}"));
            if sc.critical {
                status = format!("{status} · {}", t.t("guide-critical"));
            }
            crate::pdf::PdfRow {
                cells: [
                    (n + 1).to_string(),
                    t.pick(&st.title_ko, &st.title_en).to_string(),
                    t.pick(&st.authority_ko, &st.authority_en).to_string(),
                    status,
                    sc.earliest_finish_on.to_string(),
                    sc.latest_finish_on.to_string(),
                ],
                highlight: sc.critical,
            }
        })
        .collect();
    let doc = crate::pdf::PlanPdf {
        title: format!("{} — {}", t.pick(&pb.name_ko, &pb.name_en), country_name(&state, &t, &data.plan.country)),
        summary,
        note: t.t("guides-illustrative"),
        header: ["plan-col-number", "plan-col-step", "field-authority", "field-status", "plan-col-due", "plan-col-latest"].map(|k| t.t(k)),
        rows,
        footer: t.targs("plan-pdf-footer", &[("id", id.to_string()), ("date", t.date(&now.to_string()))]),
    };
    let font = pdf_font(&state).ok_or(PageError(PageErrorKind::Internal))?;
    let bytes = tokio::task::spawn_blocking(move || crate::pdf::render(&doc, font))
        .await
        .map_err(|_| PageError(PageErrorKind::Internal))?
        .map_err(|e| {
            tracing::error!(error = %e, plan = id, "PDF export failed");
            PageError(PageErrorKind::Internal)
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"globaldesk-plan-{id}.pdf\"")),
        ],
        bytes,
    )
        .into_response())
}
