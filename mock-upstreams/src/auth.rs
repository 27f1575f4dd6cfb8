//! OAuth2 client credentials: `POST /<svc>/oauth/token` with HTTP Basic `client_id:client_secret` (or the two as form
//! fields) and `grant_type=client_credentials` issues an opaque bearer token valid for that service only, for the
//! service's `tokenTtlSecs`.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::Engine;
use serde_json::json;

use crate::{fail, rng::mix, Mock};

/// Past this many live tokens, issuing one first drops the expired ones.
const PRUNE_AT: usize = 10_000;

struct Issued {
    service: usize,
    expires: Instant,
}

pub struct Tokens {
    issued: RwLock<HashMap<String, Issued>>,
    counter: AtomicU64,
    salt: u64,
}

impl Tokens {
    pub fn new(seed: u64) -> Tokens {
        // The clock in the salt: tokens of one run are worthless to the next, even with the same seed.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Tokens {
            issued: RwLock::new(HashMap::new()),
            counter: AtomicU64::new(0),
            salt: mix(seed ^ mix(now)),
        }
    }

    fn issue(&self, service: usize, ttl: Duration) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let token = format!(
            "mock.{:016x}{:016x}",
            mix(self.salt ^ n),
            mix(self.salt.rotate_left(17) ^ n)
        );
        if let Ok(mut issued) = self.issued.write() {
            let now = Instant::now();
            if issued.len() >= PRUNE_AT {
                issued.retain(|_, t| t.expires > now);
            }
            issued.insert(
                token.clone(),
                Issued {
                    service,
                    expires: now + ttl,
                },
            );
        }
        token
    }

    /// The token was issued by service `service` and has not expired.
    pub fn valid(&self, service: usize, token: &str) -> bool {
        self.issued.read().is_ok_and(|issued| {
            issued
                .get(token)
                .is_some_and(|t| t.service == service && t.expires > Instant::now())
        })
    }
}

/// Decodes `application/x-www-form-urlencoded` (also a query string) into its last value per key.
pub fn form(body: &[u8]) -> HashMap<String, String> {
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut kv = pair.splitn(2, |b| *b == b'=');
            let key = decode(kv.next().unwrap_or_default());
            (key, decode(kv.next().unwrap_or_default()))
        })
        .collect()
}

fn decode(s: &[u8]) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => match (hex(s[i + 1]), hex(s[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The client's id and secret: HTTP Basic first, else the form fields.
fn credentials(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, b64)| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(i, s)| (i.to_owned(), s.to_owned()))
        });
    basic.or_else(|| {
        Some((
            form.get("client_id")?.clone(),
            form.get("client_secret")?.clone(),
        ))
    })
}

pub async fn token(
    State(mock): State<Arc<Mock>>,
    svc: usize,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let knobs = mock.knobs.get(svc);
    if knobs.down {
        return fail(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable");
    }
    if knobs.token_latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.token_latency_ms)).await;
    }
    let form = form(&body);
    let known = credentials(&headers, &form)
        .is_some_and(|(id, secret)| id == mock.client_id && secret == mock.client_secrets[svc]);
    if !known {
        let mut r = fail(StatusCode::UNAUTHORIZED, "invalid_client");
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"mock-upstreams\""),
        );
        return r;
    }
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => return fail(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
        None => return fail(StatusCode::BAD_REQUEST, "invalid_request"),
    }
    let token = mock
        .tokens
        .issue(svc, Duration::from_secs(knobs.token_ttl_secs));
    let mut response = Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": knobs.token_ttl_secs,
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
