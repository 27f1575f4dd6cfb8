//! The seed's row writers: chunked inserts, and the search index rows collected while seeding.

use entities::{enums::SearchKind, search_entry};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, EntityTrait,
};

use crate::text::{clean, fold};

/// Inserts rows in chunks that stay under SQLite's bound-parameter limit.
pub(crate) async fn insert_chunked<A>(
    txn: &impl ConnectionTrait,
    rows: Vec<A>,
) -> Result<(), sea_orm::DbErr>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(500).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Search index rows collected while seeding, written at the end.
#[derive(Default)]
pub(crate) struct SearchRows(Vec<search_entry::ActiveModel>);

impl SearchRows {
    pub(crate) fn add(&mut self, kind: SearchKind, key: &str, title: &str) {
        self.0.push(search_entry::ActiveModel {
            id: NotSet,
            kind: Set(kind),
            node_key: Set(key.to_owned()),
            title: Set(clean(title)),
            folded: Set(fold(title)),
        });
    }

    pub(crate) async fn flush(&mut self, txn: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
        insert_chunked(txn, std::mem::take(&mut self.0)).await
    }
}
