//! The recorder: every family described and rendered under its type, histograms with buckets, operation labels bounded.

use super::*;

/// The value of the series `series` (name and labels as rendered) in `text`.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn every_family_renders_under_its_type_and_help() {
    let metrics = Metrics::new();
    let operation = metrics.operation(Some("Provinces"));
    metrics.graphql_request(&operation, Outcome::Ok, 0.002);
    metrics.graphql_error("NOT_FOUND");
    metrics.query_refused("depth");
    metrics.request_shed(ShedReason::Heavy);
    let limits = metrics.rate_limit(true);
    limits.limited(true);
    limits.fallback();
    limits.redis_up(true);
    metrics.sql().statement(0.0001, true);
    metrics.pool("main", 3, 1, 8);
    let upstream = metrics.upstream("population");
    upstream.call(UpstreamOutcome::Timeout, 1.5);
    upstream.attempt_failed();
    upstream.circuit(Circuit::Open);
    upstream.probe(true);
    metrics.access_log().batch(17, 0.003, false);
    metrics.cache("documents").hit();
    metrics.document_cache_bytes(4096);
    metrics.response_cache_bytes(8192);
    metrics.response_cache_evictions().increment(1);
    metrics.subscriptions(2);
    metrics.readiness_check("database", true);
    let text = metrics.render();
    for family in FAMILIES {
        let kind = match family.kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        assert!(
            text.contains(&format!("# TYPE {} {kind}\n", family.name)),
            "{} is not rendered as a {kind}:\n{text}",
            family.name
        );
        assert!(
            text.contains(&format!("# HELP {} ", family.name)),
            "{} has no help",
            family.name
        );
    }
    assert_eq!(
        value(
            &text,
            r#"lgsp_graphql_requests_total{operation="Provinces",outcome="ok"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &text,
            r#"lgsp_upstream_call_duration_seconds_bucket{upstream="population",le="2.5"}"#
        ),
        Some(1.0),
        "the seconds histograms have the explicit buckets"
    );
    assert_eq!(
        value(&text, r#"lgsp_access_log_batch_size_bucket{le="20"}"#),
        Some(1.0)
    );
    assert_eq!(
        value(
            &text,
            r#"lgsp_upstream_circuit_state{upstream="population"}"#
        ),
        Some(2.0)
    );
    assert_eq!(
        value(
            &text,
            r#"lgsp_db_pool_connections{pool="main",state="in_use"}"#
        ),
        Some(2.0)
    );
}

#[test]
fn upstream_health_gauges_appear_only_once_known() {
    let metrics = Metrics::new();
    let upstream = metrics.upstream("land");
    upstream.call(UpstreamOutcome::CircuitOpen, 0.0);
    let text = metrics.render();
    assert!(!text.contains("lgsp_upstream_last_call_ok{"), "{text}");
    assert!(!text.contains("lgsp_upstream_probe_ok{"), "{text}");
    upstream.call(UpstreamOutcome::Unreachable, 0.01);
    assert_eq!(
        value(
            &metrics.render(),
            r#"lgsp_upstream_last_call_ok{upstream="land"}"#
        ),
        Some(0.0)
    );
}

#[test]
fn operation_names_are_bounded() {
    let metrics = Metrics::new();
    for i in 0..(requests::MAX_OPERATIONS + 50) {
        let label = metrics.operation(Some(&format!("Op{i}")));
        metrics.graphql_request(&label, Outcome::Ok, 0.001);
    }
    assert_eq!(metrics.operation(None).as_str(), "anonymous");
    assert_eq!(metrics.operation(Some(&"x".repeat(500))).as_str(), "other");
    assert_eq!(
        metrics.operation(Some("Op0")).as_str(),
        "Op0",
        "known names stay"
    );
    let text = metrics.render();
    let series = text
        .lines()
        .filter(|l| l.starts_with("lgsp_graphql_requests_total{"))
        .count();
    assert_eq!(
        series,
        requests::MAX_OPERATIONS + 1,
        "the bound, then `other`"
    );
    assert_eq!(
        value(
            &text,
            r#"lgsp_graphql_requests_total{operation="other",outcome="ok"}"#
        ),
        Some(50.0)
    );
}
