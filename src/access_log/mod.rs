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
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement,
    TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

pub use chain::ChainKeys;

use crate::error::{Error, Result};

/// Entries committed together at most.
const MAX_BATCH: usize = 512;

/// One access to personal data, as the adapter layer reports it.
#[derive(Debug, Clone)]
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
}

type Reply = oneshot::Sender<std::result::Result<i64, ()>>;

/// The process's access log. Cheap to clone.
#[derive(Clone)]
pub struct AccessLog {
    queue: mpsc::Sender<(Access, Reply)>,
    keys: ChainKeys,
}

impl AccessLog {
    /// Starts the writer task over `db`.
    pub fn start(db: DatabaseConnection, keys: ChainKeys) -> AccessLog {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(db, keys.clone(), rx));
        AccessLog { queue, keys }
    }

    pub fn keys(&self) -> &ChainKeys {
        &self.keys
    }

    /// Records `access` and returns its sequence number once it is committed. An error means nothing may be returned.
    pub async fn record(&self, access: Access) -> Result<i64> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((access, reply))
            .await
            .map_err(|_| Error::AccessLogUnavailable)?;
        match answer.await {
            Ok(Ok(seq)) => Ok(seq),
            _ => Err(Error::AccessLogUnavailable),
        }
    }
}

async fn writer(db: DatabaseConnection, keys: ChainKeys, mut rx: mpsc::Receiver<(Access, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (accesses, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        match append(&db, &keys, &accesses).await {
            Ok(first_seq) => {
                for (i, reply) in replies.into_iter().enumerate() {
                    let _ = reply.send(Ok(first_seq + i as i64));
                }
            }
            Err(err) => {
                tracing::error!(error = %err, entries = replies.len(), "cannot write the access log");
                for reply in replies {
                    let _ = reply.send(Err(()));
                }
            }
        }
    }
}

/// Appends `accesses` to the chain in one transaction; returns the first new sequence number.
async fn append(
    db: &DatabaseConnection,
    keys: &ChainKeys,
    accesses: &[Access],
) -> std::result::Result<i64, sea_orm::DbErr> {
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
    let mut rows = Vec::with_capacity(accesses.len());
    for a in accesses {
        seq += 1;
        let subject_hash = keys.subject_hash(a.subject_kind, &a.subject_id);
        let fields = a.fields.join(",");
        let hash = keys.entry_hash(&chain::EntryFields {
            seq,
            at_ms,
            actor: &a.actor,
            agency_code: &a.agency_code,
            purpose: &a.purpose,
            purpose_ref: &a.purpose_ref,
            upstream: &a.upstream,
            operation: &a.operation,
            subject_hash: &subject_hash,
            fields: &fields,
            request_id: a.request_id.as_deref(),
            prev_hash: &prev,
        });
        rows.push(access_log_entry::ActiveModel {
            seq: Set(seq),
            at_ms: Set(at_ms),
            actor: Set(a.actor.clone()),
            agency_code: Set(a.agency_code.clone()),
            purpose: Set(a.purpose.clone()),
            purpose_ref: Set(a.purpose_ref.clone()),
            upstream: Set(a.upstream.clone()),
            operation: Set(a.operation.clone()),
            subject_hash: Set(subject_hash),
            fields: Set(fields),
            request_id: Set(a.request_id.clone()),
            prev_hash: Set(std::mem::replace(&mut prev, hash.clone())),
            hash: Set(hash),
        });
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
