//! The hub's error type and its one mapping to GraphQL errors with stable `extensions.code` values.
//!
//! Internal causes (database errors) are logged once here, with a correlation id, and never returned to the client.

use async_graphql::ErrorExtensions;

use crate::upstream::UpstreamError;

/// Stable `extensions.code` values of the GraphQL API.
pub mod code {
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const CONFLICT: &str = "CONFLICT";
    pub const INTERNAL: &str = "INTERNAL_SERVER_ERROR";
    pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The HTTP request itself is malformed (not JSON, missing `query`, wrong media type).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// An upstream national database failed, timed out or refused; `extensions.upstream` names it.
    pub const UPSTREAM_UNAVAILABLE: &str = "UPSTREAM_UNAVAILABLE";
    pub const UPSTREAM_TIMEOUT: &str = "UPSTREAM_TIMEOUT";
    pub const UPSTREAM_REJECTED: &str = "UPSTREAM_REJECTED";
    /// The database could not be reached (down, restarting, or no connection free within `db_acquire_timeout_ms`);
    /// nothing was written. Retry shortly.
    pub const DATABASE_UNAVAILABLE: &str = "DATABASE_UNAVAILABLE";
    /// Personal data was not returned because its access could not be logged.
    pub const ACCESS_LOG_UNAVAILABLE: &str = "ACCESS_LOG_UNAVAILABLE";
    /// The document exceeds a limit (`extensions.limit`, `cost`, `maximum`); refused before anything ran.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// The request ran past its deadline and was cancelled.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// The hub is at its concurrency limit; retry after `Retry-After`.
    pub const OVERLOADED: &str = "OVERLOADED";
    /// An automatic persisted query's hash is unknown: send the document with it.
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    /// Only trusted documents run here: send the hash of one.
    pub const PERSISTED_QUERY_REQUIRED: &str = "PERSISTED_QUERY_REQUIRED";
    /// The client spent its request budget (HTTP 429); `extensions.retryAfter` says in how many seconds to retry.
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// The request body is larger than `body_limit_bytes` (HTTP 413; the message gives the limit).
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";

    /// Every code above: the closed set that metrics label errors with.
    pub const ALL: [&str; 22] = [
        BAD_USER_INPUT,
        NOT_FOUND,
        UNAUTHENTICATED,
        FORBIDDEN,
        CONFLICT,
        INTERNAL,
        VALIDATION_FAILED,
        PARSE_FAILED,
        BAD_REQUEST,
        UPSTREAM_UNAVAILABLE,
        UPSTREAM_TIMEOUT,
        UPSTREAM_REJECTED,
        DATABASE_UNAVAILABLE,
        ACCESS_LOG_UNAVAILABLE,
        QUERY_TOO_COMPLEX,
        TIMEOUT,
        OVERLOADED,
        PERSISTED_QUERY_NOT_FOUND,
        PERSISTED_QUERY_REQUIRED,
        RATE_LIMITED,
        PAYLOAD_TOO_LARGE,
        OTHER,
    ];

    /// What metrics call a code outside the set (none is expected: every error gets one of the above).
    pub const OTHER: &str = "OTHER";

    /// `code` as one of [`ALL`], so that a label holds a static string and no client can add values.
    pub fn known(code: &str) -> &'static str {
        ALL.iter().find(|c| **c == code).copied().unwrap_or(OTHER)
    }
}

/// Stable `extensions.reason` values: why a `FORBIDDEN` was answered, where a client can act on it.
pub mod reason {
    /// No active data-sharing grant of the caller's agency covers the lookup (service, fields, purpose, period).
    pub const NO_GRANT: &str = "NO_GRANT";
}

/// Errors of the service and store layers.
///
/// Deliberately not `Display`: async-graphql converts any `Display` error with `?`, which would drop the code. Without
/// it, the only way to a GraphQL error is the mapping below.
#[derive(Debug)]
pub enum Error {
    /// The input is malformed; `field` names the argument or input field at fault.
    BadInput { field: String, message: String },
    /// The requested object does not exist.
    NotFound { what: String },
    /// The request needs a (valid) token.
    Unauthenticated,
    /// The caller may not do this: a scope is missing, or the row belongs to another agency.
    Forbidden { message: String },
    /// An optimistic-concurrency check failed: the row changed since the caller read it.
    Conflict { message: String },
    /// A database failure; the cause is logged, not shown.
    Database(sea_orm::DbErr),
    /// The access log could not record an access, so its data is withheld (the cause is logged where it happened).
    AccessLogUnavailable,
    /// The document exceeds one of the query limits.
    TooComplex {
        limit: &'static str,
        cost: usize,
        maximum: usize,
    },
    /// The hub is at a concurrency limit; the request did not run.
    Overloaded,
    /// The document is not valid GraphQL for this schema.
    InvalidDocument { message: String },
    /// An upstream call failed; the upstream's name and a safe reason, never its body.
    Upstream {
        upstream: String,
        cause: UpstreamError,
    },
    /// The caller's agency holds no active data-sharing grant that covers the lookup (`FORBIDDEN`, reason
    /// `NO_GRANT`); nothing was called upstream.
    NoGrant { upstream: String, message: String },
    /// The grant's daily quota is spent (`RATE_LIMITED`, with the quota in `extensions`).
    QuotaExceeded {
        upstream: String,
        limit: u32,
        used: u64,
        /// Seconds until the quota's day ends.
        retry_after_s: u64,
    },
}

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        Error::Database(err)
    }
}

impl Error {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Forbidden {
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Error::Conflict {
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for async_graphql::Error {
    fn from(err: Error) -> Self {
        match err {
            Error::BadInput { field, message } => {
                async_graphql::Error::new(message).extend_with(|_, e| {
                    e.set("code", code::BAD_USER_INPUT);
                    e.set("field", field.clone());
                })
            }
            Error::NotFound { what } => async_graphql::Error::new(format!("{what} not found"))
                .extend_with(|_, e| e.set("code", code::NOT_FOUND)),
            Error::Unauthenticated => async_graphql::Error::new("this needs a bearer token")
                .extend_with(|_, e| e.set("code", code::UNAUTHENTICATED)),
            Error::Forbidden { message } => async_graphql::Error::new(message)
                .extend_with(|_, e| e.set("code", code::FORBIDDEN)),
            Error::Conflict { message } => {
                async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code::CONFLICT))
            }
            Error::Upstream { upstream, cause } => {
                async_graphql::Error::new(format!("{upstream}: {cause}")).extend_with(|_, e| {
                    e.set("code", upstream_code(&cause));
                    e.set("upstream", upstream.clone());
                })
            }
            Error::NoGrant { upstream, message } => async_graphql::Error::new(message)
                .extend_with(|_, e| {
                    e.set("code", code::FORBIDDEN);
                    e.set("reason", reason::NO_GRANT);
                    e.set("upstream", upstream.clone());
                }),
            Error::QuotaExceeded {
                upstream,
                limit,
                used,
                retry_after_s,
            } => async_graphql::Error::new(format!(
                "{upstream}: the daily quota of your agency's grant ({limit} calls a day) is spent; it renews at midnight (Vietnam time)"
            ))
            .extend_with(|_, e| {
                e.set("code", code::RATE_LIMITED);
                e.set("upstream", upstream.clone());
                e.set("retryAfter", retry_after_s);
                let mut quota = async_graphql::indexmap::IndexMap::new();
                quota.insert(async_graphql::Name::new("limit"), async_graphql::Value::from(limit));
                quota.insert(async_graphql::Name::new("used"), async_graphql::Value::from(used));
                quota.insert(async_graphql::Name::new("period"), async_graphql::Value::from("DAY"));
                e.set("quota", async_graphql::Value::Object(quota));
            }),
            Error::TooComplex {
                limit,
                cost,
                maximum,
            } => async_graphql::Error::new(format!(
                "the query exceeds the hub's `{limit}` limit ({cost} > {maximum}); ask for fewer or smaller pages"
            ))
            .extend_with(|_, e| {
                e.set("code", code::QUERY_TOO_COMPLEX);
                e.set("limit", limit);
                e.set("cost", cost);
                e.set("maximum", maximum);
            }),
            Error::Overloaded => async_graphql::Error::new(
                "the hub is at its limit of concurrent heavy queries; retry shortly or ask for less",
            )
            .extend_with(|_, e| e.set("code", code::OVERLOADED)),
            Error::InvalidDocument { message } => async_graphql::Error::new(message)
                .extend_with(|_, e| e.set("code", code::VALIDATION_FAILED)),
            Error::AccessLogUnavailable => async_graphql::Error::new(
                "the access could not be logged, so no personal data is returned; try again later",
            )
            .extend_with(|_, e| e.set("code", code::ACCESS_LOG_UNAVAILABLE)),
            Error::Database(cause) => {
                let incident = next_incident_id();
                if let Some((code, message)) = refused_by_constraint(&cause) {
                    tracing::warn!(incident, error = %cause, "a database constraint refused a write");
                    return async_graphql::Error::new(format!("{message} (incident {incident})"))
                        .extend_with(|_, e| e.set("code", code));
                }
                if database_unreachable(&cause) {
                    // An outage, not a bug: readiness reports it once a second, so one WARN per request is enough.
                    tracing::warn!(incident, error = %cause, "database unavailable");
                    return async_graphql::Error::new(format!(
                        "the database is unavailable; nothing was written, try again shortly (incident {incident})"
                    ))
                    .extend_with(|_, e| e.set("code", code::DATABASE_UNAVAILABLE));
                }
                tracing::error!(incident, error = %cause, "database error");
                async_graphql::Error::new(format!("internal error (incident {incident})"))
                    .extend_with(|_, e| e.set("code", code::INTERNAL))
            }
        }
    }
}

/// The code and message of a write that a database constraint refused: the backstop behind the store's own checks,
/// which name the field at fault. Neither the constraint nor the statement is shown: the cause is logged.
fn refused_by_constraint(cause: &sea_orm::DbErr) -> Option<(&'static str, &'static str)> {
    use sea_orm::{sqlx::error::ErrorKind, DbErr, RuntimeErr};
    let (DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err))) =
        cause
    else {
        return None;
    };
    match err.as_database_error()?.kind() {
        ErrorKind::ForeignKeyViolation => Some((
            code::CONFLICT,
            "the write refers to a row that does not exist, or removes one that others refer to: read the rows \
             again",
        )),
        ErrorKind::UniqueViolation => Some((
            code::CONFLICT,
            "another row already has this key: read the rows again",
        )),
        ErrorKind::CheckViolation | ErrorKind::NotNullViolation => Some((
            code::BAD_USER_INPUT,
            "a value is outside what the registry accepts",
        )),
        _ => None,
    }
}

/// Whether `cause` is the database being out of reach rather than a statement failing: no connection could be had
/// (refused, reset, pool timed out or closed), or PostgreSQL is shutting down, restarting or refusing connections
/// (SQLSTATE classes 08, connection exception, and 57P, operator intervention).
fn database_unreachable(cause: &sea_orm::DbErr) -> bool {
    use sea_orm::{sqlx, DbErr, RuntimeErr};
    let err = match cause {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(err))
        | DbErr::Exec(RuntimeErr::SqlxError(err))
        | DbErr::Query(RuntimeErr::SqlxError(err)) => err,
        _ => return false,
    };
    match err.as_ref() {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// The `extensions.code` of an upstream failure: here, with every other code, so that `upstream` depends on nothing
/// above it.
pub fn upstream_code(cause: &UpstreamError) -> &'static str {
    match cause {
        UpstreamError::Timeout => code::UPSTREAM_TIMEOUT,
        UpstreamError::Rejected { .. } => code::UPSTREAM_REJECTED,
        _ => code::UPSTREAM_UNAVAILABLE,
    }
}

fn next_incident_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database};

    use super::*;

    /// The error a write that `sql` makes gets, through the one mapping.
    async fn mapped(db: &sea_orm::DatabaseConnection, sql: &str) -> async_graphql::Error {
        let cause = db.execute_unprepared(sql).await.expect_err("refused");
        Error::from(cause).into()
    }

    fn code_of(err: &async_graphql::Error) -> String {
        let extensions = err.extensions.as_ref().expect("extensions");
        match extensions.get("code") {
            Some(async_graphql::Value::String(code)) => code.clone(),
            other => panic!("no code: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_write_a_constraint_refuses_gets_a_code_and_no_sql() {
        let db = Database::connect("sqlite::memory:")
            .await
            .expect("database");
        db.execute_unprepared(
            "CREATE TABLE parent (id TEXT PRIMARY KEY);
             CREATE TABLE child (parent_id TEXT REFERENCES parent (id), n INTEGER NOT NULL CHECK (n >= 0));
             INSERT INTO parent VALUES ('p');",
        )
        .await
        .expect("schema");
        let cases = [
            ("INSERT INTO child VALUES ('none', 1)", code::CONFLICT),
            ("INSERT INTO parent VALUES ('p')", code::CONFLICT),
            ("INSERT INTO child VALUES ('p', -1)", code::BAD_USER_INPUT),
            ("INSERT INTO child VALUES ('p', NULL)", code::BAD_USER_INPUT),
        ];
        for (sql, expected) in cases {
            let err = mapped(&db, sql).await;
            assert_eq!(code_of(&err), expected, "{sql}: {}", err.message);
            let text = err.message.to_lowercase();
            for leak in ["constraint", "insert", "child", "sqlite", "foreign"] {
                assert!(
                    !text.contains(leak),
                    "{sql}: leaks `{leak}`: {}",
                    err.message
                );
            }
        }
        // Anything else stays internal.
        let err = mapped(&db, "INSERT INTO nowhere VALUES (1)").await;
        assert_eq!(code_of(&err), code::INTERNAL);
    }
}
