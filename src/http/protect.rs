//! Protections around `/graphql`: a deadline per request that cancels its work, a concurrency limit past which
//! requests are shed at once (503) rather than queued, and the headers every response carries.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::sync::Semaphore;

use super::markers::{Refusal, ShedAtConcurrency};
use super::respond::{coded_error, negotiate, MediaType};
use crate::error::code;

/// The deadline and the concurrency limit of `/graphql`.
pub struct Admission {
    permits: Arc<Semaphore>,
    deadline: Duration,
    refusal_pause: Duration,
}

impl Admission {
    pub fn new(max_concurrent: usize, deadline: Duration, refusal_pause: Duration) -> Admission {
        Admission {
            permits: Arc::new(Semaphore::new(max_concurrent)),
            deadline,
            refusal_pause,
        }
    }
}

/// Sheds a request when every permit is taken; cancels it (dropping its future, and with it its SQL and upstream
/// calls) at the deadline; answers a refusal (a 4xx, or a [`Refusal`]) no sooner than `refusal_pause` after it came
/// (see [`crate::config::DEFAULT_REFUSAL_PAUSE`]).
pub async fn admit(
    State(admission): State<Arc<Admission>>,
    request: Request,
    next: Next,
) -> Response {
    let media = negotiate(request.headers()).unwrap_or(MediaType::Json);
    let Ok(_permit) = admission.permits.clone().try_acquire_owned() else {
        tracing::warn!("shed a request: at the concurrency limit");
        let mut response = coded_error(
            StatusCode::SERVICE_UNAVAILABLE,
            media,
            code::OVERLOADED,
            "the hub is at its concurrency limit; retry shortly",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        response.extensions_mut().insert(ShedAtConcurrency);
        return response;
    };
    let arrived = Instant::now();
    match tokio::time::timeout(admission.deadline, next.run(request)).await {
        Ok(response) => {
            if response.status().is_client_error()
                || response.extensions().get::<Refusal>().is_some()
            {
                tokio::time::sleep_until((arrived + admission.refusal_pause).into()).await;
            }
            response
        }
        Err(_) => {
            tracing::warn!(
                deadline_ms = admission.deadline.as_millis() as u64,
                "request cancelled at its deadline"
            );
            coded_error(
                StatusCode::GATEWAY_TIMEOUT,
                media,
                code::TIMEOUT,
                &format!(
                    "the request did not finish within {} ms and was cancelled",
                    admission.deadline.as_millis()
                ),
            )
        }
    }
}

/// The security headers of every response (set unless the handler chose its own, as GraphiQL does for its CSP).
pub fn security_headers() -> [(HeaderName, HeaderValue); 4] {
    [
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ),
    ]
}

/// GraphiQL's page loads React and GraphiQL from unpkg.com and runs an inline bootstrap script.
pub const GRAPHIQL_CSP: &str =
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://unpkg.com; \
     style-src 'self' 'unsafe-inline' https://unpkg.com; img-src 'self' data: https://unpkg.com; \
     font-src 'self' data: https://unpkg.com; connect-src 'self' ws: wss:; frame-ancestors 'none'";

/// A response for a route that is switched off.
pub async fn switched_off() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}
