//! A provincial digital-transformation plan: the source document of the seed rows.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub province_code: String,
    pub number: Option<String>,
    pub issued_on: Option<String>,
    pub title: String,
    pub title_folded: String,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
