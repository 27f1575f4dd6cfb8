//! What the hub tells about the requests it serves: one log line per request (at INFO for `/graphql` and its websocket,
//! DEBUG for the rest: health checks and scrapes would drown it), the GraphQL request metrics (by operation and
//! outcome, errors by code, shed requests by reason), and `GET /metrics`, which samples the gauges of state that lives
//! elsewhere (pools, subscriptions, circuits, the document cache) before it renders.
//!
//! Handlers report what only they know (the operation, the caller's agency) in the request's [`RequestFacts`]; the
//! responses they build carry markers (`markers.rs`) that [`observe`] reads on the way out.

use std::{
    convert::Infallible,
    sync::{Arc, OnceLock},
    time::Instant,
};

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{
    markers::{ErrorCodes, Refusal, ShedAtConcurrency},
    AppState,
};
use crate::telemetry::metrics::{OperationLabel, Outcome, ShedReason};

/// What the handler of a request learned about it, for its metrics and its log line.
#[derive(Clone, Default)]
pub struct RequestFacts(Arc<Facts>);

#[derive(Default)]
struct Facts {
    operation: OnceLock<OperationLabel>,
    agency: OnceLock<String>,
}

impl RequestFacts {
    /// The operation, once its document is known to have passed the limits and validation.
    pub fn operation(&self, label: OperationLabel) {
        let _ = self.0.operation.set(label);
    }

    /// The caller's agency, once its token is verified.
    pub fn agency(&self, agency: &str) {
        let _ = self.0.agency.set(agency.to_owned());
    }
}

/// The request's facts, as [`observe`] placed them (a fresh, unread set on routes it does not wrap).
impl<S: Send + Sync> FromRequestParts<S> for RequestFacts {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts
            .extensions
            .get::<RequestFacts>()
            .cloned()
            .unwrap_or_default())
    }
}

/// Logs every request once it is answered (inside its `request` span, which holds the method, path and request id),
/// and counts every `/graphql` request by operation and outcome, with its latency and its errors by code.
pub async fn observe(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let facts = RequestFacts::default();
    request.extensions_mut().insert(facts.clone());
    let path = request.uri().path();
    let graphql = path == "/graphql";
    let api = graphql || path == "/graphql/ws";
    // A header value clones without copying: nothing is allocated for a line the filter may drop.
    let request_id = request.headers().get(super::REQUEST_ID).cloned();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    // A `/graphql` request whose document never passed counts (and logs) as `other`.
    let operation = facts
        .0
        .operation
        .get()
        .cloned()
        .or_else(|| graphql.then(|| app.metrics.other_operation()));
    let agency = facts.0.agency.get().map(String::as_str);
    let status = response.status().as_u16();
    let request_id = request_id.as_ref().and_then(|v| v.to_str().ok());
    let duration_ms = (seconds * 1e6).round() / 1e3;
    // The level of an event is fixed where it is written: two of them.
    if api {
        tracing::info!(
            request_id,
            status,
            duration_ms,
            operation = operation.as_ref().map(OperationLabel::as_str),
            agency,
            "request served"
        );
    } else {
        tracing::debug!(request_id, status, duration_ms, "request served");
    }
    if let Some(operation) = operation.filter(|_| graphql) {
        let outcome = outcome(&response);
        app.metrics.graphql_request(&operation, outcome, seconds);
        if outcome == Outcome::Shed {
            app.metrics
                .request_shed(match response.extensions().get::<ShedAtConcurrency>() {
                    Some(_) => ShedReason::Concurrency,
                    None => ShedReason::Heavy,
                });
        }
        if let Some(ErrorCodes(codes)) = response.extensions().get::<ErrorCodes>() {
            for code in codes {
                app.metrics.graphql_error(code);
            }
        }
    }
    response
}

/// How a `/graphql` request ended, from its answer.
fn outcome(response: &Response) -> Outcome {
    let status = response.status();
    match status {
        StatusCode::GATEWAY_TIMEOUT => Outcome::Timeout,
        StatusCode::SERVICE_UNAVAILABLE => Outcome::Shed,
        StatusCode::TOO_MANY_REQUESTS => Outcome::RateLimited,
        _ if status.is_client_error() || response.extensions().get::<Refusal>().is_some() => {
            Outcome::Refused
        }
        _ if status.is_server_error()
            || response
                .extensions()
                .get::<ErrorCodes>()
                .is_some_and(|c| !c.0.is_empty()) =>
        {
            Outcome::Error
        }
        _ => Outcome::Ok,
    }
}

/// `GET /metrics`: the Prometheus text format.
pub async fn metrics(State(app): State<AppState>) -> Response {
    let m = &app.metrics;
    let pools = [
        Some(("main", &app.db)),
        app.heavy_pool.then_some(("heavy", &app.heavy_store.db)),
    ];
    for (pool, db) in pools.into_iter().flatten() {
        if let Some(usage) = crate::db::pool_usage(db) {
            m.pool(pool, usage.open, usage.idle, usage.max);
        }
    }
    m.subscriptions(app.store.events.subscribers());
    m.document_cache_bytes(app.documents.cached_bytes());
    m.response_cache_bytes(app.store.cache.responses.weighted_bytes());
    for upstream in app.federation.upstreams() {
        upstream.sample_metrics();
    }
    app.rate_limit.sample_metrics();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        m.render(),
    )
        .into_response()
}
