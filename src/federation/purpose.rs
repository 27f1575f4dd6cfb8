//! The declared legal purpose of a personal-data access: a legal basis from a closed list, and the reference of the
//! case it serves. The texts behind it are data (`crate::legal`, `legalReferences(topic: PERSONAL_DATA)`): today Luật
//! Bảo vệ dữ liệu cá nhân 91/2025/QH15 (from 01/01/2026) beside Nghị định 13/2023/NĐ-CP, and for sharing among state
//! bodies Nghị định 194/2025/NĐ-CP beside the plans' Nghị định 47/2020/NĐ-CP, parts of which it repealed.

use crate::error::{Error, Result};

/// Legal bases on which a state body processes personal data (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 from 01/01/2026;
/// `legalReferences(topic: PERSONAL_DATA)` lists the texts and their force).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum LegalPurpose {
    /// Settling an administrative procedure or public service (giải quyết thủ tục hành chính, dịch vụ công).
    PublicService,
    /// A state-management task a law assigns (hoạt động quản lý nhà nước theo luật chuyên ngành).
    StateManagement,
    /// Protecting national security, preventing and fighting crime (bảo vệ an ninh, phòng chống tội phạm).
    LawEnforcement,
    /// An emergency threatening someone's life or health (tình huống khẩn cấp).
    Emergency,
    /// The data subject's consent, on record (sự đồng ý của chủ thể dữ liệu).
    DataSubjectConsent,
}

impl LegalPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LegalPurpose::PublicService => "PUBLIC_SERVICE",
            LegalPurpose::StateManagement => "STATE_MANAGEMENT",
            LegalPurpose::LawEnforcement => "LAW_ENFORCEMENT",
            LegalPurpose::Emergency => "EMERGENCY",
            LegalPurpose::DataSubjectConsent => "DATA_SUBJECT_CONSENT",
        }
    }
}

/// A validated purpose.
#[derive(Debug, Clone)]
pub struct Purpose {
    pub basis: LegalPurpose,
    /// The dossier, case or consent record the access serves (e.g. `000.00.53.H48-220921-0099`).
    pub reference: String,
}

impl Purpose {
    pub fn new(basis: LegalPurpose, reference: &str) -> Result<Purpose> {
        let reference = crate::text::clean(reference);
        if reference.is_empty() || reference.chars().count() > 200 {
            return Err(Error::bad_input(
                "purpose.reference",
                "a personal-data lookup states the dossier or case it serves (1 to 200 characters)",
            ));
        }
        Ok(Purpose { basis, reference })
    }

    /// The `X-Purpose` header value sent upstream. Non-ASCII references are percent-encoded so the header stays valid.
    pub fn header(&self) -> String {
        let mut reference = String::new();
        for b in self.reference.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                reference.push(b as char);
            } else {
                reference.push_str(&format!("%{b:02X}"));
            }
        }
        format!("{}; ref={reference}", self.basis.as_str())
    }
}
