//! Readiness: may a load balancer send this replica requests? A background task checks the dependencies about every
//! second, each with a short timeout of its own, and keeps the result; `GET /readyz` only reads it, so it answers at
//! once and never waits on a slow dependency.
//!
//! The checks: the database answers (over a connection of the checks' own, so that a busy request pool does not read
//! as an outage), every migration this build knows is applied, the access log's writer is running and its head row
//! readable (no personal data may be returned without it), and, only when Redis is configured, Redis answers. Redis is
//! not required: without it each replica keeps its rate limits alone, so it is reported as `degraded` and the replica
//! stays ready. A result older than [`STALE_AFTER`] (the checker stopped) is not ready.

use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};

use crate::{access_log::AccessLog, rate_limit::Limiter, telemetry::Metrics};

/// How often the dependencies are checked.
const EVERY: Duration = Duration::from_secs(1);
/// A report older than this means the checker is not running: not ready.
pub const STALE_AFTER: Duration = Duration::from_secs(10);

/// The state of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    /// A required dependency fails: not ready.
    Failing,
    /// An optional dependency fails: ready, with less (Redis: rate limits per process).
    Degraded,
    /// Not checked, because the database it needs is failing.
    Unknown,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Failing => "failing",
            State::Degraded => "degraded",
            State::Unknown => "unknown",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub state: State,
}

/// The last round of checks.
#[derive(Debug, Clone)]
pub struct Report {
    pub checked_at: Instant,
    pub checks: Vec<Check>,
}

impl Report {
    /// Ready: checked recently, and no check failing.
    pub fn ready(&self) -> bool {
        self.checked_at.elapsed() < STALE_AFTER
            && self.checks.iter().all(|c| c.state != State::Failing)
    }
}

/// What the checks look at.
pub struct Dependencies {
    /// The checks' own small pool (see `db::connect_probe`).
    pub probe: DatabaseConnection,
    pub access_log: AccessLog,
    pub rate_limit: Arc<Limiter>,
    pub metrics: Metrics,
}

/// The readiness of this process. Cheap to clone.
#[derive(Clone)]
pub struct Readiness(Arc<Inner>);

struct Inner {
    deps: Dependencies,
    report: RwLock<Report>,
}

impl Readiness {
    /// Checks once, so that the first `/readyz` already knows.
    pub async fn start(deps: Dependencies) -> Readiness {
        let checks = check(&deps).await;
        let readiness = Readiness(Arc::new(Inner {
            deps,
            report: RwLock::new(Report {
                checked_at: Instant::now(),
                checks: Vec::new(),
            }),
        }));
        readiness.publish(checks);
        readiness
    }

    /// The last report (no I/O).
    pub fn report(&self) -> Report {
        self.0
            .report
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Checks about every second, for as long as the returned future runs.
    pub async fn run(self) {
        let mut every = tokio::time::interval(EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            let checks = check(&self.0.deps).await;
            self.publish(checks);
        }
    }

    /// Keeps `checks` as the report, logging each change of state once.
    fn publish(&self, checks: Vec<Check>) {
        let mut report = self.0.report.write().unwrap_or_else(|p| p.into_inner());
        for check in &checks {
            let before = report.checks.iter().find(|c| c.name == check.name);
            let was = before.map(|c| c.state);
            if was != Some(check.state) && !(was.is_none() && check.state == State::Ok) {
                match check.state {
                    State::Ok => tracing::info!(check = check.name, "readiness check passes again"),
                    state => tracing::warn!(
                        check = check.name,
                        state = state.as_str(),
                        "readiness check fails"
                    ),
                }
            }
            self.0
                .deps
                .metrics
                .readiness_check(check.name, check.state == State::Ok);
        }
        *report = Report {
            checked_at: Instant::now(),
            checks,
        };
    }
}

/// One round: the database first; what needs it only when it answers.
async fn check(deps: &Dependencies) -> Vec<Check> {
    let database = within(deps.probe.ping()).await;
    if let Err(err) = &database {
        tracing::debug!(error = %err, "readiness: the database does not answer");
    }
    let (migrations, access_log) = match database {
        Ok(()) => {
            let (migrations, head) = tokio::join!(
                within(migrations_applied(&deps.probe)),
                within(head_readable(&deps.probe))
            );
            let head = head.and_then(|()| match deps.access_log.writer_running() {
                true => Ok(()),
                false => Err(DbErr::Custom("the access-log writer stopped".into())),
            });
            (state(migrations), state(head))
        }
        Err(_) => (State::Unknown, State::Unknown),
    };
    let mut checks = vec![
        Check {
            name: "database",
            state: state(database),
        },
        Check {
            name: "migrations",
            state: migrations,
        },
        Check {
            name: "access_log",
            state: access_log,
        },
    ];
    if let Some(up) = deps.rate_limit.redis_ping().await {
        checks.push(Check {
            name: "redis",
            state: if up { State::Ok } else { State::Degraded },
        });
    }
    checks
}

fn state(result: Result<(), DbErr>) -> State {
    match result {
        Ok(()) => State::Ok,
        Err(err) => {
            tracing::debug!(error = %err, "readiness check failed");
            State::Failing
        }
    }
}

/// `check` within the probe's timeout.
async fn within(check: impl std::future::Future<Output = Result<(), DbErr>>) -> Result<(), DbErr> {
    tokio::time::timeout(crate::db::PROBE_TIMEOUT, check)
        .await
        .unwrap_or_else(|_| Err(DbErr::Custom("no answer in time".into())))
}

/// Every migration of this build is recorded as applied (a newer replica's extra ones are fine).
async fn migrations_applied(db: &DatabaseConnection) -> Result<(), DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations",
        ))
        .await?;
    let applied: Vec<String> = rows
        .iter()
        .map(|row| row.try_get::<String>("", "version"))
        .collect::<Result<_, _>>()?;
    match Migrator::migrations()
        .iter()
        .find(|m| !applied.iter().any(|a| a == m.name()))
    {
        None => Ok(()),
        Some(pending) => Err(DbErr::Custom(format!(
            "migration {} is pending",
            pending.name()
        ))),
    }
}

/// The access log's head row, which every batch locks and moves, can be read.
async fn head_readable(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT seq FROM access_log_head WHERE id = 1",
    ))
    .await?
    .map(drop)
    .ok_or_else(|| DbErr::RecordNotFound("access_log_head".into()))
}
