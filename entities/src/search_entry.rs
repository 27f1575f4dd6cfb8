//! One row of the search index: a registry row's title, folded for diacritic-free matching.

use sea_orm::entity::prelude::*;

use crate::enums::SearchKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: SearchKind,
    pub node_key: String,
    pub title: String,
    pub folded: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
