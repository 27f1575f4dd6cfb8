//! Self-service registration mutations: thin resolvers over `store::registration`, guarded by scope.

use async_graphql::{Context, InputObject, Object};

use super::{
    inputs::{level, optional_text},
    state,
    types::InformationSystem,
};
use crate::{
    auth::{scope, Principal, RequireScope},
    error::{Error, Result},
    store::{
        audit::Actor,
        registration::{self, NewSystem, SystemChanges},
    },
};

/// The request id of the HTTP request, for the audit trail.
#[derive(Clone)]
pub struct RequestId(pub String);

pub(crate) fn actor(ctx: &Context<'_>) -> Result<Actor> {
    let principal = ctx.data_opt::<Principal>().ok_or(Error::Unauthenticated)?;
    Ok(Actor {
        subject: principal.subject.clone(),
        agency_code: principal.agency.as_str().to_owned(),
        request_id: ctx.data_opt::<RequestId>().map(|r| r.0.clone()),
    })
}

/// A new information system of the caller's agency.
#[derive(InputObject)]
pub struct RegisterInformationSystemInput {
    pub name: String,
    pub description: Option<String>,
    /// The proposed security level (1–5); the system starts in the `PROPOSED` state when given.
    pub security_level: Option<i32>,
    pub connects_lgsp: Option<bool>,
    pub processes_personal_data: Option<bool>,
}

/// Changes to one of the caller's systems; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateInformationSystemInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub connects_lgsp: Option<bool>,
    pub processes_personal_data: Option<bool>,
}

#[derive(Default)]
pub struct RegistrationMutation;

#[Object]
impl RegistrationMutation {
    /// Registers an information system owned by the caller's agency (scope `systems:write`).
    #[graphql(guard = "RequireScope(scope::SYSTEMS_WRITE)")]
    async fn register_information_system(
        &self,
        ctx: &Context<'_>,
        input: RegisterInformationSystemInput,
    ) -> async_graphql::Result<InformationSystem> {
        let new = NewSystem {
            name: registration::valid_name("input.name", &input.name)?,
            description: optional_text("input.description", input.description, 4000)?,
            security_level: input
                .security_level
                .map(|l| level("input.securityLevel", l))
                .transpose()?,
            connects_lgsp: input.connects_lgsp,
            processes_personal_data: input.processes_personal_data,
        };
        let model = registration::register_system(&state(ctx)?.store, &actor(ctx)?, new).await?;
        Ok(InformationSystem(model))
    }

    /// Updates one of the caller's agency's systems; `version` must be the one last read (else `CONFLICT`).
    #[graphql(guard = "RequireScope(scope::SYSTEMS_WRITE)")]
    async fn update_information_system(
        &self,
        ctx: &Context<'_>,
        code: String,
        version: i32,
        input: UpdateInformationSystemInput,
    ) -> async_graphql::Result<InformationSystem> {
        let changes = SystemChanges {
            name: input
                .name
                .map(|n| registration::valid_name("input.name", &n))
                .transpose()?,
            description: optional_text("input.description", input.description, 4000)?,
            connects_lgsp: input.connects_lgsp,
            processes_personal_data: input.processes_personal_data,
        };
        let model =
            registration::update_system(&state(ctx)?.store, &actor(ctx)?, &code, version, changes)
                .await?;
        Ok(InformationSystem(model))
    }
}
