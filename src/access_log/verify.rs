//! Checks the whole chain: sequence numbers without gaps, each entry's `prev_hash` equal to its predecessor's hash,
//! each hash recomputed under the key, and the head row naming the last entry (so a deleted tail shows too, unless the
//! head was rewound with it: the logged head hashes are the external anchor for that).

use entities::access_log_entry;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};

use super::chain::ChainKeys;

/// Entries read per query.
const CHUNK: u64 = 5_000;

/// The result of a verification.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry checks out.
    Intact { entries: i64, head_hash: String },
    /// The first place where the chain breaks.
    Broken { seq: i64, reason: String },
}

#[tracing::instrument(skip_all)]
pub async fn verify(db: &DatabaseConnection, keys: &ChainKeys) -> Result<Verdict, sea_orm::DbErr> {
    use sea_orm::ColumnTrait;
    let mut expected_seq = 1i64;
    let mut prev_hash = String::new();
    loop {
        let rows = access_log_entry::Entity::find()
            .filter(access_log_entry::Column::Seq.gte(expected_seq))
            .order_by_asc(access_log_entry::Column::Seq)
            .limit(CHUNK)
            .all(db)
            .await?;
        let full = rows.len() as u64 == CHUNK;
        for row in &rows {
            if row.seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    format!("entry {expected_seq} is missing (next is {})", row.seq),
                ));
            }
            if row.prev_hash != prev_hash {
                return Ok(broken(
                    row.seq,
                    "does not follow the entry before it (deleted, inserted or reordered entries)",
                ));
            }
            if keys.entry_hash(row) != row.hash {
                return Ok(broken(
                    row.seq,
                    "its content does not match its hash (edited)",
                ));
            }
            prev_hash.clone_from(&row.hash);
            expected_seq += 1;
        }
        if !full {
            break;
        }
    }
    let entries = expected_seq - 1;
    let backend: DbBackend = db.get_database_backend();
    let head = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT seq, hash FROM access_log_head WHERE id = 1",
        ))
        .await?;
    let (head_seq, head_hash): (i64, String) = match head {
        Some(h) => (h.try_get("", "seq")?, h.try_get("", "hash")?),
        None => return Ok(broken(entries, "the head row is missing")),
    };
    if head_seq != entries || head_hash != prev_hash {
        return Ok(broken(
            entries + 1,
            format!("the head says {head_seq} entries, the chain has {entries} (entries removed at the end)"),
        ));
    }
    Ok(Verdict::Intact { entries, head_hash })
}

fn broken(seq: i64, reason: impl Into<String>) -> Verdict {
    Verdict::Broken {
        seq,
        reason: reason.into(),
    }
}
