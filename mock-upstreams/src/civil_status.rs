//! CSDL hộ tịch điện tử: the birth record of every citizen, and the marriages (current or dissolved) of a person.

use std::sync::Arc;

use axum::{
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::{json, Value};

use crate::{
    auth::form,
    data::{province_name, stream, World, NONE},
    fail,
    names::{self, FAMILY, PROVINCES},
    openapi::{self as oa, Spec},
    rng::{civil, ymd, Rng},
    Mock,
};

pub fn routes() -> Router<Arc<Mock>> {
    Router::new()
        .route("/births/{personal_id}", get(birth))
        .route("/marriages", get(marriages))
}

impl World {
    fn birth_json(&self, i: u32) -> Value {
        let c = self.citizen(i);
        let mut r = Rng::new(self.seed, stream::BIRTH, u64::from(i));
        let p = &PROVINCES[c.birth_province as usize];
        let commune = r.pick(&p.communes);
        let place = match r.below(3) {
            0 => format!("Bệnh viện Đa khoa {}", province_name(p)),
            1 => format!("Trạm Y tế {commune}, {}", province_name(p)),
            _ => format!("{commune}, {}", province_name(p)),
        };
        // Parents outside the register get a name all the same; the father's family name is the child's.
        let mut parent = |j: u32, female: bool| {
            if j != NONE {
                return self.full_name(j);
            }
            let family = if female {
                FAMILY[r.weighted(FAMILY.iter().map(|f| f.1))].0
            } else {
                FAMILY[c.family as usize].0
            };
            let (middle, given) = if female {
                (r.pick(&names::MIDDLE_FEMALE), r.pick(&names::GIVEN_FEMALE))
            } else {
                (r.pick(&names::MIDDLE_MALE), r.pick(&names::GIVEN_MALE))
            };
            format!("{family} {middle} {given}")
        };
        let (father, mother) = (parent(c.father, false), parent(c.mother, true));
        let registered = c.birth + r.range(3, 60) as i32;
        json!({
            "registrationNo": format!("{}/{}", r.range(1, 999), civil(registered).0),
            "personalId": self.personal_id(i),
            "fullName": self.full_name(i),
            "birthDate": ymd(c.birth),
            "birthPlace": place,
            "fatherName": father,
            "motherName": mother,
            "registeredAt": format!("UBND {commune}, {}", province_name(p)),
            "registeredOn": ymd(registered),
        })
    }

    /// The marriage of `i` with `partner` (the record is the same seen from either side).
    fn marriage_json(&self, i: u32, partner: u32, married: bool) -> Value {
        let (husband, wife) = if self.citizen(i).female {
            (partner, i)
        } else {
            (i, partner)
        };
        let mut r = Rng::new(self.seed, stream::MARRIAGE, u64::from(husband));
        let on = self.citizen(husband).married_on;
        let p = &PROVINCES[self.citizen(husband).province as usize];
        json!({
            "registrationNo": format!("{}/{}", r.range(1, 500), civil(on).0),
            "husband": self.person_ref(husband),
            "wife": self.person_ref(wife),
            "registeredOn": ymd(on),
            "registeredAt": format!("UBND {}, {}", r.pick(&p.communes), province_name(p)),
            "status": if married { "MARRIED" } else { "DIVORCED" },
        })
    }
}

async fn birth(State(mock): State<Arc<Mock>>, Path(id): Path<String>) -> Response {
    match mock.world.lookup_personal_id(&id) {
        Ok(Some(i)) => Json(mock.world.birth_json(i)).into_response(),
        Ok(None) => fail(StatusCode::NOT_FOUND, "not_found"),
        Err(r) => r.into_response(),
    }
}

/// A person with no marriage, or a well-formed number that is no citizen, gets an empty list.
async fn marriages(State(mock): State<Arc<Mock>>, RawQuery(query): RawQuery) -> Response {
    let query = form(query.unwrap_or_default().as_bytes());
    let Some(id) = query.get("personalId") else {
        return fail(StatusCode::BAD_REQUEST, "missing_personal_id");
    };
    let w = &mock.world;
    let marriages: Vec<Value> = match w.lookup_personal_id(id) {
        Ok(Some(i)) => {
            let c = w.citizen(i);
            [(c.spouse, true), (c.ex_spouse, false)]
                .into_iter()
                .filter(|(partner, _)| *partner != NONE)
                .map(|(partner, married)| w.marriage_json(i, partner, married))
                .collect()
        }
        Ok(None) => Vec::new(),
        Err(r) => return r.into_response(),
    };
    Json(json!({ "marriages": marriages })).into_response()
}

pub fn spec() -> Spec {
    let person = oa::object(&[
        ("personalId", oa::pattern("^[0-9]{12}$")),
        ("fullName", oa::string()),
    ]);
    Spec {
        paths: json!({
            "/births/{personalId}": { "get": oa::op("The birth record of a person", &[oa::path_param("personalId", "^[0-9]{12}$")], None, "Birth") },
            "/marriages": { "get": oa::op("The marriages of a person (possibly none)", &[oa::query_param("personalId", "^[0-9]{12}$")], None, "Marriages") },
        }),
        schemas: json!({
            "Birth": oa::object(&[
                ("registrationNo", oa::string()), ("personalId", oa::pattern("^[0-9]{12}$")), ("fullName", oa::string()),
                ("birthDate", oa::date()), ("birthPlace", oa::string()), ("fatherName", oa::string()),
                ("motherName", oa::string()), ("registeredAt", oa::string()), ("registeredOn", oa::date()),
            ]),
            "Marriage": oa::object(&[
                ("registrationNo", oa::string()), ("husband", person.clone()), ("wife", person),
                ("registeredOn", oa::date()), ("registeredAt", oa::string()), ("status", oa::one_of(&["MARRIED", "DIVORCED"])),
            ]),
            "Marriages": oa::object(&[("marriages", oa::array(oa::reference("Marriage")))]),
        }),
    }
}
