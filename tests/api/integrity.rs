//! The database enforces the registries' relations and the rules on their values (migration
//! `m20261203_000009_integrity`), on SQLite and PostgreSQL alike: the catalog lists a foreign key per relation and every
//! CHECK; raw SQL cannot write an orphan or a value outside its rule; the migration refuses a database holding such a
//! row, naming it; the writes the API refuses still answer coded errors. The cases come from the migration's own lists
//! (`migrations::integrity`), so a constraint added there is tested here without more code.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

mod catalog;
mod migration;
mod writes;

/// The rows `sql` returns, each as the text of `columns` (NULL as the empty text). Casting to text is the query's
/// business, so that the same helper reads SQLite and PostgreSQL.
pub async fn texts(db: &impl ConnectionTrait, sql: &str, columns: &[&str]) -> Vec<Vec<String>> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
    .iter()
    .map(|row| {
        columns
            .iter()
            .map(|c| {
                row.try_get::<Option<String>>("", c)
                    .unwrap_or_else(|e| panic!("{sql}: column {c}: {e}"))
                    .unwrap_or_default()
            })
            .collect()
    })
    .collect()
}

/// The columns of `table`, in order: (name, declared type in lower case, nullable).
pub async fn columns(db: &impl ConnectionTrait, table: &str) -> Vec<(String, String, bool)> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => format!(
            "SELECT column_name::text AS name, data_type::text AS type, \
               CASE WHEN is_nullable = 'YES' THEN '1' ELSE '0' END AS nullable \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}' \
             ORDER BY ordinal_position"
        ),
        // A primary key is never NULL, whether or not its declaration says NOT NULL.
        _ => format!(
            "SELECT name, lower(type) AS type, CASE WHEN \"notnull\" = 0 AND pk = 0 THEN '1' ELSE '0' END AS nullable \
             FROM pragma_table_info('{table}') ORDER BY cid"
        ),
    };
    texts(db, &sql, &["name", "type", "nullable"])
        .await
        .into_iter()
        .map(|mut row| {
            let nullable = row.pop() == Some("1".to_owned());
            let kind = row.pop().unwrap_or_default();
            (row.pop().unwrap_or_default(), kind, nullable)
        })
        .collect()
}
