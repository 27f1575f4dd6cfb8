//! The seed files' shape (see `data/seed/FORMAT.md`). Unknown keys are errors, so a typo in a seed file fails loudly.

use serde::Deserialize;

use super::number::{MoneyUnit, NumberFormat};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvincesFile {
    pub province: Vec<ProvinceRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvinceRow {
    pub code: String,
    pub slug: String,
    pub name: String,
    pub committee_name: String,
    pub agency_code: Option<String>,
    pub agency_code_note: Option<String>,
    pub merged_into_code: Option<String>,
    pub merged_into_name: Option<String>,
    pub merger_resolution: Option<String>,
    pub merger_effective: Option<String>,
    pub merger_note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalDatabasesFile {
    pub national_database: Vec<NationalDatabaseRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalDatabaseRow {
    pub key: String,
    pub name: String,
    /// The plan that names the entry at `line`, for an entry of the catalogue file (a plan's own entries cite their
    /// plan).
    pub source_file: Option<String>,
    pub owner: Option<String>,
    pub owner_note: Option<String>,
    pub kind: Option<String>,
    pub line: Option<i32>,
    pub line_end: Option<i32>,
}

/// One plan's file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub source_file: String,
    pub province: String,
    #[serde(default)]
    pub number_format: NumberFormat,
    pub plan: PlanRow,
    #[serde(default)]
    pub agency: Vec<AgencyRow>,
    #[serde(default)]
    pub national_database: Vec<NationalDatabaseRow>,
    #[serde(default)]
    pub connection: Vec<ConnectionRow>,
    #[serde(default)]
    pub information_system: Vec<SystemRow>,
    #[serde(default)]
    pub project: Vec<ProjectRow>,
    #[serde(default)]
    pub indicator: Vec<IndicatorRow>,
    #[serde(default)]
    pub reported_figure: Vec<FigureRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRow {
    pub key: String,
    pub number: Option<String>,
    pub date: Option<String>,
    pub title: String,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub line: i32,
    pub line_end: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyRow {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    pub code: Option<String>,
    pub line: i32,
    pub line_end: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionRow {
    pub national_database: String,
    /// `connected`, `planned`, `partial`, or `disputed` when the statements below contradict this one.
    pub status: String,
    pub quote: String,
    pub line: i32,
    pub line_end: Option<i32>,
    /// What this statement alone says, when `status` is `disputed` (`connected`, `planned` or `partial`).
    pub stated: Option<String>,
    /// The plan's further statements about the same link.
    #[serde(default)]
    pub statement: Vec<StatementRow>,
}

/// One more statement of a plan about a link: what it says, its words and its lines.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementRow {
    pub status: String,
    pub quote: String,
    pub line: i32,
    pub line_end: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemRow {
    pub key: String,
    pub name: String,
    pub owner: Option<String>,
    pub description: Option<String>,
    pub security_level: Option<i16>,
    pub approval_state: Option<String>,
    pub decision_number: Option<String>,
    pub decision_date: Option<String>,
    pub connects_lgsp: Option<bool>,
    pub processes_personal_data: Option<bool>,
    /// The approval as printed when it fits no approval state, and its line.
    pub approval_printed: Option<String>,
    pub approval_line: Option<i32>,
    pub line: i32,
    pub line_end: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectRow {
    pub key: String,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub name: String,
    pub lead_agency: Option<String>,
    /// The lead cell as printed (one unit or several).
    pub lead_printed: Option<String>,
    /// Every unit of the lead cell that the registry has, in printed order (defaults to `lead_agency`).
    #[serde(default)]
    pub lead_agencies: Vec<String>,
    pub year_start: Option<i32>,
    pub year_end: Option<i32>,
    pub funding_source: Option<String>,
    pub funding_printed: Option<String>,
    pub status: Option<String>,
    pub total: Option<String>,
    pub unit: Option<MoneyUnit>,
    pub unit_line: Option<i32>,
    pub number_format: Option<NumberFormat>,
    pub line: i32,
    pub line_end: Option<i32>,
    #[serde(default)]
    pub budget: Vec<BudgetRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetRow {
    pub year: Option<i32>,
    pub amount: String,
    pub funding_source: Option<String>,
    pub funding_printed: Option<String>,
    /// `province` or `district`, when the column says whose budget it is.
    pub level: Option<String>,
    /// `recurrent` or `investment`, when the column says.
    pub spending: Option<String>,
    /// The key of the project whose line of the same year already counts this money.
    pub restates: Option<String>,
    /// The key of the column total (a reported figure) that already counts this money.
    pub restates_figure: Option<String>,
    pub line: i32,
    pub line_end: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRow {
    pub key: String,
    pub name: String,
    pub value: String,
    pub unit: Option<String>,
    pub year: Option<i32>,
    /// `eq` (the default), `gt`, `gte` or `aspirational`, from the printed text.
    pub comparator: Option<String>,
    /// The printed words that say what is measured when the name alone does not, and their line.
    pub heading: Option<String>,
    pub heading_line: Option<i32>,
    pub number_format: Option<NumberFormat>,
    pub line: i32,
    pub line_end: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureRow {
    pub key: String,
    pub label: String,
    pub metric: Option<String>,
    pub scope: Option<String>,
    pub funding_printed: Option<String>,
    pub value: String,
    pub unit: Option<String>,
    pub quote: Option<String>,
    /// The key of the figure this one prints again.
    pub restates: Option<String>,
    /// The year the figure is about, when the plan says.
    pub year: Option<i32>,
    /// For a stated count: the line that lists the items counted.
    pub listed_line: Option<i32>,
    pub number_format: Option<NumberFormat>,
    pub line: i32,
    pub line_end: Option<i32>,
}
