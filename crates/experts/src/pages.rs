//! The experts directory, an expert's page with booking, the company's consultations, the
//! expert's own inbox and profile, applying as an expert, and the agencies' review of listings.
//! The rules live in `expert_svc`; these handlers turn its answers into pages.

use crate::service::{self, Application, BookForm, ExpertError, Review, Viewer};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::FieldErrors;
use domain::expert::{ConsultationActor, ConsultationStatus, ExpertKind, ProfileInput, Specialty, Verification};
use kit::error::PageError;
use kit::i18n::Tr;
use kit::layout::{Page, render};
use kit::session::Ctx;
use navigator::NavState;
use serde::Deserialize;
use store::experts::{ConsultationRow, Expert};

pub fn router() -> axum::Router<NavState> {
    axum::Router::new()
        .route("/experts", get(directory))
        .route("/experts/apply", get(apply_form).post(apply))
        .route("/experts/{id}", get(detail))
        .route("/experts/{id}/book", post(book))
        .route("/my/consultations", get(mine))
        .route("/my/consultations/{id}/cancel", post(cancel))
        .route("/my/consultations/{id}/rate", post(rate))
        .route("/expert", get(inbox))
        .route("/expert/consultations/{id}", post(respond))
        .route("/expert/profile", get(profile_form).post(save_profile))
        .route("/officer/experts", get(review_list))
        .route("/officer/experts/{id}/review", post(review))
}

/// The ten markets of the navigator, in the order the guides list them.
pub const COUNTRIES: [&str; 10] = ["ID", "VN", "US", "CN", "JP", "IN", "TH", "MX", "PL", "AE"];

fn svc_err(e: ExpertError) -> PageError {
    match e {
        ExpertError::NotFound => PageError::not_found(),
        ExpertError::Forbidden => PageError::forbidden(),
        ExpertError::Stale => PageError(kit::error::PageErrorKind::Conflict),
        _ => PageError(kit::error::PageErrorKind::Internal),
    }
}

// ---- views -----------------------------------------------------------------------------------------

pub struct ExpertView {
    pub id: i64,
    pub name: String,
    /// The name in the other language, when it differs.
    pub name_other: String,
    pub kind: String,
    pub country: String,
    pub city: String,
    pub specialties: Vec<String>,
    pub languages: String,
    pub korean: bool,
    pub fee: String,
    pub status_code: String,
    pub status: String,
    pub status_note: String,
    pub verified_by: String,
    pub verified_at: String,
    pub endorsed_by: String,
    pub coi: String,
    pub coi_at: String,
    /// "★ 4.5 (completed 12)", always with the number of engagements behind it.
    pub track_record: String,
    pub description: String,
    pub contact_email: String,
    pub illustrative: bool,
    pub version: i64,
}

fn country_label(state: &NavState, t: &Tr, code: &str) -> String {
    kit::util::country_label(state, t, code)
}

pub fn view(state: &NavState, t: &Tr, x: &Expert) -> ExpertView {
    let name = t.pick(&x.name_ko, &x.name_en).to_string();
    let other = if t.is_ko() { &x.name_en } else { &x.name_ko };
    let fee = match (x.fee_min_usd, x.fee_max_usd) {
        (Some(a), Some(b)) if a == b => t.ta("expert-fee-fixed", &t.usd(a)),
        (Some(a), Some(b)) => t.targs("expert-fee-range", &[("min", t.usd(a)), ("max", t.usd(b))]),
        (Some(a), None) => t.ta("expert-fee-from", &t.usd(a)),
        (None, Some(b)) => t.ta("expert-fee-to", &t.usd(b)),
        (None, None) => t.t("expert-fee-ask"),
    };
    let track_record = match x.rating_avg {
        Some(avg) if x.rating_count > 0 => {
            t.targs("expert-track-record", &[("avg", format!("{avg:.1}")), ("n", t.num(x.completed)), ("ratings", t.num(x.rating_count))])
        }
        _ => t.ta("expert-track-record-none", &t.num(x.completed)),
    };
    let status = Verification::parse(&x.status).map(|s| t.t(s.message_key())).unwrap_or_else(|| x.status.clone());
    ExpertView {
        id: x.id,
        name_other: if other != &name && !other.is_empty() { other.clone() } else { String::new() },
        name,
        kind: ExpertKind::parse(&x.kind).map(|k| t.t(k.message_key())).unwrap_or_default(),
        country: country_label(state, t, &x.country),
        city: x.city.clone(),
        specialties: x.specialties.split_whitespace().filter_map(Specialty::parse).map(|s| t.t(s.message_key())).collect(),
        languages: x.languages.split_whitespace().map(|l| l.to_ascii_uppercase()).collect::<Vec<_>>().join(", "),
        korean: x.speaks("ko"),
        fee,
        status_code: x.status.clone(),
        status,
        status_note: x.status_note.clone(),
        verified_by: match (&x.verified_agency_ko, &x.verified_agency_en) {
            (Some(ko), Some(en)) => t.pick(ko, en).to_string(),
            _ if x.verified_at.is_some() => t.t("expert-verified-platform"),
            _ => String::new(),
        },
        verified_at: x.verified_at.as_deref().map(|d| t.date(d)).unwrap_or_default(),
        endorsed_by: match (&x.endorsed_agency_ko, &x.endorsed_agency_en) {
            (Some(ko), Some(en)) => t.pick(ko, en).to_string(),
            _ => String::new(),
        },
        coi: x.coi_declaration.clone(),
        coi_at: x.coi_declared_at.as_deref().map(|d| t.date(d)).unwrap_or_default(),
        track_record,
        description: t.pick(&x.description_ko, &x.description_en).to_string(),
        contact_email: x.contact_email.clone(),
        illustrative: x.illustrative,
        version: x.row_version,
    }
}

pub struct ConsultationView {
    pub id: i64,
    pub version: i64,
    pub expert_id: i64,
    pub expert: String,
    pub company: String,
    pub plan_id: i64,
    pub country: String,
    pub step_key: String,
    /// The step's title in the reader's language (the key when the playbook has no such step).
    pub step: String,
    pub status_code: String,
    pub status: String,
    pub message: String,
    pub preferred_date: String,
    pub voucher: String,
    pub response_note: String,
    pub requested: String,
    pub rating: String,
    pub review: String,
    /// (target status, button label) the viewer may press.
    pub moves: Vec<(String, String)>,
    pub can_rate: bool,
    /// The rating form's error and what was typed, when it came back refused.
    pub rate_error: String,
    pub review_typed: String,
    /// (value, selected) for the rating select, 5 stars first.
    pub rating_options: Vec<(String, bool)>,
}

impl ConsultationView {
    fn with_rating_error(mut self, typed: &str, review: &str, error: String) -> Self {
        self.rate_error = error;
        self.review_typed = review.to_string();
        for (v, sel) in &mut self.rating_options {
            *sel = v == typed.trim();
        }
        self
    }
}

/// Puts the steps' titles in place of their keys.
async fn name_steps(state: &NavState, t: &Tr, rows: &mut [ConsultationView]) {
    for r in rows.iter_mut() {
        if let Some((_, step)) = navigator::service::step_label(state, r.plan_id, &r.step_key, t).await {
            r.step = step;
        }
    }
}

fn consultation_view(state: &NavState, t: &Tr, k: &ConsultationRow, actor: ConsultationActor) -> ConsultationView {
    let status = ConsultationStatus::parse(&k.status);
    ConsultationView {
        id: k.id,
        version: k.row_version,
        expert_id: k.expert_id,
        expert: t.pick(&k.expert_name_ko, &k.expert_name_en).to_string(),
        company: t.pick(&k.company_name_ko, k.company_name_en.as_deref().unwrap_or("")).to_string(),
        plan_id: k.plan_id,
        country: country_label(state, t, &k.plan_country),
        step_key: k.step_key.clone(),
        step: k.step_key.clone(),
        status_code: k.status.clone(),
        status: status.map(|s| t.t(s.message_key())).unwrap_or_else(|| k.status.clone()),
        message: k.message.clone(),
        preferred_date: k.preferred_date.as_deref().map(|d| t.date(d)).unwrap_or_default(),
        voucher: match (&k.voucher_title_ko, &k.voucher_title_en) {
            (Some(ko), Some(en)) => t.pick(ko, en).to_string(),
            _ => String::new(),
        },
        response_note: k.response_note.clone(),
        requested: t.date(&k.requested_at),
        rating: k.rating.map(|r| format!("{} {r}/5", "★".repeat(r.clamp(0, 5) as usize))).unwrap_or_default(),
        review: k.review.clone(),
        moves: status
            .map(|s| {
                domain::expert::next_states(s, actor)
                    .into_iter()
                    .map(|to| (to.as_str().to_string(), t.t(&format!("consultation-action-{}", to.as_str()))))
                    .collect()
            })
            .unwrap_or_default(),
        can_rate: actor == ConsultationActor::Company && status == Some(ConsultationStatus::Done) && k.rating.is_none(),
        rate_error: String::new(),
        review_typed: String::new(),
        rating_options: (1..=5).rev().map(|n| (n.to_string(), n == 5)).collect(),
    }
}

/// One form control as the experts' field template renders it: label, control, hint, error.
pub struct XField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// text, email, password, number, date, select, textarea, checks
    pub kind: &'static str,
    pub hint: String,
    pub error: String,
    pub required: bool,
    pub options: Vec<(String, String)>,
    pub autocomplete: &'static str,
}

impl XField {
    fn new(t: &Tr, name: &'static str, kind: &'static str, value: impl Into<String>, errors: &FieldErrors) -> XField {
        let hint_key = format!("expert-hint-{}", name.replace('_', "-"));
        let hint = t.t(&hint_key);
        XField {
            name,
            label: t.t(&format!("expert-field-{}", name.replace('_', "-"))),
            value: value.into(),
            kind,
            hint: if hint == hint_key { String::new() } else { hint },
            error: errors.for_field(name).map(|e| t.field_error(e)).unwrap_or_default(),
            required: false,
            options: Vec::new(),
            autocomplete: "off",
        }
    }
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }
    fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }
    pub fn has_error(&self) -> bool {
        !self.error.is_empty()
    }
    pub fn is_selected(&self, v: &str) -> bool {
        self.value == v
    }
    /// For check boxes, whose value is the space-separated list of ticked options.
    pub fn is_checked(&self, v: &str) -> bool {
        self.value.split_whitespace().any(|w| w == v)
    }
}

fn country_options(state: &NavState, t: &Tr) -> Vec<(String, String)> {
    COUNTRIES.iter().map(|c| (c.to_string(), country_label(state, t, c))).collect()
}

fn kind_options(t: &Tr) -> Vec<(String, String)> {
    ExpertKind::ALL.iter().map(|k| (k.as_str().to_string(), t.t(k.message_key()))).collect()
}

fn specialty_options(t: &Tr) -> Vec<(String, String)> {
    Specialty::ALL.iter().map(|s| (s.as_str().to_string(), t.t(s.message_key()))).collect()
}

/// Marks the option equal to `current` as selected, for filter selects.
fn marked(options: Vec<(String, String)>, current: &str) -> Vec<(String, String, bool)> {
    options.into_iter().map(|(v, l)| (v.clone(), l, v == current)).collect()
}

// ---- the directory -----------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct DirectoryQuery {
    #[serde(default)]
    country: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    specialty: String,
    #[serde(default)]
    korean: String,
    /// Carried from a plan step to the expert's booking form.
    #[serde(default)]
    plan: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    error: String,
}

#[derive(Template)]
#[template(path = "experts.html")]
struct DirectoryTemplate {
    p: Page,
    items: Vec<ExpertView>,
    countries: Vec<(String, String, bool)>,
    kinds: Vec<(String, String, bool)>,
    specialties: Vec<(String, String, bool)>,
    korean: bool,
    /// `?plan=…&step=…` to append to links, or empty.
    carry: String,
    error: Option<String>,
    can_apply: bool,
}

fn carry(plan: &str, step: &str) -> String {
    match (plan.trim().parse::<i64>(), step.trim()) {
        (Ok(p), s) if !s.is_empty() => format!("?plan={p}&step={}", kit::session::urlencode(s)),
        _ => String::new(),
    }
}

async fn directory(State(state): State<NavState>, ctx: Ctx, Query(q): Query<DirectoryQuery>) -> Result<Response, PageError> {
    let p = Page::new(&state, &ctx, "experts-title");
    let t = p.t;
    let korean = matches!(q.korean.as_str(), "true" | "on" | "1");
    let filter = service::filter_from(&q.country, &q.kind, &q.specialty, korean);
    let items = service::directory(&state, filter.clone()).await.map_err(svc_err)?.iter().map(|x| view(&state, &t, x)).collect();
    let error = match q.error.as_str() {
        "unavailable" => Some(t.t("expert-error-unavailable")),
        _ => None,
    };
    render(DirectoryTemplate {
        items,
        countries: marked(country_options(&state, &t), filter.country.as_deref().unwrap_or("")),
        kinds: marked(kind_options(&t), filter.kind.as_deref().unwrap_or("")),
        specialties: marked(specialty_options(&t), filter.specialty.as_deref().unwrap_or("")),
        korean,
        carry: carry(&q.plan, &q.step),
        error,
        can_apply: ctx.user.is_none(),
        p,
    })
}

// ---- one expert, and booking ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "expert_detail.html")]
struct DetailTemplate {
    p: Page,
    x: ExpertView,
    reviews: Vec<ConsultationView>,
    /// The booking form, for a company member.
    booking: Option<Vec<XField>>,
    /// The company has no open plan step to book on.
    no_steps: bool,
    signed_out: bool,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    booked: String,
}

async fn detail_page(
    state: &NavState,
    ctx: &Ctx,
    id: i64,
    form: &BookForm,
    errs: &FieldErrors,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let v = service::viewer(state, ctx.user.as_ref()).await.map_err(svc_err)?;
    let x = service::listing(state, v, id).await.map_err(svc_err)?;
    let mut p = Page::new(state, ctx, "").with_flash(flash);
    let t = p.t;
    let xv = view(state, &t, &x);
    p.title = xv.name.clone();
    let reviews = store::experts::reviews_of(&state.store.db, id, 20)
        .await?
        .iter()
        .map(|k| consultation_view(state, &t, k, ConsultationActor::Expert))
        .collect();
    let mut booking = None;
    let mut no_steps = false;
    if let Viewer::Company(company_id) = v
        && x.status == Verification::Verified.as_str()
    {
        let steps = store::experts::open_steps(&state.store.db, company_id).await?;
        no_steps = steps.is_empty();
        let mut step_options: Vec<(String, String)> = Vec::with_capacity(steps.len());
        for s in &steps {
            let (entity, step) = navigator::service::step_label(state, s.plan_id, &s.step_key, &t)
                .await
                .unwrap_or_else(|| (s.entity_type.replace('_', " "), s.step_key.clone()));
            step_options.push((
                format!("{}:{}", s.plan_id, s.step_key),
                format!("{} · {} · {}", country_label(state, &t, &s.country), entity, step),
            ));
        }
        let vouchers: Vec<(String, String)> = store::experts::vouchers(&state.store.db, company_id)
            .await?
            .iter()
            .map(|v| (v.program_id.to_string(), t.pick(&v.title_ko, &v.title_en).to_string()))
            .collect();
        let chosen = if form.plan_step.is_empty() && !form.plan_id.is_empty() {
            format!("{}:{}", form.plan_id.trim(), form.step_key.trim())
        } else {
            form.plan_step.clone()
        };
        let mut fields = vec![
            XField::new(&t, "plan_step", "select", chosen, errs).required().options(step_options),
            XField::new(&t, "message", "textarea", form.message.clone(), errs).required(),
            XField::new(&t, "preferred_date", "date", form.preferred_date.clone(), errs),
        ];
        if !vouchers.is_empty() || errs.for_field("voucher_program_id").is_some() {
            fields.push(XField::new(&t, "voucher_program_id", "select", form.voucher_program_id.clone(), errs).options(vouchers));
        }
        if !no_steps {
            booking = Some(fields);
        }
    }
    let status = if errs.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(DetailTemplate { x: xv, reviews, booking, no_steps, signed_out: ctx.user.is_none(), p })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn detail(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>, Query(q): Query<DetailQuery>) -> Result<Response, PageError> {
    let form = BookForm { plan_id: q.plan, step_key: q.step, ..Default::default() };
    let flash = (!q.booked.is_empty()).then_some("expert-booked");
    detail_page(&state, &ctx, id, &form, &FieldErrors::default(), flash).await
}

async fn book(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<BookForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::book(&state, user, id, &f).await {
        Ok(_) => Ok(Redirect::to("/my/consultations?booked=1").into_response()),
        Err(ExpertError::Invalid(errs)) => detail_page(&state, &ctx, id, &f, &errs, None).await,
        Err(ExpertError::Unavailable) => Ok(Redirect::to("/experts?error=unavailable").into_response()),
        Err(e) => Err(svc_err(e)),
    }
}

// ---- the company's consultations -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "experts_mine.html")]
struct MineTemplate {
    p: Page,
    rows: Vec<ConsultationView>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct FlashQuery {
    #[serde(default)]
    booked: String,
    #[serde(default)]
    saved: String,
    #[serde(default)]
    error: String,
}

fn error_text(t: &Tr, key: &str) -> Option<String> {
    // Only our own message ids come back through the query string.
    const KNOWN: [&str; 7] = [
        "error-conflict",
        "expert-error-bad-move",
        "expert-error-unavailable",
        "expert-error-not-done",
        "expert-error-already-rated",
        "expert-err-decline-note",
        "expert-err-suspend-reason",
    ];
    KNOWN.contains(&key).then(|| t.t(key))
}

async fn mine_page(
    state: &NavState,
    ctx: &Ctx,
    flash: Option<&str>,
    error: Option<String>,
    rating_error: Option<(i64, String, String, String)>,
) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let Viewer::Company(company_id) = service::viewer(state, Some(user)).await.map_err(svc_err)? else {
        return Err(PageError::forbidden());
    };
    let p = Page::new(state, ctx, "experts-mine-title").with_flash(flash);
    let t = p.t;
    let mut rows: Vec<ConsultationView> = store::experts::for_company(&state.store.db, company_id)
        .await?
        .iter()
        .map(|k| {
            let v = consultation_view(state, &t, k, ConsultationActor::Company);
            match &rating_error {
                // The refused rating comes back next to its own form, with what was typed.
                Some((id, msg, typed, review)) if *id == k.id => v.with_rating_error(typed, review, msg.clone()),
                _ => v,
            }
        })
        .collect();
    name_steps(state, &t, &mut rows).await;
    let status = if rating_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(MineTemplate { p, rows, error })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn mine(State(state): State<NavState>, ctx: Ctx, Query(q): Query<FlashQuery>) -> Result<Response, PageError> {
    let flash = if !q.booked.is_empty() {
        Some("expert-booked")
    } else if !q.saved.is_empty() {
        Some("expert-saved")
    } else {
        None
    };
    let error = error_text(&ctx.tr(), &q.error);
    mine_page(&state, &ctx, flash, error, None).await
}

#[derive(Deserialize, Default)]
struct MoveForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
}

/// A refusal the person can act on goes back to the list with its message; the rest is an error page.
fn back_with(path: &str, e: ExpertError) -> Result<Response, PageError> {
    match e {
        ExpertError::NotFound => Err(PageError::not_found()),
        ExpertError::Forbidden => Err(PageError::forbidden()),
        ExpertError::Internal => Err(PageError(kit::error::PageErrorKind::Internal)),
        ExpertError::Invalid(errs) => {
            let key = errs.0.first().map(|e| e.code).unwrap_or("form-has-errors");
            Ok(Redirect::to(&format!("{path}?error={key}")).into_response())
        }
        other => Ok(Redirect::to(&format!("{path}?error={}", other.message_key())).into_response()),
    }
}

async fn cancel(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MoveForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::move_consultation(&state, user, id, f.version, "cancelled", &f.note).await {
        Ok(()) => Ok(Redirect::to("/my/consultations?saved=1").into_response()),
        Err(e) => back_with("/my/consultations", e),
    }
}

#[derive(Deserialize, Default)]
struct RateForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    review: String,
}

async fn rate(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<RateForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::rate(&state, user, id, f.version, &f.rating, &f.review).await {
        Ok(()) => Ok(Redirect::to("/my/consultations?saved=1").into_response()),
        Err(ExpertError::Invalid(errs)) => {
            let t = ctx.tr();
            let msg = errs.0.iter().map(|e| t.field_error(e)).collect::<Vec<_>>().join(" ");
            mine_page(&state, &ctx, None, None, Some((id, msg, f.rating.clone(), f.review.clone()))).await
        }
        Err(e) => back_with("/my/consultations", e),
    }
}

// ---- the expert's inbox and profile ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "expert_inbox.html")]
struct InboxTemplate {
    p: Page,
    x: ExpertView,
    rows: Vec<ConsultationView>,
    error: Option<String>,
}

async fn inbox(State(state): State<NavState>, ctx: Ctx, Query(q): Query<FlashQuery>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let (x, rows) = service::inbox(&state, user).await.map_err(svc_err)?;
    let p = Page::new(&state, &ctx, "expert-inbox-title").with_flash((!q.saved.is_empty()).then_some("expert-saved"));
    let t = p.t;
    let mut rows: Vec<ConsultationView> = rows.iter().map(|k| consultation_view(&state, &t, k, ConsultationActor::Expert)).collect();
    name_steps(&state, &t, &mut rows).await;
    let error = error_text(&t, &q.error);
    render(InboxTemplate { x: view(&state, &t, &x), rows, error, p })
}

async fn respond(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MoveForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    match service::move_consultation(&state, user, id, f.version, &f.to, &f.note).await {
        Ok(()) => Ok(Redirect::to("/expert?saved=1").into_response()),
        Err(e) => back_with("/expert", e),
    }
}

/// Reads the profile form from its pairs: the specialties come as one pair per ticked box,
/// which a plain struct cannot collect.
fn profile_from(pairs: &[(String, String)]) -> (ProfileInput, Vec<(String, String)>) {
    let mut f = ProfileInput::default();
    let mut rest = Vec::new();
    for (k, v) in pairs {
        let v = v.clone();
        match k.as_str() {
            "kind" => f.kind = v,
            "name_ko" => f.name_ko = v,
            "name_en" => f.name_en = v,
            "country" => f.country = v,
            "city" => f.city = v,
            "specialties" => f.specialties.push(v),
            "languages" => f.languages = v,
            "fee_min_usd" => f.fee_min_usd = v,
            "fee_max_usd" => f.fee_max_usd = v,
            "contact_email" => f.contact_email = v,
            "description_ko" => f.description_ko = v,
            "description_en" => f.description_en = v,
            "coi_declaration" => f.coi_declaration = v,
            _ => rest.push((k.clone(), v)),
        }
    }
    (f, rest)
}

fn field_of<'a>(rest: &'a [(String, String)], name: &str) -> &'a str {
    rest.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

fn profile_fields(state: &NavState, t: &Tr, f: &ProfileInput, errs: &FieldErrors) -> Vec<XField> {
    vec![
        XField::new(t, "kind", "select", f.kind.clone(), errs).required().options(kind_options(t)),
        XField::new(t, "name_ko", "text", f.name_ko.clone(), errs).required(),
        XField::new(t, "name_en", "text", f.name_en.clone(), errs).required(),
        XField::new(t, "country", "select", f.country.trim().to_ascii_uppercase(), errs).required().options(country_options(state, t)),
        XField::new(t, "city", "text", f.city.clone(), errs),
        XField::new(t, "specialties", "checks", f.specialties.join(" "), errs).required().options(specialty_options(t)),
        XField::new(t, "languages", "text", f.languages.clone(), errs).required(),
        XField::new(t, "fee_min_usd", "text", f.fee_min_usd.clone(), errs),
        XField::new(t, "fee_max_usd", "text", f.fee_max_usd.clone(), errs),
        XField::new(t, "contact_email", "email", f.contact_email.clone(), errs).required().autocomplete("email"),
        XField::new(t, "description_ko", "textarea", f.description_ko.clone(), errs),
        XField::new(t, "description_en", "textarea", f.description_en.clone(), errs),
        XField::new(t, "coi_declaration", "textarea", f.coi_declaration.clone(), errs),
    ]
}

#[derive(Template)]
#[template(path = "expert_profile.html")]
struct ProfileTemplate {
    p: Page,
    action: String,
    /// The account's fields (when applying) then the listing's.
    fields: Vec<XField>,
    version: i64,
    /// The listing's status and the agency's note, when editing.
    status: Option<(String, String, String)>,
    has_errors: bool,
    submit_key: &'static str,
}

fn profile_input_of(x: &Expert) -> ProfileInput {
    ProfileInput {
        kind: x.kind.clone(),
        name_ko: x.name_ko.clone(),
        name_en: x.name_en.clone(),
        country: x.country.clone(),
        city: x.city.clone(),
        specialties: x.specialties.split_whitespace().map(str::to_string).collect(),
        languages: x.languages.clone(),
        fee_min_usd: x.fee_min_usd.map(|v| v.to_string()).unwrap_or_default(),
        fee_max_usd: x.fee_max_usd.map(|v| v.to_string()).unwrap_or_default(),
        contact_email: x.contact_email.clone(),
        description_ko: x.description_ko.clone(),
        description_en: x.description_en.clone(),
        coi_declaration: x.coi_declaration.clone(),
    }
}

async fn profile_page(
    state: &NavState,
    ctx: &Ctx,
    x: &Expert,
    f: &ProfileInput,
    version: i64,
    errs: &FieldErrors,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let p = Page::new(state, ctx, "expert-profile-title").with_flash(flash);
    let t = p.t;
    let status_label = Verification::parse(&x.status).map(|s| t.t(s.message_key())).unwrap_or_default();
    let fields = profile_fields(state, &t, f, errs);
    let mut r = render(ProfileTemplate {
        action: "/expert/profile".into(),
        fields,
        version,
        status: Some((x.status.clone(), status_label, x.status_note.clone())),
        has_errors: !errs.is_empty(),
        submit_key: "expert-profile-save",
        p,
    })?;
    if !errs.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn profile_form(State(state): State<NavState>, ctx: Ctx, Query(q): Query<FlashQuery>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let x = service::own_listing(&state, user).await.map_err(svc_err)?;
    let flash = (!q.saved.is_empty()).then_some(if x.status == "submitted" { "expert-profile-resubmitted" } else { "expert-saved" });
    profile_page(&state, &ctx, &x, &profile_input_of(&x), x.row_version, &FieldErrors::default(), flash).await
}

async fn save_profile(State(state): State<NavState>, ctx: Ctx, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let (f, rest) = profile_from(&pairs);
    let version: i64 = field_of(&rest, "version").parse().unwrap_or(0);
    match service::save_profile(&state, user, version, &f).await {
        Ok(_) => Ok(Redirect::to("/expert/profile?saved=1").into_response()),
        Err(ExpertError::Invalid(errs)) => {
            let x = service::own_listing(&state, user).await.map_err(svc_err)?;
            profile_page(&state, &ctx, &x, &f, version, &errs, None).await
        }
        Err(e) => Err(svc_err(e)),
    }
}

// ---- applying as an expert -------------------------------------------------------------------------------

fn account_fields(t: &Tr, name: &str, email: &str, errs: &FieldErrors) -> Vec<XField> {
    vec![
        XField::new(t, "display_name", "text", name, errs).required().autocomplete("name"),
        XField::new(t, "email", "email", email, errs).required().autocomplete("email"),
        XField::new(t, "password", "password", "", errs).required().autocomplete("new-password"),
    ]
}

fn apply_page(state: &NavState, ctx: &Ctx, a: &Application, errs: &FieldErrors) -> Result<Response, PageError> {
    let p = Page::new(state, ctx, "expert-apply-title");
    let t = p.t;
    let mut fields = account_fields(&t, &a.display_name, &a.email, errs);
    fields.extend(profile_fields(state, &t, &a.profile, errs));
    let mut r = render(ProfileTemplate {
        action: "/experts/apply".into(),
        fields,
        version: 0,
        status: None,
        has_errors: !errs.is_empty(),
        submit_key: "expert-apply-submit",
        p,
    })?;
    if !errs.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn apply_form(State(state): State<NavState>, ctx: Ctx) -> Result<Response, PageError> {
    apply_page(&state, &ctx, &Application::default(), &FieldErrors::default())
}

#[derive(Template)]
#[template(path = "experts_applied.html")]
struct AppliedTemplate {
    p: Page,
}

async fn apply(State(state): State<NavState>, ctx: Ctx, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let (profile, rest) = profile_from(&pairs);
    let a = Application {
        display_name: field_of(&rest, "display_name").to_string(),
        email: field_of(&rest, "email").to_string(),
        password: field_of(&rest, "password").to_string(),
        profile,
    };
    match service::apply(&state, &a, ctx.lang, &ctx.ip).await {
        Ok(_) => render(AppliedTemplate { p: Page::new(&state, &ctx, "expert-applied-title") }),
        Err(ExpertError::Invalid(errs)) => apply_page(&state, &ctx, &a, &errs),
        Err(e) => Err(svc_err(e)),
    }
}

// ---- agency review ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "experts_review.html")]
struct ReviewTemplate {
    p: Page,
    /// (heading message id, table id, listings): the queue, then everything else.
    sections: Vec<(&'static str, &'static str, Vec<ExpertView>)>,
    error: Option<String>,
    can_endorse: bool,
}

async fn review_list(State(state): State<NavState>, ctx: Ctx, Query(q): Query<FlashQuery>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let agency = service::reviewer(&state, user).await.map_err(svc_err)?;
    let p = Page::new(&state, &ctx, "experts-review-title").with_flash((!q.saved.is_empty()).then_some("expert-saved"));
    let t = p.t;
    let all = store::experts::list(&state.store.db, &store::experts::Filter::default()).await?;
    let (queue, others): (Vec<&Expert>, Vec<&Expert>) = all.iter().partition(|x| x.status == Verification::Submitted.as_str());
    let error = error_text(&t, &q.error);
    render(ReviewTemplate {
        sections: vec![
            ("experts-review-queue", "review-queue", queue.into_iter().map(|x| view(&state, &t, x)).collect()),
            ("experts-review-all", "review-all", others.into_iter().map(|x| view(&state, &t, x)).collect()),
        ],
        error,
        can_endorse: agency.is_some(),
        p,
    })
}

#[derive(Deserialize, Default)]
struct ReviewForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

async fn review(State(state): State<NavState>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ReviewForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let Some(action) = Review::parse(&f.action) else { return back_with("/officer/experts", ExpertError::BadMove) };
    match service::review(&state, user, id, f.version, action, &f.reason).await {
        Ok(()) => Ok(Redirect::to("/officer/experts?saved=1").into_response()),
        Err(e) => back_with("/officer/experts", e),
    }
}
