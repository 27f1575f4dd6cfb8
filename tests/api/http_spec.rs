//! GraphQL over HTTP: media types, methods and status codes as the specification says, and the small endpoints.

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{json, Value};

use crate::common::TestHub;

const GQL_RESPONSE: &str = "application/graphql-response+json";

#[tokio::test]
async fn post_json_answers_in_the_accepted_media_type() {
    let hub = TestHub::shared().await;
    let body = json!({ "query": "{ provinces { code } }", "variables": null, "operationName": null, "extensions": null });
    for (accept, expected) in [
        (Some(GQL_RESPONSE), GQL_RESPONSE),
        (Some("application/json"), "application/json"),
        (None, "application/json"),
        (Some("*/*"), "application/json"),
    ] {
        let mut req = hub.client.post(hub.url("/graphql")).json(&body);
        if let Some(a) = accept {
            req = req.header(ACCEPT, a);
        }
        let resp = req.send().await.expect("request");
        assert_eq!(resp.status(), 200);
        let ct = resp.headers()[CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(ct.starts_with(expected), "{accept:?} → {ct}");
        assert!(ct.contains("charset=utf-8"));
        let v: Value = resp.json().await.expect("json");
        assert_eq!(v["data"]["provinces"].as_array().map(Vec::len), Some(5));
    }
    let resp = hub
        .client
        .post(hub.url("/graphql"))
        .header(ACCEPT, "text/html")
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 406);
}

#[tokio::test]
async fn get_runs_queries_but_not_mutations() {
    let hub = TestHub::shared().await;
    let resp = hub
        .client
        .get(hub.url("/graphql"))
        .query(&[
            (
                "query",
                "query Q($c: String!) { province(code: $c) { name } }",
            ),
            ("variables", r#"{"c":"42"}"#),
            ("operationName", "Q"),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["data"]["province"]["name"], "Hà Tĩnh");

    let resp = hub
        .client
        .get(hub.url("/graphql"))
        .query(&[("query", "mutation { __typename }")])
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "POST");
}

#[tokio::test]
async fn malformed_requests_are_4xx() {
    let hub = TestHub::shared().await;
    let post = |body: &'static str, ct: &'static str| {
        hub.client
            .post(hub.url("/graphql"))
            .header(CONTENT_TYPE, ct)
            .header(ACCEPT, GQL_RESPONSE)
            .body(body)
            .send()
    };
    assert_eq!(
        post("{not json", "application/json")
            .await
            .expect("r")
            .status(),
        400
    );
    assert_eq!(
        post("[]", "application/json").await.expect("r").status(),
        400
    );
    assert_eq!(
        post(r#"{"variables":{}}"#, "application/json")
            .await
            .expect("r")
            .status(),
        400
    );
    assert_eq!(
        post(r#"{"query":1}"#, "application/json")
            .await
            .expect("r")
            .status(),
        400
    );
    assert_eq!(
        post(
            r#"{"query":"{ provinces { code } }","variables":[]}"#,
            "application/json"
        )
        .await
        .expect("r")
        .status(),
        400
    );
    assert_eq!(
        post(r#"{"query":"{ provinces { code } }"}"#, "text/plain")
            .await
            .expect("r")
            .status(),
        415
    );
    let get = hub.client.get(hub.url("/graphql")).send().await.expect("r");
    assert_eq!(get.status(), 400);
}

#[tokio::test]
async fn request_errors_are_400_without_data_in_graphql_response_json() {
    let hub = TestHub::shared().await;
    for query in ["{ nope }", "{ provinces { "] {
        let resp = hub
            .client
            .post(hub.url("/graphql"))
            .header(ACCEPT, GQL_RESPONSE)
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 400, "{query}");
        let v: Value = resp.json().await.expect("json");
        assert!(v.get("data").is_none(), "{v}");
        assert!(v["errors"].as_array().is_some_and(|e| !e.is_empty()));
        // The legacy media type answers 200 for the same request.
        let legacy = hub
            .client
            .post(hub.url("/graphql"))
            .header(ACCEPT, "application/json")
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("request");
        assert_eq!(legacy.status(), 200, "{query}");
    }
    // A field error during execution is still a 200 with data.
    let resp = hub
        .client
        .post(hub.url("/graphql"))
        .header(ACCEPT, GQL_RESPONSE)
        .json(&json!({ "query": r#"{ provinces { code } province(code: "99") { name } }"# }))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn body_limit_is_enforced() {
    let hub = TestHub::shared().await;
    let huge = format!(
        r#"{{"query":"{{ provinces {{ code }} }}","variables":{{"x":"{}"}}}}"#,
        "a".repeat(2 * 1024 * 1024)
    );
    let resp = hub
        .client
        .post(hub.url("/graphql"))
        .header(CONTENT_TYPE, "application/json")
        .body(huge)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 413);
    assert_eq!(resp.headers()["connection"], "close");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
}

/// Writes `head` and then `body_bytes` bytes of padding on a raw connection (optionally not at all), and returns the
/// hub's answer.
async fn raw_exchange(hub: &TestHub, head: &str, body_bytes: Option<usize>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = hub.url("").trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    if let Some(n) = body_bytes {
        let chunk = vec![b'x'; 64 * 1024];
        let mut left = n;
        while left > 0 {
            let k = left.min(chunk.len());
            stream
                .write_all(&chunk[..k])
                .await
                .expect("the hub reset the connection while the body was being written");
            left -= k;
        }
    }
    // One whole answer, by its Content-Length: the hub may keep the connection open a while to drain the body.
    let read_answer = async {
        let mut response = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.expect("read the answer");
            response.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&response).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().to_owned())
                    })
                    .and_then(|v| v.parse::<usize>().ok())
                    .expect("the answer has a Content-Length");
                if response.len() >= end + 4 + length {
                    return text;
                }
            }
            assert!(n > 0, "the connection closed before a whole answer: {text}");
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), read_answer)
        .await
        .expect("the hub did not answer")
}

#[tokio::test]
async fn a_body_declared_too_large_is_refused_before_it_is_sent() {
    let hub = TestHub::shared().await;
    // Only the headers: a hub that waited for the body to reach its limit would never answer.
    let head = "POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n\
                Content-Length: 10485760\r\n\r\n";
    let answer = raw_exchange(&hub, head, None).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("PAYLOAD_TOO_LARGE"), "{answer}");
}

#[tokio::test]
async fn a_client_that_writes_its_whole_oversized_body_reads_the_413_not_a_reset() {
    let hub = TestHub::shared().await;
    let head = "POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n\
                Content-Length: 10485760\r\n\r\n";
    let answer = raw_exchange(&hub, head, Some(10 * 1024 * 1024)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("PAYLOAD_TOO_LARGE"), "{answer}");
    // A body without a length is cut at the limit, with the same answer.
    let head = "POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\n\r\n";
    let mut chunked = String::from(head);
    let piece = "x".repeat(256 * 1024);
    for _ in 0..8 {
        chunked.push_str(&format!("{:x}\r\n{piece}\r\n", piece.len()));
    }
    chunked.push_str("0\r\n\r\n");
    let answer = raw_exchange(&hub, &chunked, None).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("PAYLOAD_TOO_LARGE"), "{answer}");
}

#[tokio::test]
async fn health_readiness_graphiql_and_request_ids() {
    let hub = TestHub::shared().await;
    let health = hub
        .client
        .get(hub.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(
        hub.client
            .get(hub.url("/readyz"))
            .send()
            .await
            .expect("readyz")
            .status(),
        200
    );
    let page = hub.client.get(hub.url("/")).send().await.expect("graphiql");
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .expect("html")
        .to_lowercase()
        .contains("graphiql"));
}

#[tokio::test]
async fn served_schema_matches_the_committed_schema_graphql() {
    let hub = TestHub::shared().await;
    let served = hub
        .client
        .get(hub.url("/schema.graphql"))
        .send()
        .await
        .expect("schema")
        .text()
        .await
        .expect("text");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    assert!(
        served == committed,
        "schema.graphql is stale: regenerate it with `cargo run -- schema > schema.graphql`"
    );
}
