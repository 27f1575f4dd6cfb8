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

/// The optional TOML file. Every field may also come from a flag or the environment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// Database URL: `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub database_url: Option<String>,
    /// Largest `first`/`last` a connection accepts.
    pub max_page_size: Option<usize>,
    /// Largest request body in bytes.
    pub body_limit_bytes: Option<usize>,
    /// Size of the database connection pool.
    pub db_max_connections: Option<u32>,
    /// How long (ms) `totalCount`s and reference rows are cached; 0 turns the cache off.
    pub cache_ttl_ms: Option<u64>,
    /// HS256 secret for tokens (at least 32 bytes). Prefer the LGSP_JWT_SECRET variable over the file.
    pub jwt_secret: Option<String>,
    /// RS256/ES256 public key (PEM) that verifies tokens; takes precedence over the secret.
    pub jwt_public_key_file: Option<PathBuf>,
    /// The matching private key (PEM), only where `lgsp-hub token` mints tokens.
    pub jwt_private_key_file: Option<PathBuf>,
    /// Expected `iss` of tokens.
    pub jwt_issuer: Option<String>,
    /// Expected `aud` of tokens.
    pub jwt_audience: Option<String>,
    /// Production mode: a missing token key is a startup error instead of a generated development secret.
    pub production: Option<bool>,
    /// Where the hub keeps files of its own (the development secret).
    pub data_dir: Option<PathBuf>,
}

/// Values given on the command line or in the environment (clap merges those two).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub max_page_size: Option<usize>,
    pub body_limit_bytes: Option<usize>,
    pub db_max_connections: Option<u32>,
    pub cache_ttl_ms: Option<u64>,
    pub jwt_secret: Option<String>,
    pub jwt_public_key_file: Option<PathBuf>,
    pub jwt_private_key_file: Option<PathBuf>,
    pub jwt_issuer: Option<String>,
    pub jwt_audience: Option<String>,
    pub production: Option<bool>,
    pub data_dir: Option<PathBuf>,
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
        let file = match &overrides.config_file {
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
            None => FileConfig::default(),
        };
        let listen = overrides
            .listen
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen.parse().map_err(|_| ConfigError::Invalid {
            key: "listen",
            message: format!("`{listen}` is not an address like 127.0.0.1:8080"),
        })?;
        let database_url = overrides
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(ConfigError::Invalid {
                key: "database_url",
                message: "expected a sqlite: or postgres:// URL".into(),
            });
        }
        let max_page_size = overrides
            .max_page_size
            .or(file.max_page_size)
            .unwrap_or(DEFAULT_MAX_PAGE_SIZE);
        if max_page_size == 0 {
            return Err(ConfigError::Invalid {
                key: "max_page_size",
                message: "must be at least 1".into(),
            });
        }
        Ok(Config {
            listen,
            database_url,
            max_page_size,
            body_limit_bytes: overrides
                .body_limit_bytes
                .or(file.body_limit_bytes)
                .unwrap_or(DEFAULT_BODY_LIMIT),
            db_max_connections: overrides
                .db_max_connections
                .or(file.db_max_connections)
                .unwrap_or_else(default_pool_size)
                .max(1),
            keys: crate::auth::KeyConfig {
                secret: overrides.jwt_secret.or(file.jwt_secret),
                public_key_file: overrides.jwt_public_key_file.or(file.jwt_public_key_file),
                private_key_file: overrides.jwt_private_key_file.or(file.jwt_private_key_file),
                production: overrides.production.or(file.production).unwrap_or(false),
                data_dir: overrides
                    .data_dir
                    .or(file.data_dir)
                    .unwrap_or_else(|| PathBuf::from("data")),
            },
            jwt_issuer: overrides
                .jwt_issuer
                .or(file.jwt_issuer)
                .unwrap_or_else(|| DEFAULT_JWT_ISSUER.to_owned()),
            jwt_audience: overrides
                .jwt_audience
                .or(file.jwt_audience)
                .unwrap_or_else(|| DEFAULT_JWT_AUDIENCE.to_owned()),
            cache_ttl: std::time::Duration::from_millis(
                overrides
                    .cache_ttl_ms
                    .or(file.cache_ttl_ms)
                    .unwrap_or(DEFAULT_CACHE_TTL_MS),
            ),
        })
    }

    /// The database URL with any password replaced, for logs.
    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url)
    }
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
            max_page_size: Some(20),
            ..Default::default()
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
            listen: Some("nowhere".into()),
            ..Default::default()
        })
        .expect_err("invalid");
        assert!(matches!(err, ConfigError::Invalid { key: "listen", .. }));
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
