//! DataLoaders: nested fields ask for one key each, and the loader answers a whole page's keys in one statement.
//!
//! One loader type, [`Catalog`], serves every key type (one `Loader` impl per key newtype). It keeps no cache, so it is
//! shared by all requests and batches concurrent requests together as well.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entities::{
    agency, indicator, information_system, national_database, national_database_link, plan,
    project, project_budget, province, reported_figure,
};
use sea_orm::DatabaseConnection;

use crate::store::{
    batch::{self, group_by, BudgetBucketRow, LevelCountRow},
    cache::ReadCache,
};

/// The batch loader over the catalog.
pub struct Catalog {
    pub db: DatabaseConnection,
    pub cache: Arc<ReadCache>,
}

type LoadResult<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

macro_rules! by_key {
    ($key:ident, $model:ty, $fetch:path, |$m:ident| $key_expr:expr) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub String);

        impl Loader<$key> for Catalog {
            type Value = $model;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $model> {
                let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
                let rows = $fetch(&self.db, &ids).await?;
                Ok(rows.into_iter().map(|$m| ($key($key_expr), $m)).collect())
            }
        }
    };
}

/// Like `by_key!`, through a map of the shared read cache: hits cost no statement, misses load in one.
macro_rules! cached_by_key {
    ($key:ident, $model:ty, $fetch:path, $cache:ident, |$m:ident| $key_expr:expr) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub String);

        impl Loader<$key> for Catalog {
            type Value = $model;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $model> {
                let mut out = HashMap::with_capacity(keys.len());
                let mut missing = Vec::new();
                for k in keys {
                    match self.cache.$cache.get(&k.0) {
                        Some(hit) => {
                            out.insert(k.clone(), hit);
                        }
                        None => missing.push(k.0.clone()),
                    }
                }
                if !missing.is_empty() {
                    for $m in $fetch(&self.db, &missing).await? {
                        let key = $key_expr;
                        self.cache.$cache.put(key.clone(), $m.clone());
                        out.insert($key(key), $m);
                    }
                }
                Ok(out)
            }
        }
    };
}

cached_by_key!(
    ProvinceKey,
    province::Model,
    batch::provinces,
    provinces,
    |m| m.code.clone()
);
cached_by_key!(AgencyKey, agency::Model, batch::agencies, agencies, |m| m
    .id
    .clone());
by_key!(PlanKey, plan::Model, batch::plans, |m| m.id.clone());
by_key!(
    DatabaseKey,
    national_database::Model,
    batch::national_databases,
    |m| m.id.clone()
);
by_key!(
    SystemCode,
    information_system::Model,
    batch::systems_by_code,
    |m| m.code.clone()
);
by_key!(ProjectKey, project::Model, batch::projects_by_key, |m| m
    .key
    .clone());
by_key!(
    IndicatorKey,
    indicator::Model,
    batch::indicators_by_key,
    |m| m.key.clone()
);

macro_rules! grouped {
    ($key:ident, $model:ty, $fetch:path, |$m:ident| $key_expr:expr) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub String);

        impl Loader<$key> for Catalog {
            type Value = Vec<$model>;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Vec<$model>> {
                let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
                let rows = $fetch(&self.db, &ids).await?;
                Ok(group_by(rows, |$m| $key($key_expr)))
            }
        }
    };
}

grouped!(
    LinksOfDatabase,
    national_database_link::Model,
    batch::links_by_database,
    |m| m.national_database_id.clone()
);
grouped!(
    LinksOfProvince,
    national_database_link::Model,
    batch::links_by_province,
    |m| m.province_code.clone()
);
grouped!(
    FiguresOfPlan,
    reported_figure::Model,
    batch::figures_by_plan,
    |m| m.plan_id.clone()
);
grouped!(
    ProjectsOfPlan,
    project::Model,
    batch::projects_by_plan,
    |m| m.plan_id.clone()
);
grouped!(
    LinksOfPlan,
    national_database_link::Model,
    batch::links_by_plan,
    |m| m.plan_id.clone().unwrap_or_default()
);
grouped!(
    SystemLevelsOfProvince,
    LevelCountRow,
    batch::levels_per_province,
    |m| m.province_code.clone()
);
grouped!(
    BudgetOfProvince,
    BudgetBucketRow,
    batch::budget_per_province,
    |m| m.province_code.clone()
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BudgetOfProject(pub i64);

impl Loader<BudgetOfProject> for Catalog {
    type Value = Vec<project_budget::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[BudgetOfProject]) -> LoadResult<BudgetOfProject, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = batch::budgets_by_project(&self.db, &ids).await?;
        Ok(group_by(rows, |m| BudgetOfProject(m.project_id)))
    }
}

/// Which registry a per-province list or count reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProvinceList {
    Agencies,
    Systems,
    Projects,
}

impl ProvinceList {
    fn table(self) -> &'static str {
        match self {
            ProvinceList::Agencies => "agencies",
            ProvinceList::Systems => "information_systems",
            ProvinceList::Projects => "projects",
        }
    }
}

/// Row count of a registry in one province.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountInProvince(pub ProvinceList, pub String);

impl Loader<CountInProvince> for Catalog {
    type Value = i64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[CountInProvince]) -> LoadResult<CountInProvince, i64> {
        let mut out = HashMap::new();
        for list in [
            ProvinceList::Agencies,
            ProvinceList::Systems,
            ProvinceList::Projects,
        ] {
            let codes: Vec<String> = keys
                .iter()
                .filter(|k| k.0 == list)
                .map(|k| k.1.clone())
                .collect();
            if codes.is_empty() {
                continue;
            }
            for row in batch::counts_per_province(&self.db, list.table(), &codes).await? {
                out.insert(CountInProvince(list, row.province_code), row.n);
            }
        }
        Ok(out)
    }
}

/// The first `n` rows of a registry in one province (the preview lists on `Province`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopInProvince(pub String, pub u64);

macro_rules! top_loader {
    ($key:ident, $model:ty, $fetch:path) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub TopInProvince);

        impl Loader<$key> for Catalog {
            type Value = Vec<$model>;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Vec<$model>> {
                let mut limits: HashMap<u64, Vec<String>> = HashMap::new();
                for k in keys {
                    limits.entry(k.0 .1).or_default().push(k.0 .0.clone());
                }
                let mut out = HashMap::new();
                for (limit, codes) in limits {
                    let rows = $fetch(&self.db, &codes, limit).await?;
                    for (code, rows) in group_by(rows, |m| m.province_code.clone()) {
                        out.insert($key(TopInProvince(code, limit)), rows);
                    }
                }
                Ok(out)
            }
        }
    };
}

top_loader!(TopAgencies, agency::Model, batch::top_agencies_per_province);
top_loader!(
    TopSystems,
    information_system::Model,
    batch::top_systems_per_province
);
top_loader!(
    TopProjects,
    project::Model,
    batch::top_projects_per_province
);

// Keep the row types nameable for resolvers.
pub type LevelRow = LevelCountRow;
pub type BudgetRow = BudgetBucketRow;
