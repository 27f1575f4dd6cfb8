//! My agency's pages over HTTP, signed in as the department's operator: list, register (inline messages, CSRF),
//! edit (a version conflict shows what changed), propose a level, retire; and the 403 of a user without the role.

use super::pages::{csrf_of, input_value, signed_in, Demo};
use crate::common::console;

#[tokio::test]
async fn an_operator_registers_edits_and_proposes_a_level_through_the_pages() {
    let hub = console::hub().await;
    let operator = signed_in(&hub, Demo::Operator).await;
    let list = operator.get("/console/agency").await;
    list.expect(200).contains("Hệ thống thông tin của đơn vị");

    let form = operator.get("/console/agency/new").await;
    form.expect(200).contains("name=\"name\"");
    let csrf = csrf_of(&form);

    // Without the session's token nothing is registered.
    let refused = operator
        .post("/console/agency/new", &[("name", "Hệ thống A")])
        .await;
    refused.expect(403).contains("Biểu mẫu đã hết hạn");
    let refused = operator
        .post(
            "/console/agency/new",
            &[("csrf", "forged"), ("name", "Hệ thống A")],
        )
        .await;
    refused.expect(403);
    operator.get("/console/agency").await.expect(200);
    assert!(!operator
        .get("/console/agency")
        .await
        .body
        .contains("Hệ thống A"));

    // An empty name comes back with its message beside the field, and what was typed.
    let invalid = operator
        .post(
            "/console/agency/new",
            &[("csrf", &csrf), ("name", "  "), ("description", "giữ lại")],
        )
        .await;
    invalid
        .expect(422)
        .contains("Tên là bắt buộc")
        .contains("aria-invalid=\"true\"")
        .contains("giữ lại");

    let created = operator
        .post(
            "/console/agency/new",
            &[
                ("csrf", &csrf),
                ("name", "Hệ thống quản lý văn bản thử nghiệm"),
                ("processesPersonalData", "true"),
            ],
        )
        .await;
    created.expect(303);
    let at = created.location.clone().expect("location");
    assert!(at.starts_with("/console/agency/systems/"), "{at}");
    let page = operator.get(&at).await;
    page.expect(200)
        .contains("Hệ thống quản lý văn bản thử nghiệm")
        .contains("Đăng ký");
    let version = input_value(&page.body, "version").expect("version");

    // Edit, then edit again from the stale page: the conflict shows both values and offers to reload.
    let edited = operator
        .post(
            &format!("{at}/edit"),
            &[("csrf", &csrf), ("version", &version), ("name", "Tên mới")],
        )
        .await;
    edited.expect(303);
    let stale = operator
        .post(
            &format!("{at}/edit"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("name", "Tên của tôi"),
            ],
        )
        .await;
    stale
        .expect(409)
        .contains("Hệ thống vừa được người khác thay đổi")
        .contains("Tên mới")
        .contains("Tên của tôi")
        .contains("class=\"changed\"")
        .contains("Tải lại bản mới nhất");

    // Propose level 3 with the current version.
    let page = operator.get(&at).await;
    let version = input_value(&page.body, "version").expect("version");
    let proposed = operator
        .post(
            &format!("{at}/propose"),
            &[("csrf", &csrf), ("version", &version), ("level", "3")],
        )
        .await;
    proposed.expect(303);
    operator
        .get(&at)
        .await
        .expect(200)
        .contains("Đã đề xuất, chờ thẩm định")
        .contains("Cấp độ 3");
    // Proposing again while one is under way is a clear 409.
    let page = operator.get(&at).await;
    let version = input_value(&page.body, "version").expect("version");
    operator
        .post(
            &format!("{at}/propose"),
            &[("csrf", &csrf), ("version", &version), ("level", "2")],
        )
        .await
        .expect(409);
}

#[tokio::test]
async fn the_agency_pages_refuse_a_user_without_systems_write() {
    let hub = console::shared_hub().await;
    let auditor = signed_in(&hub, Demo::Auditor).await;
    for path in ["/console/agency", "/console/agency/new"] {
        auditor
            .get(path)
            .await
            .expect(403)
            .contains("Không có quyền truy cập");
    }
}
