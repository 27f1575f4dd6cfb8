//! The access log's SQL: a batch of entries appended to the chain, and the head row moved on to its last entry in the
//! same atomic write.
//!
//! The writer keeps the head in memory and links a batch onto it before writing ([`append_after`]): one statement on
//! PostgreSQL (the head's update and the entries' insert in one autocommit statement, so a lookup pays one round trip
//! and one WAL flush), one short transaction on SQLite. The write only lands if the stored head is still the one the
//! batch was linked onto; otherwise (another replica wrote, or the head is gone) nothing is written and the writer falls
//! back to reading the head under lock ([`append_locked`]), as every write did before the head lived in memory.

use entities::access_log_entry;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    IntoActiveModel, Statement, TransactionTrait, Value,
};

use super::{Access, ChainKeys};

/// The chain's last entry: its sequence number and hash (`0` and `""` before the first entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// The entry recording `access` after `head`, hashed, at `at_ms`; `head` moves on to it.
pub fn link(
    keys: &ChainKeys,
    head: &mut Head,
    access: &Access,
    at_ms: i64,
) -> access_log_entry::Model {
    let mut row = access_log_entry::Model {
        seq: head.seq + 1,
        at_ms,
        actor: access.actor.clone(),
        agency_code: access.agency_code.clone(),
        purpose: access.purpose.clone(),
        purpose_ref: access.purpose_ref.clone(),
        upstream: access.upstream.clone(),
        operation: access.operation.clone(),
        subject_hash: keys.subject_hash(access.subject_kind, &access.subject_id),
        fields: access.fields.join(","),
        request_id: access.request_id.clone(),
        grant_id: access.grant_id,
        nothing_returned_for: access.nothing_returned_for,
        prev_hash: std::mem::take(&mut head.hash),
        hash: String::new(),
    };
    row.hash = keys.entry_hash(&row);
    head.seq = row.seq;
    head.hash.clone_from(&row.hash);
    row
}

/// Milliseconds since the Unix epoch, as entries record them.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The head after `rows`, which follow `base`.
fn end_of(base: &Head, rows: &[access_log_entry::Model]) -> Head {
    rows.last().map_or_else(
        || base.clone(),
        |r| Head {
            seq: r.seq,
            hash: r.hash.clone(),
        },
    )
}

/// Writes `rows`, linked onto `base`, if the stored head is still `base`. `Ok(false)`: the stored head is not `base`
/// (moved by another replica, rewound or missing) and nothing was written.
#[tracing::instrument(skip_all, fields(entries = rows.len()))]
pub async fn append_after(
    db: &DatabaseConnection,
    base: &Head,
    rows: &[access_log_entry::Model],
) -> Result<bool, DbErr> {
    let end = end_of(base, rows);
    match db.get_database_backend() {
        DbBackend::Postgres => {
            // Data-modifying CTEs run exactly once whatever the outer query reads, and the insert selects its rows only
            // if the head's update matched: both land together or neither does, in one statement.
            let inserted = db
                .execute_raw(postgres_append(base, &end, rows))
                .await?
                .rows_affected();
            Ok(inserted == rows.len() as u64)
        }
        backend => {
            let txn = db.begin().await?;
            // The update comes first so that the transaction takes SQLite's write lock before it reads anything (a
            // read first would make a concurrent writer's commit fail this one instead of waiting for it).
            let moved = txn
                .execute_raw(move_head(backend, base, &end))
                .await?
                .rows_affected();
            if moved != 1 {
                txn.rollback().await?;
                return Ok(false);
            }
            insert(&txn, rows).await?;
            txn.commit().await?;
            Ok(true)
        }
    }
}

/// Reads the stored head under lock, links `accesses` onto it and writes them; returns the rows written. The path
/// when the head in memory is unknown (at start, after a failure) or stale (another replica wrote).
#[tracing::instrument(skip_all, fields(entries = accesses.len()))]
pub(super) async fn append_locked(
    db: &DatabaseConnection,
    keys: &ChainKeys,
    accesses: &[&Access],
) -> Result<Vec<access_log_entry::Model>, DbErr> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let lock = match backend {
        DbBackend::Postgres => " FOR UPDATE",
        _ => {
            // SQLite has no row lock: a write takes the database's, before the read (see `append_after`).
            txn.execute_unprepared("UPDATE access_log_head SET seq = seq WHERE id = 1")
                .await?;
            ""
        }
    };
    let stored = txn
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT seq, hash FROM access_log_head WHERE id = 1{lock}"),
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("access_log_head".into()))?;
    let base = Head {
        seq: stored.try_get("", "seq")?,
        hash: stored.try_get("", "hash")?,
    };
    let mut head = base.clone();
    let at_ms = now_ms();
    let rows: Vec<_> = accesses
        .iter()
        .map(|a| link(keys, &mut head, a, at_ms))
        .collect();
    insert(&txn, &rows).await?;
    let moved = txn
        .execute_raw(move_head(backend, &base, &head))
        .await?
        .rows_affected();
    if moved != 1 {
        // Cannot happen under the lock; refusing is the safe answer if it does.
        txn.rollback().await?;
        return Err(DbErr::RecordNotUpdated);
    }
    txn.commit().await?;
    Ok(rows)
}

async fn insert(txn: &impl ConnectionTrait, rows: &[access_log_entry::Model]) -> Result<(), DbErr> {
    access_log_entry::Entity::insert_many(
        rows.iter()
            .map(|r| r.clone().into_active_model().reset_all()),
    )
    .exec(txn)
    .await?;
    Ok(())
}

/// `UPDATE` of the head from `from` to `to`, matching only if the stored head is `from`.
fn move_head(backend: DbBackend, from: &Head, to: &Head) -> Statement {
    Statement::from_sql_and_values(
        backend,
        match backend {
            DbBackend::Postgres => {
                "UPDATE access_log_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3 AND hash = $4"
            }
            _ => "UPDATE access_log_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ? AND hash = ?",
        },
        [
            to.seq.into(),
            to.hash.clone().into(),
            from.seq.into(),
            from.hash.clone().into(),
        ],
    )
}

/// The columns of `access_log`, in the order [`postgres_append`] binds them.
const COLUMNS: &str =
    "seq, at_ms, actor, agency_code, purpose, purpose_ref, upstream, operation, subject_hash, \
                       fields, request_id, prev_hash, grant_id, nothing_returned_for, hash";
const PER_ROW: usize = 15;

/// The one PostgreSQL statement of [`append_after`]: move the head from `base` to `end`, and insert `rows` only if it
/// moved.
fn postgres_append(base: &Head, end: &Head, rows: &[access_log_entry::Model]) -> Statement {
    let mut sql = format!(
        "WITH head AS (UPDATE access_log_head SET seq = $1, hash = $2 \
         WHERE id = 1 AND seq = $3 AND hash = $4 RETURNING id) \
         INSERT INTO access_log ({COLUMNS}) SELECT v.* FROM (VALUES "
    );
    let mut values: Vec<Value> = Vec::with_capacity(4 + rows.len() * PER_ROW);
    values.extend([
        end.seq.into(),
        end.hash.clone().into(),
        base.seq.into(),
        base.hash.clone().into(),
    ]);
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..PER_ROW {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", values.len() + c + 1));
        }
        sql.push(')');
        values.extend([
            r.seq.into(),
            r.at_ms.into(),
            r.actor.clone().into(),
            r.agency_code.clone().into(),
            r.purpose.clone().into(),
            r.purpose_ref.clone().into(),
            r.upstream.clone().into(),
            r.operation.clone().into(),
            r.subject_hash.clone().into(),
            r.fields.clone().into(),
            r.request_id.clone().into(),
            r.prev_hash.clone().into(),
            r.grant_id.into(),
            r.nothing_returned_for.into(),
            r.hash.clone().into(),
        ]);
    }
    sql.push_str(&format!(
        ") AS v({COLUMNS}) WHERE EXISTS (SELECT 1 FROM head)"
    ));
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}
