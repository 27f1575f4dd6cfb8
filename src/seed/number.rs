//! Printed numbers and amounts, parsed with the document's own conventions.
//!
//! Vietnamese documents write `1.250,5` (dot for thousands, comma for decimals); some appendices use `1,250` for
//! thousands. Each seed row declares its convention, and amounts are parsed exactly (integer arithmetic, no float
//! rounding) into VND.

use serde::Deserialize;

/// How a seed file writes its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum NumberFormat {
    /// `.` groups thousands, `,` is the decimal separator.
    #[default]
    Vi,
    /// `,` groups thousands, `.` is the decimal separator.
    En,
}

/// A money unit that the document prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyUnit {
    /// triệu đồng
    MillionVnd,
    /// tỷ đồng
    BillionVnd,
}

impl MoneyUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            MoneyUnit::MillionVnd => "million_vnd",
            MoneyUnit::BillionVnd => "billion_vnd",
        }
    }

    fn vnd_exponent(self) -> u32 {
        match self {
            MoneyUnit::MillionVnd => 6,
            MoneyUnit::BillionVnd => 9,
        }
    }
}

/// A decimal number as `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

impl Decimal {
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }
}

/// Parses a printed number such as `1.250,5` (vi) or `1,250.5` (en). Returns `None` for text that is not a number.
pub fn parse_number(printed: &str, format: NumberFormat) -> Option<Decimal> {
    let (group, decimal) = match format {
        NumberFormat::Vi => ('.', ','),
        NumberFormat::En => (',', '.'),
    };
    let s = printed.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, s),
    };
    if s.is_empty() {
        return None;
    }
    let (int_part, frac_part) = match s.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let mut mantissa: i128 = 0;
    let mut digits = 0;
    for (i, group_text) in int_part.split(group).enumerate() {
        // A thousands group after the first must have exactly three digits: `1.25` in vi is not a number.
        if i > 0 && group_text.len() != 3 {
            return None;
        }
        for c in group_text.chars() {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(c.to_digit(10)? as i128)?;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    let mut scale = 0;
    if let Some(frac) = frac_part {
        if frac.is_empty() {
            return None;
        }
        for c in frac.chars() {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(c.to_digit(10)? as i128)?;
            scale += 1;
        }
    }
    Some(Decimal {
        mantissa: if negative { -mantissa } else { mantissa },
        scale,
    })
}

/// Converts a printed amount in `unit` to whole VND. `None` if it is not a number or not a whole number of VND.
pub fn amount_to_vnd(printed: &str, format: NumberFormat, unit: MoneyUnit) -> Option<i64> {
    let d = parse_number(printed, format)?;
    let exp = unit.vnd_exponent();
    if d.scale > exp {
        return None;
    }
    let vnd = d.mantissa.checked_mul(10i128.checked_pow(exp - d.scale)?)?;
    i64::try_from(vnd).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vietnamese_convention() {
        assert_eq!(
            parse_number("1.250,5", NumberFormat::Vi).map(Decimal::to_f64),
            Some(1250.5)
        );
        assert_eq!(
            parse_number("12.345", NumberFormat::Vi).map(Decimal::to_f64),
            Some(12345.0)
        );
        assert_eq!(
            parse_number("80", NumberFormat::Vi).map(Decimal::to_f64),
            Some(80.0)
        );
        assert_eq!(parse_number("1.25", NumberFormat::Vi), None);
    }

    #[test]
    fn parses_english_convention() {
        assert_eq!(
            parse_number("1,200", NumberFormat::En).map(Decimal::to_f64),
            Some(1200.0)
        );
        assert_eq!(
            parse_number("8.2", NumberFormat::En).map(Decimal::to_f64),
            Some(8.2)
        );
    }

    #[test]
    fn converts_amounts_exactly() {
        assert_eq!(
            amount_to_vnd("2.450,5", NumberFormat::Vi, MoneyUnit::MillionVnd),
            Some(2_450_500_000)
        );
        assert_eq!(
            amount_to_vnd("1,5", NumberFormat::Vi, MoneyUnit::BillionVnd),
            Some(1_500_000_000)
        );
        assert_eq!(
            amount_to_vnd("abc", NumberFormat::Vi, MoneyUnit::MillionVnd),
            None
        );
    }
}
