//! The application: `App::build(config)` connects, migrates, seeds an empty database and binds the listener;
//! `App::run` serves until the shutdown future resolves, then drains in-flight requests. Tests use the same path.

use std::{
    future::{Future, IntoFuture},
    net::SocketAddr,
    sync::Arc,
};

use axum::serve::ListenerExt as _;
use sea_orm::{DatabaseConnection, DbBackend};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

use crate::{
    access_log::{AccessLog, ChainKeys},
    auth::{Authenticator, JwksKeys, Keys, SigningKey},
    cache::ReadCache,
    config::Config,
    db,
    events::{listener::ChangeListener, Events, Fanout},
    federation::Federation,
    graphql,
    health::{Dependencies, Readiness},
    http,
    limits::Limits,
    seed,
    store::{page::CursorKey, Store},
    telemetry::Metrics,
    upstream::UpstreamSettings,
};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("seed: {0}")]
    Seed(#[from] seed::SeedError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Serve(#[from] std::io::Error),
    #[error("token key: {0}")]
    Key(#[from] crate::auth::KeyError),
    #[error("legal references: {0}")]
    Legal(#[from] crate::legal::LegalError),
    #[error("trusted documents: {0}")]
    TrustedDocuments(String),
    #[cfg(feature = "mock-upstreams")]
    #[error("mock national databases: {0}")]
    Mocks(String),
    #[error("access-log key: {0}")]
    AccessLogKey(crate::auth::KeyError),
    #[error("rate limits: {0}")]
    RateLimit(#[from] crate::rate_limit::RateLimitError),
    #[error(
        "no access-log key configured: set LGSP_ACCESS_LOG_KEY (production mode generates none)"
    )]
    AccessLogKeyMissing,
    #[error("cursor key: {0}")]
    CursorKey(crate::auth::KeyError),
    #[error("no cursor key configured: set LGSP_CURSOR_KEY (production mode generates none)")]
    CursorKeyMissing,
}

mod background;
mod signals;

use background::{upkeep, AbortOnDrop};
pub use signals::shutdown_signal;

pub struct App {
    listener: TcpListener,
    state: http::AppState,
    body_limit: usize,
    /// How often the national databases are probed (zero: never).
    health_interval: std::time::Duration,
    /// How long in-flight requests may take to finish once the shutdown begins.
    drain_timeout: std::time::Duration,
    http: crate::config::HttpConfig,
    /// On PostgreSQL: the other replicas' (and our own) writes, from the database's notifications.
    changes: Option<ChangeListener>,
    /// The built-in mock national databases, when the hub started them.
    mocks: Option<BuiltInMocks>,
    /// The built-in mock OpenID provider of the console's sign-in, when the hub started it.
    mock_oidc: Option<BuiltInMocks>,
    /// The web console's sign-in configuration and sessions.
    console: Arc<crate::console::Console>,
}

impl App {
    /// Prepares a ready-to-serve hub: database migrated and seeded, listener bound; time as the system tells it.
    pub async fn build(config: &Config) -> Result<App, AppError> {
        App::build_with_clock(config, Arc::new(crate::clock::SystemClock)).await
    }

    /// As [`App::build`], with the clock that decisions about time read (grants' periods, quotas' days): tests pass a
    /// `clock::ManualClock` and move it.
    #[tracing::instrument(skip_all, fields(listen = %config.listen))]
    pub async fn build_with_clock(
        config: &Config,
        clock: crate::clock::SharedClock,
    ) -> Result<App, AppError> {
        // Before touching the database: a production hub without its cursor key does not start, nor one whose list
        // of legal references contradicts itself.
        let cursors = cursor_key(config)?;
        let legal = Arc::new(crate::legal::LegalReferences::load(
            config.legal_references_file.as_deref(),
        )?);
        let metrics = Metrics::new();
        let db = db::connect(
            &config.database_url,
            config.db_max_connections,
            config.db_acquire_timeout,
            Some(config.http.request_timeout),
            metrics.sql(),
        )
        .await?;
        db::migrate(&db).await?;
        if seed::seed_if_empty(&db).await? {
            tracing::info!("seeded the registries from the plans");
            if config.sharing.demo_grants {
                let made = crate::sharing::demo::create_demo_grants(&db, clock.now_ms()).await?;
                tracing::warn!(
                    grants = made,
                    "created demonstration data-sharing grants for the agencies with an official code (demo_grants; off in production)"
                );
            }
        }
        let auth = Arc::new(authenticator(config)?);
        auth.load_keys().await;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| AppError::Bind {
                addr: config.listen,
                source,
            })?;
        let fanout = match db.get_database_backend() {
            DbBackend::Postgres => Fanout::Database,
            _ => Fanout::Local,
        };
        // A quarter of the main pool, at least one connection (see `db::connect_heavy_pool`).
        let heavy_db = db::connect_heavy_pool(
            &config.database_url,
            (config.db_max_connections / 4).max(1),
            config.db_acquire_timeout,
            Some(config.http.request_timeout),
            metrics.sql(),
        )
        .await?;
        let store = Store {
            db: db.clone(),
            cache: Arc::new(ReadCache::new(
                config.cache_ttl,
                crate::cache::ResponseCache::new(
                    config.response_cache.ttl,
                    config.response_cache.max_bytes,
                    config.response_cache.max_age_s,
                    &metrics,
                ),
                &metrics,
            )),
            max_page_size: config.max_page_size,
            search_budget: config.search_budget,
            cursors,
            events: Events::new(fanout),
            authorities: Arc::default(),
        };
        let changes = match fanout {
            Fanout::Database => Some(
                ChangeListener::connect(
                    &config.database_url,
                    store.events.clone(),
                    store.cache.clone(),
                )
                .await?,
            ),
            Fanout::Local => None,
        };
        let heavy_pool = heavy_db.is_some();
        let heavy_store = match heavy_db {
            Some(db) => Store {
                db,
                ..store.clone()
            },
            None => store.clone(),
        };
        let access_log =
            AccessLog::start(db.clone(), access_log_keys(config)?, metrics.access_log());
        // The readiness checks' own connection: a busy request pool must not read as an outage.
        let probe = db::connect_probe(&config.database_url)
            .await?
            .unwrap_or_else(|| db.clone());
        let (upstreams, mocks) = upstreams(config).await?;
        let rate_limit =
            Arc::new(crate::rate_limit::Limiter::start(&config.rate_limit, &metrics).await?);
        let sharing = crate::sharing::Sharing::new(
            store.clone(),
            config.sharing.clone(),
            clock.clone(),
            Some(rate_limit.clone()),
        );
        let federation = Arc::new(Federation::new(
            upstreams,
            access_log,
            sharing.clone(),
            &metrics,
        ));
        crate::limits::cost::set_weights(config.weights);
        let limits = Arc::new(Limits::new(config.limits.clone(), metrics.clone()));
        let services = (store.clone(), federation.clone(), sharing);
        let options = graphql::SchemaOptions {
            limits: limits.clone(),
            introspection: config.http.introspection,
            legal,
        };
        let measured_schema =
            graphql::build_measured_schema(Some(services.clone()), options.clone());
        let schema = graphql::build_schema(Some(services), options);
        let trusted = match &config.http.trusted_documents {
            Some(path) => {
                let manifest =
                    http::documents::load_manifest(path).map_err(AppError::TrustedDocuments)?;
                tracing::info!(documents = manifest.len(), path = %path.display(), "trusted-documents mode: only these documents run");
                Some(manifest)
            }
            None => None,
        };
        let documents = Arc::new(http::documents::Documents::new(
            config.http.document_cache_bytes,
            config.http.persisted_queries,
            trusted,
            metrics.cache("documents"),
        ));
        let sdl: Arc<str> = graphql::sdl().into();
        let readiness = Readiness::start(Dependencies {
            probe,
            access_log: federation.access_log.clone(),
            rate_limit: rate_limit.clone(),
            metrics: metrics.clone(),
        })
        .await;
        let (console, mock_oidc) = console(config, &listener, clock).await?;
        let state = http::AppState {
            schema,
            measured_schema,
            store,
            heavy_store,
            db,
            heavy_pool,
            metrics,
            readiness,
            sdl,
            documents,
            limits,
            auth,
            federation,
            rate_limit,
            shutdown: http::shutdown::Shutdown::default(),
        };
        #[cfg(feature = "mock-upstreams")]
        if mock_oidc.is_some() {
            crate::console::auth::demo::prepare(&state).await;
        }
        Ok(App {
            listener,
            state,
            body_limit: config.body_limit_bytes,
            drain_timeout: config.drain_timeout,
            health_interval: config.health_interval,
            http: config.http.clone(),
            changes,
            mocks,
            mock_oidc,
            console,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        // The national databases' health, probed in the background while the hub serves (dropped with this future).
        let _probes = AbortOnDrop(tokio::spawn(crate::upstream::probe::run(
            self.state.federation.upstreams().cloned().collect(),
            self.health_interval,
        )));
        let metrics = self.state.metrics.clone();
        let readiness = AbortOnDrop(tokio::spawn(self.state.readiness.clone().run()));
        let draining = self.state.shutdown.clone();
        let router = http::router(
            self.state,
            &self.http,
            self.body_limit,
            crate::console::router(self.console),
        );
        // The change listener stops once the server has drained (or when this future is dropped).
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let changes = self.changes.map(|changes| {
            tokio::spawn(changes.run(async {
                let _ = stopped.await;
            }))
        });
        // Histogram samples go into their buckets even when nobody scrapes (until the server stops).
        let upkeep = AbortOnDrop(tokio::spawn(upkeep(metrics)));
        // The peer's address names anonymous clients for the rate limits. On `shutdown` the server stops accepting and
        // waits for the requests in flight, websockets close themselves (1001), and past the drain timeout whatever is
        // still running is abandoned: an orchestrator's SIGKILL would come next.
        let signal = {
            let draining = draining.clone();
            async move {
                shutdown.await;
                draining.begin();
            }
        };
        // Nagle's algorithm would hold a response's second small segment (a streamed body's next chunk) until the
        // client acknowledges the first, which a client may delay by 40 ms: an API server sends at once.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY on an accepted connection");
            }
        });
        let serve = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal);
        let drain_timeout = self.drain_timeout;
        let served = tokio::select! {
            served = serve.into_future() => served,
            () = async {
                draining.begun().await;
                tokio::time::sleep(drain_timeout).await;
            } => {
                tracing::warn!(
                    drain_timeout_ms = drain_timeout.as_millis() as u64,
                    "the drain timeout passed: requests still in flight are abandoned"
                );
                Ok(())
            }
        };
        // The websockets' close frames go out at once; a client that does not read them is not waited for long.
        draining
            .sockets_closed(drain_timeout.min(std::time::Duration::from_secs(2)))
            .await;
        let _ = stop.send(());
        drop((upkeep, readiness));
        if let Some(task) = changes {
            let _ = task.await;
        }
        if let Some(mocks) = self.mocks {
            mocks.shutdown();
        }
        if let Some(mock) = self.mock_oidc {
            mock.shutdown();
        }
        served?;
        Ok(())
    }
}

/// The token checker of `config`; generates (and says so) a development secret when no key is configured. With a JWKS
/// URL, its keys (fetched by [`Authenticator::load_keys`]) verify, and only the private key, if any, is read to mint.
pub fn authenticator(config: &Config) -> Result<Authenticator, AppError> {
    if let Some(url) = &config.keys.jwks_url {
        if config.keys.secret.is_some() || config.keys.public_key_file.is_some() {
            tracing::warn!("jwt_jwks_url is set: the JWT secret and public key file are not used to verify tokens");
        }
        let signing = match &config.keys.private_key_file {
            Some(path) => Some(SigningKey::load(path)?),
            None => None,
        };
        return Ok(Authenticator::with_jwks(
            JwksKeys::new(url.clone()),
            signing,
            config.jwt_issuer.clone(),
            config.jwt_audience.clone(),
        ));
    }
    let (keys, generated) = Keys::load(&config.keys)?;
    if let Some(path) = generated {
        tracing::warn!(
            path = %path.display(),
            "no token key configured: generated a development secret (mode 0600); set LGSP_JWT_SECRET or run with production = true in production"
        );
    }
    Ok(Authenticator::new(
        keys,
        config.jwt_issuer.clone(),
        config.jwt_audience.clone(),
    ))
}

/// The built-in mock national databases while the hub serves them (the `mock-upstreams` feature).
#[cfg(feature = "mock-upstreams")]
pub use mock_upstreams::Running as BuiltInMocks;

/// Built without the `mock-upstreams` feature, the hub has no built-in mocks: nothing can hold this.
#[cfg(not(feature = "mock-upstreams"))]
pub enum BuiltInMocks {}

#[cfg(not(feature = "mock-upstreams"))]
impl BuiltInMocks {
    /// Stops serving (unreachable: there is no value to call it on).
    pub fn shutdown(self) {
        match self {}
    }
}

/// The national databases to federate: the configured ones, or (zero set-up) the built-in mocks started in this
/// process on a loopback port, returned so they live as long as the hub. Without the `mock-upstreams` feature, zero
/// set-up means no upstream at all, with a warning.
#[tracing::instrument(skip_all)]
pub async fn upstreams(
    config: &Config,
) -> Result<(Vec<UpstreamSettings>, Option<BuiltInMocks>), AppError> {
    if !config.upstreams.is_empty() || !config.mock_upstreams {
        return Ok((config.upstreams.clone(), None));
    }
    built_in_mocks().await
}

#[cfg(not(feature = "mock-upstreams"))]
async fn built_in_mocks() -> Result<(Vec<UpstreamSettings>, Option<BuiltInMocks>), AppError> {
    tracing::warn!(
        "no national database configured, and the built-in mocks are not compiled in (built without the `mock-upstreams` feature): serving without federation upstreams (set upstreams_url or [upstream.<name>] to call real ones)"
    );
    Ok((Vec::new(), None))
}

#[cfg(feature = "mock-upstreams")]
async fn built_in_mocks() -> Result<(Vec<UpstreamSettings>, Option<BuiltInMocks>), AppError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(AppError::Serve)?;
    let mocks = mock_upstreams::start(mock_upstreams::MockConfig::default(), listener)
        .await
        .map_err(|e| AppError::Mocks(e.to_string()))?;
    tracing::warn!(
        url = %mocks.url(),
        "no national database configured: serving the built-in mocks (set upstreams_url or [upstream.<name>] to call real ones)"
    );
    let settings = crate::upstream::SERVICES
        .iter()
        .map(|service| {
            let mut s =
                UpstreamSettings::new(service.name, &format!("{}/{}", mocks.url(), service.name));
            s.client_secret = crate::upstream::dev_secret(service.name).into();
            s
        })
        .collect();
    Ok((settings, Some(mocks)))
}

/// The access log's keys: from the configured secret, or (development only) a secret generated into the data
/// directory next to the token secret.
pub fn access_log_keys(config: &Config) -> Result<ChainKeys, AppError> {
    if let Some(secret) = &config.access_log_key {
        return Ok(ChainKeys::from_secret(secret.expose_secret().as_bytes()));
    }
    if config.keys.production {
        return Err(AppError::AccessLogKeyMissing);
    }
    let path = config.keys.data_dir.join("access-log-key");
    let (secret, generated) =
        crate::auth::read_or_generate_secret(&path).map_err(AppError::AccessLogKey)?;
    if generated {
        tracing::warn!(path = %path.display(), "no access-log key configured: generated a development key (mode 0600)");
    }
    Ok(ChainKeys::from_secret(secret.expose_secret().as_bytes()))
}

/// The cursors' key: the configured one, or (development only) a key generated into the data directory.
pub fn cursor_key(config: &Config) -> Result<CursorKey, AppError> {
    if let Some(secret) = &config.cursor_key {
        return Ok(CursorKey::new(secret.expose_secret().as_bytes()));
    }
    if config.keys.production {
        return Err(AppError::CursorKeyMissing);
    }
    let path = config.keys.data_dir.join("cursor-key");
    let (secret, generated) =
        crate::auth::read_or_generate_secret(&path).map_err(AppError::CursorKey)?;
    if generated {
        tracing::warn!(path = %path.display(), "no cursor key configured: generated a development key (mode 0600)");
    }
    Ok(CursorKey::new(secret.expose_secret().as_bytes()))
}

/// The web console's sign-in: the configured identity provider, or (zero set-up) the built-in mock one started in
/// this process on a loopback port and returned so that it lives as long as the hub; or none (a production hub without
/// `oidc_issuer_url`: the console says sign-in is not configured).
#[tracing::instrument(skip_all)]
async fn console(
    config: &Config,
    listener: &TcpListener,
    clock: crate::clock::SharedClock,
) -> Result<(Arc<crate::console::Console>, Option<BuiltInMocks>), AppError> {
    let c = &config.console;
    let (provider, mock) = match (&c.provider, c.mock_provider) {
        (Some(p), _) => (Some(p.clone()), None),
        (None, true) => {
            let addr = listener.local_addr().map_err(AppError::Serve)?;
            let redirect = c.redirect_url.clone().unwrap_or_else(|| {
                let ip = match addr.ip() {
                    ip if ip.is_unspecified() && ip.is_ipv6() => "[::1]".to_owned(),
                    ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
                    std::net::IpAddr::V6(ip) => format!("[{ip}]"),
                    ip => ip.to_string(),
                };
                format!("http://{ip}:{}/console/callback", addr.port())
            });
            match built_in_oidc(redirect).await? {
                Some((p, running)) => (Some(p), Some(running)),
                None => (None, None),
            }
        }
        (None, false) => {
            tracing::warn!("no identity provider configured (oidc_issuer_url): console sign-in is off, the catalog stays public");
            (None, None)
        }
    };
    let mocked = mock.is_some();
    let auth = crate::console::auth::ConsoleAuth::new(c, provider, mocked, clock);
    Ok((Arc::new(crate::console::Console { auth }), mock))
}

#[cfg(not(feature = "mock-upstreams"))]
async fn built_in_oidc(
    _redirect: String,
) -> Result<Option<(crate::config::console::OidcProvider, BuiltInMocks)>, AppError> {
    tracing::warn!(
        "no identity provider configured, and the mock provider is not compiled in (built without the `mock-upstreams` feature): console sign-in is off (set oidc_issuer_url)"
    );
    Ok(None)
}

#[cfg(feature = "mock-upstreams")]
async fn built_in_oidc(
    redirect: String,
) -> Result<Option<(crate::config::console::OidcProvider, BuiltInMocks)>, AppError> {
    use mock_upstreams::oidc;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(AppError::Serve)?;
    let running = oidc::start(
        oidc::OidcConfig {
            redirect_uris: vec![redirect.clone()],
            ..oidc::OidcConfig::default()
        },
        listener,
    )
    .await
    .map_err(|e| AppError::Mocks(e.to_string()))?;
    let issuer_url = format!("{}/oidc", running.url());
    tracing::warn!(
        issuer = %issuer_url,
        "no identity provider configured: the console signs in through the built-in mock provider and its demo users (set oidc_issuer_url for a real one)"
    );
    Ok(Some((
        crate::config::console::OidcProvider {
            issuer_url,
            client_id: oidc::DEFAULT_CLIENT_ID.to_owned(),
            client_secret: Some(oidc::DEFAULT_CLIENT_SECRET.into()),
            redirect_url: redirect,
        },
        running,
    )))
}
