//! Filtered, sorted, keyset-paginated lists of the registries.

use entities::{
    agency,
    enums::{AgencyKind, ApprovalState, ConnectionStatus, FundingSource, NationalDatabaseKind},
    indicator, information_system, national_database, national_database_link, plan, project,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ColumnTrait, Condition, EntityTrait, IdenStatic, Iterable, QueryFilter, QueryResult,
    QuerySelect, Select,
};

use super::{
    coalesce, col,
    page::{fetch_page, fetch_page_with, KeyValue, Page, PageArgs, SortSpec},
    Store,
};
use crate::{
    error::Result,
    text::{escape_like, fold},
};

/// `folded LIKE '%needle%'` on a folded column, for `nameContains` filters.
fn folded_contains(column: impl ColumnTrait, text: &str) -> Condition {
    let pattern = format!("%{}%", escape_like(&fold(text)));
    Condition::all()
        .add(Expr::expr(col(column)).like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')))
}

#[derive(Debug, Default, Clone)]
pub struct SystemFilter {
    pub security_levels: Option<Vec<i16>>,
    pub province_code: Option<String>,
    pub agency_id: Option<String>,
    pub approval_states: Option<Vec<ApprovalState>>,
    pub connects_lgsp: Option<bool>,
    pub processes_personal_data: Option<bool>,
    pub name_contains: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemSort {
    NameAsc,
    NameDesc,
    SecurityLevelAsc,
    SecurityLevelDesc,
}

fn system_sort(sort: SystemSort) -> SortSpec<information_system::Entity> {
    use information_system::Column as C;
    let by_name = |name, descending| SortSpec {
        name,
        key: col(C::Name),
        id: col(C::Id),
        descending,
        key_of: |m: &information_system::Model| KeyValue::Text(m.name.clone()),
        id_of: |m: &information_system::Model| KeyValue::Int(m.id),
    };
    let by_level = |name, descending| SortSpec {
        name,
        key: coalesce(C::SecurityLevel, 0),
        id: col(C::Id),
        descending,
        key_of: |m: &information_system::Model| KeyValue::Int(m.security_level.unwrap_or(0).into()),
        id_of: |m: &information_system::Model| KeyValue::Int(m.id),
    };
    match sort {
        SystemSort::NameAsc => by_name("NAME_ASC", false),
        SystemSort::NameDesc => by_name("NAME_DESC", true),
        SystemSort::SecurityLevelAsc => by_level("SECURITY_LEVEL_ASC", false),
        SystemSort::SecurityLevelDesc => by_level("SECURITY_LEVEL_DESC", true),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn information_systems(
    store: &Store,
    filter: &SystemFilter,
    sort: SystemSort,
    args: &PageArgs,
    columns: Option<&[information_system::Column]>,
) -> Result<Page<information_system::Model>> {
    use information_system::Column as C;
    let mut cond = Condition::all();
    if let Some(levels) = &filter.security_levels {
        cond = cond.add(C::SecurityLevel.is_in(levels.clone()));
    }
    if let Some(p) = &filter.province_code {
        cond = cond.add(C::ProvinceCode.eq(p.clone()));
    }
    if let Some(a) = &filter.agency_id {
        cond = cond.add(C::AgencyId.eq(a.clone()));
    }
    if let Some(states) = &filter.approval_states {
        cond = cond.add(C::ApprovalState.is_in(states.clone()));
    }
    if let Some(b) = filter.connects_lgsp {
        cond = cond.add(C::ConnectsLgsp.eq(b));
    }
    if let Some(b) = filter.processes_personal_data {
        cond = cond.add(C::ProcessesPersonalData.eq(b));
    }
    if let Some(t) = &filter.name_contains {
        cond = cond.add(folded_contains(C::NameFolded, t));
    }
    let select = information_system::Entity::find().filter(cond);
    match columns {
        Some(needed) => {
            let read = ReadColumns::of(needed);
            let decode = |row: &QueryResult| decode_narrowed(row, read);
            fetch_page_with(
                store,
                narrowed(select, read),
                &system_sort(sort),
                args,
                Some(&decode),
            )
            .await
        }
        None => fetch_page(store, select, &system_sort(sort), args).await,
    }
}

/// The columns of `information_systems` that a page always reads: the key, the sort keys and cursor, and those the
/// model cannot hold as null.
const ALWAYS_READ: [information_system::Column; 6] = [
    information_system::Column::Id,
    information_system::Column::Code,
    information_system::Column::Name,
    information_system::Column::ProvinceCode,
    information_system::Column::SecurityLevel,
    information_system::Column::Version,
];

/// The columns a narrowed page reads: those it needs and [`ALWAYS_READ`], one bit per column (by its place in the
/// entity), worked out once per page rather than once per row and column.
#[derive(Clone, Copy)]
struct ReadColumns(u32);

impl ReadColumns {
    fn of(needed: &[information_system::Column]) -> ReadColumns {
        let bits = ALWAYS_READ
            .iter()
            .chain(needed)
            .fold(0, |bits, c| bits | Self::bit(*c));
        ReadColumns(bits)
    }

    fn bit(column: information_system::Column) -> u32 {
        1 << (column as u32)
    }

    fn reads(self, column: information_system::Column) -> bool {
        self.0 & Self::bit(column) != 0
    }
}

/// `select` reading only the columns of `read`, so that the others are neither read, decoded nor sent. The caller
/// must name every column its readers use (see `graphql::query::system_columns`); its rows are read by
/// [`decode_narrowed`].
fn narrowed(
    select: Select<information_system::Entity>,
    read: ReadColumns,
) -> Select<information_system::Entity> {
    let mut select = select.select_only();
    for column in information_system::Column::iter().filter(|c| read.reads(*c)) {
        select = select.column(column);
    }
    select
}

/// A row of a [`narrowed`] page as a whole model: the columns it did not read hold their default (null, empty, 0).
/// Read by hand because sea-orm's decoder asks for every column, and a column selected as `NULL` to satisfy it costs
/// a formatted error message per row and column (measured at 4 % of an uncached request's CPU).
fn decode_narrowed(
    row: &QueryResult,
    read: ReadColumns,
) -> std::result::Result<information_system::Model, sea_orm::DbErr> {
    use information_system::Column as C;
    macro_rules! model {
        ($($field:ident: $column:ident),+ $(,)?) => {
            information_system::Model {$(
                $field: if read.reads(C::$column) {
                    row.try_get("", C::$column.as_str())?
                } else {
                    Default::default()
                },
            )+}
        };
    }
    Ok(model! {
        id: Id,
        code: Code,
        name: Name,
        name_folded: NameFolded,
        agency_id: AgencyId,
        province_code: ProvinceCode,
        description: Description,
        security_level: SecurityLevel,
        approval_state: ApprovalState,
        approved_level: ApprovedLevel,
        decision_number: DecisionNumber,
        decision_date: DecisionDate,
        connects_lgsp: ConnectsLgsp,
        processes_personal_data: ProcessesPersonalData,
        version: Version,
        source_file: SourceFile,
        source_line: SourceLine,
        source_line_end: SourceLineEnd,
        approval_printed: ApprovalPrinted,
        approval_line: ApprovalLine,
    })
}

#[derive(Debug, Default, Clone)]
pub struct ProjectFilter {
    pub province_code: Option<String>,
    pub plan_id: Option<String>,
    pub lead_agency_id: Option<String>,
    pub year: Option<i32>,
    pub funding_sources: Option<Vec<FundingSource>>,
    pub budget_level: Option<entities::enums::BudgetLevel>,
    pub spending: Option<entities::enums::Spending>,
    pub min_total_vnd: Option<i64>,
    pub max_total_vnd: Option<i64>,
    pub name_contains: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectSort {
    DocumentOrder,
    NameAsc,
    TotalAsc,
    TotalDesc,
}

fn project_sort(sort: ProjectSort) -> SortSpec<project::Entity> {
    use project::Column as C;
    let by_total = |name, descending| SortSpec {
        name,
        key: coalesce(C::TotalVnd, -1),
        id: col(C::Id),
        descending,
        key_of: |m: &project::Model| KeyValue::Int(m.total_vnd.unwrap_or(-1)),
        id_of: |m: &project::Model| KeyValue::Int(m.id),
    };
    match sort {
        ProjectSort::DocumentOrder => SortSpec {
            name: "DOCUMENT_ORDER",
            key: col(C::Id),
            id: col(C::Id),
            descending: false,
            key_of: |m| KeyValue::Int(m.id),
            id_of: |m| KeyValue::Int(m.id),
        },
        ProjectSort::NameAsc => SortSpec {
            name: "NAME_ASC",
            key: col(C::Name),
            id: col(C::Id),
            descending: false,
            key_of: |m| KeyValue::Text(m.name.clone()),
            id_of: |m| KeyValue::Int(m.id),
        },
        ProjectSort::TotalAsc => by_total("TOTAL_ASC", false),
        ProjectSort::TotalDesc => by_total("TOTAL_DESC", true),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn projects(
    store: &Store,
    filter: &ProjectFilter,
    sort: ProjectSort,
    args: &PageArgs,
) -> Result<Page<project::Model>> {
    use project::Column as C;
    let mut cond = Condition::all();
    if let Some(p) = &filter.province_code {
        cond = cond.add(C::ProvinceCode.eq(p.clone()));
    }
    if let Some(p) = &filter.plan_id {
        cond = cond.add(C::PlanId.eq(p.clone()));
    }
    if let Some(a) = &filter.lead_agency_id {
        // The single lead, or one of the units a multi-unit lead cell names.
        let among = Query::select()
            .column(entities::project_lead_agency::Column::ProjectId)
            .from(entities::project_lead_agency::Entity)
            .and_where(entities::project_lead_agency::Column::AgencyId.eq(a.clone()))
            .to_owned();
        cond = cond.add(
            Condition::any()
                .add(C::LeadAgencyId.eq(a.clone()))
                .add(C::Id.in_subquery(among)),
        );
    }
    if filter.budget_level.is_some() || filter.spending.is_some() {
        use entities::project_budget::Column as B;
        let mut lines = Query::select()
            .column(B::ProjectId)
            .from(entities::project_budget::Entity)
            .to_owned();
        if let Some(level) = filter.budget_level {
            lines.and_where(B::Level.eq(level));
        }
        if let Some(spending) = filter.spending {
            lines.and_where(B::Spending.eq(spending));
        }
        cond = cond.add(C::Id.in_subquery(lines));
    }
    if let Some(y) = filter.year {
        cond = cond.add(C::YearStart.lte(y)).add(C::YearEnd.gte(y));
    }
    if let Some(f) = &filter.funding_sources {
        // A project matches a funding source named on the project or on any of its budget lines.
        let in_budget = Query::select()
            .column(entities::project_budget::Column::ProjectId)
            .from(entities::project_budget::Entity)
            .and_where(entities::project_budget::Column::FundingSource.is_in(f.clone()))
            .to_owned();
        cond = cond.add(
            Condition::any()
                .add(C::FundingSource.is_in(f.clone()))
                .add(C::Id.in_subquery(in_budget)),
        );
    }
    if let Some(min) = filter.min_total_vnd {
        cond = cond.add(C::TotalVnd.gte(min));
    }
    if let Some(max_total) = filter.max_total_vnd {
        cond = cond.add(C::TotalVnd.lte(max_total));
    }
    if let Some(t) = &filter.name_contains {
        cond = cond.add(folded_contains(C::NameFolded, t));
    }
    let select = project::Entity::find().filter(cond);
    fetch_page(store, select, &project_sort(sort), args).await
}

#[derive(Debug, Default, Clone)]
pub struct AgencyFilter {
    pub province_code: Option<String>,
    pub kinds: Option<Vec<AgencyKind>>,
    pub parent_id: Option<String>,
    pub name_contains: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn agencies(
    store: &Store,
    filter: &AgencyFilter,
    descending: bool,
    args: &PageArgs,
) -> Result<Page<agency::Model>> {
    use agency::Column as C;
    let mut cond = Condition::all();
    if let Some(p) = &filter.province_code {
        cond = cond.add(C::ProvinceCode.eq(p.clone()));
    }
    if let Some(k) = &filter.kinds {
        cond = cond.add(C::Kind.is_in(k.clone()));
    }
    if let Some(p) = &filter.parent_id {
        cond = cond.add(C::ParentId.eq(p.clone()));
    }
    if let Some(t) = &filter.name_contains {
        cond = cond.add(folded_contains(C::NameFolded, t));
    }
    let sort = SortSpec {
        name: if descending { "NAME_DESC" } else { "NAME_ASC" },
        key: col(C::Name),
        id: col(C::Id),
        descending,
        key_of: |m: &agency::Model| KeyValue::Text(m.name.clone()),
        id_of: |m: &agency::Model| KeyValue::Text(m.id.clone()),
    };
    fetch_page(store, agency::Entity::find().filter(cond), &sort, args).await
}

#[derive(Debug, Default, Clone)]
pub struct NationalDatabaseFilter {
    pub kind: Option<NationalDatabaseKind>,
    /// Only databases linked to this province...
    pub province_code: Option<String>,
    /// ...with this link status.
    pub status: Option<ConnectionStatus>,
    pub name_contains: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn national_databases(
    store: &Store,
    filter: &NationalDatabaseFilter,
    args: &PageArgs,
) -> Result<Page<national_database::Model>> {
    use national_database::Column as C;
    let mut cond = Condition::all();
    if let Some(k) = &filter.kind {
        cond = cond.add(C::Kind.eq(*k));
    }
    if filter.province_code.is_some() || filter.status.is_some() {
        let mut links = Query::select();
        links
            .column(national_database_link::Column::NationalDatabaseId)
            .from(national_database_link::Entity);
        if let Some(p) = &filter.province_code {
            links.and_where(national_database_link::Column::ProvinceCode.eq(p.clone()));
        }
        if let Some(s) = &filter.status {
            links.and_where(national_database_link::Column::Status.eq(*s));
        }
        cond = cond.add(C::Id.in_subquery(links.to_owned()));
    }
    if let Some(t) = &filter.name_contains {
        cond = cond.add(folded_contains(C::NameFolded, t));
    }
    let sort = SortSpec {
        name: "NAME_ASC",
        key: col(C::Name),
        id: col(C::Id),
        descending: false,
        key_of: |m: &national_database::Model| KeyValue::Text(m.name.clone()),
        id_of: |m: &national_database::Model| KeyValue::Text(m.id.clone()),
    };
    fetch_page(
        store,
        national_database::Entity::find().filter(cond),
        &sort,
        args,
    )
    .await
}

#[derive(Debug, Default, Clone)]
pub struct IndicatorFilter {
    pub province_code: Option<String>,
    pub plan_id: Option<String>,
    pub year: Option<i32>,
    pub name_contains: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn indicators(
    store: &Store,
    filter: &IndicatorFilter,
    args: &PageArgs,
) -> Result<Page<indicator::Model>> {
    use indicator::Column as C;
    let mut cond = Condition::all();
    if let Some(p) = &filter.province_code {
        cond = cond.add(C::ProvinceCode.eq(p.clone()));
    }
    if let Some(p) = &filter.plan_id {
        cond = cond.add(C::PlanId.eq(p.clone()));
    }
    if let Some(y) = filter.year {
        cond = cond.add(C::Year.eq(y));
    }
    if let Some(t) = &filter.name_contains {
        cond = cond.add(folded_contains(C::NameFolded, t));
    }
    let sort = SortSpec {
        name: "DOCUMENT_ORDER",
        key: col(C::Id),
        id: col(C::Id),
        descending: false,
        key_of: |m: &indicator::Model| KeyValue::Int(m.id),
        id_of: |m: &indicator::Model| KeyValue::Int(m.id),
    };
    fetch_page(store, indicator::Entity::find().filter(cond), &sort, args).await
}

#[tracing::instrument(level = "debug", skip_all, fields(province_code))]
pub async fn plans(
    store: &Store,
    province_code: Option<&str>,
    args: &PageArgs,
) -> Result<Page<plan::Model>> {
    let mut select = plan::Entity::find();
    if let Some(p) = province_code {
        select = select.filter(plan::Column::ProvinceCode.eq(p));
    }
    let sort = SortSpec {
        name: "ID_ASC",
        key: col(plan::Column::Id),
        id: col(plan::Column::Id),
        descending: false,
        key_of: |m: &plan::Model| KeyValue::Text(m.id.clone()),
        id_of: |m: &plan::Model| KeyValue::Text(m.id.clone()),
    };
    fetch_page(store, select, &sort, args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_column_of_a_system_has_a_bit_of_its_own() {
        let all: Vec<_> = information_system::Column::iter().collect();
        let mut seen = 0u32;
        for column in &all {
            let bit = ReadColumns::bit(*column);
            assert_eq!(seen & bit, 0, "{} shares a bit", column.as_str());
            seen |= bit;
        }
        let read = ReadColumns::of(&[information_system::Column::Description]);
        let named: Vec<_> = all
            .iter()
            .filter(|c| read.reads(**c))
            .map(|c| c.as_str())
            .collect();
        assert_eq!(
            named,
            [
                "id",
                "code",
                "name",
                "province_code",
                "description",
                "security_level",
                "version"
            ]
        );
    }
}
