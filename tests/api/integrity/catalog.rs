//! What the database's own catalog says: a foreign key for every relation (with its delete behaviour), every CHECK,
//! NOT NULL exactly where the entities have no null, and no column that looks like a reference left without a key.

use std::collections::BTreeSet;

use entities::{
    access_log_entry, agency, audit_event,
    enums::{
        AgencyKind, ApprovalRole, ApprovalState, BudgetLevel, Comparator, ConnectionStatus,
        FundingSource, GrantOrigin, LegalBasis, Metric, MoneyUnit, NationalDatabaseKind,
        RequestState, SearchKind, Spending, StatementStatus,
    },
    indicator, information_system, national_database, national_database_link,
    national_database_link_statement, plan, project, project_budget, project_lead_agency, province,
    reported_figure, search_entry, sharing_grant, sharing_request, sharing_service,
};
use migrations::integrity::{Rule, CHECKS, RELATIONS};
use sea_orm::{ActiveEnum, ColumnTrait, DbBackend, EntityTrait, IdenStatic, Iterable};

use super::{columns, texts};
use crate::common::TestHub;

/// Columns named like references (`*_id`, `*_code`) that are not relations between rows, and why.
const NOT_RELATIONS: &[(&str, &str, &str)] = &[
    (
        "provinces",
        "agency_code",
        "the People's Committee's electronic code (QĐ 20/2020), not a row",
    ),
    (
        "provinces",
        "merged_into_code",
        "the code of the province the 2025 merger formed, not a row of the registry",
    ),
    (
        "audit_events",
        "agency_code",
        "history: the caller's agency, which need not be registered",
    ),
    ("audit_events", "request_id", "the HTTP request's id"),
    (
        "access_log",
        "agency_code",
        "history: the caller's agency, which need not be registered",
    ),
    ("access_log", "request_id", "the HTTP request's id"),
    (
        "console_sessions",
        "agency_code",
        "the identity provider's claim, which need not name a registered agency",
    ),
];

#[tokio::test]
async fn the_catalog_lists_a_foreign_key_for_every_relation() {
    let hub = TestHub::shared().await;
    let db = &hub.db;
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let found = if postgres {
        texts(
            db,
            "SELECT c.conname::text AS name, c.conrelid::regclass::text AS tbl, a.attname::text AS col, \
               c.confrelid::regclass::text AS parent, pa.attname::text AS pcol, \
               c.confdeltype::text AS del, c.confupdtype::text AS upd \
             FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1] \
             WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
            &["name", "tbl", "col", "parent", "pcol", "del", "upd"],
        )
        .await
    } else {
        // SQLite does not keep the names of foreign keys.
        texts(
            db,
            "SELECT '' AS name, m.name AS tbl, f.\"from\" AS col, f.\"table\" AS parent, f.\"to\" AS pcol, \
               f.on_delete AS del, f.on_update AS upd \
             FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
            &["name", "tbl", "col", "parent", "pcol", "del", "upd"],
        )
        .await
    };
    // NO ACTION: a referenced row cannot be deleted or re-keyed (writes.rs tries).
    let no_action = if postgres { "a" } else { "NO ACTION" };
    for row in &found {
        assert_eq!(
            (&row[5], &row[6]),
            (&no_action.to_owned(), &no_action.to_owned()),
            "{row:?}"
        );
    }
    let found: BTreeSet<Vec<String>> = found
        .into_iter()
        .map(|mut row| {
            row.truncate(5);
            row
        })
        .collect();
    let expected: BTreeSet<Vec<String>> = RELATIONS
        .iter()
        .map(|r| {
            let name = if postgres { r.name } else { "" };
            [name, r.table, r.column, r.parent, r.parent_column]
                .map(str::to_owned)
                .to_vec()
        })
        .collect();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn the_catalog_lists_every_check() {
    let hub = TestHub::shared().await;
    let db = &hub.db;
    if db.get_database_backend() == DbBackend::Postgres {
        let found: BTreeSet<Vec<String>> = texts(
            db,
            "SELECT conname::text AS name, conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def \
             FROM pg_constraint WHERE contype = 'c' AND connamespace = current_schema()::regnamespace",
            &["name", "tbl", "def"],
        )
        .await
        .into_iter()
        .map(|mut row| {
            row.pop();
            row
        })
        .collect();
        let expected: BTreeSet<Vec<String>> = CHECKS
            .iter()
            .map(|c| vec![c.name.to_owned(), c.table.to_owned()])
            .collect();
        assert_eq!(found, expected);
        return;
    }
    let tables = texts(
        db,
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'",
        &["name", "sql"],
    )
    .await;
    let mut named = 0;
    for row in &tables {
        named += row[1].matches("CONSTRAINT \"ck_").count();
    }
    assert_eq!(
        named,
        CHECKS.len(),
        "a CHECK that the migration does not list"
    );
    for check in CHECKS.iter() {
        let sql = &tables
            .iter()
            .find(|row| row[0] == check.table)
            .unwrap_or_else(|| panic!("no table {}", check.table))[1];
        let clause = format!(
            "CONSTRAINT \"{}\" CHECK ({})",
            check.name,
            check.condition()
        );
        assert!(
            sql.contains(&clause),
            "{} lacks {clause}: {sql}",
            check.table
        );
    }
}

#[tokio::test]
async fn every_column_named_like_a_reference_is_a_relation_or_said_not_to_be_one() {
    let hub = TestHub::shared().await;
    let db = &hub.db;
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name::text AS tbl, column_name::text AS col FROM information_schema.columns \
             WHERE table_schema = current_schema()"
        }
        _ => "SELECT m.name AS tbl, p.name AS col FROM sqlite_master m, pragma_table_info(m.name) p \
              WHERE m.type = 'table'",
    };
    let mut unexplained = Vec::new();
    for row in texts(db, sql, &["tbl", "col"]).await {
        let (table, column) = (row[0].as_str(), row[1].as_str());
        if !(column.ends_with("_id") || column.ends_with("_code")) {
            continue;
        }
        let related = RELATIONS
            .iter()
            .any(|r| r.table == table && r.column == column);
        let explained = NOT_RELATIONS
            .iter()
            .any(|(t, c, _)| *t == table && *c == column);
        if !related && !explained {
            unexplained.push(format!("{table}.{column}"));
        }
    }
    assert!(
        unexplained.is_empty(),
        "give these a foreign key in the integrity migration, or say in NOT_RELATIONS why not: {unexplained:?}"
    );
}

/// (table, column, nullable) of every column of `entity`'s model.
fn model<E: EntityTrait>(entity: E) -> Vec<(String, String, bool)> {
    E::Column::iter()
        .map(|c| {
            (
                entity.table_name().to_owned(),
                c.as_str().to_owned(),
                c.def().is_null(),
            )
        })
        .collect()
}

#[tokio::test]
async fn columns_are_not_null_exactly_where_the_model_has_no_null() {
    let hub = TestHub::shared().await;
    let db = &hub.db;
    let models = [
        model(province::Entity),
        model(plan::Entity),
        model(agency::Entity),
        model(information_system::Entity),
        model(project::Entity),
        model(project_budget::Entity),
        model(national_database::Entity),
        model(national_database_link::Entity),
        model(national_database_link_statement::Entity),
        model(project_lead_agency::Entity),
        model(indicator::Entity),
        model(reported_figure::Entity),
        model(search_entry::Entity),
        model(audit_event::Entity),
        model(access_log_entry::Entity),
        model(sharing_service::Entity),
        model(sharing_request::Entity),
        model(sharing_grant::Entity),
    ];
    let mut differ = Vec::new();
    for columns_of_model in models {
        let table = columns_of_model[0].0.clone();
        let stored = columns(db, &table).await;
        for (_, column, nullable) in columns_of_model {
            match stored.iter().find(|(name, _, _)| *name == column) {
                Some((_, _, stored_nullable)) if *stored_nullable == nullable => {}
                Some((_, _, stored_nullable)) => differ.push(format!(
                    "{table}.{column}: model nullable {nullable}, database nullable {stored_nullable}"
                )),
                None => differ.push(format!("{table}.{column}: not in the database")),
            }
        }
    }
    assert!(differ.is_empty(), "{differ:#?}");
}

fn stored<E: ActiveEnum<Value = String> + Iterable>() -> Vec<String> {
    E::iter().map(|v| v.to_value()).collect()
}

/// The closed sets the CHECKs allow are the stored values of the enums the hub reads the columns as, in order.
#[test]
fn every_closed_set_is_its_enum() {
    let enums = [
        ("agencies", "kind", stored::<AgencyKind>()),
        ("agencies", "approval_role", stored::<ApprovalRole>()),
        (
            "information_systems",
            "approval_state",
            stored::<ApprovalState>(),
        ),
        ("projects", "funding_source", stored::<FundingSource>()),
        (
            "project_budgets",
            "funding_source",
            stored::<FundingSource>(),
        ),
        ("projects", "unit", stored::<MoneyUnit>()),
        (
            "national_databases",
            "kind",
            stored::<NationalDatabaseKind>(),
        ),
        (
            "national_database_links",
            "status",
            stored::<ConnectionStatus>(),
        ),
        ("reported_figures", "metric", stored::<Metric>()),
        (
            "national_database_link_statements",
            "status",
            stored::<StatementStatus>(),
        ),
        ("project_budgets", "level", stored::<BudgetLevel>()),
        ("project_budgets", "spending", stored::<Spending>()),
        ("indicators", "comparator", stored::<Comparator>()),
        ("search_entries", "kind", stored::<SearchKind>()),
        ("sharing_requests", "purpose", stored::<LegalBasis>()),
        ("sharing_requests", "state", stored::<RequestState>()),
        ("sharing_grants", "purpose", stored::<LegalBasis>()),
        ("sharing_grants", "origin", stored::<GrantOrigin>()),
    ];
    let sets: Vec<_> = CHECKS
        .iter()
        .filter_map(|c| match c.rule {
            Rule::OneOf(values) => Some((c, values)),
            _ => None,
        })
        .collect();
    assert_eq!(
        sets.len(),
        enums.len(),
        "a closed set without its enum here"
    );
    for (table, column, values) in enums {
        let (check, allowed) = sets
            .iter()
            .find(|(c, _)| c.table == table && c.column == column)
            .unwrap_or_else(|| panic!("{table}.{column} has no CHECK of its closed set"));
        assert_eq!(
            *allowed,
            values.as_slice(),
            "{}: the enum changed; add a migration that changes the CHECK to match",
            check.name
        );
    }
}
