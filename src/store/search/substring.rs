//! The substring tier under a time budget.
//!
//! A trigram index finds a substring fast when one of its trigrams is rare. When every trigram of the query is
//! common and the rows holding all of them are few (`so thong tin` over a million synthetic systems: ~90 ms), proving
//! that no more rows match means reading posting lists of a million entries; no index bound (rowid windows, limits)
//! shortens that (bench/RESULTS.md, "Bounded search"). So the statement runs under a deadline: SQLite's progress
//! handler interrupts it, PostgreSQL's `statement_timeout` cancels it. An interrupted tier contributes no hits and
//! marks the page truncated; one that finishes answers exactly what it always did.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use entities::search_entry;
use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr},
    sqlx, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, RuntimeErr, TransactionTrait,
};

use crate::{error::Result, text::escape_like};

/// SQLite virtual machine steps between two looks at the clock: a few microseconds of work.
const PROGRESS_STEPS: i32 = 64;
/// SQLite's result code of an interrupted statement.
const SQLITE_INTERRUPT: &str = "9";
/// PostgreSQL's SQLSTATE of a statement cancelled by `statement_timeout`.
const PG_QUERY_CANCELED: &str = "57014";

/// The ids of the first `want` rows whose folded title contains the query, in id order, unless the budget ran out.
pub(super) struct Found {
    pub ids: Vec<i64>,
    /// False when the budget ran out first: `ids` is then empty.
    pub complete: bool,
}

impl Found {
    fn out_of_time() -> Found {
        Found {
            ids: Vec::new(),
            complete: false,
        }
    }
}

pub(super) async fn matching_ids(
    db: &DatabaseConnection,
    folded: &str,
    want: u64,
    budget: Duration,
) -> Result<Found> {
    if budget.is_zero() {
        return Ok(Found::out_of_time());
    }
    match db.get_database_backend() {
        DbBackend::Sqlite => sqlite(db, folded, want, budget).await,
        _ => postgres(db, folded, want, budget).await,
    }
}

/// SQLite: the FTS5 trigram table answers `LIKE` from its own index (at least three characters, no wildcard in the
/// query); shorter queries scan the folded titles. Either statement runs on a pooled connection whose progress
/// handler interrupts it at the deadline.
#[tracing::instrument(level = "debug", skip_all, fields(want))]
async fn sqlite(
    db: &DatabaseConnection,
    folded: &str,
    want: u64,
    budget: Duration,
) -> Result<Found> {
    let trigram_able = folded.chars().count() >= 3 && !folded.contains(['%', '_', '\\']);
    let (sql, pattern) = if trigram_able {
        (
            "SELECT rowid FROM search_trigrams WHERE folded LIKE ?1 ORDER BY rowid LIMIT ?2",
            format!("%{folded}%"),
        )
    } else {
        (
            "SELECT id FROM search_entries WHERE folded LIKE ?1 ESCAPE '\\' ORDER BY id LIMIT ?2",
            format!("%{}%", escape_like(folded)),
        )
    };
    let mut conn = db
        .get_sqlite_connection_pool()
        .acquire()
        .await
        .map_err(query_error)?;
    // The handler outlives this search on the pooled connection unless removed; disarming it first means that even a
    // failed removal leaves a handler that never interrupts anything.
    let armed = Arc::new(AtomicBool::new(true));
    {
        let mut handle = conn.lock_handle().await.map_err(query_error)?;
        // The budget is the statement's: waiting for the connection is not the index's cost.
        let deadline = Instant::now() + budget;
        let armed = armed.clone();
        handle.set_progress_handler(PROGRESS_STEPS, move || {
            !armed.load(Ordering::Relaxed) || Instant::now() < deadline
        });
    }
    let started = Instant::now();
    let result = sqlx::query_scalar::<_, i64>(sql)
        .bind(pattern)
        .bind(i64::try_from(want).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await;
    armed.store(false, Ordering::Relaxed);
    let removed = match conn.lock_handle().await {
        Ok(mut handle) => {
            handle.remove_progress_handler();
            true
        }
        Err(_) => false,
    };
    if !removed {
        // Not returned to the pool with a stranger's handler on it.
        drop(conn.detach());
    }
    tracing::trace!(target: "lgsp_hub::sql", elapsed_us = started.elapsed().as_micros() as u64, sql, "search substring tier");
    match result {
        Ok(ids) => Ok(Found {
            ids,
            complete: true,
        }),
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some(SQLITE_INTERRUPT) => {
            Ok(Found::out_of_time())
        }
        Err(e) => Err(query_error(e).into()),
    }
}

/// PostgreSQL: `LIKE` on the folded column, which the `pg_trgm` GIN index serves, in a transaction whose
/// `statement_timeout` is the budget.
#[tracing::instrument(level = "debug", skip_all, fields(want))]
async fn postgres(
    db: &DatabaseConnection,
    folded: &str,
    want: u64,
    budget: Duration,
) -> Result<Found> {
    use search_entry::Column as C;
    // Without a trigram the index cannot serve the pattern and the statement scans the table: when the table is too
    // large for that to finish within the budget, the tier is out of time before it starts, instead of after spending
    // the budget (and the cancellation) to learn it.
    if !has_trigram(folded) && !scan_fits(estimated_rows(db).await?, budget) {
        return Ok(Found::out_of_time());
    }
    let txn = db.begin().await?;
    // An integer is milliseconds; `SET` takes no bound parameter.
    let ms = budget.as_millis().clamp(1, u128::from(u32::MAX));
    txn.execute_unprepared(&format!("SET LOCAL statement_timeout = {ms}"))
        .await?;
    let pattern = format!("%{}%", escape_like(folded));
    let result = search_entry::Entity::find()
        .select_only()
        .column(C::Id)
        .filter(
            Expr::expr(sea_orm::IntoSimpleExpr::into_simple_expr(C::Folded))
                .like(LikeExpr::new(pattern).escape('\\')),
        )
        .order_by_asc(C::Id)
        .limit(want)
        .into_tuple::<i64>()
        .all(&txn)
        .await;
    match result {
        Ok(ids) => {
            txn.commit().await?;
            Ok(Found {
                ids,
                complete: true,
            })
        }
        // The transaction is aborted; dropping it rolls back.
        Err(e) if cancelled(&e) => Ok(Found::out_of_time()),
        Err(e) => Err(e.into()),
    }
}

/// Rows of `search_entries` a PostgreSQL scan checks with `LIKE` per millisecond, rounded up from the benchmark machine
/// (bench/RESULTS.md, "Seeding and search at scale"): an optimistic figure, so that only a scan that surely cannot
/// finish is skipped.
const PG_SCAN_ROWS_PER_MS: f64 = 20_000.0;

/// Whether `pg_trgm` can take `LIKE '%folded%'` from its index: the pattern must hold a trigram.
fn has_trigram(folded: &str) -> bool {
    folded.chars().count() >= 3
}

/// Whether a scan of `rows` rows can finish within `budget` (an unknown size, `None`, is tried).
fn scan_fits(rows: Option<f64>, budget: Duration) -> bool {
    rows.is_none_or(|rows| rows <= budget.as_secs_f64() * 1_000.0 * PG_SCAN_ROWS_PER_MS)
}

/// PostgreSQL's estimate of the search table's rows (`pg_class.reltuples`, kept by autovacuum and `ANALYZE`): a
/// catalog read, not a count. `None` when the table was never analysed.
async fn estimated_rows(db: &DatabaseConnection) -> Result<Option<f64>> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'search_entries'::regclass",
        ))
        .await?;
    let n: Option<f64> = row.map(|r| r.try_get("", "n")).transpose()?;
    Ok(n.filter(|n| *n >= 0.0))
}

fn query_error(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}

/// Whether `e` is the statement cancelled by its timeout.
fn cancelled(e: &DbErr) -> bool {
    let (DbErr::Query(RuntimeErr::SqlxError(err)) | DbErr::Exec(RuntimeErr::SqlxError(err))) = e
    else {
        return false;
    };
    matches!(err.as_ref(), sqlx::Error::Database(db) if db.code().as_deref() == Some(PG_QUERY_CANCELED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_too_large_for_the_budget_is_not_started() {
        let five_ms = Duration::from_millis(5);
        // 5 ms at 20,000 rows a millisecond: 100,000 rows fit, a million do not.
        assert!(scan_fits(Some(100_000.0), five_ms));
        assert!(!scan_fits(Some(1_000_000.0), five_ms));
        // A table never analysed is tried (the budget still bounds it); a generous budget scans large tables.
        assert!(scan_fits(None, five_ms));
        assert!(scan_fits(Some(1_000_000.0), Duration::from_secs(60)));
        // Only a text without a trigram scans: `zz` does, `ho tich` has trigrams for the index.
        assert!(!has_trigram("zz"));
        assert!(has_trigram("ho tich"));
    }
}
