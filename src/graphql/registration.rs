//! Self-service registration mutations: thin resolvers over `store::registration`, guarded by scope.

use async_graphql::{Context, InputObject, Object};

use super::{
    context::{actor, state},
    inputs::{level, optional_text},
    types::InformationSystem,
};
use crate::{
    auth::{scope, RequireScope},
    store::registration::{self, NewSystem, SystemChanges},
};

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
        Ok(InformationSystem::from_row(model))
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
        Ok(InformationSystem::from_row(model))
    }
}
