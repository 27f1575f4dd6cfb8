//! `NationalDatabase` and `NationalDatabaseLink`: the national databases, the hub's live connection to them, and
//! which provinces are linked to which.

use async_graphql::{Context, Object, SimpleObject, ID};
use entities::national_database_link;

use super::{
    load, rows,
    source::{Cited, Source},
    upstream::{status_of, UpstreamStatus},
    NationalDatabase, NationalDatabaseLink, Plan, Province, Res,
};
use crate::{
    auth::require_token,
    graphql::{
        context::{federation, loader},
        enums::{ConnectionStatus, NationalDatabaseKind, StatementStatus},
        ids::{global_id, NodeKind},
        loaders::One,
        lookups::{LinksOfDatabase, ProvinceByCode, StatementsOfLink},
    },
    limits::cost,
    upstream::SERVICES,
};

#[Object]
impl NationalDatabase {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::NationalDatabase, &self.0.id)
    }
    /// The hub's live connection to this database, when it federates it (any valid token; null otherwise).
    async fn upstream(&self, ctx: &Context<'_>) -> Res<Option<UpstreamStatus>> {
        require_token(ctx)?;
        let Some(service) = SERVICES.iter().find(|s| s.catalog_key == self.0.id) else {
            return Ok(None);
        };
        Ok(federation(ctx)?
            .upstreams()
            .find(|u| u.name() == service.name)
            .map(|u| status_of(u)))
    }
    async fn key(&self) -> &str {
        &self.0.id
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Owning ministry or agency, where a source states it.
    async fn owner(&self) -> Option<&str> {
        self.0.owner.as_deref()
    }
    async fn owner_note(&self) -> Option<&str> {
        self.0.owner_note.as_deref()
    }
    async fn kind(&self) -> Option<NationalDatabaseKind> {
        Some(self.0.kind.into())
    }
    /// Each plan's statement that a province is connected (or will be), with its source; and the links an
    /// administrator recorded (`recordedByAdministrator`).
    #[graphql(complexity = "cost::list(cost::PROVINCES, child_complexity)")]
    async fn links(
        &self,
        ctx: &Context<'_>,
        status: Option<ConnectionStatus>,
    ) -> Res<Vec<NationalDatabaseLink>> {
        let links = self.links_in(ctx, status).await?;
        Ok(links
            .into_iter()
            .map(NationalDatabaseLink::from_row)
            .collect())
    }
    /// Distinct provinces whose plans, or an administrator, link them to this database (connected or planned, see
    /// `links`).
    #[graphql(complexity = "cost::list(cost::PROVINCES, child_complexity)")]
    async fn connected_provinces(
        &self,
        ctx: &Context<'_>,
        status: Option<ConnectionStatus>,
    ) -> Res<Vec<Province>> {
        let links = self.links_in(ctx, status).await?;
        let mut codes: Vec<One<ProvinceByCode>> =
            links.into_iter().map(|l| One(l.province_code)).collect();
        codes.sort_by(|a, b| a.0.cmp(&b.0));
        codes.dedup();
        let found = loader(ctx)?.load_many(codes.clone()).await?;
        Ok(codes
            .into_iter()
            .filter_map(|c| found.get(&c).cloned().map(Province))
            .collect())
    }
    /// For entries a plan added: where it names the database.
    async fn source(&self) -> Option<Source> {
        self.0.source()
    }
}

impl NationalDatabase {
    /// The database's links, in `status` only when given.
    async fn links_in(
        &self,
        ctx: &Context<'_>,
        status: Option<ConnectionStatus>,
    ) -> Res<Vec<national_database_link::Model>> {
        let mut links = rows::<LinksOfDatabase>(ctx, self.0.id.clone()).await?;
        links.retain(|l| status.is_none_or(|s| ConnectionStatus::from(l.status) == s));
        Ok(links)
    }
}

/// One statement a plan makes about a link: what it says, in the plan's words, where.
#[derive(SimpleObject)]
pub struct LinkStatement {
    pub status: StatementStatus,
    pub quote: String,
    pub source: Option<Source>,
}

#[Object]
impl NationalDatabaseLink {
    /// `DISPUTED` when the plan's statements contradict each other (see `statements`), `PARTIAL` when it says the
    /// connection covers part of what it names.
    async fn status(&self) -> Option<ConnectionStatus> {
        Some(self.0.status.into())
    }
    /// Every statement the plan makes about this link, the one `quote` cites first; a link stated once has that one
    /// (none for a link an administrator recorded).
    #[graphql(complexity = "cost::list(cost::SHORT_LIST, child_complexity)")]
    async fn statements(&self, ctx: &Context<'_>) -> Res<Vec<LinkStatement>> {
        let stored = rows::<StatementsOfLink>(ctx, self.0.id).await?;
        if !stored.is_empty() {
            return Ok(stored
                .into_iter()
                .map(|s| LinkStatement {
                    status: s.status.into(),
                    source: s.source(),
                    quote: s.quote,
                })
                .collect());
        }
        let own = match self.0.status {
            entities::enums::ConnectionStatus::Connected => StatementStatus::Connected,
            entities::enums::ConnectionStatus::Planned => StatementStatus::Planned,
            entities::enums::ConnectionStatus::Partial => StatementStatus::Partial,
            // A disputed link always has its statements stored; nothing to say otherwise.
            entities::enums::ConnectionStatus::Disputed => return Ok(Vec::new()),
        };
        Ok(self
            .0
            .quote
            .clone()
            .map(|quote| LinkStatement {
                status: own,
                quote,
                source: self.0.source(),
            })
            .into_iter()
            .collect())
    }
    /// The plan's words; null for a link an administrator recorded.
    async fn quote(&self) -> Option<&str> {
        self.0.quote.as_deref()
    }
    /// The administrator's note on a link they recorded.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Whether an administrator recorded this link (`connectNationalDatabase`) rather than a plan stating it.
    async fn recorded_by_administrator(&self) -> bool {
        self.0.plan_id.is_none()
    }
    /// Version for optimistic concurrency (`connectNationalDatabase`, `disconnectNationalDatabase`).
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn national_database(&self, ctx: &Context<'_>) -> Res<Option<NationalDatabase>> {
        load(ctx, &self.0.national_database_id).await
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        load(ctx, &self.0.province_code).await
    }
    async fn plan(&self, ctx: &Context<'_>) -> Res<Option<Plan>> {
        load(ctx, self.0.plan_id.as_ref()).await
    }
    async fn source(&self) -> Option<Source> {
        self.0.source()
    }
}
