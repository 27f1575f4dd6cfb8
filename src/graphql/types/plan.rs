//! `Plan`, the source document of the seed rows, with what it states: its targets (`Indicator`), its reported figures
//! (`ReportedFigure`) and where those disagree with its rows.

use async_graphql::{Context, Object, ID};
use entities::project_budget;

use super::{
    discrepancy::{self, Discrepancy},
    load, rows,
    source::{Cited, Source},
    Indicator, Plan, Province, ReportedFigure, Res,
};
use crate::graphql::{
    context::loader,
    ids::{global_id, NodeKind},
    loaders::Rows,
    lookups::{BudgetOfProject, FiguresOfPlan, LinksOfPlan, ProjectsOfPlan},
};
use crate::limits::cost;

#[Object]
impl Plan {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Plan, &self.0.id)
    }
    async fn key(&self) -> &str {
        &self.0.id
    }
    /// Document number as printed, e.g. `274/KH-UBND`.
    async fn number(&self) -> Option<&str> {
        self.0.number.as_deref()
    }
    /// ISO date of issue.
    async fn issued_on(&self) -> Option<&str> {
        self.0.issued_on.as_deref()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn period_start(&self) -> Option<i32> {
        self.0.period_start
    }
    async fn period_end(&self) -> Option<i32> {
        self.0.period_end
    }
    async fn source(&self) -> Option<Source> {
        self.0.source()
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        load(ctx, &self.0.province_code).await
    }
    /// Aggregates the plan states (counts, totals), as printed.
    #[graphql(complexity = "cost::list(cost::SHORT_LIST, child_complexity)")]
    async fn reported_figures(&self, ctx: &Context<'_>) -> Res<Vec<ReportedFigure>> {
        let figures = rows::<FiguresOfPlan>(ctx, self.0.id.clone()).await?;
        Ok(figures.into_iter().map(ReportedFigure).collect())
    }
    /// Stated figures that disagree with the rows seeded from this plan.
    #[graphql(complexity = "cost::list(cost::SHORT_LIST, child_complexity)")]
    async fn discrepancies(&self, ctx: &Context<'_>) -> Res<Vec<Discrepancy>> {
        let figures = rows::<FiguresOfPlan>(ctx, self.0.id.clone()).await?;
        let projects = rows::<ProjectsOfPlan>(ctx, self.0.id.clone()).await?;
        let links = rows::<LinksOfPlan>(ctx, self.0.id.clone()).await?;
        let lines = loader(ctx)?
            .load_many(projects.iter().map(|p| Rows::<BudgetOfProject>(p.id)))
            .await?;
        let lines: Vec<(String, project_budget::Model)> = projects
            .iter()
            .flat_map(|p| {
                lines
                    .get(&Rows(p.id))
                    .into_iter()
                    .flatten()
                    .map(|l| (p.key.clone(), l.clone()))
            })
            .collect();
        Ok(figures
            .into_iter()
            .filter_map(|f| discrepancy::check(f, &projects, &lines, &links))
            .collect())
    }
}

#[Object]
impl Indicator {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Indicator, &self.0.key)
    }
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The target value as printed.
    async fn value_printed(&self) -> &str {
        &self.0.value_printed
    }
    /// The target value parsed with the document's number convention.
    async fn value(&self) -> Option<f64> {
        self.0.value
    }
    /// Unit as printed (e.g. `%`); null when none is printed.
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        load(ctx, &self.0.province_code).await
    }
    async fn plan(&self, ctx: &Context<'_>) -> Res<Option<Plan>> {
        load(ctx, &self.0.plan_id).await
    }
    async fn source(&self) -> Option<Source> {
        self.0.source()
    }
}

#[Object]
impl ReportedFigure {
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// What is counted, in the plan's words.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// What the API recomputes it from, when it can (`project_budget_total`, `project_count`, ...).
    async fn metric(&self) -> Option<String> {
        self.0.metric.map(|m| sea_orm::ActiveEnum::to_value(&m))
    }
    /// Key prefix of the projects the figure covers (a section of an appendix); null = the whole plan.
    async fn scope(&self) -> Option<&str> {
        self.0.scope.as_deref()
    }
    /// For a column total: the printed funding column of the budget lines it sums.
    async fn funding_printed(&self) -> Option<&str> {
        self.0.funding_printed.as_deref()
    }
    async fn value_printed(&self) -> &str {
        &self.0.value_printed
    }
    async fn value(&self) -> Option<f64> {
        self.0.value
    }
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
    async fn quote(&self) -> Option<&str> {
        self.0.quote.as_deref()
    }
    async fn source(&self) -> Option<Source> {
        self.0.source()
    }
}
