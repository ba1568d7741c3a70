//! What a case page shows besides the case row — the timeline, files, referrals, links,
//! follow-ups, summaries and products — for every case, in memory on each node.
//!
//! Read from the database, one case page took about ten small queries; over 100,000 cases
//! that was 2,400 pages a second with a p99 of 110 ms on SQLite (most of it handing queries
//! to the driver's thread and back) and worse on PostgreSQL. Here the details are read in bulk
//! once, in the background after start, and again for a case when it changes.
//!
//! Each case's details carry the case version they were read at. Every change to a case's
//! details bumps its version (events, files, referrals, links and follow-ups are written with
//! `save_state` or `touch`; a summary drafted from the case touches it in `store::kb`), and the
//! case index follows versions from the change log on every node, so the page uses details only
//! while they are at least as new as the version the index holds.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use store::cases::{self, Attachment, CaseSet, Followup, Pause, Referral};
use store::kb::CaseSummary;
use store::{Store, StoreError};

/// Cases read per step while loading everything (about ten events each).
const STEP: i64 = 2_000;

/// A timeline entry as kept: the store's row without the agency names (the page has the
/// agencies) and with people's names shared, at about half the memory.
#[derive(Debug)]
pub struct TimelineEvent {
    pub id: i64,
    pub kind: Box<str>,
    pub at: Box<str>,
    pub from_value: Option<Box<str>>,
    pub to_value: Option<Box<str>>,
    pub body: Box<str>,
    pub internal: bool,
    pub actor_name: Option<Arc<str>>,
    pub actor_agency_id: Option<i64>,
}

/// One case's details, internal notes and files included (the page filters them by reader).
#[derive(Debug, Default)]
pub struct Details {
    /// The case version these were read at (read first: the rest is at least this new).
    pub version: i64,
    pub description: String,
    pub events: Vec<TimelineEvent>,
    pub attachments: Vec<Attachment>,
    pub pauses: Vec<Pause>,
    pub referrals: Vec<Referral>,
    /// Linked cases by id; their titles and states come from the case index when shown.
    pub links: Vec<i64>,
    pub followups: Vec<Followup>,
    pub summaries: Vec<CaseSummary>,
    pub products: Vec<String>,
}

/// Reads the details of a set of cases: one query per kind, whatever the number of cases.
pub async fn read(store: &Store, set: CaseSet<'_>) -> store::Result<HashMap<i64, Details>> {
    let db = &store.db;
    // The version first: whatever is read after it is at least as new.
    let mut out: HashMap<i64, Details> = cases::texts_of(db, set)
        .await?
        .into_iter()
        .map(|t| (t.id, Details { version: t.version, description: t.description, ..Default::default() }))
        .collect();
    fn spread<T>(out: &mut HashMap<i64, Details>, rows: Vec<T>, case: impl Fn(&T) -> i64, put: impl Fn(&mut Details, T)) {
        for r in rows {
            if let Some(d) = out.get_mut(&case(&r)) {
                put(d, r);
            }
        }
    }
    let mut names: HashMap<String, Arc<str>> = HashMap::new();
    for e in cases::events_of(db, set).await? {
        let Some(d) = out.get_mut(&e.case_id) else { continue };
        let actor_name = e.actor_name.map(|n| names.entry(n).or_insert_with_key(|n| Arc::from(n.as_str())).clone());
        d.events.push(TimelineEvent {
            id: e.id,
            kind: e.kind.into(),
            at: e.at.into(),
            from_value: e.from_value.map(Into::into),
            to_value: e.to_value.map(Into::into),
            body: e.body.into(),
            internal: e.internal,
            actor_name,
            actor_agency_id: e.actor_agency_id,
        });
    }
    spread(&mut out, cases::attachments_of(db, set).await?, |a| a.case_id, |d, a| d.attachments.push(a));
    spread(&mut out, cases::pauses_in(db, set).await?, |p| p.case_id, |d, p| d.pauses.push(p));
    spread(&mut out, cases::referrals_of(db, set).await?, |r| r.case_id, |d, r| d.referrals.push(r));
    spread(&mut out, cases::links_of(db, set).await?, |l| l.case_id, |d, l| d.links.push(l.other_id));
    spread(&mut out, cases::followups_of(db, set).await?, |f| f.case_id, |d, f| d.followups.push(f));
    spread(&mut out, store::kb::summaries_of(db, set).await?, |s| s.case_id, |d, s| d.summaries.push(s));
    spread(&mut out, cases::products_of(db, set).await?, |p| p.case_id, |d, p| d.products.push(p.hs_code));
    Ok(out)
}

#[derive(Default)]
pub struct DetailCache {
    map: RwLock<HashMap<i64, Arc<Details>>>,
    stats: std::sync::OnceLock<Arc<kit::registry::CacheStats>>,
}

impl DetailCache {
    /// Counts reads and entries on the registry's counters (see `kit::registry`).
    pub fn count_on(&self, stats: Arc<kit::registry::CacheStats>) {
        let _ = self.stats.set(stats);
    }

    /// The details of case `id` if they are at least as new as `version`.
    pub fn get(&self, id: i64, version: i64) -> Option<Arc<Details>> {
        let found = kit::util::read(&self.map).get(&id).filter(|d| d.version >= version).cloned();
        if let Some(s) = self.stats.get() {
            if found.is_some() { s.hit() } else { s.miss() }
        }
        found
    }

    /// As [`get`](Self::get), reading the case from the database when it is missing or older.
    pub async fn get_or_read(&self, store: &Store, id: i64, version: i64) -> store::Result<Arc<Details>> {
        if let Some(d) = self.get(id, version) {
            return Ok(d);
        }
        let d = Arc::new(read(store, CaseSet::Ids(&[id])).await?.remove(&id).ok_or(StoreError::NotFound)?);
        self.put(id, d.clone());
        Ok(d)
    }

    /// Keeps `d` unless newer details of the case are already here (a page and the background
    /// load may read one case at the same time).
    fn put(&self, id: i64, d: Arc<Details>) {
        let mut map = kit::util::write(&self.map);
        if map.get(&id).is_none_or(|old| old.version <= d.version) {
            map.insert(id, d);
        }
        if let Some(s) = self.stats.get() {
            s.set_entries(map.len());
        }
    }

    /// Reads every case's details, a step of ids at a time, and returns how many it kept.
    pub async fn load_all(&self, store: &Store) -> store::Result<usize> {
        let last = cases::max_id(&store.db).await?;
        let mut after = 0;
        let mut n = 0;
        while after < last {
            let upto = (after + STEP).min(last);
            for (id, d) in read(store, CaseSet::Range { after, upto }).await? {
                self.put(id, Arc::new(d));
                n += 1;
            }
            after = upto;
        }
        Ok(n)
    }
}
