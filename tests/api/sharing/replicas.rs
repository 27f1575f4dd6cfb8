//! Two hub processes over one PostgreSQL database (only with `LGSP_TEST_DATABASE_URL`): a grant revoked through one
//! stops working on the other, whose grants are cached until a change notification drops them.

use std::time::Duration;

use serde_json::{json, Value};

use super::{decider, refusal, World, REQ, REVOKE};
use crate::common::{process::HubProcess, token};

fn on_postgres() -> bool {
    let set = std::env::var("LGSP_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    if !set {
        eprintln!("skipped: set LGSP_TEST_DATABASE_URL to run the replica tests on PostgreSQL");
    }
    set
}

async fn lookup(base: &str, citizen: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token(REQ, "upstream:population:read"))
        .json(&json!({
            "query": format!("query($id: String!) {{ citizen(personalId: $id, purpose: {}) {{ fullName }} }}", super::PURPOSE),
            "variables": { "id": citizen },
        }))
        .send()
        .await
        .expect("lookup")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn a_grant_revoked_through_one_hub_stops_at_the_other() {
    if !on_postgres() {
        return;
    }
    let w = World::new().await;
    let b = HubProcess::start(
        w.hub.database_url(),
        &[
            ("LGSP_PRODUCTION", "false".into()),
            ("LGSP_UPSTREAMS_URL", w.mock.url()),
        ],
    )
    .await;
    // B has no grant to cache yet: refused.
    assert_eq!(refusal(&lookup(&b.base, &w.citizen).await).1, "NO_GRANT");
    let request = w.file(w.input(&["fullName"], 30, 100)).await;
    let grant = w.approve(&request, json!(null)).await["grant"].clone();
    // The approval through A reaches B (its cached grants are dropped by the notification).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let body = lookup(&b.base, &w.citizen).await;
        if body.get("errors").is_none() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "B never saw the grant: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // B now holds the grant in its cache; the revocation through A must reach it.
    let (_, body) = w
        .hub
        .post_as(
            &decider(),
            REVOKE,
            json!({ "id": grant["id"], "v": grant["version"], "r": "Thu hồi để kiểm tra hai máy chủ" }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let body = lookup(&b.base, &w.citizen).await;
        if refusal(&body).1 == "NO_GRANT" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "B still honours the revoked grant: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
