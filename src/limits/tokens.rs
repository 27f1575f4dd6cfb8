//! Counts the lexical tokens of a GraphQL document without parsing it, so that an oversized document is refused
//! before the parser allocates its tree.

/// The number of tokens in `text`, or `Err(n)` as soon as `n` exceeds `max`.
///
/// Follows the GraphQL lexical grammar closely enough to count: whitespace, commas and comments are ignored; a string
/// or block string, a name, a number and `...` are one token each; any other character is one punctuator.
pub fn count(text: &str, max: usize) -> Result<usize, usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut n = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => i = skip_block_string(bytes, i + 3),
            b'"' => i = skip_string(bytes, i + 1),
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len()
                    && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
            }
            0xEF if bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                // A byte-order mark is ignored like whitespace.
                i += 3;
                continue;
            }
            _ => i += utf8_len(b),
        }
        n += 1;
        if n > max {
            return Err(n);
        }
    }
    Ok(n)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The index after the closing quote of a string whose content starts at `i` (or the end of an unterminated one).
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' | b'\r' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_block_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if bytes[i..].starts_with(b"\"\"\"") {
            return i + 3;
        } else {
            i += 1;
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_tokens_not_characters() {
        assert_eq!(count("{ a }", 100), Ok(3));
        assert_eq!(count("{ a, b }  # a comment { } ", 100), Ok(4));
        assert_eq!(count("query Q($x: Int = -1.5e3) { f(x: $x) }", 100), Ok(19));
        assert_eq!(count(r#"{ f(s: "a \" { } b") ...F }"#, 100), Ok(10));
        assert_eq!(count("{ f(s: \"\"\"x \\\"\"\" y\"\"\") }", 100), Ok(8));
        assert_eq!(
            count("{ tên }", 100),
            Ok(5),
            "non-ASCII characters count, never split"
        );
    }

    #[test]
    fn stops_past_the_maximum() {
        let doc = format!("{{ {} }}", "a ".repeat(1_000_000));
        assert_eq!(count(&doc, 10), Err(11));
    }

    #[test]
    fn unterminated_strings_do_not_panic() {
        assert!(count("{ f(s: \"abc", 100).is_ok());
        assert!(count("{ f(s: \"\"\"abc", 100).is_ok());
        assert!(count("\"\\", 100).is_ok());
    }
}
