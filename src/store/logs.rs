//! Reading the append-only logs (the audit trail, the personal-data access log): newest first, keyset-paginated,
//! filtered by columns that must equal a value and by a time range.

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::{
    col,
    page::{fetch_page, KeyValue, Page, PageArgs, SortSpec},
    Store,
};
use crate::error::{Error, Result};

/// A time range in milliseconds since the Unix epoch: from `since_ms` (inclusive) until `until_ms` (exclusive).
#[derive(Debug, Default, Clone, Copy)]
pub struct TimeRange {
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

impl TimeRange {
    /// `BAD_USER_INPUT` (on `filter.sinceMs`) when the range holds no instant.
    pub fn new(since_ms: Option<i64>, until_ms: Option<i64>) -> Result<Self> {
        if let (Some(since), Some(until)) = (since_ms, until_ms) {
            if since >= until {
                return Err(Error::bad_input(
                    "filter.sinceMs",
                    "the time range is empty",
                ));
            }
        }
        Ok(TimeRange { since_ms, until_ms })
    }
}

/// An append-only log table: the newest row has the largest sequence number.
pub(crate) trait Log: EntityTrait<Model: Sync> {
    /// The sequence column.
    const SEQ: Self::Column;
    /// The time column, in milliseconds since the Unix epoch.
    const AT: Self::Column;

    fn seq(m: &Self::Model) -> i64;
}

/// The page of `E`'s rows that meet `base`, whose columns in `equal` have the value given (a `None` does not filter)
/// and whose time is in `range`, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(table = E::default().table_name()))]
pub(crate) async fn newest_first<E: Log>(
    store: &Store,
    base: Condition,
    equal: &[(E::Column, &Option<String>)],
    range: TimeRange,
    args: &PageArgs,
) -> Result<Page<E::Model>> {
    let mut cond = base;
    for (column, value) in equal {
        if let Some(v) = value {
            cond = cond.add(column.eq(v.clone()));
        }
    }
    if let Some(t) = range.since_ms {
        cond = cond.add(E::AT.gte(t));
    }
    if let Some(t) = range.until_ms {
        cond = cond.add(E::AT.lt(t));
    }
    let sort = SortSpec {
        name: "NEWEST_FIRST",
        key: col(E::SEQ),
        id: col(E::SEQ),
        descending: true,
        key_of: |m: &E::Model| KeyValue::Int(E::seq(m)),
        id_of: |m: &E::Model| KeyValue::Int(E::seq(m)),
    };
    fetch_page(store, E::find().filter(cond), &sort, args).await
}
