//! The parameters of a GraphQL-over-HTTP request, from a POST's JSON body or a GET's query string; a parameter of the
//! wrong type is a message for a 400.

use std::collections::HashMap;

use axum::http::{header, HeaderMap, StatusCode};
use serde_json::{Map, Value};

use super::respond::JSON;

/// The parameters of a GraphQL-over-HTTP request.
pub(super) struct Params {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Option<Map<String, Value>>,
    pub extensions: Option<Value>,
}

impl Params {
    /// The parameters of a POST: its body must be a JSON object sent as `application/json` (415 otherwise; 400 for a
    /// body that is not one).
    pub fn from_post(
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Params, (StatusCode, &'static str)> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        if content_type.as_deref() != Some(JSON) {
            return Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "POST /graphql takes Content-Type: application/json",
            ));
        }
        match serde_json::from_slice(body) {
            Ok(Value::Object(body)) => {
                Params::from_json(body).map_err(|message| (StatusCode::BAD_REQUEST, message))
            }
            Ok(_) => Err((
                StatusCode::BAD_REQUEST,
                "the request body must be a JSON object",
            )),
            Err(_) => Err((
                StatusCode::BAD_REQUEST,
                "the request body is not valid JSON",
            )),
        }
    }

    pub fn from_json(mut body: Map<String, Value>) -> Result<Params, &'static str> {
        let query = match body.remove("query") {
            Some(Value::String(q)) => Some(q),
            Some(Value::Null) | None => None,
            Some(_) => return Err("`query` must be a string"),
        };
        let operation_name = match body.remove("operationName") {
            Some(Value::String(n)) => Some(n),
            Some(Value::Null) | None => None,
            Some(_) => return Err("`operationName` must be a string or null"),
        };
        let variables = match body.remove("variables") {
            Some(Value::Object(v)) => Some(v),
            Some(Value::Null) | None => None,
            Some(_) => return Err("`variables` must be an object or null"),
        };
        let extensions = match body.remove("extensions") {
            Some(Value::Object(e)) => Some(Value::Object(e)),
            Some(Value::Null) | None => None,
            Some(_) => return Err("`extensions` must be an object or null"),
        };
        Ok(Params {
            query,
            operation_name,
            variables,
            extensions,
        })
    }

    /// A GET's parameters: `variables` and `extensions` are JSON in the query string.
    pub fn from_query(mut q: HashMap<String, String>) -> Result<Params, &'static str> {
        let variables = match q.remove("variables") {
            None => None,
            Some(v) => match serde_json::from_str::<Value>(&v) {
                Ok(Value::Object(map)) => Some(map),
                Ok(Value::Null) => None,
                _ => return Err("`variables` must be a JSON object"),
            },
        };
        let extensions = match q
            .remove("extensions")
            .map(|e| serde_json::from_str::<Value>(&e))
        {
            None | Some(Ok(Value::Null)) => None,
            Some(Ok(Value::Object(e))) => Some(Value::Object(e)),
            Some(_) => return Err("`extensions` must be a JSON object"),
        };
        Ok(Params {
            query: q.remove("query"),
            operation_name: q.remove("operationName").filter(|n| !n.is_empty()),
            variables,
            extensions,
        })
    }
}
