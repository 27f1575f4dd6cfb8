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

use entities::{agency, province, sharing_grant};

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

/// A value loaded whole and kept until the next invalidation, with no time limit: for what must change at once on every
/// write (the data-sharing grants), where a TTL would let a revoked grant work on. Each [`Snapshot::clear`] starts a new
/// generation, and a value loaded under an older generation is not kept, so a load that raced a write cannot put back
/// what the write replaced.
pub struct Snapshot<T> {
    slot: Mutex<(u64, Option<std::sync::Arc<T>>)>,
}

impl<T> Default for Snapshot<T> {
    fn default() -> Self {
        Snapshot {
            slot: Mutex::new((0, None)),
        }
    }
}

impl<T> Snapshot<T> {
    /// The value if one is kept, and the generation to hand to [`Snapshot::put`] after loading one.
    pub fn get(&self) -> (Option<std::sync::Arc<T>>, u64) {
        let slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        (slot.1.clone(), slot.0)
    }

    /// Keeps `value`, loaded in `generation`, unless the cache was cleared since.
    pub fn put(&self, generation: u64, value: std::sync::Arc<T>) {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.0 == generation {
            slot.1 = Some(value);
        }
    }

    pub fn clear(&self) {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        slot.0 += 1;
        slot.1 = None;
    }
}

/// Every grant not revoked, with the official code of its agency (the token's `agency`): what lookups are checked
/// against (the sharing service's gate).
pub type GrantRows = Vec<(String, sharing_grant::Model)>;

/// The hub's read cache.
pub struct ReadCache {
    /// `totalCount` by the SQL of the filtered query.
    pub counts: TtlMap<String, u64>,
    pub provinces: TtlMap<String, std::sync::Arc<province::Model>>,
    pub agencies: TtlMap<String, std::sync::Arc<agency::Model>>,
    /// Whole answers of anonymous catalog queries.
    pub responses: ResponseCache,
    /// The data-sharing grants: dropped on every commit and every change notification (so a revocation on another
    /// replica is seen by this one's next lookup), never by time.
    pub grants: Snapshot<GrantRows>,
}

impl ReadCache {
    pub fn new(ttl: Duration, responses: ResponseCache, metrics: &Metrics) -> Self {
        ReadCache {
            responses,
            counts: TtlMap::new(ttl, 10_000, metrics.cache("catalog_counts")),
            provinces: TtlMap::new(ttl, 1_000, metrics.cache("catalog_provinces")),
            agencies: TtlMap::new(ttl, 100_000, metrics.cache("catalog_agencies")),
            grants: Snapshot::default(),
        }
    }

    /// Drops everything: writes call this so that the writing process reads its own writes at once.
    pub fn invalidate(&self) {
        self.counts.clear();
        self.provinces.clear();
        self.agencies.clear();
        self.grants.clear();
        self.responses.invalidate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_zero_ttl_disables() {
        // Two maps, so that neither check depends on how soon a loaded machine runs the next line (a 30 ms TTL read
        // back at once failed on a CI machine busy compiling).
        let lasting = TtlMap::new(Duration::from_secs(60), 10, CacheMetrics::noop());
        lasting.put("a", 1);
        assert_eq!(lasting.get(&"a"), Some(1));
        let brief = TtlMap::new(Duration::from_millis(1), 10, CacheMetrics::noop());
        brief.put("a", 1);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(brief.get(&"a"), None);
        let off = TtlMap::new(Duration::ZERO, 10, CacheMetrics::noop());
        off.put("a", 1);
        assert_eq!(off.get(&"a"), None);
    }

    #[test]
    fn a_snapshot_loaded_before_a_clear_is_not_kept() {
        let snapshot = Snapshot::<u32>::default();
        let (none, generation) = snapshot.get();
        assert!(none.is_none());
        snapshot.clear();
        snapshot.put(generation, std::sync::Arc::new(1));
        assert!(snapshot.get().0.is_none(), "a stale load was kept");
        let (_, generation) = snapshot.get();
        snapshot.put(generation, std::sync::Arc::new(2));
        assert_eq!(snapshot.get().0.as_deref(), Some(&2));
        snapshot.clear();
        assert!(snapshot.get().0.is_none());
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
