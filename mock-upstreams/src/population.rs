//! CSDL quốc gia về dân cư: a citizen by personal number, a batch of up to 100, and verification of a personal number
//! against a name and birth date (match / no match, per field).

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};
use unicode_normalization::UnicodeNormalization;

use crate::{
    data::{digits, province_name, stream, World, NONE},
    fail,
    names::{self, PROVINCES},
    openapi::{self as oa, Spec},
    rng::{ymd, Rng},
    Malformed, Mock,
};

/// Ids per batch call at most.
const MAX_BATCH: usize = 100;

pub fn routes() -> Router<Arc<Mock>> {
    Router::new()
        .route("/citizens/{personal_id}", get(citizen))
        .route("/citizens:batch", post(batch))
        .route("/citizens:verify", post(verify))
}

impl World {
    /// The population register's view of citizen `i`.
    pub fn citizen_json(&self, i: u32) -> Value {
        let c = self.citizen(i);
        let opt = |j: u32| (j != NONE).then(|| self.personal_id(j));
        let mut r = Rng::new(self.seed, stream::PERSON, u64::from(i));
        let temporary = r.chance(0.15).then(|| {
            let p = &PROVINCES[r.weighted(names::province_weights())];
            format!(
                "Số {} đường {}, {}, {}",
                r.range(1, 200),
                r.pick(&names::STREETS),
                r.pick(&p.communes),
                province_name(p)
            )
        });
        json!({
            "personalId": self.personal_id(i),
            "fullName": self.full_name(i),
            "birthDate": ymd(c.birth),
            "sex": if c.female { "female" } else { "male" },
            "nationality": "Việt Nam",
            "ethnicity": self.ethnicity(i),
            "religion": self.religion(i),
            "hometown": self.hometown(i),
            "permanentAddress": self.address(i),
            "temporaryAddress": temporary,
            "householdHeadId": self.personal_id(c.head),
            "relationToHead": names::RELATIONS[c.relation as usize],
            "fatherId": opt(c.father),
            "motherId": opt(c.mother),
            "spouseId": opt(c.spouse),
        })
    }

    /// Children take their father's; the others are drawn (mostly Kinh, more Khmer in the Mekong provinces).
    fn ethnicity(&self, i: u32) -> &'static str {
        let c = self.citizen(i);
        if c.father != NONE {
            return self.ethnicity(c.father);
        }
        let mut r = Rng::new(self.seed, stream::PERSON ^ 0x100, u64::from(i));
        let khmer_land = matches!(PROVINCES[c.birth_province as usize].code, 84 | 86 | 91 | 89);
        if khmer_land && r.chance(0.1) {
            return "Khmer";
        }
        names::ETHNICITIES[r.weighted(names::ETHNICITIES.iter().map(|e| e.1))].0
    }

    fn religion(&self, i: u32) -> &'static str {
        let c = self.citizen(i);
        if c.father != NONE {
            return self.religion(c.father);
        }
        let mut r = Rng::new(self.seed, stream::PERSON ^ 0x200, u64::from(i));
        names::RELIGIONS[r.weighted(names::RELIGIONS.iter().map(|e| e.1))].0
    }

    /// Quê quán: the father's for children, else a commune of the birth province.
    fn hometown(&self, i: u32) -> String {
        let c = self.citizen(i);
        if c.father != NONE {
            return self.hometown(c.father);
        }
        let mut r = Rng::new(self.seed, stream::PERSON ^ 0x300, u64::from(i));
        let p = &PROVINCES[c.birth_province as usize];
        format!("{}, {}", r.pick(&p.communes), province_name(p))
    }

    /// A 12-digit personal number that is a citizen: `Ok(None)` when well-formed but unknown, `Err` when malformed.
    pub fn lookup_personal_id(&self, s: &str) -> Result<Option<u32>, Malformed> {
        digits(s, 12)
            .map(|id| self.find(id))
            .ok_or(Malformed("invalid_personal_id"))
    }
}

async fn citizen(State(mock): State<Arc<Mock>>, Path(id): Path<String>) -> Response {
    match mock.world.lookup_personal_id(&id) {
        Ok(Some(i)) => Json(mock.world.citizen_json(i)).into_response(),
        Ok(None) => fail(StatusCode::NOT_FOUND, "not_found"),
        Err(r) => r.into_response(),
    }
}

#[derive(Deserialize)]
struct Batch {
    ids: Vec<String>,
}

/// Found citizens in the order asked, unknown ids in `notFound`; any malformed id refuses the whole batch.
async fn batch(State(mock): State<Arc<Mock>>, body: Bytes) -> Response {
    let Ok(batch) = serde_json::from_slice::<Batch>(&body) else {
        return fail(StatusCode::BAD_REQUEST, "invalid_body");
    };
    if batch.ids.len() > MAX_BATCH {
        return fail(StatusCode::BAD_REQUEST, "too_many_ids");
    }
    let (mut citizens, mut not_found) = (Vec::new(), Vec::new());
    for id in batch.ids {
        match mock.world.lookup_personal_id(&id) {
            Ok(Some(i)) => citizens.push(mock.world.citizen_json(i)),
            Ok(None) => not_found.push(id),
            Err(r) => return r.into_response(),
        }
    }
    Json(json!({ "citizens": citizens, "notFound": not_found })).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Verify {
    personal_id: String,
    full_name: String,
    birth_date: String,
}

/// Names match ignoring case, spacing and Unicode normalisation form, but not diacritics (`Hà` is not `Hạ`).
async fn verify(State(mock): State<Arc<Mock>>, body: Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<Verify>(&body) else {
        return fail(StatusCode::BAD_REQUEST, "invalid_body");
    };
    let i = match mock.world.lookup_personal_id(&v.personal_id) {
        Ok(Some(i)) => i,
        Ok(None) => return fail(StatusCode::NOT_FOUND, "not_found"),
        Err(r) => return r.into_response(),
    };
    let name = comparable(&v.full_name) == comparable(&mock.world.full_name(i));
    let birth = v.birth_date.trim() == ymd(mock.world.citizen(i).birth);
    Json(json!({ "match": name && birth, "fields": { "fullName": name, "birthDate": birth } }))
        .into_response()
}

/// `s` in NFC, lower-cased, with each run of whitespace one space.
fn comparable(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub fn spec() -> Spec {
    let id = oa::path_param("personalId", "^[0-9]{12}$");
    let nullable_id = oa::nullable(oa::pattern("^[0-9]{12}$"));
    Spec {
        paths: json!({
            "/citizens/{personalId}": { "get": oa::op("A citizen by personal number", &[id], None, "Citizen") },
            "/citizens:batch": { "post": oa::op("Up to 100 citizens at once", &[], Some(oa::object(&[
                ("ids", json!({ "type": "array", "maxItems": MAX_BATCH, "items": oa::pattern("^[0-9]{12}$") })),
            ])), "CitizenBatch") },
            "/citizens:verify": { "post": oa::op("Does the personal number match this name and birth date?", &[], Some(oa::object(&[
                ("personalId", oa::pattern("^[0-9]{12}$")), ("fullName", oa::string()), ("birthDate", oa::date()),
            ])), "Verification") },
        }),
        schemas: json!({
            "Citizen": oa::object(&[
                ("personalId", oa::pattern("^[0-9]{12}$")), ("fullName", oa::string()), ("birthDate", oa::date()),
                ("sex", oa::one_of(&["male", "female"])), ("nationality", oa::string()), ("ethnicity", oa::string()),
                ("religion", oa::string()), ("hometown", oa::string()), ("permanentAddress", oa::string()),
                ("temporaryAddress", oa::nullable(oa::string())), ("householdHeadId", oa::pattern("^[0-9]{12}$")),
                ("relationToHead", oa::string()), ("fatherId", nullable_id.clone()), ("motherId", nullable_id.clone()),
                ("spouseId", nullable_id),
            ]),
            "CitizenBatch": oa::object(&[
                ("citizens", oa::array(oa::reference("Citizen"))), ("notFound", oa::array(oa::string())),
            ]),
            "Verification": oa::object(&[
                ("match", oa::boolean()),
                ("fields", oa::object(&[("fullName", oa::boolean()), ("birthDate", oa::boolean())])),
            ]),
        }),
    }
}
