//! Plans for setting up abroad and the playbooks behind them, checked once here for pages and
//! the API alike.
//!
//! - The published playbooks are held in memory per node ([`NavCatalog`]) and reloaded when any
//!   node publishes (a stamp compared on every background poll).
//! - A plan is read often and written seldom, so each node caches the whole plan (row, steps,
//!   notes, files, updates, the playbook version it follows) and drops the copy when the shared
//!   change log says the plan changed, here or on another node.
//! - A company sees only its own plans; officers of the agency responsible for a playbook edit it
//!   as a new version that another person publishes, and publishing tells every company with an
//!   open plan which of its steps changed.

use crate::NavState;
use desk::service::Upload;
use domain::playbook::{self, ActualDates, Playbook, PlaybookError, Schedule, StepChange};
use domain::{FieldError, FieldErrors, Role};
use kit::i18n::{Lang, Tr};
use kit::today;
use std::collections::{BTreeMap, HashMap};

use kit::lru::Lru;
use std::sync::{Arc, RwLock};
use store::changes::{Change, Topic};
use store::plans::{self, Plan, PlanStep};
use store::playbooks::{self, VersionRow};
use store::users::User;
use store::{StoreError, TransactionTrait};
use time::Date;

#[derive(Debug)]
pub enum PlanError {
    NotFound,
    Forbidden,
    Invalid(FieldErrors),
    /// Someone changed the plan or the version since the form was loaded.
    Stale,
    /// The playbook fails its checks (cycle, missing step, bad currency…); nothing was saved.
    Playbook(Vec<PlaybookError>),
    /// The person who wrote or submitted a version cannot publish it.
    OwnReview,
    Upload(domain::upload::UploadError),
    Internal,
}

impl From<StoreError> for PlanError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PlanError::NotFound,
            StoreError::StaleVersion | StoreError::Duplicate(_) => PlanError::Stale,
            other => {
                tracing::error!(error = %other, "storage failure in the plan service");
                PlanError::Internal
            }
        }
    }
}

impl From<store::DbErr> for PlanError {
    fn from(e: store::DbErr) -> Self {
        StoreError::from(e).into()
    }
}

impl From<desk::service::CaseError> for PlanError {
    fn from(e: desk::service::CaseError) -> Self {
        match e {
            desk::service::CaseError::NotFound => PlanError::NotFound,
            desk::service::CaseError::Forbidden => PlanError::Forbidden,
            desk::service::CaseError::Invalid(f) => PlanError::Invalid(f),
            desk::service::CaseError::Stale => PlanError::Stale,
            desk::service::CaseError::Upload(u) => PlanError::Upload(u),
            desk::service::CaseError::BadMove | desk::service::CaseError::Internal(_) => PlanError::Internal,
        }
    }
}

/// A page shows what it can of a refusal next to its form; the rest becomes the error page.
impl From<PlanError> for kit::PageError {
    fn from(e: PlanError) -> Self {
        use kit::error::PageErrorKind as K;
        match e {
            PlanError::NotFound => kit::PageError::not_found(),
            PlanError::Forbidden => kit::PageError::forbidden(),
            PlanError::Stale => kit::PageError(K::Conflict),
            _ => kit::PageError(K::Internal),
        }
    }
}

impl PlanError {
    pub fn message_key(&self) -> &'static str {
        match self {
            PlanError::NotFound => "error-not-found",
            PlanError::Forbidden => "error-forbidden",
            PlanError::Invalid(_) => "form-has-errors",
            PlanError::Stale => "plan-error-stale",
            PlanError::Playbook(_) => "playbook-error-invalid",
            PlanError::OwnReview => "playbook-error-own-review",
            PlanError::Upload(u) => u.message_key(),
            PlanError::Internal => "error-internal",
        }
    }
}

pub type Result<T> = std::result::Result<T, PlanError>;

// ---- the published playbooks ------------------------------------------------------------------

/// One playbook as companies see it.
#[derive(Debug)]
pub struct Published {
    pub playbook_id: i64,
    pub version: i64,
    pub agency_id: i64,
    pub published_at: String,
    pub pb: Arc<Playbook>,
}

#[derive(Debug, Default)]
pub struct NavCatalog {
    pub stamp: String,
    /// By country, then entity type.
    pub list: Vec<Arc<Published>>,
}

impl NavCatalog {
    pub fn find(&self, country: &str, entity_type: &str) -> Option<&Arc<Published>> {
        self.list.iter().find(|p| p.pb.country == country && p.pb.entity_type == entity_type)
    }
    pub fn by_id(&self, playbook_id: i64) -> Option<&Arc<Published>> {
        self.list.iter().find(|p| p.playbook_id == playbook_id)
    }
    pub fn by_country(&self) -> BTreeMap<&str, Vec<&Arc<Published>>> {
        let mut out: BTreeMap<&str, Vec<&Arc<Published>>> = BTreeMap::new();
        for p in &self.list {
            out.entry(p.pb.country.as_str()).or_default().push(p);
        }
        out
    }
    pub fn of_country(&self, country: &str) -> Vec<&Arc<Published>> {
        self.list.iter().filter(|p| p.pb.country == country).collect()
    }
}

/// A plan with everything its page shows, as one cached value.
#[derive(Debug)]
pub struct PlanData {
    pub plan: Plan,
    pub steps: Vec<PlanStep>,
    pub notes: Vec<plans::Note>,
    pub files: Vec<plans::PlanFile>,
    pub updates: Vec<plans::Update>,
    /// Consultations with local experts booked on the plan's steps.
    pub consultations: Vec<store::experts::ConsultationRow>,
    /// The playbook version the plan follows.
    pub pb: Arc<Playbook>,
    /// Tags this value for the pages made from it (see `page_cache::fresh_stamp`).
    pub stamp: u64,
}

impl PlanData {
    pub fn step(&self, key: &str) -> Option<&PlanStep> {
        self.steps.iter().find(|s| s.step_key == key)
    }
    /// What really happened to each playbook step, in the playbook's order.
    pub fn actual(&self) -> Vec<ActualDates> {
        let by_key: HashMap<&str, &PlanStep> = self.steps.iter().map(|s| (s.step_key.as_str(), s)).collect();
        self.pb
            .steps
            .iter()
            .map(|st| {
                let s = by_key.get(st.key.as_str());
                ActualDates {
                    started_on: s.and_then(|s| s.started_on.as_deref()).and_then(parse_date),
                    done_on: s.and_then(|s| s.done_on.as_deref()).and_then(parse_date),
                }
            })
            .collect()
    }
    /// The schedule from the plan's start with the real dates laid over it.
    pub fn schedule(&self, today: Date) -> Result<Schedule> {
        let start = parse_date(&self.plan.start_on).unwrap_or(today);
        playbook::schedule(&self.pb.steps, &self.actual(), start, today).map_err(|e| PlanError::Playbook(vec![e]))
    }
    /// The same playbook started today with nothing done: how long the whole procedure takes.
    pub fn fresh_total_days(&self, today: Date) -> i64 {
        playbook::schedule(&self.pb.steps, &[], today, today).map(|s| s.total_days).unwrap_or(0)
    }
}

/// A node's navigator state (see the module comment).
pub struct NavRuntime {
    catalog: RwLock<Option<Arc<NavCatalog>>>,
    plans: Lru<i64, Arc<PlanData>>,
    /// Playbook versions that plans follow, by (playbook, version); published versions never
    /// change, so these never go stale.
    bodies: Lru<(i64, i64), Arc<Playbook>>,
    /// Moves on every forget, so that a plan read from the database before a change and put
    /// in the cache after the change was heard is not kept (it would stay stale).
    plans_epoch: std::sync::atomic::AtomicU64,
}

/// Plans kept per node; beyond it the least recently read leaves (a plan is ~10 kB in memory).
const PLAN_CACHE_MAX: usize = 20_000;
/// Playbook versions kept per node (a handful per country; the bound is a safety net).
const BODIES_MAX: usize = 1_000;

/// The topics the navigator keeps copies of.
pub const TOPICS: &[Topic] = &[Topic::Plan, Topic::Playbook];

impl NavRuntime {
    pub fn new(registry: &kit::registry::Registry) -> NavRuntime {
        use kit::registry::{Bound, CacheSpec};
        registry.declare(CacheSpec {
            name: "published_playbooks",
            room: "navigator",
            keyed_by: "-",
            bound: Bound::Whole,
            topics: &[Topic::Playbook],
        });
        let plans = registry.declare(CacheSpec {
            name: "plans",
            room: "navigator",
            keyed_by: "plan id",
            bound: Bound::Entries(PLAN_CACHE_MAX),
            topics: &[Topic::Plan, Topic::Playbook],
        });
        let bodies = registry.declare(CacheSpec {
            name: "playbook_versions",
            room: "navigator",
            keyed_by: "playbook id and version (published versions never change)",
            bound: Bound::Entries(BODIES_MAX),
            topics: &[],
        });
        NavRuntime {
            catalog: RwLock::default(),
            plans: Lru::new(PLAN_CACHE_MAX, plans),
            bodies: Lru::new(BODIES_MAX, bodies),
            plans_epoch: Default::default(),
        }
    }
}

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn parse_body(body: &str) -> std::result::Result<Playbook, String> {
    serde_json::from_str(body).map_err(|e| e.to_string())
}

async fn load_catalog(state: &NavState) -> Result<NavCatalog> {
    let db = &state.store.db;
    let stamp = playbooks::stamp(db).await?;
    let mut list = Vec::new();
    for v in playbooks::published(db).await? {
        match parse_body(&v.body) {
            Ok(pb) => list.push(Arc::new(Published {
                playbook_id: v.playbook_id,
                version: v.version,
                agency_id: v.agency_id,
                published_at: v.published_at.clone().unwrap_or_default(),
                pb: Arc::new(pb),
            })),
            Err(e) => tracing::error!(playbook = v.playbook_id, version = v.version, error = %e, "published playbook does not parse"),
        }
    }
    Ok(NavCatalog { stamp, list })
}

/// The published playbooks, loaded on first use.
pub async fn catalog(state: &NavState) -> Result<Arc<NavCatalog>> {
    if let Some(c) = kit::util::read(&state.nav.catalog).clone() {
        return Ok(c);
    }
    let fresh = Arc::new(load_catalog(state).await?);
    *kit::util::write(&state.nav.catalog) = Some(fresh.clone());
    Ok(fresh)
}

async fn reload_catalog(state: &NavState) -> Result<()> {
    let fresh = Arc::new(load_catalog(state).await?);
    *kit::util::write(&state.nav.catalog) = Some(fresh);
    Ok(())
}

/// Applies a batch of changes from the log (see `kit::changes`): a publication reloads the
/// playbooks and lets every plan be read again (plans moved to the new version); a changed
/// plan leaves the cache.
pub async fn apply(state: &NavState, batch: &[Change]) -> std::result::Result<(), String> {
    if batch.iter().any(|c| c.topic == Some(Topic::Playbook)) {
        if kit::util::read(&state.nav.catalog).is_some() {
            reload_catalog(state).await.map_err(|e| format!("{e:?}"))?;
        }
        state.nav.plans_epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        state.nav.plans.clear();
    }
    for c in batch.iter().filter(|c| c.topic == Some(Topic::Plan)) {
        forget_plan(state, c.ref_id);
    }
    Ok(())
}

fn forget_plan(state: &NavState, id: i64) {
    state.nav.plans_epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    state.nav.plans.remove(&id);
}

async fn version_body(state: &NavState, playbook_id: i64, version: i64) -> Result<Arc<Playbook>> {
    if let Some(b) = state.nav.bodies.get(&(playbook_id, version)) {
        return Ok(b);
    }
    let v = playbooks::version(&state.store.db, playbook_id, version).await?.ok_or(PlanError::NotFound)?;
    let pb = Arc::new(parse_body(&v.body).map_err(|e| {
        tracing::error!(playbook = playbook_id, version, error = %e, "playbook version does not parse");
        PlanError::Internal
    })?);
    if v.status == "published" || v.status == "superseded" {
        state.nav.bodies.put((playbook_id, version), pb.clone());
    }
    Ok(pb)
}

async fn load_plan(state: &NavState, id: i64) -> Result<Arc<PlanData>> {
    if let Some(p) = state.nav.plans.get(&id) {
        return Ok(p);
    }
    let epoch = state.nav.plans_epoch.load(std::sync::atomic::Ordering::SeqCst);
    let db = &state.store.db;
    let plan = plans::get(db, id).await?.ok_or(PlanError::NotFound)?;
    let pb = version_body(state, plan.playbook_id, plan.version).await?;
    let data = Arc::new(PlanData {
        steps: plans::steps(db, id).await?,
        notes: plans::notes(db, id).await?,
        files: plans::files(db, id).await?,
        updates: plans::updates(db, id).await?,
        consultations: store::experts::for_plan(db, id).await?,
        plan,
        pb,
        stamp: kit::page_cache::fresh_stamp(),
    });
    if state.nav.plans_epoch.load(std::sync::atomic::Ordering::SeqCst) == epoch {
        state.nav.plans.put(id, data.clone());
    }
    Ok(data)
}

/// The names of a plan's entity type and of one of its steps, from the playbook version the plan
/// follows. Playbooks are public, so there is no access check: this is for pages that mention a
/// step of a plan the reader may not open, such as an expert's requests.
pub async fn step_label(state: &NavState, plan_id: i64, key: &str, t: &Tr) -> Option<(String, String)> {
    let data = load_plan(state, plan_id).await.ok()?;
    let st = data.pb.steps.iter().find(|s| s.key == key)?;
    Some((t.pick(&data.pb.name_ko, &data.pb.name_en).to_string(), t.pick(&st.title_ko, &st.title_en).to_string()))
}

/// The plan if `user` may see it: a member of the plan's company, or a platform administrator.
/// Anyone else gets NotFound, so that guessing ids reveals nothing.
pub async fn plan_for(state: &NavState, user: &User, id: i64) -> Result<Arc<PlanData>> {
    let data = load_plan(state, id).await?;
    let ok = match user.role() {
        Role::CompanyMember => user.company_id == Some(data.plan.company_id),
        Role::PlatformAdmin => true,
        _ => false,
    };
    if ok { Ok(data) } else { Err(PlanError::NotFound) }
}

/// The plan if `user` may change it: only its company's members.
async fn plan_to_change(state: &NavState, user: &User, id: i64) -> Result<Arc<PlanData>> {
    let data = plan_for(state, user, id).await?;
    if user.company_id != Some(data.plan.company_id) {
        return Err(PlanError::Forbidden);
    }
    Ok(data)
}

pub async fn plans_of(state: &NavState, user: &User) -> Result<Vec<Plan>> {
    match (user.role(), user.company_id) {
        (Role::CompanyMember, Some(c)) => Ok(plans::for_company(&state.store.db, c).await?),
        _ => Err(PlanError::Forbidden),
    }
}

// ---- starting and changing a plan -------------------------------------------------------------

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewPlanForm {
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub entity_type: String,
    /// Empty: today.
    #[serde(default)]
    pub start_on: String,
    /// Empty: no target; the plan shows when it can open.
    #[serde(default)]
    pub target_open_on: String,
}

/// Another open plan of the same company on the same playbook (the database's unique index
/// caught two requests at once, or a closed plan being reopened) is explained on `field`.
fn already_open(field: &'static str) -> impl Fn(StoreError) -> PlanError {
    move |e| match e {
        StoreError::Duplicate(_) => PlanError::Invalid(FieldErrors::single(field, "plan-error-exists")),
        other => other.into(),
    }
}

/// Plans reach at most ten years ahead; further is a typing mistake.
const HORIZON_DAYS: i64 = 3650;

fn date_field(errs: &mut FieldErrors, field: &'static str, value: &str) -> Option<Date> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match parse_date(v) {
        Some(d) => Some(d),
        None => {
            errs.push(FieldError::with_arg(field, "err-date", v));
            None
        }
    }
}

/// Checks the start and target dates of a plan: the start within a year back (a company may
/// record a plan it began recently) and ten years ahead, the target after the start.
fn check_dates(errs: &mut FieldErrors, start: &str, target: &str, today: Date) -> (Date, Option<Date>) {
    let start_on = date_field(errs, "start_on", start);
    let target_on = date_field(errs, "target_open_on", target);
    let start_on = match start_on {
        Some(d) if (d - today).whole_days() < -365 => {
            errs.push(FieldError::new("start_on", "plan-error-start-past"));
            d
        }
        Some(d) if (d - today).whole_days() > HORIZON_DAYS => {
            errs.push(FieldError::new("start_on", "plan-error-too-far"));
            d
        }
        Some(d) => d,
        None => today,
    };
    if let Some(t) = target_on {
        if t <= today {
            errs.push(FieldError::new("target_open_on", "plan-error-target-past"));
        } else if t <= start_on {
            errs.push(FieldError::new("target_open_on", "err-date-order"));
        } else if (t - today).whole_days() > HORIZON_DAYS {
            errs.push(FieldError::new("target_open_on", "plan-error-too-far"));
        }
    }
    (start_on, target_on)
}

/// Turns the published playbook into the company's checklist.
pub async fn start_plan(state: &NavState, user: &User, f: &NewPlanForm) -> Result<i64> {
    let company_id = match (user.role(), user.company_id) {
        (Role::CompanyMember, Some(c)) => c,
        _ => return Err(PlanError::Forbidden),
    };
    let cat = catalog(state).await?;
    let mut errs = FieldErrors::default();
    let country = f.country.trim().to_ascii_uppercase();
    let entity = f.entity_type.trim();
    if country.is_empty() {
        errs.push(FieldError::new("country", "err-required"));
    }
    if entity.is_empty() {
        errs.push(FieldError::new("entity_type", "err-required"));
    }
    let published = if errs.is_empty() {
        let p = cat.find(&country, entity);
        if p.is_none() {
            errs.push(FieldError::new("entity_type", "plan-error-no-playbook"));
        }
        p.cloned()
    } else {
        None
    };
    let (start_on, target_on) = check_dates(&mut errs, &f.start_on, &f.target_open_on, today());
    let db = &state.store.db;
    if let Some(p) = &published
        && plans::for_company(db, company_id).await?.iter().any(|x| x.playbook_id == p.playbook_id && x.status == "open")
    {
        errs.push(FieldError::new("entity_type", "plan-error-exists"));
    }
    let Some(p) = published.filter(|_| errs.is_empty()) else {
        return Err(PlanError::Invalid(errs));
    };
    let keys: Vec<&str> = p.pb.steps.iter().map(|s| s.key.as_str()).collect();
    let start = start_on.to_string();
    let target = target_on.map(|d| d.to_string());
    let tx = db.begin().await?;
    let id = plans::insert(
        &tx,
        &plans::NewPlan {
            company_id,
            playbook_id: p.playbook_id,
            version: p.version,
            country: &country,
            entity_type: entity,
            start_on: &start,
            target_open_on: target.as_deref(),
            created_by: Some(user.id),
        },
        &keys,
    )
    .await
    .map_err(already_open("entity_type"))?;
    store::audit::record(&tx, Some(user.id), &user.email, "plan.create", &format!("plan:{id}"), "", &format!("{country}/{entity}")).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SettingsForm {
    pub row_version: i64,
    #[serde(default)]
    pub start_on: String,
    #[serde(default)]
    pub target_open_on: String,
    /// `open` or `closed`.
    #[serde(default)]
    pub status: String,
}

pub async fn change_settings(state: &NavState, user: &User, id: i64, f: &SettingsForm) -> Result<()> {
    let data = plan_to_change(state, user, id).await?;
    let mut errs = FieldErrors::default();
    let today = today();
    // A plan that already started keeps its start; only the target and the state move.
    let (start_on, target_on) =
        check_dates(&mut errs, &f.start_on, &f.target_open_on, today.min(parse_date(&data.plan.start_on).unwrap_or(today)));
    let status = match f.status.as_str() {
        "" => data.plan.status.as_str(),
        s @ ("open" | "closed") => s,
        _ => {
            errs.push(FieldError::new("status", "err-required"));
            "open"
        }
    };
    if !errs.is_empty() {
        return Err(PlanError::Invalid(errs));
    }
    let tx = state.store.db.begin().await?;
    plans::lock(&tx, id, f.row_version).await?;
    plans::set_plan_dates(&tx, id, &start_on.to_string(), target_on.map(|d| d.to_string()).as_deref(), status)
        .await
        .map_err(already_open("status"))?;
    store::audit::record(&tx, Some(user.id), &user.email, "plan.settings", &format!("plan:{id}"), "", status).await?;
    tx.commit().await?;
    forget_plan(state, id);
    Ok(())
}

pub const STEP_STATUSES: [&str; 4] = ["todo", "in_progress", "done", "blocked"];
pub const NOTE_MAX: usize = 4000;
pub const REASON_MAX: usize = 1000;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StepForm {
    pub row_version: i64,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub blocked_reason: String,
    #[serde(default)]
    pub started_on: String,
    #[serde(default)]
    pub done_on: String,
    #[serde(default)]
    pub note: String,
}

/// What a step's row becomes after the form: the dates follow the status (a step begun today
/// gets today, a step reset to "to do" loses its dates), and dates cannot lie in the future.
fn step_state(
    f: &StepForm,
    current: &PlanStep,
    today: Date,
) -> std::result::Result<(String, String, Option<Date>, Option<Date>), FieldErrors> {
    let mut errs = FieldErrors::default();
    let status = f.status.trim();
    if !STEP_STATUSES.contains(&status) {
        errs.push(FieldError::new("status", "plan-error-status"));
    }
    let reason = f.blocked_reason.trim().to_string();
    if status == "blocked" && reason.is_empty() {
        errs.push(FieldError::new("blocked_reason", "plan-error-reason"));
    }
    if reason.chars().count() > REASON_MAX {
        errs.push(FieldError::with_arg("blocked_reason", "err-too-long", REASON_MAX.to_string()));
    }
    if f.note.chars().count() > NOTE_MAX {
        errs.push(FieldError::with_arg("note", "err-too-long", NOTE_MAX.to_string()));
    }
    let mut started = date_field(&mut errs, "started_on", &f.started_on);
    let mut done = date_field(&mut errs, "done_on", &f.done_on);
    for (field, d) in [("started_on", started), ("done_on", done)] {
        if d.is_some_and(|d| d > today) {
            errs.push(FieldError::new(field, "plan-error-future"));
        }
    }
    if let (Some(s), Some(d)) = (started, done)
        && d < s
    {
        errs.push(FieldError::new("done_on", "err-date-order"));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let keep = |d: Option<Date>, old: &Option<String>| d.or_else(|| old.as_deref().and_then(parse_date));
    match status {
        "todo" => (started, done) = (None, None),
        "in_progress" => {
            started = keep(started, &current.started_on).or(Some(today));
            done = None;
        }
        "done" => {
            started = keep(started, &current.started_on);
            done = keep(done, &current.done_on).or(Some(today));
            if let (Some(s), Some(d)) = (started, done)
                && d < s
            {
                return Err(FieldErrors::single("done_on", "err-date-order"));
            }
        }
        // Blocked: the step was under way (or not); its dates stay as they were.
        _ => {
            started = keep(started, &current.started_on);
            done = None;
        }
    }
    let reason = if status == "blocked" { reason } else { String::new() };
    Ok((status.to_string(), reason, started, done))
}

pub async fn update_step(state: &NavState, user: &User, id: i64, key: &str, f: &StepForm) -> Result<()> {
    let data = plan_to_change(state, user, id).await?;
    let current = data.step(key).filter(|s| !s.removed).ok_or(PlanError::NotFound)?;
    let (status, reason, started, done) = step_state(f, current, today()).map_err(PlanError::Invalid)?;
    let (started, done) = (started.map(|d| d.to_string()), done.map(|d| d.to_string()));
    let tx = state.store.db.begin().await?;
    plans::lock(&tx, id, f.row_version).await?;
    plans::set_step(
        &tx,
        id,
        key,
        &plans::StepState { status: &status, blocked_reason: &reason, started_on: started.as_deref(), done_on: done.as_deref() },
        Some(user.id),
    )
    .await?;
    let note = f.note.trim();
    if !note.is_empty() {
        plans::add_note(&tx, id, key, user.id, note).await?;
    }
    store::audit::record(&tx, Some(user.id), &user.email, "plan.step", &format!("plan:{id}"), "", &format!("{key}={status}")).await?;
    tx.commit().await?;
    forget_plan(state, id);
    Ok(())
}

pub async fn add_note(state: &NavState, user: &User, id: i64, key: &str, body: &str) -> Result<()> {
    let data = plan_to_change(state, user, id).await?;
    data.step(key).ok_or(PlanError::NotFound)?;
    let body = body.trim();
    if body.is_empty() {
        return Err(PlanError::Invalid(FieldErrors::single("note", "err-required")));
    }
    if body.chars().count() > NOTE_MAX {
        return Err(PlanError::Invalid(FieldErrors(vec![FieldError::with_arg("note", "err-too-long", NOTE_MAX.to_string())])));
    }
    let tx = state.store.db.begin().await?;
    plans::add_note(&tx, id, key, user.id, body).await?;
    store::changes::publish(&tx, store::changes::Topic::Plan, id).await?;
    tx.commit().await?;
    forget_plan(state, id);
    Ok(())
}

/// Evidence for a step, checked by content like every upload (see `domain::upload`).
pub async fn upload(state: &NavState, user: &User, id: i64, key: &str, files: Vec<Upload>) -> Result<usize> {
    let data = plan_to_change(state, user, id).await?;
    data.step(key).filter(|s| !s.removed).ok_or(PlanError::NotFound)?;
    if files.is_empty() {
        return Err(PlanError::Invalid(FieldErrors::single("files", "err-required")));
    }
    let kinds = desk::service::check_uploads(&files)?;
    let stored = desk::service::store_files(state, &files, &kinds).await?;
    let tx = state.store.db.begin().await?;
    for (f, (kind, key_on_disk, _)) in files.iter().zip(&stored) {
        plans::add_file(
            &tx,
            &plans::NewFile {
                plan_id: id,
                step_key: key,
                file_name: &domain::upload::clean_name(&f.name),
                stored_name: key_on_disk,
                content_type: kind.media_type,
                size_bytes: f.bytes.len() as i64,
                uploaded_by: user.id,
            },
        )
        .await?;
    }
    store::changes::publish(&tx, store::changes::Topic::Plan, id).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "plan.upload", &format!("plan:{id}"), "", key).await?;
    tx.commit().await?;
    forget_plan(state, id);
    Ok(files.len())
}

/// A stored evidence file with its bytes, if `user` may see the plan.
pub async fn file(state: &NavState, user: &User, id: i64, file_id: i64) -> Result<(plans::PlanFile, Vec<u8>)> {
    let data = plan_for(state, user, id).await?;
    let f = data.files.iter().find(|f| f.id == file_id).cloned().ok_or(PlanError::NotFound)?;
    let bytes = tokio::fs::read(desk::runtime::attachment_path(state, &f.stored_name)).await.map_err(|e| {
        tracing::error!(error = %e, file = f.id, "plan evidence missing on disk");
        PlanError::Internal
    })?;
    Ok((f, bytes))
}

/// Marks the playbook changes as read.
pub async fn mark_seen(state: &NavState, user: &User, id: i64) -> Result<()> {
    plan_to_change(state, user, id).await?;
    plans::mark_updates_seen(&state.store.db, id).await?;
    forget_plan(state, id);
    Ok(())
}

/// Opens a regulatory desk case from a blocked step, carrying the country, the step, the
/// reason and the step's evidence; a second click returns the case already opened.
pub async fn open_case(state: &NavState, user: &User, id: i64, key: &str, lang: Lang) -> Result<i64> {
    let data = plan_to_change(state, user, id).await?;
    let step = data.step(key).filter(|s| !s.removed).ok_or(PlanError::NotFound)?;
    if let Some(c) = step.case_id {
        return Ok(c);
    }
    if step.status != "blocked" {
        return Err(PlanError::Invalid(FieldErrors::single("status", "plan-error-not-blocked")));
    }
    let st = data.pb.steps.iter().find(|s| s.key == key).ok_or(PlanError::NotFound)?;
    let t = Tr::new(lang);
    let title: String = t
        .targs(
            "plan-case-title",
            &[("step", t.pick(&st.title_ko, &st.title_en).to_string()), ("entity", t.pick(&data.pb.name_ko, &data.pb.name_en).to_string())],
        )
        .chars()
        .take(desk::service::TITLE_MAX)
        .collect();
    let description: String = t
        .targs(
            "plan-case-description",
            &[
                ("reason", step.blocked_reason.clone()),
                ("authority", t.pick(&st.authority_ko, &st.authority_en).to_string()),
                ("link", format!("{}/plans/{id}#step-{key}", state.config.base_url)),
            ],
        )
        .chars()
        .take(desk::service::TEXT_MAX)
        .collect();
    let mut files = Vec::new();
    for f in data.files.iter().filter(|f| f.step_key == key).take(desk::service::MAX_FILES) {
        match tokio::fs::read(desk::runtime::attachment_path(state, &f.stored_name)).await {
            Ok(bytes) => files.push(Upload { name: f.file_name.clone(), bytes }),
            Err(e) => tracing::warn!(error = %e, file = f.id, "evidence file missing; the case is opened without it"),
        }
    }
    let form = desk::service::ReportForm {
        category: "establishment".into(),
        country: data.plan.country.clone(),
        title,
        description,
        ..Default::default()
    };
    let case_id = desk::service::save_report(&state.desk, user, None, &form, true, files).await?;
    let tx = state.store.db.begin().await?;
    plans::set_case(&tx, id, key, case_id).await?;
    plans::add_note(&tx, id, key, user.id, &t.ta("plan-note-case-opened", &case_id.to_string())).await?;
    store::changes::publish(&tx, store::changes::Topic::Plan, id).await?;
    tx.commit().await?;
    forget_plan(state, id);
    Ok(case_id)
}

/// The plan as an iCalendar file: one all-day event per step on the day it is due.
pub fn calendar(state: &NavState, data: &PlanData, t: &Tr) -> Result<String> {
    let s = data.schedule(today())?;
    let title = t.targs("plan-ics-title", &[("entity", t.pick(&data.pb.name_ko, &data.pb.name_en).to_string())]);
    let events: Vec<playbook::IcsEvent> = data
        .pb
        .steps
        .iter()
        .zip(&s.steps)
        .map(|(st, sc)| {
            let status = data.step(&st.key).map(|p| p.status.as_str()).unwrap_or("todo");
            playbook::IcsEvent {
                uid_suffix: format!("plan-{}-{}", data.plan.id, st.key),
                summary: t.pick(&st.title_ko, &st.title_en).to_string(),
                description: format!(
                    "{}: {}\n{}: {}\n{}",
                    t.t("field-authority"),
                    t.pick(&st.authority_ko, &st.authority_en),
                    t.t("field-status"),
                    t.t(&format!("plan-step-{status}")),
                    t.pick(&st.detail_ko, &st.detail_en)
                ),
                due: sc.earliest_finish_on,
            }
        })
        .collect();
    let host = state.config.base_url.split("://").nth(1).unwrap_or("globaldesk").split(['/', ':']).next().unwrap_or("globaldesk");
    Ok(playbook::to_ics(&title, host, &events, time::OffsetDateTime::now_utc()))
}

// ---- editing playbooks ------------------------------------------------------------------------

/// Officers and agency administrators of the responsible agency, and platform administrators.
pub fn may_edit(user: &User, agency_id: i64) -> bool {
    match user.role() {
        Role::Officer | Role::AgencyAdmin => user.agency_id == Some(agency_id),
        Role::PlatformAdmin => true,
        _ => false,
    }
}

pub fn is_editor(user: &User) -> bool {
    matches!(user.role(), Role::Officer | Role::AgencyAdmin | Role::PlatformAdmin)
}

async fn editable_version(state: &NavState, user: &User, vid: i64) -> Result<VersionRow> {
    if !is_editor(user) {
        return Err(PlanError::NotFound);
    }
    let v = playbooks::version_by_id(&state.store.db, vid).await?.ok_or(PlanError::NotFound)?;
    if !may_edit(user, v.agency_id) {
        return Err(PlanError::Forbidden);
    }
    Ok(v)
}

pub async fn version_for(state: &NavState, user: &User, vid: i64) -> Result<VersionRow> {
    editable_version(state, user, vid).await
}

/// Starts a new version from the published one, or returns the draft already open (one at a
/// time per playbook, so two editors do not fork the text).
pub async fn start_draft(state: &NavState, user: &User, playbook_id: i64) -> Result<i64> {
    let db = &state.store.db;
    let p = playbooks::get(db, playbook_id).await?.ok_or(PlanError::NotFound)?;
    if !may_edit(user, p.agency_id) {
        return Err(PlanError::Forbidden);
    }
    let versions = playbooks::versions(db, playbook_id).await?;
    if let Some(open) = versions.iter().find(|v| v.status == "draft" || v.status == "in_review") {
        return Ok(open.id);
    }
    let base = versions.iter().find(|v| v.status == "published").or(versions.first()).ok_or(PlanError::NotFound)?;
    let tx = db.begin().await?;
    let (id, version) = playbooks::insert_version(&tx, playbook_id, "draft", &base.body, "", Some(user.id)).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "playbook.draft", &format!("playbook:{playbook_id}"), "", &format!("v{version}"))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records a step of a version's life (saved, submitted, returned, published) in the audit log.
async fn audit_version(tx: &impl store::ConnectionTrait, user: &User, action: &str, v: &VersionRow) -> Result<()> {
    let target = format!("playbook:{}", v.playbook_id);
    store::audit::record(tx, Some(user.id), &user.email, action, &target, "", &format!("v{}", v.version)).await?;
    Ok(())
}

/// Reads the editor's text: YAML (JSON is YAML too) holding one playbook. The country and
/// entity type are the playbook's identity and cannot change in a new version.
pub fn parse_edit(text: &str, v: &VersionRow) -> std::result::Result<Playbook, FieldErrors> {
    let pb: Playbook =
        serde_norway::from_str(text).map_err(|e| FieldErrors(vec![FieldError::with_arg("body", "playbook-error-parse", e.to_string())]))?;
    if pb.country != v.country || pb.entity_type != v.entity_type {
        return Err(FieldErrors::single("body", "playbook-error-identity"));
    }
    Ok(pb)
}

pub const CHANGE_NOTE_MAX: usize = 2000;

/// Saves a draft. It may still fail the publication checks (they are shown beside it), but it
/// must parse, so that what is stored is always a playbook.
pub async fn save_draft(
    state: &NavState,
    user: &User,
    vid: i64,
    row_version: i64,
    text: &str,
    change_note: &str,
) -> Result<Vec<PlaybookError>> {
    let v = editable_version(state, user, vid).await?;
    if v.status != "draft" {
        return Err(PlanError::Stale);
    }
    let pb = parse_edit(text, &v).map_err(PlanError::Invalid)?;
    if change_note.chars().count() > CHANGE_NOTE_MAX {
        return Err(PlanError::Invalid(FieldErrors(vec![FieldError::with_arg(
            "change_note",
            "err-too-long",
            CHANGE_NOTE_MAX.to_string(),
        )])));
    }
    let body = serde_json::to_string(&pb).map_err(|_| PlanError::Internal)?;
    let tx = state.store.db.begin().await?;
    playbooks::update_draft(&tx, vid, row_version, &body, change_note.trim()).await?;
    audit_version(&tx, user, "playbook.save", &v).await?;
    tx.commit().await?;
    Ok(playbook::validate(&pb).err().unwrap_or_default())
}

fn checked(v: &VersionRow) -> Result<Playbook> {
    let pb = parse_body(&v.body).map_err(|_| PlanError::Internal)?;
    playbook::validate(&pb).map_err(PlanError::Playbook)?;
    Ok(pb)
}

/// Sends a draft for review; a playbook that fails its checks cannot be submitted.
pub async fn submit(state: &NavState, user: &User, vid: i64, row_version: i64) -> Result<()> {
    let v = editable_version(state, user, vid).await?;
    checked(&v)?;
    let tx = state.store.db.begin().await?;
    playbooks::set_status(&tx, vid, row_version, "draft", "in_review", user.id, "").await?;
    audit_version(&tx, user, "playbook.submit", &v).await?;
    tx.commit().await?;
    Ok(())
}

/// A reviewer sends a version back to its author with a reason.
pub async fn send_back(state: &NavState, user: &User, vid: i64, row_version: i64, note: &str) -> Result<()> {
    let v = editable_version(state, user, vid).await?;
    let note = note.trim();
    if note.is_empty() {
        return Err(PlanError::Invalid(FieldErrors::single("review_note", "err-required")));
    }
    let tx = state.store.db.begin().await?;
    playbooks::set_status(&tx, vid, row_version, "in_review", "draft", user.id, note).await?;
    audit_version(&tx, user, "playbook.return", &v).await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes a version under review (four eyes: not by its author or submitter), moves every
/// open plan on the playbook to it, and tells those companies which of their steps changed.
/// Returns the number of plans told.
pub async fn publish(state: &NavState, user: &User, vid: i64, row_version: i64) -> Result<usize> {
    let v = editable_version(state, user, vid).await?;
    if v.status != "in_review" {
        return Err(PlanError::Stale);
    }
    if v.created_by == Some(user.id) || v.submitted_by == Some(user.id) {
        return Err(PlanError::OwnReview);
    }
    let new_pb = checked(&v)?;
    let db = &state.store.db;
    let tx = db.begin().await?;
    playbooks::publish(&tx, vid, row_version, Some(user.id), "").await?;
    let mut told = 0;
    for plan in plans::open_for_playbook(&tx, v.playbook_id).await? {
        let old = version_body(state, plan.playbook_id, plan.version).await?;
        let changes = playbook::diff(&old, &new_pb);
        let added: Vec<&str> = changes.iter().filter(|c| c.kind == playbook::ChangeKind::Added).map(|c| c.key.as_str()).collect();
        let removed: Vec<&str> = changes.iter().filter(|c| c.kind == playbook::ChangeKind::Removed).map(|c| c.key.as_str()).collect();
        let json = serde_json::to_string(&changes).map_err(|_| PlanError::Internal)?;
        plans::move_to_version(&tx, &plan, v.version, &added, &removed, &json, &v.change_note).await?;
        if !changes.is_empty() {
            tell_company(state, &tx, &plan, &new_pb, &changes).await?;
            told += 1;
        }
    }
    audit_version(&tx, user, "playbook.publish", &v).await?;
    tx.commit().await?;
    // This node sees the publication at once; the others with their next round of changes.
    reload_catalog(state).await?;
    state.nav.plans_epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    state.nav.plans.clear();
    Ok(told)
}

async fn tell_company(
    state: &NavState,
    tx: &impl store::ConnectionTrait,
    plan: &Plan,
    pb: &Playbook,
    changes: &[StepChange],
) -> Result<()> {
    for m in store::users::members_of(tx, plan.company_id).await? {
        let payload = serde_json::json!({"plan_id": plan.id, "title_ko": pb.name_ko, "title_en": pb.name_en, "steps": changes.len()});
        store::programs::notify(tx, m.id, "plan_updated", &payload).await?;
        let t = Tr::new(Lang::parse(&m.locale).unwrap_or_default());
        let titles: Vec<String> = changes
            .iter()
            .map(|c| {
                let name = pb
                    .steps
                    .iter()
                    .find(|s| s.key == c.key)
                    .map(|s| t.pick(&s.title_ko, &s.title_en).to_string())
                    .unwrap_or_else(|| c.key.clone());
                format!("- {} ({})", name, t.t(&format!("plan-change-{}", c.kind.as_str())))
            })
            .collect();
        let body = t.targs(
            "plan-mail-updated-body",
            &[
                ("name", m.display_name.clone()),
                ("entity", t.pick(&pb.name_ko, &pb.name_en).to_string()),
                ("steps", titles.join("\n")),
                ("link", format!("{}/plans/{}", state.config.base_url, plan.id)),
            ],
        );
        kit::mail::enqueue(
            tx,
            &kit::mail::Email { to: m.email.clone(), subject: t.ta("plan-mail-updated-subject", t.pick(&pb.name_ko, &pb.name_en)), body },
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn step(status: &str, started: Option<&str>, done: Option<&str>) -> PlanStep {
        PlanStep {
            plan_id: 1,
            step_key: "a".into(),
            status: status.into(),
            blocked_reason: String::new(),
            started_on: started.map(str::to_string),
            done_on: done.map(str::to_string),
            removed: false,
            case_id: None,
            updated_by: None,
            updated_at: String::new(),
        }
    }

    fn form(status: &str, started: &str, done: &str, reason: &str) -> StepForm {
        StepForm {
            row_version: 1,
            status: status.into(),
            started_on: started.into(),
            done_on: done.into(),
            blocked_reason: reason.into(),
            note: String::new(),
        }
    }

    const TODAY: Date = date!(2027 - 03 - 10);

    #[test]
    fn starting_a_step_dates_it_today_and_resetting_clears_the_dates() {
        let (s, _, started, done) = step_state(&form("in_progress", "", "", ""), &step("todo", None, None), TODAY).unwrap();
        assert_eq!((s.as_str(), started, done), ("in_progress", Some(TODAY), None));
        let (_, _, started, done) =
            step_state(&form("todo", "", "", ""), &step("done", Some("2027-03-01"), Some("2027-03-05")), TODAY).unwrap();
        assert_eq!((started, done), (None, None));
    }

    #[test]
    fn finishing_keeps_the_start_and_refuses_an_end_before_it() {
        let (_, _, started, done) = step_state(&form("done", "", "", ""), &step("in_progress", Some("2027-03-01"), None), TODAY).unwrap();
        assert_eq!((started, done), (Some(date!(2027 - 03 - 01)), Some(TODAY)));
        let e = step_state(&form("done", "", "2027-02-01", ""), &step("in_progress", Some("2027-03-01"), None), TODAY).unwrap_err();
        assert_eq!(e.for_field("done_on").map(|e| e.code), Some("err-date-order"));
    }

    #[test]
    fn a_blocked_step_needs_a_reason_and_no_date_may_be_in_the_future() {
        let e = step_state(&form("blocked", "", "", " "), &step("todo", None, None), TODAY).unwrap_err();
        assert_eq!(e.for_field("blocked_reason").map(|e| e.code), Some("plan-error-reason"));
        let e = step_state(&form("done", "", "2027-03-11", ""), &step("todo", None, None), TODAY).unwrap_err();
        assert_eq!(e.for_field("done_on").map(|e| e.code), Some("plan-error-future"));
        let e = step_state(&form("finished", "", "", ""), &step("todo", None, None), TODAY).unwrap_err();
        assert_eq!(e.for_field("status").map(|e| e.code), Some("plan-error-status"));
    }

    #[test]
    fn plan_dates_are_checked_against_today_and_each_other() {
        let mut errs = FieldErrors::default();
        let (start, target) = check_dates(&mut errs, "", "2027-09-01", TODAY);
        assert!(errs.is_empty());
        assert_eq!((start, target), (TODAY, Some(date!(2027 - 09 - 01))));
        let mut errs = FieldErrors::default();
        check_dates(&mut errs, "2027-05-01", "2027-04-01", TODAY);
        assert_eq!(errs.for_field("target_open_on").map(|e| e.code), Some("err-date-order"));
        let mut errs = FieldErrors::default();
        check_dates(&mut errs, "2027-13-01", "2027-01-01", TODAY);
        assert_eq!(errs.for_field("start_on").map(|e| e.code), Some("err-date"));
        assert_eq!(errs.for_field("target_open_on").map(|e| e.code), Some("plan-error-target-past"));
    }
}
