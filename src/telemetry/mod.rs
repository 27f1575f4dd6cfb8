//! Telemetry: the metrics the hub exports at `GET /metrics` ([`metrics`]), the format of its log ([`logs`]) and its
//! traces over OTLP ([`traces`]).
//!
//! A leaf: it imports nothing else of the hub, so that every layer (the database pool, the upstream clients, the
//! access log, the HTTP face) can hold its handles.

pub mod logs;
pub mod metrics;
pub mod traces;

pub use metrics::Metrics;
