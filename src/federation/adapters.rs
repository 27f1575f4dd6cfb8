//! One adapter per national-database lookup, behind one trait: which service it calls, what it names (for the
//! access log's subject hash), the request (path under the service's base URL, and a body for POST lookups) and how the
//! answer becomes a record. The transport, the purpose, the access log and masking are the same for all of them
//! ([`super::Federation::lookup`]); resolvers only pick an adapter.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::records::{
    BirthRecord, CitizenVerification, Enterprise, InsuranceParticipation, JudicialRecordRequest,
    LandParcel, MarriageRecord,
};
use crate::{
    codes::{PersonalId, TaxCode},
    error::{Error, Result},
    upstream::UpstreamError,
};

/// A lookup in a national database.
pub trait Adapter {
    /// The service: scope `upstream:<SERVICE>:read`, the `/<SERVICE>` prefix of the mocks, the config table.
    const SERVICE: &'static str;
    /// The operation's name in the access log.
    const OPERATION: &'static str;
    type Output: DeserializeOwned;
    /// The kind of identifier the lookup names, and the identifier.
    fn subject(&self) -> (&'static str, &str);
    /// The path under the service's base URL, and the JSON body of a POST lookup.
    fn request(&self) -> (String, Option<Value>);
    /// The record in the upstream's answer (the answer itself unless the record is wrapped).
    fn unwrap(answer: Value) -> Value {
        answer
    }
}

/// Turns an answer into `A`'s record.
pub fn decode<A: Adapter>(answer: Value) -> Result<A::Output> {
    decode_as(A::SERVICE, A::unwrap(answer))
}

/// Turns a record of `service` into `T`; a body that does not fit the contract is `UPSTREAM_UNAVAILABLE`, never shown.
pub fn decode_as<T: DeserializeOwned>(service: &str, record: Value) -> Result<T> {
    serde_json::from_value(record).map_err(|_| Error::Upstream {
        upstream: service.to_owned(),
        cause: UpstreamError::Malformed,
    })
}

/// Population: does this number go with this name and birth date?
pub struct VerifyCitizen {
    pub id: PersonalId,
    pub full_name: String,
    pub birth_date: String,
}

impl Adapter for VerifyCitizen {
    const SERVICE: &'static str = "population";
    const OPERATION: &'static str = "verify";
    type Output = CitizenVerification;
    fn subject(&self) -> (&'static str, &str) {
        ("citizen", self.id.as_str())
    }
    fn request(&self) -> (String, Option<Value>) {
        let body = json!({ "personalId": self.id.as_str(), "fullName": self.full_name, "birthDate": self.birth_date });
        ("/citizens:verify".to_owned(), Some(body))
    }
}

/// Business registration: an enterprise (or branch) by its code.
pub struct EnterpriseByCode(pub TaxCode);

impl Adapter for EnterpriseByCode {
    const SERVICE: &'static str = "business";
    const OPERATION: &'static str = "enterprise";
    type Output = Enterprise;
    fn subject(&self) -> (&'static str, &str) {
        ("enterprise", self.0.as_str())
    }
    fn request(&self) -> (String, Option<Value>) {
        (format!("/enterprises/{}", self.0.as_str()), None)
    }
}

/// Insurance: participation by social-insurance code or by personal number.
pub enum Insurance {
    ByCode(String),
    ByPerson(PersonalId),
}

impl Adapter for Insurance {
    const SERVICE: &'static str = "insurance";
    const OPERATION: &'static str = "participation";
    type Output = InsuranceParticipation;
    fn subject(&self) -> (&'static str, &str) {
        match self {
            Insurance::ByCode(c) => ("social_insurance", c),
            Insurance::ByPerson(p) => ("citizen", p.as_str()),
        }
    }
    fn request(&self) -> (String, Option<Value>) {
        match self {
            Insurance::ByCode(c) => (format!("/participants/{c}"), None),
            Insurance::ByPerson(p) => (format!("/participants?personalId={}", p.as_str()), None),
        }
    }
}

/// Land: the parcels a person owns.
pub struct ParcelsOfOwner(pub PersonalId);

impl Adapter for ParcelsOfOwner {
    const SERVICE: &'static str = "land";
    const OPERATION: &'static str = "parcels";
    type Output = Vec<LandParcel>;
    fn subject(&self) -> (&'static str, &str) {
        ("citizen", self.0.as_str())
    }
    fn request(&self) -> (String, Option<Value>) {
        (
            format!("/parcels?ownerPersonalId={}", self.0.as_str()),
            None,
        )
    }
    fn unwrap(answer: Value) -> Value {
        answer
            .get("parcels")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()))
    }
}

/// Land: one parcel by its id.
pub struct Parcel(pub String);

impl Adapter for Parcel {
    const SERVICE: &'static str = "land";
    const OPERATION: &'static str = "parcel";
    type Output = LandParcel;
    fn subject(&self) -> (&'static str, &str) {
        ("parcel", &self.0)
    }
    fn request(&self) -> (String, Option<Value>) {
        (format!("/parcels/{}", self.0), None)
    }
}

/// Civil status: a person's birth record.
pub struct Birth(pub PersonalId);

impl Adapter for Birth {
    const SERVICE: &'static str = "civil-status";
    const OPERATION: &'static str = "birth";
    type Output = BirthRecord;
    fn subject(&self) -> (&'static str, &str) {
        ("citizen", self.0.as_str())
    }
    fn request(&self) -> (String, Option<Value>) {
        (format!("/births/{}", self.0.as_str()), None)
    }
}

/// Civil status: a person's marriage records.
pub struct Marriages(pub PersonalId);

impl Adapter for Marriages {
    const SERVICE: &'static str = "civil-status";
    const OPERATION: &'static str = "marriages";
    type Output = Vec<MarriageRecord>;
    fn subject(&self) -> (&'static str, &str) {
        ("citizen", self.0.as_str())
    }
    fn request(&self) -> (String, Option<Value>) {
        (format!("/marriages?personalId={}", self.0.as_str()), None)
    }
    fn unwrap(answer: Value) -> Value {
        answer
            .get("marriages")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()))
    }
}

/// Judicial records: the status of a certificate request.
pub struct JudicialRequest(pub String);

impl Adapter for JudicialRequest {
    const SERVICE: &'static str = "judicial";
    const OPERATION: &'static str = "request";
    type Output = JudicialRecordRequest;
    fn subject(&self) -> (&'static str, &str) {
        ("judicial_request", &self.0)
    }
    fn request(&self) -> (String, Option<Value>) {
        (format!("/requests/{}", self.0), None)
    }
}
