//! `UpstreamStatus`: a national database as the hub's federation sees it (health, latency, circuit), for integrators
//! and for `NationalDatabase.upstream`.

use async_graphql::{Enum, SimpleObject};

use crate::{
    federation::connection as conn,
    upstream::{CircuitState as Circuit, Upstream},
};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamHealth {
    Up,
    Degraded,
    Down,
    Unknown,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    Closed,
    Open,
    HalfOpen,
}

/// A national database as the hub sees it.
#[derive(SimpleObject)]
pub struct UpstreamStatus {
    pub name: String,
    pub base_url: String,
    pub status: UpstreamHealth,
    /// Latency of the last call, in milliseconds.
    pub latency_ms: Option<f64>,
    /// Why the last failed call failed (never the upstream's own body).
    pub last_error: Option<String>,
    pub circuit_state: CircuitState,
    pub calls: u64,
    pub failures: u64,
    /// The last background health probe (none yet, or probes switched off: `health_interval_ms = 0`).
    pub last_probe: Option<UpstreamProbe>,
}

/// One background health probe: a token fetch and a call that names no one. Probes write no access-log entry and
/// never open the circuit on their own.
#[derive(SimpleObject)]
pub struct UpstreamProbe {
    /// When it ended, in milliseconds since the epoch.
    pub at_ms: i64,
    pub ok: bool,
    /// Token fetch and probe call together, in milliseconds.
    pub latency_ms: f64,
    /// Why it failed (never the upstream's own body).
    pub error: Option<String>,
    /// The failure's code (`UPSTREAM_UNAVAILABLE`, `UPSTREAM_TIMEOUT`, `UPSTREAM_REJECTED`).
    pub code: Option<String>,
}

impl From<crate::upstream::Probe> for UpstreamProbe {
    fn from(p: crate::upstream::Probe) -> Self {
        UpstreamProbe {
            at_ms: p.at_ms,
            ok: p.ok,
            latency_ms: p.latency_ms,
            code: p
                .error
                .as_ref()
                .map(|e| crate::error::upstream_code(e).to_owned()),
            error: p.error.map(|e| e.to_string()),
        }
    }
}

/// The status of one upstream, as integrators see it.
pub fn status_of(u: &Upstream) -> UpstreamStatus {
    let h = u.health();
    UpstreamStatus {
        name: u.name().to_owned(),
        base_url: u.settings.base_url.clone(),
        status: match conn::status(u) {
            conn::Status::Up => UpstreamHealth::Up,
            conn::Status::Degraded => UpstreamHealth::Degraded,
            conn::Status::Down => UpstreamHealth::Down,
            conn::Status::Unknown => UpstreamHealth::Unknown,
        },
        latency_ms: h.last_latency_ms,
        last_error: h.last_error,
        circuit_state: match u.circuit() {
            Circuit::Closed => CircuitState::Closed,
            Circuit::Open => CircuitState::Open,
            Circuit::HalfOpen => CircuitState::HalfOpen,
        },
        calls: h.calls,
        failures: h.failures,
        last_probe: u.last_probe().map(UpstreamProbe::from),
    }
}
