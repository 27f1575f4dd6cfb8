//! Writes the constraints refuse. Raw SQL: for each foreign key a copy of a seeded row that names a missing parent,
//! for each CHECK a copy holding a value outside its rule; each is refused, while the same copy without that value is
//! accepted (so the constraint, not something else, refused it). Through the API: the writes that would break a
//! constraint are refused first, with a coded error naming the field, and the CHECKs accept all the API accepts.

use migrations::integrity::{Check, Relation, Rule, CHECKS, RELATIONS};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, SqlErr, TransactionTrait};
use serde_json::json;

use super::columns;
use crate::{
    admin::{admin, code_of, counts, field_of, ok, CREATE_PROJECT, UPDATE_AGENCY, UPDATE_PROJECT},
    common::{token, TestHub},
};

/// A value no unique column holds yet.
const FRESH: &str = "'integrity-copy'";

/// What a copy of a row of `table` must change to stay unique: a column's new value, or `None` to leave it to the
/// database (a generated id).
fn unique_columns(table: &str) -> &'static [(&'static str, Option<&'static str>)] {
    match table {
        "agencies" => &[("id", Some(FRESH)), ("code", Some("NULL"))],
        "plans" | "national_databases" => &[("id", Some(FRESH))],
        "information_systems" => &[("id", None), ("code", Some(FRESH))],
        "projects" | "indicators" | "reported_figures" => &[("id", None), ("key", Some(FRESH))],
        "project_budgets"
        | "national_database_links"
        | "national_database_link_statements"
        | "project_lead_agencies" => &[("id", None)],
        "search_entries" => &[("id", None), ("node_key", Some(FRESH))],
        "sharing_services" => &[("name", Some(FRESH))],
        "sharing_requests" | "sharing_grants" => &[("id", None)],
        "access_log" => &[("seq", Some("-1"))],
        other => panic!("say here which columns of {other} a copy must change to stay unique"),
    }
}

/// Inserts a copy of a seeded row of `table`, with its unique columns fresh and `values` (column, SQL literal) set.
async fn insert_copy(
    db: &impl ConnectionTrait,
    table: &str,
    values: &[(&str, String)],
) -> Result<(), DbErr> {
    let unique = unique_columns(table);
    let mut names = Vec::new();
    let mut exprs = Vec::new();
    for (column, _, _) in columns(db, table).await {
        let value = values
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v.clone());
        let fresh = unique.iter().find(|(c, _)| *c == column).map(|(_, v)| *v);
        let expr = match (value, fresh) {
            (Some(value), _) => value,
            (None, Some(None)) => continue,
            (None, Some(Some(fresh))) => fresh.to_owned(),
            (None, None) => format!("\"{column}\""),
        };
        names.push(format!("\"{column}\""));
        exprs.push(expr);
    }
    let sql = format!(
        "INSERT INTO \"{table}\" ({}) SELECT {} FROM \"{table}\" LIMIT 1",
        names.join(", "),
        exprs.join(", ")
    );
    db.execute_unprepared(&sql).await.map(|_| ())
}

/// Tries `values` on a copy of a row of `table`, in a transaction that is rolled back; first checks that the copy
/// without them is accepted.
async fn refusal(
    db: &sea_orm::DatabaseConnection,
    table: &str,
    values: &[(&str, String)],
) -> DbErr {
    let control = db.begin().await.expect("transaction");
    insert_copy(&control, table, &[])
        .await
        .unwrap_or_else(|e| panic!("{table}: a plain copy of a seeded row is refused: {e}"));
    control.rollback().await.expect("rollback");
    let txn = db.begin().await.expect("transaction");
    let refused = insert_copy(&txn, table, values).await;
    txn.rollback().await.expect("rollback");
    match refused {
        Err(err) => err,
        Ok(()) => panic!("{table}: {values:?} was written"),
    }
}

/// A value no row of `r.parent` holds, typed like the column.
async fn missing_parent(db: &impl ConnectionTrait, r: &Relation) -> String {
    let (_, kind, _) = columns(db, r.table)
        .await
        .into_iter()
        .find(|(name, _, _)| name == r.column)
        .unwrap_or_else(|| panic!("no column {}.{}", r.table, r.column));
    if kind.contains("int") {
        "-1".into()
    } else {
        "'integrity-missing'".into()
    }
}

/// Values that break `c` and no other CHECK: a start goes below its range and an end above it, so that the order
/// of the two still holds; an order is broken with two plausible years.
fn outside(c: &Check) -> Vec<(&'static str, String)> {
    let is_start = CHECKS
        .iter()
        .any(|o| o.table == c.table && o.column == c.column && matches!(o.rule, Rule::NotAfter(_)));
    match c.rule {
        Rule::OneOf(_) => vec![(c.column, "'not-a-value'".into())],
        Rule::Between(low, _) if is_start => vec![(c.column, (low - 1).to_string())],
        Rule::Between(_, high) => vec![(c.column, (high + 1).to_string())],
        Rule::AtLeast(low) => vec![(c.column, (low - 1).to_string())],
        Rule::NotAfter(other) => vec![(c.column, "2001".into()), (other, "2000".into())],
    }
}

/// A hub whose database holds a row in every table a constraint is on: the seeded registries, the template's
/// demonstration grants, and (written here, as raw SQL) a sharing request, a grant it made and an access-log entry
/// that relied on it, whose relations no seed row uses.
async fn hub_with_a_row_everywhere() -> TestHub {
    let hub = TestHub::start().await;
    hub.db
        .execute_unprepared(
            "UPDATE sharing_services SET decider_agency_id = (SELECT id FROM agencies WHERE code IS NOT NULL LIMIT 1)                WHERE name = 'population';
             INSERT INTO sharing_requests (agency_id, service, legal_basis_number, legal_basis_date, purpose,
               purpose_description, fields, valid_from_ms, valid_until_ms, calls_per_day, system_code,
               security_commitments, state, reasons, decided_by_agency_id, created_at_ms, decided_at_ms, version)
             SELECT s.agency_id, 'population', '1/QĐ', '2026-01-01', 'PUBLIC_SERVICE', 'kiểm tra', 'fullName', 1, 2,
               10, s.code, 'cam kết', 'approved', NULL, s.agency_id, 1, 1, 1
               FROM information_systems s WHERE s.agency_id IS NOT NULL LIMIT 1;
             INSERT INTO sharing_grants (agency_id, service, request_id, purpose, fields, legal_basis, valid_from_ms,
               valid_until_ms, calls_per_day, origin, revoked_at_ms, revoke_reason, created_at_ms, version)
             SELECT agency_id, service, id, purpose, fields, '1/QĐ', 1, 2, 10, 'request', NULL, NULL, 1, 1
               FROM sharing_requests LIMIT 1;
             INSERT INTO access_log (seq, at_ms, actor, agency_code, purpose, purpose_ref, upstream, operation,
               subject_hash, fields, request_id, prev_hash, hash, grant_id)
             SELECT 1, 1, 'a', '000.00.00.H48', 'PUBLIC_SERVICE', 'HS', 'population', 'citizen', 'h', 'fullName',
               NULL, '', 'h1', MAX(id) FROM sharing_grants;",
        )
        .await
        .expect("a row in every constrained table");
    hub
}

#[tokio::test]
async fn an_orphan_cannot_be_written_for_any_foreign_key() {
    let hub = hub_with_a_row_everywhere().await;
    let postgres = hub.db.get_database_backend() == DbBackend::Postgres;
    for r in RELATIONS.iter() {
        let missing = missing_parent(&hub.db, r).await;
        let err = refusal(&hub.db, r.table, &[(r.column, missing)]).await;
        assert!(
            matches!(
                err.sql_err(),
                Some(SqlErr::ForeignKeyConstraintViolation(_))
            ),
            "{}: {err}",
            r.name
        );
        // SQLite does not name the foreign key it enforced.
        assert!(
            !postgres || err.to_string().contains(r.name),
            "{}: {err}",
            r.name
        );
    }
}

#[tokio::test]
async fn a_value_outside_any_check_cannot_be_written() {
    let hub = hub_with_a_row_everywhere().await;
    for c in CHECKS.iter() {
        let err = refusal(&hub.db, c.table, &outside(c)).await;
        // Each database names the first CHECK it finds broken: `outside` breaks only this one.
        assert!(err.to_string().contains(c.name), "{}: {err}", c.name);
    }
}

#[tokio::test]
async fn a_referenced_row_cannot_be_deleted() {
    let hub = hub_with_a_row_everywhere().await;
    let mut tried = 0;
    for r in RELATIONS.iter() {
        let (parent, key, table, column) = (r.parent, r.parent_column, r.table, r.column);
        let txn = hub.db.begin().await.expect("transaction");
        let deleted = txn
            .execute_unprepared(&format!(
                "DELETE FROM \"{parent}\" WHERE \"{key}\" = \
                   (SELECT \"{column}\" FROM \"{table}\" WHERE \"{column}\" IS NOT NULL LIMIT 1)"
            ))
            .await;
        txn.rollback().await.expect("rollback");
        match deleted {
            // No seeded row uses the relation: nothing was referenced, nothing deleted.
            Ok(done) => assert_eq!(
                done.rows_affected(),
                0,
                "{}: a referenced row was deleted",
                r.name
            ),
            Err(err) => {
                assert!(
                    matches!(
                        err.sql_err(),
                        Some(SqlErr::ForeignKeyConstraintViolation(_))
                    ),
                    "{}: {err}",
                    r.name
                );
                tried += 1;
            }
        }
    }
    assert_eq!(
        tried,
        RELATIONS.len(),
        "a relation that no seeded row uses is not tried here"
    );
}

const REGISTER: &str = "mutation($input: RegisterInformationSystemInput!) {
    registerInformationSystem(input: $input) { code securityLevel } }";

/// UBND tỉnh Quảng Ngãi, seeded.
const QN: &str = "000.00.00.H48";

#[tokio::test]
async fn writes_that_would_break_a_constraint_answer_coded_errors_and_change_nothing() {
    let hub = TestHub::start().await;
    let before = counts(&hub).await;
    let project = |extra: serde_json::Value| {
        let mut input = json!({ "planKey": "qn-kh-2024", "name": "Dự án kiểm tra" });
        for (k, v) in extra.as_object().expect("object") {
            input[k] = v.clone();
        }
        json!({ "input": input })
    };
    let update =
        |key: &str, input: serde_json::Value| json!({ "key": key, "version": 1, "input": input });
    let cases = [
        (
            CREATE_PROJECT,
            project(json!({ "leadAgencyKey": "nope" })),
            "input.leadAgencyKey",
        ),
        (
            UPDATE_PROJECT,
            update("qn-p2-1-1", json!({ "leadAgencyKey": "nope" })),
            "input.leadAgencyKey",
        ),
        (
            UPDATE_AGENCY,
            update("qn-so-cong-thuong", json!({ "parentKey": "nope" })),
            "input.parentKey",
        ),
        (
            CREATE_PROJECT,
            project(json!({ "yearStart": 1899 })),
            "input.yearStart",
        ),
        (
            CREATE_PROJECT,
            project(json!({ "yearEnd": 2201 })),
            "input.yearEnd",
        ),
        (
            UPDATE_PROJECT,
            update("qn-p2-1-1", json!({ "yearStart": 2030, "yearEnd": 2029 })),
            "input.yearEnd",
        ),
    ];
    for (query, vars, field) in cases {
        let (_, body) = hub.post_as(&admin(), query, vars.clone()).await;
        assert_eq!(code_of(&body), "BAD_USER_INPUT", "{vars}: {body}");
        assert_eq!(field_of(&body), field, "{vars}: {body}");
    }
    let (_, body) = hub
        .post_as(
            &token(QN, "systems:write"),
            REGISTER,
            json!({ "input": { "name": "Hệ thống X", "securityLevel": 6 } }),
        )
        .await;
    assert_eq!(code_of(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused write changed the database"
    );

    // The CHECKs accept everything the API accepts: its bounds are theirs.
    let created = ok(
        &hub,
        CREATE_PROJECT,
        project(json!({ "yearStart": 1900, "yearEnd": 2200, "totalMillionVnd": 0.0 })),
        "createProject",
    )
    .await;
    assert_eq!(
        (created["yearStart"].clone(), created["yearEnd"].clone()),
        (json!(1900), json!(2200))
    );
    for level in [1, 5] {
        let (_, body) = hub
            .post_as(
                &token(QN, "systems:write"),
                REGISTER,
                json!({ "input": { "name": format!("Hệ thống cấp độ {level}"), "securityLevel": level } }),
            )
            .await;
        assert_eq!(
            body["data"]["registerInformationSystem"]["securityLevel"],
            json!(level),
            "{body}"
        );
    }
}
