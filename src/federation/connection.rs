//! Integrator tools: each upstream's health as the hub sees it, and a connection test that fetches a token and makes
//! one authenticated probe call, timing each step.

use std::time::Instant;

use super::Federation;
use crate::upstream::{Caller, CircuitState, Upstream, UpstreamError};

/// One step of a connection test.
#[derive(Debug, Clone)]
pub struct StepReport {
    pub step: &'static str,
    pub ok: bool,
    pub ms: f64,
    /// A safe description of the failure, and its code.
    pub error: Option<(String, &'static str)>,
}

#[derive(Debug, Clone)]
pub struct ConnectionReport {
    pub upstream: String,
    pub ok: bool,
    pub steps: Vec<StepReport>,
}

/// How an upstream looks from the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The last call or probe succeeded, in less than half the upstream's timeout.
    Up,
    /// It answers, but the last call failed (the circuit still closed), or the last answer took over half the timeout.
    Degraded,
    /// The circuit is open (or half-open: one trial pending), or the last probe failed.
    Down,
    /// No call and no probe yet (probes switched off, or the first one still running).
    Unknown,
}

/// The circuit first; then the newer of the last call and the last background probe decides. A failed probe means
/// down (it needs nothing but a token and a lookup of no one); a failed call only degraded (it may have failed for
/// its own input, and the breaker judges repeated failures).
pub fn status(u: &Upstream) -> Status {
    if matches!(u.circuit(), CircuitState::Open | CircuitState::HalfOpen) {
        return Status::Down;
    }
    let h = u.health();
    let call = h
        .last_at_ms
        .filter(|_| h.calls > 0)
        .map(|at| (at, false, h.last_ok, h.last_latency_ms));
    let probe = u
        .last_probe()
        .map(|p| (p.at_ms, true, p.ok, Some(p.latency_ms)));
    let newest = match (call, probe) {
        (Some(c), Some(p)) => Some(if p.0 >= c.0 { p } else { c }),
        (c, p) => c.or(p),
    };
    let Some((_, by_probe, ok, latency_ms)) = newest else {
        return Status::Unknown;
    };
    let slow_ms = u.settings.timeout.as_secs_f64() * 1000.0 / 2.0;
    match (ok, by_probe) {
        (false, true) => Status::Down,
        (false, false) => Status::Degraded,
        (true, _) if latency_ms.is_some_and(|ms| ms > slow_ms) => Status::Degraded,
        (true, _) => Status::Up,
    }
}

fn step(name: &'static str, started: Instant, result: &Result<(), UpstreamError>) -> StepReport {
    StepReport {
        step: name,
        ok: result.is_ok(),
        ms: started.elapsed().as_secs_f64() * 1000.0,
        error: result
            .as_ref()
            .err()
            .map(|e| (e.to_string(), crate::error::upstream_code(e))),
    }
}

impl Federation {
    /// Tests the upstream `name`; `None` when no such upstream is configured.
    pub async fn test_connection(&self, name: &str, caller: &Caller) -> Option<ConnectionReport> {
        let upstream = self.upstreams.get(name)?;
        Some(test(upstream, caller).await)
    }
}

/// Token fetch, then an authenticated probe (a lookup of an identifier that exists nowhere: "not found" proves the
/// service answers and accepts the hub's token, without touching anyone's data).
#[tracing::instrument(skip_all, fields(upstream = upstream.name()))]
pub async fn test(upstream: &Upstream, caller: &Caller) -> ConnectionReport {
    let name = upstream.name();
    let probe = crate::upstream::probe_path(name);
    let mut steps = Vec::new();
    let started = Instant::now();
    let token = upstream.fetch_token().await;
    steps.push(step("token", started, &token));
    if token.is_ok() {
        let started = Instant::now();
        let call = upstream.get(probe, caller).await.map(|_| ());
        steps.push(step("probe", started, &call));
    }
    let ok = steps.iter().all(|s| s.ok);
    upstream.record_probe(ok);
    ConnectionReport {
        upstream: name.to_owned(),
        ok,
        steps,
    }
}
