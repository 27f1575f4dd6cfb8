//! The value types every registry object shares: [`Source`], the seed-file lines a row was read from (and [`Cited`],
//! how each seeded entity gives it), and [`Amount`], money as a document prints it.

use async_graphql::SimpleObject;

use crate::graphql::enums::MoneyUnit;

/// Where a row comes from: a line range of a seed plan file.
#[derive(SimpleObject, Clone)]
pub struct Source {
    /// The seed file (see `shared/seeds/README.md`).
    pub file: String,
    /// First line (1-based).
    pub line: i32,
    /// Last line, inclusive.
    pub line_end: i32,
}

/// A row that may have been seeded from a plan file: every such entity has the same three citation columns.
pub trait Cited {
    /// The `source_file`, `source_line` and `source_line_end` columns.
    fn citation(&self) -> (Option<&str>, Option<i32>, Option<i32>);

    /// Where the row comes from; none for a row an administrator entered.
    fn source(&self) -> Option<Source> {
        let (file, line, end) = self.citation();
        Some(Source {
            file: file?.to_owned(),
            line: line?,
            line_end: end.or(line)?,
        })
    }
}

/// Implements [`Cited`] for entity models with the three citation columns.
macro_rules! cited {
    ($($entity:ident),+ $(,)?) => {$(
        impl Cited for entities::$entity::Model {
            fn citation(&self) -> (Option<&str>, Option<i32>, Option<i32>) {
                (self.source_file.as_deref(), self.source_line, self.source_line_end)
            }
        }
    )+};
}

cited!(
    agency,
    indicator,
    information_system,
    national_database,
    national_database_link,
    national_database_link_statement,
    plan,
    project,
    reported_figure,
);

/// An amount of money as the document prints it, and in million VND when the document prints its unit; or an amount
/// an administrator entered, which no document prints.
#[derive(SimpleObject, Clone)]
pub struct Amount {
    /// Exactly as printed, e.g. `1.250,5`; null for an amount an administrator entered.
    pub printed: Option<String>,
    /// The unit the document prints for this table; null when it prints none.
    pub unit: Option<MoneyUnit>,
    /// The amount in million VND (triệu đồng); null when the unit is not printed.
    pub million_vnd: Option<f64>,
}

impl Amount {
    /// An amount as printed, in the table's `unit`, with its parsed value in VND.
    pub fn as_printed(
        printed: &str,
        unit: Option<entities::enums::MoneyUnit>,
        vnd: Option<i64>,
    ) -> Amount {
        Amount {
            printed: Some(printed.to_owned()),
            unit: unit.map(Into::into),
            million_vnd: vnd.map(million),
        }
    }
}

/// Whole VND in million VND.
pub fn million(vnd: i64) -> f64 {
    vnd as f64 / 1_000_000.0
}
