//! Live updates over `/graphql/ws`: both websocket protocols, authentication in `connection_init`, the filters, the
//! scope guard, and, on PostgreSQL, two hub processes over one database that see each other's writes.
//!
//! No sleeps decide an outcome: a test waits on `/metrics` until its subscriptions are open before it writes, and
//! absence is shown by order (a subscription whose filter let a foreign event through would deliver it before the
//! next event it is meant to get).

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;
use lgsp_hub::{
    auth::Principal,
    codes::AgencyCode,
    events::{ChangeEvent, Events, Fanout},
    graphql::{build_schema, subscription::connection_data},
    store::{cache::ReadCache, Store},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use tokio_tungstenite::connect_async;

use crate::common::{token, TestHub};
use client::{register, wait_for_subscriptions, Client, PATIENCE};

mod client;
mod replicas;

const QN: &str = "000.00.00.H48"; // UBND tỉnh Quảng Ngãi (province 51)
const HT: &str = "000.00.00.H27"; // UBND tỉnh Hà Tĩnh (province 42)

const CHANGED: &str = "subscription($agency: String, $province: String) {
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

fn event(id: i64, action: &str, system: &str) -> ChangeEvent {
    ChangeEvent {
        audit_id: id,
        entity: "information_system".into(),
        entity_key: system.into(),
        action: action.into(),
        agency_code: QN.into(),
        at_ms: 1_700_000_000_000 + id,
    }
}

/// The level workflow's mutations are not served yet, so this drives the schema directly over the hub's database,
/// with a channel of its own to publish on.
#[tokio::test]
async fn security_level_decided_yields_decisions_only_with_the_decided_level() {
    use entities::information_system::{Column, Entity};
    let hub = TestHub::start().await;
    let of_province = |code: &'static str| {
        Entity::find()
            .filter(Column::ProvinceCode.eq(code))
            .one(&hub.db)
    };
    let qn = of_province("51").await.expect("read").expect("a QN system");
    let ht = of_province("42")
        .await
        .expect("read")
        .expect("an HT system");
    // Level 3 under consideration, level 1 approved before.
    Entity::update_many()
        .col_expr(Column::SecurityLevel, sea_orm::sea_query::Expr::value(3i16))
        .col_expr(Column::ApprovedLevel, sea_orm::sea_query::Expr::value(1i16))
        .filter(Column::Code.eq(qn.code.clone()))
        .exec(&hub.db)
        .await
        .expect("set the approved level");
    let store = Store {
        db: hub.db.clone(),
        cache: Arc::new(ReadCache::new(Duration::ZERO)),
        max_page_size: 100,
        events: Events::new(Fanout::Local),
    };
    let schema = build_schema(Some(store.clone()));
    let caller = Principal {
        subject: "watcher".into(),
        agency: AgencyCode::parse("agency", QN).expect("code"),
        scopes: ["catalog:read".to_owned()].into(),
        province: None,
    };
    let request = async_graphql::Request::new(
        "subscription { securityLevelDecided(provinceCode: \"51\") { decision securityLevel auditEventId system { code } } }",
    );
    let mut stream = schema.execute_stream_with_session_data(
        request,
        Arc::new(connection_data(&store, Some(caller), None)),
    );
    let first = tokio::spawn(async move {
        let first = stream.next().await;
        (first, stream)
    });
    while store.events.subscribers() == 0 {
        assert!(
            !first.is_finished(),
            "the subscription ended before it opened"
        );
        tokio::task::yield_now().await;
    }
    store.events.publish(event(1, "register", &qn.code)); // not a decision
    store.events.publish(event(2, "approve_level", &ht.code)); // another province
    store.events.publish(event(3, "reject_level", &qn.code));
    store.events.publish(event(4, "approve_level", &qn.code));
    let (first, mut stream) = tokio::time::timeout(PATIENCE, first)
        .await
        .expect("a decision in time")
        .expect("task");
    let first = first.expect("a response").into_result().expect("no errors");
    let first = first.data.into_json().expect("JSON");
    assert_eq!(
        first["securityLevelDecided"],
        json!({ "decision": "REJECTED", "securityLevel": 3, "auditEventId": 3,
                "system": { "code": qn.code } })
    );
    let second = tokio::time::timeout(PATIENCE, stream.next())
        .await
        .expect("a decision in time")
        .expect("a response");
    let second = second.data.into_json().expect("JSON");
    assert_eq!(second["securityLevelDecided"]["decision"], "APPROVED");
    assert_eq!(second["securityLevelDecided"]["securityLevel"], 1);
}
