//! Clients of the national databases. [`client::Upstream`] is the resilient transport shared by every adapter; the
//! adapters (one per national database, in [`adapters`]) turn its JSON into typed records.

pub mod breaker;
pub mod client;
pub mod health;
pub mod probe;
pub mod token;

use std::time::Duration;

use secrecy::SecretString;

use crate::telemetry::metrics::UpstreamOutcome;

pub use breaker::CircuitState;
pub use client::{Caller, Upstream};
pub use health::{Health, Probe};

/// A national database the hub federates: its service name (the `/<name>` prefix of the mocks, and the `<name>` of
/// the scope `upstream:<name>:read`) and what it is.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    pub name: &'static str,
    pub title: &'static str,
    /// A path (under the service's base URL) that needs the token and names no one: the connection test's probe.
    pub probe: &'static str,
    /// The key of this database in the catalog's national databases.
    pub catalog_key: &'static str,
}

pub const SERVICES: [Service; 6] = [
    Service {
        name: "population",
        catalog_key: "dan-cu",
        probe: "/citizens/000000000000",
        title: "CSDL quốc gia về dân cư",
    },
    Service {
        name: "business",
        catalog_key: "dang-ky-doanh-nghiep",
        probe: "/enterprises/0000000000",
        title: "CSDL quốc gia về đăng ký doanh nghiệp",
    },
    Service {
        name: "insurance",
        catalog_key: "bao-hiem",
        probe: "/participants/0000000000",
        title: "CSDL quốc gia về bảo hiểm",
    },
    Service {
        name: "land",
        catalog_key: "dat-dai",
        probe: "/parcels/000000000000",
        title: "CSDL đất đai",
    },
    Service {
        name: "civil-status",
        catalog_key: "ho-tich",
        probe: "/births/000000000000",
        title: "CSDL hộ tịch điện tử",
    },
    Service {
        name: "judicial",
        catalog_key: "ly-lich-tu-phap",
        probe: "/requests/000000000000",
        title: "Lý lịch tư pháp",
    },
];

/// The probe path of the service `name` (`/` for a service the hub does not know).
pub fn probe_path(name: &str) -> &'static str {
    SERVICES
        .iter()
        .find(|s| s.name == name)
        .map_or("/", |s| s.probe)
}

/// What a trace may record of `path`: its first segment, the resource (`/citizens/0012…?x=1` → `/citizens`). The rest
/// often names a person (a personal number in the path or the query), and spans never hold personal data.
pub fn route(path: &str) -> &str {
    let start = usize::from(path.starts_with('/'));
    let end = path[start..]
        .find(['/', '?'])
        .map_or(path.len(), |i| start + i);
    &path[..end]
}

/// The client secret the mock national databases accept for `service` unless told otherwise (development only).
pub fn dev_secret(service: &str) -> String {
    format!("dev-secret-{service}")
}

/// How to reach one upstream and how patient to be with it.
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    pub name: String,
    /// The service's base URL, e.g. `https://dancu.example.gov.vn/api` or the mock's `http://127.0.0.1:9100/population`.
    pub base_url: String,
    pub client_id: String,
    /// Never logged: `Debug` redacts it.
    pub client_secret: SecretString,
    /// Per-call timeout (each attempt).
    pub timeout: Duration,
    pub token_timeout: Duration,
    /// Extra attempts for idempotent calls after a timeout, a connection failure or a 502/503/504.
    pub retries: u32,
    /// Base of the exponential backoff between attempts.
    pub backoff: Duration,
    /// Consecutive failures that open the circuit.
    pub breaker_threshold: u32,
    /// How long an open circuit refuses calls before one trial.
    pub breaker_cooldown: Duration,
    /// Calls in flight at most.
    pub concurrency: usize,
    /// How long non-personal responses are cached (0: not at all).
    pub cache_ttl: Duration,
}

impl UpstreamSettings {
    /// Defaults for `name` at `base_url`.
    pub fn new(name: &str, base_url: &str) -> UpstreamSettings {
        UpstreamSettings {
            name: name.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            client_id: "lgsp-hub".to_owned(),
            client_secret: SecretString::default(),
            timeout: Duration::from_millis(2000),
            token_timeout: Duration::from_millis(3000),
            retries: 2,
            backoff: Duration::from_millis(50),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(10),
            concurrency: 64,
            cache_ttl: Duration::from_secs(60),
        }
    }

    /// The longest one call can take: the wait for a concurrency permit, then every attempt's token fetch and request
    /// (the retries, and one more after a token refresh), and the backoffs between them (see `client::backoff`). A
    /// half-open trial still unanswered after this is not coming back.
    pub fn call_budget(&self) -> Duration {
        let attempts = self.retries.saturating_add(2);
        // Backoff `a` waits under `backoff × 2^min(a, 8)`: 2 + 4 + … + 2^k, then 256 for each retry past the eighth.
        let doubling = self.retries.min(8);
        let units = ((1u32 << (doubling + 1)) - 2)
            .saturating_add(256 * (self.retries - doubling).min(1 << 20));
        self.timeout
            .saturating_add(
                self.token_timeout
                    .saturating_add(self.timeout)
                    .saturating_mul(attempts),
            )
            .saturating_add(self.backoff.saturating_mul(units))
    }
}

/// Why an upstream call failed. The upstream's own body is never kept: only what the hub can say safely.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UpstreamError {
    #[error("the upstream did not answer in time")]
    Timeout,
    #[error("the upstream cannot be reached")]
    Unreachable,
    #[error("the upstream answered with HTTP {0}")]
    Status(u16),
    #[error("the upstream's answer is not what its contract says")]
    Malformed,
    #[error("{detail} (HTTP {status})")]
    Rejected { status: u16, detail: &'static str },
    #[error("the circuit is open after repeated failures; calls resume after a cooldown")]
    CircuitOpen,
    #[error("too many calls to this upstream are in flight")]
    Busy,
    #[error("the hub has no such upstream configured")]
    NotConfigured,
}

impl UpstreamError {
    fn from_transport(e: reqwest::Error) -> UpstreamError {
        if e.is_timeout() {
            UpstreamError::Timeout
        } else {
            UpstreamError::Unreachable
        }
    }

    /// Worth another attempt (for an idempotent call).
    fn retryable(&self) -> bool {
        match self {
            UpstreamError::Timeout | UpstreamError::Unreachable => true,
            UpstreamError::Status(s) => matches!(s, 502..=504),
            _ => false,
        }
    }

    /// How a call that failed so ended, for `lgsp_upstream_calls_total`.
    fn outcome(&self) -> UpstreamOutcome {
        match self {
            UpstreamError::Timeout => UpstreamOutcome::Timeout,
            UpstreamError::Unreachable | UpstreamError::NotConfigured => {
                UpstreamOutcome::Unreachable
            }
            UpstreamError::Status(_) => UpstreamOutcome::BadStatus,
            UpstreamError::Malformed => UpstreamOutcome::Malformed,
            UpstreamError::Rejected { .. } => UpstreamOutcome::Rejected,
            UpstreamError::CircuitOpen => UpstreamOutcome::CircuitOpen,
            UpstreamError::Busy => UpstreamOutcome::Busy,
        }
    }

    /// A sign of the upstream's ill health, for the circuit breaker (a refused request is not).
    fn counts_against_upstream(&self) -> bool {
        !matches!(self, UpstreamError::Rejected { .. } | UpstreamError::Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn a_route_keeps_the_resource_and_drops_what_names_someone() {
        assert_eq!(route("/citizens/001203004567"), "/citizens");
        assert_eq!(
            route("/participants?personalId=001203004567"),
            "/participants"
        );
        assert_eq!(route("/citizens:verify"), "/citizens:verify");
        assert_eq!(route("citizens/1"), "citizens");
        assert_eq!(route("/"), "/");
        assert_eq!(route(""), "");
    }
}
