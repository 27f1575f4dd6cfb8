//! Traces over OTLP/HTTP: a `serve` process exporting to a receiver the test runs (an axum route decoding the
//! protobuf with `opentelemetry-proto`). A catalog query and a federation lookup, each sent with a W3C `traceparent`:
//! their spans arrive, children of the caller's span in the caller's trace; the mock national database receives a
//! `traceparent` of that trace; the JSON log line of each request carries the trace id; and no token, secret or
//! personal number shows in any exported span.

use std::{
    process::Command,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{body::Bytes, extract::State, http::StatusCode, routing::post, Router};
use opentelemetry_proto::tonic::{
    collector::trace::v1::ExportTraceServiceRequest, common::v1::any_value, trace::v1::Span,
};
use prost::Message;
use serde_json::{json, Value};

use crate::{
    common::{
        process::{listening, Serving},
        token, TEST_ACCESS_LOG_KEY, TEST_CURSOR_KEY, TEST_SECRET,
    },
    federation::sample,
    mock::MockUpstreams,
};

const QN: &str = "000.00.00.H48";
const CLIENT_SECRET: &str = "client-secret-that-must-never-be-exported-07";
const PURPOSE: &str = r#"{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }"#;

/// An exported span, with its service's resource attributes (`key=value`).
type Exported = (Span, Vec<String>);

/// The spans an OTLP/HTTP receiver was sent.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Exported>>>);

impl Received {
    fn spans(&self) -> Vec<Exported> {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until the spans of trace `trace_id` include every name of `names`; those spans.
    async fn trace(&self, trace_id: &[u8], names: &[&str]) -> Vec<Span> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let spans: Vec<Span> = self
                .spans()
                .into_iter()
                .map(|(s, _)| s)
                .filter(|s| s.trace_id == trace_id)
                .collect();
            if names.iter().all(|n| spans.iter().any(|s| s.name == *n)) {
                return spans;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the spans {names:?} of the trace did not arrive; got {:?}",
                spans.iter().map(|s| &s.name).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(State(received): State<Received>, body: Bytes) -> StatusCode {
    let Ok(request) = ExportTraceServiceRequest::decode(body) else {
        return StatusCode::BAD_REQUEST;
    };
    let mut spans = received.0.lock().expect("lock");
    for resource in request.resource_spans {
        let attributes: Vec<String> = resource
            .resource
            .iter()
            .flat_map(|r| &r.attributes)
            .map(|kv| format!("{}={}", kv.key, text(kv.value.as_ref())))
            .collect();
        for scope in resource.scope_spans {
            spans.extend(scope.spans.into_iter().map(|s| (s, attributes.clone())));
        }
    }
    StatusCode::OK
}

/// An attribute's value as text (what a leak check reads).
fn text(value: Option<&opentelemetry_proto::tonic::common::v1::AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

/// An OTLP/HTTP receiver on a free loopback port: its base URL and what it receives.
async fn collector() -> (String, Received) {
    let received = Received::default();
    let app = Router::new()
        .route("/v1/traces", post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), received)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

#[tokio::test]
async fn spans_reach_the_collector_in_the_callers_trace_and_on_to_the_upstream() {
    let (endpoint, received) = collector().await;
    let mock = MockUpstreams::spawn(&["--client-secret", &format!("population={CLIENT_SECRET}")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "otlp_endpoint = \"{endpoint}\"\n\n[upstream.population]\nbase_url = \"{}/population\"\nclient_secret = \"{CLIENT_SECRET}\"\n",
            mock.url()
        ),
    )
    .expect("write config");
    let stderr = dir.path().join("stderr");
    let hub = Serving(
        Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
            .args(["--listen", "127.0.0.1:0", "serve"])
            .env("LGSP_CONFIG", &config)
            .env(
                "LGSP_DATABASE_URL",
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("hub.sqlite").display()
                ),
            )
            .env("LGSP_DATA_DIR", dir.path())
            .env("LGSP_PRODUCTION", "true")
            // Production makes no demonstration grants; the lookup below needs one.
            .env("LGSP_DEMO_GRANTS", "true")
            .env("LGSP_JWT_SECRET", TEST_SECRET)
            .env("LGSP_ACCESS_LOG_KEY", TEST_ACCESS_LOG_KEY)
            .env("LGSP_CURSOR_KEY", TEST_CURSOR_KEY)
            .env("LGSP_LOG_FORMAT", "json")
            .env("LGSP_LOG", "info")
            // Batches leave every 100 ms instead of every 5 s: the test polls for them.
            .env("OTEL_BSP_SCHEDULE_DELAY", "100")
            .stderr(std::fs::File::create(&stderr).expect("log file"))
            .spawn()
            .expect("start lgsp-hub"),
    );
    let base = listening(&stderr).await;
    let client = reqwest::Client::new();

    // A catalog query in the caller's trace.
    let (catalog_trace, caller_span) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let answer: Value = client
        .post(format!("{base}/graphql"))
        .header(
            "traceparent",
            format!("00-{catalog_trace}-{caller_span}-01"),
        )
        .json(&json!({ "query": "{ agencies(first: 1) { edges { node { code } } } }" }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert!(answer["errors"].is_null(), "{answer}");
    let spans = received.trace(&bytes(catalog_trace), &["request"]).await;
    let request = spans
        .iter()
        .find(|s| s.name == "request")
        .expect("request span");
    assert_eq!(
        hex(&request.parent_span_id),
        caller_span,
        "the request span is the caller's span's child"
    );

    // A personal-data lookup in another trace: through the hub into the national database.
    let lookup_trace = "0af7651916cd43dd8448eb211c80319c";
    let samples = mock.samples().await;
    let citizen = sample(&samples, "citizens");
    let reader = token(QN, "upstream:population:read");
    mock.clear_calls().await;
    let answer: Value = client
        .post(format!("{base}/graphql"))
        .bearer_auth(&reader)
        .header(
            "traceparent",
            format!("00-{lookup_trace}-b7ad6b7169203331-01"),
        )
        .json(&json!({
            "query": format!("query($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }} }}"),
            "variables": { "p": citizen },
        }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert!(
        answer["data"]["citizen"]["fullName"].is_string(),
        "{answer}"
    );
    let spans = received
        .trace(&bytes(lookup_trace), &["request", "call", "record"])
        .await;
    let call = spans.iter().find(|s| s.name == "call").expect("call span");
    let calls = mock.calls().await;
    let sent = calls
        .iter()
        .find(|c| {
            // The background health probe also calls `/citizens/...`, on its own trace: not the lookup's call.
            c["service"] == "population"
                && c["clientSubject"] != "health-probe"
                && c["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/citizens"))
        })
        .unwrap_or_else(|| panic!("the lookup did not reach the mock: {calls:?}"));
    let traceparent = sent["traceparent"].as_str().unwrap_or_default();
    assert!(
        traceparent.starts_with(&format!("00-{lookup_trace}-")),
        "the upstream got no traceparent of the caller's trace: {sent}"
    );
    assert!(
        spans.iter().any(|s| traceparent.contains(&hex(&s.span_id))),
        "the upstream's parent span is not one the hub exported: {traceparent}"
    );
    assert_eq!(
        text(
            call.attributes
                .iter()
                .find(|kv| kv.key == "upstream")
                .and_then(|kv| kv.value.as_ref())
        ),
        "population"
    );

    // The request log lines carry the trace ids.
    let log = std::fs::read_to_string(&stderr).expect("log");
    for trace in [catalog_trace, lookup_trace] {
        assert!(
            log.lines().any(|line| line.contains("request served")
                && line.contains(&format!("\"trace_id\":\"{trace}\""))),
            "no request line carries the trace id {trace}"
        );
    }

    // Nothing secret or personal in any span or resource attribute.
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("lgsp-hub:{CLIENT_SECRET}"),
    );
    let everything: Vec<String> = received
        .spans()
        .iter()
        .flat_map(|(span, resource)| {
            let events = span.events.iter().flat_map(|e| {
                std::iter::once(e.name.clone()).chain(
                    e.attributes
                        .iter()
                        .map(|kv| format!("{}={}", kv.key, text(kv.value.as_ref()))),
                )
            });
            std::iter::once(span.name.clone())
                .chain(
                    span.attributes
                        .iter()
                        .map(|kv| format!("{}={}", kv.key, text(kv.value.as_ref()))),
                )
                .chain(events)
                .chain(resource.iter().cloned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        everything.iter().any(|a| a.contains("upstream=population")),
        "the check reads attributes: {everything:?}"
    );
    for (what, secret) in [
        ("a caller's token", reader.as_str()),
        ("the JWT secret", TEST_SECRET),
        ("the access-log key", TEST_ACCESS_LOG_KEY),
        ("the cursor key", TEST_CURSOR_KEY),
        ("the upstream's client secret", CLIENT_SECRET),
        ("the upstream's Basic credentials", &basic),
        ("the personal number", &citizen),
    ] {
        if let Some(found) = everything.iter().find(|a| a.contains(secret)) {
            panic!("{what} shows in an exported span: {found}");
        }
    }
    drop(hub);
}
