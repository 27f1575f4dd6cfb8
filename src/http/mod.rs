//! The HTTP face: routes, middleware (request ids, a tracing span per request, body limit), and small endpoints.

mod graphql;
mod rate_limit;
mod ws;

use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use axum::{
    extract::{DefaultBodyLimit, State},
    http::{header, HeaderName, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use sea_orm::DatabaseConnection;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{
    db::SqlStats,
    graphql::HubSchema,
    store::{cache::TtlMap, Store},
};

/// Cheap handles shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub schema: HubSchema,
    pub store: Store,
    pub db: DatabaseConnection,
    pub sql: Arc<SqlStats>,
    pub sdl: Arc<str>,
    /// Recently parsed GraphQL documents, by their text.
    pub documents: Arc<TtlMap<Arc<str>, async_graphql::parser::types::ExecutableDocument>>,
    pub auth: Arc<crate::auth::Authenticator>,
    /// The national databases and the access log (for per-request citizen loaders).
    pub federation: Arc<crate::federation::Federation>,
    /// Requests per minute per agency and per anonymous address.
    pub rate_limit: Arc<crate::rate_limit::Limiter>,
}

/// How many parsed documents the hub keeps, and for how long.
pub fn document_cache() -> Arc<TtlMap<Arc<str>, async_graphql::parser::types::ExecutableDocument>> {
    Arc::new(TtlMap::new(std::time::Duration::from_secs(3600), 512))
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState, body_limit: usize) -> Router {
    Router::new()
        .route("/", get(graphiql))
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/schema.graphql", get(schema_sdl))
        .route("/metrics", get(metrics))
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let request_id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("lgsp-hub")
            .finish(),
    )
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
async fn readyz(State(app): State<AppState>) -> Response {
    match app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn schema_sdl(State(app): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        app.sdl.to_string(),
    )
        .into_response()
}

/// Prometheus text format.
async fn metrics(State(app): State<AppState>) -> Response {
    let body = format!(
        "# HELP lgsp_sql_statements_total SQL statements run by the hub.\n\
         # TYPE lgsp_sql_statements_total counter\n\
         lgsp_sql_statements_total {}\n\
         # HELP lgsp_sql_statements_failed_total SQL statements that failed.\n\
         # TYPE lgsp_sql_statements_failed_total counter\n\
         lgsp_sql_statements_failed_total {}\n\
         # HELP lgsp_subscriptions Open GraphQL subscriptions of this process.\n\
         # TYPE lgsp_subscriptions gauge\n\
         lgsp_subscriptions {}\n",
        app.sql.statements(),
        app.sql.failed(),
        app.store.events.subscribers()
    ) + &rate_limit::metrics(app.rate_limit.stats());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
