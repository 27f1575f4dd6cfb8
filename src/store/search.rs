//! Ranked search across the registries, over the folded search index (see the search migration).
//!
//! Exact matches come first, then prefix matches, then substring matches; each tier is one indexed statement with a
//! limit, and later tiers run only while the page is not full.

use entities::search_entry;
use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr},
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::{
    error::{Error, Result},
    text::{escape_like, fold},
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

/// Largest `first` of a search.
pub const MAX_HITS: usize = 100;

#[tracing::instrument(level = "debug", skip_all, fields(first))]
pub async fn search(db: &DatabaseConnection, text: &str, first: usize) -> Result<Vec<Hit>> {
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

    if hits.len() < first {
        let pattern = format!("%{}%", escape_like(&folded));
        let want = (first + hits.len()) as u64;
        let mut query = search_entry::Entity::find();
        // SQLite's trigram index answers LIKE only from its own table; PostgreSQL's pg_trgm index serves the column.
        let trigram_able = folded.chars().count() >= 3 && !folded.contains(['%', '_', '\\']);
        if db.get_database_backend() == DbBackend::Sqlite && trigram_able {
            // The limit inside the subquery lets the trigram index stop at the first `want` matches.
            query = query.filter(Expr::cust_with_values(
                "\"search_entries\".\"id\" IN (SELECT rowid FROM search_trigrams WHERE folded LIKE ? ORDER BY rowid LIMIT ?)",
                [sea_orm::Value::from(format!("%{folded}%")), sea_orm::Value::from(want as i64)],
            ));
        } else {
            query = query.filter(
                Expr::expr(sea_orm::IntoSimpleExpr::into_simple_expr(C::Folded))
                    .like(LikeExpr::new(pattern).escape('\\')),
            );
        }
        let substring = query.order_by_asc(C::Id).limit(want).all(db).await?;
        take(substring, MatchRank::Substring, &mut hits);
    }
    Ok(hits)
}
