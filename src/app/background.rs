//! Work that runs beside the server for as long as it serves.

use crate::telemetry::Metrics;

/// A task that ends when its handle is dropped: background work that lives as long as the server, whichever way
/// `App::run` ends (returned, or its future dropped).
pub(super) struct AbortOnDrop(pub(super) tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Every few seconds, moves recorded histogram samples into their buckets, so that memory stays bounded without
/// scrapes.
pub(super) async fn upkeep(metrics: Metrics) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        metrics.run_upkeep();
    }
}
