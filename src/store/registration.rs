//! Self-service registration: an agency writes its own information systems, each write one [`Write`] (the store's one
//! write path); every row a caller can reach is found through [`owned_system`], which applies the caller's agency, so
//! no resolver can forget the tenant filter.

use entities::{
    agency,
    enums::{ApprovalState, SearchKind},
    information_system,
};
use sea_orm::{
    ActiveEnum, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, DatabaseTransaction,
    EntityTrait, QueryFilter,
};
use serde_json::json;

use super::{
    audit::Actor,
    write::{check, Versioned, Write},
    Store,
};
use crate::{
    error::{Error, Result},
    text::{clean, fold},
};

/// The audit trail's name for information systems.
pub const ENTITY: &str = "information_system";

/// A new system, validated.
pub struct NewSystem {
    pub name: String,
    pub description: Option<String>,
    pub security_level: Option<i16>,
    pub connects_lgsp: Option<bool>,
    pub processes_personal_data: Option<bool>,
}

/// Changes to a system; `None` leaves a field as it is.
#[derive(Default)]
pub struct SystemChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub connects_lgsp: Option<bool>,
    pub processes_personal_data: Option<bool>,
}

/// The caller's agency: the tenant of every write. An agency that is not in the registry may write nothing.
#[tracing::instrument(level = "debug", skip_all, fields(agency = %actor.agency_code))]
pub(super) async fn actor_agency(
    txn: &DatabaseTransaction,
    actor: &Actor,
) -> Result<agency::Model> {
    agency::Entity::find()
        .filter(agency::Column::Code.eq(actor.agency_code.clone()))
        .one(txn)
        .await?
        .ok_or_else(|| Error::forbidden("your agency is not in the registry"))
}

/// The system `code` if it belongs to `agency`; `FORBIDDEN` if it belongs to another agency.
#[tracing::instrument(level = "debug", skip_all, fields(code))]
async fn owned_system(
    txn: &DatabaseTransaction,
    agency: &agency::Model,
    code: &str,
) -> Result<information_system::Model> {
    let owned = information_system::Entity::find()
        .filter(information_system::Column::Code.eq(code))
        .filter(information_system::Column::AgencyId.eq(agency.id.clone()))
        .one(txn)
        .await?;
    if let Some(system) = owned {
        return Ok(system);
    }
    let exists = information_system::Entity::find()
        .filter(information_system::Column::Code.eq(code))
        .one(txn)
        .await?
        .is_some();
    Err(if exists {
        Error::forbidden("this information system belongs to another agency")
    } else {
        Error::not_found("information system")
    })
}

impl Versioned for information_system::Entity {
    const WHAT: &'static str = "the system";
    const AUDIT: &'static str = ENTITY;
    const VERSION: information_system::Column = information_system::Column::Version;
    const DUPLICATE: &'static str = "a system with this code was just registered: try again";

    fn key(m: &information_system::Model) -> String {
        m.code.clone()
    }

    fn version(m: &information_system::Model) -> i32 {
        m.version
    }

    fn snapshot(m: &information_system::Model) -> serde_json::Value {
        json!({
            "code": m.code, "name": m.name, "agency": m.agency_id, "description": m.description,
            "securityLevel": m.security_level, "approvedLevel": m.approved_level, "approvalState": m.approval_state.map(|s| s.to_value()),
            "decisionNumber": m.decision_number, "decisionDate": m.decision_date,
            "connectsLgsp": m.connects_lgsp, "processesPersonalData": m.processes_personal_data, "version": m.version,
        })
    }

    fn search(m: &information_system::Model) -> Option<(SearchKind, &str)> {
        Some((SearchKind::InformationSystem, &m.name))
    }
}

#[tracing::instrument(skip_all, fields(agency = %actor.agency_code))]
pub async fn register_system(
    store: &Store,
    actor: &Actor,
    new: NewSystem,
) -> Result<information_system::Model> {
    let write = Write::begin(store, actor).await?;
    let agency = actor_agency(write.txn(), actor).await?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let row = information_system::ActiveModel {
        id: NotSet,
        code: Set(format!("{}-{stamp:x}", agency.id)),
        name_folded: Set(fold(&new.name)),
        name: Set(new.name),
        agency_id: Set(Some(agency.id)),
        province_code: Set(agency.province_code),
        description: Set(new.description),
        approval_state: Set(new.security_level.map(|_| ApprovalState::Proposed)),
        approved_level: Set(None),
        security_level: Set(new.security_level),
        decision_number: Set(None),
        decision_date: Set(None),
        connects_lgsp: Set(new.connects_lgsp),
        processes_personal_data: Set(new.processes_personal_data),
        version: Set(1),
        source_file: Set(None),
        source_line: Set(None),
        source_line_end: Set(None),
        approval_printed: Set(None),
        approval_line: Set(None),
    };
    write.create("register", row).await
}

#[tracing::instrument(skip_all, fields(agency = %actor.agency_code, code))]
pub async fn update_system(
    store: &Store,
    actor: &Actor,
    code: &str,
    version: i32,
    changes: SystemChanges,
) -> Result<information_system::Model> {
    let write = Write::begin(store, actor).await?;
    let agency = actor_agency(write.txn(), actor).await?;
    let current = owned_system(write.txn(), &agency, code).await?;
    if current.approval_state == Some(ApprovalState::Retired) {
        return Err(Error::conflict(
            "the system is retired: it can no longer change",
        ));
    }
    let current = check(current, version)?;
    write
        .update(
            "update",
            current,
            |row: &mut information_system::ActiveModel| {
                if let Some(name) = changes.name {
                    row.name_folded = Set(fold(&name));
                    row.name = Set(name);
                }
                if let Some(d) = changes.description {
                    row.description = Set(Some(d));
                }
                if let Some(b) = changes.connects_lgsp {
                    row.connects_lgsp = Set(Some(b));
                }
                if let Some(b) = changes.processes_personal_data {
                    row.processes_personal_data = Set(Some(b));
                }
            },
        )
        .await
}

/// A name as stored: NFC, trimmed, whitespace collapsed; non-empty and at most 300 characters.
pub fn valid_name(field: &str, name: &str) -> Result<String> {
    let name = clean(name);
    if name.is_empty() || name.chars().count() > 300 {
        return Err(Error::bad_input(
            field,
            format!("`{field}` must have 1 to 300 characters"),
        ));
    }
    Ok(name)
}
