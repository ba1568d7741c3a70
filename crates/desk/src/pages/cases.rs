//! The regulatory issue desk in the browser: a company reports a barrier and follows it; the
//! agencies' officers work it from the case page (replies, requests for information, the clock,
//! triage, referrals, merges, links, follow-ups) and from their queues; anyone reads the public
//! knowledge base. The rules are in `case_svc`; this module turns forms into calls and results
//! into pages.

use crate::DeskState;
use crate::case_details::{self, Details, TimelineEvent};
use crate::runtime::{self, DeskConfig};
use crate::service::{self, CaseError, MessageKind, ReportForm, Rights, Upload, Viewer};
use askama::Template;
use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::case::{CaseActor, CaseCategory, CaseStatus, Priority, WaitingOn};
use domain::sla::SlaState;
use domain::{FieldErrors, Role};
use kit::error::PageError;
use kit::i18n::Tr;
use kit::layout::{Field, Page, render};
use kit::page_cache::{PageKey, fold};
use kit::session::Ctx;
use kit::today;
use kit::util::{country_label, country_options};
use serde::Deserialize;
use std::sync::Arc;
use store::cases::{self, Case};
use store::users::User;

pub fn router() -> axum::Router<DeskState> {
    axum::Router::new()
        .route("/cases", get(my_cases).post(create).layer(DefaultBodyLimit::max(kit::session::MAX_UPLOAD_BYTES)))
        .route("/cases/new", get(new_form))
        .route("/cases/similar", get(similar))
        .route("/cases/{id}", get(detail))
        .route("/cases/{id}/edit", get(edit_form).post(save_edit).layer(DefaultBodyLimit::max(kit::session::MAX_UPLOAD_BYTES)))
        .route("/cases/{id}/message", post(message).layer(DefaultBodyLimit::max(kit::session::MAX_UPLOAD_BYTES)))
        .route("/cases/{id}/move", post(move_case))
        .route("/cases/{id}/waiting", post(waiting))
        .route("/cases/{id}/triage", post(triage))
        .route("/cases/{id}/refer", post(refer))
        .route("/cases/{id}/merge", post(merge))
        .route("/cases/{id}/link", post(link))
        .route("/cases/{id}/followups", post(add_followup))
        .route("/referrals/{id}/decide", post(decide_referral))
        .route("/followups/{id}/done", post(followup_done))
        .route("/attachments/{id}", get(download))
}

// ---- shared views -----------------------------------------------------------------------------

fn status_label(t: &Tr, s: &str) -> String {
    CaseStatus::parse(s).map(|s| t.t(s.message_key())).unwrap_or_else(|| s.to_string())
}

fn waiting_label(t: &Tr, s: &str) -> String {
    WaitingOn::parse(s).map(|w| t.t(w.message_key())).unwrap_or_else(|| s.to_string())
}

fn priority_label(t: &Tr, s: &str) -> String {
    Priority::parse(s).map(|p| t.t(p.message_key())).unwrap_or_else(|| s.to_string())
}

fn category_label(t: &Tr, s: &str) -> String {
    CaseCategory::parse(s).map(|c| t.t(c.message_key())).unwrap_or_else(|| s.to_string())
}

/// The clock of a list row, from the denormalised columns (no per-row queries): paused, late,
/// at risk or on track; finished cases show nothing.
pub fn row_sla(cfg: &DeskConfig, k: &Case, today: time::Date) -> Option<SlaState> {
    if !CaseStatus::parse(&k.status)?.is_open() {
        return None;
    }
    if k.paused_since.is_some() {
        return Some(SlaState::Paused);
    }
    let due = kit::util::parse_date(k.due_on.as_deref()?)?;
    if today > due {
        return Some(SlaState::Breached);
    }
    let target = cfg.target(&k.priority, &k.category);
    let remaining = cfg.calendar.business_days_between(today, due);
    Some(if remaining <= domain::sla::at_risk_threshold(target.resolution_days) { SlaState::AtRisk } else { SlaState::OnTrack })
}

/// A case as a list row, in the reader's language.
pub struct CaseRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub company: String,
    pub category: String,
    pub country: String,
    pub status_code: String,
    pub status: String,
    pub waiting: String,
    pub priority_code: String,
    pub priority: String,
    pub agency: String,
    pub assignee: String,
    pub due: String,
    pub sla_code: &'static str,
    pub sla: String,
    pub updated: String,
}

pub fn case_row(state: &DeskState, t: &Tr, cfg: &DeskConfig, k: &Case, today: time::Date) -> CaseRow {
    let sla = row_sla(cfg, k, today);
    CaseRow {
        id: k.id,
        reference: service::reference(k),
        title: k.title.clone(),
        company: t.pick(&k.company_name_ko, k.company_name_en.as_deref().unwrap_or(&k.company_name_ko)).to_string(),
        category: category_label(t, &k.category),
        country: country_label(state, t, &k.country),
        status_code: k.status.clone(),
        status: status_label(t, &k.status),
        waiting: if CaseStatus::parse(&k.status).is_some_and(|s| s.is_open()) { waiting_label(t, &k.waiting_on) } else { String::new() },
        priority_code: k.priority.clone(),
        priority: priority_label(t, &k.priority),
        agency: match (&k.agency_name_ko, &k.agency_name_en) {
            (Some(ko), Some(en)) => t.pick(ko, en).to_string(),
            _ => String::new(),
        },
        assignee: k.assignee_name.clone().unwrap_or_default(),
        due: k.due_on.as_deref().filter(|_| sla.is_some()).map(|d| t.date(d)).unwrap_or_default(),
        sla_code: sla.map(SlaState::as_str).unwrap_or(""),
        sla: sla.map(|s| t.t(&format!("sla-{}", s.as_str()))).unwrap_or_default(),
        updated: t.datetime(&k.updated_at),
    }
}

/// Error message ids a page may show from its query string (anything else is ignored, so a
/// crafted link cannot put arbitrary text on the page).
const CASE_ERRORS: &[&str] = &[
    "case-error-stale",
    "case-error-bad-move",
    "case-error-assignee",
    "case-error-referral-agency",
    "case-error-referral-pending",
    "case-error-merge-target",
    "case-error-past-date",
    "case-error-required",
    "case-error-too-long",
    "case-error-date",
    "case-error-invalid",
    "error-forbidden",
    "error-not-found",
    "error-internal",
    "upload-empty",
    "upload-too-large",
    "upload-unsupported",
    "upload-too-many",
];

const CASE_FLASHES: &[&str] = &[
    "case-flash-saved",
    "case-flash-submitted",
    "case-flash-moved",
    "case-flash-message",
    "case-flash-referred",
    "case-flash-referral-decided",
    "case-flash-merged",
    "case-flash-linked",
    "case-flash-followup",
    "case-flash-triaged",
    "case-flash-waiting",
];

fn known(list: &[&'static str], key: Option<&str>) -> Option<&'static str> {
    list.iter().copied().find(|k| Some(*k) == key)
}

/// Where a failed action sends the reader back to: the case, with the reason.
fn back_with_error(case_id: i64, e: &CaseError) -> Response {
    // Field errors come back as a short message without their argument (the form is gone).
    let key = match e {
        CaseError::Invalid(errs) => match errs.0.first().map(|f| f.code) {
            Some("err-required") => "case-error-required",
            Some("err-too-long") => "case-error-too-long",
            Some("err-date") => "case-error-date",
            Some(code) if code.starts_with("case-error-") || code.starts_with("upload-") => code,
            _ => "case-error-invalid",
        },
        other => other.message_key(),
    };
    Redirect::to(&format!("/cases/{case_id}?error={key}#actions")).into_response()
}

fn done(case_id: i64, flash: &str) -> Response {
    Redirect::to(&format!("/cases/{case_id}?ok={flash}")).into_response()
}

// ---- the company's list and report form -------------------------------------------------------

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesTemplate {
    p: Page,
    rows: Vec<CaseRow>,
}

async fn my_cases(State(state): State<DeskState>, ctx: Ctx) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let company_id = match service::viewer(user) {
        Some(Viewer::Company(c)) => c,
        Some(_) => return Ok(Redirect::to("/officer/cases").into_response()),
        None => return Err(PageError::forbidden()),
    };
    let cfg = state.desk().await?;
    let f = cases::QueueFilter { limit: 200, sort: cases::QueueSort::Newest, ..Default::default() };
    let (list, _) = cases::queue(&state.store.db, cases::Scope::Company(company_id), &f).await?;
    let p = Page::new(&state, &ctx, "cases-title");
    let t = p.t;
    let rows = list.iter().map(|k| case_row(&state, &t, &cfg, k, today())).collect();
    render(CasesTemplate { p, rows })
}

#[derive(Template)]
#[template(path = "case_form.html")]
struct CaseFormTemplate {
    p: Page,
    fields: Vec<Field>,
    description: String,
    description_error: String,
    files_error: String,
    action: String,
    version: i64,
    products: Vec<(String, String)>,
}

fn report_fields(state: &DeskState, t: &Tr, f: &ReportForm, errs: &FieldErrors) -> Vec<Field> {
    let categories = CaseCategory::ALL.iter().map(|c| (c.as_str().to_string(), t.t(c.message_key()))).collect();
    vec![
        Field::new(t, "category", "select", &f.category, errs).required().options(categories),
        Field::new(t, "country", "select", f.country.to_ascii_uppercase(), errs).required().options(country_options(state, t)),
        Field::new(t, "title", "text", &f.title, errs).required(),
        Field::new(t, "hs_codes", "text", &f.hs_codes, errs).suggest("hs"),
        Field::new(t, "impact_krw", "text", &f.impact_krw, errs),
        Field::new(t, "deadline", "date", &f.deadline, errs),
    ]
}

/// Every country, sorted by its name in the reader's language.
async fn form_page(
    state: &DeskState,
    ctx: &Ctx,
    user: &User,
    f: ReportForm,
    errs: FieldErrors,
    action: String,
    version: i64,
) -> Result<Response, PageError> {
    let p = Page::new(state, ctx, "case-new-title");
    let t = p.t;
    let fields = report_fields(state, &t, &f, &errs);
    let description_error = errs.for_field("description").map(|e| t.field_error(e)).unwrap_or_default();
    let files_error = errs.for_field("files").map(|e| t.field_error(e)).unwrap_or_default();
    // The company's own products, offered as one-click choices.
    let mut products = Vec::new();
    if let Some(cid) = user.company_id
        && let Some(c) = state.companies.get(cid)
    {
        let refs = state.refs();
        for code in c.products.iter() {
            let name = refs.hs(code).map(|h| t.pick(&h.name_ko, &h.name_en).to_string()).unwrap_or_default();
            products.push((code.clone(), name));
        }
    }
    let invalid = !errs.is_empty();
    let mut r =
        render(CaseFormTemplate { p, fields, description: f.description, description_error, files_error, action, version, products })?;
    if invalid {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<DeskState>, ctx: Ctx) -> Result<Response, PageError> {
    let user = ctx.user()?;
    if !matches!(service::viewer(user), Some(Viewer::Company(_))) {
        return Err(PageError::forbidden());
    }
    form_page(&state, &ctx, user, ReportForm::default(), FieldErrors::default(), "/cases".into(), 0).await
}

/// The report form as posted (multipart, since it may carry files).
#[derive(Default)]
struct ReportPost {
    form: ReportForm,
    action: String,
    version: i64,
    files: Vec<Upload>,
}

/// Reads the report form's fields and files; None when the body is not a readable form.
async fn read_report(mut mp: Multipart) -> Option<ReportPost> {
    let mut r = ReportPost::default();
    while let Some(field) = mp.next_field().await.ok()? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.ok()?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "files" => {
                if let Some(n) = file_name.filter(|_| !bytes.is_empty()) {
                    r.files.push(Upload { name: n, bytes: bytes.to_vec() });
                }
            }
            "category" => r.form.category = text(),
            "country" => r.form.country = text(),
            "hs_codes" => r.form.hs_codes = text(),
            "title" => r.form.title = text(),
            "description" => r.form.description = text(),
            "impact_krw" => r.form.impact_krw = text(),
            "deadline" => r.form.deadline = text(),
            "action" => r.action = text(),
            "version" => r.version = text().trim().parse().unwrap_or(0),
            _ => {}
        }
    }
    Some(r)
}

async fn create(State(state): State<DeskState>, ctx: Ctx, mp: Multipart) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let mut f = read_report(mp).await.ok_or(PageError(kit::error::PageErrorKind::Csrf))?;
    let submit = f.action == "submit";
    let files = std::mem::take(&mut f.files);
    match service::save_report(&state, user, None, &f.form, submit, files).await {
        Ok(id) => Ok(done(id, if submit { "case-flash-submitted" } else { "case-flash-saved" })),
        Err(CaseError::Invalid(errs)) => form_page(&state, &ctx, user, f.form, errs, "/cases".into(), 0).await,
        // A refused file comes back on the file field, with what was typed kept.
        Err(CaseError::Upload(u)) => {
            form_page(&state, &ctx, user, f.form, FieldErrors::single("files", u.message_key()), "/cases".into(), 0).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let a = service::access(&state, user, id).await?;
    if !matches!(a.viewer, Viewer::Company(_)) || a.case.status != "draft" {
        return Err(PageError::not_found());
    }
    let hs = cases::products(&state.store.db, id).await?;
    let k = a.case;
    let f = ReportForm {
        category: k.category,
        country: k.country,
        hs_codes: hs.join(", "),
        title: k.title,
        description: k.description,
        impact_krw: k.impact_krw.map(|n| n.to_string()).unwrap_or_default(),
        deadline: k.deadline.unwrap_or_default(),
    };
    form_page(&state, &ctx, user, f, FieldErrors::default(), format!("/cases/{id}/edit"), k.version).await
}

async fn save_edit(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let mut f = read_report(mp).await.ok_or(PageError(kit::error::PageErrorKind::Csrf))?;
    let submit = f.action == "submit";
    let files = std::mem::take(&mut f.files);
    let action = format!("/cases/{id}/edit");
    match service::save_report(&state, user, Some((id, f.version)), &f.form, submit, files).await {
        Ok(id) => Ok(done(id, if submit { "case-flash-submitted" } else { "case-flash-saved" })),
        Err(CaseError::Invalid(errs)) => form_page(&state, &ctx, user, f.form, errs, action, f.version).await,
        Err(CaseError::Upload(u)) => {
            form_page(&state, &ctx, user, f.form, FieldErrors::single("files", u.message_key()), action, f.version).await
        }
        Err(CaseError::Stale) => Ok(back_with_error(id, &CaseError::Stale)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct SimilarQuery {
    #[serde(default)]
    title: String,
}

#[derive(Template)]
#[template(path = "_similar.html")]
struct SimilarTemplate {
    p: Page,
    items: Vec<(String, String, String)>,
}

/// Resolved or public cases like the one being typed (the company's own and the public
/// knowledge base), so it may find its answer before reporting.
async fn similar(State(state): State<DeskState>, ctx: Ctx, Query(q): Query<SimilarQuery>) -> Result<Response, PageError> {
    let p = Page::new(&state, &ctx, "");
    let t = p.t;
    let mut items = Vec::new();
    let text = q.title.trim();
    if text.chars().count() >= 2
        && let Some(index) = state.search()
    {
        let mut terms = vec!["public".to_string()];
        if let Some(v) = ctx.user.as_ref().and_then(service::viewer) {
            terms.extend(v.search_terms());
        }
        let hits = index.suggest(text, &terms, 8).unwrap_or_default();
        let kb_ids: Vec<i64> = hits.iter().filter(|h| h.0 == search::DocKind::Kb).map(|h| h.1).collect();
        let case_ids: Vec<i64> = hits.iter().filter(|h| h.0 == search::DocKind::Case).map(|h| h.1).collect();
        for e in store::kb::get_many(&state.store.db, &kb_ids).await? {
            if e.status == "published" {
                items.push((format!("/knowledge/{}", e.id), t.pick(&e.title_ko, &e.title_en).to_string(), t.t("similar-kb")));
            }
        }
        for k in cases::get_many(&state.store.db, &case_ids).await? {
            if CaseStatus::parse(&k.status).is_some_and(|s| s.is_resolved()) {
                items.push((format!("/cases/{}", k.id), k.title.clone(), status_label(&t, &k.status)));
            }
        }
        items.truncate(5);
    }
    render(SimilarTemplate { p, items })
}

// ---- the case page ----------------------------------------------------------------------------

pub struct EventView {
    pub at: String,
    pub who: String,
    pub text: String,
    pub body: String,
    pub kind: String,
    pub internal: bool,
    pub files: Vec<(i64, String, String)>,
}

pub struct SlaView {
    pub state_code: &'static str,
    pub state: String,
    pub due: String,
    pub first_response: String,
    pub first_response_due: String,
    pub elapsed: i64,
    pub remaining: i64,
    pub paused_business: i64,
    pub paused_calendar: i64,
}

pub struct ReferralView {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub scope: String,
    pub note: String,
    pub status_code: String,
    pub status: String,
    pub reason: String,
    pub at: String,
    pub mine_to_decide: bool,
}

#[derive(Template)]
#[template(path = "case_detail.html")]
struct CaseDetailTemplate {
    p: Page,
    k: CaseRow,
    case_version: i64,
    description: String,
    impact: String,
    deadline: String,
    products: Vec<(String, String)>,
    submitted: String,
    holder: String,
    sla: Option<SlaView>,
    events: Vec<EventView>,
    staff: bool,
    company: bool,
    holds: bool,
    works: bool,
    is_draft: bool,
    waiting_on_company: bool,
    moves: Vec<(String, String)>,
    waiting_options: Vec<(String, String)>,
    waiting_code: String,
    priorities: Vec<(String, String)>,
    assignees: Vec<(String, String)>,
    assignee_id: String,
    agencies: Vec<(String, String)>,
    referrals: Vec<ReferralView>,
    links: Vec<(i64, String, String, String)>,
    merged_into: Option<(i64, String)>,
    followups: Vec<(i64, String, String, String, bool, String)>,
    kb: Vec<(i64, String, String)>,
    can_draft_kb: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    error: Option<String>,
    ok: Option<String>,
}

fn event_text(t: &Tr, e: &TimelineEvent, agency_name: &dyn Fn(&str) -> String, users: &dyn Fn(&str) -> String) -> String {
    let from = e.from_value.as_deref().unwrap_or("");
    let to = e.to_value.as_deref().unwrap_or("");
    match &*e.kind {
        "status" => t.targs("case-ev-status", &[("from", status_label(t, from)), ("to", status_label(t, to))]),
        "waiting" => t.targs("case-ev-waiting", &[("to", waiting_label(t, to))]),
        "priority" => t.targs("case-ev-priority", &[("to", priority_label(t, to))]),
        "assigned" => t.targs("case-ev-assigned", &[("to", if to.is_empty() { t.t("case-nobody") } else { users(to) })]),
        "routed" => t.targs("case-ev-routed", &[("agency", agency_name(to))]),
        "referred" => t.targs("case-ev-referred", &[("agency", agency_name(to)), ("scope", t.t(&format!("case-scope-{from}")))]),
        "referral_accepted" => {
            t.targs("case-ev-referral-accepted", &[("agency", agency_name(to)), ("scope", t.t(&format!("case-scope-{from}")))])
        }
        "referral_declined" => t.targs("case-ev-referral-declined", &[("agency", agency_name(to))]),
        "merged" => t.targs("case-ev-merged", &[("target", to.to_string())]),
        "merged_in" => t.targs("case-ev-merged-in", &[("source", to.to_string())]),
        "linked" => t.targs("case-ev-linked", &[("other", to.to_string())]),
        "followup" => t.targs("case-ev-followup", &[("due", t.date(to))]),
        "kb_drafted" => t.t("case-ev-kb-drafted"),
        other => t.t(&format!("case-ev-{}", other.replace('_', "-"))),
    }
}

async fn detail(
    State(state): State<DeskState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    // Kept until the case changes (its version) or anything else on the desk does (a referral
    // decided, a summary approved, the calendar edited), whichever comes first. A kept page is
    // served on the index's word that this reader may see the case, without the database.
    let key_for =
        |version: i64| PageKey::new("case", fold(&[id as u64, version as u64, state.desk.generation(), state.refs_stamp()]), &ctx);
    let indexed = state.case_index().and_then(|index| index.get(id)).and_then(|e| Some((service::rights_indexed(user, &e)?, e)));
    if let Some((_, e)) = &indexed
        && let Some(page) = state.pages.kept(&ctx, &key_for(e.case.version))
    {
        return Ok(page);
    }
    // The index may not know the case yet, or not yet that this reader may see it (a change
    // made on another node arrives within a poll): then the database decides.
    let (found, rights) = match indexed {
        Some((rights, e)) => (Found::Indexed(e), rights),
        None => {
            let a = service::access(&state, user, id).await?;
            (Found::Read(Box::new(a.case)), Rights { viewer: a.viewer, holds: a.holds, works: a.works })
        }
    };
    if state.case_index().is_none() {
        let details =
            case_details::read(&state.store, store::cases::CaseSet::Ids(&[id])).await?.remove(&id).ok_or_else(PageError::not_found)?;
        return detail_page(&state, &ctx, found.case(), rights, &details, q).await;
    }
    let version = found.case().version;
    let details = state.desk.details.get_or_read(&state.store, id, version).await?;
    state
        .pages
        .clone()
        .serve(&ctx, key_for(version), |blank| async move { detail_page(&state, &blank, found.case(), rights, &details, q).await })
        .await
}

/// A case as the page found it: in the node's index, or read from the database.
enum Found {
    Indexed(Arc<crate::case_index::Entry>),
    Read(Box<Case>),
}

impl Found {
    fn case(&self) -> &Case {
        match self {
            Found::Indexed(e) => &e.case,
            Found::Read(k) => k,
        }
    }
}

async fn detail_page(state: &DeskState, ctx: &Ctx, k: &Case, rights: Rights, d: &Details, q: DetailQuery) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let Rights { viewer, holds, works } = rights;
    let cfg = state.desk().await?;
    let staff = viewer.is_staff();
    let company = !staff;
    let mut p = Page::new(state, ctx, "").with_flash(known(CASE_FLASHES, q.ok.as_deref()));
    p.title = format!("{} · {}", service::reference(k), k.title);
    let t = p.t;
    let error = known(CASE_ERRORS, q.error.as_deref()).map(|key| t.t(key));
    let agencies_all = state.agencies().await?;
    let agency_name = |id: &str| -> String {
        agencies_all.iter().find(|a| a.id.to_string() == id).map(|a| t.pick(&a.name_ko, &a.name_en).to_string()).unwrap_or_default()
    };
    let sla = runtime::clock(&cfg, k, &d.pauses, today()).map(|s| SlaView {
        state_code: s.state.as_str(),
        state: t.t(&format!("sla-{}", s.state.as_str())),
        due: t.date(&s.due_on.to_string()),
        first_response: t.t(&format!("sla-{}", s.first_response_state.as_str())),
        first_response_due: t.date(&s.first_response_due_on.to_string()),
        elapsed: s.elapsed_business_days,
        remaining: s.remaining_business_days,
        paused_business: s.paused_business_days,
        paused_calendar: s.paused_calendar_days,
    });
    // Staff see internal notes and files; the company never does.
    let files: Vec<&cases::Attachment> = d.attachments.iter().filter(|f| staff || !f.internal).collect();
    let staff_users: Arc<Vec<User>> = match k.agency_id {
        Some(a) if staff => state.staff_of(a).await?,
        _ => Arc::default(),
    };
    let user_name = |id: &str| -> String {
        staff_users.iter().find(|u| u.id.to_string() == id).map(|u| u.display_name.clone()).unwrap_or_else(|| format!("#{id}"))
    };
    let events = d
        .events
        .iter()
        .filter(|e| staff || !e.internal)
        .map(|e| EventView {
            at: t.datetime(&e.at),
            who: match (&e.actor_name, e.actor_agency_id.and_then(|a| agencies_all.iter().find(|x| x.id == a))) {
                (Some(n), Some(a)) => format!("{n} · {}", t.pick(&a.name_ko, &a.name_en)),
                (Some(n), None) => n.to_string(),
                (None, Some(a)) => t.pick(&a.name_ko, &a.name_en).to_string(),
                // No person and no agency: the company itself (or an import on its behalf).
                (None, None) => t.t("case-actor-company"),
            },
            text: event_text(&t, e, &agency_name, &user_name),
            body: e.body.to_string(),
            kind: e.kind.to_string(),
            internal: e.internal,
            files: files
                .iter()
                .filter(|f| f.event_id == Some(e.id))
                .map(|f| (f.id, f.file_name.clone(), format!("{} KB", (f.size_bytes + 1023) / 1024)))
                .collect(),
        })
        .collect();
    let status = CaseStatus::parse(&k.status).unwrap_or(CaseStatus::Draft);
    let actor = if company {
        Some(CaseActor::Company)
    } else if holds {
        Some(CaseActor::Officer)
    } else {
        None
    };
    let moves = actor
        .map(|a| domain::case::next_states(status, a))
        .unwrap_or_default()
        .into_iter()
        // A duplicate is closed by merging it into the case it duplicates.
        .filter(|s| *s != CaseStatus::ClosedDuplicate)
        .map(|s| (s.as_str().to_string(), t.t(&format!("case-move-{}", s.as_str()))))
        .collect();
    let referrals = d
        .referrals
        .iter()
        .filter(|_| staff)
        .map(|r| ReferralView {
            id: r.id,
            mine_to_decide: r.status == "pending"
                && match viewer {
                    Viewer::Agency { agency_id, .. } => agency_id == r.to_agency_id,
                    Viewer::Platform => true,
                    _ => false,
                },
            from: t.pick(&r.from_ko, &r.from_en).to_string(),
            to: t.pick(&r.to_ko, &r.to_en).to_string(),
            scope: t.t(&format!("case-scope-{}", r.scope)),
            note: r.note.clone(),
            status: t.t(&format!("referral-status-{}", r.status)),
            status_code: r.status.clone(),
            reason: r.reason.clone(),
            at: t.datetime(&r.created_at),
        })
        .collect();
    // Other cases as they are now: from the index when there is one.
    let other_cases: Vec<cases::Case> = {
        let ids: Vec<i64> = d.links.iter().copied().chain(k.merged_into).collect();
        match state.case_index() {
            Some(index) => ids.iter().filter_map(|i| index.get(*i)).map(|e| e.case.clone()).collect(),
            None => cases::get_many(&state.store.db, &ids).await?,
        }
    };
    let other = |id: i64| other_cases.iter().find(|c| c.id == id);
    let links = if staff {
        d.links
            .iter()
            .filter_map(|i| other(*i))
            .map(|l| (l.id, l.title.clone(), status_label(&t, &l.status), country_label(state, &t, &l.country)))
            .collect()
    } else {
        Vec::new()
    };
    let merged_into = k.merged_into.and_then(other).map(|mk| (if staff { mk.id } else { 0 }, service::reference(mk)));
    let followups = if staff {
        d.followups
            .iter()
            .map(|f| {
                let mine = user.agency_id == Some(f.agency_id) || user.role() == Role::PlatformAdmin;
                (
                    f.id,
                    f.description.clone(),
                    t.pick(&f.agency_ko, &f.agency_en).to_string(),
                    t.date(&f.due_on),
                    f.done_at.is_none() && mine,
                    f.outcome.clone(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let kb = if staff {
        d.summaries.iter().map(|e| (e.id, t.pick(&e.title_ko, &e.title_en).to_string(), t.t(&format!("kb-status-{}", e.status)))).collect()
    } else {
        Vec::new()
    };
    let refs = state.refs();
    let products = d
        .products
        .iter()
        .map(|c| {
            let n = refs
                .hs(c)
                .or_else(|| refs.hs(c.get(..6).unwrap_or("")))
                .map(|h| t.pick(&h.name_ko, &h.name_en).to_string())
                .unwrap_or_default();
            (c.clone(), n)
        })
        .collect();
    let holder = match (&k.agency_name_ko, &k.agency_name_en) {
        (Some(ko), Some(en)) => t.pick(ko, en).to_string(),
        _ => t.t("case-holder-none"),
    };
    let row = case_row(state, &t, &cfg, k, today());
    render(CaseDetailTemplate {
        case_version: k.version,
        description: d.description.clone(),
        impact: k.impact_krw.map(|n| t.krw(n)).unwrap_or_default(),
        deadline: k.deadline.as_deref().map(|d| t.date(d)).unwrap_or_default(),
        products,
        submitted: k.submitted_at.as_deref().map(|d| t.datetime(d)).unwrap_or_default(),
        holder,
        sla,
        events,
        staff,
        company,
        holds,
        works,
        is_draft: status == CaseStatus::Draft,
        waiting_on_company: k.waiting_on == "company" && status.is_open(),
        moves,
        waiting_options: WaitingOn::ALL.iter().map(|w| (w.as_str().to_string(), t.t(w.message_key()))).collect(),
        waiting_code: k.waiting_on.clone(),
        priorities: Priority::ALL.iter().map(|w| (w.as_str().to_string(), t.t(w.message_key()))).collect(),
        assignees: staff_users.iter().map(|u| (u.id.to_string(), u.display_name.clone())).collect(),
        assignee_id: k.assignee_id.map(|i| i.to_string()).unwrap_or_default(),
        agencies: agencies_all
            .iter()
            .filter(|a| Some(a.id) != k.agency_id)
            .map(|a| (a.id.to_string(), t.pick(&a.name_ko, &a.name_en).to_string()))
            .collect(),
        referrals,
        links,
        merged_into,
        followups,
        kb,
        can_draft_kb: works && status.is_resolved() && matches!(viewer, Viewer::Agency { .. }),
        error,
        k: row,
        p,
    })
}

// ---- actions ----------------------------------------------------------------------------------

/// A message with optional files, posted as multipart.
async fn message(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, mut mp: Multipart) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let (mut kind, mut body, mut files) = (String::new(), String::new(), Vec::new());
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Ok(back_with_error(id, &CaseError::Upload(domain::upload::UploadError::TooLarge))),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(_) => return Ok(back_with_error(id, &CaseError::Upload(domain::upload::UploadError::TooLarge))),
        };
        match (name.as_str(), file_name) {
            ("files", Some(n)) if !bytes.is_empty() => files.push(Upload { name: n, bytes: bytes.to_vec() }),
            ("files", _) => {}
            ("kind", _) => kind = String::from_utf8_lossy(&bytes).into_owned(),
            ("body", _) => body = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    let kind = match kind.as_str() {
        "note" => MessageKind::Note,
        "request" => MessageKind::Request,
        _ => MessageKind::Reply,
    };
    match service::message(&state, user, id, kind, &body, files).await {
        Ok(_) => Ok(done(id, "case-flash-message")),
        Err(CaseError::NotFound) => Err(PageError::not_found()),
        Err(e) => Ok(back_with_error(id, &e)),
    }
}

#[derive(Deserialize)]
struct MoveForm {
    version: i64,
    to: String,
    #[serde(default)]
    note: String,
}

async fn move_case(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MoveForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    result(id, service::transition(&state, user, id, f.version, &f.to, &f.note).await, "case-flash-moved")
}

fn result<T>(id: i64, r: Result<T, CaseError>, flash: &str) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(done(id, flash)),
        Err(CaseError::NotFound) => Err(PageError::not_found()),
        Err(e) => Ok(back_with_error(id, &e)),
    }
}

#[derive(Deserialize)]
struct WaitingForm {
    version: i64,
    waiting_on: String,
    #[serde(default)]
    note: String,
}

async fn waiting(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<WaitingForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    result(id, service::set_waiting(&state, user, id, f.version, &f.waiting_on, &f.note).await, "case-flash-waiting")
}

#[derive(Deserialize)]
struct TriageForm {
    version: i64,
    #[serde(default)]
    assignee: String,
    priority: String,
}

async fn triage(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<TriageForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let assignee = f.assignee.trim().parse::<i64>().ok();
    result(id, service::triage(&state, user, id, f.version, assignee, &f.priority).await, "case-flash-triaged")
}

#[derive(Deserialize)]
struct ReferForm {
    version: i64,
    to_agency: String,
    scope: String,
    #[serde(default)]
    note: String,
}

async fn refer(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ReferForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let to = f.to_agency.trim().parse::<i64>().unwrap_or(0);
    result(id, service::refer(&state, user, id, f.version, to, &f.scope, &f.note).await, "case-flash-referred")
}

#[derive(Deserialize)]
struct DecideForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide_referral(
    State(state): State<DeskState>,
    ctx: Ctx,
    Path(rid): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let r = cases::referral(&state.store.db, rid).await?.ok_or_else(PageError::not_found)?;
    result(r.case_id, service::decide_referral(&state, user, rid, f.decision == "accept", &f.reason).await, "case-flash-referral-decided")
}

/// A case named by its reference ("RD-2026-000123") or its number.
pub fn parse_case_ref(s: &str) -> Option<i64> {
    let s = s.trim();
    let digits = s.rsplit('-').next().unwrap_or(s).trim_start_matches('#');
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}

#[derive(Deserialize)]
struct MergeForm {
    version: i64,
    into: String,
}

async fn merge(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MergeForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let Some(into) = parse_case_ref(&f.into) else {
        return Ok(back_with_error(id, &CaseError::Invalid(FieldErrors::single("into", "case-error-merge-target"))));
    };
    result(id, service::merge(&state, user, id, f.version, into).await, "case-flash-merged")
}

#[derive(Deserialize)]
struct LinkForm {
    other: String,
}

async fn link(State(state): State<DeskState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<LinkForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let Some(other) = parse_case_ref(&f.other) else {
        return Ok(back_with_error(id, &CaseError::Invalid(FieldErrors::single("other", "case-error-merge-target"))));
    };
    result(id, service::link(&state, user, id, other).await, "case-flash-linked")
}

#[derive(Deserialize)]
struct FollowupForm {
    agency: String,
    description: String,
    due_on: String,
}

async fn add_followup(
    State(state): State<DeskState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<FollowupForm>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let agency = f.agency.trim().parse::<i64>().unwrap_or(0);
    result(id, service::add_followup(&state, user, id, agency, &f.description, &f.due_on).await, "case-flash-followup")
}

#[derive(Deserialize)]
struct DoneForm {
    outcome: String,
}

async fn followup_done(
    State(state): State<DeskState>,
    ctx: Ctx,
    Path(fid): Path<i64>,
    Form(f): Form<DoneForm>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let fu = cases::followup(&state.store.db, fid).await?.ok_or_else(PageError::not_found)?;
    result(fu.case_id, service::complete_followup(&state, user, fid, &f.outcome).await, "case-flash-followup")
}

/// Downloads an attachment, for those who may see its case (internal ones for staff only).
async fn download(State(state): State<DeskState>, ctx: Ctx, Path(aid): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let att = cases::attachment(&state.store.db, aid).await?.ok_or_else(PageError::not_found)?;
    let a = service::access(&state, user, att.case_id).await?;
    if att.internal && !a.viewer.is_staff() {
        return Err(PageError::not_found());
    }
    let bytes = tokio::fs::read(runtime::attachment_path(&state, &att.storage_key)).await.map_err(|e| {
        tracing::error!(error = %e, attachment = aid, "attachment file missing");
        PageError(kit::error::PageErrorKind::Internal)
    })?;
    let name = kit::session::urlencode(&att.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, att.media_type.clone()),
            // RFC 5987 form keeps Korean names intact; `attachment` stops the browser running it.
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"file\"; filename*=UTF-8''{name}")),
            (header::HeaderName::from_static("x-content-type-options"), "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}
