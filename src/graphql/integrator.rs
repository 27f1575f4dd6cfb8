//! Integrator tools and the personal-data access log: upstream health, connection tests, `accessLog` and "who looked
//! at this person". Thin resolvers over `federation` and `store::access_log`.

use async_graphql::{Context, Enum, InputObject, MergedObject, Object, SimpleObject};
use entities::access_log_entry;

use super::{
    connection::{connection, page_args, Conn},
    context::{caller, federation, state},
    types::upstream::{status_of, UpstreamStatus},
};
use crate::{
    access_log::verify::{verify, Verdict},
    auth::{require_scope, require_token, scope, RequireScope},
    codes::PersonalId,
    error::Error,
    federation::connection::ConnectionReport,
    limits::cost,
    store::{
        access_log::{self, AccessFilter, EntryKind},
        logs::TimeRange,
        page::PageArgs,
    },
};

#[derive(SimpleObject)]
pub struct ConnectionStep {
    /// `token` or `probe`.
    pub step: String,
    pub ok: bool,
    pub ms: f64,
    pub error: Option<String>,
    /// The error's code (`UPSTREAM_UNAVAILABLE`, `UPSTREAM_TIMEOUT`, `UPSTREAM_REJECTED`).
    pub code: Option<String>,
}

#[derive(SimpleObject)]
pub struct ConnectionTest {
    pub upstream: String,
    pub ok: bool,
    pub steps: Vec<ConnectionStep>,
    /// Whether the caller's agency holds an active data-sharing grant for this service now: without one, lookups are
    /// refused with `NO_GRANT` however well the connection works.
    pub holds_grant: bool,
}

impl From<ConnectionReport> for ConnectionTest {
    fn from(r: ConnectionReport) -> Self {
        ConnectionTest {
            holds_grant: false,
            upstream: r.upstream,
            ok: r.ok,
            steps: r
                .steps
                .into_iter()
                .map(|s| ConnectionStep {
                    step: s.step.to_owned(),
                    ok: s.ok,
                    ms: s.ms,
                    code: s.error.as_ref().map(|e| e.1.to_owned()),
                    error: s.error.map(|e| e.0),
                })
                .collect(),
        }
    }
}

/// One personal-data access: metadata only, never the data.
#[derive(SimpleObject)]
pub struct AccessLogEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub agency_code: String,
    pub purpose: String,
    pub purpose_reference: String,
    pub upstream: String,
    pub operation: String,
    /// Keyed hash of the person's identifier.
    pub subject_hash: String,
    /// The fields asked of the upstream: those returned, unless a later entry's `nothingReturnedFor` names this one.
    /// Empty on such an outcome entry.
    pub fields: Vec<String>,
    pub request_id: Option<String>,
    /// Set on an outcome entry: the `seq` of the lookup that returned nothing (no such person, or the upstream failed).
    /// The lookup's own entry is written while the upstream call is in flight, before the outcome is known.
    pub nothing_returned_for: Option<i64>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<access_log_entry::Model> for AccessLogEntry {
    fn from(m: access_log_entry::Model) -> Self {
        AccessLogEntry {
            seq: m.seq,
            at_ms: m.at_ms,
            actor: m.actor,
            agency_code: m.agency_code,
            purpose: m.purpose,
            purpose_reference: m.purpose_ref,
            upstream: m.upstream,
            operation: m.operation,
            subject_hash: m.subject_hash,
            fields: m
                .fields
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            request_id: m.request_id,
            nothing_returned_for: m.nothing_returned_for,
            prev_hash: m.prev_hash,
            hash: m.hash,
        }
    }
}

/// The kinds of access-log entry.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AccessLogEntryKind {
    /// A lookup: what was asked of a national database, about whom and why (`nothingReturnedFor` is null).
    Lookup,
    /// The entry saying that a lookup returned nothing (no such person, or the upstream failed); it names the
    /// lookup's entry in `nothingReturnedFor`.
    NothingReturned,
}

impl From<AccessLogEntryKind> for EntryKind {
    fn from(kind: AccessLogEntryKind) -> Self {
        match kind {
            AccessLogEntryKind::Lookup => EntryKind::Lookup,
            AccessLogEntryKind::NothingReturned => EntryKind::NothingReturned,
        }
    }
}

#[derive(InputObject, Default)]
pub struct AccessLogFilterInput {
    /// Only entries of this kind (both when absent): `LOOKUP` counts the lookups themselves.
    pub kind: Option<AccessLogEntryKind>,
    pub agency_code: Option<String>,
    pub actor: Option<String>,
    pub upstream: Option<String>,
    /// A `LegalPurpose` value, e.g. `PUBLIC_SERVICE`.
    pub purpose: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

/// The verdict of a walk over the whole access-log chain.
#[derive(SimpleObject)]
pub struct AccessLogVerification {
    /// Every entry checks out: sequence without gaps, each linked to the one before, each hash recomputed under the
    /// key, and the head naming the last entry.
    pub intact: bool,
    /// Entries checked (when intact).
    pub entries: Option<i64>,
    /// The last entry's hash (when intact): compare it with the head hashes the hub logs, the external anchor.
    pub head_hash: Option<String>,
    /// Where the chain first breaks (when not intact).
    pub broken_at: Option<i64>,
    /// Why it breaks there.
    pub reason: Option<String>,
}

impl From<Verdict> for AccessLogVerification {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Intact { entries, head_hash } => AccessLogVerification {
                intact: true,
                entries: Some(entries),
                head_hash: Some(head_hash),
                broken_at: None,
                reason: None,
            },
            Verdict::Broken { seq, reason } => AccessLogVerification {
                intact: false,
                entries: None,
                head_hash: None,
                broken_at: Some(seq),
                reason: Some(reason),
            },
        }
    }
}

/// The integrators' root fields: the upstreams (any valid token) and the access log (scope `audit:read`).
#[derive(MergedObject, Default)]
pub struct IntegratorQuery(UpstreamQuery, AccessLogQuery);

#[derive(Default)]
pub struct UpstreamQuery;

#[Object]
impl UpstreamQuery {
    /// Every configured national database with its health and circuit (any valid token).
    #[graphql(complexity = "cost::list(cost::SHORT_LIST, child_complexity)")]
    async fn upstreams(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<UpstreamStatus>> {
        require_token(ctx)?;
        Ok(federation(ctx)?.upstreams().map(|u| status_of(u)).collect())
    }
}

/// The personal-data access log: every field of it needs `audit:read`, so the guard is the object's.
#[derive(Default)]
pub struct AccessLogQuery;

#[Object(guard = "RequireScope(scope::AUDIT_READ)")]
impl AccessLogQuery {
    /// The personal-data access log, newest first (scope `audit:read`).
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AccessLogFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<AccessLogEntry>> {
        let f = filter.unwrap_or_default();
        let filter = AccessFilter {
            kind: f.kind.map(EntryKind::from),
            range: TimeRange::new(f.since_ms, f.until_ms)?,
            agency_code: f.agency_code,
            actor: f.actor,
            upstream: f.upstream,
            purpose: f.purpose,
            subject_hash: None,
        };
        entries(ctx, &filter, page_args(first, after, last, before)).await
    }

    /// Walks the whole chain now and says whether it is intact (scope `audit:read`), as `lgsp-hub audit verify`
    /// does: reads every entry, so it costs like a heavy query.
    #[graphql(complexity = "cost::page(Some(1000), None, child_complexity)")]
    async fn access_log_verification(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<AccessLogVerification> {
        let keys = federation(ctx)?.access_log.keys();
        let verdict = verify(&state(ctx)?.store.db, keys)
            .await
            .map_err(Error::from)?;
        Ok(verdict.into())
    }

    /// Who looked at the person with this personal identification number, newest first (scope `audit:read`). The
    /// number is hashed with the log's key and never stored.
    #[graphql(complexity = "cost::page(first, None, child_complexity)")]
    async fn personal_data_accesses(
        &self,
        ctx: &Context<'_>,
        personal_id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<AccessLogEntry>> {
        let id = PersonalId::parse("personalId", &personal_id)?;
        let filter = AccessFilter {
            subject_hash: Some(
                federation(ctx)?
                    .access_log
                    .keys()
                    .subject_hash("citizen", id.as_str()),
            ),
            ..Default::default()
        };
        entries(ctx, &filter, page_args(first, after, None, None)).await
    }
}

/// A page of the access log's entries under `filter`, as a connection.
async fn entries(
    ctx: &Context<'_>,
    filter: &AccessFilter,
    page: PageArgs,
) -> async_graphql::Result<Conn<AccessLogEntry>> {
    let page = access_log::entries(&state(ctx)?.store, filter, &page).await?;
    Ok(connection(page, AccessLogEntry::from))
}

#[derive(Default)]
pub struct IntegratorMutation;

#[Object]
impl IntegratorMutation {
    /// Fetches a token from the upstream and makes one authenticated probe call, timing each step, and says whether
    /// the caller's agency holds a data-sharing grant for it (scope `upstream:<name>:read`).
    #[graphql(complexity = "cost::lookup(child_complexity)")]
    async fn test_upstream_connection(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<ConnectionTest> {
        require_scope(ctx, &format!("upstream:{name}:read"))?;
        let federation = federation(ctx)?;
        let caller = caller(ctx)?;
        let mut test = federation
            .test_connection(&name, caller)
            .await
            .map(ConnectionTest::from)
            .ok_or_else(|| Error::not_found(format!("upstream `{name}`")))?;
        test.holds_grant = federation.holds_grant(&caller.agency, &name).await?;
        Ok(test)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::{
        auth::Principal,
        codes::AgencyCode,
        graphql::{build_schema, SchemaOptions},
    };

    /// The `extensions.code` of each error of `query`, run as `principal`.
    async fn codes(query: &str, principal: Option<Principal>) -> Vec<String> {
        let mut request = async_graphql::Request::new(query);
        if let Some(p) = principal {
            request = request.data(p);
        }
        let response = build_schema(None, SchemaOptions::default())
            .execute(request)
            .await;
        response
            .errors
            .iter()
            .map(
                |e| match e.extensions.as_ref().and_then(|x| x.get("code")) {
                    Some(async_graphql::Value::String(code)) => code.clone(),
                    other => format!("{other:?}"),
                },
            )
            .collect()
    }

    #[tokio::test]
    async fn every_access_log_field_needs_audit_read() {
        let officer = Principal {
            subject: "officer".into(),
            agency: AgencyCode::parse("agency", "000.00.00.H48").expect("agency code"),
            scopes: BTreeSet::from(["upstream:population:read".to_owned()]),
            province: None,
        };
        for query in [
            "{ accessLog { totalCount } }",
            r#"{ personalDataAccesses(personalId: "001203004567") { totalCount } }"#,
        ] {
            assert_eq!(codes(query, None).await, ["UNAUTHENTICATED"], "{query}");
            assert_eq!(
                codes(query, Some(officer.clone())).await,
                ["FORBIDDEN"],
                "{query}"
            );
        }
    }
}
