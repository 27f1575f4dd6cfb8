//! SQLite adds constraints only with a table, so each constrained table is rebuilt the way SQLite's documentation
//! prescribes (<https://www.sqlite.org/lang_altertable.html#otheralter>): with foreign keys off, in one transaction,
//! create the new table, copy the rows, drop the old table, rename the new one, recreate the old table's indexes and
//! triggers (the search index's FTS triggers among them), then `PRAGMA foreign_key_check` before committing.
//!
//! `PRAGMA foreign_keys` is ignored inside a transaction and holds per connection, so all of it runs on one connection
//! taken from the pool, which goes back with foreign keys on again, or is closed if that cannot be made sure of.

use std::sync::Arc;

use sea_orm_migration::{
    prelude::*,
    sea_orm::{
        sqlx::{self, AssertSqlSafe, Row, SqliteConnection},
        DatabaseConnectionType, RuntimeErr,
    },
    SchemaManagerConnection,
};

use super::{
    constraints::ident,
    tables::{definition, REBUILT},
    violations::{probes, refusal},
};

fn sqlx_err(err: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err)))
}

async fn exec(conn: &mut SqliteConnection, sql: impl Into<String>) -> Result<(), DbErr> {
    sqlx::raw_sql(AssertSqlSafe(sql.into()))
        .execute(&mut *conn)
        .await
        .map_err(sqlx_err)?;
    Ok(())
}

async fn rows(
    conn: &mut SqliteConnection,
    sql: impl Into<String>,
) -> Result<Vec<sqlx::sqlite::SqliteRow>, DbErr> {
    sqlx::query(AssertSqlSafe(sql.into()))
        .fetch_all(&mut *conn)
        .await
        .map_err(sqlx_err)
}

/// Rebuilds every table of [`REBUILT`], with this migration's constraints (`constrained`) or without them (`down`).
/// With them, first refuses a database that holds rows they would refuse.
pub(super) async fn rebuild(manager: &SchemaManager<'_>, constrained: bool) -> Result<(), DbErr> {
    let db = match manager.get_connection() {
        SchemaManagerConnection::Connection(db)
            if matches!(db.inner, DatabaseConnectionType::SqlxSqlitePoolConnection(_)) =>
        {
            db
        }
        _ => {
            return Err(DbErr::Migration(
                "the SQLite rebuild needs the pool itself, not a transaction: it sets PRAGMA foreign_keys, which a \
                 transaction ignores"
                    .into(),
            ))
        }
    };
    let mut conn = db
        .get_sqlite_connection_pool()
        .acquire()
        .await
        .map_err(sqlx_err)?;
    exec(&mut conn, "PRAGMA foreign_keys = OFF").await?;
    let outcome = rebuild_in_transaction(&mut conn, constrained).await;
    if outcome.is_err() {
        // Nothing to undo if the transaction never began or already ended; the check below is what matters.
        let _ = exec(&mut conn, "ROLLBACK").await;
    }
    let restored = foreign_keys_on(&mut conn).await;
    if restored.is_err() {
        conn.close_on_drop();
    }
    outcome.and(restored)
}

/// Turns foreign keys back on, and reads the setting back: a connection still inside a transaction would ignore it.
async fn foreign_keys_on(conn: &mut SqliteConnection) -> Result<(), DbErr> {
    exec(conn, "PRAGMA foreign_keys = ON").await?;
    let on: i64 = rows(conn, "PRAGMA foreign_keys")
        .await?
        .first()
        .map(|r| r.try_get(0))
        .transpose()
        .map_err(sqlx_err)?
        .unwrap_or(0);
    if on == 1 {
        Ok(())
    } else {
        Err(DbErr::Migration(
            "foreign keys could not be turned back on".into(),
        ))
    }
}

async fn rebuild_in_transaction(
    conn: &mut SqliteConnection,
    constrained: bool,
) -> Result<(), DbErr> {
    exec(conn, "BEGIN IMMEDIATE").await?;
    if constrained {
        let mut found = Vec::new();
        for probe in probes() {
            let values = rows(conn, probe.sql.as_str())
                .await?
                .iter()
                .map(|r| Ok((r.try_get("value")?, r.try_get("n")?)))
                .collect::<Result<Vec<(String, i64)>, sqlx::Error>>()
                .map_err(sqlx_err)?;
            found.extend(probe.describe(&values));
        }
        if !found.is_empty() {
            return Err(refusal(found));
        }
    }
    for table in REBUILT {
        rebuild_table(conn, table, constrained).await?;
    }
    let broken = rows(conn, "PRAGMA foreign_key_check").await?;
    if let Some(row) = broken.first() {
        let table: String = row.try_get("table").map_err(sqlx_err)?;
        return Err(DbErr::Migration(format!(
            "{} row(s) reference rows that do not exist after the rebuild, the first in {table}",
            broken.len()
        )));
    }
    exec(conn, "COMMIT").await
}

/// The column names of `table`, in order.
async fn column_names(conn: &mut SqliteConnection, table: &str) -> Result<Vec<String>, DbErr> {
    rows(
        conn,
        format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    )
    .await?
    .iter()
    .map(|r| r.try_get("name").map_err(sqlx_err))
    .collect()
}

/// Replaces `table` by a copy defined by [`definition`], keeping its rows, indexes, triggers and AUTOINCREMENT
/// counter.
async fn rebuild_table(
    conn: &mut SqliteConnection,
    table: &str,
    constrained: bool,
) -> Result<(), DbErr> {
    let new = format!("{table}_new");
    let def = definition(table, &new, constrained)
        .ok_or_else(|| DbErr::Migration(format!("no definition of {table} to rebuild it with")))?;
    let columns = column_names(conn, table).await?;
    exec(conn, def.to_string(SqliteQueryBuilder)).await?;
    let rebuilt = column_names(conn, &new).await?;
    if rebuilt != columns {
        return Err(DbErr::Migration(format!(
            "{table} has the columns {columns:?}, its rebuild {rebuilt:?}: it would not keep the table as it is"
        )));
    }
    // What SQLite drops with the table, to be created again on the new one: its indexes (not those of its UNIQUE
    // columns, which the definition makes again) and its triggers.
    let kept: Vec<String> = rows(
        conn,
        format!(
            "SELECT sql FROM sqlite_master WHERE tbl_name = '{table}' AND type IN ('index', 'trigger') \
             AND sql IS NOT NULL ORDER BY type, name"
        ),
    )
    .await?
    .iter()
    .map(|r| r.try_get("sql").map_err(sqlx_err))
    .collect::<Result<_, _>>()?;
    let counter: Option<i64> = rows(
        conn,
        format!("SELECT seq FROM sqlite_sequence WHERE name = '{table}'"),
    )
    .await?
    .first()
    .map(|r| r.try_get("seq"))
    .transpose()
    .map_err(sqlx_err)?;
    let list = columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let (quoted, quoted_new) = (ident(table), ident(&new));
    exec(
        conn,
        format!(
            "INSERT INTO {quoted_new} ({list}) SELECT {list} FROM {quoted};
             DROP TABLE {quoted};
             ALTER TABLE {quoted_new} RENAME TO {quoted};"
        ),
    )
    .await?;
    for sql in kept {
        exec(conn, sql).await?;
    }
    // The copy set the counter to the largest id copied; AUTOINCREMENT promises more: no id of a deleted row again.
    if let Some(seq) = counter {
        exec(
            conn,
            format!(
                "UPDATE sqlite_sequence SET seq = MAX(seq, {seq}) WHERE name = '{table}';
                 INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', {seq}
                   WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{table}');"
            ),
        )
        .await?;
    }
    Ok(())
}
