//! The closed sets of values stored in text columns, as Rust enums. Each variant is stored as the text it always was
//! (`ubnd_tinh`, `proposed`, `PROJECT`...), so databases written before these types keep working; the migration
//! `m20261130_000008_enum_values` refuses a database that holds anything else.

use sea_orm::entity::prelude::*;

/// `agencies.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum AgencyKind {
    UbndTinh,
    So,
    BanNganh,
    UbndHuyen,
    DonViSuNghiep,
    TrungUong,
    Khac,
}

/// `agencies.approval_role`: where an agency acts in the ND 85/2016 approval workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum ApprovalRole {
    SecurityUnit,
    NationalAuthority,
    PrimeMinister,
}

/// `information_systems.approval_state`: where a system's security level stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum ApprovalState {
    Proposed,
    Appraised,
    Approved,
    Rejected,
    Retired,
}

/// `projects.funding_source` and `project_budgets.funding_source` (nguồn vốn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum FundingSource {
    NganSachTrungUong,
    NganSachTinh,
    NganSachHuyen,
    SuNghiep,
    DauTuCong,
    XaHoiHoa,
    Khac,
}

/// `projects.unit`: the money unit a plan's table prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum MoneyUnit {
    MillionVnd,
    BillionVnd,
}

/// `national_databases.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum NationalDatabaseKind {
    Database,
    Platform,
    System,
}

/// `national_database_links.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum ConnectionStatus {
    Connected,
    Planned,
    /// The plan says the connection covers part of what it names (some districts, some data).
    Partial,
    /// The plan states the link in ways that contradict each other: its statements say which.
    Disputed,
}

/// `national_database_link_statements.status`: what one statement of a plan says of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum StatementStatus {
    Connected,
    Planned,
    Partial,
    NotConnected,
}

/// `project_budgets.level`: whose budget a column is (ngân sách tỉnh or ngân sách huyện).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum BudgetLevel {
    Province,
    District,
}

/// `project_budgets.spending`: recurrent spending (chi thường xuyên, CTX) or investment (đầu tư phát triển, ĐTPT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum Spending {
    Recurrent,
    Investment,
}

/// `indicators.comparator`: how a target relates to its value as printed ("> 50%", "Trên 70%", "phấn đấu 80%").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum Comparator {
    /// The value itself ("đạt 80%", "100%").
    Eq,
    /// More than the value ("> 50%", "Trên 50%").
    Gt,
    /// At least the value ("≥ 50%", "tối thiểu", "ít nhất").
    Gte,
    /// A value to strive for ("phấn đấu").
    Aspirational,
}

/// `reported_figures.metric`: what the API can recompute from the seeded rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum Metric {
    ProjectBudgetTotal,
    BudgetLinesTotal,
    ProjectCount,
    NationalDatabaseCount,
}

/// `search_entries.kind`: which registry a search entry points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum SearchKind {
    Province,
    Plan,
    Agency,
    InformationSystem,
    Project,
    NationalDatabase,
    Indicator,
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    use super::*;

    fn stored<E: ActiveEnum<Value = String> + Iterable>() -> Vec<String> {
        E::iter().map(|v| v.to_value()).collect()
    }

    /// The spellings in existing databases: changing one would orphan their rows.
    #[test]
    fn variants_are_stored_as_they_always_were() {
        let cases: [(Vec<String>, &[&str]); 13] = [
            (
                stored::<AgencyKind>(),
                &[
                    "ubnd_tinh",
                    "so",
                    "ban_nganh",
                    "ubnd_huyen",
                    "don_vi_su_nghiep",
                    "trung_uong",
                    "khac",
                ],
            ),
            (
                stored::<ApprovalRole>(),
                &["security_unit", "national_authority", "prime_minister"],
            ),
            (
                stored::<ApprovalState>(),
                &["proposed", "appraised", "approved", "rejected", "retired"],
            ),
            (
                stored::<FundingSource>(),
                &[
                    "ngan_sach_trung_uong",
                    "ngan_sach_tinh",
                    "ngan_sach_huyen",
                    "su_nghiep",
                    "dau_tu_cong",
                    "xa_hoi_hoa",
                    "khac",
                ],
            ),
            (stored::<MoneyUnit>(), &["million_vnd", "billion_vnd"]),
            (
                stored::<NationalDatabaseKind>(),
                &["database", "platform", "system"],
            ),
            (
                stored::<ConnectionStatus>(),
                &["connected", "planned", "partial", "disputed"],
            ),
            (
                stored::<StatementStatus>(),
                &["connected", "planned", "partial", "not_connected"],
            ),
            (stored::<BudgetLevel>(), &["province", "district"]),
            (stored::<Spending>(), &["recurrent", "investment"]),
            (stored::<Comparator>(), &["eq", "gt", "gte", "aspirational"]),
            (
                stored::<Metric>(),
                &[
                    "project_budget_total",
                    "budget_lines_total",
                    "project_count",
                    "national_database_count",
                ],
            ),
            (
                stored::<SearchKind>(),
                &[
                    "PROVINCE",
                    "PLAN",
                    "AGENCY",
                    "INFORMATION_SYSTEM",
                    "PROJECT",
                    "NATIONAL_DATABASE",
                    "INDICATOR",
                ],
            ),
        ];
        for (stored, expected) in cases {
            assert_eq!(stored, expected);
        }
    }
}

/// `sharing_requests.purpose` and `sharing_grants.purpose`: the legal basis of a personal-data access (Luật Bảo vệ dữ
/// liệu cá nhân 91/2025/QH15), stored as the access log spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum LegalBasis {
    PublicService,
    StateManagement,
    LawEnforcement,
    Emergency,
    DataSubjectConsent,
}

/// `sharing_requests.state`: where a data-sharing request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum RequestState {
    Pending,
    Approved,
    Refused,
    Withdrawn,
}

/// `sharing_grants.origin`: what a grant comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum GrantOrigin {
    /// The provider approved a request.
    Request,
    /// A shared-use service configured to grant every registered agency.
    Automatic,
    /// The zero set-up's demonstration grants: not a decision of anyone.
    Demonstration,
}
