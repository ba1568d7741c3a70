//! What people do with regulatory cases, checked once here for pages and the API alike: who
//! may see and move a case, the clock that pauses and resumes, referrals between agencies,
//! merges, follow-ups, the knowledge base, and who is told (in the app and by e-mail through the
//! outbox). Every change is one transaction with its timeline event and audit entry; a stale
//! version is refused with a clear message instead of overwriting another officer's work.

use crate::DeskState;
use crate::runtime::{self, DeskConfig};
use domain::case::{CaseActor, CaseCategory, CaseStatus, Priority, WaitingOn};
use domain::{FieldError, FieldErrors, Role};
use kit::i18n::{Lang, Tr};
use kit::today;
use store::cases::{self, Case, CaseFields, NewEvent};
use store::users::User;
use store::{StoreError, TransactionTrait};

#[derive(Debug)]
pub enum CaseError {
    NotFound,
    Forbidden,
    Invalid(FieldErrors),
    /// Someone changed the case since the form was loaded.
    Stale,
    /// The move is not allowed from the current state or for this person.
    BadMove,
    Upload(domain::upload::UploadError),
    Internal(String),
}

impl From<StoreError> for CaseError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => CaseError::NotFound,
            StoreError::StaleVersion => CaseError::Stale,
            StoreError::Duplicate(_) => CaseError::Stale,
            other => {
                tracing::error!(error = %other, "storage failure in the case service");
                CaseError::Internal(other.to_string())
            }
        }
    }
}

impl From<store::DbErr> for CaseError {
    fn from(e: store::DbErr) -> Self {
        StoreError::from(e).into()
    }
}

impl CaseError {
    /// Message id for the person (the web layer translates it).
    pub fn message_key(&self) -> &'static str {
        match self {
            CaseError::NotFound => "error-not-found",
            CaseError::Forbidden => "error-forbidden",
            CaseError::Invalid(_) => "form-has-errors",
            CaseError::Stale => "case-error-stale",
            CaseError::BadMove => "case-error-bad-move",
            CaseError::Upload(u) => u.message_key(),
            CaseError::Internal(_) => "error-internal",
        }
    }
}

pub type Result<T> = std::result::Result<T, CaseError>;

/// A page shows what it can of a refusal; what it cannot explain next to a form becomes the
/// error page (the form-level cases are the pages' own: a redirect with the reason).
impl From<CaseError> for kit::PageError {
    fn from(e: CaseError) -> Self {
        use kit::error::PageErrorKind as K;
        match e {
            CaseError::NotFound => kit::PageError::not_found(),
            CaseError::Forbidden => kit::PageError::forbidden(),
            CaseError::Stale => kit::PageError(K::Conflict),
            _ => kit::PageError(K::Internal),
        }
    }
}

/// Who is looking at a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Company(i64),
    /// Staff of an agency; `admin` for agency administrators.
    Agency {
        agency_id: i64,
        admin: bool,
    },
    Platform,
}

pub fn viewer(user: &User) -> Option<Viewer> {
    match user.role() {
        Role::CompanyMember => user.company_id.map(Viewer::Company),
        Role::Officer => user.agency_id.map(|a| Viewer::Agency { agency_id: a, admin: false }),
        Role::AgencyAdmin => user.agency_id.map(|a| Viewer::Agency { agency_id: a, admin: true }),
        Role::PlatformAdmin => Some(Viewer::Platform),
        // Analysts see aggregates, never a company's case.
        Role::Analyst => None,
        // Experts see consultations addressed to them, not the desk.
        Role::Expert => None,
    }
}

impl Viewer {
    pub fn is_staff(self) -> bool {
        !matches!(self, Viewer::Company(_))
    }
    /// Terms the search index matches against documents' visibility.
    pub fn search_terms(self) -> Vec<String> {
        match self {
            Viewer::Company(c) => vec![format!("company:{c}")],
            Viewer::Agency { agency_id, .. } => vec![format!("agency:{agency_id}")],
            Viewer::Platform => vec!["platform".into()],
        }
    }
    pub fn scope(self) -> cases::Scope {
        match self {
            Viewer::Company(c) => cases::Scope::Company(c),
            Viewer::Agency { agency_id, .. } => cases::Scope::Agency(agency_id),
            Viewer::Platform => cases::Scope::All,
        }
    }
}

/// A case as this viewer may know it, with what they may do.
pub struct Access {
    pub case: Case,
    pub viewer: Viewer,
    /// Holds the case (may move it, assign, refer, merge).
    pub holds: bool,
    /// Staff who may add replies and notes (holder, or an agency it was referred to).
    pub works: bool,
}

/// Loads the case if `user` may see it; otherwise NotFound, so that a guess reveals nothing.
pub async fn access(state: &DeskState, user: &User, case_id: i64) -> Result<Access> {
    let v = viewer(user).ok_or(CaseError::NotFound)?;
    let k = cases::get(&state.store.db, case_id).await?.ok_or(CaseError::NotFound)?;
    let (visible, holds, works) = match v {
        Viewer::Company(c) => (k.company_id == c, false, false),
        _ if k.status == "draft" => (false, false, false),
        Viewer::Platform => (true, true, true),
        Viewer::Agency { agency_id, .. } => {
            let agencies = cases::agencies_with_access(&state.store.db, case_id).await?;
            let holds = k.agency_id == Some(agency_id);
            (agencies.contains(&agency_id), holds, agencies.contains(&agency_id))
        }
    };
    if !visible {
        return Err(CaseError::NotFound);
    }
    Ok(Access { case: k, viewer: v, holds, works })
}

/// [`access`]'s answer from the node's case index instead of the database, or None where the
/// index says no (the caller then asks the database: the index may not have caught up yet).
/// The index has the same agencies (holder, referrers, referees not declined); it follows
/// changes made on this node at once and on others within a poll, as kept pages do. The case
/// comes without its description (see `case_details` for that).
pub fn access_indexed(user: &User, e: &crate::case_index::Entry) -> Option<Access> {
    rights_indexed(user, e).map(|r| Access { case: e.case.clone(), viewer: r.viewer, holds: r.holds, works: r.works })
}

/// What a reader may do with a case: [`Access`] without the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rights {
    pub viewer: Viewer,
    pub holds: bool,
    pub works: bool,
}

/// [`access_indexed`] without copying the case out of the index.
pub fn rights_indexed(user: &User, e: &crate::case_index::Entry) -> Option<Rights> {
    let viewer = viewer(user)?;
    let k = &e.case;
    let (visible, holds, works) = match viewer {
        Viewer::Company(c) => (k.company_id == c, false, false),
        _ if k.status == "draft" => (false, false, false),
        Viewer::Platform => (true, true, true),
        Viewer::Agency { agency_id, .. } => {
            let sees = e.agencies.contains(&agency_id);
            (sees, k.agency_id == Some(agency_id), sees)
        }
    };
    visible.then_some(Rights { viewer, holds, works })
}

// ---- reporting --------------------------------------------------------------------------------

/// The report form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub hs_codes: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub impact_krw: String,
    #[serde(default)]
    pub deadline: String,
}

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 10_000;
pub const HS_MAX: usize = 20;

/// Checks the report. A draft may be incomplete; a submission may not.
pub fn validate_report(state: &DeskState, f: &ReportForm, submitting: bool) -> std::result::Result<CaseFields, FieldErrors> {
    let mut errs = FieldErrors::default();
    let refs = state.refs();
    let category = f.category.trim();
    if category.is_empty() {
        if submitting {
            errs.push(FieldError::new("category", "err-required"));
        }
    } else if CaseCategory::parse(category).is_none() {
        errs.push(FieldError::new("category", "err-choose"));
    }
    let country = f.country.trim().to_ascii_uppercase();
    if country.is_empty() {
        if submitting {
            errs.push(FieldError::new("country", "err-required"));
        }
    } else if refs.country(&country).is_none() {
        errs.push(FieldError::with_arg("country", "err-country-unknown", country.clone()));
    }
    let mut hs_codes = Vec::new();
    for code in f.hs_codes.split([',', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        let digits: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() < 2 || refs.hs(&digits).is_none() && !(digits.len() >= 6 && refs.hs(&digits[..6]).is_some()) {
            errs.push(FieldError::with_arg("hs_codes", "err-hs-unknown", code));
            break;
        }
        if !hs_codes.contains(&digits) {
            hs_codes.push(digits);
        }
    }
    if hs_codes.len() > HS_MAX {
        errs.push(FieldError::new("hs_codes", "case-error-too-many-hs"));
    }
    let title = f.title.trim().to_string();
    if title.chars().count() > TITLE_MAX {
        errs.push(FieldError::with_arg("title", "err-too-long", TITLE_MAX.to_string()));
    } else if submitting && title.chars().count() < 5 {
        errs.push(FieldError::new("title", "case-error-title-short"));
    }
    let description = f.description.trim().to_string();
    if description.chars().count() > TEXT_MAX {
        errs.push(FieldError::with_arg("description", "err-too-long", TEXT_MAX.to_string()));
    } else if submitting && description.chars().count() < 20 {
        errs.push(FieldError::new("description", "case-error-description-short"));
    }
    let impact_krw = match f.impact_krw.trim().replace([',', ' '], "") {
        s if s.is_empty() => None,
        s => match s.parse::<i64>() {
            Ok(n) if (0..=1_000_000_000_000_000).contains(&n) => Some(n),
            _ => {
                errs.push(FieldError::new("impact_krw", "err-integer"));
                None
            }
        },
    };
    let deadline = match f.deadline.trim() {
        "" => None,
        s => match kit::util::parse_date(s) {
            Some(d) => Some(d.to_string()),
            None => {
                errs.push(FieldError::with_arg("deadline", "err-date", s.to_string()));
                None
            }
        },
    };
    // A draft needs at least something to be found again by.
    if !submitting && title.is_empty() && description.is_empty() {
        errs.push(FieldError::new("title", "case-error-empty-draft"));
    }
    if errs.is_empty() {
        Ok(CaseFields { category: category.to_string(), country, title, description, impact_krw, deadline, hs_codes })
    } else {
        Err(errs)
    }
}

/// Saves a new report or the company's draft, with any evidence attached; with `submit`, sends
/// it to the desk.
pub async fn save_report(
    state: &DeskState,
    user: &User,
    existing: Option<(i64, i64)>,
    form: &ReportForm,
    submit: bool,
    files: Vec<Upload>,
) -> Result<i64> {
    let company_id = match viewer(user) {
        Some(Viewer::Company(c)) => c,
        _ => return Err(CaseError::Forbidden),
    };
    let fields = validate_report(state, form, submit).map_err(CaseError::Invalid)?;
    let checked = check_uploads(&files)?;
    let stored = store_files(state, &files, &checked).await?;
    let tx = state.store.db.begin().await?;
    let id = match existing {
        Some((id, version)) => {
            let k = cases::get(&tx, id).await?.ok_or(CaseError::NotFound)?;
            if k.company_id != company_id {
                return Err(CaseError::NotFound);
            }
            if k.status != "draft" {
                return Err(CaseError::BadMove);
            }
            cases::update_draft(&tx, id, version, &fields).await?;
            id
        }
        None => {
            let id = cases::insert(&tx, company_id, user.id, &fields, "draft", &store::now_iso()).await?;
            cases::add_event(&tx, event(id, "created", user, None, None, "", false)).await?;
            id
        }
    };
    if !files.is_empty() {
        let ev = cases::add_event(&tx, event(id, "message", user, None, None, "", false)).await?;
        record_files(&tx, id, ev, user, &files, &stored, false).await?;
    }
    if submit {
        let mut k = cases::get(&tx, id).await?.ok_or(CaseError::NotFound)?;
        submit_case(state, &tx, user, &mut k, &fields.hs_codes).await?;
    }
    store::audit::record(&tx, Some(user.id), &user.email, if submit { "case.submit" } else { "case.draft" }, &format!("case:{id}"), "", "")
        .await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(id)
}

async fn submit_case(state: &DeskState, tx: &impl store::ConnectionTrait, user: &User, k: &mut Case, hs: &[String]) -> Result<()> {
    let cfg = state.desk().await?;
    let now = store::now_iso();
    let agency = cfg.route(&k.category, &k.country, hs).or(fallback_agency(state).await?);
    k.status = "submitted".into();
    k.waiting_on = "desk".into();
    k.agency_id = agency;
    k.submitted_at = Some(now);
    k.paused_business_days = 0;
    k.paused_since = None;
    runtime::refresh_due_dates(&cfg, k);
    cases::save_state(tx, k).await?;
    k.version += 1;
    let agency_id = agency.map(|a| a.to_string());
    cases::add_event(tx, event(k.id, "submitted", user, Some("draft"), Some("submitted"), "", false)).await?;
    cases::add_event(
        tx,
        NewEvent {
            case_id: k.id,
            kind: "routed",
            actor_id: None,
            actor_agency_id: agency,
            from_value: None,
            to_value: agency_id.as_deref(),
            body: "",
            internal: false,
        },
    )
    .await?;
    Ok(())
}

/// When no routing rule matches, the ministry's desk takes the case.
async fn fallback_agency(state: &DeskState) -> Result<Option<i64>> {
    Ok(store::agencies::by_code(&state.store.db, "MSS").await?.map(|a| a.id))
}

pub fn event<'a>(
    case_id: i64,
    kind: &'a str,
    user: &User,
    from: Option<&'a str>,
    to: Option<&'a str>,
    body: &'a str,
    internal: bool,
) -> NewEvent<'a> {
    NewEvent { case_id, kind, actor_id: Some(user.id), actor_agency_id: user.agency_id, from_value: from, to_value: to, body, internal }
}

/// After a committed change: this node's index sees it now, others within a poll.
pub async fn after_change(state: &DeskState) {
    if let Err(e) = runtime::sync_index(state).await {
        tracing::warn!(error = %e, "search index refresh failed; the next poll retries");
    }
}

// ---- workflow ---------------------------------------------------------------------------------

pub const NOTE_MAX: usize = 5000;

pub fn check_note(note: &str, required: bool) -> Result<()> {
    let n = note.trim().chars().count();
    if n > NOTE_MAX {
        return Err(CaseError::Invalid(FieldErrors(vec![FieldError::with_arg("note", "err-too-long", NOTE_MAX.to_string())])));
    }
    if required && n == 0 {
        return Err(CaseError::Invalid(FieldErrors::single("note", "err-required")));
    }
    Ok(())
}

/// Moves the case to `to`. Officers of the holding agency (and platform administrators) work
/// the queue; the company withdraws or reopens.
pub async fn transition(state: &DeskState, user: &User, case_id: i64, version: i64, to: &str, note: &str) -> Result<()> {
    let a = access(state, user, case_id).await?;
    let actor = match a.viewer {
        Viewer::Company(_) => CaseActor::Company,
        _ if a.holds => CaseActor::Officer,
        _ => return Err(CaseError::Forbidden),
    };
    let from = CaseStatus::parse(&a.case.status).ok_or(CaseError::BadMove)?;
    let to_s = CaseStatus::parse(to).ok_or(CaseError::BadMove)?;
    if !domain::case::allowed(from, to_s, actor) {
        return Err(CaseError::BadMove);
    }
    // Closing as a duplicate goes through `merge`, which names the case it duplicates.
    if to_s == CaseStatus::ClosedDuplicate {
        return Err(CaseError::BadMove);
    }
    check_note(note, to_s.is_final() && actor == CaseActor::Officer)?;
    if a.case.version != version {
        return Err(CaseError::Stale);
    }
    let cfg = state.desk().await?;
    let mut k = a.case;
    let day = today();
    let tx = state.store.db.begin().await?;
    if from == CaseStatus::Draft {
        let hs = cases::products(&tx, k.id).await?;
        let fields = ReportForm {
            category: k.category.clone(),
            country: k.country.clone(),
            hs_codes: hs.join(","),
            title: k.title.clone(),
            description: k.description.clone(),
            impact_krw: k.impact_krw.map(|n| n.to_string()).unwrap_or_default(),
            deadline: k.deadline.clone().unwrap_or_default(),
        };
        validate_report(state, &fields, true).map_err(CaseError::Invalid)?;
        submit_case(state, &tx, user, &mut k, &hs).await?;
    } else {
        if to_s.is_final() {
            // The clock stops for good; an open pause ends today.
            close_pause(&cfg, &tx, &mut k, day).await?;
            k.resolved_at = Some(store::now_iso());
            k.waiting_on = "desk".into();
        } else if from.is_final() {
            // Reopened: the resolution clock starts again from today (the original submission
            // stays on the timeline).
            k.resolved_at = None;
            k.submitted_at = Some(store::now_iso());
            k.paused_business_days = 0;
            k.paused_since = None;
            k.waiting_on = "desk".into();
            runtime::refresh_due_dates(&cfg, &mut k);
        }
        if actor == CaseActor::Officer && k.first_response_at.is_none() {
            k.first_response_at = Some(store::now_iso());
        }
        k.status = to.to_string();
        cases::save_state(&tx, &k).await?;
        cases::add_event(&tx, event(k.id, "status", user, Some(from.as_str()), Some(to), note.trim(), false)).await?;
    }
    store::audit::record(&tx, Some(user.id), &user.email, "case.transition", &format!("case:{case_id}"), from.as_str(), to).await?;
    if actor == CaseActor::Officer {
        tell_company(state, &tx, &k, "case_status", "mail-case-status-subject", "mail-case-status-body", &[("status", to.to_string())])
            .await?;
    } else {
        tell_holder(state, &tx, &k, "case_company_moved").await?;
    }
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// Ends an open pause on `day`, adding its business days to the case's paused total.
async fn close_pause(cfg: &DeskConfig, tx: &impl store::ConnectionTrait, k: &mut Case, day: time::Date) -> Result<()> {
    if let Some(since) = k.paused_since.take() {
        if let Some(s) = kit::util::parse_date(&since) {
            k.paused_business_days += cfg.calendar.business_days_between(s, day);
        }
        cases::close_pause(tx, k.id, &day.to_string()).await?;
        runtime::refresh_due_dates(cfg, k);
    }
    Ok(())
}

/// Says whom the case waits on; waiting on the company or a foreign government stops the clock.
pub async fn set_waiting(state: &DeskState, user: &User, case_id: i64, version: i64, waiting: &str, note: &str) -> Result<()> {
    let a = access(state, user, case_id).await?;
    if !a.holds {
        return Err(CaseError::Forbidden);
    }
    let w = WaitingOn::parse(waiting).ok_or(CaseError::BadMove)?;
    let status = CaseStatus::parse(&a.case.status).ok_or(CaseError::BadMove)?;
    if !status.is_open() {
        return Err(CaseError::BadMove);
    }
    check_note(note, false)?;
    if a.case.version != version {
        return Err(CaseError::Stale);
    }
    let mut k = a.case;
    let old = k.waiting_on.clone();
    if old == waiting {
        return Ok(());
    }
    let tx = state.store.db.begin().await?;
    set_waiting_in(state, &tx, &mut k, w).await?;
    if k.first_response_at.is_none() {
        k.first_response_at = Some(store::now_iso());
    }
    cases::save_state(&tx, &k).await?;
    cases::add_event(&tx, event(k.id, "waiting", user, Some(&old), Some(waiting), note.trim(), false)).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "case.waiting", &format!("case:{case_id}"), &old, waiting).await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

async fn set_waiting_in(state: &DeskState, tx: &impl store::ConnectionTrait, k: &mut Case, w: WaitingOn) -> Result<()> {
    let cfg = state.desk().await?;
    let day = today();
    let was_paused = WaitingOn::parse(&k.waiting_on).is_some_and(|o| o.pauses_clock());
    match (was_paused, w.pauses_clock()) {
        (false, true) => {
            cases::open_pause(tx, k.id, w.as_str(), &day.to_string()).await?;
            k.paused_since = Some(day.to_string());
        }
        (true, false) => close_pause(&cfg, tx, k, day).await?,
        (true, true) => {
            // From one pausing party to the other: one pause ends, the next begins.
            close_pause(&cfg, tx, k, day).await?;
            cases::open_pause(tx, k.id, w.as_str(), &day.to_string()).await?;
            k.paused_since = Some(day.to_string());
        }
        (false, false) => {}
    }
    k.waiting_on = w.as_str().to_string();
    Ok(())
}

/// Assigns the case to an officer of the holding agency (or to nobody), and sets its priority.
pub async fn triage(state: &DeskState, user: &User, case_id: i64, version: i64, assignee: Option<i64>, priority: &str) -> Result<()> {
    let a = access(state, user, case_id).await?;
    if !a.holds {
        return Err(CaseError::Forbidden);
    }
    let p = Priority::parse(priority).ok_or_else(|| CaseError::Invalid(FieldErrors::single("priority", "err-choose")))?;
    if let Some(uid) = assignee {
        let u = store::users::by_id(&state.store.db, uid).await?.ok_or(CaseError::NotFound)?;
        let staff = matches!(u.role(), Role::Officer | Role::AgencyAdmin);
        if !staff || u.agency_id != a.case.agency_id || !u.active {
            return Err(CaseError::Invalid(FieldErrors::single("assignee", "case-error-assignee")));
        }
    }
    if a.case.version != version {
        return Err(CaseError::Stale);
    }
    let cfg = state.desk().await?;
    let mut k = a.case;
    let tx = state.store.db.begin().await?;
    if k.assignee_id != assignee {
        let from = k.assignee_id.map(|i| i.to_string());
        let to = assignee.map(|i| i.to_string());
        cases::add_event(&tx, event(k.id, "assigned", user, from.as_deref(), to.as_deref(), "", true)).await?;
        if let Some(uid) = assignee.filter(|&u| u != user.id) {
            store::programs::notify(&tx, uid, "case_assigned", &serde_json::json!({"case_id": k.id, "title": k.title})).await?;
        }
        k.assignee_id = assignee;
    }
    if k.priority != p.as_str() {
        cases::add_event(&tx, event(k.id, "priority", user, Some(&k.priority.clone()), Some(p.as_str()), "", true)).await?;
        k.priority = p.as_str().to_string();
        runtime::refresh_due_dates(&cfg, &mut k);
    }
    cases::save_state(&tx, &k).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "case.triage", &format!("case:{case_id}"), "", priority).await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// What kind of message is added to the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// From the company, or an officer's reply the company sees.
    Reply,
    /// Officers only.
    Note,
    /// An officer asks the company for information: the clock pauses until it answers.
    Request,
}

/// Adds a message (and its attachments) to the timeline; returns the event id.
pub async fn message(state: &DeskState, user: &User, case_id: i64, kind: MessageKind, body: &str, files: Vec<Upload>) -> Result<i64> {
    let a = access(state, user, case_id).await?;
    let company = matches!(a.viewer, Viewer::Company(_));
    if company && kind != MessageKind::Reply || !company && !a.works {
        return Err(CaseError::Forbidden);
    }
    if kind == MessageKind::Request && !a.holds {
        return Err(CaseError::Forbidden);
    }
    // Asking the company for information stops the clock, which only an open case has.
    if kind == MessageKind::Request && !CaseStatus::parse(&a.case.status).is_some_and(|s| s.is_open()) {
        return Err(CaseError::BadMove);
    }
    check_note(body, files.is_empty())?;
    if a.case.status == "draft" && !company {
        return Err(CaseError::NotFound);
    }
    let checked = check_uploads(&files)?;
    let mut k = a.case;
    let internal = kind == MessageKind::Note;
    let ev_kind = match (kind, company) {
        (MessageKind::Note, _) => "note",
        (MessageKind::Request, _) => "request",
        (MessageKind::Reply, true) if k.waiting_on == "company" => "answer",
        (MessageKind::Reply, true) => "message",
        (MessageKind::Reply, false) => "reply",
    };
    // Files are written before the transaction; if it fails they are unreferenced and harmless.
    let stored = store_files(state, &files, &checked).await?;
    let tx = state.store.db.begin().await?;
    let ev = cases::add_event(&tx, event(k.id, ev_kind, user, None, None, body.trim(), internal)).await?;
    record_files(&tx, k.id, ev, user, &files, &stored, internal).await?;
    let mut state_changed = false;
    match ev_kind {
        "request" => {
            set_waiting_in(state, &tx, &mut k, WaitingOn::Company).await?;
            state_changed = true;
        }
        "answer" => {
            // The company answered: the clock runs again and the desk has the ball.
            set_waiting_in(state, &tx, &mut k, WaitingOn::Desk).await?;
            state_changed = true;
        }
        _ => {}
    }
    if !company && !internal && k.first_response_at.is_none() {
        k.first_response_at = Some(store::now_iso());
        state_changed = true;
    }
    if state_changed {
        cases::save_state(&tx, &k).await?;
    } else {
        cases::touch(&tx, k.id).await?;
    }
    match ev_kind {
        "request" => tell_company(state, &tx, &k, "case_request", "mail-case-request-subject", "mail-case-request-body", &[]).await?,
        "reply" => tell_company(state, &tx, &k, "case_reply", "mail-case-reply-subject", "mail-case-reply-body", &[]).await?,
        "answer" | "message" => tell_holder(state, &tx, &k, "case_company_message").await?,
        _ => {}
    }
    if !company {
        mention(&tx, &k, user, body).await?;
    }
    store::audit::record(&tx, Some(user.id), &user.email, &format!("case.{ev_kind}"), &format!("case:{case_id}"), "", "").await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(ev)
}

/// `@someone@agency.example` (or `@someone` when one colleague with access has that e-mail name)
/// notifies that officer. Officers who may not see the case are not told of it.
async fn mention(tx: &impl store::ConnectionTrait, k: &Case, by: &User, body: &str) -> Result<()> {
    let handles: Vec<String> = body
        .split_whitespace()
        .filter_map(|w| w.strip_prefix('@'))
        .map(|w| w.trim_end_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if handles.is_empty() {
        return Ok(());
    }
    let agencies = cases::agencies_with_access(tx, k.id).await?;
    let mut staff = Vec::new();
    for a in &agencies {
        staff.extend(store::users::staff_of_agency(tx, *a).await?);
    }
    for h in handles {
        let hit: Vec<&User> =
            staff.iter().filter(|u| u.email.to_lowercase() == h || u.email.to_lowercase().split('@').next() == Some(h.as_str())).collect();
        if let [u] = hit.as_slice()
            && u.id != by.id
        {
            store::programs::notify(
                tx,
                u.id,
                "case_mention",
                &serde_json::json!({"case_id": k.id, "title": k.title, "by": by.display_name}),
            )
            .await?;
        }
    }
    Ok(())
}

/// The company's members hear of the desk's moves in the app and by e-mail.
async fn tell_company(
    state: &DeskState,
    tx: &impl store::ConnectionTrait,
    k: &Case,
    kind: &str,
    subject_key: &str,
    body_key: &str,
    extra: &[(&str, String)],
) -> Result<()> {
    let reference = reference(k);
    for m in store::users::members_of(tx, k.company_id).await? {
        let mut payload = serde_json::json!({"case_id": k.id, "title": k.title, "reference": reference});
        for (key, v) in extra {
            payload[*key] = serde_json::Value::String(v.clone());
        }
        store::programs::notify(tx, m.id, kind, &payload).await?;
        let t = Tr::new(Lang::parse(&m.locale).unwrap_or_default());
        let mut args = vec![
            ("name", m.display_name.clone()),
            ("reference", reference.clone()),
            ("title", k.title.clone()),
            ("link", format!("{}/cases/{}", state.config.base_url, k.id)),
        ];
        for (key, v) in extra {
            // Status values are shown by their label in the reader's language.
            let shown = if *key == "status" { t.t(&format!("case-status-{v}")) } else { v.clone() };
            args.push((key, shown));
        }
        let body = t.targs(body_key, &args);
        kit::mail::enqueue(tx, &kit::mail::Email { to: m.email.clone(), subject: t.ta(subject_key, &reference), body }).await?;
    }
    Ok(())
}

/// The assigned officer (or, when nobody is assigned, the holding agency's staff) hears of the
/// company's messages in the app.
async fn tell_holder(_state: &DeskState, tx: &impl store::ConnectionTrait, k: &Case, kind: &str) -> Result<()> {
    let payload = serde_json::json!({"case_id": k.id, "title": k.title, "reference": reference(k)});
    let who: Vec<i64> = match (k.assignee_id, k.agency_id) {
        (Some(u), _) => vec![u],
        (None, Some(a)) => store::users::staff_of_agency(tx, a).await?.into_iter().map(|u| u.id).collect(),
        _ => Vec::new(),
    };
    for u in who {
        store::programs::notify(tx, u, kind, &payload).await?;
    }
    Ok(())
}

pub fn reference(k: &Case) -> String {
    let year = k.created_at.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    domain::case::reference(year, k.id)
}

// ---- referrals, merges, links, follow-ups ------------------------------------------------------

/// The holder refers the case, whole or in part, to another agency.
pub async fn refer(state: &DeskState, user: &User, case_id: i64, version: i64, to_agency: i64, scope: &str, note: &str) -> Result<i64> {
    let a = access(state, user, case_id).await?;
    if !a.holds {
        return Err(CaseError::Forbidden);
    }
    if !matches!(scope, "whole" | "part") {
        return Err(CaseError::Invalid(FieldErrors::single("scope", "err-choose")));
    }
    check_note(note, true)?;
    let from = a.case.agency_id.ok_or(CaseError::BadMove)?;
    if to_agency == from || store::agencies::by_id(&state.store.db, to_agency).await?.is_none() {
        return Err(CaseError::Invalid(FieldErrors::single("to_agency", "case-error-referral-agency")));
    }
    if !CaseStatus::parse(&a.case.status).is_some_and(|s| s.is_open()) {
        return Err(CaseError::BadMove);
    }
    if a.case.version != version {
        return Err(CaseError::Stale);
    }
    if cases::referrals(&state.store.db, case_id).await?.iter().any(|r| r.status == "pending" && r.to_agency_id == to_agency) {
        return Err(CaseError::Invalid(FieldErrors::single("to_agency", "case-error-referral-pending")));
    }
    let mut k = a.case;
    let tx = state.store.db.begin().await?;
    let id = cases::add_referral(&tx, k.id, from, to_agency, scope, note.trim(), user.id).await?;
    // The company sees that another agency was asked; the note stays among officers.
    cases::add_event(&tx, event(k.id, "referred", user, Some(scope), Some(&to_agency.to_string()), "", false)).await?;
    cases::add_event(&tx, event(k.id, "note", user, None, None, note.trim(), true)).await?;
    cases::save_state(&tx, &k).await?;
    k.version += 1;
    for u in store::users::staff_of_agency(&tx, to_agency).await? {
        store::programs::notify(&tx, u.id, "case_referred", &serde_json::json!({"case_id": k.id, "title": k.title})).await?;
    }
    store::audit::record(
        &tx,
        Some(user.id),
        &user.email,
        "case.refer",
        &format!("case:{case_id}"),
        "",
        &format!("agency:{to_agency} {scope}"),
    )
    .await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(id)
}

/// Staff of `agency_id`, or a platform administrator.
fn acts_for(user: &User, agency_id: i64) -> bool {
    match viewer(user) {
        Some(Viewer::Agency { agency_id: a, .. }) => a == agency_id,
        Some(Viewer::Platform) => true,
        _ => false,
    }
}

/// The receiving agency accepts (a whole referral makes it the holder) or declines with a reason.
pub async fn decide_referral(state: &DeskState, user: &User, referral_id: i64, accept: bool, reason: &str) -> Result<()> {
    let r = cases::referral(&state.store.db, referral_id).await?.ok_or(CaseError::NotFound)?;
    if !acts_for(user, r.to_agency_id) {
        return Err(CaseError::NotFound);
    }
    check_note(reason, !accept)?;
    if r.status != "pending" {
        return Err(CaseError::Stale);
    }
    let tx = state.store.db.begin().await?;
    cases::decide_referral(&tx, referral_id, if accept { "accepted" } else { "declined" }, reason.trim(), user.id).await?;
    let mut k = cases::get(&tx, r.case_id).await?.ok_or(CaseError::NotFound)?;
    let to = r.to_agency_id.to_string();
    if accept {
        if r.scope == "whole" {
            k.agency_id = Some(r.to_agency_id);
            k.assignee_id = None;
        }
        cases::add_event(&tx, event(k.id, "referral_accepted", user, Some(&r.scope), Some(&to), "", false)).await?;
    } else {
        cases::add_event(&tx, event(k.id, "referral_declined", user, Some(&r.scope), Some(&to), reason.trim(), true)).await?;
    }
    cases::save_state(&tx, &k).await?;
    if accept && r.scope == "whole" {
        let name =
            if let Some(a) = store::agencies::by_id(&tx, r.to_agency_id).await? { format!("{} / {}", a.name_ko, a.name_en) } else { to };
        tell_company(state, &tx, &k, "case_holder", "mail-case-holder-subject", "mail-case-holder-body", &[("agency", name)]).await?;
    }
    for u in store::users::staff_of_agency(&tx, r.from_agency_id).await? {
        store::programs::notify(
            &tx,
            u.id,
            "case_referral_decided",
            &serde_json::json!({"case_id": k.id, "title": k.title, "accepted": accept}),
        )
        .await?;
    }
    store::audit::record(
        &tx,
        Some(user.id),
        &user.email,
        if accept { "case.referral.accept" } else { "case.referral.decline" },
        &format!("case:{}", k.id),
        "",
        &format!("referral:{referral_id}"),
    )
    .await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// Closes `case_id` as a duplicate of `into`; its company is told which case carries on.
pub async fn merge(state: &DeskState, user: &User, case_id: i64, version: i64, into: i64) -> Result<()> {
    let a = access(state, user, case_id).await?;
    let target = access(state, user, into).await.map_err(|_| CaseError::Invalid(FieldErrors::single("into", "case-error-merge-target")))?;
    if !a.holds || case_id == into || target.case.merged_into.is_some() {
        return Err(if a.holds {
            CaseError::Invalid(FieldErrors::single("into", "case-error-merge-target"))
        } else {
            CaseError::Forbidden
        });
    }
    let from = CaseStatus::parse(&a.case.status).ok_or(CaseError::BadMove)?;
    if !domain::case::allowed(from, CaseStatus::ClosedDuplicate, CaseActor::Officer) {
        return Err(CaseError::BadMove);
    }
    if a.case.version != version {
        return Err(CaseError::Stale);
    }
    let cfg = state.desk().await?;
    let mut k = a.case;
    let tx = state.store.db.begin().await?;
    close_pause(&cfg, &tx, &mut k, today()).await?;
    k.status = CaseStatus::ClosedDuplicate.as_str().into();
    k.merged_into = Some(into);
    k.resolved_at = Some(store::now_iso());
    k.waiting_on = "desk".into();
    cases::save_state(&tx, &k).await?;
    let target_ref = reference(&target.case);
    cases::add_event(&tx, event(k.id, "merged", user, Some(from.as_str()), Some(&target_ref), "", false)).await?;
    cases::add_event(&tx, event(into, "merged_in", user, None, Some(&reference(&k)), "", true)).await?;
    cases::link(&tx, k.id, into, user.id).await?;
    cases::touch(&tx, into).await?;
    tell_company(state, &tx, &k, "case_merged", "mail-case-merged-subject", "mail-case-merged-body", &[("target", target_ref)]).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "case.merge", &format!("case:{case_id}"), "", &format!("case:{into}")).await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// Links two related cases (both must be visible to the officer).
pub async fn link(state: &DeskState, user: &User, case_id: i64, other: i64) -> Result<()> {
    let a = access(state, user, case_id).await?;
    if !a.works {
        return Err(CaseError::Forbidden);
    }
    access(state, user, other).await.map_err(|_| CaseError::Invalid(FieldErrors::single("other", "case-error-merge-target")))?;
    if case_id == other {
        return Err(CaseError::Invalid(FieldErrors::single("other", "case-error-merge-target")));
    }
    let tx = state.store.db.begin().await?;
    cases::link(&tx, case_id, other, user.id).await?;
    cases::add_event(&tx, event(case_id, "linked", user, None, Some(&other.to_string()), "", true)).await?;
    // Both cases list the link, so both move on (nodes keep case pages by version).
    cases::touch(&tx, case_id).await?;
    cases::touch(&tx, other).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "case.link", &format!("case:{case_id}"), "", &format!("case:{other}")).await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

/// A follow-up task: after a resolution that needs an agency to change something, someone
/// checks by a date that the change was really made.
pub async fn add_followup(state: &DeskState, user: &User, case_id: i64, agency_id: i64, description: &str, due_on: &str) -> Result<i64> {
    let a = access(state, user, case_id).await?;
    if !a.holds {
        return Err(CaseError::Forbidden);
    }
    let mut errs = FieldErrors::default();
    if description.trim().is_empty() {
        errs.push(FieldError::new("description", "err-required"));
    } else if description.chars().count() > NOTE_MAX {
        errs.push(FieldError::with_arg("description", "err-too-long", TEXT_MAX.to_string()));
    }
    let due = kit::util::parse_date(due_on.trim());
    match due {
        None => errs.push(FieldError::with_arg("due_on", "err-date", due_on.to_string())),
        Some(d) if d < today() => errs.push(FieldError::new("due_on", "case-error-past-date")),
        _ => {}
    }
    if store::agencies::by_id(&state.store.db, agency_id).await?.is_none() {
        errs.push(FieldError::new("agency", "err-choose"));
    }
    if !errs.is_empty() {
        return Err(CaseError::Invalid(errs));
    }
    let due = due.expect("checked").to_string();
    let tx = state.store.db.begin().await?;
    let id = cases::add_followup(&tx, case_id, agency_id, description.trim(), &due, user.id).await?;
    cases::add_event(&tx, event(case_id, "followup", user, None, Some(&due), description.trim(), true)).await?;
    cases::touch(&tx, case_id).await?;
    for u in store::users::staff_of_agency(&tx, agency_id).await? {
        store::programs::notify(&tx, u.id, "case_followup", &serde_json::json!({"case_id": case_id, "title": a.case.title, "due_on": due}))
            .await?;
    }
    store::audit::record(&tx, Some(user.id), &user.email, "case.followup", &format!("case:{case_id}"), "", &due).await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(id)
}

pub async fn complete_followup(state: &DeskState, user: &User, followup_id: i64, outcome: &str) -> Result<()> {
    let f = cases::followup(&state.store.db, followup_id).await?.ok_or(CaseError::NotFound)?;
    if !acts_for(user, f.agency_id) {
        return Err(CaseError::NotFound);
    }
    check_note(outcome, true)?;
    let tx = state.store.db.begin().await?;
    cases::complete_followup(&tx, followup_id, outcome.trim(), user.id).await?;
    cases::add_event(&tx, event(f.case_id, "followup_done", user, None, None, outcome.trim(), true)).await?;
    cases::touch(&tx, f.case_id).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "case.followup.done", &format!("case:{}", f.case_id), "", "").await?;
    tx.commit().await?;
    after_change(state).await;
    Ok(())
}

// ---- attachments ------------------------------------------------------------------------------

/// A file as received.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub const MAX_FILES: usize = 5;

pub fn check_uploads(files: &[Upload]) -> Result<Vec<domain::upload::Kind>> {
    if files.len() > MAX_FILES {
        return Err(CaseError::Invalid(FieldErrors::single("files", "upload-too-many")));
    }
    files.iter().map(|f| domain::upload::check(&f.bytes).map_err(CaseError::Upload)).collect()
}

/// Writes the files under random names; returns (kind, storage key, sha256) per file. Names
/// never come from the upload, so nothing a user sends can choose a path.
pub async fn store_files(
    state: &kit::Kit,
    files: &[Upload],
    kinds: &[domain::upload::Kind],
) -> Result<Vec<(domain::upload::Kind, String, String)>> {
    use sha2::Digest;
    let mut out = Vec::with_capacity(files.len());
    for (f, kind) in files.iter().zip(kinds) {
        let key = format!("attachments/{}.{}", store::random_token(), kind.extension);
        let path = runtime::attachment_path(state, &key);
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(|e| CaseError::Internal(format!("creating {}: {e}", dir.display())))?;
        }
        tokio::fs::write(&path, &f.bytes).await.map_err(|e| CaseError::Internal(format!("writing {}: {e}", path.display())))?;
        out.push((*kind, key, hex::encode(sha2::Sha256::digest(&f.bytes))));
    }
    Ok(out)
}

/// Records stored files as attachments of a timeline event.
async fn record_files(
    tx: &impl store::ConnectionTrait,
    case_id: i64,
    event_id: i64,
    user: &User,
    files: &[Upload],
    stored: &[(domain::upload::Kind, String, String)],
    internal: bool,
) -> Result<()> {
    for (f, (kind, key, sha)) in files.iter().zip(stored) {
        cases::add_attachment(
            tx,
            cases::NewAttachment {
                case_id,
                event_id: Some(event_id),
                file_name: &domain::upload::clean_name(&f.name),
                media_type: kind.media_type,
                size_bytes: f.bytes.len() as i64,
                sha256: sha,
                storage_key: key,
                uploaded_by: user.id,
                internal,
            },
        )
        .await?;
    }
    Ok(())
}
