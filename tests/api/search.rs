//! Search matches with or without diacritics and case, ranks exact before prefix before substring.

use serde_json::{json, Value};

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

/// The synthetic bulk load indexes its rows for substring search without the per-row trigger (on SQLite it drops the
/// trigger for its transaction): its rows must be found by the substring tier, and a system registered afterwards
/// must be indexed too (the trigger is back).
#[tokio::test]
async fn bulk_loaded_rows_and_later_writes_are_both_in_the_substring_index() {
    let hub = TestHub::start_with_synthetic(300).await;
    // "số 29", "số 290" … "số 299": eleven synthetic systems, found only by the substring tier.
    let data = hub.data(SEARCH, json!({ "t": "so 29", "n": 50 })).await;
    let hits = data["search"].as_array().expect("hits");
    assert_eq!(hits.len(), 11, "{data}");
    assert!(hits.iter().all(|h| h["rank"] == "SUBSTRING"), "{data}");

    let (status, body) = hub
        .post_as(
            &crate::common::token("000.00.00.H48", "systems:write"),
            "mutation($input: RegisterInformationSystemInput!) { registerInformationSystem(input: $input) { code } }",
            json!({ "input": { "name": "Hệ thống quản lý kè biển Sa Huỳnh", "securityLevel": 2 } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let later = hub.data(SEARCH, json!({ "t": "ke bien sa", "n": 5 })).await;
    assert_eq!(
        later["search"][0]["title"], "Hệ thống quản lý kè biển Sa Huỳnh",
        "{later}"
    );
    assert_eq!(later["search"][0]["rank"], "SUBSTRING", "{later}");
}

const RESULTS: &str = "query($t: String!, $n: Int) { searchResults(text: $t, first: $n) { truncated hits { kind title rank } } }";

/// The time budget changes nothing where the substring tier finishes: on the seeded catalog every query answers
/// exactly what the unbounded search answered before it (recorded from that build in `search/`), untruncated.
#[tokio::test]
async fn the_seeded_catalog_answers_as_before_the_budget() {
    let hub = TestHub::shared().await;
    let before: serde_json::Map<String, Value> =
        serde_json::from_str(include_str!("search/seeded_catalog_before.json")).expect("fixture");
    for (text, expected) in before {
        let data = hub.data(RESULTS, json!({ "t": text, "n": 50 })).await;
        let got: Vec<Value> = data["searchResults"]["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| json!([h["kind"], h["title"], h["rank"]]))
            .collect();
        assert_eq!(
            collation_free(got),
            collation_free(expected.as_array().cloned().unwrap_or_default()),
            "{text}"
        );
        assert_eq!(data["searchResults"]["truncated"], false, "{text}");
        let plain = hub.data(SEARCH, json!({ "t": text, "n": 50 })).await;
        assert_eq!(
            plain["search"].as_array().map(Vec::len),
            expected.as_array().map(Vec::len),
            "{text}"
        );
    }
}

/// `hits` with each run of titles equal but for case put in one order: the fixture was recorded on SQLite, and which
/// of "Sở Giao thông Vận tải" and "Sở Giao thông vận tải" comes first is the database's collation, not the search's.
fn collation_free(mut hits: Vec<Value>) -> Vec<Value> {
    let title = |h: &Value| h[1].as_str().unwrap_or_default().to_lowercase();
    let mut start = 0;
    while start < hits.len() {
        let mut end = start + 1;
        while end < hits.len() && title(&hits[end]) == title(&hits[start]) {
            end += 1;
        }
        hits[start..end].sort_by_key(|a| a.to_string());
        start = end;
    }
    hits
}

/// With no time for the substring tier, a search still answers its exact and prefix hits, complete and in order, and
/// says the page is truncated; a page the exact tier fills never reaches the substring tier and is not truncated.
#[tokio::test]
async fn an_exhausted_budget_keeps_exact_and_prefix_hits_and_says_truncated() {
    let hub = TestHub::start_configured(0, |o| o.settings.search_budget_ms = Some(0)).await;
    let before: Value =
        serde_json::from_str(include_str!("search/seeded_catalog_before.json")).expect("fixture");
    // "Vĩnh Long": one exact hit then substring hits; "cong": prefix hits then substring hits.
    for (text, fixture_key) in [("Vĩnh Long", "vinh long"), ("cong", "cong")] {
        let data = hub.data(RESULTS, json!({ "t": text, "n": 50 })).await;
        let page = &data["searchResults"];
        assert_eq!(page["truncated"], true, "{data}");
        let expected: Vec<&Value> = before[fixture_key]
            .as_array()
            .expect("fixture hits")
            .iter()
            .filter(|h| h[2] != "SUBSTRING")
            .collect();
        assert!(!expected.is_empty(), "{fixture_key}");
        let got: Vec<Value> = page["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| json!([h["kind"], h["title"], h["rank"]]))
            .collect();
        assert_eq!(got.iter().collect::<Vec<_>>(), expected, "{data}");
    }

    let full = hub.data(RESULTS, json!({ "t": "ha tinh", "n": 1 })).await;
    assert_eq!(full["searchResults"]["truncated"], false, "{full}");
    assert_eq!(full["searchResults"]["hits"][0]["rank"], "EXACT", "{full}");
}

/// Short queries (under three letters: no trigram) and queries with LIKE wildcards take the scan under the same
/// budget, and finish on a small catalog.
#[tokio::test]
async fn short_and_wildcard_queries_finish_within_the_budget() {
    let hub = TestHub::start_with_synthetic(300).await;
    let short = hub.data(RESULTS, json!({ "t": "so", "n": 100 })).await;
    assert_eq!(short["searchResults"]["truncated"], false, "{short}");
    assert_eq!(
        short["searchResults"]["hits"].as_array().map(Vec::len),
        Some(100),
        "{short}"
    );
    let wild = hub.data(RESULTS, json!({ "t": "so 29%", "n": 5 })).await;
    assert_eq!(wild["searchResults"]["truncated"], false, "{wild}");
    assert_eq!(wild["searchResults"]["hits"], json!([]), "{wild}");
}
