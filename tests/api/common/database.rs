//! Fresh databases for test hubs, copied from a template that is migrated and seeded once per test process, so that
//! `App::build` finds the schema migrated and the registries seeded and does neither again.
//!
//! SQLite: the template is built in a temporary file, checkpointed so that the main file holds everything, and kept
//! in memory; each test writes a copy into a directory of its own. Every such directory lives in one directory of
//! the process, which a `sh` child removes once the process has exited, however it exits (the shared hub's database
//! is never dropped).
//!
//! PostgreSQL: the template is a database of its own, and each test's database is `CREATE DATABASE .. TEMPLATE` it,
//! made one at a time by a background task a copy or two ahead of the tests (PostgreSQL refuses to copy a template
//! that another session is using, and a copy in progress is such a session). A test's database is dropped in the
//! background when its hub goes (`WITH (FORCE)` waits for the hub's sessions to end: about 0.2 s a test that nobody
//! needs to wait for). The databases are named `lgsp_t_<key>_…` after a random key of the test process, which holds a
//! session advisory lock on that key for as long as it lives. The template, the shared hub's database and the copies
//! not taken outlive the process; the next test process drops them (with whatever a killed run left behind) once it
//! can take their owner's lock, that is once their owner has exited.

use std::{
    collections::BTreeMap,
    hash::{BuildHasher, Hasher},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{
        atomic::{AtomicU32, Ordering},
        Mutex, OnceLock,
    },
    time::Duration,
};

use lgsp_hub::{db, seed, telemetry::metrics::SqlMetrics};
use sea_orm::{
    sqlx::{self, postgres::PgConnection, AssertSqlSafe, Connection},
    ConnectionTrait, Database, DatabaseConnection,
};
use tokio::sync::{mpsc, OnceCell};

use super::background;

/// The advisory-lock class under which test processes hold their key ("LGSP").
const LOCK_CLASS: i32 = 0x4c47_5350;

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// A test hub's database, removed when dropped.
pub enum TestDb {
    Sqlite(#[expect(dead_code, reason = "held for its Drop")] tempfile::TempDir),
    Postgres(String),
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let TestDb::Postgres(name) = self else { return };
        let Some(pg) = POSTGRES.get() else { return };
        // On the background runtime (the test's is ending), and without holding up the next test: no name is used
        // twice, and a drop that the end of the process cuts short is finished by the next run.
        let sql = drop_database(name);
        background::handle().spawn(async move {
            let _ = pg.admin.execute_unprepared(&sql).await;
        });
    }
}

/// A database for one hub: its URL, and the guard that removes it.
pub async fn fresh() -> (String, TestDb) {
    match std::env::var("LGSP_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => background::run(postgres_copy(admin_url)).await,
        _ => sqlite_copy().await,
    }
}

/// An empty database (no table at all), for tests of the migrations themselves: its URL, and the guard that removes
/// it. On PostgreSQL a database of this process's naming scheme, so a run cut short leaves nothing behind for long.
pub async fn empty_database() -> (String, TestDb) {
    match std::env::var("LGSP_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => background::run(postgres_empty(admin_url)).await,
        _ => {
            let dir = tempfile::tempdir_in(process_dir()).expect("temp dir");
            let url = sqlite_url(&dir.path().join("empty.sqlite"));
            (url, TestDb::Sqlite(dir))
        }
    }
}

/// Migrates and seeds the database at `url`, as `App::build` does with an empty one.
async fn prepare(url: &str) -> DatabaseConnection {
    let db = db::connect(url, 1, Duration::from_secs(30), None, SqlMetrics::noop())
        .await
        .expect("connect to the template");
    db::migrate(&db).await.expect("migrate the template");
    assert!(
        seed::seed_if_empty(&db).await.expect("seed the template"),
        "the template was not empty"
    );
    // As the zero set-up does (`demo_grants`): the agencies with an official code hold demonstration grants, so the
    // federation tests look up as the README's examples do. Tests of NO_GRANT use an agency without one.
    lgsp_hub::sharing::demo::create_demo_grants(
        &db,
        lgsp_hub::clock::Clock::now_ms(&lgsp_hub::clock::SystemClock),
    )
    .await
    .expect("demonstration grants");
    db
}

/// A random key of this process, for the names of its PostgreSQL databases and its SQLite directory.
fn process_key() -> String {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        format!("{:08x}", hasher.finish() as u32)
    })
    .clone()
}

// ---------------------------------------------------------------------------------------------------------- SQLite

async fn sqlite_copy() -> (String, TestDb) {
    static TEMPLATE: OnceCell<Vec<u8>> = OnceCell::const_new();
    let template = TEMPLATE
        .get_or_init(|| background::run(sqlite_template()))
        .await;
    let dir = tempfile::tempdir_in(process_dir()).expect("temp dir");
    let path = dir.path().join("hub.sqlite");
    std::fs::write(&path, template).expect("copy the template");
    (sqlite_url(&path), TestDb::Sqlite(dir))
}

/// The bytes of a migrated and seeded SQLite database.
async fn sqlite_template() -> Vec<u8> {
    let dir = tempfile::tempdir_in(process_dir()).expect("temp dir");
    let path = dir.path().join("template.sqlite");
    let db = prepare(&sqlite_url(&path)).await;
    // Everything into the main file: the copy is that file alone.
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .expect("checkpoint the template");
    db.close().await.expect("close the template");
    std::fs::read(&path).expect("read the template")
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// This process's directory of SQLite databases, removed after the process exits by a `sh` child that waits for the
/// end of its standard input: the process holds the other end of that pipe, and the system closes it at exit.
fn process_dir() -> &'static Path {
    // The child is kept, never waited for: it outlives this process by design, and holds the pipe's other end.
    static DIR: OnceLock<(PathBuf, std::process::Child)> = OnceLock::new();
    let (dir, _remover) = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("lgsp-test-{}", process_key()));
        std::fs::create_dir_all(&dir).expect("the test process's directory");
        let mut remover = Command::new("sh");
        remover
            .args([
                "-c",
                r#"cat >/dev/null; rm -rf -- "$1""#,
                "lgsp-test-cleanup",
            ])
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group: a Ctrl-C at the terminal stops the tests, not the clean-up.
        std::os::unix::process::CommandExt::process_group(&mut remover, 0);
        let remover = remover.spawn().expect("start the clean-up of test files");
        (dir, remover)
    });
    dir
}

// ------------------------------------------------------------------------------------------------------ PostgreSQL

/// This process's PostgreSQL template, and the connections that administer it. Lives on the background runtime.
struct Postgres {
    /// `postgres://…` without the database name.
    base: String,
    admin: DatabaseConnection,
    /// The names of fresh copies of the template, made ahead of the tests that take them.
    copies: tokio::sync::Mutex<mpsc::Receiver<String>>,
    /// Holds this process's owner lock for as long as the process lives.
    _owner: Mutex<PgConnection>,
}

static POSTGRES: OnceCell<Postgres> = OnceCell::const_new();

async fn postgres_copy(admin_url: String) -> (String, TestDb) {
    let pg = POSTGRES.get_or_init(|| postgres_template(admin_url)).await;
    let name = pg
        .copies
        .lock()
        .await
        .recv()
        .await
        .expect("the template's copier stopped (see its panic above)");
    (format!("{}/{name}", pg.base), TestDb::Postgres(name))
}

async fn postgres_empty(admin_url: String) -> (String, TestDb) {
    let pg = POSTGRES.get_or_init(|| postgres_template(admin_url)).await;
    let name = format!(
        "lgsp_t_{}_{}",
        process_key(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    pg.admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create an empty database");
    (format!("{}/{name}", pg.base), TestDb::Postgres(name))
}

/// Copies `template` into fresh databases, one at a time (PostgreSQL refuses to copy a template that another session
/// uses, and a copy in progress is such a session), a copy or two ahead of the tests. The copies not taken when the
/// process ends are dropped by the next run, with the template.
async fn copy_ahead(admin: DatabaseConnection, template: String, copies: mpsc::Sender<String>) {
    loop {
        let name = format!(
            "lgsp_t_{}_{}",
            process_key(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        admin
            .execute_unprepared(&format!(
                "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
            ))
            .await
            .expect("copy the template database");
        if copies.send(name).await.is_err() {
            return;
        }
    }
}

async fn postgres_template(admin_url: String) -> Postgres {
    let key = process_key();
    let mut owner = PgConnection::connect(&admin_url)
        .await
        .expect("connect to LGSP_TEST_DATABASE_URL");
    drop_databases_of_exited_processes(&mut owner).await;
    sqlx::query("SELECT pg_advisory_lock($1, $2)")
        .bind(LOCK_CLASS)
        .bind(lock_id(&key))
        .execute(&mut owner)
        .await
        .expect("take the owner lock");
    let admin = Database::connect(&admin_url)
        .await
        .expect("connect to LGSP_TEST_DATABASE_URL");
    let template = format!("lgsp_t_{key}_template");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{template}\""))
        .await
        .expect("create the template database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .expect("database URL with a path");
    // Closed before any copy: PostgreSQL copies a template only while no session uses it.
    prepare(&format!("{base}/{template}"))
        .await
        .close()
        .await
        .expect("close the template");
    let (ahead, copies) = mpsc::channel(1);
    tokio::spawn(copy_ahead(admin.clone(), template, ahead));
    Postgres {
        base,
        admin,
        copies: tokio::sync::Mutex::new(copies),
        _owner: Mutex::new(owner),
    }
}

/// Drops every `lgsp_t_<key>_…` database whose owner lock is free: its process has exited.
async fn drop_databases_of_exited_processes(conn: &mut PgConnection) {
    let names: Vec<String> = sqlx::query_scalar(
        r"SELECT datname::text FROM pg_database WHERE datname LIKE 'lgsp\_t\_%'",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("list test databases");
    let mut by_owner: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in names {
        let key = name.strip_prefix("lgsp_t_").and_then(|rest| rest.get(..8));
        if let Some(key) = key.filter(|k| u32::from_str_radix(k, 16).is_ok()) {
            by_owner.entry(key.to_owned()).or_default().push(name);
        }
    }
    for (key, names) in by_owner {
        let exited: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(LOCK_CLASS)
            .bind(lock_id(&key))
            .fetch_one(&mut *conn)
            .await
            .expect("try an owner lock");
        if !exited {
            continue;
        }
        for name in names {
            let _ = sqlx::query(AssertSqlSafe(drop_database(&name)))
                .execute(&mut *conn)
                .await;
        }
        sqlx::query("SELECT pg_advisory_unlock($1, $2)")
            .bind(LOCK_CLASS)
            .bind(lock_id(&key))
            .execute(&mut *conn)
            .await
            .expect("release an owner lock");
    }
}

/// The advisory lock id of a process key (eight hex digits).
fn lock_id(key: &str) -> i32 {
    u32::from_str_radix(key, 16).expect("a hex key") as i32
}

fn drop_database(name: &str) -> String {
    format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")
}
