//! Which document a request runs: its own text, or one it names by hash (automatic persisted queries, APQ), or, in
//! trusted-documents mode, only those of a manifest. Also the cache of parsed documents, bounded in bytes and
//! holding only documents that passed the limits and validation, so that junk cannot evict the apps' queries.

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex, PoisonError},
};

use async_graphql::parser::types::ExecutableDocument;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{error::code, telemetry::metrics::CacheMetrics};

/// Why a request names no document the hub will run.
#[derive(Debug, PartialEq, Eq)]
pub enum DocumentError {
    /// `extensions.persistedQuery.sha256Hash` names a document the hub does not know (yet).
    NotFound,
    /// Trusted-documents mode: the document is not in the manifest.
    Required,
    /// Neither `query` nor a persisted-query hash, or a malformed `persistedQuery`.
    Malformed(&'static str),
    /// The hash sent with a document is not the document's hash.
    HashMismatch,
}

impl DocumentError {
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::NotFound => code::PERSISTED_QUERY_NOT_FOUND,
            DocumentError::Required => code::PERSISTED_QUERY_REQUIRED,
            DocumentError::Malformed(_) | DocumentError::HashMismatch => code::BAD_REQUEST,
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            DocumentError::NotFound => "PersistedQueryNotFound",
            DocumentError::Required => {
                "only trusted documents run on this hub: send the sha256Hash of one in extensions.persistedQuery"
            }
            DocumentError::Malformed(message) => message,
            DocumentError::HashMismatch => "extensions.persistedQuery.sha256Hash is not the SHA-256 of `query`",
        }
    }
}

/// A document to run, with the hash to remember it by once it has validated (APQ registration).
pub struct Named {
    pub text: Arc<str>,
    pub register_as: Option<String>,
}

/// A document that passed the limits and validation, with the cost validation last found for it (which can vary
/// with the operation chosen and the variables).
pub struct Cached {
    pub doc: ExecutableDocument,
    measure: Mutex<Measure>,
}

/// The cost last measured for a document, and what it was measured for (a [`measure_key`]).
#[derive(Clone, Copy)]
struct Measure {
    cost: usize,
    key: u64,
}

impl Cached {
    /// The cost last measured for this document, whatever the operation and variables.
    pub fn cost(&self) -> usize {
        self.lock().cost
    }

    /// The cost measured for `key` (the same operation and variables: the complexity analysis reads nothing else),
    /// if the last measure was for it.
    pub fn measured(&self, key: u64) -> Option<usize> {
        let m = *self.lock();
        (m.key == key).then_some(m.cost)
    }

    /// Records the cost measured for `key`.
    pub fn record(&self, cost: usize, key: u64) {
        *self.lock() = Measure { cost, key };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Measure> {
        // A plain copy under the lock cannot panic half-way: a poisoned lock still holds a whole value.
        self.measure.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The digest of what, besides the document, decides a request's cost: its operation name and variables. The same
/// variables sent the same way give the same key; any other difference only means measuring again.
pub fn measure_key(
    operation: Option<&str>,
    variables: Option<&serde_json::Map<String, Value>>,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    operation.hash(&mut h);
    if let Some(vars) = variables {
        serde_json::to_vec(vars).unwrap_or_default().hash(&mut h);
    }
    h.finish()
}

pub struct Documents {
    parsed: moka::sync::Cache<Arc<str>, Arc<Cached>>,
    persisted: moka::sync::Cache<String, Arc<str>>,
    apq: bool,
    trusted: Option<HashMap<String, Arc<str>>>,
    metrics: CacheMetrics,
}

/// An estimate of what a cached document holds in memory: its text, and an AST that measured at about ten times
/// the text.
fn weight(text: &str) -> u32 {
    u32::try_from(text.len().saturating_mul(11).saturating_add(256)).unwrap_or(u32::MAX)
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Documents {
    /// A cache of `bytes` (estimated), its lookups counted in `metrics`.
    pub fn new(
        bytes: u64,
        apq: bool,
        trusted: Option<HashMap<String, Arc<str>>>,
        metrics: CacheMetrics,
    ) -> Documents {
        Documents {
            parsed: moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|text: &Arc<str>, _: &Arc<Cached>| weight(text))
                .build(),
            persisted: moka::sync::Cache::builder()
                .max_capacity(bytes / 4)
                .weigher(|hash: &String, text: &Arc<str>| {
                    weight(text).saturating_add(u32::try_from(hash.len()).unwrap_or(u32::MAX))
                })
                .build(),
            apq,
            trusted,
            metrics,
        }
    }

    /// The document of a request with `query` (maybe absent) and `extensions`.
    pub fn resolve(
        &self,
        query: Option<String>,
        extensions: Option<&Value>,
    ) -> Result<Named, DocumentError> {
        let hash = persisted_hash(extensions)?;
        if let Some(manifest) = &self.trusted {
            let hash = match (&query, hash) {
                (_, Some(hash)) => hash,
                (Some(text), None) => sha256_hex(text),
                (None, None) => return Err(DocumentError::Malformed("`query` is required")),
            };
            return match manifest.get(&hash) {
                Some(text) if query.as_deref().is_none_or(|q| q == &**text) => Ok(Named {
                    text: text.clone(),
                    register_as: None,
                }),
                _ => Err(DocumentError::Required),
            };
        }
        match (query, hash) {
            (Some(text), None) => Ok(Named {
                text: text.into(),
                register_as: None,
            }),
            (None, None) => Err(DocumentError::Malformed("`query` is required")),
            (_, Some(_)) if !self.apq => Err(DocumentError::Malformed(
                "persisted queries are turned off on this hub: send `query`",
            )),
            (None, Some(hash)) => self
                .persisted
                .get(&hash)
                .map(|text| Named {
                    text,
                    register_as: None,
                })
                .ok_or(DocumentError::NotFound),
            (Some(text), Some(hash)) => {
                if sha256_hex(&text) != hash {
                    return Err(DocumentError::HashMismatch);
                }
                Ok(Named {
                    text: text.into(),
                    register_as: Some(hash),
                })
            }
        }
    }

    pub fn parsed(&self, text: &str) -> Option<Arc<Cached>> {
        self.metrics.count(self.parsed.get(text))
    }

    /// Keeps a document that passed the limits and validation (and registers its APQ hash).
    pub fn remember(
        &self,
        text: Arc<str>,
        doc: ExecutableDocument,
        cost: usize,
        measured_for: u64,
        register_as: Option<String>,
    ) {
        if let Some(hash) = register_as {
            self.persisted.insert(hash, text.clone());
        }
        self.parsed.insert(
            text,
            Arc::new(Cached {
                doc,
                measure: Mutex::new(Measure {
                    cost,
                    key: measured_for,
                }),
            }),
        );
    }

    /// How many bytes (estimated) the parsed-document cache holds, after pending maintenance.
    pub fn cached_bytes(&self) -> u64 {
        self.parsed.run_pending_tasks();
        self.parsed.weighted_size()
    }
}

fn persisted_hash(extensions: Option<&Value>) -> Result<Option<String>, DocumentError> {
    let Some(pq) = extensions.and_then(|e| e.get("persistedQuery")) else {
        return Ok(None);
    };
    let malformed = DocumentError::Malformed(
        "extensions.persistedQuery must be { \"version\": 1, \"sha256Hash\": \"<64 hex digits>\" }",
    );
    if pq.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(malformed);
    }
    match pq.get("sha256Hash").and_then(Value::as_str) {
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(h.to_ascii_lowercase()))
        }
        _ => Err(malformed),
    }
}

/// Reads a trusted-documents manifest: either `{ "<sha256>": "<document>" }` or Apollo's persisted-query manifest
/// (`{ "operations": [{ "id": "<sha256>", "body": "<document>" }] }`). Every hash is checked against its document.
pub fn load_manifest(path: &Path) -> Result<HashMap<String, Arc<str>>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let pairs: Vec<(String, String)> = match json.get("operations").and_then(Value::as_array) {
        Some(ops) => ops
            .iter()
            .map(|op| {
                let id = op.get("id").and_then(Value::as_str);
                let body = op.get("body").and_then(Value::as_str);
                id.zip(body)
                    .map(|(i, b)| (i.to_owned(), b.to_owned()))
                    .ok_or_else(|| "each operation needs a string `id` and `body`".to_owned())
            })
            .collect::<Result<_, _>>()?,
        None => json
            .as_object()
            .ok_or_else(|| "expected an object of hash → document".to_owned())?
            .iter()
            .map(|(hash, doc)| {
                doc.as_str()
                    .map(|d| (hash.clone(), d.to_owned()))
                    .ok_or_else(|| format!("the document of {hash} is not a string"))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut manifest = HashMap::new();
    for (hash, doc) in pairs {
        let hash = hash.to_ascii_lowercase();
        if sha256_hex(&doc) != hash {
            return Err(format!("{hash} is not the SHA-256 of its document"));
        }
        manifest.insert(hash, Arc::from(doc));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ext(hash: &str) -> Value {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
    }

    #[test]
    fn apq_registers_and_finds_documents() {
        let docs = Documents::new(1 << 20, true, None, CacheMetrics::noop());
        let text = "{ provinces { name } }";
        let hash = sha256_hex(text);
        assert_eq!(
            docs.resolve(None, Some(&ext(&hash))).err(),
            Some(DocumentError::NotFound)
        );
        let named = docs
            .resolve(Some(text.into()), Some(&ext(&hash)))
            .expect("registers");
        assert_eq!(named.register_as.as_deref(), Some(hash.as_str()));
        let doc = async_graphql::parser::parse_query(text).expect("parses");
        docs.remember(named.text, doc, 1, 0, named.register_as);
        assert_eq!(
            &*docs.resolve(None, Some(&ext(&hash))).expect("found").text,
            text
        );
        let other = sha256_hex("{ viewer { subject } }");
        assert_eq!(
            docs.resolve(Some(text.into()), Some(&ext(&other))).err(),
            Some(DocumentError::HashMismatch)
        );
    }

    #[test]
    fn trusted_mode_runs_only_the_manifest() {
        let text = "{ provinces { name } }";
        let hash = sha256_hex(text);
        let manifest = HashMap::from([(hash.clone(), Arc::from(text))]);
        let docs = Documents::new(1 << 20, true, Some(manifest), CacheMetrics::noop());
        assert!(docs.resolve(None, Some(&ext(&hash))).is_ok());
        assert!(
            docs.resolve(Some(text.into()), None).is_ok(),
            "the exact text of a trusted document"
        );
        assert_eq!(
            docs.resolve(Some("{ viewer { subject } }".into()), None)
                .err(),
            Some(DocumentError::Required)
        );
        assert_eq!(
            docs.resolve(None, Some(&ext(&sha256_hex("{ x }")))).err(),
            Some(DocumentError::Required)
        );
    }

    #[test]
    fn a_cost_is_trusted_only_for_the_operation_and_variables_it_was_measured_for() {
        let vars = |n: i64| serde_json::json!({ "n": n }).as_object().cloned();
        let key = |op: Option<&str>, n: i64| measure_key(op, vars(n).as_ref());
        assert_eq!(key(Some("Fan"), 1), key(Some("Fan"), 1));
        assert_ne!(key(Some("Fan"), 1), key(Some("Fan"), 2));
        assert_ne!(key(Some("Fan"), 1), key(Some("Light"), 1));
        assert_ne!(key(None, 1), measure_key(None, None));
        let docs = Documents::new(64 * 1024, false, None, CacheMetrics::noop());
        let text: Arc<str> = "query Fan($n: Int!) { provinces { name } }".into();
        let doc = async_graphql::parser::parse_query(&*text).expect("parses");
        docs.remember(text.clone(), doc, 7, key(Some("Fan"), 1), None);
        let cached = docs.parsed(&text).expect("kept");
        assert_eq!(cached.measured(key(Some("Fan"), 1)), Some(7));
        assert_eq!(cached.measured(key(Some("Fan"), 2)), None);
        cached.record(9, key(Some("Fan"), 2));
        assert_eq!(
            cached.measured(key(Some("Fan"), 1)),
            None,
            "measured since for n = 2"
        );
        assert_eq!(
            (cached.cost(), cached.measured(key(Some("Fan"), 2))),
            (9, Some(9))
        );
    }

    #[test]
    fn the_cache_is_bounded_in_bytes() {
        let docs = Documents::new(64 * 1024, true, None, CacheMetrics::noop());
        for i in 0..500 {
            let text = format!("{{ a{i}: provinces {{ name }} {} }}", " ".repeat(1000));
            let doc = async_graphql::parser::parse_query(&text).expect("parses");
            docs.remember(text.into(), doc, 1, 0, None);
        }
        assert!(docs.cached_bytes() <= 64 * 1024, "{}", docs.cached_bytes());
    }

    #[test]
    fn manifests_are_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.json");
        let text = "{ provinces { name } }";
        std::fs::write(&path, json!({ sha256_hex(text): text }).to_string()).expect("write");
        assert_eq!(load_manifest(&path).expect("loads").len(), 1);
        std::fs::write(
            &path,
            json!({ "format": "apollo-persisted-query-manifest", "operations": [{ "id": sha256_hex(text), "body": text }] })
                .to_string(),
        )
        .expect("write");
        assert_eq!(load_manifest(&path).expect("apollo format").len(), 1);
        std::fs::write(&path, json!({ sha256_hex("{ x }"): text }).to_string()).expect("write");
        assert!(
            load_manifest(&path).is_err(),
            "a hash that is not its document's"
        );
    }
}
