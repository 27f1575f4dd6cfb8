//! What migration `m20261204_000011_fidelity` adds for the registry's fidelity to the plans: the columns and tables
//! that keep contradictions, restatements, multi-unit leads, budget levels and comparators as data, each relation with
//! its foreign key and each closed set with its CHECK (the lists below; `crate::integrity` merges them with those of
//! migration `m20261203_000009_integrity`, so the integrity tests try every one).
//!
//! The closed sets are written out as they stand in `entities::enums` when this migration is written: a migration must
//! mean the same whenever it runs.

use crate::m20261203_000009_integrity::constraints::{Check, Relation, Rule, YEARS};

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

/// The link statuses: a plan's statement may say connected, planned or partial; a link that its plan states in ways
/// that contradict each other is `disputed`. Replaces the check of the same name of migration 000009.
#[rustfmt::skip]
pub const LINK_STATUS: Check = check("ck_national_database_links_status", "national_database_links", "status",
    Rule::OneOf(&["connected", "planned", "partial", "disputed"]));

/// The link status before this migration (migration 000009's), restored by `down`.
#[rustfmt::skip]
pub const LINK_STATUS_BEFORE: Check = check("ck_national_database_links_status", "national_database_links", "status",
    Rule::OneOf(&["connected", "planned"]));

/// The relations this migration adds.
#[rustfmt::skip]
pub const RELATIONS: &[Relation] = &[
    relation("fk_national_database_link_statements_link", "national_database_link_statements", "link_id",
        "national_database_links", "id"),
    relation("fk_project_lead_agencies_project", "project_lead_agencies", "project_id", "projects", "id"),
    relation("fk_project_lead_agencies_agency", "project_lead_agencies", "agency_id", "agencies", "id"),
    relation("fk_project_budgets_restates_line", "project_budgets", "restates_line_id", "project_budgets", "id"),
    relation("fk_project_budgets_restates_figure", "project_budgets", "restates_figure_id", "reported_figures", "id"),
    relation("fk_reported_figures_restates_figure", "reported_figures", "restates_figure_id", "reported_figures", "id"),
];

/// The CHECKs this migration adds (the widened link status is [`LINK_STATUS`]).
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    check("ck_national_database_link_statements_status", "national_database_link_statements", "status",
        Rule::OneOf(&["connected", "planned", "partial", "not_connected"])),
    check("ck_project_lead_agencies_position", "project_lead_agencies", "position", Rule::AtLeast(1)),
    check("ck_project_budgets_level", "project_budgets", "level", Rule::OneOf(&["province", "district"])),
    check("ck_project_budgets_spending", "project_budgets", "spending", Rule::OneOf(&["recurrent", "investment"])),
    check("ck_reported_figures_year", "reported_figures", "year", YEARS),
    check("ck_indicators_comparator", "indicators", "comparator", Rule::OneOf(&["eq", "gt", "gte", "aspirational"])),
];

/// A column this migration adds to an existing table: (table, column, SQL type and default, relation or check name).
pub struct NewColumn {
    pub table: &'static str,
    pub column: &'static str,
    /// The type (and default) in SQL that SQLite and PostgreSQL read alike.
    pub definition: &'static str,
    /// The constraint on the column, by name, from [`RELATIONS`] or [`CHECKS`].
    pub constraint: Option<&'static str>,
}

const fn column(
    table: &'static str,
    column: &'static str,
    definition: &'static str,
    constraint: Option<&'static str>,
) -> NewColumn {
    NewColumn {
        table,
        column,
        definition,
        constraint,
    }
}

/// The columns added to existing tables, in the order they are added.
#[rustfmt::skip]
pub const COLUMNS: &[NewColumn] = &[
    column("projects", "lead_printed", "TEXT", None),
    column("project_budgets", "level", "TEXT", Some("ck_project_budgets_level")),
    column("project_budgets", "spending", "TEXT", Some("ck_project_budgets_spending")),
    column("project_budgets", "restates_line_id", "BIGINT", Some("fk_project_budgets_restates_line")),
    column("project_budgets", "restates_figure_id", "BIGINT", Some("fk_project_budgets_restates_figure")),
    column("reported_figures", "restates_figure_id", "BIGINT", Some("fk_reported_figures_restates_figure")),
    column("reported_figures", "year", "INTEGER", Some("ck_reported_figures_year")),
    column("reported_figures", "listed_line", "INTEGER", None),
    column("indicators", "comparator", "TEXT NOT NULL DEFAULT 'eq'", Some("ck_indicators_comparator")),
    column("indicators", "heading", "TEXT", None),
    column("indicators", "heading_line", "INTEGER", None),
    column("information_systems", "approval_printed", "TEXT", None),
    column("information_systems", "approval_line", "INTEGER", None),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_constrained_column_names_a_constraint_of_its_table() {
        for c in COLUMNS {
            let Some(name) = c.constraint else { continue };
            let found = RELATIONS
                .iter()
                .any(|r| r.name == name && r.table == c.table && r.column == c.column)
                || CHECKS
                    .iter()
                    .any(|k| k.name == name && k.table == c.table && k.column == c.column);
            assert!(found, "{}.{}: no constraint {name}", c.table, c.column);
        }
    }
}
