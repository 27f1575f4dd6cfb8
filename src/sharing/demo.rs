//! The zero set-up's demonstration grants. Grants are not in the plans, so none is seeded as fact: when the hub seeds
//! an empty database in development (`demo_grants`, on unless in production), every agency with an official code gets
//! one grant per service, of every field, for any declared purpose, marked `demonstration`, so that the README's
//! federation examples work out of the box. The test harness seeds its template the same way.

use entities::{agency, enums::GrantOrigin, sharing_grant};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

use super::catalog;
use crate::{
    clock::DAY_MS,
    store::sharing::{grant_row, NewGrant},
    upstream::SERVICES,
};

/// Calls a day of a demonstration grant: enough for the benchmarks and the load tests.
pub const CALLS_PER_DAY: i32 = 1_000_000;

/// What a demonstration grant says its legal basis is.
pub const LEGAL_BASIS: &str = "demonstration grant of the zero set-up: no provider decided it";

/// Creates the demonstration grants (valid from a day before `now_ms` for ten years) unless the database holds any
/// grant already. Like the seed rows they come with, they are not audited writes: no one took a step. Returns how
/// many it made.
#[tracing::instrument(skip_all)]
pub async fn create_demo_grants(
    db: &DatabaseConnection,
    now_ms: i64,
) -> Result<usize, sea_orm::DbErr> {
    if sharing_grant::Entity::find().count(db).await? > 0 {
        return Ok(0);
    }
    let agencies = agency::Entity::find()
        .filter(agency::Column::Code.is_not_null())
        .all(db)
        .await?;
    let txn = db.begin().await?;
    let mut made = 0;
    for a in &agencies {
        for s in SERVICES {
            grant_row(
                NewGrant {
                    agency_id: a.id.clone(),
                    service: s.name.to_owned(),
                    fields: catalog::fields(s.name)
                        .iter()
                        .map(|f| f.name.to_owned())
                        .collect(),
                    legal_basis: LEGAL_BASIS.to_owned(),
                    valid_from_ms: now_ms - DAY_MS,
                    valid_until_ms: now_ms + 3653 * DAY_MS,
                    calls_per_day: CALLS_PER_DAY,
                    origin: GrantOrigin::Demonstration,
                },
                now_ms,
            )
            .insert(&txn)
            .await?;
            made += 1;
        }
    }
    txn.commit().await?;
    Ok(made)
}
