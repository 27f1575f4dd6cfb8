//! Batch reads behind the DataLoaders: each function answers for many keys in one SQL statement. The generic reads
//! name their table and columns by sea-orm entity and column types, never by strings.

use entities::{
    agency,
    enums::{BudgetLevel, FundingSource, Spending},
    information_system, project, project_budget, province,
};
use sea_orm::{
    sea_query::{
        Alias, Asterisk, Expr, ExprTrait, Func, Order, Query, SelectStatement, WindowStatement,
    },
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, Iterable, PrimaryKeyToColumn,
    QueryFilter, QueryOrder, QuerySelect, Value,
};

use crate::error::Result;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn all_provinces(db: &DatabaseConnection) -> Result<Vec<province::Model>> {
    Ok(province::Entity::find()
        .order_by_asc(province::Column::Code)
        .all(db)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all, fields(code))]
pub async fn agency_by_code(db: &DatabaseConnection, code: &str) -> Result<Option<agency::Model>> {
    Ok(agency::Entity::find()
        .filter(agency::Column::Code.eq(code))
        .one(db)
        .await?)
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
#[tracing::instrument(level = "debug", skip_all, fields(table = E::default().table_name()))]
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
#[tracing::instrument(level = "debug", skip_all, fields(table = E::default().table_name(), keys = keys.len(), limit))]
pub async fn top_by_column<E: EntityTrait>(
    db: &DatabaseConnection,
    column: E::Column,
    order: &[E::Column],
    keys: &[String],
    limit: u64,
) -> Result<Vec<E::Model>> {
    let rank = Alias::new("rank_in_key");
    let mut window = WindowStatement::partition_by((E::default(), column));
    for c in order_or_id::<E>(order) {
        window.order_by((E::default(), c), Order::Asc);
    }
    let ranked = Query::select()
        .column((E::default(), Asterisk))
        .expr_window_as(Expr::cust("ROW_NUMBER()"), window, rank.clone())
        .from(E::default())
        .and_where(column.is_in(keys.iter().cloned()))
        .to_owned();
    let query = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::col(rank.clone()).lte(limit as i64))
        .order_by(column, Order::Asc)
        .order_by(rank, Order::Asc)
        .to_owned();
    let stmt = db.get_database_backend().build(&query);
    Ok(E::Model::find_by_statement(stmt).all(db).await?)
}

/// The number of rows of `E` per value of `column` in `keys` (values without rows are left out): one statement.
#[tracing::instrument(level = "debug", skip_all, fields(table = E::default().table_name(), keys = keys.len()))]
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
    /// The statement for the provinces `codes`.
    fn query(codes: &[String]) -> SelectStatement;

    fn province_code(&self) -> &str;
}

/// The rows of the aggregate `R` for the provinces `codes`.
#[tracing::instrument(level = "debug", skip_all, fields(provinces = codes.len()))]
pub async fn per_province<R: ProvinceAggregate>(
    db: &DatabaseConnection,
    codes: &[String],
) -> Result<Vec<R>> {
    let stmt = db.get_database_backend().build(&R::query(codes));
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
    fn query(codes: &[String]) -> SelectStatement {
        use information_system::Column as C;
        Query::select()
            .column(C::ProvinceCode)
            // A SMALLINT on PostgreSQL: read as the row's `i32`.
            .expr_as(
                Expr::col(C::SecurityLevel).cast_as("INTEGER"),
                C::SecurityLevel,
            )
            .expr_as(Expr::col(Asterisk).count(), "n")
            .from(information_system::Entity)
            .and_where(C::ProvinceCode.is_in(codes.iter().cloned()))
            .group_by_columns([C::ProvinceCode, C::SecurityLevel])
            .order_by(C::ProvinceCode, Order::Asc)
            .order_by(C::SecurityLevel, Order::Asc)
            .to_owned()
    }

    fn province_code(&self) -> &str {
        &self.province_code
    }
}

/// Project budget lines per province, year, funding source (the line's own source, else its project's), level and
/// spending. Restatements (lines that print money another line or column total already counts) are left out, so no
/// money is counted twice.
#[derive(Debug, Clone, FromQueryResult)]
pub struct BudgetBucketRow {
    pub province_code: String,
    pub year: Option<i32>,
    pub funding_source: Option<FundingSource>,
    pub level: Option<BudgetLevel>,
    pub spending: Option<Spending>,
    pub amount_vnd: Option<i64>,
    pub lines: i64,
    pub unpriced_lines: i64,
}

impl ProvinceAggregate for BudgetBucketRow {
    fn query(codes: &[String]) -> SelectStatement {
        use project::Column as P;
        use project_budget::Column as B;
        let line = |c: B| Expr::col((project_budget::Entity, c));
        let province = || Expr::col((project::Entity, P::ProvinceCode));
        let funding = || {
            Expr::from(Func::coalesce([
                line(B::FundingSource),
                Expr::col((project::Entity, P::FundingSource)),
            ]))
        };
        let unpriced = Expr::case(line(B::AmountVnd).is_null(), 1).finally(0);
        Query::select()
            .expr_as(province(), P::ProvinceCode)
            .expr_as(line(B::Year), B::Year)
            .expr_as(funding(), B::FundingSource)
            .expr_as(line(B::Level), B::Level)
            .expr_as(line(B::Spending), B::Spending)
            .expr_as(
                Expr::from(Func::sum(line(B::AmountVnd))).cast_as("BIGINT"),
                B::AmountVnd,
            )
            .expr_as(Expr::col(Asterisk).count(), "lines")
            .expr_as(Func::sum(unpriced), "unpriced_lines")
            .from(project_budget::Entity)
            .inner_join(
                project::Entity,
                Expr::col((project::Entity, P::Id)).equals((project_budget::Entity, B::ProjectId)),
            )
            .and_where(province().is_in(codes.iter().cloned()))
            .and_where(line(B::RestatesLineId).is_null())
            .and_where(line(B::RestatesFigureId).is_null())
            .add_group_by([
                province(),
                line(B::Year),
                funding(),
                line(B::Level),
                line(B::Spending),
            ])
            .order_by_expr(province(), Order::Asc)
            .order_by_expr(line(B::Year), Order::Asc)
            .order_by_expr(funding(), Order::Asc)
            .order_by_expr(line(B::Level), Order::Asc)
            .order_by_expr(line(B::Spending), Order::Asc)
            .to_owned()
    }

    fn province_code(&self) -> &str {
        &self.province_code
    }
}
