//! Registry administration mutations (scope `registry:admin`): agencies, projects and the connections of provinces to
//! national databases. Thin resolvers: validate and parse the input (field paths in `BAD_USER_INPUT`), call
//! `store::admin`, wrap the row. In update inputs an omitted field stays as it is; an explicit `null` clears a
//! nullable one.

use async_graphql::{Context, InputObject, MaybeUndefined, Object};

use super::{
    context::{actor, state},
    enums::{AgencyKind, ApprovalRole, ConnectionStatus, FundingSource},
    inputs::optional_text,
    types::{Agency, NationalDatabaseLink, Project},
};
use crate::{
    auth::{scope, RequireScope},
    codes::{parse_province_code, AgencyCode},
    error::{Error, Result},
    store::admin::{
        self,
        links::{self, Connection},
        projects::{self, NewProject, ProjectChanges},
        AgencyChanges, NewAgency,
    },
    store::registration::valid_name,
};

type Res<T> = async_graphql::Result<T>;

/// `None` when omitted, `Some(None)` for an explicit null, `Some(Some(parsed))` for a value.
fn clearable<T, U>(
    v: MaybeUndefined<T>,
    parse: impl FnOnce(T) -> Result<U>,
) -> Result<Option<Option<U>>> {
    match v {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => parse(v).map(|u| Some(Some(u))),
    }
}

fn year(field: &str, y: i32) -> Result<i32> {
    if (1900..=2200).contains(&y) {
        Ok(y)
    } else {
        Err(Error::bad_input(
            field,
            format!("`{field}` is not a plausible year"),
        ))
    }
}

/// An entered amount in million VND as whole VND.
fn million_vnd(field: &str, m: f64) -> Result<i64> {
    if m.is_finite() && (0.0..9.0e12).contains(&m) {
        Ok((m * 1_000_000.0).round() as i64)
    } else {
        Err(Error::bad_input(
            field,
            format!("`{field}` must be a non-negative amount in million VND"),
        ))
    }
}

/// A new agency. The hub gives it a key from its province and name; it has no source (no plan prints it).
#[derive(InputObject)]
pub struct CreateAgencyInput {
    pub name: String,
    pub kind: AgencyKind,
    /// The province (2 digits) the agency belongs to.
    pub province_code: String,
    /// Electronic identification code (QĐ 20/2020/QĐ-TTg), only where an official source gives it.
    pub official_code: Option<String>,
    /// The parent agency's key, in the same province.
    pub parent_key: Option<String>,
}

/// Changes to an agency; omitted fields stay, `null` clears `officialCode`, `parentKey` and `approvalRole`.
#[derive(InputObject, Default)]
pub struct UpdateAgencyInput {
    pub name: Option<String>,
    pub kind: Option<AgencyKind>,
    pub official_code: MaybeUndefined<String>,
    pub parent_key: MaybeUndefined<String>,
    /// The agency's role in the security-level approval workflow.
    pub approval_role: MaybeUndefined<ApprovalRole>,
}

/// A new project of a plan (its province is the plan's). No printed text: the total, if any, is entered in million
/// VND and shown with `total.printed` null.
#[derive(InputObject)]
pub struct CreateProjectInput {
    pub plan_key: String,
    pub name: String,
    /// The lead agency's key, in the plan's province.
    pub lead_agency_key: Option<String>,
    pub year_start: Option<i32>,
    pub year_end: Option<i32>,
    pub funding_source: Option<FundingSource>,
    pub total_million_vnd: Option<f64>,
}

/// Changes to a project; omitted fields stay, `null` clears a nullable one. `totalMillionVnd` only for projects an
/// administrator created: a seeded project's total is its plan's printed figure.
#[derive(InputObject, Default)]
pub struct UpdateProjectInput {
    pub name: Option<String>,
    pub lead_agency_key: MaybeUndefined<String>,
    pub year_start: MaybeUndefined<i32>,
    pub year_end: MaybeUndefined<i32>,
    pub funding_source: MaybeUndefined<FundingSource>,
    pub total_million_vnd: MaybeUndefined<f64>,
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Creates an agency (scope `registry:admin`). A duplicate official code is a `CONFLICT`.
    #[graphql(guard = "RequireScope(scope::REGISTRY_ADMIN)")]
    async fn create_agency(&self, ctx: &Context<'_>, input: CreateAgencyInput) -> Res<Agency> {
        let new = NewAgency {
            name: valid_name("input.name", &input.name)?,
            kind: input.kind.into(),
            province_code: parse_province_code("input.provinceCode", &input.province_code)?,
            code: input
                .official_code
                .map(|c| AgencyCode::parse("input.officialCode", &c))
                .transpose()?,
            parent_id: input.parent_key,
        };
        let model = admin::create_agency(&state(ctx)?.store, &actor(ctx)?, new).await?;
        Ok(Agency::from_row(model))
    }

    /// Updates an agency, seeded or not (scope `registry:admin`); `version` must be the one last read, else
    /// `CONFLICT`. A seeded agency keeps its `source`; `edited` turns true.
    #[graphql(guard = "RequireScope(scope::REGISTRY_ADMIN)")]
    async fn update_agency(
        &self,
        ctx: &Context<'_>,
        key: String,
        version: i32,
        input: UpdateAgencyInput,
    ) -> Res<Agency> {
        let changes = AgencyChanges {
            name: input
                .name
                .map(|n| valid_name("input.name", &n))
                .transpose()?,
            kind: input.kind.map(Into::into),
            code: clearable(input.official_code, |c| {
                AgencyCode::parse("input.officialCode", &c)
            })?,
            parent_id: clearable(input.parent_key, Ok)?,
            approval_role: clearable(input.approval_role, |r| Ok(r.into()))?,
        };
        let model =
            admin::update_agency(&state(ctx)?.store, &actor(ctx)?, &key, version, changes).await?;
        Ok(Agency::from_row(model))
    }

    /// Creates a project of a plan (scope `registry:admin`).
    #[graphql(guard = "RequireScope(scope::REGISTRY_ADMIN)")]
    async fn create_project(&self, ctx: &Context<'_>, input: CreateProjectInput) -> Res<Project> {
        let new = NewProject {
            plan_id: input.plan_key,
            name: valid_name("input.name", &input.name)?,
            lead_agency_id: input.lead_agency_key,
            year_start: input
                .year_start
                .map(|y| year("input.yearStart", y))
                .transpose()?,
            year_end: input
                .year_end
                .map(|y| year("input.yearEnd", y))
                .transpose()?,
            funding_source: input.funding_source.map(Into::into),
            total_vnd: input
                .total_million_vnd
                .map(|m| million_vnd("input.totalMillionVnd", m))
                .transpose()?,
        };
        let model = projects::create_project(&state(ctx)?.store, &actor(ctx)?, new).await?;
        Ok(Project::from_row(model))
    }

    /// Updates a project, seeded or not (scope `registry:admin`); `version` must be the one last read, else
    /// `CONFLICT`. A seeded project keeps its `source` and printed amounts; `edited` turns true.
    #[graphql(guard = "RequireScope(scope::REGISTRY_ADMIN)")]
    async fn update_project(
        &self,
        ctx: &Context<'_>,
        key: String,
        version: i32,
        input: UpdateProjectInput,
    ) -> Res<Project> {
        let changes = ProjectChanges {
            name: input
                .name
                .map(|n| valid_name("input.name", &n))
                .transpose()?,
            lead_agency_id: clearable(input.lead_agency_key, Ok)?,
            year_start: clearable(input.year_start, |y| year("input.yearStart", y))?,
            year_end: clearable(input.year_end, |y| year("input.yearEnd", y))?,
            funding_source: clearable(input.funding_source, |f| Ok(f.into()))?,
            total_vnd: clearable(input.total_million_vnd, |m| {
                million_vnd("input.totalMillionVnd", m)
            })?,
        };
        let model =
            projects::update_project(&state(ctx)?.store, &actor(ctx)?, &key, version, changes)
                .await?;
        Ok(Project::from_row(model))
    }

    /// Records that a province's LGSP is connected to (or plans to connect to) a national database (scope
    /// `registry:admin`): creates or updates the one link an administrator keeps per province and database, next to
    /// the plans' statements, which stay as printed. With `version`, the recorded link must be at that version.
    #[graphql(guard = "RequireScope(scope::REGISTRY_ADMIN)")]
    async fn connect_national_database(
        &self,
        ctx: &Context<'_>,
        province_code: String,
        national_database_key: String,
        status: ConnectionStatus,
        note: Option<String>,
        version: Option<i32>,
    ) -> Res<NationalDatabaseLink> {
        // `DISPUTED` says a plan contradicts itself, with its statements: an administrator records what is, not that.
        if status == ConnectionStatus::Disputed {
            return Err(Error::bad_input(
                "status",
                "`DISPUTED` is for a plan that contradicts itself; record CONNECTED, PLANNED or PARTIAL",
            )
            .into());
        }
        let connection = Connection {
            province_code: parse_province_code("provinceCode", &province_code)?,
            national_database_id: national_database_key,
            status: status.into(),
            note: optional_text("note", note, 1000)?,
            version,
        };
        let model = links::connect(&state(ctx)?.store, &actor(ctx)?, connection).await?;
        Ok(NationalDatabaseLink::from_row(model))
    }

    /// Removes the link an administrator recorded for a province and a national database (scope `registry:admin`);
    /// returns it as it was. `version` must be the one last read, else `CONFLICT`.
    #[graphql(guard = "RequireScope(scope::REGISTRY_ADMIN)")]
    async fn disconnect_national_database(
        &self,
        ctx: &Context<'_>,
        province_code: String,
        national_database_key: String,
        version: i32,
    ) -> Res<NationalDatabaseLink> {
        let province_code = parse_province_code("provinceCode", &province_code)?;
        let model = links::disconnect(
            &state(ctx)?.store,
            &actor(ctx)?,
            &province_code,
            &national_database_key,
            version,
        )
        .await?;
        Ok(NationalDatabaseLink::from_row(model))
    }
}
