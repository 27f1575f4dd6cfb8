//! Refused admin writes: no token, no `registry:admin`, malformed input (with its field path), unknown rows and stale
//! versions. None of them changes a row, the search index or the audit trail.

use serde_json::{json, Value};

use super::*;
use crate::common::{token, TestHub};

/// Every admin mutation with input that would succeed.
fn every_mutation() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "createAgency",
            CREATE_AGENCY,
            json!({ "input": { "name": "Sở Nội vụ", "kind": "SO", "provinceCode": "51" } }),
        ),
        (
            "updateAgency",
            UPDATE_AGENCY,
            json!({ "key": "qn-so-cong-thuong", "version": 1, "input": { "name": "Sở Công Thương" } }),
        ),
        (
            "createProject",
            CREATE_PROJECT,
            json!({ "input": { "planKey": "qn-kh-2024", "name": "Dự án A" } }),
        ),
        (
            "updateProject",
            UPDATE_PROJECT,
            json!({ "key": "qn-p2-1-1", "version": 1, "input": { "name": "Dự án B" } }),
        ),
        (
            "connectNationalDatabase",
            CONNECT,
            json!({ "p": "51", "d": "dan-cu", "s": "CONNECTED" }),
        ),
        (
            "disconnectNationalDatabase",
            DISCONNECT,
            json!({ "p": "51", "d": "dan-cu", "v": 1 }),
        ),
    ]
}

#[tokio::test]
async fn every_admin_mutation_needs_a_token_with_registry_admin() {
    let hub = TestHub::start().await;
    let before = counts(&hub).await;
    let other_scopes = token(
        QN_CODE,
        "catalog:read systems:write systems:approve audit:read",
    );
    for (name, query, vars) in every_mutation() {
        let (_, body) = hub.post(query, vars.clone()).await;
        assert_eq!(code_of(&body), "UNAUTHENTICATED", "{name}: {body}");
        assert_eq!(body["data"], Value::Null, "{name}: {body}");
        let (_, body) = hub.post_as(&other_scopes, query, vars).await;
        assert_eq!(code_of(&body), "FORBIDDEN", "{name}: {body}");
    }
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused write changed the database"
    );
    // The same inputs pass with the scope (disconnect has nothing to remove until connect ran).
    for (name, query, vars) in every_mutation() {
        ok(&hub, query, vars, name).await;
    }
}

#[tokio::test]
async fn malformed_or_dangling_input_is_bad_user_input_with_its_path() {
    let hub = TestHub::start().await;
    let before = counts(&hub).await;
    let agency = |extra: Value| {
        let mut input = json!({ "name": "Sở Nội vụ", "kind": "SO", "provinceCode": "51" });
        for (k, v) in extra.as_object().expect("object") {
            input[k] = v.clone();
        }
        json!({ "input": input })
    };
    let project = |extra: Value| {
        let mut input = json!({ "planKey": "qn-kh-2024", "name": "Dự án C" });
        for (k, v) in extra.as_object().expect("object") {
            input[k] = v.clone();
        }
        json!({ "input": input })
    };
    let update = |key: &str, input: Value| json!({ "key": key, "version": 1, "input": input });
    let cases = [
        (
            CREATE_AGENCY,
            agency(json!({ "name": " \t " })),
            "input.name",
        ),
        (
            CREATE_AGENCY,
            agency(json!({ "name": "x".repeat(301) })),
            "input.name",
        ),
        (
            CREATE_AGENCY,
            agency(json!({ "provinceCode": "5a" })),
            "input.provinceCode",
        ),
        (
            CREATE_AGENCY,
            agency(json!({ "provinceCode": "99" })),
            "input.provinceCode",
        ),
        (
            CREATE_AGENCY,
            agency(json!({ "parentKey": "nope" })),
            "input.parentKey",
        ),
        // A parent in another province.
        (
            CREATE_AGENCY,
            agency(json!({ "parentKey": "ht-so-tttt" })),
            "input.parentKey",
        ),
        (
            UPDATE_AGENCY,
            update("qn-ubnd-tinh", json!({ "parentKey": "qn-ubnd-tinh" })),
            "input.parentKey",
        ),
        (
            UPDATE_AGENCY,
            update("qn-so-cong-thuong", json!({ "name": "" })),
            "input.name",
        ),
        (
            CREATE_PROJECT,
            project(json!({ "planKey": "nope" })),
            "input.planKey",
        ),
        (
            CREATE_PROJECT,
            project(json!({ "leadAgencyKey": "ht-so-tttt" })),
            "input.leadAgencyKey",
        ),
        (
            CREATE_PROJECT,
            project(json!({ "yearStart": 2025, "yearEnd": 2024 })),
            "input.yearEnd",
        ),
        (
            CREATE_PROJECT,
            project(json!({ "yearStart": 3000 })),
            "input.yearStart",
        ),
        (
            CREATE_PROJECT,
            project(json!({ "totalMillionVnd": -1.0 })),
            "input.totalMillionVnd",
        ),
        (
            UPDATE_PROJECT,
            update("qn-p2-1-1", json!({ "yearEnd": 2000 })),
            "input.yearEnd",
        ),
        (
            CONNECT,
            json!({ "p": "5", "d": "dan-cu", "s": "CONNECTED" }),
            "provinceCode",
        ),
        (
            CONNECT,
            json!({ "p": "51", "d": "nope", "s": "CONNECTED" }),
            "nationalDatabaseKey",
        ),
        (
            CONNECT,
            json!({ "p": "51", "d": "dan-cu", "s": "CONNECTED", "n": "x".repeat(1001) }),
            "note",
        ),
    ];
    for (query, vars, field) in cases {
        let (_, body) = hub.post_as(&admin(), query, vars.clone()).await;
        assert_eq!(code_of(&body), "BAD_USER_INPUT", "{vars}: {body}");
        assert_eq!(field_of(&body), field, "{vars}: {body}");
    }
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused write changed the database"
    );
}

#[tokio::test]
async fn unknown_rows_are_not_found_and_stale_versions_conflict() {
    let hub = TestHub::start().await;
    // Version 2 of both rows, so that version 1 is stale rather than merely wrong.
    ok(
        &hub,
        UPDATE_AGENCY,
        json!({ "key": "qn-so-cong-thuong", "version": 1, "input": {} }),
        "updateAgency",
    )
    .await;
    ok(
        &hub,
        UPDATE_PROJECT,
        json!({ "key": "qn-p2-1-1", "version": 1, "input": {} }),
        "updateProject",
    )
    .await;
    let before = counts(&hub).await;
    let cases = [
        (
            UPDATE_AGENCY,
            json!({ "key": "nope", "version": 1, "input": {} }),
            "NOT_FOUND",
        ),
        (
            UPDATE_PROJECT,
            json!({ "key": "nope", "version": 1, "input": {} }),
            "NOT_FOUND",
        ),
        (
            UPDATE_AGENCY,
            json!({ "key": "qn-so-cong-thuong", "version": 1, "input": { "name": "Cũ" } }),
            "CONFLICT",
        ),
        (
            UPDATE_PROJECT,
            json!({ "key": "qn-p2-1-1", "version": 1, "input": { "name": "Cũ" } }),
            "CONFLICT",
        ),
        // A version for a link that was never recorded.
        (
            CONNECT,
            json!({ "p": "51", "d": "dan-cu", "s": "PLANNED", "v": 1 }),
            "CONFLICT",
        ),
    ];
    for (query, vars, code) in cases {
        let (_, body) = hub.post_as(&admin(), query, vars.clone()).await;
        assert_eq!(code_of(&body), code, "{vars}: {body}");
    }
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused write changed the database"
    );
    let names = hub
        .data(
            "{ agency(key: \"qn-so-cong-thuong\") { name version } }",
            json!({}),
        )
        .await;
    assert_eq!(
        names["agency"],
        json!({ "name": "Sở Công Thương", "version": 2 })
    );
}
