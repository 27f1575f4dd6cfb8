//! CSDL đất đai: a parcel by its 12-digit id (province code + a bijection of its index), and the parcels of an owner
//! (a household head, sometimes with the spouse as co-owner).

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
    data::{digits, province_name, stream, World, NONE},
    fail,
    names::{self, PROVINCES},
    openapi::{self as oa, Spec},
    rng::Rng,
    Malformed, Mock,
};

pub fn routes() -> Router<Arc<Mock>> {
    Router::new()
        .route("/parcels/{parcel_id}", get(by_id))
        .route("/parcels", get(by_owner))
}

impl World {
    pub fn parcel_id(&self, p: u32) -> String {
        let province = PROVINCES[self.parcels[p as usize].province as usize].code;
        format!("{province:02}{:010}", self.parcel_perm.encode(u64::from(p)))
    }

    fn lookup_parcel(&self, s: &str) -> Result<Option<u32>, Malformed> {
        let id = digits(s, 12).ok_or(Malformed("invalid_parcel_id"))?;
        let p = self.parcel_perm.decode(id % 10_000_000_000);
        let found = p < self.parcels.len() as u64
            && u64::from(PROVINCES[self.parcels[p as usize].province as usize].code)
                == id / 10_000_000_000;
        Ok(found.then_some(p as u32))
    }

    fn parcel_json(&self, p: u32) -> Value {
        let parcel = self.parcels[p as usize];
        let mut r = Rng::new(self.seed, stream::PARCEL ^ 0x100, u64::from(p));
        let province = &PROVINCES[parcel.province as usize];
        let land_use = names::LAND_USE[r.weighted(names::LAND_USE.iter().map(|l| l.1))].0;
        let area = match land_use {
            "ODT" => r.range(400, 3_000),
            "ONT" => r.range(1_000, 8_000),
            _ => r.range(5_000, 200_000),
        } as f64
            / 10.0;
        let encumbrances: Vec<String> = match r.below(10) {
            0 | 1 => vec![format!(
                "Thế chấp tại {} - Chi nhánh {}",
                r.pick(&names::BANKS),
                province.name
            )],
            2 => vec!["Đang có tranh chấp, chờ hòa giải tại UBND cấp xã".to_owned()],
            _ => Vec::new(),
        };
        let owners: Vec<Value> = parcel
            .owners
            .iter()
            .filter(|o| **o != NONE)
            .map(|o| self.person_ref(*o))
            .collect();
        let series = ["CS", "CĐ", "DA", "BX"][r.below(4) as usize];
        json!({
            "parcelId": self.parcel_id(p),
            "mapSheetNo": r.range(1, 80),
            "parcelNo": r.range(1, 999),
            "areaM2": area,
            "landUseType": land_use,
            "address": format!("Thửa đất tại {}, {}", r.pick(&province.communes), province_name(province)),
            "certificateNo": format!("{series} {:06}", r.range(1, 999_999)),
            "owners": owners,
            "encumbrances": encumbrances,
        })
    }
}

async fn by_id(State(mock): State<Arc<Mock>>, Path(id): Path<String>) -> Response {
    match mock.world.lookup_parcel(&id) {
        Ok(Some(p)) => Json(mock.world.parcel_json(p)).into_response(),
        Ok(None) => fail(StatusCode::NOT_FOUND, "not_found"),
        Err(r) => r.into_response(),
    }
}

/// An owner with no parcel, or a well-formed number that is no citizen, gets an empty list.
async fn by_owner(State(mock): State<Arc<Mock>>, RawQuery(query): RawQuery) -> Response {
    let query = form(query.unwrap_or_default().as_bytes());
    let Some(id) = query.get("ownerPersonalId") else {
        return fail(StatusCode::BAD_REQUEST, "missing_owner_personal_id");
    };
    let parcels: Vec<Value> = match mock.world.lookup_personal_id(id) {
        Ok(Some(i)) => mock
            .world
            .parcels_of(i)
            .map(|p| mock.world.parcel_json(p))
            .collect(),
        Ok(None) => Vec::new(),
        Err(r) => return r.into_response(),
    };
    Json(json!({ "parcels": parcels })).into_response()
}

pub fn spec() -> Spec {
    Spec {
        paths: json!({
            "/parcels/{parcelId}": { "get": oa::op("A parcel by id", &[oa::path_param("parcelId", "^[0-9]{12}$")], None, "Parcel") },
            "/parcels": { "get": oa::op("The parcels of an owner (possibly none)", &[oa::query_param("ownerPersonalId", "^[0-9]{12}$")], None, "Parcels") },
        }),
        schemas: json!({
            "Parcel": oa::object(&[
                ("parcelId", oa::pattern("^[0-9]{12}$")), ("mapSheetNo", oa::integer()), ("parcelNo", oa::integer()),
                ("areaM2", oa::number()), ("landUseType", oa::one_of(&["ONT", "ODT", "LUC", "CLN", "NTS", "BHK", "RSX"])),
                ("address", oa::string()), ("certificateNo", oa::string()),
                ("owners", oa::array(oa::object(&[("personalId", oa::pattern("^[0-9]{12}$")), ("fullName", oa::string())]))),
                ("encumbrances", oa::array(oa::string())),
            ]),
            "Parcels": oa::object(&[("parcels", oa::array(oa::reference("Parcel")))]),
        }),
    }
}
