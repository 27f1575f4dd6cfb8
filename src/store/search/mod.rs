//! Ranked search across the registries, over the folded search index (see the search migration).
//!
//! Exact matches come first, then prefix matches, then substring matches; each tier is one indexed statement with a
//! limit, and later tiers run only while the page is not full. The exact and prefix tiers are B-tree ranges and
//! always complete; the substring tier runs under a time budget (see [`substring`]) and the page says when it ran out.

mod substring;

use std::time::Duration;

use entities::search_entry;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    error::{Error, Result},
    text::fold,
};

/// How a hit matched the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchRank {
    Exact,
    Prefix,
    Substring,
}

pub struct Hit {
    pub entry: search_entry::Model,
    pub rank: MatchRank,
}

/// The hits of one search, best first.
pub struct SearchPage {
    pub hits: Vec<Hit>,
    /// The substring tier ran out of its budget before it knew every match: there may be substring matches that
    /// the page lacks. Exact and prefix hits are complete either way, and a page that is not truncated is exactly
    /// what an unbounded search would answer.
    pub truncated: bool,
}

/// Largest `first` of a search.
pub const MAX_HITS: usize = 100;

/// Searches `text` (folded: no diacritics, any case) for at most `first` hits; the substring tier may spend
/// `budget`.
#[tracing::instrument(level = "debug", skip_all, fields(first, truncated))]
pub async fn search(
    db: &DatabaseConnection,
    text: &str,
    first: usize,
    budget: Duration,
) -> Result<SearchPage> {
    let folded = fold(text);
    if folded.is_empty() {
        return Err(Error::bad_input(
            "text",
            "`text` must contain at least one letter or digit",
        ));
    }
    if first == 0 || first > MAX_HITS {
        return Err(Error::bad_input(
            "first",
            format!("`first` must be between 1 and {MAX_HITS}"),
        ));
    }
    use search_entry::Column as C;
    let mut hits: Vec<Hit> = Vec::with_capacity(first);
    let mut seen = std::collections::HashSet::new();
    let mut take = |rows: Vec<search_entry::Model>, rank, hits: &mut Vec<Hit>| {
        for entry in rows {
            if hits.len() < first && seen.insert(entry.id) {
                hits.push(Hit { entry, rank });
            }
        }
    };

    let exact = search_entry::Entity::find()
        .filter(C::Folded.eq(folded.clone()))
        .order_by_asc(C::Title)
        .limit(first as u64)
        .all(db)
        .await?;
    take(exact, MatchRank::Exact, &mut hits);

    if hits.len() < first {
        // A range on the binary-collated index: `folded >= q AND folded < q || U+FFFF`.
        let upper = format!("{folded}\u{ffff}");
        let prefix = search_entry::Entity::find()
            .filter(C::Folded.gt(folded.clone()))
            .filter(C::Folded.lt(upper))
            .order_by_asc(C::Folded)
            .limit((first + hits.len()) as u64)
            .all(db)
            .await?;
        take(prefix, MatchRank::Prefix, &mut hits);
    }

    let mut truncated = false;
    if hits.len() < first {
        // The rows already taken match as substrings too: ask for enough to fill the page past them.
        let want = (first + hits.len()) as u64;
        let found = substring::matching_ids(db, &folded, want, budget).await?;
        truncated = !found.complete;
        if !found.ids.is_empty() {
            let substring = search_entry::Entity::find()
                .filter(C::Id.is_in(found.ids))
                .order_by_asc(C::Id)
                .all(db)
                .await?;
            take(substring, MatchRank::Substring, &mut hits);
        }
    }
    tracing::Span::current().record("truncated", truncated);
    Ok(SearchPage { hits, truncated })
}
