//! The GraphQL schema: assembly, shared state, and one module per concern.

pub mod discrepancy;
pub mod enums;
pub mod ids;
pub mod inputs;
pub mod loaders;
pub mod query;
pub mod types;

use async_graphql::{
    dataloader::{DataLoader, HashMapCache},
    Context, EmptyMutation, EmptySubscription, MergedObject, Schema,
};
use sea_orm::DatabaseConnection;

/// What resolvers need: cheap handles only.
pub struct GqlState {
    pub db: DatabaseConnection,
    pub max_page_size: usize,
}

/// The per-request loader. Its cache lets a connection resolver prefetch the nested objects of a whole page in one
/// statement per level (see `query::prefetch`), so the count of statements does not depend on batching windows.
pub type RequestLoader = DataLoader<loaders::Catalog, HashMapCache>;

/// A fresh loader for one request.
pub fn request_loader(db: &DatabaseConnection) -> RequestLoader {
    DataLoader::with_cache(
        loaders::Catalog { db: db.clone() },
        tokio::spawn,
        HashMapCache::default(),
    )
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a GqlState> {
    ctx.data::<GqlState>()
}

pub(crate) fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a RequestLoader> {
    ctx.data::<RequestLoader>()
}

/// The root query, merged from the domain modules.
#[derive(MergedObject, Default)]
pub struct Query(query::CatalogQuery);

pub type HubSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Limits that keep a single query from exhausting the server.
const MAX_DEPTH: usize = 16;
const MAX_COMPLEXITY: usize = 20_000;

/// Builds the schema over `db`.
pub fn build_schema(db: Option<DatabaseConnection>, max_page_size: usize) -> HubSchema {
    let mut builder = Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY);
    if let Some(db) = db {
        builder = builder.data(GqlState { db, max_page_size });
    }
    builder.finish()
}

/// The schema's SDL, as served on `/schema.graphql` and committed as `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, crate::config::DEFAULT_MAX_PAGE_SIZE).sdl()
}
