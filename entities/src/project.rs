//! A funded project or task of a plan; amounts as printed and, where the unit is printed, in VND.

use sea_orm::entity::prelude::*;

use crate::enums::{FundingSource, MoneyUnit};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub key: String,
    #[sea_orm(column_name = "ref")]
    pub reference: Option<String>,
    pub name: String,
    pub name_folded: String,
    /// The lead agency when the lead cell names one unit the registry has; see `project_lead_agencies` for all.
    pub lead_agency_id: Option<String>,
    pub province_code: String,
    pub plan_id: String,
    pub year_start: Option<i32>,
    pub year_end: Option<i32>,
    pub funding_source: Option<FundingSource>,
    pub funding_printed: Option<String>,
    pub status: Option<String>,
    pub total_printed: Option<String>,
    pub total_vnd: Option<i64>,
    /// The printed total as a number, in the table's own (possibly unprinted) unit.
    pub total_number: Option<f64>,
    pub unit: Option<MoneyUnit>,
    pub unit_line: Option<i32>,
    /// Optimistic-concurrency version; 1 as seeded or created, +1 per administrator edit.
    pub version: i32,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
    /// The lead cell (cơ quan chủ trì) as printed, one unit or several.
    pub lead_printed: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
