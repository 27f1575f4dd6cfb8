//! Filter inputs of the connection fields, validated and converted to store filters.

use async_graphql::InputObject;

use super::enums::{
    AgencyKind, ApprovalState, BudgetLevel, ConnectionStatus, FundingSource, NationalDatabaseKind,
    Spending,
};
use crate::{
    codes::parse_province_code,
    error::{Error, Result},
    store::catalog::{
        AgencyFilter, IndicatorFilter, NationalDatabaseFilter, ProjectFilter, SystemFilter,
    },
};

/// Optional free text (a description, an opinion, a reason, a note): NFC, trimmed, whitespace collapsed; empty means
/// none; at most `max` characters.
pub(crate) fn optional_text(
    field: &str,
    text: Option<String>,
    max: usize,
) -> Result<Option<String>> {
    let text = text
        .map(|t| crate::text::clean(&t))
        .filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > max) {
        let name = field.rsplit('.').next().unwrap_or(field);
        return Err(Error::bad_input(
            field,
            format!("`{name}` is longer than {max} characters"),
        ));
    }
    Ok(text)
}

/// A security level, 1 to 5.
pub(crate) fn level(field: &str, l: i32) -> Result<i16> {
    if (1..=5).contains(&l) {
        Ok(l as i16)
    } else {
        Err(Error::bad_input(
            field,
            format!("`{field}` must be a security level from 1 to 5"),
        ))
    }
}

fn province(field: &str, code: Option<String>) -> Result<Option<String>> {
    code.map(|c| parse_province_code(field, &c)).transpose()
}

fn name_filter(field: &str, text: Option<String>) -> Result<Option<String>> {
    match text {
        Some(t) if crate::text::fold(&t).is_empty() => {
            Err(Error::bad_input(field, format!("`{field}` is empty")))
        }
        other => Ok(other),
    }
}

#[derive(InputObject, Default)]
pub struct InformationSystemFilter {
    /// Security level 1–5.
    pub security_level: Option<i32>,
    /// Any of these levels.
    pub security_levels: Option<Vec<i32>>,
    /// Province code (2 digits).
    pub province_code: Option<String>,
    /// Owner agency's key.
    pub agency_key: Option<String>,
    pub approval_state: Option<ApprovalState>,
    pub approval_states: Option<Vec<ApprovalState>>,
    pub connects_lgsp: Option<bool>,
    pub processes_personal_data: Option<bool>,
    /// Name contains this text, with or without diacritics.
    pub name_contains: Option<String>,
}

impl InformationSystemFilter {
    pub fn into_store(self) -> Result<SystemFilter> {
        let mut levels: Option<Vec<i16>> = None;
        if let Some(l) = self.security_level {
            levels = Some(vec![level("filter.securityLevel", l)?]);
        }
        if let Some(ls) = self.security_levels {
            let parsed = ls
                .into_iter()
                .map(|l| level("filter.securityLevels", l))
                .collect::<Result<Vec<_>>>()?;
            levels = Some(match levels {
                Some(one) => one.into_iter().filter(|l| parsed.contains(l)).collect(),
                None => parsed,
            });
        }
        let mut states: Option<Vec<entities::enums::ApprovalState>> =
            self.approval_state.map(|s| vec![s.into()]);
        if let Some(ss) = self.approval_states {
            let list: Vec<_> = ss.into_iter().map(Into::into).collect();
            states = Some(match states {
                Some(one) => one.into_iter().filter(|s| list.contains(s)).collect(),
                None => list,
            });
        }
        Ok(SystemFilter {
            security_levels: levels,
            province_code: province("filter.provinceCode", self.province_code)?,
            agency_id: self.agency_key,
            approval_states: states,
            connects_lgsp: self.connects_lgsp,
            processes_personal_data: self.processes_personal_data,
            name_contains: name_filter("filter.nameContains", self.name_contains)?,
        })
    }
}

#[derive(InputObject, Default)]
pub struct ProjectFilterInput {
    pub province_code: Option<String>,
    /// The source plan's key.
    pub plan_key: Option<String>,
    /// Projects this agency leads, alone or among the units of a multi-unit lead cell.
    pub lead_agency_key: Option<String>,
    /// Projects running in this year (yearStart ≤ year ≤ yearEnd).
    pub year: Option<i32>,
    pub funding_source: Option<FundingSource>,
    pub funding_sources: Option<Vec<FundingSource>>,
    /// Projects with a budget line at this level (province or district budget).
    pub budget_level: Option<BudgetLevel>,
    /// Projects with a budget line of this spending (recurrent or investment).
    pub spending: Option<Spending>,
    /// Printed total at least this many million VND (projects whose unit is printed).
    pub min_total_million_vnd: Option<f64>,
    /// Printed total at most this many million VND.
    pub max_total_million_vnd: Option<f64>,
    pub name_contains: Option<String>,
}

fn million_to_vnd(field: &str, m: Option<f64>) -> Result<Option<i64>> {
    match m {
        None => Ok(None),
        Some(v) if (0.0..9.0e12).contains(&v) => Ok(Some((v * 1_000_000.0).round() as i64)),
        Some(_) => Err(Error::bad_input(
            field,
            format!("`{field}` must be a non-negative amount"),
        )),
    }
}

impl ProjectFilterInput {
    pub fn into_store(self) -> Result<ProjectFilter> {
        let mut sources: Option<Vec<entities::enums::FundingSource>> =
            self.funding_source.map(|s| vec![s.into()]);
        if let Some(list) = self.funding_sources {
            let mut all = sources.unwrap_or_default();
            all.extend(list.into_iter().map(entities::enums::FundingSource::from));
            sources = Some(all);
        }
        let min = million_to_vnd("filter.minTotalMillionVnd", self.min_total_million_vnd)?;
        let max = million_to_vnd("filter.maxTotalMillionVnd", self.max_total_million_vnd)?;
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Err(Error::bad_input(
                    "filter.minTotalMillionVnd",
                    "the budget range is empty (min > max)",
                ));
            }
        }
        if let Some(y) = self.year {
            if !(1900..=2200).contains(&y) {
                return Err(Error::bad_input(
                    "filter.year",
                    "`filter.year` is not a plausible year",
                ));
            }
        }
        Ok(ProjectFilter {
            province_code: province("filter.provinceCode", self.province_code)?,
            plan_id: self.plan_key,
            lead_agency_id: self.lead_agency_key,
            year: self.year,
            funding_sources: sources,
            budget_level: self.budget_level.map(Into::into),
            spending: self.spending.map(Into::into),
            min_total_vnd: min,
            max_total_vnd: max,
            name_contains: name_filter("filter.nameContains", self.name_contains)?,
        })
    }
}

#[derive(InputObject, Default)]
pub struct AgencyFilterInput {
    pub province_code: Option<String>,
    pub kind: Option<AgencyKind>,
    pub kinds: Option<Vec<AgencyKind>>,
    pub parent_key: Option<String>,
    pub name_contains: Option<String>,
}

impl AgencyFilterInput {
    pub fn into_store(self) -> Result<AgencyFilter> {
        let mut kinds: Option<Vec<entities::enums::AgencyKind>> = self.kind.map(|k| vec![k.into()]);
        if let Some(list) = self.kinds {
            let mut all = kinds.unwrap_or_default();
            all.extend(list.into_iter().map(entities::enums::AgencyKind::from));
            kinds = Some(all);
        }
        Ok(AgencyFilter {
            province_code: province("filter.provinceCode", self.province_code)?,
            kinds,
            parent_id: self.parent_key,
            name_contains: name_filter("filter.nameContains", self.name_contains)?,
        })
    }
}

#[derive(InputObject, Default)]
pub struct NationalDatabaseFilterInput {
    pub kind: Option<NationalDatabaseKind>,
    /// Only databases linked to this province...
    pub province_code: Option<String>,
    /// ...with this status.
    pub status: Option<ConnectionStatus>,
    pub name_contains: Option<String>,
}

impl NationalDatabaseFilterInput {
    pub fn into_store(self) -> Result<NationalDatabaseFilter> {
        Ok(NationalDatabaseFilter {
            kind: self.kind.map(Into::into),
            province_code: province("filter.provinceCode", self.province_code)?,
            status: self.status.map(Into::into),
            name_contains: name_filter("filter.nameContains", self.name_contains)?,
        })
    }
}

#[derive(InputObject, Default)]
pub struct IndicatorFilterInput {
    pub province_code: Option<String>,
    pub plan_key: Option<String>,
    pub year: Option<i32>,
    pub name_contains: Option<String>,
}

impl IndicatorFilterInput {
    pub fn into_store(self) -> Result<IndicatorFilter> {
        Ok(IndicatorFilter {
            province_code: province("filter.provinceCode", self.province_code)?,
            plan_id: self.plan_key,
            year: self.year,
            name_contains: name_filter("filter.nameContains", self.name_contains)?,
        })
    }
}

#[derive(InputObject, Default)]
pub struct PlanFilterInput {
    pub province_code: Option<String>,
}

impl PlanFilterInput {
    pub fn province(self) -> Result<Option<String>> {
        province("filter.provinceCode", self.province_code)
    }
}

#[cfg(test)]
mod proptests;
