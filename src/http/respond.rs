//! Answers of the GraphQL-over-HTTP endpoint: media-type negotiation, request-level errors with their codes, and the
//! rendering of a GraphQL response (request errors lose `data`; every error gets an `extensions.code`).

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{json, Map, Value};

use super::markers::ErrorCodes;
pub(super) use super::markers::Refusal;
use crate::auth::AuthError;
use crate::error::code;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub(super) const JSON: &str = "application/json";

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaType {
    GraphqlResponse,
    Json,
}

impl MediaType {
    pub(super) fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        })
    }
}

/// The response media type for the request's `Accept`; `None` when nothing acceptable is offered.
pub(super) fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let accept: Vec<String> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|part| {
            part.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|s| !s.is_empty())
        .collect();
    if accept.is_empty() {
        return Some(MediaType::Json);
    }
    if accept.iter().any(|a| a == GRAPHQL_RESPONSE_JSON) {
        return Some(MediaType::GraphqlResponse);
    }
    if accept
        .iter()
        .any(|a| a == JSON || a == "*/*" || a == "application/*")
    {
        return Some(MediaType::Json);
    }
    None
}

pub(super) fn not_acceptable() -> Response {
    plain_error(
        StatusCode::NOT_ACCEPTABLE,
        MediaType::Json,
        "accept application/graphql-response+json or application/json",
    )
}

/// A request-level error response: `{ "errors": [...] }` without `data`.
pub(super) fn plain_error(status: StatusCode, media: MediaType, message: &str) -> Response {
    coded_error(status, media, code::BAD_REQUEST, message)
}

/// A request-level error response with its code.
pub(super) fn coded_error(
    status: StatusCode,
    media: MediaType,
    code: &'static str,
    message: &str,
) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        body.to_string(),
    )
        .into_response();
    // Request-level errors all refuse the request (persisted-query misses are answered 200 under application/json).
    response.extensions_mut().insert(Refusal);
    response.extensions_mut().insert(ErrorCodes(vec![code]));
    response
}

pub(super) fn unauthenticated(err: AuthError, media: MediaType) -> Response {
    let body = json!({ "errors": [{ "message": err.to_string(), "extensions": { "code": code::UNAUTHENTICATED } }] });
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [
            (header::CONTENT_TYPE, media.content_type()),
            (
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            ),
        ],
        body.to_string(),
    )
        .into_response();
    response
        .extensions_mut()
        .insert(ErrorCodes(vec![code::UNAUTHENTICATED]));
    response
}

/// A request refused before it ran (document limits, input hygiene, persisted queries): a request error.
pub(super) fn refused(media: MediaType, err: crate::error::Error) -> Response {
    let response = async_graphql::Response::from_errors(vec![crate::limits::server_error(err)]);
    respond(response, media, true, false)
}

/// A serialized GraphQL response without errors.
pub(super) fn respond_body(body: axum::body::Bytes, media: MediaType) -> Response {
    ([(header::CONTENT_TYPE, media.content_type())], body).into_response()
}

/// The HTTP answer for a GraphQL response: request errors lose `data` (and are `400` in the
/// `application/graphql-response+json` media type), and every error gets an `extensions.code`.
pub(super) fn respond(
    response: async_graphql::Response,
    media: MediaType,
    request_error: bool,
    parse_failed: bool,
) -> Response {
    if response.errors.is_empty() {
        // The common case needs no rewriting: serialize straight to bytes.
        let body = serde_json::to_vec(&response).unwrap_or_default();
        return respond_body(body.into(), media);
    }
    // A heavy query shed for want of a permit: as the concurrency limit answers.
    let shed = response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from(code::OVERLOADED))
    });
    let mut body = match serde_json::to_value(&response) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if request_error {
        body.remove("data");
    }
    let mut codes = ErrorCodes::default();
    if let Some(Value::Array(errors)) = body.get_mut("errors") {
        for error in errors.iter_mut() {
            codes.0.push(fill_code(error, request_error, parse_failed));
        }
    }
    let status = if shed {
        StatusCode::SERVICE_UNAVAILABLE
    } else if request_error && media == MediaType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut response = (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        Value::Object(body).to_string(),
    )
        .into_response();
    if shed {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    if shed || request_error {
        response.extensions_mut().insert(Refusal);
    }
    response.extensions_mut().insert(codes);
    response
}

/// Gives an error without `extensions.code` the code that fits where it arose; returns the error's code.
fn fill_code(error: &mut Value, request_error: bool, parse_failed: bool) -> &'static str {
    let Value::Object(error) = error else {
        return code::OTHER;
    };
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let extensions = error
        .entry("extensions")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(extensions) = extensions else {
        return code::OTHER;
    };
    if let Some(known) = extensions.get("code") {
        return code::known(known.as_str().unwrap_or_default());
    }
    let input_error = message.contains("Invalid value")
        || message.contains("Failed to parse")
        || message.contains("variable");
    let code = if parse_failed {
        code::PARSE_FAILED
    } else if input_error {
        code::BAD_USER_INPUT
    } else if request_error {
        code::VALIDATION_FAILED
    } else {
        code::INTERNAL
    };
    extensions.insert("code".into(), Value::String(code.into()));
    code
}
