//! The integrity migration on databases written before it: it refuses one that holds orphans or values outside the
//! rules, naming table, column, value and row count and changing nothing; it constrains one that holds none; `down`
//! removes the constraints and keeps the rows. On SQLite, where the tables are rebuilt, every column, index, trigger
//! and AUTOINCREMENT counter survives the rebuild.

use std::collections::BTreeSet;

use migrations::{integrity::RELATIONS, Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend};

use super::{columns, texts};
use crate::common::empty_database;

/// The migrations before the integrity migration.
const BEFORE_INTEGRITY: u32 = 8;

/// Tables and rows that the constraints accept: a province, a plan, an agency, and a search entry.
const VALID_ROWS: &str = "
    INSERT INTO provinces (code, slug, name, name_folded, committee_name) VALUES ('42', 'ht', 'Hà Tĩnh', 'ha tinh', 'U');
    INSERT INTO plans (id, province_code, title, title_folded, period_start, period_end)
      VALUES ('ht-kh', '42', 'Kế hoạch', 'ke hoach', 2024, 2025);
    INSERT INTO agencies (id, name, name_folded, kind, province_code) VALUES ('ht-so', 'Sở', 'so', 'so', '42');
    INSERT INTO search_entries (kind, node_key, title, folded) VALUES ('AGENCY', 'ht-so', 'Sở Tư pháp', 'so tu phap');";

/// Rows that break a foreign key or a CHECK of the integrity migration, but nothing an earlier migration checks.
const OFFENDING_ROWS: &str = "
    INSERT INTO agencies (id, name, name_folded, kind, province_code)
      VALUES ('x-1', 'X', 'x', 'so', '99'), ('x-2', 'X', 'x', 'so', '99');
    INSERT INTO information_systems (code, name, name_folded, agency_id, province_code, security_level)
      VALUES ('s-1', 'S', 's', 'ht-so', '42', 7);
    INSERT INTO project_budgets (project_id, amount_printed) VALUES (4242, '1');
    INSERT INTO plans (id, province_code, title, title_folded, period_start, period_end)
      VALUES ('ht-kh-2', '42', 'Kế hoạch', 'ke hoach', 2026, 2025);";

async fn migrated_before_integrity() -> (DatabaseConnection, impl Drop) {
    let (url, guard) = empty_database().await;
    let db = Database::connect(&url).await.expect("connect");
    Migrator::up(&db, Some(BEFORE_INTEGRITY))
        .await
        .expect("the migrations before integrity");
    db.execute_unprepared(VALID_ROWS).await.expect("valid rows");
    (db, guard)
}

async fn count(db: &DatabaseConnection, sql: &str) -> String {
    texts(db, &format!("SELECT CAST(({sql}) AS TEXT) AS n"), &["n"]).await[0][0].clone()
}

#[tokio::test]
async fn the_migration_refuses_orphans_and_values_outside_the_rules_naming_them() {
    let (db, _guard) = migrated_before_integrity().await;
    db.execute_unprepared(OFFENDING_ROWS)
        .await
        .expect("rows written before the constraints");
    let message = Migrator::up(&db, Some(1))
        .await
        .expect_err("the integrity migration refuses the rows")
        .to_string();
    for named in [
        "agencies.province_code holds \"99\" (2) in 2 row(s); it must name an existing provinces.code \
         (fk_agencies_province)",
        "information_systems.security_level holds \"7\" (1) in 1 row(s); it must be from 1 to 5 \
         (ck_information_systems_security_level)",
        "project_budgets.project_id holds \"4242\" (1) in 1 row(s); it must name an existing projects.id",
        "plans.period_start holds \"2026 > 2025\" (1) in 1 row(s); it must be not after period_end (ck_plans_period)",
    ] {
        assert!(message.contains(named), "{named}\n  not in: {message}");
    }
    assert!(
        !message.contains("ht-so"),
        "a valid row is not named: {message}"
    );
    // Nothing changed: the migration is not recorded, every row is still there, and none is constrained yet.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM seaql_migrations").await,
        BEFORE_INTEGRITY.to_string()
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM agencies").await, "3");
    db.execute_unprepared(
        "INSERT INTO project_budgets (project_id, amount_printed) VALUES (4343, '1')",
    )
    .await
    .expect("still no foreign key");

    db.execute_unprepared(
        "DELETE FROM agencies WHERE province_code = '99';
         UPDATE information_systems SET security_level = 3;
         DELETE FROM project_budgets;
         UPDATE plans SET period_start = 2025 WHERE id = 'ht-kh-2';",
    )
    .await
    .expect("correct the rows");
    Migrator::up(&db, Some(1))
        .await
        .expect("the corrected database migrates");
    assert_eq!(
        texts(
            &db,
            "SELECT CAST(security_level AS TEXT) AS l FROM information_systems",
            &["l"]
        )
        .await,
        [["3"]],
        "rows are kept as they were"
    );
    db.execute_unprepared(
        "INSERT INTO project_budgets (project_id, amount_printed) VALUES (4343, '1')",
    )
    .await
    .expect_err("now an orphan is refused");
}

#[tokio::test]
async fn down_removes_the_constraints_and_up_adds_them_again() {
    let (db, _guard) = migrated_before_integrity().await;
    Migrator::up(&db, None)
        .await
        .expect("integrity and the later migrations");
    let orphan = "INSERT INTO agencies (id, name, name_folded, kind, province_code) VALUES ('x', 'X', 'x', 'so', '99')";
    db.execute_unprepared(orphan)
        .await
        .expect_err("constrained");
    // Down to before the integrity migration: the later ones first.
    let after_integrity = Migrator::migrations().len() as u32 - BEFORE_INTEGRITY;
    Migrator::down(&db, Some(after_integrity))
        .await
        .expect("down");
    db.execute_unprepared(orphan)
        .await
        .expect("no longer constrained");
    db.execute_unprepared("UPDATE agencies SET kind = 'bo' WHERE id = 'x'")
        .await
        .expect("no CHECK either");
    db.execute_unprepared("DELETE FROM agencies WHERE id = 'x'")
        .await
        .expect("remove it");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM search_entries").await,
        "1",
        "rows kept"
    );
    Migrator::up(&db, None).await.expect("up again");
    db.execute_unprepared(orphan)
        .await
        .expect_err("constrained again");
}

/// Everything about a SQLite table that its rebuild must keep.
async fn shape(db: &DatabaseConnection) -> BTreeSet<Vec<String>> {
    let mut shape: BTreeSet<Vec<String>> = texts(
        db,
        "SELECT type, name, tbl_name, COALESCE(sql, '') AS sql FROM sqlite_master \
         WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_autoindex%'",
        &["type", "name", "tbl_name", "sql"],
    )
    .await
    .into_iter()
    .collect();
    // Autoindexes are named by their position: what they index is what counts.
    let unique = texts(
        db,
        "SELECT m.name AS tbl, i.name AS col FROM sqlite_master m, pragma_index_list(m.name) l, \
           pragma_index_info(l.name) i WHERE m.type = 'table' AND l.origin = 'u'",
        &["tbl", "col"],
    )
    .await;
    shape.extend(
        unique
            .into_iter()
            .map(|row| vec!["unique".into(), row[0].clone(), row[1].clone()]),
    );
    let tables = texts(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'table'",
        &["name"],
    )
    .await;
    for table in tables {
        for (name, kind, nullable) in columns(db, &table[0]).await {
            shape.insert(vec![table[0].clone(), name, kind, nullable.to_string()]);
        }
    }
    shape
}

#[tokio::test]
async fn the_sqlite_rebuild_keeps_columns_indexes_triggers_and_counters() {
    let (db, _guard) = migrated_before_integrity().await;
    if db.get_database_backend() != DbBackend::Sqlite {
        return; // PostgreSQL adds the constraints to the tables as they are.
    }
    // A link that was recorded, then removed: its id must not come back.
    db.execute_unprepared(
        "INSERT INTO national_databases (id, name, name_folded, kind) VALUES ('dan-cu', 'Dân cư', 'dan cu', 'database');
         INSERT INTO national_database_links (id, national_database_id, province_code, status) VALUES
           (7, 'dan-cu', '42', 'connected');
         DELETE FROM national_database_links;",
    )
    .await
    .expect("a removed link");
    let before = shape(&db).await;
    Migrator::up(&db, Some(1)).await.expect("integrity");
    let after = shape(&db).await;
    assert_eq!(
        before.symmetric_difference(&after).collect::<Vec<_>>(),
        Vec::<&Vec<String>>::new(),
        "the rebuild changed the tables' shape"
    );
    assert!(after
        .iter()
        .any(|row| row[0] == "trigger" && row[1] == "search_entries_ai"));
    db.execute_unprepared(
        "INSERT INTO national_database_links (national_database_id, province_code, status) VALUES ('dan-cu', '42', 'planned');
         INSERT INTO search_entries (kind, node_key, title, folded) VALUES ('PLAN', 'ht-kh', 'Kế hoạch', 'ke hoach');",
    )
    .await
    .expect("writes after the rebuild");
    assert_eq!(
        count(&db, "SELECT id FROM national_database_links").await,
        "8"
    );
    // The full-text index follows the rebuilt table, the rows from before and after it alike.
    for (word, n) in [("phap", "1"), ("hoach", "1")] {
        let sql =
            format!("SELECT COUNT(*) FROM search_trigrams WHERE search_trigrams MATCH '{word}'");
        assert_eq!(count(&db, &sql).await, n, "{word}");
    }
    // The later migrations create their tables with their own relations.
    Migrator::up(&db, None).await.expect("the later migrations");
    assert_eq!(RELATIONS.len(), texts(&db, "SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'", &["name"]).await.len());
}
