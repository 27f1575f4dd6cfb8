//! Properties of cursors, through the encode/decode pair only (so the checksum can change without these changing):
//! every cursor round-trips; an edited, truncated or foreign cursor is `BAD_USER_INPUT`, never a panic.

use proptest::prelude::*;

use super::*;

// The one place that knows the encode/decode signatures.
fn server_key() -> CursorKey {
    CursorKey::new(b"the proptest server's cursor key, 32+ bytes")
}

fn encode(order: &str, key: KeyValue, id: KeyValue) -> String {
    server_key().encode(order, key, id)
}

fn decode(cursor: &str, order: &str) -> Result<(KeyValue, KeyValue)> {
    server_key()
        .decode("after", cursor, order)
        .map(|d| (d.k, d.i))
}

fn key_value() -> impl Strategy<Value = KeyValue> {
    prop_oneof![
        any::<i64>().prop_map(KeyValue::Int),
        any::<String>().prop_map(KeyValue::Text),
    ]
}

fn order() -> impl Strategy<Value = String> {
    "[A-Z_]{1,24}"
}

fn refused(r: Result<(KeyValue, KeyValue)>) -> bool {
    matches!(r, Err(Error::BadInput { field, .. }) if field == "after")
}

proptest! {
    #[test]
    fn cursors_of_another_key_are_refused(order in order(), key in key_value(), id in key_value()) {
        let foreign = CursorKey::new(b"another hub's cursor key, also 32+ bytes").encode(&order, key, id);
        prop_assert!(refused(decode(&foreign, &order)));
    }

    #[test]
    fn cursors_round_trip(order in order(), key in key_value(), id in key_value()) {
        let cursor = encode(&order, key.clone(), id.clone());
        prop_assert_eq!(decode(&cursor, &order).expect("valid"), (key, id));
    }

    #[test]
    fn cursors_are_bound_to_their_order(order in order(), other in order(), key in key_value(), id in key_value()) {
        prop_assume!(order != other);
        prop_assert!(refused(decode(&encode(&order, key, id), &other)));
    }

    #[test]
    fn any_flipped_bit_is_refused(
        order in order(), key in key_value(), id in key_value(),
        at in any::<prop::sample::Index>(), bit in 0u8..8,
    ) {
        let cursor = encode(&order, key, id);
        let mut bytes = URL_SAFE_NO_PAD.decode(cursor.as_bytes()).expect("base64");
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        prop_assert!(refused(decode(&URL_SAFE_NO_PAD.encode(bytes), &order)));
    }

    #[test]
    fn any_edited_character_is_refused(
        order in order(), key in key_value(), id in key_value(),
        at in any::<prop::sample::Index>(), c in any::<char>(),
    ) {
        let cursor = encode(&order, key, id);
        let mut chars: Vec<char> = cursor.chars().collect();
        let i = at.index(chars.len());
        prop_assume!(chars[i] != c);
        chars[i] = c;
        prop_assert!(refused(decode(&chars.into_iter().collect::<String>(), &order)));
    }

    #[test]
    fn any_truncation_is_refused(order in order(), key in key_value(), id in key_value(), at in any::<prop::sample::Index>()) {
        let cursor = encode(&order, key, id);
        let cut = at.index(cursor.len());
        prop_assert!(refused(decode(&cursor[..cut], &order)));
    }

    #[test]
    fn random_strings_are_refused(s in any::<String>(), order in order()) {
        prop_assert!(refused(decode(&s, &order)));
    }

    #[test]
    fn random_bytes_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..200), order in order()) {
        prop_assert!(refused(decode(&URL_SAFE_NO_PAD.encode(bytes), &order)));
    }
}
