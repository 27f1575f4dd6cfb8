//! What migration `m20261203_000009_integrity` makes the database enforce: one foreign key per relation between the
//! registries and one CHECK per rule on stored values. The migration adds exactly these (PostgreSQL: `ALTER TABLE ..
//! ADD CONSTRAINT`; SQLite: in the rebuilt tables), refuses a database that holds a row they would refuse, and the
//! integration tests write one offending row per constraint, so a constraint added here is tested without more code.
//!
//! The closed sets are written out as they stand in `entities::enums` when this migration is written: a migration must
//! mean the same whenever it runs. A test compares them with the enums, so that a new variant cannot go unnoticed: it
//! needs a migration that widens its CHECK.

use sea_orm_migration::prelude::{
    Alias, Check as CheckClause, Expr, ForeignKey, ForeignKeyAction, ForeignKeyCreateStatement,
};

/// A foreign key: `table.column` names a row of `parent` by `parent_column`. Deleting or re-keying a referenced row is
/// refused: registries are never deleted from under the rows that cite them. The action is `NO ACTION`, checked at the
/// end of each statement (no constraint here is deferrable, so in effect a restriction): unlike `RESTRICT`, SQLite
/// reports it as a foreign-key violation (`RESTRICT` runs as a trigger there and fails with a trigger's error code),
/// so both databases refuse it with the same kind of error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    /// The constraint's name on PostgreSQL (SQLite does not report names of foreign keys).
    pub name: &'static str,
    pub table: &'static str,
    pub column: &'static str,
    pub parent: &'static str,
    pub parent_column: &'static str,
}

/// What a CHECK allows in its column; NULL always passes (a CHECK that is NULL is not violated), so nullability is the
/// column's own business.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// One of these stored texts (a closed set of `entities::enums`).
    OneOf(&'static [&'static str]),
    /// An integer from the first bound to the second, both included.
    Between(i64, i64),
    /// A number at least this large.
    AtLeast(i64),
    /// Not larger than the other column of the row (a start not after its end).
    NotAfter(&'static str),
}

/// A named CHECK on one column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub table: &'static str,
    pub column: &'static str,
    pub rule: Rule,
}

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

/// Every relation between the hub's tables, one line each. Not here, on purpose: `search_entries.node_key` (it points
/// into a different table per `kind`, which no foreign key can say), `provinces.merged_into_code` (the code of the
/// province formed by the 2025 merger, not a row of the registry), `provinces.agency_code` (an electronic code, not a
/// row), and the audit trail and the access log, whose agency codes and entity keys are history: they name callers
/// that need not be registered and rows that may since be gone.
#[rustfmt::skip]
pub const RELATIONS: &[Relation] = &[
    relation("fk_plans_province", "plans", "province_code", "provinces", "code"),
    relation("fk_agencies_province", "agencies", "province_code", "provinces", "code"),
    relation("fk_agencies_parent", "agencies", "parent_id", "agencies", "id"),
    relation("fk_information_systems_agency", "information_systems", "agency_id", "agencies", "id"),
    relation("fk_information_systems_province", "information_systems", "province_code", "provinces", "code"),
    relation("fk_projects_lead_agency", "projects", "lead_agency_id", "agencies", "id"),
    relation("fk_projects_province", "projects", "province_code", "provinces", "code"),
    relation("fk_projects_plan", "projects", "plan_id", "plans", "id"),
    relation("fk_project_budgets_project", "project_budgets", "project_id", "projects", "id"),
    relation(
        "fk_national_database_links_national_database",
        "national_database_links", "national_database_id", "national_databases", "id",
    ),
    relation("fk_national_database_links_province", "national_database_links", "province_code", "provinces", "code"),
    relation("fk_national_database_links_plan", "national_database_links", "plan_id", "plans", "id"),
    relation("fk_indicators_plan", "indicators", "plan_id", "plans", "id"),
    relation("fk_indicators_province", "indicators", "province_code", "provinces", "code"),
    relation("fk_reported_figures_plan", "reported_figures", "plan_id", "plans", "id"),
    relation("fk_reported_figures_province", "reported_figures", "province_code", "provinces", "code"),
];

/// Years a plan, a project, a budget line or an indicator may name: the range the API accepts from administrators.
pub const YEARS: Rule = Rule::Between(1900, 2200);

/// Security levels of ND 85/2016.
pub const SECURITY_LEVELS: Rule = Rule::Between(1, 5);

#[rustfmt::skip]
const FUNDING_SOURCES: Rule = Rule::OneOf(&[
    "ngan_sach_trung_uong", "ngan_sach_tinh", "ngan_sach_huyen", "su_nghiep", "dau_tu_cong", "xa_hoi_hoa", "khac",
]);

/// Optimistic-concurrency versions start at 1.
const VERSIONS: Rule = Rule::AtLeast(1);

const NON_NEGATIVE: Rule = Rule::AtLeast(0);

/// Every rule on stored values. Indicator values are left free: a target may be a decrease.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    check("ck_plans_period_start", "plans", "period_start", YEARS),
    check("ck_plans_period_end", "plans", "period_end", YEARS),
    check("ck_plans_period", "plans", "period_start", Rule::NotAfter("period_end")),
    check("ck_agencies_kind", "agencies", "kind", Rule::OneOf(&[
        "ubnd_tinh", "so", "ban_nganh", "ubnd_huyen", "don_vi_su_nghiep", "trung_uong", "khac",
    ])),
    check("ck_agencies_approval_role", "agencies", "approval_role", Rule::OneOf(&[
        "security_unit", "national_authority", "prime_minister",
    ])),
    check("ck_agencies_version", "agencies", "version", VERSIONS),
    check("ck_information_systems_security_level", "information_systems", "security_level", SECURITY_LEVELS),
    check("ck_information_systems_approved_level", "information_systems", "approved_level", SECURITY_LEVELS),
    check("ck_information_systems_approval_state", "information_systems", "approval_state", Rule::OneOf(&[
        "proposed", "appraised", "approved", "rejected", "retired",
    ])),
    check("ck_information_systems_version", "information_systems", "version", VERSIONS),
    check("ck_projects_year_start", "projects", "year_start", YEARS),
    check("ck_projects_year_end", "projects", "year_end", YEARS),
    check("ck_projects_years", "projects", "year_start", Rule::NotAfter("year_end")),
    check("ck_projects_funding_source", "projects", "funding_source", FUNDING_SOURCES),
    check("ck_projects_unit", "projects", "unit", Rule::OneOf(&["million_vnd", "billion_vnd"])),
    check("ck_projects_total_vnd", "projects", "total_vnd", NON_NEGATIVE),
    check("ck_projects_total_number", "projects", "total_number", NON_NEGATIVE),
    check("ck_projects_version", "projects", "version", VERSIONS),
    check("ck_project_budgets_year", "project_budgets", "year", YEARS),
    check("ck_project_budgets_amount_vnd", "project_budgets", "amount_vnd", NON_NEGATIVE),
    check("ck_project_budgets_funding_source", "project_budgets", "funding_source", FUNDING_SOURCES),
    check("ck_national_databases_kind", "national_databases", "kind", Rule::OneOf(&[
        "database", "platform", "system",
    ])),
    check("ck_national_database_links_status", "national_database_links", "status", Rule::OneOf(&[
        "connected", "planned",
    ])),
    check("ck_national_database_links_version", "national_database_links", "version", VERSIONS),
    check("ck_indicators_year", "indicators", "year", YEARS),
    check("ck_reported_figures_metric", "reported_figures", "metric", Rule::OneOf(&[
        "project_budget_total", "budget_lines_total", "project_count", "national_database_count",
    ])),
    check("ck_reported_figures_value", "reported_figures", "value", NON_NEGATIVE),
    check("ck_search_entries_kind", "search_entries", "kind", Rule::OneOf(&[
        "PROVINCE", "PLAN", "AGENCY", "INFORMATION_SYSTEM", "PROJECT", "NATIONAL_DATABASE", "INDICATOR",
    ])),
];

/// `name` as a quoted SQL identifier (the names here are constants of this file; quoting keeps them exact).
pub(super) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl Relation {
    /// The foreign key as sea-query's schema builder states it: named, refusing deletes and re-keys (`NO ACTION`).
    pub(super) fn statement(&self) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .name(self.name)
            .from(Alias::new(self.table), Alias::new(self.column))
            .to(Alias::new(self.parent), Alias::new(self.parent_column))
            .on_delete(ForeignKeyAction::NoAction)
            .on_update(ForeignKeyAction::NoAction)
            .to_owned()
    }
}

impl Check {
    /// The named CHECK clause of a `CREATE TABLE`.
    pub(super) fn clause(&self) -> CheckClause {
        CheckClause::named(Alias::new(self.name), Expr::cust(self.condition()))
    }

    /// The CHECK's condition, in SQL that SQLite and PostgreSQL read alike.
    pub fn condition(&self) -> String {
        let column = ident(self.column);
        match self.rule {
            Rule::OneOf(values) => {
                let values: Vec<String> = values.iter().map(|v| literal(v)).collect();
                format!("{column} IN ({})", values.join(", "))
            }
            Rule::Between(low, high) => format!("{column} BETWEEN {low} AND {high}"),
            Rule::AtLeast(low) => format!("{column} >= {low}"),
            Rule::NotAfter(other) => format!("{column} <= {}", ident(other)),
        }
    }

    /// What an offending row holds, as text: the column, or both columns of an order.
    pub(super) fn shown(&self) -> String {
        let text = |c: &str| format!("CAST({} AS TEXT)", ident(c));
        match self.rule {
            Rule::NotAfter(other) => format!("{} || ' > ' || {}", text(self.column), text(other)),
            _ => text(self.column),
        }
    }

    /// The rule in words, for the migration's refusal.
    pub(super) fn allowed(&self) -> String {
        match self.rule {
            Rule::OneOf(values) => format!("one of {}", values.join(", ")),
            Rule::Between(low, high) => format!("from {low} to {high}"),
            Rule::AtLeast(low) => format!("at least {low}"),
            Rule::NotAfter(other) => format!("not after {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_and_say_their_table() {
        let mut names = HashSet::new();
        for (name, table) in RELATIONS
            .iter()
            .map(|r| (r.name, r.table))
            .chain(CHECKS.iter().map(|c| (c.name, c.table)))
        {
            assert!(names.insert(name), "{name} twice");
            assert!(name[3..].starts_with(table), "{name} does not name {table}");
            // PostgreSQL truncates identifiers past 63 bytes.
            assert!(name.len() <= 63, "{name} is too long");
        }
    }

    #[test]
    fn conditions_are_plain_sql() {
        let state = CHECKS
            .iter()
            .find(|c| c.name == "ck_information_systems_approval_state")
            .expect("the approval state's check");
        assert_eq!(
            state.condition(),
            "\"approval_state\" IN ('proposed', 'appraised', 'approved', 'rejected', 'retired')"
        );
        let years = CHECKS
            .iter()
            .find(|c| c.name == "ck_projects_years")
            .expect("the projects' years check");
        assert_eq!(years.condition(), "\"year_start\" <= \"year_end\"");
        assert_eq!(literal("it's"), "'it''s'");
    }
}
