//! Batch reads behind the DataLoaders: each function answers for many keys in one SQL statement. The generic reads
//! name their table and columns by sea-orm entity and column types, never by strings.

use entities::{agency, enums::FundingSource, province};
use sea_orm::{
    sea_query::{Asterisk, Expr, ExprTrait},
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    PrimaryKeyToColumn, QueryFilter, QueryOrder, QuerySelect, Statement, Value,
};

use crate::error::Result;

pub async fn all_provinces(db: &DatabaseConnection) -> Result<Vec<province::Model>> {
    Ok(province::Entity::find()
        .order_by_asc(province::Column::Code)
        .all(db)
        .await?)
}

pub async fn agency_by_code(db: &DatabaseConnection, code: &str) -> Result<Option<agency::Model>> {
    Ok(agency::Entity::find()
        .filter(agency::Column::Code.eq(code))
        .one(db)
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

/// `order`, or the primary key where it is empty.
fn order_or_id<E: EntityTrait>(order: &[E::Column]) -> Vec<E::Column> {
    if order.is_empty() {
        E::PrimaryKey::iter().map(|k| k.into_column()).collect()
    } else {
        order.to_vec()
    }
}

/// The rows of `E` whose `column` is one of `keys`, in `order` (the primary key's when empty): one statement.
pub async fn by_column<E: EntityTrait, K: Into<Value>>(
    db: &DatabaseConnection,
    column: E::Column,
    keys: impl IntoIterator<Item = K>,
    order: &[E::Column],
) -> Result<Vec<E::Model>> {
    let select = E::find().filter(column.is_in(keys));
    let select = order_or_id::<E>(order)
        .into_iter()
        .fold(select, |select, c| select.order_by_asc(c));
    Ok(select.all(db).await?)
}

/// The first `limit` rows of `E` per value of `column` in `keys`, in `order` (the primary key's when empty): one
/// statement, a window function.
pub async fn top_by_column<E: EntityTrait>(
    db: &DatabaseConnection,
    column: E::Column,
    order: &[E::Column],
    keys: &[String],
    limit: u64,
) -> Result<Vec<E::Model>> {
    let backend = db.get_database_backend();
    let table = E::default().table_name();
    let column = column.as_str();
    let order = order_or_id::<E>(order)
        .iter()
        .map(|c| format!("t.{}", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT * FROM (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.{column} ORDER BY {order}) AS rn \
         FROM {table} t WHERE t.{column} IN ({})) ranked WHERE rn <= {} ORDER BY {column}, rn",
        placeholders(backend, keys.len(), 0),
        placeholders(backend, 1, keys.len()),
    );
    let mut values: Vec<Value> = keys.iter().map(|c| c.clone().into()).collect();
    values.push((limit as i64).into());
    let stmt = Statement::from_sql_and_values(backend, sql, values);
    Ok(E::Model::find_by_statement(stmt).all(db).await?)
}

/// The number of rows of `E` per value of `column` in `keys` (values without rows are left out): one statement.
pub async fn counts_by_column<E: EntityTrait>(
    db: &DatabaseConnection,
    column: E::Column,
    keys: &[String],
) -> Result<Vec<(String, i64)>> {
    Ok(E::find()
        .select_only()
        .column(column)
        .column_as(Expr::col(Asterisk).count(), "n")
        .filter(column.is_in(keys.iter().cloned()))
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?)
}

/// A row of an aggregate over a province's registry rows, read for many provinces in one statement.
pub trait ProvinceAggregate: FromQueryResult + Clone + Send + Sync + 'static {
    /// The statement; `{codes}` stands where the province codes' placeholders go.
    const SQL: &'static str;

    fn province_code(&self) -> &str;
}

/// The rows of the aggregate `R` for the provinces `codes`.
pub async fn per_province<R: ProvinceAggregate>(
    db: &DatabaseConnection,
    codes: &[String],
) -> Result<Vec<R>> {
    let backend = db.get_database_backend();
    let sql = R::SQL.replace("{codes}", &placeholders(backend, codes.len(), 0));
    let values = codes.iter().map(|c| c.clone().into());
    let stmt = Statement::from_sql_and_values(backend, sql, values);
    Ok(R::find_by_statement(stmt).all(db).await?)
}

/// Information systems per province and security level.
#[derive(Debug, Clone, FromQueryResult)]
pub struct LevelCountRow {
    pub province_code: String,
    pub security_level: Option<i32>,
    pub n: i64,
}

impl ProvinceAggregate for LevelCountRow {
    const SQL: &'static str =
        "SELECT province_code, CAST(security_level AS INTEGER) AS security_level, COUNT(*) AS n \
         FROM information_systems WHERE province_code IN ({codes}) \
         GROUP BY province_code, security_level ORDER BY province_code, security_level";

    fn province_code(&self) -> &str {
        &self.province_code
    }
}

/// Project budget lines per province, year and funding source (the line's own source, else its project's).
#[derive(Debug, Clone, FromQueryResult)]
pub struct BudgetBucketRow {
    pub province_code: String,
    pub year: Option<i32>,
    pub funding_source: Option<FundingSource>,
    pub amount_vnd: Option<i64>,
    pub lines: i64,
    pub unpriced_lines: i64,
}

impl ProvinceAggregate for BudgetBucketRow {
    const SQL: &'static str = "SELECT p.province_code AS province_code, b.year AS year, \
                COALESCE(b.funding_source, p.funding_source) AS funding_source, \
                CAST(SUM(b.amount_vnd) AS BIGINT) AS amount_vnd, COUNT(*) AS lines, \
                SUM(CASE WHEN b.amount_vnd IS NULL THEN 1 ELSE 0 END) AS unpriced_lines \
         FROM project_budgets b JOIN projects p ON p.id = b.project_id \
         WHERE p.province_code IN ({codes}) \
         GROUP BY p.province_code, b.year, COALESCE(b.funding_source, p.funding_source) \
         ORDER BY p.province_code, b.year, COALESCE(b.funding_source, p.funding_source)";

    fn province_code(&self) -> &str {
        &self.province_code
    }
}
