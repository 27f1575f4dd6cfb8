//! The national databases the mocks stand in for: each one's `/<name>` prefix and title. The hub keeps its own list
//! (`lgsp_hub::upstream::SERVICES`, the other side of the contract); a test of the hub checks the two name the same
//! services.

/// One mocked national database.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// The path prefix (`/<name>`), and the `SERVICE` of the command line's `SERVICE=VALUE` flags.
    pub name: &'static str,
    /// The database's Vietnamese title, shown in its OpenAPI document.
    pub title: &'static str,
}

/// Every mocked service, in the order the mocks index them.
pub const SERVICES: [Service; 6] = [
    Service {
        name: "population",
        title: "CSDL quốc gia về dân cư",
    },
    Service {
        name: "business",
        title: "CSDL quốc gia về đăng ký doanh nghiệp",
    },
    Service {
        name: "insurance",
        title: "CSDL quốc gia về bảo hiểm",
    },
    Service {
        name: "land",
        title: "CSDL đất đai",
    },
    Service {
        name: "civil-status",
        title: "CSDL hộ tịch điện tử",
    },
    Service {
        name: "judicial",
        title: "Lý lịch tư pháp",
    },
];

/// The client secret a service accepts unless [`crate::MockConfig::client_secrets`] names another.
pub fn dev_secret(service: &str) -> String {
    format!("dev-secret-{service}")
}
