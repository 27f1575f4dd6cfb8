//! The approval workflow's data: which agencies act as approval authorities (an information-security unit, the
//! national authority, the Prime Minister's office), and the last approved level of a system next to the one under
//! consideration, so a rejected re-proposal does not erase a level that was approved before.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // `security_unit` (per province), `national_authority` or `prime_minister`; NULL for every other agency.
        db.execute_unprepared("ALTER TABLE agencies ADD COLUMN approval_role TEXT")
            .await?;
        db.execute_unprepared("ALTER TABLE information_systems ADD COLUMN approved_level SMALLINT")
            .await?;
        db.execute_unprepared("CREATE INDEX ix_agencies_approval_role ON agencies (approval_role)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_agencies_approval_role")
            .await?;
        db.execute_unprepared("ALTER TABLE information_systems DROP COLUMN approved_level")
            .await?;
        db.execute_unprepared("ALTER TABLE agencies DROP COLUMN approval_role")
            .await?;
        Ok(())
    }
}
