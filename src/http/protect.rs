//! Protections around `/graphql`: a deadline per request that cancels its work, a concurrency limit past which
//! requests are shed at once (503) rather than queued, bodies declared too large refused before they are read, and
//! the headers every response carries.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    body::{Body, BodyDataStream},
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures_util::StreamExt;
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

/// How much of a refused body is read and thrown away after the answer: a client that writes
/// its whole body before reading (most do) then reads the 413 instead of a reset connection. Larger bodies, or bodies
/// still arriving after [`DRAIN_FOR`], are cut off.
const DRAIN_AT_MOST: u64 = 64 * 1024 * 1024;
const DRAIN_FOR: Duration = Duration::from_secs(10);

/// Refuses a request whose body is over `limit` (413, `PAYLOAD_TOO_LARGE`) and closes the connection after the
/// answer: at once when its `Content-Length` says so, before a byte of it is read; when it has no length (chunked),
/// as soon as what arrived passes the limit. Either way the rest is drained in the background ([`DRAIN_AT_MOST`]).
pub async fn refuse_oversized(
    State(limit): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let media = negotiate(request.headers()).unwrap_or(MediaType::Json);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        // hyper holds a body to its declared length, so the handler's extractor cannot be handed more.
        Some(declared) if declared <= limit as u64 => next.run(request).await,
        Some(declared) => {
            tracing::warn!(declared, limit, "refused a body over the limit");
            if declared <= DRAIN_AT_MOST {
                tokio::spawn(drain(request.into_body().into_data_stream()));
            }
            too_large(media, Some(limit))
        }
        None => {
            let (parts, body) = request.into_parts();
            let mut data = body.into_data_stream();
            let mut buffered = Vec::new();
            while let Some(chunk) = data.next().await {
                let Ok(chunk) = chunk else {
                    return coded_error(
                        StatusCode::BAD_REQUEST,
                        media,
                        code::BAD_REQUEST,
                        "the request body could not be read",
                    );
                };
                if buffered.len() + chunk.len() > limit {
                    tracing::warn!(limit, "refused a body without a length over the limit");
                    tokio::spawn(drain(data));
                    return too_large(media, Some(limit));
                }
                buffered.extend_from_slice(&chunk);
            }
            next.run(Request::from_parts(parts, Body::from(buffered)))
                .await
        }
    }
}

/// The answer to a body over the limit; the connection closes after it, so the rest of the body is never parsed as a
/// request.
pub(super) fn too_large(media: MediaType, limit: Option<usize>) -> Response {
    let message = match limit {
        Some(limit) => format!("the request body is larger than the limit of {limit} bytes"),
        None => "the request body is larger than the limit (body_limit_bytes)".to_owned(),
    };
    let mut response = coded_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        media,
        code::PAYLOAD_TOO_LARGE,
        &message,
    );
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Reads the rest of a refused body and drops it: at most [`DRAIN_AT_MOST`] bytes, for at most [`DRAIN_FOR`].
async fn drain(mut data: BodyDataStream) {
    let _ = tokio::time::timeout(DRAIN_FOR, async {
        let mut read = 0u64;
        while let Some(Ok(chunk)) = data.next().await {
            read += chunk.len() as u64;
            if read > DRAIN_AT_MOST {
                break;
            }
        }
    })
    .await;
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

/// GraphiQL's page loads its scripts, styles and fonts from the hub itself only (vendored, `crate::assets`). Styles
/// may be inline: GraphiQL's editor and its React components set element styles as they lay out; scripts may not.
pub const GRAPHIQL_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'";

/// A response for a route that is switched off.
pub async fn switched_off() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}
