//! Database connection: pool options, SQLite pragmas, migrations, and the SQL statement counter behind `/metrics`.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, Database, DatabaseConnection, DbErr,
};

/// Counts the SQL statements the hub runs: exported on `/metrics` so that N+1 regressions are visible (and tested).
#[derive(Debug, Default)]
pub struct SqlStats {
    statements: AtomicU64,
    failed: AtomicU64,
}

impl SqlStats {
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

/// Opens the pool, with the metric callback installed, and applies SQLite's pragmas for a concurrent server.
// Only the URL's scheme is recorded: the rest may hold a password.
#[tracing::instrument(
    skip_all,
    fields(backend = url.split(':').next().unwrap_or_default(), max_connections = max_connections)
)]
pub async fn connect(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
    statement_timeout: Option<Duration>,
) -> Result<(DatabaseConnection, Arc<SqlStats>), DbErr> {
    let stats = Arc::new(SqlStats::default());
    let db = open_pool(
        url,
        max_connections,
        acquire_timeout,
        statement_timeout,
        stats.clone(),
    )
    .await?;
    Ok((db, stats))
}

/// A second, small pool beside the main one, counted in the same `stats`: heavy queries run over it, so that however
/// many statements one of them issues at once, it never holds a connection a cheap request is waiting for. `None`
/// for an in-memory SQLite database, where every connection would be a database of its own.
#[tracing::instrument(skip_all, fields(max_connections = max_connections))]
pub async fn connect_heavy_pool(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
    statement_timeout: Option<Duration>,
    stats: Arc<SqlStats>,
) -> Result<Option<DatabaseConnection>, DbErr> {
    if url.starts_with("sqlite") && sqlite_file_path(url).is_none() {
        return Ok(None);
    }
    open_pool(
        url,
        max_connections,
        acquire_timeout,
        statement_timeout,
        stats,
    )
    .await
    .map(Some)
}

async fn open_pool(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
    statement_timeout: Option<Duration>,
    stats: Arc<SqlStats>,
) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file_path(url) {
        if let Some(parent) = std::path::Path::new(&path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    DbErr::Custom(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(acquire_timeout)
        .sqlx_logging(false)
        // WAL lets readers run beside the writer; the busy timeout makes a concurrent writer wait instead of failing.
        // Foreign keys are a per-connection setting in SQLite: sqlx 0.9 turns them on for every connection it opens,
        // and saying so here keeps the migrations' foreign keys enforced whatever a later sqlx defaults to.
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    if let Some(limit) = statement_timeout {
        // The server cancels a statement past the request deadline, so a cancelled request leaves no query behind.
        let ms = limit.as_millis().to_string();
        options
            .map_sqlx_postgres_opts(move |opts| opts.options([("statement_timeout", ms.as_str())]));
    }
    let mut db = Database::connect(options).await?;
    let counter = stats;
    db.set_metric_callback(move |info| {
        counter.statements.fetch_add(1, Ordering::Relaxed);
        tracing::trace!(target: "lgsp_hub::sql", elapsed_us = info.elapsed.as_micros() as u64, failed = info.failed, sql = %info.statement.sql);
        if info.failed {
            counter.failed.fetch_add(1, Ordering::Relaxed);
        }
    });
    Ok(db)
}

/// Applies every pending migration.
#[tracing::instrument(skip_all)]
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// The file behind a `sqlite:` URL, if it is a file (not `:memory:`).
fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sqlite_file() {
        assert_eq!(
            sqlite_file_path("sqlite://data/hub.sqlite?mode=rwc").as_deref(),
            Some("data/hub.sqlite")
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://localhost/test"), None);
    }

    #[tokio::test]
    async fn every_pooled_sqlite_connection_enforces_foreign_keys() {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("hub.sqlite").display()
        );
        let (db, _) = connect(&url, 3, Duration::from_secs(5), None)
            .await
            .expect("pool");
        // Three transactions at once hold the pool's three connections: each is asked on its own connection.
        let mut open = Vec::new();
        for _ in 0..3 {
            open.push(db.begin().await.expect("a connection of the pool"));
        }
        for txn in &open {
            let row = txn
                .query_one_raw(sea_orm::Statement::from_string(
                    txn.get_database_backend(),
                    "PRAGMA foreign_keys",
                ))
                .await
                .expect("pragma")
                .expect("a row");
            assert_eq!(row.try_get_by_index::<i32>(0).expect("value"), 1);
        }
        drop(open);
        db.execute_unprepared(
            "CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (parent_id TEXT REFERENCES parent (id))",
        )
        .await
        .expect("schema");
        db.execute_unprepared("INSERT INTO child VALUES ('none')")
            .await
            .expect_err("an orphan is refused");
    }

    #[tokio::test]
    async fn the_heavy_pool_shares_the_database_and_its_statement_count() {
        use sea_orm::ConnectionTrait;
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("hub.sqlite").display()
        );
        let wait = Duration::from_secs(5);
        let (db, stats) = connect(&url, 2, wait, None).await.expect("main pool");
        let heavy = connect_heavy_pool(&url, 1, wait, None, stats.clone())
            .await
            .expect("heavy pool")
            .expect("a file database has one");
        db.execute_unprepared("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)")
            .await
            .expect("write over the main pool");
        let before = stats.statements.load(Ordering::Relaxed);
        let row = heavy
            .query_one_raw(sea_orm::Statement::from_string(
                heavy.get_database_backend(),
                "SELECT x FROM t",
            ))
            .await
            .expect("read over the heavy pool")
            .expect("a row");
        assert_eq!(row.try_get::<i32>("", "x").expect("x"), 7);
        assert_eq!(stats.statements.load(Ordering::Relaxed), before + 1);
        let memory = connect_heavy_pool("sqlite::memory:", 1, wait, None, stats).await;
        assert!(matches!(memory, Ok(None)), "in memory: no second pool");
    }
}
