//! The database enforces the registries' relations and the rules on their values: a foreign key for every relation
//! and a CHECK for every closed set, security level, year, amount and version ([`constraints`] lists them).
//!
//! Before it changes anything, the migration looks for rows the constraints would refuse (orphans, values outside
//! their set or range) and, if it finds any, fails naming each table, column, offending value and row count: it never
//! deletes or corrects a row. On PostgreSQL the constraints are added with `ALTER TABLE .. ADD CONSTRAINT`, in the
//! migration's transaction; SQLite can only add them by rebuilding each table ([`sqlite`]). `down` removes them.

pub mod constraints;
mod sqlite;
mod tables;
mod violations;

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

use constraints::{ident, CHECKS, RELATIONS};
use violations::{probes, refusal};

pub struct Migration;

/// Named by hand: `DeriveMigrationName` takes the file's name, which is `mod` here.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000009_integrity"
    }
}

/// On PostgreSQL: the refusals for the rows the constraints would refuse, one line per constraint.
async fn refusals(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let mut found = Vec::new();
    for probe in probes() {
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                probe.sql.clone(),
            ))
            .await?;
        let values = rows
            .iter()
            .map(|r| Ok((r.try_get("", "value")?, r.try_get("", "n")?)))
            .collect::<Result<Vec<(String, i64)>, DbErr>>()?;
        found.extend(probe.describe(&values));
    }
    Ok(found)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            return sqlite::rebuild(manager, true).await;
        }
        let db = manager.get_connection();
        let found = refusals(db).await?;
        if !found.is_empty() {
            return Err(refusal(found));
        }
        for relation in RELATIONS {
            manager.create_foreign_key(relation.statement()).await?;
        }
        for check in CHECKS {
            db.execute_unprepared(&format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
                ident(check.table),
                ident(check.name),
                check.condition()
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            return sqlite::rebuild(manager, false).await;
        }
        let db = manager.get_connection();
        let named = RELATIONS
            .iter()
            .map(|r| (r.table, r.name))
            .chain(CHECKS.iter().map(|c| (c.table, c.name)));
        for (table, name) in named {
            db.execute_unprepared(&format!(
                "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                ident(table),
                ident(name)
            ))
            .await?;
        }
        Ok(())
    }
}
