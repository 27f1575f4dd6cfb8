//! The approvals inbox over HTTP: a level 3 proposed by the department's operator is appraised by the province's
//! information-security unit and approved by the People's Committee through the pages; inline messages for a bad
//! decision date and a rejection without reasons; CSRF; the live stream; the 403 of a user without the role.

use super::pages::{csrf_of, input_value, signed_in, Browser, Demo};
use crate::common::console;

/// Registers a system as the operator and proposes `level`; returns its code.
async fn proposed(operator: &Browser, level: &str) -> String {
    let form = operator.get("/console/agency/new").await;
    let csrf = csrf_of(&form);
    let created = operator
        .post(
            "/console/agency/new",
            &[("csrf", &csrf), ("name", "Cổng dịch vụ công thử nghiệm")],
        )
        .await;
    created.expect(303);
    let at = created.location.clone().expect("location");
    let page = operator.get(&at).await;
    let version = input_value(&page.body, "version").expect("version");
    operator
        .post(
            &format!("{at}/propose"),
            &[("csrf", &csrf), ("version", &version), ("level", level)],
        )
        .await
        .expect(303);
    at.rsplit('/').next().expect("code").to_owned()
}

#[tokio::test]
async fn a_level_3_goes_from_the_units_inbox_to_the_committees_and_is_approved_with_its_decision() {
    let hub = console::hub().await;
    let operator = signed_in(&hub, Demo::Operator).await;
    let code = proposed(&operator, "3").await;

    let unit = signed_in(&hub, Demo::SecurityUnit).await;
    let inbox = unit.get("/console/approvals").await;
    inbox
        .expect(200)
        .contains(&format!("/console/approvals/{code}"))
        .contains("Thẩm định");
    unit.get("/console/approvals/list")
        .await
        .expect(200)
        .contains(&code);
    let page = unit.get(&format!("/console/approvals/{code}")).await;
    page.expect(200)
        .contains("Thẩm định cấp độ")
        .contains("Đề xuất cấp độ");
    let (csrf, version) = (
        csrf_of(&page),
        input_value(&page.body, "version").expect("version"),
    );
    unit.post(
        &format!("/console/approvals/{code}/appraise"),
        &[("version", &version)],
    )
    .await
    .expect(403);
    unit.post(
        &format!("/console/approvals/{code}/appraise"),
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("opinion", "Đạt yêu cầu"),
        ],
    )
    .await
    .expect(303);
    assert!(!unit
        .get("/console/approvals")
        .await
        .body
        .contains(&format!("/console/approvals/{code}")));

    let committee = signed_in(&hub, Demo::Committee).await;
    committee
        .get("/console/approvals")
        .await
        .expect(200)
        .contains(&code)
        .contains("Phê duyệt hoặc từ chối");
    let page = committee.get(&format!("/console/approvals/{code}")).await;
    let (csrf, version) = (
        csrf_of(&page),
        input_value(&page.body, "version").expect("version"),
    );
    let approve = format!("/console/approvals/{code}/approve");
    committee
        .post(
            &approve,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("decisionNumber", "123/QĐ-UBND"),
                ("decisionDate", "15/03/2026"),
            ],
        )
        .await
        .expect(422)
        .contains("Ngày quyết định phải có dạng năm-tháng-ngày")
        .contains("123/QĐ-UBND");
    committee
        .post(
            &format!("/console/approvals/{code}/reject"),
            &[("csrf", &csrf), ("version", &version), ("reason", " ")],
        )
        .await
        .expect(422)
        .contains("Hãy ghi rõ lý do");
    committee
        .post(
            &approve,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("decisionNumber", "123/QĐ-UBND"),
                ("decisionDate", "2026-03-15"),
            ],
        )
        .await
        .expect(303);
    committee
        .get(&format!("/console/approvals/{code}"))
        .await
        .expect(200)
        .contains("Đã phê duyệt")
        .contains("123/QĐ-UBND")
        .contains("Phê duyệt");
    // The step cannot be taken twice.
    committee
        .post(
            &approve,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("decisionNumber", "124/QĐ-UBND"),
            ],
        )
        .await
        .expect(409);
}

#[tokio::test]
async fn the_inbox_refuses_a_user_without_systems_approve_and_another_provinces_history() {
    let hub = console::hub().await;
    let operator = signed_in(&hub, Demo::Operator).await;
    for path in [
        "/console/approvals",
        "/console/approvals/list",
        "/console/approvals/live",
    ] {
        operator
            .get(path)
            .await
            .expect(403)
            .contains("Không có quyền truy cập");
    }
}

#[tokio::test]
async fn the_live_stream_tells_the_inbox_of_a_change_in_its_province() {
    let hub = console::hub().await;
    let unit = signed_in(&hub, Demo::SecurityUnit).await;
    let page = unit.get("/console/approvals").await;
    page.expect(200)
        .contains("data-live-url=\"/console/approvals/live\"")
        .contains("/console/work.js");
    let mut stream = unit.open_stream("/console/approvals/live").await;
    assert_eq!(stream.status(), 200);
    assert!(stream
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream")));

    // A department of the same province registers a system: the unit's open inbox hears of it.
    let operator = signed_in(&hub, Demo::Operator).await;
    let form = operator.get("/console/agency/new").await;
    let csrf = csrf_of(&form);
    operator
        .post(
            "/console/agency/new",
            &[("csrf", &csrf), ("name", "Hệ thống báo tin trực tiếp")],
        )
        .await
        .expect(303);
    let mut received = String::new();
    let heard = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Ok(Some(chunk)) = stream.chunk().await {
            received.push_str(&String::from_utf8_lossy(&chunk));
            if received.contains("event: change") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(heard, Ok(true), "no change event; received: {received:?}");
    // The event carries the audit event's id, not the system's data.
    let data = received
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap_or_default();
    assert!(data.parse::<i64>().is_ok_and(|id| id > 0), "{received:?}");
}
