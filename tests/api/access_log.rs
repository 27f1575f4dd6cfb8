//! The access log's chain on the real databases: concurrent accesses all land, in one unbroken chain; any edit,
//! deletion or cut-off tail is found by verification.

use lgsp_hub::access_log::{
    verify::{verify, Verdict},
    Access, AccessLog, ChainKeys,
};
use lgsp_hub::telemetry::metrics::AccessLogMetrics;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait};

use crate::common::TestHub;

fn access(i: usize) -> Access {
    Access {
        actor: format!("can-bo-{}", i % 7),
        agency_code: "000.00.00.H48".into(),
        purpose: "PUBLIC_SERVICE".into(),
        purpose_ref: format!("HS-{i}"),
        upstream: "population".into(),
        operation: "citizen".into(),
        subject_kind: "citizen",
        subject_id: format!("0512030{i:05}"),
        fields: vec!["fullName".into(), "birthDate".into()],
        request_id: Some(format!("req-{i}")),
        grant_id: None,
        nothing_returned_for: None,
    }
}

/// Lets a test rewrite history, as a database administrator could.
async fn drop_append_only_triggers(hub: &TestHub) {
    let sql: &[&str] = match hub.db.get_database_backend() {
        DbBackend::Postgres => &["DROP TRIGGER access_log_no_change ON access_log"],
        _ => &[
            "DROP TRIGGER access_log_no_UPDATE",
            "DROP TRIGGER access_log_no_DELETE",
        ],
    };
    for s in sql {
        hub.db.execute_unprepared(s).await.expect("drop trigger");
    }
}

#[tokio::test]
async fn a_thousand_concurrent_accesses_make_one_unbroken_chain() {
    let hub = TestHub::start().await;
    let keys = ChainKeys::from_secret(b"test access-log key");
    let log = AccessLog::start(hub.db.clone(), keys.clone(), AccessLogMetrics::noop());
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let log = log.clone();
            tokio::spawn(async move { log.record(access(i)).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            Ok(seq) => seqs.push(seq),
            Err(e) => panic!("an access was not logged: {e:?}"),
        }
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=1000).collect::<Vec<i64>>());
    let stored = entities::access_log_entry::Entity::find()
        .count(&hub.db)
        .await
        .expect("count");
    assert_eq!(stored, 1000);
    match verify(&hub.db, &keys).await.expect("verify") {
        Verdict::Intact { entries, .. } => assert_eq!(entries, 1000),
        broken => panic!("{broken:?}"),
    }
    // The log holds metadata and a keyed hash, never the identifier.
    let row = entities::access_log_entry::Entity::find_by_id(1)
        .one(&hub.db)
        .await
        .expect("row")
        .expect("entry 1");
    assert!(!row.subject_hash.contains("0512030"), "{row:?}");
    assert_eq!(row.fields, "fullName,birthDate");
    // Another key cannot vouch for this chain.
    assert!(matches!(
        verify(&hub.db, &ChainKeys::from_secret(b"another key"))
            .await
            .expect("verify"),
        Verdict::Broken { seq: 1, .. }
    ));
}

#[tokio::test]
async fn the_log_is_append_only_and_verification_finds_edits_deletions_and_cut_tails() {
    let hub = TestHub::start().await;
    let keys = ChainKeys::from_secret(b"test access-log key");
    let log = AccessLog::start(hub.db.clone(), keys.clone(), AccessLogMetrics::noop());
    for i in 0..10 {
        log.record(access(i)).await.expect("logged");
    }
    for sql in [
        "UPDATE access_log SET purpose = 'OTHER' WHERE seq = 4",
        "DELETE FROM access_log WHERE seq = 6",
    ] {
        assert!(
            hub.db.execute_unprepared(sql).await.is_err(),
            "{sql} was allowed"
        );
    }
    drop_append_only_triggers(&hub).await;

    hub.db
        .execute_unprepared("UPDATE access_log SET purpose = 'OTHER' WHERE seq = 4")
        .await
        .expect("edit");
    assert!(matches!(
        verify(&hub.db, &keys).await.expect("verify"),
        Verdict::Broken { seq: 4, .. }
    ));
    hub.db
        .execute_unprepared("UPDATE access_log SET purpose = 'PUBLIC_SERVICE' WHERE seq = 4")
        .await
        .expect("undo");
    assert!(matches!(
        verify(&hub.db, &keys).await.expect("verify"),
        Verdict::Intact { entries: 10, .. }
    ));

    // Swapping two entries' contents (reordering) breaks the chain where the first moved entry is.
    hub.db
        .execute_unprepared(
            "UPDATE access_log SET seq = -1 WHERE seq = 2; UPDATE access_log SET seq = 2 WHERE seq = 3; \
             UPDATE access_log SET seq = 3 WHERE seq = -1",
        )
        .await
        .expect("swap");
    assert!(matches!(
        verify(&hub.db, &keys).await.expect("verify"),
        Verdict::Broken { seq: 2, .. }
    ));
    hub.db
        .execute_unprepared(
            "UPDATE access_log SET seq = -1 WHERE seq = 2; UPDATE access_log SET seq = 2 WHERE seq = 3; \
             UPDATE access_log SET seq = 3 WHERE seq = -1",
        )
        .await
        .expect("swap back");

    hub.db
        .execute_unprepared("DELETE FROM access_log WHERE seq = 6")
        .await
        .expect("delete");
    assert!(matches!(
        verify(&hub.db, &keys).await.expect("verify"),
        Verdict::Broken { seq: 6, .. }
    ));
}

#[tokio::test]
async fn a_cut_off_tail_is_found_through_the_head() {
    let hub = TestHub::start().await;
    let keys = ChainKeys::from_secret(b"test access-log key");
    let log = AccessLog::start(hub.db.clone(), keys.clone(), AccessLogMetrics::noop());
    for i in 0..5 {
        log.record(access(i)).await.expect("logged");
    }
    drop_append_only_triggers(&hub).await;
    hub.db
        .execute_unprepared("DELETE FROM access_log WHERE seq >= 4")
        .await
        .expect("cut");
    assert!(matches!(
        verify(&hub.db, &keys).await.expect("verify"),
        Verdict::Broken { seq: 4, .. }
    ));
}

#[tokio::test]
async fn entries_without_a_grant_with_one_and_outcomes_verify_and_an_edited_grant_or_outcome_is_found(
) {
    let hub = TestHub::start().await;
    let keys = ChainKeys::from_secret(b"test access-log key");
    let log = AccessLog::start(hub.db.clone(), keys.clone(), AccessLogMetrics::noop());
    // Two of the test template's demonstration grants.
    let grants: Vec<i64> = entities::sharing_grant::Entity::find()
        .all(&hub.db)
        .await
        .expect("grants")
        .into_iter()
        .map(|g| g.id)
        .take(2)
        .collect();
    assert_eq!(grants.len(), 2, "the template holds demonstration grants");
    // Entries as written before grants existed (no grant: hashed exactly as before), then entries that relied on one.
    for i in 0..3 {
        log.record(access(i)).await.expect("logged");
    }
    for i in 3..6 {
        let mut a = access(i);
        a.grant_id = Some(grants[0]);
        log.record(a).await.expect("logged");
    }
    // The outcome entry of a lookup that returned nothing: entry 7 says entry 6 returned nothing.
    let mut outcome = access(5);
    outcome.grant_id = Some(grants[0]);
    outcome.fields = Vec::new();
    outcome.nothing_returned_for = Some(6);
    assert_eq!(log.record(outcome).await.expect("logged"), 7);
    assert!(matches!(
        verify(&hub.db, &keys).await.expect("verify"),
        Verdict::Intact { entries: 7, .. }
    ));
    let row = entities::access_log_entry::Entity::find_by_id(5)
        .one(&hub.db)
        .await
        .expect("row")
        .expect("entry 5");
    assert_eq!(row.grant_id, Some(grants[0]));
    drop_append_only_triggers(&hub).await;
    for (edit, undo, seq) in [
        (
            format!(
                "UPDATE access_log SET grant_id = {} WHERE seq = 5",
                grants[1]
            ),
            format!(
                "UPDATE access_log SET grant_id = {} WHERE seq = 5",
                grants[0]
            ),
            5,
        ),
        (
            "UPDATE access_log SET grant_id = NULL WHERE seq = 4".to_owned(),
            format!(
                "UPDATE access_log SET grant_id = {} WHERE seq = 4",
                grants[0]
            ),
            4,
        ),
        (
            format!(
                "UPDATE access_log SET grant_id = {} WHERE seq = 2",
                grants[0]
            ),
            "UPDATE access_log SET grant_id = NULL WHERE seq = 2".to_owned(),
            2,
        ),
        (
            "UPDATE access_log SET nothing_returned_for = 5 WHERE seq = 7".to_owned(),
            "UPDATE access_log SET nothing_returned_for = 6 WHERE seq = 7".to_owned(),
            7,
        ),
        (
            "UPDATE access_log SET nothing_returned_for = NULL WHERE seq = 7".to_owned(),
            "UPDATE access_log SET nothing_returned_for = 6 WHERE seq = 7".to_owned(),
            7,
        ),
        (
            "UPDATE access_log SET nothing_returned_for = 2 WHERE seq = 3".to_owned(),
            "UPDATE access_log SET nothing_returned_for = NULL WHERE seq = 3".to_owned(),
            3,
        ),
    ] {
        hub.db.execute_unprepared(&edit).await.expect("edit");
        match verify(&hub.db, &keys).await.expect("verify") {
            Verdict::Broken { seq: at, .. } => assert_eq!(at, seq, "{edit}"),
            intact => panic!("{edit} went unnoticed: {intact:?}"),
        }
        hub.db.execute_unprepared(&undo).await.expect("undo");
        assert!(matches!(
            verify(&hub.db, &keys).await.expect("verify"),
            Verdict::Intact { entries: 7, .. }
        ));
    }
}

/// Makes the database refuse any entry whose purpose reference is `POISON`, as a full disk or a lost connection would
/// refuse a whole write.
async fn poison_entries(hub: &TestHub) {
    let sql: &[&str] = match hub.db.get_database_backend() {
        DbBackend::Postgres => &[
            "CREATE FUNCTION access_log_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.purpose_ref = 'POISON' THEN RAISE EXCEPTION 'poisoned entry'; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER access_log_poison BEFORE INSERT ON access_log FOR EACH ROW \
             EXECUTE FUNCTION access_log_poison()",
        ],
        _ => &["CREATE TRIGGER access_log_poison BEFORE INSERT ON access_log \
                WHEN NEW.purpose_ref = 'POISON' BEGIN SELECT RAISE(ABORT, 'poisoned entry'); END"],
    };
    for s in sql {
        hub.db.execute_unprepared(s).await.expect("poison trigger");
    }
}

fn poisoned(i: usize) -> Access {
    let mut a = access(i);
    a.purpose_ref = "POISON".into();
    a
}

/// Holds the chain's head (a row lock on PostgreSQL, the write lock on SQLite) until the transaction returned is
/// committed: the writer's next flush waits, and what is sent meanwhile gathers into the batch behind it.
async fn hold_the_head(hub: &TestHub) -> sea_orm::DatabaseTransaction {
    let blocker = sea_orm::TransactionTrait::begin(&hub.db)
        .await
        .expect("begin");
    blocker
        .execute_unprepared("UPDATE access_log_head SET seq = seq WHERE id = 1")
        .await
        .expect("hold the head");
    blocker
}

/// The entries stored, by request id, with their sequence numbers.
async fn stored_by_request(hub: &TestHub) -> std::collections::HashMap<String, i64> {
    entities::access_log_entry::Entity::find()
        .all(&hub.db)
        .await
        .expect("entries")
        .into_iter()
        .filter_map(|e| e.request_id.map(|r| (r, e.seq)))
        .collect()
}

#[tokio::test]
async fn a_failed_flush_fails_every_lookup_of_its_batch_and_the_chain_stays_whole() {
    let hub = TestHub::start().await;
    poison_entries(&hub).await;
    let keys = ChainKeys::from_secret(b"test access-log key");
    let log = AccessLog::start(hub.db.clone(), keys.clone(), AccessLogMetrics::noop());
    // Hold the head so that the first flush waits, and the two accesses sent meanwhile gather into the batch behind
    // it, one of them poisoned.
    let blocker = hold_the_head(&hub).await;
    let first = tokio::spawn({
        let log = log.clone();
        async move { log.record(access(0)).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let behind: Vec<_> = [poisoned(1), access(2)]
        .into_iter()
        .map(|a| {
            let log = log.clone();
            tokio::spawn(async move { log.record(a).await })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    blocker.commit().await.expect("release the head");
    assert_eq!(first.await.expect("task").expect("first logged"), 1);
    for t in behind {
        assert!(
            t.await.expect("task").is_err(),
            "an access of the failed batch was answered as logged"
        );
    }
    let stored = stored_by_request(&hub).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored.get("req-0"), Some(&1));
    // The chain goes on from the last entry written, not from the batch that failed.
    assert_eq!(log.record(access(3)).await.expect("logged after"), 2);
    match verify(&hub.db, &keys).await.expect("verify") {
        Verdict::Intact { entries, .. } => assert_eq!(entries, 2),
        broken => panic!("{broken:?}"),
    }
}

#[tokio::test]
async fn concurrent_accesses_with_failing_batches_log_exactly_those_answered() {
    let hub = TestHub::start().await;
    poison_entries(&hub).await;
    let keys = ChainKeys::from_secret(b"test access-log key");
    let log = AccessLog::start(hub.db.clone(), keys.clone(), AccessLogMetrics::noop());
    // Waves of twenty concurrent accesses, one wave after the other, a poisoned access in three of them: within a wave
    // the batches split as the pipeline takes them, a clean wave never shares a batch with a poisoned access.
    let mut answered = std::collections::HashMap::new();
    let mut refused = Vec::new();
    for wave in 0..20 {
        let tasks: Vec<_> = (wave * 20..wave * 20 + 20)
            .map(|i| {
                let log = log.clone();
                let poison = [3, 7, 11].contains(&wave) && i % 20 == 10;
                let a = if poison { poisoned(i) } else { access(i) };
                tokio::spawn(async move { (i, poison, log.record(a).await) })
            })
            .collect();
        for t in tasks {
            match t.await.expect("task") {
                (i, poison, Ok(seq)) => {
                    assert!(!poison, "a poisoned access was answered as logged");
                    answered.insert(format!("req-{i}"), seq);
                }
                (i, _, Err(_)) => refused.push(format!("req-{i}")),
            }
        }
    }
    assert!(
        refused.len() >= 3,
        "every poisoned access fails: {refused:?}"
    );
    assert!(
        answered.len() >= 17 * 20,
        "clean waves are written: {refused:?}"
    );
    // Exactly the answered accesses are stored, each under the sequence number its lookup was given.
    assert_eq!(stored_by_request(&hub).await, answered);
    match verify(&hub.db, &keys).await.expect("verify") {
        Verdict::Intact { entries, .. } => assert_eq!(entries, answered.len() as i64),
        broken => panic!("{broken:?}"),
    }
}

/// A lookup of many people records them as one group: committed whole, in order, or not at all, even when the batch
/// around it holds other lookups.
#[tokio::test]
async fn a_group_of_accesses_is_committed_whole_or_not_at_all() {
    let hub = TestHub::start().await;
    poison_entries(&hub).await;
    let keys = ChainKeys::from_secret(b"test access-log key");
    let log = AccessLog::start(hub.db.clone(), keys.clone(), AccessLogMetrics::noop());
    // Hold the head so that the groups sent meanwhile gather into one batch behind the first flush.
    let blocker = hold_the_head(&hub).await;
    let first = tokio::spawn({
        let log = log.clone();
        async move { log.record_all(vec![access(0), access(1)]).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let refused = tokio::spawn({
        let log = log.clone();
        async move {
            log.record_all(vec![access(2), poisoned(3), access(4)])
                .await
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    blocker.commit().await.expect("release the head");
    assert_eq!(first.await.expect("task").expect("logged"), [1, 2]);
    assert!(refused.await.expect("task").is_err());
    let stored = stored_by_request(&hub).await;
    assert_eq!(
        stored.len(),
        2,
        "none of a failed group is stored: {stored:?}"
    );
    assert_eq!(
        log.record_all(vec![access(5), access(6), access(7)])
            .await
            .expect("logged after"),
        [3, 4, 5]
    );

    // Groups that do not fit in one batch (at most 512 entries) wait for the next, and none is split.
    let stored_before = stored_by_request(&hub).await.len();
    let groups: Vec<_> = (0..12)
        .map(|g| {
            let log = log.clone();
            tokio::spawn(async move {
                let accesses = (0..100).map(|i| access(1000 + g * 100 + i)).collect();
                (g, log.record_all(accesses).await)
            })
        })
        .collect();
    for t in groups {
        let (g, seqs) = t.await.expect("task");
        let seqs = seqs.expect("a group logged");
        assert_eq!(seqs.len(), 100);
        assert!(
            seqs.windows(2).all(|w| w[1] == w[0] + 1),
            "group {g} was split: {seqs:?}"
        );
        let stored = stored_by_request(&hub).await;
        for (i, seq) in seqs.iter().enumerate() {
            assert_eq!(
                stored.get(&format!("req-{}", 1000 + g * 100 + i)),
                Some(seq)
            );
        }
    }
    assert_eq!(stored_by_request(&hub).await.len(), stored_before + 1200);
    // A group larger than a batch is refused before anything is written.
    let too_many = (0..513).map(|i| access(5000 + i)).collect();
    assert!(log.record_all(too_many).await.is_err());
    match verify(&hub.db, &keys).await.expect("verify") {
        Verdict::Intact { entries, .. } => assert_eq!(entries, 5 + 1200),
        broken => panic!("{broken:?}"),
    }
}

#[tokio::test]
async fn two_writers_on_one_database_make_one_chain() {
    // Two replicas: each keeps the head in memory, and each finds it stale after the other wrote.
    let hub = TestHub::start().await;
    let keys = ChainKeys::from_secret(b"test access-log key");
    let logs = [
        AccessLog::start(hub.db.clone(), keys.clone(), AccessLogMetrics::noop()),
        AccessLog::start(hub.db.clone(), keys.clone(), AccessLogMetrics::noop()),
    ];
    let tasks: Vec<_> = (0..600)
        .map(|i| {
            let log = logs[i % 2].clone();
            tokio::spawn(async move { log.record(access(i)).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.expect("task").expect("logged"));
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=600).collect::<Vec<i64>>());
    match verify(&hub.db, &keys).await.expect("verify") {
        Verdict::Intact { entries, .. } => assert_eq!(entries, 600),
        broken => panic!("{broken:?}"),
    }
}

#[tokio::test]
async fn a_batch_lands_only_on_the_head_it_was_linked_onto() {
    use lgsp_hub::access_log::append::{append_after, link, now_ms, Head};
    let hub = TestHub::start().await;
    let keys = ChainKeys::from_secret(b"test access-log key");
    let start = Head {
        seq: 0,
        hash: String::new(),
    };
    let mut head = start.clone();
    let rows: Vec<_> = (0..3)
        .map(|i| link(&keys, &mut head, &access(i), now_ms()))
        .collect();
    assert!(append_after(&hub.db, &start, &rows).await.expect("append"));
    // Linked onto a head that is no longer the stored one (another replica wrote): nothing is written.
    let mut stale = start.clone();
    let again: Vec<_> = (3..5)
        .map(|i| link(&keys, &mut stale, &access(i), now_ms()))
        .collect();
    assert!(!append_after(&hub.db, &start, &again).await.expect("append"));
    let mut next = head.clone();
    let more: Vec<_> = (5..7)
        .map(|i| link(&keys, &mut next, &access(i), now_ms()))
        .collect();
    assert!(append_after(&hub.db, &head, &more).await.expect("append"));
    let stored = stored_by_request(&hub).await;
    assert_eq!(stored.len(), 5, "{stored:?}");
    assert_eq!(stored.get("req-6"), Some(&5));
    match verify(&hub.db, &keys).await.expect("verify") {
        Verdict::Intact { entries, head_hash } => {
            assert_eq!(entries, 5);
            assert_eq!(head_hash, next.hash);
        }
        broken => panic!("{broken:?}"),
    }
}

/// On SQLite a commit is synced to disk before it returns (`synchronous = FULL`; NORMAL, SQLite's WAL default, loses
/// the last commits on a power loss): an access-log entry is durable before the data it records is returned.
#[tokio::test]
async fn sqlite_commits_are_on_disk_before_they_return() {
    let hub = TestHub::shared().await;
    if hub.db.get_database_backend() != DbBackend::Sqlite {
        return; // PostgreSQL: `synchronous_commit` is the server's, on by default.
    }
    // Every connection of the pool says so, not only the first one handed out.
    let reads = (0..4).map(|_| {
        hub.db.query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA synchronous",
        ))
    });
    for row in futures_util::future::join_all(reads).await {
        let level: i32 = row
            .expect("PRAGMA")
            .expect("a row")
            .try_get_by_index(0)
            .expect("a level");
        assert_eq!(level, 2, "synchronous = FULL (2), not NORMAL (1)");
    }
}
