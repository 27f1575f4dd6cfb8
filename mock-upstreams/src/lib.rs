//! The mock national databases: one HTTP server, one path prefix per service (`/population`, `/business`,
//! `/insurance`, `/land`, `/civil-status`, `/judicial`), deterministic synthetic Vietnamese data from a seed, OAuth2
//! client-credentials tokens per service, fault knobs and an admin API; and a mock OpenID Connect provider under
//! `/oidc` ([`oidc`]) whose sign-in page lists the console's demo users. The `mock-upstreams` binary ([`cli`]) serves
//! it; the hub, built with its `mock-upstreams` feature, can also [`start`] it in-process on a loopback port.
//!
//! A development aid: nothing here depends on the hub, and a hub built without that feature contains none of it.
//!
//! Finding valid identifiers in a test: `GET /admin/samples` (header `X-Admin-Key`) returns a few of each kind —
//! citizens (with and without a spouse, a former spouse, parents, parcels), enterprise codes (10 and 13 digits),
//! social-insurance codes, parcel ids and judicial request ids. The probe ids (all zeros) never exist.

#![forbid(unsafe_code)]

mod admin;
mod auth;
mod business;
mod civil_status;
pub mod cli;
mod data;
mod insurance;
mod judicial;
mod knobs;
mod land;
mod names;
pub mod oidc;
mod openapi;
mod population;
mod rng;
mod services;

use std::{collections::BTreeMap, net::SocketAddr, sync::Arc};

use axum::{
    http::StatusCode,
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::json;
use tokio::{net::TcpListener, task::JoinHandle};

pub use knobs::Knobs;
pub use services::{dev_secret, Service, SERVICES};

/// How to run the mocks.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Seed of the synthetic data (and of the error-rate draws).
    pub seed: u64,
    /// How many citizens to generate (enterprises and judicial requests: one per 20; parcels: one per 2).
    pub citizens: u32,
    /// The `X-Admin-Key` the admin endpoints demand.
    pub admin_key: String,
    /// The client id every service accepts.
    pub client_id: String,
    /// Client secret per service name; a service not listed accepts `dev-secret-<service>`.
    pub client_secrets: BTreeMap<String, String>,
    /// Knobs at start, per service name; a service not listed starts with [`Knobs::default`].
    pub knobs: BTreeMap<String, Knobs>,
    /// The mock OpenID Connect provider served under `/oidc`.
    pub oidc: oidc::OidcConfig,
}

impl Default for MockConfig {
    fn default() -> MockConfig {
        MockConfig {
            seed: 20_250_701,
            citizens: 100_000,
            admin_key: "dev-admin-key".to_owned(),
            client_id: "lgsp-hub".to_owned(),
            client_secrets: BTreeMap::new(),
            knobs: BTreeMap::new(),
            oidc: oidc::OidcConfig::default(),
        }
    }
}

/// Why the mocks did not start.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error("invalid mock configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Everything the handlers share.
pub(crate) struct Mock {
    world: data::World,
    admin_key: String,
    client_id: String,
    /// By service index (the order of [`SERVICES`]).
    client_secrets: Vec<String>,
    knobs: knobs::Board,
    tokens: auth::Tokens,
    calls: knobs::CallLog,
}

/// The index of service `name` in [`SERVICES`].
fn service_index(name: &str) -> Option<usize> {
    SERVICES.iter().position(|s| s.name == name)
}

impl Mock {
    fn new(config: MockConfig) -> Result<Mock, MockError> {
        if !(10..=10_000_000).contains(&config.citizens) {
            return Err(MockError::Config(
                "citizens must be between 10 and 10,000,000".to_owned(),
            ));
        }
        let unknown = config
            .client_secrets
            .keys()
            .chain(config.knobs.keys())
            .find(|name| service_index(name).is_none());
        if let Some(name) = unknown {
            return Err(MockError::Config(format!("unknown service `{name}`")));
        }
        let mut start = Vec::new();
        for s in SERVICES {
            let k = config.knobs.get(s.name).cloned().unwrap_or_default();
            k.validate().map_err(MockError::Config)?;
            start.push(k);
        }
        let client_secrets = SERVICES
            .iter()
            .map(|s| {
                config
                    .client_secrets
                    .get(s.name)
                    .cloned()
                    .unwrap_or_else(|| dev_secret(s.name))
            })
            .collect();
        Ok(Mock {
            world: data::World::generate(config.seed, config.citizens),
            admin_key: config.admin_key,
            client_id: config.client_id,
            client_secrets,
            knobs: knobs::Board::new(start, config.seed),
            tokens: auth::Tokens::new(config.seed),
            calls: knobs::CallLog::default(),
        })
    }
}

/// A small JSON error body: `{"error": code}`.
pub(crate) fn fail(status: StatusCode, code: &str) -> Response {
    (status, Json(json!({ "error": code }))).into_response()
}

/// A malformed identifier: 400 with `{"error": code}`.
pub(crate) struct Malformed(pub &'static str);

impl IntoResponse for Malformed {
    fn into_response(self) -> Response {
        fail(StatusCode::BAD_REQUEST, self.0)
    }
}

/// The mocks serving on a listener.
pub struct Running {
    /// Where they listen.
    pub addr: SocketAddr,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// `http://127.0.0.1:PORT`: each service is at `<url>/<service>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves until the server fails (it does not stop on its own).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.unwrap_or(Ok(()))
    }

    /// Stops serving.
    pub fn shutdown(self) {
        self.task.abort();
    }
}

/// Generates the data and serves every service on `listener`, in a background task.
pub async fn start(config: MockConfig, listener: TcpListener) -> Result<Running, MockError> {
    let addr = listener.local_addr()?;
    let provider = oidc::Provider::new(config.oidc.clone(), addr).map_err(MockError::Config)?;
    // Generation is CPU work of a few tens of milliseconds per 100,000 citizens: keep it off the async workers.
    let mock = tokio::task::spawn_blocking(move || Mock::new(config))
        .await
        .map_err(|e| MockError::Config(format!("data generation failed: {e}")))??;
    let app = router(Arc::new(mock)).nest("/oidc", oidc::routes(Arc::new(provider)));
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Running { addr, task })
}

fn router(mock: Arc<Mock>) -> Router {
    let mut app = Router::new().nest("/admin", admin::routes(mock.clone()));
    for (svc, service) in SERVICES.iter().enumerate() {
        let data = match service.name {
            "population" => population::routes(),
            "business" => business::routes(),
            "insurance" => insurance::routes(),
            "land" => land::routes(),
            "civil-status" => civil_status::routes(),
            "judicial" => judicial::routes(),
            // A service listed without an implementation: no prefix, so calls get 404.
            _ => continue,
        };
        let data = data.route_layer(middleware::from_fn_with_state(
            (mock.clone(), svc),
            knobs::guard,
        ));
        let service_routes = data
            .route(
                "/oauth/token",
                post(move |state, headers, body| auth::token(state, svc, headers, body)),
            )
            .route(
                "/openapi.json",
                get(move |state| openapi::serve(state, svc)),
            );
        app = app.nest(&format!("/{}", service.name), service_routes);
    }
    app.fallback(|| async { fail(StatusCode::NOT_FOUND, "not_found") })
        .with_state(mock)
}
