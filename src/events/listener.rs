//! The PostgreSQL side of the fan-out: one dedicated connection LISTENs on the channel the audit trigger NOTIFYs
//! (`lgsp_hub_changes`), and every notification, from this process or another replica, drops the read cache and is
//! published to this process's subscribers.
//!
//! Notifications sent while the connection is down are lost (PostgreSQL does not queue them for a listener that is
//! gone), so after every reconnection the cache is dropped as well: reads are then fresh again, and subscribers miss
//! only the events of the outage.

use std::{future::Future, sync::Arc, time::Duration};

use sea_orm::{sqlx::postgres::PgListener, DbErr};

use super::{ChangeEvent, Events};
use crate::cache::ReadCache;

/// The channel of migration `m20261129_000006_change_notify`.
pub const CHANNEL: &str = "lgsp_hub_changes";

/// Waits between reconnection attempts, doubled after each failure up to the last.
const BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// A connected listener; [`ChangeListener::run`] serves it until told to stop.
pub struct ChangeListener {
    url: String,
    listener: PgListener,
    events: Events,
    cache: Arc<ReadCache>,
}

/// Opens a listening connection; on its own small pool, so it takes nothing from the request pool.
#[tracing::instrument(level = "debug", skip_all)]
async fn listen(url: &str) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

impl ChangeListener {
    /// Connects and LISTENs now, so that once the hub is ready no committed write goes unheard.
    #[tracing::instrument(skip_all)]
    pub async fn connect(
        url: &str,
        events: Events,
        cache: Arc<ReadCache>,
    ) -> Result<ChangeListener, DbErr> {
        let listener = listen(url)
            .await
            .map_err(|e| DbErr::Custom(format!("cannot listen for change notifications: {e}")))?;
        Ok(ChangeListener {
            url: url.to_owned(),
            listener,
            events,
            cache,
        })
    }

    /// Hands each notification on until `stop` resolves; reconnects (with backoff) when the connection fails. One span
    /// for the listener's life, so its warnings say where they come from.
    #[tracing::instrument(name = "change_listener", skip_all)]
    pub async fn run(mut self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        let mut backoff = BACKOFF;
        loop {
            tokio::select! {
                () = &mut stop => break,
                received = self.listener.try_recv() => match received {
                    Ok(Some(notification)) => {
                        backoff = BACKOFF;
                        self.deliver(notification.payload());
                    }
                    // sqlx has reconnected (and listens again); what was sent meanwhile is lost.
                    Ok(None) => {
                        tracing::warn!("change listener reconnected; notifications sent meanwhile are lost");
                        self.cache.invalidate();
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, retry_in_ms = backoff.as_millis() as u64, "change listener failed");
                        tokio::select! {
                            () = &mut stop => break,
                            () = tokio::time::sleep(backoff) => {}
                        }
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        match listen(&self.url).await {
                            Ok(listener) => {
                                tracing::info!("change listener connected again");
                                self.listener = listener;
                                self.cache.invalidate();
                            }
                            Err(err) => tracing::warn!(error = %err, "change listener cannot reconnect"),
                        }
                    }
                },
            }
        }
        tracing::debug!("change listener stopped");
    }

    fn deliver(&self, payload: &str) {
        // The cache goes first: a subscriber that reads on the event must see the write.
        self.cache.invalidate();
        match serde_json::from_str::<ChangeEvent>(payload) {
            Ok(event) => self.events.publish(event),
            Err(err) => tracing::warn!(error = %err, "ignored a malformed change notification"),
        }
    }
}
