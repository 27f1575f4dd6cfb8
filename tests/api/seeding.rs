//! A large synthetic load (`seed --synthetic-systems N`) drops the loaded tables' non-unique indexes and builds them
//! again at its end: afterwards the schema has exactly the indexes it had, and they answer (name order, search).

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::common::TestHub;

/// The indexes of the two loaded tables, by name and definition, as the database states them.
async fn indexes(db: &sea_orm::DatabaseConnection) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT name AS name, COALESCE(sql, '') AS definition FROM sqlite_master WHERE type = 'index' \
             AND tbl_name IN ('information_systems', 'search_entries') ORDER BY name"
        }
        _ => {
            "SELECT indexname::text AS name, indexdef AS definition FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN ('information_systems', 'search_entries') \
             ORDER BY indexname"
        }
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("index listing")
        .iter()
        .map(|row| {
            (
                row.try_get("", "name").expect("name"),
                row.try_get("", "definition").expect("definition"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_large_load_builds_the_same_indexes_again() {
    let hub = TestHub::start().await;
    let before = indexes(&hub.db).await;
    assert!(
        before
            .iter()
            .any(|(name, _)| name == "ix_systems_level_name"),
        "{before:?}"
    );
    // At least as many rows as the table holds and over the threshold: the indexes are dropped and built again.
    let added = lgsp_hub::seed::synthetic::generate_systems(&hub.db, 10_000, 11, |_, _| {})
        .await
        .expect("synthetic systems");
    assert_eq!(added, 10_000);
    assert_eq!(indexes(&hub.db).await, before);

    // They answer: a level's first page in name order, and a word of the synthetic titles.
    let page = hub
        .data(
            r#"{ informationSystems(first: 3, filter: { securityLevel: 4 }) { totalCount nodes { securityLevel } } }"#,
            serde_json::json!({}),
        )
        .await;
    assert!(
        page["informationSystems"]["totalCount"]
            .as_i64()
            .is_some_and(|n| n > 1_000),
        "{page}"
    );
    let found = hub
        .data(
            r#"{ searchResults(text: "kho du lieu", first: 5) { hits { title } } }"#,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        found["searchResults"]["hits"].as_array().map(Vec::len),
        Some(5),
        "{found}"
    );
}
