//! The approvals inbox: the systems whose proposed or appraised level waits for the signed-in agency in its ND 85
//! role (`approvalInbox`), each with its history and the forms of its step: appraise (an opinion), approve (decision
//! number and date) or reject (reasons). The inbox updates live: a server-sent event stream relays the schema's
//! `informationSystemChanged` subscription, and the page's script reloads the list when it speaks. For users with
//! `systems:approve`; the API decides who may take which step.
#![expect(
    clippy::result_large_err,
    reason = "a refusal is the page the handler answers (an axum `Response`), made once per request and never stored"
)]

use std::{collections::BTreeMap, convert::Infallible, time::Duration};

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{
        sse::{Event, KeepAlive, Sse},
        Html, IntoResponse, Response,
    },
    Form,
};
use futures_util::{Stream, StreamExt};
use maud::{html, Markup};
use serde_json::{json, Value};

use super::{
    agency::{history, history_list, level_label, see_other, state_label},
    gql,
    i18n::t,
    layout::{self, Area},
    session::SignedIn,
    work::{self, s, Failure, FieldErrors},
};
use crate::{auth::scope, http::AppState};

type FormData = BTreeMap<String, String>;

const SYSTEM: &str =
    "code name description securityLevel approvedSecurityLevel approvalState decisionNumber \
                      decisionDate version agency { code name } province { code name }";

fn gate(user: &SignedIn) -> Result<(), Response> {
    if user.principal.has_scope(scope::SYSTEMS_APPROVE) {
        Ok(())
    } else {
        Err(Failure::Forbidden.page(user))
    }
}

async fn inbox(app: &AppState, user: &SignedIn) -> Result<Vec<Value>, Response> {
    let data = work::read(
        app,
        user,
        &format!("{{ approvalInbox {{ step system {{ {SYSTEM} }} }} }}"),
        Value::Null,
    )
    .await?;
    Ok(data["approvalInbox"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

fn inbox_table(tasks: &[Value]) -> Markup {
    html! {
        @if tasks.is_empty() {
            p { (t("approvals.empty")) }
        } @else {
            table {
                caption { (t("approvals.waiting")) " (" (tasks.len()) ")" }
                thead { tr {
                    th scope="col" { (t("approvals.system")) } th scope="col" { (t("approvals.operator")) }
                    th scope="col" { (t("approvals.level")) } th scope="col" { (t("approvals.step")) }
                } }
                tbody { @for task in tasks {
                    @let sys = &task["system"];
                    tr {
                        td { a href=(format!("/console/approvals/{}", s(sys, "code"))) { (s(sys, "name")) } }
                        td { (s(&sys["agency"], "name")) }
                        td { (level_label(&sys["securityLevel"])) }
                        td { (t(&format!("approvals.step.{}", s(task, "step")))) }
                    }
                } }
            }
        }
    }
}

/// `GET /console/approvals`.
pub async fn list(State(app): State<AppState>, user: SignedIn) -> Response {
    match async {
        gate(&user)?;
        let tasks = inbox(&app, &user).await?;
        Ok::<_, Response>(layout::page_in(
            Area::Approvals,
            t("approvals.title"),
            Some(&user),
            html! {
                h1 { (t("approvals.title")) }
                p { (t("approvals.help")) }
                section id="inbox" aria-live="polite" data-refresh-url="/console/approvals/list"
                    data-live-url="/console/approvals/live" {
                    (inbox_table(&tasks))
                }
                p { a href="/console/approvals" { (t("approvals.reload")) } }
                (work::script_tag())
            },
        ))
    }
    .await
    {
        Ok(r) | Err(r) => r,
    }
}

/// `GET /console/approvals/list`: the inbox's table alone, for the script to swap in.
pub async fn fragment(State(app): State<AppState>, user: SignedIn) -> Response {
    match async {
        gate(&user)?;
        Ok::<_, Response>(
            Html(inbox_table(&inbox(&app, &user).await?).into_string()).into_response(),
        )
    }
    .await
    {
        Ok(r) | Err(r) => r,
    }
}

/// `GET /console/approvals/live`: an event `change` each time a system of the user's province (or any, for a
/// national authority) changes, from the schema's subscription as the user.
pub async fn live(State(app): State<AppState>, user: SignedIn) -> Response {
    if let Err(r) = gate(&user) {
        return r;
    }
    // The subscription needs `catalog:read`; without it, 204 tells the browser's EventSource not to reconnect
    // (the page still has its reload link).
    if !user.principal.has_scope(scope::CATALOG_READ) {
        return StatusCode::NO_CONTENT.into_response();
    }
    let province = user.principal.province.clone();
    let stream = gql::subscribe(
        &app,
        Some(&user.principal),
        "subscription($p: String) { informationSystemChanged(provinceCode: $p) { action auditEventId } }",
        json!({ "p": province }),
    );
    Sse::new(events(stream))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn events(
    stream: impl Stream<Item = Result<Value, Vec<async_graphql::ServerError>>> + Send + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    // A refusal (no `catalog:read`) ends the stream: the page then simply does not update live.
    stream
        .take_while(|item| std::future::ready(item.is_ok()))
        .map(|item| {
            let id = item
                .ok()
                .and_then(|d| d["informationSystemChanged"]["auditEventId"].as_i64())
                .unwrap_or_default();
            Ok(Event::default().event("change").data(id.to_string()))
        })
}

/// The system page of the inbox: what is asked, its history, the form of its step.
fn system_page(
    user: &SignedIn,
    sys: &Value,
    events: &[Value],
    errors: &FieldErrors,
    form: &FormData,
) -> Response {
    let code = s(sys, "code");
    let version = sys["version"].to_string();
    let state = sys["approvalState"].as_str();
    let v = |k: &str| form.get(k).cloned().unwrap_or_default();
    let page = layout::page_in(
        Area::Approvals,
        s(sys, "name"),
        Some(user),
        html! {
            h1 { (s(sys, "name")) }
            p { a href="/console/approvals" { (t("approvals.back")) } }
            dl {
                dt { (t("approvals.operator")) } dd { (s(&sys["agency"], "name")) }
                dt { (t("approvals.province")) } dd { (s(&sys["province"], "name")) }
                dt { (t("approvals.level")) } dd { (level_label(&sys["securityLevel"])) }
                dt { (t("approvals.approved-level")) } dd { (level_label(&sys["approvedSecurityLevel"])) }
                dt { (t("approvals.state")) } dd { (state_label(&sys["approvalState"])) }
                @if let Some(n) = sys["decisionNumber"].as_str() {
                    dt { (t("approvals.decision-number")) } dd { (n) " · " (s(sys, "decisionDate")) }
                }
                @if let Some(d) = sys["description"].as_str() { dt { (t("approvals.description")) } dd { (d) } }
            }
            (work::form_alert(errors))
            @if state == Some("PROPOSED") {
                section aria-labelledby="appraise" {
                    h2 id="appraise" { (t("approvals.appraise")) }
                    form method="post" action=(format!("/console/approvals/{code}/appraise")) novalidate {
                        (work::csrf_field(user))
                        input type="hidden" name="version" value=(version);
                        (work::textarea_field("opinion", t("approvals.opinion"), &v("opinion"), errors, false))
                        button type="submit" { (t("approvals.appraise")) }
                    }
                }
            }
            @if state == Some("APPRAISED") {
                section aria-labelledby="approve" {
                    h2 id="approve" { (t("approvals.approve")) }
                    form method="post" action=(format!("/console/approvals/{code}/approve")) novalidate {
                        (work::csrf_field(user))
                        input type="hidden" name="version" value=(version);
                        (work::text_field("decisionNumber", t("approvals.decision-number"), &v("decisionNumber"),
                            errors, false))
                        (work::input_field("decisionDate", t("approvals.decision-date"), &v("decisionDate"), errors,
                            false, "date"))
                        button type="submit" { (t("approvals.approve")) }
                    }
                }
                section aria-labelledby="reject" {
                    h2 id="reject" { (t("approvals.reject")) }
                    form method="post" action=(format!("/console/approvals/{code}/reject")) novalidate {
                        (work::csrf_field(user))
                        input type="hidden" name="version" value=(version);
                        (work::textarea_field("reason", t("approvals.reason"), &v("reason"), errors, true))
                        button type="submit" class="danger" { (t("approvals.reject")) }
                    }
                }
            }
            (history_list(events))
        },
    );
    work::form_status(page, false, !errors.is_empty())
}

async fn system(app: &AppState, user: &SignedIn, code: &str) -> Result<Value, Response> {
    let data = work::read(
        app,
        user,
        &format!("query($code: String!) {{ informationSystem(code: $code) {{ {SYSTEM} }} }}"),
        json!({ "code": code }),
    )
    .await?;
    Ok(data["informationSystem"].clone())
}

/// The history, which only agencies with a role towards the system may read: its refusal is the page's 403.
async fn role_checked_history(
    app: &AppState,
    user: &SignedIn,
    code: &str,
) -> Result<Vec<Value>, Response> {
    work::read(
        app,
        user,
        "query($code: String!) { informationSystemHistory(code: $code) { id } }",
        json!({ "code": code }),
    )
    .await?;
    Ok(history(app, user, code).await)
}

/// `GET /console/approvals/{code}`.
pub async fn show(
    State(app): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
) -> Response {
    match async {
        gate(&user)?;
        let sys = system(&app, &user, &code).await?;
        let events = role_checked_history(&app, &user, &code).await?;
        Ok::<_, Response>(system_page(
            &user,
            &sys,
            &events,
            &FieldErrors::new(),
            &FormData::new(),
        ))
    }
    .await
    {
        Ok(r) | Err(r) => r,
    }
}

/// Takes a step with `mutation` and its `variables` (besides code and version), then shows the system (303).
async fn step(
    app: AppState,
    user: SignedIn,
    code: String,
    form: FormData,
    mutation: &str,
    mut variables: Value,
) -> Response {
    if let Err(r) =
        gate(&user).and_then(|()| work::check_csrf(&user, form.get("csrf").map(String::as_str)))
    {
        return r;
    }
    let version = form
        .get("version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1);
    variables["code"] = json!(code);
    variables["version"] = json!(version);
    match work::run(&app, &user, mutation, variables).await {
        Ok(_) => see_other(&format!("/console/approvals/{code}")),
        Err(Failure::Fields(errors)) => {
            let sys = match system(&app, &user, &code).await {
                Ok(sys) => sys,
                Err(r) => return r,
            };
            let events = history(&app, &user, &code).await;
            system_page(&user, &sys, &events, &errors, &form)
        }
        Err(f) => f.page(&user),
    }
}

/// `POST /console/approvals/{code}/appraise`.
pub async fn appraise(
    State(app): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<FormData>,
) -> Response {
    let opinion = work::given(&form, "opinion");
    step(
        app,
        user,
        code,
        form,
        "mutation($code: String!, $version: Int!, $opinion: String) { \
         appraiseSecurityLevel(code: $code, version: $version, opinion: $opinion) { code } }",
        json!({ "opinion": opinion }),
    )
    .await
}

/// `POST /console/approvals/{code}/approve`.
pub async fn approve(
    State(app): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<FormData>,
) -> Response {
    let variables = json!({
        "n": work::given(&form, "decisionNumber"),
        "d": work::given(&form, "decisionDate"),
    });
    step(
        app,
        user,
        code,
        form,
        "mutation($code: String!, $version: Int!, $n: String, $d: String) { \
         approveSecurityLevel(code: $code, version: $version, decisionNumber: $n, decisionDate: $d) { code } }",
        variables,
    )
    .await
}

/// `POST /console/approvals/{code}/reject`.
pub async fn reject(
    State(app): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<FormData>,
) -> Response {
    let reason = form.get("reason").cloned().unwrap_or_default();
    step(
        app,
        user,
        code,
        form,
        "mutation($code: String!, $version: Int!, $reason: String!) { \
         rejectSecurityLevel(code: $code, version: $version, reason: $reason) { code } }",
        json!({ "reason": reason }),
    )
    .await
}
