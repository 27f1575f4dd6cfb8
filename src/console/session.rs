//! Server-side sessions, the `SignedIn` extractor and CSRF tokens.
//!
//! The browser holds only a random session id, in a cookie (`HttpOnly`, `SameSite=Lax`, `Path=/console`, `Secure`
//! unless the console is served on the loopback). The database holds the SHA-256 of that id and the principal the
//! identity provider's claims mapped to (`store`), so every replica recognises a session and a database reader cannot
//! take one over. No provider token is kept anywhere: the session is the principal.
//!
//! A session ends on sign-out, after `console_idle_timeout_s` without a request, or `console_absolute_timeout_s`
//! after sign-in. Each form carries the session's CSRF token (`csrf` field): the SHA-256 of a label and the session
//! id, so it needs no storage and changes with every session.

pub(super) mod cookie;
pub(super) mod store;

use std::sync::Arc;

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::{header, request::Parts, Method, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

pub use cookie::SESSION_COOKIE;

use maud::{html, Markup};

use super::{i18n::t, Console};
use crate::{auth::Principal, http::AppState};

/// A signed-in user of the console.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Who the hub sees: the same principal a bearer token would give.
    pub principal: Principal,
    /// The name the identity provider gave, to greet the user.
    pub display_name: String,
    /// The session's CSRF token, to put in every form (`<input type="hidden" name="csrf" value=...>`).
    pub csrf_token: String,
}

/// The session's CSRF token: derived from the session id, never from anything a page shows.
pub(super) fn csrf_token(session_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("lgsp-console-csrf:{session_id}")))
}

/// Hex SHA-256 of a secret (session ids and sign-in states are stored only as this).
pub(super) fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Equal in time independent of where they differ (a CSRF token compared byte by byte would leak its prefix).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A form whose `csrf` field is missing or not the session's. It converts into `ConsoleError::Forbidden` (403), so a
/// handler returning `Result<_, ConsoleError>` writes `session::check_csrf(&user, &form.csrf)?`. (Its own type, not
/// `ConsoleError`, so that sessions need not know the error pages, which know the layout, which knows sessions.)
#[derive(Debug)]
pub struct CsrfRefused;

/// Checks a form's `csrf` field against the session's token.
pub fn check_csrf(user: &SignedIn, submitted: &str) -> Result<(), CsrfRefused> {
    if !submitted.is_empty() && same(&user.csrf_token, submitted) {
        Ok(())
    } else {
        Err(CsrfRefused)
    }
}

/// The sign-out button for the page header: a form (POST with the CSRF token), so that a link elsewhere cannot sign
/// a user out.
pub fn sign_out_form(user: &SignedIn) -> Markup {
    html! {
        form method="post" action="/console/sign-out" class="sign-out" {
            input type="hidden" name="csrf" value=(user.csrf_token);
            button type="submit" { (t("auth.sign-out")) }
        }
    }
}

/// The session the request's cookie names, if it is alive (and then marked as used).
async fn signed_in(parts: &Parts, app: &AppState) -> Option<SignedIn> {
    let console = parts.extensions.get::<Arc<Console>>()?;
    let id = cookie::read(&parts.headers, SESSION_COOKIE)?;
    store::find(&app.db, &console.auth.sessions, &id).await
}

impl OptionalFromRequestParts<AppState> for SignedIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(signed_in(parts, app).await)
    }
}

/// Why a page that needs a signed-in user was not shown: a browser is sent to sign in and brought back; a script
/// (`Accept` without HTML: `fetch`, `EventSource`) gets 401.
#[derive(Debug)]
pub struct SignInRequired {
    next: Option<String>,
    html: bool,
}

impl IntoResponse for SignInRequired {
    fn into_response(self) -> Response {
        if !self.html {
            return (StatusCode::UNAUTHORIZED, "sign in at /console/sign-in").into_response();
        }
        let location = match self.next {
            Some(next) => format!("/console/sign-in?next={}", encode_component(&next)),
            None => "/console/sign-in".to_owned(),
        };
        Redirect::to(&location).into_response()
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = SignInRequired;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(user) = signed_in(parts, app).await {
            return Ok(user);
        }
        let html = parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|accept| accept.contains("text/html") || accept.contains("*/*"));
        // Back to the page after sign-in; a form's POST cannot be replayed, so its user returns to the console.
        let next = (parts.method == Method::GET)
            .then(|| parts.uri.path_and_query().map(|p| p.as_str().to_owned()))
            .flatten();
        Err(SignInRequired { next, html })
    }
}

/// Percent-encodes a query component.
pub(super) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A console path to return to after sign-in: only a path of the console itself (`/console...`, not `//host` nor
/// `/console.evil`), else the console's home. Keeps the sign-in from being an open redirect.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if (n == "/console" || n.starts_with("/console/") || n.starts_with("/console?"))
                && !n.contains("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/console".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_in_the_console() {
        assert_eq!(
            safe_next(Some("/console/agency?x=1")),
            "/console/agency?x=1"
        );
        assert_eq!(safe_next(Some("/console")), "/console");
        for bad in [
            "//evil.example",
            "/console//evil",
            "https://evil.example",
            "/consolex",
            "/console\\x",
            "/graphql",
        ] {
            assert_eq!(safe_next(Some(bad)), "/console", "{bad}");
        }
        assert_eq!(safe_next(None), "/console");
    }

    #[test]
    fn csrf_tokens_differ_per_session_and_compare_exactly() {
        let a = csrf_token("session-a");
        assert_ne!(a, csrf_token("session-b"));
        assert!(same(&a, &csrf_token("session-a")));
        assert!(!same(&a, &a[1..]));
        assert_eq!(hash("x").len(), 64);
    }
}
