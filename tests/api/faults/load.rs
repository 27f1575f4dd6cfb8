//! A load of the fault tests: a few clients sending one kind of request in a loop until told to stop, each answer
//! recorded (with the time it came, relative to the start) for the test to judge.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use serde_json::Value;

/// One answer: its HTTP status (0: no answer at all) and body, and the client's sequence number of the request.
#[derive(Clone, Debug)]
pub struct Answer {
    pub client: usize,
    pub seq: usize,
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// The `extensions.code` of every error.
    pub fn codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        e["extensions"]["code"]
                            .as_str()
                            .unwrap_or("<no code>")
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Clients in a loop, and what they got.
pub struct Load {
    stop: Arc<AtomicBool>,
    answers: Arc<Mutex<Vec<Answer>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    /// `clients` loops, each building its `seq`-th request with `request(client, seq)`, until [`Load::stop`].
    pub fn start(
        clients: usize,
        request: impl Fn(&reqwest::Client, usize, usize) -> reqwest::RequestBuilder
            + Send
            + Sync
            + 'static,
    ) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let answers = Arc::new(Mutex::new(Vec::new()));
        let request = Arc::new(request);
        let tasks = (0..clients)
            .map(|client| {
                let (stop, answers, request) = (stop.clone(), answers.clone(), request.clone());
                tokio::spawn(async move {
                    let http = reqwest::Client::builder()
                        .timeout(Duration::from_secs(30))
                        .build()
                        .expect("client");
                    let mut seq = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let (status, body) = match request(&http, client, seq).send().await {
                            Ok(r) => {
                                let status = r.status().as_u16();
                                (status, r.json::<Value>().await.unwrap_or(Value::Null))
                            }
                            Err(_) => {
                                // No answer (the hub or the proxy is gone): do not spin.
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                (0, Value::Null)
                            }
                        };
                        if let Ok(mut a) = answers.lock() {
                            a.push(Answer {
                                client,
                                seq,
                                status,
                                body,
                            });
                        }
                        seq += 1;
                    }
                })
            })
            .collect();
        Load {
            stop,
            answers,
            tasks,
        }
    }

    /// The answers so far.
    pub fn answers(&self) -> Vec<Answer> {
        self.answers.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// Waits until `enough` holds of the answers so far (at most `patience`, else fails with `what`).
    pub async fn until(&self, what: &str, patience: Duration, enough: impl Fn(&[Answer]) -> bool) {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            if enough(&self.answers()) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: not within {patience:?}; last answers: {:?}",
                self.answers().iter().rev().take(3).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the clients (each finishes its request) and returns every answer.
    pub async fn stop(mut self) -> Vec<Answer> {
        self.stop.store(true, Ordering::Relaxed);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
        self.answers()
    }
}
