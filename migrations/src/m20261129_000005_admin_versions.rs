//! Registry administration: a `version` for optimistic concurrency on agencies, projects and national-database links,
//! and connections an administrator records rather than a plan states.
//!
//! A link seeded from a plan has a plan and the plan's words (`quote`); a link an administrator records has neither,
//! only a `note`, so `plan_id` and `quote` become nullable. SQLite cannot drop a NOT NULL constraint, so there the
//! table is rebuilt. At most one administrator-recorded link exists per province and database (a partial unique
//! index), which makes "connect" an upsert that concurrent requests cannot duplicate.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const LINK_COLUMNS: &str =
    "id, national_database_id, province_code, plan_id, status, quote, source_file, source_line, source_line_end";

/// Rebuilds `national_database_links` on SQLite: with `admin`, `plan_id`/`quote` nullable plus `note` and `version`;
/// without, as migration 000001 made it (administrator-recorded rows must be gone by then).
async fn rebuild_sqlite_links(db: &impl ConnectionTrait, admin: bool) -> Result<(), DbErr> {
    let (nullable, extra) = if admin {
        ("", ", note TEXT, version INTEGER NOT NULL DEFAULT 1")
    } else {
        (" NOT NULL", "")
    };
    // One batch, so that every statement runs on the same pooled connection: another connection could still read the
    // schema from before the DROP.
    db.execute_unprepared(&format!(
        "CREATE TABLE national_database_links_new (
            id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            national_database_id VARCHAR NOT NULL,
            province_code VARCHAR NOT NULL,
            plan_id VARCHAR{nullable},
            status VARCHAR NOT NULL,
            quote TEXT{nullable},
            source_file VARCHAR,
            source_line INTEGER,
            source_line_end INTEGER{extra}
        );
        INSERT INTO national_database_links_new ({LINK_COLUMNS})
            SELECT {LINK_COLUMNS} FROM national_database_links;
        DROP TABLE national_database_links;
        ALTER TABLE national_database_links_new RENAME TO national_database_links;
        CREATE INDEX ix_links_database ON national_database_links (national_database_id, province_code);
        CREATE INDEX ix_links_province ON national_database_links (province_code);"
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in ["agencies", "projects"] {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ADD COLUMN version INTEGER NOT NULL DEFAULT 1"
            ))
            .await?;
        }
        match manager.get_database_backend() {
            DbBackend::Sqlite => rebuild_sqlite_links(db, true).await?,
            _ => {
                db.execute_unprepared(
                    "ALTER TABLE national_database_links
                        ALTER COLUMN plan_id DROP NOT NULL,
                        ALTER COLUMN quote DROP NOT NULL,
                        ADD COLUMN note TEXT,
                        ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
                )
                .await?;
            }
        }
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_links_recorded ON national_database_links (national_database_id, province_code)
                WHERE plan_id IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ux_links_recorded")
            .await?;
        // Administrator-recorded links cannot exist without a plan and a quote.
        db.execute_unprepared(
            "DELETE FROM national_database_links WHERE plan_id IS NULL OR quote IS NULL",
        )
        .await?;
        match manager.get_database_backend() {
            DbBackend::Sqlite => rebuild_sqlite_links(db, false).await?,
            _ => {
                db.execute_unprepared(
                    "ALTER TABLE national_database_links
                        ALTER COLUMN plan_id SET NOT NULL,
                        ALTER COLUMN quote SET NOT NULL,
                        DROP COLUMN note,
                        DROP COLUMN version",
                )
                .await?;
            }
        }
        for table in ["projects", "agencies"] {
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN version"))
                .await?;
        }
        Ok(())
    }
}
