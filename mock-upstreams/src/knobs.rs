//! Fault knobs per service (latency, error rate, down, slow or short-lived tokens), the ring buffer of recorded
//! calls, and [`guard`]: the middleware every data endpoint passes through, which applies the knobs, checks the bearer
//! token and records who called.

use std::{
    collections::VecDeque,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, RwLock,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::Response,
};
use serde::{Deserialize, Serialize};

use crate::{fail, rng::mix, Mock, SERVICES};

/// Calls kept by the call log.
const CALLS_KEPT: usize = 1000;

/// One service's knobs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Knobs {
    /// Added before answering each data call.
    pub latency_ms: u64,
    /// Share of data calls answered 500, in [0, 1].
    pub error_rate: f64,
    /// 503 on every endpoint of the service, its token endpoint included.
    pub down: bool,
    /// Added before answering the token endpoint.
    pub token_latency_ms: u64,
    /// Lifetime of the tokens issued from now on.
    pub token_ttl_secs: u64,
}

impl Default for Knobs {
    fn default() -> Knobs {
        Knobs {
            latency_ms: 0,
            error_rate: 0.0,
            down: false,
            token_latency_ms: 0,
            token_ttl_secs: 300,
        }
    }
}

impl Knobs {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err("errorRate must be between 0 and 1".to_owned());
        }
        if self.token_ttl_secs == 0 {
            return Err("tokenTtlSecs must be at least 1".to_owned());
        }
        if self.latency_ms > 600_000 || self.token_latency_ms > 600_000 {
            return Err("latencies are at most 600000 ms".to_owned());
        }
        Ok(())
    }

    /// Applies the fields present in `patch`.
    pub fn patched(&self, patch: KnobsPatch) -> Knobs {
        Knobs {
            latency_ms: patch.latency_ms.unwrap_or(self.latency_ms),
            error_rate: patch.error_rate.unwrap_or(self.error_rate),
            down: patch.down.unwrap_or(self.down),
            token_latency_ms: patch.token_latency_ms.unwrap_or(self.token_latency_ms),
            token_ttl_secs: patch.token_ttl_secs.unwrap_or(self.token_ttl_secs),
        }
    }
}

/// A partial update of [`Knobs`] (`PUT /admin/knobs/{svc}`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KnobsPatch {
    pub latency_ms: Option<u64>,
    pub error_rate: Option<f64>,
    pub down: Option<bool>,
    pub token_latency_ms: Option<u64>,
    pub token_ttl_secs: Option<u64>,
}

/// The knobs of every service, by service index, and the seeded draws of the error rate.
pub struct Board {
    start: Vec<Knobs>,
    now: RwLock<Vec<Knobs>>,
    draws: AtomicU64,
}

impl Board {
    pub fn new(start: Vec<Knobs>, seed: u64) -> Board {
        Board {
            now: RwLock::new(start.clone()),
            start,
            draws: AtomicU64::new(mix(seed ^ 0x6b6e_6f62)),
        }
    }

    pub fn get(&self, svc: usize) -> Knobs {
        self.now
            .read()
            .ok()
            .and_then(|k| k.get(svc).cloned())
            .unwrap_or_default()
    }

    pub fn set(&self, svc: usize, knobs: Knobs) {
        if let Ok(mut now) = self.now.write() {
            if let Some(k) = now.get_mut(svc) {
                *k = knobs;
            }
        }
    }

    /// Back to the knobs the mocks started with.
    pub fn reset(&self) {
        if let Ok(mut now) = self.now.write() {
            now.clone_from(&self.start);
        }
    }

    /// True with probability `rate` (a seeded sequence shared by all services: reproducible under serial load).
    fn fails(&self, rate: f64) -> bool {
        if rate <= 0.0 {
            return false;
        }
        let z = mix(self
            .draws
            .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed));
        ((z >> 11) as f64 / (1u64 << 53) as f64) < rate
    }
}

/// One recorded data call.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    pub service: &'static str,
    pub method: String,
    /// Path (and query) under the service prefix.
    pub path: String,
    pub client_agency: Option<String>,
    pub client_subject: Option<String>,
    pub purpose: Option<String>,
    pub request_id: Option<String>,
    /// The W3C trace context the caller sent, so that tests can follow a trace into the national database.
    pub traceparent: Option<String>,
    pub status: u16,
    /// Milliseconds since the Unix epoch.
    pub at: u64,
}

/// The last [`CALLS_KEPT`] data calls, oldest first, and how many are being answered now (a test that stops the hub
/// under load waits until its calls are in flight).
#[derive(Default)]
pub struct CallLog(Mutex<VecDeque<Call>>, std::sync::atomic::AtomicUsize);

impl CallLog {
    /// Calls received and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn record(&self, call: Call) {
        if let Ok(mut calls) = self.0.lock() {
            if calls.len() == CALLS_KEPT {
                calls.pop_front();
            }
            calls.push_back(call);
        }
    }

    pub fn all(&self) -> Vec<Call> {
        self.0
            .lock()
            .map(|c| c.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn clear(&self) {
        if let Ok(mut calls) = self.0.lock() {
            calls.clear();
        }
    }
}

fn header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Records its call when dropped: with the answer's status, or 499 when the caller gave up first (a client timeout
/// drops the handler mid-latency, and that attempt must still show in the log).
struct Pending {
    mock: Arc<Mock>,
    call: Option<Call>,
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.mock
            .calls
            .1
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(mut call) = self.call.take() {
            if call.status == 0 {
                call.status = 499;
            }
            self.mock.calls.record(call);
        }
    }
}

/// Down → 503; then the added latency; no valid token of this service → 401; the error rate → 500; else the handler.
/// Every outcome is recorded with the caller's identity headers.
pub async fn guard(
    State((mock, svc)): State<(Arc<Mock>, usize)>,
    request: Request,
    next: Next,
) -> Response {
    let knobs = mock.knobs.get(svc);
    let headers = request.headers();
    let call = Call {
        service: SERVICES[svc].name,
        method: request.method().to_string(),
        path: request
            .uri()
            .path_and_query()
            .map_or_else(|| request.uri().path().to_owned(), |p| p.to_string()),
        client_agency: header_value(headers, "x-client-agency"),
        client_subject: header_value(headers, "x-client-subject"),
        purpose: header_value(headers, "x-purpose"),
        request_id: header_value(headers, "x-request-id"),
        traceparent: header_value(headers, "traceparent"),
        status: 0,
        at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64),
    };
    mock.calls
        .1
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut pending = Pending {
        mock: mock.clone(),
        call: Some(call),
    };
    let response = if knobs.down {
        fail(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable")
    } else {
        if knobs.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
        }
        let token = bearer(request.headers());
        if !token.is_some_and(|t| mock.tokens.valid(svc, t)) {
            let mut r = fail(StatusCode::UNAUTHORIZED, "invalid_token");
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            r
        } else if mock.knobs.fails(knobs.error_rate) {
            fail(StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
        } else {
            next.run(request).await
        }
    };
    if let Some(call) = pending.call.as_mut() {
        call.status = response.status().as_u16();
    }
    drop(pending);
    response
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
