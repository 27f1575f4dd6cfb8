//! The log: `tracing` events to stderr, filtered by `LGSP_LOG`, as human-readable text (the default) or as one JSON
//! object per line (`log_format = "json"`) for a log pipeline. In JSON each line holds `timestamp`, `level`, `target`,
//! the event's fields at the top level, the span it happened in (`span`) and every span around it (`spans`, outermost
//! first: the request's method, path and request id, then e.g. an upstream call's name and route); the request log
//! line (`http::observe`) adds status, duration, operation and agency.
//!
//! What goes in is decided where events are written: spans and events record names, routes, codes and counts, never a
//! token, a secret, a body or a personal identifier (tested by reading a trace-level JSON log for each).

use serde::Deserialize;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the process's log subscriber: `LGSP_LOG` as the filter (default `info`), `format` as the output, and the
/// spans exported to `traces` when it is given (through the same filter: what is not logged is not traced either).
pub fn init(format: LogFormat, traces: Option<&super::traces::Exporter>) {
    use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt, Layer};
    let filter = EnvFilter::try_from_env("LGSP_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = match format {
        LogFormat::Text => fmt.boxed(),
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            // Every enclosing span, so that an event deep in a request (an SQL statement, an upstream attempt)
            // still carries the request's id (and its trace id, when traces are exported).
            .with_span_list(true)
            .boxed(),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(traces.map(super::traces::Exporter::layer))
        .init();
}
