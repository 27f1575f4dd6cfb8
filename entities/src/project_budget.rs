//! One printed amount of a project: per year and/or per funding source.

use sea_orm::entity::prelude::*;

use crate::enums::{BudgetLevel, FundingSource, Spending};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_budgets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub year: Option<i32>,
    pub amount_printed: String,
    pub amount_vnd: Option<i64>,
    pub funding_source: Option<FundingSource>,
    /// The funding column as printed (e.g. "Ngân sách huyện - CTX").
    pub funding_printed: Option<String>,
    pub source_line: Option<i32>,
    /// Whose budget the column is (province or district), when the table says.
    pub level: Option<BudgetLevel>,
    /// Recurrent or investment spending, when the table says.
    pub spending: Option<Spending>,
    /// The line that already counts this money, when the plan prints it twice (a restatement).
    pub restates_line_id: Option<i64>,
    /// The column total that already counts this money, when no single line of it does.
    pub restates_figure_id: Option<i64>,
}

impl Model {
    /// Whether this line prints money another line or column total already counts.
    pub fn is_restatement(&self) -> bool {
        self.restates_line_id.is_some() || self.restates_figure_id.is_some()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
