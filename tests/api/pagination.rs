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
    let hub = TestHub::shared().await;
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
    let hub = TestHub::shared().await;
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

fn end_cursor(data: &Value) -> String {
    data["agencies"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("no cursor: {data}"))
        .to_owned()
}

const FIRST_PAGE: &str = "{ agencies(first: 2) { pageInfo { endCursor } } }";
const NEXT_PAGE: &str =
    "query($c: String) { agencies(first: 2, after: $c) { edges { node { code } } } }";

/// Cursors are tagged under the hub's key: one made under another key (another deployment, a rotated key), or in the
/// unkeyed format of earlier releases, is refused like any forged cursor.
#[tokio::test]
async fn cursors_of_another_key_or_the_old_format_are_bad_user_input() {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let hub = TestHub::shared().await;
    let other = TestHub::start_configured(0, |o| {
        o.settings.cursor_key = Some("another-cursor-key-of-at-least-32-bytes".into());
    })
    .await;
    let ours = end_cursor(&hub.data(FIRST_PAGE, json!({})).await);
    let foreign = end_cursor(&other.data(FIRST_PAGE, json!({})).await);
    assert_ne!(ours, foreign, "the same row, tagged under two keys");
    let next = hub.data(NEXT_PAGE, json!({ "c": ours })).await;
    assert_eq!(
        next["agencies"]["edges"].as_array().map(Vec::len),
        Some(2),
        "{next}"
    );
    assert_eq!(
        hub.error_code(NEXT_PAGE, json!({ "c": foreign })).await,
        "BAD_USER_INPUT"
    );

    // The old format: the same JSON payload, then 8 bytes of an unkeyed `DefaultHasher` checksum.
    let bytes = URL_SAFE_NO_PAD.decode(&ours).expect("base64url");
    let mut values = serde_json::Deserializer::from_slice(&bytes).into_iter::<Value>();
    values.next().expect("a payload").expect("JSON payload");
    let mut old = bytes[..values.byte_offset()].to_vec();
    let sum = {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        b"lgsp-hub/cursor/v1".hash(&mut h);
        old.hash(&mut h);
        h.finish().to_le_bytes()
    };
    old.extend_from_slice(&sum);
    assert_eq!(
        hub.error_code(NEXT_PAGE, json!({ "c": URL_SAFE_NO_PAD.encode(&old) }))
            .await,
        "BAD_USER_INPUT"
    );
    // Every character of a real cursor changed, one at a time, and every truncation.
    for i in (0..ours.len()).step_by(7) {
        let mut garbled = ours.clone().into_bytes();
        garbled[i] = if garbled[i] == b'A' { b'B' } else { b'A' };
        let garbled = String::from_utf8(garbled).expect("ascii");
        assert_eq!(
            hub.error_code(NEXT_PAGE, json!({ "c": garbled })).await,
            "BAD_USER_INPUT",
            "character {i}"
        );
        assert_eq!(
            hub.error_code(NEXT_PAGE, json!({ "c": &ours[..i] })).await,
            "BAD_USER_INPUT",
            "first {i} characters"
        );
    }
}

/// Development generates the cursor key into the data directory (mode 0600); production without one does not start.
#[tokio::test]
async fn development_generates_a_cursor_key_and_production_requires_one() {
    let data = tempfile::tempdir().expect("tempdir");
    let dir = data.path().to_owned();
    let hub = TestHub::start_configured(0, move |o| {
        o.settings.production = Some(false);
        o.settings.mock_upstreams = Some(false);
        o.settings.cursor_key = None;
        o.settings.data_dir = Some(dir);
    })
    .await;
    let cursor = end_cursor(&hub.data(FIRST_PAGE, json!({})).await);
    hub.data(NEXT_PAGE, json!({ "c": cursor })).await;
    let key = data.path().join("cursor-key");
    let text = std::fs::read_to_string(&key).expect("generated cursor key");
    assert!(text.trim().len() >= 32, "a short key: {} bytes", text.len());
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&key).expect("metadata").permissions()
        ) & 0o777,
        0o600
    );

    let config = lgsp_hub::Config::load(lgsp_hub::config::Overrides {
        config_file: None,
        settings: lgsp_hub::config::Settings {
            listen: Some("127.0.0.1:0".into()),
            database_url: Some(format!(
                "sqlite://{}?mode=rwc",
                data.path().join("never.sqlite").display()
            )),
            production: Some(true),
            jwt_secret: Some(crate::common::TEST_SECRET.into()),
            access_log_key: Some(crate::common::TEST_ACCESS_LOG_KEY.into()),
            ..Default::default()
        },
    })
    .expect("a valid config");
    match lgsp_hub::App::build(&config).await {
        Ok(_) => panic!("a production hub started without a cursor key"),
        Err(e) => assert!(e.to_string().contains("LGSP_CURSOR_KEY"), "{e}"),
    }
}

#[tokio::test]
async fn page_size_limits_are_bad_user_input() {
    let hub = TestHub::shared().await;
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
