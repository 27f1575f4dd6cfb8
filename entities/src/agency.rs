//! An agency; `id` is the hub's own key, `code` the official QĐ 20/2020 code where one is known.

use sea_orm::entity::prelude::*;

use crate::enums::{AgencyKind, ApprovalRole};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agencies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub code: Option<String>,
    pub name: String,
    pub name_folded: String,
    pub kind: AgencyKind,
    pub province_code: String,
    pub parent_id: Option<String>,
    /// Where the agency acts in the ND 85 approval workflow.
    pub approval_role: Option<ApprovalRole>,
    /// Optimistic-concurrency version; 1 as seeded or created, +1 per administrator edit.
    pub version: i32,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
