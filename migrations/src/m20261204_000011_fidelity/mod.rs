//! Fidelity to the plans: what a plan states in more than one way becomes data the database keeps and enforces.
//!
//! - `national_database_links.status` gains `partial` and `disputed`, and `national_database_link_statements` keeps
//!   every further statement a plan makes about a link (its status, quote and line), so a contradiction is two rows,
//!   not a comment in a seed file;
//! - `projects.lead_printed` keeps a lead cell as printed and `project_lead_agencies` the units it names that the
//!   registry has, in printed order;
//! - `project_budgets.level` (province or district) and `spending` (recurrent or investment) keep a budget column's
//!   level; `restates_line_id` / `restates_figure_id` say that a line prints money another line (or a column total)
//!   already counts, and `reported_figures.restates_figure_id` the same of a figure;
//! - `reported_figures.year` and `listed_line`, `indicators.comparator` and `heading`, and
//!   `information_systems.approval_printed` keep what the plans print beside the values.
//!
//! Every new relation has its foreign key and every closed set its CHECK ([`constraints`]). New columns are nullable
//! (or have a default), so a database written before this migration needs no correction. SQLite adds a column with
//! its constraint in place but can neither widen a CHECK nor drop a constrained column: there the table is rebuilt
//! from its own definition with that one clause changed ([`sqlite`]).

pub mod constraints;
mod sqlite;

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

use crate::m20261203_000009_integrity::constraints::{Check, Relation};
use constraints::{NewColumn, CHECKS, COLUMNS, LINK_STATUS, LINK_STATUS_BEFORE, RELATIONS};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000011_fidelity"
    }
}

pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn relation(name: &str) -> Option<&'static Relation> {
    RELATIONS.iter().find(|r| r.name == name)
}

fn check(name: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.name == name)
}

/// A foreign key's clause in a table or column definition: `NO ACTION` like those of migration 000009.
fn references(r: &Relation) -> String {
    format!(
        "REFERENCES {} ({}) ON DELETE NO ACTION ON UPDATE NO ACTION",
        ident(r.parent),
        ident(r.parent_column)
    )
}

/// A column's constraint as SQL that follows its type: `CONSTRAINT name CHECK (...)` or `CONSTRAINT name REFERENCES`.
fn column_constraint(name: &str) -> String {
    if let Some(c) = check(name) {
        format!("CONSTRAINT {} CHECK ({})", ident(name), c.condition())
    } else if let Some(r) = relation(name) {
        format!("CONSTRAINT {} {}", ident(name), references(r))
    } else {
        String::new()
    }
}

/// `"column" TYPE [constraint]` of a new column.
fn column_definition(c: &NewColumn) -> String {
    let mut def = format!("{} {}", ident(c.column), c.definition);
    if let Some(name) = c.constraint {
        def.push(' ');
        def.push_str(&column_constraint(name));
    }
    def
}

/// The new tables, with their constraints inline.
fn create_tables() -> Vec<String> {
    let statements = "national_database_link_statements";
    let leads = "project_lead_agencies";
    let constraint_lines = |table: &str| -> String {
        RELATIONS
            .iter()
            .filter(|r| r.table == table)
            .map(|r| {
                format!(
                    ",\n  CONSTRAINT {} FOREIGN KEY ({}) {}",
                    ident(r.name),
                    ident(r.column),
                    references(r)
                )
            })
            .chain(CHECKS.iter().filter(|c| c.table == table).map(|c| {
                format!(
                    ",\n  CONSTRAINT {} CHECK ({})",
                    ident(c.name),
                    c.condition()
                )
            }))
            .collect()
    };
    vec![
        format!(
            "CREATE TABLE {t} (\n  id {pk},\n  link_id BIGINT NOT NULL,\n  status TEXT NOT NULL,\n  quote TEXT NOT NULL,\n  \
             source_file TEXT,\n  source_line INTEGER,\n  source_line_end INTEGER{c}\n)",
            t = ident(statements),
            pk = "{pk}",
            c = constraint_lines(statements)
        ),
        format!("CREATE INDEX ix_link_statements_link ON {} (link_id)", ident(statements)),
        format!(
            "CREATE TABLE {t} (\n  id {pk},\n  project_id BIGINT NOT NULL,\n  agency_id TEXT NOT NULL,\n  \
             position INTEGER NOT NULL{c}\n)",
            t = ident(leads),
            pk = "{pk}",
            c = constraint_lines(leads)
        ),
        format!("CREATE INDEX ix_project_leads_project ON {} (project_id)", ident(leads)),
        format!("CREATE INDEX ix_project_leads_agency ON {} (agency_id)", ident(leads)),
    ]
}

/// The primary key column's type per database.
fn with_primary_key(sql: &str, backend: DbBackend) -> String {
    let pk = match backend {
        DbBackend::Sqlite => "INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT",
        _ => "BIGSERIAL PRIMARY KEY",
    };
    sql.replace("{pk}", pk)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let mut batch: Vec<String> = Vec::new();
        if backend == DbBackend::Sqlite {
            batch.extend(sqlite::replace_check(db, &LINK_STATUS_BEFORE, &LINK_STATUS).await?);
            for c in COLUMNS {
                batch.push(format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    ident(c.table),
                    column_definition(c)
                ));
            }
        } else {
            batch.push(format!(
                "ALTER TABLE {t} DROP CONSTRAINT {n}",
                t = ident(LINK_STATUS.table),
                n = ident(LINK_STATUS.name)
            ));
            batch.push(format!(
                "ALTER TABLE {t} ADD CONSTRAINT {n} CHECK ({c})",
                t = ident(LINK_STATUS.table),
                n = ident(LINK_STATUS.name),
                c = LINK_STATUS.condition()
            ));
            for c in COLUMNS {
                batch.push(format!(
                    "ALTER TABLE {} ADD COLUMN {} {}",
                    ident(c.table),
                    ident(c.column),
                    c.definition
                ));
                if let Some(name) = c.constraint {
                    let clause = match (check(name), relation(name)) {
                        (Some(k), _) => format!("CHECK ({})", k.condition()),
                        (None, Some(r)) => {
                            format!("FOREIGN KEY ({}) {}", ident(r.column), references(r))
                        }
                        (None, None) => continue,
                    };
                    batch.push(format!(
                        "ALTER TABLE {} ADD CONSTRAINT {} {clause}",
                        ident(c.table),
                        ident(name)
                    ));
                }
            }
        }
        batch.extend(create_tables().iter().map(|s| with_primary_key(s, backend)));
        batch.push(
            "CREATE INDEX ix_project_budgets_restates_line ON project_budgets (restates_line_id)"
                .into(),
        );
        // One batch: on SQLite every statement then runs on the same pooled connection (see migration 000005).
        db.execute_unprepared(&(batch.join(";\n") + ";")).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let mut batch: Vec<String> = vec![
            "DROP INDEX ix_project_budgets_restates_line".into(),
            "DROP TABLE project_lead_agencies".into(),
            "DROP TABLE national_database_link_statements".into(),
        ];
        if backend == DbBackend::Sqlite {
            // A constrained column cannot be dropped: its table is rebuilt without it (and without the table's other
            // new columns, which the rebuild would otherwise restore from the stored definition).
            let rebuilt: Vec<&str> = COLUMNS
                .iter()
                .filter(|c| c.constraint.is_some())
                .map(|c| c.table)
                .fold(Vec::new(), |mut tables, t| {
                    if !tables.contains(&t) {
                        tables.push(t);
                    }
                    tables
                });
            for c in COLUMNS.iter().rev().filter(|c| !rebuilt.contains(&c.table)) {
                batch.push(format!(
                    "ALTER TABLE {} DROP COLUMN {}",
                    ident(c.table),
                    ident(c.column)
                ));
            }
            for table in rebuilt {
                let removed: Vec<(String, &str)> = COLUMNS
                    .iter()
                    .filter(|c| c.table == table)
                    .map(|c| (format!(", {}", column_definition(c)), c.column))
                    .collect();
                batch.extend(sqlite::rebuild_without(db, table, &removed).await?);
            }
            batch.extend(sqlite::replace_check(db, &LINK_STATUS, &LINK_STATUS_BEFORE).await?);
        } else {
            for c in COLUMNS.iter().rev() {
                // Dropping the column drops its constraints with it.
                batch.push(format!(
                    "ALTER TABLE {} DROP COLUMN {}",
                    ident(c.table),
                    ident(c.column)
                ));
            }
            batch.push(format!(
                "ALTER TABLE {t} DROP CONSTRAINT {n}",
                t = ident(LINK_STATUS.table),
                n = ident(LINK_STATUS.name)
            ));
            batch.push(format!(
                "ALTER TABLE {t} ADD CONSTRAINT {n} CHECK ({c})",
                t = ident(LINK_STATUS.table),
                n = ident(LINK_STATUS.name),
                c = LINK_STATUS_BEFORE.condition()
            ));
        }
        db.execute_unprepared(&(batch.join(";\n") + ";")).await?;
        Ok(())
    }
}
