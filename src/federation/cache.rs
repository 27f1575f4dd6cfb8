//! The cache of non-personal upstream answers: one map per upstream, each with that upstream's `cache_ttl`, keyed by
//! the caller's agency and the path (so nothing crosses between agencies).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{cache::TtlMap, telemetry::metrics::CacheMetrics, upstream::UpstreamSettings};

/// Answers kept at most per upstream.
const ENTRIES_PER_UPSTREAM: usize = 10_000;

pub struct ResponseCache {
    /// By upstream name; an upstream whose TTL is 0 has a map that keeps nothing.
    by_upstream: BTreeMap<String, TtlMap<(String, String), Value>>,
}

impl ResponseCache {
    /// One map per upstream of `settings`, all counted in `metrics`.
    pub fn new<'a>(
        settings: impl IntoIterator<Item = &'a UpstreamSettings>,
        metrics: &CacheMetrics,
    ) -> ResponseCache {
        ResponseCache {
            by_upstream: settings
                .into_iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        TtlMap::new(s.cache_ttl, ENTRIES_PER_UPSTREAM, metrics.clone()),
                    )
                })
                .collect(),
        }
    }

    /// `upstream`'s answer to `path` for `agency`, if one is kept and younger than the upstream's TTL.
    pub fn get(&self, upstream: &str, agency: &str, path: &str) -> Option<Value> {
        self.by_upstream
            .get(upstream)?
            .get(&(agency.to_owned(), path.to_owned()))
    }

    pub fn put(&self, upstream: &str, agency: &str, path: &str, answer: Value) {
        if let Some(map) = self.by_upstream.get(upstream) {
            map.put((agency.to_owned(), path.to_owned()), answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use serde_json::json;

    use super::*;

    fn settings(name: &str, ttl: Duration) -> UpstreamSettings {
        let mut s = UpstreamSettings::new(name, "http://127.0.0.1:9/x");
        s.cache_ttl = ttl;
        s
    }

    #[test]
    fn each_upstream_keeps_answers_for_its_own_ttl() {
        let all = [
            settings("business", Duration::from_millis(20)),
            settings("land", Duration::from_secs(3600)),
            settings("judicial", Duration::ZERO),
        ];
        let cache = ResponseCache::new(&all, &CacheMetrics::noop());
        for s in &all {
            cache.put(&s.name, "A", "/x", json!(s.name));
        }
        assert_eq!(
            cache.get("judicial", "A", "/x"),
            None,
            "TTL 0 keeps nothing"
        );
        assert_eq!(cache.get("land", "B", "/x"), None, "per agency");
        let deadline = Instant::now() + Duration::from_secs(10);
        while cache.get("business", "A", "/x").is_some() {
            assert!(Instant::now() < deadline, "the 20 ms entry never expired");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            cache.get("land", "A", "/x"),
            Some(json!("land")),
            "the hour-long entry outlives the short one"
        );
        assert_eq!(cache.get("population", "A", "/x"), None, "not configured");
    }
}
