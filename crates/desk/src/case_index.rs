//! Every case in memory on each node, for the queues and the SLA sweep.
//!
//! A queue page over 100,000 cases cannot afford SQL that joins, counts and sorts per request
//! (the first version took 0.6 s a page). Like the company index, this one is loaded once and
//! refreshed from the `case_changes` log — at once after a change on this node, within a poll
//! for changes made on others. Each agency has a list of the cases it may see, kept in due-date
//! order, so the default queue is a filtered walk over one list with no sort at all.
//!
//! Descriptions are not kept (pages that need them read the case from the database).

use domain::case::{CaseCategory, CaseStatus, Priority, WaitingOn};
use kit::util::kst_date;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use store::Store;
use store::cases::{Case, Pause, QueueFilter, QueueSort, ReferralLink, Scope};
use time::Date;

/// One case as the index holds it.
pub struct Entry {
    pub case: Case,
    pub status: CaseStatus,
    pub due: Option<Date>,
    /// Agencies that may see the case: the holder and both ends of referrals not declined.
    pub agencies: Vec<i64>,
    /// Agencies with a referral waiting for their answer.
    pub pending_to: Vec<i64>,
    /// Clock pauses as dates, for the SLA sweep.
    pub pauses: Vec<(Date, Option<Date>)>,
    /// The clock's dates, parsed once (the sweep runs over every open case).
    submitted_on: Option<Date>,
    first_response_on: Option<Date>,
}

/// What queue filters look at, packed small so a scan over an agency's list stays in cache.
#[derive(Clone, Copy)]
struct Key {
    assignee: i64,
    due: Option<Date>,
    status: CaseStatus,
    waiting: WaitingOn,
    priority: Priority,
    category: CaseCategory,
    country: [u8; 2],
    paused: bool,
    /// A referral to the list's agency waits for its answer.
    pending_here: bool,
}

impl Key {
    fn of(e: &Entry, agency: Option<i64>) -> Key {
        let k = &e.case;
        let c = k.country.as_bytes();
        Key {
            assignee: k.assignee_id.unwrap_or(0),
            due: e.due,
            status: e.status,
            waiting: WaitingOn::parse(&k.waiting_on).unwrap_or(WaitingOn::Desk),
            priority: Priority::parse(&k.priority).unwrap_or(Priority::Normal),
            category: CaseCategory::parse(&k.category).unwrap_or(CaseCategory::Other),
            country: [c.first().copied().unwrap_or(0), c.get(1).copied().unwrap_or(0)],
            paused: k.paused_since.is_some(),
            pending_here: agency.is_some_and(|a| e.pending_to.contains(&a)),
        }
    }
}

/// A queue's list: entries in queue order with their keys alongside.
#[derive(Default)]
struct List {
    entries: Vec<Arc<Entry>>,
    keys: Vec<Key>,
    /// Entries before this index are open (the default order puts them first).
    open_len: usize,
}

impl List {
    fn new(entries: Vec<Arc<Entry>>, agency: Option<i64>) -> List {
        let keys: Vec<Key> = entries.iter().map(|e| Key::of(e, agency)).collect();
        let open_len = keys.iter().take_while(|k| k.status.is_open() && k.due.is_some()).count();
        List { entries, keys, open_len }
    }
}

impl Entry {
    fn new(case: Case, links: &[ReferralLink], pauses: &[Pause]) -> Entry {
        let mut agencies: Vec<i64> = case.agency_id.into_iter().collect();
        let mut pending_to = Vec::new();
        for l in links {
            agencies.push(l.from_agency_id);
            if l.status != "declined" {
                agencies.push(l.to_agency_id);
            }
            if l.status == "pending" {
                pending_to.push(l.to_agency_id);
            }
        }
        agencies.sort_unstable();
        agencies.dedup();
        let pauses = pauses
            .iter()
            .filter_map(|p| Some((kit::util::parse_date(&p.started_on)?, p.ended_on.as_deref().and_then(kit::util::parse_date))))
            .collect();
        Entry {
            submitted_on: case.submitted_at.as_deref().and_then(kst_date),
            first_response_on: case.first_response_at.as_deref().and_then(kst_date),
            status: CaseStatus::parse(&case.status).unwrap_or(CaseStatus::Draft),
            due: case.due_on.as_deref().and_then(kit::util::parse_date),
            case,
            agencies,
            pending_to,
            pauses,
        }
    }
}

#[derive(Default)]
struct Inner {
    entries: HashMap<i64, Arc<Entry>>,
    /// Per agency, the cases it may see, in queue order (open by due date first, then the rest
    /// newest first); rebuilt lazily after changes.
    by_agency: HashMap<i64, List>,
    /// All cases in the same order, for platform administrators.
    everything: List,
    /// The work-page counts per agency, computed once per rebuild and day.
    counts: std::sync::Mutex<HashMap<i64, (Date, [i64; 5])>>,
    dirty: bool,
}

#[derive(Default)]
pub struct CaseIndex {
    inner: RwLock<Inner>,
}

/// The default queue order: open cases with a due date by that date, then the rest newest first.
fn queue_key(e: &Entry) -> (u8, Option<Date>, std::cmp::Reverse<i64>) {
    match e.due {
        Some(d) if e.status.is_open() => (0, Some(d), std::cmp::Reverse(e.case.id)),
        _ => (1, None, std::cmp::Reverse(e.case.id)),
    }
}

fn group<T: Clone>(rows: &[T], id: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut m: HashMap<i64, Vec<T>> = HashMap::new();
    for r in rows {
        m.entry(id(r)).or_default().push(r.clone());
    }
    m
}

impl CaseIndex {
    /// Reads every case (in batches), its referrals and its pauses.
    pub async fn load(store: &Store) -> store::Result<CaseIndex> {
        let db = &store.db;
        let links = group(&store::cases::referral_links(db, None).await?, |l| l.case_id);
        let pauses = group(&store::cases::pauses_in(db, store::cases::CaseSet::Range { after: 0, upto: i64::MAX }).await?, |p| p.case_id);
        let mut inner = Inner { dirty: true, ..Default::default() };
        let mut after = 0;
        loop {
            let rows = store::cases::light_after(db, after, 20_000).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for c in rows {
                let id = c.id;
                let e = Entry::new(c, links.get(&id).map(Vec::as_slice).unwrap_or(&[]), pauses.get(&id).map(Vec::as_slice).unwrap_or(&[]));
                inner.entries.insert(id, Arc::new(e));
            }
        }
        let index = CaseIndex { inner: RwLock::new(inner) };
        index.rebuild_if_dirty();
        Ok(index)
    }

    /// Re-reads the given cases (after changes here or on another node).
    pub async fn refresh(&self, store: &Store, ids: &[i64]) -> store::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let db = &store.db;
        let rows = store::cases::light_many(db, ids).await?;
        let links = group(&store::cases::referral_links(db, Some(ids)).await?, |l| l.case_id);
        let pauses = group(&store::cases::pauses_in(db, store::cases::CaseSet::Ids(ids)).await?, |p| p.case_id);
        let fresh: Vec<Entry> = rows
            .into_iter()
            .map(|c| {
                let id = c.id;
                Entry::new(c, links.get(&id).map(Vec::as_slice).unwrap_or(&[]), pauses.get(&id).map(Vec::as_slice).unwrap_or(&[]))
            })
            .collect();
        let mut inner = kit::util::write(&self.inner);
        for e in fresh {
            inner.entries.insert(e.case.id, Arc::new(e));
        }
        inner.dirty = true;
        Ok(())
    }

    fn rebuild_if_dirty(&self) {
        if !kit::util::read(&self.inner).dirty {
            return;
        }
        let mut inner = kit::util::write(&self.inner);
        if !inner.dirty {
            return;
        }
        let mut all: Vec<Arc<Entry>> = inner.entries.values().cloned().collect();
        all.sort_by_key(|e| queue_key(e));
        let mut by_agency: HashMap<i64, Vec<Arc<Entry>>> = HashMap::new();
        for e in &all {
            // Drafts belong to their company alone.
            if e.status == CaseStatus::Draft {
                continue;
            }
            for a in &e.agencies {
                by_agency.entry(*a).or_default().push(e.clone());
            }
        }
        inner.everything = List::new(all, None);
        inner.by_agency = by_agency.into_iter().map(|(a, list)| (a, List::new(list, Some(a)))).collect();
        kit::util::lock(&inner.counts).clear();
        inner.dirty = false;
    }

    pub fn len(&self) -> usize {
        kit::util::read(&self.inner).entries.len()
    }

    pub fn get(&self, id: i64) -> Option<Arc<Entry>> {
        kit::util::read(&self.inner).entries.get(&id).cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One page of a queue and the number of matches, like `store::cases::queue` but from memory.
    pub fn queue(&self, scope: Scope, f: &QueueFilter) -> (Vec<Arc<Entry>>, i64) {
        self.rebuild_if_dirty();
        let inner = kit::util::read(&self.inner);
        let empty = List::default();
        let list: &List = match scope {
            Scope::Agency(a) => inner.by_agency.get(&a).unwrap_or(&empty),
            Scope::All | Scope::Company(_) => &inner.everything,
        };
        let ids: Option<std::collections::HashSet<i64>> = f.ids.as_ref().map(|v| v.iter().copied().collect());
        let statuses: Vec<CaseStatus> = f.statuses.iter().filter_map(|s| CaseStatus::parse(s)).collect();
        let due_before = f.due_before.as_deref().and_then(kit::util::parse_date);
        // A filter that names something unknown matches nothing (as the SQL version would).
        let parsed = |v: &Option<String>, parse: &dyn Fn(&str) -> Option<u8>| -> Option<Option<u8>> {
            match v.as_deref() {
                None => Some(None),
                Some(s) => parse(s).map(Some),
            }
        };
        let (Some(category), Some(priority), Some(waiting)) = (
            parsed(&f.category, &|s| CaseCategory::parse(s).map(|c| c as u8)),
            parsed(&f.priority, &|s| Priority::parse(s).map(|p| p as u8)),
            parsed(&f.waiting_on, &|s| WaitingOn::parse(s).map(|w| w as u8)),
        ) else {
            return (Vec::new(), 0);
        };
        let country: Option<[u8; 2]> = f.country.as_deref().map(|c| {
            let b = c.as_bytes();
            [b.first().copied().unwrap_or(0), b.get(1).copied().unwrap_or(0)]
        });
        let only_open =
            due_before.is_some() || waiting.is_some() || f.unassigned || (!statuses.is_empty() && statuses.iter().all(|s| s.is_open()));
        let key_matches = |k: &Key| -> bool {
            let open = k.status.is_open();
            (f.assignee.is_none_or(|a| k.assignee == a))
                && (!f.unassigned || (k.assignee == 0 && open))
                && due_before.is_none_or(|d| open && !k.paused && k.due.is_some_and(|due| due < d))
                && waiting.is_none_or(|w| open && k.waiting as u8 == w)
                && (statuses.is_empty() || statuses.contains(&k.status))
                && category.is_none_or(|c| k.category as u8 == c)
                && country.is_none_or(|c| k.country == c)
                && priority.is_none_or(|p| k.priority as u8 == p)
                && f.referred_to.is_none_or(|_| k.pending_here)
        };
        let entry_matches = |e: &Entry| -> bool {
            match scope {
                Scope::Company(c) if e.case.company_id != c => return false,
                Scope::All if e.status == CaseStatus::Draft => return false,
                _ => {}
            }
            ids.as_ref().is_none_or(|ids| ids.contains(&e.case.id))
        };
        // Open cases lead the list: a filter that only wants open ones stops at the first closed.
        let end = if only_open { list.open_len } else { list.keys.len() };
        let hits = (0..end).filter(|&i| key_matches(&list.keys[i]) && entry_matches(&list.entries[i]));
        let limit = f.limit.clamp(1, 10_000) as usize;
        let offset = f.offset.max(0) as usize;
        if f.sort == QueueSort::Due {
            // The lists are already in this order: count while keeping only the page.
            let mut total = 0usize;
            let mut page = Vec::with_capacity(limit);
            for i in hits {
                if total >= offset && page.len() < limit {
                    page.push(list.entries[i].clone());
                }
                total += 1;
            }
            return (page, total as i64);
        }
        let mut hits: Vec<usize> = hits.collect();
        let total = hits.len() as i64;
        let e = |i: &usize| &list.entries[*i];
        match f.sort {
            QueueSort::Newest => hits.sort_by_key(|i| std::cmp::Reverse(e(i).case.id)),
            QueueSort::Updated => {
                hits.sort_by(|a, b| e(b).case.updated_at.cmp(&e(a).case.updated_at).then(e(b).case.id.cmp(&e(a).case.id)))
            }
            // Stable: within a priority the due-date order stays.
            QueueSort::Priority => hits.sort_by_key(|i| list.keys[*i].priority as u8),
            QueueSort::Due => {}
        }
        (hits.into_iter().skip(offset).take(limit).map(|i| list.entries[i].clone()).collect(), total)
    }

    /// The counts on an agency's work page: (open held, unassigned, overdue, waiting on the
    /// company, referrals waiting for its answer).
    pub fn agency_counts(&self, agency_id: i64, today: Date) -> [i64; 5] {
        self.rebuild_if_dirty();
        let inner = kit::util::read(&self.inner);
        if let Some((day, n)) = kit::util::lock(&inner.counts).get(&agency_id)
            && *day == today
        {
            return *n;
        }
        let mut n = [0i64; 5];
        if let Some(list) = inner.by_agency.get(&agency_id) {
            for (k, e) in list.keys.iter().zip(&list.entries) {
                n[4] += i64::from(k.pending_here);
                if e.case.agency_id != Some(agency_id) || !k.status.is_open() {
                    continue;
                }
                n[0] += 1;
                n[1] += i64::from(k.assignee == 0);
                n[2] += i64::from(!k.paused && k.due.is_some_and(|d| d < today));
                n[3] += i64::from(k.waiting == WaitingOn::Company);
            }
        }
        kit::util::lock(&inner.counts).insert(agency_id, (today, n));
        n
    }

    /// The clock of every open case; returns those at risk or late. This is the sweep behind the
    /// daily digest (and the desk's speed target: all open cases in well under 100 ms).
    pub fn flag(&self, cfg: &crate::runtime::DeskConfig, today: Date) -> Vec<(Arc<Entry>, domain::sla::SlaStatus)> {
        self.rebuild_if_dirty();
        let inner = kit::util::read(&self.inner);
        let mut out = Vec::new();
        let mut dates: Vec<(Date, Option<Date>)> = Vec::new();
        for e in &inner.everything.entries[..inner.everything.open_len] {
            let k = &e.case;
            let Some(submitted) = e.submitted_on else { continue };
            dates.clear();
            dates.extend(e.pauses.iter().filter(|p| p.1.is_none_or(|end| end >= submitted)).map(|&(s, end)| (s.max(submitted), end)));
            let input = domain::sla::ClockInput {
                submitted_on: submitted,
                first_response_on: e.first_response_on,
                resolved_on: None,
                pauses: &dates,
            };
            let s = domain::sla::status(&cfg.calendar, cfg.target(&k.priority, &k.category), &input, today);
            if matches!(s.state, domain::sla::SlaState::AtRisk | domain::sla::SlaState::Breached) {
                out.push((e.clone(), s));
            }
        }
        out
    }
}
