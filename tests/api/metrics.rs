//! `/metrics`: after queries, a refused document, an error, federation lookups (cached, logged, failing), the families
//! are there and their values moved; the exposition parses; the Grafana dashboard uses only names the hub exports.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::{
    common::{token, TestHub},
    federation::{hub_over, sample},
    mock::MockUpstreams,
};

const PURPOSE: &str = r#"{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }"#;

/// Every sample of an exposition: `name{labels}` → value.
fn samples(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("{l}"));
            (series.to_owned(), value.parse().unwrap_or(f64::NAN))
        })
        .collect()
}

fn value(text: &str, series: &str) -> Option<f64> {
    samples(text)
        .into_iter()
        .find_map(|(s, v)| (s == series).then_some(v))
}

async fn scrape(hub: &TestHub) -> String {
    let resp = hub
        .client
        .get(hub.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/plain; version=0.0.4")));
    resp.text().await.expect("metrics body")
}

#[tokio::test]
async fn requests_errors_sql_pools_upstreams_caches_and_the_access_log_are_counted() {
    let mock = MockUpstreams::spawn(&["--down", "judicial"]);
    let hub = hub_over(&mock, |u| {
        u.breaker_threshold = Some(1);
        u.breaker_cooldown_ms = Some(600_000);
        u.retries = Some(0);
    })
    .await;
    let before = scrape(&hub).await;
    let statements_before = value(&before, "lgsp_sql_statements_total").expect("SQL counter");

    for _ in 0..2 {
        hub.data("query Provinces { provinces { name } }", json!({}))
            .await;
    }
    let aliases: String = (0..31)
        .map(|i| format!("a{i}: provinces {{ code }} "))
        .collect();
    assert_eq!(
        hub.error_code(&format!("{{ {aliases} }}"), json!({})).await,
        "QUERY_TOO_COMPLEX"
    );
    assert_eq!(
        hub.error_code(
            r#"query Unknown { province(code: "99") { name } }"#,
            json!({})
        )
        .await,
        "NOT_FOUND"
    );
    let s = mock.samples().await;
    let reader = token(
        "000.00.00.H48",
        "upstream:population:read upstream:business:read upstream:judicial:read",
    );
    let enterprise = "query($e: String!) { enterprise(code: $e) { name } }";
    for _ in 0..2 {
        let (_, body) = hub
            .post_as(
                &reader,
                enterprise,
                json!({ "e": sample(&s, "enterpriseCodes") }),
            )
            .await;
        assert!(body["data"]["enterprise"]["name"].is_string(), "{body}");
    }
    let citizen = format!(
        "query($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }} }}"
    );
    let (_, body) = hub
        .post_as(&reader, &citizen, json!({ "p": sample(&s, "citizens") }))
        .await;
    assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
    let judicial = format!(
        "query($j: String!) {{ judicialRecordRequest(requestId: $j, purpose: {PURPOSE}) {{ status }} }}"
    );
    let (_, body) = hub
        .post_as(
            &reader,
            &judicial,
            json!({ "j": sample(&s, "judicialRequestIds") }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UPSTREAM_UNAVAILABLE",
        "{body}"
    );

    let text = scrape(&hub).await;
    let at =
        |series: &str| value(&text, series).unwrap_or_else(|| panic!("no {series} in\n{text}"));
    assert_eq!(
        at(r#"lgsp_graphql_requests_total{operation="Provinces",outcome="ok"}"#),
        2.0
    );
    assert_eq!(
        at(r#"lgsp_graphql_request_duration_seconds_count{operation="Provinces",outcome="ok"}"#),
        2.0
    );
    assert!(
        at(
            r#"lgsp_graphql_request_duration_seconds_bucket{operation="Provinces",outcome="ok",le="10"}"#
        ) == 2.0
    );
    assert_eq!(
        at(r#"lgsp_graphql_requests_total{operation="other",outcome="refused"}"#),
        1.0
    );
    assert_eq!(
        at(r#"lgsp_graphql_requests_total{operation="Unknown",outcome="error"}"#),
        1.0
    );
    assert_eq!(at(r#"lgsp_queries_refused_total{limit="aliases"}"#), 1.0);
    assert_eq!(
        at(r#"lgsp_graphql_errors_total{code="QUERY_TOO_COMPLEX"}"#),
        1.0
    );
    assert_eq!(at(r#"lgsp_graphql_errors_total{code="NOT_FOUND"}"#), 1.0);
    assert_eq!(
        at(r#"lgsp_graphql_errors_total{code="UPSTREAM_UNAVAILABLE"}"#),
        1.0
    );
    assert!(at("lgsp_sql_statements_total") > statements_before);
    assert!(at("lgsp_sql_statement_duration_seconds_count") > 0.0);
    assert_eq!(at(r#"lgsp_db_pool_max_connections{pool="main"}"#), 4.0);
    assert!(at(r#"lgsp_db_pool_connections{pool="main",state="idle"}"#) >= 0.0);
    assert!(at(r#"lgsp_cache_hits_total{cache="documents"}"#) >= 1.0);
    assert!(at(r#"lgsp_cache_misses_total{cache="documents"}"#) >= 1.0);
    // The second enterprise lookup came from the response cache.
    assert_eq!(
        at(r#"lgsp_upstream_calls_total{upstream="business",outcome="ok"}"#),
        1.0
    );
    assert_eq!(
        at(r#"lgsp_cache_hits_total{cache="upstream_responses"}"#),
        1.0
    );
    assert_eq!(
        at(r#"lgsp_upstream_calls_total{upstream="population",outcome="ok"}"#),
        1.0
    );
    assert_eq!(
        at(r#"lgsp_upstream_last_call_ok{upstream="population"}"#),
        1.0
    );
    assert_eq!(
        at(r#"lgsp_upstream_call_duration_seconds_count{upstream="population"}"#),
        1.0
    );
    assert_eq!(
        at(r#"lgsp_upstream_calls_total{upstream="judicial",outcome="bad_status"}"#),
        1.0
    );
    assert_eq!(
        at(r#"lgsp_upstream_attempt_failures_total{upstream="judicial"}"#),
        1.0
    );
    assert_eq!(
        at(r#"lgsp_upstream_last_call_ok{upstream="judicial"}"#),
        0.0
    );
    assert_eq!(
        at(r#"lgsp_upstream_circuit_state{upstream="judicial"}"#),
        2.0,
        "open"
    );
    assert_eq!(
        at(r#"lgsp_upstream_circuit_state{upstream="population"}"#),
        0.0,
        "closed"
    );
    assert!(at("lgsp_access_log_batch_size_count") >= 1.0);
    assert!(
        at("lgsp_access_log_batch_size_sum") >= 1.0,
        "the citizen's entry"
    );
    assert!(at("lgsp_access_log_commit_duration_seconds_count") >= 1.0);
    // Every lookup's wait for its entry, which a batch's commit time alone does not show.
    assert_eq!(
        at("lgsp_access_log_wait_seconds_count"),
        at("lgsp_access_log_batch_size_sum"),
        "one wait per entry"
    );
    // And per lookup, how long its ready answer was held back for the entry written beside the call.
    assert!(at("lgsp_access_log_held_answer_seconds_count") >= 1.0);
    assert_eq!(at("lgsp_access_log_write_failures_total"), 0.0);
    assert!(at("lgsp_document_cache_bytes") > 0.0);
    assert_eq!(at("lgsp_subscriptions"), 0.0);
    assert_eq!(
        at(&format!(
            r#"lgsp_build_info{{version="{}"}}"#,
            env!("CARGO_PKG_VERSION")
        )),
        1.0
    );
    // The query text and its variables are never labels.
    assert!(!text.contains("provinces {"), "{text}");
    assert!(!text.contains(&sample(&s, "citizens")), "{text}");
}

#[tokio::test]
async fn the_exposition_parses_line_by_line() {
    let hub = TestHub::start().await;
    hub.data("query Names { provinces { name } }", json!({}))
        .await;
    hub.post("{ nope }", json!({})).await;
    let text = scrape(&hub).await;
    let mut typed = BTreeSet::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{line}"));
            assert!(is_metric_name(name), "{line}");
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            typed.insert(name.to_owned());
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or_else(|| panic!("{line}"));
            assert!(is_metric_name(name) && !help.is_empty(), "{line}");
            continue;
        }
        let (series, number) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        assert!(
            number.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&number),
            "{line}"
        );
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => (
                name,
                labels.strip_suffix('}').unwrap_or_else(|| panic!("{line}")),
            ),
            None => (series, ""),
        };
        assert!(is_metric_name(name), "{line}");
        assert!(labels_parse(labels), "{line}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| typed.contains(*f)))
            .unwrap_or(name);
        assert!(typed.contains(family), "{name} has no # TYPE before it");
    }
    assert!(typed.contains("lgsp_graphql_requests_total"), "{text}");
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `key="value",key="value"` with escaped quotes and backslashes.
fn labels_parse(mut labels: &str) -> bool {
    while !labels.is_empty() {
        let Some((key, rest)) = labels.split_once("=\"") else {
            return false;
        };
        if !is_metric_name(key) {
            return false;
        }
        let mut end = None;
        let mut escaped = false;
        for (i, c) in rest.char_indices() {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else { return false };
        labels = &rest[end + 1..];
        labels = labels.strip_prefix(',').unwrap_or(labels);
    }
    true
}

/// Every `lgsp_…` name in the dashboard's queries is a family the hub exports (a histogram's `_bucket`, `_sum` and
/// `_count` included), and the dashboard is valid JSON with panels.
#[test]
fn the_grafana_dashboard_uses_only_exported_names() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docker/grafana/lgsp-hub.json");
    let text = std::fs::read_to_string(path).expect("docker/grafana/lgsp-hub.json");
    let dashboard: Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(panels.len() >= 8, "{} panels", panels.len());
    let exported: BTreeSet<String> = lgsp_hub::telemetry::metrics::FAMILIES
        .iter()
        .flat_map(|f| {
            let mut names = vec![f.name.to_owned()];
            if f.kind == lgsp_hub::telemetry::metrics::Kind::Histogram {
                names.extend(["_bucket", "_sum", "_count"].map(|s| format!("{}{s}", f.name)));
            }
            names
        })
        .collect();
    let mut used = BTreeSet::new();
    for panel in panels {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().unwrap_or_default();
            let mut rest = expr;
            while let Some(at) = rest.find("lgsp_") {
                let name: String = rest[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                rest = &rest[at + name.len()..];
                used.insert(name);
            }
        }
    }
    let unknown: Vec<_> = used.difference(&exported).collect();
    assert!(
        unknown.is_empty(),
        "the dashboard queries unknown metrics: {unknown:?}"
    );
    for family in [
        "lgsp_graphql_requests_total",
        "lgsp_graphql_request_duration_seconds_bucket",
        "lgsp_upstream_circuit_state",
        "lgsp_db_pool_connections",
        "lgsp_access_log_commit_duration_seconds_bucket",
    ] {
        assert!(
            used.contains(family),
            "the dashboard has no panel on {family}"
        );
    }
}
