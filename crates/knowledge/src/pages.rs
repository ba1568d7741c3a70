//! The public knowledge base (anyone, no sign-in): summaries of resolved barriers, searchable by
//! country, product, category and text in Korean or English. Staff draft entries from resolved
//! cases; an administrator who did not write the entry approves it.

use crate::service::{self, KbForm};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use desk::DeskState;
use desk::service::CaseError;
use domain::case::CaseCategory;
use domain::{FieldErrors, Role};
use kit::error::PageError;
use kit::i18n::Tr;
use kit::layout::{Field, Page, render};
use kit::page_cache::{PageKey, fold};
use kit::session::Ctx;
use kit::util::{country_label, country_options};
use serde::Deserialize;
use store::kb::Entry;

pub fn router() -> axum::Router<DeskState> {
    axum::Router::new()
        .route("/cases/{id}/kb", post(draft_from_case))
        .route("/knowledge", get(public_list))
        .route("/knowledge/{id}", get(public_entry))
        .route("/officer/kb", get(staff_list))
        .route("/officer/kb/{id}", get(edit_form).post(save))
        .route("/officer/kb/{id}/submit", post(submit))
        .route("/officer/kb/{id}/review", post(review))
}

pub struct EntryView {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub country: String,
    pub hs_codes: String,
    pub agency: String,
    pub published: String,
    pub status: String,
    pub illustrative: bool,
}

fn view(state: &DeskState, t: &Tr, e: &Entry) -> EntryView {
    EntryView {
        id: e.id,
        title: t.pick(&e.title_ko, &e.title_en).to_string(),
        summary: t.pick(&e.summary_ko, &e.summary_en).to_string(),
        category: CaseCategory::parse(&e.category).map(|c| t.t(c.message_key())).unwrap_or_default(),
        country: country_label(state, t, &e.country),
        hs_codes: e.hs_codes.clone(),
        agency: t.pick(&e.agency_ko, &e.agency_en).to_string(),
        published: e.published_at.as_deref().map(|d| t.date(d)).unwrap_or_default(),
        status: t.t(&format!("kb-status-{}", e.status)),
        illustrative: e.illustrative,
    }
}

#[derive(Deserialize, Default)]
struct KbQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    hs: String,
    #[serde(default)]
    page: i64,
}

#[derive(Template)]
#[template(path = "knowledge.html")]
struct ListTemplate {
    p: Page,
    items: Vec<EntryView>,
    q: String,
    country: String,
    category: String,
    hs: String,
    countries: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    total: usize,
}

const KB_PAGE: usize = 20;

async fn public_list(State(state): State<DeskState>, ctx: Ctx, Query(q): Query<KbQuery>) -> Result<Response, PageError> {
    if state.search().is_none() {
        return public_list_page(&state, &ctx, q).await;
    }
    // Published entries change only through the desk's change log, so a result page is kept
    // until the next desk change.
    let key = PageKey::new("kb-list", fold(&[state.desk.generation(), state.refs_stamp()]), &ctx);
    state.pages.clone().serve(&ctx, key, |blank| async move { public_list_page(&state, &blank, q).await }).await
}

async fn public_list_page(state: &DeskState, ctx: &Ctx, q: KbQuery) -> Result<Response, PageError> {
    let p = Page::new(state, ctx, "kb-title");
    let t = p.t;
    // The filters are select boxes; a value edited into the address is left out, not an error.
    let (search, _) =
        service::PublicSearch::parse(|c| state.refs().country(c).is_some(), &q.q, &q.category, &q.country, &q.hs, q.page.max(1) as usize);
    let (entries, total) = service::search_public(state, &search, KB_PAGE).await?;
    let items = entries.iter().map(|e| view(state, &t, e)).collect();
    let (country, category, hs) = (search.country, search.category.map(|c| c.as_str().to_string()), search.hs_prefix.unwrap_or_default());
    render(ListTemplate {
        items,
        q: q.q.clone(),
        country: country.unwrap_or_default(),
        category: category.unwrap_or_default(),
        hs,
        countries: country_options(state, &t),
        categories: CaseCategory::ALL.iter().map(|c| (c.as_str().to_string(), t.t(c.message_key()))).collect(),
        total,
        p,
    })
}

#[derive(Template)]
#[template(path = "knowledge_entry.html")]
struct EntryTemplate {
    p: Page,
    e: EntryView,
}

async fn public_entry(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let e = store::kb::get(&state.store.db, id).await?.ok_or_else(PageError::not_found)?;
    if e.status != "published" {
        return Err(PageError::not_found());
    }
    let mut p = Page::new(&state, &ctx, "");
    let v = view(&state, &p.t, &e);
    p.title = v.title.clone();
    render(EntryTemplate { p, e: v })
}

#[derive(Template)]
#[template(path = "officer_kb.html")]
struct StaffListTemplate {
    p: Page,
    /// (heading message id, element id, entries)
    sections: Vec<(&'static str, &'static str, Vec<EntryView>)>,
}

fn staff(user: &store::users::User) -> Result<(), PageError> {
    match desk::service::viewer(user) {
        Some(v) if v.is_staff() => Ok(()),
        _ => Err(PageError::forbidden()),
    }
}

async fn staff_list(State(state): State<DeskState>, ctx: Ctx) -> Result<Response, PageError> {
    let user = ctx.user()?;
    staff(user)?;
    let p = Page::new(&state, &ctx, "kb-staff-title");
    let t = p.t;
    let db = &state.store.db;
    let pending = store::kb::by_status(db, "pending", 100).await?.iter().map(|e| view(&state, &t, e)).collect();
    let drafts = store::kb::by_status(db, "draft", 100)
        .await?
        .iter()
        .filter(|e| Some(e.agency_id) == user.agency_id || user.role() == Role::PlatformAdmin)
        .map(|e| view(&state, &t, e))
        .collect();
    let (published, _) = store::kb::published(db, 20, 0).await?;
    let published = published.iter().map(|e| view(&state, &t, e)).collect();
    let sections =
        vec![("kb-pending", "kb-pending", pending), ("kb-drafts", "kb-drafts", drafts), ("kb-published-list", "kb-published", published)];
    render(StaffListTemplate { p, sections })
}

#[derive(Template)]
#[template(path = "officer_kb_edit.html")]
struct EditTemplate {
    p: Page,
    id: i64,
    version: i64,
    status: String,
    status_label: String,
    fields: Vec<Field>,
    readonly: Vec<(String, String)>,
    summary_ko: String,
    summary_en: String,
    summary_errors: (String, String),
    case_link: Option<i64>,
    can_edit: bool,
    can_review: bool,
    review_note: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct EditQuery {
    error: Option<String>,
    ok: Option<String>,
}

const KB_ERRORS: &[&str] = &["case-error-required", "case-error-stale", "error-forbidden", "form-has-errors"];
const KB_FLASHES: &[&str] = &["kb-flash-saved", "kb-flash-submitted", "kb-flash-reviewed"];

fn kb_fields(state: &DeskState, t: &Tr, f: &KbForm, errs: &FieldErrors) -> Vec<Field> {
    vec![
        Field::new(t, "category", "select", &f.category, errs)
            .required()
            .options(CaseCategory::ALL.iter().map(|c| (c.as_str().to_string(), t.t(c.message_key()))).collect()),
        Field::new(t, "country", "select", &f.country, errs).required().options(country_options(state, t)),
        Field::new(t, "hs_codes", "text", &f.hs_codes, errs).suggest("hs"),
        Field::new(t, "title_ko", "text", &f.title_ko, errs).required(),
        Field::new(t, "title_en", "text", &f.title_en, errs).required(),
    ]
    .into_iter()
    .map(|mut fld| {
        // The program form owns the plain "title" labels; a summary's read differently.
        if fld.name.starts_with("title_") {
            fld.label = t.t(&format!("kb-field-{}", fld.name.replace('_', "-")));
        }
        fld
    })
    .collect()
}

/// The fields as a reader sees them: labels, and option labels rather than codes.
fn shown(fields: &[Field]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|f| {
            let v = f.options.iter().find(|(code, _)| *code == f.value).map(|(_, label)| label.clone()).unwrap_or_else(|| f.value.clone());
            (f.label.clone(), v)
        })
        .collect()
}

async fn edit_page(
    state: &DeskState,
    ctx: &Ctx,
    e: Entry,
    form: Option<KbForm>,
    errs: FieldErrors,
    q: EditQuery,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let mut p = Page::new(state, ctx, "kb-edit-title").with_flash(KB_FLASHES.iter().copied().find(|k| Some(*k) == q.ok.as_deref()));
    let t = p.t;
    let form = form.unwrap_or_else(|| KbForm::of(&e));
    if !e.title_ko.is_empty() {
        p.title = format!("{} · {}", t.t("kb-edit-title"), t.pick(&e.title_ko, &e.title_en));
    }
    let err = |name: &str| errs.for_field(name).map(|x| t.field_error(x)).unwrap_or_default();
    render(EditTemplate {
        id: e.id,
        version: e.version,
        status_label: t.t(&format!("kb-status-{}", e.status)),
        can_edit: e.status == "draft" && user.agency_id == Some(e.agency_id),
        can_review: e.status == "pending" && service::may_review_kb(user, &e),
        status: e.status.clone(),
        readonly: shown(&kb_fields(state, &t, &form, &errs)),
        fields: kb_fields(state, &t, &form, &errs),
        summary_errors: (err("summary_ko"), err("summary_en")),
        summary_ko: form.summary_ko,
        summary_en: form.summary_en,
        case_link: e.case_id,
        review_note: e.review_note.clone(),
        error: KB_ERRORS.iter().find(|k| Some(**k) == q.error.as_deref()).map(|k| t.t(k)),
        p,
    })
}

async fn edit_form(
    State(state): State<DeskState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let e = service::kb_for_staff(&state, user, id).await?;
    edit_page(&state, &ctx, e, None, FieldErrors::default(), q).await
}

#[derive(Deserialize)]
struct SaveForm {
    version: i64,
    #[serde(flatten)]
    form: KbForm,
}

fn back(id: i64, key: &str, ok: bool) -> Response {
    Redirect::to(&format!("/officer/kb/{id}?{}={key}", if ok { "ok" } else { "error" })).into_response()
}

async fn save(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<SaveForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::save_kb(&state, user, id, f.version, &f.form).await {
        Ok(()) => Ok(back(id, "kb-flash-saved", true)),
        Err(CaseError::Invalid(errs)) => {
            let e = service::kb_for_staff(&state, user, id).await?;
            edit_page(&state, &ctx, e, Some(f.form), errs, EditQuery::default()).await
        }
        Err(CaseError::Stale) => Ok(back(id, "case-error-stale", false)),
        Err(e) => Err(e.into()),
    }
}

/// "Ask for approval" posts the whole form: what was typed is saved first, then sent.
async fn submit(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<SaveForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::save_kb(&state, user, id, f.version, &f.form).await {
        Ok(()) => {}
        Err(CaseError::Invalid(errs)) => {
            let e = service::kb_for_staff(&state, user, id).await?;
            return edit_page(&state, &ctx, e, Some(f.form), errs, EditQuery::default()).await;
        }
        Err(CaseError::Stale) => return Ok(back(id, "case-error-stale", false)),
        Err(e) => return Err(e.into()),
    }
    match service::submit_kb(&state, user, id, f.version + 1).await {
        Ok(()) => Ok(back(id, "kb-flash-submitted", true)),
        Err(CaseError::Invalid(errs)) => {
            let e = service::kb_for_staff(&state, user, id).await?;
            edit_page(&state, &ctx, e, Some(f.form), errs, EditQuery { error: Some("form-has-errors".into()), ok: None }).await
        }
        Err(CaseError::Stale) => Ok(back(id, "case-error-stale", false)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ReviewForm {
    version: i64,
    decision: String,
    #[serde(default)]
    note: String,
}

async fn review(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ReviewForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::review_kb(&state, user, id, f.version, f.decision == "approve", &f.note).await {
        Ok(()) => Ok(back(id, "kb-flash-reviewed", true)),
        Err(CaseError::Invalid(_)) => Ok(back(id, "case-error-required", false)),
        Err(CaseError::Stale) => Ok(back(id, "case-error-stale", false)),
        Err(CaseError::Forbidden) => Ok(back(id, "error-forbidden", false)),
        Err(e) => Err(e.into()),
    }
}

/// An officer starts a public summary from a finished case (the button on the case's page).
async fn draft_from_case(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::draft_kb_from_case(&state, user, id).await {
        Ok(kb) => Ok(Redirect::to(&format!("/officer/kb/{kb}")).into_response()),
        Err(CaseError::NotFound) => Err(PageError::not_found()),
        // Back to the case, with the reason where its actions are.
        Err(e) => Ok(Redirect::to(&format!("/cases/{id}?error={}#actions", e.message_key())).into_response()),
    }
}
