//! The mock identity provider's demo users: staff of one province (Quảng Ngãi, code 51) in each role the console
//! has. Their agencies are real agencies of the seed (`data/seed/quang-ngai.toml`); the People's Committee's code
//! `000.00.00.H48` is the seed's. No plan prints the departments' codes, so the three departments carry
//! demonstration codes (well-formed QĐ 20/2020 codes, not real ones), which the hub's zero set-up gives those agencies
//! when it uses this provider (`approval_role` too): see the README's "Console: sign-in and roles".

/// One demo user, with the claims the provider puts in its ID token.
#[derive(Debug, Clone, Copy)]
pub struct DemoUser {
    /// The `sub` claim.
    pub subject: &'static str,
    /// The `name` claim.
    pub name: &'static str,
    /// What the user does, shown on the sign-in page.
    pub role: &'static str,
    /// The seed's key of the user's agency.
    pub agency_key: &'static str,
    /// The agency's name, shown on the sign-in page.
    pub agency_name: &'static str,
    /// The `agency` claim: the agency's QĐ 20/2020 code.
    pub agency_code: &'static str,
    /// Whether `agency_code` is a demonstration code (the seed has none for this agency).
    pub demonstration_code: bool,
    /// The agency's ND 85 approval role, when the zero set-up must give it one (GraphQL enum value).
    pub approval_role: Option<&'static str>,
    /// The `scope` claim: the hub's scopes, space-separated.
    pub scopes: &'static str,
    /// The `province` claim.
    pub province: &'static str,
}

const UPSTREAM_READ: &str =
    "catalog:read upstream:population:read upstream:business:read upstream:insurance:read \
                             upstream:land:read upstream:civil-status:read upstream:judicial:read";

/// The demo users, in the order the sign-in page lists them.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        subject: "demo-operator",
        name: "Nguyễn Thị Lan",
        role: "Chuyên viên vận hành hệ thống thông tin",
        agency_key: "qn-so-y-te",
        agency_name: "Sở Y tế tỉnh Quảng Ngãi",
        agency_code: "000.00.19.H48",
        demonstration_code: true,
        approval_role: None,
        scopes: "catalog:read systems:write sharing:request",
        province: "51",
    },
    DemoUser {
        subject: "demo-security",
        name: "Trần Văn Minh",
        role: "Đơn vị chuyên trách an toàn thông tin (thẩm định cấp độ)",
        agency_key: "qn-so-tt-tt",
        agency_name: "Sở Thông tin và Truyền thông tỉnh Quảng Ngãi",
        agency_code: "000.00.08.H48",
        demonstration_code: true,
        approval_role: Some("SECURITY_UNIT"),
        scopes: "catalog:read systems:approve",
        province: "51",
    },
    DemoUser {
        subject: "demo-approver",
        name: "Lê Văn Hùng",
        role: "Lãnh đạo Ủy ban nhân dân tỉnh (phê duyệt cấp độ)",
        agency_key: "qn-ubnd-tinh",
        agency_name: "Ủy ban nhân dân tỉnh Quảng Ngãi",
        agency_code: "000.00.00.H48",
        demonstration_code: false,
        approval_role: None,
        scopes: "catalog:read systems:approve sharing:decide",
        province: "51",
    },
    DemoUser {
        subject: "demo-integrator",
        name: "Phạm Thị Hoa",
        role: "Cán bộ tích hợp (kết nối cơ sở dữ liệu quốc gia)",
        agency_key: "qn-ubnd-tinh",
        agency_name: "Ủy ban nhân dân tỉnh Quảng Ngãi",
        agency_code: "000.00.00.H48",
        demonstration_code: false,
        approval_role: None,
        scopes: UPSTREAM_READ,
        province: "51",
    },
    DemoUser {
        subject: "demo-auditor",
        name: "Võ Văn Nam",
        role: "Thanh tra viên (nhật ký truy cập, vết kiểm toán)",
        agency_key: "qn-thanh-tra-tinh",
        agency_name: "Thanh tra tỉnh Quảng Ngãi",
        agency_code: "000.00.22.H48",
        demonstration_code: true,
        approval_role: None,
        scopes: "catalog:read audit:read",
        province: "51",
    },
    DemoUser {
        subject: "demo-admin",
        name: "Đặng Thị Mai",
        role: "Quản trị nền tảng (cơ quan, dự án, kết nối)",
        agency_key: "qn-so-tt-tt",
        agency_name: "Sở Thông tin và Truyền thông tỉnh Quảng Ngãi",
        agency_code: "000.00.08.H48",
        demonstration_code: true,
        approval_role: Some("SECURITY_UNIT"),
        scopes: "catalog:read registry:admin",
        province: "51",
    },
];

/// The demo user `subject`.
pub fn demo_user(subject: &str) -> Option<&'static DemoUser> {
    DEMO_USERS.iter().find(|u| u.subject == subject)
}
