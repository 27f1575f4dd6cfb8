//! Test harness: a real hub on a random port over a fresh database (a copy of a template that is migrated and seeded
//! once per test process: a temp SQLite file, or a PostgreSQL database when `LGSP_TEST_DATABASE_URL` is set), talked
//! to over HTTP. Tests that only read share one hub ([`TestHub::shared`]).

mod background;
pub mod console;
mod database;
pub mod private;
pub mod process;

pub use database::empty_database;

use std::sync::Arc;

use lgsp_hub::{
    config::{Overrides, Settings},
    App, Config,
};
use serde_json::{json, Value};
use tokio::sync::{oneshot, OnceCell};

/// One heavy load at a time (the fault runs, the thousand concurrent lookups): each loads the machine on purpose, and
/// two at once, beside the rest of the suite, starve each other's deadlines rather than test anything more.
pub static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The access-log key of test hubs.
pub const TEST_ACCESS_LOG_KEY: &str = "test-access-log-key-of-at-least-32-bytes";

/// The cursor key of test hubs.
pub const TEST_CURSOR_KEY: &str = "test-cursor-key-of-at-least-thirty-two-bytes";

/// The HS256 secret of test hubs.
pub const TEST_SECRET: &str = "test-secret-of-at-least-thirty-two-bytes!";

pub struct TestHub {
    pub base: String,
    /// The hub's database, for checks behind the API (audit rows, triggers).
    pub db: sea_orm::DatabaseConnection,
    pub client: reqwest::Client,
    database_url: String,
    _server: Arc<Server>,
}

/// A running hub and its database: stopped, then removed, when the last handle goes.
struct Server {
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    _db: database::TestDb,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
    }
}

impl TestHub {
    /// A hub over the seeded registries.
    pub async fn start() -> TestHub {
        Self::start_with_synthetic(0).await
    }

    /// A hub over the seeded registries plus `n` synthetic information systems.
    pub async fn start_with_synthetic(n: u64) -> TestHub {
        Self::start_with(n, None).await
    }

    /// As `start_with_synthetic`, with the read cache's TTL set (0 turns it off).
    pub async fn start_with(n: u64, cache_ttl_ms: Option<u64>) -> TestHub {
        Self::start_configured(n, |o| o.settings.cache_ttl_ms = cache_ttl_ms).await
    }

    /// A hub whose configuration `configure` adjusts (tokens use [`TEST_SECRET`] unless it changes them).
    pub async fn start_configured(n: u64, configure: impl FnOnce(&mut Overrides)) -> TestHub {
        Self::start_clocked(n, Arc::new(lgsp_hub::clock::SystemClock), configure).await
    }

    /// As [`TestHub::start_configured`], with the clock the hub decides time by (a `ManualClock` the test moves).
    pub async fn start_clocked(
        n: u64,
        clock: lgsp_hub::clock::SharedClock,
        configure: impl FnOnce(&mut Overrides),
    ) -> TestHub {
        let (url, db) = database::fresh().await;
        let mut overrides = Overrides {
            config_file: None,
            settings: Settings {
                listen: Some("127.0.0.1:0".into()),
                database_url: Some(url),
                db_max_connections: Some(4),
                jwt_secret: Some(TEST_SECRET.into()),
                access_log_key: Some(TEST_ACCESS_LOG_KEY.into()),
                production: Some(true),
                cursor_key: Some(TEST_CURSOR_KEY.into()),
                // Production mode, but with what most tests need: no rate limits, introspection on.
                rate_limit_anonymous_per_minute: Some(0),
                rate_limit_agency_per_minute: Some(0),
                introspection: Some(true),
                graphiql: Some(true),
                // Refusals at once: the suite sends hundreds (tests/api/protection.rs checks the pause).
                refusal_pause_ms: Some(0),
                // No background probes: tests count the calls the mocks receive (tests/api/upstream_health.rs
                // switches them on).
                health_interval_ms: Some(0),
                // Search answers in full however slow a debug build on a busy machine is (tests/api/search.rs
                // exhausts the budget on purpose).
                search_budget_ms: Some(60_000),
                ..Default::default()
            },
        };
        configure(&mut overrides);
        let config = Config::load(overrides).expect("test config");
        let app = App::build_with_clock(&config, clock)
            .await
            .expect("hub builds");
        if n > 0 {
            lgsp_hub::seed::synthetic::generate_systems(app.db(), n, 7, |_, _| {})
                .await
                .expect("synthetic systems");
        }
        let addr = app.local_addr().expect("bound");
        let hub_db = app.db().clone();
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(async move {
            app.run(async {
                let _ = rx.await;
            })
            .await
            .expect("hub runs");
        });
        TestHub {
            base: format!("http://{addr}"),
            db: hub_db,
            client: reqwest::Client::new(),
            database_url: config.database_url.clone(),
            _server: Arc::new(Server {
                shutdown: Some(tx),
                task,
                _db: db,
            }),
        }
    }

    /// The hub that tests which only read share: the seeded registries under the configuration of [`TestHub::start`],
    /// started once per process on the background runtime (a hub spawned on a test's runtime would end with that
    /// test). Each caller gets an HTTP client of its own, for the same reason. A test that writes, changes the
    /// configuration, or reads counters that other requests move (`/metrics`) starts a hub of its own.
    pub async fn shared() -> TestHub {
        static SHARED: OnceCell<TestHub> = OnceCell::const_new();
        let hub = SHARED
            .get_or_init(|| {
                background::run(TestHub::start_configured(0, |o| {
                    // Several tests' queries run at once here: none may be shed for another's.
                    o.settings.max_concurrent_heavy_queries = Some(64);
                    // Nor refused for the heavy-query budget that all of them spend together (the faithfulness
                    // rules page through whole catalogs while other tests run).
                    o.settings.heavy_cost_per_second = Some(0);
                    // Many tests share its pool: on a loaded 2-core machine a request waits for a connection rather
                    // than answering DATABASE_UNAVAILABLE (tests of that answer start hubs of their own).
                    o.settings.db_max_connections = Some(8);
                    o.settings.db_acquire_timeout_ms = Some(9_000);
                }))
            })
            .await;
        TestHub {
            base: hub.base.clone(),
            db: hub.db.clone(),
            client: reqwest::Client::new(),
            database_url: hub.database_url.clone(),
            _server: hub._server.clone(),
        }
    }

    /// The hub's database URL, for a second hub process over the same database.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a GraphQL request, with an `Authorization` header when given; returns status and JSON body.
    async fn send(
        &self,
        authorization: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let resp = request.send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("JSON body"))
    }

    /// POSTs a GraphQL request with an `Authorization` header as given; returns status and JSON body.
    pub async fn post_with_auth(&self, authorization: &str, query: &str) -> (u16, Value) {
        self.send(Some(authorization), query, json!({})).await
    }

    /// POSTs a GraphQL request with a bearer token.
    pub async fn post_as(&self, token: &str, query: &str, variables: Value) -> (u16, Value) {
        self.send(Some(&format!("Bearer {token}")), query, variables)
            .await
    }

    /// POSTs a GraphQL request and returns the JSON body (any status).
    pub async fn post(&self, query: &str, variables: Value) -> (u16, Value) {
        self.send(None, query, variables).await
    }

    /// Runs a query that must succeed; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(query, variables).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Runs a query that must fail; returns the first error's `extensions.code`, and checks nothing internal leaks.
    pub async fn error_code(&self, query: &str, variables: Value) -> String {
        let (_, body) = self.post(query, variables).await;
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected errors: {body}"));
        let text = body.to_string().to_lowercase();
        for leak in ["select ", "sqlx", "sqlite", "postgres", "panicked", "stack"] {
            assert!(!text.contains(leak), "error leaks `{leak}`: {body}");
        }
        errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("error without code: {body}"))
            .to_owned()
    }

    /// A value of `/metrics`; `None` when the line is absent.
    pub async fn metric(&self, name: &str) -> Option<u64> {
        let text = self
            .client
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics body");
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
    }

    /// The hub's SQL statement counter, from `/metrics`.
    pub async fn sql_statements(&self) -> u64 {
        self.metric("lgsp_sql_statements_total")
            .await
            .expect("lgsp_sql_statements_total in /metrics")
    }
}

/// An HS256 token of the test hubs for `agency` with `scopes`.
pub fn token(agency: &str, scopes: &str) -> String {
    let now = lgsp_hub::auth::now_secs();
    let claims = json!({
        "sub": format!("tester@{agency}"), "agency": agency, "scope": scopes,
        "iss": "lgsp-hub", "aud": "lgsp-hub", "exp": now + 600, "nbf": now - 5
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .expect("sign")
}

/// Follows `pageInfo` through a whole connection; returns every node.
pub async fn collect_all(
    hub: &TestHub,
    field: &str,
    args: &str,
    selection: &str,
    page: usize,
) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let query = format!(
            "query($after: String) {{ {field}({args} first: {page}, after: $after) {{ \
               totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {selection} }} }} }} }}"
        );
        let data = hub.data(&query, json!({ "after": after })).await;
        let conn = &data[field];
        for edge in conn["edges"].as_array().expect("edges") {
            nodes.push(edge["node"].clone());
        }
        if !conn["pageInfo"]["hasNextPage"]
            .as_bool()
            .expect("hasNextPage")
        {
            return nodes;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(after.is_some(), "hasNextPage without endCursor");
    }
}
