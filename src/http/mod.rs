//! The HTTP face: routes, middleware (request ids, a tracing span per request, body limit), and small endpoints.

mod cached;
pub mod documents;
mod graphql;
mod markers;
mod observe;
mod params;
mod protect;
mod rate_limit;
mod respond;
pub mod shutdown;
mod ws;

use std::sync::Arc;

use axum::{
    extract::{DefaultBodyLimit, State},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware,
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use sea_orm::DatabaseConnection;
use tower_http::{
    compression::{
        predicate::{DefaultPredicate, SizeAbove},
        CompressionLayer, Predicate,
    },
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnFailure, TraceLayer},
};

use crate::{config::HttpConfig, graphql::HubSchema, store::Store, telemetry::Metrics};

/// Cheap handles shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub schema: HubSchema,
    /// The same schema without the limits' extension, for documents already measured (see `graphql.rs`).
    pub measured_schema: HubSchema,
    pub store: Store,
    /// The store over the heavy queries' own small pool (the same store where there is none).
    pub heavy_store: Store,
    pub db: DatabaseConnection,
    /// Whether `heavy_store` has a pool of its own.
    pub heavy_pool: bool,
    /// What `/metrics` renders.
    pub metrics: Metrics,
    /// What `/readyz` answers: the last round of the background checks.
    pub readiness: crate::health::Readiness,
    pub sdl: Arc<str>,
    /// Parsed documents that passed the limits, persisted queries, trusted documents.
    pub documents: Arc<documents::Documents>,
    /// What a document may ask for.
    pub limits: Arc<crate::limits::Limits>,
    pub auth: Arc<crate::auth::Authenticator>,
    /// The national databases and the access log (for per-request citizen loaders).
    pub federation: Arc<crate::federation::Federation>,
    /// Requests per minute per agency and per anonymous address.
    pub rate_limit: Arc<crate::rate_limit::Limiter>,
    /// The drain's signal, which websockets watch to close themselves.
    pub shutdown: shutdown::Shutdown,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The hub's routes, with `pages` (the web console, which sets its own content security policy) under the same
/// middleware.
pub fn router(
    state: AppState,
    config: &HttpConfig,
    body_limit: usize,
    pages: Router<AppState>,
) -> Router {
    let observed = state.clone();
    let admission = Arc::new(protect::Admission::new(
        config.max_concurrent_requests,
        config.request_timeout,
        state.limits.refusal_pause(),
    ));
    let graphql = get(graphql::get)
        .post(graphql::post)
        .layer(middleware::from_fn_with_state(
            body_limit,
            protect::refuse_oversized,
        ))
        .layer(middleware::from_fn_with_state(admission, protect::admit));
    let root = if config.graphiql {
        get(graphiql)
    } else {
        get(protect::switched_off)
    };
    // The SDL is what introspection tells; it is published, or not, with it.
    let sdl = if config.introspection {
        get(schema_sdl)
    } else {
        get(protect::switched_off)
    };
    let mut router = Router::new()
        .route("/", root)
        .route("/graphql", graphql)
        .route("/graphql/ws", get(ws::upgrade))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/schema.graphql", sdl)
        .route("/metrics", get(observe::metrics))
        .merge(pages)
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE))),
        );
    for (name, value) in protect::security_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    if let Some(cors) = cors(&config.cors_allowed_origins) {
        router = router.layer(cors);
    }
    router
        .layer(middleware::from_fn_with_state(observed, observe::observe))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            // A 5xx the hub chose (a shed request, a deadline) is a warning; internal failures are logged at ERROR
            // with their incident number where they happen (`crate::error`).
            TraceLayer::new_for_http()
                .on_failure(DefaultOnFailure::new().level(tracing::Level::WARN))
                .make_span_with(|req: &axum::http::Request<_>| {
                    let request_id = request_id(req.headers()).unwrap_or_default();
                    let span = tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id,
                        trace_id = tracing::field::Empty,
                    );
                    // The caller's `traceparent`, when traces are exported: this request joins its trace.
                    crate::telemetry::traces::adopt(&span, req.headers());
                    span
                }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// The request's id: the caller's `X-Request-Id`, or the one [`SetRequestIdLayer`] gave it.
fn request_id(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(REQUEST_ID).and_then(|v| v.to_str().ok())
}

/// Responses smaller than this are not worth compressing.
const COMPRESS_ABOVE: u16 = 1024;

/// CORS for the configured origins; none: no CORS headers, so browsers keep other origins out.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
            .expose_headers([
                REQUEST_ID,
                header::RETRY_AFTER,
                HeaderName::from_static("ratelimit"),
                HeaderName::from_static("ratelimit-policy"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// GraphiQL, from the files vendored under `assets/vendor/` (production builds of React 18 and GraphiQL 3) and a
/// bootstrap script of our own: nothing is loaded from another origin, so it works on an isolated network.
async fn graphiql() -> Response {
    use crate::assets::url;
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>lgsp-hub · GraphiQL</title>\
         <link rel=\"stylesheet\" href=\"{}\"><link rel=\"stylesheet\" href=\"{}\"></head>\
         <body><div id=\"graphiql\" data-endpoint=\"/graphql\" data-subscription-endpoint=\"/graphql/ws\">Loading…</div>\
         <script src=\"{}\"></script><script src=\"{}\"></script><script src=\"{}\"></script>\
         <script src=\"{}\"></script></body></html>\n",
        url("graphiql.min.css"),
        url("graphiql-page.css"),
        url("react.production.min.js"),
        url("react-dom.production.min.js"),
        url("graphiql.min.js"),
        url("graphiql-boot.js"),
    );
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(protect::GRAPHIQL_CSP),
        )],
        Html(page),
    )
        .into_response()
}

/// The process is up (no I/O: a process that answers is alive).
async fn healthz() -> &'static str {
    "ok"
}

/// Whether this replica should get requests: the last round of the background checks (`crate::health`), read without
/// waiting on any dependency. 200 when ready, 503 when a check fails or the checks stopped; the body names each check.
async fn readyz(State(app): State<AppState>) -> Response {
    let report = app.readiness.report();
    let ready = report.ready();
    let checks: serde_json::Map<String, serde_json::Value> = report
        .checks
        .iter()
        .map(|c| (c.name.to_owned(), c.state.as_str().into()))
        .collect();
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": checks,
        "checkedMsAgo": report.checked_at.elapsed().as_millis() as u64,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

async fn schema_sdl(State(app): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        app.sdl.to_string(),
    )
        .into_response()
}
