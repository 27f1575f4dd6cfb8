//! The legal texts the hub cites, as data: which law or decree governs personal data, data sharing, connections and
//! security levels, since when, and whether it is still in force. The plans cite the texts of their day (Nghị định
//! 47/2020/NĐ-CP, parts of which Nghị định 194/2025/NĐ-CP has repealed); the hub cites what is in force today beside
//! them. The default list (`data/legal/references.toml`) is compiled in and follows the project's domain brief; an
//! operator corrects it without a release with `legal_references_file`. Facts the brief marks unverified say so.

use std::path::Path;

use serde::Deserialize;

/// The list compiled into the hub.
const BUILT_IN: &str = include_str!("../data/legal/references.toml");

/// Whether a text is in force (as far as the list knows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum LegalStatus {
    InForce,
    /// Parts of it were repealed by the texts in `replaced_by`.
    PartlyRepealed,
    Repealed,
    /// Not recorded: check the official gazette.
    Unknown,
}

/// What a text governs, for the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum LegalTopic {
    /// Processing personal data (the purposes of lookups, the access log).
    PersonalData,
    /// Sharing data among state bodies.
    DataSharing,
    /// Connecting to the national platform and the national databases.
    Connection,
    /// Security levels of information systems and their approval.
    SecurityLevels,
}

/// One legal text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalReference {
    /// As printed, e.g. `91/2025/QH15`, `13/2023/NĐ-CP`.
    pub number: String,
    /// `Luật`, `Nghị định`, `Thông tư`...
    pub kind: String,
    pub subject: String,
    /// `YYYY-MM-DD`, where known.
    pub in_force_from: Option<String>,
    pub status: LegalStatus,
    /// The texts that (partly) replaced it, by number.
    #[serde(default)]
    pub replaced_by: Vec<String>,
    pub topics: Vec<LegalTopic>,
    /// False where the source marks the fact unverified or does not record it.
    pub verified: bool,
    /// Where the entry comes from.
    pub source: String,
    pub note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    reference: Vec<LegalReference>,
}

#[derive(Debug, thiserror::Error)]
pub enum LegalError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Parse(String),
    #[error("legal reference `{number}`: {message}")]
    Invalid { number: String, message: String },
}

/// The legal references the hub cites.
#[derive(Debug, Clone)]
pub struct LegalReferences(Vec<LegalReference>);

impl LegalReferences {
    /// The list in `file`, or the built-in one.
    pub fn load(file: Option<&Path>) -> Result<LegalReferences, LegalError> {
        match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| LegalError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                LegalReferences::parse(&text)
            }
            None => LegalReferences::parse(BUILT_IN),
        }
    }

    /// The built-in list (checked by a test, so it always parses).
    pub fn built_in() -> LegalReferences {
        LegalReferences::parse(BUILT_IN).unwrap_or(LegalReferences(Vec::new()))
    }

    fn parse(text: &str) -> Result<LegalReferences, LegalError> {
        let file: File = toml::from_str(text).map_err(|e| LegalError::Parse(e.to_string()))?;
        let numbers: Vec<&str> = file.reference.iter().map(|r| r.number.as_str()).collect();
        for r in &file.reference {
            let invalid = |message: &str| LegalError::Invalid {
                number: r.number.clone(),
                message: message.to_owned(),
            };
            if r.number.trim().is_empty()
                || r.subject.trim().is_empty()
                || r.source.trim().is_empty()
            {
                return Err(invalid("number, subject and source are required"));
            }
            if numbers.iter().filter(|n| **n == r.number).count() > 1 {
                return Err(invalid("listed twice"));
            }
            if r.in_force_from.as_deref().is_some_and(|d| !is_date(d)) {
                return Err(invalid("in_force_from must be a date, YYYY-MM-DD"));
            }
            if let Some(unknown) = r
                .replaced_by
                .iter()
                .find(|n| !numbers.contains(&n.as_str()))
            {
                return Err(invalid(&format!(
                    "replaced_by names `{unknown}`, which the list does not hold"
                )));
            }
            let repealed = matches!(
                r.status,
                LegalStatus::PartlyRepealed | LegalStatus::Repealed
            );
            if repealed && r.replaced_by.is_empty() {
                return Err(invalid(
                    "a repealed text names what replaced it (replaced_by)",
                ));
            }
            if r.topics.is_empty() {
                return Err(invalid("at least one topic"));
            }
        }
        Ok(LegalReferences(file.reference))
    }

    /// The texts on `topic` (all without one), in the list's order.
    pub fn about(&self, topic: Option<LegalTopic>) -> impl Iterator<Item = &LegalReference> {
        self.0
            .iter()
            .filter(move |r| topic.is_none_or(|t| r.topics.contains(&t)))
    }
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_list_parses_and_cites_the_texts_in_force() {
        let list = LegalReferences::load(None).expect("the built-in list");
        let personal: Vec<&str> = list
            .about(Some(LegalTopic::PersonalData))
            .map(|r| r.number.as_str())
            .collect();
        assert!(personal.contains(&"91/2025/QH15"), "{personal:?}");
        assert!(personal.contains(&"13/2023/NĐ-CP"), "{personal:?}");
        let nd47 = list
            .about(None)
            .find(|r| r.number == "47/2020/NĐ-CP")
            .expect("47/2020");
        assert_eq!(nd47.status, LegalStatus::PartlyRepealed);
        assert_eq!(nd47.replaced_by, ["194/2025/NĐ-CP"]);
        assert_eq!(LegalReferences::built_in().0.len(), list.0.len());
    }

    #[test]
    fn a_list_that_contradicts_itself_is_refused() {
        let entry = |number: &str, extra: &str| {
            format!(
                "[[reference]]\nnumber = \"{number}\"\nkind = \"Nghị định\"\nsubject = \"s\"\nstatus = \"in_force\"\n\
                 topics = [\"data_sharing\"]\nverified = true\nsource = \"test\"\n{extra}\n"
            )
        };
        let cases = [
            (
                entry("1/2020/NĐ-CP", "replaced_by = [\"9/2025/NĐ-CP\"]"),
                "does not hold",
            ),
            (
                entry("1/2020/NĐ-CP", "in_force_from = \"19/08/2025\""),
                "YYYY-MM-DD",
            ),
            (
                entry("1/2020/NĐ-CP", "") + &entry("1/2020/NĐ-CP", ""),
                "listed twice",
            ),
            (
                entry("1/2020/NĐ-CP", "").replace("in_force", "repealed"),
                "replaced_by",
            ),
            (entry("1/2020/NĐ-CP", "extra = 1"), "unknown field"),
        ];
        for (text, expected) in cases {
            let err = LegalReferences::parse(&text).expect_err(&text).to_string();
            assert!(err.contains(expected), "{err} (expected {expected})");
        }
    }

    #[test]
    fn dates_are_iso() {
        assert!(is_date("2026-01-01"));
        assert!(!is_date("01/01/2026"));
        assert!(!is_date("2026-1-1"));
    }
}
