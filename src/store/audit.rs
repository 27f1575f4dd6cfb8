//! Reading the audit trail: newest first, keyset-paginated, filtered by entity, agency, actor and time.

use entities::audit_event;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::{
    col,
    page::{fetch_page, KeyValue, Page, PageArgs, SortSpec},
    Store,
};
use crate::error::Result;

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_key: Option<String>,
    pub agency_code: Option<String>,
    pub actor: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

pub async fn events(
    store: &Store,
    filter: &AuditFilter,
    args: &PageArgs,
) -> Result<Page<audit_event::Model>> {
    use audit_event::Column as C;
    let mut cond = Condition::all();
    if let Some(e) = &filter.entity {
        cond = cond.add(C::Entity.eq(e.clone()));
    }
    if let Some(k) = &filter.entity_key {
        cond = cond.add(C::EntityKey.eq(k.clone()));
    }
    if let Some(a) = &filter.agency_code {
        cond = cond.add(C::AgencyCode.eq(a.clone()));
    }
    if let Some(a) = &filter.actor {
        cond = cond.add(C::Actor.eq(a.clone()));
    }
    if let Some(t) = filter.since_ms {
        cond = cond.add(C::AtMs.gte(t));
    }
    if let Some(t) = filter.until_ms {
        cond = cond.add(C::AtMs.lt(t));
    }
    let sort = SortSpec {
        name: "NEWEST_FIRST",
        key: col(C::Id),
        id: col(C::Id),
        descending: true,
        key_of: |m: &audit_event::Model| KeyValue::Int(m.id),
        id_of: |m: &audit_event::Model| KeyValue::Int(m.id),
    };
    fetch_page(store, audit_event::Entity::find().filter(cond), &sort, args).await
}
