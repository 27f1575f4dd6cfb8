//! An aggregate a plan states (a count, a total), kept as printed.

use sea_orm::entity::prelude::*;

use crate::enums::Metric;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reported_figures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub key: String,
    pub plan_id: String,
    pub province_code: String,
    pub label: String,
    pub metric: Option<Metric>,
    /// Key prefix of the projects a figure totals or counts (a section of an appendix); none = the whole plan.
    pub scope: Option<String>,
    /// For a column total: the budget lines' printed funding column it sums.
    pub funding_printed: Option<String>,
    pub value_printed: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub quote: Option<String>,
    pub source_file: Option<String>,
    pub source_line: Option<i32>,
    pub source_line_end: Option<i32>,
    /// The figure this one prints again (another table's total of the same money, or the same total in other words).
    pub restates_figure_id: Option<i64>,
    /// The year the figure is about, when the plan says (results of 2023, say).
    pub year: Option<i32>,
    /// For a stated count: the line of the plan that lists the items counted.
    pub listed_line: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
