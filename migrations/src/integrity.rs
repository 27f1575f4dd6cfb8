//! Every foreign key and CHECK the database enforces today: those of migration `m20261203_000009_integrity`, as later
//! migrations changed and extended them (`m20261204_000010_sharing` creates its tables with theirs,
//! `m20261204_000011_fidelity` widens the link status and adds its own). The
//! integrity tests enumerate these lists, so a constraint added by a migration and listed here is tested without more
//! code.

use std::sync::LazyLock;

pub use crate::m20261203_000009_integrity::constraints::{
    Check, Relation, Rule, SECURITY_LEVELS, YEARS,
};
use crate::{
    m20261203_000009_integrity::constraints as integrity, m20261204_000010_sharing as sharing,
    m20261204_000011_fidelity::constraints as fidelity,
};

/// Every relation between the hub's tables (see migration 000009 for those deliberately left out).
pub static RELATIONS: LazyLock<Vec<Relation>> = LazyLock::new(|| {
    integrity::RELATIONS
        .iter()
        .chain(sharing::RELATIONS)
        .chain(fidelity::RELATIONS)
        .copied()
        .collect()
});

/// Every rule on stored values; a later migration's CHECK replaces an earlier one of the same name.
pub static CHECKS: LazyLock<Vec<Check>> = LazyLock::new(|| {
    let replaced = [fidelity::LINK_STATUS];
    integrity::CHECKS
        .iter()
        .map(|c| {
            replaced
                .iter()
                .find(|r| r.name == c.name)
                .copied()
                .unwrap_or(*c)
        })
        .chain(sharing::CHECKS.iter().chain(fidelity::CHECKS).copied())
        .collect()
});

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
            assert!(name.len() <= 63, "{name} is too long");
        }
        let status = CHECKS
            .iter()
            .find(|c| c.name == "ck_national_database_links_status")
            .expect("the link status");
        assert!(status.condition().contains("'disputed'"));
    }
}
