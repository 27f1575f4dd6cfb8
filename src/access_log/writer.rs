//! The writer task: group commits, pipelined. While one batch flushes, the entries that arrive are linked onto the
//! head that batch will leave (hashing them is the work that used to wait), and the moment the flush is done they go
//! out as the next batch. At most one batch flushes at a time: the chain is a sequence, and a batch may only land after
//! the one it links onto. A lookup therefore waits for the flush in progress and its own, never a queue of them.
//!
//! Entries come in groups (a lookup's people): a group is never split between batches, so it is committed whole or
//! not at all. A batch holds at most [`MAX_BATCH`] entries (a group is at most that large).
//!
//! No weakening: an entry's lookup is answered only once the batch holding it is committed, and a batch that cannot be
//! written fails every lookup in it. After a failure (or when another replica moved the stored head) the head in
//! memory is forgotten and the next batch links onto the head it reads under lock, so the chain never continues from
//! entries that were not written.

use std::{collections::VecDeque, time::Instant};

use entities::access_log_entry;
use tokio::{sync::mpsc, task::JoinHandle};

use super::{
    append::{self, Head},
    ChainKeys, Pending, MAX_BATCH,
};
use crate::telemetry::metrics::AccessLogMetrics;

/// The batch being gathered while another flushes.
#[derive(Default)]
struct Batch {
    /// The groups of accesses, in order; a group is never split between batches.
    pending: Vec<Pending>,
    /// The number of accesses in `pending`.
    entries: usize,
    /// The entries of `pending`, linked onto `base`; empty when the head was unknown as they arrived.
    rows: Vec<access_log_entry::Model>,
    base: Option<Head>,
}

impl Batch {
    /// Adds `p`, linked onto `head` when the head is known (and the entries before it are linked too).
    fn push(&mut self, p: Pending, keys: &ChainKeys, head: &mut Option<Head>) {
        if let Some(h) = head {
            if self.rows.len() == self.entries {
                if self.base.is_none() {
                    self.base = Some(h.clone());
                }
                let at_ms = append::now_ms();
                for access in &p.accesses {
                    self.rows.push(append::link(keys, h, access, at_ms));
                }
            }
        }
        self.entries += p.accesses.len();
        self.pending.push(p);
    }

    /// Whether `p` may join this batch: it fits under [`MAX_BATCH`], or the batch is empty (a group is never split).
    fn takes(&self, p: &Pending) -> bool {
        self.pending.is_empty() || self.entries + p.accesses.len() <= MAX_BATCH
    }

    /// Links every entry onto `head` again (the head the previous flush actually left differs from the one they were
    /// linked onto).
    fn relink(&mut self, keys: &ChainKeys, head: &mut Option<Head>) {
        self.rows.clear();
        self.base = None;
        self.entries = 0;
        let pending = std::mem::take(&mut self.pending);
        for p in pending {
            self.push(p, keys, head);
        }
    }

    fn is_linked(&self) -> bool {
        self.base.is_some() && self.rows.len() == self.entries
    }
}

/// What a flush reports: the head it left (or why it failed), its lookups, and how long it took.
struct Flushed {
    written: Result<Head, sea_orm::DbErr>,
    batch: Batch,
    seconds: f64,
}

pub(super) async fn run(
    db: sea_orm::DatabaseConnection,
    keys: ChainKeys,
    mut rx: mpsc::Receiver<Pending>,
    metrics: AccessLogMetrics,
) {
    // Where the next entry links: after everything handed to a flush, assuming it lands. `None`: unknown (at start,
    // after a failure), read under lock by the next flush.
    let mut head: Option<Head> = None;
    let mut next = Batch::default();
    // Groups received that did not fit in `next`, in order: they start the batch after it. Nothing more is received
    // while any wait here, so the order of arrival is the order of the chain.
    let mut waiting: VecDeque<Pending> = VecDeque::new();
    let mut flushing: Option<JoinHandle<Flushed>> = None;
    let mut incoming = Vec::with_capacity(MAX_BATCH);
    let mut open = true;
    loop {
        if flushing.is_none() && !next.pending.is_empty() {
            let batch = std::mem::take(&mut next);
            if !batch.is_linked() {
                // The flush reads the head under lock; what arrives meanwhile waits to learn it.
                head = None;
            }
            flushing = Some(tokio::spawn(flush(db.clone(), keys.clone(), batch)));
            while waiting.front().is_some_and(|p| next.takes(p)) {
                if let Some(p) = waiting.pop_front() {
                    next.push(p, &keys, &mut head);
                }
            }
        }
        if !open && flushing.is_none() {
            return;
        }
        // In groups, which hold one access or more: what does not fit waits in `waiting`.
        let room = if waiting.is_empty() {
            MAX_BATCH.saturating_sub(next.entries)
        } else {
            0
        };
        tokio::select! {
            // A finished flush first: its lookups are answered and the next batch goes out at once.
            biased;
            done = async {
                match flushing.as_mut() {
                    Some(f) => f.await,
                    None => std::future::pending().await,
                }
            }, if flushing.is_some() => {
                flushing = None;
                let Ok(done) = done else {
                    // The flush task panicked: its lookups' senders were dropped, so they fail; start afresh.
                    tracing::error!("the access-log flush panicked");
                    head = None;
                    next.relink(&keys, &mut head);
                    continue;
                };
                settle(done, &metrics, &keys, &mut head, &mut next);
            }
            received = rx.recv_many(&mut incoming, room), if open && room > 0 => {
                if received == 0 {
                    open = false;
                }
                for p in incoming.drain(..) {
                    if waiting.is_empty() && next.takes(&p) {
                        next.push(p, &keys, &mut head);
                    } else {
                        waiting.push_back(p);
                    }
                }
            }
        }
    }
}

/// Answers the lookups of a finished flush and sets the head the next batch links onto.
fn settle(
    done: Flushed,
    metrics: &AccessLogMetrics,
    keys: &ChainKeys,
    head: &mut Option<Head>,
    next: &mut Batch,
) {
    let Flushed {
        written,
        batch,
        seconds,
    } = done;
    metrics.batch(batch.entries, seconds, written.is_err());
    let first = match &written {
        Ok(end) => Some(end.seq - batch.entries as i64 + 1),
        Err(err) => {
            tracing::error!(error = %err, entries = batch.entries, "cannot write the access log");
            None
        }
    };
    let mut offset = 0;
    for pending in batch.pending {
        let _ = pending.reply.send(first.map(|f| f + offset).ok_or(()));
        offset += pending.accesses.len() as i64;
    }
    match written {
        Ok(end) => {
            // The entries gathered meanwhile were linked onto the head this flush was expected to leave; if it left
            // another (the stored head had moved, or they arrived while the head was unknown), they are linked again.
            let consistent = match &next.base {
                Some(base) => *base == end && next.is_linked(),
                None => next.pending.is_empty() && head.as_ref() == Some(&end),
            };
            if !consistent {
                *head = Some(end);
                next.relink(keys, head);
            }
        }
        Err(_) => {
            *head = None;
            next.relink(keys, head);
        }
    }
}

/// Writes `batch`: linked onto the head in memory if it could be, else (or if the stored head has moved) onto the head
/// read under lock.
#[tracing::instrument(name = "append", skip_all, fields(entries = batch.entries))]
async fn flush(db: sea_orm::DatabaseConnection, keys: ChainKeys, mut batch: Batch) -> Flushed {
    // One write serves many lookups: linking it to each of their spans lets a request's trace show the write it
    // waited for.
    let span = tracing::Span::current();
    for p in &batch.pending {
        span.follows_from(&p.span);
    }
    let started = Instant::now();
    let mut written = None;
    if let (true, Some(base)) = (batch.is_linked(), batch.base.as_ref()) {
        match append::append_after(&db, base, &batch.rows).await {
            Ok(true) => {
                written = batch.rows.last().map(|r| {
                    Ok(Head {
                        seq: r.seq,
                        hash: r.hash.clone(),
                    })
                });
            }
            // Another replica wrote, or the head was touched: read it under lock below.
            Ok(false) => tracing::debug!("the stored access-log head has moved"),
            // A failed attempt wrote nothing (one statement, or a transaction rolled back); the locked path is tried
            // once before the batch's lookups are refused.
            Err(err) => {
                tracing::warn!(error = %err, "access-log write failed, retrying under lock")
            }
        }
    }
    let written = match written {
        Some(w) => w,
        None => {
            let accesses: Vec<_> = batch
                .pending
                .iter()
                .flat_map(|p| p.accesses.iter())
                .collect();
            match append::append_locked(&db, &keys, &accesses).await {
                Ok(rows) => {
                    let end = rows.last().map(|r| Head {
                        seq: r.seq,
                        hash: r.hash.clone(),
                    });
                    batch.rows = rows;
                    end.ok_or(sea_orm::DbErr::RecordNotInserted)
                }
                Err(err) => Err(err),
            }
        }
    };
    Flushed {
        written,
        batch,
        seconds: started.elapsed().as_secs_f64(),
    }
}
