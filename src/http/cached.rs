//! Answers from the response cache (`crate::cache::responses`) over HTTP: the kept body in the negotiated media type,
//! and for GET the validators a browser or a reverse proxy reuses it with (`ETag`, `Cache-Control`, `304`).

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use super::respond::MediaType;
use crate::cache::responses::CachedAnswer;

/// The kept answer; `304 Not Modified` for a GET whose `If-None-Match` (the header's value) names it.
pub(super) fn answer(
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
pub(super) fn validators(headers: &mut HeaderMap, kept: &CachedAnswer, max_age_s: u64) {
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
