//! Migrations of the lgsp-hub database: the source of truth for the schema, on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_registries;
mod m20261128_000002_search;
mod m20261128_000003_audit;
mod m20261129_000004_approval;
mod m20261129_000005_admin_versions;
mod m20261129_000006_change_notify;
mod m20261129_000007_access_log;
mod m20261130_000008_enum_values;
mod m20261203_000009_integrity;
mod m20261204_000010_sharing;
mod m20261204_000011_fidelity;
mod m20261205_000013_console_sessions;
mod m20261206_000014_access_log_outcome;

/// The foreign keys and CHECK constraints of the hub's tables, as the migrations leave them.
pub mod integrity;

/// The search index's SQLite trigger and the bulk load's way around it.
pub mod search_index {
    pub use super::m20261128_000002_search::{
        SQLITE_DROP_INDEX_ON_INSERT, SQLITE_INDEX_BULK, SQLITE_INDEX_ON_INSERT,
    };
}

/// Runs every migration of the hub in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_registries::Migration),
            Box::new(m20261128_000002_search::Migration),
            Box::new(m20261128_000003_audit::Migration),
            Box::new(m20261129_000004_approval::Migration),
            Box::new(m20261129_000005_admin_versions::Migration),
            Box::new(m20261129_000006_change_notify::Migration),
            Box::new(m20261129_000007_access_log::Migration),
            Box::new(m20261130_000008_enum_values::Migration),
            Box::new(m20261203_000009_integrity::Migration),
            Box::new(m20261204_000010_sharing::Migration),
            Box::new(m20261204_000011_fidelity::Migration),
            Box::new(m20261205_000013_console_sessions::Migration),
            Box::new(m20261206_000014_access_log_outcome::Migration),
        ]
    }
}
