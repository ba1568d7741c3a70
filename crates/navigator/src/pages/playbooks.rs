//! Officers keep the country playbooks current: a change is a new version, edited as YAML (the
//! same shape as the shipped files), checked as it is saved, sent for review, and published by
//! another person. Publishing tells companies with open plans what changed.

use super::plans::page_error;
use crate::NavState;
use crate::service::{self, PlanError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::playbook::{self, Playbook, PlaybookError};
use kit::error::PageError;
use kit::i18n::Tr;
use kit::layout::{Page, render};
use kit::session::Ctx;
use serde::Deserialize;
use store::playbooks::{self, VersionRow};

pub fn router() -> axum::Router<NavState> {
    axum::Router::new()
        .route("/officer/playbooks", get(list))
        .route("/officer/playbooks/{id}/draft", post(start_draft))
        .route("/officer/playbooks/versions/{vid}", get(version_page).post(save))
        .route("/officer/playbooks/versions/{vid}/submit", post(submit))
        .route("/officer/playbooks/versions/{vid}/publish", post(publish))
        .route("/officer/playbooks/versions/{vid}/return", post(send_back))
}

fn agency_name(agencies: &[store::agencies::Agency], t: &Tr, id: i64) -> String {
    agencies.iter().find(|a| a.id == id).map(|a| t.pick(&a.name_ko, &a.name_en).to_string()).unwrap_or_default()
}

fn name_of(body: &str, t: &Tr) -> String {
    serde_json::from_str::<Playbook>(body).map(|pb| t.pick(&pb.name_ko, &pb.name_en).to_string()).unwrap_or_default()
}

pub struct PlaybookRow {
    pub id: i64,
    pub country: String,
    pub name: String,
    pub agency: String,
    pub published: String,
    pub open_version: Option<(i64, String)>,
    pub may_edit: bool,
}

pub struct QueueRow {
    pub vid: i64,
    pub title: String,
    pub status: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "officer_playbooks.html")]
struct ListTemplate {
    p: Page,
    rows: Vec<PlaybookRow>,
    queue: Vec<QueueRow>,
}

async fn list(State(state): State<NavState>, ctx: Ctx) -> Result<Response, PageError> {
    let user = ctx.user()?;
    if !service::is_editor(user) {
        return Err(PageError::forbidden());
    }
    let db = &state.store.db;
    let p = Page::new(&state, &ctx, "playbooks-title");
    let t = p.t;
    let agencies = store::agencies::list(db).await?;
    let cat = service::catalog(&state).await.map_err(page_error)?;
    let mut open: Vec<VersionRow> = playbooks::by_status(db, "draft").await?;
    open.extend(playbooks::by_status(db, "in_review").await?);
    let mut rows = Vec::new();
    for pb in playbooks::list(db).await? {
        let published = cat.by_id(pb.id);
        let o = open.iter().find(|v| v.playbook_id == pb.id);
        rows.push(PlaybookRow {
            id: pb.id,
            country: super::plans::country_name(&state, &t, &pb.country),
            name: published.map(|p| t.pick(&p.pb.name_ko, &p.pb.name_en).to_string()).unwrap_or_else(|| pb.entity_type.clone()),
            agency: agency_name(&agencies, &t, pb.agency_id),
            published: published
                .map(|p| format!("{} · {}", t.ta("plan-version", &p.version.to_string()), t.date(p.published_at.get(..10).unwrap_or(""))))
                .unwrap_or_else(|| "—".into()),
            open_version: o.map(|v| (v.id, t.t(&format!("playbook-status-{}", v.status)))),
            may_edit: service::may_edit(user, pb.agency_id),
        });
    }
    let queue = open
        .iter()
        .filter(|v| v.status == "in_review" && service::may_edit(user, v.agency_id))
        .map(|v| QueueRow {
            vid: v.id,
            title: format!(
                "{} — {} ({})",
                super::plans::country_name(&state, &t, &v.country),
                name_of(&v.body, &t),
                t.ta("plan-version", &v.version.to_string())
            ),
            status: t.t(&format!("playbook-status-{}", v.status)),
            updated: t.datetime(&v.updated_at),
        })
        .collect();
    render(ListTemplate { p, rows, queue })
}

async fn start_draft(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let vid = service::start_draft(&state, user, id).await.map_err(page_error)?;
    Ok(Redirect::to(&format!("/officer/playbooks/versions/{vid}")).into_response())
}

pub struct ChangeLine {
    pub step: String,
    pub kind: String,
    pub fields: String,
}

#[derive(Template)]
#[template(path = "officer_playbook_edit.html")]
struct VersionTemplate {
    p: Page,
    v: VersionRow,
    heading: String,
    status: String,
    text: String,
    change_note: String,
    editable: bool,
    reviewable: bool,
    own: bool,
    problems: Vec<String>,
    parse_error: String,
    note_error: String,
    changes: Vec<ChangeLine>,
    versions: Vec<(i64, i64, String, String)>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct VersionQuery {
    ok: Option<String>,
    error: Option<String>,
}

const FLASHES: &[&str] = &["playbook-flash-saved", "playbook-flash-submitted", "playbook-flash-published", "playbook-flash-returned"];
const ERRORS: &[&str] = &["playbook-error-own-review", "playbook-error-invalid", "plan-error-stale", "err-required"];

pub fn problem_text(t: &Tr, e: &PlaybookError) -> String {
    t.targs(e.message_key(), &e.args())
}

/// The playbook as the editor shows it: YAML, the shape of the shipped files.
fn as_yaml(body: &str) -> String {
    serde_json::from_str::<Playbook>(body).ok().and_then(|pb| serde_norway::to_string(&pb).ok()).unwrap_or_else(|| body.to_string())
}

struct Typed {
    text: String,
    change_note: String,
    parse_error: String,
    note_error: String,
}

async fn render_version(
    state: &NavState,
    ctx: &Ctx,
    v: VersionRow,
    flash: Option<&str>,
    error: Option<&str>,
    typed: Option<Typed>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let db = &state.store.db;
    let mut p = Page::new(state, ctx, "").with_flash(flash);
    let t = p.t;
    let pb: Option<Playbook> = serde_json::from_str(&v.body).ok();
    let name = pb.as_ref().map(|pb| t.pick(&pb.name_ko, &pb.name_en).to_string()).unwrap_or_default();
    let heading = t.targs(
        "playbook-version-title",
        &[("country", super::plans::country_name(state, &t, &v.country)), ("name", name), ("v", v.version.to_string())],
    );
    p.title = heading.clone();
    let problems = pb
        .as_ref()
        .map(|pb| playbook::validate(pb).err().unwrap_or_default().iter().map(|e| problem_text(&t, e)).collect())
        .unwrap_or_default();
    // What this version changes against the one companies see now.
    let cat = service::catalog(state).await.map_err(page_error)?;
    let changes = match (cat.by_id(v.playbook_id), &pb) {
        (Some(current), Some(new)) if current.version != v.version => playbook::diff(&current.pb, new)
            .into_iter()
            .map(|c| ChangeLine {
                step: new
                    .steps
                    .iter()
                    .chain(current.pb.steps.iter())
                    .find(|s| s.key == c.key)
                    .map(|s| t.pick(&s.title_ko, &s.title_en).to_string())
                    .unwrap_or(c.key.clone()),
                kind: t.t(&format!("plan-change-{}", c.kind.as_str())),
                fields: c.fields.iter().map(|f| t.t(&format!("plan-field-{f}"))).collect::<Vec<_>>().join(", "),
            })
            .collect(),
        _ => Vec::new(),
    };
    let versions = playbooks::versions(db, v.playbook_id)
        .await?
        .into_iter()
        .map(|x| (x.id, x.version, t.t(&format!("playbook-status-{}", x.status)), t.datetime(&x.updated_at)))
        .collect();
    let own = v.created_by == Some(user.id) || v.submitted_by == Some(user.id);
    let typed = typed.unwrap_or(Typed {
        text: as_yaml(&v.body),
        change_note: v.change_note.clone(),
        parse_error: String::new(),
        note_error: String::new(),
    });
    let failed = error.is_some() || !typed.parse_error.is_empty() || !typed.note_error.is_empty();
    let tpl = VersionTemplate {
        error: error.map(|k| t.t(k)),
        heading,
        status: t.t(&format!("playbook-status-{}", v.status)),
        editable: v.status == "draft",
        reviewable: v.status == "in_review",
        own,
        problems,
        parse_error: typed.parse_error,
        note_error: typed.note_error,
        text: typed.text,
        change_note: typed.change_note,
        changes,
        versions,
        v,
        p,
    };
    let mut resp = render(tpl)?;
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn version_page(
    State(state): State<NavState>,
    ctx: Ctx,
    Path(vid): Path<i64>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let v = service::version_for(&state, user, vid).await.map_err(page_error)?;
    let flash = FLASHES.iter().copied().find(|k| Some(*k) == q.ok.as_deref());
    let error = ERRORS.iter().copied().find(|k| Some(*k) == q.error.as_deref());
    render_version(&state, &ctx, v, flash, error, None).await
}

#[derive(Deserialize)]
struct SaveForm {
    row_version: i64,
    #[serde(default)]
    body: String,
    #[serde(default)]
    change_note: String,
}

async fn save(State(state): State<NavState>, ctx: Ctx, Path(vid): Path<i64>, Form(f): Form<SaveForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::save_draft(&state, user, vid, f.row_version, &f.body, &f.change_note).await {
        Ok(_) => Ok(Redirect::to(&format!("/officer/playbooks/versions/{vid}?ok=playbook-flash-saved")).into_response()),
        Err(PlanError::Invalid(errs)) => {
            let t = ctx.tr();
            let v = service::version_for(&state, user, vid).await.map_err(page_error)?;
            let field = |name: &str| errs.for_field(name).map(|e| t.field_error(e)).unwrap_or_default();
            let typed = Typed { parse_error: field("body"), note_error: field("change_note"), text: f.body, change_note: f.change_note };
            render_version(&state, &ctx, v, None, Some("form-has-errors"), Some(typed)).await
        }
        Err(e) => Err(page_error(e)),
    }
}

#[derive(Deserialize)]
struct StepForm {
    row_version: i64,
    #[serde(default)]
    review_note: String,
}

fn back(vid: i64, r: Result<(), PlanError>, ok: &str) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/officer/playbooks/versions/{vid}?ok={ok}")).into_response()),
        Err(e @ (PlanError::Playbook(_) | PlanError::OwnReview | PlanError::Stale)) => {
            Ok(Redirect::to(&format!("/officer/playbooks/versions/{vid}?error={}", e.message_key())).into_response())
        }
        Err(PlanError::Invalid(_)) => Ok(Redirect::to(&format!("/officer/playbooks/versions/{vid}?error=err-required")).into_response()),
        Err(e) => Err(page_error(e)),
    }
}

async fn submit(State(state): State<NavState>, ctx: Ctx, Path(vid): Path<i64>, Form(f): Form<StepForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    back(vid, service::submit(&state, user, vid, f.row_version).await, "playbook-flash-submitted")
}

async fn publish(State(state): State<NavState>, ctx: Ctx, Path(vid): Path<i64>, Form(f): Form<StepForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    back(vid, service::publish(&state, user, vid, f.row_version).await.map(|_| ()), "playbook-flash-published")
}

async fn send_back(State(state): State<NavState>, ctx: Ctx, Path(vid): Path<i64>, Form(f): Form<StepForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    back(vid, service::send_back(&state, user, vid, f.row_version, &f.review_note).await, "playbook-flash-returned")
}
