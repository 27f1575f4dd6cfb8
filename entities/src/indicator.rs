//! A plan target (chỉ tiêu) with its printed value.

use sea_orm::entity::prelude::*;

use crate::enums::Comparator;

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
    /// How the target relates to its value as printed.
    pub comparator: Comparator,
    /// The printed words that say what is measured, when the row alone does not (a heading, or the sentence the
    /// row's value is one part of).
    pub heading: Option<String>,
    pub heading_line: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
