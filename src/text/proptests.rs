//! Properties of text normalisation: idempotent, total on any Unicode, and faithful to Vietnamese.

use proptest::prelude::*;
use unicode_normalization::{is_nfc, UnicodeNormalization};

use super::*;

/// Vietnamese words: the letters with their tone marks, in either case, separated by single spaces.
fn vietnamese() -> impl Strategy<Value = String> {
    let word = "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ]{1,8}";
    prop::collection::vec(word, 1..6).prop_map(|words| words.join(" "))
}

proptest! {
    #[test]
    fn clean_is_idempotent_and_nfc(s in any::<String>()) {
        let once = clean(&s);
        prop_assert_eq!(clean(&once), once.clone());
        prop_assert!(is_nfc(&once));
        prop_assert_eq!(once.trim(), once.as_str());
        prop_assert!(!once.contains("  "));
    }

    #[test]
    fn fold_is_idempotent(s in any::<String>()) {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once.clone());
        prop_assert_eq!(once.trim(), once.as_str());
        prop_assert!(!once.contains("  "));
    }

    #[test]
    fn vietnamese_folds_to_ascii_whatever_the_case_or_form(s in vietnamese()) {
        let folded = fold(&s);
        prop_assert!(folded.is_ascii(), "{folded}");
        prop_assert_eq!(fold(&s.to_uppercase()), folded.clone());
        prop_assert_eq!(fold(&s.nfd().collect::<String>()), folded.clone());
        prop_assert_eq!(fold(&format!("  {}\t", s.replace(' ', "\n "))), folded);
    }

    #[test]
    fn vietnamese_names_are_clean_already(s in vietnamese()) {
        prop_assert_eq!(clean(&s), s.clone());
        prop_assert_eq!(clean(&s.nfd().collect::<String>()), s);
    }

    #[test]
    fn escape_like_escapes_every_wildcard(s in any::<String>()) {
        let escaped = escape_like(&s);
        let mut unescaped = String::new();
        let mut chars = escaped.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => unescaped.push(chars.next().expect("an escape is followed by its character")),
                '%' | '_' => prop_assert!(false, "unescaped wildcard in {escaped:?}"),
                c => unescaped.push(c),
            }
        }
        prop_assert_eq!(unescaped, s);
    }
}
