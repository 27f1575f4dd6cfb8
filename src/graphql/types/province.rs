//! `Province`: a province's own fields, its merger, and the per-province previews, counts and aggregates.

use async_graphql::{Context, Object, SimpleObject, ID};

use super::{
    load, preview_size, rows, source::million, Agency, InformationSystem, NationalDatabaseLink,
    Project, Province, Res,
};
use crate::{
    graphql::{
        context::loader,
        enums::{BudgetLevel, ConnectionStatus, FundingSource, Spending},
        ids::{global_id, NodeKind},
        loaders::{Count, Lookup, Model, Top},
        lookups::{
            AgenciesOfProvince, LinksOfProvince, PerProvince, ProjectsOfProvince, SystemsOfProvince,
        },
    },
    limits::cost,
    store::batch::{BudgetBucketRow, LevelCountRow},
};

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
    /// Province or district budget, when the table says.
    pub level: Option<BudgetLevel>,
    /// Recurrent or investment spending, when the table says.
    pub spending: Option<Spending>,
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
        load(ctx, &format!("{}-ubnd-tinh", self.0.slug)).await
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
    #[graphql(complexity = "cost::first(first, child_complexity)")]
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> Res<Vec<Agency>> {
        self.preview::<AgenciesOfProvince, _>(ctx, first, Agency::from_row)
            .await
    }
    async fn agency_count(&self, ctx: &Context<'_>) -> Res<i64> {
        self.count::<AgenciesOfProvince>(ctx).await
    }
    /// The first `first` information systems by name; page through all with `informationSystems`.
    #[graphql(complexity = "cost::first(first, child_complexity)")]
    async fn information_systems(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> Res<Vec<InformationSystem>> {
        self.preview::<SystemsOfProvince, _>(ctx, first, InformationSystem::from_row)
            .await
    }
    async fn information_system_count(&self, ctx: &Context<'_>) -> Res<i64> {
        self.count::<SystemsOfProvince>(ctx).await
    }
    /// The first `first` projects in document order; page through all with `projects`.
    #[graphql(complexity = "cost::first(first, child_complexity)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> Res<Vec<Project>> {
        self.preview::<ProjectsOfProvince, _>(ctx, first, Project::from_row)
            .await
    }
    async fn project_count(&self, ctx: &Context<'_>) -> Res<i64> {
        self.count::<ProjectsOfProvince>(ctx).await
    }
    /// National databases and systems this province's LGSP is connected to or plans to connect to.
    #[graphql(complexity = "cost::list(cost::SHORT_LIST * 4, child_complexity)")]
    async fn national_database_links(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only links in this status (`DISPUTED`: those the plan contradicts)")]
        status: Option<ConnectionStatus>,
    ) -> Res<Vec<NationalDatabaseLink>> {
        let mut links = rows::<LinksOfProvince>(ctx, self.0.code.clone()).await?;
        links.retain(|l| status.is_none_or(|s| ConnectionStatus::from(l.status) == s));
        Ok(links
            .into_iter()
            .map(NationalDatabaseLink::from_row)
            .collect())
    }
    /// Information systems by security level (cấp độ, Nghị định 85/2016/NĐ-CP).
    async fn systems_by_security_level(&self, ctx: &Context<'_>) -> Res<Vec<SecurityLevelCount>> {
        let levels = rows::<PerProvince<LevelCountRow>>(ctx, self.0.code.clone()).await?;
        Ok(levels
            .into_iter()
            .map(|r| SecurityLevelCount {
                security_level: r.security_level,
                count: r.n,
            })
            .collect())
    }
    /// Project budget lines by year, funding source, level and spending. Restatements (`BudgetLine.isRestatement`)
    /// are left out: no money is counted twice.
    async fn project_budget(&self, ctx: &Context<'_>) -> Res<Vec<BudgetBucket>> {
        let buckets = rows::<PerProvince<BudgetBucketRow>>(ctx, self.0.code.clone()).await?;
        Ok(buckets
            .into_iter()
            .map(|r| BudgetBucket {
                year: r.year,
                funding_source: r.funding_source.map(Into::into),
                level: r.level.map(Into::into),
                spending: r.spending.map(Into::into),
                million_vnd: r.amount_vnd.map(million),
                lines: r.lines,
                unpriced_lines: r.unpriced_lines,
            })
            .collect())
    }
}

impl Province {
    /// The first `first` rows of a registry in this province, in its preview order.
    async fn preview<L: Lookup<Key = String>, W>(
        &self,
        ctx: &Context<'_>,
        first: i32,
        wrap: impl Fn(Model<L>) -> W,
    ) -> Res<Vec<W>> {
        let key = (self.0.code.clone(), preview_size(ctx, first)?);
        Ok(rows::<Top<L>>(ctx, key)
            .await?
            .into_iter()
            .map(wrap)
            .collect())
    }

    /// The number of rows of a registry in this province.
    async fn count<L: Lookup<Key = String>>(&self, ctx: &Context<'_>) -> Res<i64> {
        let key = Count::<L>(self.0.code.clone());
        Ok(loader(ctx)?.load_one(key).await?.unwrap_or(0))
    }
}
