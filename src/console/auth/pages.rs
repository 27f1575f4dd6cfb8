//! The sign-in's own pages: not configured, provider unreachable, sign-in failed. Each says what happened and what to
//! do, in plain Vietnamese, and never the technical cause (that goes to the log).

use axum::{http::StatusCode, response::Response};
use maud::html;

use super::super::{i18n::t, layout};

fn with_status(mut page: Response, status: StatusCode) -> Response {
    *page.status_mut() = status;
    page
}

/// No provider configured (a production hub without `oidc_issuer_url`): 503, and what an administrator sets.
pub fn not_configured() -> Response {
    with_status(
        layout::page(
            t("auth.not-configured.title"),
            None,
            html! {
                h1 { (t("auth.not-configured.title")) }
                p { (t("auth.not-configured.body")) }
                p { (t("auth.not-configured.action")) }
                p { a href="/console" { (t("auth.home")) } }
            },
        ),
        StatusCode::SERVICE_UNAVAILABLE,
    )
}

/// The provider did not answer (discovery, token endpoint): 503, try again later.
pub fn unavailable() -> Response {
    with_status(
        layout::page(
            t("auth.unavailable.title"),
            None,
            html! {
                h1 { (t("auth.unavailable.title")) }
                p { (t("auth.unavailable.body")) }
                p { a href="/console/sign-in" { (t("auth.retry")) } " · " a href="/console" { (t("auth.home")) } }
            },
        ),
        StatusCode::SERVICE_UNAVAILABLE,
    )
}

/// The sign-in failed for `reason` (a label): 400, sign in again.
pub fn failed(reason: &str) -> Response {
    with_status(
        layout::page(
            t("auth.failed.title"),
            None,
            html! {
                h1 { (t("auth.failed.title")) }
                p { (reason) }
                p { a href="/console/sign-in" { (t("auth.retry")) } " · " a href="/console" { (t("auth.home")) } }
            },
        ),
        StatusCode::BAD_REQUEST,
    )
}
