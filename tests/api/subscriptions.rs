//! Live updates over `/graphql/ws`: both websocket protocols, authentication in `connection_init`, the filters, the
//! scope guard, and, on PostgreSQL, two hub processes over one database that see each other's writes.
//!
//! No sleeps decide an outcome: a test waits on `/metrics` until its subscriptions are open before it writes, and
//! absence is shown by order (a subscription whose filter let a foreign event through would deliver it before the
//! next event it is meant to get).

use serde_json::{json, Value};
use tokio_tungstenite::connect_async;

use crate::common::{token, TestHub};
use client::{register, wait_for_subscriptions, Client};

pub mod client;
mod replicas;

const QN: &str = "000.00.00.H48"; // UBND tỉnh Quảng Ngãi (province 51)
const HT: &str = "000.00.00.H27"; // UBND tỉnh Hà Tĩnh (province 42)

pub const CHANGED: &str = "subscription($agency: String, $province: String) {
    informationSystemChanged(agencyKey: $agency, provinceCode: $province) {
      action auditEventId atMs system { code name province { code } agency { key } } } }";

fn change(result: &Value) -> &Value {
    &result["informationSystemChanged"]
}

#[tokio::test]
async fn subscribers_receive_the_changes_their_filters_admit_and_no_others() {
    let hub = TestHub::start().await;
    let auth = json!({ "Authorization": format!("Bearer {}", token(QN, "catalog:read")) });
    let mut ws = Client::ready(&hub.base, "graphql-transport-ws", auth).await;
    ws.subscribe("qn", CHANGED, json!({ "province": "51" }))
        .await;
    ws.subscribe("ht", CHANGED, json!({ "province": "42" }))
        .await;
    ws.subscribe("ht-owner", CHANGED, json!({ "agency": "ht-ubnd-tinh" }))
        .await;
    ws.subscribe("all", CHANGED, json!({})).await;
    wait_for_subscriptions(&hub.base, 4).await;

    let qn_code = register(&hub.base, QN, "Cổng dữ liệu mở tỉnh Quảng Ngãi").await;
    let got = ws.results(2).await;
    let mut ids: Vec<&str> = got.keys().map(String::as_str).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["all", "qn"]);
    let qn = change(&got["qn"]);
    assert_eq!(qn["action"], "register");
    assert_eq!(qn["system"]["code"], qn_code.as_str());
    assert_eq!(qn["system"]["name"], "Cổng dữ liệu mở tỉnh Quảng Ngãi");
    assert_eq!(qn["system"]["agency"]["key"], "qn-ubnd-tinh");
    assert_eq!(change(&got["all"])["system"]["code"], qn_code.as_str());

    // Had "ht" or "ht-owner" let the Quảng Ngãi system through, that result would come before these.
    register(&hub.base, HT, "Hệ thống giám sát an toàn thông tin Hà Tĩnh").await;
    let got = ws.results(3).await;
    let mut ids: Vec<&str> = got.keys().map(String::as_str).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["all", "ht", "ht-owner"]);
    for id in ["ht", "ht-owner"] {
        assert_eq!(
            change(&got[id])["system"]["name"],
            "Hệ thống giám sát an toàn thông tin Hà Tĩnh"
        );
        assert_eq!(change(&got[id])["system"]["province"]["code"], "42");
    }
    let first_id = qn["auditEventId"].as_i64().expect("auditEventId");
    assert!(change(&got["all"])["auditEventId"].as_i64() > Some(first_id));

    // And "qn" did not take the Hà Tĩnh system: its next result is this update.
    let (status, body) = hub
        .post_as(
            &token(QN, "systems:write"),
            "mutation($code: String!) { updateInformationSystem(code: $code, version: 1, input: { name: \"Cổng dữ liệu mở\" }) { version } }",
            json!({ "code": qn_code }),
        )
        .await;
    assert_eq!((status, body.get("errors")), (200, None), "{body}");
    let got = ws.results(2).await;
    assert_eq!(change(&got["qn"])["action"], "update");
    assert_eq!(change(&got["qn"])["system"]["name"], "Cổng dữ liệu mở");
    assert!(got.contains_key("all"));
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_with_a_token_field_works_too() {
    let hub = TestHub::start().await;
    let auth = json!({ "token": token(HT, "catalog:read") });
    // Offered second, the current protocol is not chosen over the legacy one.
    let mut ws = Client::ready(&hub.base, "graphql-ws, graphql-transport-ws", auth).await;
    ws.subscribe("1", CHANGED, json!({})).await;
    wait_for_subscriptions(&hub.base, 1).await;
    let code = register(&hub.base, HT, "Kho dữ liệu dùng chung Hà Tĩnh").await;
    let got = ws.results(1).await;
    assert_eq!(change(&got["1"])["system"]["code"], code.as_str());
    assert_eq!(
        change(&got["1"])["system"]["name"],
        "Kho dữ liệu dùng chung Hà Tĩnh"
    );
}

#[tokio::test]
async fn subscriptions_need_a_valid_token_with_catalog_read() {
    let hub = TestHub::start().await;
    // No token: the connection is anonymous, and the guard refuses the subscription.
    let mut ws = Client::ready(&hub.base, "graphql-transport-ws", json!({})).await;
    ws.subscribe("1", CHANGED, json!({})).await;
    assert_eq!(ws.error_code("1").await, "UNAUTHENTICATED");

    // A token without the scope.
    let auth =
        json!({ "Authorization": format!("Bearer {}", token(QN, "systems:write audit:read")) });
    let mut ws = Client::ready(&hub.base, "graphql-transport-ws", auth).await;
    ws.subscribe("1", CHANGED, json!({})).await;
    assert_eq!(ws.error_code("1").await, "FORBIDDEN");
    ws.subscribe(
        "2",
        "subscription { securityLevelDecided { decision } }",
        json!({}),
    )
    .await;
    assert_eq!(ws.error_code("2").await, "FORBIDDEN");

    // A malformed filter.
    let auth = json!({ "token": token(QN, "catalog:read") });
    let mut ws = Client::ready(&hub.base, "graphql-transport-ws", auth).await;
    ws.subscribe("1", CHANGED, json!({ "province": "5" })).await;
    assert_eq!(ws.error_code("1").await, "BAD_USER_INPUT");

    // An invalid token closes the connection (4403), in either protocol; it never reads as anonymous.
    for bad in [
        json!({ "Authorization": "Bearer not.a.token" }),
        json!({ "Authorization": format!("Basic {}", token(QN, "catalog:read")) }),
        json!({ "token": 42 }),
    ] {
        let mut ws = Client::connect(&hub.base, "graphql-transport-ws").await;
        let answer = ws.init(bad.clone()).await;
        assert_eq!(
            (answer["type"].as_str(), answer["code"].as_u64()),
            (Some("close"), Some(4403)),
            "{bad} → {answer}"
        );
    }
    let mut ws = Client::connect(&hub.base, "graphql-ws").await;
    let answer = ws.init(json!({ "token": "not.a.token" })).await;
    assert_eq!(answer["type"], "connection_error", "{answer}");
    assert_eq!(ws.next().await["code"], 4403);

    // Without a GraphQL subprotocol there is no upgrade.
    let url = format!("{}/graphql/ws", hub.base.replacen("http://", "ws://", 1));
    match connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 400)
        }
        other => panic!("expected 400, got {:?}", other.map(|(_, r)| r.status())),
    }
}

/// Decisions reach `securityLevelDecided` over the websocket: proposals and appraisals do not, a rejection carries the
/// rejected level and an approval the approved one.
#[tokio::test]
async fn security_level_decided_yields_decisions_only_with_the_decided_level() {
    use crate::approval::{authorities, call, registered, workflow, SO_TTTT_QN, SO_Y_TE, UBND_QN};
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    let auth = json!({ "Authorization": format!("Bearer {}", token(QN, "catalog:read")) });
    let mut ws = Client::ready(&hub.base, "graphql-transport-ws", auth).await;
    ws.subscribe(
        "decided",
        "subscription { securityLevelDecided(provinceCode: \"51\") { decision securityLevel system { code } } }",
        json!({}),
    )
    .await;
    wait_for_subscriptions(&hub.base, 1).await;

    let code = registered(&hub).await;
    let v = |version: i32, level: i32| json!({ "code": code, "version": version, "level": level, "reason": "Thiếu hồ sơ" });
    for (agency, scopes, m, vars) in [
        (SO_Y_TE, "systems:write", &w.propose, v(1, 3)),
        (SO_TTTT_QN, "systems:approve", &w.appraise, v(2, 3)),
        (UBND_QN, "systems:approve", &w.reject, v(3, 3)),
        (SO_Y_TE, "systems:write", &w.propose, v(4, 2)),
        (SO_TTTT_QN, "systems:approve", &w.appraise, v(5, 2)),
        (SO_TTTT_QN, "systems:approve", &w.approve, v(6, 2)),
    ] {
        let body = call(&hub, agency, scopes, m, vars).await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let first = ws.results(1).await;
    assert_eq!(
        first["decided"]["securityLevelDecided"],
        json!({ "decision": "REJECTED", "securityLevel": 3, "system": { "code": code } })
    );
    let second = ws.results(1).await;
    assert_eq!(
        second["decided"]["securityLevelDecided"],
        json!({ "decision": "APPROVED", "securityLevel": 2, "system": { "code": code } })
    );
}
