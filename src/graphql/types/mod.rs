//! The registry types as GraphQL sees them: wrappers over entity models, with resolvers for nested fields. Nested
//! objects always go through the request's [`Catalog`](super::loaders::Catalog) loader, never one query per row.
//!
//! This module owns the wrapper structs, which object is found by which lookup ([`Wrapper`]), and the helpers every
//! resolver uses to load one ([`load`]) or a list ([`rows`]). Each submodule holds the `#[Object]` resolvers of one
//! concern and imports the structs from here only, so the object graph's cycles (an agency's province, a province's
//! agencies) are no module cycles.

mod agency;
pub mod discrepancy;
mod national_database;
mod plan;
mod project;
mod province;
pub mod source;
mod system;
pub mod upstream;

use std::sync::Arc;

use async_graphql::Context;

use super::{
    context::{loader, state},
    loaders::{Grouped, Lookup, Model, One, Rows},
    lookups,
};
use crate::error::Error;

type Res<T> = async_graphql::Result<T>;

/// A province (tỉnh) as the seed plans name it, with what it became in the 2025 merger.
pub struct Province(pub Arc<entities::province::Model>);

/// A provincial digital-transformation plan: the source document of the seed rows.
pub struct Plan(pub Arc<entities::plan::Model>);

/// An agency (cơ quan, đơn vị).
pub struct Agency(pub Arc<entities::agency::Model>);

/// An information system (hệ thống thông tin) with its security level.
pub struct InformationSystem(pub Arc<entities::information_system::Model>);

/// A funded project or task of a plan.
pub struct Project(pub Arc<entities::project::Model>);

/// A national database or national system that provincial LGSPs connect to.
pub struct NationalDatabase(pub Arc<entities::national_database::Model>);

/// A plan's statement that a province's LGSP is connected to a national database, or will be; or the same fact as an
/// administrator recorded it (no plan, no quote, no source: see `note` and the audit trail).
pub struct NationalDatabaseLink(pub Arc<entities::national_database_link::Model>);

/// A plan target (chỉ tiêu).
pub struct Indicator(pub Arc<entities::indicator::Model>);

/// An aggregate a plan states (a count, a total), kept as printed.
pub struct ReportedFigure(pub Arc<entities::reported_figure::Model>);

/// Declares how each object is made from a row read on its own (not shared through the loader).
macro_rules! from_row {
    ($($wrapper:ident: $entity:ident),+ $(,)?) => {$(
        impl $wrapper {
            pub fn from_row(row: entities::$entity::Model) -> Self {
                $wrapper(Arc::new(row))
            }
        }
    )+};
}

from_row!(
    Province: province,
    Plan: plan,
    Agency: agency,
    InformationSystem: information_system,
    Project: project,
    NationalDatabase: national_database,
    NationalDatabaseLink: national_database_link,
    Indicator: indicator,
    ReportedFigure: reported_figure,
);

/// A GraphQL object over one row, and the lookup that finds it by its key.
pub trait Wrapper: Sized {
    type Lookup: Lookup;

    fn wrap(row: Arc<Model<Self::Lookup>>) -> Self;
}

/// Declares the lookup that finds each wrapper's row by the wrapper's key.
macro_rules! found_by {
    ($($wrapper:ident: $lookup:ident),+ $(,)?) => {$(
        impl Wrapper for $wrapper {
            type Lookup = lookups::$lookup;

            fn wrap(row: Arc<Model<lookups::$lookup>>) -> Self {
                $wrapper(row)
            }
        }
    )+};
}

found_by!(
    Province: ProvinceByCode,
    Plan: PlanById,
    Agency: AgencyById,
    InformationSystem: SystemByCode,
    Project: ProjectByKey,
    NationalDatabase: DatabaseById,
    Indicator: IndicatorByKey,
);

/// The object `W` whose key is `key`, through the request's loader; none when there is no key or no such row.
pub async fn load<'k, W: Wrapper>(
    ctx: &Context<'_>,
    key: impl Into<Option<&'k <W::Lookup as Lookup>::Key>>,
) -> Res<Option<W>> {
    let Some(key) = key.into() else {
        return Ok(None);
    };
    let row = loader(ctx)?.load_one(One::<W::Lookup>(key.clone())).await?;
    Ok(row.map(W::wrap))
}

/// The rows of `key` under `G`, through the request's loader (empty when it has none).
pub async fn rows<G: Grouped>(ctx: &Context<'_>, key: G::Key) -> Res<Vec<G::Row>> {
    Ok(loader(ctx)?
        .load_one(Rows::<G>(key))
        .await?
        .unwrap_or_default())
}

/// A nested list's `first`, bounded by the same maximum page size as the root connections.
fn preview_size(ctx: &Context<'_>, first: i32) -> Res<u64> {
    let max = state(ctx)?.store.max_page_size;
    match usize::try_from(first) {
        Ok(n) if n <= max => Ok(n as u64),
        _ => Err(Error::bad_input("first", format!("`first` must be between 0 and {max}")).into()),
    }
}
