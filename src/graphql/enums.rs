//! GraphQL enums and their database spellings, defined once.

use async_graphql::Enum;

macro_rules! db_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $db:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The spelling stored in the database.
            pub fn as_db(self) -> &'static str {
                match self {
                    $($name::$variant => $db),+
                }
            }

            /// Reads the database spelling; unknown values read as `None`.
            pub fn from_db(s: &str) -> Option<Self> {
                match s {
                    $($db => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

db_enum!(
    /// Approval state of an information system's security level (Nghị định 85/2016/NĐ-CP, Điều 12).
    ApprovalState {
        /// The operator proposed the level (hồ sơ đề xuất cấp độ).
        Proposed = "proposed",
        /// The appraising unit gave its opinion (thẩm định).
        Appraised = "appraised",
        /// The competent authority approved the level (phê duyệt).
        Approved = "approved",
        Rejected = "rejected",
        Retired = "retired",
    }
);

db_enum!(
    /// An agency's role in the security-level approval workflow (Nghị định 85/2016/NĐ-CP, Điều 12).
    ApprovalRole {
        /// The owner's information-security unit (đơn vị chuyên trách về an toàn thông tin), per province.
        SecurityUnit = "security_unit",
        /// The national information-security authority.
        NationalAuthority = "national_authority",
        /// The Prime Minister (Thủ tướng Chính phủ).
        PrimeMinister = "prime_minister",
    }
);

db_enum!(
    /// Funding source (nguồn vốn).
    FundingSource {
        /// Ngân sách trung ương
        NganSachTrungUong = "ngan_sach_trung_uong",
        /// Ngân sách tỉnh
        NganSachTinh = "ngan_sach_tinh",
        /// Ngân sách huyện
        NganSachHuyen = "ngan_sach_huyen",
        /// Kinh phí sự nghiệp (recurrent budget)
        SuNghiep = "su_nghiep",
        /// Vốn đầu tư công (public investment)
        DauTuCong = "dau_tu_cong",
        /// Xã hội hóa (private funding)
        XaHoiHoa = "xa_hoi_hoa",
        Khac = "khac",
    }
);

db_enum!(
    /// Kind of agency.
    AgencyKind {
        /// Ủy ban nhân dân tỉnh
        UbndTinh = "ubnd_tinh",
        /// Sở (provincial department)
        So = "so",
        /// Ban, ngành
        BanNganh = "ban_nganh",
        /// Ủy ban nhân dân cấp huyện
        UbndHuyen = "ubnd_huyen",
        /// Đơn vị sự nghiệp (public service unit)
        DonViSuNghiep = "don_vi_su_nghiep",
        /// A central (national) agency
        TrungUong = "trung_uong",
        Khac = "khac",
    }
);

db_enum!(
    /// Whether a province's LGSP is connected to a national database or plans to be.
    ConnectionStatus {
        Connected = "connected",
        Planned = "planned",
    }
);

db_enum!(
    /// Kind of national entry.
    NationalDatabaseKind {
        /// A national database (CSDL quốc gia)
        Database = "database",
        /// A national platform (e.g. NDXP)
        Platform = "platform",
        /// A national information system
        System = "system",
    }
);

db_enum!(
    /// Money unit as printed by the document.
    MoneyUnit {
        /// triệu đồng
        MillionVnd = "million_vnd",
        /// tỷ đồng
        BillionVnd = "billion_vnd",
    }
);

db_enum!(
    /// Kind of search hit.
    SearchKind {
        Province = "PROVINCE",
        Plan = "PLAN",
        Agency = "AGENCY",
        InformationSystem = "INFORMATION_SYSTEM",
        Project = "PROJECT",
        NationalDatabase = "NATIONAL_DATABASE",
        Indicator = "INDICATOR",
    }
);

/// How a search hit matched: exact hits rank before prefix hits, before substring hits.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchRank {
    Exact,
    Prefix,
    Substring,
}

/// Sort orders of `informationSystems`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InformationSystemSort {
    #[default]
    NameAsc,
    NameDesc,
    SecurityLevelAsc,
    SecurityLevelDesc,
}

/// Sort orders of `projects`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
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
