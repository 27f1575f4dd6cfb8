//! Data-sharing services, requests and grants (issue 13): who may read which national database is decided in the hub,
//! on the record. `sharing_services` holds one row per federated service (the six the hub knows, inserted here);
//! `sharing_requests` the requests agencies file and the decisions on them; `sharing_grants` what a lookup relies on;
//! `access_log.grant_id` the grant each access-log entry relied on (NULL for entries written before grants existed).
//!
//! The tables are created with their foreign keys and CHECKs ([`RELATIONS`], [`CHECKS`], listed with the others in
//! `migrations::integrity`), so SQLite needs no rebuild.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m20261203_000009_integrity::constraints::{Check, Relation, Rule};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000010_sharing"
    }
}

/// The legal purposes of a personal-data access (`entities::enums::LegalBasis`) as stored.
const PURPOSES: Rule = Rule::OneOf(&[
    "PUBLIC_SERVICE",
    "STATE_MANAGEMENT",
    "LAW_ENFORCEMENT",
    "EMERGENCY",
    "DATA_SUBJECT_CONSENT",
]);

const fn relation(
    name: &'static str,
    table: &'static str,
    column: &'static str,
    parent: &'static str,
    parent_column: &'static str,
) -> Relation {
    Relation {
        name,
        table,
        column,
        parent,
        parent_column,
    }
}

const fn check(name: &'static str, table: &'static str, column: &'static str, rule: Rule) -> Check {
    Check {
        name,
        table,
        column,
        rule,
    }
}

/// The relations of the sharing tables.
#[rustfmt::skip]
pub const RELATIONS: &[Relation] = &[
    relation("fk_sharing_services_decider_agency", "sharing_services", "decider_agency_id", "agencies", "id"),
    relation("fk_sharing_requests_agency", "sharing_requests", "agency_id", "agencies", "id"),
    relation("fk_sharing_requests_service", "sharing_requests", "service", "sharing_services", "name"),
    relation("fk_sharing_requests_system", "sharing_requests", "system_code", "information_systems", "code"),
    relation("fk_sharing_requests_decided_by_agency", "sharing_requests", "decided_by_agency_id", "agencies", "id"),
    relation("fk_sharing_grants_agency", "sharing_grants", "agency_id", "agencies", "id"),
    relation("fk_sharing_grants_service", "sharing_grants", "service", "sharing_services", "name"),
    relation("fk_sharing_grants_request", "sharing_grants", "request_id", "sharing_requests", "id"),
    relation("fk_access_log_grant", "access_log", "grant_id", "sharing_grants", "id"),
];

/// The rules on the sharing tables' values.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    check("ck_sharing_services_version", "sharing_services", "version", Rule::AtLeast(1)),
    check("ck_sharing_requests_purpose", "sharing_requests", "purpose", PURPOSES),
    check("ck_sharing_requests_valid_from_ms", "sharing_requests", "valid_from_ms", Rule::NotAfter("valid_until_ms")),
    check("ck_sharing_requests_calls_per_day", "sharing_requests", "calls_per_day", Rule::AtLeast(1)),
    check("ck_sharing_requests_state", "sharing_requests", "state", Rule::OneOf(&[
        "pending", "approved", "refused", "withdrawn",
    ])),
    check("ck_sharing_requests_version", "sharing_requests", "version", Rule::AtLeast(1)),
    check("ck_sharing_grants_purpose", "sharing_grants", "purpose", PURPOSES),
    check("ck_sharing_grants_valid_from_ms", "sharing_grants", "valid_from_ms", Rule::NotAfter("valid_until_ms")),
    check("ck_sharing_grants_calls_per_day", "sharing_grants", "calls_per_day", Rule::AtLeast(1)),
    check("ck_sharing_grants_origin", "sharing_grants", "origin", Rule::OneOf(&[
        "request", "automatic", "demonstration",
    ])),
    check("ck_sharing_grants_version", "sharing_grants", "version", Rule::AtLeast(1)),
];

/// The services the hub federates when this migration is written (`upstream::SERVICES`): name and title.
const SERVICES: [(&str, &str); 6] = [
    ("population", "CSDL quốc gia về dân cư"),
    ("business", "CSDL quốc gia về đăng ký doanh nghiệp"),
    ("insurance", "CSDL quốc gia về bảo hiểm"),
    ("land", "CSDL đất đai"),
    ("civil-status", "CSDL hộ tịch điện tử"),
    ("judicial", "Lý lịch tư pháp"),
];

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The table's constraints as `CREATE TABLE` clauses: `CONSTRAINT "fk_.." FOREIGN KEY ..` and `CONSTRAINT "ck_.." CHECK
/// (..)`, exactly as the integrity tests read them back.
fn constraints(table: &str) -> String {
    let mut out = String::new();
    for r in RELATIONS.iter().filter(|r| r.table == table) {
        out.push_str(&format!(
            ",\n CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE NO ACTION ON UPDATE NO ACTION",
            quoted(r.name),
            quoted(r.column),
            quoted(r.parent),
            quoted(r.parent_column)
        ));
    }
    for c in CHECKS.iter().filter(|c| c.table == table) {
        out.push_str(&format!(
            ",\n CONSTRAINT {} CHECK ({})",
            quoted(c.name),
            c.condition()
        ));
    }
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let id = match manager.get_database_backend() {
            DbBackend::Postgres => "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            _ => "id INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE sharing_services (
                name TEXT PRIMARY KEY,
                title TEXT NOT NULL,
                decider_agency_id TEXT,
                version INTEGER NOT NULL{}
            )",
            constraints("sharing_services")
        ))
        .await?;
        for (name, title) in SERVICES {
            db.execute_unprepared(&format!(
                "INSERT INTO sharing_services (name, title, decider_agency_id, version) VALUES ('{name}', '{title}', NULL, 1)"
            ))
            .await?;
        }
        db.execute_unprepared(&format!(
            "CREATE TABLE sharing_requests (
                {id},
                agency_id TEXT NOT NULL,
                service TEXT NOT NULL,
                legal_basis_number TEXT NOT NULL,
                legal_basis_date TEXT NOT NULL,
                purpose TEXT NOT NULL,
                purpose_description TEXT NOT NULL,
                fields TEXT NOT NULL,
                valid_from_ms BIGINT NOT NULL,
                valid_until_ms BIGINT NOT NULL,
                calls_per_day INTEGER NOT NULL,
                system_code TEXT NOT NULL,
                security_commitments TEXT NOT NULL,
                state TEXT NOT NULL,
                reasons TEXT,
                decided_by_agency_id TEXT,
                created_at_ms BIGINT NOT NULL,
                decided_at_ms BIGINT,
                version INTEGER NOT NULL{}
            )",
            constraints("sharing_requests")
        ))
        .await?;
        db.execute_unprepared(&format!(
            "CREATE TABLE sharing_grants (
                {id},
                agency_id TEXT NOT NULL,
                service TEXT NOT NULL,
                request_id BIGINT,
                purpose TEXT,
                fields TEXT NOT NULL,
                legal_basis TEXT NOT NULL,
                valid_from_ms BIGINT NOT NULL,
                valid_until_ms BIGINT NOT NULL,
                calls_per_day INTEGER NOT NULL,
                origin TEXT NOT NULL,
                revoked_at_ms BIGINT,
                revoke_reason TEXT,
                created_at_ms BIGINT NOT NULL,
                version INTEGER NOT NULL{}
            )",
            constraints("sharing_grants")
        ))
        .await?;
        for (name, table, cols) in [
            (
                "ix_sharing_requests_agency",
                "sharing_requests",
                "agency_id, id",
            ),
            (
                "ix_sharing_requests_service",
                "sharing_requests",
                "service, state, id",
            ),
            (
                "ix_sharing_grants_agency",
                "sharing_grants",
                "agency_id, service",
            ),
            ("ix_sharing_grants_service", "sharing_grants", "service, id"),
            ("ix_sharing_grants_request", "sharing_grants", "request_id"),
        ] {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({cols})"))
                .await?;
        }
        // A column constraint: the one form both databases accept in `ADD COLUMN`. NULL for the entries written
        // before, which hash as they always did.
        db.execute_unprepared(
            "ALTER TABLE access_log ADD COLUMN grant_id BIGINT CONSTRAINT \"fk_access_log_grant\" \
             REFERENCES sharing_grants (id) ON DELETE NO ACTION ON UPDATE NO ACTION",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE access_log DROP COLUMN grant_id")
            .await?;
        for table in ["sharing_grants", "sharing_requests", "sharing_services"] {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
