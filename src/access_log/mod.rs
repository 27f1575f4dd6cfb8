//! The personal-data access log: every access to personal data through the hub is recorded (who, agency, purpose,
//! upstream, a keyed hash of the subject, the fields asked for, request id, time) *before* the data is returned, and
//! the caller gets no data when the entry cannot be written. Entries never hold the values returned.
//!
//! A lookup's entry is written while the upstream call is in flight (the federation layer runs both at once), so its
//! commit hides behind the upstream's latency instead of adding to it; it records what the hub asked for, about whom
//! and why, which is known before the answer. A lookup that returned nothing (no such person, the upstream failed)
//! gets a second entry saying so, linked to the first (`nothing_returned_for`).
//!
//! Entries are chained: each holds the previous entry's hash, and hashes are HMACs under a key the database never sees
//! ([`chain`]), so `lgsp-hub audit verify` ([`verify`]) finds any edited, deleted, inserted or reordered entry.
//!
//! Writes go through one writer task per process that commits waiting entries together (group commit): under load,
//! a thousand concurrent lookups cost a handful of writes, not a thousand serialised ones. The writer pipelines its
//! batches ([`writer`]): the next batch is linked while the previous one flushes, onto the chain head it keeps in
//! memory, and is written as soon as that flush is done, so a lookup waits for the flush in progress and its own. Across
//! replicas the writers serialise on the head row: a batch lands only if the stored head is the one it was linked onto
//! ([`append`]).

pub mod append;
pub mod chain;
pub mod verify;
mod writer;

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

pub use chain::ChainKeys;

use crate::error::{Error, Result};
use crate::telemetry::metrics::AccessLogMetrics;

/// Entries committed together at most (PostgreSQL binds 15 values per entry, under its limit of 65,535).
const MAX_BATCH: usize = 512;

/// One access to personal data, as the adapter layer reports it. Its `Debug` leaves the identifier out.
#[derive(Clone)]
pub struct Access {
    pub actor: String,
    pub agency_code: String,
    pub purpose: String,
    pub purpose_ref: String,
    pub upstream: String,
    pub operation: String,
    /// The kind of identifier (`citizen`, `enterprise`, ...) and the identifier; only its keyed hash is stored.
    pub subject_kind: &'static str,
    pub subject_id: String,
    pub fields: Vec<String>,
    pub request_id: Option<String>,
    /// The data-sharing grant the access relied on.
    pub grant_id: Option<i64>,
    /// For the entry recording that a lookup returned nothing: the sequence number of the lookup's entry.
    pub nothing_returned_for: Option<i64>,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("upstream", &self.upstream)
            .field("operation", &self.operation)
            .field("subject_kind", &self.subject_kind)
            .field("subject_id", &"***")
            .field("fields", &self.fields)
            .field("grant_id", &self.grant_id)
            .field("nothing_returned_for", &self.nothing_returned_for)
            .finish_non_exhaustive()
    }
}

/// Accesses waiting for the writer, as one group: they are written in the same batch, one after the other, so they
/// are committed together or not at all. Whom to tell (the first one's sequence number) and the span that waits.
struct Pending {
    accesses: Vec<Access>,
    reply: oneshot::Sender<std::result::Result<i64, ()>>,
    span: tracing::Span,
}

/// The process's access log. Cheap to clone.
#[derive(Clone)]
pub struct AccessLog {
    queue: mpsc::Sender<Pending>,
    keys: ChainKeys,
    metrics: AccessLogMetrics,
}

impl AccessLog {
    /// Starts the writer task over `db`, its batches counted in `metrics`.
    pub fn start(db: DatabaseConnection, keys: ChainKeys, metrics: AccessLogMetrics) -> AccessLog {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer::run(db, keys.clone(), rx, metrics.clone()));
        AccessLog {
            queue,
            keys,
            metrics,
        }
    }

    /// Whether the writer task still takes entries (it stops only if it panicked, or with the runtime).
    pub fn writer_running(&self) -> bool {
        !self.queue.is_closed()
    }

    pub fn keys(&self) -> &ChainKeys {
        &self.keys
    }

    /// Runs `call` while `accesses` are recorded, and returns when both are done: the call's output and the entries'
    /// sequence numbers, in order (an error if any could not be written). The time the call's output then waited for
    /// the entries is what the log added to the lookup (`lgsp_access_log_held_answer_seconds`).
    pub async fn record_alongside<T>(
        &self,
        accesses: Vec<Access>,
        call: impl std::future::Future<Output = T>,
    ) -> (T, Result<Vec<i64>>) {
        let call = async {
            let output = call.await;
            (output, std::time::Instant::now())
        };
        let logging = async {
            let entries = self.record_all(accesses).await;
            (entries, std::time::Instant::now())
        };
        let ((output, answered), (entries, committed)) = tokio::join!(call, logging);
        self.metrics
            .held(committed.saturating_duration_since(answered).as_secs_f64());
        (output, entries)
    }

    /// Records `access` and returns its sequence number once it is committed. An error means nothing may be returned.
    pub async fn record(&self, access: Access) -> Result<i64> {
        let seqs = self.record_all(vec![access]).await?;
        seqs.first().copied().ok_or(Error::AccessLogUnavailable)
    }

    /// Records `accesses` together: they are committed in one batch, in order, or none of them is (a lookup of many
    /// people never leaves some of its entries written and the others not). Returns their sequence numbers once
    /// committed; at most [`MAX_BATCH`] accesses. An error means nothing may be returned.
    #[tracing::instrument(
        name = "record",
        skip_all,
        fields(
            upstream = accesses.first().map(|a| a.upstream.as_str()),
            operation = accesses.first().map(|a| a.operation.as_str()),
            entries = accesses.len(),
            seq = tracing::field::Empty
        )
    )]
    pub async fn record_all(&self, accesses: Vec<Access>) -> Result<Vec<i64>> {
        let count = accesses.len();
        if count == 0 {
            return Ok(Vec::new());
        }
        if count > MAX_BATCH {
            // The writer's batches are bounded (PostgreSQL's bind limit); callers send at most a lookup's people.
            tracing::error!(
                entries = count,
                "an access-log group larger than a batch was refused"
            );
            return Err(Error::AccessLogUnavailable);
        }
        let (reply, answer) = oneshot::channel();
        let span = tracing::Span::current();
        let started = std::time::Instant::now();
        self.queue
            .send(Pending {
                accesses,
                reply,
                span: span.clone(),
            })
            .await
            .map_err(|_| Error::AccessLogUnavailable)?;
        let answer = answer.await;
        self.metrics.waited(started.elapsed().as_secs_f64());
        match answer {
            Ok(Ok(first)) => {
                span.record("seq", first);
                Ok((first..).take(count).collect())
            }
            _ => Err(Error::AccessLogUnavailable),
        }
    }
}
