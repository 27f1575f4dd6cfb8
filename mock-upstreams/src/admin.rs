//! The admin API (header `X-Admin-Key`): read and change each service's knobs, restore the start-up knobs, read and
//! clear the call log, and list sample identifiers that exist, so tests and demos need not guess.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, Request, State},
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};

use crate::{
    data::NONE,
    fail,
    knobs::{Knobs, KnobsPatch},
    service_index, Mock, SERVICES,
};

/// Samples returned per kind.
const SAMPLES: usize = 5;

pub fn routes(mock: Arc<Mock>) -> Router<Arc<Mock>> {
    Router::new()
        .route("/knobs", get(all_knobs))
        .route("/knobs/{svc}", get(get_knobs).put(put_knobs))
        .route("/reset", post(reset))
        .route("/calls", get(calls).delete(clear_calls))
        .route("/samples", get(samples))
        .route_layer(middleware::from_fn_with_state(mock, require_key))
}

async fn require_key(State(mock): State<Arc<Mock>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get("x-admin-key")
        .and_then(|v| v.to_str().ok());
    if given != Some(mock.admin_key.as_str()) {
        return fail(StatusCode::UNAUTHORIZED, "invalid_admin_key");
    }
    next.run(request).await
}

async fn all_knobs(State(mock): State<Arc<Mock>>) -> Json<Value> {
    let all: serde_json::Map<String, Value> = SERVICES
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.to_owned(), json!(mock.knobs.get(i))))
        .collect();
    Json(Value::Object(all))
}

async fn get_knobs(State(mock): State<Arc<Mock>>, Path(svc): Path<String>) -> Response {
    match service_index(&svc) {
        Some(i) => Json(mock.knobs.get(i)).into_response(),
        None => fail(StatusCode::NOT_FOUND, "unknown_service"),
    }
}

/// Partial update: only the fields present change. Answers the service's knobs after the change.
async fn put_knobs(
    State(mock): State<Arc<Mock>>,
    Path(svc): Path<String>,
    body: Bytes,
) -> Response {
    let Some(i) = service_index(&svc) else {
        return fail(StatusCode::NOT_FOUND, "unknown_service");
    };
    let Ok(patch) = serde_json::from_slice::<KnobsPatch>(&body) else {
        return fail(StatusCode::BAD_REQUEST, "invalid_knobs");
    };
    let knobs: Knobs = mock.knobs.get(i).patched(patch);
    if let Err(message) = knobs.validate() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_knobs", "message": message })),
        )
            .into_response();
    }
    mock.knobs.set(i, knobs.clone());
    Json(knobs).into_response()
}

/// Restores every service's start-up knobs (tokens and the call log are kept).
async fn reset(State(mock): State<Arc<Mock>>) -> Json<Value> {
    mock.knobs.reset();
    all_knobs(State(mock)).await
}

async fn calls(State(mock): State<Arc<Mock>>) -> Json<Value> {
    Json(json!({ "calls": mock.calls.all(), "inFlight": mock.calls.in_flight() }))
}

async fn clear_calls(State(mock): State<Arc<Mock>>) -> StatusCode {
    mock.calls.clear();
    StatusCode::NO_CONTENT
}

/// A few identifiers of each kind that exist.
async fn samples(State(mock): State<Arc<Mock>>) -> Json<Value> {
    let w = &mock.world;
    let pick = |keep: &dyn Fn(u32) -> bool| -> Vec<String> {
        (0..w.citizens.len() as u32)
            .filter(|i| keep(*i))
            .take(SAMPLES)
            .map(|i| w.personal_id(i))
            .collect()
    };
    let first = |n: u32, f: &dyn Fn(u32) -> String| -> Vec<String> {
        (0..n.min(SAMPLES as u32)).map(f).collect()
    };
    let parcel_owners: Vec<String> = w
        .parcels
        .iter()
        .take(SAMPLES)
        .map(|p| w.personal_id(p.owners[0]))
        .collect();
    Json(json!({
        "citizens": pick(&|_| true),
        "married": pick(&|i| w.citizen(i).spouse != NONE),
        "divorced": pick(&|i| w.citizen(i).ex_spouse != NONE),
        "withParents": pick(&|i| w.citizen(i).father != NONE),
        "parcelOwners": parcel_owners,
        "enterpriseCodes": first(w.enterprises, &|e| w.enterprise(e).code()),
        "enterpriseBranchCodes": (0..w.enterprises)
            .map(|e| w.enterprise(e))
            .filter(|e| e.branches > 0)
            .take(SAMPLES)
            .map(|e| e.branch_code(1))
            .collect::<Vec<_>>(),
        "socialInsuranceCodes": first(w.citizens.len() as u32, &|i| w.social_insurance_code(i)),
        "parcelIds": first(w.parcels.len() as u32, &|p| w.parcel_id(p)),
        "judicialRequestIds": first(w.judicial_requests, &|j| w.request_id(j)),
    }))
}
