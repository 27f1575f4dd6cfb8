//! A province's LGSP connected (or planned to be) to a national database, as a plan states or an administrator
//! records.

use sea_orm::entity::prelude::*;

use crate::enums::ConnectionStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "national_database_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub national_database_id: String,
    pub province_code: String,
    /// The plan that states the link; null for a link an administrator recorded.
    pub plan_id: Option<String>,
    pub status: ConnectionStatus,
    /// The plan's words; null for a link an administrator recorded.
    pub quote: Option<String>,
    /// The administrator's note on a recorded link.
    pub note: Option<String>,
    /// Optimistic-concurrency version.
    pub version: i32,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
