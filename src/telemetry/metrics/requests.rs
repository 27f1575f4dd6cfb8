//! GraphQL requests by operation and outcome. Operation names come from clients, so they are interned up to a bound:
//! each known name holds its series, registered on first use per outcome, and the request path only looks the name up.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock, RwLock},
};

use metrics::{Counter, Histogram, Key, Label, Recorder, SharedString};
use metrics_exporter_prometheus::PrometheusRecorder;

use super::{
    families::{label, name},
    METADATA,
};

/// Distinct operation names labelled at most; later ones count as `other`.
pub(super) const MAX_OPERATIONS: usize = 256;
/// Longer names count as `other`.
const MAX_NAME_LENGTH: usize = 100;

/// How a GraphQL request over HTTP ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered without errors.
    Ok,
    /// Ran, and answered with at least one error (partial data included).
    Error,
    /// Refused before it ran: malformed, unauthenticated, over a limit, did not parse or validate.
    Refused,
    /// Refused with 429.
    RateLimited,
    /// Shed with 503 (concurrency limit, heavy-query permit or budget).
    Shed,
    /// Cancelled at its deadline (504).
    Timeout,
}

impl Outcome {
    const COUNT: usize = 6;

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Refused => "refused",
            Outcome::RateLimited => "rate_limited",
            Outcome::Shed => "shed",
            Outcome::Timeout => "timeout",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Why a request was shed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShedReason {
    /// `max_concurrent_requests` were running.
    Concurrency,
    /// A heavy query found no heavy permit or budget left.
    Heavy,
}

impl ShedReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ShedReason::Concurrency => "concurrency",
            ShedReason::Heavy => "heavy",
        }
    }
}

/// The series of one operation label.
struct Series {
    name: SharedString,
    by_outcome: [OnceLock<(Counter, Histogram)>; Outcome::COUNT],
}

impl Series {
    fn new(name: SharedString) -> Arc<Series> {
        Arc::new(Series {
            name,
            by_outcome: Default::default(),
        })
    }
}

/// A request's operation, as its metrics and its log line name it.
#[derive(Clone)]
pub struct OperationLabel(Arc<Series>);

impl OperationLabel {
    pub fn as_str(&self) -> &str {
        &self.0.name
    }

    pub(super) fn record(&self, recorder: &PrometheusRecorder, outcome: Outcome, seconds: f64) {
        let (count, duration) = self.0.by_outcome[outcome.index()].get_or_init(|| {
            let labels = || {
                vec![
                    Label::new(label::OPERATION, self.0.name.clone()),
                    Label::from_static_parts(label::OUTCOME, outcome.as_str()),
                ]
            };
            (
                recorder.register_counter(
                    &Key::from_parts(name::GRAPHQL_REQUESTS, labels()),
                    &METADATA,
                ),
                recorder.register_histogram(
                    &Key::from_parts(name::GRAPHQL_REQUEST_DURATION, labels()),
                    &METADATA,
                ),
            )
        });
        count.increment(1);
        duration.record(seconds);
    }
}

impl std::fmt::Debug for OperationLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The operation names seen so far, up to [`MAX_OPERATIONS`].
pub(super) struct Operations {
    known: RwLock<HashMap<Box<str>, Arc<Series>>>,
    anonymous: Arc<Series>,
    other: Arc<Series>,
}

impl Operations {
    pub(super) fn new() -> Operations {
        Operations {
            known: RwLock::new(HashMap::new()),
            anonymous: Series::new(SharedString::const_str("anonymous")),
            other: Series::new(SharedString::const_str("other")),
        }
    }

    pub(super) fn other(&self) -> OperationLabel {
        OperationLabel(self.other.clone())
    }

    pub(super) fn label(&self, name: Option<&str>) -> OperationLabel {
        let Some(name) = name else {
            return OperationLabel(self.anonymous.clone());
        };
        if name.len() > MAX_NAME_LENGTH {
            return self.other();
        }
        if let Some(series) = self
            .known
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
        {
            return OperationLabel(series.clone());
        }
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        if let Some(series) = known.get(name) {
            return OperationLabel(series.clone());
        }
        if known.len() >= MAX_OPERATIONS {
            return self.other();
        }
        let series = Series::new(SharedString::from_owned(name.to_owned()));
        known.insert(name.into(), series.clone());
        OperationLabel(series)
    }
}
