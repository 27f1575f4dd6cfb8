//! Markers that responses carry in their extensions, set where a response is built and read on its way out: by the
//! admission middleware (`protect.rs`: the refusal pause) and by the request metrics (`observe.rs`).

/// Marks a response as a refusal of a request that never ran, which the admission middleware (`admit`, protect.rs)
/// answers no sooner than the configured refusal pause after the request came. 4xx statuses count as refusals without
/// it; this marks the ones the `application/json` media type answers with `200`.
#[derive(Clone, Copy)]
pub(super) struct Refusal;

/// The `extensions.code` of every error a response carries.
#[derive(Clone, Default)]
pub(super) struct ErrorCodes(pub Vec<&'static str>);

/// Marks a request shed at the concurrency limit (any other 503 of `/graphql` is a heavy query shed).
#[derive(Clone, Copy)]
pub(super) struct ShedAtConcurrency;
