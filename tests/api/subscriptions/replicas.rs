//! Two hub processes over one PostgreSQL database (only with `LGSP_TEST_DATABASE_URL`): a write through one reaches the
//! subscribers of the other and drops the other's read cache, through LISTEN/NOTIFY.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

use super::{
    client::{register, wait_for_subscriptions, Client, PATIENCE},
    CHANGED, QN,
};
use crate::common::{process::HubProcess, token, TestHub};

async fn system_count(base: &str) -> i64 {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "{ informationSystems(first: 1) { totalCount } }" }))
        .send()
        .await
        .expect("count")
        .json()
        .await
        .expect("JSON");
    body["data"]["informationSystems"]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("no totalCount: {body}"))
}

fn on_postgres() -> bool {
    let set = std::env::var("LGSP_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    if !set {
        eprintln!("skipped: set LGSP_TEST_DATABASE_URL to run the replica tests on PostgreSQL");
    }
    set
}

#[tokio::test]
async fn a_write_through_one_hub_reaches_the_subscribers_and_the_cache_of_another() {
    if !on_postgres() {
        return;
    }
    let a = TestHub::start().await;
    let b = HubProcess::start(
        a.database_url(),
        &[
            ("LGSP_CACHE_TTL_MS", "600000".into()),
            ("LGSP_RESPONSE_CACHE_TTL_MS", "600000".into()),
        ],
    )
    .await;

    // B caches the count (and the whole anonymous answer) now; only a notification from A's write can make it see the
    // new system.
    let before = system_count(&b.base).await;
    let auth = json!({ "Authorization": format!("Bearer {}", token(QN, "catalog:read")) });
    let mut ws = Client::ready(&b.base, "graphql-transport-ws", auth).await;
    ws.subscribe("b", CHANGED, json!({ "province": "51" }))
        .await;
    wait_for_subscriptions(&b.base, 1).await;

    let code = register(&a.base, QN, "Trục liên thông văn bản tỉnh Quảng Ngãi").await;
    let got = ws.results(1).await;
    let change = &got["b"]["informationSystemChanged"];
    assert_eq!(change["action"], "register");
    assert_eq!(change["system"]["code"], code.as_str());
    assert_eq!(
        change["system"]["name"],
        "Trục liên thông văn bản tỉnh Quảng Ngãi"
    );
    assert_eq!(system_count(&b.base).await, before + 1);
}

/// Notifications sent while the listening connection is down are lost, so a reconnection drops the cache.
#[tokio::test]
async fn a_lost_listening_connection_drops_the_cache_when_it_reconnects() {
    if !on_postgres() {
        return;
    }
    let hub = TestHub::start_with(0, Some(600_000)).await;
    let before = system_count(&hub.base).await;
    // A row written behind the hub's back (no audit event, so no notification): the cached count hides it.
    hub.db
        .execute_unprepared(
            "INSERT INTO information_systems (code, name, name_folded, province_code, version)
             VALUES ('behind-the-back', 'Hệ thống ngoài luồng', 'he thong ngoai luong', '51', 1)",
        )
        .await
        .expect("insert");
    assert_eq!(system_count(&hub.base).await, before);

    let killed = hub
        .db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
        ))
        .await
        .expect("terminate")
        .and_then(|row| row.try_get::<i64>("", "n").ok());
    assert_eq!(killed, Some(1), "one listening connection");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while system_count(&hub.base).await == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cache outlived the reconnection"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(system_count(&hub.base).await, before + 1);
}
