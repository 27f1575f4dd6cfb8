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
    let _ = tracing_subscriber::fmt()
        .with_env_filter("lgsp_hub::sql=trace")
        .try_init();
    let hub = TestHub::start_with_synthetic(250).await;
    let small = statements_for(&hub, 5).await;
    let large = statements_for(&hub, 100).await;
    assert!(large <= 4, "a page of 100 ran {large} statements");
    assert_eq!(small, large, "statement count grows with the page size");
}
