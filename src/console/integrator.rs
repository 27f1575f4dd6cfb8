//! The integrator's page: the national databases with their live status, latency and circuit (refreshed by the
//! page's script every few seconds; a plain reload without it), "test connection" with each step and its timing, and
//! for each data-sharing service the fields it returns (which are personal), the scope and the purposes it needs, and
//! an example query to copy. For users holding an `upstream:<name>:read` scope.
#![expect(
    clippy::result_large_err,
    reason = "a refusal is the page the handler answers (an axum `Response`), made once per request and never stored"
)]

use std::collections::BTreeMap;

use axum::{
    extract::State,
    response::{Html, IntoResponse, Response},
    Form,
};
use maud::{html, Markup};
use serde_json::{json, Value};

use super::{
    i18n::t,
    layout::{self, Area},
    session::SignedIn,
    work::{self, s, Failure},
};
use crate::http::AppState;

/// Seconds between refreshes of the status table (by the console's script, `data-refresh-seconds`).
const REFRESH_SECONDS: &str = "5";

/// An integrator holds the scope of at least one national database.
fn gate(user: &SignedIn) -> Result<(), Response> {
    let integrator = user
        .principal
        .scopes
        .iter()
        .any(|s| s.starts_with("upstream:") && s.ends_with(":read"));
    if integrator {
        Ok(())
    } else {
        Err(Failure::Forbidden.page(user))
    }
}

const UPSTREAMS: &str =
    "{ upstreams { name status latencyMs circuitState calls failures lastError \
                         lastProbe { ok atMs latencyMs } } }";

fn status_table(upstreams: &[Value]) -> Markup {
    html! {
        table {
            caption { (t("integrator.status")) }
            thead { tr {
                th scope="col" { (t("integrator.upstream")) } th scope="col" { (t("integrator.health")) }
                th scope="col" { (t("integrator.latency")) } th scope="col" { (t("integrator.circuit")) }
                th scope="col" { (t("integrator.calls")) } th scope="col" { (t("integrator.last-error")) }
            } }
            tbody { @for u in upstreams { tr data-upstream=(s(u, "name")) {
                th scope="row" { (t(&format!("integrator.service.{}", s(u, "name")))) " (" (s(u, "name")) ")" }
                td class=(format!("health-{}", s(u, "status").to_lowercase())) {
                    (t(&format!("integrator.health.{}", s(u, "status"))))
                }
                td { @if let Some(ms) = u["latencyMs"].as_f64() { (format!("{ms:.0} ms")) } @else { "—" } }
                td { (t(&format!("integrator.circuit.{}", s(u, "circuitState")))) }
                td { (u["calls"]) " / " (u["failures"]) }
                td { (u["lastError"].as_str().unwrap_or("—")) }
            } } }
        }
    }
}

/// An example query for `service`: the root field with placeholders, and a few of its fields.
fn example(service: &str) -> Option<&'static str> {
    Some(match service {
        "population" => {
            "query {\n  citizen(\n    personalId: \"001203004567\"\n    purpose: { basis: PUBLIC_SERVICE, reference: \"000.00.53.H48-220921-0099\" }\n  ) {\n    fullName\n    birthDate\n    permanentAddress\n  }\n}"
        }
        "business" => "query {\n  enterprise(code: \"0100109106\") {\n    name\n    status\n    registeredOn\n  }\n}",
        "insurance" => {
            "query {\n  insurance(\n    personalId: \"001203004567\"\n    purpose: { basis: PUBLIC_SERVICE, reference: \"000.00.53.H48-220921-0099\" }\n  ) {\n    socialInsuranceCode\n    benefitStatus\n  }\n}"
        }
        "land" => {
            "query {\n  landParcels(\n    parcelId: \"51-001-0001\"\n    purpose: { basis: PUBLIC_SERVICE, reference: \"000.00.53.H48-220921-0099\" }\n  ) {\n    parcelId\n    areaM2\n    landUseType\n  }\n}"
        }
        "civil-status" => {
            "query {\n  civilStatus(\n    personalId: \"001203004567\"\n    purpose: { basis: PUBLIC_SERVICE, reference: \"000.00.53.H48-220921-0099\" }\n  ) {\n    birth { fullName birthDate birthPlace }\n  }\n}"
        }
        "judicial" => {
            "query {\n  judicialRecordRequest(\n    requestId: \"LLTP-2026-000123\"\n    purpose: { basis: PUBLIC_SERVICE, reference: \"000.00.53.H48-220921-0099\" }\n  ) {\n    status\n    expectedOn\n  }\n}"
        }
        _ => return None,
    })
}

/// The legal purposes a personal-data lookup may declare (the API's `LegalPurpose`).
const PURPOSES: [&str; 5] = [
    "PUBLIC_SERVICE",
    "STATE_MANAGEMENT",
    "LAW_ENFORCEMENT",
    "EMERGENCY",
    "DATA_SUBJECT_CONSENT",
];

fn service_section(svc: &Value) -> Markup {
    let name = s(svc, "name");
    let fields = svc["fields"].as_array().cloned().unwrap_or_default();
    let personal = fields.iter().any(|f| f["personal"].as_bool() == Some(true));
    let example_id = format!("example-{name}");
    html! {
        section class="service" aria-labelledby=(format!("svc-{name}")) {
            h3 id=(format!("svc-{name}")) { (s(svc, "title")) " (" (name) ")" }
            dl {
                dt { (t("integrator.scope")) } dd { code { "upstream:" (name) ":read" } }
                @if let Some(id) = svc["identifier"].as_str() { dt { (t("integrator.identifier")) } dd { code { (id) } } }
                dt { (t("integrator.purposes")) }
                dd {
                    @if personal {
                        (t("integrator.purposes-needed"))
                        ul { @for p in PURPOSES { li { code { (p) } " — " (t(&format!("integrator.purpose.{p}"))) } } }
                    } @else { (t("integrator.purposes-none")) }
                }
                dt { (t("integrator.fields")) }
                dd { ul class="fields" { @for f in &fields {
                    li { code { (s(f, "name")) } @if f["personal"].as_bool() == Some(true) {
                        " " span class="tag" { (t("integrator.personal")) } } }
                } } }
            }
            @if let Some(q) = example(name) {
                p { (t("integrator.example")) }
                pre id=(example_id) { code { (q) } }
                button type="button" hidden data-copy=(example_id) data-copied=(t("work.copied")) { (t("work.copy")) }
            }
        }
    }
}

/// `GET /console/integrator`.
pub async fn page(State(app): State<AppState>, user: SignedIn) -> Response {
    match async {
        gate(&user)?;
        let status = work::read(&app, &user, UPSTREAMS, Value::Null).await?;
        let services = work::read(
            &app,
            &user,
            "{ sharingServices { name title identifier fields { name personal } } }",
            Value::Null,
        )
        .await?;
        let upstreams = status["upstreams"].as_array().cloned().unwrap_or_default();
        let services = services["sharingServices"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok::<_, Response>(layout::page_in(
            Area::Integrator,
            t("integrator.title"),
            Some(&user),
            html! {
                h1 { (t("integrator.title")) }
                section id="status" aria-live="polite" data-refresh-url="/console/integrator/status"
                    data-refresh-seconds=(REFRESH_SECONDS) {
                    (status_table(&upstreams))
                }
                p { a href="/console/integrator" { (t("integrator.reload")) } }
                section aria-labelledby="test" {
                    h2 id="test" { (t("integrator.test")) }
                    p { (t("integrator.test-help")) }
                    (test_form(&user, &upstreams))
                }
                section aria-labelledby="services" {
                    h2 id="services" { (t("integrator.services")) }
                    @for svc in &services { (service_section(svc)) }
                }
                (work::script_tag())
            },
        ))
    }
    .await
    {
        Ok(r) | Err(r) => r,
    }
}

fn test_form(user: &SignedIn, upstreams: &[Value]) -> Markup {
    let names: Vec<(String, String)> = upstreams
        .iter()
        .map(|u| {
            let name = s(u, "name").to_owned();
            let label = format!("{} ({name})", t(&format!("integrator.service.{name}")));
            (name, label)
        })
        .collect();
    let options: Vec<(&str, &str)> = names
        .iter()
        .map(|(n, l)| (n.as_str(), l.as_str()))
        .collect();
    html! {
        form method="post" action="/console/integrator/test" {
            (work::csrf_field(user))
            (work::select_field("name", t("integrator.upstream"), &options, "population", &Default::default()))
            button type="submit" { (t("integrator.test")) }
        }
    }
}

/// `GET /console/integrator/status`: the status table alone, for the script to swap in.
pub async fn status(State(app): State<AppState>, user: SignedIn) -> Response {
    match async {
        gate(&user)?;
        let status = work::read(&app, &user, UPSTREAMS, Value::Null).await?;
        let upstreams = status["upstreams"].as_array().cloned().unwrap_or_default();
        Ok::<_, Response>(Html(status_table(&upstreams).into_string()).into_response())
    }
    .await
    {
        Ok(r) | Err(r) => r,
    }
}

/// `POST /console/integrator/test`: tests the connection and shows each step with its timing.
pub async fn test(
    State(app): State<AppState>,
    user: SignedIn,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    if let Err(r) =
        gate(&user).and_then(|()| work::check_csrf(&user, form.get("csrf").map(String::as_str)))
    {
        return r;
    }
    let name = form.get("name").cloned().unwrap_or_default();
    let data = match work::read(
        &app,
        &user,
        "mutation($name: String!) { testUpstreamConnection(name: $name) { upstream ok holdsGrant \
         steps { step ok ms error code } } }",
        json!({ "name": name }),
    )
    .await
    {
        Ok(d) => d,
        Err(r) => return r,
    };
    let test = &data["testUpstreamConnection"];
    let steps = test["steps"].as_array().cloned().unwrap_or_default();
    let ok = test["ok"].as_bool() == Some(true);
    layout::page_in(
        Area::Integrator,
        t("integrator.test"),
        Some(&user),
        html! {
            h1 { (t("integrator.test")) ": " (t(&format!("integrator.service.{name}"))) }
            p role="status" class=(if ok { "ok" } else { "failed" }) {
                (t(if ok { "integrator.test-ok" } else { "integrator.test-failed" }))
            }
            table {
                caption { (t("integrator.steps")) }
                thead { tr {
                    th scope="col" { (t("integrator.step")) } th scope="col" { (t("integrator.result")) }
                    th scope="col" { (t("integrator.time")) } th scope="col" { (t("integrator.what-to-do")) }
                } }
                tbody { @for st in &steps { tr data-step=(s(st, "step")) {
                    th scope="row" { (t(&format!("integrator.step.{}", s(st, "step")))) }
                    td { (t(if st["ok"].as_bool() == Some(true) { "integrator.step-ok" } else { "integrator.step-failed" })) }
                    td { (format!("{:.1} ms", st["ms"].as_f64().unwrap_or_default())) }
                    td { @if let Some(code) = st["code"].as_str() { (t(&format!("integrator.error.{code}"))) } }
                } } }
            }
            p { (t(if test["holdsGrant"].as_bool() == Some(true) { "integrator.grant-yes" } else { "integrator.grant-no" })) }
            p { a href="/console/integrator" { (t("integrator.back")) } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mock_service_has_an_example_query_and_labels() {
        for service in [
            "population",
            "business",
            "insurance",
            "land",
            "civil-status",
            "judicial",
        ] {
            assert!(
                example(service).is_some_and(|q| q.starts_with("query {")),
                "{service}"
            );
            let key = format!("integrator.service.{service}");
            assert_ne!(t(&key), key);
        }
        for purpose in PURPOSES {
            let key = format!("integrator.purpose.{purpose}");
            assert_ne!(t(&key), key);
        }
    }
}
