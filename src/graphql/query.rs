//! The root query: thin resolvers that read arguments, call the store, and wrap the rows.

use async_graphql::{Context, Object, SimpleObject, ID};
use entities::information_system;

use super::{
    connection::{connection, page_args, Conn},
    context::{principal, state},
    enums::{AgencySort, InformationSystemSort, ProjectSort},
    ids::{parse_global_id, NodeKind},
    inputs::{
        AgencyFilterInput, IndicatorFilterInput, InformationSystemFilter,
        NationalDatabaseFilterInput, PlanFilterInput, ProjectFilterInput,
    },
    prefetch::{prefetch_agencies, prefetch_projects, prefetch_systems},
    types::{
        load, Agency, Indicator, InformationSystem, NationalDatabase, Plan, Project, Province,
    },
};
use crate::{
    codes::{parse_province_code, AgencyCode},
    error::Error,
    limits::cost,
    store::{self, batch},
};

type Res<T> = async_graphql::Result<T>;

/// The caller of a request, as its token names it.
#[derive(SimpleObject)]
pub struct Viewer {
    pub subject: String,
    /// The caller's agency code (QĐ 20/2020/QĐ-TTg).
    pub agency: String,
    pub scopes: Vec<String>,
    pub province: Option<String>,
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Who is calling: null without a token (an invalid token is refused before the query runs).
    async fn viewer(&self, ctx: &Context<'_>) -> Option<Viewer> {
        principal(ctx).map(|p| Viewer {
            subject: p.subject.clone(),
            agency: p.agency.as_str().to_owned(),
            scopes: p.scopes.iter().cloned().collect(),
            province: p.province.clone(),
        })
    }

    /// All provinces (there are few).
    #[graphql(complexity = "cost::list(cost::PROVINCES, child_complexity)")]
    async fn provinces(&self, ctx: &Context<'_>) -> Res<Vec<Province>> {
        let rows = batch::all_provinces(&state(ctx)?.store.db).await?;
        Ok(rows.into_iter().map(Province::from_row).collect())
    }

    /// A province by its administrative code (2 digits).
    async fn province(&self, ctx: &Context<'_>, code: String) -> Res<Province> {
        let code = parse_province_code("code", &code)?;
        load::<Province>(ctx, &code)
            .await?
            .ok_or_else(|| Error::not_found(format!("province {code}")).into())
    }

    /// Agencies, by name.
    #[expect(
        clippy::too_many_arguments,
        reason = "a Relay connection field: its filter, order and the four page arguments are GraphQL arguments"
    )]
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        filter: Option<AgencyFilterInput>,
        #[graphql(default)] order_by: AgencySort,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Res<Conn<Agency>> {
        let st = state(ctx)?;
        let filter = filter.unwrap_or_default().into_store()?;
        let page = store::catalog::agencies(
            &st.store,
            &filter,
            order_by == AgencySort::NameDesc,
            &page_args(first, after, last, before),
        )
        .await?;
        prefetch_agencies(ctx, &page.rows).await?;
        Ok(connection(page, Agency::from_row))
    }

    /// An agency by its electronic code (QĐ 20/2020/QĐ-TTg) or by the hub's key; give exactly one.
    async fn agency(
        &self,
        ctx: &Context<'_>,
        code: Option<String>,
        key: Option<String>,
    ) -> Res<Agency> {
        let st = state(ctx)?;
        let found = match (code, key) {
            (Some(code), None) => {
                let code = AgencyCode::parse("code", &code)?;
                batch::agency_by_code(&st.store.db, code.as_str())
                    .await?
                    .map(Agency::from_row)
            }
            (None, Some(key)) => load(ctx, &key).await?,
            _ => {
                return Err(Error::bad_input("code", "give exactly one of `code` and `key`").into())
            }
        };
        found.ok_or_else(|| Error::not_found("agency").into())
    }

    /// Information systems.
    #[expect(
        clippy::too_many_arguments,
        reason = "a Relay connection field: its filter, order and the four page arguments are GraphQL arguments"
    )]
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    async fn information_systems(
        &self,
        ctx: &Context<'_>,
        filter: Option<InformationSystemFilter>,
        #[graphql(default)] order_by: InformationSystemSort,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Res<Conn<InformationSystem>> {
        let st = state(ctx)?;
        let filter = filter.unwrap_or_default().into_store()?;
        let columns = system_columns(ctx);
        let page = store::catalog::information_systems(
            &st.store,
            &filter,
            order_by.into(),
            &page_args(first, after, last, before),
            columns.as_deref(),
        )
        .await?;
        prefetch_systems(ctx, &page.rows).await?;
        Ok(connection(page, InformationSystem::from_row))
    }

    /// An information system by its global id or its code; give exactly one.
    async fn information_system(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        code: Option<String>,
    ) -> Res<InformationSystem> {
        let code = match (id, code) {
            (Some(id), None) => match parse_global_id("id", &id)? {
                (NodeKind::InformationSystem, key) => key,
                _ => {
                    return Err(
                        Error::bad_input("id", "`id` is not an information system's id").into(),
                    )
                }
            },
            (None, Some(code)) => code,
            _ => return Err(Error::bad_input("id", "give exactly one of `id` and `code`").into()),
        };
        load::<InformationSystem>(ctx, &code)
            .await?
            .ok_or_else(|| Error::not_found("information system").into())
    }

    /// Projects and budgeted tasks of the plans.
    #[expect(
        clippy::too_many_arguments,
        reason = "a Relay connection field: its filter, order and the four page arguments are GraphQL arguments"
    )]
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProjectFilterInput>,
        #[graphql(default)] order_by: ProjectSort,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Res<Conn<Project>> {
        let st = state(ctx)?;
        let filter = filter.unwrap_or_default().into_store()?;
        let page = store::catalog::projects(
            &st.store,
            &filter,
            order_by.into(),
            &page_args(first, after, last, before),
        )
        .await?;
        prefetch_projects(ctx, &page.rows).await?;
        Ok(connection(page, Project::from_row))
    }

    /// National databases and national systems, by name.
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    async fn national_databases(
        &self,
        ctx: &Context<'_>,
        filter: Option<NationalDatabaseFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Res<Conn<NationalDatabase>> {
        let st = state(ctx)?;
        let filter = filter.unwrap_or_default().into_store()?;
        let page = store::catalog::national_databases(
            &st.store,
            &filter,
            &page_args(first, after, last, before),
        )
        .await?;
        Ok(connection(page, NationalDatabase::from_row))
    }

    /// Plan targets (chỉ tiêu), in document order.
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        filter: Option<IndicatorFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Res<Conn<Indicator>> {
        let st = state(ctx)?;
        let filter = filter.unwrap_or_default().into_store()?;
        let page =
            store::catalog::indicators(&st.store, &filter, &page_args(first, after, last, before))
                .await?;
        Ok(connection(page, Indicator::from_row))
    }

    /// The source plans.
    #[graphql(complexity = "cost::page(first, last, child_complexity)")]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        filter: Option<PlanFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Res<Conn<Plan>> {
        let st = state(ctx)?;
        let province = filter.unwrap_or_default().province()?;
        let page = store::catalog::plans(
            &st.store,
            province.as_deref(),
            &page_args(first, after, last, before),
        )
        .await?;
        Ok(connection(page, Plan::from_row))
    }
}

/// The columns of `information_systems` that the nodes selected under `edges { node }` and `nodes` read, or `None`
/// (read them all) when the selection names a field this table does not know: a field added to `InformationSystem`
/// without a line here reads every column, never a null by mistake.
fn system_columns(ctx: &Context<'_>) -> Option<Vec<information_system::Column>> {
    use information_system::Column as C;
    let mut needed = Vec::new();
    for connection in ctx.look_ahead().selection_fields() {
        for part in connection.selection_set() {
            let nodes: Vec<_> = match part.name() {
                "nodes" => vec![part],
                "edges" => part
                    .selection_set()
                    .filter(|f| f.name() == "node")
                    .collect(),
                _ => continue,
            };
            for node in nodes {
                for field in node.selection_set() {
                    needed.extend_from_slice(match field.name() {
                        "__typename" | "id" | "code" | "name" | "securityLevel" | "version" => &[],
                        "province" => &[],
                        "description" => &[C::Description],
                        "approvedSecurityLevel" => &[C::ApprovedLevel],
                        "approvalState" => &[C::ApprovalState],
                        "decisionNumber" => &[C::DecisionNumber],
                        "decisionDate" => &[C::DecisionDate],
                        "approvalPrinted" => &[C::ApprovalPrinted],
                        "approvalSource" => &[C::ApprovalLine, C::SourceFile],
                        "connectsLgsp" => &[C::ConnectsLgsp],
                        "processesPersonalData" => &[C::ProcessesPersonalData],
                        "agency" => &[C::AgencyId],
                        "source" => &[C::SourceFile, C::SourceLine, C::SourceLineEnd],
                        _ => return None,
                    });
                }
            }
        }
    }
    Some(needed)
}
