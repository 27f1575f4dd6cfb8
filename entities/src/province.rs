//! Province: administrative code (QĐ 124/2004, QĐ 19/2025), name, and the 2025 merger.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "provinces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub slug: String,
    pub name: String,
    pub name_folded: String,
    pub committee_name: String,
    pub agency_code: Option<String>,
    pub agency_code_note: Option<String>,
    pub merged_into_code: Option<String>,
    pub merged_into_name: Option<String>,
    pub merger_resolution: Option<String>,
    pub merger_effective: Option<String>,
    pub merger_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
