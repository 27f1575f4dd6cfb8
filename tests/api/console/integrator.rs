//! The integrator's page over HTTP: live status, test connection with each step, services with their fields and an
//! example query; CSRF; the 403 of a user without a national database's scope.

use super::pages::{csrf_of, input_value, signed_in, Demo};
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

#[tokio::test]
async fn an_integrator_tries_a_lookup_and_the_auditor_finds_it_in_the_access_log() {
    let (hub, mock) = hub().await;
    let samples = mock.samples().await;
    let citizen = crate::federation::sample(&samples, "citizens");
    let integrator = signed_in(&hub, Demo::Integrator).await;
    let page = integrator.get("/console/integrator").await;
    page.expect(200)
        .contains("/console/integrator/try?service=population")
        .contains("data-copy=\"variables-population\"");
    let form = integrator
        .get("/console/integrator/try?service=population")
        .await;
    form.expect(200)
        .contains("citizen(personalId: $id, purpose: $purpose)")
        .contains("name=\"personalId\"")
        .contains("name=\"reference\"");
    let csrf = csrf_of(&form);
    let lookup = [
        ("service", "population"),
        ("personalId", citizen.as_str()),
        ("basis", "PUBLIC_SERVICE"),
        ("reference", "KT-TICH-HOP-2026-001"),
    ];
    integrator
        .post("/console/integrator/try", &lookup)
        .await
        .expect(403);
    let mut with_csrf = lookup.to_vec();
    with_csrf.push(("csrf", &csrf));
    let answer = integrator.post("/console/integrator/try", &with_csrf).await;
    // The number comes back masked (the integrator lacks `upstream:population:identifiers`), the name in full.
    answer
        .expect(200)
        .contains("Cơ sở dữ liệu đã trả về bản ghi")
        .contains("fullName")
        .contains("đã được ghi vào nhật ký truy cập")
        .contains("KT-TICH-HOP-2026-001");
    assert!(
        !answer.body.contains(&format!("<dd>{citizen}</dd>")),
        "the personal number is masked for a user without the identifiers scope"
    );

    // A malformed number: the API's refusal beside the field, and nothing logged for it.
    let mut malformed = with_csrf.clone();
    malformed[1] = ("personalId", "12345");
    integrator
        .post("/console/integrator/try", &malformed)
        .await
        .expect(422)
        .contains("Số định danh cá nhân gồm đúng 12 chữ số")
        .contains("aria-invalid=\"true\"");

    // A purpose outside the list is refused, not replaced by another: the log records what was declared.
    let mut unlisted = with_csrf.clone();
    unlisted[2] = ("basis", "CURIOSITY");
    integrator
        .post("/console/integrator/try", &unlisted)
        .await
        .expect(422)
        .contains("Hãy chọn một mục đích khai thác");

    let auditor = signed_in(&hub, Demo::Auditor).await;
    let log = auditor
        .get("/console/audit?actor=demo-integrator&upstream=population")
        .await;
    log.expect(200).contains("KT-TICH-HOP-2026-001");
    assert_eq!(
        log.body.matches("KT-TICH-HOP-2026-001").count(),
        1,
        "one entry: the lookup that ran, not the refused one"
    );
}

#[tokio::test]
async fn every_services_example_runs_as_shown() {
    let (hub, _mock) = hub().await;
    let integrator = signed_in(&hub, Demo::Integrator).await;
    for (service, argument) in [
        ("population", "personalId"),
        ("business", "code"),
        ("insurance", "personalId"),
        ("land", "parcelId"),
        ("civil-status", "personalId"),
        ("judicial", "requestId"),
    ] {
        let form = integrator
            .get(&format!("/console/integrator/try?service={service}"))
            .await;
        form.expect(200);
        let csrf = csrf_of(&form);
        let id = input_value(&form.body, argument)
            .unwrap_or_else(|| panic!("{service}: no {argument} field"));
        let answer = integrator
            .post(
                "/console/integrator/try",
                &[
                    ("csrf", &csrf),
                    ("service", service),
                    (argument, &id),
                    ("basis", "PUBLIC_SERVICE"),
                    ("reference", "KT-VI-DU"),
                ],
            )
            .await;
        // The placeholder is well formed: each example is valid and runs (a record or "no record"), never a refusal.
        answer.expect(200);
        assert!(
            answer.body.contains("không có bản ghi nào với mã này")
                || answer.body.contains("đã trả về bản ghi"),
            "{service}: {}",
            answer.body
        );
    }
    integrator
        .get("/console/integrator/try?service=nowhere")
        .await
        .expect(404);
}
