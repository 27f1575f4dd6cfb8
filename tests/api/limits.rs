//! Query limits: every probe of abuse is refused before anything runs, with `QUERY_TOO_COMPLEX` and which limit, while
//! every README example and the benchmark's query pass.

use serde_json::{json, Value};

use crate::common::{token, TestHub};

/// The fan-out query of the safety review: 100^4 agencies.
const FAN_OUT: &str =
    "{ provinces { agencies(first: 100) { province { agencies(first: 100) { province { \
    agencies(first: 100) { province { agencies(first: 100) { name } } } } } } } } }";

const BENCHMARK: &str =
    "{ informationSystems(first: 20, filter: { securityLevel: 3 }) { totalCount \
    edges { node { name securityLevel agency { name province { name } } } } } }";

/// POSTs with the `application/graphql-response+json` media type: request errors are 400.
async fn post_strict(hub: &TestHub, body: Value) -> (u16, Value) {
    let resp = hub
        .client
        .post(hub.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("JSON"))
}

/// The first error's extensions of a refused document (400, no `data`).
async fn refusal(hub: &TestHub, query: &str) -> Value {
    let (status, body) = post_strict(hub, json!({ "query": query })).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    body["errors"][0]["extensions"].clone()
}

#[tokio::test]
async fn the_fan_out_query_is_refused_before_any_sql() {
    let hub = TestHub::start().await;
    let before = hub.sql_statements().await;
    let ext = refusal(&hub, FAN_OUT).await;
    assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{ext}");
    assert_eq!(ext["limit"], "cost");
    let (cost, maximum) = (
        ext["cost"].as_u64().expect("cost"),
        ext["maximum"].as_u64().expect("maximum"),
    );
    assert!(cost > maximum, "{ext}");
    assert_eq!(maximum, 50_000);
    assert_eq!(hub.sql_statements().await, before, "no SQL ran");
}

#[tokio::test]
async fn a_cost_beyond_counting_beside_other_fields_is_refused_not_a_crash() {
    // Three pages of two billion saturate a field's cost; async-graphql then adds its siblings' costs to it, which
    // overflowed (a panic in debug builds, a wrapped small cost in release) until field costs were capped. Found by
    // schemathesis.
    let hub = TestHub::shared().await;
    let nested = format!(
        "{}name{}",
        "agencies(first: 2000000000) { province { ".repeat(3),
        " } }".repeat(3)
    );
    let query = format!("{{ provinces {{ code {nested} name }} a: provinces {{ {nested} }} }}");
    let ext = refusal(&hub, &query).await;
    assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{ext}");
    assert_eq!(ext["limit"], "cost", "{ext}");
    assert!(ext["cost"].as_u64().expect("cost") > 50_000, "{ext}");
}

#[tokio::test]
async fn each_shape_limit_names_itself() {
    let hub = TestHub::shared().await;
    let aliases: String = (0..31)
        .map(|i| format!("a{i}: viewer {{ subject }} "))
        .collect();
    let roots: String = (0..21).map(|i| format!("r{i}: __typename ")).collect();
    let width = "__typename ".repeat(101);
    let deep = format!("{{ {}name{} }}", "provinces { ".repeat(17), " }".repeat(17));
    let directives = "__typename @include(if: true) ".repeat(31);
    let tokens = format!("{{ {} }}", "__typename ".repeat(5_001));
    for (query, limit) in [
        (format!("{{ {aliases} }}"), "aliases"),
        (format!("{{ {roots} }}"), "rootFields"),
        (format!("{{ provinces {{ {width} }} }}"), "selectionFields"),
        (deep, "depth"),
        (format!("{{ provinces {{ {directives} }} }}"), "directives"),
        (tokens, "tokens"),
    ] {
        let ext = refusal(&hub, &query).await;
        assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{limit}: {ext}");
        assert_eq!(ext["limit"], limit, "{ext}");
    }
}

#[tokio::test]
async fn ten_thousand_aliases_and_fragment_bombs_are_refused() {
    let hub = TestHub::shared().await;
    let aliases: String = (0..10_000)
        .map(|i| format!("a{i}: provinces {{ name }} "))
        .collect();
    let ext = refusal(&hub, &format!("{{ {aliases} }}")).await;
    assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{ext}");
    // Each fragment spreads the next twice: 2^40 fields once expanded, from a document of 40 lines.
    let mut bomb = String::from("{ provinces { ...F0 } }\n");
    for i in 0..40 {
        bomb.push_str(&format!(
            "fragment F{i} on Province {{ ...F{n} ...F{n} }}\n",
            n = i + 1
        ));
    }
    bomb.push_str("fragment F40 on Province { name }\n");
    let ext = refusal(&hub, &bomb).await;
    assert_eq!(ext["code"], "QUERY_TOO_COMPLEX", "{ext}");
    assert_eq!(ext["limit"], "cost");
    let ext = refusal(
        &hub,
        "{ provinces { ...A } } fragment A on Province { name ...B } fragment B on Province { code ...A }",
    )
    .await;
    assert_eq!(
        ext["code"], "GRAPHQL_VALIDATION_FAILED",
        "circular fragments: {ext}"
    );
}

#[tokio::test]
async fn nested_pages_are_bounded_like_root_pages() {
    let hub = TestHub::shared().await;
    for query in [
        "{ provinces { agencies(first: 101) { name } } }",
        "{ provinces { informationSystems(first: -1) { name } } }",
        "{ agencies(first: 101) { totalCount } }",
    ] {
        assert_eq!(
            hub.error_code(query, json!({})).await,
            "BAD_USER_INPUT",
            "{query}"
        );
    }
    let data = hub
        .data("{ provinces { agencies(first: 100) { name } } }", json!({}))
        .await;
    assert_eq!(data["provinces"].as_array().map(Vec::len), Some(5));
}

/// Every GraphQL document in README.md: the top-level `{ ... }`, `query`, `mutation` and `subscription` blocks of
/// its ```graphql fences.
fn readme_documents() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let mut docs = Vec::new();
    for fence in readme.split("```graphql").skip(1) {
        let block = fence.split("```").next().unwrap_or_default();
        let (mut depth, mut current) = (0i32, String::new());
        for line in block.lines() {
            let code = line.split('#').next().unwrap_or_default();
            if depth == 0 && code.trim().is_empty() {
                continue;
            }
            current.push_str(code);
            current.push('\n');
            depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
            if depth == 0 {
                docs.push(std::mem::take(&mut current));
            }
        }
    }
    docs
}

#[tokio::test]
async fn every_readme_example_and_the_benchmark_pass_the_limits() {
    let hub = TestHub::start().await;
    let all_scopes = "catalog:read systems:write systems:approve audit:read registry:admin \
        upstream:population:read upstream:business:read upstream:insurance:read upstream:land:read \
        upstream:civil-status:read upstream:judicial:read";
    let token = token("000.00.00.H48", all_scopes);
    let docs = readme_documents();
    assert!(
        docs.len() >= 15,
        "found only {} documents in README.md",
        docs.len()
    );
    for doc in docs.iter().chain([&BENCHMARK.to_owned()]) {
        let (_, body) = hub.post_as(&token, doc, json!({})).await;
        let codes: Vec<&str> = body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["extensions"]["code"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            !codes.contains(&"QUERY_TOO_COMPLEX"),
            "README example refused by the limits:\n{doc}\n{body}"
        );
    }
}

#[tokio::test]
async fn limits_are_configurable() {
    let hub = TestHub::start_configured(0, |o| {
        o.settings.max_query_cost = Some(100);
        o.settings.max_aliases = Some(0);
    })
    .await;
    let ext = refusal(&hub, BENCHMARK).await;
    assert_eq!(
        (ext["limit"].as_str(), ext["maximum"].as_u64()),
        (Some("cost"), Some(100)),
        "{ext}"
    );
    let ext = refusal(&hub, "{ a: __typename }").await;
    assert_eq!(ext["limit"], "aliases");
    hub.data("{ provinces { name } }", json!({})).await;
}

#[tokio::test]
async fn control_characters_are_refused_with_the_argument_path() {
    let hub = TestHub::shared().await;
    let (_, body) = hub
        .post(
            "query($t: String!) { search(text: $t) { title } }",
            json!({ "t": "so\u{0}thong" }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "search.text",
        "named by the argument it feeds"
    );
    let (_, body) = hub
        .post(r#"{ province(code: "5\u0000") { name } }"#, json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "province.code",
        "{body}"
    );
    let long = "a".repeat(5_000);
    let (_, body) = hub
        .post(
            "query($t: String!) { search(text: $t) { title } }",
            json!({ "t": long }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    let (_, body) = hub
        .post(
            "query($t: String!) { search(text: $t) { title } }",
            json!({ "t": "a".repeat(201) }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "text",
        "search text has its own bound: {body}"
    );
    // Tab, CR and LF are whitespace, not refused; the search text is normalised.
    let data = hub
        .data(
            "query($t: String!) { search(text: $t) { title } }",
            json!({ "t": "Hà\tTĩnh\r\n" }),
        )
        .await;
    assert!(
        data["search"].as_array().is_some_and(|h| !h.is_empty()),
        "{data}"
    );
}

#[tokio::test]
async fn automatic_persisted_queries() {
    let hub = TestHub::start().await;
    let query = "{ provinces { code } }";
    let hash = lgsp_hub::http::documents::sha256_hex(query);
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let (_, body) = hub_post(&hub, json!({ "extensions": ext })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{body}"
    );
    let (status, body) = hub_post(&hub, json!({ "query": query, "extensions": ext })).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["provinces"].as_array().map(Vec::len),
        Some(5),
        "{body}"
    );
    let (_, body) = hub_post(&hub, json!({ "extensions": ext })).await;
    assert_eq!(
        body["data"]["provinces"].as_array().map(Vec::len),
        Some(5),
        "by hash alone: {body}"
    );
    let url = format!(
        "{}?extensions={}",
        hub.url("/graphql"),
        urlencode(&ext.to_string())
    );
    let body: Value = hub
        .client
        .get(url)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        body["data"]["provinces"].as_array().map(Vec::len),
        Some(5),
        "GET by hash: {body}"
    );
    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": "0".repeat(64) } });
    let (status, body) = hub_post(&hub, json!({ "query": query, "extensions": wrong })).await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].as_str()),
        (400, Some("BAD_REQUEST"))
    );
    // A document that fails validation is not registered.
    let bad = "{ provinces { nope } }";
    let bad_ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": lgsp_hub::http::documents::sha256_hex(bad) } });
    hub_post(&hub, json!({ "query": bad, "extensions": bad_ext })).await;
    let (_, body) = hub_post(&hub, json!({ "extensions": bad_ext })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{body}"
    );
}

#[tokio::test]
async fn trusted_documents_lock_the_hub_to_a_manifest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("trusted.json");
    let allowed = "{ provinces { code } }";
    let hash = lgsp_hub::http::documents::sha256_hex(allowed);
    std::fs::write(&path, json!({ hash.clone(): allowed }).to_string()).expect("manifest");
    let hub =
        TestHub::start_configured(0, |o| o.settings.trusted_documents = Some(path.clone())).await;
    let (_, body) = hub_post(
        &hub,
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }),
    )
    .await;
    assert_eq!(
        body["data"]["provinces"].as_array().map(Vec::len),
        Some(5),
        "{body}"
    );
    let (_, body) = hub_post(&hub, json!({ "query": allowed })).await;
    assert!(
        body["errors"].is_null(),
        "the manifest's text itself runs: {body}"
    );
    let (_, body) = hub_post(&hub, json!({ "query": "{ provinces { name } }" })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_REQUIRED",
        "{body}"
    );
}

async fn hub_post(hub: &TestHub, body: Value) -> (u16, Value) {
    let resp = hub
        .client
        .post(hub.url("/graphql"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("JSON"))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn only_documents_that_validated_are_cached() {
    let hub = TestHub::start().await;
    for i in 0..50 {
        hub.post(&format!("{{ provinces {{ nope{i} }} }}"), json!({}))
            .await;
    }
    assert_eq!(
        cached_bytes(&hub).await,
        0,
        "invalid documents are not kept"
    );
    hub.data("{ provinces { name } }", json!({})).await;
    assert!(cached_bytes(&hub).await > 0, "a valid one is");
}

async fn cached_bytes(hub: &TestHub) -> u64 {
    hub.metric("lgsp_document_cache_bytes")
        .await
        .expect("lgsp_document_cache_bytes in /metrics")
}

/// A document the hub has measured runs without the limits' extension only for the operation and variables it was
/// measured for: other variables, or another operation of the same document, are measured (and refused) again.
#[tokio::test]
async fn a_measured_document_is_measured_again_for_other_variables_or_operations() {
    let hub = TestHub::shared().await;
    // Authenticated: the response cache never answers it, so every request reaches the executor.
    let reader = token("000.00.00.H48", "systems:write");
    let doc = "query Light { provinces { code } } \
               query Fan($n: Int!) { provinces { agencies(first: $n) { province { agencies(first: $n) { name } } } } }";
    let run = |operation: &'static str, n: i64| {
        let body = json!({ "query": doc, "operationName": operation, "variables": { "n": n } });
        let hub = &hub;
        let reader = &reader;
        async move {
            let resp = hub
                .client
                .post(hub.url("/graphql"))
                .bearer_auth(reader)
                .json(&body)
                .send()
                .await
                .expect("POST");
            resp.json::<Value>().await.expect("JSON")
        }
    };
    let first = run("Fan", 1).await;
    assert!(first.get("errors").is_none(), "{first}");
    // Measured now for n = 1: the same request again answers the same.
    assert_eq!(run("Fan", 1).await, first);
    // n = 60 costs 63 × 60 × 60 and more: refused with the limit named, as on a document never seen.
    let refused = run("Fan", 60).await;
    let ext = &refused["errors"][0]["extensions"];
    assert_eq!(
        (ext["code"].as_str(), ext["limit"].as_str()),
        (Some("QUERY_TOO_COMPLEX"), Some("cost")),
        "{refused}"
    );
    assert!(ext["cost"].as_u64().expect("cost") > 50_000, "{refused}");
    // Back to n = 1, then the document's other operation: both measured afresh and answered.
    assert_eq!(run("Fan", 1).await, first);
    let light = run("Light", 1).await;
    assert!(light["data"]["provinces"][0]["code"].is_string(), "{light}");
}
