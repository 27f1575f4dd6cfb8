//! Properties of the identifier parsers: valid codes parse and round-trip, anything else is `BAD_USER_INPUT` naming the
//! field, and no input panics.

use proptest::prelude::*;

use super::*;

fn is_bad_input(r: &Error, field: &str) -> bool {
    matches!(r, Error::BadInput { field: f, .. } if f == field)
}

fn all_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

proptest! {
    #[test]
    fn valid_agency_codes_round_trip(s in r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}") {
        let code = AgencyCode::parse("agency", &s).expect("valid");
        prop_assert_eq!(code.as_str(), s.as_str());
    }

    #[test]
    fn agency_codes_accept_only_their_format(s in any::<String>()) {
        match AgencyCode::parse("agency", &s) {
            Ok(code) => {
                let b = code.as_str().as_bytes();
                prop_assert_eq!(b.len(), 13);
                prop_assert!(b[10].is_ascii_uppercase());
                prop_assert!([3, 6, 9].iter().all(|&i| b[i] == b'.'));
            }
            Err(e) => prop_assert!(is_bad_input(&e, "agency")),
        }
    }

    #[test]
    fn province_codes_are_two_digits(s in any::<String>()) {
        match parse_province_code("provinceCode", &s) {
            Ok(code) => prop_assert!(all_digits(&code, 2) && code == s),
            Err(e) => {
                prop_assert!(!all_digits(&s, 2));
                prop_assert!(is_bad_input(&e, "provinceCode"));
            }
        }
    }

    #[test]
    fn valid_personal_ids_round_trip_trimmed_and_mask(
        s in r"[0-9]{3}[0-5][0-9]{8}",
        pad in r"[ \t]{0,2}",
    ) {
        let id = PersonalId::parse("personalId", &format!("{pad}{s}{pad}")).expect("valid");
        prop_assert_eq!(id.as_str(), s.as_str());
        let masked = id.masked();
        prop_assert_eq!(&masked[..3], &s[..3]);
        prop_assert_eq!(&masked[9..], &s[9..]);
        prop_assert_eq!(&masked[3..9], "******");
    }

    #[test]
    fn personal_ids_refuse_other_centuries(s in r"[0-9]{3}[6-9][0-9]{8}") {
        prop_assert!(is_bad_input(&PersonalId::parse("personalId", &s).expect_err("refused"), "personalId"));
    }

    #[test]
    fn personal_ids_accept_only_twelve_digits(s in any::<String>()) {
        match PersonalId::parse("personalId", &s) {
            Ok(id) => prop_assert!(all_digits(id.as_str(), 12)),
            Err(e) => prop_assert!(is_bad_input(&e, "personalId")),
        }
    }

    #[test]
    fn masks_keep_the_length_and_never_panic(s in any::<String>()) {
        prop_assert_eq!(mask(&s).chars().count(), s.chars().count());
    }

    #[test]
    fn tax_codes_with_a_branch_drop_the_dash(head in "[0-9]{10}", branch in "[0-9]{3}") {
        let dashed = TaxCode::parse("code", &format!("{head}-{branch}")).expect("valid");
        let plain = TaxCode::parse("code", &format!("{head}{branch}")).expect("valid");
        prop_assert_eq!(dashed.as_str(), format!("{head}{branch}"));
        prop_assert_eq!(dashed, plain);
        let ten = TaxCode::parse("code", &head).expect("valid");
        prop_assert_eq!(ten.as_str(), head.as_str());
    }

    #[test]
    fn tax_codes_are_ten_or_thirteen_digits(s in any::<String>()) {
        match TaxCode::parse("code", &s) {
            Ok(t) => prop_assert!(all_digits(t.as_str(), 10) || all_digits(t.as_str(), 13)),
            Err(e) => prop_assert!(is_bad_input(&e, "code")),
        }
    }

    #[test]
    fn record_ids_and_insurance_codes(s in any::<String>(), twelve in "[0-9]{12}", ten in "[0-9]{10}") {
        prop_assert_eq!(parse_twelve_digits("parcelId", &twelve).expect("valid"), twelve);
        prop_assert_eq!(parse_social_insurance_code("code", &ten).expect("valid"), ten);
        match parse_twelve_digits("parcelId", &s) {
            Ok(v) => prop_assert!(all_digits(&v, 12)),
            Err(e) => prop_assert!(is_bad_input(&e, "parcelId")),
        }
        match parse_social_insurance_code("code", &s) {
            Ok(v) => prop_assert!(all_digits(&v, 10)),
            Err(e) => prop_assert!(is_bad_input(&e, "code")),
        }
    }
}
