//! Agencies: created and edited, read back, searched without diacritics, audited; official codes parsed and unique.

use serde_json::{json, Value};

use super::*;
use crate::common::TestHub;

#[tokio::test]
async fn an_admin_creates_and_updates_an_agency_read_back_searched_and_audited() {
    let hub = TestHub::start().await;
    // "Việt" in decomposed form (NFD) must be stored and returned in NFC.
    let created = ok(
        &hub,
        CREATE_AGENCY,
        json!({ "input": { "name": "  Trung tâm  Giám sát, điều hành đô thị thông minh Vie\u{302}\u{323}t ",
            "kind": "DON_VI_SU_NGHIEP", "provinceCode": "51", "parentKey": "qn-ubnd-tinh" } }),
        "createAgency",
    )
    .await;
    let name = "Trung tâm Giám sát, điều hành đô thị thông minh Việt";
    assert_eq!(created["name"], name);
    let key = created["key"].as_str().expect("key").to_owned();
    assert!(key.starts_with("qn-trung-tam-giam-sat"), "{key}");
    assert_eq!(
        (&created["version"], &created["edited"], &created["source"]),
        (&json!(1), &json!(false), &Value::Null)
    );

    let read = "query($k: String) { agency(key: $k) { name kind code version approvalRole
        province { code } parent { key } source { line } } }";
    let back = hub.data(read, json!({ "k": key })).await;
    assert_eq!(
        back["agency"],
        json!({ "name": name, "kind": "DON_VI_SU_NGHIEP", "code": null, "version": 1, "approvalRole": null,
            "province": { "code": "51" }, "parent": { "key": "qn-ubnd-tinh" }, "source": null })
    );
    let hits = hub
        .data(
            "{ search(text: \"giam sat, dieu hanh do thi thong minh viet\", first: 5) { kind title node { ... on Agency { key } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        hits["search"][0],
        json!({ "node": { "key": key }, "title": name, "kind": "AGENCY" })
    );

    let updated = ok(
        &hub,
        UPDATE_AGENCY,
        json!({ "key": key, "version": 1, "input": { "name": "Trung tâm Điều hành thông minh Quảng Ngãi",
            "approvalRole": "SECURITY_UNIT", "officialCode": "000.00.53.H48" } }),
        "updateAgency",
    )
    .await;
    assert_eq!(
        (
            &updated["version"],
            &updated["edited"],
            &updated["approvalRole"],
            &updated["code"]
        ),
        (
            &json!(2),
            &json!(true),
            &json!("SECURITY_UNIT"),
            &json!("000.00.53.H48")
        )
    );
    let hits = hub
        .data(
            "{ search(text: \"trung tam dieu hanh thong minh quang ngai\", first: 3) { node { ... on Agency { key } } } }",
            json!({}),
        )
        .await;
    assert_eq!(hits["search"][0]["node"]["key"], key.as_str());
    let by_code = hub
        .data(
            "{ agency(code: \"000.00.53.H48\") { key approvalRole } }",
            json!({}),
        )
        .await;
    assert_eq!(
        by_code["agency"],
        json!({ "key": key, "approvalRole": "SECURITY_UNIT" })
    );

    // An explicit null clears a nullable field; an omitted one stays.
    let cleared = ok(
        &hub,
        UPDATE_AGENCY,
        json!({ "key": key, "version": 2, "input": { "approvalRole": null, "parentKey": null } }),
        "updateAgency",
    )
    .await;
    assert_eq!(
        (
            &cleared["approvalRole"],
            &cleared["parent"],
            &cleared["code"],
            &cleared["version"]
        ),
        (
            &Value::Null,
            &Value::Null,
            &json!("000.00.53.H48"),
            &json!(3)
        )
    );

    let events = audit_of(&hub, "agency", &key).await;
    let actions: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(actions, ["create", "update", "update"]);
    assert!(events
        .iter()
        .all(|e| e.1 == format!("tester@{ADMIN_AGENCY}")));
    assert!(events[1].2.contains("security_unit"), "{}", events[1].2);
}

#[tokio::test]
async fn editing_a_seeded_agency_keeps_its_source_and_marks_it_edited() {
    let hub = TestHub::start().await;
    let read = "{ agency(key: \"qn-so-cong-thuong\") { name version edited source { file line lineEnd } } }";
    let seeded = hub.data(read, json!({})).await["agency"].clone();
    assert_eq!(
        (&seeded["version"], &seeded["edited"]),
        (&json!(1), &json!(false))
    );
    assert!(seeded["source"]["file"].is_string(), "{seeded}");

    ok(
        &hub,
        UPDATE_AGENCY,
        json!({ "key": "qn-so-cong-thuong", "version": 1, "input": { "name": "Sở Công Thương tỉnh Quảng Ngãi" } }),
        "updateAgency",
    )
    .await;
    let edited = hub.data(read, json!({})).await["agency"].clone();
    assert_eq!(edited["name"], "Sở Công Thương tỉnh Quảng Ngãi");
    assert_eq!(
        edited["source"], seeded["source"],
        "the source must not change"
    );
    assert_eq!(
        (&edited["version"], &edited["edited"]),
        (&json!(2), &json!(true))
    );
    let events = audit_of(&hub, "agency", "qn-so-cong-thuong").await;
    assert_eq!(events.len(), 1);
    assert!(
        events[0].2.contains("\"line\":"),
        "the audit keeps the source: {}",
        events[0].2
    );
}

#[tokio::test]
async fn official_codes_are_parsed_and_unique() {
    let hub = TestHub::start().await;
    let before = counts(&hub).await;
    let new = |code: &str| json!({ "input": { "name": "Sở Tư pháp", "kind": "SO", "provinceCode": "51", "officialCode": code } });
    for bad in ["000.00.00.h48", "H48", "000.00.00.H48 "] {
        let (_, body) = hub.post_as(&admin(), CREATE_AGENCY, new(bad)).await;
        assert_eq!(code_of(&body), "BAD_USER_INPUT", "{bad}: {body}");
        assert_eq!(field_of(&body), "input.officialCode", "{body}");
    }
    let (_, body) = hub.post_as(&admin(), CREATE_AGENCY, new(QN_CODE)).await;
    assert_eq!(code_of(&body), "CONFLICT", "{body}");
    let (_, body) = hub
        .post_as(
            &admin(),
            UPDATE_AGENCY,
            json!({ "key": "qn-so-cong-thuong", "version": 1, "input": { "officialCode": QN_CODE } }),
        )
        .await;
    assert_eq!(code_of(&body), "CONFLICT", "{body}");
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused write changed the database"
    );
    // Its own code is not a conflict.
    let same = ok(
        &hub,
        UPDATE_AGENCY,
        json!({ "key": "qn-ubnd-tinh", "version": 1, "input": { "officialCode": QN_CODE } }),
        "updateAgency",
    )
    .await;
    assert_eq!(same["code"], QN_CODE);
}
