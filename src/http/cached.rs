//! Answers from the response cache (`crate::cache::responses`) over HTTP: the kept body in the negotiated media type,
//! and for GET the validators a browser or a reverse proxy reuses it with (`ETag`, `Cache-Control`, `304`).

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use axum::body::Bytes;
use serde_json::{Map, Value};

use super::{respond::MediaType, AppState};
use crate::cache::{responses::CachedAnswer, ResponseCache};

/// Where an anonymous request's answer is kept, if it is a query that succeeds.
pub(super) struct Keep {
    key: String,
    /// The response cache's generation when the request started.
    generation: u64,
    /// The validators the client holds (GET).
    if_none_match: Option<String>,
}

/// What the response cache has for an anonymous request.
pub(super) enum Lookup {
    /// Its kept answer.
    Hit(Response),
    /// Where to keep the answer it will compute.
    Miss(Keep),
    /// The cache is off.
    Off,
}

/// The kept answer of an anonymous request, or where to keep the one it will compute.
pub(super) fn lookup(
    app: &AppState,
    text: &str,
    operation: Option<&str>,
    variables: Option<&Map<String, Value>>,
    headers: &HeaderMap,
    media: MediaType,
    is_get: bool,
) -> Lookup {
    let responses = &app.store.cache.responses;
    if !responses.enabled() {
        return Lookup::Off;
    }
    let key = ResponseCache::key(text, operation, variables);
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if let Some(kept) = responses.get(&key) {
        return Lookup::Hit(answer(
            &kept,
            media,
            if_none_match,
            is_get,
            responses.max_age_s,
        ));
    }
    Lookup::Miss(Keep {
        key,
        generation: responses.generation(),
        if_none_match: if_none_match.map(str::to_owned),
    })
}

/// Keeps `body` (the answer of a query without errors) and answers with it as a kept answer is answered.
pub(super) fn keep(
    app: &AppState,
    keep: Keep,
    body: Bytes,
    media: MediaType,
    is_get: bool,
) -> Option<Response> {
    let responses = &app.store.cache.responses;
    let kept = responses.put(keep.key, keep.generation, body)?;
    Some(answer(
        &kept,
        media,
        keep.if_none_match.as_deref(),
        is_get,
        responses.max_age_s,
    ))
}

/// The kept answer; `304 Not Modified` for a GET whose `If-None-Match` (the header's value) names it.
fn answer(
    kept: &CachedAnswer,
    media: MediaType,
    if_none_match: Option<&str>,
    is_get: bool,
    max_age_s: u64,
) -> Response {
    let unchanged = is_get
        && if_none_match.is_some_and(|tags| {
            tags.split(',').any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.trim_start_matches("W/") == kept.etag
            })
        });
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, media.content_type())],
            kept.body.clone(),
        )
            .into_response()
    };
    if is_get {
        validators(response.headers_mut(), kept, max_age_s);
    }
    response
}

/// `ETag` and `Cache-Control` of a cacheable GET answer.
fn validators(headers: &mut HeaderMap, kept: &CachedAnswer, max_age_s: u64) {
    if let Ok(etag) = HeaderValue::from_str(&kept.etag) {
        headers.insert(header::ETAG, etag);
    }
    let control = if max_age_s == 0 {
        HeaderValue::from_static("public, no-cache")
    } else {
        HeaderValue::from_str(&format!("public, max-age={max_age_s}"))
            .unwrap_or(HeaderValue::from_static("public, no-cache"))
    };
    headers.insert(header::CACHE_CONTROL, control);
}
