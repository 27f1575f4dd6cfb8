//! Every metric family the hub exports: name, type, labels and meaning. Names follow Prometheus conventions: the
//! `lgsp_` prefix, `_total` on counters, the unit (`_seconds`, `_bytes`) last. The README's table and the Grafana
//! dashboard (`docker/grafana/lgsp-hub.json`, checked by a test against [`FAMILIES`]) use these names.

/// The type of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// One family: what `# TYPE` and `# HELP` say of it, and the labels its series carry.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    pub kind: Kind,
    pub labels: &'static [&'static str],
    pub help: &'static str,
}

/// Family names. Call sites never spell them: they hold handles made in this module.
pub mod name {
    pub const GRAPHQL_REQUESTS: &str = "lgsp_graphql_requests_total";
    pub const GRAPHQL_REQUEST_DURATION: &str = "lgsp_graphql_request_duration_seconds";
    pub const GRAPHQL_ERRORS: &str = "lgsp_graphql_errors_total";
    pub const QUERIES_REFUSED: &str = "lgsp_queries_refused_total";
    pub const REQUESTS_SHED: &str = "lgsp_requests_shed_total";
    pub const RATE_LIMITED: &str = "lgsp_rate_limited_total";
    pub const RATE_LIMIT_FALLBACKS: &str = "lgsp_rate_limit_fallbacks_total";
    pub const RATE_LIMIT_REDIS_UP: &str = "lgsp_rate_limit_redis_up";
    pub const SQL_STATEMENTS: &str = "lgsp_sql_statements_total";
    pub const SQL_STATEMENTS_FAILED: &str = "lgsp_sql_statements_failed_total";
    pub const SQL_STATEMENT_DURATION: &str = "lgsp_sql_statement_duration_seconds";
    pub const DB_POOL_CONNECTIONS: &str = "lgsp_db_pool_connections";
    pub const DB_POOL_MAX_CONNECTIONS: &str = "lgsp_db_pool_max_connections";
    pub const UPSTREAM_CALLS: &str = "lgsp_upstream_calls_total";
    pub const UPSTREAM_CALL_DURATION: &str = "lgsp_upstream_call_duration_seconds";
    pub const UPSTREAM_ATTEMPT_FAILURES: &str = "lgsp_upstream_attempt_failures_total";
    pub const UPSTREAM_CIRCUIT_STATE: &str = "lgsp_upstream_circuit_state";
    pub const UPSTREAM_LAST_CALL_OK: &str = "lgsp_upstream_last_call_ok";
    pub const UPSTREAM_PROBE_OK: &str = "lgsp_upstream_probe_ok";
    pub const ACCESS_LOG_BATCH_SIZE: &str = "lgsp_access_log_batch_size";
    pub const ACCESS_LOG_COMMIT_DURATION: &str = "lgsp_access_log_commit_duration_seconds";
    pub const ACCESS_LOG_WRITE_FAILURES: &str = "lgsp_access_log_write_failures_total";
    pub const ACCESS_LOG_WAIT_DURATION: &str = "lgsp_access_log_wait_seconds";
    pub const ACCESS_LOG_HELD_DURATION: &str = "lgsp_access_log_held_answer_seconds";
    pub const CACHE_HITS: &str = "lgsp_cache_hits_total";
    pub const CACHE_MISSES: &str = "lgsp_cache_misses_total";
    pub const DOCUMENT_CACHE_BYTES: &str = "lgsp_document_cache_bytes";
    pub const RESPONSE_CACHE_BYTES: &str = "lgsp_response_cache_bytes";
    pub const RESPONSE_CACHE_EVICTIONS: &str = "lgsp_response_cache_evictions_total";
    pub const SUBSCRIPTIONS: &str = "lgsp_subscriptions";
    pub const READINESS_CHECK_OK: &str = "lgsp_readiness_check_ok";
    pub const BUILD_INFO: &str = "lgsp_build_info";
}

/// Label keys.
pub mod label {
    pub const OPERATION: &str = "operation";
    pub const OUTCOME: &str = "outcome";
    pub const CODE: &str = "code";
    pub const LIMIT: &str = "limit";
    pub const REASON: &str = "reason";
    pub const CLIENT: &str = "client";
    pub const POOL: &str = "pool";
    pub const STATE: &str = "state";
    pub const UPSTREAM: &str = "upstream";
    pub const CACHE: &str = "cache";
    pub const CHECK: &str = "check";
    pub const VERSION: &str = "version";
}

use Kind::{Counter, Gauge, Histogram};

/// The families, in the order the README lists them.
pub const FAMILIES: &[Family] = &[
    Family {
        name: name::GRAPHQL_REQUESTS,
        kind: Counter,
        labels: &[label::OPERATION, label::OUTCOME],
        help: "GraphQL requests over HTTP by operation (its name once the document passed the limits and validation, `anonymous` without one, `other` otherwise) and outcome (ok, error, refused, rate_limited, shed, timeout).",
    },
    Family {
        name: name::GRAPHQL_REQUEST_DURATION,
        kind: Histogram,
        labels: &[label::OPERATION, label::OUTCOME],
        help: "Time from a GraphQL request's arrival to its answer, by operation and outcome.",
    },
    Family {
        name: name::GRAPHQL_ERRORS,
        kind: Counter,
        labels: &[label::CODE],
        help: "GraphQL errors answered over HTTP, by extensions.code.",
    },
    Family {
        name: name::QUERIES_REFUSED,
        kind: Counter,
        labels: &[label::LIMIT],
        help: "Documents refused by a query limit (tokens, cost, depth, aliases, rootFields, selectionFields, directives).",
    },
    Family {
        name: name::REQUESTS_SHED,
        kind: Counter,
        labels: &[label::REASON],
        help: "GraphQL requests shed with 503: at the concurrency limit, or a heavy query without a permit or budget.",
    },
    Family {
        name: name::RATE_LIMITED,
        kind: Counter,
        labels: &[label::CLIENT],
        help: "Requests refused with 429 by the rate limits, by client kind (agency, anonymous).",
    },
    Family {
        name: name::RATE_LIMIT_FALLBACKS,
        kind: Counter,
        labels: &[],
        help: "Rate-limit checks decided in process because Redis did not answer.",
    },
    Family {
        name: name::RATE_LIMIT_REDIS_UP,
        kind: Gauge,
        labels: &[],
        help: "Whether the rate limits are shared through Redis right now (only with redis_url).",
    },
    Family {
        name: name::SQL_STATEMENTS,
        kind: Counter,
        labels: &[],
        help: "SQL statements run by the hub's request pools.",
    },
    Family {
        name: name::SQL_STATEMENTS_FAILED,
        kind: Counter,
        labels: &[],
        help: "SQL statements that failed.",
    },
    Family {
        name: name::SQL_STATEMENT_DURATION,
        kind: Histogram,
        labels: &[],
        help: "Time one SQL statement took.",
    },
    Family {
        name: name::DB_POOL_CONNECTIONS,
        kind: Gauge,
        labels: &[label::POOL, label::STATE],
        help: "Open database connections by pool (main, heavy) and state (idle, in_use), when /metrics was read.",
    },
    Family {
        name: name::DB_POOL_MAX_CONNECTIONS,
        kind: Gauge,
        labels: &[label::POOL],
        help: "The most connections a pool opens.",
    },
    Family {
        name: name::UPSTREAM_CALLS,
        kind: Counter,
        labels: &[label::UPSTREAM, label::OUTCOME],
        help: "Calls to a national database (retries included in one call) by outcome (ok, timeout, unreachable, bad_status, malformed, rejected, circuit_open, busy).",
    },
    Family {
        name: name::UPSTREAM_CALL_DURATION,
        kind: Histogram,
        labels: &[label::UPSTREAM],
        help: "Time one call to a national database took, retries and token fetches included.",
    },
    Family {
        name: name::UPSTREAM_ATTEMPT_FAILURES,
        kind: Counter,
        labels: &[label::UPSTREAM],
        help: "Failed attempts of upstream calls, retried ones included.",
    },
    Family {
        name: name::UPSTREAM_CIRCUIT_STATE,
        kind: Gauge,
        labels: &[label::UPSTREAM],
        help: "Circuit breaker of a national database: 0 closed, 1 half-open (a trial may go), 2 open.",
    },
    Family {
        name: name::UPSTREAM_LAST_CALL_OK,
        kind: Gauge,
        labels: &[label::UPSTREAM],
        help: "Whether the last call to a national database succeeded (absent before the first call).",
    },
    Family {
        name: name::UPSTREAM_PROBE_OK,
        kind: Gauge,
        labels: &[label::UPSTREAM],
        help: "Whether the last probe (the background health probe or testUpstreamConnection: token, then probe call) succeeded.",
    },
    Family {
        name: name::ACCESS_LOG_BATCH_SIZE,
        kind: Histogram,
        labels: &[],
        help: "Access-log entries committed in one transaction by the group-commit writer.",
    },
    Family {
        name: name::ACCESS_LOG_COMMIT_DURATION,
        kind: Histogram,
        labels: &[],
        help: "Time one access-log batch took to commit (or fail).",
    },
    Family {
        name: name::ACCESS_LOG_WRITE_FAILURES,
        kind: Counter,
        labels: &[],
        help: "Access-log batches that could not be written (their lookups returned ACCESS_LOG_UNAVAILABLE and no data).",
    },
    Family {
        name: name::ACCESS_LOG_WAIT_DURATION,
        kind: Histogram,
        labels: &[],
        help: "Time a lookup waited for its access-log entry to be committed (the flush in progress, then its own), \
               counted from when it was queued, alongside the upstream call.",
    },
    Family {
        name: name::ACCESS_LOG_HELD_DURATION,
        kind: Histogram,
        labels: &[],
        help: "Time a lookup's answer was held back, after the upstream had answered, for its access-log entry to be \
               committed (0 when the entry was committed first): what the log adds to the lookup.",
    },
    Family {
        name: name::CACHE_HITS,
        kind: Counter,
        labels: &[label::CACHE],
        help: "Cache hits by cache (catalog_counts, catalog_provinces, catalog_agencies, responses, upstream_responses, documents).",
    },
    Family {
        name: name::CACHE_MISSES,
        kind: Counter,
        labels: &[label::CACHE],
        help: "Cache misses by cache (a cache whose TTL is 0 counts neither).",
    },
    Family {
        name: name::RESPONSE_CACHE_BYTES,
        kind: Gauge,
        labels: &[],
        help: "Bytes of anonymous catalog answers kept by the response cache (keys and bodies).",
    },
    Family {
        name: name::RESPONSE_CACHE_EVICTIONS,
        kind: Counter,
        labels: &[],
        help: "Answers the response cache dropped to stay within response_cache_bytes.",
    },
    Family {
        name: name::DOCUMENT_CACHE_BYTES,
        kind: Gauge,
        labels: &[],
        help: "Estimated bytes of parsed documents kept (only documents that validated).",
    },
    Family {
        name: name::SUBSCRIPTIONS,
        kind: Gauge,
        labels: &[],
        help: "Open GraphQL subscriptions of this process.",
    },
    Family {
        name: name::READINESS_CHECK_OK,
        kind: Gauge,
        labels: &[label::CHECK],
        help: "The last readiness check by check (database, migrations, access_log, redis): 1 ok, 0 not.",
    },
    Family {
        name: name::BUILD_INFO,
        kind: Gauge,
        labels: &[label::VERSION],
        help: "Always 1; the version of the hub in its label.",
    },
];

/// Bounds of the `_seconds` histograms: half a millisecond to ten seconds (the default request deadline).
pub const SECONDS_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Bounds of the access log's batch sizes (at most 512 a batch).
pub const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 512.0];
