//! What a page shows when something fails: a plain Vietnamese message and what to do, never internals.
//!
//! The schema's errors arrive with their `extensions.code` (the one mapping of `crate::error`); this module turns
//! each code into a status and a sentence a civil servant can act on. Forms that want their `BAD_USER_INPUT`
//! messages beside the fields read them with [`field_messages`].

use async_graphql::ServerError;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use maud::html;

use super::{i18n::t, layout, session::SignedIn};

/// Why a console page could not be shown.
#[derive(Debug)]
#[allow(
    dead_code,
    reason = "the signed-in pages construct the variants the catalog has no use for"
)]
pub enum ConsoleError {
    /// The signed-in user lacks the role or scope the page needs.
    Forbidden,
    /// No such page, or no such object.
    NotFound,
    /// A form's values were refused: `(field, message)` pairs, the field as the API names it.
    BadInput(Vec<(String, String)>),
    /// Someone else changed the object since the form was read.
    Conflict,
    /// A service the page needs (the database, a national database) does not answer now.
    Unavailable,
    /// The schema refused or failed; the errors carry their `extensions.code`.
    Graphql(Vec<ServerError>),
}

impl From<super::session::CsrfRefused> for ConsoleError {
    fn from(_: super::session::CsrfRefused) -> ConsoleError {
        ConsoleError::Forbidden
    }
}

/// The `extensions.code` of a schema error, if it has one.
pub fn code(error: &ServerError) -> Option<String> {
    let value = error.extensions.as_ref()?.get("code")?;
    match value {
        async_graphql::Value::String(code) => Some(code.clone()),
        _ => None,
    }
}

/// The `BAD_USER_INPUT` errors as `(field, message)`: the field path the API names (`input.name`), and its message,
/// for a form to show beside the field.
pub fn field_messages(errors: &[ServerError]) -> Vec<(String, String)> {
    errors
        .iter()
        .filter(|e| code(e).as_deref() == Some("BAD_USER_INPUT"))
        .map(|e| {
            let field = match e.extensions.as_ref().and_then(|x| x.get("field")) {
                Some(async_graphql::Value::String(field)) => field.clone(),
                _ => String::new(),
            };
            (field, e.message.clone())
        })
        .collect()
}

/// The status and the label area of a schema error code: what the page says and what to do.
fn explain(code: Option<&str>) -> (StatusCode, &'static str) {
    match code {
        Some("UNAUTHENTICATED") => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        Some("FORBIDDEN" | "NO_GRANT") => (StatusCode::FORBIDDEN, "forbidden"),
        Some("NOT_FOUND") => (StatusCode::NOT_FOUND, "not-found"),
        Some("BAD_USER_INPUT") => (StatusCode::BAD_REQUEST, "bad-input"),
        Some("CONFLICT") => (StatusCode::CONFLICT, "conflict"),
        Some("RATE_LIMITED") => (StatusCode::TOO_MANY_REQUESTS, "rate-limited"),
        Some(
            "DATABASE_UNAVAILABLE"
            | "ACCESS_LOG_UNAVAILABLE"
            | "UPSTREAM_UNAVAILABLE"
            | "UPSTREAM_TIMEOUT"
            | "UPSTREAM_REJECTED"
            | "OVERLOADED"
            | "TIMEOUT",
        ) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

/// The label keys of one kind of failure: `common.error.<kind>.title`, `.what`, `.todo`.
fn labels(kind: &str) -> (String, String, String) {
    let key = |part: &str| t(&format!("common.error.{kind}.{part}")).to_owned();
    (key("title"), key("what"), key("todo"))
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        self.page(None)
    }
}

/// The page a handler's result makes: its own, or its error's page for `user` (whose header then still shows them
/// signed in).
pub fn shown(user: Option<&SignedIn>, result: Result<Response, ConsoleError>) -> Response {
    result.unwrap_or_else(|error| error.page(user))
}

impl ConsoleError {
    /// The error's page, for `user` when signed in.
    pub fn page(self, user: Option<&SignedIn>) -> Response {
        let (status, kind, fields) = match &self {
            ConsoleError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", Vec::new()),
            ConsoleError::NotFound => (StatusCode::NOT_FOUND, "not-found", Vec::new()),
            ConsoleError::BadInput(fields) => {
                (StatusCode::BAD_REQUEST, "bad-input", fields.clone())
            }
            ConsoleError::Conflict => (StatusCode::CONFLICT, "conflict", Vec::new()),
            ConsoleError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", Vec::new())
            }
            ConsoleError::Graphql(errors) => {
                let first = errors.first().and_then(code);
                let (status, kind) = explain(first.as_deref());
                if status == StatusCode::INTERNAL_SERVER_ERROR {
                    // The schema has already logged an internal cause with its incident number; what is logged
                    // here is which codes a page met, to find a page that asks what it may not.
                    // The messages of coded errors are the hub's own words (internal causes never reach them).
                    let codes: Vec<_> = errors.iter().filter_map(code).collect();
                    let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
                    tracing::warn!(?codes, ?messages, "a console page met schema errors");
                }
                (status, kind, field_messages(errors))
            }
        };
        let (title, what, todo) = labels(kind);
        let mut page = layout::page(
            &title,
            user,
            html! {
                div.alert role="alert" {
                    h1 { (title) }
                    p { (what) }
                    @if !fields.is_empty() {
                        ul {
                            @for (field, message) in &fields {
                                li { @if !field.is_empty() { code { (field) } ": " } (message) }
                            }
                        }
                    }
                    p { strong { (t("common.error.todo")) } " " (todo) }
                }
                p { a href="/console" { (t("common.error.home")) } }
            },
        );
        *page.status_mut() = status;
        page
    }
}

/// Any `/console/...` path no route has: the not-found page (a GET the router cannot place is a page that does not
/// exist, not a bare 404).
pub async fn not_found(user: Option<SignedIn>) -> Response {
    ConsoleError::NotFound.page(user.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_labels() {
        for kind in [
            "unauthenticated",
            "forbidden",
            "not-found",
            "bad-input",
            "conflict",
            "rate-limited",
            "unavailable",
            "internal",
        ] {
            let (title, what, todo) = labels(kind);
            for label in [title, what, todo] {
                assert!(
                    !label.starts_with("common."),
                    "missing label for {kind}: {label}"
                );
            }
        }
    }

    #[test]
    fn codes_map_to_statuses() {
        assert_eq!(explain(Some("FORBIDDEN")).0, StatusCode::FORBIDDEN);
        assert_eq!(
            explain(Some("UPSTREAM_TIMEOUT")).0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            explain(Some("SOMETHING_NEW")).0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(explain(None).0, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
