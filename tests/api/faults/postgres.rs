//! PostgreSQL restarted under load: writers register systems while a private cluster is stopped as by a crash (every
//! backend killed; recovery from the WAL) and started again. While it is down every answer is a coded error and
//! `/readyz` says 503; the hub recovers by itself (no restart); every write it acknowledged is in the database.

use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::load::{Answer, Load};
use crate::common::{private::PrivatePostgres, token, TestHub};

const QN: &str = "000.00.00.H48";
const REGISTER: &str = "mutation($input: RegisterInformationSystemInput!) {
    registerInformationSystem(input: $input) { code name } }";

fn name(client: usize, seq: usize) -> String {
    format!("Hệ thống thử sự cố {client}-{seq}")
}

fn acknowledged(a: &Answer) -> bool {
    a.status == 200 && a.body["data"]["registerInformationSystem"]["code"].is_string()
}

async fn readyz(hub: &TestHub) -> u16 {
    hub.client
        .get(format!("{}/readyz", hub.base))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

async fn wait_readyz(hub: &TestHub, status: u16) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while readyz(hub).await != status {
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz does not answer {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn postgres_restarted_under_load_coded_errors_then_recovery_and_no_acknowledged_write_lost() {
    let _turn = crate::common::HEAVY.lock().await;
    let Some(mut pg) = PrivatePostgres::start() else {
        return;
    };
    let url = pg.url("lgsp");
    let hub = TestHub::start_configured(0, |o| {
        o.settings.database_url = Some(url);
        // While the database is down a request waits this long for a connection, then fails with a code.
        o.settings.db_acquire_timeout_ms = Some(500);
        o.settings.request_timeout_ms = Some(5_000);
    })
    .await;
    let writer = token(QN, "systems:write");
    let endpoint = format!("{}/graphql", hub.base);
    let load = Load::start(4, move |http, client, seq| {
        http.post(&endpoint).bearer_auth(&writer).json(&json!({
            "query": REGISTER,
            "variables": { "input": { "name": name(client, seq), "securityLevel": 2,
                                      "processesPersonalData": false } },
        }))
    });
    load.until(
        "writes acknowledged before the crash",
        Duration::from_secs(30),
        |a| a.iter().filter(|a| acknowledged(a)).count() >= 20,
    )
    .await;

    pg.down(true);
    let at_crash = load.answers().len();
    load.until(
        "errors while the database is down",
        Duration::from_secs(30),
        |a| a[at_crash..].iter().filter(|a| !acknowledged(a)).count() >= 8,
    )
    .await;
    wait_readyz(&hub, 503).await;

    pg.up();
    let at_restart = load.answers().len();
    load.until(
        "writes acknowledged after the restart",
        Duration::from_secs(30),
        |a| a[at_restart..].iter().filter(|a| acknowledged(a)).count() >= 20,
    )
    .await;
    wait_readyz(&hub, 200).await;
    let answers = load.stop().await;

    // Every failure is an answer with a code, never a dropped connection or a bare 500.
    let failed: Vec<&Answer> = answers.iter().filter(|a| !acknowledged(a)).collect();
    assert!(!failed.is_empty());
    for a in &failed {
        assert!(
            a.status == 200 || a.status == 503 || a.status == 504,
            "{a:?}"
        );
        let codes = a.codes();
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c != "<no code>"),
            "a failure without a code: {a:?}"
        );
        assert!(
            !a.body.to_string().contains("postgres") && !a.body.to_string().contains("sqlx"),
            "the answer leaks the cause: {a:?}"
        );
    }
    // The outage has its own code, which tells a client to retry; it is not an internal error.
    let codes: Vec<String> = failed.iter().flat_map(|a| a.codes()).collect();
    assert!(
        codes.iter().any(|c| c == "DATABASE_UNAVAILABLE"),
        "{codes:?}"
    );
    assert!(
        !codes.iter().any(|c| c == "INTERNAL_SERVER_ERROR"),
        "an outage answered as an internal error: {codes:?}"
    );
    // Every acknowledged write is there, after the crash and the recovery.
    let acked: Vec<String> = answers
        .iter()
        .filter(|a| acknowledged(a))
        .map(|a| name(a.client, a.seq))
        .collect();
    let stored = entities::information_system::Entity::find()
        .filter(entities::information_system::Column::Name.is_in(acked.clone()))
        .all(&hub.db)
        .await
        .expect("read back");
    assert_eq!(
        stored.len(),
        acked.len(),
        "acknowledged writes were lost: {} acknowledged, {} stored",
        acked.len(),
        stored.len()
    );
}
