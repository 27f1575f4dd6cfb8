//! Reading the personal-data access log: newest first, keyset-paginated, filtered by agency, actor, upstream,
//! purpose, subject (by its keyed hash), time and kind of entry. Writing is `access_log::AccessLog`'s alone.

use entities::access_log_entry;
use sea_orm::{ColumnTrait, Condition};

use super::{
    logs::{newest_first, Log, TimeRange},
    page::{Page, PageArgs},
    Store,
};
use crate::error::Result;

/// The two kinds of entry: a lookup (what was asked, of whom, about whom, why), and the entry saying that a lookup
/// returned nothing (it names the lookup's entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Lookup,
    NothingReturned,
}

#[derive(Debug, Default, Clone)]
pub struct AccessFilter {
    /// Only entries of this kind; both when `None`.
    pub kind: Option<EntryKind>,
    pub agency_code: Option<String>,
    pub actor: Option<String>,
    pub upstream: Option<String>,
    pub purpose: Option<String>,
    pub subject_hash: Option<String>,
    pub range: TimeRange,
}

impl Log for access_log_entry::Entity {
    const SEQ: access_log_entry::Column = access_log_entry::Column::Seq;
    const AT: access_log_entry::Column = access_log_entry::Column::AtMs;

    fn seq(m: &access_log_entry::Model) -> i64 {
        m.seq
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn entries(
    store: &Store,
    filter: &AccessFilter,
    args: &PageArgs,
) -> Result<Page<access_log_entry::Model>> {
    use access_log_entry::Column as C;
    let equal = [
        (C::AgencyCode, &filter.agency_code),
        (C::Actor, &filter.actor),
        (C::Upstream, &filter.upstream),
        (C::Purpose, &filter.purpose),
        (C::SubjectHash, &filter.subject_hash),
    ];
    let kind = match filter.kind {
        None => Condition::all(),
        Some(EntryKind::Lookup) => Condition::all().add(C::NothingReturnedFor.is_null()),
        Some(EntryKind::NothingReturned) => {
            Condition::all().add(C::NothingReturnedFor.is_not_null())
        }
    };
    newest_first::<access_log_entry::Entity>(store, kind, &equal, filter.range, args).await
}
