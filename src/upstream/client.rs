//! The transport to one upstream: pooled HTTP, the upstream's OAuth2 token, per-call timeout, retries with backoff
//! and jitter (idempotent calls only), a circuit breaker, a concurrency limit, and health figures for integrators.
//! Every call carries the caller's identity in headers, as X-Road passes its client identifier, so the national
//! database's own logs can attribute the access.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use reqwest::{header::HeaderMap, Method, StatusCode};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::{
    breaker::{Breaker, CircuitState},
    health::Health,
    token::TokenSource,
    UpstreamError, UpstreamSettings,
};
use crate::telemetry::metrics::{Circuit, UpstreamMetrics, UpstreamOutcome};

/// Who the hub is calling for.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub agency: String,
    pub subject: String,
    pub purpose: Option<String>,
    pub request_id: Option<String>,
}

impl Caller {
    /// The same caller, declaring `purpose` (the `X-Purpose` value) to the upstream.
    pub fn with_purpose(&self, purpose: String) -> Caller {
        Caller {
            purpose: Some(purpose),
            ..self.clone()
        }
    }

    /// The caller's identity, and the trace context of the current span (W3C `traceparent`) when traces are
    /// exported, so that the national database's logs can join the trace.
    pub(super) fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        crate::telemetry::traces::inject(&mut h);
        let mut put = |name: &'static str, value: &str| {
            if let Ok(v) = value.parse() {
                h.insert(name, v);
            }
        };
        put("x-client-agency", &self.agency);
        put("x-client-subject", &self.subject);
        if let Some(p) = &self.purpose {
            put("x-purpose", p);
        }
        if let Some(r) = &self.request_id {
            put("x-request-id", r);
        }
        h
    }
}

pub struct Upstream {
    pub settings: UpstreamSettings,
    pub(super) http: reqwest::Client,
    pub(super) token: TokenSource,
    breaker: Breaker,
    permits: Semaphore,
    health: Mutex<Health>,
    /// The last background health probe.
    pub(super) last_probe: Mutex<Option<super::health::Probe>>,
    pub(super) metrics: UpstreamMetrics,
}

impl Upstream {
    /// The client of the upstream `settings` describe, over the shared `http` pool, counted in `metrics`.
    pub fn new(
        settings: UpstreamSettings,
        http: reqwest::Client,
        metrics: UpstreamMetrics,
    ) -> Upstream {
        let token = TokenSource::new(
            format!("{}/oauth/token", settings.base_url),
            settings.client_id.clone(),
            settings.client_secret.clone(),
        );
        Upstream {
            breaker: Breaker::new(
                settings.breaker_threshold,
                settings.breaker_cooldown,
                settings.call_budget(),
            ),
            permits: Semaphore::new(settings.concurrency.max(1)),
            token,
            http,
            health: Mutex::new(Health::default()),
            last_probe: Mutex::new(None),
            metrics,
            settings,
        }
    }

    pub fn name(&self) -> &str {
        &self.settings.name
    }

    pub fn circuit(&self) -> CircuitState {
        self.breaker.state()
    }

    /// Sets the circuit's gauge (read when `/metrics` is rendered: an open circuit with no calls does not change).
    pub fn sample_metrics(&self) {
        self.metrics.circuit(match self.circuit() {
            CircuitState::Closed => Circuit::Closed,
            CircuitState::HalfOpen => Circuit::HalfOpen,
            CircuitState::Open => Circuit::Open,
        });
    }

    /// Records the result of a connection test.
    pub fn record_probe(&self, ok: bool) {
        self.metrics.probe(ok);
    }

    pub fn health(&self) -> Health {
        self.health.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Fetches a token now (for connection tests), bypassing nothing but the cache's reuse.
    #[tracing::instrument(skip_all, fields(upstream = %self.settings.name))]
    pub async fn fetch_token(&self) -> Result<(), UpstreamError> {
        self.token
            .get(&self.http, self.settings.token_timeout)
            .await
            .map(|_| ())
    }

    /// `GET path`; `None` when the upstream answers 404.
    pub async fn get(&self, path: &str, caller: &Caller) -> Result<Option<Value>, UpstreamError> {
        self.call(Method::GET, path, None, caller, true).await
    }

    /// `POST path` with a JSON body; `idempotent` lookups may be retried.
    pub async fn post(
        &self,
        path: &str,
        body: &Value,
        caller: &Caller,
        idempotent: bool,
    ) -> Result<Option<Value>, UpstreamError> {
        self.call(Method::POST, path, Some(body), caller, idempotent)
            .await
    }

    // The span names the route, not the path: paths and bodies carry personal numbers.
    #[tracing::instrument(
        skip_all,
        fields(upstream = %self.settings.name, %method, route = super::route(path))
    )]
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        caller: &Caller,
        idempotent: bool,
    ) -> Result<Option<Value>, UpstreamError> {
        // Held across the await points below: if this future is dropped, the permit's drop gives a half-open trial
        // back instead of leaving the circuit waiting for an answer that will never come.
        let Some(permit) = self.breaker.allow() else {
            self.metrics.call(UpstreamOutcome::CircuitOpen, 0.0);
            return Err(UpstreamError::CircuitOpen);
        };
        let started = Instant::now();
        let result = match tokio::time::timeout(self.settings.timeout, self.permits.acquire()).await
        {
            Ok(Ok(_permit)) => self.attempts(&method, path, body, caller, idempotent).await,
            _ => Err(UpstreamError::Busy),
        };
        let seconds = started.elapsed().as_secs_f64();
        self.metrics.call(
            result
                .as_ref()
                .map_or_else(UpstreamError::outcome, |_| UpstreamOutcome::Ok),
            seconds,
        );
        let elapsed = seconds * 1000.0;
        match &result {
            Ok(_) => permit.success(),
            // The hub's own limit is not the upstream's failure: no verdict (a trial is given back).
            Err(UpstreamError::Busy) => drop(permit),
            Err(e) if e.counts_against_upstream() => permit.failure(),
            Err(_) => permit.success(),
        }
        if let Ok(mut h) = self.health.lock() {
            h.calls += 1;
            h.last_latency_ms = Some(elapsed);
            h.last_ok = result.is_ok();
            h.last_at_ms = Some(super::health::now_ms());
            if let Err(e) = &result {
                h.failures += 1;
                h.last_error = Some(e.to_string());
            }
        }
        result
    }

    /// Sends the request until it is answered: idempotent calls are retried after a transient failure, and a refused
    /// token is replaced once without spending a retry.
    async fn attempts(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
        caller: &Caller,
        idempotent: bool,
    ) -> Result<Option<Value>, UpstreamError> {
        let retries = if idempotent { self.settings.retries } else { 0 };
        let mut refreshed_token = false;
        let mut attempt = 0;
        loop {
            let token = self
                .token
                .get(&self.http, self.settings.token_timeout)
                .await
                .inspect_err(|_| self.metrics.attempt_failed())?;
            let request = self
                .http
                .request(method.clone(), format!("{}{path}", self.settings.base_url))
                .bearer_auth(&token)
                .headers(caller.headers())
                .timeout(self.settings.timeout);
            let failure = match self.attempt(attempt, request, body).await {
                Ok(Reply::Answer(answer)) => return Ok(answer),
                Ok(Reply::TokenRefused) if !refreshed_token => {
                    // The token expired or was revoked early: fetch a new one once, without spending a retry.
                    self.token.invalidate(&token).await;
                    refreshed_token = true;
                    continue;
                }
                Ok(Reply::TokenRefused) => UpstreamError::Rejected {
                    status: StatusCode::UNAUTHORIZED.as_u16(),
                    detail: REFUSED,
                },
                Err(e) => e,
            };
            self.metrics.attempt_failed();
            if attempt >= retries || !failure.retryable() {
                return Err(failure);
            }
            attempt += 1;
            tokio::time::sleep(backoff(self.settings.backoff, attempt)).await;
        }
    }

    /// One request and how it was answered. Failures are logged here, once per attempt: nothing above logs an
    /// upstream's failure, and the breaker keeps their number bounded while an upstream is down.
    #[tracing::instrument(
        level = "debug",
        skip_all,
        fields(attempt = attempt, status = tracing::field::Empty),
        err(Display, level = "warn")
    )]
    pub(super) async fn attempt(
        &self,
        attempt: u32,
        request: reqwest::RequestBuilder,
        body: Option<&Value>,
    ) -> Result<Reply, UpstreamError> {
        let request = match body {
            Some(b) => request.json(b),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(UpstreamError::from_transport)?;
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        match status {
            StatusCode::UNAUTHORIZED => Ok(Reply::TokenRefused),
            StatusCode::NOT_FOUND => Ok(Reply::Answer(None)),
            s if s.is_success() => response
                .json::<Value>()
                .await
                .map(|v| Reply::Answer(Some(v)))
                .map_err(|_| UpstreamError::Malformed),
            s if s.is_client_error() => Err(UpstreamError::Rejected {
                status: s.as_u16(),
                detail: REFUSED,
            }),
            s => Err(UpstreamError::Status(s.as_u16())),
        }
    }
}

/// Why a 4xx answer failed the call (the upstream's own body is never shown).
pub(super) const REFUSED: &str = "the upstream refused the request";

/// What one attempt brought back, short of a failure.
pub(super) enum Reply {
    /// The record, or none when the upstream answered 404.
    Answer(Option<Value>),
    /// 401: the token expired or was revoked.
    TokenRefused,
}

/// Exponential backoff with full jitter: a random wait in [0, base × 2^attempt).
fn backoff(base: Duration, attempt: u32) -> Duration {
    let cap = base.saturating_mul(1 << attempt.min(8));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64);
    // SplitMix64 of the clock: enough spread to de-synchronise retries, no RNG crate needed.
    let z = crate::splitmix::SplitMix64::new(nanos).next_u64();
    let cap_nanos = cap.as_nanos().max(1) as u64;
    Duration::from_nanos(z % cap_nanos)
}

#[cfg(test)]
mod tests;
