//! Migrations on a database written before them: the enum migration keeps every value its enums know and refuses,
//! naming table, column, value and row count, a database that holds any other.

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

/// The migrations before the enum migration.
const BEFORE_ENUMS: u32 = 7;

#[tokio::test]
async fn values_outside_an_enum_stop_the_migration_and_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("written-before-enums.sqlite").display()
    );
    let db = Database::connect(&url).await.expect("connect");
    Migrator::up(&db, Some(BEFORE_ENUMS))
        .await
        .expect("the migrations before the enums");
    // Under a province of their own: the integrity migration after this one refuses orphans.
    db.execute_unprepared(
        "INSERT INTO provinces (code, slug, name, name_folded, committee_name) VALUES ('91', 'kg', 'K', 'k', 'U');
         INSERT INTO agencies (id, name, name_folded, kind, province_code) VALUES \
           ('a', 'A', 'a', 'so', '91'), ('b', 'B', 'b', 'bo', '91'), ('c', 'C', 'c', 'bo', '91');
         INSERT INTO search_entries (kind, node_key, title, folded) VALUES ('AGENCY', 'a', 'A', 'a'), ('TOWN', 't', 'T', 't');",
    )
    .await
    .expect("rows written before the enums");

    let message = Migrator::up(&db, None)
        .await
        .expect_err("the enum migration refuses values it cannot type")
        .to_string();
    assert!(
        message.contains("agencies.kind holds \"bo\" in 2 row(s)"),
        "{message}"
    );
    assert!(
        message.contains("search_entries.kind holds \"TOWN\" in 1 row(s)"),
        "{message}"
    );
    assert!(
        !message.contains("\"so\""),
        "a known value is not named: {message}"
    );

    db.execute_unprepared(
        "UPDATE agencies SET kind = 'khac' WHERE kind = 'bo'; DELETE FROM search_entries WHERE kind = 'TOWN';",
    )
    .await
    .expect("correct the rows");
    Migrator::up(&db, None)
        .await
        .expect("the corrected database migrates, its values kept");
    let kept = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT kind FROM agencies WHERE id = 'a'",
        ))
        .await
        .expect("read")
        .expect("the row");
    assert_eq!(kept.try_get::<String>("", "kind").expect("kind"), "so");
}
