//! The integrator's page over HTTP: live status, test connection with each step, services with their fields and an
//! example query; CSRF; the 403 of a user without a national database's scope.

use super::pages::{csrf_of, signed_in, Demo};
use crate::{
    common::{console, TestHub},
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
async fn an_integrator_sees_the_databases_and_tests_the_population_connection() {
    let (hub, _mock) = hub().await;
    let integrator = signed_in(&hub, Demo::Integrator).await;
    let page = integrator.get("/console/integrator").await;
    page.expect(200)
        .contains("data-upstream=\"population\"")
        .contains("data-refresh-seconds=\"5\"")
        .contains("upstream:population:read")
        .contains("citizen(")
        .contains("data-copy=\"example-population\"")
        .contains("dữ liệu cá nhân");
    integrator
        .get("/console/integrator/status")
        .await
        .expect(200)
        .contains("data-upstream=\"population\"");

    integrator
        .post("/console/integrator/test", &[("name", "population")])
        .await
        .expect(403);
    let csrf = csrf_of(&page);
    let test = integrator
        .post(
            "/console/integrator/test",
            &[("csrf", &csrf), ("name", "population")],
        )
        .await;
    test.expect(200)
        .contains("Kết nối thành công")
        .contains("data-step=\"token\"")
        .contains("data-step=\"probe\"")
        .contains(" ms");
}

#[tokio::test]
async fn the_integrator_page_refuses_a_user_without_a_database_scope() {
    let hub = console::shared_hub().await;
    let admin = signed_in(&hub, Demo::Auditor).await;
    admin
        .get("/console/integrator")
        .await
        .expect(403)
        .contains("Không có quyền truy cập");
}
