//! The auditor's pages over HTTP: the access log with filters and paging (forwards and back), who looked at a citizen (POST, CSRF, an
//! invalid number's message), the chain's verification; the 403 of a user without `audit:read`.

use super::pages::{csrf_of, link, signed_in, Demo};
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

/// The sequence numbers of a page's entries, as shown.
fn seqs(body: &str) -> Vec<i64> {
    body.split("<tr><td>")
        .skip(1)
        .filter_map(|row| row[..row.find('<')?].parse().ok())
        .collect()
}

#[tokio::test]
async fn the_auditor_pages_through_the_log_both_ways() {
    let (hub, _mock) = hub().await;
    // Thirty numbers the mock does not know: thirty lookups, thirty entries saying nothing came back (sixty, over a
    // page of fifty).
    let ids: Vec<String> = (1..=30).map(|i| format!("0510000001{i:02}")).collect();
    let (_, body) = hub
        .post_as(
            &token("000.00.00.H48", "upstream:population:read"),
            r#"query($ids: [String!]!) { citizens(personalIds: $ids, purpose: { basis: PUBLIC_SERVICE, reference: "HS-2" }) { fullName } }"#,
            serde_json::json!({ "ids": ids }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");

    let auditor = signed_in(&hub, Demo::Auditor).await;
    let first = auditor.get("/console/audit?upstream=population").await;
    first.expect(200).contains("Số mục nhật ký: 60");
    let newest = seqs(&first.body);
    assert_eq!(newest.len(), 50, "{}", first.body);
    assert_eq!(newest.first(), Some(&60));
    assert!(
        link(&first.body, "prev").is_none(),
        "no page before the first"
    );
    let next = link(&first.body, "next").expect("a next page");
    assert!(next.contains("upstream=population"), "{next}");

    let second = auditor.get(&next).await;
    second.expect(200).contains("Về trang đầu");
    assert_eq!(seqs(&second.body), (1..=10).rev().collect::<Vec<_>>());
    assert!(
        link(&second.body, "next").is_none(),
        "the oldest page is the last"
    );
    // Back from the second page: the first page again, newest first, with the filter kept.
    let previous = link(&second.body, "prev").expect("a previous page");
    assert!(previous.contains("upstream=population"), "{previous}");
    let back = auditor.get(&previous).await;
    back.expect(200);
    assert_eq!(seqs(&back.body), newest);
    assert!(link(&back.body, "next").is_some());
    assert!(
        link(&back.body, "prev").is_none(),
        "nothing is newer than the first page"
    );
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
