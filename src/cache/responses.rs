//! The answers of anonymous catalog queries, kept in memory: the catalog is read far more than it is written, and
//! apps send the same few documents with the same variables, so an identical public read is answered without being
//! executed again.
//!
//! Only what anyone may read is kept: the answer of a query with no error, asked without a token (everything a token
//! could add is behind a guard, so an anonymous answer holds nothing personal or private). Every committed write drops
//! every answer at once, in the writing process before the write's mutation returns (`Store::commit`) and in other
//! replicas when PostgreSQL's notification arrives (`events::listener`); the TTL bounds only what a process that hears
//! no notification can miss (another process writing the same SQLite file). A generation counter makes the drop
//! race-free: an answer computed while a write committed carries the generation it started under and is not kept.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::body::Bytes;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::telemetry::{metrics::CacheMetrics, Metrics};

/// One kept answer.
pub struct CachedAnswer {
    generation: u64,
    /// The serialized GraphQL response, as sent.
    pub body: Bytes,
    /// A strong validator of `body` (quoted, as the `ETag` header carries it).
    pub etag: String,
}

pub struct ResponseCache {
    answers: Option<moka::sync::Cache<String, Arc<CachedAnswer>>>,
    generation: AtomicU64,
    lookups: CacheMetrics,
    /// `Cache-Control: public, max-age` of cacheable GET answers (0: `no-cache`).
    pub max_age_s: u64,
}

impl ResponseCache {
    /// A cache of at most `max_bytes` (keys and bodies) whose answers live at most `ttl`; zero `ttl`: off. Lookups,
    /// evictions and size are exported through `metrics`.
    pub fn new(ttl: Duration, max_bytes: u64, max_age_s: u64, metrics: &Metrics) -> ResponseCache {
        let answers = (!ttl.is_zero() && max_bytes > 0).then(|| {
            let evictions = metrics.response_cache_evictions();
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &String, answer: &Arc<CachedAnswer>| {
                    u32::try_from(key.len() + answer.body.len() + answer.etag.len() + 64)
                        .unwrap_or(u32::MAX)
                })
                .time_to_live(ttl)
                .eviction_listener(move |_, _, cause| {
                    if cause == moka::notification::RemovalCause::Size {
                        evictions.increment(1);
                    }
                })
                .build()
        });
        ResponseCache {
            answers,
            generation: AtomicU64::new(0),
            lookups: metrics.cache("responses"),
            max_age_s,
        }
    }

    /// The bytes kept (as the weigher counts them).
    pub fn weighted_bytes(&self) -> u64 {
        self.answers.as_ref().map_or(0, |a| a.weighted_size())
    }

    pub fn enabled(&self) -> bool {
        self.answers.is_some()
    }

    /// The key of a request: its operation name, its variables and its document's text.
    pub fn key(
        text: &str,
        operation: Option<&str>,
        variables: Option<&Map<String, Value>>,
    ) -> String {
        let variables = variables.map_or_else(String::new, |v| {
            serde_json::to_string(v).unwrap_or_default()
        });
        let operation = operation.unwrap_or_default();
        let mut key = String::with_capacity(operation.len() + variables.len() + text.len() + 2);
        key.push_str(operation);
        key.push('\0');
        key.push_str(&variables);
        key.push('\0');
        key.push_str(text);
        key
    }

    /// The generation a request starts under: what it computes may be kept only if no write committed meanwhile.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The answer kept for `key`, unless a write has committed since it was computed.
    pub fn get(&self, key: &str) -> Option<Arc<CachedAnswer>> {
        let answers = self.answers.as_ref()?;
        let answer = answers
            .get(key)
            .filter(|answer| answer.generation == self.generation());
        self.lookups.count(answer)
    }

    /// Keeps `body` as the answer for `key` if no write has committed since `generation` (if one has, the answer may
    /// be older than the write, and is only returned); `None` when the cache is off.
    pub fn put(&self, key: String, generation: u64, body: Bytes) -> Option<Arc<CachedAnswer>> {
        let answers = self.answers.as_ref()?;
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", hex(&digest[..16]));
        let answer = Arc::new(CachedAnswer {
            generation,
            body,
            etag,
        });
        if generation == self.generation() {
            answers.insert(key, answer.clone());
        }
        Some(answer)
    }

    /// Drops every answer: a write has committed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(answers) = &self.answers {
            answers.invalidate_all();
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> ResponseCache {
        ResponseCache::new(Duration::from_secs(60), 1 << 20, 0, &Metrics::new())
    }

    #[test]
    fn an_answer_is_served_until_a_write_commits() {
        let cache = cache();
        let key = ResponseCache::key("{ provinces { name } }", None, None);
        let kept = cache
            .put(key.clone(), cache.generation(), Bytes::from_static(b"{}"))
            .expect("kept");
        assert_eq!(
            cache.get(&key).map(|a| a.etag.clone()),
            Some(kept.etag.clone())
        );
        assert!(kept.etag.starts_with('"') && kept.etag.ends_with('"'));
        cache.invalidate();
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn an_answer_computed_across_a_write_is_not_kept() {
        let cache = cache();
        let key = ResponseCache::key("{ provinces { name } }", None, None);
        let started = cache.generation();
        cache.invalidate();
        assert!(cache
            .put(key.clone(), started, Bytes::from_static(b"{}"))
            .is_some());
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn operation_and_variables_are_part_of_the_key() {
        let mut vars = Map::new();
        vars.insert("code".into(), Value::from("91"));
        let text = "query P($code: String!) { province(code: $code) { name } }";
        let keys = [
            ResponseCache::key(text, None, None),
            ResponseCache::key(text, Some("P"), None),
            ResponseCache::key(text, Some("P"), Some(&vars)),
        ];
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[1], keys[2]);
    }

    #[test]
    fn zero_ttl_turns_it_off() {
        let off = ResponseCache::new(Duration::ZERO, 1 << 20, 0, &Metrics::new());
        assert!(!off.enabled());
        assert!(off.put("k".into(), 0, Bytes::from_static(b"{}")).is_none());
        assert!(off.get("k").is_none());
    }
}
