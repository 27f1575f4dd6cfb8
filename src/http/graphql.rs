//! `POST /graphql` and `GET /graphql` per the GraphQL-over-HTTP specification.
//!
//! - Media types: `application/graphql-response+json` when the client accepts it, else `application/json` (also
//!   when no `Accept` is sent); anything else is `406`.
//! - `POST` needs `Content-Type: application/json` (`415` otherwise); a body that is not JSON, or parameters of the
//!   wrong type, are `400`.
//! - `GET` runs queries only: a mutation over `GET` is `405` with `Allow: POST`.
//! - With `application/graphql-response+json`, a request error (the document does not parse or validate, no data)
//!   is `400`; with `application/json`, every well-formed request gets `200`, as the spec's legacy rules say.
//! - Every error carries `extensions.code`; codes the resolvers set are kept, the others are filled in here.

use std::{collections::HashMap, sync::Arc};

use std::sync::atomic::Ordering;

use async_graphql::{
    parser::{
        parse_query,
        types::{ExecutableDocument, OperationType},
    },
    Variables,
};
use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::Response,
};
use serde_json::Value;

use super::respond::{
    coded_error, negotiate, not_acceptable, plain_error, refused, respond, respond_body,
    unauthenticated, MediaType,
};
use super::{
    cached::{self, Keep},
    documents::{self, Cached, DocumentError, Named},
    observe::RequestFacts,
    params::Params,
    rate_limit, AppState,
};
use crate::auth::{AuthError, Principal};
use crate::limits::CostSlot;

/// The caller named by the `Authorization` header: `Ok(None)` without one. A header that is present but does not carry a
/// valid token is an error (answered with 401 by [`unauthenticated`]), never read as anonymous.
async fn authenticate(app: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, AuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| AuthError::MalformedHeader)?;
    app.auth.authenticate_header(value).await.map(Some)
}

pub async fn post(
    State(app): State<AppState>,
    client: rate_limit::ClientIp,
    facts: RequestFacts,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let body = match body {
        Ok(body) => body,
        // A body without a length that ran past the limit (one with a length was refused before it was read).
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return super::protect::too_large(media, None)
        }
        Err(_) => {
            return plain_error(
                StatusCode::BAD_REQUEST,
                media,
                "the request body could not be read",
            )
        }
    };
    match Params::from_post(&headers, &body) {
        Ok(params) => serve(&app, &client, &facts, &headers, media, params, false).await,
        Err((status, message)) => plain_error(status, media, message),
    }
}

pub async fn get(
    State(app): State<AppState>,
    client: rate_limit::ClientIp,
    facts: RequestFacts,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let Ok(Query(q)) = query else {
        return plain_error(StatusCode::BAD_REQUEST, media, "malformed query string");
    };
    let params = match Params::from_query(q) {
        Ok(params) => params,
        Err(message) => return plain_error(StatusCode::BAD_REQUEST, media, message),
    };
    serve(&app, &client, &facts, &headers, media, params, true).await
}

/// Authenticates the caller, charges its rate limit (a document the hub has run before by its last measured cost, any
/// other as one request) and answers the request.
async fn serve(
    app: &AppState,
    client: &rate_limit::ClientIp,
    facts: &RequestFacts,
    headers: &HeaderMap,
    media: MediaType,
    params: Params,
    is_get: bool,
) -> Response {
    let principal = match authenticate(app, headers).await {
        Ok(p) => p,
        Err(err) => return unauthenticated(err, media),
    };
    if let Some(p) = &principal {
        facts.agency(p.agency.as_str());
    }
    let Params {
        query,
        operation_name,
        variables,
        extensions,
    } = params;
    let named = app.documents.resolve(query, extensions.as_ref());
    // Apps send the same few documents over and over: a cached one passed every check already.
    let cached = named
        .as_ref()
        .ok()
        .and_then(|named| app.documents.parsed(&named.text));
    let units = cached
        .as_ref()
        .map_or(1, |c| app.rate_limit.units(c.cost()));
    let limit =
        match rate_limit::admit(app, client, principal.as_ref(), units, media.content_type()).await
        {
            Ok(limit) => limit,
            Err(refused) => return refused,
        };
    let named = match named {
        Ok(named) => named,
        Err(err) => {
            let status = match (&err, media) {
                (DocumentError::Malformed(_) | DocumentError::HashMismatch, _)
                | (_, MediaType::GraphqlResponse) => StatusCode::BAD_REQUEST,
                _ => StatusCode::OK,
            };
            return limit.stamp(coded_error(status, media, err.code(), err.message()));
        }
    };
    // Anonymous reads are public: an identical one asked since the last write is answered as it was.
    let keep = if principal.is_none() {
        let text = &named.text;
        match cached::lookup(
            app,
            text,
            operation_name.as_deref(),
            variables.as_ref(),
            headers,
            media,
            is_get,
        ) {
            cached::Lookup::Miss(keep) => Some(keep),
            cached::Lookup::Off => None,
            cached::Lookup::Hit(hit) => {
                // The answer was kept once its document ran: the name it ran under is a valid label.
                let name = operation_name.as_deref().or_else(|| {
                    let doc = &cached.as_ref()?.doc;
                    doc.operations.iter().next()?.0.map(|n| n.as_str())
                });
                facts.operation(app.metrics.operation(name));
                return limit.stamp(hit);
            }
        }
    } else {
        None
    };
    let measure_key = documents::measure_key(operation_name.as_deref(), variables.as_ref());
    let request = Request {
        named,
        cached,
        measure_key,
        keep,
        operation_name,
        variables: variables.map(|vars| Variables::from_json(Value::Object(vars))),
        is_get,
        principal,
        request_id: super::request_id(headers).map(str::to_owned),
    };
    limit.stamp(execute(app, request, facts, media).await)
}

/// A request whose caller is known and whose rate limit is charged.
struct Request {
    named: Named,
    cached: Option<Arc<Cached>>,
    /// The operation and variables, as the cost measured for them is remembered by (`Cached::measured`).
    measure_key: u64,
    keep: Option<Keep>,
    operation_name: Option<String>,
    variables: Option<Variables>,
    is_get: bool,
    principal: Option<Principal>,
    request_id: Option<String>,
}

async fn execute(
    app: &AppState,
    request: Request,
    facts: &RequestFacts,
    media: MediaType,
) -> Response {
    let Request {
        named,
        cached,
        measure_key,
        keep,
        operation_name,
        variables,
        is_get,
        principal,
        request_id,
    } = request;
    // Documents not seen before are measured before they are parsed (tokens) and before anything runs (shape,
    // literals).
    let fresh = match &cached {
        Some(_) => None,
        None => {
            if let Err(err) = app.limits.check_text(&named.text) {
                return refused(media, err);
            }
            match parse_query(&*named.text) {
                Ok(doc) => {
                    if let Err(err) = app.limits.check_document(&doc) {
                        return refused(media, err);
                    }
                    Some(doc)
                }
                Err(_) => None,
            }
        }
    };
    let parsed = cached.as_ref().map(|c| &c.doc).or(fresh.as_ref());
    if let Some(vars) = &variables {
        if let Err(err) = app.limits.check_variables(vars, parsed) {
            return refused(media, err);
        }
    }
    // A document known to be heavy is admitted (or shed) before it is validated again: validating a large document is
    // itself a good part of its cost, and a client looping one should not spend the cores on its refusals.
    let mut admission = None;
    if let Some(known) = cached.as_ref().map(|c| c.cost()) {
        if app.limits.is_heavy(known) {
            match app.limits.admit_heavy(known) {
                Some(admitted) => admission = Some(admitted),
                None => {
                    tracing::warn!(
                        cost = known,
                        "shed a heavy query: no heavy permit or budget left"
                    );
                    return refused(media, crate::error::Error::Overloaded);
                }
            }
        }
    }
    let parse_failed = parsed.is_none();
    let mut is_query = false;
    // The operation's name labels its metrics once the document is known to be valid: a cached one passed already, a
    // fresh one only after validation (so that junk names never take a label).
    let mut fresh_operation = None;
    if let Some(doc) = &parsed {
        let operation = match &operation_name {
            Some(name) => doc
                .operations
                .iter()
                .find(|(n, _)| n.map(|n| n.as_str()) == Some(name.as_str())),
            None => doc.operations.iter().next(),
        };
        is_query = operation.is_some_and(|(_, op)| op.node.ty == OperationType::Query);
        if let Some((name, _)) = operation {
            let name = name.map(|n| n.as_str());
            match &cached {
                Some(_) => facts.operation(app.metrics.operation(name)),
                None => fresh_operation = Some(name.map(str::to_owned)),
            }
        }
        if is_get && operation.is_some_and(|(_, op)| op.node.ty != OperationType::Query) {
            let mut resp = plain_error(
                StatusCode::METHOD_NOT_ALLOWED,
                media,
                "GET runs queries only; send mutations with POST",
            );
            resp.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return resp;
        }
    }
    let heavy = admission.is_some();
    // A heavy query reads over a pool of its own, and its loader with it (the request's store outranks the schema's).
    let store = if heavy { &app.heavy_store } else { &app.store };
    let mut request = crate::graphql::context::request(
        &*named.text,
        store,
        &app.federation,
        principal,
        request_id,
    );
    if heavy {
        request = request.data(crate::graphql::context::GqlState {
            store: store.clone(),
        });
    }
    // A light document already measured for this very operation and variables has nothing left for the limits to
    // check: it runs on the schema without their extension (see `graphql::build_measured_schema`).
    let measured = !heavy
        && cached
            .as_ref()
            .and_then(|c| c.measured(measure_key))
            .is_some_and(|cost| !app.limits.is_heavy(cost));
    let schema = if measured {
        &app.measured_schema
    } else {
        &app.schema
    };
    let cost = CostSlot::default();
    if let Some(doc) = parsed {
        request.set_parsed_query(ExecutableDocument::clone(doc));
        request = request.data(crate::limits::Checked).data(cost.clone());
    }
    if let Some(admitted) = admission {
        request = request.data(admitted);
    }
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = variables {
        request = request.variables(vars);
    }
    let keep = keep.filter(|_| is_query);
    let keeping = keep.is_some();
    let answer = move |response: async_graphql::Response| {
        // A request error: the operation never ran, so there is no data (parse, validation, variable coercion).
        let request_error = response.data == async_graphql::Value::Null
            && !response.errors.is_empty()
            && response.errors.iter().all(|e| e.path.is_empty());
        // An answer without errors is serialized once, for the client and for the response cache.
        if keeping && response.errors.is_empty() {
            let body = Bytes::from(serde_json::to_vec(&response).unwrap_or_default());
            return (false, respond_body(body.clone(), media), Some(body));
        }
        (
            request_error,
            respond(response, media, request_error, parse_failed),
            None,
        )
    };
    let (request_error, mut response, body) = if heavy {
        let schema = schema.clone();
        match app
            .limits
            .run_heavy(async move { answer(schema.execute(request).await) })
            .await
        {
            Some(answered) => answered,
            None => return refused(media, crate::error::Error::Overloaded),
        }
    } else {
        answer(schema.execute(request).await)
    };
    if let (Some(keep), Some(body)) = (keep, body) {
        if let Some(kept) = cached::keep(app, keep, body, media, is_get) {
            response = kept;
        }
    }
    if !request_error {
        if let Some(name) = fresh_operation {
            facts.operation(app.metrics.operation(name.as_deref()));
        }
        let cost = cost.0.load(Ordering::Relaxed);
        match (cached, fresh) {
            (Some(_), _) if measured => {}
            (Some(cached), _) => cached.record(cost, measure_key),
            (None, Some(doc)) => {
                app.documents
                    .remember(named.text, doc, cost, measure_key, named.register_as)
            }
            (None, None) => {}
        }
    }
    response
}
