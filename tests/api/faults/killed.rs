//! `kill -9` during a thousand concurrent personal-data lookups: the client records which lookups brought data back
//! (each has a request id of its own); the process is killed once some have; after a restart `lgsp-hub audit verify`
//! passes, and every lookup whose data reached the client has its access-log entry.

use std::{
    collections::BTreeSet,
    process::{Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{json, Value};

use crate::{
    common::{
        empty_database,
        process::{listening, Serving},
        token, TEST_ACCESS_LOG_KEY, TEST_CURSOR_KEY, TEST_SECRET,
    },
    mock::MockUpstreams,
};

const QN: &str = "000.00.00.H48";
const PURPOSE: &str = r#"{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }"#;
const LOOKUPS: usize = 1000;

fn serve(database_url: &str, mock: &MockUpstreams, dir: &std::path::Path, log: &str) -> Serving {
    Serving(
        Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
            .args(["--listen", "127.0.0.1:0", "serve"])
            .env_remove("LGSP_CONFIG")
            .env("LGSP_DATABASE_URL", database_url)
            .env("LGSP_UPSTREAMS_URL", mock.url())
            .env("LGSP_JWT_SECRET", TEST_SECRET)
            .env("LGSP_ACCESS_LOG_KEY", TEST_ACCESS_LOG_KEY)
            .env("LGSP_CURSOR_KEY", TEST_CURSOR_KEY)
            .env("LGSP_DATA_DIR", dir)
            // `info`: the line that says where the hub listens.
            .env("LGSP_LOG", "info")
            .env("LGSP_HEALTH_INTERVAL_MS", "0")
            // On a loaded machine a thousand lookups wait: none may be cut by a deadline (that returns no data,
            // which proves nothing here).
            .env("LGSP_REQUEST_TIMEOUT_MS", "60000")
            .env("LGSP_DB_ACQUIRE_TIMEOUT_MS", "30000")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join(log)).expect("log"))
            .spawn()
            .expect("start lgsp-hub"),
    )
}

#[tokio::test]
async fn kill_9_during_a_thousand_lookups_loses_no_entry_of_data_returned() {
    let _turn = crate::common::HEAVY.lock().await;
    let mock = MockUpstreams::spawn(&[]);
    // Slow enough that the kill lands while most lookups are in flight.
    mock.admin_put_knobs("population", json!({ "latencyMs": 20 }))
        .await;
    let (database_url, _db) = empty_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut hub = serve(&database_url, &mock, dir.path(), "first.log");
    let base = listening(&dir.path().join("first.log")).await;
    let s = mock.samples().await;
    let ids: Vec<String> = s["citizens"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let query = format!(
        r#"query($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }} }}"#
    );
    let reader = token(QN, "upstream:population:read");
    let client = reqwest::Client::new();
    let received = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..LOOKUPS)
        .map(|i| {
            let request = client
                .post(format!("{base}/graphql"))
                .bearer_auth(&reader)
                .header("x-request-id", format!("kill9-{i}"))
                .json(&json!({ "query": query, "variables": { "p": ids[i % ids.len()] } }));
            let received = received.clone();
            tokio::spawn(async move {
                let body: Value = request.send().await.ok()?.json().await.ok()?;
                let got = body["data"]["citizen"]["fullName"].is_string();
                received.fetch_add(usize::from(got), Ordering::Relaxed);
                got.then(|| format!("kill9-{i}"))
            })
        })
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while received.load(Ordering::Relaxed) < 50 {
        assert!(tokio::time::Instant::now() < deadline, "no lookup answered");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    hub.0.kill().expect("kill -9");
    let _ = hub.0.wait();
    let mut returned = BTreeSet::new();
    for task in tasks {
        if let Some(id) = task.await.expect("task") {
            returned.insert(id);
        }
    }
    assert!(returned.len() >= 50, "{}", returned.len());

    // The hub starts again over what the kill left, and the chain verifies.
    let _hub = serve(&database_url, &mock, dir.path(), "second.log");
    listening(&dir.path().join("second.log")).await;
    let out = Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
        .args(["audit", "verify"])
        .env_remove("LGSP_CONFIG")
        .env("LGSP_DATABASE_URL", &database_url)
        .env("LGSP_ACCESS_LOG_KEY", TEST_ACCESS_LOG_KEY)
        .env("LGSP_PRODUCTION", "true")
        .env("LGSP_JWT_SECRET", TEST_SECRET)
        .output()
        .expect("run audit verify");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let db = sea_orm::Database::connect(&database_url)
        .await
        .expect("connect");
    let logged: BTreeSet<String> = entities::access_log_entry::Entity::find()
        .select_only()
        .column(entities::access_log_entry::Column::RequestId)
        .filter(entities::access_log_entry::Column::RequestId.is_not_null())
        .into_tuple::<Option<String>>()
        .all(&db)
        .await
        .expect("entries")
        .into_iter()
        .flatten()
        .collect();
    let missing: Vec<&String> = returned.difference(&logged).collect();
    assert!(
        missing.is_empty(),
        "{} of {} lookups returned data without an access-log entry: {:?}",
        missing.len(),
        returned.len(),
        missing.iter().take(5).collect::<Vec<_>>()
    );
}
