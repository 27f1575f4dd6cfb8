//! The tables that gain a constraint, as SQLite must recreate them: SQLite adds a constraint only with the table
//! (`CREATE TABLE`), so the rebuild needs each table's definition. Every column is restated as the migrations before
//! this one left it (same name, order, type, nullability and default); the rebuild refuses to run if the table it
//! replaces has a column this definition lacks, so no data can be dropped on the way.

use sea_orm_migration::{prelude::*, schema::*};

use super::constraints::{CHECKS, RELATIONS};

/// The rebuilt tables, every one that has a constraint of this migration.
pub(super) const REBUILT: [&str; 10] = [
    "plans",
    "agencies",
    "information_systems",
    "projects",
    "project_budgets",
    "national_databases",
    "national_database_links",
    "indicators",
    "reported_figures",
    "search_entries",
];

/// The source columns of a seeded table, after its own.
fn with_source(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(string_null("source_file"))
        .col(integer_null("source_line"))
        .col(integer_null("source_line_end"))
}

/// The columns of `table` as they stand before this migration; `None` for a table this migration does not rebuild.
fn columns(table: &str) -> Option<TableCreateStatement> {
    let mut t = Table::create();
    match table {
        "plans" => with_source(
            t.col(string("id").primary_key())
                .col(string("province_code"))
                .col(string_null("number"))
                .col(string_null("issued_on"))
                .col(text("title"))
                .col(string("title_folded"))
                .col(integer_null("period_start"))
                .col(integer_null("period_end")),
        ),
        // `approval_role` came with migration 000004, `version` with 000005.
        "agencies" => with_source(
            t.col(string("id").primary_key())
                .col(string_null("code").unique_key())
                .col(string("name"))
                .col(string("name_folded"))
                .col(string("kind"))
                .col(string("province_code"))
                .col(string_null("parent_id")),
        )
        .col(text_null("approval_role"))
        .col(integer("version").default(1)),
        // `approved_level` came with migration 000004.
        "information_systems" => with_source(
            t.col(big_pk_auto("id"))
                .col(string("code").unique_key())
                .col(string("name"))
                .col(string("name_folded"))
                .col(string_null("agency_id"))
                .col(string("province_code"))
                .col(text_null("description"))
                .col(small_integer_null("security_level"))
                .col(string_null("approval_state"))
                .col(string_null("decision_number"))
                .col(string_null("decision_date"))
                .col(boolean_null("connects_lgsp"))
                .col(boolean_null("processes_personal_data"))
                .col(integer("version").default(1)),
        )
        .col(small_integer_null("approved_level")),
        // `version` came with migration 000005.
        "projects" => with_source(
            t.col(big_pk_auto("id"))
                .col(string("key").unique_key())
                .col(string_null("ref"))
                .col(text("name"))
                .col(text("name_folded"))
                .col(string_null("lead_agency_id"))
                .col(string("province_code"))
                .col(string("plan_id"))
                .col(integer_null("year_start"))
                .col(integer_null("year_end"))
                .col(string_null("funding_source"))
                .col(string_null("funding_printed"))
                .col(string_null("status"))
                .col(string_null("total_printed"))
                .col(big_integer_null("total_vnd"))
                .col(double_null("total_number"))
                .col(string_null("unit"))
                .col(integer_null("unit_line")),
        )
        .col(integer("version").default(1)),
        "project_budgets" => t
            .col(big_pk_auto("id"))
            .col(big_integer("project_id"))
            .col(integer_null("year"))
            .col(string("amount_printed"))
            .col(big_integer_null("amount_vnd"))
            .col(string_null("funding_source"))
            .col(string_null("funding_printed"))
            .col(integer_null("source_line")),
        "national_databases" => with_source(
            t.col(string("id").primary_key())
                .col(string("name"))
                .col(string("name_folded"))
                .col(string_null("owner"))
                .col(string_null("owner_note"))
                .col(string("kind")),
        ),
        // As migration 000005 rebuilt it: `plan_id` and `quote` nullable, then `note` and `version`.
        "national_database_links" => with_source(
            t.col(big_pk_auto("id"))
                .col(string("national_database_id"))
                .col(string("province_code"))
                .col(string_null("plan_id"))
                .col(string("status"))
                .col(text_null("quote")),
        )
        .col(text_null("note"))
        .col(integer("version").default(1)),
        "indicators" => with_source(
            t.col(big_pk_auto("id"))
                .col(string("key").unique_key())
                .col(string("plan_id"))
                .col(string("province_code"))
                .col(text("name"))
                .col(text("name_folded"))
                .col(string("value_printed"))
                .col(double_null("value"))
                .col(string_null("unit"))
                .col(integer_null("year")),
        ),
        "reported_figures" => with_source(
            t.col(big_pk_auto("id"))
                .col(string("key").unique_key())
                .col(string("plan_id"))
                .col(string("province_code"))
                .col(text("label"))
                .col(string_null("metric"))
                .col(string_null("scope"))
                .col(string_null("funding_printed"))
                .col(string("value_printed"))
                .col(double_null("value"))
                .col(string_null("unit"))
                .col(text_null("quote")),
        ),
        // As migration 000002 made it on SQLite; its unique index and triggers are kept by the rebuild.
        "search_entries" => t
            .col(big_pk_auto("id"))
            .col(text("kind"))
            .col(text("node_key"))
            .col(text("title"))
            .col(text("folded")),
        _ => return None,
    };
    Some(t.to_owned())
}

/// `CREATE TABLE name (...)` of `table`'s columns, with this migration's constraints when `constrained`.
pub(super) fn definition(
    table: &str,
    name: &str,
    constrained: bool,
) -> Option<TableCreateStatement> {
    let mut def = columns(table)?;
    def.table(Alias::new(name));
    if constrained {
        for r in RELATIONS.iter().filter(|r| r.table == table) {
            def.foreign_key(&mut r.statement());
        }
        for c in CHECKS.iter().filter(|c| c.table == table) {
            def.check(c.clause());
        }
    }
    Some(def)
}
