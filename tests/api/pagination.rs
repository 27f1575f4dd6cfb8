//! Keyset pagination: forward and backward across pages, no row lost or repeated, cursors tamper-evident.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::common::{collect_all, TestHub};

async fn walk_backward(hub: &TestHub, order: &str, page: usize) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let query = format!(
            "query($before: String) {{ informationSystems(orderBy: {order}, last: {page}, before: $before) {{ \
               pageInfo {{ hasPreviousPage startCursor }} edges {{ node {{ code }} }} }} }}"
        );
        let data = hub.data(&query, json!({ "before": before })).await;
        let conn = &data["informationSystems"];
        let mut chunk: Vec<String> = conn["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["code"].as_str().map(str::to_owned))
            .collect();
        chunk.extend(codes);
        codes = chunk;
        if !conn["pageInfo"]["hasPreviousPage"].as_bool().expect("flag") {
            return codes;
        }
        before = conn["pageInfo"]["startCursor"].as_str().map(str::to_owned);
    }
}

#[tokio::test]
async fn forward_and_backward_pages_cover_every_row_once_in_every_order() {
    let hub = TestHub::start_with_synthetic(230).await;
    let total = hub
        .data("{ informationSystems { totalCount } }", json!({}))
        .await["informationSystems"]["totalCount"]
        .as_u64()
        .expect("count") as usize;
    assert!(total >= 230);
    for order in [
        "NAME_ASC",
        "NAME_DESC",
        "SECURITY_LEVEL_ASC",
        "SECURITY_LEVEL_DESC",
    ] {
        let forward: Vec<String> = collect_all(
            &hub,
            "informationSystems",
            &format!("orderBy: {order},"),
            "code",
            17,
        )
        .await
        .iter()
        .filter_map(|n| n["code"].as_str().map(str::to_owned))
        .collect();
        assert_eq!(forward.len(), total, "{order}: rows lost or repeated");
        assert_eq!(
            forward.iter().collect::<HashSet<_>>().len(),
            total,
            "{order}: duplicates"
        );
        let backward = walk_backward(&hub, order, 23).await;
        assert_eq!(
            backward, forward,
            "{order}: backward walk differs from forward"
        );
    }
}

#[tokio::test]
async fn pages_follow_the_requested_order() {
    let hub = TestHub::start_with_synthetic(120).await;
    let nodes = collect_all(
        &hub,
        "informationSystems",
        "orderBy: SECURITY_LEVEL_DESC,",
        "securityLevel",
        25,
    )
    .await;
    let levels: Vec<i64> = nodes
        .iter()
        .map(|n| n["securityLevel"].as_i64().unwrap_or(0))
        .collect();
    assert!(levels.windows(2).all(|w| w[0] >= w[1]), "{levels:?}");
}

#[tokio::test]
async fn page_info_flags_are_right_at_both_ends() {
    let hub = TestHub::start().await;
    let first = hub
        .data(
            "{ agencies(first: 2) { pageInfo { hasNextPage hasPreviousPage endCursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(first["agencies"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["agencies"]["pageInfo"]["hasPreviousPage"], false);
    let last = hub
        .data(
            "{ agencies(last: 2) { pageInfo { hasNextPage hasPreviousPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(last["agencies"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(last["agencies"]["pageInfo"]["hasPreviousPage"], true);
}

#[tokio::test]
async fn tampered_or_foreign_cursors_are_bad_user_input() {
    let hub = TestHub::start().await;
    let data = hub
        .data(
            "{ agencies(first: 2) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = data["agencies"]["pageInfo"]["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let mut tampered = cursor.clone().into_bytes();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    let q = "query($c: String) { agencies(first: 2, after: $c) { edges { cursor } } }";
    for bad in [Value::String(tampered), json!("not-a-cursor"), json!("")] {
        assert_eq!(
            hub.error_code(q, json!({ "c": bad })).await,
            "BAD_USER_INPUT",
            "{bad}"
        );
    }
    // A cursor of one order is not valid in another.
    let q = "query($c: String) { agencies(orderBy: NAME_DESC, first: 2, after: $c) { edges { cursor } } }";
    assert_eq!(
        hub.error_code(q, json!({ "c": cursor })).await,
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn page_size_limits_are_bad_user_input() {
    let hub = TestHub::start().await;
    for args in ["first: 101", "last: 101", "first: -1", "first: 2, last: 2"] {
        let q = format!("{{ informationSystems({args}) {{ totalCount }} }}");
        assert_eq!(
            hub.error_code(&q, json!({})).await,
            "BAD_USER_INPUT",
            "{args}"
        );
    }
    let ok = hub
        .data(
            "{ informationSystems(first: 100) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(ok["informationSystems"]["totalCount"].as_i64().is_some());
}
