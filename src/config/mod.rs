//! Configuration: command-line flags override `LGSP_*` environment variables, which override an optional TOML file
//! (`--config`), which overrides the defaults below. Unknown keys in the file are errors; values are validated once,
//! at start.

use std::{net::SocketAddr, path::PathBuf};

use secrecy::{ExposeSecret, SecretString};

pub mod console;
mod protection;
mod settings;
pub mod sharing;

pub use protection::{
    CostWeights, HttpConfig, QueryLimits, RateLimitConfig, DEFAULT_REFUSAL_PAUSE,
};
pub use settings::{Settings, UpstreamFile};

/// Default listen address: loopback only, so a fresh `cargo run` exposes nothing to the network.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default database: a SQLite file under `./data/`, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/lgsp-hub.sqlite?mode=rwc";
/// Largest page a connection field serves.
pub const DEFAULT_MAX_PAGE_SIZE: usize = 100;
/// How long `totalCount`s and reference rows are cached, in milliseconds.
pub const DEFAULT_CACHE_TTL_MS: u64 = 1000;
/// Expected `iss` and `aud` of tokens unless configured.
pub const DEFAULT_JWT_ISSUER: &str = "lgsp-hub";
pub const DEFAULT_JWT_AUDIENCE: &str = "lgsp-hub";
/// Largest request body, in bytes.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Writes drop cached answers at once (and on PostgreSQL in every replica), so the TTL bounds only what a process that
/// hears no notification may miss: another process writing the same SQLite file.
pub const DEFAULT_RESPONSE_CACHE_TTL_MS: u64 = 10_000;
pub const DEFAULT_RESPONSE_CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// The response cache of anonymous catalog queries (see `crate::cache::responses`).
#[derive(Debug, Clone, Copy)]
pub struct ResponseCacheConfig {
    /// Zero: off.
    pub ttl: std::time::Duration,
    pub max_bytes: u64,
    /// `Cache-Control: public, max-age` of cacheable GET answers (0: `no-cache`).
    pub max_age_s: u64,
}

/// How long requests in flight may finish after SIGTERM: under Kubernetes' default grace period of 30 s, with room
/// for the websockets' close frames and the last spans' export.
pub const DEFAULT_DRAIN_TIMEOUT_MS: u64 = 20_000;

/// Every 30 s: an integrator opening the dashboard sees each national database's state at most this old, and six
/// probes a minute are nothing to a national database.
pub const DEFAULT_HEALTH_INTERVAL_MS: u64 = 30_000;

/// What the command line and the environment give (clap merges those two): the file to read, and settings that win
/// over it.
#[derive(Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub settings: Settings,
}

/// The validated configuration of one hub process.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub max_page_size: usize,
    pub body_limit_bytes: usize,
    pub db_max_connections: u32,
    pub cache_ttl: std::time::Duration,
    /// The answers of anonymous catalog queries kept in memory.
    pub response_cache: ResponseCacheConfig,
    /// The token key and where it comes from. (The secret is never logged: `Debug` redacts it.)
    pub keys: crate::auth::KeyConfig,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// The access log's HMAC key. Never logged (`Debug` redacts it).
    pub access_log_key: Option<SecretString>,
    /// The national databases: where they are and how to call them (empty: none configured).
    pub upstreams: Vec<crate::upstream::UpstreamSettings>,
    /// Start the built-in mocks when `upstreams` is empty.
    pub mock_upstreams: bool,
    /// How often the national databases are probed in the background (zero: never).
    pub health_interval: std::time::Duration,
    /// The legal texts the hub cites, when not the built-in list.
    pub legal_references_file: Option<std::path::PathBuf>,
    /// What a document may ask for.
    pub limits: QueryLimits,
    /// What search and upstream lookups cost.
    pub weights: CostWeights,
    /// Requests per minute per client.
    pub rate_limit: RateLimitConfig,
    /// Deadlines, load shedding, CORS, introspection, persisted documents.
    pub http: HttpConfig,
    /// How long a request waits for a database connection.
    pub db_acquire_timeout: std::time::Duration,
    /// The cursors' HMAC key (development: generated into the data directory). Never logged.
    pub cursor_key: Option<SecretString>,
    /// How log lines are written.
    pub log_format: crate::telemetry::logs::LogFormat,
    /// The data-sharing settings of each service.
    pub sharing: sharing::SharingConfig,
    /// The OpenTelemetry collector that receives traces (none: no traces exported).
    pub otlp_endpoint: Option<String>,
    /// How long requests in flight may take to finish once the shutdown begins.
    pub drain_timeout: std::time::Duration,
    /// The web console's sign-in: identity provider, claim mapping, session timeouts.
    pub console: console::ConsoleConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("invalid {key}: {message}")]
    Invalid { key: &'static str, message: String },
}

impl Config {
    /// Layers overrides over the file over the defaults, and validates the result.
    pub fn load(overrides: Overrides) -> Result<Self, ConfigError> {
        let file: Settings = match &overrides.config_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path: path.clone(),
                    source,
                })?
            }
            None => Settings::default(),
        };
        let s = overrides.settings.or(file);
        let production = s.production.unwrap_or(false);
        let protection = protection::Protection::from_settings(&s, production)?;
        let console = console::console_config(&s, production)?;
        let listen = s.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen.parse().map_err(|_| ConfigError::Invalid {
            key: "listen",
            message: format!("`{listen}` is not an address like 127.0.0.1:8080"),
        })?;
        let database_url = s
            .database_url
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(ConfigError::Invalid {
                key: "database_url",
                message: "expected a sqlite: or postgres:// URL".into(),
            });
        }
        let max_page_size = s.max_page_size.unwrap_or(DEFAULT_MAX_PAGE_SIZE);
        if max_page_size == 0 {
            return Err(ConfigError::Invalid {
                key: "max_page_size",
                message: "must be at least 1".into(),
            });
        }
        let upstreams = upstream_settings(s.upstreams_url.as_deref(), &s.upstream, production)?;
        let sharing = sharing::sharing_config(&s.sharing, s.demo_grants.unwrap_or(!production))?;
        if let Some(key) = &s.access_log_key {
            if key.expose_secret().len() < 32 {
                return Err(ConfigError::Invalid {
                    key: "access_log_key",
                    message: "must be at least 32 bytes".into(),
                });
            }
        }
        if let Some(url) = &s.jwt_jwks_url {
            crate::auth::jwks::check_url(url, production).map_err(|message| {
                ConfigError::Invalid {
                    key: "jwt_jwks_url",
                    message,
                }
            })?;
        }
        if let Some(key) = &s.cursor_key {
            if key.expose_secret().len() < 32 {
                return Err(ConfigError::Invalid {
                    key: "cursor_key",
                    message: "must be at least 32 bytes".into(),
                });
            }
        }
        // An empty value (a compose file's unset variable) means none.
        let otlp_endpoint = s.otlp_endpoint.filter(|url| !url.trim().is_empty());
        if let Some(url) = &otlp_endpoint {
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || url.parse::<axum::http::Uri>().is_err()
            {
                return Err(ConfigError::Invalid {
                    key: "otlp_endpoint",
                    message: format!("`{url}` is not an http(s) URL"),
                });
            }
        }
        Ok(Config {
            console,
            sharing,
            otlp_endpoint,
            drain_timeout: std::time::Duration::from_millis(
                s.drain_timeout_ms.unwrap_or(DEFAULT_DRAIN_TIMEOUT_MS),
            ),
            limits: protection.limits,
            weights: protection.weights,
            rate_limit: protection.rate_limit,
            http: protection.http,
            db_acquire_timeout: protection.db_acquire_timeout,
            cursor_key: s.cursor_key,
            log_format: s.log_format.unwrap_or_default(),
            access_log_key: s.access_log_key,
            mock_upstreams: s.mock_upstreams.unwrap_or(!production) && upstreams.is_empty(),
            health_interval: std::time::Duration::from_millis(
                s.health_interval_ms.unwrap_or(DEFAULT_HEALTH_INTERVAL_MS),
            ),
            legal_references_file: s.legal_references_file,
            upstreams,
            listen,
            database_url,
            max_page_size,
            body_limit_bytes: s.body_limit_bytes.unwrap_or(DEFAULT_BODY_LIMIT),
            db_max_connections: s
                .db_max_connections
                .unwrap_or_else(default_pool_size)
                .max(1),
            keys: crate::auth::KeyConfig {
                secret: s.jwt_secret,
                public_key_file: s.jwt_public_key_file,
                private_key_file: s.jwt_private_key_file,
                jwks_url: s.jwt_jwks_url,
                production,
                data_dir: s.data_dir.unwrap_or_else(|| PathBuf::from("data")),
            },
            jwt_issuer: s
                .jwt_issuer
                .unwrap_or_else(|| DEFAULT_JWT_ISSUER.to_owned()),
            jwt_audience: s
                .jwt_audience
                .unwrap_or_else(|| DEFAULT_JWT_AUDIENCE.to_owned()),
            response_cache: ResponseCacheConfig {
                ttl: std::time::Duration::from_millis(
                    s.response_cache_ttl_ms
                        .unwrap_or(DEFAULT_RESPONSE_CACHE_TTL_MS),
                ),
                max_bytes: s
                    .response_cache_bytes
                    .unwrap_or(DEFAULT_RESPONSE_CACHE_BYTES),
                max_age_s: s.response_cache_max_age_s.unwrap_or(0),
            },
            cache_ttl: std::time::Duration::from_millis(
                s.cache_ttl_ms.unwrap_or(DEFAULT_CACHE_TTL_MS),
            ),
        })
    }

    /// The database URL with any password replaced, for logs.
    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url)
    }
}

/// The national databases the hub knows; `base` places each at `<base>/<service>`, file tables refine or add.
fn upstream_settings(
    base: Option<&str>,
    file: &std::collections::BTreeMap<String, UpstreamFile>,
    production: bool,
) -> Result<Vec<crate::upstream::UpstreamSettings>, ConfigError> {
    use crate::upstream::{UpstreamSettings, SERVICES};
    let invalid = |message: String| ConfigError::Invalid {
        key: "upstream",
        message,
    };
    for name in file.keys() {
        if !SERVICES.iter().any(|s| s.name == name) {
            return Err(invalid(format!(
                "unknown upstream `{name}` (known: {})",
                SERVICES
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let mut all = Vec::new();
    for service in SERVICES {
        let table = file.get(service.name);
        let url = match (table.and_then(|t| t.base_url.clone()), base) {
            (Some(url), _) => url,
            (None, Some(base)) => format!("{}/{}", base.trim_end_matches('/'), service.name),
            (None, None) => continue,
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(invalid(format!("`{url}` is not an http(s) URL")));
        }
        // The mocks' development secret is a default for development only: production names every secret.
        if production && table.and_then(|t| t.client_secret.as_ref()).is_none() {
            return Err(invalid(format!(
                "production mode needs `client_secret` in [upstream.{}]",
                service.name
            )));
        }
        let mut s = UpstreamSettings::new(service.name, &url);
        s.client_secret = crate::upstream::dev_secret(service.name).into();
        if let Some(t) = table {
            let ms = std::time::Duration::from_millis;
            if let Some(v) = &t.client_id {
                s.client_id.clone_from(v);
            }
            if let Some(v) = &t.client_secret {
                s.client_secret = v.clone();
            }
            s.timeout = t.timeout_ms.map_or(s.timeout, ms);
            s.token_timeout = t.token_timeout_ms.map_or(s.token_timeout, ms);
            s.retries = t.retries.unwrap_or(s.retries);
            s.breaker_threshold = t.breaker_threshold.unwrap_or(s.breaker_threshold);
            s.breaker_cooldown = t.breaker_cooldown_ms.map_or(s.breaker_cooldown, ms);
            s.concurrency = t.concurrency.unwrap_or(s.concurrency);
            s.cache_ttl = t.cache_ttl_ms.map_or(s.cache_ttl, ms);
        }
        all.push(s);
    }
    Ok(all)
}

/// Two connections per core: more only adds context switches between the hub and the database on a small machine
/// (measured in bench/RESULTS.md: 16 connections served ~20% fewer requests than 2–4 on 2 cores).
fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (2 * cores).clamp(2, 32)
}

fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests;
