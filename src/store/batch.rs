//! Batch reads behind the DataLoaders: each function answers for many keys in one SQL statement.

use std::collections::HashMap;

use entities::{
    agency, indicator, information_system, national_database, national_database_link, plan,
    project, project_budget, province, reported_figure,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, Statement, Value,
};

use crate::error::Result;

/// Groups `rows` by `key`.
pub fn group_by<K: std::hash::Hash + Eq, M>(
    rows: Vec<M>,
    key: impl Fn(&M) -> K,
) -> HashMap<K, Vec<M>> {
    let mut map: HashMap<K, Vec<M>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

pub async fn provinces(db: &DatabaseConnection, codes: &[String]) -> Result<Vec<province::Model>> {
    Ok(province::Entity::find()
        .filter(province::Column::Code.is_in(codes.to_vec()))
        .all(db)
        .await?)
}

pub async fn all_provinces(db: &DatabaseConnection) -> Result<Vec<province::Model>> {
    Ok(province::Entity::find()
        .order_by_asc(province::Column::Code)
        .all(db)
        .await?)
}

pub async fn agencies(db: &DatabaseConnection, ids: &[String]) -> Result<Vec<agency::Model>> {
    Ok(agency::Entity::find()
        .filter(agency::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?)
}

pub async fn agency_by_code(db: &DatabaseConnection, code: &str) -> Result<Option<agency::Model>> {
    Ok(agency::Entity::find()
        .filter(agency::Column::Code.eq(code))
        .one(db)
        .await?)
}

pub async fn plans(db: &DatabaseConnection, ids: &[String]) -> Result<Vec<plan::Model>> {
    Ok(plan::Entity::find()
        .filter(plan::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?)
}

pub async fn national_databases(
    db: &DatabaseConnection,
    ids: &[String],
) -> Result<Vec<national_database::Model>> {
    Ok(national_database::Entity::find()
        .filter(national_database::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?)
}

pub async fn systems_by_code(
    db: &DatabaseConnection,
    codes: &[String],
) -> Result<Vec<information_system::Model>> {
    Ok(information_system::Entity::find()
        .filter(information_system::Column::Code.is_in(codes.to_vec()))
        .all(db)
        .await?)
}

pub async fn projects_by_key(
    db: &DatabaseConnection,
    keys: &[String],
) -> Result<Vec<project::Model>> {
    Ok(project::Entity::find()
        .filter(project::Column::Key.is_in(keys.to_vec()))
        .all(db)
        .await?)
}

pub async fn indicators_by_key(
    db: &DatabaseConnection,
    keys: &[String],
) -> Result<Vec<indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::Key.is_in(keys.to_vec()))
        .all(db)
        .await?)
}

pub async fn links_by_database(
    db: &DatabaseConnection,
    ids: &[String],
) -> Result<Vec<national_database_link::Model>> {
    Ok(national_database_link::Entity::find()
        .filter(national_database_link::Column::NationalDatabaseId.is_in(ids.to_vec()))
        .order_by_asc(national_database_link::Column::Id)
        .all(db)
        .await?)
}

pub async fn links_by_province(
    db: &DatabaseConnection,
    codes: &[String],
) -> Result<Vec<national_database_link::Model>> {
    Ok(national_database_link::Entity::find()
        .filter(national_database_link::Column::ProvinceCode.is_in(codes.to_vec()))
        .order_by_asc(national_database_link::Column::Id)
        .all(db)
        .await?)
}

pub async fn budgets_by_project(
    db: &DatabaseConnection,
    ids: &[i64],
) -> Result<Vec<project_budget::Model>> {
    Ok(project_budget::Entity::find()
        .filter(project_budget::Column::ProjectId.is_in(ids.to_vec()))
        .order_by_asc(project_budget::Column::Id)
        .all(db)
        .await?)
}

pub async fn projects_by_plan(
    db: &DatabaseConnection,
    ids: &[String],
) -> Result<Vec<project::Model>> {
    Ok(project::Entity::find()
        .filter(project::Column::PlanId.is_in(ids.to_vec()))
        .order_by_asc(project::Column::Id)
        .all(db)
        .await?)
}

pub async fn links_by_plan(
    db: &DatabaseConnection,
    ids: &[String],
) -> Result<Vec<national_database_link::Model>> {
    Ok(national_database_link::Entity::find()
        .filter(national_database_link::Column::PlanId.is_in(ids.to_vec()))
        .order_by_asc(national_database_link::Column::Id)
        .all(db)
        .await?)
}

pub async fn figures_by_plan(
    db: &DatabaseConnection,
    ids: &[String],
) -> Result<Vec<reported_figure::Model>> {
    Ok(reported_figure::Entity::find()
        .filter(reported_figure::Column::PlanId.is_in(ids.to_vec()))
        .order_by_asc(reported_figure::Column::Id)
        .all(db)
        .await?)
}

/// `?` on SQLite, `$n` on PostgreSQL.
fn placeholders(backend: DbBackend, n: usize, offset: usize) -> String {
    (1..=n)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${}", i + offset),
            _ => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first `limit` rows of `table` per province, in `order` (one statement, a window function).
async fn top_per_province<M: FromQueryResult>(
    db: &DatabaseConnection,
    table: &str,
    order: &str,
    codes: &[String],
    limit: u64,
) -> Result<Vec<M>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT * FROM (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.province_code ORDER BY {order}) AS rn \
         FROM {table} t WHERE t.province_code IN ({})) ranked WHERE rn <= {} ORDER BY province_code, rn",
        placeholders(backend, codes.len(), 0),
        placeholders(backend, 1, codes.len()),
    );
    let mut values: Vec<Value> = codes.iter().map(|c| c.clone().into()).collect();
    values.push((limit as i64).into());
    let stmt = Statement::from_sql_and_values(backend, sql, values);
    Ok(M::find_by_statement(stmt).all(db).await?)
}

pub async fn top_systems_per_province(
    db: &DatabaseConnection,
    codes: &[String],
    limit: u64,
) -> Result<Vec<information_system::Model>> {
    top_per_province(db, "information_systems", "t.name, t.id", codes, limit).await
}

pub async fn top_agencies_per_province(
    db: &DatabaseConnection,
    codes: &[String],
    limit: u64,
) -> Result<Vec<agency::Model>> {
    top_per_province(db, "agencies", "t.name, t.id", codes, limit).await
}

pub async fn top_projects_per_province(
    db: &DatabaseConnection,
    codes: &[String],
    limit: u64,
) -> Result<Vec<project::Model>> {
    top_per_province(db, "projects", "t.id", codes, limit).await
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct CountRow {
    pub province_code: String,
    pub n: i64,
}

/// Row counts of `table` per province.
pub async fn counts_per_province(
    db: &DatabaseConnection,
    table: &str,
    codes: &[String],
) -> Result<Vec<CountRow>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT province_code, COUNT(*) AS n FROM {table} WHERE province_code IN ({}) GROUP BY province_code",
        placeholders(backend, codes.len(), 0)
    );
    let values = codes.iter().map(|c| c.clone().into());
    Ok(
        CountRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(db)
            .await?,
    )
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct LevelCountRow {
    pub province_code: String,
    pub security_level: Option<i32>,
    pub n: i64,
}

/// Information systems per province and security level.
pub async fn levels_per_province(
    db: &DatabaseConnection,
    codes: &[String],
) -> Result<Vec<LevelCountRow>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT province_code, CAST(security_level AS INTEGER) AS security_level, COUNT(*) AS n \
         FROM information_systems WHERE province_code IN ({}) \
         GROUP BY province_code, security_level ORDER BY province_code, security_level",
        placeholders(backend, codes.len(), 0)
    );
    let values = codes.iter().map(|c| c.clone().into());
    Ok(
        LevelCountRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(db)
            .await?,
    )
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct BudgetBucketRow {
    pub province_code: String,
    pub year: Option<i32>,
    pub funding_source: Option<String>,
    pub amount_vnd: Option<i64>,
    pub lines: i64,
    pub unpriced_lines: i64,
}

/// Project budget lines per province, year and funding source (the line's own source, else its project's).
pub async fn budget_per_province(
    db: &DatabaseConnection,
    codes: &[String],
) -> Result<Vec<BudgetBucketRow>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT p.province_code AS province_code, b.year AS year, \
                COALESCE(b.funding_source, p.funding_source) AS funding_source, \
                CAST(SUM(b.amount_vnd) AS BIGINT) AS amount_vnd, COUNT(*) AS lines, \
                SUM(CASE WHEN b.amount_vnd IS NULL THEN 1 ELSE 0 END) AS unpriced_lines \
         FROM project_budgets b JOIN projects p ON p.id = b.project_id \
         WHERE p.province_code IN ({}) \
         GROUP BY p.province_code, b.year, COALESCE(b.funding_source, p.funding_source) \
         ORDER BY p.province_code, b.year, COALESCE(b.funding_source, p.funding_source)",
        placeholders(backend, codes.len(), 0)
    );
    let values = codes.iter().map(|c| c.clone().into());
    Ok(
        BudgetBucketRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(db)
            .await?,
    )
}
