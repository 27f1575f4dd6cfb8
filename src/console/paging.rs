//! Keyset paging of the console's lists, one way for every page: a connection's variables from the page's `after` or
//! `before` cursor, and the addresses of the pages on either side, with the page's own filters kept.

use serde_json::{json, Map, Value};

/// `first`/`after` forwards (the default), `last`/`before` backwards: the variables of a connection field.
pub fn variables(
    vars: &mut Map<String, Value>,
    after: Option<&str>,
    before: Option<&str>,
    size: i64,
) {
    match before {
        Some(before) => {
            vars.insert("last".into(), json!(size));
            vars.insert("before".into(), json!(before));
        }
        None => {
            vars.insert("first".into(), json!(size));
            if let Some(after) = after {
                vars.insert("after".into(), json!(after));
            }
        }
    }
}

/// The addresses of the pages before and after the one a connection's `page_info` describes: `path` with the `kept`
/// pairs (the page's filters) and the cursor; `None` where there is no such page.
pub fn around(
    path: &str,
    kept: &[(&str, &str)],
    page_info: &Value,
) -> (Option<String>, Option<String>) {
    let link = |side: &str, has: &str, cursor: &str| {
        let cursor = (page_info[has].as_bool() == Some(true))
            .then(|| page_info[cursor].as_str())
            .flatten()?;
        let mut pairs = kept.to_vec();
        pairs.push((side, cursor));
        Some(format!("{path}?{}", encode_query(&pairs)))
    };
    (
        link("before", "hasPreviousPage", "startCursor"),
        link("after", "hasNextPage", "endCursor"),
    )
}

/// `application/x-www-form-urlencoded` of `pairs` (what a GET form sends).
pub fn encode_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// One form-urlencoded component.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded_like_a_form() {
        assert_eq!(
            encode_query(&[("q", "Hà Tĩnh"), ("after", "a+b/=")]),
            "q=H%C3%A0+T%C4%A9nh&after=a%2Bb%2F%3D"
        );
    }

    #[test]
    fn a_page_reads_forwards_unless_it_is_before_a_cursor() {
        let mut vars = Map::new();
        variables(&mut vars, Some("a"), None, 50);
        assert_eq!(Value::Object(vars), json!({ "first": 50, "after": "a" }));
        let mut vars = Map::new();
        variables(&mut vars, Some("a"), Some("b"), 50);
        assert_eq!(Value::Object(vars), json!({ "last": 50, "before": "b" }));
    }

    #[test]
    fn the_pages_around_keep_the_filters() {
        let info = json!({ "hasPreviousPage": true, "startCursor": "s=", "hasNextPage": false, "endCursor": "e" });
        assert_eq!(
            around("/console/audit", &[("upstream", "population")], &info),
            (
                Some("/console/audit?upstream=population&before=s%3D".to_owned()),
                None
            )
        );
    }
}
