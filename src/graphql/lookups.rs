//! The lookups the loaders answer: one marker type per way a resolver finds rows (a province by its code, the links
//! of a plan, ...), each naming a sea-orm entity, one of its columns and the key's type, and where they differ the
//! order of a list and the read cache that serves it. Use them as `One<ProvinceByCode>`, `Rows<LinksOfPlan>`,
//! `Count<AgenciesOfProvince>` or `Rows<Top<SystemsOfProvince>>` (see `loaders`); and the per-province aggregates,
//! `Rows<PerProvince<LevelCountRow>>`.

use std::{marker::PhantomData, sync::Arc};

use entities::{
    agency, indicator, information_system, national_database, national_database_link,
    national_database_link_statement, plan, project, project_budget, project_lead_agency, province,
    reported_figure,
};
use sea_orm::DatabaseConnection;

use super::loaders::{Grouped, Lookup};
use crate::{
    cache::{ReadCache, TtlMap},
    error::Result,
    store::batch::{self, ProvinceAggregate},
};

/// Declares lookup markers, one a line: `Name: entity::Column => Key`, then `order [Column, ...]` for lists not in
/// primary-key order and `cache field` for the lookups the shared read cache serves.
macro_rules! lookups {
    ($(
        $(#[$doc:meta])*
        $name:ident: $entity:ident::$column:ident => $key:ty
        $(, order [$($order:ident),+])? $(, cache $cache:ident)?;
    )+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name;

        impl Lookup for $name {
            type Entity = $entity::Entity;
            type Key = $key;
            const COLUMN: $entity::Column = $entity::Column::$column;
            $(const ORDER: &'static [$entity::Column] = &[$($entity::Column::$order),+];)?

            $(fn cache(cache: &ReadCache) -> Option<&TtlMap<$key, Arc<$entity::Model>>> {
                Some(&cache.$cache)
            })?
        }
    )+};
}

lookups! {
    /// A province by its 2-digit code, through the read cache.
    ProvinceByCode: province::Code => String, cache provinces;
    /// An agency by the hub's key, through the read cache.
    AgencyById: agency::Id => String, cache agencies;
    /// A plan by its key.
    PlanById: plan::Id => String;
    /// A national database by its key.
    DatabaseById: national_database::Id => String;
    /// An information system by its code.
    SystemByCode: information_system::Code => String;
    /// A project by its key.
    ProjectByKey: project::Key => String;
    /// An indicator by its key.
    IndicatorByKey: indicator::Key => String;
    /// The links of a national database.
    LinksOfDatabase: national_database_link::NationalDatabaseId => String;
    /// The national-database links of a province.
    LinksOfProvince: national_database_link::ProvinceCode => String;
    /// The national-database links a plan states.
    LinksOfPlan: national_database_link::PlanId => String;
    /// The figures a plan states.
    FiguresOfPlan: reported_figure::PlanId => String;
    /// The projects of a plan.
    ProjectsOfPlan: project::PlanId => String;
    /// The budget lines of a project (by the project's row id).
    BudgetOfProject: project_budget::ProjectId => i64;
    /// The agencies of a province, by name.
    AgenciesOfProvince: agency::ProvinceCode => String, order [Name, Id];
    /// The information systems of a province, by name.
    SystemsOfProvince: information_system::ProvinceCode => String, order [Name, Id];
    /// The projects of a province, in document order.
    ProjectsOfProvince: project::ProvinceCode => String;
    /// Every statement a plan makes about a link, the link's own first.
    StatementsOfLink: national_database_link_statement::LinkId => i64;
    /// The units a project's lead cell names that the registry has, in printed order.
    LeadsOfProject: project_lead_agency::ProjectId => i64, order [Position, Id];
    /// A budget line by its row id (what a restatement points to).
    BudgetLineById: project_budget::Id => i64;
    /// A project by its row id.
    ProjectById: project::Id => i64;
    /// A reported figure by its row id.
    FigureById: reported_figure::Id => i64;
}

/// The rows of a per-province aggregate (`LevelCountRow`, `BudgetBucketRow`) for one province.
pub struct PerProvince<R>(PhantomData<R>);

impl<R: ProvinceAggregate> Grouped for PerProvince<R> {
    type Key = String;
    type Row = R;

    async fn fetch(db: &DatabaseConnection, codes: &[String]) -> Result<Vec<(String, R)>> {
        let rows = batch::per_province::<R>(db, codes).await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.province_code().to_owned(), r))
            .collect())
    }
}
