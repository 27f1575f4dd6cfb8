//! CSDL quốc gia về bảo hiểm: a participant by social-insurance code (10 digits) or by personal number, with the
//! health-insurance card and the contribution history. Every citizen is a participant.

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
    data::{digits, province_name, stream, World, AS_OF_YEAR},
    fail,
    names::PROVINCES,
    openapi::{self as oa, Spec},
    rng::{days, ymd, Rng},
    Malformed, Mock,
};

/// The last month contributions are known for (months counted as `year * 12 + month - 1`).
const LAST_MONTH: i64 = AS_OF_YEAR as i64 * 12 + 5;

pub fn routes() -> Router<Arc<Mock>> {
    Router::new()
        .route("/participants/{code}", get(by_code))
        .route("/participants", get(by_personal_id))
}

fn month(m: i64) -> String {
    format!("{:04}-{:02}", m / 12, m % 12 + 1)
}

impl World {
    /// The code is the birth province's two digits and a bijection of the citizen's index.
    pub fn social_insurance_code(&self, i: u32) -> String {
        let province = PROVINCES[self.citizen(i).birth_province as usize].code;
        format!(
            "{province:02}{:08}",
            self.insurance_perm.encode(u64::from(i))
        )
    }

    fn lookup_social_insurance_code(&self, s: &str) -> Result<Option<u32>, Malformed> {
        let code = digits(s, 10).ok_or(Malformed("invalid_social_insurance_code"))?;
        let i = self.insurance_perm.decode(code % 100_000_000);
        let found = i < self.citizens.len() as u64
            && u64::from(PROVINCES[self.citizen(i as u32).birth_province as usize].code)
                == code / 100_000_000;
        Ok(found.then_some(i as u32))
    }

    fn participant_json(&self, i: u32) -> Value {
        let c = self.citizen(i);
        let mut r = Rng::new(self.seed, stream::INSURANCE, u64::from(i));
        let age = c.age();
        let retirement_age = if c.female { 57 } else { 61 };
        let (group, level, status) = match age {
            0..=5 => ("TE", 1, "NOT_CONTRIBUTING"),
            6..=17 => ("HS", 4, "NOT_CONTRIBUTING"),
            a if a >= retirement_age => ("HT", 2, "PENSIONER"),
            _ => match r.below(10) {
                0..=6 => ("DN", 4, "CONTRIBUTING"),
                7 => ("HC", 4, "CONTRIBUTING"),
                _ => ("GD", 5, "NOT_CONTRIBUTING"),
            },
        };
        let code = self.social_insurance_code(i);
        let home = &PROVINCES[c.province as usize];
        let clinic = if r.chance(0.5) {
            format!(
                "Trạm Y tế {}, {}",
                r.pick(&home.communes),
                province_name(home)
            )
        } else {
            format!("Bệnh viện Đa khoa {}", province_name(home))
        };
        let valid_to = if group == "TE" {
            let (y, m, d) = crate::rng::civil(c.birth);
            ymd(days(y + 6, m, d.min(28)) - 1)
        } else {
            format!("{AS_OF_YEAR}-12-31")
        };
        let mut contributions = Vec::new();
        if age >= 18 {
            let birth_year = i64::from(c.birth_year());
            let limit = if status == "PENSIONER" {
                (birth_year + i64::from(retirement_age)) * 12
            } else {
                LAST_MONTH
            };
            let mut from = ((birth_year + 18 + r.range(0, 5)) * 12 + r.range(0, 11)).max(1995 * 12);
            let periods = r.range(1, 3);
            for k in 0..periods {
                if from >= limit {
                    break;
                }
                let open = k == periods - 1 && status == "CONTRIBUTING";
                let to = (!open).then(|| (from + r.range(6, 120)).min(limit - 1));
                let employer = self
                    .enterprise(r.below(u64::from(self.enterprises)) as u32)
                    .name();
                contributions.push(json!({
                    "from": month(from),
                    "to": to.map(month),
                    "employer": employer,
                    "salaryBaseVnd": r.range(4_960, 30_000) * 1000,
                }));
                match to {
                    Some(t) => from = t + 1 + r.range(0, 6),
                    None => break,
                }
            }
        }
        json!({
            "socialInsuranceCode": code,
            "personalId": self.personal_id(i),
            "fullName": self.full_name(i),
            "healthInsuranceCard": {
                "number": format!("{group}{level}{:02}{code}", home.code),
                "validFrom": format!("{AS_OF_YEAR}-01-01"),
                "validTo": valid_to,
                "initialClinic": clinic,
            },
            "contributions": contributions,
            "benefitStatus": status,
        })
    }
}

async fn by_code(State(mock): State<Arc<Mock>>, Path(code): Path<String>) -> Response {
    match mock.world.lookup_social_insurance_code(&code) {
        Ok(Some(i)) => Json(mock.world.participant_json(i)).into_response(),
        Ok(None) => fail(StatusCode::NOT_FOUND, "not_found"),
        Err(r) => r.into_response(),
    }
}

async fn by_personal_id(State(mock): State<Arc<Mock>>, RawQuery(query): RawQuery) -> Response {
    let query = form(query.unwrap_or_default().as_bytes());
    let Some(id) = query.get("personalId") else {
        return fail(StatusCode::BAD_REQUEST, "missing_personal_id");
    };
    match mock.world.lookup_personal_id(id) {
        Ok(Some(i)) => Json(mock.world.participant_json(i)).into_response(),
        Ok(None) => fail(StatusCode::NOT_FOUND, "not_found"),
        Err(r) => r.into_response(),
    }
}

pub fn spec() -> Spec {
    Spec {
        paths: json!({
            "/participants/{socialInsuranceCode}": { "get": oa::op("A participant by social-insurance code", &[oa::path_param("socialInsuranceCode", "^[0-9]{10}$")], None, "Participant") },
            "/participants": { "get": oa::op("A participant by personal number", &[oa::query_param("personalId", "^[0-9]{12}$")], None, "Participant") },
        }),
        schemas: json!({
            "Participant": oa::object(&[
                ("socialInsuranceCode", oa::pattern("^[0-9]{10}$")), ("personalId", oa::pattern("^[0-9]{12}$")),
                ("fullName", oa::string()),
                ("healthInsuranceCard", oa::object(&[
                    ("number", oa::pattern("^[A-Z]{2}[0-9]{13}$")), ("validFrom", oa::date()), ("validTo", oa::date()),
                    ("initialClinic", oa::string()),
                ])),
                ("contributions", oa::array(oa::object(&[
                    ("from", oa::month()), ("to", oa::nullable(oa::month())), ("employer", oa::string()),
                    ("salaryBaseVnd", oa::integer()),
                ]))),
                ("benefitStatus", oa::one_of(&["CONTRIBUTING", "NOT_CONTRIBUTING", "PENSIONER"])),
            ]),
        }),
    }
}
