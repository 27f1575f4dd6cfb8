//! What a request may ask of the hub, checked before any SQL or upstream call: the document's length in tokens, its
//! shape with fragments expanded (fields, depth, aliases, root fields, fields per selection, directives), its cost
//! (page sizes times selections, from async-graphql's complexity analysis) and the hygiene of every string it carries.
//!
//! The HTTP handler runs [`Limits::check_text`], [`Limits::check_document`] and [`Limits::check_variables`] itself,
//! around its cache of parsed documents, and marks the request [`Checked`]; the schema extension ([`LimitsExtension`])
//! runs them for every other path (websockets) and checks the cost and depth computed by validation for all.

pub mod cost;
pub mod input;
pub mod shape;
pub mod tokens;

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use tokio::sync::Semaphore;

use async_graphql::{
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
    },
    parser::types::ExecutableDocument,
    Response, ServerError, ServerResult, ValidationResult, Variables,
};

use crate::config::QueryLimits;
use crate::error::Error;

/// The limits of one hub.
pub struct Limits {
    pub query: QueryLimits,
    /// Permits of heavy queries (cost at or above `heavy_cost`).
    heavy: Arc<Semaphore>,
}

/// Marks a request whose text, document and variables the HTTP layer has already checked.
pub struct Checked;

fn too_complex(limit: &'static str, cost: usize, maximum: usize) -> Error {
    Error::TooComplex {
        limit,
        cost,
        maximum,
    }
}

impl Limits {
    pub fn new(query: QueryLimits) -> Limits {
        Limits {
            heavy: Arc::new(Semaphore::new(query.max_concurrent_heavy)),
            query,
        }
    }

    /// Refuses a document with more tokens than allowed, before it is parsed.
    pub fn check_text(&self, text: &str) -> Result<(), Error> {
        let max = self.query.max_tokens;
        tokens::count(text, max)
            .map(drop)
            .map_err(|n| too_complex("tokens", n, max))
    }

    /// Refuses a parsed document whose shape exceeds a limit, or whose literals fail input hygiene.
    pub fn check_document(&self, doc: &ExecutableDocument) -> Result<(), Error> {
        let l = &self.query;
        let (shape, roots) = shape::measure(doc).map_err(|cycle| Error::InvalidDocument {
            message: format!("fragment `{}` spreads itself", cycle.0),
        })?;
        // Every field costs at least 1, so the expanded field count is a lower bound of the cost: refusing on it here
        // keeps a fragment bomb away from the (fragment-expanding) complexity analysis.
        let checks = [
            ("cost", shape.fields, l.max_cost),
            ("depth", shape.depth, l.max_depth),
            ("aliases", shape.aliases, l.max_aliases),
            ("rootFields", roots, l.max_root_fields),
            ("selectionFields", shape.max_width, l.max_selection_fields),
            ("directives", shape.directives, l.max_directives),
        ];
        if let Some((limit, cost, maximum)) = checks.into_iter().find(|(_, n, max)| n > max) {
            return Err(too_complex(limit, cost, maximum));
        }
        input::check_document(doc, l.max_string_length).map_err(bad_string)
    }

    /// Refuses variables that fail input hygiene, naming the argument each feeds in `doc` when known.
    pub fn check_variables(
        &self,
        variables: &Variables,
        doc: Option<&ExecutableDocument>,
    ) -> Result<(), Error> {
        input::check_variables(variables, self.query.max_string_length).map_err(|bad| match doc {
            Some(doc) => bad_string(input::name_by_usage(bad, doc)),
            None => bad_string(bad),
        })
    }

    /// Refuses a validated document whose cost (async-graphql's complexity) exceeds the maximum.
    pub fn check_cost(&self, cost: usize) -> Result<(), Error> {
        if cost > self.query.max_cost {
            return Err(too_complex("cost", cost, self.query.max_cost));
        }
        Ok(())
    }
}

fn bad_string(bad: input::BadString) -> Error {
    Error::bad_input(bad.field, bad.message)
}

/// The hub's error as a request-level GraphQL error (no path, no location).
pub fn server_error(err: Error) -> ServerError {
    let err = async_graphql::Error::from(err);
    let mut server = ServerError::new(err.message, None);
    server.extensions = err.extensions;
    server
}

/// The schema extension that applies [`Limits`] to every request.
pub struct LimitsExtension(pub Arc<Limits>);

impl ExtensionFactory for LimitsExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsOfRequest {
            limits: self.0.clone(),
            cost: AtomicUsize::new(0),
        })
    }
}

/// The extension's state for one request: its cost, once validation has computed it.
struct LimitsOfRequest {
    limits: Arc<Limits>,
    cost: AtomicUsize,
}

#[async_graphql::async_trait::async_trait]
impl Extension for LimitsOfRequest {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if ctx.data_opt::<Checked>().is_none() {
            // Parsed twice on this path (websockets), so that the document's shape is known before async-graphql's
            // own recursive checks walk it.
            let limits = &self.limits;
            limits.check_text(query).map_err(server_error)?;
            let doc = async_graphql::parser::parse_query(query)?;
            limits.check_document(&doc).map_err(server_error)?;
            limits
                .check_variables(variables, Some(&doc))
                .map_err(server_error)?;
        }
        next.run(ctx, query, variables).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        self.limits
            .check_cost(result.complexity)
            .map_err(|e| vec![server_error(e)])?;
        self.cost.store(result.complexity, Ordering::Relaxed);
        Ok(result)
    }

    /// A heavy query runs only with one of the few heavy permits, so that a handful of costly queries cannot take
    /// every core from the cheap ones; without a permit it is shed at once.
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if self.cost.load(Ordering::Relaxed) < self.limits.query.heavy_cost {
            return next.run(ctx, operation_name).await;
        }
        let Ok(_permit) = self.limits.heavy.clone().try_acquire_owned() else {
            tracing::warn!(
                cost = self.cost.load(Ordering::Relaxed),
                "shed a heavy query: every heavy permit is taken"
            );
            return Response::from_errors(vec![server_error(Error::Overloaded)]);
        };
        next.run(ctx, operation_name).await
    }
}
