//! A plan target (chỉ tiêu) with its printed value.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "indicators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub key: String,
    pub plan_id: String,
    pub province_code: String,
    pub name: String,
    pub name_folded: String,
    pub value_printed: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub year: Option<i32>,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
