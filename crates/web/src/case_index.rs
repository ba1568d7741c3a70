//! Every case in memory on each node, for the queues and the SLA sweep.
//!
//! A queue page over 100,000 cases cannot afford SQL that joins, counts and sorts per request
//! (the first version took 0.6 s a page). Like the company index, this one is loaded once and
//! refreshed from the `case_changes` log — at once after a change on this node, within a poll
//! for changes made on others. Each agency has a list of the cases it may see, kept in due-date
//! order, so the default queue is a filtered walk over one list with no sort at all.
//!
//! Descriptions are not kept (pages that need them read the case from the database).

use crate::desk::kst_date;
use domain::case::CaseStatus;
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
            .filter_map(|p| Some((crate::matching::parse_date(&p.started_on)?, p.ended_on.as_deref().and_then(crate::matching::parse_date))))
            .collect();
        Entry {
            status: CaseStatus::parse(&case.status).unwrap_or(CaseStatus::Draft),
            due: case.due_on.as_deref().and_then(crate::matching::parse_date),
            case,
            agencies,
            pending_to,
            pauses,
        }
    }
    fn is_open(&self) -> bool {
        self.status.is_open()
    }
    fn priority_rank(&self) -> u8 {
        match self.case.priority.as_str() {
            "urgent" => 0,
            "high" => 1,
            "normal" => 2,
            _ => 3,
        }
    }
}

#[derive(Default)]
struct Inner {
    entries: HashMap<i64, Arc<Entry>>,
    /// Per agency, the ids it may see, in queue order (open by due date first, then the rest
    /// newest first); rebuilt lazily after changes.
    by_agency: HashMap<i64, Vec<Arc<Entry>>>,
    /// All cases in the same order, for platform administrators.
    everything: Vec<Arc<Entry>>,
    dirty: bool,
}

#[derive(Default)]
pub struct CaseIndex {
    inner: RwLock<Inner>,
}

/// The default queue order: open cases with a due date by that date, then the rest newest first.
fn queue_key(e: &Entry) -> (u8, Option<Date>, std::cmp::Reverse<i64>) {
    match e.due {
        Some(d) if e.is_open() => (0, Some(d), std::cmp::Reverse(e.case.id)),
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
        let pauses = group(&store::cases::pauses_of(db, None).await?, |p| p.case_id);
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
        let pauses = group(&store::cases::pauses_of(db, Some(ids)).await?, |p| p.case_id);
        let fresh: Vec<Entry> = rows
            .into_iter()
            .map(|c| {
                let id = c.id;
                Entry::new(c, links.get(&id).map(Vec::as_slice).unwrap_or(&[]), pauses.get(&id).map(Vec::as_slice).unwrap_or(&[]))
            })
            .collect();
        let mut inner = self.inner.write().expect("case index lock");
        for e in fresh {
            inner.entries.insert(e.case.id, Arc::new(e));
        }
        inner.dirty = true;
        Ok(())
    }

    fn rebuild_if_dirty(&self) {
        if !self.inner.read().expect("case index lock").dirty {
            return;
        }
        let mut inner = self.inner.write().expect("case index lock");
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
        inner.everything = all;
        inner.by_agency = by_agency;
        inner.dirty = false;
    }

    pub fn len(&self) -> usize {
        self.inner.read().expect("case index lock").entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One page of a queue and the number of matches, like `store::cases::queue` but from memory.
    pub fn queue(&self, scope: Scope, f: &QueueFilter) -> (Vec<Arc<Entry>>, i64) {
        self.rebuild_if_dirty();
        let inner = self.inner.read().expect("case index lock");
        let empty = Vec::new();
        let list: &Vec<Arc<Entry>> = match scope {
            Scope::Agency(a) => inner.by_agency.get(&a).unwrap_or(&empty),
            Scope::All | Scope::Company(_) => &inner.everything,
        };
        let ids: Option<std::collections::HashSet<i64>> = f.ids.as_ref().map(|v| v.iter().copied().collect());
        let statuses: Vec<CaseStatus> = f.statuses.iter().filter_map(|s| CaseStatus::parse(s)).collect();
        let due_before = f.due_before.as_deref().and_then(crate::matching::parse_date);
        let matches = |e: &Entry| -> bool {
            let k = &e.case;
            match scope {
                Scope::Company(c) if k.company_id != c => return false,
                Scope::All if e.status == CaseStatus::Draft => return false,
                _ => {}
            }
            (f.assignee.is_none() || k.assignee_id == f.assignee)
                && (!f.unassigned || (k.assignee_id.is_none() && e.is_open()))
                && due_before.is_none_or(|d| e.is_open() && k.paused_since.is_none() && e.due.is_some_and(|due| due < d))
                && f.waiting_on.as_deref().is_none_or(|w| e.is_open() && k.waiting_on == w)
                && (statuses.is_empty() || statuses.contains(&e.status))
                && f.category.as_deref().is_none_or(|c| k.category == c)
                && f.country.as_deref().is_none_or(|c| k.country == c)
                && f.priority.as_deref().is_none_or(|p| k.priority == p)
                && f.referred_to.is_none_or(|a| e.pending_to.contains(&a))
                && ids.as_ref().is_none_or(|ids| ids.contains(&k.id))
        };
        let limit = f.limit.clamp(1, 10_000) as usize;
        let offset = f.offset.max(0) as usize;
        if f.sort == QueueSort::Due {
            // The lists are already in this order: count while keeping only the page.
            let mut total = 0usize;
            let mut page = Vec::with_capacity(limit);
            for e in list.iter().filter(|e| matches(e)) {
                if total >= offset && page.len() < limit {
                    page.push(e.clone());
                }
                total += 1;
            }
            return (page, total as i64);
        }
        let mut hits: Vec<&Arc<Entry>> = list.iter().filter(|e| matches(e)).collect();
        let total = hits.len() as i64;
        match f.sort {
            QueueSort::Newest => hits.sort_by_key(|e| std::cmp::Reverse(e.case.id)),
            QueueSort::Updated => hits.sort_by(|a, b| b.case.updated_at.cmp(&a.case.updated_at).then(b.case.id.cmp(&a.case.id))),
            QueueSort::Priority => hits.sort_by_key(|e| (e.priority_rank(), queue_key(e))),
            QueueSort::Due => {}
        }
        (hits.into_iter().skip(offset).take(limit).cloned().collect(), total)
    }

    /// The counts on an agency's work page: (open held, unassigned, overdue, waiting on the
    /// company, referrals waiting for its answer).
    pub fn agency_counts(&self, agency_id: i64, today: Date) -> [i64; 5] {
        self.rebuild_if_dirty();
        let inner = self.inner.read().expect("case index lock");
        let mut n = [0i64; 5];
        for e in inner.by_agency.get(&agency_id).map(Vec::as_slice).unwrap_or(&[]) {
            let k = &e.case;
            if e.pending_to.contains(&agency_id) {
                n[4] += 1;
            }
            if k.agency_id != Some(agency_id) || !e.is_open() {
                continue;
            }
            n[0] += 1;
            n[1] += i64::from(k.assignee_id.is_none());
            n[2] += i64::from(k.paused_since.is_none() && e.due.is_some_and(|d| d < today));
            n[3] += i64::from(k.waiting_on == "company");
        }
        n
    }

    /// The clock of every open case; returns those at risk or late. This is the sweep behind the
    /// daily digest (and the desk's speed target: all open cases in well under 100 ms).
    pub fn flag(&self, cfg: &crate::desk::DeskConfig, today: Date) -> Vec<(Arc<Entry>, domain::sla::SlaStatus)> {
        self.rebuild_if_dirty();
        let inner = self.inner.read().expect("case index lock");
        let mut out = Vec::new();
        let mut dates: Vec<(Date, Option<Date>)> = Vec::new();
        for e in &inner.everything {
            if !e.is_open() {
                continue;
            }
            let k = &e.case;
            let Some(submitted) = k.submitted_at.as_deref().and_then(kst_date) else { continue };
            dates.clear();
            dates.extend(e.pauses.iter().filter(|p| p.1.is_none_or(|end| end >= submitted)).map(|&(s, end)| (s.max(submitted), end)));
            let input = domain::sla::ClockInput {
                submitted_on: submitted,
                first_response_on: k.first_response_at.as_deref().and_then(kst_date),
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

/// A shared, swappable index (loaded after the server starts listening).
pub type SharedCaseIndex = Arc<RwLock<Option<Arc<CaseIndex>>>>;
