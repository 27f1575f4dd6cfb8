//! Live updates: subscriptions over the change events of `crate::events` (served on `/graphql/ws`).
//!
//! Events say only what happened to which row; the row itself is read from the database when the event arrives, so a
//! subscriber sees what a query would return then, through the same `types::InformationSystem` (and its field guards).
//! A subscriber that falls more than the channel's capacity behind skips the events it missed, rather than losing its
//! stream.

use async_graphql::{Context, Enum, SimpleObject, Subscription};
use entities::information_system;
use futures_util::{stream, Stream};
use tokio::sync::broadcast::error::RecvError;

use super::{context::state, types::InformationSystem};
use crate::{
    auth::{scope, RequireScope},
    codes::parse_province_code,
    events::ChangeEvent,
    store::{batch, registration::ENTITY, Store},
};

/// A committed change to an information system.
#[derive(SimpleObject)]
pub struct InformationSystemChange {
    /// `register`, `update`, `retire`, `propose_level`, `appraise_level`, `approve_level`, `reject_level`.
    pub action: String,
    /// The audit event that recorded the write (see `auditEvents`).
    pub audit_event_id: i64,
    /// When the write was recorded, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The system as it is when the event is delivered.
    pub system: InformationSystem,
}

/// The outcome of a security-level decision (phê duyệt cấp độ).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelDecision {
    Approved,
    Rejected,
}

/// A decision on a system's security level.
#[derive(SimpleObject)]
pub struct SecurityLevelDecision {
    pub decision: LevelDecision,
    /// The level decided on: the approved level, or the proposed level that was rejected.
    pub security_level: Option<i32>,
    pub audit_event_id: i64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The system as it is when the event is delivered.
    pub system: InformationSystem,
}

/// Which systems a subscriber wants: the catalog filters' names and identifiers.
#[derive(Default)]
struct SystemScope {
    agency_key: Option<String>,
    province_code: Option<String>,
}

impl SystemScope {
    fn admits(&self, system: &information_system::Model) -> bool {
        self.agency_key
            .as_ref()
            .is_none_or(|key| system.agency_id.as_ref() == Some(key))
            && self
                .province_code
                .as_ref()
                .is_none_or(|code| &system.province_code == code)
    }
}

/// This process's information-system events whose action is in `actions` (all when `None`) and whose system is in
/// `scope`, each with its system read fresh. Events of a system that cannot be read are skipped (and logged).
fn system_events(
    store: Store,
    actions: Option<&'static [&'static str]>,
    scope: SystemScope,
) -> impl Stream<Item = (ChangeEvent, information_system::Model)> + Send + 'static {
    let receiver = store.events.subscribe();
    stream::unfold(
        (receiver, store, scope),
        move |(mut receiver, store, scope)| async move {
            loop {
                let event = match receiver.recv().await {
                    Ok(event) => event,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(
                            missed,
                            "a subscriber fell behind and skips the events it missed"
                        );
                        continue;
                    }
                    Err(RecvError::Closed) => return None,
                };
                if event.entity != ENTITY
                    || actions.is_some_and(|a| !a.contains(&event.action.as_str()))
                {
                    continue;
                }
                let system = match batch::by_column::<information_system::Entity, _>(
                    &store.db,
                    information_system::Column::Code,
                    [event.entity_key.clone()],
                    &[],
                )
                .await
                {
                    Ok(rows) => rows.into_iter().next(),
                    Err(err) => {
                        tracing::warn!(error = ?err, audit_id = event.audit_id, "cannot read the system of an event");
                        None
                    }
                };
                match system {
                    Some(system) if scope.admits(&system) => {
                        return Some(((event, system), (receiver, store, scope)))
                    }
                    Some(_) => {}
                    None => tracing::debug!(
                        audit_id = event.audit_id,
                        "skipped the event of a system that is gone"
                    ),
                }
            }
        },
    )
}

fn province(code: Option<String>) -> async_graphql::Result<Option<String>> {
    Ok(code
        .map(|c| parse_province_code("provinceCode", &c))
        .transpose()?)
}

#[derive(Default)]
pub struct ChangeSubscription;

#[Subscription]
impl ChangeSubscription {
    /// Information systems as they are registered, updated, retired and go through the level workflow (scope
    /// `catalog:read`). Optionally only those of one owner agency (its key) or one province (2-digit code).
    #[graphql(guard = "RequireScope(scope::CATALOG_READ)")]
    async fn information_system_changed(
        &self,
        ctx: &Context<'_>,
        agency_key: Option<String>,
        province_code: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = InformationSystemChange>> {
        let scope = SystemScope {
            agency_key,
            province_code: province(province_code)?,
        };
        let events = system_events(state(ctx)?.store.clone(), None, scope);
        Ok(stream::StreamExt::map(events, |(event, system)| {
            InformationSystemChange {
                action: event.action,
                audit_event_id: event.audit_id,
                at_ms: event.at_ms,
                system: InformationSystem::from_row(system),
            }
        }))
    }

    /// Security levels as they are approved or rejected (scope `catalog:read`); optionally in one province only.
    #[graphql(guard = "RequireScope(scope::CATALOG_READ)")]
    async fn security_level_decided(
        &self,
        ctx: &Context<'_>,
        province_code: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = SecurityLevelDecision>> {
        let scope = SystemScope {
            agency_key: None,
            province_code: province(province_code)?,
        };
        let actions: &'static [&'static str] = &["approve_level", "reject_level"];
        let store = state(ctx)?.store.clone();
        let events = system_events(store.clone(), Some(actions), scope);
        Ok(stream::StreamExt::then(events, move |(event, system)| {
            let store = store.clone();
            async move {
                // The level decided is the one the decision's audit event recorded: the system itself may have moved on
                // (a new proposal) by the time the event is delivered.
                let approved = event.action == "approve_level";
                let recorded = decided_level(&store, event.audit_id, approved).await;
                let (decision, level) = if approved {
                    (
                        LevelDecision::Approved,
                        recorded.or(system.approved_level).or(system.security_level),
                    )
                } else {
                    (LevelDecision::Rejected, recorded.or(system.security_level))
                };
                SecurityLevelDecision {
                    decision,
                    security_level: level.map(i32::from),
                    audit_event_id: event.audit_id,
                    at_ms: event.at_ms,
                    system: InformationSystem::from_row(system),
                }
            }
        }))
    }
}

/// The level a decision's audit event recorded: `approvedLevel` after an approval, `securityLevel` after a rejection.
async fn decided_level(store: &crate::store::Store, audit_id: i64, approved: bool) -> Option<i16> {
    use sea_orm::EntityTrait;
    let event = entities::audit_event::Entity::find_by_id(audit_id)
        .one(&store.db)
        .await
        .ok()??;
    let after: serde_json::Value = serde_json::from_str(event.after_json.as_deref()?).ok()?;
    let key = if approved {
        "approvedLevel"
    } else {
        "securityLevel"
    };
    after.get(key)?.as_i64().and_then(|l| i16::try_from(l).ok())
}
