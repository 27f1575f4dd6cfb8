//! Projects an administrator creates or edits.
//!
//! What a plan prints stays as printed: an administrator cannot set a project's row number, its printed status or
//! funding column, its budget lines, or the total of a project seeded from a plan (its budget lines are read in the
//! plan's unit, and its total is the plan's figure). A project an administrator creates may carry a total they enter,
//! in million VND, stored parsed with no printed text, so the API never shows it as printed.

use std::collections::HashSet;

use entities::{
    enums::{FundingSource, MoneyUnit, SearchKind},
    plan, project,
};
use sea_orm::{
    ActiveEnum, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;

use super::{agency_ref, free_key, slug};
use crate::{
    error::{Error, Result},
    store::{
        audit::Actor,
        write::{check, Versioned, Write},
        Store,
    },
    text::fold,
};

/// The audit trail's name for projects.
pub const PROJECT: &str = "project";

/// A new project of a plan, validated; its province is the plan's.
pub struct NewProject {
    pub plan_id: String,
    pub name: String,
    pub lead_agency_id: Option<String>,
    pub year_start: Option<i32>,
    pub year_end: Option<i32>,
    pub funding_source: Option<FundingSource>,
    /// The total an administrator entered, in whole VND.
    pub total_vnd: Option<i64>,
}

/// Changes to a project: `None` leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub lead_agency_id: Option<Option<String>>,
    pub year_start: Option<Option<i32>>,
    pub year_end: Option<Option<i32>>,
    pub funding_source: Option<Option<FundingSource>>,
    pub total_vnd: Option<Option<i64>>,
}

impl Versioned for project::Entity {
    const WHAT: &'static str = "the project";
    const AUDIT: &'static str = PROJECT;
    const VERSION: project::Column = project::Column::Version;
    const DUPLICATE: &'static str = "a project with this key was just created: try again";

    fn key(m: &project::Model) -> String {
        m.key.clone()
    }

    fn version(m: &project::Model) -> i32 {
        m.version
    }

    fn snapshot(m: &project::Model) -> serde_json::Value {
        json!({
            "key": m.key, "name": m.name, "plan": m.plan_id, "province": m.province_code,
            "leadAgency": m.lead_agency_id, "yearStart": m.year_start, "yearEnd": m.year_end,
            "fundingSource": m.funding_source.map(|f| f.to_value()), "totalPrinted": m.total_printed, "totalVnd": m.total_vnd,
            "unit": m.unit.map(|u| u.to_value()), "version": m.version,
            "source": m.source_file.as_ref().map(|f| json!({ "file": f, "line": m.source_line })),
        })
    }

    fn search(m: &project::Model) -> Option<(SearchKind, &str)> {
        Some((SearchKind::Project, &m.name))
    }
}

fn check_years(start: Option<i32>, end: Option<i32>) -> Result<()> {
    match (start, end) {
        (Some(s), Some(e)) if s > e => Err(Error::bad_input(
            "input.yearEnd",
            "`yearEnd` is before `yearStart`",
        )),
        _ => Ok(()),
    }
}

/// The total's columns for an entered amount: whole VND, the number in million VND, the unit, no printed text.
fn set_total(row: &mut project::ActiveModel, vnd: Option<i64>) {
    row.total_printed = Set(None);
    row.total_vnd = Set(vnd);
    row.total_number = Set(vnd.map(|v| v as f64 / 1_000_000.0));
    row.unit = Set(vnd.map(|_| MoneyUnit::MillionVnd));
    row.unit_line = Set(None);
}

#[tracing::instrument(skip_all, fields(actor = %actor.subject))]
pub async fn create_project(
    store: &Store,
    actor: &Actor,
    new: NewProject,
) -> Result<project::Model> {
    let write = Write::begin(store, actor).await?;
    let txn = write.txn();
    let plan = plan::Entity::find_by_id(new.plan_id.clone())
        .one(txn)
        .await?
        .ok_or_else(|| {
            Error::bad_input(
                "input.planKey",
                format!("there is no plan `{}`", new.plan_id),
            )
        })?;
    if let Some(lead) = &new.lead_agency_id {
        agency_ref(txn, "input.leadAgencyKey", lead, &plan.province_code).await?;
    }
    check_years(new.year_start, new.year_end)?;
    let base = format!("{}-{}", plan.id, slug(&new.name));
    let taken: HashSet<String> = project::Entity::find()
        .select_only()
        .column(project::Column::Key)
        .filter(project::Column::Key.starts_with(&base))
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut row = project::ActiveModel {
        id: NotSet,
        key: Set(free_key(&base, &taken)),
        reference: Set(None),
        name_folded: Set(fold(&new.name)),
        name: Set(new.name),
        lead_agency_id: Set(new.lead_agency_id),
        province_code: Set(plan.province_code),
        plan_id: Set(plan.id),
        year_start: Set(new.year_start),
        year_end: Set(new.year_end),
        funding_source: Set(new.funding_source),
        funding_printed: Set(None),
        status: Set(None),
        version: Set(1),
        source_file: Set(None),
        source_line: Set(None),
        source_line_end: Set(None),
        ..Default::default()
    };
    set_total(&mut row, new.total_vnd);
    write.create("create", row).await
}

#[tracing::instrument(level = "debug", skip_all, fields(key))]
async fn current(txn: &DatabaseTransaction, key: &str) -> Result<project::Model> {
    project::Entity::find()
        .filter(project::Column::Key.eq(key))
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("project"))
}

#[tracing::instrument(skip_all, fields(actor = %actor.subject, key))]
pub async fn update_project(
    store: &Store,
    actor: &Actor,
    key: &str,
    version: i32,
    changes: ProjectChanges,
) -> Result<project::Model> {
    let write = Write::begin(store, actor).await?;
    let txn = write.txn();
    let current = check(current(txn, key).await?, version)?;
    let row = current.row();
    if changes.total_vnd.is_some() && row.source_file.is_some() {
        return Err(Error::bad_input(
            "input.totalMillionVnd",
            "the total of a project seeded from a plan is the plan's printed figure and cannot be replaced",
        ));
    }
    if let Some(Some(lead)) = &changes.lead_agency_id {
        agency_ref(txn, "input.leadAgencyKey", lead, &row.province_code).await?;
    }
    check_years(
        changes.year_start.unwrap_or(row.year_start),
        changes.year_end.unwrap_or(row.year_end),
    )?;
    write
        .update("update", current, |row: &mut project::ActiveModel| {
            if let Some(name) = changes.name {
                row.name_folded = Set(fold(&name));
                row.name = Set(name);
            }
            if let Some(lead) = changes.lead_agency_id {
                row.lead_agency_id = Set(lead);
            }
            if let Some(y) = changes.year_start {
                row.year_start = Set(y);
            }
            if let Some(y) = changes.year_end {
                row.year_end = Set(y);
            }
            if let Some(f) = changes.funding_source {
                row.funding_source = Set(f);
            }
            if let Some(total) = changes.total_vnd {
                set_total(row, total);
            }
        })
        .await
}
