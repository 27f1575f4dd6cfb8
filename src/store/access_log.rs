//! Reading the personal-data access log: newest first, keyset-paginated, filtered by agency, actor, upstream,
//! purpose, subject (by its keyed hash) and time. Writing is `access_log::AccessLog`'s alone.

use entities::access_log_entry;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::{
    col,
    page::{fetch_page, KeyValue, Page, PageArgs, SortSpec},
    Store,
};
use crate::error::Result;

#[derive(Debug, Default, Clone)]
pub struct AccessFilter {
    pub agency_code: Option<String>,
    pub actor: Option<String>,
    pub upstream: Option<String>,
    pub purpose: Option<String>,
    pub subject_hash: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

pub async fn entries(
    store: &Store,
    filter: &AccessFilter,
    args: &PageArgs,
) -> Result<Page<access_log_entry::Model>> {
    use access_log_entry::Column as C;
    let mut cond = Condition::all();
    for (column, value) in [
        (C::AgencyCode, &filter.agency_code),
        (C::Actor, &filter.actor),
        (C::Upstream, &filter.upstream),
        (C::Purpose, &filter.purpose),
        (C::SubjectHash, &filter.subject_hash),
    ] {
        if let Some(v) = value {
            cond = cond.add(column.eq(v.clone()));
        }
    }
    if let Some(t) = filter.since_ms {
        cond = cond.add(C::AtMs.gte(t));
    }
    if let Some(t) = filter.until_ms {
        cond = cond.add(C::AtMs.lt(t));
    }
    let sort = SortSpec {
        name: "NEWEST_FIRST",
        key: col(C::Seq),
        id: col(C::Seq),
        descending: true,
        key_of: |m: &access_log_entry::Model| KeyValue::Int(m.seq),
        id_of: |m: &access_log_entry::Model| KeyValue::Int(m.seq),
    };
    fetch_page(
        store,
        access_log_entry::Entity::find().filter(cond),
        &sort,
        args,
    )
    .await
}
