//! The signals that stop the server: SIGINT and SIGTERM (Ctrl-C elsewhere).

use std::future::Future;

/// Resolves on SIGINT or SIGTERM. The handlers are installed by this call, not when the future is first polled: `run`
/// polls it on a task of its own, possibly after the first requests, and until then a SIGTERM would kill the process
/// without draining it. Call it before saying that the hub listens.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (mut interrupt, mut terminate) = {
        use tokio::signal::unix::{signal, SignalKind};
        let listen = |kind: SignalKind, name: &'static str| {
            signal(kind)
                .inspect_err(|err| tracing::warn!(error = %err, signal = name, "cannot listen for the signal"))
                .ok()
        };
        (
            listen(SignalKind::interrupt(), "SIGINT"),
            listen(SignalKind::terminate(), "SIGTERM"),
        )
    };
    async move {
        #[cfg(unix)]
        {
            tokio::select! {
                () = received(interrupt.as_mut()) => {},
                () = received(terminate.as_mut()) => {},
            }
        }
        #[cfg(not(unix))]
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: draining in-flight requests");
    }
}

/// Resolves when `signal` is received; never when it could not be listened for.
#[cfg(unix)]
async fn received(signal: Option<&mut tokio::signal::unix::Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}
