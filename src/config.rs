//! Configuration: command-line flags override `LGSP_*` environment variables, which override an optional TOML file
//! (`--config`), which overrides the defaults below. Unknown keys in the file are errors; values are validated once,
//! at start.

use std::{net::SocketAddr, path::PathBuf};

use serde::Deserialize;

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

/// The settings that layer: from the optional TOML file, and from flags or the environment. (No `Debug`: it holds the
/// JWT secret.)
/// The same struct is the command line's flags (clap reads flag, then `LGSP_*` variable) and the TOML file's keys.
#[derive(Default, Clone, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "LGSP_LISTEN")]
    pub listen: Option<String>,
    /// Database URL [default: sqlite://data/lgsp-hub.sqlite?mode=rwc]; PostgreSQL: postgres://user@host/db.
    #[arg(long, global = true, env = "LGSP_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Largest `first`/`last` a connection accepts [default: 100].
    #[arg(long, global = true, env = "LGSP_MAX_PAGE_SIZE")]
    pub max_page_size: Option<usize>,
    /// Largest request body in bytes [default: 1048576].
    #[arg(long, global = true, env = "LGSP_BODY_LIMIT_BYTES")]
    pub body_limit_bytes: Option<usize>,
    /// Size of the database connection pool [default: 2 × CPU cores].
    #[arg(long, global = true, env = "LGSP_DB_MAX_CONNECTIONS")]
    pub db_max_connections: Option<u32>,
    /// How long (ms) `totalCount`s and reference rows are cached; 0 turns the cache off [default: 1000].
    #[arg(long, global = true, env = "LGSP_CACHE_TTL_MS")]
    pub cache_ttl_ms: Option<u64>,
    /// HS256 secret for tokens (at least 32 bytes). Prefer the LGSP_JWT_SECRET variable over the file.
    #[arg(long, global = true, env = "LGSP_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// RS256/ES256 public key (PEM) that verifies tokens; takes precedence over the secret.
    #[arg(long, global = true, env = "LGSP_JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<PathBuf>,
    /// The matching private key (PEM), only where `lgsp-hub token` mints tokens.
    #[arg(long, global = true, env = "LGSP_JWT_PRIVATE_KEY_FILE")]
    pub jwt_private_key_file: Option<PathBuf>,
    /// JWKS URL of the identity provider whose RS256/ES256 keys (chosen by the token's `kid`) verify tokens; takes
    /// precedence over the public key file and the secret. Fetched at start (a failure is only a warning), refetched on
    /// an unknown `kid` (at most once per 10 s) and after 15 minutes; https in production unless on the loopback.
    #[arg(long, global = true, env = "LGSP_JWT_JWKS_URL")]
    pub jwt_jwks_url: Option<String>,
    /// Expected `iss` of tokens.
    #[arg(long, global = true, env = "LGSP_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Expected `aud` of tokens.
    #[arg(long, global = true, env = "LGSP_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// Production mode: a missing token key is a startup error instead of a generated development secret.
    #[arg(long, global = true, env = "LGSP_PRODUCTION")]
    pub production: Option<bool>,
    /// Where the hub keeps files of its own (the development secret).
    #[arg(long, global = true, env = "LGSP_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Secret of the personal-data access log's keyed hashes (at least 32 bytes). Without it, development generates
    /// one into the data directory; production mode refuses to start.
    #[arg(
        long,
        global = true,
        env = "LGSP_ACCESS_LOG_KEY",
        hide_env_values = true
    )]
    pub access_log_key: Option<String>,
    /// Base URL under which every national database answers at `/<service>` (the mock-upstreams layout), e.g.
    /// http://127.0.0.1:9100. Per-service `[upstream.<name>]` tables in the file override it.
    #[arg(long, global = true, env = "LGSP_UPSTREAMS_URL")]
    pub upstreams_url: Option<String>,
    /// Start the built-in mock national databases on a loopback port when no upstream is configured [default: true,
    /// false in production].
    #[arg(long, global = true, env = "LGSP_MOCK_UPSTREAMS")]
    pub mock_upstreams: Option<bool>,
    /// Per-service settings, from the file only: `[upstream.population]` with `base_url`, `client_id`,
    /// `client_secret`, `timeout_ms`, `retries`, `breaker_threshold`, `breaker_cooldown_ms`, `concurrency`,
    /// `cache_ttl_ms`.
    #[arg(skip)]
    #[serde(default)]
    pub upstream: std::collections::BTreeMap<String, UpstreamFile>,
}

/// One upstream's settings in the configuration file; unset values take the defaults of `upstream::UpstreamSettings`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamFile {
    pub base_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub timeout_ms: Option<u64>,
    pub retries: Option<u32>,
    pub breaker_threshold: Option<u32>,
    pub breaker_cooldown_ms: Option<u64>,
    pub concurrency: Option<usize>,
    pub cache_ttl_ms: Option<u64>,
}

impl Settings {
    /// Each value of `self`, or else the one of `lower`.
    pub fn or(self, lower: Settings) -> Settings {
        Settings {
            listen: self.listen.or(lower.listen),
            database_url: self.database_url.or(lower.database_url),
            max_page_size: self.max_page_size.or(lower.max_page_size),
            body_limit_bytes: self.body_limit_bytes.or(lower.body_limit_bytes),
            db_max_connections: self.db_max_connections.or(lower.db_max_connections),
            cache_ttl_ms: self.cache_ttl_ms.or(lower.cache_ttl_ms),
            jwt_secret: self.jwt_secret.or(lower.jwt_secret),
            jwt_public_key_file: self.jwt_public_key_file.or(lower.jwt_public_key_file),
            jwt_private_key_file: self.jwt_private_key_file.or(lower.jwt_private_key_file),
            jwt_jwks_url: self.jwt_jwks_url.or(lower.jwt_jwks_url),
            jwt_issuer: self.jwt_issuer.or(lower.jwt_issuer),
            jwt_audience: self.jwt_audience.or(lower.jwt_audience),
            production: self.production.or(lower.production),
            data_dir: self.data_dir.or(lower.data_dir),
            access_log_key: self.access_log_key.or(lower.access_log_key),
            upstreams_url: self.upstreams_url.or(lower.upstreams_url),
            mock_upstreams: self.mock_upstreams.or(lower.mock_upstreams),
            upstream: if self.upstream.is_empty() {
                lower.upstream
            } else {
                self.upstream
            },
        }
    }
}

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
    /// The token key and where it comes from. (The secret is never logged: `Debug` redacts it.)
    pub keys: crate::auth::KeyConfig,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_log_key: Option<String>,
    /// The national databases: where they are and how to call them (empty: none configured).
    pub upstreams: Vec<crate::upstream::UpstreamSettings>,
    /// Start the built-in mocks when `upstreams` is empty.
    pub mock_upstreams: bool,
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
        let production = s.production.unwrap_or(false);
        let upstreams = upstream_settings(s.upstreams_url.as_deref(), &s.upstream, production)?;
        if let Some(key) = &s.access_log_key {
            if key.len() < 32 {
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
        Ok(Config {
            access_log_key: s.access_log_key,
            mock_upstreams: s.mock_upstreams.unwrap_or(!production) && upstreams.is_empty(),
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
        s.client_secret = crate::upstream::dev_secret(service.name);
        if let Some(t) = table {
            let ms = std::time::Duration::from_millis;
            if let Some(v) = &t.client_id {
                s.client_id.clone_from(v);
            }
            if let Some(v) = &t.client_secret {
                s.client_secret.clone_from(v);
            }
            s.timeout = t.timeout_ms.map_or(s.timeout, ms);
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
mod tests {
    use super::*;

    #[test]
    fn flags_override_file_and_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("hub.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\nmax_page_size = 50\n").expect("write");
        let config = Config::load(Overrides {
            config_file: Some(path),
            settings: Settings {
                max_page_size: Some(20),
                ..Default::default()
            },
        })
        .expect("valid");
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.max_page_size, 20);
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("hub.toml");
        std::fs::write(&path, "listne = \"127.0.0.1:9000\"\n").expect("write");
        let err = Config::load(Overrides {
            config_file: Some(path),
            ..Default::default()
        })
        .expect_err("unknown key");
        assert!(err.to_string().contains("listne"), "{err}");
    }

    #[test]
    fn bad_listen_is_an_error() {
        let err = Config::load(Overrides {
            config_file: None,
            settings: Settings {
                listen: Some("nowhere".into()),
                ..Default::default()
            },
        })
        .expect_err("invalid");
        assert!(matches!(err, ConfigError::Invalid { key: "listen", .. }));
    }

    #[test]
    fn production_names_every_upstream_secret() {
        let settings = |production: bool| Settings {
            upstreams_url: Some("http://127.0.0.1:9100".into()),
            production: Some(production),
            ..Default::default()
        };
        let dev = Config::load(Overrides {
            config_file: None,
            settings: settings(false),
        })
        .expect("development accepts the mocks' secrets");
        assert_eq!(dev.upstreams.len(), 6);
        assert_eq!(dev.upstreams[0].client_secret, "dev-secret-population");
        assert!(
            !dev.mock_upstreams,
            "configured upstreams: no built-in mocks"
        );
        let err = Config::load(Overrides {
            config_file: None,
            settings: settings(true),
        })
        .expect_err("production without secrets");
        assert!(err.to_string().contains("client_secret"), "{err}");
    }

    #[test]
    fn upstream_tables_must_name_known_services_and_urls() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("hub.toml");
        for (text, expected) in [
            (
                "[upstream.weather]\nbase_url = \"http://x\"\n",
                "unknown upstream",
            ),
            ("[upstream.population]\nbase_url = \"ftp://x\"\n", "http(s)"),
            (
                "[upstream.population]\nbase_urll = \"http://x\"\n",
                "base_urll",
            ),
        ] {
            std::fs::write(&path, text).expect("write");
            let err = Config::load(Overrides {
                config_file: Some(path.clone()),
                ..Default::default()
            })
            .expect_err(text);
            assert!(err.to_string().contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://hub:secret@db/hub"),
            "postgres://hub:***@db/hub"
        );
        assert_eq!(
            redact_url("sqlite://data/x.sqlite"),
            "sqlite://data/x.sqlite"
        );
    }
}
