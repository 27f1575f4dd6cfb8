//! Every refusal path of the sharing steps has its code (and input errors their field path), and a refused step
//! changes nothing.

use serde_json::{json, Value};

use super::{
    decider, field_of, refusal, requester, World, APPROVE, QN, REQ, REQUEST, REVOKE, WITHDRAW,
};
use crate::common::token;

#[tokio::test]
async fn a_request_s_input_is_checked_field_by_field() {
    let w = World::new().await;
    let base = w.input(&["fullName"], 30, 10);
    let with = |path: &[&str], value: Value| {
        let mut input = base.clone();
        let mut at = &mut input;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = value;
        input
    };
    let other_system = {
        // A system of another agency (QN's, registered here).
        let (_, body) = w
            .hub
            .post_as(
                &token(QN, "systems:write"),
                "mutation { registerInformationSystem(input: { name: \"Hệ thống khác\" }) { code } }",
                json!({}),
            )
            .await;
        body["data"]["registerInformationSystem"]["code"].clone()
    };
    let cases = [
        (with(&["service"], json!("weather")), "input.service"),
        (
            with(&["legalBasis", "number"], json!(" ")),
            "input.legalBasis.number",
        ),
        (
            with(&["legalBasis", "date"], json!("2026-02-30")),
            "input.legalBasis.date",
        ),
        (
            with(&["legalBasis", "date"], json!(w.day(5))),
            "input.legalBasis.date",
        ),
        (
            with(&["purpose", "description"], json!("short")),
            "input.purpose.description",
        ),
        (with(&["fields"], json!([])), "input.fields"),
        (
            with(&["fields"], json!(["fullName", "salary"])),
            "input.fields.1",
        ),
        (with(&["validFrom"], json!("tomorrow")), "input.validFrom"),
        (with(&["validUntil"], json!(w.day(-1))), "input.validUntil"),
        (
            with(&["validUntil"], json!(w.day(3000))),
            "input.validUntil",
        ),
        (with(&["callsPerDay"], json!(0)), "input.callsPerDay"),
        (with(&["system"], json!("no-such-system")), "input.system"),
        (with(&["system"], other_system), "input.system"),
        (
            with(&["securityCommitments"], json!("ok")),
            "input.securityCommitments",
        ),
    ];
    for (input, field) in cases {
        let (_, body) = w
            .hub
            .post_as(&requester(), REQUEST, json!({ "input": input }))
            .await;
        assert_eq!(refusal(&body).0, "BAD_USER_INPUT", "{field}: {body}");
        assert_eq!(field_of(&body), field, "{body}");
    }
    assert_eq!(
        w.audit_events("sharing_request", "request", REQ)
            .await
            .len(),
        0,
        "nothing was filed"
    );
    // Scope and token.
    let (_, body) = w
        .hub
        .post_as(
            &token(REQ, "upstream:population:read"),
            REQUEST,
            json!({ "input": base }),
        )
        .await;
    assert_eq!(refusal(&body).0, "FORBIDDEN", "{body}");
    let (_, body) = w.hub.post(REQUEST, json!({ "input": base })).await;
    assert_eq!(refusal(&body).0, "UNAUTHENTICATED", "{body}");
    // An agency the registry does not know files nothing.
    let (_, body) = w
        .hub
        .post_as(
            &token("000.00.00.H99", "sharing:request"),
            REQUEST,
            json!({ "input": base }),
        )
        .await;
    assert_eq!(refusal(&body).0, "FORBIDDEN", "{body}");
}

#[tokio::test]
async fn decisions_withdrawals_and_revocations_refuse_whoever_may_not() {
    let w = World::new().await;
    let request = w.file(w.input(&["fullName"], 30, 10)).await;
    let id_v = json!({ "id": request["id"], "v": request["version"] });
    // The requester cannot decide its own request, nor can an agency that does not decide for the service.
    for t in [token(REQ, "sharing:decide"), token(QN, "sharing:decide")] {
        let (_, body) = w.hub.post_as(&t, APPROVE, id_v.clone()).await;
        assert_eq!(refusal(&body).0, "FORBIDDEN", "{body}");
    }
    // The decider without the scope.
    let (_, body) = w
        .hub
        .post_as(
            &token(super::DECIDER, "sharing:request"),
            APPROVE,
            id_v.clone(),
        )
        .await;
    assert_eq!(refusal(&body).0, "FORBIDDEN", "{body}");
    // Another agency cannot withdraw it; an unknown id is not found; a stale version conflicts.
    let (_, body) = w
        .hub
        .post_as(&token(QN, "sharing:request"), WITHDRAW, id_v.clone())
        .await;
    assert_eq!(refusal(&body).0, "FORBIDDEN", "{body}");
    let (_, body) = w
        .hub
        .post_as(&requester(), WITHDRAW, json!({ "id": "999999", "v": 1 }))
        .await;
    assert_eq!(refusal(&body).0, "NOT_FOUND", "{body}");
    let (_, body) = w
        .hub
        .post_as(&requester(), WITHDRAW, json!({ "id": "x", "v": 1 }))
        .await;
    assert_eq!(field_of(&body), "id", "{body}");
    let (_, body) = w
        .hub
        .post_as(
            &requester(),
            WITHDRAW,
            json!({ "id": request["id"], "v": 7 }),
        )
        .await;
    assert_eq!(refusal(&body).0, "CONFLICT", "{body}");
    // Withdrawn by its agency, it cannot be decided or withdrawn again.
    let (_, body) = w.hub.post_as(&requester(), WITHDRAW, id_v.clone()).await;
    let withdrawn = &body["data"]["withdrawSharingRequest"];
    assert_eq!(withdrawn["state"], "WITHDRAWN", "{body}");
    let again = json!({ "id": request["id"], "v": withdrawn["version"] });
    let (_, body) = w.hub.post_as(&decider(), APPROVE, again.clone()).await;
    assert_eq!(refusal(&body).0, "CONFLICT", "{body}");
    let (_, body) = w.hub.post_as(&requester(), WITHDRAW, again).await;
    assert_eq!(refusal(&body).0, "CONFLICT", "{body}");
    assert_eq!(
        w.audit_events("sharing_request", "withdraw", REQ)
            .await
            .len(),
        1
    );

    // Revocation: only the decider (or registry:admin), with a reason, once.
    let request = w.file(w.input(&["fullName"], 30, 10)).await;
    let grant = w.approve(&request, json!(null)).await["grant"].clone();
    let revoke = |r: &str| json!({ "id": grant["id"], "v": grant["version"], "r": r });
    let reason = "Cơ quan yêu cầu đã hết nhu cầu khai thác";
    let (_, body) = w.hub.post_as(&requester(), REVOKE, revoke(reason)).await;
    assert_eq!(refusal(&body).0, "FORBIDDEN", "{body}");
    let (_, body) = w.hub.post_as(&decider(), REVOKE, revoke("")).await;
    assert_eq!(field_of(&body), "reason", "{body}");
    assert!(
        w.lookup("fullName", "PUBLIC_SERVICE")
            .await
            .get("errors")
            .is_none(),
        "a refused revocation changed nothing"
    );
    let (_, body) = w
        .hub
        .post_as(&crate::admin::admin(), REVOKE, revoke(reason))
        .await;
    assert_eq!(
        body["data"]["revokeSharingGrant"]["revokeReason"], reason,
        "{body}"
    );
    let revoked = json!({ "id": grant["id"], "v": body["data"]["revokeSharingGrant"]["version"], "r": reason });
    let (_, body) = w.hub.post_as(&decider(), REVOKE, revoked).await;
    assert_eq!(refusal(&body).0, "CONFLICT", "{body}");
    // Naming the decider needs registry:admin.
    let (_, body) = w
        .hub
        .post_as(
            &decider(),
            "mutation { setSharingDecider(service: \"population\", version: 2, agencyKey: null) { version } }",
            json!({}),
        )
        .await;
    assert_eq!(refusal(&body).0, "FORBIDDEN", "{body}");
}

#[tokio::test]
async fn requests_are_seen_by_their_agency_and_the_decider_only() {
    let w = World::new().await;
    w.file(w.input(&["fullName"], 30, 10)).await;
    let list = "{ sharingRequests(filter: { service: \"population\", state: PENDING }) { id agency { key } } }";
    for (t, seen) in [
        (requester(), 1),
        (decider(), 1),
        (token(QN, "sharing:request"), 0),
        (token(QN, "audit:read"), 1),
    ] {
        let (_, body) = w.hub.post_as(&t, list, json!({})).await;
        assert_eq!(
            body["data"]["sharingRequests"].as_array().map(Vec::len),
            Some(seen),
            "{body}"
        );
    }
}
