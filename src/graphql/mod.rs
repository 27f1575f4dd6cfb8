//! The GraphQL schema: its assembly from the domain modules, and nothing else. The modules depend on one another
//! in one direction only, from the roots down (no module imports this one):
//!
//! - roots: `query` (catalog), `node` (node and search), `audit`, `integrator`, `national`; mutations in
//!   `registration`, `approval`, `admin`, `integrator`; `subscription`;
//! - `types`: the registry's object types, one concern per file; `prefetch`: nested rows of a page, ahead;
//! - `connection` (Relay helpers), `context` (per-request data and accessors), `loaders` (generic DataLoaders) over
//!   `lookups` (what they look up);
//! - leaves: `enums`, `inputs`, `ids`.

pub mod admin;
pub mod approval;
pub mod audit;
pub mod connection;
pub mod context;
pub mod enums;
pub mod ids;
pub mod inputs;
pub mod integrator;
pub mod legal;
pub mod loaders;
pub mod lookups;
pub mod national;
pub mod node;
pub mod prefetch;
pub mod query;
pub mod registration;
pub mod sharing;
pub mod subscription;
pub mod types;

use async_graphql::{MergedObject, MergedSubscription, Schema};

use std::sync::Arc;

use crate::{
    config::QueryLimits,
    federation::Federation,
    limits::{Limits, LimitsExtension},
    sharing::Sharing,
    store::Store,
};

/// The root query, merged from the domain modules.
#[derive(MergedObject, Default)]
pub struct Query(
    query::CatalogQuery,
    node::NodeQuery,
    audit::AuditQuery,
    integrator::IntegratorQuery,
    national::NationalQuery,
    legal::LegalQuery,
    sharing::SharingQuery,
    approval::ApprovalQuery,
);

/// The root mutation, merged from the domain modules.
#[derive(MergedObject, Default)]
pub struct Mutation(
    registration::RegistrationMutation,
    approval::ApprovalMutation,
    admin::AdminMutation,
    integrator::IntegratorMutation,
    sharing::SharingMutation,
);

/// The root subscription, merged from the domain modules (served on `/graphql/ws`).
#[derive(MergedSubscription, Default)]
pub struct Subscription(
    subscription::ChangeSubscription,
    sharing::SharingSubscription,
);

pub type HubSchema = Schema<Query, Mutation, Subscription>;

/// How the schema guards itself.
#[derive(Clone)]
pub struct SchemaOptions {
    /// Query limits, checked before anything runs (see `crate::limits`).
    pub limits: Arc<Limits>,
    /// Whether `__schema` and `__type` answer.
    pub introspection: bool,
    /// The legal texts `legalReferences` lists.
    pub legal: Arc<crate::legal::LegalReferences>,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        SchemaOptions {
            limits: Arc::new(Limits::new(
                QueryLimits::default(),
                crate::telemetry::Metrics::new(),
            )),
            introspection: true,
            legal: Arc::new(crate::legal::LegalReferences::built_in()),
        }
    }
}

/// Builds the schema over `store`, `federation` and `sharing` (none: for printing the SDL).
pub fn build_schema(
    services: Option<(Store, Arc<Federation>, Arc<Sharing>)>,
    options: SchemaOptions,
) -> HubSchema {
    assemble(services, options, true)
}

/// The same schema without [`LimitsExtension`], for the documents the HTTP layer has already measured for the very
/// operation and variables of a request (see `http::documents::Cached::measured`): their cost is known and under the
/// heavy threshold, so the extension would have nothing to do, yet its mere presence makes async-graphql build a
/// `ResolveInfo` (a registry lookup by type name) and run the extension chain for every field and list item. Its
/// own complexity limit (the extension's maximum, over the same analysis) is a backstop.
pub fn build_measured_schema(
    services: Option<(Store, Arc<Federation>, Arc<Sharing>)>,
    options: SchemaOptions,
) -> HubSchema {
    assemble(services, options, false)
}

fn assemble(
    services: Option<(Store, Arc<Federation>, Arc<Sharing>)>,
    options: SchemaOptions,
    guarded: bool,
) -> HubSchema {
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .data(options.legal);
    builder = if guarded {
        // Cost and depth are checked by the extension, which reports which limit and by how much.
        builder.extension(LimitsExtension(options.limits))
    } else {
        builder.limit_complexity(options.limits.query.max_cost)
    };
    if !options.introspection {
        builder = builder.disable_introspection();
    }
    if let Some((store, federation, sharing)) = services {
        builder = builder
            .data(context::GqlState { store })
            .data(federation)
            .data(sharing);
    }
    builder.finish()
}

/// The schema's SDL, as served on `/schema.graphql` and committed as `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, SchemaOptions::default()).sdl()
}
