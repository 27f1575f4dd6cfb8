//! The security-level workflow on stored systems: propose, appraise, approve, reject, retire.
//!
//! The caller's roles towards a system are resolved here, from the registry, never taken from the request: the
//! operator is the agency the system is registered to; the owner (chủ quản) is the People's Committee of the system's
//! province; the information-security unit is the agency of that province marked `security_unit`; the national
//! authority and the Prime Minister's office are agencies marked as such. A caller with no role towards a system
//! cannot even learn more than that it exists. [`crate::approval::AuthorityTable`] then decides.

use entities::{
    agency,
    enums::{AgencyKind, ApprovalRole},
    information_system,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::json;

use super::{
    audit::Actor,
    registration::actor_agency,
    write::{check, Write},
    Store,
};
use crate::{
    approval::{Action, Role},
    error::{Error, Result},
};

/// One step of the workflow, with what the step records.
pub enum Step {
    /// The operator proposes `level` (hồ sơ đề xuất cấp độ).
    Propose {
        level: i16,
    },
    /// The appraising authority's opinion (thẩm định, Mẫu 04).
    Appraise {
        opinion: Option<String>,
    },
    /// The approving authority's decision (phê duyệt, Mẫu 06).
    Approve {
        decision_number: Option<String>,
        decision_date: Option<String>,
    },
    Reject {
        reason: String,
    },
    Retire {
        reason: Option<String>,
    },
}

impl Step {
    fn action(&self) -> Action {
        match self {
            Step::Propose { .. } => Action::Propose,
            Step::Appraise { .. } => Action::Appraise,
            Step::Approve { .. } => Action::Approve,
            Step::Reject { .. } => Action::Reject,
            Step::Retire { .. } => Action::Retire,
        }
    }

    /// The audit trail's name of the step.
    fn audit_action(&self) -> &'static str {
        match self {
            Step::Propose { .. } => "propose_level",
            Step::Appraise { .. } => "appraise_level",
            Step::Approve { .. } => "approve_level",
            Step::Reject { .. } => "reject_level",
            Step::Retire { .. } => "retire",
        }
    }
}

/// What `agency` is towards `system`, from the registry.
pub fn roles_of(agency: &agency::Model, system: &information_system::Model) -> Vec<Role> {
    let mut roles = Vec::new();
    if system.agency_id.as_deref() == Some(agency.id.as_str()) {
        roles.push(Role::Operator);
    }
    let same_province = agency.province_code == system.province_code;
    if same_province && agency.kind == AgencyKind::UbndTinh {
        roles.push(Role::Owner);
    }
    match agency.approval_role {
        Some(ApprovalRole::SecurityUnit) if same_province => roles.push(Role::SecurityUnit),
        Some(ApprovalRole::NationalAuthority) => roles.push(Role::NationalAuthority),
        Some(ApprovalRole::PrimeMinister) => roles.push(Role::PrimeMinister),
        _ => {}
    }
    roles
}

/// The system `code` with the caller's roles towards it; `FORBIDDEN` when it has none, `NOT_FOUND` when no such
/// system exists. This is the tenant filter of the workflow: every step reaches its row through here.
#[tracing::instrument(level = "debug", skip_all, fields(code))]
async fn system_in_reach(
    txn: &DatabaseTransaction,
    agency: &agency::Model,
    code: &str,
) -> Result<(information_system::Model, Vec<Role>)> {
    let system = information_system::Entity::find()
        .filter(information_system::Column::Code.eq(code))
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("information system"))?;
    let roles = roles_of(agency, &system);
    if roles.is_empty() {
        return Err(Error::forbidden(
            "your agency has no role in the approval of this system",
        ));
    }
    Ok((system, roles))
}

/// Takes one step of the workflow on system `code`, last read at `version`, in one transaction with its audit event.
#[tracing::instrument(skip_all, fields(agency = %actor.agency_code, code, action = step.audit_action()))]
pub async fn take_step(
    store: &Store,
    actor: &Actor,
    code: &str,
    version: i32,
    step: Step,
) -> Result<information_system::Model> {
    let mut write = Write::begin(store, actor).await?;
    let agency = actor_agency(write.txn(), actor).await?;
    let (current, roles) = system_in_reach(write.txn(), &agency, code).await?;
    let current = check(current, version)?;
    let state = current.row().approval_state;
    let level = match &step {
        Step::Propose { level } => *level,
        // Retiring a system whose level was never proposed is allowed: any valid level lets the table answer.
        Step::Retire { .. } => current.row().security_level.unwrap_or(1),
        _ => current.row().security_level.ok_or_else(|| {
            Error::conflict("no security level has been proposed for this system")
        })?,
    };
    let next = store
        .authorities
        .decide(state, level, &roles, step.action())?;
    match &step {
        Step::Appraise { opinion } => write.note(json!({ "opinion": opinion })),
        Step::Reject { reason }
        | Step::Retire {
            reason: Some(reason),
        } => write.note(json!({ "reason": reason })),
        _ => {}
    }
    let action = step.audit_action();
    write
        .update(
            action,
            current,
            |row: &mut information_system::ActiveModel| {
                row.approval_state = Set(Some(next));
                match step {
                    Step::Propose { level } => {
                        row.security_level = Set(Some(level));
                        row.decision_number = Set(None);
                        row.decision_date = Set(None);
                    }
                    Step::Approve {
                        decision_number,
                        decision_date,
                    } => {
                        row.approved_level = Set(Some(level));
                        row.decision_number = Set(decision_number);
                        row.decision_date = Set(decision_date);
                    }
                    _ => {}
                }
            },
        )
        .await
}

/// The step a system waits for from the caller's agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaited {
    Appraise,
    /// Approve or reject: the same authority decides both.
    Decide,
}

/// Systems read per inbox: a province has a few hundred systems, and only those under way are read.
const INBOX_LIMIT: u64 = 500;

/// The systems under way (proposed or appraised) whose next step is the caller's agency's to take, by the authority
/// table: the approvals inbox. A caller with no approval role gets an empty list, not an error.
#[tracing::instrument(skip_all, fields(agency = %agency_code))]
pub async fn inbox(
    store: &Store,
    agency_code: &str,
) -> Result<Vec<(information_system::Model, Awaited)>> {
    use entities::enums::ApprovalState as S;
    use sea_orm::{QueryOrder, QuerySelect};
    let Some(agency) = agency::Entity::find()
        .filter(agency::Column::Code.eq(agency_code))
        .one(&store.db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let mut query = information_system::Entity::find()
        .filter(information_system::Column::ApprovalState.is_in([S::Proposed, S::Appraised]));
    // A provincial authority acts on its own province's systems only (see `roles_of`).
    if !matches!(
        agency.approval_role,
        Some(ApprovalRole::NationalAuthority | ApprovalRole::PrimeMinister)
    ) {
        query =
            query.filter(information_system::Column::ProvinceCode.eq(agency.province_code.clone()));
    }
    let systems = query
        .order_by_asc(information_system::Column::Name)
        .limit(INBOX_LIMIT)
        .all(&store.db)
        .await?;
    Ok(systems
        .into_iter()
        .filter_map(|system| {
            let (level, state) = (system.security_level?, system.approval_state?);
            let (action, awaited) = match state {
                S::Proposed => (Action::Appraise, Awaited::Appraise),
                _ => (Action::Approve, Awaited::Decide),
            };
            let roles = roles_of(&agency, &system);
            store
                .authorities
                .decide(Some(state), level, &roles, action)
                .is_ok()
                .then_some((system, awaited))
        })
        .collect())
}

/// Audit events read for one system's history.
const HISTORY_LIMIT: u64 = 200;

/// The last audit events of system `code`, oldest first, for an agency with a role towards it (its operator, the
/// province's authorities) or a caller who may read the whole audit trail (`all`). `FORBIDDEN` otherwise, as for a
/// step: the history carries who did what, which only those involved need.
#[tracing::instrument(skip_all, fields(agency = %agency_code, code))]
pub async fn history(
    store: &Store,
    agency_code: &str,
    code: &str,
    all: bool,
) -> Result<Vec<entities::audit_event::Model>> {
    use entities::audit_event;
    use sea_orm::{QueryOrder, QuerySelect};
    let system = information_system::Entity::find()
        .filter(information_system::Column::Code.eq(code))
        .one(&store.db)
        .await?
        .ok_or_else(|| Error::not_found("information system"))?;
    if !all {
        let agency = agency::Entity::find()
            .filter(agency::Column::Code.eq(agency_code))
            .one(&store.db)
            .await?
            .ok_or_else(|| Error::forbidden("your agency is not in the registry"))?;
        if roles_of(&agency, &system).is_empty() {
            return Err(Error::forbidden(
                "your agency has no role in the approval of this system",
            ));
        }
    }
    let mut events = audit_event::Entity::find()
        .filter(audit_event::Column::Entity.eq(super::registration::ENTITY))
        .filter(audit_event::Column::EntityKey.eq(code))
        .order_by_desc(audit_event::Column::Id)
        .limit(HISTORY_LIMIT)
        .all(&store.db)
        .await?;
    // The newest events are the ones kept; they read oldest first.
    events.reverse();
    Ok(events)
}
