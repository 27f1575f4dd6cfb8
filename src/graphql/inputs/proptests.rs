//! Properties of the input validators: total on any input, errors name the field, valid values pass unchanged.

use proptest::prelude::*;

use super::*;

fn is_bad_input(e: &Error, field: &str) -> bool {
    matches!(e, Error::BadInput { field: f, .. } if f == field)
}

proptest! {
    #[test]
    fn optional_text_is_idempotent_and_bounded(s in any::<String>(), max in 0usize..64) {
        match optional_text("input.note", Some(s.clone()), max) {
            Ok(Some(t)) => {
                prop_assert!(!t.is_empty() && t.chars().count() <= max);
                prop_assert_eq!(optional_text("input.note", Some(t.clone()), max).expect("still valid"), Some(t));
            }
            Ok(None) => prop_assert!(crate::text::clean(&s).is_empty()),
            Err(e) => {
                prop_assert!(is_bad_input(&e, "input.note"));
                prop_assert!(crate::text::clean(&s).chars().count() > max);
            }
        }
    }

    #[test]
    fn valid_names_round_trip(words in prop::collection::vec("[A-Za-zĐđàáảãạâầấăằắêềếôồốơờớưừứ]{1,10}", 1..5)) {
        let name = words.join(" ");
        prop_assert_eq!(optional_text("input.name", Some(name.clone()), 255).expect("valid"), Some(name));
    }

    #[test]
    fn levels_are_one_to_five(l in any::<i32>()) {
        match level("level", l) {
            Ok(v) => prop_assert!((1..=5).contains(&v) && i32::from(v) == l),
            Err(e) => prop_assert!(is_bad_input(&e, "level") && !(1..=5).contains(&l)),
        }
    }

    #[test]
    fn name_filters_refuse_only_what_folds_to_nothing(s in any::<String>()) {
        match name_filter("filter.nameContains", Some(s.clone())) {
            Ok(kept) => prop_assert_eq!(kept, Some(s)),
            Err(e) => {
                prop_assert!(is_bad_input(&e, "filter.nameContains"));
                prop_assert!(crate::text::fold(&s).is_empty());
            }
        }
    }

    #[test]
    fn budgets_never_panic_and_stay_non_negative(m in any::<f64>()) {
        match million_to_vnd("filter.minTotalMillionVnd", Some(m)) {
            Ok(Some(vnd)) => prop_assert!(vnd >= 0),
            Ok(None) => prop_assert!(false, "a given amount vanished"),
            Err(e) => prop_assert!(is_bad_input(&e, "filter.minTotalMillionVnd")),
        }
    }

    #[test]
    fn system_filters_accept_exactly_valid_levels_and_provinces(
        levels in prop::collection::vec(-2i32..8, 0..4),
        province in prop::option::of("[0-9]{1,3}"),
    ) {
        let filter = InformationSystemFilter {
            security_levels: Some(levels.clone()),
            province_code: province.clone(),
            ..Default::default()
        };
        let valid_levels = levels.iter().all(|l| (1..=5).contains(l));
        let valid_province = province.as_ref().is_none_or(|p| p.len() == 2);
        prop_assert_eq!(filter.into_store().is_ok(), valid_levels && valid_province);
    }
}
