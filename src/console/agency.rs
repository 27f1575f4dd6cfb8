//! My agency's systems: the list, the register form, and each system's page with its edit form (a version conflict
//! shows what changed and offers to reload), the level proposal and retirement, and its history. For users with
//! `systems:write`; the API decides what each may do (its own agency's systems only).
#![expect(
    clippy::result_large_err,
    reason = "a refusal is the page the handler answers (an axum `Response`), made once per request and never stored"
)]

use std::collections::BTreeMap;

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
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
use crate::{auth::scope, http::AppState};

type FormData = BTreeMap<String, String>;

const SYSTEM: &str = "code name description securityLevel approvedSecurityLevel approvalState decisionNumber \
                      decisionDate connectsLgsp processesPersonalData version agency { code name } province { name }";

/// The page of a user without `systems:write`.
fn gate(user: &SignedIn) -> Result<(), Response> {
    if user.principal.has_scope(scope::SYSTEMS_WRITE) {
        Ok(())
    } else {
        Err(Failure::Forbidden.page(user))
    }
}

/// A level or state as the pages say it.
pub fn state_label(state: &Value) -> String {
    match state.as_str() {
        Some(st) => t(&format!("agency.state.{st}")).to_owned(),
        None => t("agency.state.none").to_owned(),
    }
}

pub fn level_label(level: &Value) -> String {
    level
        .as_i64()
        .map_or_else(|| "—".to_owned(), |l| format!("{} {l}", t("agency.level")))
}

/// `GET /console/agency`: the agency's systems.
pub async fn list(State(app): State<AppState>, user: SignedIn) -> Response {
    match list_page(&app, &user).await {
        Ok(r) | Err(r) => r,
    }
}

async fn list_page(app: &AppState, user: &SignedIn) -> Result<Response, Response> {
    gate(user)?;
    let agency = work::read(
        app,
        user,
        "query($code: String!) { agency(code: $code) { key name } }",
        json!({ "code": user.principal.agency.as_str() }),
    )
    .await?;
    let agency = &agency["agency"];
    let data = work::read(
        app,
        user,
        &format!(
            "query($key: String!) {{ informationSystems(filter: {{ agencyKey: $key }}, first: 100) {{ totalCount \
             nodes {{ {SYSTEM} }} }} }}"
        ),
        json!({ "key": s(agency, "key") }),
    )
    .await?;
    let systems = data["informationSystems"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(layout::page_in(
        Area::Agency,
        t("agency.title"),
        Some(user),
        html! {
            h1 { (t("agency.title")) }
            p { (s(agency, "name")) " · " (t("agency.count")) ": " (data["informationSystems"]["totalCount"]) }
            p { a class="button" href="/console/agency/new" { (t("agency.register")) } }
            @if systems.is_empty() {
                p { (t("agency.empty")) }
            } @else {
                table {
                    caption { (t("agency.title")) }
                    thead { tr {
                        th scope="col" { (t("agency.code")) } th scope="col" { (t("agency.name")) }
                        th scope="col" { (t("agency.level-proposed")) } th scope="col" { (t("agency.level-approved")) }
                        th scope="col" { (t("agency.state")) }
                    } }
                    tbody { @for sys in &systems { tr {
                        td { a href=(format!("/console/agency/systems/{}", s(sys, "code"))) { (s(sys, "code")) } }
                        td { (s(sys, "name")) }
                        td { (level_label(&sys["securityLevel"])) }
                        td { (level_label(&sys["approvedSecurityLevel"])) }
                        td { (state_label(&sys["approvalState"])) }
                    } } }
                }
            }
        },
    ))
}

/// The register form, with the values given and the API's messages beside the fields.
fn register_form(user: &SignedIn, form: &FormData, errors: &FieldErrors) -> Markup {
    let v = |k: &str| {
        form.get(k)
            .map(String::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let levels = level_options();
    html! {
        form method="post" action="/console/agency/new" novalidate {
            (work::csrf_field(user))
            (work::form_alert(errors))
            (work::text_field("name", t("agency.name"), &v("name"), errors, true))
            (work::textarea_field("description", t("agency.description"), &v("description"), errors, false))
            (work::select_field("securityLevel", t("agency.level-proposed"), &levels, &v("securityLevel"), errors))
            (work::checkbox_field("connectsLgsp", t("agency.connects-lgsp"), form.contains_key("connectsLgsp")))
            (work::checkbox_field("processesPersonalData", t("agency.personal-data"),
                form.contains_key("processesPersonalData")))
            button type="submit" { (t("agency.register")) }
        }
    }
}

fn level_options() -> Vec<(&'static str, &'static str)> {
    vec![
        ("", t("agency.level-none")),
        ("1", "1"),
        ("2", "2"),
        ("3", "3"),
        ("4", "4"),
        ("5", "5"),
    ]
}

fn register_page(user: &SignedIn, form: &FormData, errors: &FieldErrors) -> Response {
    let page = layout::page_in(
        Area::Agency,
        t("agency.register"),
        Some(user),
        html! {
            h1 { (t("agency.register")) }
            p { a href="/console/agency" { (t("agency.back")) } }
            (register_form(user, form, errors))
        },
    );
    work::form_status(page, false, !errors.is_empty())
}

/// `GET /console/agency/new`.
pub async fn new(user: SignedIn) -> Response {
    if let Err(r) = gate(&user) {
        return r;
    }
    register_page(&user, &FormData::new(), &FieldErrors::new())
}

/// `POST /console/agency/new`: registers, then shows the new system (303).
pub async fn register(
    State(app): State<AppState>,
    user: SignedIn,
    Form(form): Form<FormData>,
) -> Response {
    if let Err(r) =
        gate(&user).and_then(|()| work::check_csrf(&user, form.get("csrf").map(String::as_str)))
    {
        return r;
    }
    let level = match work::given(&form, "securityLevel").map(|l| l.parse::<i32>()) {
        None => Value::Null,
        Some(Ok(l)) => json!(l),
        Some(Err(_)) => {
            let errors = FieldErrors::from([(
                "securityLevel".to_owned(),
                work::field_message("securityLevel"),
            )]);
            return register_page(&user, &form, &errors);
        }
    };
    let input = json!({
        "name": form.get("name").map(String::as_str).unwrap_or_default(),
        "description": work::given(&form, "description"),
        "securityLevel": level,
        "connectsLgsp": form.contains_key("connectsLgsp"),
        "processesPersonalData": form.contains_key("processesPersonalData"),
    });
    let result = work::run(
        &app,
        &user,
        "mutation($input: RegisterInformationSystemInput!) { registerInformationSystem(input: $input) { code } }",
        json!({ "input": input }),
    )
    .await;
    match result {
        Ok(data) => see_other(&format!(
            "/console/agency/systems/{}",
            s(&data["registerInformationSystem"], "code")
        )),
        Err(Failure::Fields(errors)) => register_page(&user, &form, &errors),
        Err(f) => f.page(&user),
    }
}

/// A 303 to `path`: the browser reloads the result with GET, so a refresh does not post twice.
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// What the system page shows besides the system: messages of a refused form, and a version conflict's comparison.
#[derive(Default)]
struct Shown {
    errors: FieldErrors,
    /// The edit form's values when they are shown again (refused, or in conflict).
    edit: Option<FormData>,
    /// The edit form's values that met a newer version.
    conflict: Option<FormData>,
}

async fn system(app: &AppState, user: &SignedIn, code: &str) -> Result<Value, Response> {
    let data = work::read(
        app,
        user,
        &format!("query($code: String!) {{ informationSystem(code: $code) {{ {SYSTEM} }} }}"),
        json!({ "code": code }),
    )
    .await?;
    let system = data["informationSystem"].clone();
    // Only the agency's own systems have this page: another's is in the public catalog.
    if s(&system["agency"], "code") != user.principal.agency.as_str() {
        return Err(Failure::Forbidden.page(user));
    }
    Ok(system)
}

/// The system's audit events, oldest first (empty if the API refuses them: the page is still useful without).
pub async fn history(app: &AppState, user: &SignedIn, code: &str) -> Vec<Value> {
    let data = work::run(
        app,
        user,
        "query($code: String!) { informationSystemHistory(code: $code) { id atMs actor agencyCode action afterJson } }",
        json!({ "code": code }),
    )
    .await;
    data.ok()
        .and_then(|d| d["informationSystemHistory"].as_array().cloned())
        .unwrap_or_default()
}

/// The history as a list: when, who, what.
pub fn history_list(events: &[Value]) -> Markup {
    html! {
        section aria-labelledby="history" {
            h2 id="history" { (t("agency.history")) }
            @if events.is_empty() { p { (t("agency.history-empty")) } }
            ol class="history" {
                @for e in events {
                    li {
                        time { (work::time(e["atMs"].as_i64().unwrap_or_default())) } " · "
                        strong { (t(&format!("agency.action.{}", s(e, "action")))) } " · "
                        (s(e, "actor")) " (" (s(e, "agencyCode")) ")"
                    }
                }
            }
        }
    }
}

fn system_page(user: &SignedIn, sys: &Value, events: &[Value], shown: &Shown) -> Response {
    let code = s(sys, "code");
    let state = sys["approvalState"].as_str();
    let retired = state == Some("RETIRED");
    let may_propose = matches!(state, None | Some("APPROVED") | Some("REJECTED"));
    let version = sys["version"].to_string();
    let current: FormData = [
        ("name", s(sys, "name").to_owned()),
        ("description", s(sys, "description").to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(
        [
            ("connectsLgsp", "connectsLgsp"),
            ("processesPersonalData", "processesPersonalData"),
        ]
        .into_iter()
        .filter(|(_, f)| sys[*f].as_bool() == Some(true))
        .map(|(k, _)| (k.to_owned(), "true".to_owned())),
    )
    .collect();
    let edit = shown.edit.as_ref().unwrap_or(&current);
    let v = |k: &str| edit.get(k).cloned().unwrap_or_default();
    let page = layout::page_in(
        Area::Agency,
        s(sys, "name"),
        Some(user),
        html! {
            h1 { (s(sys, "name")) }
            p { a href="/console/agency" { (t("agency.back")) } }
            dl {
                dt { (t("agency.code")) } dd { (code) }
                dt { (t("agency.level-proposed")) } dd { (level_label(&sys["securityLevel"])) }
                dt { (t("agency.level-approved")) } dd { (level_label(&sys["approvedSecurityLevel"])) }
                dt { (t("agency.state")) } dd { (state_label(&sys["approvalState"])) }
                @if let Some(n) = sys["decisionNumber"].as_str() {
                    dt { (t("agency.decision")) } dd { (n) " · " (s(sys, "decisionDate")) }
                }
                dt { (t("agency.version")) } dd { (version) }
            }
            @if let Some(mine) = &shown.conflict {
                (conflict_box(sys, mine, code))
            }
            @if !retired {
                section aria-labelledby="edit" {
                    h2 id="edit" { (t("agency.edit")) }
                    form method="post" action=(format!("/console/agency/systems/{code}/edit")) novalidate {
                        (work::csrf_field(user))
                        input type="hidden" name="version" value=(version);
                        (work::form_alert(&shown.errors))
                        (work::text_field("name", t("agency.name"), &v("name"), &shown.errors, true))
                        (work::textarea_field("description", t("agency.description"), &v("description"),
                            &shown.errors, false))
                        (work::checkbox_field("connectsLgsp", t("agency.connects-lgsp"), edit.contains_key("connectsLgsp")))
                        (work::checkbox_field("processesPersonalData", t("agency.personal-data"),
                            edit.contains_key("processesPersonalData")))
                        button type="submit" {
                            @if shown.conflict.is_some() { (t("agency.save-over")) } @else { (t("agency.save")) }
                        }
                    }
                }
                @if may_propose {
                    section aria-labelledby="propose" {
                        h2 id="propose" { (t("agency.propose")) }
                        p { (t("agency.propose-help")) }
                        form method="post" action=(format!("/console/agency/systems/{code}/propose")) {
                            (work::csrf_field(user))
                            input type="hidden" name="version" value=(version);
                            (work::select_field("level", t("agency.level"),
                                &[("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")], "3", &shown.errors))
                            button type="submit" { (t("agency.propose")) }
                        }
                    }
                }
                section aria-labelledby="retire" {
                    h2 id="retire" { (t("agency.retire")) }
                    form method="post" action=(format!("/console/agency/systems/{code}/retire")) {
                        (work::csrf_field(user))
                        input type="hidden" name="version" value=(version);
                        (work::textarea_field("reason", t("agency.retire-reason"), "", &shown.errors, false))
                        button type="submit" class="danger" { (t("agency.retire")) }
                    }
                }
            }
            (history_list(events))
        },
    );
    work::form_status(page, shown.conflict.is_some(), !shown.errors.is_empty())
}

/// What the user sent beside what the system is now, field by field, with a link that reloads the page.
fn conflict_box(sys: &Value, mine: &FormData, code: &str) -> Markup {
    let rows = [
        (
            "name",
            t("agency.name"),
            s(sys, "name").to_owned(),
            mine.get("name").cloned().unwrap_or_default(),
        ),
        (
            "description",
            t("agency.description"),
            s(sys, "description").to_owned(),
            mine.get("description").cloned().unwrap_or_default(),
        ),
        (
            "connectsLgsp",
            t("agency.connects-lgsp"),
            yes_no(sys["connectsLgsp"].as_bool() == Some(true)),
            yes_no(mine.contains_key("connectsLgsp")),
        ),
        (
            "processesPersonalData",
            t("agency.personal-data"),
            yes_no(sys["processesPersonalData"].as_bool() == Some(true)),
            yes_no(mine.contains_key("processesPersonalData")),
        ),
    ];
    html! {
        div class="conflict" role="alert" {
            h2 { (t("agency.conflict.title")) }
            p { (t("agency.conflict.what")) }
            table {
                thead { tr {
                    th scope="col" { (t("agency.conflict.field")) }
                    th scope="col" { (t("agency.conflict.theirs")) }
                    th scope="col" { (t("agency.conflict.mine")) }
                } }
                tbody { @for (key, label, theirs, mine) in &rows {
                    tr class=[(theirs != mine).then_some("changed")] data-field=(key) {
                        th scope="row" { (label) } td { (theirs) } td { (mine) }
                    }
                } }
            }
            p { a href=(format!("/console/agency/systems/{code}")) { (t("agency.conflict.reload")) } }
        }
    }
}

fn yes_no(b: bool) -> String {
    t(if b { "agency.yes" } else { "agency.no" }).to_owned()
}

/// `GET /console/agency/systems/{code}`.
pub async fn show(
    State(app): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
) -> Response {
    match async {
        gate(&user)?;
        let sys = system(&app, &user, &code).await?;
        let events = history(&app, &user, &code).await;
        Ok::<_, Response>(system_page(&user, &sys, &events, &Shown::default()))
    }
    .await
    {
        Ok(r) | Err(r) => r,
    }
}

/// A form's `version` field.
fn version_of(form: &FormData) -> i64 {
    form.get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1)
}

/// `POST /console/agency/systems/{code}/edit`: saves; on a newer version, shows what changed.
pub async fn edit(
    State(app): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<FormData>,
) -> Response {
    if let Err(r) =
        gate(&user).and_then(|()| work::check_csrf(&user, form.get("csrf").map(String::as_str)))
    {
        return r;
    }
    let input = json!({
        "name": form.get("name").map(String::as_str).unwrap_or_default(),
        "description": form.get("description").map(|d| d.trim()).unwrap_or_default(),
        "connectsLgsp": form.contains_key("connectsLgsp"),
        "processesPersonalData": form.contains_key("processesPersonalData"),
    });
    let result = work::run(
        &app,
        &user,
        "mutation($code: String!, $version: Int!, $input: UpdateInformationSystemInput!) { \
         updateInformationSystem(code: $code, version: $version, input: $input) { code } }",
        json!({ "code": code, "version": version_of(&form), "input": input }),
    )
    .await;
    refused_or_back(&app, &user, &code, &form, result, true).await
}

/// After a step on the system page: back to it (303), or the page again with what went wrong.
async fn refused_or_back(
    app: &AppState,
    user: &SignedIn,
    code: &str,
    form: &FormData,
    result: Result<Value, Failure>,
    is_edit: bool,
) -> Response {
    let failure = match result {
        Ok(_) => return see_other(&format!("/console/agency/systems/{code}")),
        Err(f) => f,
    };
    let sys = match system(app, user, code).await {
        Ok(sys) => sys,
        Err(r) => return r,
    };
    let mut shown = Shown::default();
    match failure {
        Failure::Fields(errors) => {
            shown.errors = errors;
            if is_edit {
                shown.edit = Some(form.clone());
            }
        }
        // A newer version than the form's: someone changed the system meanwhile.
        Failure::Conflict(_) if is_edit && sys["version"].as_i64() != Some(version_of(form)) => {
            shown.edit = Some(form.clone());
            shown.conflict = Some(form.clone());
        }
        other => return other.page(user),
    }
    let events = history(app, user, code).await;
    system_page(user, &sys, &events, &shown)
}

/// `POST /console/agency/systems/{code}/propose`.
pub async fn propose(
    State(app): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<FormData>,
) -> Response {
    if let Err(r) =
        gate(&user).and_then(|()| work::check_csrf(&user, form.get("csrf").map(String::as_str)))
    {
        return r;
    }
    let level = form
        .get("level")
        .and_then(|l| l.parse::<i64>().ok())
        .unwrap_or(0);
    let result = work::run(
        &app,
        &user,
        "mutation($code: String!, $version: Int!, $level: Int!) { \
         proposeSecurityLevel(code: $code, version: $version, level: $level) { code } }",
        json!({ "code": code, "version": version_of(&form), "level": level }),
    )
    .await;
    refused_or_back(&app, &user, &code, &form, result, false).await
}

/// `POST /console/agency/systems/{code}/retire`.
pub async fn retire(
    State(app): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<FormData>,
) -> Response {
    if let Err(r) =
        gate(&user).and_then(|()| work::check_csrf(&user, form.get("csrf").map(String::as_str)))
    {
        return r;
    }
    let result = work::run(
        &app,
        &user,
        "mutation($code: String!, $version: Int!, $reason: String) { \
         retireInformationSystem(code: $code, version: $version, reason: $reason) { code } }",
        json!({ "code": code, "version": version_of(&form), "reason": work::given(&form, "reason") }),
    )
    .await;
    refused_or_back(&app, &user, &code, &form, result, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_marks_the_fields_that_differ() {
        let now = json!({ "name": "Tên mới", "description": "Mô tả", "connectsLgsp": true,
                          "processesPersonalData": false });
        let mine = FormData::from([
            ("name".to_owned(), "Tên của tôi".to_owned()),
            ("description".to_owned(), "Mô tả".to_owned()),
            ("connectsLgsp".to_owned(), "true".to_owned()),
        ]);
        let html = conflict_box(&now, &mine, "HT-1").into_string();
        assert!(
            html.contains(r#"<tr class="changed" data-field="name">"#),
            "{html}"
        );
        assert!(html.contains(r#"<tr data-field="description">"#), "{html}");
        assert!(html.contains(r#"<tr data-field="connectsLgsp">"#), "{html}");
        assert!(
            html.contains(r#"href="/console/agency/systems/HT-1""#),
            "{html}"
        );
    }
}
