//! The root query: thin resolvers that read arguments, call the store, and wrap the rows.

use async_graphql::{Context, Interface, Object, SimpleObject, ID};

use super::{
    connection::{connection, page_args, Conn},
    context::{loader, principal, state, RequestLoader},
    enums::{AgencySort, InformationSystemSort, MatchRank, ProjectSort, SearchKind},
    ids::{parse_global_id, NodeKind},
    inputs::*,
    loaders::Catalog,
    loaders::*,
    types::*,
};
use crate::{
    codes::{parse_province_code, AgencyCode},
    error::Error,
    store::{
        self, batch,
        catalog::{ProjectSort as StoreProjectSort, SystemSort},
        search::MatchRank as StoreRank,
    },
};

type Res<T> = async_graphql::Result<T>;

/// Longest search text: longer ones are not names of anything in the registries.
const MAX_SEARCH_TEXT: usize = 200;

/// Which nested fields a connection's selection asks for, under `edges { node }` or `nodes`.
struct Wants<'a>(Vec<async_graphql::Lookahead<'a>>);

impl<'a> Wants<'a> {
    fn of(ctx: &'a Context<'a>) -> Self {
        let look = ctx.look_ahead();
        Wants(vec![look.field("edges").field("node"), look.field("nodes")])
    }

    fn has(&self, path: &[&str]) -> bool {
        self.0.iter().any(|l| {
            let Some((first, rest)) = path.split_first() else {
                return false;
            };
            rest.iter().fold(l.field(first), |l, f| l.field(f)).exists()
        })
    }
}

/// Loads `keys` at once, without the loader's batching window, and feeds the request's loader cache, so that the
/// nested resolvers that ask for them one by one answer from the cache at once.
async fn prefetch_many<K, V>(
    loader: &RequestLoader,
    keys: impl IntoIterator<Item = K>,
) -> Res<std::collections::HashMap<K, V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Catalog: async_graphql::dataloader::Loader<K, Value = V, Error = async_graphql::Error>,
{
    use async_graphql::dataloader::Loader;
    let mut keys: Vec<K> = keys.into_iter().collect();
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    keys.retain(|k| seen.insert(k.clone()));
    if keys.is_empty() {
        return Ok(Default::default());
    }
    let found = loader.loader().load(&keys).await?;
    loader.feed_many(found.clone()).await;
    Ok(found)
}

/// As [`prefetch_many`], for loaders of lists: a key with no rows is cached as an empty list, not asked again.
async fn prefetch_lists<K, V>(loader: &RequestLoader, keys: impl IntoIterator<Item = K>) -> Res<()>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Catalog: async_graphql::dataloader::Loader<K, Value = Vec<V>, Error = async_graphql::Error>,
{
    let keys: Vec<K> = keys.into_iter().collect();
    let found = prefetch_many(loader, keys.iter().cloned()).await?;
    let empty = keys
        .into_iter()
        .filter(|k| !found.contains_key(k))
        .map(|k| (k, Vec::new()));
    loader.feed_many(empty).await;
    Ok(())
}

/// Loads, into the request's loader cache, the owning agencies of a page (under `agency_field`), their provinces when
/// the selection asks for them, and the rows' own provinces: one statement per level. The nested resolvers then read
/// the cache, so the statement count of a page is fixed whatever its size.
async fn prefetch_agencies_and_provinces(
    ctx: &Context<'_>,
    wants: &Wants<'_>,
    agency_field: &str,
    agencies: impl FnOnce() -> Vec<AgencyKey>,
    provinces: impl FnOnce() -> Vec<ProvinceKey>,
) -> Res<()> {
    let loader = loader(ctx)?;
    let mut province_keys: Vec<ProvinceKey> = Vec::new();
    if wants.has(&[agency_field]) {
        let found = prefetch_many(loader, agencies()).await?;
        if wants.has(&[agency_field, "province"]) {
            province_keys.extend(found.values().map(|a| ProvinceKey(a.province_code.clone())));
        }
    }
    if wants.has(&["province"]) {
        province_keys.extend(provinces());
    }
    if !province_keys.is_empty() {
        prefetch_many(loader, province_keys).await?;
    }
    Ok(())
}

async fn prefetch_systems(
    ctx: &Context<'_>,
    page: &[(String, entities::information_system::Model)],
) -> Res<()> {
    let rows = page.iter().map(|(_, m)| m);
    let wants = Wants::of(ctx);
    // Keys are collected only for the levels the selection asks for.
    let agencies = || {
        rows.clone()
            .filter_map(|r| r.agency_id.clone().map(AgencyKey))
            .collect()
    };
    let provinces = || {
        rows.clone()
            .map(|r| ProvinceKey(r.province_code.clone()))
            .collect()
    };
    prefetch_agencies_and_provinces(ctx, &wants, "agency", agencies, provinces).await
}

async fn prefetch_projects(
    ctx: &Context<'_>,
    page: &[(String, entities::project::Model)],
) -> Res<()> {
    let rows = page.iter().map(|(_, m)| m);
    let wants = Wants::of(ctx);
    let agencies = || {
        rows.clone()
            .filter_map(|r| r.lead_agency_id.clone().map(AgencyKey))
            .collect()
    };
    let provinces = || {
        rows.clone()
            .map(|r| ProvinceKey(r.province_code.clone()))
            .collect()
    };
    prefetch_agencies_and_provinces(ctx, &wants, "leadAgency", agencies, provinces).await?;
    let loader = loader(ctx)?;
    if wants.has(&["plan"]) {
        prefetch_many(loader, rows.clone().map(|r| PlanKey(r.plan_id.clone()))).await?;
    }
    if wants.has(&["budget"])
        || wants.has(&["budgetSumMillionVnd"])
        || wants.has(&["totalMatchesBudget"])
    {
        prefetch_lists(loader, rows.clone().map(|r| BudgetOfProject(r.id))).await?;
    }
    Ok(())
}

/// Provinces and parents of a page of agencies, as [`prefetch_agencies_and_provinces`] does for systems.
async fn prefetch_agencies(
    ctx: &Context<'_>,
    page: &[(String, entities::agency::Model)],
) -> Res<()> {
    let rows = page.iter().map(|(_, m)| m);
    let wants = Wants::of(ctx);
    let loader = loader(ctx)?;
    if wants.has(&["province"]) {
        prefetch_many(
            loader,
            rows.clone().map(|r| ProvinceKey(r.province_code.clone())),
        )
        .await?;
    }
    if wants.has(&["parent"]) {
        prefetch_many(
            loader,
            rows.clone()
                .filter_map(|r| r.parent_id.clone().map(AgencyKey)),
        )
        .await?;
    }
    Ok(())
}

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Province(Province),
    Plan(Plan),
    Agency(Agency),
    InformationSystem(InformationSystem),
    Project(Project),
    NationalDatabase(NationalDatabase),
    Indicator(Indicator),
}

/// One search result.
pub struct SearchHit {
    kind: SearchKind,
    title: String,
    rank: MatchRank,
    key: String,
}

#[Object]
impl SearchHit {
    async fn kind(&self) -> SearchKind {
        self.kind
    }
    /// The title as stored (NFC).
    async fn title(&self) -> &str {
        &self.title
    }
    async fn rank(&self) -> MatchRank {
        self.rank
    }
    /// The object found; the hits of a page load together, one statement per kind.
    async fn node(&self, ctx: &Context<'_>) -> Res<Option<Node>> {
        load_node(ctx, search_kind_to_node(self.kind), self.key.clone()).await
    }
}

/// Loads the node a kind and key name; `None` when it does not exist.
async fn load_node(ctx: &Context<'_>, kind: NodeKind, key: String) -> Res<Option<Node>> {
    let loader = &loader(ctx)?;
    Ok(match kind {
        NodeKind::Province => loader
            .load_one(ProvinceKey(key))
            .await?
            .map(|m| Node::Province(Province(m))),
        NodeKind::Plan => loader
            .load_one(PlanKey(key))
            .await?
            .map(|m| Node::Plan(Plan(m))),
        NodeKind::Agency => loader
            .load_one(AgencyKey(key))
            .await?
            .map(|m| Node::Agency(Agency(m))),
        NodeKind::InformationSystem => loader
            .load_one(SystemCode(key))
            .await?
            .map(|m| Node::InformationSystem(InformationSystem(m))),
        NodeKind::Project => loader
            .load_one(ProjectKey(key))
            .await?
            .map(|m| Node::Project(Project(m))),
        NodeKind::NationalDatabase => loader
            .load_one(DatabaseKey(key))
            .await?
            .map(|m| Node::NationalDatabase(NationalDatabase(m))),
        NodeKind::Indicator => loader
            .load_one(IndicatorKey(key))
            .await?
            .map(|m| Node::Indicator(Indicator(m))),
    })
}

fn search_kind_to_node(kind: SearchKind) -> NodeKind {
    match kind {
        SearchKind::Province => NodeKind::Province,
        SearchKind::Plan => NodeKind::Plan,
        SearchKind::Agency => NodeKind::Agency,
        SearchKind::InformationSystem => NodeKind::InformationSystem,
        SearchKind::Project => NodeKind::Project,
        SearchKind::NationalDatabase => NodeKind::NationalDatabase,
        SearchKind::Indicator => NodeKind::Indicator,
    }
}

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
    #[graphql(
        complexity = "crate::limits::cost::list(crate::limits::cost::PROVINCES, child_complexity)"
    )]
    async fn provinces(&self, ctx: &Context<'_>) -> Res<Vec<Province>> {
        let rows = batch::all_provinces(&state(ctx)?.store.db).await?;
        Ok(rows.into_iter().map(Province).collect())
    }

    /// A province by its administrative code (2 digits).
    async fn province(&self, ctx: &Context<'_>, code: String) -> Res<Province> {
        let code = parse_province_code("code", &code)?;
        loader(ctx)?
            .load_one(ProvinceKey(code.clone()))
            .await?
            .map(Province)
            .ok_or_else(|| Error::not_found(format!("province {code}")).into())
    }

    /// Agencies, by name.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::limits::cost::page(first, last, child_complexity)")]
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
        Ok(connection(page, Agency))
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
                batch::agency_by_code(&st.store.db, code.as_str()).await?
            }
            (None, Some(key)) => loader(ctx)?.load_one(AgencyKey(key)).await?,
            _ => {
                return Err(Error::bad_input("code", "give exactly one of `code` and `key`").into())
            }
        };
        found
            .map(Agency)
            .ok_or_else(|| Error::not_found("agency").into())
    }

    /// Information systems.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::limits::cost::page(first, last, child_complexity)")]
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
        let sort = match order_by {
            InformationSystemSort::NameAsc => SystemSort::NameAsc,
            InformationSystemSort::NameDesc => SystemSort::NameDesc,
            InformationSystemSort::SecurityLevelAsc => SystemSort::SecurityLevelAsc,
            InformationSystemSort::SecurityLevelDesc => SystemSort::SecurityLevelDesc,
        };
        let page = store::catalog::information_systems(
            &st.store,
            &filter,
            sort,
            &page_args(first, after, last, before),
        )
        .await?;
        prefetch_systems(ctx, &page.rows).await?;
        Ok(connection(page, InformationSystem))
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
        loader(ctx)?
            .load_one(SystemCode(code))
            .await?
            .map(InformationSystem)
            .ok_or_else(|| Error::not_found("information system").into())
    }

    /// Projects and budgeted tasks of the plans.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::limits::cost::page(first, last, child_complexity)")]
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
        let sort = match order_by {
            ProjectSort::DocumentOrder => StoreProjectSort::DocumentOrder,
            ProjectSort::NameAsc => StoreProjectSort::NameAsc,
            ProjectSort::TotalAsc => StoreProjectSort::TotalAsc,
            ProjectSort::TotalDesc => StoreProjectSort::TotalDesc,
        };
        let page = store::catalog::projects(
            &st.store,
            &filter,
            sort,
            &page_args(first, after, last, before),
        )
        .await?;
        prefetch_projects(ctx, &page.rows).await?;
        Ok(connection(page, Project))
    }

    /// National databases and national systems, by name.
    #[graphql(complexity = "crate::limits::cost::page(first, last, child_complexity)")]
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
        Ok(connection(page, NationalDatabase))
    }

    /// Plan targets (chỉ tiêu), in document order.
    #[graphql(complexity = "crate::limits::cost::page(first, last, child_complexity)")]
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
        Ok(connection(page, Indicator))
    }

    /// The source plans.
    #[graphql(complexity = "crate::limits::cost::page(first, last, child_complexity)")]
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
        Ok(connection(page, Plan))
    }

    /// Any object by its global id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Res<Node> {
        let (kind, key) = parse_global_id("id", &id)?;
        load_node(ctx, kind, key)
            .await?
            .ok_or_else(|| Error::not_found(kind.as_str()).into())
    }

    /// Ranked search across all registries: exact matches, then prefix, then substring; with or without diacritics
    /// and in any case (`ha tinh`, `HA TINH` and `Hà Tĩnh` all find Hà Tĩnh).
    #[graphql(complexity = "crate::limits::cost::search(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        #[graphql(default = 20)] first: i32,
    ) -> Res<Vec<SearchHit>> {
        let st = state(ctx)?;
        let first = usize::try_from(first).unwrap_or(0);
        let text = crate::text::clean(&text);
        if text.chars().count() > MAX_SEARCH_TEXT {
            return Err(Error::bad_input(
                "text",
                format!("`text` must be at most {MAX_SEARCH_TEXT} characters"),
            )
            .into());
        }
        let hits = store::search::search(&st.store.db, &text, first).await?;
        let mut out = Vec::with_capacity(hits.len());
        for hit in hits {
            let Some(kind) = SearchKind::from_db(&hit.entry.kind) else {
                continue;
            };
            out.push(SearchHit {
                key: hit.entry.node_key,
                kind,
                title: hit.entry.title,
                rank: match hit.rank {
                    StoreRank::Exact => MatchRank::Exact,
                    StoreRank::Prefix => MatchRank::Prefix,
                    StoreRank::Substring => MatchRank::Substring,
                },
            });
        }
        Ok(out)
    }
}
