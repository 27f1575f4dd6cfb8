//! The settings that keep the hub safe to expose: query limits, rate limits, deadlines, HTTP hygiene and persisted
//! documents. Defaults let every README example and the benchmark through; `production = true` turns on what a
//! public deployment needs (rate limits) and off what it should not show (introspection, GraphiQL).

use std::{net::IpAddr, path::PathBuf, time::Duration};

use super::{ConfigError, Settings};

/// What a document may ask for; checked before any SQL or upstream call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryLimits {
    /// Largest cost: a list or connection costs its page size times its selection, a scalar 1.
    pub max_cost: usize,
    pub max_depth: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
    pub max_selection_fields: usize,
    pub max_directives: usize,
    pub max_tokens: usize,
    /// Longest string argument where no tighter bound applies, in characters.
    pub max_string_length: usize,
    /// From this cost on a query is heavy: only `max_concurrent_heavy` run at once, the next is shed.
    pub heavy_cost: usize,
    pub max_concurrent_heavy: usize,
    /// Cost units of heavy queries the hub runs per second, all clients together (0: no budget).
    pub heavy_cost_per_second: u32,
    /// How soon after its arrival a refused request is answered, at the soonest (see [`DEFAULT_REFUSAL_PAUSE`]).
    pub refusal_pause: std::time::Duration,
}

/// How long after its arrival a refused request is answered, at the soonest (a shed heavy query, a document over a
/// limit, a 4xx): a client that ignores the refusal and loops gets at most 40 answers a second per connection,
/// instead of turning the hub's cheap refusals into thousands a second that take the cores from everyone else. It is
/// far below what a person notices, and refusals stay well under the 50 ms the abuse benchmark allows them.
pub const DEFAULT_REFUSAL_PAUSE: std::time::Duration = std::time::Duration::from_millis(25);

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            max_cost: 50_000,
            max_depth: 16,
            max_aliases: 30,
            max_root_fields: 20,
            max_selection_fields: 100,
            max_directives: 30,
            max_tokens: 5_000,
            max_string_length: 4_096,
            heavy_cost: 5_000,
            max_concurrent_heavy: 1,
            heavy_cost_per_second: 50_000,
            refusal_pause: DEFAULT_REFUSAL_PAUSE,
        }
    }
}

/// What fields cost beyond their selection (see `limits::cost`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostWeights {
    pub search: usize,
    pub upstream: usize,
}

impl Default for CostWeights {
    fn default() -> Self {
        CostWeights {
            search: 20,
            upstream: 50,
        }
    }
}

/// Requests per minute per client; 0 = no limit.
#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    pub anonymous_per_minute: u32,
    pub agency_per_minute: u32,
    /// The query cost charged as one request; 0: every request is charged 1.
    pub cost_unit: u32,
    /// Shared store of the limits across replicas; in-process limits without it (and while it is unreachable).
    pub redis_url: Option<String>,
    /// Keys in Redis are `<prefix>:<kind>:<client>`.
    pub redis_key_prefix: String,
    /// Peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
}

/// The query cost one request's worth of rate limit buys: ordinary queries (a page of 20 with a few fields) cost less
/// and are charged one request; the costliest the limits accept (50,000) are charged 50.
pub const DEFAULT_RATE_LIMIT_COST_UNIT: u32 = 1_000;

/// The default prefix of the rate limits' keys in Redis.
pub const DEFAULT_REDIS_KEY_PREFIX: &str = "lgsp:rl";

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            anonymous_per_minute: 0,
            agency_per_minute: 0,
            cost_unit: DEFAULT_RATE_LIMIT_COST_UNIT,
            redis_url: None,
            redis_key_prefix: DEFAULT_REDIS_KEY_PREFIX.to_owned(),
            trusted_proxies: Vec::new(),
        }
    }
}

/// The HTTP face's protections.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub request_timeout: Duration,
    pub max_concurrent_requests: usize,
    /// Origins CORS allows; empty: CORS off. `*` allows any.
    pub cors_allowed_origins: Vec<String>,
    pub introspection: bool,
    pub graphiql: bool,
    pub persisted_queries: bool,
    pub trusted_documents: Option<PathBuf>,
    pub document_cache_bytes: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            request_timeout: Duration::from_secs(10),
            max_concurrent_requests: 1024,
            cors_allowed_origins: Vec::new(),
            introspection: true,
            graphiql: true,
            persisted_queries: true,
            trusted_documents: None,
            document_cache_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Everything above, read from layered settings.
pub struct Protection {
    pub limits: QueryLimits,
    pub weights: CostWeights,
    pub rate_limit: RateLimitConfig,
    pub http: HttpConfig,
    pub db_acquire_timeout: Duration,
}

fn at_least_one(
    key: &'static str,
    value: Option<usize>,
    default: usize,
) -> Result<usize, ConfigError> {
    match value {
        Some(0) => Err(ConfigError::Invalid {
            key,
            message: "must be at least 1".into(),
        }),
        Some(v) => Ok(v),
        None => Ok(default),
    }
}

fn list(value: Option<&str>) -> impl Iterator<Item = &str> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl Protection {
    pub fn from_settings(s: &Settings, production: bool) -> Result<Protection, ConfigError> {
        let d = QueryLimits::default();
        let limits = QueryLimits {
            max_cost: at_least_one("max_query_cost", s.max_query_cost, d.max_cost)?,
            max_depth: at_least_one("max_query_depth", s.max_query_depth, d.max_depth)?,
            max_aliases: s.max_aliases.unwrap_or(d.max_aliases),
            max_root_fields: at_least_one("max_root_fields", s.max_root_fields, d.max_root_fields)?,
            max_selection_fields: at_least_one(
                "max_selection_fields",
                s.max_selection_fields,
                d.max_selection_fields,
            )?,
            max_directives: s.max_directives.unwrap_or(d.max_directives),
            max_tokens: at_least_one("max_tokens", s.max_tokens, d.max_tokens)?,
            max_string_length: at_least_one(
                "max_string_length",
                s.max_string_length,
                d.max_string_length,
            )?,
            heavy_cost: s.heavy_query_cost.unwrap_or(d.heavy_cost),
            max_concurrent_heavy: at_least_one(
                "max_concurrent_heavy_queries",
                s.max_concurrent_heavy_queries,
                d.max_concurrent_heavy,
            )?,
            heavy_cost_per_second: s.heavy_cost_per_second.unwrap_or(d.heavy_cost_per_second),
            refusal_pause: s
                .refusal_pause_ms
                .map_or(d.refusal_pause, std::time::Duration::from_millis),
        };
        let w = CostWeights::default();
        let weights = CostWeights {
            search: s.search_cost.unwrap_or(w.search),
            upstream: s.upstream_cost.unwrap_or(w.upstream),
        };
        let trusted_proxies = list(s.trusted_proxies.as_deref())
            .map(|p| {
                p.parse().map_err(|_| ConfigError::Invalid {
                    key: "trusted_proxies",
                    message: format!("`{p}` is not an IP address"),
                })
            })
            .collect::<Result<_, _>>()?;
        if let Some(url) = &s.redis_url {
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                return Err(ConfigError::Invalid {
                    key: "redis_url",
                    message: "expected a redis:// or rediss:// URL".into(),
                });
            }
        }
        let redis_key_prefix = s
            .redis_key_prefix
            .clone()
            .unwrap_or_else(|| DEFAULT_REDIS_KEY_PREFIX.to_owned());
        if redis_key_prefix.is_empty() || redis_key_prefix.contains(char::is_whitespace) {
            return Err(ConfigError::Invalid {
                key: "redis_key_prefix",
                message: "must be non-empty, without spaces".into(),
            });
        }
        let rate_limit = RateLimitConfig {
            anonymous_per_minute: s.rate_limit_anonymous_per_minute.unwrap_or(if production {
                600
            } else {
                0
            }),
            agency_per_minute: s.rate_limit_agency_per_minute.unwrap_or(if production {
                6_000
            } else {
                0
            }),
            cost_unit: s
                .rate_limit_cost_unit
                .unwrap_or(DEFAULT_RATE_LIMIT_COST_UNIT),
            redis_url: s.redis_url.clone(),
            redis_key_prefix,
            trusted_proxies,
        };
        let h = HttpConfig::default();
        let request_timeout = s
            .request_timeout_ms
            .map_or(h.request_timeout, Duration::from_millis);
        if request_timeout.is_zero() {
            return Err(ConfigError::Invalid {
                key: "request_timeout_ms",
                message: "must be at least 1".into(),
            });
        }
        // A request must give up waiting for a connection before its own deadline, so the answer is a coded
        // error rather than a cut connection.
        let db_acquire_timeout = s.db_acquire_timeout_ms.map_or_else(
            || (request_timeout * 3 / 10).min(Duration::from_secs(3)),
            Duration::from_millis,
        );
        if db_acquire_timeout >= request_timeout || db_acquire_timeout.is_zero() {
            return Err(ConfigError::Invalid {
                key: "db_acquire_timeout_ms",
                message: "must be above 0 and below request_timeout_ms".into(),
            });
        }
        let http = HttpConfig {
            request_timeout,
            max_concurrent_requests: at_least_one(
                "max_concurrent_requests",
                s.max_concurrent_requests,
                h.max_concurrent_requests,
            )?,
            cors_allowed_origins: list(s.cors_allowed_origins.as_deref())
                .map(str::to_owned)
                .collect(),
            introspection: s.introspection.unwrap_or(!production),
            graphiql: s.graphiql.unwrap_or(!production),
            persisted_queries: s.persisted_queries.unwrap_or(h.persisted_queries),
            trusted_documents: s.trusted_documents.clone(),
            document_cache_bytes: s.document_cache_bytes.unwrap_or(h.document_cache_bytes),
        };
        Ok(Protection {
            limits,
            weights,
            rate_limit,
            http,
            db_acquire_timeout,
        })
    }
}
