//! Compares what a plan states (a reported figure with a metric) with what its rows add up to.

use entities::reported_figure;

use super::types::{million, Discrepancy, ReportedFigure};
use crate::store::batch::PlanTotalsRow;

/// A discrepancy when `figure` has a metric the rows can recompute and the two disagree.
pub fn check(figure: reported_figure::Model, totals: &PlanTotalsRow) -> Option<Discrepancy> {
    let stated = figure.value?;
    let (computed, what) = match figure.metric.as_deref()? {
        "project_budget_total" => {
            let vnd = totals.total_vnd?;
            let computed = match figure.unit.as_deref() {
                Some("million_vnd") => million(vnd),
                Some("billion_vnd") => million(vnd) / 1000.0,
                Some("đồng") | Some("vnd") => vnd as f64,
                _ => return None,
            };
            (
                computed,
                "the sum of the project totals seeded from this plan",
            )
        }
        "project_count" => (
            totals.projects as f64,
            "the number of projects seeded from this plan",
        ),
        "national_database_count" => (
            totals.databases as f64,
            "the number of national databases this plan names as connected or planned",
        ),
        _ => return None,
    };
    // Amounts are exact in VND; compare at a tenth of a VND-million's millionth to absorb float formatting only.
    if (computed - stated).abs() < 1e-6 {
        return None;
    }
    let explanation = format!(
        "the plan states {} ({}), but {what} is {computed}",
        figure.value_printed, figure.label
    );
    Some(Discrepancy {
        figure: ReportedFigure(figure),
        stated,
        computed,
        difference: computed - stated,
        explanation,
    })
}
