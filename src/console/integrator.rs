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
    extract::{Query, State},
    response::{Html, IntoResponse, Response},
    Form,
};
use maud::{html, Markup};
use serde_json::{json, Value};

use super::{
    i18n::t,
    layout::{self, Area},
    session::SignedIn,
    work::{self, s, Failure, FieldErrors},
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

/// A form of the integrator's: the scope, then the session's CSRF token.
fn gate_form(user: &SignedIn, form: &BTreeMap<String, String>) -> Result<(), Response> {
    gate(user)?;
    work::check_csrf(user, form.get("csrf").map(String::as_str))
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

/// A service's example query: what the integrator page shows to copy and runs on "try it" (`POST
/// /console/integrator/try`), so the query shown is the query that works (a test runs every one).
pub struct Example {
    /// The GraphQL document, with `$id` and, for a personal-data lookup, `$purpose`.
    pub document: &'static str,
    /// The root field the answer is under.
    pub root: &'static str,
    /// The argument `$id` fills: the form field's name too, so the API's refusal of it shows beside the field.
    pub argument: &'static str,
    /// A well-formed identifier for the form and the copied variables (it need not name anyone).
    pub placeholder: &'static str,
    /// Whether the lookup returns personal data: it declares a purpose, and the access log records it.
    pub personal: bool,
}

/// The example of `service`, if the hub federates it.
pub fn example(service: &str) -> Option<Example> {
    let (document, root, argument, placeholder, personal) = match service {
        "population" => (
            "query Example($id: String!, $purpose: PurposeInput!) {\n  citizen(personalId: $id, purpose: $purpose) {\n    personalId\n    fullName\n    birthDate\n    permanentAddress\n  }\n}",
            "citizen",
            "personalId",
            "001203004567",
            true,
        ),
        "business" => (
            "query Example($id: String!) {\n  enterprise(code: $id) {\n    enterpriseCode\n    name\n    status\n    registeredOn\n  }\n}",
            "enterprise",
            "code",
            "0100109106",
            false,
        ),
        "insurance" => (
            "query Example($id: String!, $purpose: PurposeInput!) {\n  insurance(personalId: $id, purpose: $purpose) {\n    socialInsuranceCode\n    fullName\n    benefitStatus\n  }\n}",
            "insurance",
            "personalId",
            "001203004567",
            true,
        ),
        "land" => (
            "query Example($id: String!, $purpose: PurposeInput!) {\n  landParcels(parcelId: $id, purpose: $purpose) {\n    parcelId\n    areaM2\n    landUseType\n    address\n  }\n}",
            "landParcels",
            "parcelId",
            "510010000001",
            true,
        ),
        "civil-status" => (
            "query Example($id: String!, $purpose: PurposeInput!) {\n  civilStatus(personalId: $id, purpose: $purpose) {\n    birth { fullName birthDate birthPlace }\n  }\n}",
            "civilStatus",
            "personalId",
            "001203004567",
            true,
        ),
        "judicial" => (
            "query Example($id: String!, $purpose: PurposeInput!) {\n  judicialRecordRequest(requestId: $id, purpose: $purpose) {\n    requestId\n    status\n    expectedOn\n  }\n}",
            "judicialRecordRequest",
            "requestId",
            "202600000123",
            true,
        ),
        _ => return None,
    };
    Some(Example {
        document,
        root,
        argument,
        placeholder,
        personal,
    })
}

impl Example {
    /// The variables of a run: the identifier, and the purpose of a personal-data lookup.
    fn variables(&self, id: &str, basis: &str, reference: &str) -> Value {
        if self.personal {
            json!({ "id": id, "purpose": { "basis": basis, "reference": reference } })
        } else {
            json!({ "id": id })
        }
    }
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
            @if let Some(example) = example(name) {
                (example_block(name, &example))
                p { a href=(format!("/console/integrator/try?service={name}")) { (t("integrator.try")) ": " (t(&format!("integrator.service.{name}"))) } }
            }
        }
    }
}

/// The example's document and variables, each with a copy button.
fn example_block(name: &str, example: &Example) -> Markup {
    let document_id = format!("example-{name}");
    let variables_id = format!("variables-{name}");
    let variables = example.variables(
        example.placeholder,
        PURPOSES[0],
        "000.00.53.H48-220921-0099",
    );
    let variables = serde_json::to_string_pretty(&variables).unwrap_or_default();
    html! {
        p { (t("integrator.example")) }
        pre id=(document_id) { code { (example.document) } }
        button type="button" hidden data-copy=(document_id) data-copied=(t("work.copied")) { (t("work.copy")) }
        p { (t("integrator.variables")) }
        pre id=(variables_id) { code { (variables) } }
        button type="button" hidden data-copy=(variables_id) data-copied=(t("work.copied")) { (t("work.copy")) }
    }
}

/// What a "try it" form was sent with, to show it again beside the answer or the refusal.
#[derive(Default)]
struct TryValues {
    id: String,
    basis: String,
    reference: String,
}

/// "Try it": runs the example with the integrator's identifier (and purpose) as the signed-in user.
fn try_form(
    user: &SignedIn,
    name: &str,
    example: &Example,
    values: &TryValues,
    errors: &FieldErrors,
) -> Markup {
    let id = if values.id.is_empty() {
        example.placeholder
    } else {
        values.id.as_str()
    };
    let basis = if values.basis.is_empty() {
        PURPOSES[0]
    } else {
        values.basis.as_str()
    };
    let purposes: Vec<(&str, String)> = PURPOSES
        .iter()
        .map(|p| {
            (
                *p,
                format!("{p} — {}", t(&format!("integrator.purpose.{p}"))),
            )
        })
        .collect();
    let options: Vec<(&str, &str)> = purposes.iter().map(|(v, l)| (*v, l.as_str())).collect();
    html! {
        form method="post" action="/console/integrator/try" {
            (work::csrf_field(user))
            input type="hidden" name="service" value=(name);
            (work::form_alert(errors))
            (work::text_field(example.argument, t(&format!("integrator.argument.{}", example.argument)), id, errors, true))
            @if example.personal {
                (work::select_field("basis", t("integrator.basis"), &options, basis, errors))
                (work::text_field("reference", t("integrator.reference"), &values.reference, errors, true))
                p class="hint" { (t("integrator.try-logged")) }
            }
            button type="submit" { (t("integrator.try")) }
        }
    }
}

/// A record as the API answered it: fields by their API names, nested records and lists inside.
fn record(value: &Value) -> Markup {
    html! {
        @match value {
            Value::Object(fields) => dl class="record" { @for (key, v) in fields { dt { code { (key) } } dd { (record(v)) } } },
            Value::Array(items) if items.is_empty() => "—",
            Value::Array(items) => ol { @for item in items { li { (record(item)) } } },
            Value::Null => "—",
            Value::String(text) => (text),
            other => (other.to_string()),
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
    if let Err(r) = gate_form(&user, &form) {
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
            @if ok && example(&name).is_some() {
                p { a href=(format!("/console/integrator/try?service={name}")) { (t("integrator.try-next")) } }
            }
            p { a href="/console/integrator" { (t("integrator.back")) } }
        },
    )
}

/// The form of `GET /console/integrator/try` (the service to try).
#[derive(serde::Deserialize)]
pub struct TryQuery {
    service: String,
}

/// `GET /console/integrator/try?service=<name>`: the "try it" form of a service's example.
pub async fn try_page(user: SignedIn, Query(query): Query<TryQuery>) -> Response {
    if let Err(r) = gate(&user) {
        return r;
    }
    let Some(example) = example(&query.service) else {
        return Failure::NotFound.page(&user);
    };
    try_result(
        &user,
        &query.service,
        &example,
        &TryValues::default(),
        None,
        &FieldErrors::new(),
    )
}

/// `POST /console/integrator/try`: runs a service's example with the form's identifier and purpose, as the signed-in
/// user, so the lookup goes through the grant check and, when personal, into the access log like any client's; shows
/// the answer (masked as the API masks it for this user) under the form, sent again with its values.
pub async fn try_example(
    State(app): State<AppState>,
    user: SignedIn,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    if let Err(r) = gate_form(&user, &form) {
        return r;
    }
    let name = form.get("service").cloned().unwrap_or_default();
    let Some(example) = example(&name) else {
        return Failure::NotFound.page(&user);
    };
    let field = |key: &str| {
        form.get(key)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let values = TryValues {
        id: field(example.argument),
        basis: field("basis"),
        reference: field("reference"),
    };
    // The purpose goes into the access log as declared: one the list does not hold is refused, never replaced.
    if example.personal && !PURPOSES.contains(&values.basis.as_str()) {
        let errors = FieldErrors::from([("basis".to_owned(), work::field_message("basis"))]);
        let page = try_result(&user, &name, &example, &values, None, &errors);
        return work::form_status(page, false, true);
    }
    let variables = example.variables(&values.id, &values.basis, &values.reference);
    match work::run(&app, &user, example.document, variables).await {
        Ok(data) => try_result(
            &user,
            &name,
            &example,
            &values,
            Some(&data[example.root]),
            &FieldErrors::new(),
        ),
        Err(Failure::Fields(errors)) => {
            let page = try_result(&user, &name, &example, &values, None, &errors);
            work::form_status(page, false, true)
        }
        Err(failure) => failure.page(&user),
    }
}

/// The "try it" page: the answer of a run (if any), then the form with its values and messages.
fn try_result(
    user: &SignedIn,
    name: &str,
    example: &Example,
    values: &TryValues,
    answer: Option<&Value>,
    errors: &FieldErrors,
) -> Response {
    let found = answer.is_some_and(|a| !a.is_null() && a.as_array().is_none_or(|v| !v.is_empty()));
    layout::page_in(
        Area::Integrator,
        t("integrator.try"),
        Some(user),
        html! {
            h1 { (t("integrator.try")) ": " (t(&format!("integrator.service.{name}"))) }
            @if let Some(answer) = answer {
                p role="status" class=(if found { "ok" } else { "failed" }) {
                    (t(if found { "integrator.try-found" } else { "integrator.try-not-found" }))
                }
                @if example.personal { p { (t("integrator.try-recorded")) } }
                @if found { section aria-labelledby="answer" { h2 id="answer" { (t("integrator.answer")) } (record(answer)) } }
            }
            (example_block(name, example))
            (try_form(user, name, example, values, errors))
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
                example(service).is_some_and(|e| e.document.starts_with("query Example(")
                    && e.document.contains(&format!("({}: $id", e.argument))
                    && e.document.contains("$purpose: PurposeInput!") == e.personal),
                "{service}"
            );
            let key = format!("integrator.service.{service}");
            assert_ne!(t(&key), key);
            let argument = example(service).map(|e| e.argument).unwrap_or_default();
            let key = format!("integrator.argument.{argument}");
            assert_ne!(t(&key), key);
        }
        for purpose in PURPOSES {
            let key = format!("integrator.purpose.{purpose}");
            assert_ne!(t(&key), key);
        }
    }
}
