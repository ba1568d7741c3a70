//! Local experts: who may do what, checked once here for pages and the API alike.
//!
//! The public and companies see verified listings only. A company member books a consultation
//! on a step of one of its own open plans, cancels it, and rates it once when it is done. An
//! expert (a user with role `expert` linked to a listing) edits its own listing and answers only
//! the consultations addressed to it. Agency staff and platform admins verify, suspend and
//! endorse listings. Every change is one transaction with its audit entry and, where another
//! person should know, a notification in the app and an e-mail through the outbox.

use domain::expert::{self, ConsultationActor, ConsultationStatus, ProfileInput, RatingRefusal, Verification};
use domain::{FieldError, FieldErrors, Role};
use kit::i18n::{Lang, Tr};
use navigator::NavState;
use store::experts::{self, ConsultationRow, Expert, ExpertFields, NewConsultation, StepCheck};
use store::users::User;
use store::{StoreError, TransactionTrait};

#[derive(Debug)]
pub enum ExpertError {
    NotFound,
    Forbidden,
    Invalid(FieldErrors),
    /// Someone changed the record since the form was loaded.
    Stale,
    /// The move is not allowed from the current state or for this person.
    BadMove,
    /// The expert is not (or no longer) verified, so cannot be booked.
    Unavailable,
    /// Ratings are for finished consultations.
    NotDone,
    /// A consultation is rated once.
    AlreadyRated,
    Internal,
}

impl From<StoreError> for ExpertError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ExpertError::NotFound,
            StoreError::StaleVersion => ExpertError::Stale,
            StoreError::Duplicate(_) => ExpertError::Stale,
            other => {
                tracing::error!(error = %other, "storage failure in the expert service");
                ExpertError::Internal
            }
        }
    }
}

impl From<store::DbErr> for ExpertError {
    fn from(e: store::DbErr) -> Self {
        StoreError::from(e).into()
    }
}

impl ExpertError {
    /// Message id for the person (the web layer translates it).
    pub fn message_key(&self) -> &'static str {
        match self {
            ExpertError::NotFound => "error-not-found",
            ExpertError::Forbidden => "error-forbidden",
            ExpertError::Invalid(_) => "form-has-errors",
            ExpertError::Stale => "error-conflict",
            ExpertError::BadMove => "expert-error-bad-move",
            ExpertError::Unavailable => "expert-error-unavailable",
            ExpertError::NotDone => "expert-error-not-done",
            ExpertError::AlreadyRated => "expert-error-already-rated",
            ExpertError::Internal => "error-internal",
        }
    }
}

pub type Result<T> = std::result::Result<T, ExpertError>;

/// Who is acting in the expert area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Company(i64),
    /// The expert behind a listing.
    Expert(i64),
    /// Officers and agency admins (their agency), platform admins (none).
    Reviewer {
        agency_id: Option<i64>,
    },
    /// Signed out, analysts, and experts without a listing: the public view.
    Public,
}

/// Works out the viewer; an expert's listing is looked up by its account.
pub async fn viewer(state: &NavState, user: Option<&User>) -> Result<Viewer> {
    let Some(user) = user else { return Ok(Viewer::Public) };
    Ok(match user.role() {
        Role::CompanyMember => user.company_id.map(Viewer::Company).unwrap_or(Viewer::Public),
        Role::Officer | Role::AgencyAdmin => match user.agency_id {
            Some(a) => Viewer::Reviewer { agency_id: Some(a) },
            None => Viewer::Public,
        },
        Role::PlatformAdmin => Viewer::Reviewer { agency_id: user.agency_id },
        Role::Expert => match experts::by_user(&state.store.db, user.id).await? {
            Some(x) => Viewer::Expert(x.id),
            None => Viewer::Public,
        },
        Role::Analyst => Viewer::Public,
    })
}

// ---- the directory ---------------------------------------------------------------------------------

/// The public directory: verified listings only, whatever the caller asks for.
pub async fn directory(state: &NavState, mut filter: experts::Filter) -> Result<Vec<Expert>> {
    filter.status = Some(Verification::Verified.as_str().into());
    Ok(experts::list(&state.store.db, &filter).await?)
}

/// One listing as `viewer` may see it: verified ones for everyone; others only for reviewers
/// and for the expert itself. Anything else is NotFound, so a guess reveals nothing.
pub async fn listing(state: &NavState, viewer: Viewer, id: i64) -> Result<Expert> {
    let x = experts::get(&state.store.db, id).await?.ok_or(ExpertError::NotFound)?;
    let visible =
        x.status == Verification::Verified.as_str() || matches!(viewer, Viewer::Reviewer { .. }) || viewer == Viewer::Expert(x.id);
    if visible { Ok(x) } else { Err(ExpertError::NotFound) }
}

/// Parses a directory filter from query text, ignoring what is not a known value.
pub fn filter_from(country: &str, kind: &str, specialty: &str, korean: bool) -> experts::Filter {
    let country = country.trim().to_ascii_uppercase();
    experts::Filter {
        country: (country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic())).then_some(country),
        kind: expert::ExpertKind::parse(kind.trim()).map(|k| k.as_str().to_string()),
        specialty: expert::Specialty::parse(specialty.trim()).map(|s| s.as_str().to_string()),
        korean,
        status: None,
    }
}

// ---- booking ---------------------------------------------------------------------------------------

/// The booking form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct BookForm {
    #[serde(default)]
    pub plan_id: String,
    #[serde(default)]
    pub step_key: String,
    /// `plan_id:step_key` from the combined select (the page offers the steps of open plans).
    #[serde(default)]
    pub plan_step: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub preferred_date: String,
    #[serde(default)]
    pub voucher_program_id: String,
}

impl BookForm {
    fn plan_and_step(&self) -> (String, String) {
        if let Some((p, s)) = self.plan_step.split_once(':') {
            (p.trim().to_string(), s.trim().to_string())
        } else {
            (self.plan_id.trim().to_string(), self.step_key.trim().to_string())
        }
    }
}

/// A company member books a consultation with a verified expert on a step of one of its open plans.
pub async fn book(state: &NavState, user: &User, expert_id: i64, f: &BookForm) -> Result<i64> {
    let Viewer::Company(company_id) = viewer(state, Some(user)).await? else { return Err(ExpertError::Forbidden) };
    let tx = state.store.db.begin().await?;
    let x = experts::get(&tx, expert_id).await?.ok_or(ExpertError::NotFound)?;
    if x.status != Verification::Verified.as_str() {
        // Suspended and unverified listings are hidden from companies: the same answer as a guess.
        return Err(if x.status == Verification::Suspended.as_str() { ExpertError::Unavailable } else { ExpertError::NotFound });
    }
    let mut errs = FieldErrors::default();
    let (plan_text, step_key) = f.plan_and_step();
    let mut plan_id = None;
    match plan_text.parse::<i64>() {
        Err(_) => errs.push(FieldError::new("plan_step", "err-required")),
        Ok(p) => match experts::check_step(&tx, company_id, p, &step_key).await? {
            StepCheck::Bookable { .. } => plan_id = Some(p),
            // Another company's plan is reported like a missing one.
            StepCheck::NoPlan => errs.push(FieldError::new("plan_step", "expert-err-plan")),
            StepCheck::PlanClosed => errs.push(FieldError::new("plan_step", "expert-err-plan-closed")),
            StepCheck::NoStep => errs.push(FieldError::with_arg("plan_step", "expert-err-step", step_key.clone())),
        },
    }
    let message = errs.take(domain::text::required("message", &f.message, expert::MESSAGE_MAX));
    let preferred_date = match f.preferred_date.trim() {
        "" => None,
        s => match kit::util::parse_date(s) {
            Some(d) if s.len() == 10 && d >= kit::today() => Some(d.to_string()),
            Some(_) if s.len() == 10 => {
                errs.push(FieldError::new("preferred_date", "expert-err-date-past"));
                None
            }
            _ => {
                errs.push(FieldError::with_arg("preferred_date", "err-date", s.to_string()));
                None
            }
        },
    };
    let voucher = match f.voucher_program_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(p) if experts::holds_award(&tx, company_id, p).await? => Some(p),
            _ => {
                errs.push(FieldError::new("voucher_program_id", "expert-err-voucher"));
                None
            }
        },
    };
    let (Some(plan_id), Some(message)) = (plan_id, message) else { return Err(ExpertError::Invalid(errs)) };
    if !errs.is_empty() {
        return Err(ExpertError::Invalid(errs));
    }
    let id = experts::insert_consultation(
        &tx,
        &NewConsultation {
            expert_id,
            company_id,
            plan_id,
            step_key: &step_key,
            requested_by: user.id,
            message: &message,
            preferred_date: preferred_date.as_deref(),
            voucher_program_id: voucher,
        },
    )
    .await?;
    let k = experts::consultation(&tx, id).await?.ok_or(ExpertError::NotFound)?;
    tell_expert(state, &tx, &k, "consultation_requested", "mail-consultation-requested-subject", "mail-consultation-requested-body")
        .await?;
    store::audit::record(
        &tx,
        Some(user.id),
        &user.email,
        "consultation.request",
        &format!("consultation:{id}"),
        "",
        &format!("expert:{expert_id}"),
    )
    .await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(id)
}

/// A consultation as `viewer` may know it: the booking company's, or the addressed expert's.
pub async fn consultation(state: &NavState, viewer: Viewer, id: i64) -> Result<ConsultationRow> {
    let k = experts::consultation(&state.store.db, id).await?.ok_or(ExpertError::NotFound)?;
    let visible = match viewer {
        Viewer::Company(c) => k.company_id == c,
        Viewer::Expert(x) => k.expert_id == x,
        _ => false,
    };
    if visible { Ok(k) } else { Err(ExpertError::NotFound) }
}

/// Moves a consultation: the company cancels; the expert accepts, declines (with a note), marks
/// done or cancels. The other side hears of it.
pub async fn move_consultation(state: &NavState, user: &User, id: i64, version: i64, to: &str, note: &str) -> Result<()> {
    let v = viewer(state, Some(user)).await?;
    let k = consultation(state, v, id).await?;
    let actor = match v {
        Viewer::Company(_) => ConsultationActor::Company,
        Viewer::Expert(_) => ConsultationActor::Expert,
        _ => return Err(ExpertError::NotFound),
    };
    let from = ConsultationStatus::parse(&k.status).ok_or(ExpertError::BadMove)?;
    let to = ConsultationStatus::parse(to).ok_or(ExpertError::BadMove)?;
    if !expert::allowed(from, to, actor) {
        return Err(ExpertError::BadMove);
    }
    let note = note.trim();
    if note.chars().count() > expert::NOTE_MAX {
        return Err(ExpertError::Invalid(FieldErrors(vec![FieldError::with_arg("note", "err-too-long", expert::NOTE_MAX.to_string())])));
    }
    // A refusal owes the company a reason.
    if to == ConsultationStatus::Declined && note.is_empty() {
        return Err(ExpertError::Invalid(FieldErrors::single("note", "expert-err-decline-note")));
    }
    let tx = state.store.db.begin().await?;
    experts::move_consultation(&tx, id, version, from.as_str(), to.as_str(), (!note.is_empty()).then_some(note)).await?;
    let k = experts::consultation(&tx, id).await?.ok_or(ExpertError::NotFound)?;
    let kind = format!("consultation_{}", to.as_str());
    match actor {
        ConsultationActor::Expert => {
            let (subject, body) = match to {
                ConsultationStatus::Accepted => ("mail-consultation-accepted-subject", "mail-consultation-accepted-body"),
                ConsultationStatus::Declined => ("mail-consultation-declined-subject", "mail-consultation-declined-body"),
                ConsultationStatus::Done => ("mail-consultation-done-subject", "mail-consultation-done-body"),
                _ => ("mail-consultation-cancelled-subject", "mail-consultation-cancelled-body"),
            };
            tell_company(state, &tx, &k, &kind, subject, body).await?;
        }
        ConsultationActor::Company => {
            tell_expert(state, &tx, &k, &kind, "mail-consultation-cancelled-subject", "mail-consultation-cancelled-body").await?;
        }
    }
    store::audit::record(
        &tx,
        Some(user.id),
        &user.email,
        &format!("consultation.{}", to.as_str()),
        &format!("consultation:{id}"),
        "",
        note,
    )
    .await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// The company rates a finished consultation, once, from 1 to 5, with an optional review.
pub async fn rate(state: &NavState, user: &User, id: i64, version: i64, rating: &str, review: &str) -> Result<()> {
    let v = viewer(state, Some(user)).await?;
    if !matches!(v, Viewer::Company(_)) {
        return Err(ExpertError::Forbidden);
    }
    let k = consultation(state, v, id).await?;
    let status = ConsultationStatus::parse(&k.status).ok_or(ExpertError::BadMove)?;
    match expert::may_rate(status, k.rating.is_some()) {
        Err(RatingRefusal::NotDone) => return Err(ExpertError::NotDone),
        Err(RatingRefusal::AlreadyRated) => return Err(ExpertError::AlreadyRated),
        Ok(()) => {}
    }
    let mut errs = FieldErrors::default();
    let stars = errs.take(expert::rating("rating", rating));
    let review = errs.take(domain::text::optional("review", review, expert::NOTE_MAX)).flatten().unwrap_or_default();
    let Some(stars) = stars.filter(|_| errs.is_empty()) else { return Err(ExpertError::Invalid(errs)) };
    let tx = state.store.db.begin().await?;
    experts::rate(&tx, id, version, stars, &review).await.map_err(|e| match e {
        // Rated in another tab meanwhile: say so rather than "changed by someone".
        StoreError::StaleVersion => ExpertError::AlreadyRated,
        other => other.into(),
    })?;
    if let Some(u) = k.expert_user_id {
        store::programs::notify(&tx, u, "consultation_rated", &payload(&k, "/expert")).await?;
    }
    store::audit::record(&tx, Some(user.id), &user.email, "consultation.rate", &format!("consultation:{id}"), "", &stars.to_string())
        .await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// What a notification about a consultation carries: enough to be shown without another query.
fn payload(k: &ConsultationRow, path: &str) -> serde_json::Value {
    serde_json::json!({
        "consultation_id": k.id,
        "title_ko": k.expert_name_ko,
        "title_en": k.expert_name_en,
        "step_key": k.step_key,
        "link": path,
    })
}

fn mail_args(state: &NavState, t: &Tr, k: &ConsultationRow, name: &str, path: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("expert", t.pick(&k.expert_name_ko, &k.expert_name_en).to_string()),
        ("company", t.pick(&k.company_name_ko, k.company_name_en.as_deref().unwrap_or("")).to_string()),
        ("step", k.step_key.clone()),
        ("note", k.response_note.clone()),
        ("link", format!("{}{path}", state.config.base_url.trim_end_matches('/'))),
    ]
}

/// The expert hears of a booking (or a cancellation) in the app when it has an account, and by
/// e-mail at the listing's contact address in any case.
async fn tell_expert(
    state: &NavState,
    tx: &impl store::ConnectionTrait,
    k: &ConsultationRow,
    kind: &str,
    subject_key: &str,
    body_key: &str,
) -> Result<()> {
    let mut lang = Lang::En;
    let mut name = k.expert_name_en.clone();
    if let Some(uid) = k.expert_user_id {
        store::programs::notify(tx, uid, kind, &payload(k, "/expert")).await?;
        if let Some(u) = store::users::by_id(tx, uid).await? {
            lang = Lang::parse(&u.locale).unwrap_or(Lang::En);
            name = u.display_name;
        }
    }
    let t = Tr::new(lang);
    let body = t.targs(body_key, &mail_args(state, &t, k, &name, "/expert"));
    kit::mail::enqueue(tx, &kit::mail::Email { to: k.expert_email.clone(), subject: t.ta(subject_key, &k.step_key), body }).await?;
    Ok(())
}

/// The member who booked hears of the expert's answer (every member, when that account is gone).
async fn tell_company(
    state: &NavState,
    tx: &impl store::ConnectionTrait,
    k: &ConsultationRow,
    kind: &str,
    subject_key: &str,
    body_key: &str,
) -> Result<()> {
    let requester = match k.requested_by {
        Some(u) => store::users::by_id(tx, u).await?.filter(|u| u.active && u.company_id == Some(k.company_id)),
        None => None,
    };
    let who = match requester {
        Some(u) => vec![u],
        None => store::users::members_of(tx, k.company_id).await?,
    };
    for m in who {
        store::programs::notify(tx, m.id, kind, &payload(k, "/my/consultations")).await?;
        let t = Tr::new(Lang::parse(&m.locale).unwrap_or_default());
        let body = t.targs(body_key, &mail_args(state, &t, k, &m.display_name, "/my/consultations"));
        kit::mail::enqueue(tx, &kit::mail::Email { to: m.email.clone(), subject: t.ta(subject_key, &k.step_key), body }).await?;
    }
    Ok(())
}

// ---- the expert's own listing ----------------------------------------------------------------------

/// Checks a profile, including that the country is one we know.
pub fn validate_profile(state: &NavState, f: &ProfileInput) -> std::result::Result<ExpertFields, FieldErrors> {
    let checked = expert::validate_profile(f);
    let country = f.country.trim().to_ascii_uppercase();
    let unknown_country = country.len() == 2 && state.refs().country(&country).is_none();
    match checked {
        Ok(p) if !unknown_country => Ok(ExpertFields {
            country: p.country.clone(),
            kind: p.kind.as_str().into(),
            name_ko: p.name_ko.clone(),
            name_en: p.name_en.clone(),
            city: p.city.clone(),
            specialties: p.specialties_text(),
            languages: p.languages_text(),
            fee_min_usd: p.fee_min_usd,
            fee_max_usd: p.fee_max_usd,
            contact_email: p.contact_email.clone(),
            description_ko: p.description_ko.clone(),
            description_en: p.description_en.clone(),
            coi_declaration: p.coi_declaration.clone(),
        }),
        Ok(_) => Err(FieldErrors::single("country", "err-country-unknown")),
        Err(mut errs) => {
            if unknown_country && errs.for_field("country").is_none() {
                errs.push(FieldError::with_arg("country", "err-country-unknown", country));
            }
            Err(errs)
        }
    }
}

/// The signed-in expert's listing.
pub async fn own_listing(state: &NavState, user: &User) -> Result<Expert> {
    if user.role() != Role::Expert {
        return Err(ExpertError::Forbidden);
    }
    experts::by_user(&state.store.db, user.id).await?.ok_or(ExpertError::NotFound)
}

/// The expert edits its listing; a verified one goes back to the review queue.
pub async fn save_profile(state: &NavState, user: &User, version: i64, f: &ProfileInput) -> Result<Verification> {
    let x = own_listing(state, user).await?;
    let fields = validate_profile(state, f).map_err(ExpertError::Invalid)?;
    let status = Verification::parse(&x.status).unwrap_or(Verification::Submitted).after_edit();
    let tx = state.store.db.begin().await?;
    experts::update_profile(&tx, x.id, version, &fields, status.as_str()).await?;
    let detail = if fields.coi_declaration != x.coi_declaration { "coi declared" } else { "" };
    store::audit::record(&tx, Some(user.id), &user.email, "expert.edit", &format!("expert:{}", x.id), "", detail).await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(status)
}

/// Consultations addressed to the signed-in expert.
pub async fn inbox(state: &NavState, user: &User) -> Result<(Expert, Vec<ConsultationRow>)> {
    let x = own_listing(state, user).await?;
    let rows = experts::for_expert(&state.store.db, x.id).await?;
    Ok((x, rows))
}

/// Applying as an expert: an account (role `expert`) and a submitted listing, together or not at all.
#[derive(Debug, Clone, Default)]
pub struct Application {
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub profile: ProfileInput,
}

pub async fn apply(state: &NavState, a: &Application, lang: Lang, ip: &str) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let display_name = errs.take(domain::text::required("display_name", &a.display_name, 100));
    let email = errs.take(domain::text::email("email", &a.email));
    let password = errs.take(domain::text::new_password("password", &a.password));
    let fields = match validate_profile(state, &a.profile) {
        Ok(f) => Some(f),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    let (Some(display_name), Some(email), Some(password), Some(fields)) = (display_name, email, password, fields) else {
        return Err(ExpertError::Invalid(errs));
    };
    let hash = kit::auth::hash_off_thread(password.clone()).await;
    let tx = state.store.db.begin().await?;
    let user_id = match store::users::create(
        &tx,
        store::users::NewUser {
            email: &email,
            password_hash: &hash,
            display_name: &display_name,
            role: Role::Expert,
            agency_id: None,
            company_id: None,
            locale: lang.code(),
            // The listing is reviewed by an agency before anyone sees it; the address is proven
            // by the reviewer's contact, so no confirmation link is needed to sign in and wait.
            email_confirmed: true,
            confirm_token_hash: None,
        },
    )
    .await
    {
        Ok(id) => id,
        Err(StoreError::Duplicate(_)) => return Err(ExpertError::Invalid(FieldErrors::single("email", "err-email-taken"))),
        Err(e) => return Err(e.into()),
    };
    let id = experts::insert(&tx, &fields, Some(user_id), false).await?;
    store::audit::record(&tx, Some(user_id), &email, "expert.apply", &format!("expert:{id}"), ip, "").await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(id)
}

// ---- agency review ---------------------------------------------------------------------------------

/// What a reviewer does to a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Verify,
    Suspend,
    Endorse,
}

impl Review {
    pub fn parse(s: &str) -> Option<Review> {
        match s {
            "verify" => Some(Review::Verify),
            "suspend" => Some(Review::Suspend),
            "endorse" => Some(Review::Endorse),
            _ => None,
        }
    }
}

/// The reviewer's agency (`None` for a platform admin without one); Forbidden for anyone else.
pub async fn reviewer(state: &NavState, user: &User) -> Result<Option<i64>> {
    match viewer(state, Some(user)).await? {
        Viewer::Reviewer { agency_id } => Ok(agency_id),
        _ => Err(ExpertError::Forbidden),
    }
}

/// Verifies, suspends (with a reason) or endorses a listing. The expert hears of a verification
/// or a suspension.
pub async fn review(state: &NavState, user: &User, id: i64, version: i64, action: Review, reason: &str) -> Result<()> {
    let agency = reviewer(state, user).await?;
    let x = experts::get(&state.store.db, id).await?.ok_or(ExpertError::NotFound)?;
    let from = Verification::parse(&x.status).ok_or(ExpertError::BadMove)?;
    let reason = reason.trim();
    if reason.chars().count() > expert::NOTE_MAX {
        return Err(ExpertError::Invalid(FieldErrors(vec![FieldError::with_arg("reason", "err-too-long", expert::NOTE_MAX.to_string())])));
    }
    let tx = state.store.db.begin().await?;
    let (action_name, kind) = match action {
        Review::Verify => {
            if !from.can_move(Verification::Verified) {
                return Err(ExpertError::BadMove);
            }
            experts::set_status(&tx, id, version, from.as_str(), "verified", "", Some((agency, user.id))).await?;
            ("expert.verify", Some("expert_verified"))
        }
        Review::Suspend => {
            if !from.can_move(Verification::Suspended) {
                return Err(ExpertError::BadMove);
            }
            // Companies that booked deserve to know why; the reason is kept on the listing.
            if reason.is_empty() {
                return Err(ExpertError::Invalid(FieldErrors::single("reason", "expert-err-suspend-reason")));
            }
            experts::set_status(&tx, id, version, from.as_str(), "suspended", reason, None).await?;
            ("expert.suspend", Some("expert_suspended"))
        }
        Review::Endorse => {
            // An endorsement speaks for an agency; a platform admin without one has none to give.
            let Some(agency) = agency else { return Err(ExpertError::Forbidden) };
            if from != Verification::Verified {
                return Err(ExpertError::BadMove);
            }
            experts::endorse(&tx, id, version, agency).await?;
            ("expert.endorse", None)
        }
    };
    if let (Some(kind), Some(uid)) = (kind, x.user_id) {
        let payload = serde_json::json!({"expert_id": id, "title_ko": x.name_ko, "title_en": x.name_en, "link": "/expert/profile"});
        store::programs::notify(&tx, uid, kind, &payload).await?;
    }
    store::audit::record(&tx, Some(user.id), &user.email, action_name, &format!("expert:{id}"), "", reason).await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// After a committed change: consultations show on their plans, so this node applies the
/// change log now (read-your-writes); other nodes hear of it from their feed.
async fn after_change(state: &NavState) {
    if let Err(e) = state.kit.changes.catch_up(&state.store).await {
        tracing::warn!(error = %e, "could not apply the change log after a change; the next round retries");
    }
}
