//! The prefetch engine: before a connection resolver returns a page, it loads the nested objects the selection asks
//! for (owning agencies, provinces, plans, budget lines) into the request's loader cache, one statement per level. The
//! nested resolvers then answer from the cache, so a page's statement count is fixed whatever its size.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use async_graphql::{dataloader::Loader, Context, Lookahead};
use entities::{agency, information_system, project};

use crate::store::page::Cursor;

use super::{
    context::{loader, RequestLoader},
    loaders::{Catalog, One, Rows},
    lookups::{AgencyById, BudgetOfProject, PlanById, ProvinceByCode},
};

type Res<T> = async_graphql::Result<T>;

/// Which nested fields a connection's selection asks for, under `edges { node }` or `nodes`.
pub struct Wants<'a>(Vec<Lookahead<'a>>);

impl<'a> Wants<'a> {
    pub fn of(ctx: &'a Context<'a>) -> Self {
        let look = ctx.look_ahead();
        Wants(vec![look.field("edges").field("node"), look.field("nodes")])
    }

    /// Whether the selection asks for the field at `path` (GraphQL names) under a node.
    pub fn has(&self, path: &[&str]) -> bool {
        self.0.iter().any(|l| {
            let Some((first, rest)) = path.split_first() else {
                return false;
            };
            rest.iter().fold(l.field(first), |l, f| l.field(f)).exists()
        })
    }
}

/// Loads `keys` at once, without the loader's batching window, and feeds the request's loader cache, so that the
/// nested resolvers that ask for them one by one answer from the cache at once.
async fn prefetch_many<K, V>(
    loader: &RequestLoader,
    keys: impl IntoIterator<Item = K>,
) -> Res<HashMap<K, V>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Catalog: Loader<K, Value = V, Error = async_graphql::Error>,
{
    let mut keys: Vec<K> = keys.into_iter().collect();
    let mut seen = HashSet::with_capacity(keys.len());
    keys.retain(|k| seen.insert(k.clone()));
    if keys.is_empty() {
        return Ok(Default::default());
    }
    let found = loader.loader().load(&keys).await?;
    loader.feed_many(found.clone()).await;
    Ok(found)
}

/// As [`prefetch_many`], for loaders of lists: a key with no rows is cached as an empty list, not asked again.
async fn prefetch_lists<K, V>(loader: &RequestLoader, keys: impl IntoIterator<Item = K>) -> Res<()>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Catalog: Loader<K, Value = Vec<V>, Error = async_graphql::Error>,
{
    let keys: Vec<K> = keys.into_iter().collect();
    let found = prefetch_many(loader, keys.iter().cloned()).await?;
    let empty = keys
        .into_iter()
        .filter(|k| !found.contains_key(k))
        .map(|k| (k, Vec::new()));
    loader.feed_many(empty).await;
    Ok(())
}

/// Loads the owning agencies of a page's rows (the field `agency_field`, keyed by `agency_of`), their provinces when
/// the selection asks for them, and the rows' own provinces (keyed by `province_of`): one statement per level. Keys
/// are collected only for the levels the selection asks for.
async fn owners_and_provinces<M: Sync>(
    ctx: &Context<'_>,
    wants: &Wants<'_>,
    agency_field: &str,
    rows: &[&M],
    agency_of: fn(&M) -> Option<&String>,
    province_of: fn(&M) -> &String,
) -> Res<()> {
    let loader = loader(ctx)?;
    let mut provinces: Vec<One<ProvinceByCode>> = Vec::new();
    if wants.has(&[agency_field]) {
        let agencies = rows.iter().filter_map(|r| agency_of(r).cloned());
        let found = prefetch_many(loader, agencies.map(One::<AgencyById>)).await?;
        if wants.has(&[agency_field, "province"]) {
            provinces.extend(found.values().map(|a| One(a.province_code.clone())));
        }
    }
    if wants.has(&["province"]) {
        provinces.extend(rows.iter().map(|r| One(province_of(r).clone())));
    }
    if !provinces.is_empty() {
        prefetch_many(loader, provinces).await?;
    }
    Ok(())
}

/// The models of a page, without their cursors.
fn models<M>(page: &[(Cursor, M)]) -> Vec<&M> {
    page.iter().map(|(_, m)| m).collect()
}

/// Agencies (and their provinces) and provinces of a page of information systems.
pub async fn prefetch_systems(
    ctx: &Context<'_>,
    page: &[(Cursor, information_system::Model)],
) -> Res<()> {
    let (rows, wants) = (models(page), Wants::of(ctx));
    owners_and_provinces(
        ctx,
        &wants,
        "agency",
        &rows,
        |r| r.agency_id.as_ref(),
        |r| &r.province_code,
    )
    .await
}

/// Lead agencies (and their provinces), provinces, plans and budget lines of a page of projects.
pub async fn prefetch_projects(ctx: &Context<'_>, page: &[(Cursor, project::Model)]) -> Res<()> {
    let (rows, wants) = (models(page), Wants::of(ctx));
    owners_and_provinces(
        ctx,
        &wants,
        "leadAgency",
        &rows,
        |r| r.lead_agency_id.as_ref(),
        |r| &r.province_code,
    )
    .await?;
    let loader = loader(ctx)?;
    if wants.has(&["plan"]) {
        let plans = rows.iter().map(|r| One::<PlanById>(r.plan_id.clone()));
        prefetch_many(loader, plans).await?;
    }
    if ["budget", "budgetSumMillionVnd", "totalMatchesBudget"]
        .iter()
        .any(|f| wants.has(&[f]))
    {
        let budgets = rows.iter().map(|r| Rows::<BudgetOfProject>(r.id));
        prefetch_lists(loader, budgets).await?;
    }
    Ok(())
}

/// Provinces and parents of a page of agencies (not the parents' provinces).
pub async fn prefetch_agencies(ctx: &Context<'_>, page: &[(Cursor, agency::Model)]) -> Res<()> {
    let (rows, wants) = (models(page), Wants::of(ctx));
    let loader = loader(ctx)?;
    if wants.has(&["province"]) {
        let provinces = rows
            .iter()
            .map(|r| One::<ProvinceByCode>(r.province_code.clone()));
        prefetch_many(loader, provinces).await?;
    }
    if wants.has(&["parent"]) {
        let parents = rows.iter().filter_map(|r| r.parent_id.clone());
        prefetch_many(loader, parents.map(One::<AgencyById>)).await?;
    }
    Ok(())
}
