//! The `serve` process: a fresh database is migrated and seeded by itself, the log says where the hub listens and
//! which database it uses, SIGTERM stops it cleanly, and no secret shows in its output.

use std::{
    io::{BufRead, BufReader, Read, Write},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::common::process::{listening, Serving};

#[test]
fn serve_logs_its_address_and_database_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("hub.sqlite").display()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
        .args(["--listen", "127.0.0.1:0", "serve"])
        .env("LGSP_DATABASE_URL", &url)
        .env("LGSP_DATA_DIR", dir.path())
        .env("LGSP_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lgsp-hub");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut log = String::new();
    let mut base = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    while base.is_none() && Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        log.push_str(&line);
        log.push('\n');
        if let Some(at) = line.find("GraphQL at http://") {
            let rest = &line[at + "GraphQL at ".len()..];
            base = rest.split("/graphql").next().map(str::to_owned);
        }
    }
    let base = base.unwrap_or_else(|| panic!("no listening line in the log:\n{log}"));
    assert!(
        log.contains("hub.sqlite"),
        "the log does not name the database:\n{log}"
    );
    assert!(
        log.contains("seeded the registries"),
        "a fresh database was not seeded:\n{log}"
    );
    // Nothing configured: the built-in mocks serve, or (built without them) the log says there are none.
    let zero_set_up = if cfg!(feature = "mock-upstreams") {
        "serving the built-in mocks"
    } else {
        "the built-in mocks are not compiled in"
    };
    assert!(
        log.contains(zero_set_up),
        "the log does not say where lookups go:\n{log}"
    );

    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .write_all(
            format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the hub did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "exit status {status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
}

/// Every secret configured (by variable, by file, for an upstream), the log at trace level, and requests that walk
/// pages, forge a cursor, fail a token and federate a lookup over HTTP: no secret shows anywhere in stdout or stderr.
#[tokio::test]
async fn no_secret_shows_in_the_output_even_at_trace_level() {
    use base64::{engine::general_purpose::STANDARD, Engine};
    use serde_json::{json, Value};

    const ACCESS_LOG_KEY: &str = "access-log-key-that-must-never-be-logged-01";
    const CURSOR_KEY: &str = "cursor-key-that-must-never-be-logged-000002";
    const CLIENT_SECRET: &str = "client-secret-that-must-never-be-logged-03";
    let jwt_secret = crate::common::TEST_SECRET;
    let mock = crate::mock::MockUpstreams::spawn(&[
        "--client-secret",
        &format!("population={CLIENT_SECRET}"),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "access_log_key = \"{ACCESS_LOG_KEY}\"\n\n[upstream.population]\nbase_url = \"{}/population\"\nclient_secret = \"{CLIENT_SECRET}\"\n",
            mock.url()
        ),
    )
    .expect("write config");
    let (stdout, stderr) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let file = |path: &std::path::Path| std::fs::File::create(path).expect("log file");
    let hub = Serving(
        Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
            .args(["--listen", "127.0.0.1:0", "serve"])
            .env("LGSP_CONFIG", &config)
            .env(
                "LGSP_DATABASE_URL",
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("hub.sqlite").display()
                ),
            )
            .env("LGSP_DATA_DIR", dir.path())
            .env("LGSP_PRODUCTION", "true")
            // The demonstration grants of the zero set-up, which production leaves out, let the lookups through.
            .env("LGSP_DEMO_GRANTS", "true")
            .env("LGSP_JWT_SECRET", jwt_secret)
            .env("LGSP_CURSOR_KEY", CURSOR_KEY)
            .env("LGSP_LOG", "trace")
            .env("NO_COLOR", "1")
            .stdout(file(&stdout))
            .stderr(file(&stderr))
            .spawn()
            .expect("start lgsp-hub"),
    );
    let base = listening(&stderr).await;

    let client = reqwest::Client::new();
    let post = |token: Option<String>, query: String, variables: Value| {
        let mut request = client
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        async move {
            request
                .send()
                .await
                .expect("request")
                .json::<Value>()
                .await
                .expect("JSON")
        }
    };
    let first = post(
        None,
        "{ agencies(first: 2) { pageInfo { endCursor } } }".into(),
        json!({}),
    )
    .await;
    let cursor = first["data"]["agencies"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let next = "query($c: String) { agencies(first: 2, after: $c) { edges { node { code } } } }";
    let page = post(None, next.into(), json!({ "c": cursor })).await;
    assert!(page["errors"].is_null(), "{page}");
    let forged = post(None, next.into(), json!({ "c": format!("{cursor}A") })).await;
    assert_eq!(forged["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let reader = crate::common::token("000.00.00.H48", "upstream:population:read");
    let samples = mock.samples().await;
    let citizen = samples["citizens"][0].as_str().expect("a sample citizen");
    let lookup = r#"query($p: String!) { citizen(personalId: $p,
        purpose: { basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }) { fullName } }"#;
    let found = post(Some(reader.clone()), lookup.into(), json!({ "p": citizen })).await;
    assert!(found["data"]["citizen"]["fullName"].is_string(), "{found}");
    let refused = post(
        Some(format!("{reader}x")),
        lookup.into(),
        json!({ "p": citizen }),
    )
    .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &hub.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let mut hub = hub;
    let deadline = Instant::now() + Duration::from_secs(30);
    while hub.0.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "the hub did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let output = std::fs::read_to_string(&stdout).expect("stdout")
        + &std::fs::read_to_string(&stderr).expect("stderr");
    assert!(
        output.contains("TRACE") && output.contains("upstream=population"),
        "the log does not show trace lines and the upstream call: {} bytes",
        output.len()
    );
    let basic = STANDARD.encode(format!("lgsp-hub:{CLIENT_SECRET}"));
    for (what, secret) in [
        ("the JWT secret", jwt_secret),
        ("the access-log key", ACCESS_LOG_KEY),
        ("the cursor key", CURSOR_KEY),
        ("the upstream's client secret", CLIENT_SECRET),
        ("the upstream's Basic credentials", &basic),
        ("a caller's token", &reader),
    ] {
        if let Some(at) = output.find(secret) {
            let from = output[..at].rfind('\n').map_or(0, |n| n + 1);
            let to = output[at..].find('\n').map_or(output.len(), |n| at + n);
            panic!("{what} shows in the output: {}", &output[from..to]);
        }
    }
}
