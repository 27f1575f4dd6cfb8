//! One OpenAPI 3.0 document per service, written by hand with `serde_json`: each service module gives its paths and
//! schemas ([`Spec`]); this module adds the token endpoint, the client-credentials security scheme and the errors.

use std::sync::Arc;

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Map, Value};

use crate::{business, civil_status, fail, insurance, judicial, land, population, Mock, SERVICES};

/// A service's own part of its document.
pub struct Spec {
    /// The `paths` object, relative to the service prefix.
    pub paths: Value,
    /// The `components.schemas` object.
    pub schemas: Value,
}

pub async fn serve(State(mock): State<Arc<Mock>>, svc: usize) -> Response {
    if mock.knobs.get(svc).down {
        return fail(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable");
    }
    Json(document(svc)).into_response()
}

pub fn document(svc: usize) -> Value {
    let service = SERVICES[svc];
    let spec = match service.name {
        "population" => population::spec(),
        "business" => business::spec(),
        "insurance" => insurance::spec(),
        "land" => land::spec(),
        "civil-status" => civil_status::spec(),
        "judicial" => judicial::spec(),
        _ => Spec {
            paths: json!({}),
            schemas: json!({}),
        },
    };
    let mut paths = as_map(spec.paths);
    paths.insert(
        "/oauth/token".to_owned(),
        json!({ "post": {
            "summary": "A bearer token for this service (OAuth2 client credentials; HTTP Basic client_id:client_secret)",
            "security": [],
            "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": object(&[
                ("grant_type", one_of(&["client_credentials"])), ("client_id", string()), ("client_secret", string()),
            ]) } } },
            "responses": {
                "200": { "description": "A token", "content": { "application/json": { "schema": object(&[
                    ("access_token", string()), ("token_type", one_of(&["Bearer"])), ("expires_in", integer()),
                ]) } } },
                "401": error_response("Unknown client or wrong secret (`invalid_client`)"),
                "503": error_response("The service is down"),
            },
        } }),
    );
    let mut schemas = as_map(spec.schemas);
    schemas.insert("Error".to_owned(), object(&[("error", string())]));
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": format!("{} (mock)", service.title),
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Synthetic data from lgsp-hub's mock-upstreams. Every data call needs a bearer token of this service and may carry X-Client-Agency, X-Client-Subject, X-Purpose and X-Request-Id.",
        },
        "servers": [{ "url": format!("/{}", service.name) }],
        "security": [{ "clientCredentials": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "clientCredentials": { "type": "oauth2", "flows": { "clientCredentials": {
                "tokenUrl": format!("/{}/oauth/token", service.name), "scopes": {},
            } } } },
            "schemas": schemas,
        },
    })
}

fn as_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": reference("Error") } } })
}

/// An operation answering `ok` (a schema name) with 200, and the common errors.
pub fn op(summary: &str, parameters: &[Value], body: Option<Value>, ok: &str) -> Value {
    let mut op = json!({
        "summary": summary,
        "parameters": parameters,
        "responses": {
            "200": { "description": "Found", "content": { "application/json": { "schema": reference(ok) } } },
            "400": error_response("Malformed identifier or body"),
            "401": error_response("Missing, expired or foreign token (`invalid_token`)"),
            "404": error_response("No such record (`not_found`)"),
            "500": error_response("Injected failure (error-rate knob)"),
            "503": error_response("The service is down"),
        },
    });
    if let Some(schema) = body {
        op["requestBody"] =
            json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    }
    op
}

pub fn path_param(name: &str, pattern: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": self::pattern(pattern) })
}

pub fn query_param(name: &str, pattern: &str) -> Value {
    json!({ "name": name, "in": "query", "required": true, "schema": self::pattern(pattern) })
}

/// An object whose listed properties are all required.
pub fn object(props: &[(&str, Value)]) -> Value {
    let required: Vec<&str> = props.iter().map(|(k, _)| *k).collect();
    let properties: Map<String, Value> = props
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    json!({ "type": "object", "required": required, "properties": properties })
}

pub fn string() -> Value {
    json!({ "type": "string" })
}
pub fn pattern(p: &str) -> Value {
    json!({ "type": "string", "pattern": p })
}
pub fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}
pub fn month() -> Value {
    pattern("^[0-9]{4}-[0-9]{2}$")
}
pub fn integer() -> Value {
    json!({ "type": "integer", "format": "int64" })
}
pub fn number() -> Value {
    json!({ "type": "number" })
}
pub fn boolean() -> Value {
    json!({ "type": "boolean" })
}
pub fn one_of(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}
pub fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}
pub fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}
/// OpenAPI 3.0 spells "or null" as `nullable` (a `$ref` cannot carry it, hence `allOf`).
pub fn nullable(mut schema: Value) -> Value {
    if schema.get("$ref").is_some() {
        return json!({ "allOf": [schema], "nullable": true });
    }
    schema["nullable"] = json!(true);
    schema
}
