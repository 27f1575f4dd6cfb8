//! The auditor's pages over HTTP: the access log with filters and paging, who looked at a citizen (POST, CSRF, an
//! invalid number's message), the chain's verification; the 403 of a user without `audit:read`.

use super::pages::{csrf_of, signed_in, Demo};
use crate::{
    common::{console, token, TestHub},
    federation::hub_over_configured,
    mock::MockUpstreams,
};

/// A console hub over the mock national databases (the console's own test hubs federate none); the mocks live as
/// long as the hub's handle.
async fn hub() -> (TestHub, MockUpstreams) {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over_configured(&mock, |_| {}, |o| o.settings.mock_oidc = Some(true)).await;
    (hub, mock)
}

#[tokio::test]
async fn an_auditor_reads_the_log_finds_who_looked_at_a_citizen_and_verifies_the_chain() {
    let (hub, _mock) = hub().await;
    // One lookup, as an agency of the seed with a demonstration grant.
    let (_, body) = hub
        .post_as(
            &token("000.00.00.H48", "upstream:population:read"),
            r#"{ citizen(personalId: "051000000001", purpose: { basis: PUBLIC_SERVICE, reference: "HS-1" }) { fullName } }"#,
            serde_json::json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    // The mock knows no one by that number: the lookup's entry, and the one saying it returned nothing.
    assert!(body["data"]["citizen"].is_null(), "{body}");

    let auditor = signed_in(&hub, Demo::Auditor).await;
    let log = auditor.get("/console/audit").await;
    log.expect(200)
        .contains("population")
        .contains("HS-1")
        .contains("Không trả về dữ liệu cho lượt #1")
        .contains("Số mục nhật ký: 2");
    // The kind of entry filters: the lookup alone, or the entry saying it returned nothing.
    let lookups = auditor.get("/console/audit?kind=LOOKUP").await;
    lookups.expect(200).contains("Số mục nhật ký: 1");
    assert!(!lookups.body.contains("Không trả về dữ liệu cho lượt"));
    auditor
        .get("/console/audit?kind=NOTHING_RETURNED")
        .await
        .expect(200)
        .contains("Số mục nhật ký: 1")
        .contains("Không trả về dữ liệu cho lượt #1")
        .contains(r#"<option value="NOTHING_RETURNED" selected>"#);
    auditor
        .get("/console/audit?kind=EVERYTHING")
        .await
        .expect(422)
        .contains("Hãy chọn một loại trong danh sách.");
    auditor
        .get("/console/audit?upstream=land")
        .await
        .expect(200)
        .contains("Không có lượt truy cập nào");
    auditor
        .get("/console/audit?since=2026-13-40")
        .await
        .expect(422)
        .contains("aria-invalid=\"true\"");

    let form = auditor.get("/console/audit/person").await;
    form.expect(200);
    let csrf = csrf_of(&form);
    auditor
        .post("/console/audit/person", &[("personalId", "051000000001")])
        .await
        .expect(403);
    auditor
        .post(
            "/console/audit/person",
            &[("csrf", &csrf), ("personalId", "123")],
        )
        .await
        .expect(422)
        .contains("gồm đúng 12 chữ số");
    let found = auditor
        .post(
            "/console/audit/person",
            &[("csrf", &csrf), ("personalId", "051000000001")],
        )
        .await;
    found.expect(200).contains("HS-1");
    // The number is not echoed back in the page.
    assert!(!found.body.contains("051000000001"));

    auditor
        .get("/console/audit/chain")
        .await
        .expect(200)
        .contains("Nhật ký toàn vẹn");
}

#[tokio::test]
async fn the_audit_pages_refuse_a_user_without_audit_read() {
    let hub = console::shared_hub().await;
    let operator = signed_in(&hub, Demo::Operator).await;
    for path in [
        "/console/audit",
        "/console/audit/person",
        "/console/audit/chain",
    ] {
        operator
            .get(path)
            .await
            .expect(403)
            .contains("Không có quyền truy cập");
    }
}
