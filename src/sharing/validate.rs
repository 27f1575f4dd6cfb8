//! The inputs of the sharing steps, checked field by field: each refusal names its field path (`input.fields.2`).

use entities::enums::LegalBasis;

use super::catalog;
use crate::{
    clock::{day_of, day_of_date, start_of_day, DAY_MS},
    error::{Error, Result},
    federation::LegalPurpose,
    store::sharing::{Decision, NewRequest},
    upstream::SERVICES,
};

/// Longest period a request may ask for: five years.
const MAX_PERIOD_DAYS: i64 = 5 * 366;
/// Most calls a day a request may ask for.
const MAX_CALLS_PER_DAY: i32 = 1_000_000;

impl From<LegalPurpose> for LegalBasis {
    fn from(p: LegalPurpose) -> Self {
        match p {
            LegalPurpose::PublicService => LegalBasis::PublicService,
            LegalPurpose::StateManagement => LegalBasis::StateManagement,
            LegalPurpose::LawEnforcement => LegalBasis::LawEnforcement,
            LegalPurpose::Emergency => LegalBasis::Emergency,
            LegalPurpose::DataSubjectConsent => LegalBasis::DataSubjectConsent,
        }
    }
}

impl From<LegalBasis> for LegalPurpose {
    fn from(b: LegalBasis) -> Self {
        match b {
            LegalBasis::PublicService => LegalPurpose::PublicService,
            LegalBasis::StateManagement => LegalPurpose::StateManagement,
            LegalBasis::LawEnforcement => LegalPurpose::LawEnforcement,
            LegalBasis::Emergency => LegalPurpose::Emergency,
            LegalBasis::DataSubjectConsent => LegalPurpose::DataSubjectConsent,
        }
    }
}

/// A request as the API takes it.
pub struct RequestInput {
    pub service: String,
    pub legal_basis_number: String,
    pub legal_basis_date: String,
    pub purpose: LegalPurpose,
    pub purpose_description: String,
    pub fields: Vec<String>,
    pub valid_from: String,
    pub valid_until: String,
    pub calls_per_day: i32,
    pub system: String,
    pub security_commitments: String,
}

/// What an approval narrows; `None` keeps what was asked.
#[derive(Default)]
pub struct Narrowing {
    pub fields: Option<Vec<String>>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub calls_per_day: Option<i32>,
    pub note: Option<String>,
}

/// `text` cleaned (NFC, trimmed, spaces collapsed), from `min` to `max` characters.
pub(super) fn text(field: &str, text: &str, min: usize, max: usize) -> Result<String> {
    let cleaned = crate::text::clean(text);
    let n = cleaned.chars().count();
    if n < min || n > max {
        return Err(Error::bad_input(
            field,
            format!("`{field}` must have {min} to {max} characters"),
        ));
    }
    Ok(cleaned)
}

/// The day of a date `YYYY-MM-DD`.
fn day(field: &str, date: &str) -> Result<i64> {
    day_of_date(date.trim())
        .ok_or_else(|| Error::bad_input(field, format!("`{field}` must be a date YYYY-MM-DD")))
}

/// The fields of `service` named in `fields` (paths `field.N`), deduplicated and sorted; none is refused.
fn fields(field: &str, service: &str, fields: &[String]) -> Result<Vec<String>> {
    if fields.is_empty() {
        return Err(Error::bad_input(field, "name at least one field"));
    }
    let known = catalog::fields(service);
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let f = f.trim();
        if !known.iter().any(|k| k.name == f) {
            return Err(Error::bad_input(
                format!("{field}.{i}"),
                format!(
                    "`{f}` is not a field of `{service}` (its fields: {})",
                    known.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        out.push(f.to_owned());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A period of whole days in Vietnam: from the start of `from` to the end of `until`.
fn period(from_field: &str, from: &str, until_field: &str, until: &str) -> Result<(i64, i64)> {
    let from_day = day(from_field, from)?;
    let until_day = day(until_field, until)?;
    if until_day < from_day {
        return Err(Error::bad_input(
            until_field,
            format!("`{until_field}` is before `{from_field}`"),
        ));
    }
    if until_day - from_day > MAX_PERIOD_DAYS {
        return Err(Error::bad_input(
            until_field,
            "a period of validity is at most five years",
        ));
    }
    Ok((start_of_day(from_day), start_of_day(until_day + 1)))
}

impl RequestInput {
    /// The request to file, or the first field at fault.
    pub(super) fn validate(self, now_ms: i64) -> Result<NewRequest> {
        if !SERVICES.iter().any(|s| s.name == self.service) {
            return Err(Error::bad_input(
                "input.service",
                format!(
                    "unknown service `{}` (known: {})",
                    self.service,
                    SERVICES.map(|s| s.name).join(", ")
                ),
            ));
        }
        let number = text("input.legalBasis.number", &self.legal_basis_number, 1, 100)?;
        let basis_day = day("input.legalBasis.date", &self.legal_basis_date)?;
        if basis_day > day_of(now_ms) {
            return Err(Error::bad_input(
                "input.legalBasis.date",
                "the legal basis is dated in the future",
            ));
        }
        let description = text(
            "input.purpose.description",
            &self.purpose_description,
            10,
            2000,
        )?;
        let fields = fields("input.fields", &self.service, &self.fields)?;
        let (from, until) = period(
            "input.validFrom",
            &self.valid_from,
            "input.validUntil",
            &self.valid_until,
        )?;
        if until <= now_ms {
            return Err(Error::bad_input(
                "input.validUntil",
                "the period of validity has already ended",
            ));
        }
        if !(1..=MAX_CALLS_PER_DAY).contains(&self.calls_per_day) {
            return Err(Error::bad_input(
                "input.callsPerDay",
                format!("`input.callsPerDay` must be from 1 to {MAX_CALLS_PER_DAY}"),
            ));
        }
        let system = text("input.system", &self.system, 1, 200)?;
        let commitments = text(
            "input.securityCommitments",
            &self.security_commitments,
            10,
            4000,
        )?;
        Ok(NewRequest {
            service: self.service,
            legal_basis_number: number,
            legal_basis_date: self.legal_basis_date.trim().to_owned(),
            purpose: self.purpose.into(),
            purpose_description: description,
            fields,
            valid_from_ms: from,
            valid_until_ms: until,
            calls_per_day: self.calls_per_day,
            system_code: system,
            security_commitments: commitments,
            now_ms,
        })
    }
}

impl Narrowing {
    /// The approval, or the first field at fault (what was asked is checked by the store, which reads it).
    pub(super) fn validate(self) -> Result<Decision> {
        let fields = match self.fields {
            Some(f) if f.is_empty() => {
                return Err(Error::bad_input(
                    "narrowing.fields",
                    "an approval grants at least one field",
                ))
            }
            Some(f) => {
                let mut f: Vec<String> = f.iter().map(|x| x.trim().to_owned()).collect();
                f.sort();
                f.dedup();
                Some(f)
            }
            None => None,
        };
        let from = self
            .valid_from
            .map(|d| day("narrowing.validFrom", &d).map(start_of_day))
            .transpose()?;
        let until = self
            .valid_until
            .map(|d| day("narrowing.validUntil", &d).map(|d| start_of_day(d) + DAY_MS))
            .transpose()?;
        let note = self
            .note
            .map(|n| text("narrowing.note", &n, 1, 4000))
            .transpose()?;
        Ok(Decision::Approve {
            fields,
            valid_from_ms: from,
            valid_until_ms: until,
            calls_per_day: self.calls_per_day,
            note,
        })
    }
}
