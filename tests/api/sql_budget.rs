//! Nested fields go through DataLoaders: a page of 100 systems with agency and province costs a constant number of
//! SQL statements, whatever the page size.

use serde_json::json;

use crate::common::TestHub;

async fn statements_for(hub: &TestHub, page: usize) -> u64 {
    let query = format!(
        "{{ informationSystems(orderBy: SECURITY_LEVEL_DESC, first: {page}) {{ totalCount edges {{ node {{ name securityLevel \
           agency {{ name province {{ name }} }} }} }} }} }}"
    );
    let before = hub.sql_statements().await;
    let data = hub.data(&query, json!({})).await;
    let after = hub.sql_statements().await;
    let edges = data["informationSystems"]["edges"]
        .as_array()
        .expect("edges");
    assert_eq!(edges.len(), page);
    assert!(edges
        .iter()
        .all(|e| e["node"]["agency"]["province"]["name"].is_string()));
    after - before
}

#[tokio::test]
async fn a_nested_page_of_100_costs_at_most_four_statements() {
    // Without the read cache every level is one statement: page, count, agencies, provinces.
    let hub = TestHub::start_with(250, Some(0)).await;
    let small = statements_for(&hub, 5).await;
    let large = statements_for(&hub, 100).await;
    assert!(large <= 4, "a page of 100 ran {large} statements");
    assert_eq!(small, large, "statement count grows with the page size");
}

#[tokio::test]
async fn the_read_cache_serves_counts_and_reference_rows() {
    // The response cache off: it would answer the warm page without any statement (tests/api/response_cache.rs).
    let hub = TestHub::start_configured(250, |o| {
        o.settings.cache_ttl_ms = Some(60_000);
        o.settings.response_cache_ttl_ms = Some(0);
    })
    .await;
    let cold = statements_for(&hub, 100).await;
    assert!(cold <= 4, "cold page ran {cold} statements");
    // Warm: the count, the agencies and the provinces come from the cache; only the page itself is read.
    let warm = statements_for(&hub, 100).await;
    assert_eq!(warm, 1, "warm page ran {warm} statements");
}
