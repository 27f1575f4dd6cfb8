//! The text columns whose values form a closed set (the hub reads them as the enums of `entities::enums`) keep their
//! text as it is: this migration changes nothing. It refuses a database that holds a value outside a column's set,
//! naming the table, the column, the value and how many rows hold it, so that no row reaches the hub that it cannot
//! read. Constraining the columns themselves (CHECK) is left to a later migration.
//!
//! The sets are written out here, as they stood when the enums were introduced: a migration must mean the same thing
//! whenever it runs, whatever the enums become later.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

const FUNDING_SOURCES: &[&str] = &[
    "ngan_sach_trung_uong",
    "ngan_sach_tinh",
    "ngan_sach_huyen",
    "su_nghiep",
    "dau_tu_cong",
    "xa_hoi_hoa",
    "khac",
];

/// (table, column, the values it may hold); NULL is allowed wherever the column allows it.
const CLOSED_COLUMNS: &[(&str, &str, &[&str])] = &[
    (
        "agencies",
        "kind",
        &[
            "ubnd_tinh",
            "so",
            "ban_nganh",
            "ubnd_huyen",
            "don_vi_su_nghiep",
            "trung_uong",
            "khac",
        ],
    ),
    (
        "agencies",
        "approval_role",
        &["security_unit", "national_authority", "prime_minister"],
    ),
    (
        "information_systems",
        "approval_state",
        &["proposed", "appraised", "approved", "rejected", "retired"],
    ),
    ("projects", "funding_source", FUNDING_SOURCES),
    ("project_budgets", "funding_source", FUNDING_SOURCES),
    ("projects", "unit", &["million_vnd", "billion_vnd"]),
    (
        "national_databases",
        "kind",
        &["database", "platform", "system"],
    ),
    (
        "national_database_links",
        "status",
        &["connected", "planned"],
    ),
    (
        "reported_figures",
        "metric",
        &[
            "project_budget_total",
            "budget_lines_total",
            "project_count",
            "national_database_count",
        ],
    ),
    (
        "search_entries",
        "kind",
        &[
            "PROVINCE",
            "PLAN",
            "AGENCY",
            "INFORMATION_SYSTEM",
            "PROJECT",
            "NATIONAL_DATABASE",
            "INDICATOR",
        ],
    ),
];

/// "`table`.`column` holds `value` in `n` row(s)" for every stored value outside its column's set.
async fn values_outside(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let mut found = Vec::new();
    for (table, column, allowed) in CLOSED_COLUMNS {
        let col = || Expr::col(Alias::new(*column));
        let query = Query::select()
            .expr_as(col(), Alias::new("value"))
            .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
            .from(Alias::new(*table))
            .and_where(col().is_not_null())
            .and_where(col().is_not_in(allowed.iter().copied()))
            .group_by_col(Alias::new(*column))
            .order_by(Alias::new(*column), Order::Asc)
            .to_owned();
        for row in db.query_all(&query).await? {
            let value: String = row.try_get("", "value")?;
            let n: i64 = row.try_get("", "n")?;
            found.push(format!(
                "{table}.{column} holds {value:?} in {n} row(s) (allowed: {})",
                allowed.join(", ")
            ));
        }
    }
    Ok(found)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let found = values_outside(manager.get_connection()).await?;
        if found.is_empty() {
            return Ok(());
        }
        Err(DbErr::Migration(format!(
            "values outside their column's closed set; correct or remove these rows, then migrate again: {}",
            found.join("; ")
        )))
    }

    /// Nothing was changed.
    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
