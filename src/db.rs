//! Database connection: pool options, SQLite pragmas, migrations, the SQL statement metrics behind `/metrics`, and
//! the pools' connection counts.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr,
};

use crate::telemetry::metrics::SqlMetrics;

/// Opens the pool, counting its statements in `sql` (exported on `/metrics`, so that N+1 regressions are visible and
/// tested), and applies SQLite's pragmas for a concurrent server.
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
    sql: SqlMetrics,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = options(url, max_connections, acquire_timeout, statement_timeout)?;
    options
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10));
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(move |info| {
        sql.statement(info.elapsed.as_secs_f64(), info.failed);
        tracing::trace!(target: "lgsp_hub::sql", elapsed_us = info.elapsed.as_micros() as u64, failed = info.failed, sql = %info.statement.sql);
    });
    Ok(db)
}

/// A second, small pool beside the main one, counted in the same `sql` metrics: heavy queries run over it, so that however
/// many statements one of them issues at once, it never holds a connection a cheap request is waiting for. `None`
/// for an in-memory SQLite database, where every connection would be a database of its own.
#[tracing::instrument(skip_all, fields(max_connections = max_connections))]
pub async fn connect_heavy_pool(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
    statement_timeout: Option<Duration>,
    sql: SqlMetrics,
) -> Result<Option<DatabaseConnection>, DbErr> {
    if url.starts_with("sqlite") && sqlite_file_path(url).is_none() {
        return Ok(None);
    }
    connect(
        url,
        max_connections,
        acquire_timeout,
        statement_timeout,
        sql,
    )
    .await
    .map(Some)
}

/// How long the readiness probe waits to connect, for a connection, or for a statement.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(800);

/// The readiness checks' own connection: a pool of one, opened on demand, with short timeouts, whose statements are
/// not counted with the requests' (a check every second would blur the SQL statement budget). `None` for an
/// in-memory SQLite database, where a connection of its own would be a database of its own.
#[tracing::instrument(skip_all)]
pub async fn connect_probe(url: &str) -> Result<Option<DatabaseConnection>, DbErr> {
    if url.starts_with("sqlite") && sqlite_file_path(url).is_none() {
        return Ok(None);
    }
    let mut options = options(url, 1, PROBE_TIMEOUT, Some(PROBE_TIMEOUT))?;
    options
        .min_connections(0)
        .connect_timeout(PROBE_TIMEOUT)
        .idle_timeout(Duration::from_secs(60));
    Database::connect(options).await.map(Some)
}

/// The options every pool shares: SQLite's pragmas for a concurrent server (its directory created), PostgreSQL's
/// statement timeout.
fn options(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
    statement_timeout: Option<Duration>,
) -> Result<ConnectOptions, DbErr> {
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
        .acquire_timeout(acquire_timeout)
        .sqlx_logging(false)
        // WAL lets readers run beside the writer; the busy timeout makes a concurrent writer wait instead of failing.
        // `synchronous = FULL` syncs the WAL at every commit: with NORMAL a commit survives the process but not a power
        // loss, and an access-log entry must be on disk before the data it records is returned.
        // Foreign keys are a per-connection setting in SQLite: sqlx 0.9 turns them on for every connection it opens,
        // and saying so here keeps the migrations' foreign keys enforced whatever a later sqlx defaults to.
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    if let Some(limit) = statement_timeout {
        // The server cancels a statement past the request deadline, so a cancelled request leaves no query behind.
        let ms = limit.as_millis().to_string();
        options
            .map_sqlx_postgres_opts(move |opts| opts.options([("statement_timeout", ms.as_str())]));
    }
    Ok(options)
}

/// A pool's connections: open, idle, and the most it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    pub open: u32,
    pub idle: usize,
    pub max: u32,
}

/// What `db`'s pool holds right now (no I/O).
pub fn pool_usage(db: &DatabaseConnection) -> Option<PoolUsage> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            Some(PoolUsage {
                open: pool.size(),
                idle: pool.num_idle(),
                max: pool.options().get_max_connections(),
            })
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            Some(PoolUsage {
                open: pool.size(),
                idle: pool.num_idle(),
                max: pool.options().get_max_connections(),
            })
        }
        _ => None,
    }
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
        let db = connect(
            &url,
            3,
            Duration::from_secs(5),
            None,
            crate::telemetry::metrics::SqlMetrics::noop(),
        )
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
        let metrics = crate::telemetry::Metrics::new();
        let statements = || {
            metrics
                .render()
                .lines()
                .find_map(|l| {
                    l.strip_prefix("lgsp_sql_statements_total ")?
                        .parse::<u64>()
                        .ok()
                })
                .unwrap_or_default()
        };
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("hub.sqlite").display()
        );
        let wait = Duration::from_secs(5);
        let db = connect(&url, 2, wait, None, metrics.sql())
            .await
            .expect("main pool");
        let heavy = connect_heavy_pool(&url, 1, wait, None, metrics.sql())
            .await
            .expect("heavy pool")
            .expect("a file database has one");
        db.execute_unprepared("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)")
            .await
            .expect("write over the main pool");
        let before = statements();
        let row = heavy
            .query_one_raw(sea_orm::Statement::from_string(
                heavy.get_database_backend(),
                "SELECT x FROM t",
            ))
            .await
            .expect("read over the heavy pool")
            .expect("a row");
        assert_eq!(row.try_get::<i32>("", "x").expect("x"), 7);
        assert_eq!(statements(), before + 1);
        assert_eq!(
            pool_usage(&heavy).map(|u| u.max),
            Some(1),
            "the heavy pool's size"
        );
        let memory = connect_heavy_pool("sqlite::memory:", 1, wait, None, metrics.sql()).await;
        assert!(matches!(memory, Ok(None)), "in memory: no second pool");
    }
}
