//! Identifiers with a format, parsed once at the boundary ("parse, don't validate").

use crate::error::{Error, Result};

/// An agency's electronic identification code (Quyết định 20/2020/QĐ-TTg, format of QCVN 102:2016/BTTTT):
/// `V1V2V3.Z1Z2.Y1Y2.X1X2X3`, 13 characters. `X` is the level-1 unit (a letter and two digits); the other levels are
/// digits, zeros where unused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(field: &str, s: &str) -> Result<Self> {
        let bytes = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| bytes[r].iter().all(u8::is_ascii_digit);
        let valid = bytes.len() == 13
            && digits(0..3)
            && bytes[3] == b'.'
            && digits(4..6)
            && bytes[6] == b'.'
            && digits(7..9)
            && bytes[9] == b'.'
            && bytes[10].is_ascii_uppercase()
            && digits(11..13);
        if valid {
            Ok(AgencyCode(s.to_owned()))
        } else {
            Err(Error::bad_input(
                field,
                format!("`{field}` must be an agency code like 000.00.00.H48 (QĐ 20/2020/QĐ-TTg)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A province's administrative code: two digits (QĐ 124/2004/QĐ-TTg, QĐ 19/2025/QĐ-TTg).
pub fn parse_province_code(field: &str, s: &str) -> Result<String> {
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(Error::bad_input(
            field,
            format!("`{field}` must be a two-digit province code such as 42"),
        ))
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// A personal identification number (số định danh cá nhân): 12 digits `PPP G YY RRRRRR`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonalId(String);

impl PersonalId {
    pub fn parse(field: &str, s: &str) -> Result<Self> {
        let s = s.trim();
        let century_sex = s.as_bytes().get(3).copied().unwrap_or(b'x');
        if digits(s, 12) && (b'0'..=b'5').contains(&century_sex) {
            Ok(PersonalId(s.to_owned()))
        } else {
            Err(Error::bad_input(
                field,
                format!("`{field}` must be a 12-digit personal identification number"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with its middle hidden (`051******567`), for callers without the right to see it whole.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Keeps the first three and last three characters of an identifier.
pub fn mask(s: &str) -> String {
    let n = s.chars().count();
    if n <= 6 {
        return "*".repeat(n);
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| if i < 3 || i >= n - 3 { c } else { '*' })
        .collect()
}

/// An enterprise code (mã số doanh nghiệp = tax code): 10 digits, or 13 written `0101234567-001` or `0101234567001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxCode(String);

impl TaxCode {
    pub fn parse(field: &str, s: &str) -> Result<Self> {
        let s = s.trim();
        let plain: String = match s.split_once('-') {
            Some((head, branch)) if digits(head, 10) && digits(branch, 3) => {
                format!("{head}{branch}")
            }
            _ => s.to_owned(),
        };
        if digits(&plain, 10) || digits(&plain, 13) {
            Ok(TaxCode(plain))
        } else {
            Err(Error::bad_input(
                field,
                format!("`{field}` must be a 10- or 13-digit enterprise code"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A 12-digit record identifier (land parcels, judicial-record requests).
pub fn parse_twelve_digits(field: &str, s: &str) -> Result<String> {
    let s = s.trim();
    if digits(s, 12) {
        Ok(s.to_owned())
    } else {
        Err(Error::bad_input(
            field,
            format!("`{field}` must be 12 digits"),
        ))
    }
}

/// A social-insurance code (mã số BHXH): 10 digits.
pub fn parse_social_insurance_code(field: &str, s: &str) -> Result<String> {
    let s = s.trim();
    if digits(s, 10) {
        Ok(s.to_owned())
    } else {
        Err(Error::bad_input(
            field,
            format!("`{field}` must be a 10-digit social-insurance code"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_codes() {
        assert!(AgencyCode::parse("code", "000.00.00.H48").is_ok());
        assert!(AgencyCode::parse("code", "000.00.18.G12").is_ok());
        for bad in [
            "",
            "000.00.00.h48",
            "000.00.00.H4",
            "00.000.00.H48",
            "000-00-00-H48",
            "000.00.00.H48 ",
        ] {
            assert!(AgencyCode::parse("code", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn personal_ids_tax_codes_and_masks() {
        assert!(PersonalId::parse("id", "051203004567").is_ok());
        for bad in [
            "05120300456",
            "0512030045678",
            "05192030045a",
            "051903004567",
        ] {
            assert!(PersonalId::parse("id", bad).is_err(), "{bad}");
        }
        assert_eq!(
            PersonalId::parse("id", "051203004567")
                .map(|p| p.masked())
                .ok(),
            Some("051******567".to_owned())
        );
        assert_eq!(
            TaxCode::parse("c", "0101234567-001")
                .map(|t| t.as_str().to_owned())
                .ok(),
            Some("0101234567001".to_owned())
        );
        assert!(TaxCode::parse("c", "0101234567").is_ok());
        assert!(TaxCode::parse("c", "010123456").is_err());
        assert!(parse_social_insurance_code("c", "0123456789").is_ok());
        assert!(parse_social_insurance_code("c", "012345678").is_err());
    }

    #[test]
    fn province_codes() {
        assert!(parse_province_code("code", "42").is_ok());
        assert!(parse_province_code("code", "4").is_err());
        assert!(parse_province_code("code", "4a").is_err());
    }
}

#[cfg(test)]
mod proptests;
