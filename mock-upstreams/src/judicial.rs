//! Lý lịch tư pháp: the status of a request for a judicial-record certificate (no. 1 or no. 2) by its 12-digit id
//! (province code + a bijection of the request's index).

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::{json, Value};

use crate::{
    data::{digits, stream, World, AS_OF_YEAR},
    fail,
    names::PROVINCES,
    openapi::{self as oa, Spec},
    rng::{days, ymd, Rng},
    Malformed, Mock,
};

/// Certificates are due this many days after the request (the statutory 10 days, counted plainly).
const DUE_DAYS: i32 = 10;

pub fn routes() -> Router<Arc<Mock>> {
    Router::new().route("/requests/{request_id}", get(request))
}

impl World {
    /// The applicant and province of request `j`.
    fn judicial_request(&self, j: u32) -> (u32, u16) {
        let mut r = Rng::new(self.seed, stream::JUDICIAL, u64::from(j));
        let applicant = self.draw_adult(&mut r);
        (
            applicant,
            PROVINCES[self.citizen(applicant).province as usize].code,
        )
    }

    pub fn request_id(&self, j: u32) -> String {
        let (_, province) = self.judicial_request(j);
        format!(
            "{province:02}{:010}",
            self.request_perm.encode(u64::from(j))
        )
    }

    fn lookup_request(&self, s: &str) -> Result<Option<u32>, Malformed> {
        let id = digits(s, 12).ok_or(Malformed("invalid_request_id"))?;
        let j = self.request_perm.decode(id % 10_000_000_000);
        let found = j < u64::from(self.judicial_requests)
            && u64::from(self.judicial_request(j as u32).1) == id / 10_000_000_000;
        Ok(found.then_some(j as u32))
    }

    fn request_json(&self, j: u32) -> Value {
        let (applicant, _) = self.judicial_request(j);
        let mut r = Rng::new(self.seed, stream::JUDICIAL ^ 0x100, u64::from(j));
        let submitted = days(AS_OF_YEAR, 1, 1) + r.range(0, 180) as i32;
        let status = match r.below(20) {
            0 => "REJECTED",
            1..=3 => "RECEIVED",
            4..=7 => "PROCESSING",
            _ => "READY",
        };
        json!({
            "requestId": self.request_id(j),
            "certificateType": if r.chance(0.7) { 1 } else { 2 },
            "personalId": self.personal_id(applicant),
            "applicantName": self.full_name(applicant),
            "status": status,
            "submittedOn": ymd(submitted),
            "expectedOn": ymd(submitted + DUE_DAYS),
        })
    }
}

async fn request(State(mock): State<Arc<Mock>>, Path(id): Path<String>) -> Response {
    match mock.world.lookup_request(&id) {
        Ok(Some(j)) => Json(mock.world.request_json(j)).into_response(),
        Ok(None) => fail(StatusCode::NOT_FOUND, "not_found"),
        Err(r) => r.into_response(),
    }
}

pub fn spec() -> Spec {
    Spec {
        paths: json!({
            "/requests/{requestId}": { "get": oa::op("A certificate request's status", &[oa::path_param("requestId", "^[0-9]{12}$")], None, "Request") },
        }),
        schemas: json!({
            "Request": oa::object(&[
                ("requestId", oa::pattern("^[0-9]{12}$")),
                ("certificateType", json!({ "type": "integer", "enum": [1, 2] })),
                ("personalId", oa::pattern("^[0-9]{12}$")), ("applicantName", oa::string()),
                ("status", oa::one_of(&["RECEIVED", "PROCESSING", "READY", "REJECTED"])),
                ("submittedOn", oa::date()), ("expectedOn", oa::date()),
            ]),
        }),
    }
}
