//! Properties of global ids: every kind and key round-trips, ids are canonical, anything else is `BAD_USER_INPUT`.

use proptest::prelude::*;

use super::*;

fn is_bad_input(e: &Error) -> bool {
    matches!(e, Error::BadInput { field, .. } if field == "id")
}

fn kind() -> impl Strategy<Value = NodeKind> {
    prop_oneof![
        Just(NodeKind::Province),
        Just(NodeKind::Plan),
        Just(NodeKind::Agency),
        Just(NodeKind::InformationSystem),
        Just(NodeKind::Project),
        Just(NodeKind::NationalDatabase),
        Just(NodeKind::Indicator),
    ]
}

proptest! {
    #[test]
    fn global_ids_round_trip(kind in kind(), key in ".+") {
        let id = global_id(kind, &key);
        prop_assert_eq!(parse_global_id("id", &id).expect("valid"), (kind, key));
    }

    #[test]
    fn any_string_is_an_id_it_encodes_or_bad_input(s in any::<String>()) {
        match parse_global_id("id", &s) {
            // Accepted ids are canonical: one node, one id.
            Ok((kind, key)) => prop_assert_eq!(global_id(kind, &key).0, s),
            Err(e) => prop_assert!(is_bad_input(&e)),
        }
    }

    #[test]
    fn edited_ids_never_panic(kind in kind(), key in ".+", at in any::<prop::sample::Index>(), c in any::<char>()) {
        let id = global_id(kind, &key).0;
        let mut chars: Vec<char> = id.chars().collect();
        let i = at.index(chars.len());
        chars[i] = c;
        let edited: String = chars.into_iter().collect();
        if let Ok((k, key)) = parse_global_id("id", &edited) {
            prop_assert_eq!(global_id(k, &key).0, edited);
        }
    }
}
