//! The personal-data access log (ND 13/2023): one row per access, written before the data is returned, chained by a
//! keyed hash (each row holds the previous row's hash), append-only by triggers like the audit trail. The head row
//! holds the chain's last sequence number and hash, so writers on several replicas serialise on it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE access_log (
                seq BIGINT PRIMARY KEY,
                at_ms BIGINT NOT NULL,
                actor TEXT NOT NULL,
                agency_code TEXT NOT NULL,
                purpose TEXT NOT NULL,
                purpose_ref TEXT NOT NULL,
                upstream TEXT NOT NULL,
                operation TEXT NOT NULL,
                subject_hash TEXT NOT NULL,
                fields TEXT NOT NULL,
                request_id TEXT,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )",
        )
        .await?;
        for (name, cols) in [
            ("ix_access_subject", "subject_hash, seq"),
            ("ix_access_agency", "agency_code, seq"),
            ("ix_access_upstream", "upstream, seq"),
        ] {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON access_log ({cols})"))
                .await?;
        }
        db.execute_unprepared(
            "CREATE TABLE access_log_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL)",
        )
        .await?;
        db.execute_unprepared("INSERT INTO access_log_head (id, seq, hash) VALUES (1, 0, '')")
            .await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log
                     FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER access_log_no_{op} BEFORE {op} ON access_log
                         BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE IF EXISTS access_log_head")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS access_log")
            .await?;
        Ok(())
    }
}
