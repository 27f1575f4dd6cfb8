//! `Discrepancy`: compares what a plan states (a reported figure with a metric) with what the rows seeded from it add
//! up to.

use std::collections::HashSet;

use async_graphql::SimpleObject;
use entities::{enums::Metric, national_database_link, project, project_budget, reported_figure};

use super::ReportedFigure;

/// A figure a plan states that disagrees with the rows it lists. Both are kept as printed.
#[derive(SimpleObject)]
pub struct Discrepancy {
    pub figure: ReportedFigure,
    /// The figure as stated, in its unit.
    pub stated: f64,
    /// The same figure recomputed from the rows seeded from this plan, in the same unit.
    pub computed: f64,
    /// `computed - stated`.
    pub difference: f64,
    pub explanation: String,
}

/// VND per unit of a money unit as the seed files spell it.
fn vnd_per_unit(unit: &str) -> Option<f64> {
    match unit {
        "million_vnd" => Some(1e6),
        "billion_vnd" => Some(1e9),
        "đồng" | "vnd" => Some(1.0),
        _ => None,
    }
}

/// The sum of the scoped projects' totals in the figure's unit. When every total has a printed money unit the sum
/// converts through VND; otherwise the figure and the rows are read as the same table, in its own (perhaps unprinted)
/// unit, and the printed numbers are added as they stand.
fn budget_total(figure: &reported_figure::Model, projects: &[&project::Model]) -> Option<f64> {
    if projects.is_empty() {
        return None;
    }
    let per_unit = figure.unit.as_deref().and_then(vnd_per_unit);
    let vnd: Option<i64> = projects.iter().map(|p| p.total_vnd).sum();
    match (per_unit, vnd) {
        (Some(per_unit), Some(vnd)) => Some(vnd as f64 / per_unit),
        (None, _) => projects.iter().map(|p| p.total_number).sum(),
        (Some(_), None) => None,
    }
}

/// A discrepancy when `figure` names a metric the rows can recompute and the two disagree.
/// The sum of the scoped budget lines (of one printed funding column, when the figure names one) in the figure's unit.
fn lines_total(
    figure: &reported_figure::Model,
    lines: &[(&String, &project_budget::Model)],
) -> Option<f64> {
    let per_unit = vnd_per_unit(figure.unit.as_deref()?)?;
    let vnd: Option<i64> = lines
        .iter()
        .filter(|(_, l)| {
            figure.funding_printed.is_none() || l.funding_printed == figure.funding_printed
        })
        .map(|(_, l)| l.amount_vnd)
        .sum();
    Some(vnd? as f64 / per_unit)
}

/// A discrepancy when `figure` restates another figure of the plan (`figures`) with another value or unit: the two
/// compared in the figure's unit, through VND when both are money.
fn restated(
    figure: reported_figure::Model,
    figures: &[reported_figure::Model],
) -> Option<Discrepancy> {
    let stated = figure.value?;
    let other = figures
        .iter()
        .find(|f| Some(f.id) == figure.restates_figure_id)?;
    let value = other.value?;
    let units = (figure.unit.as_deref(), other.unit.as_deref());
    let computed = match (
        units.0.and_then(vnd_per_unit),
        units.1.and_then(vnd_per_unit),
    ) {
        (Some(ours), Some(theirs)) => value * theirs / ours,
        _ if units.0 == units.1 => value,
        _ => return None,
    };
    if (computed - stated).abs() < 1e-6 * stated.abs().max(1.0) {
        return None;
    }
    let unit = |u: Option<&str>| u.map(|u| format!(" {u}")).unwrap_or_default();
    let explanation = format!(
        "the plan prints {}{} for \"{}\", restating \"{}\", printed {}{} on line {}",
        figure.value_printed,
        unit(units.0),
        figure.label,
        other.label,
        other.value_printed,
        unit(units.1),
        other.source_line.unwrap_or_default(),
    );
    let computed = (computed * 1000.0).round() / 1000.0;
    Some(Discrepancy {
        figure: ReportedFigure::from_row(figure),
        stated,
        computed,
        difference: computed - stated,
        explanation,
    })
}

/// A discrepancy when `figure` names a metric the rows can recompute and the two disagree, or restates another figure
/// of the plan (`figures`) with another value or unit. `lines` are the plan's budget lines with the key of their
/// project.
pub fn check(
    figure: reported_figure::Model,
    projects: &[project::Model],
    lines: &[(String, project_budget::Model)],
    links: &[national_database_link::Model],
    figures: &[reported_figure::Model],
) -> Option<Discrepancy> {
    if figure.metric.is_none() && figure.restates_figure_id.is_some() {
        return restated(figure, figures);
    }
    let stated = figure.value?;
    let scoped: Vec<&project::Model> = projects
        .iter()
        .filter(|p| figure.scope.as_deref().is_none_or(|s| p.key.starts_with(s)))
        .collect();
    let in_scope = |key: &str| figure.scope.as_deref().is_none_or(|s| key.starts_with(s));
    // A figure of the whole plan counts each amount once: restatements are left out. A scoped figure totals its own
    // table, restatements of another table's money included.
    let scoped_lines: Vec<(&String, &project_budget::Model)> = lines
        .iter()
        .filter(|(k, _)| in_scope(k))
        .filter(|(_, l)| figure.scope.is_some() || !l.is_restatement())
        .map(|(k, l)| (k, l))
        .collect();
    let (computed, what) = match figure.metric? {
        Metric::BudgetLinesTotal => (
            lines_total(&figure, &scoped_lines)?,
            "the sum of the listed budget lines",
        ),
        Metric::ProjectBudgetTotal => (
            budget_total(&figure, &scoped)?,
            "the sum of the listed rows' totals",
        ),
        Metric::ProjectCount => (scoped.len() as f64, "the number of listed rows"),
        Metric::NationalDatabaseCount => match figure.listed_line {
            // A stated count beside the list of what it counts (a footnote): the items that list names.
            Some(listed) => {
                let distinct: HashSet<&str> = links
                    .iter()
                    .filter(|l| {
                        l.source_line.is_some_and(|start| {
                            (start..=l.source_line_end.unwrap_or(start)).contains(&listed)
                        })
                    })
                    .map(|l| l.national_database_id.as_str())
                    .collect();
                (
                    distinct.len() as f64,
                    "the number of national databases and systems the plan lists for it",
                )
            }
            None => {
                let distinct: HashSet<&str> = links
                    .iter()
                    .map(|l| l.national_database_id.as_str())
                    .collect();
                (
                    distinct.len() as f64,
                    "the number of national databases the plan names as connected or planned",
                )
            }
        },
    };
    // Sums of decimal amounts in floating point: compare at well below the smallest printed unit.
    if (computed - stated).abs() < 1e-6 * stated.abs().max(1.0) {
        return None;
    }
    let computed = (computed * 1000.0).round() / 1000.0;
    let listed = figure
        .listed_line
        .map(|l| format!(" (line {l})"))
        .unwrap_or_default();
    let explanation = format!(
        "the plan states {} for \"{}\", but {what}{listed} is {computed}",
        figure.value_printed, figure.label
    );
    Some(Discrepancy {
        figure: ReportedFigure::from_row(figure),
        stated,
        computed,
        difference: computed - stated,
        explanation,
    })
}
