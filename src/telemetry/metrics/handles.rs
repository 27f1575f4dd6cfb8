//! Handles held by what is counted: registered once when their owner is built, so that counting is an atomic add.
//! `noop()` handles count nothing (commands and unit tests that run without a hub).

use metrics::{Counter, Gauge, Histogram, Label, SharedString};

use super::{
    families::{label, name},
    Metrics,
};

/// The SQL statements of the request pools.
#[derive(Clone)]
pub struct SqlMetrics {
    statements: Counter,
    failed: Counter,
    duration: Histogram,
}

impl SqlMetrics {
    pub fn noop() -> SqlMetrics {
        SqlMetrics {
            statements: Counter::noop(),
            failed: Counter::noop(),
            duration: Histogram::noop(),
        }
    }

    /// One statement that took `seconds`.
    pub fn statement(&self, seconds: f64, failed: bool) {
        self.statements.increment(1);
        self.duration.record(seconds);
        if failed {
            self.failed.increment(1);
        }
    }
}

/// Hits and misses of one cache.
#[derive(Clone)]
pub struct CacheMetrics {
    hits: Counter,
    misses: Counter,
}

impl CacheMetrics {
    pub fn noop() -> CacheMetrics {
        CacheMetrics {
            hits: Counter::noop(),
            misses: Counter::noop(),
        }
    }

    pub fn hit(&self) {
        self.hits.increment(1);
    }

    pub fn miss(&self) {
        self.misses.increment(1);
    }

    /// Counts a lookup's result and hands it back.
    pub fn count<T>(&self, found: Option<T>) -> Option<T> {
        match &found {
            Some(_) => self.hit(),
            None => self.miss(),
        }
        found
    }
}

/// How one upstream call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamOutcome {
    /// Answered (a 404 "not found" included).
    Ok,
    Timeout,
    Unreachable,
    /// A 5xx (or other unexpected) status.
    BadStatus,
    /// An answer that is not what the contract says.
    Malformed,
    /// A 4xx: the upstream refused the request.
    Rejected,
    /// Not sent: the circuit is open.
    CircuitOpen,
    /// Not sent: the hub's own concurrency limit for the upstream.
    Busy,
}

impl UpstreamOutcome {
    const ALL: [UpstreamOutcome; 8] = [
        UpstreamOutcome::Ok,
        UpstreamOutcome::Timeout,
        UpstreamOutcome::Unreachable,
        UpstreamOutcome::BadStatus,
        UpstreamOutcome::Malformed,
        UpstreamOutcome::Rejected,
        UpstreamOutcome::CircuitOpen,
        UpstreamOutcome::Busy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamOutcome::Ok => "ok",
            UpstreamOutcome::Timeout => "timeout",
            UpstreamOutcome::Unreachable => "unreachable",
            UpstreamOutcome::BadStatus => "bad_status",
            UpstreamOutcome::Malformed => "malformed",
            UpstreamOutcome::Rejected => "rejected",
            UpstreamOutcome::CircuitOpen => "circuit_open",
            UpstreamOutcome::Busy => "busy",
        }
    }
}

/// A circuit breaker's state, as the gauge encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Circuit {
    Closed,
    HalfOpen,
    Open,
}

/// The calls to one national database.
pub struct UpstreamMetrics {
    /// By [`UpstreamOutcome::ALL`]'s order.
    calls: [Counter; 8],
    duration: Histogram,
    attempt_failures: Counter,
    circuit: Gauge,
    /// Registered at the first call (probe): a gauge of 0 before any would read as a failure.
    last_call_ok: LazyGauge,
    probe_ok: LazyGauge,
}

/// A gauge registered when it is first set.
struct LazyGauge {
    register: Option<(Metrics, &'static str, SharedString)>,
    gauge: std::sync::OnceLock<Gauge>,
}

impl LazyGauge {
    fn noop() -> LazyGauge {
        LazyGauge {
            register: None,
            gauge: std::sync::OnceLock::new(),
        }
    }

    fn set(&self, ok: bool) {
        let Some((metrics, name, upstream)) = &self.register else {
            return;
        };
        self.gauge
            .get_or_init(|| {
                metrics.gauge(name, vec![Label::new(label::UPSTREAM, upstream.clone())])
            })
            .set(if ok { 1.0 } else { 0.0 });
    }
}

impl UpstreamMetrics {
    pub fn noop() -> UpstreamMetrics {
        UpstreamMetrics {
            calls: std::array::from_fn(|_| Counter::noop()),
            duration: Histogram::noop(),
            attempt_failures: Counter::noop(),
            circuit: Gauge::noop(),
            last_call_ok: LazyGauge::noop(),
            probe_ok: LazyGauge::noop(),
        }
    }

    /// One call that ended with `outcome` after `seconds`.
    pub fn call(&self, outcome: UpstreamOutcome, seconds: f64) {
        let index = UpstreamOutcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or_default();
        self.calls[index].increment(1);
        self.duration.record(seconds);
        // Calls that never went out say nothing of the upstream.
        if !matches!(
            outcome,
            UpstreamOutcome::CircuitOpen | UpstreamOutcome::Busy
        ) {
            self.last_call_ok.set(outcome == UpstreamOutcome::Ok);
        }
    }

    /// One attempt failed (the call may still succeed on a retry).
    pub fn attempt_failed(&self) {
        self.attempt_failures.increment(1);
    }

    pub fn circuit(&self, state: Circuit) {
        self.circuit.set(match state {
            Circuit::Closed => 0.0,
            Circuit::HalfOpen => 1.0,
            Circuit::Open => 2.0,
        });
    }

    /// The result of a connection test.
    pub fn probe(&self, ok: bool) {
        self.probe_ok.set(ok);
    }
}

/// The access log's group-commit writer.
#[derive(Clone)]
pub struct AccessLogMetrics {
    batch_size: Histogram,
    commit: Histogram,
    failures: Counter,
    wait: Histogram,
    held: Histogram,
}

impl AccessLogMetrics {
    pub fn noop() -> AccessLogMetrics {
        AccessLogMetrics {
            batch_size: Histogram::noop(),
            commit: Histogram::noop(),
            failures: Counter::noop(),
            wait: Histogram::noop(),
            held: Histogram::noop(),
        }
    }

    /// One lookup waited `seconds` for its entry to be committed (or refused).
    pub fn waited(&self, seconds: f64) {
        self.wait.record(seconds);
    }

    /// One lookup's answer, ready, waited `seconds` more for its entry.
    pub fn held(&self, seconds: f64) {
        self.held.record(seconds);
    }

    /// One batch of `entries` committed (or failed) in `seconds`.
    pub fn batch(&self, entries: usize, seconds: f64, failed: bool) {
        self.batch_size.record(entries as f64);
        self.commit.record(seconds);
        if failed {
            self.failures.increment(1);
        }
    }
}

/// The rate limits.
pub struct RateLimitMetrics {
    limited_agency: Counter,
    limited_anonymous: Counter,
    fallbacks: Counter,
    redis_up: Option<Gauge>,
}

impl RateLimitMetrics {
    pub fn noop() -> RateLimitMetrics {
        RateLimitMetrics {
            limited_agency: Counter::noop(),
            limited_anonymous: Counter::noop(),
            fallbacks: Counter::noop(),
            redis_up: None,
        }
    }

    /// A request refused with 429; `agency`: charged to a token's agency, else to an anonymous address.
    pub fn limited(&self, agency: bool) {
        match agency {
            true => self.limited_agency.increment(1),
            false => self.limited_anonymous.increment(1),
        }
    }

    /// A check decided in process because Redis did not answer.
    pub fn fallback(&self) {
        self.fallbacks.increment(1);
    }

    /// Whether Redis shares the limits right now (only exported with Redis configured).
    pub fn redis_up(&self, up: bool) {
        if let Some(gauge) = &self.redis_up {
            gauge.set(if up { 1.0 } else { 0.0 });
        }
    }
}

fn by(key: &'static str, value: &'static str) -> Vec<Label> {
    vec![Label::from_static_parts(key, value)]
}

impl Metrics {
    pub fn sql(&self) -> SqlMetrics {
        SqlMetrics {
            statements: self.counter(name::SQL_STATEMENTS, Vec::new()),
            failed: self.counter(name::SQL_STATEMENTS_FAILED, Vec::new()),
            duration: self.histogram(name::SQL_STATEMENT_DURATION, Vec::new()),
        }
    }

    /// The handles of cache `cache` (one of the names in the family's help).
    pub fn cache(&self, cache: &'static str) -> CacheMetrics {
        CacheMetrics {
            hits: self.counter(name::CACHE_HITS, by(label::CACHE, cache)),
            misses: self.counter(name::CACHE_MISSES, by(label::CACHE, cache)),
        }
    }

    /// The handles of the national database `upstream` (a configured service: a closed set).
    pub fn upstream(&self, upstream: &str) -> UpstreamMetrics {
        let upstream = SharedString::from_owned(upstream.to_owned());
        let by_upstream = || vec![Label::new(label::UPSTREAM, upstream.clone())];
        UpstreamMetrics {
            calls: UpstreamOutcome::ALL.map(|outcome| {
                let mut labels = by_upstream();
                labels.push(Label::from_static_parts(label::OUTCOME, outcome.as_str()));
                self.counter(name::UPSTREAM_CALLS, labels)
            }),
            duration: self.histogram(name::UPSTREAM_CALL_DURATION, by_upstream()),
            attempt_failures: self.counter(name::UPSTREAM_ATTEMPT_FAILURES, by_upstream()),
            circuit: self.gauge(name::UPSTREAM_CIRCUIT_STATE, by_upstream()),
            last_call_ok: LazyGauge {
                register: Some((self.clone(), name::UPSTREAM_LAST_CALL_OK, upstream.clone())),
                gauge: std::sync::OnceLock::new(),
            },
            probe_ok: LazyGauge {
                register: Some((self.clone(), name::UPSTREAM_PROBE_OK, upstream.clone())),
                gauge: std::sync::OnceLock::new(),
            },
        }
    }

    pub fn access_log(&self) -> AccessLogMetrics {
        AccessLogMetrics {
            batch_size: self.histogram(name::ACCESS_LOG_BATCH_SIZE, Vec::new()),
            commit: self.histogram(name::ACCESS_LOG_COMMIT_DURATION, Vec::new()),
            failures: self.counter(name::ACCESS_LOG_WRITE_FAILURES, Vec::new()),
            wait: self.histogram(name::ACCESS_LOG_WAIT_DURATION, Vec::new()),
            held: self.histogram(name::ACCESS_LOG_HELD_DURATION, Vec::new()),
        }
    }

    /// `shared`: Redis is configured, so its gauge is exported.
    pub fn rate_limit(&self, shared: bool) -> RateLimitMetrics {
        RateLimitMetrics {
            limited_agency: self.counter(name::RATE_LIMITED, by(label::CLIENT, "agency")),
            limited_anonymous: self.counter(name::RATE_LIMITED, by(label::CLIENT, "anonymous")),
            fallbacks: self.counter(name::RATE_LIMIT_FALLBACKS, Vec::new()),
            redis_up: shared.then(|| self.gauge(name::RATE_LIMIT_REDIS_UP, Vec::new())),
        }
    }
}
