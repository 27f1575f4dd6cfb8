//! The administrator's pages over HTTP: agencies (official code, approval role; a stale version), projects, links
//! recorded and removed; CSRF; the 403 of a user without `registry:admin`.

use super::pages::{csrf_of, input_value, signed_in, Demo};
use crate::common::console;

#[tokio::test]
async fn an_administrator_edits_an_agency_and_records_a_link() {
    let hub = console::hub().await;
    let admin = signed_in(&hub, Demo::Admin).await;
    let list = admin.get("/console/admin?province=51").await;
    list.expect(200).contains("/console/admin/agencies/");
    let at = "/console/admin/agencies/qn-so-y-te";
    let page = admin.get(at).await;
    page.expect(200).contains("name=\"officialCode\"");
    let (csrf, version) = (
        csrf_of(&page),
        input_value(&page.body, "version").expect("version"),
    );
    admin
        .post(at, &[("version", &version), ("name", "X")])
        .await
        .expect(403);
    admin
        .post(
            at,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("name", "Sở Y tế tỉnh Quảng Ngãi"),
                ("officialCode", "not a code"),
            ],
        )
        .await
        .expect(422)
        .contains("Mã định danh điện tử");
    admin
        .post(
            at,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("name", "Sở Y tế tỉnh Quảng Ngãi (đã sửa)"),
            ],
        )
        .await
        .expect(303);
    admin
        .get(at)
        .await
        .expect(200)
        .contains("Sở Y tế tỉnh Quảng Ngãi (đã sửa)");
    admin
        .post(
            at,
            &[("csrf", &csrf), ("version", &version), ("name", "Tên cũ")],
        )
        .await
        .expect(409)
        .contains("Tải lại bản mới nhất");

    admin.get("/console/admin/projects").await.expect(200);
    let links = admin.get("/console/admin/links").await;
    links.expect(200);
    let recorded = admin
        .post(
            "/console/admin/links",
            &[
                ("csrf", &csrf),
                ("provinceCode", "51"),
                ("nationalDatabaseKey", "dan-cu"),
                ("status", "PLANNED"),
                ("note", "ghi chú thử"),
            ],
        )
        .await;
    recorded.expect(303);
    let links = admin.get("/console/admin/links").await;
    links.expect(200).contains("ghi chú thử");
}

#[tokio::test]
async fn the_admin_pages_refuse_a_user_without_registry_admin() {
    let hub = console::shared_hub().await;
    let auditor = signed_in(&hub, Demo::Auditor).await;
    for path in [
        "/console/admin",
        "/console/admin/projects",
        "/console/admin/links",
    ] {
        auditor
            .get(path)
            .await
            .expect(403)
            .contains("Không có quyền truy cập");
    }
}

/// The administrator's pages stay under the heavy-query threshold, so the budget that all clients share for heavy
/// queries never sheds them (the links page reads its databases a few at a time).
#[tokio::test]
async fn the_administrators_pages_are_light_queries() {
    let hub = console::hub_configured(|o| o.settings.max_query_cost = Some(4_999)).await;
    let admin = signed_in(&hub, Demo::Admin).await;
    for path in [
        "/console/admin",
        "/console/admin/projects",
        "/console/admin/links",
    ] {
        admin.get(path).await.expect(200);
    }
}
