//! The response cache of anonymous catalog queries: an identical public read runs no SQL, a committed write drops it
//! before the mutation returns, authenticated reads are never served from it, and GET answers revalidate with `ETag`.
//! (Two replicas: `subscriptions/replicas.rs`, where the other hub's cached answer is dropped by the notification.)

use reqwest::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use serde_json::{json, Value};

use crate::common::{token, TestHub};

const QN: &str = "000.00.00.H48"; // UBND tỉnh Quảng Ngãi
const SYSTEMS_OF_QN: &str = r#"{ informationSystems(first: 5, filter: { provinceCode: "51" }) { totalCount edges { node { name agency { name } } } } }"#;
const REGISTER: &str = "mutation($input: RegisterInformationSystemInput!) { registerInformationSystem(input: $input) { code } }";

/// Registers a system of Quảng Ngãi's People's Committee.
async fn register(hub: &TestHub, name: &str) {
    let (_, body) = hub
        .post_as(
            &token(QN, "systems:write"),
            REGISTER,
            json!({ "input": { "name": name, "securityLevel": 2, "processesPersonalData": false } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}

/// The answer to `query` and the statements it ran.
async fn read(hub: &TestHub, bearer: Option<&str>, query: &str) -> (Value, u64) {
    let before = hub.sql_statements().await;
    let (_, body) = match bearer {
        Some(t) => hub.post_as(t, query, json!({})).await,
        None => hub.post(query, json!({})).await,
    };
    assert!(body.get("errors").is_none(), "{body}");
    (body, hub.sql_statements().await - before)
}

#[tokio::test]
async fn an_identical_anonymous_read_runs_no_sql_until_a_write_commits() {
    let hub = TestHub::start().await;
    let (cold, ran) = read(&hub, None, SYSTEMS_OF_QN).await;
    assert!(ran > 0, "the first read ran no statement");
    let (warm, ran) = read(&hub, None, SYSTEMS_OF_QN).await;
    assert_eq!(ran, 0, "the identical read ran {ran} statements");
    assert_eq!(warm, cold);

    // The writing process reads its own write at once: no TTL to wait out.
    register(&hub, "Hệ thống thử bộ nhớ đệm").await;
    let (after, ran) = read(&hub, None, SYSTEMS_OF_QN).await;
    assert!(
        ran > 0,
        "the read after the write was served from the cache"
    );
    let count = |b: &Value| b["data"]["informationSystems"]["totalCount"].as_i64();
    assert_eq!(count(&after), count(&cold).map(|n| n + 1), "{after}");
}

#[tokio::test]
async fn authenticated_reads_and_other_variables_are_not_served_from_it() {
    let hub = TestHub::start().await;
    let bearer = token(QN, "catalog:read");
    let query = "query($c: String!) { province(code: $c) { name agencyCount } }";
    read(&hub, Some(&bearer), SYSTEMS_OF_QN).await;
    let (_, ran) = read(&hub, Some(&bearer), SYSTEMS_OF_QN).await;
    assert!(ran > 0, "an authenticated read was answered from the cache");

    // Same document, other variables: another answer.
    let kien_giang = hub.data(query, json!({ "c": "91" })).await;
    let quang_ngai = hub.data(query, json!({ "c": "51" })).await;
    assert_ne!(kien_giang, quang_ngai);
    assert_eq!(quang_ngai["province"]["name"], "Quảng Ngãi");
}

#[tokio::test]
async fn get_answers_revalidate_with_their_etag() {
    let hub = TestHub::start().await;
    let get = |etag: Option<String>| {
        let mut request = hub
            .client
            .get(hub.url("/graphql"))
            .query(&[("query", SYSTEMS_OF_QN)]);
        if let Some(tag) = etag {
            request = request.header(IF_NONE_MATCH, tag);
        }
        request.send()
    };
    let first = get(None).await.expect("GET");
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()[CACHE_CONTROL], "public, no-cache");
    let etag = first.headers()[ETAG].to_str().expect("ascii").to_owned();
    let body = first.text().await.expect("body");

    let again = get(Some(etag.clone())).await.expect("GET");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()[ETAG], etag.as_str());
    assert!(again.text().await.expect("body").is_empty());

    // After a write the validator no longer matches: the new answer comes with a new tag.
    register(&hub, "Hệ thống thử ETag").await;
    let changed = get(Some(etag.clone())).await.expect("GET");
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()[ETAG], etag.as_str());
    assert_ne!(changed.text().await.expect("body"), body);

    // A POST answer carries no validator: only GET is cacheable by HTTP.
    let post = hub
        .client
        .post(hub.url("/graphql"))
        .json(&json!({ "query": SYSTEMS_OF_QN }))
        .send()
        .await
        .expect("POST");
    assert!(post.headers().get(ETAG).is_none());
}
