//! Global lookups: the `Node` interface and `node(id)`, and ranked `search` across all registries with its
//! `SearchHit`s, each of which loads its object as a node.

use async_graphql::{Context, Interface, Object, ID};

use super::{
    context::state,
    enums::{MatchRank, SearchKind},
    ids::{parse_global_id, NodeKind},
    types::{
        load, Agency, Indicator, InformationSystem, NationalDatabase, Plan, Project, Province,
    },
};
use crate::{error::Error, store};

type Res<T> = async_graphql::Result<T>;

/// Longest search text: longer ones are not names of anything in the registries.
const MAX_SEARCH_TEXT: usize = 200;

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

/// Loads the node a kind and key name; `None` when it does not exist.
async fn load_node(ctx: &Context<'_>, kind: NodeKind, key: &String) -> Res<Option<Node>> {
    Ok(match kind {
        NodeKind::Province => load(ctx, key).await?.map(Node::Province),
        NodeKind::Plan => load(ctx, key).await?.map(Node::Plan),
        NodeKind::Agency => load(ctx, key).await?.map(Node::Agency),
        NodeKind::InformationSystem => load(ctx, key).await?.map(Node::InformationSystem),
        NodeKind::Project => load(ctx, key).await?.map(Node::Project),
        NodeKind::NationalDatabase => load(ctx, key).await?.map(Node::NationalDatabase),
        NodeKind::Indicator => load(ctx, key).await?.map(Node::Indicator),
    })
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
        load_node(ctx, self.kind, &self.key).await
    }
}

/// The root fields over every registry at once.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Res<Node> {
        let (kind, key) = parse_global_id("id", &id)?;
        load_node(ctx, kind, &key)
            .await?
            .ok_or_else(|| Error::not_found(kind.as_str()).into())
    }

    /// Ranked search across all registries: exact matches, then prefix, then substring; with or without diacritics
    /// and in any case (`ha tinh`, `HA TINH` and `Hà Tĩnh` all find Hà Tĩnh). The substring tier has a time budget
    /// (`search_budget_ms`); `searchResults` says when it ran out.
    #[graphql(complexity = "crate::limits::cost::search(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        #[graphql(default = 20)] first: i32,
    ) -> Res<Vec<SearchHit>> {
        Ok(run_search(ctx, &text, first).await?.hits)
    }

    /// `search`, and whether its substring tier ran out of time (`truncated`): a page that is not truncated holds
    /// every match an unbounded search would rank first.
    #[graphql(complexity = "crate::limits::cost::search(first, child_complexity)")]
    async fn search_results(
        &self,
        ctx: &Context<'_>,
        text: String,
        #[graphql(default = 20)] first: i32,
    ) -> Res<SearchResults> {
        run_search(ctx, &text, first).await
    }
}

/// The hits of a search and whether the substring tier ran out of its time budget.
#[derive(async_graphql::SimpleObject)]
pub struct SearchResults {
    /// Best first: exact, then prefix, then substring matches.
    hits: Vec<SearchHit>,
    /// The substring tier stopped at its time budget: there may be substring matches the page lacks (exact and
    /// prefix matches are always complete). Ask a more specific text.
    truncated: bool,
}

async fn run_search(ctx: &Context<'_>, text: &str, first: i32) -> Res<SearchResults> {
    let st = state(ctx)?;
    let first = usize::try_from(first).unwrap_or(0);
    let text = crate::text::clean(text);
    if text.chars().count() > MAX_SEARCH_TEXT {
        return Err(Error::bad_input(
            "text",
            format!("`text` must be at most {MAX_SEARCH_TEXT} characters"),
        )
        .into());
    }
    let page = store::search::search(&st.store.db, &text, first, st.store.search_budget).await?;
    let hits = page
        .hits
        .into_iter()
        .map(|hit| SearchHit {
            key: hit.entry.node_key,
            kind: hit.entry.kind.into(),
            title: hit.entry.title,
            rank: hit.rank.into(),
        })
        .collect();
    Ok(SearchResults {
        hits,
        truncated: page.truncated,
    })
}
