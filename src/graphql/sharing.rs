//! Data-sharing services, requests and grants: thin resolvers over `crate::sharing` (the steps, validated there and
//! written through the store's one write path) and `store::sharing` (the lists).
//!
//! Who sees what: the services and the grants (who may read which national database, on which legal basis) need any
//! valid token; a request is seen by its agency, by the agency that decides for its service, and with `audit:read` or
//! `registry:admin`. Filing and withdrawing need `sharing:request`; deciding and revoking `sharing:decide` and the
//! deciding agency's role for the service (revoking also `registry:admin`); naming that agency `registry:admin`.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, Subscription, ID};
use entities::{enums, information_system, sharing_grant, sharing_request, sharing_service};
use futures_util::{stream, Stream};
use tokio::sync::broadcast::error::RecvError;

use super::{
    context::{actor, principal, state},
    types::{load, Agency, InformationSystem, NationalDatabase},
};
use crate::{
    auth::{require_scope, require_token, scope, RequireScope},
    clock::{date_of_day, day_of},
    config::sharing::SharingForm as Form,
    error::{Error, Result},
    federation::LegalPurpose,
    sharing::{Narrowing, RequestInput, ServiceView, Sharing},
    store::sharing::{self as sql, GrantFilter, RequestFilter, Visible},
};

type Res<T> = async_graphql::Result<T>;

fn sharing<'a>(ctx: &Context<'a>) -> Res<&'a Sharing> {
    Ok(ctx.data::<Arc<Sharing>>()?.as_ref())
}

fn number(field: &str, id: &ID) -> Result<i64> {
    id.parse::<i64>()
        .map_err(|_| Error::bad_input(field, format!("`{field}` is not an id")))
}

/// The form of sharing of a service.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharingForm {
    /// Shared use (dùng chung): any entitled agency.
    Shared,
    /// Restricted use (dùng riêng): a sector, a locality or named agencies.
    Restricted,
    /// Ad-hoc requests only (theo yêu cầu đặc thù).
    AdHoc,
}

impl From<Form> for SharingForm {
    fn from(f: Form) -> Self {
        match f {
            Form::Shared => SharingForm::Shared,
            Form::Restricted => SharingForm::Restricted,
            Form::AdHoc => SharingForm::AdHoc,
        }
    }
}

/// Where a data-sharing request stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharingRequestState {
    Pending,
    Approved,
    Refused,
    Withdrawn,
}

impl From<enums::RequestState> for SharingRequestState {
    fn from(s: enums::RequestState) -> Self {
        match s {
            enums::RequestState::Pending => SharingRequestState::Pending,
            enums::RequestState::Approved => SharingRequestState::Approved,
            enums::RequestState::Refused => SharingRequestState::Refused,
            enums::RequestState::Withdrawn => SharingRequestState::Withdrawn,
        }
    }
}

impl From<SharingRequestState> for enums::RequestState {
    fn from(s: SharingRequestState) -> Self {
        match s {
            SharingRequestState::Pending => enums::RequestState::Pending,
            SharingRequestState::Approved => enums::RequestState::Approved,
            SharingRequestState::Refused => enums::RequestState::Refused,
            SharingRequestState::Withdrawn => enums::RequestState::Withdrawn,
        }
    }
}

/// What a grant comes from.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantOrigin {
    /// An approved request.
    Request,
    /// A shared-use service configured to grant every registered agency.
    Automatic,
    /// The zero set-up's demonstration grants: no provider decided them.
    Demonstration,
}

impl From<enums::GrantOrigin> for GrantOrigin {
    fn from(o: enums::GrantOrigin) -> Self {
        match o {
            enums::GrantOrigin::Request => GrantOrigin::Request,
            enums::GrantOrigin::Automatic => GrantOrigin::Automatic,
            enums::GrantOrigin::Demonstration => GrantOrigin::Demonstration,
        }
    }
}

/// A field a service can return.
#[derive(SimpleObject)]
pub struct ServiceField {
    pub name: String,
    /// Personal data: selecting it needs a declared purpose and is written to the access log.
    pub personal: bool,
}

/// A national-database service the hub federates, as data.
pub struct SharingService {
    view: ServiceView,
    row: sharing_service::Model,
}

#[Object]
impl SharingService {
    /// `population`, `business`, ...: the service's name (and the `<name>` of the scope `upstream:<name>:read`).
    async fn name(&self) -> &str {
        self.view.name
    }
    async fn title(&self) -> &str {
        self.view.title
    }
    /// The X-Road-style identifier `VN:GOV:<provider agency code>:<subsystem>`; null while the provider's code is not
    /// configured (see `identifierNote`).
    async fn identifier(&self) -> Option<&str> {
        self.view.identifier.as_deref()
    }
    /// Why `identifier` is null, when it is.
    async fn identifier_note(&self) -> Option<String> {
        match &self.view.identifier {
            Some(_) if self.view.demonstration => {
                Some("demonstration values of the configuration, not official codes".to_owned())
            }
            Some(_) => None,
            None => Some(format!(
                "the provider agency's code is not configured ([sharing.{}] provider_code)",
                self.view.name
            )),
        }
    }
    /// The provider agency's electronic code (QĐ 20/2020), from the configuration.
    async fn provider_code(&self) -> Option<&str> {
        self.view.provider_code.as_deref()
    }
    async fn subsystem(&self) -> &str {
        &self.view.subsystem
    }
    /// The provider: the owner of the national database, as the catalog records it.
    async fn provider(&self, ctx: &Context<'_>) -> Res<Option<String>> {
        let database: Option<NationalDatabase> =
            load(ctx, &self.view.catalog_key.to_owned()).await?;
        Ok(database.and_then(|d| d.0.owner.clone()))
    }
    /// The national database in the catalog.
    async fn national_database(&self, ctx: &Context<'_>) -> Res<Option<NationalDatabase>> {
        load::<NationalDatabase>(ctx, &self.view.catalog_key.to_owned()).await
    }
    async fn form(&self) -> SharingForm {
        self.view.form.into()
    }
    /// Every registered agency holds a grant (made at its first lookup, recorded as `AUTOMATIC`).
    async fn automatic_grants(&self) -> bool {
        self.view.automatic_grants
    }
    /// The fields it can return, and which are personal data.
    async fn fields(&self) -> Vec<ServiceField> {
        self.view
            .fields
            .iter()
            .map(|f| ServiceField {
                name: f.name.to_owned(),
                personal: f.personal,
            })
            .collect()
    }
    /// The agency that decides requests for this service (named by `registry:admin`).
    async fn decider(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        load(ctx, self.row.decider_agency_id.as_ref()).await
    }
    /// Codes of the agencies the configuration lets decide as well.
    async fn configured_deciders(&self) -> &[String] {
        &self.view.configured_deciders
    }
    async fn version(&self) -> i32 {
        self.row.version
    }
    /// Its grants: which agencies may read it, under which legal basis (active ones by default).
    async fn grants(&self, ctx: &Context<'_>, active: Option<bool>) -> Res<Vec<SharingGrant>> {
        let sharing = sharing(ctx)?;
        let filter = GrantFilter {
            service: Some(self.view.name.to_owned()),
            active_at: active.unwrap_or(true).then(|| sharing.now_ms()),
            ..Default::default()
        };
        grants(ctx, &filter).await
    }
}

/// The legal basis of a request: the document's number and date.
#[derive(SimpleObject)]
pub struct LegalBasisDocument {
    pub number: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// A data-sharing request.
pub struct SharingRequest(sharing_request::Model);

/// The last day (inclusive, `YYYY-MM-DD` in Vietnam) of a period that ends (excluded) at `until_ms`.
fn last_day(until_ms: i64) -> String {
    date_of_day(day_of(until_ms - 1))
}

#[Object]
impl SharingRequest {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The requesting agency.
    async fn agency(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        load(ctx, &self.0.agency_id).await
    }
    async fn service(&self) -> &str {
        &self.0.service
    }
    async fn legal_basis(&self) -> LegalBasisDocument {
        LegalBasisDocument {
            number: self.0.legal_basis_number.clone(),
            date: self.0.legal_basis_date.clone(),
        }
    }
    async fn purpose(&self) -> LegalPurpose {
        self.0.purpose.into()
    }
    async fn purpose_description(&self) -> &str {
        &self.0.purpose_description
    }
    async fn fields(&self) -> Vec<&str> {
        self.0.fields.split(',').collect()
    }
    /// The first day of the period asked for (`YYYY-MM-DD`, Vietnam time).
    async fn valid_from(&self) -> String {
        date_of_day(day_of(self.0.valid_from_ms))
    }
    /// The last day of the period asked for (included).
    async fn valid_until(&self) -> String {
        last_day(self.0.valid_until_ms)
    }
    async fn valid_from_ms(&self) -> i64 {
        self.0.valid_from_ms
    }
    /// The end of the period (excluded), in milliseconds since the Unix epoch.
    async fn valid_until_ms(&self) -> i64 {
        self.0.valid_until_ms
    }
    /// The expected frequency: calls a day (the grant's daily quota).
    async fn calls_per_day(&self) -> i32 {
        self.0.calls_per_day
    }
    /// The connection method: the requesting system, a registered information system of the agency.
    async fn system(&self, ctx: &Context<'_>) -> Res<Option<InformationSystem>> {
        load(ctx, &self.0.system_code).await
    }
    /// The requesting system's approved security level (ND 85/2016), shown beside its commitments.
    async fn system_approved_level(&self, ctx: &Context<'_>) -> Res<Option<i32>> {
        let system: Option<InformationSystem> = load(ctx, &self.0.system_code).await?;
        Ok(system.and_then(|s| {
            let s: &information_system::Model = &s.0;
            s.approved_level.map(i32::from)
        }))
    }
    async fn security_commitments(&self) -> &str {
        &self.0.security_commitments
    }
    async fn state(&self) -> SharingRequestState {
        self.0.state.into()
    }
    /// The decision's written reasons (a refusal's, or an approval's note).
    async fn reasons(&self) -> Option<&str> {
        self.0.reasons.as_deref()
    }
    /// The agency that decided.
    async fn decided_by(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        load(ctx, self.0.decided_by_agency_id.as_ref()).await
    }
    async fn created_at_ms(&self) -> i64 {
        self.0.created_at_ms
    }
    async fn decided_at_ms(&self) -> Option<i64> {
        self.0.decided_at_ms
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The grant an approval made.
    async fn grant(&self, ctx: &Context<'_>) -> Res<Option<SharingGrant>> {
        let filter = GrantFilter {
            request_id: Some(self.0.id),
            ..Default::default()
        };
        Ok(grants(ctx, &filter).await?.into_iter().next())
    }
}

/// A data-sharing grant: what lookups rely on.
pub struct SharingGrant(sharing_grant::Model);

#[Object]
impl SharingGrant {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The agency that may read.
    async fn agency(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        load(ctx, &self.0.agency_id).await
    }
    async fn service(&self) -> &str {
        &self.0.service
    }
    /// The approved request (none for automatic and demonstration grants).
    async fn request(&self, ctx: &Context<'_>) -> Res<Option<SharingRequest>> {
        let Some(id) = self.0.request_id else {
            return Ok(None);
        };
        Ok(sql::request(&state(ctx)?.store.db, id)
            .await?
            .map(SharingRequest))
    }
    /// The one purpose granted; null: any declared purpose (automatic and demonstration grants).
    async fn purpose(&self) -> Option<LegalPurpose> {
        self.0.purpose.map(Into::into)
    }
    /// The fields granted: a lookup selecting any other is refused with `NO_GRANT`.
    async fn fields(&self) -> Vec<&str> {
        self.0.fields.split(',').collect()
    }
    /// The legal basis the grant rests on.
    async fn legal_basis(&self) -> &str {
        &self.0.legal_basis
    }
    async fn valid_from(&self) -> String {
        date_of_day(day_of(self.0.valid_from_ms))
    }
    /// The last day of the grant (included).
    async fn valid_until(&self) -> String {
        last_day(self.0.valid_until_ms)
    }
    async fn valid_from_ms(&self) -> i64 {
        self.0.valid_from_ms
    }
    /// When the grant stops working (excluded), in milliseconds since the Unix epoch.
    async fn valid_until_ms(&self) -> i64 {
        self.0.valid_until_ms
    }
    /// The daily quota: calls a day of the agency on the service.
    async fn calls_per_day(&self) -> i32 {
        self.0.calls_per_day
    }
    async fn origin(&self) -> GrantOrigin {
        self.0.origin.into()
    }
    /// A demonstration grant of the zero set-up, which no provider decided.
    async fn demonstration(&self) -> bool {
        self.0.origin == enums::GrantOrigin::Demonstration
    }
    /// In its period and not revoked, now.
    async fn active(&self, ctx: &Context<'_>) -> Res<bool> {
        let now = sharing(ctx)?.now_ms();
        Ok(self.0.revoked_at_ms.is_none()
            && self.0.valid_from_ms <= now
            && self.0.valid_until_ms > now)
    }
    async fn revoked_at_ms(&self) -> Option<i64> {
        self.0.revoked_at_ms
    }
    async fn revoke_reason(&self) -> Option<&str> {
        self.0.revoke_reason.as_deref()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

async fn grants(ctx: &Context<'_>, filter: &GrantFilter) -> Res<Vec<SharingGrant>> {
    Ok(sql::grants(&state(ctx)?.store.db, filter)
        .await?
        .into_iter()
        .map(SharingGrant)
        .collect())
}

/// The agency key of an agency given by key or by official code (at most one).
async fn agency_key(
    ctx: &Context<'_>,
    key: Option<String>,
    code: Option<String>,
) -> Res<Option<String>> {
    match (key, code) {
        (Some(_), Some(_)) => Err(Error::bad_input(
            "filter.agencyCode",
            "give `agencyKey` or `agencyCode`, not both",
        )
        .into()),
        (Some(key), None) => Ok(Some(key)),
        (None, Some(code)) => {
            let code = crate::codes::AgencyCode::parse("filter.agencyCode", &code)?;
            // An unknown code matches nothing.
            Ok(Some(
                sql::agency_by_code(&state(ctx)?.store.db, code.as_str())
                    .await?
                    .map_or_else(|| format!("\u{0}{}", code.as_str()), |a| a.id),
            ))
        }
        (None, None) => Ok(None),
    }
}

#[derive(InputObject, Default)]
pub struct SharingRequestFilter {
    pub agency_key: Option<String>,
    /// The agency's official code (QĐ 20/2020).
    pub agency_code: Option<String>,
    pub service: Option<String>,
    pub state: Option<SharingRequestState>,
}

#[derive(InputObject, Default)]
pub struct SharingGrantFilter {
    pub agency_key: Option<String>,
    pub agency_code: Option<String>,
    pub service: Option<String>,
    /// Only grants in their period and not revoked, now.
    pub active: Option<bool>,
    /// Only active grants whose period ends within this many days.
    pub expiring_within_days: Option<i32>,
}

/// Which requests the caller sees: all with `audit:read` or `registry:admin`; else its agency's own and those for
/// the services its agency decides.
async fn visible(ctx: &Context<'_>) -> Res<Visible> {
    let p = require_token(ctx)?;
    if p.has_scope(scope::AUDIT_READ) || p.has_scope(scope::REGISTRY_ADMIN) {
        return Ok(Visible::All);
    }
    let sharing = sharing(ctx)?;
    let agency = sql::agency_by_code(&state(ctx)?.store.db, p.agency.as_str()).await?;
    Ok(Visible::Agency {
        agency_id: agency.map_or_else(String::new, |a| a.id),
        decides: sharing.decided_by(p.agency.as_str()).await?,
    })
}

#[derive(Default)]
pub struct SharingQuery;

#[Object]
impl SharingQuery {
    /// The national-database services the hub federates, as data: X-Road identifier, provider, fields (and which
    /// are personal), form of sharing, deciding agency (any valid token).
    async fn sharing_services(&self, ctx: &Context<'_>) -> Res<Vec<SharingService>> {
        require_token(ctx)?;
        Ok(sharing(ctx)?
            .services()
            .await?
            .into_iter()
            .map(|(view, row)| SharingService { view, row })
            .collect())
    }

    /// One service by name (any valid token).
    async fn sharing_service(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> Res<Option<SharingService>> {
        require_token(ctx)?;
        Ok(sharing(ctx)?
            .services()
            .await?
            .into_iter()
            .find(|(view, _)| view.name == name)
            .map(|(view, row)| SharingService { view, row }))
    }

    /// Data-sharing requests, newest first (at most 500): the caller's agency's own and those it decides, or all with
    /// `audit:read` or `registry:admin`.
    async fn sharing_requests(
        &self,
        ctx: &Context<'_>,
        filter: Option<SharingRequestFilter>,
    ) -> Res<Vec<SharingRequest>> {
        let visible = visible(ctx).await?;
        let f = filter.unwrap_or_default();
        let filter = RequestFilter {
            agency_id: agency_key(ctx, f.agency_key, f.agency_code).await?,
            service: f.service,
            state: f.state.map(Into::into),
        };
        Ok(sql::requests(&state(ctx)?.store.db, &visible, &filter)
            .await?
            .into_iter()
            .map(SharingRequest)
            .collect())
    }

    /// One request, if the caller may see it.
    async fn sharing_request(&self, ctx: &Context<'_>, id: ID) -> Res<Option<SharingRequest>> {
        let visible = visible(ctx).await?;
        let id = number("id", &id)?;
        let Some(row) = sql::request(&state(ctx)?.store.db, id).await? else {
            return Ok(None);
        };
        let seen = match &visible {
            Visible::All => true,
            Visible::Agency { agency_id, decides } => {
                &row.agency_id == agency_id || decides.contains(&row.service)
            }
        };
        Ok(seen.then_some(SharingRequest(row)))
    }

    /// Data-sharing grants, newest first (at most 500; any valid token): "which agencies can read the population
    /// database, under which legal basis" is `sharingGrants(filter: { service: "population", active: true }) { agency
    /// { name } legalBasis purpose fields validUntil }`.
    async fn sharing_grants(
        &self,
        ctx: &Context<'_>,
        filter: Option<SharingGrantFilter>,
    ) -> Res<Vec<SharingGrant>> {
        require_token(ctx)?;
        let now = sharing(ctx)?.now_ms();
        let f = filter.unwrap_or_default();
        let ending_before = match f.expiring_within_days {
            Some(d) if !(0..=3660).contains(&d) => {
                return Err(Error::bad_input(
                    "filter.expiringWithinDays",
                    "`filter.expiringWithinDays` must be from 0 to 3660",
                )
                .into())
            }
            Some(d) => Some(now + i64::from(d) * crate::clock::DAY_MS),
            None => None,
        };
        let filter = GrantFilter {
            agency_id: agency_key(ctx, f.agency_key, f.agency_code).await?,
            service: f.service,
            active_at: (f.active.unwrap_or(false) || ending_before.is_some()).then_some(now),
            ending_before,
            request_id: None,
        };
        grants(ctx, &filter).await
    }
}

/// The legal basis of a request.
#[derive(InputObject)]
pub struct LegalBasisInput {
    /// The document's number, e.g. `123/QĐ-UBND`.
    pub number: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// The purpose of a request: a legal basis of the closed list, and what the data serves.
#[derive(InputObject)]
pub struct SharingPurposeInput {
    pub basis: LegalPurpose,
    pub description: String,
}

/// A data-sharing request of the caller's agency.
#[derive(InputObject)]
pub struct SharingRequestInput {
    /// The service (`sharingServices { name }`).
    pub service: String,
    pub legal_basis: LegalBasisInput,
    pub purpose: SharingPurposeInput,
    /// The fields asked for (`sharingServices { fields { name } }`).
    pub fields: Vec<String>,
    /// The period of validity, first and last day (`YYYY-MM-DD`, Vietnam time).
    pub valid_from: String,
    pub valid_until: String,
    /// Expected frequency: calls a day (the grant's daily quota).
    pub calls_per_day: i32,
    /// The connection method: the code of a registered information system of the caller's agency.
    pub system: String,
    /// The requesting system's security commitments.
    pub security_commitments: String,
}

/// What an approval narrows; each omitted value keeps what was asked.
#[derive(InputObject, Default)]
pub struct SharingNarrowingInput {
    pub fields: Option<Vec<String>>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub calls_per_day: Option<i32>,
    /// A note on the decision.
    pub note: Option<String>,
}

/// An approval: the request, and the grant it made.
#[derive(SimpleObject)]
pub struct SharingApproval {
    pub request: SharingRequest,
    pub grant: Option<SharingGrant>,
}

#[derive(Default)]
pub struct SharingMutation;

#[Object]
impl SharingMutation {
    /// Files a data-sharing request of the caller's agency (scope `sharing:request`).
    #[graphql(guard = "RequireScope(scope::SHARING_REQUEST)")]
    async fn request_data_sharing(
        &self,
        ctx: &Context<'_>,
        input: SharingRequestInput,
    ) -> Res<SharingRequest> {
        let input = RequestInput {
            service: input.service,
            legal_basis_number: input.legal_basis.number,
            legal_basis_date: input.legal_basis.date,
            purpose: input.purpose.basis,
            purpose_description: input.purpose.description,
            fields: input.fields,
            valid_from: input.valid_from,
            valid_until: input.valid_until,
            calls_per_day: input.calls_per_day,
            system: input.system,
            security_commitments: input.security_commitments,
        };
        let row = sharing(ctx)?.file_request(&actor(ctx)?, input).await?;
        Ok(SharingRequest(row))
    }

    /// Withdraws a pending request of the caller's agency (scope `sharing:request`).
    #[graphql(guard = "RequireScope(scope::SHARING_REQUEST)")]
    async fn withdraw_sharing_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> Res<SharingRequest> {
        let row = sharing(ctx)?
            .withdraw(&actor(ctx)?, number("id", &id)?, version)
            .await?;
        Ok(SharingRequest(row))
    }

    /// Approves a pending request, possibly narrowing its fields, period or frequency, and makes its grant (scope
    /// `sharing:decide`, as the agency that decides for the service).
    #[graphql(guard = "RequireScope(scope::SHARING_DECIDE)")]
    async fn approve_sharing_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        narrowing: Option<SharingNarrowingInput>,
    ) -> Res<SharingApproval> {
        let n = narrowing.unwrap_or_default();
        let narrowing = Narrowing {
            fields: n.fields,
            valid_from: n.valid_from,
            valid_until: n.valid_until,
            calls_per_day: n.calls_per_day,
            note: n.note,
        };
        let (request, grant) = sharing(ctx)?
            .approve(&actor(ctx)?, number("id", &id)?, version, narrowing)
            .await?;
        Ok(SharingApproval {
            request: SharingRequest(request),
            grant: grant.map(SharingGrant),
        })
    }

    /// Refuses a pending request with written reasons (scope `sharing:decide`, as the deciding agency).
    #[graphql(guard = "RequireScope(scope::SHARING_DECIDE)")]
    async fn refuse_sharing_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        reasons: String,
    ) -> Res<SharingRequest> {
        let row = sharing(ctx)?
            .refuse(&actor(ctx)?, number("id", &id)?, version, &reasons)
            .await?;
        Ok(SharingRequest(row))
    }

    /// Revokes a grant with a reason: it stops working at once, on every replica (scope `sharing:decide` as the
    /// deciding agency, or `registry:admin`).
    async fn revoke_sharing_grant(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        reason: String,
    ) -> Res<SharingGrant> {
        let p = require_token(ctx)?;
        let as_admin = p.has_scope(scope::REGISTRY_ADMIN);
        if !as_admin {
            require_scope(ctx, scope::SHARING_DECIDE)?;
        }
        let row = sharing(ctx)?
            .revoke(&actor(ctx)?, number("id", &id)?, version, &reason, as_admin)
            .await?;
        Ok(SharingGrant(row))
    }

    /// Names the agency (by key; null: none) that decides requests for `service` (scope `registry:admin`).
    #[graphql(guard = "RequireScope(scope::REGISTRY_ADMIN)")]
    async fn set_sharing_decider(
        &self,
        ctx: &Context<'_>,
        service: String,
        version: i32,
        agency_key: Option<String>,
    ) -> Res<SharingService> {
        let sharing = sharing(ctx)?;
        let row = sharing
            .set_decider(&actor(ctx)?, &service, version, agency_key)
            .await?;
        let view = sharing
            .service_view(&service)
            .ok_or_else(|| Error::not_found(format!("service `{service}`")))?;
        Ok(SharingService { view, row })
    }
}

/// A committed step of data sharing.
#[derive(SimpleObject, Clone)]
pub struct SharingChange {
    /// `sharing_request`, `sharing_grant` or `sharing_service`.
    pub entity: String,
    /// The request's or grant's id, or the service's name.
    pub key: String,
    /// `request`, `withdraw`, `approve`, `refuse`, `grant`, `revoke`, `set_decider`.
    pub action: String,
    /// The agency of whoever took the step.
    pub agency_code: String,
    pub audit_event_id: i64,
    pub at_ms: i64,
}

#[derive(Default)]
pub struct SharingSubscription;

#[Subscription]
impl SharingSubscription {
    /// Every committed data-sharing step (requests, decisions, grants, revocations), from every replica (scope
    /// `sharing:request`, `sharing:decide` or `audit:read`).
    async fn sharing_changes(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = SharingChange>> {
        let p = principal(ctx).ok_or(Error::Unauthenticated)?;
        if ![
            scope::SHARING_REQUEST,
            scope::SHARING_DECIDE,
            scope::AUDIT_READ,
        ]
        .iter()
        .any(|s| p.has_scope(s))
        {
            return Err(Error::forbidden(
                "this needs the scope `sharing:request`, `sharing:decide` or `audit:read`",
            )
            .into());
        }
        let receiver = state(ctx)?.store.events.subscribe();
        Ok(stream::unfold(receiver, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(e)
                        if [sql::REQUEST, sql::GRANT, sql::SERVICE]
                            .contains(&e.entity.as_str()) =>
                    {
                        let change = SharingChange {
                            entity: e.entity,
                            key: e.entity_key,
                            action: e.action,
                            agency_code: e.agency_code,
                            audit_event_id: e.audit_id,
                            at_ms: e.at_ms,
                        };
                        return Some((change, rx));
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }
}
