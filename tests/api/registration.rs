//! Self-service registration: an agency token writes only its own systems, inputs are validated, stale versions
//! conflict, failed writes change nothing, and every write leaves an append-only audit event.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::common::{token, TestHub};

const QN: &str = "000.00.00.H48"; // UBND tỉnh Quảng Ngãi
const HT: &str = "000.00.00.H27"; // UBND tỉnh Hà Tĩnh

const REGISTER: &str =
    "mutation($input: RegisterInformationSystemInput!) { registerInformationSystem(input: $input) {
    code name version securityLevel approvalState agency { key } province { code } } }";
const UPDATE: &str = "mutation($code: String!, $version: Int!, $input: UpdateInformationSystemInput!) {
    updateInformationSystem(code: $code, version: $version, input: $input) { code name version description } }";

fn code_of(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn register(hub: &TestHub, agency: &str, name: &str) -> Value {
    let (status, body) = hub
        .post_as(
            &token(agency, "systems:write"),
            REGISTER,
            json!({ "input": { "name": name, "securityLevel": 3, "processesPersonalData": true } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["registerInformationSystem"].clone()
}

async fn counts(hub: &TestHub) -> (u64, u64) {
    let systems = entities::information_system::Entity::find()
        .count(&hub.db)
        .await
        .expect("count");
    let events = entities::audit_event::Entity::find()
        .count(&hub.db)
        .await
        .expect("count");
    (systems, events)
}

#[tokio::test]
async fn an_agency_registers_and_updates_its_own_system_with_an_audit_trail() {
    let hub = TestHub::start().await;
    let created = register(&hub, QN, "  Hệ thống  quản lý hồ sơ sức khỏe điện tử ").await;
    assert_eq!(created["name"], "Hệ thống quản lý hồ sơ sức khỏe điện tử");
    assert_eq!(created["agency"]["key"], "qn-ubnd-tinh");
    assert_eq!(created["province"]["code"], "51");
    assert_eq!(
        (created["version"].clone(), created["approvalState"].clone()),
        (json!(1), json!("PROPOSED"))
    );
    let code = created["code"].as_str().expect("code").to_owned();

    let (_, body) = hub
        .post_as(
            &token(QN, "systems:write"),
            UPDATE,
            json!({ "code": code, "version": 1, "input": { "name": "Hồ sơ sức khỏe điện tử tỉnh", "description": "Bản 2" } }),
        )
        .await;
    let updated = &body["data"]["updateInformationSystem"];
    assert_eq!(updated["version"], 2, "{body}");
    assert_eq!(updated["name"], "Hồ sơ sức khỏe điện tử tỉnh");
    // Search sees the new name, without diacritics too.
    let found = hub
        .data(
            "{ search(text: \"ho so suc khoe dien tu tinh\", first: 5) { title } }",
            json!({}),
        )
        .await;
    assert_eq!(found["search"][0]["title"], "Hồ sơ sức khỏe điện tử tỉnh");

    let events = entities::audit_event::Entity::find()
        .all(&hub.db)
        .await
        .expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].action, "register");
    assert_eq!(events[1].action, "update");
    assert_eq!(events[1].actor, format!("tester@{QN}"));
    assert_eq!(events[1].agency_code, QN);
    assert!(events[1]
        .before_json
        .as_deref()
        .is_some_and(|b| b.contains("\"version\":1")));
    assert!(events[1]
        .after_json
        .as_deref()
        .is_some_and(|a| a.contains("Bản 2")));
    assert!(events[1]
        .request_id
        .as_deref()
        .is_some_and(|r| !r.is_empty()));
}

#[tokio::test]
async fn writes_need_a_token_the_scope_and_a_registered_agency() {
    let hub = TestHub::start().await;
    let input = json!({ "input": { "name": "Hệ thống A" } });
    let before = counts(&hub).await;
    let (_, body) = hub.post(REGISTER, input.clone()).await;
    assert_eq!(code_of(&body), "UNAUTHENTICATED", "{body}");
    let (_, body) = hub
        .post_as(&token(QN, "catalog:read"), REGISTER, input.clone())
        .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    let (_, body) = hub
        .post_as(&token("000.00.00.H99", "systems:write"), REGISTER, input)
        .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused write changed the database"
    );
}

#[tokio::test]
async fn another_agency_cannot_touch_a_system_and_stale_versions_conflict() {
    let hub = TestHub::start().await;
    let created = register(&hub, QN, "Cổng dữ liệu mở Quảng Ngãi").await;
    let code = created["code"].as_str().expect("code").to_owned();
    let before = counts(&hub).await;
    let change =
        |version: i32| json!({ "code": code, "version": version, "input": { "name": "Đổi tên" } });

    let (_, body) = hub
        .post_as(&token(HT, "systems:write"), UPDATE, change(1))
        .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    let (_, body) = hub
        .post_as(&token(QN, "systems:write"), UPDATE, change(7))
        .await;
    assert_eq!(code_of(&body), "CONFLICT", "{body}");
    let (_, body) = hub
        .post_as(
            &token(QN, "systems:write"),
            UPDATE,
            json!({ "code": "nope", "version": 1, "input": {} }),
        )
        .await;
    assert_eq!(code_of(&body), "NOT_FOUND", "{body}");
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused write changed the database"
    );
    let unchanged = hub
        .data(
            "query($c: String) { informationSystem(code: $c) { name version } }",
            json!({ "c": code }),
        )
        .await;
    assert_eq!(
        unchanged["informationSystem"],
        json!({ "name": "Cổng dữ liệu mở Quảng Ngãi", "version": 1 })
    );
}

#[tokio::test]
async fn invalid_inputs_are_bad_user_input_and_change_nothing() {
    let hub = TestHub::start().await;
    let before = counts(&hub).await;
    for input in [
        json!({ "name": "   " }),
        json!({ "name": "x".repeat(301) }),
        json!({ "name": "Hệ thống B", "securityLevel": 6 }),
        json!({ "name": "Hệ thống B", "securityLevel": 0 }),
    ] {
        let (_, body) = hub
            .post_as(
                &token(QN, "systems:write"),
                REGISTER,
                json!({ "input": input }),
            )
            .await;
        assert_eq!(code_of(&body), "BAD_USER_INPUT", "{input}: {body}");
        assert!(body["errors"][0]["extensions"]["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("input.")));
    }
    assert_eq!(counts(&hub).await, before);
}

#[tokio::test]
async fn the_audit_trail_is_append_only() {
    let hub = TestHub::start().await;
    register(&hub, QN, "Hệ thống C").await;
    for sql in [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
    ] {
        assert!(
            hub.db.execute_unprepared(sql).await.is_err(),
            "{sql} was allowed"
        );
    }
    assert_eq!(counts(&hub).await.1, 1);
}

#[tokio::test]
async fn the_audit_trail_is_queryable_with_audit_read_only() {
    let hub = TestHub::start().await;
    let a = register(&hub, QN, "Hệ thống D").await;
    register(&hub, QN, "Hệ thống E").await;
    let code = a["code"].as_str().expect("code").to_owned();
    let query = "query($f: AuditFilterInput) { auditEvents(first: 10, filter: $f) {
        totalCount edges { node { action actor agencyCode entity entityKey afterJson requestId } } } }";
    let (_, body) = hub
        .post_as(&token(QN, "systems:write"), query, json!({}))
        .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    let (_, body) = hub.post(query, json!({})).await;
    assert_eq!(code_of(&body), "UNAUTHENTICATED", "{body}");

    let auditor = token(HT, "audit:read");
    let (_, body) = hub.post_as(&auditor, query, json!({})).await;
    let all = &body["data"]["auditEvents"];
    assert_eq!(all["totalCount"], 2, "{body}");
    // Newest first.
    assert!(all["edges"][0]["node"]["afterJson"]
        .as_str()
        .is_some_and(|j| j.contains("Hệ thống E")));
    let (_, body) = hub
        .post_as(
            &auditor,
            query,
            json!({ "f": { "entity": "information_system", "entityKey": code, "agencyCode": QN } }),
        )
        .await;
    let one = &body["data"]["auditEvents"];
    assert_eq!(one["totalCount"], 1, "{body}");
    assert_eq!(one["edges"][0]["node"]["action"], "register");
    assert_eq!(one["edges"][0]["node"]["actor"], format!("tester@{QN}"));
    let (_, body) = hub
        .post_as(&auditor, query, json!({ "f": { "actor": "nobody" } }))
        .await;
    assert_eq!(body["data"]["auditEvents"]["totalCount"], 0, "{body}");
    let (_, body) = hub
        .post_as(
            &auditor,
            query,
            json!({ "f": { "sinceMs": 10, "untilMs": 5 } }),
        )
        .await;
    assert_eq!(code_of(&body), "BAD_USER_INPUT", "{body}");
}
