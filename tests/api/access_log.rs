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
async fn entries_without_a_grant_and_with_one_verify_and_an_edited_grant_is_found() {
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
    assert!(matches!(
        verify(&hub.db, &keys).await.expect("verify"),
        Verdict::Intact { entries: 6, .. }
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
    ] {
        hub.db.execute_unprepared(&edit).await.expect("edit");
        match verify(&hub.db, &keys).await.expect("verify") {
            Verdict::Broken { seq: at, .. } => assert_eq!(at, seq, "{edit}"),
            intact => panic!("{edit} went unnoticed: {intact:?}"),
        }
        hub.db.execute_unprepared(&undo).await.expect("undo");
        assert!(matches!(
            verify(&hub.db, &keys).await.expect("verify"),
            Verdict::Intact { entries: 6, .. }
        ));
    }
}
