//! The personal-data access log: every access to personal data through the hub is recorded (who, agency, purpose,
//! upstream, a keyed hash of the subject, the fields returned, request id, time) *before* the data is returned, and
//! the caller gets no data when the entry cannot be written. Entries never hold the values returned.
//!
//! Entries are chained: each holds the previous entry's hash, and hashes are HMACs under a key the database never sees
//! ([`chain`]), so `lgsp-hub audit verify` ([`verify`]) finds any edited, deleted, inserted or reordered entry.
//!
//! Writes go through one writer task per process that commits waiting entries together (group commit): under load,
//! a thousand concurrent lookups cost a handful of transactions, not a thousand serialised ones. Across replicas the
//! writers serialise on the head row (`SELECT … FOR UPDATE` on PostgreSQL).

pub mod chain;
pub mod verify;

use entities::access_log_entry;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel,
    Statement, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

pub use chain::ChainKeys;

use crate::error::{Error, Result};
use crate::telemetry::metrics::AccessLogMetrics;

/// Entries committed together at most.
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
            .finish_non_exhaustive()
    }
}

/// An access waiting for the writer: whom to tell when it is committed, and the span of the lookup that waits.
struct Pending {
    access: Access,
    reply: oneshot::Sender<std::result::Result<i64, ()>>,
    span: tracing::Span,
}

/// The process's access log. Cheap to clone.
#[derive(Clone)]
pub struct AccessLog {
    queue: mpsc::Sender<Pending>,
    keys: ChainKeys,
}

impl AccessLog {
    /// Starts the writer task over `db`, its batches counted in `metrics`.
    pub fn start(db: DatabaseConnection, keys: ChainKeys, metrics: AccessLogMetrics) -> AccessLog {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(db, keys.clone(), rx, metrics));
        AccessLog { queue, keys }
    }

    /// Whether the writer task still takes entries (it stops only if it panicked, or with the runtime).
    pub fn writer_running(&self) -> bool {
        !self.queue.is_closed()
    }

    pub fn keys(&self) -> &ChainKeys {
        &self.keys
    }

    /// Records `access` and returns its sequence number once it is committed. An error means nothing may be returned.
    #[tracing::instrument(
        skip_all,
        fields(upstream = %access.upstream, operation = %access.operation, seq = tracing::field::Empty)
    )]
    pub async fn record(&self, access: Access) -> Result<i64> {
        let (reply, answer) = oneshot::channel();
        let span = tracing::Span::current();
        self.queue
            .send(Pending {
                access,
                reply,
                span: span.clone(),
            })
            .await
            .map_err(|_| Error::AccessLogUnavailable)?;
        match answer.await {
            Ok(Ok(seq)) => {
                span.record("seq", seq);
                Ok(seq)
            }
            _ => Err(Error::AccessLogUnavailable),
        }
    }
}

async fn writer(
    db: DatabaseConnection,
    keys: ChainKeys,
    mut rx: mpsc::Receiver<Pending>,
    metrics: AccessLogMetrics,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let started = std::time::Instant::now();
        let written = append(&db, &keys, &batch).await;
        metrics.batch(
            batch.len(),
            started.elapsed().as_secs_f64(),
            written.is_err(),
        );
        if let Err(err) = &written {
            tracing::error!(error = %err, entries = batch.len(), "cannot write the access log");
        }
        for (i, pending) in batch.drain(..).enumerate() {
            let _ = pending.reply.send(match &written {
                Ok(first_seq) => Ok(first_seq + i as i64),
                Err(_) => Err(()),
            });
        }
    }
}

/// Appends the `pending` accesses to the chain in one transaction; returns the first new sequence number.
#[tracing::instrument(skip_all, fields(entries = pending.len()))]
async fn append(
    db: &DatabaseConnection,
    keys: &ChainKeys,
    pending: &[Pending],
) -> std::result::Result<i64, sea_orm::DbErr> {
    // One write serves many lookups: linking it to each of their spans lets a request's trace show the write it
    // waited for.
    let span = tracing::Span::current();
    for p in pending {
        span.follows_from(&p.span);
    }
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let lock = if backend == DbBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let head = txn
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT seq, hash FROM access_log_head WHERE id = 1{lock}"),
        ))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("access_log_head".into()))?;
    let mut seq: i64 = head.try_get("", "seq")?;
    let mut prev: String = head.try_get("", "hash")?;
    let first = seq + 1;
    let at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut rows = Vec::with_capacity(pending.len());
    for Pending { access: a, .. } in pending {
        seq += 1;
        let mut row = access_log_entry::Model {
            seq,
            at_ms,
            actor: a.actor.clone(),
            agency_code: a.agency_code.clone(),
            purpose: a.purpose.clone(),
            purpose_ref: a.purpose_ref.clone(),
            upstream: a.upstream.clone(),
            operation: a.operation.clone(),
            subject_hash: keys.subject_hash(a.subject_kind, &a.subject_id),
            fields: a.fields.join(","),
            request_id: a.request_id.clone(),
            grant_id: a.grant_id,
            prev_hash: prev,
            hash: String::new(),
        };
        row.hash = keys.entry_hash(&row);
        prev = row.hash.clone();
        rows.push(row.into_active_model().reset_all());
    }
    access_log_entry::Entity::insert_many(rows)
        .exec(&txn)
        .await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            DbBackend::Postgres => "UPDATE access_log_head SET seq = $1, hash = $2 WHERE id = 1",
            _ => "UPDATE access_log_head SET seq = ?, hash = ? WHERE id = 1",
        },
        [seq.into(), prev.into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(first)
}
