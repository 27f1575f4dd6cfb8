//! CSDL quốc gia về đăng ký doanh nghiệp: an enterprise by its code (the 10-digit tax code, or 13 digits for a branch:
//! the parent's code and a 3-digit suffix), with its legal representative (a generated citizen).

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
    data::{digits, province_name, stream, World, AS_OF_YEAR},
    fail,
    names::{self, PROVINCES},
    openapi::{self as oa, Spec},
    rng::{day_in_year, days, ymd, Rng},
    Malformed, Mock,
};

/// Check-digit weights of a tax code's first nine digits *(unverified; python-stdnum `vn.mst`)*.
const WEIGHTS: [u64; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

pub fn routes() -> Router<Arc<Mock>> {
    Router::new().route("/enterprises/{code}", get(enterprise))
}

/// The parts of an enterprise other registers need too.
pub struct Enterprise {
    pub index: u32,
    pub province: usize,
    pub legal_representative: u32,
    pub branches: u8,
    /// 0: TNHH, 1: cổ phần, 2: tư nhân.
    kind: u8,
    sector: usize,
    brand: usize,
    /// The nine digits before the check digit.
    body: u64,
}

impl Enterprise {
    pub fn code(&self) -> String {
        format!("{:09}{}", self.body, check_digit(self.body))
    }
    pub fn branch_code(&self, branch: u8) -> String {
        format!("{}{branch:03}", self.code())
    }
    pub fn name(&self) -> String {
        let kind = ["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân"][self.kind as usize];
        format!(
            "{kind} {} {}",
            names::SECTORS[self.sector].0,
            names::BRANDS[self.brand].0
        )
    }
    /// English and short names.
    fn names_en(&self) -> (String, String) {
        let (sector, brand) = (names::SECTORS[self.sector].1, names::BRANDS[self.brand].1);
        let upper = brand.to_uppercase();
        match self.kind {
            0 => (
                format!("{brand} {sector} Company Limited"),
                format!("{upper} CO., LTD"),
            ),
            1 => (
                format!("{brand} {sector} Joint Stock Company"),
                format!("{upper} JSC"),
            ),
            _ => (format!("{brand} {sector} Private Enterprise"), upper),
        }
    }
}

fn check_digit(body: u64) -> u64 {
    let sum: u64 = WEIGHTS
        .iter()
        .enumerate()
        .map(|(k, w)| w * (body / 10u64.pow(8 - k as u32) % 10))
        .sum();
    (10 - sum % 11) % 10
}

impl World {
    pub fn enterprise(&self, e: u32) -> Enterprise {
        let mut r = Rng::new(self.seed, stream::ENTERPRISE, u64::from(e));
        let province = r.weighted(names::province_weights());
        Enterprise {
            index: e,
            province,
            legal_representative: self.draw_adult(&mut r),
            branches: if r.chance(0.2) {
                r.range(1, 3) as u8
            } else {
                0
            },
            kind: match r.below(10) {
                0..=5 => 0,
                6..=8 => 1,
                _ => 2,
            },
            sector: r.below(names::SECTORS.len() as u64) as usize,
            brand: r.below(names::BRANDS.len() as u64) as usize,
            body: u64::from(PROVINCES[province].tax) * 10_000_000
                + self.enterprise_perm.encode(u64::from(e)),
        }
    }

    fn enterprise_json(&self, ent: &Enterprise, branch: u8) -> Value {
        let mut r = Rng::new(self.seed, stream::ENTERPRISE ^ 0x100, u64::from(ent.index));
        let (name_en, short) = ent.names_en();
        let p = &PROVINCES[ent.province];
        let head_office = format!(
            "Số {} đường {}, {}, {}",
            r.range(1, 500),
            r.pick(&names::STREETS),
            r.pick(&p.communes),
            province_name(p)
        );
        let lines: Vec<Value> = (0..r.range(1, 3))
            .map(|_| {
                let (code, name) = r.pick(&names::BUSINESS_LINES);
                json!({ "code": code, "name": name })
            })
            .collect();
        let year = r.range(1995, AS_OF_YEAR as i64 - 1) as i32;
        let registered = day_in_year(&mut r, year);
        let changed = registered + r.below((days(AS_OF_YEAR, 6, 30) - registered) as u64) as i32;
        let status = match r.below(20) {
            0 => "DISSOLVED",
            1 | 2 => "SUSPENDED",
            _ => "ACTIVE",
        };
        let rep = ent.legal_representative;
        let mut v = json!({
            "enterpriseCode": ent.code(),
            "name": ent.name(),
            "nameEn": name_en,
            "shortName": short,
            "headOffice": head_office,
            "legalRepresentative": {
                "fullName": self.full_name(rep),
                "personalId": self.personal_id(rep),
                "title": r.pick(&names::TITLES),
            },
            "businessLines": lines,
            "charterCapitalVnd": r.range(1, 500) * 100_000_000,
            "status": status,
            "registeredOn": ymd(registered),
            "lastChangedOn": ymd(changed),
        });
        if branch > 0 {
            v["enterpriseCode"] = json!(ent.branch_code(branch));
            v["name"] = json!(format!("Chi nhánh {branch} - {}", ent.name()));
            v["nameEn"] = json!(format!("{name_en} - Branch {branch}"));
            v["headOffice"] = json!(format!(
                "Số {} đường {}, {}, {}",
                r.range(1, 500),
                r.pick(&names::STREETS),
                r.pick(&p.communes),
                province_name(p)
            ));
        }
        v
    }

    /// The enterprise (and branch) a well-formed code names, if any; `Err` for a malformed code.
    fn lookup_enterprise(&self, code: &str) -> Result<Option<(Enterprise, u8)>, Malformed> {
        let malformed = || Malformed("invalid_enterprise_code");
        let (main, branch) = match code.len() {
            10 => (digits(code, 10).ok_or_else(malformed)?, 0),
            13 => (
                digits(&code[..10], 10).ok_or_else(malformed)?,
                digits(&code[10..], 3).ok_or_else(malformed)?,
            ),
            _ => return Err(malformed()),
        };
        let body = main / 10;
        if check_digit(body) != main % 10 {
            return Err(malformed());
        }
        let e = self.enterprise_perm.decode(body % 10_000_000);
        if e >= u64::from(self.enterprises) {
            return Ok(None);
        }
        let ent = self.enterprise(e as u32);
        let exists = ent.body == body
            && (code.len() == 10 || (1..=u64::from(ent.branches)).contains(&branch));
        Ok(exists.then_some((ent, branch as u8)))
    }
}

async fn enterprise(State(mock): State<Arc<Mock>>, Path(code): Path<String>) -> Response {
    match mock.world.lookup_enterprise(&code) {
        Ok(Some((ent, branch))) => Json(mock.world.enterprise_json(&ent, branch)).into_response(),
        Ok(None) => fail(StatusCode::NOT_FOUND, "not_found"),
        Err(r) => r.into_response(),
    }
}

pub fn spec() -> Spec {
    let code = oa::path_param("code", "^[0-9]{10}([0-9]{3})?$");
    Spec {
        paths: json!({
            "/enterprises/{code}": { "get": oa::op("An enterprise (10 digits) or a branch (13 digits) by code", &[code], None, "Enterprise") },
        }),
        schemas: json!({
            "Enterprise": oa::object(&[
                ("enterpriseCode", oa::pattern("^[0-9]{10}([0-9]{3})?$")), ("name", oa::string()), ("nameEn", oa::string()),
                ("shortName", oa::string()), ("headOffice", oa::string()),
                ("legalRepresentative", oa::object(&[
                    ("fullName", oa::string()), ("personalId", oa::pattern("^[0-9]{12}$")), ("title", oa::string()),
                ])),
                ("businessLines", oa::array(oa::object(&[("code", oa::pattern("^[0-9]{4}$")), ("name", oa::string())]))),
                ("charterCapitalVnd", oa::integer()), ("status", oa::one_of(&["ACTIVE", "SUSPENDED", "DISSOLVED"])),
                ("registeredOn", oa::date()), ("lastChangedOn", oa::date()),
            ]),
        }),
    }
}
