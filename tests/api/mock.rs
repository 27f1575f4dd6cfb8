//! The real `mock-upstreams` binary on a free port, for tests: spawn it with extra flags, read the address it prints,
//! and talk to it over HTTP. The process is killed when the handle is dropped.

use std::{
    io::{BufRead, BufReader},
    process::{Child, ChildStdout, Command, Stdio},
};

use serde_json::Value;

pub const ADMIN_KEY: &str = "dev-admin-key";

pub struct MockUpstreams {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    url: String,
    pub client: reqwest::Client,
}

impl MockUpstreams {
    /// Starts the binary with `--listen 127.0.0.1:0 --citizens 2000` followed by `args` (later flags win).
    pub fn spawn(args: &[&str]) -> MockUpstreams {
        Self::spawn_at("127.0.0.1:0", args)
    }

    /// As [`MockUpstreams::spawn`], listening on `addr` (a killed mock coming back on its port).
    pub fn spawn_at(addr: &str, args: &[&str]) -> MockUpstreams {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mock-upstreams"))
            .args(["--listen", addr, "--citizens", "2000"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("start mock-upstreams ({e}): it is built with the hub's default `mock-upstreams` feature")
            });
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read the first line");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        MockUpstreams {
            child,
            _stdout: stdout,
            url: format!("http://{addr}"),
            client: reqwest::Client::new(),
        }
    }

    /// `http://127.0.0.1:PORT`; service `svc` is at `<url>/<svc>`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// A fresh token of service `svc` with the default credentials.
    pub async fn token(&self, svc: &str) -> String {
        let r = self
            .client
            .post(format!("{}/{svc}/oauth/token", self.url))
            .basic_auth("lgsp-hub", Some(format!("dev-secret-{svc}")))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token request");
        assert_eq!(r.status(), 200, "token of {svc}");
        let body: Value = r.json().await.expect("token JSON");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// `GET <url>/<svc><path>` with `token` (if any): (status, JSON body).
    pub async fn get(&self, svc: &str, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.client.get(format!("{}/{svc}{path}", self.url));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let r = request.send().await.expect("GET");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// `POST <url>/<svc><path>` with a JSON body and `token`: (status, JSON body).
    pub async fn post(&self, svc: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}/{svc}{path}", self.url))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let mut request = self
            .client
            .request(method, format!("{}/admin{path}", self.url))
            .header("x-admin-key", ADMIN_KEY);
        if let Some(b) = body {
            request = request.json(b);
        }
        let r = request.send().await.expect("admin call");
        assert!(r.status().is_success(), "admin {path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    /// Partially updates service `svc`'s knobs; returns them after the change.
    pub async fn admin_put_knobs(&self, svc: &str, knobs: Value) -> Value {
        self.admin(reqwest::Method::PUT, &format!("/knobs/{svc}"), Some(&knobs))
            .await
    }

    /// Restores every service's start-up knobs.
    pub async fn admin_reset(&self) -> Value {
        self.admin(reqwest::Method::POST, "/reset", None).await
    }

    /// Identifiers that exist: `citizens`, `married`, `divorced`, `withParents`, `parcelOwners`, `enterpriseCodes`,
    /// `enterpriseBranchCodes`, `socialInsuranceCodes`, `parcelIds`, `judicialRequestIds` (lists of strings).
    pub async fn samples(&self) -> Value {
        self.admin(reqwest::Method::GET, "/samples", None).await
    }

    /// Forgets the recorded calls.
    pub async fn clear_calls(&self) {
        self.admin(reqwest::Method::DELETE, "/calls", None).await;
    }

    /// Data calls received and not answered yet.
    pub async fn in_flight(&self) -> u64 {
        let body = self.admin(reqwest::Method::GET, "/calls", None).await;
        body["inFlight"].as_u64().unwrap_or_default()
    }

    /// Stops the process at once (SIGKILL), as a crash would; [`MockUpstreams::spawn`] with `--listen` at
    /// [`MockUpstreams::addr`] brings it back.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }

    /// The recorded data calls, oldest first.
    pub async fn calls(&self) -> Vec<Value> {
        let body = self.admin(reqwest::Method::GET, "/calls", None).await;
        body["calls"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for MockUpstreams {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
