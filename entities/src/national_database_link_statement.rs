//! One more statement a plan makes about a national-database link, beside the one the link cites: the plan's words,
//! what they say of the link, and where. A link whose statements contradict each other is `disputed`.

use sea_orm::entity::prelude::*;

use crate::enums::StatementStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "national_database_link_statements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub link_id: i64,
    pub status: StatementStatus,
    pub quote: String,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
