//! Field guards, in one place: a field that needs a scope says `#[graphql(guard = "RequireScope(scope::X)")]`.

use async_graphql::{Context, Guard};

use super::Principal;
use crate::error::Error;

/// The scopes of the hub (deny by default: a token carries only what it is given).
pub mod scope {
    /// Non-public catalog fields.
    pub const CATALOG_READ: &str = "catalog:read";
    /// Register, update and retire the caller's own agency's information systems.
    pub const SYSTEMS_WRITE: &str = "systems:write";
    /// Appraise and approve security levels, within the authority rules.
    pub const SYSTEMS_APPROVE: &str = "systems:approve";
    /// Provinces, agencies, national databases, projects.
    pub const REGISTRY_ADMIN: &str = "registry:admin";
    /// The audit trail and access log.
    pub const AUDIT_READ: &str = "audit:read";
    /// File (and withdraw) the caller's agency's data-sharing requests.
    pub const SHARING_REQUEST: &str = "sharing:request";
    /// Decide data-sharing requests and revoke grants, for the services the caller's agency decides for.
    pub const SHARING_DECIDE: &str = "sharing:decide";
}

/// Refuses callers without a token (`UNAUTHENTICATED`) or without the scope (`FORBIDDEN`).
pub struct RequireScope(pub &'static str);

impl Guard for RequireScope {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        match ctx.data_opt::<Principal>() {
            None => Err(Error::Unauthenticated.into()),
            Some(p) if p.has_scope(self.0) => Ok(()),
            Some(_) => Err(Error::forbidden(format!("this needs the scope `{}`", self.0)).into()),
        }
    }
}

/// The caller, if it holds `scope` (for scopes built at run time, like `upstream:<name>:read`); the same answers as
/// [`RequireScope`].
pub fn require_scope<'a>(ctx: &Context<'a>, scope: &str) -> Result<&'a Principal, Error> {
    match ctx.data_opt::<Principal>() {
        None => Err(Error::Unauthenticated),
        Some(p) if p.has_scope(scope) => Ok(p),
        Some(_) => Err(Error::forbidden(format!("this needs the scope `{scope}`"))),
    }
}

/// The caller, whatever its scopes; `UNAUTHENTICATED` without a token.
pub fn require_token<'a>(ctx: &Context<'a>) -> Result<&'a Principal, Error> {
    ctx.data_opt::<Principal>().ok_or(Error::Unauthenticated)
}
