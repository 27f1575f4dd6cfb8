//! Active health checks: each national database is probed in the background (its token, then the connection test's
//! probe call, which names no one), so `upstreams` tells an integrator its state from the first seconds after start,
//! before anyone has looked anything up.
//!
//! A probe is not a call: it bypasses the circuit breaker (a down upstream is seen as down, but only real calls open
//! the circuit), it makes one attempt without retries, it is not counted in the calls' figures, and it writes no
//! access-log entry (it touches no person).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use reqwest::StatusCode;

use super::{
    client::{Caller, Reply, Upstream, REFUSED},
    health::{now_ms, Probe},
    UpstreamError,
};

/// Who a probe calls for, in the headers the national database logs: the hub itself, for no one.
fn probe_caller() -> Caller {
    Caller {
        agency: "lgsp-hub".to_owned(),
        subject: "health-probe".to_owned(),
        purpose: None,
        request_id: None,
    }
}

impl Upstream {
    /// The last probe, if any has run.
    pub fn last_probe(&self) -> Option<Probe> {
        self.last_probe.lock().ok().and_then(|p| p.clone())
    }

    /// Probes the upstream once and keeps the outcome for [`Upstream::last_probe`].
    #[tracing::instrument(skip_all, fields(upstream = %self.settings.name))]
    pub async fn probe(&self) -> Probe {
        let started = Instant::now();
        let result = self.probe_once().await;
        let probe = Probe {
            at_ms: now_ms(),
            ok: result.is_ok(),
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
            error: result.err(),
        };
        self.record_probe(probe.ok);
        if let Ok(mut last) = self.last_probe.lock() {
            *last = Some(probe.clone());
        }
        probe
    }

    async fn probe_once(&self) -> Result<(), UpstreamError> {
        let token = self
            .token
            .get(&self.http, self.settings.token_timeout)
            .await?;
        let request = self
            .http
            .get(format!(
                "{}{}",
                self.settings.base_url,
                super::probe_path(self.name())
            ))
            .bearer_auth(&token)
            .headers(probe_caller().headers())
            .timeout(self.settings.timeout);
        match self.attempt(0, request, None).await? {
            Reply::Answer(_) => Ok(()),
            Reply::TokenRefused => {
                // The next probe (or call) fetches a fresh token.
                self.token.invalidate(&token).await;
                Err(UpstreamError::Rejected {
                    status: StatusCode::UNAUTHORIZED.as_u16(),
                    detail: REFUSED,
                })
            }
        }
    }
}

/// Probes every upstream of `upstreams` every `interval` (±10 %, so replicas and upstreams drift apart), the first time
/// within half a second of the start, until the future is dropped. Each upstream has its own loop: a slow one delays
/// no other.
pub async fn run(upstreams: Vec<Arc<Upstream>>, interval: Duration) {
    if interval.is_zero() || upstreams.is_empty() {
        return;
    }
    let mut loops = tokio::task::JoinSet::new();
    for (i, upstream) in upstreams.into_iter().enumerate() {
        loops.spawn(async move {
            let mut jitter = crate::splitmix::SplitMix64::new(now_ms() as u64 ^ (i as u64) << 32);
            tokio::time::sleep(Duration::from_millis(jitter.next_u64() % 500)).await;
            loop {
                let probe = upstream.probe().await;
                tracing::debug!(
                    upstream = upstream.name(),
                    ok = probe.ok,
                    latency_ms = probe.latency_ms,
                    "health probe"
                );
                tokio::time::sleep(jittered(interval, jitter.next_u64())).await;
            }
        });
    }
    // The loops never end; dropping this future (the `JoinSet`) aborts them.
    while loops.join_next().await.is_some() {}
}

/// `interval` moved by up to ±10 % according to `random`.
fn jittered(interval: Duration, random: u64) -> Duration {
    let tenth = interval.as_millis().max(10) as u64 / 10;
    let offset = random % (2 * tenth + 1);
    (interval + Duration::from_millis(offset)).saturating_sub(Duration::from_millis(tenth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_tenth_of_the_interval() {
        let interval = Duration::from_secs(30);
        for random in [0, 1, 2_999, 3_000, 6_000, u64::MAX] {
            let d = jittered(interval, random);
            assert!(
                d >= Duration::from_secs(27) && d <= Duration::from_secs(33),
                "{d:?}"
            );
        }
        assert_eq!(jittered(interval, 0), Duration::from_secs(27));
        assert_eq!(jittered(interval, 6_000), Duration::from_secs(33));
    }
}
