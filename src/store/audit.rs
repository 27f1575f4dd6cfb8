//! The audit trail: every write appends an event in its own transaction ([`record`]); reading is newest first,
//! keyset-paginated, filtered by entity, agency, actor and time. The table is append-only (database triggers refuse
//! UPDATE and DELETE), and nothing here offers either.

use entities::audit_event;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, Condition, DatabaseTransaction,
};

use super::{
    logs::{newest_first, Log, TimeRange},
    page::{Page, PageArgs},
    Store,
};
use crate::error::Result;

/// Who writes: the token's subject and agency, and the request, for the audit trail.
pub struct Actor {
    pub subject: String,
    pub agency_code: String,
    pub request_id: Option<String>,
}

/// Appends the audit event of a write, inside the write's transaction; the caller hands the returned event to
/// [`Store::commit`].
#[tracing::instrument(level = "debug", skip_all, fields(action, entity, key))]
pub async fn record(
    txn: &DatabaseTransaction,
    actor: &Actor,
    action: &str,
    entity: &str,
    key: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<audit_event::Model> {
    let at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let event = audit_event::ActiveModel {
        id: NotSet,
        at_ms: Set(at_ms),
        actor: Set(actor.subject.clone()),
        agency_code: Set(actor.agency_code.clone()),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_key: Set(key.to_owned()),
        before_json: Set(before.map(|v| v.to_string())),
        after_json: Set(after.map(|v| v.to_string())),
        request_id: Set(actor.request_id.clone()),
    }
    .insert(txn)
    .await?;
    Ok(event)
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_key: Option<String>,
    pub agency_code: Option<String>,
    pub actor: Option<String>,
    pub range: TimeRange,
}

impl Log for audit_event::Entity {
    const SEQ: audit_event::Column = audit_event::Column::Id;
    const AT: audit_event::Column = audit_event::Column::AtMs;

    fn seq(m: &audit_event::Model) -> i64 {
        m.id
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn events(
    store: &Store,
    filter: &AuditFilter,
    args: &PageArgs,
) -> Result<Page<audit_event::Model>> {
    use audit_event::Column as C;
    let equal = [
        (C::Entity, &filter.entity),
        (C::EntityKey, &filter.entity_key),
        (C::AgencyCode, &filter.agency_code),
        (C::Actor, &filter.actor),
    ];
    newest_first::<audit_event::Entity>(store, Condition::all(), &equal, filter.range, args).await
}
