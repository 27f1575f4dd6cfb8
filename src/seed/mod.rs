//! Seed data: the registries as the five provincial plans print them.
//!
//! The seed files (`data/seed/*.toml`) are compiled into the binary, so a fresh `cargo run` seeds itself without the
//! repository at hand. Loading validates every cross-reference (agency keys, national database keys, enums) and
//! parses every printed amount with its document's number convention; any error aborts the whole seed.

mod insert;
pub mod model;
pub mod number;
mod rows;
pub mod synthetic;

use std::collections::{HashMap, HashSet};

use entities::enums::{
    AgencyKind, ApprovalState, BudgetLevel, Comparator, ConnectionStatus, FundingSource, Metric,
    Spending, StatementStatus,
};
use sea_orm::ActiveEnum;

pub use insert::{seed_all, seed_if_empty};
use model::{NationalDatabasesFile, PlanFile, ProvincesFile};

/// The seed files compiled into the binary: (name, text).
pub const EMBEDDED: [(&str, &str); 7] = [
    (
        "provinces.toml",
        include_str!("../../data/seed/provinces.toml"),
    ),
    (
        "national_databases.toml",
        include_str!("../../data/seed/national_databases.toml"),
    ),
    (
        "kien-giang.toml",
        include_str!("../../data/seed/kien-giang.toml"),
    ),
    (
        "vinh-long.toml",
        include_str!("../../data/seed/vinh-long.toml"),
    ),
    (
        "tien-giang.toml",
        include_str!("../../data/seed/tien-giang.toml"),
    ),
    (
        "quang-ngai.toml",
        include_str!("../../data/seed/quang-ngai.toml"),
    ),
    ("ha-tinh.toml", include_str!("../../data/seed/ha-tinh.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed file {file}: {message}")]
    Invalid { file: String, message: String },
    #[error("database error while seeding: {0}")]
    Database(#[from] sea_orm::DbErr),
}

fn invalid(file: &str, message: impl Into<String>) -> SeedError {
    SeedError::Invalid {
        file: file.to_owned(),
        message: message.into(),
    }
}

/// The stored value (one of `entities::enums`) that a seed file spells `value`.
pub(crate) fn stored<E: ActiveEnum<Value = String>>(
    file: &str,
    value: &str,
) -> Result<E, SeedError> {
    E::try_from_value(&value.to_owned())
        .map_err(|_| invalid(file, format!("unknown value {value}")))
}

/// All seed files, parsed and cross-checked.
#[derive(Debug)]
pub struct SeedSet {
    pub provinces: ProvincesFile,
    pub national_databases: NationalDatabasesFile,
    pub plans: Vec<PlanFile>,
}

impl SeedSet {
    /// Parses the seed files compiled into the binary.
    pub fn embedded() -> Result<Self, SeedError> {
        Self::parse(&EMBEDDED)
    }

    /// Parses and validates a set of seed files given as (name, text).
    pub fn parse(files: &[(&str, &str)]) -> Result<Self, SeedError> {
        let mut provinces = None;
        let mut national_databases = None;
        let mut plans = Vec::new();
        for (name, text) in files {
            let de_err = |e: toml::de::Error| invalid(name, e.to_string());
            match *name {
                "provinces.toml" => provinces = Some(toml::from_str(text).map_err(de_err)?),
                "national_databases.toml" => {
                    national_databases = Some(toml::from_str(text).map_err(de_err)?)
                }
                _ => plans.push(toml::from_str::<PlanFile>(text).map_err(de_err)?),
            }
        }
        let set = SeedSet {
            provinces: provinces.ok_or_else(|| invalid("provinces.toml", "missing"))?,
            national_databases: national_databases
                .ok_or_else(|| invalid("national_databases.toml", "missing"))?,
            plans,
        };
        set.validate()?;
        Ok(set)
    }

    fn validate(&self) -> Result<(), SeedError> {
        for p in &self.provinces.province {
            crate::codes::parse_province_code("code", &p.code).map_err(|_| {
                invalid(
                    "provinces.toml",
                    format!("malformed province code {}", p.code),
                )
            })?;
            if let Some(code) = &p.agency_code {
                crate::codes::AgencyCode::parse("agency_code", code).map_err(|_| {
                    invalid("provinces.toml", format!("malformed agency code {code}"))
                })?;
            }
        }
        let provinces: HashMap<&str, &str> = self
            .provinces
            .province
            .iter()
            .map(|p| (p.code.as_str(), p.slug.as_str()))
            .collect();
        let mut databases: HashSet<&str> = self
            .national_databases
            .national_database
            .iter()
            .map(|d| d.key.as_str())
            .collect();
        for plan in &self.plans {
            for db in &plan.national_database {
                if !databases.insert(db.key.as_str()) {
                    return Err(invalid(
                        &plan.source_file,
                        format!("national database {} defined twice", db.key),
                    ));
                }
            }
        }
        let mut agencies: HashSet<String> = self
            .provinces
            .province
            .iter()
            .map(|p| format!("{}-ubnd-tinh", p.slug))
            .collect();
        for plan in &self.plans {
            for agency in &plan.agency {
                if !agencies.insert(agency.key.clone()) {
                    return Err(invalid(
                        &plan.source_file,
                        format!("agency {} defined twice", agency.key),
                    ));
                }
            }
        }
        for plan in &self.plans {
            let file = plan.source_file.as_str();
            if !provinces.contains_key(plan.province.as_str()) {
                return Err(invalid(file, format!("unknown province {}", plan.province)));
            }
            let known_agency = |key: &Option<String>, what: &str| match key {
                Some(k) if !agencies.contains(k) => {
                    Err(invalid(file, format!("{what}: unknown agency {k}")))
                }
                _ => Ok(()),
            };
            for a in &plan.agency {
                if let Some(code) = &a.code {
                    crate::codes::AgencyCode::parse("code", code).map_err(|_| {
                        invalid(file, format!("agency {}: malformed code {code}", a.key))
                    })?;
                }
                if stored::<AgencyKind>(file, &a.kind).is_err() {
                    return Err(invalid(
                        file,
                        format!("agency {}: unknown kind {}", a.key, a.kind),
                    ));
                }
                known_agency(&a.parent, &a.key)?;
            }
            for c in &plan.connection {
                if !databases.contains(c.national_database.as_str()) {
                    return Err(invalid(
                        file,
                        format!("unknown national database {}", c.national_database),
                    ));
                }
                let status = stored::<ConnectionStatus>(file, &c.status)
                    .map_err(|_| invalid(file, format!("connection status {}", c.status)))?;
                check_statements(file, c, status)?;
            }
            for s in &plan.information_system {
                known_agency(&s.owner, &s.key)?;
                if let Some(level) = s.security_level {
                    if !(1..=5).contains(&level) {
                        return Err(invalid(file, format!("{}: security level {level}", s.key)));
                    }
                }
                if let Some(state) = &s.approval_state {
                    if stored::<ApprovalState>(file, state).is_err() {
                        return Err(invalid(file, format!("{}: approval state {state}", s.key)));
                    }
                }
            }
            let projects: HashSet<&str> = plan.project.iter().map(|p| p.key.as_str()).collect();
            let figures: HashSet<&str> = plan
                .reported_figure
                .iter()
                .map(|f| f.key.as_str())
                .collect();
            let known = |set: &HashSet<&str>, key: &Option<String>, what: &str| match key {
                Some(k) if !set.contains(k.as_str()) => {
                    Err(invalid(file, format!("{what}: restates unknown {k}")))
                }
                _ => Ok(()),
            };
            for p in &plan.project {
                known_agency(&p.lead_agency, &p.key)?;
                for lead in &p.lead_agencies {
                    known_agency(&Some(lead.clone()), &p.key)?;
                }
                if let (Some(single), false) = (&p.lead_agency, p.lead_agencies.is_empty()) {
                    if p.lead_agencies.len() != 1 || &p.lead_agencies[0] != single {
                        return Err(invalid(
                            file,
                            format!("{}: lead_agency names one of several leads", p.key),
                        ));
                    }
                }
                for b in &p.budget {
                    if let Some(level) = &b.level {
                        stored::<BudgetLevel>(file, level)?;
                    }
                    if let Some(spending) = &b.spending {
                        stored::<Spending>(file, spending)?;
                    }
                    known(&projects, &b.restates, &p.key)?;
                    known(&figures, &b.restates_figure, &p.key)?;
                }
                let funds = std::iter::once(&p.funding_source)
                    .chain(p.budget.iter().map(|b| &b.funding_source));
                for f in funds.flatten() {
                    if stored::<FundingSource>(file, f).is_err() {
                        return Err(invalid(file, format!("{}: funding source {f}", p.key)));
                    }
                }
            }
            for i in &plan.indicator {
                if let Some(c) = &i.comparator {
                    stored::<Comparator>(file, c)?;
                }
                if i.heading.is_some() != i.heading_line.is_some() {
                    return Err(invalid(
                        file,
                        format!("{}: heading without its line", i.key),
                    ));
                }
            }
            for f in &plan.reported_figure {
                known(&figures, &f.restates, &f.key)?;
                if f.restates.as_deref() == Some(f.key.as_str()) {
                    return Err(invalid(file, format!("{} restates itself", f.key)));
                }
                if let Some(m) = &f.metric {
                    if stored::<Metric>(file, m).is_err() {
                        return Err(invalid(file, format!("{}: metric {m}", f.key)));
                    }
                }
            }
        }
        Ok(())
    }

    /// The slug (key prefix) of a province code.
    pub fn province_slug(&self, code: &str) -> Option<&str> {
        self.provinces
            .province
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.slug.as_str())
    }
}

/// A link's statements agree with its status: a `disputed` link says what its own line states (`stated`) and has a
/// statement that says otherwise. Another link may say what its own line states when that is not its status (a
/// `partial` link citing the line that reports the connection, qualified by a footnote).
fn check_statements(
    file: &str,
    c: &model::ConnectionRow,
    status: ConnectionStatus,
) -> Result<(), SeedError> {
    let what = format!("connection to {} (line {})", c.national_database, c.line);
    let statements = c
        .statement
        .iter()
        .map(|s| stored::<StatementStatus>(file, &s.status))
        .collect::<Result<Vec<_>, _>>()?;
    match (status, &c.stated) {
        (ConnectionStatus::Disputed, Some(stated)) => {
            let stated = stored::<StatementStatus>(file, stated)?;
            if !statements.iter().any(|s| *s != stated) {
                return Err(invalid(
                    file,
                    format!("{what}: disputed, but no statement says otherwise"),
                ));
            }
        }
        (ConnectionStatus::Disputed, None) => {
            return Err(invalid(file, format!("{what}: disputed without `stated`")))
        }
        (_, Some(stated)) => {
            stored::<StatementStatus>(file, stated)?;
        }
        (_, None) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_seed_files_parse_and_cross_check() {
        let set = SeedSet::embedded().expect("embedded seed is valid");
        assert_eq!(set.provinces.province.len(), 5);
        assert_eq!(set.plans.len(), EMBEDDED.len() - 2);
        assert_eq!(set.province_slug("42"), Some("ht"));
    }

    fn with_plan(plan: &str) -> Result<SeedSet, SeedError> {
        let mut files: Vec<(&str, &str)> = EMBEDDED[..2].to_vec();
        files.push(("test.toml", plan));
        SeedSet::parse(&files)
    }

    const PLAN_HEAD: &str = "source_file = \"x.txt\"\nprovince = \"42\"\n[plan]\nkey = \"ht-x\"\ntitle = \"T\"\nline = 1\n";

    #[test]
    fn typos_and_dangling_references_are_rejected() {
        assert!(with_plan(PLAN_HEAD).is_ok());
        let unknown_key = format!("{PLAN_HEAD}[[agency]]\nkey = \"ht-a\"\nname = \"A\"\nkind = \"so\"\nline = 1\ncolour = 1\n");
        assert!(with_plan(&unknown_key).is_err());
        let bad_kind = format!(
            "{PLAN_HEAD}[[agency]]\nkey = \"ht-a\"\nname = \"A\"\nkind = \"bo\"\nline = 1\n"
        );
        assert!(with_plan(&bad_kind).is_err());
        let dangling = format!("{PLAN_HEAD}[[project]]\nkey = \"ht-p\"\nname = \"P\"\nlead_agency = \"ht-none\"\nline = 1\n");
        assert!(with_plan(&dangling).is_err());
        let bad_db = format!("{PLAN_HEAD}[[connection]]\nnational_database = \"nope\"\nstatus = \"connected\"\nquote = \"q\"\nline = 1\n");
        assert!(with_plan(&bad_db).is_err());
        let bad_code = format!("{PLAN_HEAD}[[agency]]\nkey = \"ht-a\"\nname = \"A\"\nkind = \"so\"\ncode = \"H27\"\nline = 1\n");
        assert!(with_plan(&bad_code).is_err());
        let bad_level = format!("{PLAN_HEAD}[[information_system]]\nkey = \"ht-s\"\nname = \"S\"\nsecurity_level = 6\nline = 1\n");
        assert!(with_plan(&bad_level).is_err());
    }
}
