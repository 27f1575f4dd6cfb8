//! `/healthz` and `/readyz`: liveness does no I/O; readiness reads the last round of background checks (database,
//! migrations, access log, Redis when configured), names each, and on PostgreSQL flips to 503 while the hub's
//! database refuses connections and back to 200 when it takes them again, without a restart.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};

use crate::common::TestHub;

async fn readyz(hub: &TestHub) -> (u16, Value) {
    let resp = hub
        .client
        .get(hub.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    let status = resp.status().as_u16();
    assert_eq!(resp.headers()["content-type"], "application/json");
    (status, resp.json().await.expect("JSON body"))
}

/// Polls `/readyz` until it answers `status`; returns its body.
async fn wait_for(hub: &TestHub, status: u16) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (now, body) = readyz(hub).await;
        if now == status {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz stayed {now}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn readiness_names_each_check_and_liveness_answers() {
    let hub = TestHub::start().await;
    let (status, body) = readyz(&hub).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["checks"],
        json!({ "database": "ok", "migrations": "ok", "access_log": "ok" }),
        "no Redis configured, no Redis check"
    );
    assert_eq!(body["status"], "ready");
    let alive = hub
        .client
        .get(hub.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(alive.status(), 200);
    assert_eq!(alive.text().await.expect("body"), "ok");
    assert_eq!(
        hub.metric(r#"lgsp_readiness_check_ok{check="access_log"}"#)
            .await,
        Some(1)
    );
}

#[tokio::test]
async fn an_unreachable_redis_degrades_readiness_without_failing_it() {
    let hub = TestHub::start_configured(0, |o| {
        o.settings.rate_limit_anonymous_per_minute = Some(600);
        // Nothing listens on port 1: the limits fall back to each process.
        o.settings.redis_url = Some("redis://127.0.0.1:1".into());
    })
    .await;
    let (status, body) = readyz(&hub).await;
    assert_eq!(status, 200, "rate limits per process still serve: {body}");
    assert_eq!(body["checks"]["redis"], "degraded", "{body}");
    assert_eq!(body["checks"]["database"], "ok", "{body}");
}

#[tokio::test]
async fn readiness_follows_the_database_without_a_restart() {
    let Ok(admin_url) = std::env::var("LGSP_TEST_DATABASE_URL") else {
        // SQLite has no server to take away: the checks above are what it can show.
        return;
    };
    if admin_url.is_empty() {
        return;
    }
    let hub = TestHub::start().await;
    wait_for(&hub, 200).await;
    let name = hub
        .database_url()
        .rsplit_once('/')
        .map(|(_, name)| name.to_owned())
        .expect("a database name");
    let admin = Database::connect(&admin_url)
        .await
        .expect("admin connection");
    let allow = |on: bool| format!("ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS {on}");
    // ALLOW_CONNECTIONS binds superusers too (CONNECTION LIMIT would not).
    admin
        .execute_unprepared(&allow(false))
        .await
        .expect("refuse connections");
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .await
        .expect("end the hub's sessions");

    let down = wait_for(&hub, 503).await;
    assert_eq!(down["status"], "not_ready", "{down}");
    assert_eq!(down["checks"]["database"], "failing", "{down}");
    assert_eq!(down["checks"]["migrations"], "unknown", "{down}");
    let alive = hub
        .client
        .get(hub.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(alive.status(), 200, "the process is alive all the same");

    admin
        .execute_unprepared(&allow(true))
        .await
        .expect("take connections again");
    let up = wait_for(&hub, 200).await;
    assert_eq!(up["checks"]["database"], "ok", "{up}");
    hub.data("{ provinces { code } }", json!({})).await;
}
