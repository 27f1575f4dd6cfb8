//! Public keys from the identity provider's JWKS URL, kept by `kid`.
//!
//! The set is fetched once at start; a failure there is only a warning (the hub must start while the identity
//! provider is down, in production too: tokens are refused as "unknown key id" until a fetch succeeds). A token whose
//! `kid` is not in the set triggers a refetch, so rotated keys are picked up without a restart. Refetches are single
//! flight (concurrent requests wait for the one in progress) and happen at most once per [`REFETCH_INTERVAL`], so a
//! flood of tokens with made-up `kid`s cannot hammer the identity provider. A set older than [`MAX_AGE`] is refetched
//! on the next token too, so a key the identity provider withdrew stops verifying (if that fetch fails, the old keys
//! keep working). Only RSA keys (RS256) and EC P-256 keys (ES256) are kept; encryption keys, other curves, symmetric
//! keys and keys without `kid` are ignored.

use std::{
    collections::HashMap,
    sync::{Arc, PoisonError, RwLock},
    time::{Duration, Instant},
};

use jsonwebtoken::{
    jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse},
    Algorithm, DecodingKey,
};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::AuthError;

/// Fewest seconds between two refetches on unknown `kid`s.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(10);
/// How long one fetch of the set may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Age after which the set is refetched even for a known `kid`.
pub const MAX_AGE: Duration = Duration::from_secs(15 * 60);
/// Largest JWKS document read; a real one is a few kilobytes.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// One usable key of the set.
pub struct JwkKey {
    pub algorithm: Algorithm,
    pub decoding: DecodingKey,
}

type KeyMap = HashMap<String, Arc<JwkKey>>;

/// The keys of the last successful fetch, and when it was.
#[derive(Default)]
struct Fetched {
    keys: KeyMap,
    at: Option<Instant>,
}

/// The JWKS key source of one hub.
pub struct JwksKeys {
    url: String,
    http: reqwest::Client,
    keys: RwLock<Arc<Fetched>>,
    /// When the last refetch started; held during the fetch, which makes it single flight.
    last_refetch: Mutex<Option<Instant>>,
}

#[derive(Debug, thiserror::Error)]
enum FetchError {
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("the document is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("not a JWKS document: {0}")]
    Json(#[from] serde_json::Error),
}

/// Checks a JWKS URL at start: http(s) with a host, and in production https unless the host is the loopback (plain
/// http would let anyone on the path substitute the keys that decide who is authenticated).
pub fn check_url(url: &str, production: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| format!("`{url}` is not a URL"))?;
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("`{url}` has no host"))?;
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if !production || loopback => Ok(()),
        "http" => Err(format!(
            "`{url}` must be https in production (plain http only on the loopback)"
        )),
        _ => Err(format!("`{url}` is not an http(s) URL")),
    }
}

/// The set as served; each key is parsed on its own, so one key of a kind this hub does not know cannot hide the rest.
#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

impl JwksKeys {
    /// A source for `url` with no keys yet; [`JwksKeys::load`] fetches them.
    pub fn new(url: String) -> JwksKeys {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .user_agent(concat!("lgsp-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        JwksKeys {
            url,
            http,
            keys: RwLock::new(Arc::default()),
            last_refetch: Mutex::new(None),
        }
    }

    /// Fetches the set (at start). On failure the previous keys stay and a warning is logged.
    pub async fn load(&self) {
        match self.fetch().await {
            Ok(keys) => {
                tracing::info!(url = %self.url, keys = keys.len(), "token keys fetched from the JWKS URL");
                *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(Fetched {
                    keys,
                    at: Some(Instant::now()),
                });
            }
            Err(err) => tracing::warn!(
                url = %self.url,
                error = %err,
                "cannot fetch the JWKS: tokens are refused until a later fetch succeeds"
            ),
        }
    }

    /// The key that checks `token`: named by its `kid`, of the algorithm its header states.
    pub async fn key_for(&self, token: &str) -> Result<Arc<JwkKey>, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| {
            AuthError::Invalid(match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidAlgorithmName => "algorithm not accepted",
                _ => "malformed",
            })
        })?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(AuthError::Invalid("algorithm not accepted"));
        }
        let kid = header.kid.ok_or(AuthError::Invalid("no key id (kid)"))?;
        let key = match self.lookup(&kid, true) {
            Some(key) => key,
            None => self
                .refetch_for(&kid)
                .await
                .ok_or(AuthError::Invalid("unknown key id"))?,
        };
        if key.algorithm != header.alg {
            return Err(AuthError::Invalid("algorithm not accepted"));
        }
        Ok(key)
    }

    /// The key named `kid`; with `fresh`, only from a set younger than [`MAX_AGE`].
    fn lookup(&self, kid: &str, fresh: bool) -> Option<Arc<JwkKey>> {
        let set = Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner));
        if fresh && set.at.is_none_or(|at| at.elapsed() >= MAX_AGE) {
            return None;
        }
        set.keys.get(kid).cloned()
    }

    /// Refetches the set for an unknown `kid` or a stale set, unless a refetch started less than [`REFETCH_INTERVAL`]
    /// ago; then answers from whatever set is there.
    #[tracing::instrument(level = "debug", skip_all, fields(kid = kid))]
    async fn refetch_for(&self, kid: &str) -> Option<Arc<JwkKey>> {
        // While one request refreshes a stale set, the others use the key they know instead of queueing behind a fetch
        // that may take the whole timeout (an identity provider down for long would stall every request each time).
        let mut last = match self.last_refetch.try_lock() {
            Ok(last) => last,
            Err(_) => match self.lookup(kid, false) {
                Some(stale) => return Some(stale),
                None => self.last_refetch.lock().await,
            },
        };
        // The refetch we waited for may have brought the key.
        if let Some(key) = self.lookup(kid, true) {
            return Some(key);
        }
        if last.is_none_or(|at| at.elapsed() >= REFETCH_INTERVAL) {
            *last = Some(Instant::now());
            self.load().await;
        }
        self.lookup(kid, false)
    }

    #[tracing::instrument(skip_all, fields(url = %self.url))]
    async fn fetch(&self) -> Result<KeyMap, FetchError> {
        let response = self.http.get(&self.url).send().await?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let set: RawSet = serde_json::from_slice(&read_capped(response).await?)?;
        Ok(set
            .keys
            .into_iter()
            .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
            .filter_map(|jwk| usable(&jwk))
            .collect())
    }
}

/// The body of `response`, refused past [`MAX_BODY_BYTES`] without reading the rest.
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(FetchError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The `kid` and key of `jwk` if it is an RS256 or ES256 signing key.
fn usable(jwk: &Jwk) -> Option<(String, Arc<JwkKey>)> {
    let kid = jwk.common.key_id.clone()?;
    if matches!(
        jwk.common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    ) {
        return None;
    }
    let (algorithm, declared) = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => (Algorithm::RS256, KeyAlgorithm::RS256),
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
            (Algorithm::ES256, KeyAlgorithm::ES256)
        }
        _ => return None,
    };
    // A key published for another algorithm (RS512, PS256...) is not one this hub may use as RS256.
    if jwk.common.key_algorithm.is_some_and(|alg| alg != declared) {
        return None;
    }
    let decoding = DecodingKey::from_jwk(jwk).ok()?;
    Some((
        kid,
        Arc::new(JwkKey {
            algorithm,
            decoding,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwk(value: serde_json::Value) -> Jwk {
        serde_json::from_value(value).expect("jwk")
    }

    #[test]
    fn production_wants_https_except_on_the_loopback() {
        assert!(check_url("https://idp.example/jwks", true).is_ok());
        assert!(check_url("http://127.0.0.1:8081/jwks", true).is_ok());
        assert!(check_url("http://localhost/jwks", true).is_ok());
        assert!(check_url("http://[::1]:8081/jwks", true).is_ok());
        assert!(check_url("http://idp.example/jwks", true).is_err());
        assert!(check_url("http://idp.example/jwks", false).is_ok());
        assert!(check_url("ftp://idp.example/jwks", false).is_err());
        assert!(check_url("idp.example/jwks", false).is_err());
    }

    #[test]
    fn only_rs256_and_es256_signing_keys_with_a_kid_are_kept() {
        let rsa = serde_json::json!({ "kty": "RSA", "kid": "r", "n": "sXch", "e": "AQAB" });
        assert_eq!(
            usable(&jwk(rsa.clone())).map(|(_, k)| k.algorithm),
            Some(Algorithm::RS256)
        );
        let mut no_kid = rsa.clone();
        no_kid.as_object_mut().expect("object").remove("kid");
        assert!(usable(&jwk(no_kid)).is_none());
        let mut enc = rsa.clone();
        enc["use"] = "enc".into();
        assert!(usable(&jwk(enc)).is_none());
        let mut rs512 = rsa;
        rs512["alg"] = "RS512".into();
        assert!(usable(&jwk(rs512)).is_none());
        let oct = serde_json::json!({ "kty": "oct", "kid": "h", "k": "c2VjcmV0" });
        assert!(usable(&jwk(oct)).is_none());
        let p384 =
            serde_json::json!({ "kty": "EC", "kid": "e", "crv": "P-384", "x": "AA", "y": "AA" });
        assert!(usable(&jwk(p384)).is_none());
    }
}
