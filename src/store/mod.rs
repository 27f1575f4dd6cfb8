//! Queries over the registries. No SQL lives in resolvers: they call these functions, which return entity models.

pub mod access_log;
pub mod admin;
pub mod approval;
pub mod audit;
pub mod batch;
pub mod catalog;
pub mod logs;
pub mod page;
pub mod registration;
pub mod search;
pub mod sharing;
mod write;

use std::sync::Arc;

use sea_orm::{
    sea_query::{Expr, Func, SimpleExpr},
    ColumnTrait, DatabaseConnection, DatabaseTransaction, IntoSimpleExpr,
};

use crate::events::Events;

/// The store's handles: the pool, the read cache, the page-size limit, the cursor key and the change events.
#[derive(Clone)]
pub struct Store {
    pub db: DatabaseConnection,
    pub cache: Arc<crate::cache::ReadCache>,
    pub max_page_size: usize,
    /// How long search's substring tier may look (see [`search::search`]).
    pub search_budget: std::time::Duration,
    /// Tags and checks the connections' cursors.
    pub cursors: page::CursorKey,
    pub events: Events,
    /// Who appraises and approves each security level (ND 85/2016 by default).
    pub authorities: Arc<crate::approval::AuthorityTable>,
}

impl Store {
    /// Commits a write's transaction, then (only then) drops cached reads and announces the write's audit events.
    #[tracing::instrument(level = "debug", skip_all, fields(events = events.len()))]
    pub async fn commit(
        &self,
        txn: DatabaseTransaction,
        events: &[entities::audit_event::Model],
    ) -> crate::error::Result<()> {
        txn.commit().await?;
        self.cache.invalidate();
        self.events.committed(events);
        Ok(())
    }
}

/// A column as a (table-qualified) expression, for sort keys.
pub(crate) fn col(c: impl ColumnTrait) -> SimpleExpr {
    c.into_simple_expr()
}

/// `COALESCE(table.column, fallback)`: sort keys must not be NULL, or keyset comparisons would skip rows. The
/// fallback is written into the statement, not bound, as the sort key's expression always was.
pub(crate) fn coalesce(c: impl ColumnTrait, fallback: i64) -> SimpleExpr {
    Func::coalesce([col(c), Expr::Constant(fallback.into())]).into()
}
