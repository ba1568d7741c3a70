//! The regulatory desk's runtime on one node: its configuration (business calendar, service-level
//! targets, routing rules) loaded from the database, the clock of a case, the full-text index kept
//! in step with the database, and where attachments are kept.

use crate::DeskState;
use domain::case::{CaseCategory, CaseStatus, Priority};
use domain::sla::{BusinessCalendar, ClockInput, SlaPolicy, SlaStatus, SlaTarget};
use search::{Doc, DocKind, SearchIndex};
use std::sync::{Arc, RwLock};
use store::Store;
use store::cases::{Case, Pause};
use store::changes::{Change, Topic};
use time::Date;

/// Targets used when the table has no row that matches (business days). Deployments set their own.
pub const FALLBACK_TARGET: SlaTarget = SlaTarget { first_response_days: 3, resolution_days: 30 };

pub struct DeskConfig {
    pub calendar: BusinessCalendar,
    pub policy: SlaPolicy,
    pub routing: Vec<store::desk::RoutingRule>,
    pub holidays: Vec<store::desk::Holiday>,
}

impl DeskConfig {
    pub async fn load(store: &Store) -> store::Result<DeskConfig> {
        let db = &store.db;
        let holidays = store::desk::holidays(db).await?;
        let days: Vec<Date> = holidays.iter().filter_map(|h| kit::util::parse_date(&h.day)).collect();
        // The prefix sums cover the years anyone will look at; outside them the calendar still
        // answers correctly, only slower.
        let first = Date::from_calendar_date(2020, time::Month::January, 1).expect("valid date");
        let last = Date::from_calendar_date(2035, time::Month::December, 31).expect("valid date");
        let calendar = BusinessCalendar::new(days, first, last);
        let rows = store::desk::sla_targets(db)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.priority.as_deref().and_then(Priority::parse),
                    r.category.as_deref().and_then(CaseCategory::parse),
                    SlaTarget { first_response_days: r.first_response_days, resolution_days: r.resolution_days },
                )
            })
            .collect();
        Ok(DeskConfig { calendar, policy: SlaPolicy { rows }, routing: store::desk::routing_rules(db).await?, holidays })
    }

    pub fn target(&self, priority: &str, category: &str) -> SlaTarget {
        match (Priority::parse(priority), CaseCategory::parse(category)) {
            (Some(p), Some(c)) => self.policy.target_for(p, c).unwrap_or(FALLBACK_TARGET),
            _ => FALLBACK_TARGET,
        }
    }

    /// The agency queue a new case goes to: the first rule whose category, country and product
    /// prefix (any of the case's products) all match.
    pub fn route(&self, category: &str, country: &str, hs_codes: &[String]) -> Option<i64> {
        self.routing
            .iter()
            .find(|r| {
                r.category.as_deref().is_none_or(|c| c == category)
                    && r.country.as_deref().is_none_or(|c| c == country)
                    && r.hs_prefix.as_deref().is_none_or(|p| hs_codes.iter().any(|h| h.starts_with(p)))
            })
            .map(|r| r.agency_id)
    }
}

// The desk works on Korean business days: stored instants become dates in Korea.
use kit::util::kst_date;

/// Pauses as the clock wants them: dates, ignoring those before the clock (re)started.
pub fn pause_dates(pauses: &[Pause], since: Date) -> Vec<(Date, Option<Date>)> {
    pauses
        .iter()
        .filter_map(|p| {
            let s = kit::util::parse_date(&p.started_on)?;
            let e = p.ended_on.as_deref().and_then(kit::util::parse_date);
            (e.is_none_or(|e| e >= since)).then_some((s.max(since), e))
        })
        .collect()
}

/// The clock of a submitted case, or None for a draft.
pub fn clock(cfg: &DeskConfig, k: &Case, pauses: &[Pause], today: Date) -> Option<SlaStatus> {
    let submitted = kst_date(k.submitted_at.as_deref()?)?;
    let status = CaseStatus::parse(&k.status)?;
    let resolved = if status.is_final() { k.resolved_at.as_deref().and_then(kst_date) } else { None };
    let dates = pause_dates(pauses, submitted);
    let input = ClockInput {
        submitted_on: submitted,
        first_response_on: k.first_response_at.as_deref().and_then(kst_date),
        resolved_on: resolved,
        pauses: &dates,
    };
    Some(domain::sla::status(&cfg.calendar, cfg.target(&k.priority, &k.category), &input, today))
}

/// Recomputes the denormalised due dates on `k` (after submission, a priority change or a
/// resumed clock) from its submission date and the business days paused so far.
pub fn refresh_due_dates(cfg: &DeskConfig, k: &mut Case) {
    let Some(submitted) = k.submitted_at.as_deref().and_then(kst_date) else { return };
    let target = cfg.target(&k.priority, &k.category);
    k.due_on = Some(cfg.calendar.add_business_days(submitted, target.resolution_days + k.paused_business_days).to_string());
    k.first_response_due_on = Some(cfg.calendar.add_business_days(submitted, target.first_response_days).to_string());
}

/// Holds the configuration and swaps it when an administrator (on any node) edits it.
#[derive(Default)]
pub struct DeskRuntime {
    config: RwLock<Option<Arc<DeskConfig>>>,
    pub index: std::sync::OnceLock<Arc<SearchIndex>>,
    /// Every case in memory for the queues and the SLA sweep (see `case_index`).
    pub cases: std::sync::OnceLock<Arc<crate::case_index::CaseIndex>>,
    /// Counts the changes applied to this node's indexes and configuration, so that pages made
    /// from them (see `page_cache`) can tell they are out of date. Saved filters and follow-ups
    /// are logged as changes too, so they count.
    generation: std::sync::atomic::AtomicU64,
    /// Each case's page details (see `case_details`).
    pub details: crate::case_details::DetailCache,
    /// The registry's counters for the case index (its size after each load or change).
    pub case_index_stats: std::sync::OnceLock<Arc<kit::registry::CacheStats>>,
    /// Agencies and their staff, as case pages list them; dropped when the change log says an
    /// agency or its staff changed.
    directory: RwLock<Directory>,
}

#[derive(Default)]
struct Directory {
    agencies: Option<Arc<Vec<store::agencies::Agency>>>,
    staff: std::collections::HashMap<i64, Arc<Vec<store::users::User>>>,
    /// Moves on each drop, so that a list read before a drop is not kept after it.
    epoch: u64,
}

impl DeskRuntime {
    /// Read before rendering: a page made afterwards shows at least the state it names.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }
    pub fn config(&self) -> Option<Arc<DeskConfig>> {
        kit::util::read(&self.config).clone()
    }
    pub fn set_config(&self, cfg: DeskConfig) {
        *kit::util::write(&self.config) = Some(Arc::new(cfg));
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    fn drop_directory(&self) {
        let mut d = kit::util::write(&self.directory);
        d.agencies = None;
        d.staff.clear();
        d.epoch += 1;
    }
}

impl DeskState {
    /// The desk configuration, loaded on first use.
    pub async fn desk(&self) -> store::Result<Arc<DeskConfig>> {
        if let Some(c) = self.desk.config() {
            return Ok(c);
        }
        self.reload_desk().await?;
        Ok(self.desk.config().expect("just loaded"))
    }
    pub async fn reload_desk(&self) -> store::Result<()> {
        let cfg = DeskConfig::load(&self.store).await?;
        self.desk.set_config(cfg);
        Ok(())
    }
    /// The full-text index (built at start; see [`build_index`]).
    pub fn search(&self) -> Option<&Arc<SearchIndex>> {
        self.desk.index.get()
    }
    /// The in-memory case index (built at start; see [`build_index`]).
    pub fn case_index(&self) -> Option<&Arc<crate::case_index::CaseIndex>> {
        self.desk.cases.get()
    }
    /// Every agency, from this node's copy.
    pub async fn agencies(&self) -> store::Result<Arc<Vec<store::agencies::Agency>>> {
        let epoch = {
            let d = kit::util::read(&self.desk.directory);
            if let Some(a) = &d.agencies {
                return Ok(a.clone());
            }
            d.epoch
        };
        let list = Arc::new(store::agencies::list(&self.store.db).await?);
        let mut d = kit::util::write(&self.desk.directory);
        if d.epoch == epoch {
            d.agencies = Some(list.clone());
        }
        Ok(list)
    }
    /// The active officers and administrators of an agency, from this node's copy.
    pub async fn staff_of(&self, agency: i64) -> store::Result<Arc<Vec<store::users::User>>> {
        let epoch = {
            let d = kit::util::read(&self.desk.directory);
            if let Some(s) = d.staff.get(&agency) {
                return Ok(s.clone());
            }
            d.epoch
        };
        let list = Arc::new(store::users::staff_of_agency(&self.store.db, agency).await?);
        let mut d = kit::util::write(&self.desk.directory);
        if d.epoch == epoch {
            d.staff.insert(agency, list.clone());
        }
        Ok(list)
    }
}

/// Search visibility terms of a case: its company, and every agency that may see it.
fn case_terms(company_id: i64, agencies: impl IntoIterator<Item = i64>) -> Vec<String> {
    let mut v = vec![format!("company:{company_id}"), "platform".to_string()];
    v.extend(agencies.into_iter().map(|a| format!("agency:{a}")));
    v
}

fn unix(iso: &str) -> i64 {
    time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339).map(|t| t.unix_timestamp()).unwrap_or(0)
}

fn case_doc(r: store::cases::SearchRow) -> Doc {
    let mut agencies: Vec<i64> = r.agencies.as_deref().unwrap_or("").split(',').filter_map(|a| a.trim().parse().ok()).collect();
    agencies.extend(r.agency_id);
    // Drafts are the company's alone.
    let terms = if r.status == "draft" { vec![format!("company:{}", r.company_id)] } else { case_terms(r.company_id, agencies) };
    Doc {
        id: r.id,
        kind: DocKind::Case,
        title: r.title,
        body: r.description,
        category: r.category,
        country: r.country,
        hs_codes: r.products.as_deref().unwrap_or("").split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        status: r.status,
        visible_to: terms,
        updated: unix(&r.updated_at),
    }
}

fn kb_doc(e: store::kb::Entry) -> Doc {
    // Drafts and entries awaiting approval are visible to the agencies' staff only.
    let terms = if e.status == "published" { vec!["public".to_string()] } else { vec!["staff".to_string()] };
    Doc {
        id: e.id,
        kind: DocKind::Kb,
        title: format!("{} {}", e.title_ko, e.title_en),
        body: format!("{}\n{}", e.summary_ko, e.summary_en),
        category: e.category,
        country: e.country,
        hs_codes: e.hs_codes.split_whitespace().map(str::to_string).collect(),
        status: e.status,
        visible_to: terms,
        updated: unix(e.published_at.as_deref().unwrap_or(&e.updated_at)),
    }
}

/// Builds the node's indexes from the database: full text (cases and knowledge-base entries) and
/// the in-memory case index behind the queues.
pub async fn build_index(state: &DeskState) -> Result<(), String> {
    let index = Arc::new(SearchIndex::new_in_ram().map_err(|e| e.to_string())?);
    let db = &state.store.db;
    let cases = crate::case_index::CaseIndex::load(&state.store).await.map_err(|e| e.to_string())?;
    if let Some(s) = state.desk.case_index_stats.get() {
        s.set_entries(cases.len());
    }
    let _ = state.desk.cases.set(Arc::new(cases));
    let mut after = 0;
    loop {
        let rows = store::cases::search_rows_after(db, after, 5000).await.map_err(|e| e.to_string())?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        upsert(&index, rows.into_iter().map(case_doc).collect()).await?;
    }
    let mut after = 0;
    loop {
        let rows = store::kb::all_entries_after(db, after, 5000).await.map_err(|e| e.to_string())?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        upsert(&index, rows.into_iter().map(kb_doc).collect()).await?;
    }
    let _ = state.desk.index.set(index);
    state.desk.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}

/// Reads every case's page details into memory (see `case_details`); pages read the database
/// for cases not loaded yet, so this runs in the background after start.
pub async fn load_details(state: &DeskState) {
    let started = std::time::Instant::now();
    match state.desk.details.load_all(&state.store).await {
        Ok(n) => tracing::info!(cases = n, ms = started.elapsed().as_millis() as u64, "case details loaded"),
        Err(e) => tracing::warn!(error = %e, "case details could not be loaded; case pages read them from the database"),
    }
}

/// Index writes block (a commit takes milliseconds, a bulk load seconds): off the async threads.
async fn upsert(index: &Arc<SearchIndex>, docs: Vec<Doc>) -> Result<(), String> {
    if docs.is_empty() {
        return Ok(());
    }
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.upsert(docs).map_err(|e| e.to_string())).await.map_err(|e| e.to_string())?
}

/// The topics the desk keeps copies of: cases and summaries (search index, case index, case
/// details through the case version), agencies and staff (the directory), saved filters and
/// the desk settings (pages keyed by the desk's generation).
pub const TOPICS: &[Topic] = &[Topic::Case, Topic::Summary, Topic::Staff, Topic::SavedFilter, Topic::DeskSettings];

/// Applies a batch of changes from the log (see `kit::changes`): re-reads the cases and
/// summaries it names into both indexes, drops the directory when staff changed, reloads the
/// settings when an administrator changed them. Idempotent: a batch may come again.
pub async fn apply(state: &DeskState, batch: &[Change]) -> Result<(), String> {
    let of = |topic: Topic| {
        let mut ids: Vec<i64> = batch.iter().filter(|c| c.topic == Some(topic)).map(|c| c.ref_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    if batch.iter().any(|c| c.topic == Some(Topic::Staff)) {
        state.desk.drop_directory();
    }
    if batch.iter().any(|c| c.topic == Some(Topic::DeskSettings)) && state.desk.config().is_some() {
        state.reload_desk().await.map_err(|e| e.to_string())?;
    }
    let (case_ids, kb_ids) = (of(Topic::Case), of(Topic::Summary));
    if let (Some(index), Some(case_index)) = (state.search(), state.case_index()) {
        case_index.refresh(&state.store, &case_ids).await.map_err(|e| e.to_string())?;
        if let Some(s) = state.desk.case_index_stats.get() {
            s.set_entries(case_index.len());
        }
        let db = &state.store.db;
        let rows = store::cases::search_rows(db, &case_ids).await.map_err(|e| e.to_string())?;
        let mut docs: Vec<Doc> = rows.into_iter().map(case_doc).collect();
        docs.extend(store::kb::get_many(db, &kb_ids).await.map_err(|e| e.to_string())?.into_iter().map(kb_doc));
        upsert(index, docs).await?;
    }
    state.desk.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}

/// Brings this node up to date with the change log now (after a change made here, so that the
/// writer sees it at once; other nodes get it from their feed).
pub async fn sync_index(state: &DeskState) -> Result<usize, String> {
    state.kit.changes.catch_up(&state.store).await.map_err(|e| e.to_string())
}

/// Where attachments live: `<files_dir>/cases/<case id>/<random key>`. Names never come from
/// the upload, so nothing a user sends can choose a path.
pub fn attachment_path(state: &kit::Kit, storage_key: &str) -> std::path::PathBuf {
    state.config.files_dir.join(storage_key)
}

/// Recomputes the stored due dates of every open case under the configuration in force (after
/// an administrator changed holidays or targets). Only rows whose dates move are written.
pub async fn recompute_due_dates(state: &DeskState) -> store::Result<usize> {
    use store::TransactionTrait;
    let cfg = state.desk().await?;
    let rows = store::cases::open_due_rows(&state.store.db).await?;
    let tx = state.store.db.begin().await?;
    let mut changed = 0;
    for r in rows {
        let Some(submitted) = r.submitted_at.as_deref().and_then(kst_date) else { continue };
        let target = cfg.target(&r.priority, &r.category);
        let due = cfg.calendar.add_business_days(submitted, target.resolution_days + r.paused_business_days).to_string();
        let first = cfg.calendar.add_business_days(submitted, target.first_response_days).to_string();
        if r.due_on.as_deref() != Some(&due) || r.first_response_due_on.as_deref() != Some(&first) {
            store::cases::set_due_dates(&tx, r.id, &due, &first).await?;
            changed += 1;
        }
    }
    tx.commit().await?;
    Ok(changed)
}

/// The hour (KST) after which each agency's daily digest of cases near or past their target goes
/// out; one node claims it per agency and day.
pub const DIGEST_HOUR_KST: u8 = 8;

/// E-mails each agency's staff the open cases it holds that are at risk or late, once a day.
pub async fn send_digests(state: &DeskState) -> Result<usize, String> {
    send_digests_at(state, time::OffsetDateTime::now_utc()).await
}

/// [`send_digests`] as if it were `now` (tests choose the hour).
pub async fn send_digests_at(state: &DeskState, now: time::OffsetDateTime) -> Result<usize, String> {
    use store::TransactionTrait;
    let now = now.to_offset(kit::util::KST);
    if now.hour() < DIGEST_HOUR_KST {
        return Ok(0);
    }
    let day = now.date();
    let cfg = state.desk().await.map_err(|e| e.to_string())?;
    let db = &state.store.db;
    let Some(index) = state.case_index() else { return Ok(0) };
    let flagged = index.flag(&cfg, day);
    let mut sent = 0;
    let mut by_agency: std::collections::BTreeMap<i64, Vec<(i64, String, domain::sla::SlaStatus)>> = Default::default();
    for (e, s) in flagged {
        if let Some(a) = e.case.agency_id {
            by_agency.entry(a).or_default().push((e.case.id, e.case.title.clone(), s));
        }
    }
    for (agency, list) in by_agency {
        let tx = db.begin().await.map_err(|e| e.to_string())?;
        if !store::desk::claim_digest(&tx, agency, &day.to_string()).await.map_err(|e| e.to_string())? {
            continue;
        }
        for u in store::users::staff_of_agency(&tx, agency).await.map_err(|e| e.to_string())? {
            let t = kit::i18n::Tr::new(kit::i18n::Lang::parse(&u.locale).unwrap_or_default());
            let lines: Vec<String> = list
                .iter()
                .map(|(id, title, s)| {
                    let state_label = t.t(&format!("sla-{}", s.state.as_str()));
                    format!(
                        "- {} {title} — {state_label} ({}) {}/cases/{id}",
                        domain::case::reference(day.year(), *id),
                        t.date(&s.due_on.to_string()),
                        state.config.base_url
                    )
                })
                .collect();
            let body = t.targs(
                "mail-digest-body",
                &[("name", u.display_name.clone()), ("count", list.len().to_string()), ("cases", lines.join("\n"))],
            );
            kit::mail::enqueue(
                &tx,
                &kit::mail::Email { to: u.email.clone(), subject: t.ta("mail-digest-subject", &list.len().to_string()), body },
            )
            .await
            .map_err(|e| e.to_string())?;
            sent += 1;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    Ok(sent)
}
