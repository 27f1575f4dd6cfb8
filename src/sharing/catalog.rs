//! What each federated service can return, and which of it is personal data: the top-level fields of the records its
//! lookups answer with (`federation::records`), the names a request, a grant and a lookup's selection share. A test
//! checks these lists against the GraphQL types, so a field added to a record cannot go unnamed here.

/// A field a service can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// Personal data (Nghị định 13/2023/NĐ-CP, Luật 91/2025/QH15): a lookup selecting it is logged and needs a purpose.
    pub personal: bool,
}

const fn personal(name: &'static str) -> Field {
    Field {
        name,
        personal: true,
    }
}

const fn public(name: &'static str) -> Field {
    Field {
        name,
        personal: false,
    }
}

/// `population`: `citizen`/`citizens` (`Citizen`) and `verifyCitizen` (`CitizenVerification.matches`).
const POPULATION: &[Field] = &[
    personal("personalId"),
    personal("fullName"),
    personal("birthDate"),
    personal("sex"),
    personal("nationality"),
    personal("ethnicity"),
    personal("religion"),
    personal("hometown"),
    personal("permanentAddress"),
    personal("temporaryAddress"),
    personal("householdHeadId"),
    personal("relationToHead"),
    personal("fatherId"),
    personal("motherId"),
    personal("spouseId"),
    personal("matches"),
];

/// `business`: `enterprise` (`Enterprise`); only the legal representative is personal.
const BUSINESS: &[Field] = &[
    public("enterpriseCode"),
    public("name"),
    public("nameEn"),
    public("shortName"),
    public("headOffice"),
    personal("legalRepresentative"),
    public("businessLines"),
    public("charterCapitalVnd"),
    public("status"),
    public("registeredOn"),
    public("lastChangedOn"),
];

/// `insurance`: `insurance` (`InsuranceParticipation`).
const INSURANCE: &[Field] = &[
    personal("socialInsuranceCode"),
    personal("personalId"),
    personal("fullName"),
    personal("healthInsuranceCard"),
    personal("contributions"),
    personal("benefitStatus"),
];

/// `land`: `landParcels` (`LandParcel`); the owners are personal.
const LAND: &[Field] = &[
    public("parcelId"),
    public("mapSheetNo"),
    public("parcelNo"),
    public("areaM2"),
    public("landUseType"),
    public("address"),
    public("certificateNo"),
    personal("owners"),
    public("encumbrances"),
];

/// `civil-status`: `civilStatus` (`CivilStatus`): the birth record and the marriage records.
const CIVIL_STATUS: &[Field] = &[personal("birth"), personal("marriages")];

/// `judicial`: `judicialRecordRequest` (`JudicialRecordRequest`).
const JUDICIAL: &[Field] = &[
    public("requestId"),
    public("certificateType"),
    personal("personalId"),
    personal("applicantName"),
    public("status"),
    public("submittedOn"),
    public("expectedOn"),
];

/// The fields of `service` (empty for a service the hub does not know).
pub fn fields(service: &str) -> &'static [Field] {
    match service {
        "population" => POPULATION,
        "business" => BUSINESS,
        "insurance" => INSURANCE,
        "land" => LAND,
        "civil-status" => CIVIL_STATUS,
        "judicial" => JUDICIAL,
        _ => &[],
    }
}

/// The top-level field of a selected path (`birth.fullName` → `birth`).
pub fn top(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields of GraphQL object `ty` in the schema's SDL.
    fn sdl_fields(sdl: &str, ty: &str) -> Vec<String> {
        let start = sdl
            .find(&format!("type {ty} {{"))
            .unwrap_or_else(|| panic!("no type {ty}"));
        let body = &sdl[start..];
        let end = body.find("\n}").unwrap_or(body.len());
        let mut in_description = false;
        let mut out = Vec::new();
        for line in body[..end].lines().skip(1).map(str::trim) {
            if line == "\"\"\"" {
                in_description = !in_description;
                continue;
            }
            if in_description || line.is_empty() || line.starts_with('"') {
                continue;
            }
            if let Some(name) = line.split([':', '(']).next() {
                out.push(name.trim().to_owned());
            }
        }
        out
    }

    #[test]
    fn every_record_field_is_in_the_catalog_and_nothing_else() {
        let sdl = crate::graphql::sdl();
        let cases: [(&str, &[&str]); 6] = [
            ("population", &["Citizen", "CitizenVerification"]),
            ("business", &["Enterprise"]),
            ("insurance", &["InsuranceParticipation"]),
            ("land", &["LandParcel"]),
            ("civil-status", &["CivilStatus"]),
            ("judicial", &["JudicialRecordRequest"]),
        ];
        for (service, types) in cases {
            let mut expected: Vec<String> =
                types.iter().flat_map(|t| sdl_fields(&sdl, t)).collect();
            expected.sort();
            expected.dedup();
            let mut listed: Vec<String> =
                fields(service).iter().map(|f| f.name.to_owned()).collect();
            listed.sort();
            assert_eq!(listed, expected, "{service}");
        }
        for s in crate::upstream::SERVICES {
            assert!(!fields(s.name).is_empty(), "{}", s.name);
        }
    }
}
