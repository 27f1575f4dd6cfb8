//! Server-side sessions, the `SignedIn` extractor and CSRF tokens. (Skeleton: the console-auth work fills it in.)

use axum::{extract::OptionalFromRequestParts, http::request::Parts};

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

impl OptionalFromRequestParts<AppState> for SignedIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        _parts: &mut Parts,
        _app: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(None)
    }
}
