//! `Plan`, the source document of the seed rows, with what it states: its targets (`Indicator`), its reported figures
//! (`ReportedFigure`) and where those disagree with its rows.

use async_graphql::{Context, Object, SimpleObject, ID};
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
    lookups::{BudgetOfProject, FigureById, FiguresOfPlan, LinksOfPlan, ProjectsOfPlan},
};
use crate::graphql::{enums::Comparator, loaders::One};
use crate::limits::cost;

/// The money of a plan's budget lines, each amount counted once.
#[derive(SimpleObject)]
pub struct BudgetTotal {
    /// Sum of the lines whose unit is printed, restatements left out, in million VND.
    pub million_vnd: f64,
    /// Lines summed.
    pub lines: i64,
    /// Lines left out because they print money another line or column total already counts.
    pub restated_lines: i64,
    /// What the restatements add up to, in million VND: what a naive sum would count twice.
    pub restated_million_vnd: f64,
    /// Lines whose unit the plan does not print (kept as printed, not summed).
    pub unpriced_lines: i64,
}

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
        Ok(figures.into_iter().map(ReportedFigure::from_row).collect())
    }
    /// Stated figures that disagree with the rows seeded from this plan, or with the figure they restate (a total
    /// printed again with another value or unit); stated counts that differ from the items the plan lists.
    #[graphql(complexity = "cost::list(cost::SHORT_LIST, child_complexity)")]
    async fn discrepancies(&self, ctx: &Context<'_>) -> Res<Vec<Discrepancy>> {
        let figures = rows::<FiguresOfPlan>(ctx, self.0.id.clone()).await?;
        let projects = rows::<ProjectsOfPlan>(ctx, self.0.id.clone()).await?;
        let links = rows::<LinksOfPlan>(ctx, self.0.id.clone()).await?;
        let lines = self.budget_lines(ctx).await?;
        let all = figures.clone();
        Ok(figures
            .into_iter()
            .filter_map(|f| discrepancy::check(f, &projects, &lines, &links, &all))
            .collect())
    }
    /// The plan's budget money, each amount counted once: lines that restate another line or a column total of the
    /// plan (`BudgetLine.isRestatement`) are left out of the sum and counted apart.
    async fn budget_total(&self, ctx: &Context<'_>) -> Res<BudgetTotal> {
        let lines = self.budget_lines(ctx).await?;
        let mut total = BudgetTotal {
            million_vnd: 0.0,
            lines: 0,
            restated_lines: 0,
            restated_million_vnd: 0.0,
            unpriced_lines: 0,
        };
        let (mut vnd, mut restated_vnd) = (0i64, 0i64);
        for (_, line) in &lines {
            match (line.is_restatement(), line.amount_vnd) {
                (_, None) => total.unpriced_lines += 1,
                (true, Some(v)) => {
                    total.restated_lines += 1;
                    restated_vnd += v;
                }
                (false, Some(v)) => {
                    total.lines += 1;
                    vnd += v;
                }
            }
        }
        total.million_vnd = super::source::million(vnd);
        total.restated_million_vnd = super::source::million(restated_vnd);
        Ok(total)
    }
}

impl Plan {
    /// The plan's budget lines, each with its project's key.
    async fn budget_lines(&self, ctx: &Context<'_>) -> Res<Vec<(String, project_budget::Model)>> {
        let projects = rows::<ProjectsOfPlan>(ctx, self.0.id.clone()).await?;
        let lines = loader(ctx)?
            .load_many(projects.iter().map(|p| Rows::<BudgetOfProject>(p.id)))
            .await?;
        Ok(projects
            .iter()
            .flat_map(|p| {
                lines
                    .get(&Rows(p.id))
                    .into_iter()
                    .flatten()
                    .map(|l| (p.key.clone(), l.clone()))
            })
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
    /// How the target relates to its value as printed: `GT` for "> 50%" or "Trên 50%", `ASPIRATIONAL` for "phấn
    /// đấu", `EQ` otherwise.
    async fn comparator(&self) -> Comparator {
        self.0.comparator.into()
    }
    /// The printed words that say what is measured when the row alone does not (its section heading, or the
    /// sentence its value is one part of); null when `name` says it.
    async fn heading(&self) -> Option<&str> {
        self.0.heading.as_deref()
    }
    /// The line that prints `heading`.
    async fn heading_source(&self) -> Option<Source> {
        let line = self.0.heading_line?;
        Some(Source {
            file: self.0.source_file.clone()?,
            line,
            line_end: line,
        })
    }
    /// What is measured, in the plan's words: `heading` and `name` together when the name alone does not say it.
    async fn measures(&self) -> String {
        match &self.0.heading {
            Some(heading) => format!("{heading}: {}", self.0.name),
            None => self.0.name.clone(),
        }
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
    /// The year the figure is about, when the plan says.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
    /// For a stated count: the line that lists the items counted.
    async fn listed_line(&self) -> Option<i32> {
        self.0.listed_line
    }
    /// Whether this figure prints again what another figure of the plan states (a summary restating an appendix's
    /// total, the same fact in two sections): never add the two.
    async fn is_restatement(&self) -> bool {
        self.0.restates_figure_id.is_some()
    }
    /// The figure this one restates.
    async fn restates(&self, ctx: &Context<'_>) -> Res<Option<ReportedFigure>> {
        let Some(id) = self.0.restates_figure_id else {
            return Ok(None);
        };
        let figure = loader(ctx)?.load_one(One::<FigureById>(id)).await?;
        Ok(figure.map(ReportedFigure))
    }
    async fn source(&self) -> Option<Source> {
        self.0.source()
    }
}
