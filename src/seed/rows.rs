//! The seed's row writers: chunked inserts, and the search index rows collected while seeding.

use entities::{enums::SearchKind, search_entry};
use migrations::search_index;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, DbBackend, EntityTrait, Statement,
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
        self.add_prepared(kind, key.to_owned(), clean(title), fold(title));
    }

    /// [`Self::add`] for a title already cleaned and folded (a bulk load computes both once per row).
    pub(crate) fn add_prepared(
        &mut self,
        kind: SearchKind,
        key: String,
        title: String,
        folded: String,
    ) {
        self.0.push(search_entry::ActiveModel {
            id: NotSet,
            kind: Set(kind),
            node_key: Set(key),
            title: Set(title),
            folded: Set(folded),
        });
    }

    pub(crate) async fn flush(&mut self, txn: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
        insert_chunked(txn, std::mem::take(&mut self.0)).await
    }

    /// [`Self::flush`] for a bulk load, inside the caller's transaction. On SQLite the trigram index is fed by a
    /// per-row trigger, which costs about four times what one `INSERT .. SELECT` over the new rows costs (measured in
    /// bench/RESULTS.md, "Seeding at scale"): the trigger is dropped, the rows written and indexed at once, and the
    /// trigger created again, all in the one transaction, so no committed state lacks it.
    pub(crate) async fn flush_bulk(
        &mut self,
        txn: &impl ConnectionTrait,
    ) -> Result<(), sea_orm::DbErr> {
        if txn.get_database_backend() != DbBackend::Sqlite {
            return self.flush(txn).await;
        }
        let last_id: i64 = txn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT COALESCE(MAX(id), 0) AS last_id FROM search_entries",
            ))
            .await?
            .map(|row| row.try_get("", "last_id"))
            .transpose()?
            .unwrap_or(0);
        txn.execute_unprepared(search_index::SQLITE_DROP_INDEX_ON_INSERT)
            .await?;
        self.flush(txn).await?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            search_index::SQLITE_INDEX_BULK,
            [last_id.into()],
        ))
        .await?;
        txn.execute_unprepared(search_index::SQLITE_INDEX_ON_INSERT)
            .await?;
        Ok(())
    }
}
