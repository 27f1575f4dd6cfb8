//! An information system with its security level (ND 85/2016) and approval state.

use sea_orm::entity::prelude::*;

use crate::enums::ApprovalState;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "information_systems")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_folded: String,
    pub agency_id: Option<String>,
    pub province_code: String,
    pub description: Option<String>,
    pub security_level: Option<i16>,
    pub approval_state: Option<ApprovalState>,
    /// The last approved level; `security_level` is the one under consideration or decided.
    pub approved_level: Option<i16>,
    pub decision_number: Option<String>,
    pub decision_date: Option<String>,
    pub connects_lgsp: Option<bool>,
    pub processes_personal_data: Option<bool>,
    pub version: i32,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
    /// What the plan prints of the security level's approval when it fits no approval state ("chưa được phê duyệt
    /// cấp độ ATTT"), and the line that prints it.
    pub approval_printed: Option<String>,
    pub approval_line: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
