//! `Project`: a project's own fields, its total and its printed budget lines (`BudgetLine`), and what it belongs to.

use std::sync::Arc;

use async_graphql::{Context, Object, ID};
use entities::project_budget;

use super::{
    load, rows,
    source::{million, Amount, Cited, Source},
    Agency, Plan, Project, Province, ReportedFigure, Res,
};
use crate::graphql::{
    context::loader,
    enums::{BudgetLevel, FundingSource, Spending},
    ids::{global_id, NodeKind},
    loaders::One,
    lookups::{
        AgencyById, BudgetLineById, BudgetOfProject, FigureById, LeadsOfProject, ProjectById,
    },
};
use crate::limits::cost;

/// One printed amount of a project: for a year and/or a funding source.
pub struct BudgetLine {
    line: Arc<project_budget::Model>,
    unit: Option<entities::enums::MoneyUnit>,
}

#[Object]
impl BudgetLine {
    async fn year(&self) -> Option<i32> {
        self.line.year
    }
    async fn amount(&self) -> Amount {
        Amount::as_printed(&self.line.amount_printed, self.unit, self.line.amount_vnd)
    }
    async fn funding_source(&self) -> Option<FundingSource> {
        self.line.funding_source.map(Into::into)
    }
    /// The funding column as printed (e.g. "Ngân sách huyện - CTX").
    async fn funding_printed(&self) -> Option<&str> {
        self.line.funding_printed.as_deref()
    }
    /// Whose budget the column is (province or district), when the table says.
    async fn level(&self) -> Option<BudgetLevel> {
        self.line.level.map(Into::into)
    }
    /// Recurrent or investment spending, when the table says.
    async fn spending(&self) -> Option<Spending> {
        self.line.spending.map(Into::into)
    }
    /// The line of the seed file that prints this amount.
    async fn source_line(&self) -> Option<i32> {
        self.line.source_line
    }
    /// Whether this line prints money that another line or column total of the plan already counts (another
    /// appendix restating it). Sums over a plan or a province leave restatements out.
    async fn is_restatement(&self) -> bool {
        self.line.is_restatement()
    }
    /// The line whose money this one prints again, when one line of the plan does.
    async fn restates(&self, ctx: &Context<'_>) -> Res<Option<BudgetLine>> {
        let Some(id) = self.line.restates_line_id else {
            return Ok(None);
        };
        let loader = loader(ctx)?;
        let Some(line) = loader.load_one(One::<BudgetLineById>(id)).await? else {
            return Ok(None);
        };
        let project = loader.load_one(One::<ProjectById>(line.project_id)).await?;
        Ok(Some(BudgetLine {
            unit: project.and_then(|p| p.unit),
            line,
        }))
    }
    /// The column total whose money this line prints again, when no single line of it does.
    async fn restates_figure(&self, ctx: &Context<'_>) -> Res<Option<ReportedFigure>> {
        let Some(id) = self.line.restates_figure_id else {
            return Ok(None);
        };
        let figure = loader(ctx)?.load_one(One::<FigureById>(id)).await?;
        Ok(figure.map(ReportedFigure))
    }
    /// The project this line belongs to.
    async fn project(&self, ctx: &Context<'_>) -> Res<Option<Project>> {
        let project = loader(ctx)?
            .load_one(One::<ProjectById>(self.line.project_id))
            .await?;
        Ok(project.map(Project))
    }
}

#[Object]
impl Project {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Project, &self.0.key)
    }
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Row number as printed in the appendix, e.g. `1.3`.
    #[graphql(name = "ref")]
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The lead agency (cơ quan chủ trì) when the lead cell names one unit the registry has; see `leadAgencies` for
    /// a cell that names several.
    async fn lead_agency(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        load(ctx, self.0.lead_agency_id.as_ref()).await
    }
    /// The lead cell as printed: one unit, or several (a department and districts, say).
    async fn lead_printed(&self) -> Option<&str> {
        self.0.lead_printed.as_deref()
    }
    /// Every unit of the lead cell that the registry has, in printed order; units it lacks (districts the plan names
    /// only there) are in `leadPrinted` alone.
    #[graphql(complexity = "cost::list(cost::SHORT_LIST, child_complexity)")]
    async fn lead_agencies(&self, ctx: &Context<'_>) -> Res<Vec<Agency>> {
        let leads = rows::<LeadsOfProject>(ctx, self.0.id).await?;
        let keys: Vec<One<AgencyById>> = leads.into_iter().map(|l| One(l.agency_id)).collect();
        let found = loader(ctx)?.load_many(keys.clone()).await?;
        Ok(keys
            .into_iter()
            .filter_map(|k| found.get(&k).cloned().map(Agency))
            .collect())
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        load(ctx, &self.0.province_code).await
    }
    async fn plan(&self, ctx: &Context<'_>) -> Res<Option<Plan>> {
        load(ctx, &self.0.plan_id).await
    }
    async fn year_start(&self) -> Option<i32> {
        self.0.year_start
    }
    async fn year_end(&self) -> Option<i32> {
        self.0.year_end
    }
    async fn funding_source(&self) -> Option<FundingSource> {
        self.0.funding_source.map(Into::into)
    }
    /// The funding source as printed.
    async fn funding_printed(&self) -> Option<&str> {
        self.0.funding_printed.as_deref()
    }
    /// Status as printed (e.g. "Chuyển tiếp", "Mới").
    async fn status(&self) -> Option<&str> {
        self.0.status.as_deref()
    }
    /// The total as printed; null when the plan prints none. For a project an administrator created, the total they
    /// entered (`printed` null).
    async fn total(&self) -> Option<Amount> {
        match self.0.total_printed.as_deref() {
            Some(printed) => Some(Amount::as_printed(printed, self.0.unit, self.0.total_vnd)),
            None => self.0.total_vnd.map(|vnd| Amount {
                printed: None,
                unit: self.0.unit.map(Into::into),
                million_vnd: Some(million(vnd)),
            }),
        }
    }
    /// Version for optimistic concurrency (`updateProject`).
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Whether an administrator changed the project after it was seeded or created. `source` still cites where the
    /// seeded values came from; `auditEvents(filter: {entity: "project", entityKey: key})` shows who changed what.
    async fn edited(&self) -> bool {
        self.0.version > 1
    }
    /// The printed amounts per year and funding source.
    #[graphql(complexity = "cost::list(cost::SHORT_LIST, child_complexity)")]
    async fn budget(&self, ctx: &Context<'_>) -> Res<Vec<BudgetLine>> {
        let rows = rows::<BudgetOfProject>(ctx, self.0.id).await?;
        Ok(rows
            .into_iter()
            .map(|line| BudgetLine {
                line: Arc::new(line),
                unit: self.0.unit,
            })
            .collect())
    }
    /// Sum of the budget lines in million VND (null when there are none or their unit is not printed). A project's
    /// own lines are summed whole, restatements included: it is the sum over a plan or a province that leaves them
    /// out.
    async fn budget_sum_million_vnd(&self, ctx: &Context<'_>) -> Res<Option<f64>> {
        let rows = rows::<BudgetOfProject>(ctx, self.0.id).await?;
        Ok(sum_vnd(&rows).map(million))
    }
    /// Whether the printed total equals the sum of the printed lines; null when either is missing. A `false` is a slip
    /// in the plan, kept as printed.
    async fn total_matches_budget(&self, ctx: &Context<'_>) -> Res<Option<bool>> {
        let rows = rows::<BudgetOfProject>(ctx, self.0.id).await?;
        Ok(match (self.0.total_vnd, sum_vnd(&rows)) {
            (Some(total), Some(sum)) => Some(total == sum),
            _ => None,
        })
    }
    async fn source(&self) -> Option<Source> {
        self.0.source()
    }
}

fn sum_vnd(rows: &[project_budget::Model]) -> Option<i64> {
    if rows.is_empty() {
        return None;
    }
    rows.iter().map(|r| r.amount_vnd).sum()
}
