//! A bounded map for node-local caches: when full, the least recently used entry leaves (never
//! "drop everything"), and every read and eviction is counted for `/metrics`.

use crate::registry::CacheStats;
use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

pub struct Lru<K: Hash + Eq + Clone, V: Clone> {
    map: Mutex<::lru::LruCache<K, V>>,
    stats: Arc<CacheStats>,
}

impl<K: Hash + Eq + Clone, V: Clone> Lru<K, V> {
    pub fn new(capacity: usize, stats: Arc<CacheStats>) -> Self {
        let cap = NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN);
        Lru { map: Mutex::new(::lru::LruCache::new(cap)), stats }
    }

    /// The entry under `key`, if kept (and it becomes the most recently used).
    pub fn get(&self, key: &K) -> Option<V> {
        let found = crate::util::lock(&self.map).get(key).cloned();
        match found {
            Some(_) => self.stats.hit(),
            None => self.stats.miss(),
        }
        found
    }

    /// [`Lru::get`], keeping only an entry `fresh` accepts; a stale entry leaves and counts as a
    /// miss.
    pub fn get_if<Q>(&self, key: &Q, fresh: impl FnOnce(&V) -> bool) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut map = crate::util::lock(&self.map);
        let found = match map.get(key) {
            Some(v) if fresh(v) => Some(v.clone()),
            Some(_) => {
                map.pop(key);
                None
            }
            None => None,
        };
        self.stats.set_entries(map.len());
        drop(map);
        match found {
            Some(_) => self.stats.hit(),
            None => self.stats.miss(),
        }
        found
    }

    /// Keeps `value` under `key`; when full, the least recently used entry makes room.
    pub fn put(&self, key: K, value: V) {
        let displaced = {
            let mut map = crate::util::lock(&self.map);
            let evicts = !map.contains(&key) && map.len() == map.cap().get();
            let out = map.push(key, value);
            self.stats.set_entries(map.len());
            if evicts {
                self.stats.evicted(1);
            }
            out
        };
        // The displaced value (replaced or evicted) is freed here, outside the lock.
        drop(displaced);
    }

    pub fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut map = crate::util::lock(&self.map);
        let out = map.pop(key);
        self.stats.set_entries(map.len());
        out
    }

    /// Drops every entry `keep` refuses.
    pub fn retain(&self, mut keep: impl FnMut(&K, &V) -> bool) {
        let mut map = crate::util::lock(&self.map);
        let gone: Vec<K> = map.iter().filter(|(k, v)| !keep(k, v)).map(|(k, _)| k.clone()).collect();
        for k in &gone {
            map.pop(k);
        }
        self.stats.set_entries(map.len());
    }

    pub fn clear(&self) {
        let mut map = crate::util::lock(&self.map);
        map.clear();
        self.stats.set_entries(0);
    }

    pub fn len(&self) -> usize {
        crate::util::lock(&self.map).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_entry_leaves_and_is_counted() {
        let stats = Arc::new(CacheStats::default());
        let c: Lru<u32, &str> = Lru::new(2, stats.clone());
        c.put(1, "one");
        c.put(2, "two");
        assert_eq!(c.get(&1), Some("one")); // 1 is now the most recent
        c.put(3, "three"); // 2 leaves, not everything
        assert_eq!(c.get(&2), None);
        assert_eq!(c.get(&1), Some("one"));
        assert_eq!(c.get(&3), Some("three"));
        c.put(3, "drei"); // a replacement is not an eviction
        let (hits, misses, evictions, entries) = stats.read();
        assert_eq!((hits, misses, evictions, entries), (3, 1, 1, 2));
        assert_eq!(c.get_if(&3, |v| *v == "three"), None, "a stale entry is a miss and leaves");
        assert_eq!(c.len(), 1);
        c.retain(|k, _| *k != 1);
        assert!(c.is_empty());
    }
}
