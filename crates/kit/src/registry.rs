//! Node-local state, declared in one place.
//!
//! Every cache or index a node keeps in memory is declared here with what it is keyed on, how
//! it is bounded and which change topics make it stale ([`CacheSpec`]). Writes publish their
//! topic in the same transaction as the change (`store::changes`); a node hears of it from
//! PostgreSQL's `LISTEN/NOTIFY` at once, or from the half-second poll that stays as the fallback
//! (and is the only way on SQLite), and the site hands each batch of changes to the rooms.
//! `/metrics` shows each cache's hits, misses, evictions and size.
//!
//! Nothing here decides freshness by itself: it is the map that says who listens to what, so
//! that a reader (or the test that checks every write publishes its topic) can see it whole.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
pub use store::changes::Topic;

/// How a cache is kept from growing without end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// At most this many entries; the least recently used one leaves first.
    Entries(usize),
    /// One value, replaced whole when its topic moves.
    Whole,
    /// One entry per row of the data it mirrors (an index of every case or company): its size is
    /// the data's, and each entry is replaced in place when its row changes.
    EveryRow,
}

/// What a node-local cache or index holds and when it goes stale.
#[derive(Debug, Clone)]
pub struct CacheSpec {
    /// Short name, as on `/metrics`.
    pub name: &'static str,
    /// The room that owns it.
    pub room: &'static str,
    /// What it is keyed on, in words.
    pub keyed_by: &'static str,
    pub bound: Bound,
    /// The change topics that make entries stale. Empty only for data that never changes once
    /// written (published versions).
    pub topics: &'static [Topic],
}

/// Counters of one cache, updated by the cache itself.
#[derive(Debug, Default)]
pub struct CacheStats {
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
    entries: AtomicU64,
}

impl CacheStats {
    pub fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }
    pub fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }
    pub fn evicted(&self, n: u64) {
        self.evictions.fetch_add(n, Ordering::Relaxed);
    }
    pub fn set_entries(&self, n: usize) {
        self.entries.store(n as u64, Ordering::Relaxed);
    }
    /// (hits, misses, evictions, entries)
    pub fn read(&self) -> (u64, u64, u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
            self.evictions.load(Ordering::Relaxed),
            self.entries.load(Ordering::Relaxed),
        )
    }
}

/// The node's list of caches.
#[derive(Default)]
pub struct Registry {
    caches: std::sync::Mutex<Vec<(CacheSpec, Arc<CacheStats>)>>,
}

impl Registry {
    /// Declares a cache and hands back the counters it keeps. Declaring the same name again
    /// (a second room state over one kit, as tests build) returns the first one's counters.
    pub fn declare(&self, spec: CacheSpec) -> Arc<CacheStats> {
        let mut caches = crate::util::lock(&self.caches);
        if let Some((_, stats)) = caches.iter().find(|(s, _)| s.name == spec.name) {
            return stats.clone();
        }
        let stats = Arc::new(CacheStats::default());
        caches.push((spec, stats.clone()));
        stats
    }

    /// Every declared cache, in the order declared.
    pub fn specs(&self) -> Vec<CacheSpec> {
        crate::util::lock(&self.caches).iter().map(|(s, _)| s.clone()).collect()
    }

    /// The caches a topic makes stale.
    pub fn listening_to(&self, topic: Topic) -> Vec<&'static str> {
        crate::util::lock(&self.caches).iter().filter(|(s, _)| s.topics.contains(&topic)).map(|(s, _)| s.name).collect()
    }

    /// Prometheus text for every cache.
    pub fn render(&self, out: &mut String) {
        use std::fmt::Write;
        let caches = crate::util::lock(&self.caches);
        for (metric, help, pick) in [
            ("globaldesk_cache_hits_total", "Reads a node-local cache answered.", 0usize),
            ("globaldesk_cache_misses_total", "Reads a node-local cache could not answer.", 1),
            ("globaldesk_cache_evictions_total", "Entries a bounded cache let go to stay within its bound.", 2),
            ("globaldesk_cache_entries", "Entries a node-local cache holds now.", 3),
        ] {
            let kind = if pick == 3 { "gauge" } else { "counter" };
            let _ = writeln!(out, "# HELP {metric} {help}\n# TYPE {metric} {kind}");
            for (spec, stats) in caches.iter() {
                let r = stats.read();
                let v = [r.0, r.1, r.2, r.3][pick];
                let _ = writeln!(out, "{metric}{{cache=\"{}\",room=\"{}\"}} {v}", spec.name, spec.room);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_caches_are_listed_by_topic_and_counted_on_metrics() {
        let r = Registry::default();
        let a = r.declare(CacheSpec { name: "a", room: "x", keyed_by: "id", bound: Bound::Entries(2), topics: &[Topic::Case] });
        let again = r.declare(CacheSpec { name: "a", room: "x", keyed_by: "id", bound: Bound::Entries(2), topics: &[Topic::Case] });
        assert!(Arc::ptr_eq(&a, &again), "one set of counters per name");
        r.declare(CacheSpec { name: "b", room: "y", keyed_by: "-", bound: Bound::Whole, topics: &[Topic::Plan, Topic::Case] });
        assert_eq!(r.listening_to(Topic::Case), vec!["a", "b"]);
        assert_eq!(r.listening_to(Topic::Plan), vec!["b"]);
        assert!(r.listening_to(Topic::Company).is_empty());
        a.hit();
        a.hit();
        a.miss();
        a.evicted(3);
        a.set_entries(2);
        let mut out = String::new();
        r.render(&mut out);
        assert!(out.contains("globaldesk_cache_hits_total{cache=\"a\",room=\"x\"} 2"), "{out}");
        assert!(out.contains("globaldesk_cache_misses_total{cache=\"a\",room=\"x\"} 1"));
        assert!(out.contains("globaldesk_cache_evictions_total{cache=\"a\",room=\"x\"} 3"));
        assert!(out.contains("globaldesk_cache_entries{cache=\"a\",room=\"x\"} 2"));
        assert!(out.contains("globaldesk_cache_hits_total{cache=\"b\",room=\"y\"} 0"));
    }
}
