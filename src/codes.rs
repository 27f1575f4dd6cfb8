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
    fn province_codes() {
        assert!(parse_province_code("code", "42").is_ok());
        assert!(parse_province_code("code", "4").is_err());
        assert!(parse_province_code("code", "4a").is_err());
    }
}
