//! GraphQL enums. Those with a twin in the store or the entities convert to and from it with `From` (async-graphql's
//! `remote`), so the database spellings live only in `entities::enums`.

use async_graphql::Enum;

/// Approval state of an information system's security level (Nghị định 85/2016/NĐ-CP, Điều 12).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::ApprovalState")]
pub enum ApprovalState {
    /// The operator proposed the level (hồ sơ đề xuất cấp độ).
    Proposed,
    /// The appraising unit gave its opinion (thẩm định).
    Appraised,
    /// The competent authority approved the level (phê duyệt).
    Approved,
    Rejected,
    Retired,
}

/// The step a system waits for from the caller's agency (`approvalInbox`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::store::approval::Awaited")]
pub enum AwaitedStep {
    /// Appraise the proposed level (thẩm định).
    Appraise,
    /// Approve or reject the appraised level (phê duyệt).
    Decide,
}

/// An agency's role in the security-level approval workflow (Nghị định 85/2016/NĐ-CP, Điều 12).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::ApprovalRole")]
pub enum ApprovalRole {
    /// The owner's information-security unit (đơn vị chuyên trách về an toàn thông tin), per province.
    SecurityUnit,
    /// The national information-security authority.
    NationalAuthority,
    /// The Prime Minister (Thủ tướng Chính phủ).
    PrimeMinister,
}

/// Funding source (nguồn vốn).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::FundingSource")]
pub enum FundingSource {
    /// Ngân sách trung ương
    NganSachTrungUong,
    /// Ngân sách tỉnh
    NganSachTinh,
    /// Ngân sách huyện
    NganSachHuyen,
    /// Kinh phí sự nghiệp (recurrent budget)
    SuNghiep,
    /// Vốn đầu tư công (public investment)
    DauTuCong,
    /// Xã hội hóa (private funding)
    XaHoiHoa,
    Khac,
}

/// Kind of agency.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::AgencyKind")]
pub enum AgencyKind {
    /// Ủy ban nhân dân tỉnh
    UbndTinh,
    /// Sở (provincial department)
    So,
    /// Ban, ngành
    BanNganh,
    /// Ủy ban nhân dân cấp huyện
    UbndHuyen,
    /// Đơn vị sự nghiệp (public service unit)
    DonViSuNghiep,
    /// A central (national) agency
    TrungUong,
    Khac,
}

/// Whether a province's LGSP is connected to a national database or plans to be, as its plan states.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::ConnectionStatus")]
pub enum ConnectionStatus {
    Connected,
    Planned,
    /// The plan says the connection covers only part of what it names (some districts, some data).
    Partial,
    /// The plan contradicts itself about this link: `statements` holds each statement with its quote and line.
    Disputed,
}

/// What one statement of a plan says of a link.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::StatementStatus")]
pub enum StatementStatus {
    /// A result: the connection is made.
    Connected,
    /// A task or target: the connection is to be made.
    Planned,
    /// The connection is made for part of what it names.
    Partial,
    /// A result that says the connection is not made (a target not met).
    NotConnected,
}

/// Whose budget a column is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::BudgetLevel")]
pub enum BudgetLevel {
    /// Ngân sách tỉnh (with central money the province allocates)
    Province,
    /// Ngân sách huyện
    District,
}

/// Recurrent or investment spending.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::Spending")]
pub enum Spending {
    /// Chi thường xuyên (CTX)
    Recurrent,
    /// Chi đầu tư phát triển (ĐTPT)
    Investment,
}

/// How a target relates to its printed value.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::Comparator")]
pub enum Comparator {
    /// The value itself ("đạt 80%").
    Eq,
    /// More than the value ("> 50%", "Trên 50%").
    Gt,
    /// At least the value ("≥", "tối thiểu", "ít nhất").
    Gte,
    /// A value to strive for ("phấn đấu").
    Aspirational,
}

/// Kind of national entry.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::NationalDatabaseKind")]
pub enum NationalDatabaseKind {
    /// A national database (CSDL quốc gia)
    Database,
    /// A national platform (e.g. NDXP)
    Platform,
    /// A national information system
    System,
}

/// Money unit as printed by the document.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::MoneyUnit")]
pub enum MoneyUnit {
    /// triệu đồng
    MillionVnd,
    /// tỷ đồng
    BillionVnd,
}

/// Kind of search hit.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::enums::SearchKind")]
pub enum SearchKind {
    Province,
    Plan,
    Agency,
    InformationSystem,
    Project,
    NationalDatabase,
    Indicator,
}

/// How a search hit matched: exact hits rank before prefix hits, before substring hits.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::store::search::MatchRank")]
pub enum MatchRank {
    Exact,
    Prefix,
    Substring,
}

/// Sort orders of `informationSystems`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[graphql(remote = "crate::store::catalog::SystemSort")]
pub enum InformationSystemSort {
    #[default]
    NameAsc,
    NameDesc,
    SecurityLevelAsc,
    SecurityLevelDesc,
}

/// Sort orders of `projects`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[graphql(remote = "crate::store::catalog::ProjectSort")]
pub enum ProjectSort {
    /// The order of the plan's appendix.
    #[default]
    DocumentOrder,
    NameAsc,
    TotalAsc,
    TotalDesc,
}

/// Sort orders of `agencies`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgencySort {
    #[default]
    NameAsc,
    NameDesc,
}
