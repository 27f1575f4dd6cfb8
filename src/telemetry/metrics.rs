//! The hub's metrics, with the `metrics` crate and a Prometheus recorder (`metrics-exporter-prometheus`) rendered at
//! `GET /metrics`. Every family's name, type and labels is defined once, in [`families`]; the code that counts holds
//! typed handles made here ([`SqlMetrics`], [`UpstreamMetrics`], [`CacheMetrics`]...) and never spells a name.
//!
//! Each hub has a recorder of its own, not installed as the process's global one: two hubs in one process (the test
//! suite) count apart, and a test can read exact counts. Handles are registered once, where the counted thing is
//! built, so that the hot path only touches atomics; the few labels that vary per request (an operation's name, an
//! error code) are `&'static str` or interned, and operation names are capped so that clients cannot grow the series
//! without bound. Gauges of state that lives elsewhere (pools, subscriptions, circuits) are sampled when `/metrics`
//! is read.

pub mod families;
mod handles;
mod requests;

use std::sync::Arc;

use metrics::{Counter, Gauge, Histogram, Key, Label, Level, Metadata, Recorder, SharedString};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

pub use families::{Family, Kind, FAMILIES};
pub use handles::{
    AccessLogMetrics, CacheMetrics, Circuit, RateLimitMetrics, SqlMetrics, UpstreamMetrics,
    UpstreamOutcome,
};
pub use requests::{OperationLabel, Outcome, ShedReason};

use families::{label, name};

/// The metrics of one hub. Cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    operations: requests::Operations,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// Where handles say they were registered (the recorder ignores it; the API wants one).
static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, None);

impl Metrics {
    /// A recorder with every family described and the histograms' buckets set.
    pub fn new() -> Metrics {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("_seconds".into()),
                families::SECONDS_BUCKETS,
            )
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full(name::ACCESS_LOG_BATCH_SIZE.into()),
                    families::BATCH_BUCKETS,
                )
            })
            // Both bucket lists are non-empty constants: the builder cannot refuse them.
            .unwrap_or_default();
        let recorder = builder.build_recorder();
        for family in FAMILIES {
            let help = SharedString::const_str(family.help);
            let key = metrics::KeyName::from_const_str(family.name);
            match family.kind {
                Kind::Counter => recorder.describe_counter(key, None, help),
                Kind::Gauge => recorder.describe_gauge(key, None, help),
                Kind::Histogram => recorder.describe_histogram(key, None, help),
            }
        }
        let handle = recorder.handle();
        let metrics = Metrics(Arc::new(Inner {
            operations: requests::Operations::new(),
            recorder,
            handle,
        }));
        metrics
            .gauge(
                name::BUILD_INFO,
                vec![Label::from_static_parts(
                    label::VERSION,
                    env!("CARGO_PKG_VERSION"),
                )],
            )
            .set(1.0);
        metrics
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        self.0.handle.render()
    }

    /// Moves recorded histogram samples into their buckets. Rendering does it too; this keeps memory bounded when
    /// nobody scrapes.
    pub fn run_upkeep(&self) {
        self.0.handle.run_upkeep();
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> Counter {
        self.0
            .recorder
            .register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    fn gauge(&self, name: &'static str, labels: Vec<Label>) -> Gauge {
        self.0
            .recorder
            .register_gauge(&Key::from_parts(name, labels), &METADATA)
    }

    fn histogram(&self, name: &'static str, labels: Vec<Label>) -> Histogram {
        self.0
            .recorder
            .register_histogram(&Key::from_parts(name, labels), &METADATA)
    }

    /// The label of operation `name` (`None`: an anonymous operation) for a document that passed the limits and
    /// validation; past a bound of distinct names, `other`.
    pub fn operation(&self, name: Option<&str>) -> OperationLabel {
        self.0.operations.label(name)
    }

    /// The label of a request whose document did not pass (or was never known).
    pub fn other_operation(&self) -> OperationLabel {
        self.0.operations.other()
    }

    /// One GraphQL request over HTTP, answered after `seconds`.
    pub fn graphql_request(&self, operation: &OperationLabel, outcome: Outcome, seconds: f64) {
        operation.record(&self.0.recorder, outcome, seconds);
    }

    /// One GraphQL error answered with `code` (one of the closed set of `extensions.code` values).
    pub fn graphql_error(&self, code: &'static str) {
        self.counter(
            name::GRAPHQL_ERRORS,
            vec![Label::from_static_parts(label::CODE, code)],
        )
        .increment(1);
    }

    /// A document refused by the query limit `limit`.
    pub fn query_refused(&self, limit: &'static str) {
        self.counter(
            name::QUERIES_REFUSED,
            vec![Label::from_static_parts(label::LIMIT, limit)],
        )
        .increment(1);
    }

    /// A request shed with 503.
    pub fn request_shed(&self, reason: ShedReason) {
        self.counter(
            name::REQUESTS_SHED,
            vec![Label::from_static_parts(label::REASON, reason.as_str())],
        )
        .increment(1);
    }

    /// Sets the connection gauges of database pool `pool` (`main`, `heavy`).
    pub fn pool(&self, pool: &'static str, open: u32, idle: usize, max: u32) {
        let state = |state: &'static str| {
            vec![
                Label::from_static_parts(label::POOL, pool),
                Label::from_static_parts(label::STATE, state),
            ]
        };
        let idle = idle as f64;
        self.gauge(name::DB_POOL_CONNECTIONS, state("idle"))
            .set(idle);
        self.gauge(name::DB_POOL_CONNECTIONS, state("in_use"))
            .set((f64::from(open) - idle).max(0.0));
        self.gauge(
            name::DB_POOL_MAX_CONNECTIONS,
            vec![Label::from_static_parts(label::POOL, pool)],
        )
        .set(f64::from(max));
    }

    /// Sets the number of open subscriptions.
    pub fn subscriptions(&self, open: usize) {
        self.gauge(name::SUBSCRIPTIONS, Vec::new()).set(open as f64);
    }

    /// Sets the estimated size of the parsed-document cache.
    pub fn document_cache_bytes(&self, bytes: u64) {
        self.gauge(name::DOCUMENT_CACHE_BYTES, Vec::new())
            .set(bytes as f64);
    }

    /// Sets the size of the response cache.
    pub fn response_cache_bytes(&self, bytes: u64) {
        self.gauge(name::RESPONSE_CACHE_BYTES, Vec::new())
            .set(bytes as f64);
    }

    /// The counter of answers the response cache evicted for room.
    pub fn response_cache_evictions(&self) -> Counter {
        self.counter(name::RESPONSE_CACHE_EVICTIONS, Vec::new())
    }

    /// Sets the last result of readiness check `check`.
    pub fn readiness_check(&self, check: &'static str, ok: bool) {
        self.gauge(
            name::READINESS_CHECK_OK,
            vec![Label::from_static_parts(label::CHECK, check)],
        )
        .set(if ok { 1.0 } else { 0.0 });
    }
}

#[cfg(test)]
mod tests;
