//! Per-client rate limits: each agency (by its token) and each anonymous client (by address) gets `N` requests a
//! minute, in bursts of up to `N / 6`, by GCRA. With a Redis URL the budgets are shared by every replica; without one,
//! and while Redis is unreachable, each process keeps its own (`governor`). A check never fails because of Redis.
//!
//! The HTTP face (`http::rate_limit`) names the client and answers 429; this module only counts.

mod gcra;
mod local;
mod shared;

use std::{
    fmt,
    net::{IpAddr, Ipv6Addr},
    sync::Arc,
};

pub use gcra::{seconds_up, Decision, Kind, Policy};

use crate::{
    codes::AgencyCode,
    config::RateLimitConfig,
    telemetry::{metrics::RateLimitMetrics, Metrics},
};
use local::Local;
use shared::Shared;

/// Whose budget a request draws on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    Agency(String),
    /// An anonymous client's address: IPv4, or the /64 network of IPv6 (one subscriber's usual allocation, so that
    /// a client cannot get a fresh budget by changing the low bits of its address).
    Address(IpAddr),
}

impl ClientKey {
    pub fn agency(agency: &AgencyCode) -> ClientKey {
        ClientKey::Agency(agency.as_str().to_owned())
    }

    pub fn address(ip: IpAddr) -> ClientKey {
        ClientKey::Address(match ip.to_canonical() {
            IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
            v4 => v4,
        })
    }

    pub fn kind(&self) -> Kind {
        match self {
            ClientKey::Agency(_) => Kind::Agency,
            ClientKey::Address(_) => Kind::Anonymous,
        }
    }
}

/// The client part of the key (Redis keys are `<prefix>:<kind>:<client>`).
impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientKey::Agency(code) => f.write_str(code),
            ClientKey::Address(ip) => write!(f, "{ip}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("redis_url: {0}")]
pub struct RateLimitError(#[from] redis::RedisError);

/// The limits of one hub process.
pub struct Limiter {
    anonymous: Option<Local>,
    agency: Option<Local>,
    shared: Option<Arc<Shared>>,
    trusted_proxies: Vec<IpAddr>,
    cost_unit: u32,
    metrics: RateLimitMetrics,
}

impl Limiter {
    /// The limits of `config`, counted in `metrics`; connects to Redis when one is configured and some limit is on.
    pub async fn start(
        config: &RateLimitConfig,
        metrics: &Metrics,
    ) -> Result<Limiter, RateLimitError> {
        let anonymous = Policy::new(Kind::Anonymous, config.anonymous_per_minute).map(Local::new);
        let agency = Policy::new(Kind::Agency, config.agency_per_minute).map(Local::new);
        // Connected whenever configured: the daily quotas of data-sharing grants count there too.
        let shared = match &config.redis_url {
            Some(url) => Some(Shared::start(url, &config.redis_key_prefix).await?),
            None => None,
        };
        Ok(Limiter {
            anonymous,
            agency,
            trusted_proxies: config.trusted_proxies.clone(),
            cost_unit: config.cost_unit,
            metrics: metrics.rate_limit(shared.is_some()),
            shared,
        })
    }

    /// The peers whose `X-Forwarded-For` names the client.
    pub fn trusted_proxies(&self) -> &[IpAddr] {
        &self.trusted_proxies
    }

    /// How many requests' worth a document of query cost `query_cost` is charged (`check` caps it at the burst).
    pub fn units(&self, query_cost: usize) -> u32 {
        match self.cost_unit {
            0 => 1,
            unit => u32::try_from(query_cost.div_ceil(unit as usize))
                .unwrap_or(u32::MAX)
                .max(1),
        }
    }

    /// Charges `cost` units (at least 1, at most the burst) to `key`'s budget. `None` when its kind has no limit.
    pub async fn check(&self, key: &ClientKey, cost: u32) -> Option<Decision> {
        let local = match key.kind() {
            Kind::Anonymous => self.anonymous.as_ref()?,
            Kind::Agency => self.agency.as_ref()?,
        };
        let decision = match &self.shared {
            Some(shared) => match shared.check(key, local.policy(), cost).await {
                Some(decision) => decision,
                None => {
                    self.metrics.fallback();
                    local.check(key, cost)
                }
            },
            None => local.check(key, cost),
        };
        if !decision.allowed {
            self.metrics.limited(key.kind() == Kind::Agency);
        }
        Some(decision)
    }

    /// Adds `by` to the counter `key` in Redis, shared by every replica, kept `ttl_s` seconds after its last change;
    /// the new value. `None` without Redis, or when Redis cannot answer now: the caller then counts in process, as the
    /// rate limits do.
    pub async fn count_shared(&self, key: &str, by: u64, ttl_s: u64) -> Option<u64> {
        match &self.shared {
            Some(shared) => {
                let counted = shared.count(key, by, ttl_s).await;
                if counted.is_none() {
                    self.metrics.fallback();
                }
                counted
            }
            None => None,
        }
    }

    /// Whether Redis shares the limits right now; `None` without Redis. No I/O: the Redis connection's own task keeps
    /// this up to date.
    pub fn redis_up(&self) -> Option<bool> {
        self.shared.as_ref().map(|s| s.is_up())
    }

    /// Pings Redis (for readiness); `None` without Redis.
    pub async fn redis_ping(&self) -> Option<bool> {
        match &self.shared {
            Some(shared) => Some(shared.ping().await),
            None => None,
        }
    }

    /// Sets the Redis gauge (when `/metrics` is rendered).
    pub fn sample_metrics(&self) {
        if let Some(up) = self.redis_up() {
            self.metrics.redis_up(up);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_keyed_by_ipv4_or_ipv6_network() {
        let key = |s: &str| ClientKey::address(s.parse().expect("ip")).to_string();
        assert_eq!(key("203.0.113.9"), "203.0.113.9");
        assert_eq!(key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::");
        assert_eq!(key("2001:db8:1:2:bbbb::7"), key("2001:db8:1:2::"));
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
    }

    #[tokio::test]
    async fn a_costly_document_is_charged_by_its_cost() {
        let limiter = |cost_unit| async move {
            Limiter::start(
                &RateLimitConfig {
                    cost_unit,
                    ..RateLimitConfig::default()
                },
                &Metrics::new(),
            )
            .await
            .expect("no Redis")
        };
        let by_cost = limiter(1_000).await;
        assert_eq!(by_cost.units(0), 1, "an unmeasured document");
        assert_eq!(by_cost.units(999), 1);
        assert_eq!(by_cost.units(1_001), 2);
        assert_eq!(by_cost.units(46_000), 46);
        assert_eq!(by_cost.units(usize::MAX), u32::MAX);
        let flat = limiter(0).await;
        assert_eq!(flat.units(46_000), 1);
    }

    #[tokio::test]
    async fn kinds_without_a_limit_are_not_counted() {
        let metrics = Metrics::new();
        let limiter = Limiter::start(
            &RateLimitConfig {
                anonymous_per_minute: 6,
                redis_url: Some("redis://127.0.0.1:1".into()),
                ..RateLimitConfig::default()
            },
            &metrics,
        )
        .await
        .expect("a valid URL");
        let agency = ClientKey::Agency("000.00.00.H01".into());
        assert_eq!(limiter.check(&agency, 1).await, None);
        // Redis is not there: decided in process, and counted as such.
        let client = ClientKey::address("203.0.113.1".parse().expect("ip"));
        assert!(limiter.check(&client, 1).await.is_some_and(|d| d.allowed));
        assert!(limiter.check(&client, 1).await.is_some_and(|d| !d.allowed));
        limiter.sample_metrics();
        let text = metrics.render();
        for line in [
            "lgsp_rate_limit_redis_up 0",
            "lgsp_rate_limited_total{client=\"anonymous\"} 1",
            "lgsp_rate_limited_total{client=\"agency\"} 0",
            "lgsp_rate_limit_fallbacks_total 2",
        ] {
            assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
        }
    }
}
