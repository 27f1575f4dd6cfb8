//! A bounded, time-limited read cache for what every catalog request asks again: the `totalCount` of a filter, and the
//! small reference rows (provinces, agencies) that nested fields resolve.
//!
//! The catalog is read-mostly, and on a 2-core machine a `COUNT(*)` over a few thousand rows per request costs more
//! than the rest of the request together. Entries live at most `ttl` (default 1 s, `cache_ttl_ms`), so a write made by
//! another process (`lgsp-hub seed`, another replica) shows within that bound; `ttl = 0` turns the cache off.

use std::{
    borrow::Borrow,
    collections::HashMap,
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

use entities::{agency, province};

use crate::telemetry::{metrics::CacheMetrics, Metrics};

pub mod responses;

pub use responses::ResponseCache;

/// A map whose entries expire after `ttl`. When it grows past `max_entries` it is emptied: a crude bound that is
/// enough for keys that are filters and reference rows. Lookups are counted as hits and misses (not while the map is
/// off).
pub struct TtlMap<K, V> {
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
    metrics: CacheMetrics,
}

impl<K: Hash + Eq, V: Clone> TtlMap<K, V> {
    pub fn new(ttl: Duration, max_entries: usize, metrics: CacheMetrics) -> Self {
        TtlMap {
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.enabled() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let found = match entries.get(key) {
            Some((at, v)) if at.elapsed() < self.ttl => Some(v.clone()),
            _ => None,
        };
        self.metrics.count(found)
    }

    pub fn put(&self, key: K, value: V) {
        if !self.enabled() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.max_entries {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), value));
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// The hub's read cache.
pub struct ReadCache {
    /// `totalCount` by the SQL of the filtered query.
    pub counts: TtlMap<String, u64>,
    pub provinces: TtlMap<String, province::Model>,
    pub agencies: TtlMap<String, agency::Model>,
    /// Whole answers of anonymous catalog queries.
    pub responses: ResponseCache,
}

impl ReadCache {
    pub fn new(ttl: Duration, responses: ResponseCache, metrics: &Metrics) -> Self {
        ReadCache {
            responses,
            counts: TtlMap::new(ttl, 10_000, metrics.cache("catalog_counts")),
            provinces: TtlMap::new(ttl, 1_000, metrics.cache("catalog_provinces")),
            agencies: TtlMap::new(ttl, 100_000, metrics.cache("catalog_agencies")),
        }
    }

    /// Drops everything: writes call this so that the writing process reads its own writes at once.
    pub fn invalidate(&self) {
        self.counts.clear();
        self.provinces.clear();
        self.agencies.clear();
        self.responses.invalidate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_zero_ttl_disables() {
        let map = TtlMap::new(Duration::from_millis(30), 10, CacheMetrics::noop());
        map.put("a", 1);
        assert_eq!(map.get(&"a"), Some(1));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(map.get(&"a"), None);
        let off = TtlMap::new(Duration::ZERO, 10, CacheMetrics::noop());
        off.put("a", 1);
        assert_eq!(off.get(&"a"), None);
    }

    #[test]
    fn size_is_bounded() {
        let map = TtlMap::new(Duration::from_secs(60), 2, CacheMetrics::noop());
        map.put(1, 1);
        map.put(2, 2);
        map.put(3, 3);
        assert_eq!(map.get(&1), None);
        assert_eq!(map.get(&3), Some(3));
    }
}
