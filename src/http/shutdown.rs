//! Shutdown as the HTTP face sees it. HTTP requests in flight are drained by the server itself (it stops accepting and
//! waits for them); a websocket, once upgraded, is no longer the server's, so each one watches [`Shutdown`] and closes
//! itself with 1001 (going away) when the drain begins, and the server waits for them to have said so.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use tokio::sync::watch;

/// The drain's signal, and the websockets still open.
#[derive(Clone)]
pub struct Shutdown {
    begun: Arc<watch::Sender<bool>>,
    sockets: Arc<AtomicUsize>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown {
            begun: Arc::new(watch::channel(false).0),
            sockets: Arc::default(),
        }
    }
}

impl Shutdown {
    /// The drain begins: every websocket closes.
    pub fn begin(&self) {
        self.begun.send_replace(true);
    }

    /// Resolves once the drain has begun.
    pub async fn begun(&self) {
        let mut begun = self.begun.subscribe();
        // An error means the sender is gone, which it cannot be while `self` holds it.
        let _ = begun.wait_for(|b| *b).await;
    }

    /// Counts an open websocket until the guard is dropped.
    pub fn socket(&self) -> OpenSocket {
        self.sockets.fetch_add(1, Ordering::Relaxed);
        OpenSocket(self.sockets.clone())
    }

    /// Websockets still open.
    pub fn open_sockets(&self) -> usize {
        self.sockets.load(Ordering::Relaxed)
    }

    /// Waits until every websocket has closed, at most `patience`.
    pub async fn sockets_closed(&self, patience: Duration) {
        let deadline = tokio::time::Instant::now() + patience;
        while self.open_sockets() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// One open websocket, counted while it lives.
pub struct OpenSocket(Arc<AtomicUsize>);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
