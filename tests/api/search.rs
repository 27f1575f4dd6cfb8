//! Search matches with or without diacritics and case, ranks exact before prefix before substring.

use serde_json::json;

use crate::common::TestHub;

const SEARCH: &str = "query($t: String!, $n: Int) { search(text: $t, first: $n) { kind title rank node { id ... on Province { code } } } }";

#[tokio::test]
async fn diacritics_and_case_do_not_matter() {
    let hub = TestHub::shared().await;
    for text in ["ha tinh", "HA TINH", "Hà Tĩnh", "  hà   TĨNH "] {
        let data = hub.data(SEARCH, json!({ "t": text, "n": 5 })).await;
        let first = &data["search"][0];
        assert_eq!(first["kind"], "PROVINCE", "{text}: {data}");
        assert_eq!(first["title"], "Hà Tĩnh");
        assert_eq!(first["rank"], "EXACT");
        assert_eq!(first["node"]["code"], "42");
    }
}

#[tokio::test]
async fn d_with_stroke_matches_d() {
    let hub = TestHub::shared().await;
    let plain = hub.data(SEARCH, json!({ "t": "dan cu", "n": 20 })).await;
    let titles: Vec<&str> = plain["search"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["title"].as_str())
        .collect();
    assert!(titles.iter().any(|t| t.contains("dân cư")), "{titles:?}");
    let stroke = hub.data(SEARCH, json!({ "t": "đất đai", "n": 20 })).await;
    let folded = hub.data(SEARCH, json!({ "t": "dat dai", "n": 20 })).await;
    assert_eq!(stroke, folded);
    assert!(!stroke["search"].as_array().expect("hits").is_empty());
}

#[tokio::test]
async fn exact_before_prefix_before_substring() {
    let hub = TestHub::shared().await;
    let data = hub.data(SEARCH, json!({ "t": "vinh long", "n": 50 })).await;
    let ranks: Vec<&str> = data["search"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["rank"].as_str())
        .collect();
    assert_eq!(ranks.first(), Some(&"EXACT"), "{data}");
    let order = |r: &str| match r {
        "EXACT" => 0,
        "PREFIX" => 1,
        _ => 2,
    };
    assert!(
        ranks.windows(2).all(|w| order(w[0]) <= order(w[1])),
        "{ranks:?}"
    );
    assert!(ranks.contains(&"SUBSTRING"), "{ranks:?}");
    let prefix = hub.data(SEARCH, json!({ "t": "kien", "n": 10 })).await;
    assert_eq!(prefix["search"][0]["rank"], "PREFIX", "{prefix}");
    assert_eq!(prefix["search"][0]["title"], "Kiên Giang");
}

#[tokio::test]
async fn search_covers_synthetic_rows_and_limits_results() {
    let hub = TestHub::start_with_synthetic(300).await;
    let data = hub.data(SEARCH, json!({ "t": "ho tich", "n": 7 })).await;
    let hits = data["search"].as_array().expect("hits");
    assert_eq!(hits.len(), 7);
    assert!(hits.iter().all(|h| h["title"]
        .as_str()
        .is_some_and(|t| t.to_lowercase().contains("hộ tịch"))));
    assert_eq!(
        hub.error_code(SEARCH, json!({ "t": "   ", "n": 5 })).await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        hub.error_code(SEARCH, json!({ "t": "ha", "n": 1000 }))
            .await,
        "BAD_USER_INPUT"
    );
    // LIKE wildcards in input are literal.
    let none = hub.data(SEARCH, json!({ "t": "%_%", "n": 5 })).await;
    assert!(
        none["search"].as_array().expect("hits").is_empty(),
        "{none}"
    );
}
