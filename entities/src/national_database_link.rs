//! A province's LGSP connected (or planned to be) to a national database, as a plan states.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "national_database_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub national_database_id: String,
    pub province_code: String,
    pub plan_id: String,
    pub status: String,
    pub quote: String,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
