//! A data-sharing grant: what a lookup in a national database relies on. An agency may read these fields of this
//! service, for this purpose (any declared purpose when none), in this period, this many calls a day.

use sea_orm::entity::prelude::*;

use crate::enums::{GrantOrigin, LegalBasis};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sharing_grants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agency_id: String,
    pub service: String,
    /// The approved request (none for automatic and demonstration grants).
    pub request_id: Option<i64>,
    /// The one purpose granted; `None`: any declared purpose (automatic and demonstration grants).
    pub purpose: Option<LegalBasis>,
    /// The fields granted, comma-separated, sorted.
    pub fields: String,
    /// The legal basis the grant rests on, as text (the request's document number and date, or the configuration).
    pub legal_basis: String,
    pub valid_from_ms: i64,
    /// Excluded: the grant stops working at this instant.
    pub valid_until_ms: i64,
    pub calls_per_day: i32,
    pub origin: GrantOrigin,
    pub revoked_at_ms: Option<i64>,
    pub revoke_reason: Option<String>,
    pub created_at_ms: i64,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
