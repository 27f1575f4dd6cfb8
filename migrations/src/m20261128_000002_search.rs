//! The search index: one row per searchable registry row, with its title folded (no diacritics, `đ` → `d`, lower
//! case) so that `ha tinh`, `HA TINH` and `Hà Tĩnh` meet. Exact and prefix matches use the B-tree on `folded` (binary
//! collation, so the range scan is valid on PostgreSQL too); substring matches use a trigram index: `pg_trgm` on
//! PostgreSQL, an FTS5 trigram table kept in sync by triggers on SQLite.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite: the trigger that feeds each new search entry to the trigram index. A bulk load may drop it inside its
/// transaction, index its rows with one statement ([`SQLITE_INDEX_BULK`]) and create it again before committing.
pub const SQLITE_INDEX_ON_INSERT: &str =
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
                        INSERT INTO search_trigrams(rowid, folded) VALUES (new.id, new.folded);
                     END";

/// SQLite: indexes the search entries whose id is above `?` (the bulk load's rows) in one statement.
pub const SQLITE_INDEX_BULK: &str =
    "INSERT INTO search_trigrams(rowid, folded) SELECT id, folded FROM search_entries WHERE id > ?";

/// SQLite: drops [`SQLITE_INDEX_ON_INSERT`] for the span of a bulk load's transaction.
pub const SQLITE_DROP_INDEX_ON_INSERT: &str = "DROP TRIGGER search_entries_ai";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    r#"CREATE TABLE search_entries (
                        id BIGSERIAL PRIMARY KEY,
                        kind VARCHAR NOT NULL,
                        node_key VARCHAR NOT NULL,
                        title TEXT NOT NULL,
                        folded TEXT COLLATE "C" NOT NULL
                    )"#,
                )
                .await?;
                db.execute_unprepared("CREATE INDEX ix_search_folded ON search_entries (folded)")
                    .await?;
                // pg_trgm ships with PostgreSQL's contrib; without it substring search still works, by a scan.
                let trgm = db
                    .execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await;
                if trgm.is_ok() {
                    db.execute_unprepared(
                        "CREATE INDEX ix_search_folded_trgm ON search_entries USING gin (folded gin_trgm_ops)",
                    )
                    .await?;
                }
            }
            _ => {
                db.execute_unprepared(
                    "CREATE TABLE search_entries (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        node_key TEXT NOT NULL,
                        title TEXT NOT NULL,
                        folded TEXT NOT NULL
                    )",
                )
                .await?;
                db.execute_unprepared("CREATE INDEX ix_search_folded ON search_entries (folded)")
                    .await?;
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE search_trigrams USING fts5(folded, content='search_entries', content_rowid='id', tokenize='trigram')",
                )
                .await?;
                db.execute_unprepared(SQLITE_INDEX_ON_INSERT).await?;
                db.execute_unprepared(
                    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
                        INSERT INTO search_trigrams(search_trigrams, rowid, folded) VALUES ('delete', old.id, old.folded);
                     END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
                        INSERT INTO search_trigrams(search_trigrams, rowid, folded) VALUES ('delete', old.id, old.folded);
                        INSERT INTO search_trigrams(rowid, folded) VALUES (new.id, new.folded);
                     END",
                )
                .await?;
            }
        }
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_search_node ON search_entries (kind, node_key)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared("DROP TABLE IF EXISTS search_trigrams")
                .await?;
        }
        db.execute_unprepared("DROP TABLE IF EXISTS search_entries")
            .await?;
        Ok(())
    }
}
