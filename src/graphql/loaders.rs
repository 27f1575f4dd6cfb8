//! DataLoaders: nested fields ask for one key each, and the loader answers a whole page's keys in one statement.
//!
//! One loader type, [`Catalog`], serves every key, through three generic key types:
//! - [`One<L>`]: the row whose unique column is the key, through the shared read cache where the [`Lookup`] has one;
//! - [`Rows<G>`]: the list of rows of a key, for any [`Grouped`] read (rows of a column, aggregates, previews);
//! - [`Count<L>`]: how many rows have the key.
//!
//! A lookup is a marker type (see `lookups`) naming an entity and one of its columns, so tables are named by sea-orm
//! entities, never by strings. `Catalog` keeps no cache of its own (the request's `DataLoader` does, and the shared
//! read cache for the lookups that name one).

use std::{
    collections::HashMap,
    future::Future,
    hash::{Hash, Hasher},
    marker::PhantomData,
    sync::Arc,
};

use async_graphql::dataloader::Loader;
use sea_orm::{sea_query::ValueType, DatabaseConnection, EntityTrait, ModelTrait, Value};

use crate::{
    cache::{ReadCache, TtlMap},
    error::Result,
    store::batch,
};

/// The batch loader over the catalog.
pub struct Catalog {
    pub db: DatabaseConnection,
    pub cache: Arc<ReadCache>,
}

type LoadResult<K, V> = std::result::Result<HashMap<K, V>, async_graphql::Error>;

/// The row type a lookup finds.
pub type Model<L> = <<L as Lookup>::Entity as EntityTrait>::Model;

/// The rows of one entity whose one column has a given value. Implemented by marker types, one per lookup.
pub trait Lookup: Clone + Copy + Eq + Hash + Send + Sync + 'static {
    type Entity: EntityTrait<Model: Sync>;
    /// The column's Rust type: `String` for codes and keys, `i64` for row ids.
    type Key: Clone + Eq + Hash + Send + Sync + Into<Value> + ValueType + 'static;
    const COLUMN: <Self::Entity as EntityTrait>::Column;
    /// The order of a list of rows; empty: by primary key.
    const ORDER: &'static [<Self::Entity as EntityTrait>::Column] = &[];

    /// The shared read cache's map for this lookup, when it has one.
    fn cache(_: &ReadCache) -> Option<&TtlMap<Self::Key, Arc<Model<Self>>>> {
        None
    }
}

/// The key of `row` under `L`; none for a null column (which an `IN` filter never matches).
fn key_of<L: Lookup>(row: &Model<L>) -> Option<L::Key> {
    <L::Key as ValueType>::try_from(row.get(L::COLUMN)).ok()
}

/// The row whose (unique) `L::COLUMN` is the key. Shared (`Arc`): the read cache, the request's loader and every
/// field that finds the row hold the same one, so a page of 20 rows naming the same few agencies copies none of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct One<L: Lookup>(pub L::Key);

impl<L: Lookup> Loader<One<L>> for Catalog {
    type Value = Arc<Model<L>>;
    type Error = async_graphql::Error;

    /// Cache hits cost no statement; the misses load in one.
    async fn load(&self, keys: &[One<L>]) -> LoadResult<One<L>, Arc<Model<L>>> {
        let cache = L::cache(&self.cache);
        let mut out = HashMap::with_capacity(keys.len());
        let mut missing = Vec::new();
        for k in keys {
            match cache.and_then(|c| c.get(&k.0)) {
                Some(hit) => {
                    out.insert(k.clone(), hit);
                }
                None => missing.push(k.0.clone()),
            }
        }
        if !missing.is_empty() {
            for row in batch::by_column::<L::Entity, _>(&self.db, L::COLUMN, missing, &[]).await? {
                let Some(key) = key_of::<L>(&row) else {
                    continue;
                };
                let row = Arc::new(row);
                if let Some(cache) = cache {
                    cache.put(key.clone(), row.clone());
                }
                out.insert(One(key), row);
            }
        }
        Ok(out)
    }
}

/// A batch read whose keys each name a list of rows.
pub trait Grouped: Send + Sync + 'static {
    type Key: Clone + Eq + Hash + Send + Sync + 'static;
    type Row: Clone + Send + Sync + 'static;

    /// The rows of `keys`, each with its key.
    fn fetch(
        db: &DatabaseConnection,
        keys: &[Self::Key],
    ) -> impl Future<Output = Result<Vec<(Self::Key, Self::Row)>>> + Send;
}

/// Every lookup is a grouped read: the rows whose `L::COLUMN` is the key, in `L::ORDER`, in one statement.
impl<L: Lookup> Grouped for L {
    type Key = L::Key;
    type Row = Model<L>;

    async fn fetch(db: &DatabaseConnection, keys: &[L::Key]) -> Result<Vec<(L::Key, Model<L>)>> {
        let rows = batch::by_column::<L::Entity, _>(db, L::COLUMN, keys.to_vec(), L::ORDER).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| Some((key_of::<L>(&row)?, row)))
            .collect())
    }
}

/// The rows of a key under `G`; a key without rows gets an empty list.
pub struct Rows<G: Grouped>(pub G::Key);

// By hand: a derive would ask the marker `G` to be `Clone`, `Eq` and `Hash` too, not only its key.
impl<G: Grouped> Clone for Rows<G> {
    fn clone(&self) -> Self {
        Rows(self.0.clone())
    }
}

impl<G: Grouped> PartialEq for Rows<G> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<G: Grouped> Eq for Rows<G> {}

impl<G: Grouped> Hash for Rows<G> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<G: Grouped> Loader<Rows<G>> for Catalog {
    type Value = Vec<G::Row>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Rows<G>]) -> LoadResult<Rows<G>, Vec<G::Row>> {
        let keys: Vec<G::Key> = keys.iter().map(|k| k.0.clone()).collect();
        let mut out: HashMap<Rows<G>, Vec<G::Row>> = HashMap::new();
        for (key, row) in G::fetch(&self.db, &keys).await? {
            out.entry(Rows(key)).or_default().push(row);
        }
        Ok(out)
    }
}

/// The first rows of each key under `L`, in `L::ORDER`: keys are `(key, how many)`, one statement per distinct count.
pub struct Top<L>(PhantomData<L>);

impl<L: Lookup<Key = String>> Grouped for Top<L> {
    type Key = (String, u64);
    type Row = Model<L>;

    async fn fetch(
        db: &DatabaseConnection,
        keys: &[(String, u64)],
    ) -> Result<Vec<(Self::Key, Model<L>)>> {
        let mut limits: HashMap<u64, Vec<String>> = HashMap::new();
        for (key, limit) in keys {
            limits.entry(*limit).or_default().push(key.clone());
        }
        let mut out = Vec::new();
        for (limit, keys) in limits {
            let rows =
                batch::top_by_column::<L::Entity>(db, L::COLUMN, L::ORDER, &keys, limit).await?;
            out.extend(
                rows.into_iter()
                    .filter_map(|row| Some(((key_of::<L>(&row)?, limit), row))),
            );
        }
        Ok(out)
    }
}

/// How many rows have the key under `L` (keys without rows are left out).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Count<L: Lookup>(pub L::Key);

impl<L: Lookup<Key = String>> Loader<Count<L>> for Catalog {
    type Value = i64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Count<L>]) -> LoadResult<Count<L>, i64> {
        let keys: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let counts = batch::counts_by_column::<L::Entity>(&self.db, L::COLUMN, &keys).await?;
        Ok(counts.into_iter().map(|(key, n)| (Count(key), n)).collect())
    }
}
