//! The prefetch engine: before a connection resolver returns a page, it loads the nested objects the selection asks
//! for (owning agencies, provinces, plans, budget lines) into the request's loader cache, one statement per level. The
//! nested resolvers then answer from the cache, so a page's statement count is fixed whatever its size.

use async_graphql::Context;

use super::{
    context::{loader, RequestLoader},
    loaders::{AgencyKey, BudgetOfProject, Catalog, PlanKey, ProvinceKey},
};

type Res<T> = async_graphql::Result<T>;

/// Which nested fields a connection's selection asks for, under `edges { node }` or `nodes`.
pub struct Wants<'a>(Vec<async_graphql::Lookahead<'a>>);

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
) -> Res<std::collections::HashMap<K, V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Catalog: async_graphql::dataloader::Loader<K, Value = V, Error = async_graphql::Error>,
{
    use async_graphql::dataloader::Loader;
    let mut keys: Vec<K> = keys.into_iter().collect();
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
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
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Catalog: async_graphql::dataloader::Loader<K, Value = Vec<V>, Error = async_graphql::Error>,
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

/// Loads the owning agencies of a page (under `agency_field`), their provinces when
/// the selection asks for them, and the rows' own provinces: one statement per level. The nested resolvers then read
/// the cache, so the statement count of a page is fixed whatever its size.
async fn prefetch_agencies_and_provinces(
    ctx: &Context<'_>,
    wants: &Wants<'_>,
    agency_field: &str,
    agencies: impl FnOnce() -> Vec<AgencyKey>,
    provinces: impl FnOnce() -> Vec<ProvinceKey>,
) -> Res<()> {
    let loader = loader(ctx)?;
    let mut province_keys: Vec<ProvinceKey> = Vec::new();
    if wants.has(&[agency_field]) {
        let found = prefetch_many(loader, agencies()).await?;
        if wants.has(&[agency_field, "province"]) {
            province_keys.extend(found.values().map(|a| ProvinceKey(a.province_code.clone())));
        }
    }
    if wants.has(&["province"]) {
        province_keys.extend(provinces());
    }
    if !province_keys.is_empty() {
        prefetch_many(loader, province_keys).await?;
    }
    Ok(())
}

/// Agencies (and their provinces) and provinces of a page of information systems.
pub async fn prefetch_systems(
    ctx: &Context<'_>,
    page: &[(String, entities::information_system::Model)],
) -> Res<()> {
    let rows = page.iter().map(|(_, m)| m);
    let wants = Wants::of(ctx);
    // Keys are collected only for the levels the selection asks for.
    let agencies = || {
        rows.clone()
            .filter_map(|r| r.agency_id.clone().map(AgencyKey))
            .collect()
    };
    let provinces = || {
        rows.clone()
            .map(|r| ProvinceKey(r.province_code.clone()))
            .collect()
    };
    prefetch_agencies_and_provinces(ctx, &wants, "agency", agencies, provinces).await
}

/// Lead agencies (and their provinces), provinces, plans and budget lines of a page of projects.
pub async fn prefetch_projects(
    ctx: &Context<'_>,
    page: &[(String, entities::project::Model)],
) -> Res<()> {
    let rows = page.iter().map(|(_, m)| m);
    let wants = Wants::of(ctx);
    let agencies = || {
        rows.clone()
            .filter_map(|r| r.lead_agency_id.clone().map(AgencyKey))
            .collect()
    };
    let provinces = || {
        rows.clone()
            .map(|r| ProvinceKey(r.province_code.clone()))
            .collect()
    };
    prefetch_agencies_and_provinces(ctx, &wants, "leadAgency", agencies, provinces).await?;
    let loader = loader(ctx)?;
    if wants.has(&["plan"]) {
        prefetch_many(loader, rows.clone().map(|r| PlanKey(r.plan_id.clone()))).await?;
    }
    if wants.has(&["budget"])
        || wants.has(&["budgetSumMillionVnd"])
        || wants.has(&["totalMatchesBudget"])
    {
        prefetch_lists(loader, rows.clone().map(|r| BudgetOfProject(r.id))).await?;
    }
    Ok(())
}

/// Provinces and parents of a page of agencies, as [`prefetch_agencies_and_provinces`] does for systems.
pub async fn prefetch_agencies(
    ctx: &Context<'_>,
    page: &[(String, entities::agency::Model)],
) -> Res<()> {
    let rows = page.iter().map(|(_, m)| m);
    let wants = Wants::of(ctx);
    let loader = loader(ctx)?;
    if wants.has(&["province"]) {
        prefetch_many(
            loader,
            rows.clone().map(|r| ProvinceKey(r.province_code.clone())),
        )
        .await?;
    }
    if wants.has(&["parent"]) {
        prefetch_many(
            loader,
            rows.clone()
                .filter_map(|r| r.parent_id.clone().map(AgencyKey)),
        )
        .await?;
    }
    Ok(())
}
