//! A national database or national system that LGSPs connect to.

use sea_orm::entity::prelude::*;

use crate::enums::NationalDatabaseKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "national_databases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub name_folded: String,
    pub owner: Option<String>,
    pub owner_note: Option<String>,
    pub kind: NationalDatabaseKind,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
