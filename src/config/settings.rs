//! The settings that layer: one struct for flags, `LGSP_*` variables and the TOML file.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

/// The settings that layer: from the optional TOML file, and from flags or the environment. Secrets are
/// [`SecretString`]s: no `Debug`, log line or error can show them.
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
    /// How long (ms) an anonymous catalog query's answer is served from memory; every committed write drops them all
    /// (in other replicas too, on PostgreSQL); 0 turns the response cache off [default: 10000].
    #[arg(long, global = true, env = "LGSP_RESPONSE_CACHE_TTL_MS")]
    pub response_cache_ttl_ms: Option<u64>,
    /// Memory the cached answers may take, in bytes [default: 33554432].
    #[arg(long, global = true, env = "LGSP_RESPONSE_CACHE_BYTES")]
    pub response_cache_bytes: Option<u64>,
    /// `max-age` (s) of the `Cache-Control: public` header on cacheable GET answers, for a reverse proxy in front
    /// (0: `no-cache`, every reuse revalidated with the `ETag`) [default: 0].
    #[arg(long, global = true, env = "LGSP_RESPONSE_CACHE_MAX_AGE_S")]
    pub response_cache_max_age_s: Option<u64>,
    /// HS256 secret for tokens (at least 32 bytes). Prefer the LGSP_JWT_SECRET variable over the file.
    #[arg(long, global = true, env = "LGSP_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,
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
    /// Log lines as human-readable `text` or as one `json` object per line [default: text]. (`LGSP_LOG` filters them.)
    #[arg(long, global = true, env = "LGSP_LOG_FORMAT", value_enum)]
    pub log_format: Option<crate::telemetry::logs::LogFormat>,
    /// OpenTelemetry collector that receives the hub's traces over OTLP/HTTP (protobuf), e.g. http://127.0.0.1:4318
    /// (`/v1/traces` is appended unless the URL ends with it); callers' W3C `traceparent` is then followed and passed
    /// on to the national databases [default: none, no traces].
    #[arg(long, global = true, env = "LGSP_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
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
    pub access_log_key: Option<SecretString>,
    /// Base URL under which every national database answers at `/<service>` (the mock-upstreams layout), e.g.
    /// http://127.0.0.1:9100. Per-service `[upstream.<name>]` tables in the file override it.
    #[arg(long, global = true, env = "LGSP_UPSTREAMS_URL")]
    pub upstreams_url: Option<String>,
    /// Start the built-in mock national databases on a loopback port when no upstream is configured (builds with the
    /// default `mock-upstreams` feature; other builds warn and serve no upstream) [default: true, false in production].
    #[arg(long, global = true, env = "LGSP_MOCK_UPSTREAMS")]
    pub mock_upstreams: Option<bool>,
    /// How often (ms) each national database is probed in the background (a token fetch and the connection test's
    /// probe call, jittered by ±10 %), so that `upstreams` tells its state without traffic; 0 turns the probes off
    /// [default: 30000].
    #[arg(long, global = true, env = "LGSP_HEALTH_INTERVAL_MS")]
    pub health_interval_ms: Option<u64>,
    /// A TOML file of the legal texts the hub cites, replacing the built-in list (data/legal/references.toml): for an
    /// operator to correct what is in force without a release.
    #[arg(long, global = true, env = "LGSP_LEGAL_REFERENCES_FILE")]
    pub legal_references_file: Option<PathBuf>,
    /// Largest cost of a query (page sizes times selections; see the README's "Limits and abuse") [default: 50000].
    #[arg(long, global = true, env = "LGSP_MAX_QUERY_COST")]
    pub max_query_cost: Option<usize>,
    /// Deepest field nesting of a document [default: 16].
    #[arg(long, global = true, env = "LGSP_MAX_QUERY_DEPTH")]
    pub max_query_depth: Option<usize>,
    /// Most aliased fields in a document [default: 30].
    #[arg(long, global = true, env = "LGSP_MAX_ALIASES")]
    pub max_aliases: Option<usize>,
    /// Most fields at the root of an operation [default: 20].
    #[arg(long, global = true, env = "LGSP_MAX_ROOT_FIELDS")]
    pub max_root_fields: Option<usize>,
    /// Most fields in one selection set [default: 100].
    #[arg(long, global = true, env = "LGSP_MAX_SELECTION_FIELDS")]
    pub max_selection_fields: Option<usize>,
    /// Most directives in a document [default: 30].
    #[arg(long, global = true, env = "LGSP_MAX_DIRECTIVES")]
    pub max_directives: Option<usize>,
    /// Most lexical tokens in a document [default: 5000].
    #[arg(long, global = true, env = "LGSP_MAX_TOKENS")]
    pub max_tokens: Option<usize>,
    /// What one `search` costs, on top of its hits [default: 20].
    #[arg(long, global = true, env = "LGSP_SEARCH_COST")]
    pub search_cost: Option<usize>,
    /// What one lookup in a national database costs, on top of its selection [default: 50].
    #[arg(long, global = true, env = "LGSP_UPSTREAM_COST")]
    pub upstream_cost: Option<usize>,
    /// Longest string argument, in characters, where no tighter bound applies [default: 4096].
    #[arg(long, global = true, env = "LGSP_MAX_STRING_LENGTH")]
    pub max_string_length: Option<usize>,
    /// Cost from which a query is heavy: only `max_concurrent_heavy_queries` of them run at once [default: 5000].
    #[arg(long, global = true, env = "LGSP_HEAVY_QUERY_COST")]
    pub heavy_query_cost: Option<usize>,
    /// Cost units of heavy queries run per second, all clients together; past it they are shed with 503 (0: no
    /// budget) [default: 50000].
    #[arg(long, global = true, env = "LGSP_HEAVY_COST_PER_SECOND")]
    pub heavy_cost_per_second: Option<u32>,
    /// A refused request (a 4xx, a document over a limit, a shed heavy query) is answered no sooner than this many
    /// milliseconds after it came, so that a client looping refusals cannot spend the cores (0: at once) [default: 25].
    #[arg(long, global = true, env = "LGSP_REFUSAL_PAUSE_MS")]
    pub refusal_pause_ms: Option<u64>,
    /// Heavy queries that run at once; the next one is shed with 503 [default: 1].
    #[arg(long, global = true, env = "LGSP_MAX_CONCURRENT_HEAVY_QUERIES")]
    pub max_concurrent_heavy_queries: Option<usize>,
    /// Requests per minute of one anonymous client (by IP); 0 turns the limit off [default: 0, 600 in production].
    #[arg(long, global = true, env = "LGSP_RATE_LIMIT_ANONYMOUS_PER_MINUTE")]
    pub rate_limit_anonymous_per_minute: Option<u32>,
    /// Requests per minute of one agency (by its token); 0 turns the limit off [default: 0, 6000 in production].
    #[arg(long, global = true, env = "LGSP_RATE_LIMIT_AGENCY_PER_MINUTE")]
    pub rate_limit_agency_per_minute: Option<u32>,
    /// Query cost that counts as one more request against the rate limits: a document known to cost N is charged
    /// N / this (at least 1, at most the burst); 0 charges every request 1 [default: 1000].
    #[arg(long, global = true, env = "LGSP_RATE_LIMIT_COST_UNIT")]
    pub rate_limit_cost_unit: Option<u32>,
    /// Redis that shares the rate limits between replicas, e.g. redis://127.0.0.1:6379 [default: none, in-process].
    /// `rediss://` verifies the server against the system's trust store (`SSL_CERT_FILE` names another).
    #[arg(long, global = true, env = "LGSP_REDIS_URL")]
    pub redis_url: Option<String>,
    /// Prefix of the rate limits' keys in Redis, so that several deployments can share one Redis [default: lgsp:rl].
    #[arg(long, global = true, env = "LGSP_REDIS_KEY_PREFIX")]
    pub redis_key_prefix: Option<String>,
    /// Comma-separated addresses of reverse proxies whose `X-Forwarded-For` names the client [default: none].
    #[arg(long, global = true, env = "LGSP_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// Deadline of one request in milliseconds; past it the work is cancelled and `TIMEOUT` answered [default: 10000].
    #[arg(long, global = true, env = "LGSP_REQUEST_TIMEOUT_MS")]
    pub request_timeout_ms: Option<u64>,
    /// How long (ms) requests in flight may take to finish after SIGTERM or SIGINT; then the hub exits anyway. Keep it
    /// below the orchestrator's grace period (Kubernetes: 30 s) [default: 20000].
    #[arg(long, global = true, env = "LGSP_DRAIN_TIMEOUT_MS")]
    pub drain_timeout_ms: Option<u64>,
    /// GraphQL requests served at once; more are shed with 503 [default: 1024].
    #[arg(long, global = true, env = "LGSP_MAX_CONCURRENT_REQUESTS")]
    pub max_concurrent_requests: Option<usize>,
    /// How long a request waits for a database connection, in milliseconds; below the request deadline
    /// [default: 3000].
    #[arg(long, global = true, env = "LGSP_DB_ACQUIRE_TIMEOUT_MS")]
    pub db_acquire_timeout_ms: Option<u64>,
    /// Comma-separated origins allowed by CORS, or `*` [default: none, CORS off].
    #[arg(long, global = true, env = "LGSP_CORS_ALLOWED_ORIGINS")]
    pub cors_allowed_origins: Option<String>,
    /// Answer introspection queries [default: true, false in production].
    #[arg(long, global = true, env = "LGSP_INTROSPECTION")]
    pub introspection: Option<bool>,
    /// Serve GraphiQL at `/` [default: true, false in production].
    #[arg(long, global = true, env = "LGSP_GRAPHIQL")]
    pub graphiql: Option<bool>,
    /// Accept automatic persisted queries (`extensions.persistedQuery`) [default: true].
    #[arg(long, global = true, env = "LGSP_PERSISTED_QUERIES")]
    pub persisted_queries: Option<bool>,
    /// A JSON manifest `{ "<sha256>": "<document>" }`: when set, only these documents run [default: none].
    #[arg(long, global = true, env = "LGSP_TRUSTED_DOCUMENTS")]
    pub trusted_documents: Option<PathBuf>,
    /// Bytes of parsed documents the hub keeps [default: 16777216].
    #[arg(long, global = true, env = "LGSP_DOCUMENT_CACHE_BYTES")]
    pub document_cache_bytes: Option<u64>,
    /// Key of the HMAC that makes cursors tamper-evident (at least 32 bytes). Without it, development generates one
    /// into the data directory; production mode refuses to start. Replicas must share it.
    #[arg(long, global = true, env = "LGSP_CURSOR_KEY", hide_env_values = true)]
    pub cursor_key: Option<SecretString>,
    /// Create demonstration data-sharing grants (marked `demonstration`) for the agencies with an official code when
    /// the hub seeds an empty database, so that the federation examples work out of the box [default: true, false in
    /// production].
    #[arg(long, global = true, env = "LGSP_DEMO_GRANTS")]
    pub demo_grants: Option<bool>,
    /// The console's OpenID Connect provider (its issuer URL, whose `/.well-known/openid-configuration` is read);
    /// with it, `oidc_client_id`, `oidc_client_secret` and `oidc_redirect_url` are required. https in production
    /// unless on the loopback [default: none: the built-in mock provider, or in production no sign-in].
    #[arg(long, global = true, env = "LGSP_OIDC_ISSUER_URL")]
    pub oidc_issuer_url: Option<String>,
    /// The console's client id at the provider.
    #[arg(long, global = true, env = "LGSP_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The console's client secret at the provider. Prefer the LGSP_OIDC_CLIENT_SECRET variable over the file.
    #[arg(
        long,
        global = true,
        env = "LGSP_OIDC_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub oidc_client_secret: Option<SecretString>,
    /// Where the provider sends the browser back, as registered there: `https://<hub>/console/callback` [default:
    /// with the mock provider, `http://<listen address>/console/callback`].
    #[arg(long, global = true, env = "LGSP_OIDC_REDIRECT_URL")]
    pub oidc_redirect_url: Option<String>,
    /// The scopes the console asks the provider for, space-separated (`openid` is always added) [default: openid
    /// profile].
    #[arg(long, global = true, env = "LGSP_OIDC_SCOPES")]
    pub oidc_scopes: Option<String>,
    /// The ID token's claim that gives the hub's subject [default: sub].
    #[arg(long, global = true, env = "LGSP_OIDC_SUBJECT_CLAIM")]
    pub oidc_subject_claim: Option<String>,
    /// The ID token's claim that gives the agency's QĐ 20/2020 code [default: agency].
    #[arg(long, global = true, env = "LGSP_OIDC_AGENCY_CLAIM")]
    pub oidc_agency_claim: Option<String>,
    /// The ID token's claim that gives the hub's scopes, space-separated or an array [default: scope].
    #[arg(long, global = true, env = "LGSP_OIDC_SCOPES_CLAIM")]
    pub oidc_scopes_claim: Option<String>,
    /// The ID token's claim that gives the name the console shows [default: name].
    #[arg(long, global = true, env = "LGSP_OIDC_NAME_CLAIM")]
    pub oidc_name_claim: Option<String>,
    /// The ID token's claim that gives the province code, optional [default: province].
    #[arg(long, global = true, env = "LGSP_OIDC_PROVINCE_CLAIM")]
    pub oidc_province_claim: Option<String>,
    /// Start the built-in mock OpenID provider (its demo users) when no `oidc_issuer_url` is configured (builds with
    /// the default `mock-upstreams` feature) [default: true, false in production].
    #[arg(long, global = true, env = "LGSP_MOCK_OIDC")]
    pub mock_oidc: Option<bool>,
    /// A console session with no request for this many seconds ends [default: 1800].
    #[arg(long, global = true, env = "LGSP_CONSOLE_IDLE_TIMEOUT_S")]
    pub console_idle_timeout_s: Option<u64>,
    /// A console session ends this many seconds after sign-in, however used [default: 28800].
    #[arg(long, global = true, env = "LGSP_CONSOLE_ABSOLUTE_TIMEOUT_S")]
    pub console_absolute_timeout_s: Option<u64>,
    /// Per-service data-sharing settings, from the file only: `[sharing.population]` with `provider_code`,
    /// `subsystem`, `form`, `automatic_grants`, `automatic_calls_per_day`, `deciders`, `demonstration`.
    #[arg(skip)]
    #[serde(default)]
    pub sharing: std::collections::BTreeMap<String, super::sharing::SharingFile>,
    /// Per-service settings, from the file only: `[upstream.population]` with `base_url`, `client_id`,
    /// `client_secret`, `timeout_ms`, `token_timeout_ms`, `retries`, `breaker_threshold`, `breaker_cooldown_ms`,
    /// `concurrency`, `cache_ttl_ms`.
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
    pub client_secret: Option<SecretString>,
    pub timeout_ms: Option<u64>,
    pub token_timeout_ms: Option<u64>,
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
            response_cache_ttl_ms: self.response_cache_ttl_ms.or(lower.response_cache_ttl_ms),
            response_cache_bytes: self.response_cache_bytes.or(lower.response_cache_bytes),
            response_cache_max_age_s: self
                .response_cache_max_age_s
                .or(lower.response_cache_max_age_s),
            jwt_secret: self.jwt_secret.or(lower.jwt_secret),
            jwt_public_key_file: self.jwt_public_key_file.or(lower.jwt_public_key_file),
            jwt_private_key_file: self.jwt_private_key_file.or(lower.jwt_private_key_file),
            jwt_jwks_url: self.jwt_jwks_url.or(lower.jwt_jwks_url),
            jwt_issuer: self.jwt_issuer.or(lower.jwt_issuer),
            jwt_audience: self.jwt_audience.or(lower.jwt_audience),
            production: self.production.or(lower.production),
            log_format: self.log_format.or(lower.log_format),
            otlp_endpoint: self.otlp_endpoint.or(lower.otlp_endpoint),
            data_dir: self.data_dir.or(lower.data_dir),
            access_log_key: self.access_log_key.or(lower.access_log_key),
            upstreams_url: self.upstreams_url.or(lower.upstreams_url),
            mock_upstreams: self.mock_upstreams.or(lower.mock_upstreams),
            health_interval_ms: self.health_interval_ms.or(lower.health_interval_ms),
            legal_references_file: self.legal_references_file.or(lower.legal_references_file),
            max_query_cost: self.max_query_cost.or(lower.max_query_cost),
            max_query_depth: self.max_query_depth.or(lower.max_query_depth),
            max_aliases: self.max_aliases.or(lower.max_aliases),
            max_root_fields: self.max_root_fields.or(lower.max_root_fields),
            max_selection_fields: self.max_selection_fields.or(lower.max_selection_fields),
            max_directives: self.max_directives.or(lower.max_directives),
            max_tokens: self.max_tokens.or(lower.max_tokens),
            search_cost: self.search_cost.or(lower.search_cost),
            upstream_cost: self.upstream_cost.or(lower.upstream_cost),
            max_string_length: self.max_string_length.or(lower.max_string_length),
            heavy_query_cost: self.heavy_query_cost.or(lower.heavy_query_cost),
            heavy_cost_per_second: self.heavy_cost_per_second.or(lower.heavy_cost_per_second),
            refusal_pause_ms: self.refusal_pause_ms.or(lower.refusal_pause_ms),
            max_concurrent_heavy_queries: self
                .max_concurrent_heavy_queries
                .or(lower.max_concurrent_heavy_queries),
            rate_limit_anonymous_per_minute: self
                .rate_limit_anonymous_per_minute
                .or(lower.rate_limit_anonymous_per_minute),
            rate_limit_agency_per_minute: self
                .rate_limit_agency_per_minute
                .or(lower.rate_limit_agency_per_minute),
            rate_limit_cost_unit: self.rate_limit_cost_unit.or(lower.rate_limit_cost_unit),
            redis_url: self.redis_url.or(lower.redis_url),
            redis_key_prefix: self.redis_key_prefix.or(lower.redis_key_prefix),
            trusted_proxies: self.trusted_proxies.or(lower.trusted_proxies),
            request_timeout_ms: self.request_timeout_ms.or(lower.request_timeout_ms),
            drain_timeout_ms: self.drain_timeout_ms.or(lower.drain_timeout_ms),
            max_concurrent_requests: self
                .max_concurrent_requests
                .or(lower.max_concurrent_requests),
            db_acquire_timeout_ms: self.db_acquire_timeout_ms.or(lower.db_acquire_timeout_ms),
            cors_allowed_origins: self.cors_allowed_origins.or(lower.cors_allowed_origins),
            introspection: self.introspection.or(lower.introspection),
            graphiql: self.graphiql.or(lower.graphiql),
            persisted_queries: self.persisted_queries.or(lower.persisted_queries),
            trusted_documents: self.trusted_documents.or(lower.trusted_documents),
            document_cache_bytes: self.document_cache_bytes.or(lower.document_cache_bytes),
            cursor_key: self.cursor_key.or(lower.cursor_key),
            demo_grants: self.demo_grants.or(lower.demo_grants),
            oidc_issuer_url: self.oidc_issuer_url.or(lower.oidc_issuer_url),
            oidc_client_id: self.oidc_client_id.or(lower.oidc_client_id),
            oidc_client_secret: self.oidc_client_secret.or(lower.oidc_client_secret),
            oidc_redirect_url: self.oidc_redirect_url.or(lower.oidc_redirect_url),
            oidc_scopes: self.oidc_scopes.or(lower.oidc_scopes),
            oidc_subject_claim: self.oidc_subject_claim.or(lower.oidc_subject_claim),
            oidc_agency_claim: self.oidc_agency_claim.or(lower.oidc_agency_claim),
            oidc_scopes_claim: self.oidc_scopes_claim.or(lower.oidc_scopes_claim),
            oidc_name_claim: self.oidc_name_claim.or(lower.oidc_name_claim),
            oidc_province_claim: self.oidc_province_claim.or(lower.oidc_province_claim),
            mock_oidc: self.mock_oidc.or(lower.mock_oidc),
            console_idle_timeout_s: self.console_idle_timeout_s.or(lower.console_idle_timeout_s),
            console_absolute_timeout_s: self
                .console_absolute_timeout_s
                .or(lower.console_absolute_timeout_s),
            sharing: if self.sharing.is_empty() {
                lower.sharing
            } else {
                self.sharing
            },
            upstream: if self.upstream.is_empty() {
                lower.upstream
            } else {
                self.upstream
            },
        }
    }
}
