//! A data-sharing request: an agency asks for a service's fields, for a purpose, on a legal basis, for a period, at a
//! frequency, through one of its registered systems; the provider approves (possibly narrowed) or refuses with reasons.

use sea_orm::entity::prelude::*;

use crate::enums::{LegalBasis, RequestState};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sharing_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The requesting agency.
    pub agency_id: String,
    pub service: String,
    /// The legal basis: the document's number and date (`YYYY-MM-DD`).
    pub legal_basis_number: String,
    pub legal_basis_date: String,
    pub purpose: LegalBasis,
    pub purpose_description: String,
    /// The fields asked for, comma-separated, sorted.
    pub fields: String,
    /// The period of validity asked for, in milliseconds since the Unix epoch (`until` excluded).
    pub valid_from_ms: i64,
    pub valid_until_ms: i64,
    /// Expected frequency: calls per day.
    pub calls_per_day: i32,
    /// The requesting system (the connection method): a registered information system of the agency.
    pub system_code: String,
    pub security_commitments: String,
    pub state: RequestState,
    /// The decision's written reasons (required for a refusal).
    pub reasons: Option<String>,
    pub decided_by_agency_id: Option<String>,
    pub created_at_ms: i64,
    pub decided_at_ms: Option<i64>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
