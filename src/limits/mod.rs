//! What a request may ask of the hub, checked before any SQL or upstream call: the document's length in tokens, its
//! shape with fragments expanded (fields, depth, aliases, root fields, fields per selection, directives), its cost
//! (page sizes times selections, from async-graphql's complexity analysis) and the hygiene of every string it carries.
//!
//! The HTTP handler runs [`Limits::check_text`], [`Limits::check_document`] and [`Limits::check_variables`] itself,
//! around its cache of parsed documents, and marks the request [`Checked`]; the schema extension ([`LimitsExtension`])
//! runs them for every other path (websockets) and checks the cost and depth computed by validation for all.

pub mod cost;
pub mod input;
mod lane;
pub mod shape;
pub mod tokens;

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use std::num::NonZeroU32;
use std::sync::OnceLock;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use async_graphql::{
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
    },
    parser::types::ExecutableDocument,
    Response, ServerError, ServerResult, ValidationResult, Variables,
};

use crate::config::QueryLimits;
use crate::error::Error;
use crate::telemetry::Metrics;

/// The limits of one hub.
pub struct Limits {
    pub query: QueryLimits,
    /// Permits of heavy queries (cost at or above `heavy_cost`).
    heavy: Arc<Semaphore>,
    /// The cost units heavy queries may spend per second, all clients together.
    heavy_budget: Option<DefaultDirectRateLimiter>,
    /// The thread heavy queries run on, started on first use.
    heavy_lane: OnceLock<lane::HeavyLane>,
    /// Where refusals are counted, by limit.
    metrics: Metrics,
}

/// Leave to run one heavy query: a permit, and its cost taken from the budget.
pub struct HeavyAdmission(#[expect(dead_code, reason = "held for its Drop")] OwnedSemaphorePermit);

/// Where validation leaves a request's cost, for the HTTP layer to remember with the document.
#[derive(Clone, Default)]
pub struct CostSlot(pub Arc<AtomicUsize>);

/// Marks a request whose text, document and variables the HTTP layer has already checked.
pub struct Checked;

impl Limits {
    /// The limits `query` sets, their refusals counted in `metrics`.
    pub fn new(query: QueryLimits, metrics: Metrics) -> Limits {
        // A single accepted query always fits the bucket, however large the configured rate.
        let heavy_budget = NonZeroU32::new(query.heavy_cost_per_second).map(|rate| {
            let burst = u32::try_from(query.max_cost)
                .unwrap_or(u32::MAX)
                .max(rate.get());
            let burst = NonZeroU32::new(burst).unwrap_or(rate);
            RateLimiter::direct(Quota::per_second(rate).allow_burst(burst))
        });
        Limits {
            heavy: Arc::new(Semaphore::new(query.max_concurrent_heavy)),
            heavy_budget,
            heavy_lane: OnceLock::new(),
            query,
            metrics,
        }
    }

    /// The refusal of a document over `limit`, counted.
    fn too_complex(&self, limit: &'static str, cost: usize, maximum: usize) -> Error {
        self.metrics.query_refused(limit);
        Error::TooComplex {
            limit,
            cost,
            maximum,
        }
    }

    /// How soon after its arrival a refused request is answered, at the soonest.
    pub fn refusal_pause(&self) -> std::time::Duration {
        self.query.refusal_pause
    }

    /// Runs an admitted heavy query on its own thread, so that its long polls (resolving and serializing thousands of
    /// rows) share the cores with the request workers through the OS scheduler instead of stalling one of them. The
    /// query is cancelled when the returned future is dropped (the request's deadline).
    /// The query's answer is best made there too (serialized): a heavy answer is large. `None`: the lane is gone
    /// (the OS refused its thread), and the query is to be shed.
    pub async fn run_heavy<F, T>(&self, query: F) -> Option<T>
    where
        F: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.heavy_lane
            .get_or_init(lane::HeavyLane::start)
            .run(query)
            .await
    }

    /// Whether a query of `cost` is heavy.
    pub fn is_heavy(&self, cost: usize) -> bool {
        cost >= self.query.heavy_cost
    }

    /// Leave to run a heavy query of `cost` now, or `None`: every heavy permit is taken, or the second's budget of
    /// heavy cost is spent. Checked before the query runs (and, for documents whose cost is known, before they are
    /// even validated), so that a few clients looping costly queries cannot take the cores from everyone else.
    pub fn admit_heavy(&self, cost: usize) -> Option<HeavyAdmission> {
        let permit = self.heavy.clone().try_acquire_owned().ok()?;
        if let Some(budget) = &self.heavy_budget {
            let units = NonZeroU32::new(u32::try_from(cost).unwrap_or(u32::MAX).max(1))?;
            if !matches!(budget.check_n(units), Ok(Ok(()))) {
                return None;
            }
        }
        Some(HeavyAdmission(permit))
    }

    /// Refuses a document with more tokens than allowed, before it is parsed.
    pub fn check_text(&self, text: &str) -> Result<(), Error> {
        let max = self.query.max_tokens;
        tokens::count(text, max)
            .map(drop)
            .map_err(|n| self.too_complex("tokens", n, max))
    }

    /// Refuses a parsed document whose shape exceeds a limit, or whose literals fail input hygiene.
    pub fn check_document(&self, doc: &ExecutableDocument) -> Result<(), Error> {
        let l = &self.query;
        let shape = shape::measure(doc).map_err(|cycle| Error::InvalidDocument {
            message: format!("fragment `{}` spreads itself", cycle.0),
        })?;
        // Every field costs at least 1, so the expanded field count is a lower bound of the cost: refusing on it here
        // keeps a fragment bomb away from the (fragment-expanding) complexity analysis.
        let checks = [
            ("cost", shape.fields, l.max_cost),
            ("depth", shape.depth, l.max_depth),
            ("aliases", shape.aliases, l.max_aliases),
            ("rootFields", shape.width, l.max_root_fields),
            ("selectionFields", shape.max_width, l.max_selection_fields),
            ("directives", shape.directives, l.max_directives),
        ];
        if let Some((limit, cost, maximum)) = checks.into_iter().find(|(_, n, max)| n > max) {
            return Err(self.too_complex(limit, cost, maximum));
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
            return Err(self.too_complex("cost", cost, self.query.max_cost));
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
        if let Some(slot) = ctx.data_opt::<CostSlot>() {
            slot.0.store(result.complexity, Ordering::Relaxed);
        }
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
        let cost = self.cost.load(Ordering::Relaxed);
        // Admitted already by the HTTP layer (a cached document known to be heavy), or not heavy at all.
        if !self.limits.is_heavy(cost) || ctx.data_opt::<HeavyAdmission>().is_some() {
            return next.run(ctx, operation_name).await;
        }
        let Some(_admission) = self.limits.admit_heavy(cost) else {
            tracing::warn!(cost, "shed a heavy query: no heavy permit or budget left");
            tokio::time::sleep(self.limits.query.refusal_pause).await;
            return Response::from_errors(vec![server_error(Error::Overloaded)]);
        };
        next.run(ctx, operation_name).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_concurrent_heavy: usize, heavy_cost_per_second: u32) -> Limits {
        Limits::new(
            QueryLimits {
                max_cost: 1_000,
                heavy_cost: 100,
                max_concurrent_heavy,
                heavy_cost_per_second,
                ..QueryLimits::default()
            },
            Metrics::new(),
        )
    }

    #[test]
    fn heavy_queries_take_a_permit_each() {
        let l = limits(1, 0);
        assert!(!l.is_heavy(99) && l.is_heavy(100));
        let first = l.admit_heavy(500).expect("the first heavy query runs");
        assert!(l.admit_heavy(500).is_none(), "the only permit is taken");
        drop(first);
        assert!(
            l.admit_heavy(500).is_some(),
            "a finished query gives its permit back"
        );
    }

    #[test]
    fn heavy_queries_spend_a_budget_of_cost_per_second() {
        let l = limits(4, 1_000);
        assert!(l.admit_heavy(600).is_some());
        assert!(
            l.admit_heavy(600).is_none(),
            "1,200 units within a second exceed 1,000"
        );
        assert!(
            l.admit_heavy(300).is_some(),
            "what is left of the second still runs"
        );
    }
}
