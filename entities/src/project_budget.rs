//! One printed amount of a project: per year and/or per funding source.

use sea_orm::entity::prelude::*;

use crate::enums::FundingSource;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_budgets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub year: Option<i32>,
    pub amount_printed: String,
    pub amount_vnd: Option<i64>,
    pub funding_source: Option<FundingSource>,
    /// The funding column as printed (e.g. "Ngân sách huyện - CTX").
    pub funding_printed: Option<String>,
    pub source_line: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
