//! What every lookup needs besides the token's scope: an active data-sharing grant of the caller's agency for the
//! service, the fields asked for and the purpose. Federation asks [`Grants`] before any upstream call and records the
//! grant in the access-log entry; the sharing service answers (grants, their cache, the daily quota, the refusal in the
//! audit trail). The trait lives here so that federation depends on nothing above it.

use futures_util::future::BoxFuture;

use super::LegalPurpose;
use crate::{error::Result, upstream::Caller};

/// What one lookup asks the grants for.
pub struct Need<'a> {
    pub caller: &'a Caller,
    /// The service (`population`, ...).
    pub service: &'a str,
    /// The declared purpose; `None` for a lookup of data that is not personal (an enterprise without its legal
    /// representative), which any grant of the service's fields covers.
    pub purpose: Option<LegalPurpose>,
    /// The fields selected, as dotted paths (`fullName`, `birth.fullName`); a grant names top-level fields.
    pub fields: &'a [String],
    /// How many lookups this counts as against the daily quota (a batch of citizens: one per person).
    pub calls: u32,
}

/// The authority on data-sharing grants.
pub trait Grants: Send + Sync {
    /// The id of the grant that covers `need`, counted against its daily quota; `FORBIDDEN` with reason `NO_GRANT`
    /// (recorded in the audit trail) when none does, `RATE_LIMITED` past the quota. Nothing is called upstream
    /// before this answers. (`None` only from [`Unchecked`].)
    fn authorize<'a>(&'a self, need: Need<'a>) -> BoxFuture<'a, Result<Option<i64>>>;

    /// Whether `agency` holds an active grant for `service` now (for the connection test; counts nothing).
    fn holds<'a>(&'a self, agency: &'a str, service: &'a str) -> BoxFuture<'a, Result<bool>>;
}

/// Grants every lookup, relying on no grant: only for the unit tests of federation itself, which have no database.
#[cfg(test)]
pub struct Unchecked;

#[cfg(test)]
impl Grants for Unchecked {
    fn authorize<'a>(&'a self, _: Need<'a>) -> BoxFuture<'a, Result<Option<i64>>> {
        Box::pin(async { Ok(None) })
    }

    fn holds<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async { Ok(true) })
    }
}
