//! The console's labels, from one catalogue per language (`data/console/labels/<lang>/<area>.toml`, compiled in), so
//! that an English console is a set of files, not a fork.
//!
//! A key is `<area>.<key>`: `catalog.title` is `title` in `catalog.toml`. Each page area has its own file so that
//! work on one page does not touch another's labels.

use std::{collections::HashMap, sync::LazyLock};

/// The Vietnamese catalogue's files, by area.
const VI: &[(&str, &str)] = &[
    (
        "common",
        include_str!("../../data/console/labels/vi/common.toml"),
    ),
    (
        "catalog",
        include_str!("../../data/console/labels/vi/catalog.toml"),
    ),
    (
        "work",
        include_str!("../../data/console/labels/vi/work.toml"),
    ),
    (
        "agency",
        include_str!("../../data/console/labels/vi/agency.toml"),
    ),
    (
        "approvals",
        include_str!("../../data/console/labels/vi/approvals.toml"),
    ),
    (
        "integrator",
        include_str!("../../data/console/labels/vi/integrator.toml"),
    ),
    (
        "auditor",
        include_str!("../../data/console/labels/vi/auditor.toml"),
    ),
    (
        "admin",
        include_str!("../../data/console/labels/vi/admin.toml"),
    ),
    (
        "auth",
        include_str!("../../data/console/labels/vi/auth.toml"),
    ),
];

static LABELS: LazyLock<HashMap<String, String>> = LazyLock::new(|| load(VI));

/// Every label of `files`, keyed `<area>.<key>`. A file that does not parse is a build mistake the tests catch
/// (`every_label_file_parses`); at run time its labels show as their keys rather than stopping the hub.
fn load(files: &[(&str, &str)]) -> HashMap<String, String> {
    let mut labels = HashMap::new();
    for (area, text) in files {
        let Ok(table) = text.parse::<toml::Table>() else {
            tracing::error!(area, "a console label file does not parse");
            continue;
        };
        for (key, value) in table {
            if let toml::Value::String(label) = value {
                labels.insert(format!("{area}.{key}"), label);
            }
        }
    }
    labels
}

/// The label for `key` (`<area>.<key>`) in the console's language (Vietnamese). An unknown key shows itself, so a
/// missing label is visible on the page and caught by the tests.
pub fn t(key: &str) -> &str {
    LABELS.get(key).map(String::as_str).unwrap_or(key)
}

/// The label of `value` in the group `prefix` (`admin.kind.` + `SO`), for option lists built from constants; an unknown
/// one shows the value itself.
pub fn t_of(prefix: &str, value: &'static str) -> &'static str {
    LABELS
        .get(&format!("{prefix}{value}"))
        .map(String::as_str)
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_file_parses() {
        for (area, text) in VI {
            assert!(text.parse::<toml::Table>().is_ok(), "{area}.toml");
        }
    }

    #[test]
    fn keys_are_read_with_their_area() {
        assert_eq!(t("catalog.title"), "Danh mục dùng chung");
        assert_eq!(t("catalog.no-such-label"), "catalog.no-such-label");
    }
}
