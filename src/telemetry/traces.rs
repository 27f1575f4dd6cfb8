//! Traces: the hub's `tracing` spans exported as OpenTelemetry spans over OTLP/HTTP (protobuf) when `otlp_endpoint`
//! is set, and the W3C trace context (`traceparent`) carried across the hub: a caller's `traceparent` makes the
//! request span its child ([`adopt`]), and every upstream call sends the current span's (`inject`), so one trace runs
//! from a provincial app through the hub into a national database's logs.
//!
//! What a span holds is decided where it is written (names, routes, purposes, counts; never a path, body, token or
//! identifier), so the exporter adds nothing to filter. Without an endpoint no OpenTelemetry layer is installed: a
//! caller's `traceparent` is then neither followed nor passed on, and spans cost what they cost before.

use axum::http;
use opentelemetry::{
    propagation::{Extractor, Injector, TextMapPropagator},
    trace::{TraceContextExt, TracerProvider as _},
    KeyValue,
};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::{propagation::TraceContextPropagator, trace::SdkTracerProvider, Resource};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The path of the OTLP/HTTP traces endpoint under a collector's base URL.
const TRACES_PATH: &str = "/v1/traces";

/// The URL spans are posted to: `endpoint` as given when it already names the traces path, else the path appended
/// (the convention of `OTEL_EXPORTER_OTLP_ENDPOINT`: `http://collector:4318` → `http://collector:4318/v1/traces`).
pub fn traces_url(endpoint: &str) -> String {
    let endpoint = endpoint.trim_end_matches('/');
    if endpoint.ends_with(TRACES_PATH) {
        endpoint.to_owned()
    } else {
        format!("{endpoint}{TRACES_PATH}")
    }
}

/// The exporting side: flushes the spans still batched when dropped (at the end of `main`).
pub struct Exporter {
    provider: SdkTracerProvider,
}

impl Exporter {
    /// A batching exporter to the collector at `endpoint`, naming this process `service` with `instance` (its
    /// listen address, so that two replicas' spans can be told apart).
    pub fn new(endpoint: &str, service: &str, instance: &str) -> Result<Exporter, String> {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(traces_url(endpoint))
            .build()
            .map_err(|e| format!("OTLP exporter: {e}"))?;
        let resource = Resource::builder_empty()
            .with_service_name(service.to_owned())
            .with_attribute(KeyValue::new("service.instance.id", instance.to_owned()))
            .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
            .build();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build();
        Ok(Exporter { provider })
    }

    /// The `tracing` layer that turns spans into OpenTelemetry spans of this exporter.
    pub fn layer<S>(&self) -> impl tracing_subscriber::Layer<S>
    where
        S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
    {
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer("lgsp-hub"))
            // Source locations and thread names say nothing an operator needs, and cost bytes per span.
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        if let Err(e) = self.provider.shutdown() {
            eprintln!("traces: the last spans were not exported: {e}");
        }
    }
}

/// Makes `span` (a request's) the child of the trace context the caller sent in `headers`, if any, and records its
/// trace id in the span's `trace_id` field, so that every log line of the request carries it. Without an
/// OpenTelemetry layer this does nothing.
pub fn adopt(span: &tracing::Span, headers: &http::HeaderMap) {
    let parent = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    if parent.span().span_context().is_valid() {
        // Fails only when no OpenTelemetry layer is installed: nothing to adopt into then.
        let _ = span.set_parent(parent);
    }
    let context = span.context();
    let span_context = context.span().span_context().clone();
    if span_context.is_valid() {
        span.record("trace_id", tracing::field::display(span_context.trace_id()));
    }
}

/// The trace context of the current span as W3C headers (`traceparent`, and `tracestate` when there is one), added
/// to `headers` of an outgoing request; nothing when no trace is being recorded.
pub fn inject(headers: &mut http::HeaderMap) {
    let context = tracing::Span::current().context();
    if context.span().span_context().is_valid() {
        TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(headers));
    }
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

struct HeaderInjector<'a>(&'a mut http::HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(key.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn the_traces_path_is_added_once() {
        assert_eq!(
            traces_url("http://collector:4318"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://collector:4318/"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://collector:4318/v1/traces"),
            "http://collector:4318/v1/traces"
        );
    }
}
