//! Bad input gets a GraphQL error with a stable `extensions.code`, never a panic or internal text.

use serde_json::json;

use crate::common::TestHub;

#[tokio::test]
async fn unknown_codes_are_not_found() {
    let hub = TestHub::shared().await;
    assert_eq!(
        hub.error_code(r#"{ province(code: "99") { name } }"#, json!({}))
            .await,
        "NOT_FOUND"
    );
    assert_eq!(
        hub.error_code(r#"{ agency(code: "000.00.00.H99") { name } }"#, json!({}))
            .await,
        "NOT_FOUND"
    );
    assert_eq!(
        hub.error_code(r#"{ agency(key: "nope") { name } }"#, json!({}))
            .await,
        "NOT_FOUND"
    );
    assert_eq!(
        hub.error_code(r#"{ informationSystem(code: "nope") { name } }"#, json!({}))
            .await,
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn malformed_codes_and_ids_are_bad_user_input() {
    let hub = TestHub::shared().await;
    for q in [
        r#"{ province(code: "4") { name } }"#,
        r#"{ province(code: "'; DROP TABLE provinces; --") { name } }"#,
        r#"{ agency(code: "H48") { name } }"#,
        r#"{ agency(code: "000.00.00.h48") { name } }"#,
        r#"{ agency { name } }"#,
        r#"{ node(id: "garbage!") { id } }"#,
        r#"{ informationSystem(id: "UHJvdmluY2U6NDI") { name } }"#,
        r#"{ informationSystems(filter: { securityLevel: 6 }) { totalCount } }"#,
        r#"{ projects(filter: { minTotalMillionVnd: 10, maxTotalMillionVnd: 1 }) { totalCount } }"#,
        r#"{ agencies(filter: { provinceCode: "x" }) { totalCount } }"#,
        r#"{ province(code: "42") { agencies(first: 1000) { name } } }"#,
    ] {
        assert_eq!(hub.error_code(q, json!({})).await, "BAD_USER_INPUT", "{q}");
    }
    // The database is intact after the injection attempt.
    let data = hub.data("{ provinces { code } }", json!({})).await;
    assert_eq!(data["provinces"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn errors_carry_the_field_at_fault() {
    let hub = TestHub::shared().await;
    let (_, body) = hub
        .post(r#"{ agency(code: "bad") { name } }"#, json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "code");
    assert_eq!(body["errors"][0]["path"][0], "agency");
}

#[tokio::test]
async fn validation_errors_have_codes() {
    let hub = TestHub::shared().await;
    assert_eq!(
        hub.error_code("{ nope }", json!({})).await,
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(
        hub.error_code("{ provinces { ", json!({})).await,
        "GRAPHQL_PARSE_FAILED"
    );
    assert_eq!(
        hub.error_code(
            "query($n: Int) { agencies(first: $n) { totalCount } }",
            json!({ "n": "ten" })
        )
        .await,
        "BAD_USER_INPUT"
    );
}
