//! Enforcement: [`Sharing`] answers federation's [`Grants`]. A lookup needs an active grant (in its period, not
//! revoked) of the caller's agency for the service whose fields cover every field selected and whose purpose is the
//! one declared (a grant without a purpose covers any); otherwise `FORBIDDEN` with reason `NO_GRANT`, recorded in the
//! audit trail, and no upstream call. The grant's daily quota is counted last.
//!
//! Grants are read from a snapshot in the read cache (`cache::ReadCache::grants`): loaded once, dropped by every commit
//! in this process and by every change notification from the database (PostgreSQL), so a grant revoked on another
//! replica stops working at this one's next lookup. Validity is checked against the application's clock on every
//! lookup, so a grant past its period stops at once without any write.

use std::{collections::BTreeSet, sync::Arc};

use entities::enums::GrantOrigin;
use futures_util::future::BoxFuture;
use serde_json::json;

use super::{catalog, Sharing};
use crate::{
    cache::GrantRows,
    clock::DAY_MS,
    config::sharing::SharingForm,
    error::{Error, Result},
    federation::{Grants, LegalPurpose, Need},
    store::{
        audit::Actor,
        sharing::{self as sql, NewGrant},
    },
};

/// Why no grant covers a lookup, for the message and the audit trail.
enum Refusal {
    NoGrant,
    Purpose,
    Fields(Vec<String>),
}

impl Sharing {
    /// The grants not revoked, from the snapshot or (after a change) the database.
    async fn grant_rows(&self) -> Result<Arc<GrantRows>> {
        let cache = &self.store.cache.grants;
        if let (Some(rows), _) = cache.get() {
            return Ok(rows);
        }
        // One load at a time: a burst of lookups after a change waits for one query instead of each making it.
        let _loading = self.loading.lock().await;
        let (kept, generation) = cache.get();
        if let Some(rows) = kept {
            return Ok(rows);
        }
        let rows = Arc::new(sql::grant_rows(&self.store.db).await?);
        cache.put(generation, rows.clone());
        Ok(rows)
    }

    /// The grant covering `need` at `now`, or why none does.
    fn covering(
        rows: &GrantRows,
        need: &Need<'_>,
        wanted: &BTreeSet<&str>,
        now: i64,
    ) -> std::result::Result<i64, Refusal> {
        let mut refusal = Refusal::NoGrant;
        for (code, g) in rows {
            if code != need.caller.agency.as_str()
                || g.service != need.service
                || g.valid_from_ms > now
                || g.valid_until_ms <= now
            {
                continue;
            }
            let purpose_ok = match (g.purpose, need.purpose) {
                (None, _) | (_, None) => true,
                (Some(granted), Some(declared)) => LegalPurpose::from(granted) == declared,
            };
            if !purpose_ok {
                if matches!(refusal, Refusal::NoGrant) {
                    refusal = Refusal::Purpose;
                }
                continue;
            }
            let granted: BTreeSet<&str> = g.fields.split(',').collect();
            let missing: Vec<String> = wanted
                .iter()
                .filter(|f| !granted.contains(*f))
                .map(|f| (*f).to_owned())
                .collect();
            if missing.is_empty() {
                return Ok(g.id);
            }
            refusal = Refusal::Fields(missing);
        }
        Err(refusal)
    }

    /// Makes the automatic grant of a shared-use service for the caller's agency, when the service is configured so
    /// and the agency is registered; whether one was made.
    async fn grant_automatically(&self, need: &Need<'_>, now: i64) -> Result<bool> {
        let settings = self.settings(need.service);
        if settings.form != SharingForm::Shared || !settings.automatic_grants {
            return Ok(false);
        }
        let Some(agency) = sql::agency_by_code(&self.store.db, &need.caller.agency).await? else {
            return Ok(false);
        };
        let actor = Actor {
            subject: "lgsp-hub (automatic grant)".to_owned(),
            agency_code: need.caller.agency.clone(),
            request_id: need.caller.request_id.clone(),
        };
        let grant = NewGrant {
            agency_id: agency.id,
            service: need.service.to_owned(),
            fields: catalog::fields(need.service)
                .iter()
                .map(|f| f.name.to_owned())
                .collect(),
            legal_basis:
                "shared use (dùng chung): every registered agency, by the hub's configuration"
                    .to_owned(),
            valid_from_ms: now,
            valid_until_ms: now + 365 * DAY_MS,
            calls_per_day: i32::try_from(settings.automatic_calls_per_day).unwrap_or(i32::MAX),
            origin: GrantOrigin::Automatic,
        };
        sql::create_grant(&self.store, &actor, grant, now).await?;
        Ok(true)
    }

    async fn authorize_need(&self, need: Need<'_>) -> Result<i64> {
        let now = self.now_ms();
        let wanted: BTreeSet<&str> = need.fields.iter().map(|f| catalog::top(f)).collect();
        let mut found = Self::covering(&*self.grant_rows().await?, &need, &wanted, now);
        if matches!(found, Err(Refusal::NoGrant)) && self.grant_automatically(&need, now).await? {
            found = Self::covering(&*self.grant_rows().await?, &need, &wanted, now);
        }
        let id = match found {
            Ok(id) => id,
            Err(refusal) => return Err(self.refusal(&need, &wanted, refusal).await),
        };
        let limit = self
            .grant_rows()
            .await?
            .iter()
            .find(|(_, g)| g.id == id)
            .map_or(1, |(_, g)| g.calls_per_day.max(1) as u32);
        self.quota
            .spend(&need.caller.agency, need.service, need.calls, limit)
            .await?;
        Ok(id)
    }

    /// Records the refusal in the audit trail and returns its error. A refusal that cannot be recorded is still a
    /// refusal (the failure is logged).
    async fn refusal(&self, need: &Need<'_>, wanted: &BTreeSet<&str>, refusal: Refusal) -> Error {
        let (why, message, missing) = match refusal {
            Refusal::NoGrant => (
                "no_active_grant",
                format!(
                    "your agency holds no active grant for `{}`: file a sharing request",
                    need.service
                ),
                Vec::new(),
            ),
            Refusal::Purpose => (
                "purpose_not_granted",
                format!(
                    "your agency's grants for `{}` do not cover this purpose",
                    need.service
                ),
                Vec::new(),
            ),
            Refusal::Fields(missing) => (
                "fields_outside_grant",
                format!(
                    "your agency's grant for `{}` does not cover the fields {}",
                    need.service,
                    missing.join(", ")
                ),
                missing,
            ),
        };
        let actor = Actor {
            subject: need.caller.subject.clone(),
            agency_code: need.caller.agency.clone(),
            request_id: need.caller.request_id.clone(),
        };
        let detail = json!({
            "service": need.service,
            "purpose": need.purpose.map(LegalPurpose::as_str),
            "fields": wanted,
            "missing": missing,
            "reason": why,
        });
        if let Err(err) = sql::record_refusal(&self.store, &actor, need.service, detail).await {
            tracing::error!(error = ?err, "cannot record a refused lookup in the audit trail");
        }
        Error::NoGrant {
            upstream: need.service.to_owned(),
            message,
        }
    }

    /// Whether `agency` holds an active grant for `service` now.
    async fn holds_grant(&self, agency: &str, service: &str) -> Result<bool> {
        let now = self.now_ms();
        Ok(self.grant_rows().await?.iter().any(|(code, g)| {
            code == agency
                && g.service == service
                && g.valid_from_ms <= now
                && g.valid_until_ms > now
        }))
    }
}

impl Grants for Sharing {
    fn authorize<'a>(&'a self, need: Need<'a>) -> BoxFuture<'a, Result<Option<i64>>> {
        Box::pin(async move { self.authorize_need(need).await.map(Some) })
    }

    fn holds<'a>(&'a self, agency: &'a str, service: &'a str) -> BoxFuture<'a, Result<bool>> {
        Box::pin(self.holds_grant(agency, service))
    }
}
