//! Connections to national databases: an administrator records, updates and removes their own link for a province and
//! a database, next to the plan's statements, which stay as printed.

use serde_json::json;

use super::*;
use crate::common::TestHub;

const LINKS: &str = "{ province(code: \"51\") { nationalDatabaseLinks {
    status quote note version recordedByAdministrator nationalDatabase { key } plan { key } } } }";

#[tokio::test]
async fn an_admin_records_updates_and_removes_a_connection() {
    let hub = TestHub::start().await;
    let printed = hub.data(LINKS, json!({})).await["province"]["nationalDatabaseLinks"].clone();
    let printed = printed.as_array().expect("links").clone();
    assert!(!printed.is_empty());
    assert!(printed
        .iter()
        .all(|l| l["recordedByAdministrator"] == false && l["quote"].is_string()));

    let vars = |status: &str, version: Option<i32>| json!({ "p": "51", "d": "dan-cu", "s": status, "n": "Đã kết nối  qua NDXP ", "v": version });
    let link = ok(
        &hub,
        CONNECT,
        vars("CONNECTED", None),
        "connectNationalDatabase",
    )
    .await;
    assert_eq!(
        link,
        json!({ "status": "CONNECTED", "note": "Đã kết nối qua NDXP", "quote": null, "version": 1,
            "recordedByAdministrator": true, "plan": null, "source": null })
    );
    let now = hub.data(LINKS, json!({})).await["province"]["nationalDatabaseLinks"].clone();
    let now = now.as_array().expect("links").clone();
    assert_eq!(now.len(), printed.len() + 1);
    let recorded: Vec<_> = now
        .iter()
        .filter(|l| l["recordedByAdministrator"] == true)
        .collect();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["nationalDatabase"]["key"], "dan-cu");
    let connected = hub
        .data(
            "{ nationalDatabases(first: 50) { nodes { key connectedProvinces(status: CONNECTED) { code } } } }",
            json!({}),
        )
        .await;
    let dan_cu = connected["nationalDatabases"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["key"] == "dan-cu")
        .expect("dan-cu")
        .clone();
    assert!(dan_cu["connectedProvinces"]
        .as_array()
        .expect("provinces")
        .contains(&json!({ "code": "51" })));

    // Connecting again updates the one recorded link; a stale version conflicts.
    let again = ok(
        &hub,
        CONNECT,
        vars("PLANNED", Some(1)),
        "connectNationalDatabase",
    )
    .await;
    assert_eq!(
        (&again["status"], &again["version"]),
        (&json!("PLANNED"), &json!(2))
    );
    let before = counts(&hub).await;
    let (_, body) = hub
        .post_as(&admin(), CONNECT, vars("CONNECTED", Some(1)))
        .await;
    assert_eq!(code_of(&body), "CONFLICT", "{body}");
    let (_, body) = hub
        .post_as(
            &admin(),
            DISCONNECT,
            json!({ "p": "51", "d": "dan-cu", "v": 1 }),
        )
        .await;
    assert_eq!(code_of(&body), "CONFLICT", "{body}");
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused write changed the database"
    );

    let removed = ok(
        &hub,
        DISCONNECT,
        json!({ "p": "51", "d": "dan-cu", "v": 2 }),
        "disconnectNationalDatabase",
    )
    .await;
    assert_eq!(removed, json!({ "status": "PLANNED", "version": 2 }));
    let after = hub.data(LINKS, json!({})).await["province"]["nationalDatabaseLinks"].clone();
    assert_eq!(
        after.as_array().expect("links"),
        &printed,
        "plan statements changed"
    );

    // Nothing recorded any more; a plan's statement cannot be removed.
    for d in ["dan-cu", "ndxp"] {
        let (_, body) = hub
            .post_as(&admin(), DISCONNECT, json!({ "p": "51", "d": d, "v": 1 }))
            .await;
        assert_eq!(code_of(&body), "NOT_FOUND", "{d}: {body}");
    }
    let events = audit_of(&hub, "national_database_link", "51:dan-cu").await;
    let actions: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(actions, ["connect", "update", "disconnect"]);
    assert!(
        events[0].2.contains("Đã kết nối qua NDXP"),
        "{}",
        events[0].2
    );
}
