//! Change notifications across replicas: on PostgreSQL, every appended audit event is announced with `pg_notify` on
//! the channel `lgsp_hub_changes`, so the hub processes sharing the database learn of each other's writes (they
//! LISTEN, drop their read cache and pass the event to their subscribers). NOTIFY is transactional: it is delivered
//! when the writing transaction commits and never for one that rolls back. SQLite has no such thing and one process
//! owns the file, so there the migration does nothing and events stay in-process.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // The payload carries the fields of `events::ChangeEvent` (keep the two in step), nothing personal: the
        // before/after snapshots stay in the table. The fields are short, far below NOTIFY's 8000-byte limit.
        db.execute_unprepared(
            "CREATE FUNCTION audit_events_notify() RETURNS trigger AS $$
             BEGIN
               PERFORM pg_notify('lgsp_hub_changes', json_build_object(
                 'audit_id', NEW.id, 'entity', NEW.entity, 'entity_key', NEW.entity_key,
                 'action', NEW.action, 'agency_code', NEW.agency_code, 'at_ms', NEW.at_ms)::text);
               RETURN NULL;
             END; $$ LANGUAGE plpgsql",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER audit_events_notify AFTER INSERT ON audit_events
             FOR EACH ROW EXECUTE FUNCTION audit_events_notify()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP TRIGGER IF EXISTS audit_events_notify ON audit_events")
            .await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS audit_events_notify()")
            .await?;
        Ok(())
    }
}
