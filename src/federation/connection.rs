//! Integrator tools: each upstream's health as the hub sees it, and a connection test that fetches a token and makes
//! one authenticated probe call, timing each step.

use std::time::Instant;

use super::Federation;
use crate::upstream::{Caller, CircuitState, Upstream, UpstreamError, SERVICES};

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
    /// The last call succeeded.
    Up,
    /// The last call failed, but the circuit is still closed.
    Degraded,
    /// The circuit is open (or half-open: one trial pending).
    Down,
    /// No call yet.
    Unknown,
}

pub fn status(u: &Upstream) -> Status {
    let h = u.health();
    match (u.circuit(), h.calls, h.last_ok) {
        (CircuitState::Open | CircuitState::HalfOpen, _, _) => Status::Down,
        (_, 0, _) => Status::Unknown,
        (_, _, true) => Status::Up,
        (_, _, false) => Status::Degraded,
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
    let probe = SERVICES
        .iter()
        .find(|s| s.name == name)
        .map_or("/", |s| s.probe);
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
