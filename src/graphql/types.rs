//! The registry types as GraphQL sees them: wrappers over entity models with resolvers for nested fields. Nested
//! objects always go through the [`Catalog`](super::loaders::Catalog) loader, never one query per row.

use async_graphql::{Context, Object, SimpleObject, ID};
use entities::{
    agency, indicator, information_system, national_database, national_database_link, plan,
    project, project_budget, province, reported_figure,
};

pub mod discrepancy;
pub mod upstream;

use self::{
    discrepancy::Discrepancy,
    upstream::{status_of, UpstreamStatus},
};
use super::{
    context::{federation, loader, state},
    enums::{
        AgencyKind, ApprovalRole, ApprovalState, ConnectionStatus, FundingSource, MoneyUnit,
        NationalDatabaseKind,
    },
    ids::{global_id, NodeKind},
    loaders::*,
};
use crate::error::Error;

type Res<T> = async_graphql::Result<T>;

/// A nested list's `first`, bounded by the same maximum page size as the root connections.
fn preview_size(ctx: &Context<'_>, first: i32) -> Res<u64> {
    let max = state(ctx)?.store.max_page_size;
    match usize::try_from(first) {
        Ok(n) if n <= max => Ok(n as u64),
        _ => Err(Error::bad_input("first", format!("`first` must be between 0 and {max}")).into()),
    }
}

/// Where a row comes from: a line range of a seed plan file.
#[derive(SimpleObject, Clone)]
pub struct Source {
    /// The seed file (see `shared/seeds/README.md`).
    pub file: String,
    /// First line (1-based).
    pub line: i32,
    /// Last line, inclusive.
    pub line_end: i32,
}

fn source(file: &Option<String>, line: Option<i32>, end: Option<i32>) -> Option<Source> {
    Some(Source {
        file: file.clone()?,
        line: line?,
        line_end: end.or(line)?,
    })
}

/// An amount of money as the document prints it, and in million VND when the document prints its unit; or an amount
/// an administrator entered, which no document prints.
#[derive(SimpleObject, Clone)]
pub struct Amount {
    /// Exactly as printed, e.g. `1.250,5`; null for an amount an administrator entered.
    pub printed: Option<String>,
    /// The unit the document prints for this table; null when it prints none.
    pub unit: Option<MoneyUnit>,
    /// The amount in million VND (triệu đồng); null when the unit is not printed.
    pub million_vnd: Option<f64>,
}

pub(crate) fn million(vnd: i64) -> f64 {
    vnd as f64 / 1_000_000.0
}

fn amount(printed: &str, unit: &Option<String>, vnd: Option<i64>) -> Amount {
    Amount {
        printed: Some(printed.to_owned()),
        unit: unit.as_deref().and_then(MoneyUnit::from_db),
        million_vnd: vnd.map(million),
    }
}

// ---------------------------------------------------------------------------------------------------------------------

/// A province (tỉnh) as the seed plans name it, with what it became in the 2025 merger.
pub struct Province(pub province::Model);

/// The 2025 province merger (Nghị quyết 202/2025/QH15).
#[derive(SimpleObject)]
pub struct ProvinceMerger {
    /// Code of the province this one became part of (a merged province keeps the code of its seat).
    pub merged_into_code: Option<String>,
    pub merged_into_name: Option<String>,
    pub resolution: Option<String>,
    /// ISO date the new province took effect.
    pub effective: Option<String>,
    pub note: Option<String>,
}

/// Number of information systems at one security level (null: level not stated).
#[derive(SimpleObject)]
pub struct SecurityLevelCount {
    pub security_level: Option<i32>,
    pub count: i64,
}

/// Project budget of a province for one year and funding source.
#[derive(SimpleObject)]
pub struct BudgetBucket {
    /// Null when the budget line has no year column.
    pub year: Option<i32>,
    pub funding_source: Option<FundingSource>,
    /// Sum of the lines whose unit is printed, in million VND.
    pub million_vnd: Option<f64>,
    /// Budget lines in the bucket.
    pub lines: i64,
    /// Lines whose unit the document does not print (kept as printed, not summed).
    pub unpriced_lines: i64,
}

#[Object]
impl Province {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Province, &self.0.code)
    }
    /// Administrative code (2 digits).
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Name of the provincial People's Committee (UBND tỉnh), the owner of provincial systems.
    async fn committee_name(&self) -> &str {
        &self.0.committee_name
    }
    /// The People's Committee as an agency.
    async fn committee(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        let key = AgencyKey(format!("{}-ubnd-tinh", self.0.slug));
        Ok(loader(ctx)?.load_one(key).await?.map(Agency))
    }
    /// The committee's electronic code where it is known (QĐ 20/2020/QĐ-TTg).
    async fn agency_code(&self) -> Option<&str> {
        self.0.agency_code.as_deref()
    }
    /// Why the code is unknown or uncertain, when it is.
    async fn agency_code_note(&self) -> Option<&str> {
        self.0.agency_code_note.as_deref()
    }
    async fn merger(&self) -> ProvinceMerger {
        let m = &self.0;
        ProvinceMerger {
            merged_into_code: m.merged_into_code.clone(),
            merged_into_name: m.merged_into_name.clone(),
            resolution: m.merger_resolution.clone(),
            effective: m.merger_effective.clone(),
            note: m.merger_note.clone(),
        }
    }
    /// The first `first` agencies by name; page through all with `agencies(filter: {provinceCode})`.
    #[graphql(complexity = "crate::limits::cost::first(first, child_complexity)")]
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> Res<Vec<Agency>> {
        let key = TopAgencies(TopInProvince(
            self.0.code.clone(),
            preview_size(ctx, first)?,
        ));
        let rows = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Agency).collect())
    }
    async fn agency_count(&self, ctx: &Context<'_>) -> Res<i64> {
        self.count(ctx, ProvinceList::Agencies).await
    }
    /// The first `first` information systems by name; page through all with `informationSystems`.
    #[graphql(complexity = "crate::limits::cost::first(first, child_complexity)")]
    async fn information_systems(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> Res<Vec<InformationSystem>> {
        let key = TopSystems(TopInProvince(
            self.0.code.clone(),
            preview_size(ctx, first)?,
        ));
        let rows = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(InformationSystem).collect())
    }
    async fn information_system_count(&self, ctx: &Context<'_>) -> Res<i64> {
        self.count(ctx, ProvinceList::Systems).await
    }
    /// The first `first` projects in document order; page through all with `projects`.
    #[graphql(complexity = "crate::limits::cost::first(first, child_complexity)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> Res<Vec<Project>> {
        let key = TopProjects(TopInProvince(
            self.0.code.clone(),
            preview_size(ctx, first)?,
        ));
        let rows = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Project).collect())
    }
    async fn project_count(&self, ctx: &Context<'_>) -> Res<i64> {
        self.count(ctx, ProvinceList::Projects).await
    }
    /// National databases and systems this province's LGSP is connected to or plans to connect to.
    #[graphql(
        complexity = "crate::limits::cost::list(crate::limits::cost::SHORT_LIST * 4, child_complexity)"
    )]
    async fn national_database_links(&self, ctx: &Context<'_>) -> Res<Vec<NationalDatabaseLink>> {
        let key = LinksOfProvince(self.0.code.clone());
        let rows = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(NationalDatabaseLink).collect())
    }
    /// Information systems by security level (cấp độ, Nghị định 85/2016/NĐ-CP).
    async fn systems_by_security_level(&self, ctx: &Context<'_>) -> Res<Vec<SecurityLevelCount>> {
        let key = SystemLevelsOfProvince(self.0.code.clone());
        let rows = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r: LevelRow| SecurityLevelCount {
                security_level: r.security_level,
                count: r.n,
            })
            .collect())
    }
    /// Project budget lines by year and funding source.
    async fn project_budget(&self, ctx: &Context<'_>) -> Res<Vec<BudgetBucket>> {
        let key = BudgetOfProvince(self.0.code.clone());
        let rows = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r: BudgetRow| BudgetBucket {
                year: r.year,
                funding_source: r.funding_source.as_deref().and_then(FundingSource::from_db),
                million_vnd: r.amount_vnd.map(million),
                lines: r.lines,
                unpriced_lines: r.unpriced_lines,
            })
            .collect())
    }
}

impl Province {
    async fn count(&self, ctx: &Context<'_>, list: ProvinceList) -> Res<i64> {
        let key = CountInProvince(list, self.0.code.clone());
        Ok(loader(ctx)?.load_one(key).await?.unwrap_or(0))
    }
}

// ---------------------------------------------------------------------------------------------------------------------

/// A provincial digital-transformation plan: the source document of the seed rows.
pub struct Plan(pub plan::Model);

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
        source(
            &self.0.source_file,
            self.0.source_line,
            self.0.source_line_end,
        )
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        let key = ProvinceKey(self.0.province_code.clone());
        Ok(loader(ctx)?.load_one(key).await?.map(Province))
    }
    /// Aggregates the plan states (counts, totals), as printed.
    #[graphql(
        complexity = "crate::limits::cost::list(crate::limits::cost::SHORT_LIST, child_complexity)"
    )]
    async fn reported_figures(&self, ctx: &Context<'_>) -> Res<Vec<ReportedFigure>> {
        let key = FiguresOfPlan(self.0.id.clone());
        let rows = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(rows.into_iter().map(ReportedFigure).collect())
    }
    /// Stated figures that disagree with the rows seeded from this plan.
    #[graphql(
        complexity = "crate::limits::cost::list(crate::limits::cost::SHORT_LIST, child_complexity)"
    )]
    async fn discrepancies(&self, ctx: &Context<'_>) -> Res<Vec<Discrepancy>> {
        let figures = loader(ctx)?
            .load_one(FiguresOfPlan(self.0.id.clone()))
            .await?
            .unwrap_or_default();
        let projects = loader(ctx)?
            .load_one(ProjectsOfPlan(self.0.id.clone()))
            .await?
            .unwrap_or_default();
        let links = loader(ctx)?
            .load_one(LinksOfPlan(self.0.id.clone()))
            .await?
            .unwrap_or_default();
        let lines = loader(ctx)?
            .load_many(projects.iter().map(|p| BudgetOfProject(p.id)))
            .await?;
        let lines: Vec<(String, project_budget::Model)> = projects
            .iter()
            .flat_map(|p| {
                lines
                    .get(&BudgetOfProject(p.id))
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

// ---------------------------------------------------------------------------------------------------------------------

/// An agency (cơ quan, đơn vị).
pub struct Agency(pub agency::Model);

#[Object]
impl Agency {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Agency, &self.0.id)
    }
    /// The hub's own key for the agency (official codes are not printed in the plans for most agencies).
    async fn key(&self) -> &str {
        &self.0.id
    }
    /// Electronic identification code (QĐ 20/2020/QĐ-TTg), where known.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> Option<AgencyKind> {
        AgencyKind::from_db(&self.0.kind)
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        let key = ProvinceKey(self.0.province_code.clone());
        Ok(loader(ctx)?.load_one(key).await?.map(Province))
    }
    /// The agency's role in the security-level approval workflow (Nghị định 85/2016/NĐ-CP, Điều 12), if it has one.
    /// Public: who appraises and approves is public knowledge.
    async fn approval_role(&self) -> Option<ApprovalRole> {
        self.0
            .approval_role
            .as_deref()
            .and_then(ApprovalRole::from_db)
    }
    /// Version for optimistic concurrency (`updateAgency`).
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Whether an administrator changed the agency after it was seeded or created. `source` still cites where the
    /// seeded values came from; `auditEvents(filter: {entity: "agency", entityKey: key})` shows who changed what.
    async fn edited(&self) -> bool {
        self.0.version > 1
    }
    async fn parent(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        let Some(parent) = &self.0.parent_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?
            .load_one(AgencyKey(parent.clone()))
            .await?
            .map(Agency))
    }
    async fn source(&self) -> Option<Source> {
        source(
            &self.0.source_file,
            self.0.source_line,
            self.0.source_line_end,
        )
    }
}

// ---------------------------------------------------------------------------------------------------------------------

/// An information system (hệ thống thông tin) with its security level.
pub struct InformationSystem(pub information_system::Model);

#[Object]
impl InformationSystem {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::InformationSystem, &self.0.code)
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Security level 1–5 (cấp độ, Nghị định 85/2016/NĐ-CP) under consideration or decided (see `approvalState`);
    /// null when none was proposed and no source states it.
    async fn security_level(&self) -> Option<i32> {
        self.0.security_level.map(i32::from)
    }
    /// The last approved level; differs from `securityLevel` while a new proposal is under way or was rejected.
    async fn approved_security_level(&self) -> Option<i32> {
        self.0.approved_level.map(i32::from)
    }

    async fn approval_state(&self) -> Option<ApprovalState> {
        self.0
            .approval_state
            .as_deref()
            .and_then(ApprovalState::from_db)
    }
    async fn decision_number(&self) -> Option<&str> {
        self.0.decision_number.as_deref()
    }
    async fn decision_date(&self) -> Option<&str> {
        self.0.decision_date.as_deref()
    }
    async fn connects_lgsp(&self) -> Option<bool> {
        self.0.connects_lgsp
    }
    async fn processes_personal_data(&self) -> Option<bool> {
        self.0.processes_personal_data
    }
    /// Version for optimistic concurrency.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The agency that runs the system and registered it (đơn vị vận hành), when known. For a provincial system the
    /// owner (chủ quản) is the province's People's Committee.
    async fn agency(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        let Some(id) = &self.0.agency_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?
            .load_one(AgencyKey(id.clone()))
            .await?
            .map(Agency))
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        let key = ProvinceKey(self.0.province_code.clone());
        Ok(loader(ctx)?.load_one(key).await?.map(Province))
    }
    async fn source(&self) -> Option<Source> {
        source(
            &self.0.source_file,
            self.0.source_line,
            self.0.source_line_end,
        )
    }
}

// ---------------------------------------------------------------------------------------------------------------------

/// A funded project or task of a plan.
pub struct Project(pub project::Model);

/// One printed amount of a project: for a year and/or a funding source.
pub struct BudgetLine {
    line: project_budget::Model,
    unit: Option<String>,
}

#[Object]
impl BudgetLine {
    async fn year(&self) -> Option<i32> {
        self.line.year
    }
    async fn amount(&self) -> Amount {
        amount(&self.line.amount_printed, &self.unit, self.line.amount_vnd)
    }
    async fn funding_source(&self) -> Option<FundingSource> {
        self.line
            .funding_source
            .as_deref()
            .and_then(FundingSource::from_db)
    }
    /// The line of the seed file that prints this amount.
    async fn source_line(&self) -> Option<i32> {
        self.line.source_line
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
    async fn lead_agency(&self, ctx: &Context<'_>) -> Res<Option<Agency>> {
        let Some(id) = &self.0.lead_agency_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?
            .load_one(AgencyKey(id.clone()))
            .await?
            .map(Agency))
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        let key = ProvinceKey(self.0.province_code.clone());
        Ok(loader(ctx)?.load_one(key).await?.map(Province))
    }
    async fn plan(&self, ctx: &Context<'_>) -> Res<Option<Plan>> {
        Ok(loader(ctx)?
            .load_one(PlanKey(self.0.plan_id.clone()))
            .await?
            .map(Plan))
    }
    async fn year_start(&self) -> Option<i32> {
        self.0.year_start
    }
    async fn year_end(&self) -> Option<i32> {
        self.0.year_end
    }
    async fn funding_source(&self) -> Option<FundingSource> {
        self.0
            .funding_source
            .as_deref()
            .and_then(FundingSource::from_db)
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
            Some(printed) => Some(amount(printed, &self.0.unit, self.0.total_vnd)),
            None => self.0.total_vnd.map(|vnd| Amount {
                printed: None,
                unit: self.0.unit.as_deref().and_then(MoneyUnit::from_db),
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
    #[graphql(
        complexity = "crate::limits::cost::list(crate::limits::cost::SHORT_LIST, child_complexity)"
    )]
    async fn budget(&self, ctx: &Context<'_>) -> Res<Vec<BudgetLine>> {
        let rows = loader(ctx)?
            .load_one(BudgetOfProject(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|line| BudgetLine {
                line,
                unit: self.0.unit.clone(),
            })
            .collect())
    }
    /// Sum of the budget lines in million VND (null when there are none or their unit is not printed).
    async fn budget_sum_million_vnd(&self, ctx: &Context<'_>) -> Res<Option<f64>> {
        let rows = loader(ctx)?
            .load_one(BudgetOfProject(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(sum_vnd(&rows).map(million))
    }
    /// Whether the printed total equals the sum of the printed lines; null when either is missing. A `false` is a slip
    /// in the plan, kept as printed.
    async fn total_matches_budget(&self, ctx: &Context<'_>) -> Res<Option<bool>> {
        let rows = loader(ctx)?
            .load_one(BudgetOfProject(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(match (self.0.total_vnd, sum_vnd(&rows)) {
            (Some(total), Some(sum)) => Some(total == sum),
            _ => None,
        })
    }
    async fn source(&self) -> Option<Source> {
        source(
            &self.0.source_file,
            self.0.source_line,
            self.0.source_line_end,
        )
    }
}

fn sum_vnd(rows: &[project_budget::Model]) -> Option<i64> {
    if rows.is_empty() {
        return None;
    }
    rows.iter().map(|r| r.amount_vnd).sum()
}

// ---------------------------------------------------------------------------------------------------------------------

/// A national database or national system that provincial LGSPs connect to.
pub struct NationalDatabase(pub national_database::Model);

#[Object]
impl NationalDatabase {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::NationalDatabase, &self.0.id)
    }
    /// The hub's live connection to this database, when it federates it (any valid token; null otherwise).
    async fn upstream(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<UpstreamStatus>> {
        crate::auth::require_token(ctx)?;
        let Some(service) = crate::upstream::SERVICES
            .iter()
            .find(|s| s.catalog_key == self.0.id)
        else {
            return Ok(None);
        };
        Ok(federation(ctx)?
            .upstreams()
            .find(|u| u.name() == service.name)
            .map(|u| status_of(u)))
    }
    async fn key(&self) -> &str {
        &self.0.id
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Owning ministry or agency, where a source states it.
    async fn owner(&self) -> Option<&str> {
        self.0.owner.as_deref()
    }
    async fn owner_note(&self) -> Option<&str> {
        self.0.owner_note.as_deref()
    }
    async fn kind(&self) -> Option<NationalDatabaseKind> {
        NationalDatabaseKind::from_db(&self.0.kind)
    }
    /// Each plan's statement that a province is connected (or will be), with its source; and the links an
    /// administrator recorded (`recordedByAdministrator`).
    #[graphql(
        complexity = "crate::limits::cost::list(crate::limits::cost::PROVINCES, child_complexity)"
    )]
    async fn links(
        &self,
        ctx: &Context<'_>,
        status: Option<ConnectionStatus>,
    ) -> Res<Vec<NationalDatabaseLink>> {
        let rows = loader(ctx)?
            .load_one(LinksOfDatabase(self.0.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter(|l| status.is_none_or(|s| s.as_db() == l.status))
            .map(NationalDatabaseLink)
            .collect())
    }
    /// Distinct provinces whose plans, or an administrator, link them to this database (connected or planned, see
    /// `links`).
    #[graphql(
        complexity = "crate::limits::cost::list(crate::limits::cost::PROVINCES, child_complexity)"
    )]
    async fn connected_provinces(
        &self,
        ctx: &Context<'_>,
        status: Option<ConnectionStatus>,
    ) -> Res<Vec<Province>> {
        let rows = loader(ctx)?
            .load_one(LinksOfDatabase(self.0.id.clone()))
            .await?
            .unwrap_or_default();
        let mut codes: Vec<ProvinceKey> = rows
            .iter()
            .filter(|l| status.is_none_or(|s| s.as_db() == l.status))
            .map(|l| ProvinceKey(l.province_code.clone()))
            .collect();
        codes.sort_by(|a, b| a.0.cmp(&b.0));
        codes.dedup();
        let found = loader(ctx)?.load_many(codes.clone()).await?;
        Ok(codes
            .into_iter()
            .filter_map(|c| found.get(&c).cloned().map(Province))
            .collect())
    }
    /// For entries a plan added: where it names the database.
    async fn source(&self) -> Option<Source> {
        source(
            &self.0.source_file,
            self.0.source_line,
            self.0.source_line_end,
        )
    }
}

/// A plan's statement that a province's LGSP is connected to a national database, or will be; or the same fact as an
/// administrator recorded it (no plan, no quote, no source: see `note` and the audit trail).
pub struct NationalDatabaseLink(pub national_database_link::Model);

#[Object]
impl NationalDatabaseLink {
    async fn status(&self) -> Option<ConnectionStatus> {
        ConnectionStatus::from_db(&self.0.status)
    }
    /// The plan's words; null for a link an administrator recorded.
    async fn quote(&self) -> Option<&str> {
        self.0.quote.as_deref()
    }
    /// The administrator's note on a link they recorded.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Whether an administrator recorded this link (`connectNationalDatabase`) rather than a plan stating it.
    async fn recorded_by_administrator(&self) -> bool {
        self.0.plan_id.is_none()
    }
    /// Version for optimistic concurrency (`connectNationalDatabase`, `disconnectNationalDatabase`).
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn national_database(&self, ctx: &Context<'_>) -> Res<Option<NationalDatabase>> {
        let key = DatabaseKey(self.0.national_database_id.clone());
        Ok(loader(ctx)?.load_one(key).await?.map(NationalDatabase))
    }
    async fn province(&self, ctx: &Context<'_>) -> Res<Option<Province>> {
        let key = ProvinceKey(self.0.province_code.clone());
        Ok(loader(ctx)?.load_one(key).await?.map(Province))
    }
    async fn plan(&self, ctx: &Context<'_>) -> Res<Option<Plan>> {
        let Some(plan) = &self.0.plan_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?
            .load_one(PlanKey(plan.clone()))
            .await?
            .map(Plan))
    }
    async fn source(&self) -> Option<Source> {
        source(
            &self.0.source_file,
            self.0.source_line,
            self.0.source_line_end,
        )
    }
}

// ---------------------------------------------------------------------------------------------------------------------

/// A plan target (chỉ tiêu).
pub struct Indicator(pub indicator::Model);

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
        let key = ProvinceKey(self.0.province_code.clone());
        Ok(loader(ctx)?.load_one(key).await?.map(Province))
    }
    async fn plan(&self, ctx: &Context<'_>) -> Res<Option<Plan>> {
        Ok(loader(ctx)?
            .load_one(PlanKey(self.0.plan_id.clone()))
            .await?
            .map(Plan))
    }
    async fn source(&self) -> Option<Source> {
        source(
            &self.0.source_file,
            self.0.source_line,
            self.0.source_line_end,
        )
    }
}

/// An aggregate a plan states (a count, a total), kept as printed.
pub struct ReportedFigure(pub reported_figure::Model);

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
    async fn metric(&self) -> Option<&str> {
        self.0.metric.as_deref()
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
        source(
            &self.0.source_file,
            self.0.source_line,
            self.0.source_line_end,
        )
    }
}
