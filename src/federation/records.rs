//! What the national databases return, as the hub passes it on. Field names follow the upstream contract (the mocks'
//! OpenAPI documents); unknown fields are ignored, so an upstream may add fields without breaking the hub.

use async_graphql::SimpleObject;
use serde::Deserialize;
use serde_json::Value;

/// Keys that hold a person's identification number anywhere in a record.
const PERSONAL_ID_KEYS: [&str; 5] = [
    "personalId",
    "fatherId",
    "motherId",
    "spouseId",
    "householdHeadId",
];

/// Masks every personal identification number in `record` (for callers without `upstream:<name>:identifiers`).
pub fn mask_identifiers(record: &mut Value) {
    match record {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(s) if PERSONAL_ID_KEYS.contains(&key.as_str()) => {
                        *s = crate::codes::mask(s);
                    }
                    other => mask_identifiers(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_identifiers),
        _ => {}
    }
}

/// A citizen in the national population database (CSDL quốc gia về dân cư).
#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Citizen {
    /// Masked (`051******567`) unless the caller holds `upstream:population:identifiers`.
    pub personal_id: String,
    pub full_name: String,
    pub birth_date: String,
    pub sex: String,
    pub nationality: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub hometown: Option<String>,
    pub permanent_address: Option<String>,
    pub temporary_address: Option<String>,
    pub household_head_id: Option<String>,
    pub relation_to_head: Option<String>,
    pub father_id: Option<String>,
    pub mother_id: Option<String>,
    pub spouse_id: Option<String>,
}

/// The answer of a verification: does the number belong to this name and birth date?
#[derive(Debug, Clone, Deserialize, SimpleObject)]
pub struct CitizenVerification {
    #[serde(rename = "match")]
    pub matches: bool,
    #[serde(default)]
    #[graphql(skip)]
    pub fields: Value,
}

#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct PersonRef {
    pub personal_id: Option<String>,
    pub full_name: String,
}

#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct LegalRepresentative {
    pub full_name: String,
    pub personal_id: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize, SimpleObject)]
pub struct BusinessLine {
    pub code: String,
    pub name: String,
}

/// An enterprise in the national business-registration database.
#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Enterprise {
    pub enterprise_code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    pub head_office: Option<String>,
    pub legal_representative: Option<LegalRepresentative>,
    #[serde(default)]
    pub business_lines: Vec<BusinessLine>,
    pub charter_capital_vnd: Option<i64>,
    pub status: Option<String>,
    pub registered_on: Option<String>,
    pub last_changed_on: Option<String>,
}

#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct HealthInsuranceCard {
    pub number: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub initial_clinic: Option<String>,
}

#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    pub from: String,
    pub to: Option<String>,
    pub employer: Option<String>,
    pub salary_base_vnd: Option<i64>,
}

/// A participant in the national insurance database.
#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct InsuranceParticipation {
    pub social_insurance_code: String,
    pub personal_id: Option<String>,
    pub full_name: String,
    pub health_insurance_card: Option<HealthInsuranceCard>,
    #[serde(default)]
    pub contributions: Vec<Contribution>,
    pub benefit_status: Option<String>,
}

/// A land parcel in the land database.
#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct LandParcel {
    pub parcel_id: String,
    pub map_sheet_no: Option<i64>,
    pub parcel_no: Option<i64>,
    pub area_m2: Option<f64>,
    pub land_use_type: Option<String>,
    pub address: Option<String>,
    pub certificate_no: Option<String>,
    #[serde(default)]
    pub owners: Vec<PersonRef>,
    #[serde(default)]
    pub encumbrances: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct BirthRecord {
    pub registration_no: String,
    pub personal_id: Option<String>,
    pub full_name: String,
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    pub registered_at: Option<String>,
    pub registered_on: Option<String>,
}

#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct MarriageRecord {
    pub registration_no: String,
    pub husband: PersonRef,
    pub wife: PersonRef,
    pub registered_on: Option<String>,
    pub registered_at: Option<String>,
    pub status: Option<String>,
}

/// A person's civil-status records (CSDL hộ tịch điện tử).
#[derive(Debug, Clone, SimpleObject)]
pub struct CivilStatus {
    pub birth: Option<BirthRecord>,
    pub marriages: Vec<MarriageRecord>,
}

/// A request for a judicial-record certificate (lý lịch tư pháp) and its status.
#[derive(Debug, Clone, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct JudicialRecordRequest {
    pub request_id: String,
    pub certificate_type: i32,
    pub personal_id: Option<String>,
    pub applicant_name: Option<String>,
    pub status: String,
    pub submitted_on: Option<String>,
    pub expected_on: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_identifier_is_masked_at_any_depth() {
        let mut v = serde_json::json!({
            "personalId": "051203004567", "fullName": "Nguyễn Văn A", "spouseId": "051303004568",
            "legalRepresentative": { "personalId": "042090001234" },
            "owners": [{ "personalId": "091185009999", "fullName": "Lê Thị B" }]
        });
        mask_identifiers(&mut v);
        assert_eq!(v["personalId"], "051******567");
        assert_eq!(v["spouseId"], "051******568");
        assert_eq!(v["legalRepresentative"]["personalId"], "042******234");
        assert_eq!(v["owners"][0]["personalId"], "091******999");
        assert_eq!(v["fullName"], "Nguyễn Văn A");
    }
}
