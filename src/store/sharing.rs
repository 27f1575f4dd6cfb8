//! Data-sharing requests, decisions and grants over SQL. Every step is one [`Write`] (the store's one write path:
//! version check, write, audit event, commit, announce); an approval updates the request and creates its grant in the
//! same transaction. Who may take a step is checked here, against the rows read in the write's transaction: the
//! requesting agency for its own requests, the service's deciding agency for decisions and revocations.

use entities::{
    agency,
    enums::{GrantOrigin, LegalBasis, RequestState},
    information_system, sharing_grant, sharing_request, sharing_service,
};
use sea_orm::{
    ActiveEnum, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::{
    audit::Actor,
    registration::actor_agency,
    write::{check, Versioned, Write},
    Store,
};
use crate::{
    cache::GrantRows,
    error::{Error, Result},
};

/// The audit trail's names.
pub const REQUEST: &str = "sharing_request";
pub const GRANT: &str = "sharing_grant";
pub const SERVICE: &str = "sharing_service";
/// A refused lookup (no grant): an audit event of its own, not a row.
pub const ACCESS: &str = "sharing_access";

/// Most rows a list answers with.
const LIST_LIMIT: u64 = 500;

impl Versioned for sharing_request::Entity {
    const WHAT: &'static str = "the request";
    const AUDIT: &'static str = REQUEST;
    const VERSION: sharing_request::Column = sharing_request::Column::Version;
    const DUPLICATE: &'static str = "this request was just filed: read the requests again";

    fn key(m: &sharing_request::Model) -> String {
        m.id.to_string()
    }

    fn version(m: &sharing_request::Model) -> i32 {
        m.version
    }

    fn snapshot(m: &sharing_request::Model) -> serde_json::Value {
        json!({
            "id": m.id, "agency": m.agency_id, "service": m.service,
            "legalBasis": { "number": m.legal_basis_number, "date": m.legal_basis_date },
            "purpose": m.purpose.to_value(), "purposeDescription": m.purpose_description,
            "fields": m.fields, "validFromMs": m.valid_from_ms, "validUntilMs": m.valid_until_ms,
            "callsPerDay": m.calls_per_day, "system": m.system_code,
            "securityCommitments": m.security_commitments, "state": m.state.to_value(),
            "reasons": m.reasons, "decidedBy": m.decided_by_agency_id, "decidedAtMs": m.decided_at_ms,
            "version": m.version,
        })
    }
}

impl Versioned for sharing_grant::Entity {
    const WHAT: &'static str = "the grant";
    const AUDIT: &'static str = GRANT;
    const VERSION: sharing_grant::Column = sharing_grant::Column::Version;
    const DUPLICATE: &'static str = "this grant was just made: read the grants again";

    fn key(m: &sharing_grant::Model) -> String {
        m.id.to_string()
    }

    fn version(m: &sharing_grant::Model) -> i32 {
        m.version
    }

    fn snapshot(m: &sharing_grant::Model) -> serde_json::Value {
        json!({
            "id": m.id, "agency": m.agency_id, "service": m.service, "request": m.request_id,
            "purpose": m.purpose.map(|p| p.to_value()), "fields": m.fields, "legalBasis": m.legal_basis,
            "validFromMs": m.valid_from_ms, "validUntilMs": m.valid_until_ms, "callsPerDay": m.calls_per_day,
            "origin": m.origin.to_value(), "revokedAtMs": m.revoked_at_ms, "revokeReason": m.revoke_reason,
            "version": m.version,
        })
    }
}

impl Versioned for sharing_service::Entity {
    const WHAT: &'static str = "the service";
    const AUDIT: &'static str = SERVICE;
    const VERSION: sharing_service::Column = sharing_service::Column::Version;
    const DUPLICATE: &'static str = "the service changed concurrently: read it again";

    fn key(m: &sharing_service::Model) -> String {
        m.name.clone()
    }

    fn version(m: &sharing_service::Model) -> i32 {
        m.version
    }

    fn snapshot(m: &sharing_service::Model) -> serde_json::Value {
        json!({ "name": m.name, "decider": m.decider_agency_id, "version": m.version })
    }
}

/// Every service, in name order.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn services(db: &impl ConnectionTrait) -> Result<Vec<sharing_service::Model>> {
    Ok(sharing_service::Entity::find()
        .order_by_asc(sharing_service::Column::Name)
        .all(db)
        .await?)
}

/// The service `name`; `NOT_FOUND` when the hub has none by that name.
pub async fn service(db: &impl ConnectionTrait, name: &str) -> Result<sharing_service::Model> {
    sharing_service::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(format!("service `{name}`")))
}

/// The registered agency with the official code `code`.
pub async fn agency_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<agency::Model>> {
    Ok(agency::Entity::find()
        .filter(agency::Column::Code.eq(code))
        .one(db)
        .await?)
}

/// Names the agency (by its key) that decides requests for `service`; `version` as last read (`registry:admin`).
#[tracing::instrument(skip_all, fields(service))]
pub async fn set_decider(
    store: &Store,
    actor: &Actor,
    service: &str,
    version: i32,
    agency_key: Option<String>,
) -> Result<sharing_service::Model> {
    let write = Write::begin(store, actor).await?;
    let current = check(self::service(write.txn(), service).await?, version)?;
    if let Some(key) = &agency_key {
        if agency::Entity::find_by_id(key.clone())
            .one(write.txn())
            .await?
            .is_none()
        {
            return Err(Error::bad_input("agencyKey", format!("no agency `{key}`")));
        }
    }
    write
        .update(
            "set_decider",
            current,
            |row: &mut sharing_service::ActiveModel| {
                row.decider_agency_id = Set(agency_key);
            },
        )
        .await
}

/// A request, validated by the sharing service except for what needs the rows.
pub struct NewRequest {
    pub service: String,
    pub legal_basis_number: String,
    pub legal_basis_date: String,
    pub purpose: LegalBasis,
    pub purpose_description: String,
    pub fields: Vec<String>,
    pub valid_from_ms: i64,
    pub valid_until_ms: i64,
    pub calls_per_day: i32,
    pub system_code: String,
    pub security_commitments: String,
    pub now_ms: i64,
}

/// Files a request of the caller's agency, through one of its registered systems.
#[tracing::instrument(skip_all, fields(agency = %actor.agency_code, service = %new.service))]
pub async fn file_request(
    store: &Store,
    actor: &Actor,
    new: NewRequest,
) -> Result<sharing_request::Model> {
    let write = Write::begin(store, actor).await?;
    let agency = actor_agency(write.txn(), actor).await?;
    service(write.txn(), &new.service).await?;
    let system = information_system::Entity::find()
        .filter(information_system::Column::Code.eq(new.system_code.clone()))
        .one(write.txn())
        .await?;
    match system {
        Some(s) if s.agency_id.as_ref() == Some(&agency.id) => {
            if s.approval_state == Some(entities::enums::ApprovalState::Retired) {
                return Err(Error::bad_input("input.system", "this system is retired"));
            }
        }
        _ => {
            return Err(Error::bad_input(
                "input.system",
                "the requesting system must be a registered information system of your agency",
            ))
        }
    }
    let row = sharing_request::ActiveModel {
        id: NotSet,
        agency_id: Set(agency.id),
        service: Set(new.service),
        legal_basis_number: Set(new.legal_basis_number),
        legal_basis_date: Set(new.legal_basis_date),
        purpose: Set(new.purpose),
        purpose_description: Set(new.purpose_description),
        fields: Set(new.fields.join(",")),
        valid_from_ms: Set(new.valid_from_ms),
        valid_until_ms: Set(new.valid_until_ms),
        calls_per_day: Set(new.calls_per_day),
        system_code: Set(new.system_code),
        security_commitments: Set(new.security_commitments),
        state: Set(RequestState::Pending),
        reasons: Set(None),
        decided_by_agency_id: Set(None),
        created_at_ms: Set(new.now_ms),
        decided_at_ms: Set(None),
        version: Set(1),
    };
    write.create("request", row).await
}

async fn request_row(db: &impl ConnectionTrait, id: i64) -> Result<sharing_request::Model> {
    sharing_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("request"))
}

/// Withdraws the caller's agency's own pending request.
#[tracing::instrument(skip_all, fields(agency = %actor.agency_code, id))]
pub async fn withdraw(
    store: &Store,
    actor: &Actor,
    id: i64,
    version: i32,
    now_ms: i64,
) -> Result<sharing_request::Model> {
    let write = Write::begin(store, actor).await?;
    let agency = actor_agency(write.txn(), actor).await?;
    let row = request_row(write.txn(), id).await?;
    if row.agency_id != agency.id {
        return Err(Error::forbidden(
            "only the requesting agency withdraws its request",
        ));
    }
    let current = check(row, version)?;
    if current.row().state != RequestState::Pending {
        return Err(Error::conflict("only a pending request can be withdrawn"));
    }
    write
        .update(
            "withdraw",
            current,
            |row: &mut sharing_request::ActiveModel| {
                row.state = Set(RequestState::Withdrawn);
                row.decided_at_ms = Set(Some(now_ms));
            },
        )
        .await
}

/// A decision on a request.
pub enum Decision {
    /// Approve, possibly narrowed: each `None` keeps what was asked.
    Approve {
        fields: Option<Vec<String>>,
        valid_from_ms: Option<i64>,
        valid_until_ms: Option<i64>,
        calls_per_day: Option<i32>,
        note: Option<String>,
    },
    /// Refuse, with written reasons.
    Refuse { reasons: String },
}

/// Whether the caller's agency decides for `service`: the agency `registry:admin` named, or one of `configured` codes.
fn decides(
    service: &sharing_service::Model,
    agency: &agency::Model,
    configured: &[String],
) -> bool {
    service.decider_agency_id.as_ref() == Some(&agency.id)
        || agency.code.as_ref().is_some_and(|c| configured.contains(c))
}

/// The caller's agency, if it decides for `service`; `FORBIDDEN` otherwise.
async fn decider(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    service: &str,
    configured: &[String],
) -> Result<agency::Model> {
    let agency = agency_by_code(txn, &actor.agency_code)
        .await?
        .ok_or_else(|| Error::forbidden("your agency is not in the registry"))?;
    let service_row = self::service(txn, service).await?;
    if !decides(&service_row, &agency, configured) {
        return Err(Error::forbidden(format!(
            "your agency does not decide requests for `{service}` (registry:admin names the deciding agency)"
        )));
    }
    Ok(agency)
}

/// Approves (creating the grant) or refuses a pending request, as the service's deciding agency.
#[tracing::instrument(skip_all, fields(agency = %actor.agency_code, id))]
pub async fn decide(
    store: &Store,
    actor: &Actor,
    id: i64,
    version: i32,
    decision: Decision,
    configured_deciders: impl Fn(&str) -> Vec<String>,
    now_ms: i64,
) -> Result<(sharing_request::Model, Option<sharing_grant::Model>)> {
    let mut write = Write::begin(store, actor).await?;
    let row = request_row(write.txn(), id).await?;
    let agency = decider(
        write.txn(),
        actor,
        &row.service,
        &configured_deciders(&row.service),
    )
    .await?;
    let current = check(row, version)?;
    if current.row().state != RequestState::Pending {
        return Err(Error::conflict("only a pending request can be decided"));
    }
    let asked = current.row().clone();
    match decision {
        Decision::Refuse { reasons } => {
            let request = write
                .update(
                    "refuse",
                    current,
                    |row: &mut sharing_request::ActiveModel| {
                        row.state = Set(RequestState::Refused);
                        row.reasons = Set(Some(reasons));
                        row.decided_by_agency_id = Set(Some(agency.id.clone()));
                        row.decided_at_ms = Set(Some(now_ms));
                    },
                )
                .await?;
            Ok((request, None))
        }
        Decision::Approve {
            fields,
            valid_from_ms,
            valid_until_ms,
            calls_per_day,
            note,
        } => {
            let asked_fields: Vec<&str> = asked.fields.split(',').collect();
            let fields = match fields {
                Some(f) => {
                    if let Some(extra) = f.iter().find(|f| !asked_fields.contains(&f.as_str())) {
                        return Err(Error::bad_input(
                            "narrowing.fields",
                            format!("`{extra}` was not asked for: an approval can only narrow the fields"),
                        ));
                    }
                    f.join(",")
                }
                None => asked.fields.clone(),
            };
            let from = valid_from_ms.unwrap_or(asked.valid_from_ms);
            let until = valid_until_ms.unwrap_or(asked.valid_until_ms);
            if from < asked.valid_from_ms || until > asked.valid_until_ms || from >= until {
                return Err(Error::bad_input(
                    "narrowing.validUntil",
                    "an approval can only narrow the period asked for (and it must not be empty)",
                ));
            }
            let calls = calls_per_day.unwrap_or(asked.calls_per_day);
            if calls < 1 || calls > asked.calls_per_day {
                return Err(Error::bad_input(
                    "narrowing.callsPerDay",
                    "an approval can only lower the calls a day asked for (at least 1)",
                ));
            }
            let grant = write
                .also_create(
                    "grant",
                    sharing_grant::ActiveModel {
                        id: NotSet,
                        agency_id: Set(asked.agency_id.clone()),
                        service: Set(asked.service.clone()),
                        request_id: Set(Some(asked.id)),
                        purpose: Set(Some(asked.purpose)),
                        fields: Set(fields),
                        legal_basis: Set(format!(
                            "{} ({})",
                            asked.legal_basis_number, asked.legal_basis_date
                        )),
                        valid_from_ms: Set(from),
                        valid_until_ms: Set(until),
                        calls_per_day: Set(calls),
                        origin: Set(GrantOrigin::Request),
                        revoked_at_ms: Set(None),
                        revoke_reason: Set(None),
                        created_at_ms: Set(now_ms),
                        version: Set(1),
                    },
                )
                .await?;
            let request = write
                .update(
                    "approve",
                    current,
                    |row: &mut sharing_request::ActiveModel| {
                        row.state = Set(RequestState::Approved);
                        row.reasons = Set(note);
                        row.decided_by_agency_id = Set(Some(agency.id.clone()));
                        row.decided_at_ms = Set(Some(now_ms));
                    },
                )
                .await?;
            Ok((request, Some(grant)))
        }
    }
}

/// Revokes a grant, as the service's deciding agency (or `registry:admin`, `as_admin`), with a reason.
#[tracing::instrument(skip_all, fields(agency = %actor.agency_code, id))]
#[expect(
    clippy::too_many_arguments,
    reason = "one step's inputs, each checked here"
)]
pub async fn revoke(
    store: &Store,
    actor: &Actor,
    id: i64,
    version: i32,
    reason: String,
    as_admin: bool,
    configured_deciders: impl Fn(&str) -> Vec<String>,
    now_ms: i64,
) -> Result<sharing_grant::Model> {
    let write = Write::begin(store, actor).await?;
    let row = sharing_grant::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .ok_or_else(|| Error::not_found("grant"))?;
    if !as_admin {
        decider(
            write.txn(),
            actor,
            &row.service,
            &configured_deciders(&row.service),
        )
        .await?;
    }
    let current = check(row, version)?;
    if current.row().revoked_at_ms.is_some() {
        return Err(Error::conflict("the grant is already revoked"));
    }
    write
        .update("revoke", current, |row: &mut sharing_grant::ActiveModel| {
            row.revoked_at_ms = Set(Some(now_ms));
            row.revoke_reason = Set(Some(reason));
        })
        .await
}

/// A grant made without a request: an automatic grant of a shared-use service (made by the hub at the agency's first
/// lookup), recorded like any other.
pub struct NewGrant {
    pub agency_id: String,
    pub service: String,
    pub fields: Vec<String>,
    pub legal_basis: String,
    pub valid_from_ms: i64,
    pub valid_until_ms: i64,
    pub calls_per_day: i32,
    pub origin: GrantOrigin,
}

/// Records `new` as a grant.
#[tracing::instrument(skip_all, fields(service = %new.service))]
pub async fn create_grant(
    store: &Store,
    actor: &Actor,
    new: NewGrant,
    now_ms: i64,
) -> Result<sharing_grant::Model> {
    let write = Write::begin(store, actor).await?;
    write.create("grant", grant_row(new, now_ms)).await
}

pub(crate) fn grant_row(new: NewGrant, now_ms: i64) -> sharing_grant::ActiveModel {
    sharing_grant::ActiveModel {
        id: NotSet,
        agency_id: Set(new.agency_id),
        service: Set(new.service),
        request_id: Set(None),
        purpose: Set(None),
        fields: Set(new.fields.join(",")),
        legal_basis: Set(new.legal_basis),
        valid_from_ms: Set(new.valid_from_ms),
        valid_until_ms: Set(new.valid_until_ms),
        calls_per_day: Set(new.calls_per_day),
        origin: Set(new.origin),
        revoked_at_ms: Set(None),
        revoke_reason: Set(None),
        created_at_ms: Set(now_ms),
        version: Set(1),
    }
}

/// Which requests a caller sees.
pub enum Visible {
    /// Every request (`audit:read`, `registry:admin`).
    All,
    /// Its own agency's, and those for the services it decides.
    Agency {
        agency_id: String,
        decides: Vec<String>,
    },
}

#[derive(Default)]
pub struct RequestFilter {
    pub agency_id: Option<String>,
    pub service: Option<String>,
    pub state: Option<RequestState>,
}

/// The requests `visible` lets the caller see, under `filter`, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn requests(
    db: &impl ConnectionTrait,
    visible: &Visible,
    filter: &RequestFilter,
) -> Result<Vec<sharing_request::Model>> {
    use sharing_request::Column as C;
    let mut q = sharing_request::Entity::find();
    if let Visible::Agency { agency_id, decides } = visible {
        q = q.filter(
            Condition::any()
                .add(C::AgencyId.eq(agency_id.clone()))
                .add(C::Service.is_in(decides.clone())),
        );
    }
    if let Some(a) = &filter.agency_id {
        q = q.filter(C::AgencyId.eq(a.clone()));
    }
    if let Some(s) = &filter.service {
        q = q.filter(C::Service.eq(s.clone()));
    }
    if let Some(s) = filter.state {
        q = q.filter(C::State.eq(s));
    }
    Ok(q.order_by_desc(C::Id).limit(LIST_LIMIT).all(db).await?)
}

/// The request `id`, if any.
pub async fn request(db: &impl ConnectionTrait, id: i64) -> Result<Option<sharing_request::Model>> {
    Ok(sharing_request::Entity::find_by_id(id).one(db).await?)
}

#[derive(Default)]
pub struct GrantFilter {
    pub agency_id: Option<String>,
    pub service: Option<String>,
    /// Only grants in their period and not revoked at this instant.
    pub active_at: Option<i64>,
    /// Only grants whose period ends before this instant.
    pub ending_before: Option<i64>,
    pub request_id: Option<i64>,
}

/// The grants under `filter`, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn grants(
    db: &impl ConnectionTrait,
    filter: &GrantFilter,
) -> Result<Vec<sharing_grant::Model>> {
    use sharing_grant::Column as C;
    let mut q = sharing_grant::Entity::find();
    if let Some(a) = &filter.agency_id {
        q = q.filter(C::AgencyId.eq(a.clone()));
    }
    if let Some(s) = &filter.service {
        q = q.filter(C::Service.eq(s.clone()));
    }
    if let Some(now) = filter.active_at {
        q = q
            .filter(C::RevokedAtMs.is_null())
            .filter(C::ValidFromMs.lte(now))
            .filter(C::ValidUntilMs.gt(now));
    }
    if let Some(before) = filter.ending_before {
        q = q.filter(C::ValidUntilMs.lte(before));
    }
    if let Some(r) = filter.request_id {
        q = q.filter(C::RequestId.eq(r));
    }
    Ok(q.order_by_desc(C::Id).limit(LIST_LIMIT).all(db).await?)
}

/// Every grant not revoked, with its agency's official code (grants of agencies without one are left out: no token
/// can name them): what the per-process cache holds.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn grant_rows(db: &impl ConnectionTrait) -> Result<GrantRows> {
    let grants = sharing_grant::Entity::find()
        .filter(sharing_grant::Column::RevokedAtMs.is_null())
        .all(db)
        .await?;
    let ids: Vec<String> = grants.iter().map(|g| g.agency_id.clone()).collect();
    let codes: std::collections::HashMap<String, String> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|a| Some((a.id, a.code?)))
        .collect();
    Ok(grants
        .into_iter()
        .filter_map(|g| Some((codes.get(&g.agency_id)?.clone(), g)))
        .collect())
}

/// Records a lookup refused for want of a grant in the audit trail (an event of its own, in its own transaction). It
/// is not a change of any row, so nothing is announced and no cache is dropped.
#[tracing::instrument(skip_all, fields(service))]
pub async fn record_refusal(
    store: &Store,
    actor: &Actor,
    service: &str,
    detail: serde_json::Value,
) -> Result<()> {
    use sea_orm::TransactionTrait;
    let txn = store.db.begin().await?;
    super::audit::record(
        &txn,
        actor,
        "refuse_no_grant",
        ACCESS,
        &format!("{}:{service}", actor.agency_code),
        None,
        Some(detail),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
