//! The web console's server-side sessions, in the database so that every replica knows them (a sign-in on one, the
//! next page on another), and the sign-ins in progress between the redirect to the identity provider and its callback
//! (which may reach another replica too).
//!
//! Neither table holds a secret a reader could use: a session row is keyed by the SHA-256 of the session id (the
//! cookie holds the id itself), a sign-in row by the SHA-256 of its `state`. A sign-in row keeps the PKCE verifier and
//! the nonce for the few minutes before the callback; they are worth nothing without the authorisation code, which
//! only the browser and the provider see. No provider token is stored: a session keeps the mapped principal alone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE console_sessions (
                id_hash TEXT PRIMARY KEY,
                subject TEXT NOT NULL,
                agency_code TEXT NOT NULL,
                scopes TEXT NOT NULL,
                province TEXT,
                display_name TEXT NOT NULL,
                created_at_ms BIGINT NOT NULL,
                last_seen_ms BIGINT NOT NULL
            )",
        )
        .await?;
        // Expired sessions are deleted by age (`session::store::purge`).
        db.execute_unprepared(
            "CREATE INDEX ix_console_sessions_last_seen ON console_sessions (last_seen_ms)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TABLE console_sign_ins (
                state_hash TEXT PRIMARY KEY,
                pkce_verifier TEXT NOT NULL,
                nonce TEXT NOT NULL,
                next_path TEXT NOT NULL,
                created_at_ms BIGINT NOT NULL
            )",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_console_sign_ins_created ON console_sign_ins (created_at_ms)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE IF EXISTS console_sign_ins")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS console_sessions")
            .await?;
        Ok(())
    }
}
