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
    }
}
