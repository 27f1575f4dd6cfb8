//! Self-service registration: an agency writes its own information systems. Every write is one transaction that also
//! appends its audit event; every row a caller can reach is found through [`owned_system`], which applies the caller's
//! agency, so no resolver can forget the tenant filter.

use entities::{agency, information_system, search_entry};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, TransactionTrait,
};
use serde_json::json;

use super::{
    audit::{record, Actor},
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

pub(super) fn snapshot(m: &information_system::Model) -> serde_json::Value {
    json!({
        "code": m.code, "name": m.name, "agency": m.agency_id, "description": m.description,
        "securityLevel": m.security_level, "approvedLevel": m.approved_level, "approvalState": m.approval_state,
        "decisionNumber": m.decision_number, "decisionDate": m.decision_date,
        "connectsLgsp": m.connects_lgsp, "processesPersonalData": m.processes_personal_data, "version": m.version,
    })
}

#[tracing::instrument(skip_all, fields(agency = %actor.agency_code))]
pub async fn register_system(
    store: &Store,
    actor: &Actor,
    new: NewSystem,
) -> Result<information_system::Model> {
    let txn = store.db.begin().await?;
    let agency = actor_agency(&txn, actor).await?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let code = format!("{}-{stamp:x}", agency.id);
    let model = information_system::ActiveModel {
        id: NotSet,
        code: Set(code.clone()),
        name_folded: Set(fold(&new.name)),
        name: Set(new.name.clone()),
        agency_id: Set(Some(agency.id.clone())),
        province_code: Set(agency.province_code.clone()),
        description: Set(new.description),
        approval_state: Set(new.security_level.map(|_| "proposed".to_owned())),
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
    }
    .insert(&txn)
    .await?;
    search_entry::ActiveModel {
        id: NotSet,
        kind: Set("INFORMATION_SYSTEM".into()),
        node_key: Set(code.clone()),
        title: Set(model.name.clone()),
        folded: Set(fold(&model.name)),
    }
    .insert(&txn)
    .await?;
    let event = record(
        &txn,
        actor,
        "register",
        ENTITY,
        &code,
        None,
        Some(snapshot(&model)),
    )
    .await?;
    store.commit(txn, &[event]).await?;
    Ok(model)
}

#[tracing::instrument(skip_all, fields(agency = %actor.agency_code, code))]
pub async fn update_system(
    store: &Store,
    actor: &Actor,
    code: &str,
    version: i32,
    changes: SystemChanges,
) -> Result<information_system::Model> {
    let txn = store.db.begin().await?;
    let agency = actor_agency(&txn, actor).await?;
    let current = owned_system(&txn, &agency, code).await?;
    if current.approval_state.as_deref() == Some("retired") {
        return Err(Error::conflict(
            "the system is retired: it can no longer change",
        ));
    }
    super::expect_version("the system", version, current.version)?;
    let before = snapshot(&current);
    let mut row: information_system::ActiveModel = current.into();
    if let Some(name) = &changes.name {
        row.name = Set(name.clone());
        row.name_folded = Set(fold(name));
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
    row.version = Set(version + 1);
    // The version in the WHERE clause closes the race between the read above and this write.
    let updated = information_system::Entity::update_many()
        .set(row)
        .filter(information_system::Column::Code.eq(code))
        .filter(information_system::Column::Version.eq(version))
        .exec_with_returning(&txn)
        .await?;
    let Some(updated) = updated.into_iter().next() else {
        return Err(Error::conflict(
            "the system changed concurrently: read it again",
        ));
    };
    if let Some(name) = &changes.name {
        search_entry::Entity::update_many()
            .col_expr(
                search_entry::Column::Title,
                sea_orm::sea_query::Expr::value(name.clone()),
            )
            .col_expr(
                search_entry::Column::Folded,
                sea_orm::sea_query::Expr::value(fold(name)),
            )
            .filter(search_entry::Column::Kind.eq("INFORMATION_SYSTEM"))
            .filter(search_entry::Column::NodeKey.eq(code))
            .exec(&txn)
            .await?;
    }
    let event = record(
        &txn,
        actor,
        "update",
        ENTITY,
        code,
        Some(before),
        Some(snapshot(&updated)),
    )
    .await?;
    store.commit(txn, &[event]).await?;
    Ok(updated)
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
