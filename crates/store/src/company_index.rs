//! An in-memory index of every company, for searches and profile pages that do not touch the
//! database.
//!
//! The database stays the truth. The index is loaded at start and kept fresh two ways: the node
//! that saves a company refreshes it at once (read-your-writes), and every node re-reads the
//! companies the change log names (`changes::Topic::Company`, published in the same transaction
//! as each create, update or consent decision), so changes made by other nodes or by
//! `globaldesk import` arrive with the next round of the node's change feed.
//!
//! Searching: each filter value has a posting list (sorted slot numbers). A query walks the
//! shortest list that applies; single-valued filters (consent, region, stage, industry) are
//! checked as interned integers, the other lists by galloping through them. Name search uses a
//! character-bigram index (Hangul syllables and Latin letters alike), verified by a substring
//! test. A page comes from a partial selection over precomputed sort ranks, or, when most
//! companies match, from walking the precomputed sort order.

use crate::companies::{Company, CompanyRow, Filter, Sort};
use crate::{Result, Store, all};
use sea_orm::FromQueryResult;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

type Slot = u32;

/// A company's products, export countries and target countries, as loaded.
type Lists = (Vec<String>, Vec<String>, Vec<String>);

/// A company's single-valued attributes as small integers (interned strings), so that checking
/// them costs an integer comparison rather than a string comparison.
#[derive(Clone, Copy, Default)]
struct Attrs {
    region: u32,
    stage: u32,
    ksic: u32,
    section: u32,
    consented: bool,
}

#[derive(Default)]
struct Inner {
    /// Counts the companies put in since loading, so that anything derived from a search
    /// (a rendered result page) can tell it is out of date.
    generation: u64,
    companies: Vec<Arc<Company>>,
    attrs: Vec<Attrs>,
    interned: HashMap<String, u32>,
    /// Lower-cased Korean and English names, joined by a control character no query contains.
    names: Vec<String>,
    slot_of: HashMap<i64, Slot>,
    brn: HashMap<String, Slot>,
    lists: HashMap<Key, Vec<Slot>>,
    /// For every sort order (by `Sort::ALL`): each company's position (`ranks`) and the slots
    /// in that order (`orders`), so that ordering a page compares integers or just walks.
    /// Dropped on every change and rebuilt by the next search.
    ranks: Option<Vec<Vec<u32>>>,
    orders: Vec<Vec<Slot>>,
    /// When the ranks were last built: under a stream of changes they are rebuilt at most
    /// once per `RANK_REBUILD_EVERY`, and searches in between sort by the values themselves.
    ranks_built: Option<std::time::Instant>,
}

const RANK_REBUILD_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Key {
    Consented,
    Region(String),
    Stage(String),
    Ksic(String),
    Country(String),
    /// HS prefixes of 2 and 4 digits; longer prefixes are checked on the company.
    Hs(String),
    Bigram(char, char),
}

fn keys_of(c: &Company, name: &str) -> Vec<Key> {
    let r = &c.row;
    let mut keys = vec![
        Key::Region(r.region.clone()),
        Key::Stage(r.export_stage.clone()),
        Key::Ksic(r.ksic.clone()),
        Key::Ksic(r.ksic_section.clone()),
    ];
    if r.consent_version.is_some() {
        keys.push(Key::Consented);
    }
    for cc in c.export_countries.iter().chain(&c.target_countries) {
        keys.push(Key::Country(cc.clone()));
    }
    for p in &c.products {
        keys.push(Key::Hs(p[..2].to_string()));
        if p.len() >= 4 {
            keys.push(Key::Hs(p[..4].to_string()));
        }
    }
    keys.extend(bigrams(name).into_iter().map(|(a, b)| Key::Bigram(a, b)));
    keys.sort();
    keys.dedup();
    keys
}

/// Adjacent character pairs, skipping pairs that touch a space or the name separator.
fn bigrams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    let usable = |c: char| !c.is_whitespace() && c != '\u{1}';
    chars.windows(2).filter(|w| usable(w[0]) && usable(w[1])).map(|w| (w[0], w[1])).collect()
}

fn name_key(c: &Company) -> String {
    format!("{}\u{1}{}", c.row.name_ko.to_lowercase(), c.row.name_en.as_deref().unwrap_or("").to_lowercase())
}

fn insert_sorted(list: &mut Vec<Slot>, s: Slot) {
    if let Err(pos) = list.binary_search(&s) {
        list.insert(pos, s);
    }
}

fn remove_sorted(list: &mut Vec<Slot>, s: Slot) {
    if let Ok(pos) = list.binary_search(&s) {
        list.remove(pos);
    }
}

impl Inner {
    fn build_ranks(&mut self) {
        let mut ranks = Vec::new();
        let mut orders = Vec::new();
        for sort in Sort::ALL {
            let mut order: Vec<Slot> = (0..self.companies.len() as Slot).collect();
            order.sort_unstable_by(|&a, &b| cmp_by_key(self, sort, a, b));
            let mut rank = vec![0u32; order.len()];
            for (pos, &slot) in order.iter().enumerate() {
                rank[slot as usize] = pos as u32;
            }
            ranks.push(rank);
            orders.push(order);
        }
        self.ranks = Some(ranks);
        self.orders = orders;
        self.ranks_built = Some(std::time::Instant::now());
    }

    fn intern(&mut self, s: &str) -> u32 {
        let next = self.interned.len() as u32;
        *self.interned.entry(s.to_string()).or_insert(next)
    }

    fn attrs_of(&mut self, r: &CompanyRow) -> Attrs {
        Attrs {
            region: self.intern(&r.region),
            stage: self.intern(&r.export_stage),
            ksic: self.intern(&r.ksic),
            section: self.intern(&r.ksic_section),
            consented: r.consent_version.is_some(),
        }
    }

    fn put(&mut self, c: Company) {
        self.generation += 1;
        self.ranks = None;
        let attrs = self.attrs_of(&c.row);
        let name = name_key(&c);
        let new_keys = keys_of(&c, &name);
        let slot = match self.slot_of.get(&c.row.id) {
            Some(&s) => {
                let old = self.companies[s as usize].clone();
                let old_keys = keys_of(&old, &self.names[s as usize]);
                for k in &old_keys {
                    if !new_keys.contains(k)
                        && let Some(l) = self.lists.get_mut(k)
                    {
                        remove_sorted(l, s);
                    }
                }
                self.brn.remove(&old.row.brn);
                self.attrs[s as usize] = attrs;
                self.companies[s as usize] = Arc::new(c);
                self.names[s as usize] = name;
                s
            }
            None => {
                let s = self.companies.len() as Slot;
                self.slot_of.insert(c.row.id, s);
                self.attrs.push(attrs);
                self.companies.push(Arc::new(c));
                self.names.push(name);
                s
            }
        };
        self.brn.insert(self.companies[slot as usize].row.brn.clone(), slot);
        for k in new_keys {
            insert_sorted(self.lists.entry(k).or_default(), slot);
        }
    }

    fn matches(&self, s: Slot, f: &Filter, q: Option<&str>) -> bool {
        let c = &self.companies[s as usize];
        let r = &c.row;
        (!f.consented_only || r.consent_version.is_some())
            && f.region.as_deref().is_none_or(|v| r.region == v)
            && f.stage.as_deref().is_none_or(|v| r.export_stage == v)
            && f.ksic.as_deref().is_none_or(|v| if v.len() == 1 { r.ksic_section == v } else { r.ksic == v })
            && f.country.as_deref().is_none_or(|v| c.export_countries.iter().chain(&c.target_countries).any(|x| x == v))
            && f.hs_prefix.as_deref().is_none_or(|v| c.products.iter().any(|p| p.starts_with(v)))
            && q.is_none_or(|q| self.names[s as usize].contains(q))
    }
}

/// Search results: one page of companies and the number that matched.
pub struct Found {
    pub rows: Vec<Arc<Company>>,
    pub total: usize,
}

#[derive(Default)]
pub struct CompanyIndex {
    inner: RwLock<Inner>,
}

#[derive(FromQueryResult)]
struct Code {
    company_id: i64,
    code: String,
    kind: String,
}

impl CompanyIndex {
    /// Reads every company (three queries, whatever the number of companies).
    pub async fn load(store: &Store) -> Result<CompanyIndex> {
        let db = &store.db;
        let rows: Vec<CompanyRow> = all(db, &format!("SELECT {} FROM companies c ORDER BY c.id", crate::companies::COLS), vec![]).await?;
        let codes: Vec<Code> = all(
            db,
            "SELECT company_id, hs_code AS code, 'product' AS kind FROM company_products UNION ALL SELECT company_id, country AS code, kind FROM company_countries ORDER BY company_id, code",
            vec![],
        )
        .await?;
        let mut by_company: HashMap<i64, Lists> = HashMap::new();
        for c in codes {
            let e = by_company.entry(c.company_id).or_default();
            match c.kind.as_str() {
                "product" => e.0.push(c.code),
                "current" => e.1.push(c.code),
                _ => e.2.push(c.code),
            }
        }
        let mut inner = Inner::default();
        for row in rows {
            let (products, export_countries, target_countries) = by_company.remove(&row.id).unwrap_or_default();
            inner.put(Company { row, products, export_countries, target_countries });
        }
        Ok(CompanyIndex { inner: RwLock::new(inner) })
    }

    /// Re-reads the given companies from the database (after this node saved them).
    pub async fn refresh_ids(&self, store: &Store, ids: &[i64]) -> Result<()> {
        let mut fresh = Vec::new();
        for &id in ids {
            if let Some(c) = crate::companies::get(&store.db, id).await? {
                fresh.push(c);
            }
        }
        let mut inner = crate::sync::write(&self.inner);
        for c in fresh {
            inner.put(c);
        }
        Ok(())
    }

    pub fn get(&self, id: i64) -> Option<Arc<Company>> {
        let inner = crate::sync::read(&self.inner);
        inner.slot_of.get(&id).map(|&s| inner.companies[s as usize].clone())
    }

    pub fn len(&self) -> usize {
        crate::sync::read(&self.inner).companies.len()
    }

    /// Changes whenever any company in the index does.
    pub fn generation(&self) -> u64 {
        crate::sync::read(&self.inner).generation
    }

    /// Every company that consented to share its profile (a snapshot of shared pointers), for
    /// the all-companies eligibility runs.
    pub fn consented(&self) -> Vec<Arc<Company>> {
        let inner = crate::sync::read(&self.inner);
        inner.companies.iter().zip(&inner.attrs).filter(|(_, a)| a.consented).map(|(c, _)| c.clone()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn search(&self, f: &Filter, sort: Sort, desc: bool, limit: usize, offset: usize) -> Found {
        let due = |i: &Inner| i.ranks.is_none() && i.ranks_built.is_none_or(|t| t.elapsed() >= RANK_REBUILD_EVERY);
        if due(&crate::sync::read(&self.inner)) {
            let mut w = crate::sync::write(&self.inner);
            if due(&w) {
                w.build_ranks();
            }
        }
        let inner = crate::sync::read(&self.inner);
        let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
        // A whole business registration number is an exact lookup.
        if let Some(digits) = q.as_deref().map(|q| q.replace('-', "")).filter(|d| d.len() == 10 && d.chars().all(|c| c.is_ascii_digit())) {
            let hit: Vec<Slot> =
                inner.brn.get(&digits).copied().filter(|&s| inner.matches(s, &Filter { q: None, ..f.clone() }, None)).into_iter().collect();
            let total = hit.len();
            return Found { rows: page(&inner, hit, sort, desc, limit, offset), total };
        }
        // Single-valued filters (consent, region, stage, industry) are checked as interned
        // integers; multi-valued ones (countries, HS prefixes, name bigrams) by posting lists.
        // Every filter has a list, and the shortest one drives: only its companies are looked at.
        let id = |v: &Option<String>| v.as_ref().map(|v| inner.interned.get(v).copied());
        let (region, stage, ksic) = (id(&f.region), id(&f.stage), id(&f.ksic));
        if [region, stage, ksic].iter().any(|x| matches!(x, Some(None))) {
            return Found { rows: Vec::new(), total: 0 }; // a value no company has
        }
        let section_filter = f.ksic.as_deref().is_some_and(|k| k.len() == 1);
        let attrs_ok = |s: Slot| {
            let a = &inner.attrs[s as usize];
            (!f.consented_only || a.consented)
                && region.flatten().is_none_or(|r| a.region == r)
                && stage.flatten().is_none_or(|v| a.stage == v)
                && ksic.flatten().is_none_or(|v| if section_filter { a.section == v } else { a.ksic == v })
        };
        let list = |k: Key| inner.lists.get(&k).map(Vec::as_slice).unwrap_or(&[]);
        let mut attr_lists: Vec<&[Slot]> = Vec::new();
        if f.consented_only {
            attr_lists.push(list(Key::Consented));
        }
        if let Some(v) = &f.region {
            attr_lists.push(list(Key::Region(v.clone())));
        }
        if let Some(v) = &f.stage {
            attr_lists.push(list(Key::Stage(v.clone())));
        }
        if let Some(v) = &f.ksic {
            attr_lists.push(list(Key::Ksic(v.clone())));
        }
        let mut lists: Vec<&[Slot]> = Vec::new();
        if let Some(v) = &f.country {
            lists.push(list(Key::Country(v.clone())));
        }
        if let Some(v) = f.hs_prefix.as_deref().filter(|v| v.len() >= 2) {
            lists.push(list(Key::Hs(v[..v.len().min(4)].to_string())));
        }
        if let Some(q) = &q {
            for (a, b) in bigrams(q) {
                lists.push(list(Key::Bigram(a, b)));
            }
        }
        let hs_residual = f.hs_prefix.as_deref().filter(|v| v.len() != 2 && v.len() != 4);
        let residual = |s: Slot| {
            let c = &inner.companies[s as usize];
            hs_residual.is_none_or(|v| c.products.iter().any(|p| p.starts_with(v)))
                && q.as_deref().is_none_or(|q| inner.names[s as usize].contains(q))
        };
        let smallest_attr = attr_lists.iter().copied().min_by_key(|l| l.len());
        // Only attribute filters, matching a large share of all companies: count with the
        // smallest list, and walk the sort order for the page instead of collecting matches.
        if lists.is_empty()
            && hs_residual.is_none()
            && q.is_none()
            && inner.ranks.is_some()
            && let Some(driver) = smallest_attr.filter(|l| l.len() * 8 > inner.companies.len())
        {
            // One filter: its list is exactly the answer.
            let total = if attr_lists.len() == 1 { driver.len() } else { driver.iter().filter(|&&s| attrs_ok(s)).count() };
            let order = &inner.orders[sort as usize];
            let walk: Box<dyn Iterator<Item = &Slot>> = if desc { Box::new(order.iter().rev()) } else { Box::new(order.iter()) };
            let rows = walk.filter(|&&s| attrs_ok(s)).skip(offset).take(limit).map(|&s| inner.companies[s as usize].clone()).collect();
            return Found { rows, total };
        }
        let matched: Vec<Slot> = match (smallest_attr, lists.iter().map(|l| l.len()).min()) {
            // No filter at all.
            (None, None) => (0..inner.companies.len() as Slot).filter(|&s| residual(s)).collect(),
            // An attribute list is the shortest: walk it, test attributes, gallop the others.
            (Some(driver), m) if m.is_none_or(|m| driver.len() <= m) => {
                let mut cursors = lists.clone();
                driver.iter().copied().filter(|&s| attrs_ok(s) && in_all(&mut cursors, s) && residual(s)).collect()
            }
            _ => intersect(lists).into_iter().filter(|&s| attrs_ok(s) && residual(s)).collect(),
        };
        let total = matched.len();
        let rows = page(&inner, matched, sort, desc, limit, offset);
        Found { rows, total }
    }

    /// Company counts by region, export stage or size class.
    pub fn tally(&self, by: &str) -> Vec<(String, usize)> {
        let inner = crate::sync::read(&self.inner);
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for c in &inner.companies {
            let k = match by {
                "region" => c.row.region.as_str(),
                "size_class" => c.row.size_class.as_str(),
                _ => c.row.export_stage.as_str(),
            };
            *counts.entry(k).or_default() += 1;
        }
        let mut out: Vec<(String, usize)> = counts.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// Order by precomputed rank (the same order as `cmp_by_key`).
/// Intersection of sorted slot lists: walk the shortest, gallop through the others.
fn intersect(mut lists: Vec<&[Slot]>) -> Vec<Slot> {
    lists.sort_by_key(|l| l.len());
    let (first, rest) = lists.split_first_mut().expect("at least one list");
    let mut out = Vec::with_capacity(first.len());
    'slots: for &s in first.iter() {
        for l in rest.iter_mut() {
            // Skip ahead to the first entry >= s; the lists only move forward.
            *l = &l[gallop(l, s)..];
            if l.first() != Some(&s) {
                continue 'slots;
            }
        }
        out.push(s);
    }
    out
}

/// Whether `s` is in every list, advancing the cursors (calls must come in ascending order).
fn in_all(cursors: &mut [&[Slot]], s: Slot) -> bool {
    for l in cursors.iter_mut() {
        *l = &l[gallop(l, s)..];
        if l.first() != Some(&s) {
            return false;
        }
    }
    true
}

/// The first index whose slot is >= `s`, searching exponentially from the front: successive
/// targets are close, so this is usually a step or two rather than a full binary search.
fn gallop(l: &[Slot], s: Slot) -> usize {
    let mut bound = 1;
    while bound <= l.len() && l[bound - 1] < s {
        bound *= 2;
    }
    let lo = bound / 2;
    let hi = bound.min(l.len());
    lo + l[lo..hi].partition_point(|&x| x < s)
}

fn cmp_slots(inner: &Inner, sort: Sort, a: Slot, b: Slot) -> std::cmp::Ordering {
    match &inner.ranks {
        Some(r) => {
            let r = &r[sort as usize];
            r[a as usize].cmp(&r[b as usize])
        }
        None => cmp_by_key(inner, sort, a, b),
    }
}

fn cmp_by_key(inner: &Inner, sort: Sort, a: Slot, b: Slot) -> std::cmp::Ordering {
    let (x, y) = (&inner.companies[a as usize].row, &inner.companies[b as usize].row);
    let by = match sort {
        Sort::Name => x.name_ko.cmp(&y.name_ko),
        Sort::Founded => x.founded_on.cmp(&y.founded_on),
        Sort::Employees => x.employees.cmp(&y.employees),
        Sort::Exports => x.exports_usd.cmp(&y.exports_usd),
        Sort::Updated => x.updated_at.cmp(&y.updated_at),
    };
    by.then(x.id.cmp(&y.id))
}

/// Picks `offset..offset+limit` in sort order without sorting everything.
fn page(inner: &Inner, mut matched: Vec<Slot>, sort: Sort, desc: bool, limit: usize, offset: usize) -> Vec<Arc<Company>> {
    let cmp = |a: &Slot, b: &Slot| {
        let o = cmp_slots(inner, sort, *a, *b);
        if desc { o.reverse() } else { o }
    };
    let end = (offset + limit).min(matched.len());
    if offset >= end {
        return Vec::new();
    }
    // A large share of all companies: walk the precomputed order and keep the matches, rather
    // than selecting among tens of thousands.
    if inner.ranks.is_some() && matched.len() * 8 > inner.companies.len() {
        let mut wanted = vec![false; inner.companies.len()];
        for &s in &matched {
            wanted[s as usize] = true;
        }
        let order = &inner.orders[sort as usize];
        let walk: Box<dyn Iterator<Item = &Slot>> = if desc { Box::new(order.iter().rev()) } else { Box::new(order.iter()) };
        return walk
            .filter(|&&s| wanted[s as usize])
            .skip(offset)
            .take(end - offset)
            .map(|&s| inner.companies[s as usize].clone())
            .collect();
    }
    if end < matched.len() {
        matched.select_nth_unstable_by(end, cmp);
        matched.truncate(end);
    }
    matched.sort_unstable_by(cmp);
    matched[offset..end].iter().map(|&s| inner.companies[s as usize].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallop_finds_the_first_slot_not_below() {
        let l = [1, 3, 5, 7, 9, 11, 13];
        for (s, want) in [(0, 0), (1, 0), (2, 1), (7, 3), (8, 4), (13, 6), (14, 7)] {
            assert_eq!(gallop(&l, s), want, "s={s}");
        }
        assert_eq!(gallop(&[], 5), 0);
    }

    #[test]
    fn intersection_of_sorted_lists() {
        let a = [1, 2, 4, 8, 16, 32];
        let b = [2, 3, 4, 5, 16, 17, 32, 40];
        let c = [0, 2, 16, 32, 64];
        assert_eq!(intersect(vec![&a, &b, &c]), [2, 16, 32]);
        assert_eq!(intersect(vec![&a, &[]]), Vec::<Slot>::new());
    }
}
