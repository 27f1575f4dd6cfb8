//! One entry of the personal-data access log: metadata of an access, never the data itself. `subject_hash` is a keyed
//! hash of the person's identifier; `hash` chains the entry to the previous one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    pub actor: String,
    pub agency_code: String,
    /// The declared legal purpose (ND 13/2023), e.g. `PUBLIC_SERVICE`.
    pub purpose: String,
    /// The reference the caller gave for the purpose (a case or dossier number).
    pub purpose_ref: String,
    pub upstream: String,
    pub operation: String,
    pub subject_hash: String,
    /// The fields asked of the upstream, comma-separated: the fields returned, unless a later entry records that this
    /// lookup returned nothing (`nothing_returned_for`).
    pub fields: String,
    pub request_id: Option<String>,
    pub prev_hash: String,
    /// The data-sharing grant the access relied on; `None` for entries written before grants existed.
    pub grant_id: Option<i64>,
    /// Set on the entry that records that the lookup logged as entry `seq` returned no data (no such person, or the
    /// upstream failed); `None` on every entry that records a lookup.
    pub nothing_returned_for: Option<i64>,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
