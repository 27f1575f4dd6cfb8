//! Sign-in with OpenID Connect (authorisation code flow with PKCE) and sign-out. (Skeleton: the console-auth work
//! fills it in.)

use axum::Router;

use crate::http::AppState;

/// The configured identity provider and what the console needs to talk to it.
#[derive(Default)]
pub struct ConsoleAuth {}

/// `/console/sign-in`, `/console/callback`, `/console/sign-out`.
pub fn routes() -> Router<AppState> {
    Router::new()
}
