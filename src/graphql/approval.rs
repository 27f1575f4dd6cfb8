//! The security-level workflow of ND 85/2016 as mutations: thin resolvers over `store::approval`. Scopes are checked
//! by guards; who may take which step is decided by the store from the registry and the authority table.

use async_graphql::{Context, Object, SimpleObject};

use super::{
    audit::AuditEvent,
    context::{actor, state},
    enums::AwaitedStep,
    inputs::{level as level_of, optional_text},
    types::InformationSystem,
};
use crate::{
    auth::{require_token, scope, RequireScope},
    error::{Error, Result},
    limits::cost,
    store::approval::{self as workflow, take_step, Step},
};

/// A date as `YYYY-MM-DD`.
fn date(field: &str, d: Option<String>) -> Result<Option<String>> {
    let Some(d) = d.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let parts: Vec<&str> = d.split('-').collect();
    let valid = matches!(parts.as_slice(), [y, m, day]
        if y.len() == 4 && m.len() == 2 && day.len() == 2
        && y.parse::<u16>().is_ok()
        && m.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
        && day.parse::<u8>().is_ok_and(|d| (1..=31).contains(&d)));
    if !valid {
        return Err(Error::bad_input(
            field,
            format!("`{field}` must be a date YYYY-MM-DD"),
        ));
    }
    Ok(Some(d))
}

async fn step(
    ctx: &Context<'_>,
    code: &str,
    version: i32,
    step: Step,
) -> async_graphql::Result<InformationSystem> {
    let model = take_step(&state(ctx)?.store, &actor(ctx)?, code, version, step).await?;
    Ok(InformationSystem::from_row(model))
}

/// A system waiting for the caller's agency, and the step it waits for.
#[derive(SimpleObject)]
pub struct ApprovalTask {
    pub step: AwaitedStep,
    pub system: InformationSystem,
}

#[derive(Default)]
pub struct ApprovalQuery;

#[Object]
impl ApprovalQuery {
    /// The systems whose proposed or appraised level waits for the caller's agency in its ND 85 role (scope
    /// `systems:approve`), by name: the approvals inbox. Empty for an agency with no role.
    #[graphql(
        complexity = "cost::page(None, None, child_complexity)",
        guard = "RequireScope(scope::SYSTEMS_APPROVE)"
    )]
    async fn approval_inbox(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApprovalTask>> {
        let actor = actor(ctx)?;
        let tasks = workflow::inbox(&state(ctx)?.store, &actor.agency_code).await?;
        Ok(tasks
            .into_iter()
            .map(|(system, step)| ApprovalTask {
                step: step.into(),
                system: InformationSystem::from_row(system),
            })
            .collect())
    }

    /// A system's audit events (its last 200), oldest first: registration, edits and each step of the level
    /// workflow. For an agency with a role towards the system (its operator, the appraising and approving
    /// authorities), or any caller with `audit:read`.
    #[graphql(complexity = "cost::page(None, None, child_complexity)")]
    async fn information_system_history(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> async_graphql::Result<Vec<AuditEvent>> {
        let all = require_token(ctx)?.has_scope(scope::AUDIT_READ);
        let actor = actor(ctx)?;
        let events = workflow::history(&state(ctx)?.store, &actor.agency_code, &code, all).await?;
        Ok(events.into_iter().map(AuditEvent::from).collect())
    }
}

#[derive(Default)]
pub struct ApprovalMutation;

#[Object]
impl ApprovalMutation {
    /// The operating agency proposes a security level (1–5) for its system (scope `systems:write`). Allowed for a
    /// system with no level, or whose last proposal was approved or rejected; the approved level stays until a new
    /// one is approved.
    #[graphql(guard = "RequireScope(scope::SYSTEMS_WRITE)")]
    async fn propose_security_level(
        &self,
        ctx: &Context<'_>,
        code: String,
        version: i32,
        level: i32,
    ) -> async_graphql::Result<InformationSystem> {
        let level = level_of("level", level)?;
        step(ctx, &code, version, Step::Propose { level }).await
    }

    /// The appraising authority gives its opinion on a proposed level (thẩm định; scope `systems:approve`): the
    /// province's information-security unit for levels 1–3, the national authority for levels 4–5.
    #[graphql(guard = "RequireScope(scope::SYSTEMS_APPROVE)")]
    async fn appraise_security_level(
        &self,
        ctx: &Context<'_>,
        code: String,
        version: i32,
        opinion: Option<String>,
    ) -> async_graphql::Result<InformationSystem> {
        let opinion = optional_text("opinion", opinion, 4000)?;
        step(ctx, &code, version, Step::Appraise { opinion }).await
    }

    /// The approving authority approves an appraised level (phê duyệt; scope `systems:approve`): the security unit
    /// for levels 1–2, the owner (the provincial People's Committee) for 3–4, the Prime Minister for 5.
    #[graphql(guard = "RequireScope(scope::SYSTEMS_APPROVE)")]
    async fn approve_security_level(
        &self,
        ctx: &Context<'_>,
        code: String,
        version: i32,
        decision_number: Option<String>,
        decision_date: Option<String>,
    ) -> async_graphql::Result<InformationSystem> {
        let decision_number = optional_text("decisionNumber", decision_number, 100)?;
        let decision_date = date("decisionDate", decision_date)?;
        step(
            ctx,
            &code,
            version,
            Step::Approve {
                decision_number,
                decision_date,
            },
        )
        .await
    }

    /// The approving authority rejects an appraised level, with its reasons (scope `systems:approve`).
    #[graphql(guard = "RequireScope(scope::SYSTEMS_APPROVE)")]
    async fn reject_security_level(
        &self,
        ctx: &Context<'_>,
        code: String,
        version: i32,
        reason: String,
    ) -> async_graphql::Result<InformationSystem> {
        let reason = optional_text("reason", Some(reason), 4000)?
            .ok_or_else(|| Error::bad_input("reason", "a rejection states its reasons"))?;
        step(ctx, &code, version, Step::Reject { reason }).await
    }

    /// The operating agency retires its system (scope `systems:write`); a retired system no longer changes.
    #[graphql(guard = "RequireScope(scope::SYSTEMS_WRITE)")]
    async fn retire_information_system(
        &self,
        ctx: &Context<'_>,
        code: String,
        version: i32,
        reason: Option<String>,
    ) -> async_graphql::Result<InformationSystem> {
        let reason = optional_text("reason", reason, 4000)?;
        step(ctx, &code, version, Step::Retire { reason }).await
    }
}
