//! The life of a grant: request → approve → use (exactly its fields, for its purpose) → revoke; a refusal with
//! reasons; narrowing; expiry on the hub's clock; the daily quota.

use lgsp_hub::clock::DAY_MS;
use sea_orm::EntityTrait;
use serde_json::json;

use super::{decider, refusal, requester, World, REFUSE, REQ, REVOKE};
use crate::common::token;

#[tokio::test]
async fn request_approve_use_exactly_the_grant_then_revoke() {
    let w = World::new().await;
    let request = w
        .file(w.input(&["fullName", "birthDate", "fullName"], 30, 100))
        .await;
    assert_eq!(request["state"], "PENDING");
    assert_eq!(
        request["fields"],
        json!(["birthDate", "fullName"]),
        "sorted, once each"
    );
    assert_eq!(request["system"]["code"], w.system.as_str());
    assert_eq!(request["agency"]["key"], super::REQ_KEY);
    assert!(
        request["systemApprovedLevel"].is_null(),
        "the system's level is proposed, not approved"
    );
    // Pending is not granted.
    assert_eq!(
        refusal(&w.lookup("fullName", "PUBLIC_SERVICE").await).1,
        "NO_GRANT"
    );

    let approval = w.approve(&request, json!(null)).await;
    assert_eq!(approval["request"]["state"], "APPROVED");
    let grant = approval["grant"].clone();
    assert_eq!(grant["fields"], json!(["birthDate", "fullName"]));
    assert_eq!(grant["purpose"], "PUBLIC_SERVICE");
    assert_eq!(grant["origin"], "REQUEST");
    assert_eq!(grant["active"], true);
    assert!(
        grant["legalBasis"]
            .as_str()
            .unwrap_or_default()
            .contains("123/QĐ-UBND"),
        "{grant}"
    );
    let grant_id: i64 = grant["id"]
        .as_str()
        .and_then(|g| g.parse().ok())
        .expect("grant id");

    // Its fields, its purpose: through, and the access-log entry names the grant.
    w.mock.clear_calls().await;
    let body = w.lookup("fullName birthDate", "PUBLIC_SERVICE").await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
    assert_eq!(w.upstream_calls().await, 1);
    let entry = entities::access_log_entry::Entity::find()
        .one(&w.hub.db)
        .await
        .expect("entry")
        .expect("one entry");
    assert_eq!(entry.grant_id, Some(grant_id));

    // A field outside the grant: refused, not dropped, no call, audited.
    let entries = w.access_entries().await;
    let body = w
        .lookup("fullName permanentAddress", "PUBLIC_SERVICE")
        .await;
    assert_eq!(
        refusal(&body),
        ("FORBIDDEN".into(), "NO_GRANT".into()),
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("permanentAddress"),
        "{body}"
    );
    assert_eq!(
        w.upstream_calls().await,
        1,
        "no upstream call for a refused lookup"
    );
    assert_eq!(w.access_entries().await, entries);
    let refused = w
        .audit_events("sharing_access", "refuse_no_grant", REQ)
        .await;
    let last: serde_json::Value = serde_json::from_str(
        refused
            .last()
            .and_then(|e| e.after_json.as_deref())
            .unwrap_or("{}"),
    )
    .expect("JSON");
    assert_eq!(last["reason"], "fields_outside_grant");
    assert_eq!(last["missing"], json!(["permanentAddress"]));
    // Another purpose: refused.
    let body = w.lookup("fullName", "LAW_ENFORCEMENT").await;
    assert_eq!(refusal(&body).1, "NO_GRANT", "{body}");

    // The integrator's connection test says the agency holds a grant.
    let test = "mutation { testUpstreamConnection(name: \"population\") { ok holdsGrant } }";
    let (_, body) = w
        .hub
        .post_as(&token(REQ, "upstream:population:read"), test, json!({}))
        .await;
    assert_eq!(
        body["data"]["testUpstreamConnection"]["holdsGrant"], true,
        "{body}"
    );

    // "Which agencies can read the population database, under which legal basis": one query.
    let (_, body) = w
        .hub
        .post_as(
            &requester(),
            "{ sharingService(name: \"population\") { grants { agency { key } legalBasis purpose fields } } }",
            json!({}),
        )
        .await;
    let grants = body["data"]["sharingService"]["grants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(grants.iter().any(|g| g["agency"]["key"] == super::REQ_KEY && g["legalBasis"] == grant["legalBasis"]), "{body}");

    // Revoked: stops at once.
    let (_, body) = w
        .hub
        .post_as(
            &decider(),
            REVOKE,
            json!({ "id": grant["id"], "v": grant["version"], "r": "Hệ thống không còn đáp ứng cấp độ an toàn" }),
        )
        .await;
    assert_eq!(
        body["data"]["revokeSharingGrant"]["active"], false,
        "{body}"
    );
    w.mock.clear_calls().await;
    let body = w.lookup("fullName", "PUBLIC_SERVICE").await;
    assert_eq!(refusal(&body).1, "NO_GRANT", "{body}");
    assert_eq!(w.upstream_calls().await, 0);
    let (_, body) = w
        .hub
        .post_as(&token(REQ, "upstream:population:read"), test, json!({}))
        .await;
    assert_eq!(
        body["data"]["testUpstreamConnection"]["holdsGrant"], false,
        "{body}"
    );

    // Every step is in the audit trail, under the agency that took it.
    assert_eq!(
        w.audit_events("sharing_request", "request", REQ)
            .await
            .len(),
        1
    );
    assert_eq!(
        w.audit_events("sharing_request", "approve", super::DECIDER)
            .await
            .len(),
        1
    );
    assert_eq!(
        w.audit_events("sharing_grant", "grant", super::DECIDER)
            .await
            .len(),
        1
    );
    assert_eq!(
        w.audit_events("sharing_grant", "revoke", super::DECIDER)
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_refusal_is_written_with_reasons_and_an_approval_can_only_narrow() {
    let w = World::new().await;
    let request = w
        .file(w.input(&["fullName", "birthDate", "permanentAddress"], 30, 100))
        .await;
    // Reasons are required.
    let (_, body) = w
        .hub
        .post_as(
            &decider(),
            REFUSE,
            json!({ "id": request["id"], "v": request["version"], "r": "  " }),
        )
        .await;
    assert_eq!(super::field_of(&body), "reasons", "{body}");
    let reasons = "Mục đích không phù hợp với chức năng của cơ quan yêu cầu";
    let (_, body) = w
        .hub
        .post_as(
            &decider(),
            REFUSE,
            json!({ "id": request["id"], "v": request["version"], "r": reasons }),
        )
        .await;
    let refused = &body["data"]["refuseSharingRequest"];
    assert_eq!(refused["state"], "REFUSED", "{body}");
    assert_eq!(refused["reasons"], reasons);
    assert!(!refused["decidedBy"].is_null());
    assert_eq!(
        refusal(&w.lookup("fullName", "PUBLIC_SERVICE").await).1,
        "NO_GRANT"
    );
    // A refused request cannot be approved after all.
    let (_, body) = w
        .hub
        .post_as(
            &decider(),
            super::APPROVE,
            json!({ "id": request["id"], "v": refused["version"] }),
        )
        .await;
    assert_eq!(refusal(&body).0, "CONFLICT", "{body}");

    // Narrowing: a field not asked for, a longer period, more calls are refused with their field.
    let request = w
        .file(w.input(&["fullName", "birthDate", "permanentAddress"], 30, 100))
        .await;
    for (narrowing, field) in [
        (
            json!({ "fields": ["fullName", "religion"] }),
            "narrowing.fields",
        ),
        (json!({ "validUntil": w.day(60) }), "narrowing.validUntil"),
        (json!({ "callsPerDay": 101 }), "narrowing.callsPerDay"),
        (json!({ "fields": [] }), "narrowing.fields"),
    ] {
        let (_, body) = w
            .hub
            .post_as(
                &decider(),
                super::APPROVE,
                json!({ "id": request["id"], "v": request["version"], "n": narrowing }),
            )
            .await;
        assert_eq!(super::field_of(&body), field, "{narrowing}: {body}");
    }
    let approval = w
        .approve(
            &request,
            json!({ "fields": ["fullName"], "validUntil": w.day(9), "callsPerDay": 10 }),
        )
        .await;
    let grant = &approval["grant"];
    assert_eq!(grant["fields"], json!(["fullName"]));
    assert_eq!(grant["validUntil"], w.day(9));
    assert_eq!(grant["callsPerDay"], 10);
    assert!(w
        .lookup("fullName", "PUBLIC_SERVICE")
        .await
        .get("errors")
        .is_none());
    let body = w.lookup("fullName birthDate", "PUBLIC_SERVICE").await;
    assert_eq!(refusal(&body).1, "NO_GRANT", "narrowed out: {body}");
}

#[tokio::test]
async fn a_grant_past_its_period_stops_on_the_clock() {
    let w = World::new().await;
    // Today and tomorrow.
    let request = w.file(w.input(&["fullName"], 2, 100)).await;
    let approval = w.approve(&request, json!(null)).await;
    assert_eq!(approval["grant"]["validUntil"], w.day(1));
    assert!(w
        .lookup("fullName", "PUBLIC_SERVICE")
        .await
        .get("errors")
        .is_none());
    let expiring = |days: i32| {
        format!("{{ sharingGrants(filter: {{ agencyCode: \"{REQ}\", expiringWithinDays: {days} }}) {{ id }} }}")
    };
    let (_, body) = w.hub.post_as(&requester(), &expiring(3), json!({})).await;
    assert_eq!(
        body["data"]["sharingGrants"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
    w.clock.advance_ms(DAY_MS);
    assert!(
        w.lookup("fullName", "PUBLIC_SERVICE")
            .await
            .get("errors")
            .is_none(),
        "still tomorrow"
    );
    w.clock.advance_ms(DAY_MS);
    let body = w.lookup("fullName", "PUBLIC_SERVICE").await;
    assert_eq!(
        refusal(&body),
        ("FORBIDDEN".into(), "NO_GRANT".into()),
        "expired: {body}"
    );
    let (_, body) = w
        .hub
        .post_as(
            &requester(),
            &format!("{{ sharingGrants(filter: {{ agencyCode: \"{REQ}\" }}) {{ active }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["sharingGrants"][0]["active"], false, "{body}");
}

#[tokio::test]
async fn the_frequency_is_a_daily_quota() {
    let w = World::new().await;
    let request = w.file(w.input(&["fullName"], 30, 2)).await;
    w.approve(&request, json!(null)).await;
    for _ in 0..2 {
        assert!(w
            .lookup("fullName", "PUBLIC_SERVICE")
            .await
            .get("errors")
            .is_none());
    }
    w.mock.clear_calls().await;
    let body = w.lookup("fullName", "PUBLIC_SERVICE").await;
    let e = &body["errors"][0]["extensions"];
    assert_eq!(e["code"], "RATE_LIMITED", "{body}");
    assert_eq!(e["quota"]["limit"], 2, "{body}");
    assert_eq!(e["quota"]["period"], "DAY", "{body}");
    assert!(
        e["retryAfter"]
            .as_u64()
            .is_some_and(|s| s > 0 && s <= 86_400),
        "{body}"
    );
    assert_eq!(w.upstream_calls().await, 0, "past the quota, no call");
    // Another agency's quota is its own; the next day starts afresh.
    assert!(w
        .hub
        .post_as(
            &token(super::QN, "upstream:population:read"),
            &format!(
                "query($id: String!) {{ citizen(personalId: $id, purpose: {}) {{ fullName }} }}",
                super::PURPOSE
            ),
            json!({ "id": w.citizen }),
        )
        .await
        .1
        .get("errors")
        .is_none());
    w.clock.advance_ms(DAY_MS);
    assert!(w
        .lookup("fullName", "PUBLIC_SERVICE")
        .await
        .get("errors")
        .is_none());
}
