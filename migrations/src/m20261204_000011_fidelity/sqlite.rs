//! SQLite cannot widen a CHECK or drop a constrained column in place: the table is rebuilt the way SQLite's
//! documentation prescribes (<https://www.sqlite.org/lang_altertable.html#otheralter>), from its own stored definition
//! with exactly one clause changed, so nothing else of it can differ: create the new table, copy the rows, drop the
//! old table, rename the new one, and create its indexes, triggers and AUTOINCREMENT counter again.
//!
//! Foreign keys stay on: no other table references the tables rebuilt here at the time they are rebuilt (the new
//! tables that reference them are created after `up`'s rebuild and dropped before `down`'s).

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, Statement},
};

use super::ident;
use crate::m20261203_000009_integrity::constraints::Check;

async fn texts(db: &impl ConnectionTrait, sql: String, column: &str) -> Result<Vec<String>, DbErr> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .iter()
        .map(|r| r.try_get::<String>("", column))
        .collect()
}

/// The stored `CREATE TABLE` of `table`.
async fn definition(db: &impl ConnectionTrait, table: &str) -> Result<String, DbErr> {
    texts(
        db,
        format!("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
        "sql",
    )
    .await?
    .pop()
    .ok_or_else(|| DbErr::Migration(format!("no table {table} to rebuild")))
}

/// The statements that widen (or narrow back) the CHECK `from` of its table to `to`.
pub(super) async fn replace_check(
    db: &impl ConnectionTrait,
    from: &Check,
    to: &Check,
) -> Result<Vec<String>, DbErr> {
    let clause = |c: &Check| format!("CONSTRAINT {} CHECK ({})", ident(c.name), c.condition());
    let sql = definition(db, from.table).await?;
    if !sql.contains(&clause(from)) {
        return Err(DbErr::Migration(format!(
            "{} has no {}: it is not as migration 000009 left it",
            from.table,
            clause(from)
        )));
    }
    let columns = column_names(db, from.table).await?;
    rebuild(
        db,
        from.table,
        &sql.replace(&clause(from), &clause(to)),
        &columns,
        &[],
    )
    .await
}

/// The statements that rebuild `table` without the column definitions `removed` (as `up` added them, with their
/// leading `, `) and the columns they define.
pub(super) async fn rebuild_without(
    db: &impl ConnectionTrait,
    table: &str,
    removed: &[(String, &str)],
) -> Result<Vec<String>, DbErr> {
    let mut sql = definition(db, table).await?;
    for (text, _) in removed {
        if !sql.contains(text.as_str()) {
            return Err(DbErr::Migration(format!(
                "{table} has no `{text}`: it is not as migration 000011 left it"
            )));
        }
        sql = sql.replacen(text.as_str(), "", 1);
    }
    let gone: Vec<&str> = removed.iter().map(|(_, c)| *c).collect();
    let columns: Vec<String> = column_names(db, table)
        .await?
        .into_iter()
        .filter(|c| !gone.contains(&c.as_str()))
        .collect();
    rebuild(db, table, &sql, &columns, &gone).await
}

async fn column_names(db: &impl ConnectionTrait, table: &str) -> Result<Vec<String>, DbErr> {
    texts(
        db,
        format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        "name",
    )
    .await
}

/// Replaces `table` by one created with `sql`, keeping `columns` of its rows, its indexes and triggers (except those
/// that name a column of `gone`) and its AUTOINCREMENT counter.
async fn rebuild(
    db: &impl ConnectionTrait,
    table: &str,
    sql: &str,
    columns: &[String],
    gone: &[&str],
) -> Result<Vec<String>, DbErr> {
    let new = format!("{table}_fidelity_new");
    let body = sql
        .find('(')
        .map(|at| &sql[at..])
        .ok_or_else(|| DbErr::Migration(format!("cannot read the definition of {table}")))?;
    let kept: Vec<String> = texts(
        db,
        format!(
            "SELECT sql FROM sqlite_master WHERE tbl_name = '{table}' AND type IN ('index', 'trigger') \
             AND sql IS NOT NULL ORDER BY type, name"
        ),
        "sql",
    )
    .await?
    .into_iter()
    .filter(|s| !gone.iter().any(|c| s.contains(c)))
    .collect();
    let counter = texts(
        db,
        format!("SELECT CAST(seq AS TEXT) AS seq FROM sqlite_sequence WHERE name = '{table}'"),
        "seq",
    )
    .await
    .unwrap_or_default()
    .pop();
    let list = columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let (quoted, quoted_new) = (ident(table), ident(&new));
    let mut statements = vec![
        format!("CREATE TABLE {quoted_new} {body}"),
        format!("INSERT INTO {quoted_new} ({list}) SELECT {list} FROM {quoted}"),
        format!("DROP TABLE {quoted}"),
        format!("ALTER TABLE {quoted_new} RENAME TO {quoted}"),
    ];
    statements.extend(kept);
    if let Some(seq) = counter {
        // The copy set the counter to the largest id copied; AUTOINCREMENT promises no id of a deleted row again.
        statements.push(format!(
            "UPDATE sqlite_sequence SET seq = MAX(seq, {seq}) WHERE name = '{table}'"
        ));
        statements.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', {seq} \
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{table}')"
        ));
    }
    Ok(statements)
}
