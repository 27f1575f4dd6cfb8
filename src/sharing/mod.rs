//! Data-sharing services, requests and grants: who may read which national database is decided in the hub, on the
//! record, not only in a token.
//!
//! - [`catalog`]: what each service can return, and which of it is personal data.
//! - The services as data ([`Sharing::service_view`]): the X-Road identifier `VN:GOV:<provider code>:<subsystem>`
//!   (the code from configuration, never from code), the provider (the catalog's owner of the national database),
//!   the form of sharing, the fields.
//! - The steps ([`Sharing::file_request`], [`Sharing::withdraw`], [`Sharing::decide`], [`Sharing::revoke`]): validated
//!   here, written through the store's one write path (`store::sharing`), each audited and announced.
//! - Enforcement ([`gate`]): `Sharing` is federation's [`Grants`](crate::federation::Grants): every lookup needs an
//!   active grant of the caller's agency for the service, the fields and the purpose, checked against a per-process
//!   snapshot of the grants that every commit and every change notification drops; the grant's daily quota
//!   ([`quota`]); automatic grants of shared-use services.
//! - [`demo`]: the zero set-up's demonstration grants.

pub mod catalog;
pub mod demo;
mod gate;
pub mod quota;
mod validate;

use std::sync::Arc;

use entities::{sharing_grant, sharing_request, sharing_service};

pub use validate::{Narrowing, RequestInput};

use crate::{
    clock::SharedClock,
    config::sharing::{ServiceSharing, SharingConfig, SharingForm},
    error::{Error, Result},
    rate_limit::Limiter,
    store::{audit::Actor, sharing as sql, Store},
    upstream::SERVICES,
};

/// The data-sharing service of one hub process. Cheap to share (`Arc`).
pub struct Sharing {
    store: Store,
    config: SharingConfig,
    clock: SharedClock,
    quota: quota::Quota,
    /// Held while the grants are loaded into the cache (see `gate`).
    loading: tokio::sync::Mutex<()>,
}

/// A federated service as data.
#[derive(Debug, Clone)]
pub struct ServiceView {
    pub name: &'static str,
    pub title: &'static str,
    /// The key of its national database in the catalog.
    pub catalog_key: &'static str,
    /// `VN:GOV:<provider code>:<subsystem>`; `None` while the provider's code is not configured.
    pub identifier: Option<String>,
    pub provider_code: Option<String>,
    pub subsystem: String,
    pub form: SharingForm,
    pub automatic_grants: bool,
    /// The configured values are marked as demonstration values.
    pub demonstration: bool,
    pub fields: &'static [catalog::Field],
    /// Codes of the agencies configured to decide besides the one `registry:admin` names.
    pub configured_deciders: Vec<String>,
}

impl Sharing {
    pub fn new(
        store: Store,
        config: SharingConfig,
        clock: SharedClock,
        limiter: Option<Arc<Limiter>>,
    ) -> Arc<Sharing> {
        Arc::new(Sharing {
            quota: quota::Quota::new(limiter, clock.clone()),
            store,
            config,
            clock,
            loading: tokio::sync::Mutex::new(()),
        })
    }

    /// The application's clock now.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn settings(&self, service: &str) -> ServiceSharing {
        self.config.service(service)
    }

    /// The service `name` as data; `None` for a service the hub does not federate.
    pub fn service_view(&self, name: &str) -> Option<ServiceView> {
        let s = SERVICES.iter().find(|s| s.name == name)?;
        let settings = self.settings(name);
        let subsystem = settings
            .subsystem
            .clone()
            .unwrap_or_else(|| s.name.to_owned());
        Some(ServiceView {
            name: s.name,
            title: s.title,
            catalog_key: s.catalog_key,
            identifier: settings
                .provider_code
                .as_ref()
                .map(|code| format!("VN:GOV:{code}:{subsystem}")),
            provider_code: settings.provider_code,
            subsystem,
            form: settings.form,
            automatic_grants: settings.automatic_grants,
            demonstration: settings.demonstration,
            fields: catalog::fields(s.name),
            configured_deciders: settings.deciders,
        })
    }

    /// Every federated service as data, with its row (the deciding agency, the version).
    pub async fn services(&self) -> Result<Vec<(ServiceView, sharing_service::Model)>> {
        let rows = sql::services(&self.store.db).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| Some((self.service_view(&row.name)?, row)))
            .collect())
    }

    fn configured_deciders(&self) -> impl Fn(&str) -> Vec<String> + '_ {
        move |service| self.settings(service).deciders
    }

    /// Files a request of the caller's agency.
    pub async fn file_request(
        &self,
        actor: &Actor,
        input: RequestInput,
    ) -> Result<sharing_request::Model> {
        let now = self.now_ms();
        let new = input.validate(now)?;
        sql::file_request(&self.store, actor, new).await
    }

    /// Withdraws the caller's agency's pending request.
    pub async fn withdraw(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
    ) -> Result<sharing_request::Model> {
        sql::withdraw(&self.store, actor, id, version, self.now_ms()).await
    }

    /// Approves a request (possibly narrowed), creating its grant.
    pub async fn approve(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
        narrowing: Narrowing,
    ) -> Result<(sharing_request::Model, Option<sharing_grant::Model>)> {
        let decision = narrowing.validate()?;
        sql::decide(
            &self.store,
            actor,
            id,
            version,
            decision,
            self.configured_deciders(),
            self.now_ms(),
        )
        .await
    }

    /// Refuses a request with written reasons.
    pub async fn refuse(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
        reasons: &str,
    ) -> Result<sharing_request::Model> {
        let reasons = validate::text("reasons", reasons, 10, 4000)?;
        let decision = sql::Decision::Refuse { reasons };
        let (request, _) = sql::decide(
            &self.store,
            actor,
            id,
            version,
            decision,
            self.configured_deciders(),
            self.now_ms(),
        )
        .await?;
        Ok(request)
    }

    /// Revokes a grant: it stops working at once, on every replica.
    pub async fn revoke(
        &self,
        actor: &Actor,
        id: i64,
        version: i32,
        reason: &str,
        as_admin: bool,
    ) -> Result<sharing_grant::Model> {
        let reason = validate::text("reason", reason, 10, 4000)?;
        sql::revoke(
            &self.store,
            actor,
            id,
            version,
            reason,
            as_admin,
            self.configured_deciders(),
            self.now_ms(),
        )
        .await
    }

    /// Names the deciding agency of `service` (`registry:admin`).
    pub async fn set_decider(
        &self,
        actor: &Actor,
        service: &str,
        version: i32,
        agency_key: Option<String>,
    ) -> Result<sharing_service::Model> {
        if self.service_view(service).is_none() {
            return Err(Error::not_found(format!("service `{service}`")));
        }
        sql::set_decider(&self.store, actor, service, version, agency_key).await
    }

    /// The services the agency with official code `agency_code` decides for.
    pub async fn decided_by(&self, agency_code: &str) -> Result<Vec<String>> {
        let agency = sql::agency_by_code(&self.store.db, agency_code).await?;
        let rows = sql::services(&self.store.db).await?;
        Ok(rows
            .into_iter()
            .filter(|row| {
                agency
                    .as_ref()
                    .is_some_and(|a| row.decider_agency_id.as_ref() == Some(&a.id))
                    || self
                        .settings(&row.name)
                        .deciders
                        .iter()
                        .any(|c| c == agency_code)
            })
            .map(|row| row.name)
            .collect())
    }
}
