//! Writes a parsed [`SeedSet`] into the database, in one transaction.

use std::collections::HashMap;

use entities::{
    agency,
    enums::{
        AgencyKind, ApprovalState, BudgetLevel, Comparator, FundingSource, NationalDatabaseKind,
        SearchKind, Spending,
    },
    indicator, information_system, national_database, national_database_link,
    national_database_link_statement, plan, project, project_budget, project_lead_agency, province,
    reported_figure,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};

use super::{
    model::PlanFile,
    number::{amount_to_vnd, parse_number, NumberFormat},
    rows::{insert_chunked, SearchRows},
    stored, SeedError, SeedSet,
};
use crate::text::{clean, fold};

/// Seeds an empty database from the embedded seed files. Returns whether it seeded.
#[tracing::instrument(skip_all)]
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<bool, SeedError> {
    if province::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let set = SeedSet::embedded()?;
    seed_all(db, &set).await?;
    Ok(true)
}

/// Inserts every row of `set`; all or nothing.
#[tracing::instrument(skip_all, fields(plans = set.plans.len()))]
pub async fn seed_all(db: &DatabaseConnection, set: &SeedSet) -> Result<(), SeedError> {
    let txn = db.begin().await?;
    let mut search = SearchRows::default();

    for p in &set.provinces.province {
        search.add(SearchKind::Province, &p.code, &p.name);
        province::Entity::insert(province::ActiveModel {
            code: Set(p.code.clone()),
            slug: Set(p.slug.clone()),
            name: Set(clean(&p.name)),
            name_folded: Set(fold(&p.name)),
            committee_name: Set(clean(&p.committee_name)),
            agency_code: Set(p.agency_code.clone()),
            agency_code_note: Set(p.agency_code_note.clone()),
            merged_into_code: Set(p.merged_into_code.clone()),
            merged_into_name: Set(p.merged_into_name.as_deref().map(clean)),
            merger_resolution: Set(p.merger_resolution.clone()),
            merger_effective: Set(p.merger_effective.clone()),
            merger_note: Set(p.merger_note.as_deref().map(clean)),
        })
        .exec(&txn)
        .await?;
        // The provincial People's Committee is the owner (chủ quản) of provincial systems: an agency of its own.
        let key = format!("{}-ubnd-tinh", p.slug);
        search.add(SearchKind::Agency, &key, &p.committee_name);
        agency::Entity::insert(agency::ActiveModel {
            id: Set(key),
            code: Set(p.agency_code.clone()),
            name: Set(clean(&p.committee_name)),
            name_folded: Set(fold(&p.committee_name)),
            kind: Set(AgencyKind::UbndTinh),
            province_code: Set(p.code.clone()),
            parent_id: Set(None),
            approval_role: Set(None),
            version: Set(1),
            source_file: Set(None),
            source_line: Set(None),
            source_line_end: Set(None),
        })
        .exec(&txn)
        .await?;
    }

    for d in &set.national_databases.national_database {
        insert_national_database(&txn, d, None, &mut search).await?;
    }
    for plan_file in &set.plans {
        seed_plan(&txn, plan_file, &mut search).await?;
    }
    search.flush(&txn).await?;
    txn.commit().await?;
    Ok(())
}

async fn insert_national_database(
    txn: &impl ConnectionTrait,
    d: &super::model::NationalDatabaseRow,
    source_file: Option<&str>,
    search: &mut SearchRows,
) -> Result<(), SeedError> {
    search.add(SearchKind::NationalDatabase, &d.key, &d.name);
    national_database::Entity::insert(national_database::ActiveModel {
        id: Set(d.key.clone()),
        name: Set(clean(&d.name)),
        name_folded: Set(fold(&d.name)),
        owner: Set(d.owner.as_deref().map(clean)),
        owner_note: Set(d.owner_note.clone()),
        kind: Set(match &d.kind {
            Some(kind) => stored(source_file.unwrap_or("national_databases.toml"), kind)?,
            None => NationalDatabaseKind::Database,
        }),
        source_file: Set(source_file.or(d.source_file.as_deref()).map(str::to_owned)),
        source_line: Set(d.line),
        source_line_end: Set(d.line_end.or(d.line)),
    })
    .exec(txn)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(file = %f.source_file))]
async fn seed_plan(
    txn: &impl ConnectionTrait,
    f: &PlanFile,
    search: &mut SearchRows,
) -> Result<(), SeedError> {
    let plan_id = f.plan.key.clone();
    let province_code = f.province.clone();

    search.add(SearchKind::Plan, &plan_id, &f.plan.title);
    plan::Entity::insert(plan::ActiveModel {
        id: Set(plan_id.clone()),
        province_code: Set(province_code.clone()),
        number: Set(f.plan.number.clone()),
        issued_on: Set(f.plan.date.clone()),
        title: Set(clean(&f.plan.title)),
        title_folded: Set(fold(&f.plan.title)),
        period_start: Set(f.plan.period_start),
        period_end: Set(f.plan.period_end),
        ..cite(f, f.plan.line, f.plan.line_end)
    })
    .exec(txn)
    .await?;

    for d in &f.national_database {
        insert_national_database(txn, d, Some(&f.source_file), search).await?;
    }

    // One at a time: an agency's parent is an agency listed before it.
    for a in &f.agency {
        search.add(SearchKind::Agency, &a.key, &a.name);
        agency::Entity::insert(agency::ActiveModel {
            id: Set(a.key.clone()),
            code: Set(a.code.clone()),
            name: Set(clean(&a.name)),
            name_folded: Set(fold(&a.name)),
            kind: Set(stored(&f.source_file, &a.kind)?),
            province_code: Set(province_code.clone()),
            parent_id: Set(a.parent.clone()),
            approval_role: Set(None),
            version: Set(1),
            ..cite(f, a.line, a.line_end)
        })
        .exec(txn)
        .await?;
    }

    for c in &f.connection {
        let link = national_database_link::ActiveModel {
            national_database_id: Set(c.national_database.clone()),
            province_code: Set(province_code.clone()),
            plan_id: Set(Some(plan_id.clone())),
            status: Set(stored(&f.source_file, &c.status)?),
            quote: Set(Some(clean(&c.quote))),
            note: Set(None),
            version: Set(1),
            ..cite(f, c.line, c.line_end)
        };
        let inserted = national_database_link::Entity::insert(link)
            .exec(txn)
            .await?;
        if c.statement.is_empty() && c.stated.is_none() {
            continue;
        }
        // Every statement of a link that has more than one, its own line first.
        let own = c.stated.as_deref().unwrap_or(&c.status);
        let statements = std::iter::once((own, &c.quote, c.line, c.line_end))
            .chain(
                c.statement
                    .iter()
                    .map(|s| (s.status.as_str(), &s.quote, s.line, s.line_end)),
            )
            .map(|(status, quote, line, end)| {
                Ok(national_database_link_statement::ActiveModel {
                    id: NotSet,
                    link_id: Set(inserted.last_insert_id),
                    status: Set(stored(&f.source_file, status)?),
                    quote: Set(clean(quote)),
                    source_file: Set(Some(f.source_file.clone())),
                    source_line: Set(Some(line)),
                    source_line_end: Set(Some(end.unwrap_or(line))),
                })
            })
            .collect::<Result<Vec<_>, SeedError>>()?;
        insert_chunked(txn, statements).await?;
    }

    insert_each(txn, &f.information_system, |s| {
        search.add(SearchKind::InformationSystem, &s.key, &s.name);
        let state: Option<ApprovalState> = s
            .approval_state
            .as_deref()
            .map(|state| stored(&f.source_file, state))
            .transpose()?;
        Ok(information_system::ActiveModel {
            code: Set(s.key.clone()),
            name: Set(clean(&s.name)),
            name_folded: Set(fold(&s.name)),
            agency_id: Set(s.owner.clone()),
            province_code: Set(province_code.clone()),
            description: Set(s.description.as_deref().map(clean)),
            security_level: Set(s.security_level),
            approved_level: Set(s
                .security_level
                .filter(|_| state == Some(ApprovalState::Approved))),
            approval_state: Set(state),
            decision_number: Set(s.decision_number.clone()),
            decision_date: Set(s.decision_date.clone()),
            connects_lgsp: Set(s.connects_lgsp),
            processes_personal_data: Set(s.processes_personal_data),
            approval_printed: Set(s.approval_printed.as_deref().map(clean)),
            approval_line: Set(s.approval_line),
            version: Set(1),
            ..cite(f, s.line, s.line_end)
        })
    })
    .await?;

    let funding = |source: &Option<String>| -> Result<Option<FundingSource>, SeedError> {
        source
            .as_deref()
            .map(|s| stored(&f.source_file, s))
            .transpose()
    };
    let mut project_ids: HashMap<&str, i64> = HashMap::new();
    for p in &f.project {
        let format = p.number_format.unwrap_or(f.number_format);
        let vnd = |printed: &str| p.unit.and_then(|unit| amount_to_vnd(printed, format, unit));
        let total_vnd = match &p.total {
            Some(t) => match p.unit {
                Some(_) => Some(vnd(t).ok_or_else(|| {
                    super::invalid(
                        &f.source_file,
                        format!("{}: total `{t}` is not a number", p.key),
                    )
                })?),
                None => None,
            },
            None => None,
        };
        search.add(SearchKind::Project, &p.key, &p.name);
        let inserted = project::Entity::insert(project::ActiveModel {
            key: Set(p.key.clone()),
            reference: Set(p.reference.clone()),
            name: Set(clean(&p.name)),
            name_folded: Set(fold(&p.name)),
            lead_agency_id: Set(p.lead_agency.clone()),
            province_code: Set(province_code.clone()),
            plan_id: Set(plan_id.clone()),
            year_start: Set(p.year_start),
            year_end: Set(p.year_end.or(p.year_start)),
            funding_source: Set(funding(&p.funding_source)?),
            funding_printed: Set(p.funding_printed.as_deref().map(clean)),
            status: Set(p.status.clone()),
            total_printed: Set(p.total.clone()),
            total_vnd: Set(total_vnd),
            total_number: Set(p
                .total
                .as_deref()
                .and_then(|t| parse_number(t, format))
                .map(|d| d.to_f64())),
            unit: Set(p
                .unit
                .map(|u| stored(&f.source_file, u.as_str()))
                .transpose()?),
            unit_line: Set(p.unit_line),
            lead_printed: Set(p.lead_printed.as_deref().map(clean)),
            version: Set(1),
            ..cite(f, p.line, p.line_end)
        })
        .exec(txn)
        .await?;
        project_ids.insert(p.key.as_str(), inserted.last_insert_id);
        let leads: Vec<&String> = if p.lead_agencies.is_empty() {
            p.lead_agency.iter().collect()
        } else {
            p.lead_agencies.iter().collect()
        };
        let leads = leads
            .into_iter()
            .enumerate()
            .map(|(i, agency)| project_lead_agency::ActiveModel {
                id: NotSet,
                project_id: Set(inserted.last_insert_id),
                agency_id: Set(agency.clone()),
                position: Set(i as i32 + 1),
            })
            .collect();
        insert_chunked(txn, leads).await?;
        let mut budgets = Vec::with_capacity(p.budget.len());
        for b in &p.budget {
            let amount_vnd = match p.unit {
                Some(_) => Some(vnd(&b.amount).ok_or_else(|| {
                    super::invalid(
                        &f.source_file,
                        format!("{}: amount `{}` is not a number", p.key, b.amount),
                    )
                })?),
                None => None,
            };
            budgets.push(project_budget::ActiveModel {
                id: NotSet,
                project_id: Set(inserted.last_insert_id),
                year: Set(b.year),
                amount_printed: Set(b.amount.clone()),
                amount_vnd: Set(amount_vnd),
                funding_source: Set(funding(&b.funding_source)?),
                funding_printed: Set(b.funding_printed.as_deref().map(clean)),
                source_line: Set(Some(b.line)),
                level: Set(b
                    .level
                    .as_deref()
                    .map(|l| stored::<BudgetLevel>(&f.source_file, l))
                    .transpose()?),
                spending: Set(b
                    .spending
                    .as_deref()
                    .map(|l| stored::<Spending>(&f.source_file, l))
                    .transpose()?),
                // Set once every line and figure of the plan has its id (`link_restatements`).
                restates_line_id: Set(None),
                restates_figure_id: Set(None),
            });
        }
        insert_chunked(txn, budgets).await?;
    }

    insert_each(txn, &f.indicator, |i| {
        search.add(SearchKind::Indicator, &i.key, &i.name);
        Ok(indicator::ActiveModel {
            key: Set(i.key.clone()),
            plan_id: Set(plan_id.clone()),
            province_code: Set(province_code.clone()),
            name: Set(clean(&i.name)),
            name_folded: Set(fold(&i.name)),
            value_printed: Set(i.value.clone()),
            value: Set(number(f, &i.value, i.number_format)),
            unit: Set(i.unit.clone()),
            year: Set(i.year),
            comparator: Set(match &i.comparator {
                Some(c) => stored(&f.source_file, c)?,
                None => Comparator::Eq,
            }),
            heading: Set(i.heading.as_deref().map(clean)),
            heading_line: Set(i.heading_line),
            ..cite(f, i.line, i.line_end)
        })
    })
    .await?;

    insert_each(txn, &f.reported_figure, |r| {
        Ok(reported_figure::ActiveModel {
            key: Set(r.key.clone()),
            plan_id: Set(plan_id.clone()),
            province_code: Set(province_code.clone()),
            label: Set(clean(&r.label)),
            metric: Set(r
                .metric
                .as_deref()
                .map(|m| stored(&f.source_file, m))
                .transpose()?),
            scope: Set(r.scope.clone()),
            funding_printed: Set(r.funding_printed.as_deref().map(clean)),
            value_printed: Set(r.value.clone()),
            value: Set(number(f, &r.value, r.number_format)),
            unit: Set(r.unit.clone()),
            quote: Set(r.quote.as_deref().map(clean)),
            restates_figure_id: Set(None),
            year: Set(r.year),
            listed_line: Set(r.listed_line),
            ..cite(f, r.line, r.line_end)
        })
    })
    .await?;
    link_restatements(txn, f, &project_ids).await
}

/// Points each restating budget line and figure of plan `f` at what it restates, now that all have ids.
async fn link_restatements(
    txn: &impl ConnectionTrait,
    f: &PlanFile,
    project_ids: &HashMap<&str, i64>,
) -> Result<(), SeedError> {
    let figure_ids: HashMap<String, i64> = reported_figure::Entity::find()
        .select_only()
        .column(reported_figure::Column::Key)
        .column(reported_figure::Column::Id)
        .filter(reported_figure::Column::PlanId.eq(f.plan.key.clone()))
        .into_tuple::<(String, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let unknown =
        |what: &str, key: &str| super::invalid(&f.source_file, format!("{what}: unknown {key}"));
    for r in &f.reported_figure {
        let Some(target) = &r.restates else { continue };
        let target = *figure_ids
            .get(target)
            .ok_or_else(|| unknown(&r.key, target))?;
        let id = *figure_ids
            .get(&r.key)
            .ok_or_else(|| unknown(&r.key, &r.key))?;
        reported_figure::Entity::update_many()
            .col_expr(
                reported_figure::Column::RestatesFigureId,
                Expr::value(target),
            )
            .filter(reported_figure::Column::Id.eq(id))
            .exec(txn)
            .await?;
    }
    for p in &f.project {
        for b in p
            .budget
            .iter()
            .filter(|b| b.restates.is_some() || b.restates_figure.is_some())
        {
            let own = *project_ids
                .get(p.key.as_str())
                .ok_or_else(|| unknown(&p.key, &p.key))?;
            let line = match &b.restates {
                None => None,
                Some(other) => {
                    let other_id = *project_ids
                        .get(other.as_str())
                        .ok_or_else(|| unknown(&p.key, other))?;
                    let mut lines = project_budget::Entity::find()
                        .filter(project_budget::Column::ProjectId.eq(other_id))
                        .all(txn)
                        .await?;
                    lines.retain(|l| b.year.is_none() || l.year == b.year);
                    match lines.as_slice() {
                        [one] => Some(one.id),
                        _ => {
                            return Err(super::invalid(
                                &f.source_file,
                                format!(
                                    "{}: {other} has {} lines of year {:?}, not one",
                                    p.key,
                                    lines.len(),
                                    b.year
                                ),
                            ))
                        }
                    }
                }
            };
            let figure = match &b.restates_figure {
                None => None,
                Some(k) => Some(*figure_ids.get(k).ok_or_else(|| unknown(&p.key, k))?),
            };
            let mut update = project_budget::Entity::update_many()
                .col_expr(project_budget::Column::RestatesLineId, Expr::value(line))
                .col_expr(
                    project_budget::Column::RestatesFigureId,
                    Expr::value(figure),
                )
                .filter(project_budget::Column::ProjectId.eq(own))
                .filter(project_budget::Column::SourceLine.eq(b.line))
                .filter(project_budget::Column::AmountPrinted.eq(b.amount.clone()));
            if let Some(year) = b.year {
                update = update.filter(project_budget::Column::Year.eq(year));
            }
            update.exec(txn).await?;
        }
    }
    Ok(())
}

/// A value as a plan prints it, read with the row's number convention or else the file's.
fn number(f: &PlanFile, printed: &str, format: Option<NumberFormat>) -> Option<f64> {
    parse_number(printed, format.unwrap_or(f.number_format)).map(|d| d.to_f64())
}

/// A row seeded from a plan file: every such entity has the same three citation columns.
trait Cited: Default {
    /// A row with only its citation set: lines `line..=end` of `file` (one line without `end`).
    fn cited(file: &str, line: i32, end: Option<i32>) -> Self;
}

/// Implements [`Cited`] for the active models of entities with the three citation columns.
macro_rules! cited {
    ($($entity:ident),+ $(,)?) => {$(
        impl Cited for $entity::ActiveModel {
            fn cited(file: &str, line: i32, end: Option<i32>) -> Self {
                $entity::ActiveModel {
                    source_file: Set(Some(file.to_owned())),
                    source_line: Set(Some(line)),
                    source_line_end: Set(Some(end.unwrap_or(line))),
                    ..Default::default()
                }
            }
        }
    )+};
}

cited!(
    agency,
    indicator,
    information_system,
    national_database_link,
    plan,
    project,
    reported_figure,
);

/// The rest of a row read from lines `line..=end` of plan file `f`: its citation, every other column not set (the
/// database's default, or the generated id).
fn cite<A: Cited>(f: &PlanFile, line: i32, end: Option<i32>) -> A {
    A::cited(&f.source_file, line, end)
}

/// Inserts the row `row` makes of each of `items`, in chunks; nothing if one of them cannot be made.
async fn insert_each<T, A>(
    txn: &impl ConnectionTrait,
    items: &[T],
    row: impl FnMut(&T) -> Result<A, SeedError>,
) -> Result<(), SeedError>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let rows = items.iter().map(row).collect::<Result<_, _>>()?;
    Ok(insert_chunked(txn, rows).await?)
}
