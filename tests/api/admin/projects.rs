//! Projects: created and edited, read back, searched without diacritics, audited; a seeded project keeps its source
//! and its printed total, and an entered total is never shown as printed.

use serde_json::{json, Value};

use lgsp_hub::graphql::ids::{global_id, NodeKind};

use super::*;
use crate::common::TestHub;

#[tokio::test]
async fn an_admin_creates_and_updates_a_project_read_back_searched_and_audited() {
    let hub = TestHub::start().await;
    let name = "Nền tảng số hóa hồ sơ đất đai tỉnh Quảng Ngãi";
    let created = ok(
        &hub,
        CREATE_PROJECT,
        json!({ "input": { "planKey": "qn-kh-2024", "name": name, "leadAgencyKey": "qn-so-cong-thuong",
            "yearStart": 2024, "yearEnd": 2025, "fundingSource": "NGAN_SACH_TINH", "totalMillionVnd": 1250.5 } }),
        "createProject",
    )
    .await;
    let key = created["key"].as_str().expect("key").to_owned();
    assert!(key.starts_with("qn-kh-2024-nen-tang-so-hoa"), "{key}");
    assert_eq!(
        created,
        json!({ "key": key, "name": name, "version": 1, "edited": false, "yearStart": 2024, "yearEnd": 2025,
            "fundingSource": "NGAN_SACH_TINH", "province": { "code": "51" }, "plan": { "key": "qn-kh-2024" },
            "leadAgency": { "key": "qn-so-cong-thuong" },
            // Entered, not printed: no document prints this amount.
            "total": { "printed": null, "unit": "MILLION_VND", "millionVnd": 1250.5 }, "source": null })
    );

    let listed = hub
        .data(
            "{ projects(filter: { planKey: \"qn-kh-2024\", nameContains: \"so hoa ho so dat dai\" }) {
                totalCount nodes { key name total { millionVnd } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["projects"]["totalCount"], 1, "{listed}");
    assert_eq!(listed["projects"]["nodes"][0]["name"], name);
    let hits = hub
        .data(
            "{ search(text: \"nen tang so hoa ho so dat dai\", first: 3) { kind title node { ... on Project { key } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        hits["search"][0],
        json!({ "node": { "key": key }, "kind": "PROJECT", "title": name })
    );

    let updated = ok(
        &hub,
        UPDATE_PROJECT,
        json!({ "key": key, "version": 1, "input": { "name": "Số hóa hồ sơ địa chính", "yearEnd": 2026,
            "totalMillionVnd": null } }),
        "updateProject",
    )
    .await;
    assert_eq!(
        updated,
        json!({ "key": key, "name": "Số hóa hồ sơ địa chính", "version": 2, "edited": true, "yearStart": 2024,
            "yearEnd": 2026, "total": null, "source": null })
    );
    let hits = hub
        .data(
            "{ search(text: \"so hoa ho so dia chinh\", first: 3) { node { ... on Project { key } } } }",
            json!({}),
        )
        .await;
    assert_eq!(hits["search"][0]["node"]["key"], key.as_str());

    let events = audit_of(&hub, "project", &key).await;
    let actions: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(actions, ["create", "update"]);
    assert!(events[0].2.contains("1250500000"), "{}", events[0].2);
}

#[tokio::test]
async fn editing_a_seeded_project_keeps_its_source_and_printed_total() {
    let hub = TestHub::start().await;
    let read = "query($id: ID!) { node(id: $id) { ... on Project {
        key name version edited total { printed millionVnd } source { file line } } } }";
    let id = json!({ "id": global_id(NodeKind::Project, "kg-p-i-1").0 });
    let seeded = hub.data(read, id.clone()).await["node"].clone();
    assert_eq!(seeded["key"], "kg-p-i-1", "{seeded}");
    assert_eq!(seeded["total"]["printed"], "2.650");

    let before = counts(&hub).await;
    let (_, body) = hub
        .post_as(
            &admin(),
            UPDATE_PROJECT,
            json!({ "key": "kg-p-i-1", "version": 1, "input": { "totalMillionVnd": 1.0 } }),
        )
        .await;
    assert_eq!(code_of(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(field_of(&body), "input.totalMillionVnd");
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused write changed the database"
    );

    ok(
        &hub,
        UPDATE_PROJECT,
        json!({ "key": "kg-p-i-1", "version": 1, "input": { "name": "Tên đã sửa" } }),
        "updateProject",
    )
    .await;
    let edited = hub.data(read, id).await["node"].clone();
    assert_eq!(edited["name"], "Tên đã sửa");
    assert_eq!(
        (&edited["version"], &edited["edited"]),
        (&json!(2), &json!(true))
    );
    assert_eq!(
        edited["total"], seeded["total"],
        "the printed total must not change"
    );
    assert_eq!(
        edited["source"], seeded["source"],
        "the source must not change"
    );
    assert_ne!(edited["source"], Value::Null);
}
