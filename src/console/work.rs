//! What the signed-in pages (agency, approvals, integrator, auditor, admin) share: calling the schema as the signed-in
//! user and explaining its refusals in Vietnamese, the CSRF check of every form, form fields with their messages beside
//! them, dates and times as Vietnam reads them, and the pages' small script.
//!
//! A refusal becomes either messages beside the form's fields (`BAD_USER_INPUT`, whose `extensions.field` names the
//! argument at fault: `input.name` is the form's `name`), or a whole page with what to do ([`Failure::page`]):
//! `FORBIDDEN` a 403, `NOT_FOUND` a 404, `CONFLICT` a 409, a national database or the database out of reach a 503.
#![expect(
    clippy::result_large_err,
    reason = "a refusal is the page the handler answers (an axum `Response`), made once per request and never stored"
)]

use std::collections::BTreeMap;

use async_graphql::ServerError;
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use maud::{html, Markup};
use serde_json::Value;

use super::{
    gql,
    i18n::t,
    layout,
    session::{self, SignedIn},
};
use crate::{clock, error::code, http::AppState};

/// Why the schema did not do what a page asked, as the page can show it.
#[derive(Debug)]
pub enum Failure {
    /// `BAD_USER_INPUT`: the form's fields at fault, each with its message.
    Fields(BTreeMap<String, String>),
    /// `CONFLICT`: stale version, or a step the system's state does not allow; the API's own words as detail.
    Conflict(String),
    /// `FORBIDDEN` or `UNAUTHENTICATED`: the signed-in user's scopes or agency do not allow it.
    Forbidden,
    /// `NOT_FOUND`.
    NotFound,
    /// A national database, the database or the hub itself is out of reach or overloaded for now.
    Unavailable,
    /// Anything else (an internal error: the hub logged it with an incident number).
    Other,
    /// The form's CSRF token is missing or not this session's.
    Csrf,
}

/// The `extensions.code` of `e`.
fn code_of(e: &ServerError) -> &str {
    match e.extensions.as_ref().and_then(|x| x.get("code")) {
        Some(async_graphql::Value::String(code)) => code,
        _ => "",
    }
}

/// The form field an error's `extensions.field` names: its last segment (`input.name` → `name`).
fn field_of(e: &ServerError) -> Option<String> {
    match e.extensions.as_ref().and_then(|x| x.get("field")) {
        Some(async_graphql::Value::String(path)) => {
            Some(path.rsplit('.').next().unwrap_or(path).to_owned())
        }
        _ => None,
    }
}

/// The Vietnamese message for a refused `field`: its own label when the catalogue has one, else a general one.
pub fn field_message(field: &str) -> String {
    let key = format!("work.field.{field}");
    match t(&key) {
        label if label == key => t("work.field.invalid").to_owned(),
        label => label.to_owned(),
    }
}

impl Failure {
    /// What `errors` (as the schema answered) mean for the page. The first error decides, except that every
    /// `BAD_USER_INPUT` with a field is gathered, so each field shows its own message.
    pub fn from_errors(errors: &[ServerError]) -> Failure {
        let fields: BTreeMap<String, String> = errors
            .iter()
            .filter(|e| code_of(e) == code::BAD_USER_INPUT)
            .filter_map(field_of)
            .map(|f| {
                let message = field_message(&f);
                (f, message)
            })
            .collect();
        if !fields.is_empty() {
            return Failure::Fields(fields);
        }
        let Some(first) = errors.first() else {
            return Failure::Other;
        };
        match code_of(first) {
            code::FORBIDDEN | code::UNAUTHENTICATED => Failure::Forbidden,
            code::NOT_FOUND => Failure::NotFound,
            code::CONFLICT => Failure::Conflict(first.message.clone()),
            // Input without a named field (a malformed argument the form did not produce): a general message.
            code::BAD_USER_INPUT | code::VALIDATION_FAILED => {
                Failure::Fields(BTreeMap::from([(String::new(), field_message(""))]))
            }
            code::UPSTREAM_UNAVAILABLE
            | code::UPSTREAM_TIMEOUT
            | code::UPSTREAM_REJECTED
            | code::DATABASE_UNAVAILABLE
            | code::ACCESS_LOG_UNAVAILABLE
            | code::OVERLOADED
            | code::RATE_LIMITED
            | code::TIMEOUT => Failure::Unavailable,
            _ => Failure::Other,
        }
    }

    /// The whole page that says what happened and what to do, with its status: the console's error page
    /// (`common.error.*` labels), with the signed-in user still in the header.
    pub fn page(self, user: &SignedIn) -> Response {
        let (status, kind, detail) = match self {
            Failure::Forbidden => (StatusCode::FORBIDDEN, "forbidden", None),
            Failure::Csrf => (StatusCode::FORBIDDEN, "csrf", None),
            Failure::NotFound => (StatusCode::NOT_FOUND, "not-found", None),
            Failure::Conflict(detail) => (StatusCode::CONFLICT, "state", Some(detail)),
            Failure::Fields(_) => (StatusCode::BAD_REQUEST, "bad-input", None),
            Failure::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
            Failure::Other => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
        };
        // The CSRF refusal and the wrong-state conflict are the signed-in pages' own; the rest are shared.
        let area = if matches!(kind, "csrf" | "state") {
            "work"
        } else {
            "common"
        };
        let label = |part: &str| t(&format!("{area}.error.{kind}.{part}")).to_owned();
        let title = label("title");
        let mut page = layout::page(
            &title,
            Some(user),
            html! {
                div.alert role="alert" {
                    h1 { (title) }
                    p { (label("what")) }
                    @if let Some(detail) = detail {
                        details { summary { (t("work.detail")) } p { (detail) } }
                    }
                    p { strong { (t("common.error.todo")) } " " (label("todo")) }
                }
                p { a href="/console" { (t("common.error.home")) } }
            },
        );
        *page.status_mut() = status;
        page
    }
}

/// Runs `query` as the signed-in user; a refusal comes back as a [`Failure`].
pub async fn run(
    app: &AppState,
    user: &SignedIn,
    query: &str,
    variables: Value,
) -> Result<Value, Failure> {
    gql::execute(app, Some(&user.principal), query, variables)
        .await
        .map_err(|errors| Failure::from_errors(&errors))
}

/// Runs a read the page cannot do without: any refusal is the whole page.
pub async fn read(
    app: &AppState,
    user: &SignedIn,
    query: &str,
    variables: Value,
) -> Result<Value, Response> {
    run(app, user, query, variables)
        .await
        .map_err(|f| f.page(user))
}

/// Refuses a form without this session's CSRF token (`session::check_csrf`, compared in constant time).
pub fn check_csrf(user: &SignedIn, token: Option<&str>) -> Result<(), Response> {
    session::check_csrf(user, token.unwrap_or_default()).map_err(|_| Failure::Csrf.page(user))
}

/// The hidden CSRF field every form carries.
pub fn csrf_field(user: &SignedIn) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf_token); }
}

/// Messages beside a form's fields, by field name.
pub type FieldErrors = BTreeMap<String, String>;

/// A labelled text input with its message beside it when the API refused it.
pub fn text_field(
    name: &str,
    label: &str,
    value: &str,
    errors: &FieldErrors,
    required: bool,
) -> Markup {
    input_field(name, label, value, errors, required, "text")
}

/// A labelled input of `kind` (`text`, `date`, `number`...).
pub fn input_field(
    name: &str,
    label: &str,
    value: &str,
    errors: &FieldErrors,
    required: bool,
    kind: &str,
) -> Markup {
    let error = errors.get(name);
    let id = format!("f-{name}");
    let error_id = format!("{id}-error");
    html! {
        div class="field" {
            label for=(id) { (label) @if required { " *" } }
            input type=(kind) id=(id) name=(name) value=(value) required[required]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
            @if let Some(message) = error { p class="field-error" id=(error_id) { (message) } }
        }
    }
}

/// A labelled multi-line input.
pub fn textarea_field(
    name: &str,
    label: &str,
    value: &str,
    errors: &FieldErrors,
    required: bool,
) -> Markup {
    let error = errors.get(name);
    let id = format!("f-{name}");
    let error_id = format!("{id}-error");
    html! {
        div class="field" {
            label for=(id) { (label) @if required { " *" } }
            textarea id=(id) name=(name) rows="3" required[required]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] { (value) }
            @if let Some(message) = error { p class="field-error" id=(error_id) { (message) } }
        }
    }
}

/// A labelled select of `(value, label)` options, `selected` chosen.
pub fn select_field(
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    selected: &str,
    errors: &FieldErrors,
) -> Markup {
    let error = errors.get(name);
    let id = format!("f-{name}");
    let error_id = format!("{id}-error");
    html! {
        div class="field" {
            label for=(id) { (label) }
            select id=(id) name=(name) aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| error_id.as_str())] {
                @for (value, text) in options {
                    option value=(value) selected[*value == selected] { (text) }
                }
            }
            @if let Some(message) = error { p class="field-error" id=(error_id) { (message) } }
        }
    }
}

/// A labelled checkbox (sends `true` when ticked).
pub fn checkbox_field(name: &str, label: &str, checked: bool) -> Markup {
    let id = format!("f-{name}");
    html! {
        div class="field field-check" {
            input type="checkbox" id=(id) name=(name) value="true" checked[checked];
            label for=(id) { (label) }
        }
    }
}

/// The message of a form error not tied to one field (the key `""`), as an alert above the form.
pub fn form_alert(errors: &FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="form-errors" role="alert" {
                p { (t("work.bad-input.what")) }
                @if let Some(general) = errors.get("") { p { (general) } }
            }
        }
    }
}

/// `ms` as a Vietnam date and time, `dd/mm/yyyy hh:mm:ss`.
pub fn time(ms: i64) -> String {
    let day = clock::day_of(ms);
    let date = clock::date_of_day(day);
    let secs = (ms - clock::start_of_day(day)) / 1000;
    let (y, rest) = date.split_at(4);
    let (m, d) = (&rest[1..3], &rest[4..6]);
    format!(
        "{d}/{m}/{y} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The instant a date `YYYY-MM-DD` begins in Vietnam (for filters "from"), or `None` if it is not a date.
pub fn start_of(date: &str) -> Option<i64> {
    clock::day_of_date(date).map(clock::start_of_day)
}

/// The instant the day after `date` begins (for filters "until", inclusive of the day).
pub fn end_of(date: &str) -> Option<i64> {
    clock::day_of_date(date).map(|d| clock::start_of_day(d + 1))
}

/// A string field of a JSON object, or "".
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// A form's text value, trimmed; `None` when empty (the API reads a missing optional argument as "not given").
pub fn given(form: &BTreeMap<String, String>, key: &str) -> Option<String> {
    form.get(key)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The pages' script: copy buttons, auto-refresh of marked regions, live updates over server-sent events. Served from
/// the hub (same origin, no inline script, as the console's CSP wants); every page works without it.
pub const SCRIPT_PATH: &str = "/console/work.js";

/// `GET /console/work.js`.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("work.js"),
    )
        .into_response()
}

/// The `<script>` tag of [`script`], for pages that enhance.
pub fn script_tag() -> Markup {
    html! { script src=(SCRIPT_PATH) defer {} }
}

/// A form page's status: 409 when the object changed under the form, else 422 when a field was refused, else 200.
pub fn form_status(mut page: Response, conflict: bool, invalid: bool) -> Response {
    if conflict {
        *page.status_mut() = StatusCode::CONFLICT;
    } else if invalid {
        *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    page
}

#[cfg(test)]
mod tests {
    use async_graphql::ErrorExtensions;

    use super::*;

    #[test]
    fn times_read_in_vietnam() {
        // 2026-01-01T00:00:00Z is 07:00 in Vietnam.
        assert_eq!(time(1_767_225_600_000), "01/01/2026 07:00:00");
        assert_eq!(
            start_of("2026-01-01"),
            Some(1_767_225_600_000 - 7 * 3_600_000)
        );
        assert_eq!(
            end_of("2026-01-01"),
            Some(1_767_225_600_000 + 17 * 3_600_000)
        );
        assert_eq!(start_of("2026-13-01"), None);
    }

    #[test]
    fn bad_input_names_the_form_field() {
        let e = async_graphql::Error::new("x")
            .extend_with(|_, e| {
                e.set("code", "BAD_USER_INPUT");
                e.set("field", "input.name");
            })
            .into_server_error(async_graphql::Pos::default());
        match Failure::from_errors(&[e]) {
            Failure::Fields(f) => assert_eq!(
                f.get("name").map(String::as_str),
                Some(t("work.field.name"))
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forbidden_is_forbidden() {
        let e = async_graphql::Error::new("no")
            .extend_with(|_, e| e.set("code", "FORBIDDEN"))
            .into_server_error(async_graphql::Pos::default());
        assert!(matches!(Failure::from_errors(&[e]), Failure::Forbidden));
    }
}
