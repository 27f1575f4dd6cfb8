//! `access_log.nothing_returned_for`: a lookup's entry is now written while the upstream call is in flight, before its
//! outcome is known, so a lookup that returned nothing gets a second entry saying so, naming the first by its sequence
//! number. NULL on every entry that records a lookup, those written before included (which hash as they always did).
//!
//! No foreign key: the chain's hash already binds the outcome entry to the number it names, and entries are
//! append-only, so the entry named can neither change nor go.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE access_log ADD COLUMN nothing_returned_for BIGINT")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE access_log DROP COLUMN nothing_returned_for")
            .await?;
        Ok(())
    }
}
