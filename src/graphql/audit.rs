//! The audit trail as a connection, for callers with `audit:read`.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use entities::audit_event;

use super::{
    connection::{connection, page_args, Conn},
    context::state,
};
use crate::{
    auth::{scope, RequireScope},
    store::{
        audit::{self, AuditFilter},
        logs::TimeRange,
    },
};

/// One write, as the audit trail recorded it.
#[derive(SimpleObject)]
pub struct AuditEvent {
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The token's subject.
    pub actor: String,
    /// The actor's agency code.
    pub agency_code: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    /// The row before the write, as JSON (null for a creation).
    pub before_json: Option<String>,
    /// The row after the write, as JSON.
    pub after_json: Option<String>,
    pub request_id: Option<String>,
}

impl From<audit_event::Model> for AuditEvent {
    fn from(m: audit_event::Model) -> Self {
        AuditEvent {
            id: m.id,
            at_ms: m.at_ms,
            actor: m.actor,
            agency_code: m.agency_code,
            action: m.action,
            entity: m.entity,
            entity_key: m.entity_key,
            before_json: m.before_json,
            after_json: m.after_json,
            request_id: m.request_id,
        }
    }
}

#[derive(InputObject, Default)]
pub struct AuditFilterInput {
    /// e.g. `information_system`.
    pub entity: Option<String>,
    pub entity_key: Option<String>,
    pub agency_code: Option<String>,
    pub actor: Option<String>,
    /// From this time (ms since the epoch), inclusive.
    pub since_ms: Option<i64>,
    /// Until this time (ms since the epoch), exclusive.
    pub until_ms: Option<i64>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, newest first (scope `audit:read`).
    #[graphql(
        complexity = "crate::limits::cost::page(first, last, child_complexity)",
        guard = "RequireScope(scope::AUDIT_READ)"
    )]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<AuditEvent>> {
        let f = filter.unwrap_or_default();
        let filter = AuditFilter {
            range: TimeRange::new(f.since_ms, f.until_ms)?,
            entity: f.entity,
            entity_key: f.entity_key,
            agency_code: f.agency_code,
            actor: f.actor,
        };
        let page = audit::events(
            &state(ctx)?.store,
            &filter,
            &page_args(first, after, last, before),
        )
        .await?;
        Ok(connection(page, AuditEvent::from))
    }
}
