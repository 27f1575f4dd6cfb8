//! The HTTP face's protections: a deadline that cancels work, load shedding at the concurrency limit, security
//! headers, CORS only for configured origins, compression, and introspection and GraphiQL switched off in
//! production unless asked for.

use std::time::Duration;

use lgsp_hub::config::UpstreamFile;
use serde_json::{json, Value};

use crate::common::{token, TestHub};
use crate::mock::MockUpstreams;

const PURPOSE: &str = r#"{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }"#;

/// A hub over `mock` whose population service answers slowly (`latency_ms`), with a generous upstream timeout so that
/// only the hub's own deadline can cut the request.
async fn hub_over_slow_population(
    mock: &MockUpstreams,
    configure: impl FnOnce(&mut lgsp_hub::config::Overrides),
) -> TestHub {
    mock.admin_put_knobs("population", json!({ "latencyMs": 3_000 }))
        .await;
    let url = mock.url();
    TestHub::start_configured(0, |o| {
        o.settings.upstreams_url = Some(url);
        for service in lgsp_hub::upstream::SERVICES {
            o.settings.upstream.insert(
                service.name.to_owned(),
                UpstreamFile {
                    client_secret: Some(lgsp_hub::upstream::dev_secret(service.name).into()),
                    timeout_ms: Some(20_000),
                    retries: Some(0),
                    ..Default::default()
                },
            );
        }
        configure(o);
    })
    .await
}

/// Starts `slow_lookup` in the background; resolves to its HTTP status.
fn spawn_slow_lookup(hub: &TestHub, id: &str) -> tokio::task::JoinHandle<reqwest::Result<u16>> {
    let (client, url) = (hub.client.clone(), hub.url("/graphql"));
    let token = token("000.00.00.H48", "upstream:population:read");
    let query = format!(r#"{{ citizen(personalId: "{id}", purpose: {PURPOSE}) {{ fullName }} }}"#);
    tokio::spawn(async move {
        client
            .post(url)
            .bearer_auth(token)
            .json(&json!({ "query": query }))
            .send()
            .await
            .map(|r| r.status().as_u16())
    })
}

async fn slow_lookup(hub: &TestHub, id: &str) -> (u16, Value) {
    let token = token("000.00.00.H48", "upstream:population:read");
    let query = format!(r#"{{ citizen(personalId: "{id}", purpose: {PURPOSE}) {{ fullName }} }}"#);
    hub.post_as(&token, &query, json!({})).await
}

#[tokio::test]
async fn a_request_past_its_deadline_is_cancelled_with_timeout() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over_slow_population(&mock, |o| {
        o.settings.request_timeout_ms = Some(300);
        o.settings.db_acquire_timeout_ms = Some(100);
    })
    .await;
    let id = mock.samples().await["citizens"][0]
        .as_str()
        .expect("a citizen")
        .to_owned();
    let started = std::time::Instant::now();
    let (status, body) = slow_lookup(&hub, &id).await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "answered at the deadline, not after the upstream"
    );
    assert_eq!(
        hub.metric(r#"lgsp_graphql_requests_total{operation="other",outcome="timeout"}"#)
            .await,
        Some(1),
        "a document cancelled before it was known to be valid counts as `other`"
    );
    // The hub goes on serving.
    hub.data("{ provinces { code } }", json!({})).await;
}

#[tokio::test]
async fn requests_past_the_concurrency_limit_are_shed_at_once() {
    let mock = MockUpstreams::spawn(&[]);
    let hub =
        hub_over_slow_population(&mock, |o| o.settings.max_concurrent_requests = Some(1)).await;
    let id = mock.samples().await["citizens"][0]
        .as_str()
        .expect("a citizen")
        .to_owned();
    let slow = spawn_slow_lookup(&hub, &id);
    // Poll until the slow request holds the only permit, then expect the next one to be shed.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let shed = loop {
        let resp = hub
            .client
            .post(hub.url("/graphql"))
            .json(&json!({ "query": "{ provinces { code } }" }))
            .send()
            .await
            .expect("request");
        if resp.status() == 503 {
            break resp;
        }
        assert!(std::time::Instant::now() < deadline, "never shed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(shed.headers()["retry-after"], "1");
    let body: Value = shed.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "OVERLOADED",
        "{body}"
    );
    assert_eq!(slow.await.expect("joined").expect("slow request"), 200);
    hub.data("{ provinces { code } }", json!({})).await;
    let shed = hub
        .metric(r#"lgsp_requests_shed_total{reason="concurrency"}"#)
        .await
        .expect("shed requests counted");
    assert!(shed >= 1);
    assert_eq!(
        hub.metric(r#"lgsp_graphql_requests_total{operation="other",outcome="shed"}"#)
            .await,
        Some(shed)
    );
}

/// Sends `body` as `content_type` to `/graphql`; the status, the `extensions.code` of the first error, and how long the
/// answer took.
async fn timed_post(hub: &TestHub, content_type: &str, body: String) -> (u16, String, Duration) {
    let started = std::time::Instant::now();
    let resp = hub
        .client
        .post(hub.url("/graphql"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    let code = body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (status, code, started.elapsed())
}

#[tokio::test]
async fn refusals_are_answered_no_sooner_than_the_refusal_pause() {
    // A pause far longer than any of these requests takes to refuse, so the bound it sets is the pause itself.
    let pause = Duration::from_millis(150);
    let hub = TestHub::start_configured(0, |o| {
        o.settings.refusal_pause_ms = Some(pause.as_millis() as u64)
    })
    .await;
    let query = |q: &str| json!({ "query": q }).to_string();
    let fan_out =
        "{ provinces { agencies(first: 100) { province { agencies(first: 100) { province { \
                   agencies(first: 100) { name } } } } } } }";
    for (what, content_type, body, status, code) in [
        (
            "over the cost limit",
            "application/json",
            query(fan_out),
            200,
            "QUERY_TOO_COMPLEX",
        ),
        (
            "not JSON",
            "application/json",
            "{".to_owned(),
            400,
            "BAD_REQUEST",
        ),
        (
            "wrong media type",
            "text/plain",
            query("{ __typename }"),
            415,
            "BAD_REQUEST",
        ),
        (
            "a NUL in an argument",
            "application/json",
            query("{ search(text: \"a\\u0000b\") { __typename } }"),
            200,
            "BAD_USER_INPUT",
        ),
    ] {
        let (got_status, got_code, took) = timed_post(&hub, content_type, body).await;
        assert_eq!((got_status, got_code.as_str()), (status, code), "{what}");
        assert!(
            took >= pause,
            "{what}: answered after {took:?}, before the {pause:?} pause"
        );
    }
    // What runs is not a refusal, even when a resolver answers with an error.
    let (status, code, _) =
        timed_post(&hub, "application/json", query("{ provinces { code } }")).await;
    assert_eq!((status, code.as_str()), (200, ""));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let hub = TestHub::shared().await;
    for path in [
        "/graphql?query=%7B__typename%7D",
        "/healthz",
        "/schema.graphql",
        "/",
    ] {
        let resp = hub.client.get(hub.url(path)).send().await.expect("GET");
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        let csp = h["content-security-policy"].to_str().expect("ascii");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            h.get("access-control-allow-origin").is_none(),
            "CORS is off by default"
        );
    }
}

#[tokio::test]
async fn cors_answers_only_configured_origins() {
    let hub = TestHub::start_configured(0, |o| {
        o.settings.cors_allowed_origins = Some("https://app.quangngai.gov.vn".into())
    })
    .await;
    let preflight = |origin: &'static str| {
        hub.client
            .request(reqwest::Method::OPTIONS, hub.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,authorization",
            )
            .send()
    };
    let ok = preflight("https://app.quangngai.gov.vn")
        .await
        .expect("preflight");
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.quangngai.gov.vn"
    );
    let other = preflight("https://evil.example").await.expect("preflight");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn large_responses_are_compressed() {
    let hub = TestHub::shared().await;
    let resp = hub
        .client
        .post(hub.url("/graphql"))
        .header("accept-encoding", "gzip")
        .json(&json!({ "query": "{ agencies(first: 100) { nodes { name code key } } }" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let small = hub
        .client
        .post(hub.url("/graphql"))
        .header("accept-encoding", "gzip")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("POST");
    assert!(
        small.headers().get("content-encoding").is_none(),
        "small answers are sent as they are"
    );
}

#[tokio::test]
async fn production_turns_introspection_and_graphiql_off_unless_enabled() {
    let hub = TestHub::start_configured(0, |o| {
        o.settings.introspection = None;
        o.settings.graphiql = None;
    })
    .await;
    let (_, body) = hub
        .post("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert!(
        body["data"]["__schema"].is_null(),
        "introspection is off: {body}"
    );
    assert_eq!(
        hub.client
            .get(hub.url("/"))
            .send()
            .await
            .expect("GET /")
            .status(),
        404
    );
    hub.data("{ provinces { code } }", json!({})).await;
    let sdl = hub
        .client
        .get(hub.url("/schema.graphql"))
        .send()
        .await
        .expect("SDL");
    assert_eq!(
        sdl.status(),
        404,
        "the SDL is published with introspection only"
    );
    let on = TestHub::shared().await;
    on.data("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(
        on.client
            .get(on.url("/"))
            .send()
            .await
            .expect("GET /")
            .status(),
        200
    );
}

#[tokio::test]
async fn heavy_queries_beyond_their_permits_are_shed_while_cheap_ones_run() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over_slow_population(&mock, |o| {
        o.settings.heavy_query_cost = Some(50);
        o.settings.max_concurrent_heavy_queries = Some(1);
    })
    .await;
    let id = mock.samples().await["citizens"][0]
        .as_str()
        .expect("a citizen")
        .to_owned();
    let first = spawn_slow_lookup(&hub, &id);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = slow_lookup(&hub, &id).await;
        if status == 503 {
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "OVERLOADED",
                "{body}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second heavy query was never shed: {body}"
        );
    }
    // Cheap queries are not held back by the heavy one.
    hub.data(r#"{ province(code: "51") { name } }"#, json!({}))
        .await;
    assert_eq!(first.await.expect("joined").expect("first"), 200);
    // Known to be heavy now, the same document is admitted before validation and runs on the heavy lane.
    let (status, body) = slow_lookup(&hub, &id).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
    assert!(
        hub.metric(r#"lgsp_requests_shed_total{reason="heavy"}"#)
            .await
            .is_some_and(|n| n >= 1),
        "the shed heavy query is counted"
    );
}
