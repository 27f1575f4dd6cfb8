//! The API fields the console's pages added: `approvalInbox` (what waits for the caller's agency in its ND 85 role),
//! `informationSystemHistory` (a system's audit events, for those involved) and `accessLogVerification`.

use serde_json::{json, Value};

use crate::{
    approval::{authorities, call, registered, workflow, SO_TTTT_QN, SO_Y_TE, UBND_QN},
    common::{token, TestHub},
};

const INBOX: &str = "{ approvalInbox { step system { code approvalState } } }";

/// The `(code, step)` pairs of `agency`'s inbox.
async fn inbox(hub: &TestHub, agency: &str) -> Vec<(String, String)> {
    let body = call(hub, agency, "systems:approve", INBOX, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["approvalInbox"]
        .as_array()
        .expect("inbox")
        .iter()
        .map(|t| {
            (
                t["system"]["code"].as_str().unwrap_or_default().to_owned(),
                t["step"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn code_of(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn the_inbox_holds_what_waits_for_each_authority_and_moves_on_with_each_step() {
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    let code = registered(&hub).await;
    let body = call(
        &hub,
        SO_Y_TE,
        "systems:write",
        &w.propose,
        json!({ "code": code, "version": 1, "level": 3 }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");

    // Level 3: the province's security unit appraises, the People's Committee decides.
    assert!(inbox(&hub, SO_TTTT_QN)
        .await
        .contains(&(code.clone(), "APPRAISE".into())));
    assert!(!inbox(&hub, UBND_QN).await.iter().any(|(c, _)| *c == code));
    // The operator is no authority of its own level 3.
    assert!(!inbox(&hub, SO_Y_TE).await.iter().any(|(c, _)| *c == code));

    let body = call(
        &hub,
        SO_TTTT_QN,
        "systems:approve",
        &w.appraise,
        json!({ "code": code, "version": 2 }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(!inbox(&hub, SO_TTTT_QN)
        .await
        .iter()
        .any(|(c, _)| *c == code));
    assert!(inbox(&hub, UBND_QN)
        .await
        .contains(&(code.clone(), "DECIDE".into())));

    // Without `systems:approve`, no inbox.
    let (_, body) = hub
        .post_as(&token(UBND_QN, "catalog:read"), INBOX, json!({}))
        .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
}

#[tokio::test]
async fn a_systems_history_is_for_those_involved_and_auditors() {
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    let code = registered(&hub).await;
    call(
        &hub,
        SO_Y_TE,
        "systems:write",
        &w.propose,
        json!({ "code": code, "version": 1, "level": 2 }),
    )
    .await;
    let query =
        "query($code: String!) { informationSystemHistory(code: $code) { action agencyCode } }";
    let actions = |body: &Value| -> Vec<String> {
        body["data"]["informationSystemHistory"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    for (agency, scopes) in [
        (SO_Y_TE, "systems:write"),
        (SO_TTTT_QN, "systems:approve"),
        ("000.00.00.H27", "audit:read"),
    ] {
        let (_, body) = hub
            .post_as(&token(agency, scopes), query, json!({ "code": code }))
            .await;
        assert_eq!(
            actions(&body),
            ["register", "propose_level"],
            "{agency}: {body}"
        );
    }
    // Another province's department has no role towards the system.
    let (_, body) = hub
        .post_as(
            &token("000.00.08.H27", "systems:approve"),
            query,
            json!({ "code": code }),
        )
        .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    let (_, body) = hub
        .post_as(
            &token(SO_Y_TE, "systems:write"),
            query,
            json!({ "code": "NO-SUCH" }),
        )
        .await;
    assert_eq!(code_of(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn the_chain_verification_answers_auditors_only() {
    let hub = TestHub::shared().await;
    let query = "{ accessLogVerification { intact entries headHash brokenAt } }";
    let (_, body) = hub
        .post_as(&token("000.00.00.H48", "audit:read"), query, json!({}))
        .await;
    let v = &body["data"]["accessLogVerification"];
    assert_eq!(v["intact"], json!(true), "{body}");
    assert!(v["entries"].as_i64().is_some_and(|n| n >= 0), "{body}");
    assert!(v["brokenAt"].is_null(), "{body}");
    let (_, body) = hub
        .post_as(&token("000.00.00.H48", "catalog:read"), query, json!({}))
        .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
}
