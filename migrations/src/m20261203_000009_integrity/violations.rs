//! The rows a database holds that the new constraints would refuse, found before anything changes: the migration then
//! stops and names them (table, column, value, how many rows, and what is allowed) rather than deleting or correcting
//! a single one.

use super::constraints::{ident, CHECKS, RELATIONS};

/// How many offending values a refusal names per constraint; the row count covers them all.
const SHOWN: usize = 10;

/// One query for the rows a constraint would refuse: each result row is an offending `value` (as text) and the number
/// `n` of rows that hold it.
pub(super) struct Probe {
    /// "`table`.`column`".
    what: String,
    /// What the column must do instead ("be one of ..."), with the constraint's name.
    must: String,
    pub sql: String,
}

/// One probe per constraint of this migration.
pub(super) fn probes() -> Vec<Probe> {
    let relations = RELATIONS.iter().map(|r| {
        let (table, column) = (ident(r.table), ident(r.column));
        Probe {
            what: format!("{}.{}", r.table, r.column),
            must: format!(
                "name an existing {}.{} ({})",
                r.parent, r.parent_column, r.name
            ),
            sql: format!(
                "SELECT CAST(c.{column} AS TEXT) AS value, COUNT(*) AS n FROM {table} c \
                 WHERE c.{column} IS NOT NULL AND NOT EXISTS \
                   (SELECT 1 FROM {parent} p WHERE p.{parent_column} = c.{column}) \
                 GROUP BY c.{column} ORDER BY 1",
                parent = ident(r.parent),
                parent_column = ident(r.parent_column),
            ),
        }
    });
    let checks = CHECKS.iter().map(|c| Probe {
        what: format!("{}.{}", c.table, c.column),
        must: format!("be {} ({})", c.allowed(), c.name),
        // A condition that is NULL passes a CHECK, and NOT NULL is NULL: the same rows pass here.
        sql: format!(
            "SELECT {shown} AS value, COUNT(*) AS n FROM {table} WHERE NOT ({condition}) GROUP BY 1 ORDER BY 1",
            shown = c.shown(),
            table = ident(c.table),
            condition = c.condition(),
        ),
    });
    relations.chain(checks).collect()
}

impl Probe {
    /// The refusal line for what the probe found, `None` when it found nothing.
    pub fn describe(&self, found: &[(String, i64)]) -> Option<String> {
        if found.is_empty() {
            return None;
        }
        let rows: i64 = found.iter().map(|(_, n)| n).sum();
        let mut values: Vec<String> = found
            .iter()
            .take(SHOWN)
            .map(|(value, n)| format!("{value:?} ({n})"))
            .collect();
        if found.len() > SHOWN {
            values.push(format!("and {} more value(s)", found.len() - SHOWN));
        }
        Some(format!(
            "{} holds {} in {rows} row(s); it must {}",
            self.what,
            values.join(", "),
            self.must
        ))
    }
}

/// The migration's error for the refusals found.
pub(super) fn refusal(found: Vec<String>) -> sea_orm_migration::DbErr {
    sea_orm_migration::DbErr::Migration(format!(
        "rows that the integrity constraints would refuse; nothing was changed: correct or remove these rows, then \
         migrate again: {}",
        found.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_column_its_values_and_the_rows() {
        let probe = probes()
            .into_iter()
            .find(|p| p.what == "information_systems.agency_id")
            .expect("the systems' agency probe");
        assert_eq!(probe.describe(&[]), None);
        let found: Vec<(String, i64)> = (0..12).map(|i| (format!("a{i:02}"), 2)).collect();
        let line = probe.describe(&found).expect("a refusal");
        assert!(
            line.starts_with("information_systems.agency_id holds \"a00\" (2), \"a01\" (2)"),
            "{line}"
        );
        assert!(
            line.ends_with(
                "\"a09\" (2), and 2 more value(s) in 24 row(s); it must name an existing agencies.id \
                 (fk_information_systems_agency)"
            ),
            "{line}"
        );
    }
}
