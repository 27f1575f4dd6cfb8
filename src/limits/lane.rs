//! The heavy lane: one OS thread with a runtime of its own where admitted heavy queries run, at the lowest CPU
//! priority (nice 19): when the cores are busy, cheap requests go first and a heavy query gets what they leave; on an
//! idle machine it runs at full speed.

use std::future::Future;

use tokio::{runtime::Handle, sync::oneshot, task::JoinHandle};

pub struct HeavyLane {
    handle: Option<Handle>,
    /// Dropping it ends the lane's thread.
    _stop: oneshot::Sender<()>,
}

impl HeavyLane {
    /// Starts the thread; without it (the OS refused a thread) heavy queries are shed.
    pub fn start() -> HeavyLane {
        let (stop, stopped) = oneshot::channel::<()>();
        let (ready, handle) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("heavy-queries".into())
            .spawn(move || {
                if let Err(err) = thread_priority::set_current_thread_priority(
                    thread_priority::ThreadPriority::Min,
                ) {
                    tracing::warn!(error = ?err, "heavy queries run at normal CPU priority");
                }
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                let _ = ready.send(runtime.handle().clone());
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            });
        let handle = spawned.ok().and_then(|_| handle.recv().ok());
        if handle.is_none() {
            tracing::error!("cannot start the heavy-query thread: heavy queries will be shed");
        }
        HeavyLane {
            handle,
            _stop: stop,
        }
    }

    /// Runs `query` on the lane; `None` when the lane is gone.
    pub async fn run<F, T>(&self, query: F) -> Option<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let mut task = AbortOnDrop(self.handle.as_ref()?.spawn(query));
        (&mut task.0).await.ok()
    }
}

/// Aborts the task when the waiting request is dropped, so a cancelled request leaves no query running.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Response;

    use super::*;

    #[tokio::test]
    async fn queries_run_on_the_lane_and_stop_when_abandoned() {
        let lane = HeavyLane::start();
        let answer = lane
            .run(async { Response::new(async_graphql::Value::from("done")) })
            .await
            .expect("the lane runs");
        assert_eq!(answer.data, async_graphql::Value::from("done"));
        let thread = lane
            .run(async {
                let name = std::thread::current().name().unwrap_or_default().to_owned();
                Response::new(async_graphql::Value::from(name))
            })
            .await
            .expect("the lane runs");
        assert_eq!(thread.data, async_graphql::Value::from("heavy-queries"));
        #[cfg(target_os = "linux")]
        {
            let nice = lane
                .run(async {
                    // Field 19 of /proc/<pid>/task/<tid>/stat, counted after the parenthesised thread name.
                    let stat =
                        std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
                    let after_name = stat.rsplit(')').next().unwrap_or_default();
                    let nice = after_name.split_whitespace().nth(16).unwrap_or_default();
                    Response::new(async_graphql::Value::from(nice))
                })
                .await
                .expect("the lane runs");
            assert_eq!(
                nice.data,
                async_graphql::Value::from("19"),
                "the lane's niceness"
            );
        }
        let (tx, rx) = oneshot::channel::<()>();
        let abandoned = lane.run(async move {
            let _keep = tx;
            std::future::pending::<Response>().await
        });
        let _ = tokio::time::timeout(std::time::Duration::from_millis(20), abandoned).await;
        // The abandoned query was aborted: its end of the channel is dropped.
        assert!(rx.await.is_err());
    }
}
