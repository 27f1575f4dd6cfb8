//! The real `lgsp-hub serve` as a child process: a second replica beside an in-process hub.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use super::{TEST_ACCESS_LOG_KEY, TEST_CURSOR_KEY, TEST_SECRET};

/// How long a child hub may take to start.
const PATIENCE: Duration = Duration::from_secs(30);

/// The real `lgsp-hub serve`, killed on drop.
pub struct HubProcess {
    child: Child,
    pub base: String,
    _data: tempfile::TempDir,
}

impl HubProcess {
    /// Starts `serve` over `database_url` with the test keys, in production mode, with `env` on top, and waits until
    /// it is ready.
    pub async fn start(database_url: &str, env: &[(&str, String)]) -> HubProcess {
        let data = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
            .args(["--listen", "127.0.0.1:0", "serve"])
            .env_remove("LGSP_CONFIG")
            .env("LGSP_DATABASE_URL", database_url)
            .env("LGSP_JWT_SECRET", TEST_SECRET)
            .env("LGSP_ACCESS_LOG_KEY", TEST_ACCESS_LOG_KEY)
            .env("LGSP_CURSOR_KEY", TEST_CURSOR_KEY)
            .env("LGSP_PRODUCTION", "true")
            .env("LGSP_DATA_DIR", data.path())
            .env("LGSP_DB_MAX_CONNECTIONS", "4")
            .env("LGSP_LOG", "info")
            .env("NO_COLOR", "1")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lgsp-hub");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        // Reads the log to its end, so the child never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("GraphQL at http://") {
                    let rest = &line[at + "GraphQL at ".len()..];
                    let _ = tx.send(rest.split("/graphql").next().unwrap_or_default().to_owned());
                }
            }
        });
        let base = tokio::task::spawn_blocking(move || rx.recv_timeout(PATIENCE))
            .await
            .expect("join")
            .expect("the second hub did not say where it listens");
        let hub = HubProcess {
            child,
            base,
            _data: data,
        };
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let ready = client.get(format!("{}/readyz", hub.base)).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return hub;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the second hub is not ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `serve` process started by a test itself, killed on drop (a failed assertion leaves no hub behind).
pub struct Serving(pub Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits for the line in which a `serve` process writing its log to `stderr` says where it listens; its base URL.
pub async fn listening(stderr: &std::path::Path) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let log = std::fs::read_to_string(stderr).unwrap_or_default();
        if let Some(at) = log.find("GraphQL at http://") {
            let rest = &log[at + "GraphQL at ".len()..];
            return rest.split("/graphql").next().unwrap_or_default().to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no listening line in the log:\n{}",
            log.chars().rev().take(4000).collect::<String>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
