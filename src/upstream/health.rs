//! What the hub has observed of an upstream: the figures of its calls and the last background probe.

use std::time::{SystemTime, UNIX_EPOCH};

use super::UpstreamError;

/// What integrators see of an upstream.
#[derive(Debug, Clone, Default)]
pub struct Health {
    pub calls: u64,
    pub failures: u64,
    pub last_latency_ms: Option<f64>,
    pub last_error: Option<String>,
    pub last_ok: bool,
    /// When the last call ended (ms since the epoch).
    pub last_at_ms: Option<i64>,
}

/// The outcome of one probe.
#[derive(Debug, Clone)]
pub struct Probe {
    /// When it ended (ms since the epoch).
    pub at_ms: i64,
    pub ok: bool,
    /// Token fetch and probe call together.
    pub latency_ms: f64,
    /// Why it failed.
    pub error: Option<UpstreamError>,
}

/// Milliseconds since the epoch (0 on a clock before it).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
