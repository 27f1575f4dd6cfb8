//! Sign-in with OpenID Connect (authorisation code flow with PKCE) and sign-out.
//!
//! `GET /console/sign-in?next=` sends the browser to the provider with a fresh `state`, `nonce` and PKCE challenge
//! (remembered server-side, the `state` also in a short-lived cookie so the callback is accepted only in this
//! browser); `GET /console/callback` checks the `state`, exchanges the code with the verifier, checks the ID token,
//! maps its claims to a principal and starts a session; `POST /console/sign-out` (with the CSRF token) ends it. No
//! provider token outlives the callback: the session keeps the mapped principal alone.
//!
//! With no provider configured, a development hub uses the built-in mock provider (its demo users; `demo` gives
//! their agencies the codes and roles they need); a production hub shows that sign-in is not configured.

#[cfg(feature = "mock-upstreams")]
pub mod demo;
mod oidc;
mod pages;

use std::sync::Arc;

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Form, Router,
};
use serde::Deserialize;

use super::{
    error::ConsoleError,
    i18n::t,
    session::{
        self,
        cookie::{self, SESSION_COOKIE, SIGN_IN_COOKIE},
        store::{self, Pending, SessionSettings},
        SignedIn,
    },
    Console,
};
use crate::{
    clock::SharedClock,
    config::console::{ConsoleConfig, OidcProvider},
    http::AppState,
};

pub use oidc::SignInError;

/// The configured identity provider and what the console needs to talk to it.
#[derive(Default)]
pub struct ConsoleAuth {
    /// `None`: sign-in is not configured.
    provider: Option<oidc::Provider>,
    /// How sessions behave.
    pub(super) sessions: SessionSettings,
    /// The provider is the built-in mock one.
    mock: bool,
}

impl ConsoleAuth {
    /// Sign-in with `provider` (the configured one, or the built-in mock one, `mock`), sessions as `config` says, on
    /// `clock`'s time.
    pub fn new(
        config: &ConsoleConfig,
        provider: Option<OidcProvider>,
        mock: bool,
        clock: SharedClock,
    ) -> ConsoleAuth {
        let secure_cookie = provider
            .as_ref()
            .is_none_or(|p| !redirect_on_loopback(&p.redirect_url));
        ConsoleAuth {
            provider: provider.map(|p| {
                oidc::Provider::new(p, config.requested_scopes.clone(), config.claims.clone())
            }),
            sessions: SessionSettings {
                idle_ms: config.idle_timeout.as_millis() as i64,
                absolute_ms: config.absolute_timeout.as_millis() as i64,
                secure_cookie,
                clock,
            },
            mock,
        }
    }

    /// The provider's issuer URL, if sign-in is configured.
    pub fn issuer(&self) -> Option<&str> {
        self.provider.as_ref().map(oidc::Provider::issuer)
    }

    /// Whether the provider is the built-in mock one.
    pub fn is_mock(&self) -> bool {
        self.mock
    }
}

/// Cookies go without `Secure` only when the console is reached on the loopback (plain http in development).
fn redirect_on_loopback(url: &str) -> bool {
    url.parse::<axum::http::Uri>().ok().is_some_and(|u| {
        u.scheme_str() == Some("http") && u.host().is_some_and(crate::config::console::is_loopback)
    })
}

/// `/console/sign-in`, `/console/callback`, `/console/sign-out`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/sign-in", get(sign_in))
        .route("/console/callback", get(callback))
        .route("/console/sign-out", post(sign_out))
}

#[derive(Debug, Deserialize)]
struct SignInQuery {
    next: Option<String>,
}

async fn sign_in(
    State(app): State<AppState>,
    Extension(console): Extension<Arc<Console>>,
    user: Option<SignedIn>,
    Query(q): Query<SignInQuery>,
) -> Response {
    let next = session::safe_next(q.next.as_deref());
    if user.is_some() {
        return Redirect::to(&next).into_response();
    }
    let auth = &console.auth;
    let Some(provider) = &auth.provider else {
        return pages::not_configured();
    };
    let start = match provider.start().await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "console sign-in could not start");
            return pages::unavailable();
        }
    };
    let pending = Pending {
        pkce_verifier: start.pkce_verifier,
        nonce: start.nonce,
        next_path: next,
    };
    if let Err(e) = store::begin_sign_in(&app.db, &auth.sessions, &start.state, pending).await {
        tracing::warn!(error = %e, "console sign-in not recorded");
        return pages::failed(t("auth.failed.session"));
    }
    let max_age = (store::SIGN_IN_TTL_MS / 1000) as u64;
    (
        [(
            header::SET_COOKIE,
            cookie::set(
                SIGN_IN_COOKIE,
                &start.state,
                auth.sessions.secure_cookie,
                Some(max_age),
            ),
        )],
        Redirect::to(&start.url),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(app): State<AppState>,
    Extension(console): Extension<Arc<Console>>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let auth = &console.auth;
    let Some(provider) = &auth.provider else {
        return pages::not_configured();
    };
    let secure = auth.sessions.secure_cookie;
    // Whatever happens next, this sign-in's cookie has served.
    let clear_sign_in = [(header::SET_COOKIE, cookie::clear(SIGN_IN_COOKIE, secure))];
    if let Some(error) = q.error {
        tracing::info!(error = %error, "console sign-in cancelled or refused at the provider");
        return (clear_sign_in, pages::failed(t("auth.failed.cancelled"))).into_response();
    }
    let (Some(code), Some(state)) = (q.code, q.state) else {
        return (clear_sign_in, pages::failed(t("auth.failed.state"))).into_response();
    };
    let started_here = cookie::read(&headers, SIGN_IN_COOKIE).is_some_and(|c| c == state);
    let pending = match store::take_sign_in(&app.db, &auth.sessions, &state).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "console sign-in lookup failed");
            return (clear_sign_in, pages::failed(t("auth.failed.session"))).into_response();
        }
    };
    let Some(pending) = pending.filter(|_| started_here) else {
        tracing::info!("console sign-in refused: unknown, expired or foreign state");
        return (clear_sign_in, pages::failed(t("auth.failed.state"))).into_response();
    };
    let who = match provider
        .finish(code, pending.pkce_verifier, pending.nonce)
        .await
    {
        Ok(who) => who,
        Err(e) => {
            tracing::warn!(error = %e, "console sign-in failed");
            let message = match e {
                SignInError::Unavailable(_) => {
                    return (clear_sign_in, pages::unavailable()).into_response()
                }
                SignInError::Refused(_) => t("auth.failed.refused"),
                SignInError::InvalidToken(_) => t("auth.failed.token"),
                SignInError::Claim(_) => t("auth.failed.claim"),
            };
            return (clear_sign_in, pages::failed(message)).into_response();
        }
    };
    let id = match store::create(&app.db, &auth.sessions, &who).await {
        Ok(id) => id,
        Err(e) => {
            tracing::warn!(error = %e, "console session not created");
            return (clear_sign_in, pages::failed(t("auth.failed.session"))).into_response();
        }
    };
    tracing::info!(
        subject = %who.principal.subject,
        agency = %who.principal.agency.as_str(),
        "console sign-in"
    );
    let mut response = Redirect::to(&pending.next_path).into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, cookie::clear(SIGN_IN_COOKIE, secure));
    headers.append(
        header::SET_COOKIE,
        cookie::set(SESSION_COOKIE, &id, secure, None),
    );
    response
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(
    State(app): State<AppState>,
    Extension(console): Extension<Arc<Console>>,
    headers: HeaderMap,
    user: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    session::check_csrf(&user, &form.csrf)?;
    if let Some(id) = cookie::read(&headers, SESSION_COOKIE) {
        if let Err(e) = store::end(&app.db, &id).await {
            // The cookie is cleared below all the same; the row then dies by its timeouts.
            tracing::warn!(error = %e, "console session not ended in the database");
        }
    }
    tracing::info!(subject = %user.principal.subject, "console sign-out");
    Ok((
        [(
            header::SET_COOKIE,
            cookie::clear(SESSION_COOKIE, console.auth.sessions.secure_cookie),
        )],
        Redirect::to("/console"),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secure(redirect: &str) -> bool {
        let provider = OidcProvider {
            issuer_url: "https://sso.example.gov.vn/realms/lgsp".into(),
            client_id: "c".into(),
            client_secret: None,
            redirect_url: redirect.into(),
        };
        let config = crate::config::Config::load(crate::config::Overrides::default())
            .expect("default config")
            .console;
        ConsoleAuth::new(
            &config,
            Some(provider),
            false,
            Arc::new(crate::clock::SystemClock),
        )
        .sessions
        .secure_cookie
    }

    #[test]
    fn cookies_are_secure_unless_the_console_is_on_the_loopback_over_http() {
        assert!(secure("https://lgsp.example.gov.vn/console/callback"));
        assert!(secure("http://10.0.0.5:8080/console/callback"));
        assert!(secure("https://127.0.0.1/console/callback"));
        assert!(!secure("http://127.0.0.1:8080/console/callback"));
        assert!(!secure("http://localhost:8080/console/callback"));
        assert!(!secure("http://[::1]:8080/console/callback"));
    }
}
