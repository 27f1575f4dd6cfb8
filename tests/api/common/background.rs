//! A runtime that outlives any one test. `#[tokio::test]` gives each test a runtime of its own, which ends with the
//! test and takes its tasks and sockets with it; what several tests use (the shared hub, the PostgreSQL template and
//! its connections) is started here instead.

use std::{future::Future, sync::OnceLock};

use tokio::runtime::{Builder, Handle, Runtime};

/// The process-wide runtime, started on first use and never shut down.
pub fn handle() -> &'static Handle {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("test-background")
                .enable_all()
                .build()
                .expect("the background runtime")
        })
        .handle()
}

/// Runs `future` on the background runtime and returns its output to the caller, on whatever runtime that is.
pub async fn run<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match handle().spawn(future).await {
        Ok(output) => output,
        // A panic in the background (a failed `expect` while building the template...) fails the calling test.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("background task: {e}"),
    }
}
