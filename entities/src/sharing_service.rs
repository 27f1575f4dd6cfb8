//! A national-database service the hub federates, as data-sharing requests and grants name it. Its X-Road identifier,
//! sharing form and fields come from configuration and code (`lgsp_hub::sharing`); the row holds what administrators
//! change: which registered agency decides requests for it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sharing_services")]
pub struct Model {
    /// `population`, `business`, ...: the service's name in `upstream::SERVICES`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub title: String,
    /// The agency that decides requests on the provider's side (set by `registry:admin`).
    pub decider_agency_id: Option<String>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
