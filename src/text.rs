//! Vietnamese text handling: NFC for storage and output, folding for diacritic- and case-insensitive search.

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Returns `s` in Unicode NFC with runs of whitespace collapsed to one space and the ends trimmed.
pub fn clean(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Folds text for matching: strips diacritics (`Hà Tĩnh` → `ha tinh`), maps `đ`/`Đ` to `d`, lower-cases and collapses
/// whitespace, so that `ha tinh`, `HA TINH` and `Hà Tĩnh` fold to the same key.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Hà Tĩnh"), "ha tinh");
        assert_eq!(fold("HA TINH"), "ha tinh");
        assert_eq!(fold("  Đồng   Tháp "), "dong thap");
        assert_eq!(
            fold("Sở Thông tin và Truyền thông"),
            "so thong tin va truyen thong"
        );
        // Decomposed input folds the same as precomposed.
        assert_eq!(fold("Ha\u{0300} Ti\u{0303}nh"), "ha tinh");
    }

    #[test]
    fn cleans_to_nfc() {
        let decomposed = "Ha\u{0300}  Ti\u{0303}nh ";
        assert_eq!(clean(decomposed), "Hà Tĩnh");
        assert_eq!(clean(decomposed).as_bytes(), "Hà Tĩnh".as_bytes());
    }

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}

#[cfg(test)]
mod proptests;
