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

/// SIGTERM under load: lookups in flight (the mock holds each for a second and a half) finish with their data, a new
/// connection is refused, a websocket gets a close frame (1001, going away), and a lookup held longer than the drain
/// timeout does not keep the process: it exits, cleanly, once the drain timeout has passed.
#[tokio::test]
async fn sigterm_under_load_drains_in_flight_refuses_new_closes_websockets_and_exits_by_the_drain_timeout(
) {
    use serde_json::{json, Value};

    use crate::subscriptions::{client::Client, CHANGED};

    let mock = crate::mock::MockUpstreams::spawn(&[]);
    mock.admin_put_knobs("population", json!({ "latencyMs": 1500 }))
        .await;
    // Far longer than the drain timeout: this lookup is still running when the hub gives up waiting.
    mock.admin_put_knobs("land", json!({ "latencyMs": 120000 }))
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut toml = String::new();
    for service in lgsp_hub::upstream::SERVICES {
        toml += &format!(
            "[upstream.{0}]\nbase_url = \"{1}/{0}\"\nclient_secret = \"{2}\"\ntimeout_ms = 300000\nretries = 0\n\n",
            service.name,
            mock.url(),
            lgsp_hub::upstream::dev_secret(service.name)
        );
    }
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, toml).expect("write config");
    let stderr = dir.path().join("stderr");
    let mut hub = Serving(
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
            .env("LGSP_JWT_SECRET", crate::common::TEST_SECRET)
            .env("LGSP_ACCESS_LOG_KEY", crate::common::TEST_ACCESS_LOG_KEY)
            .env("LGSP_CURSOR_KEY", crate::common::TEST_CURSOR_KEY)
            .env("LGSP_REQUEST_TIMEOUT_MS", "300000")
            .env("LGSP_DRAIN_TIMEOUT_MS", "4000")
            // Production makes no demonstration grants; the lookups below need one.
            .env("LGSP_DEMO_GRANTS", "true")
            // Production's per-agency limit would refuse a burst of twenty lookups.
            .env("LGSP_RATE_LIMIT_AGENCY_PER_MINUTE", "0")
            .env("LGSP_HEALTH_INTERVAL_MS", "0")
            .env("LGSP_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(std::fs::File::create(&stderr).expect("log file"))
            .spawn()
            .expect("start lgsp-hub"),
    );
    let base = listening(&stderr).await;
    let reader = crate::common::token(
        "000.00.00.H48",
        "catalog:read upstream:population:read upstream:land:read",
    );
    let mut ws = Client::ready(
        &base,
        "graphql-transport-ws",
        json!({ "Authorization": format!("Bearer {reader}") }),
    )
    .await;
    ws.subscribe("all", CHANGED, json!({})).await;
    crate::subscriptions::client::wait_for_subscriptions(&base, 1).await;

    let samples = mock.samples().await;
    let purpose = r#"{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }"#;
    let lookup = |query: String, variables: Value| {
        let request = reqwest::Client::new()
            .post(format!("{base}/graphql"))
            .bearer_auth(&reader)
            .json(&json!({ "query": query, "variables": variables }));
        tokio::spawn(async move {
            let response = request.send().await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let body: Value = response.json().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((status, body))
        })
    };
    let citizens = samples["citizens"].as_array().cloned().unwrap_or_default();
    assert!(!citizens.is_empty(), "{samples}");
    let citizens: Vec<_> = (0..20)
        .map(|i| {
            lookup(
                format!("query($p: String!) {{ citizen(personalId: $p, purpose: {purpose}) {{ fullName }} }}"),
                json!({ "p": citizens[i % citizens.len()] }),
            )
        })
        .collect();
    let held = lookup(
        format!("query($o: String!) {{ landParcels(ownerPersonalId: $o, purpose: {purpose}) {{ parcelId }} }}"),
        json!({ "o": samples["parcelOwners"][0] }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while mock.in_flight().await < 21 {
        assert!(
            Instant::now() < deadline,
            "the lookups did not reach the mock: {} in flight, {} answered",
            mock.in_flight().await,
            citizens.iter().filter(|t| t.is_finished()).count()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let killed = Command::new("kill")
        .args(["-TERM", &hub.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    // New connections are refused once the drain begins.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let fresh = reqwest::Client::new()
            .get(format!("{base}/healthz"))
            .send()
            .await;
        match fresh {
            Err(e) if e.is_connect() => break,
            _ => assert!(
                Instant::now() < deadline,
                "the hub still accepts connections: {fresh:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let closed = ws.next().await;
    assert_eq!(
        (closed["type"].clone(), closed["code"].clone()),
        (json!("close"), json!(1001)),
        "{closed}"
    );
    for task in citizens {
        let (status, body) = task.await.expect("task").expect("an answer");
        assert_eq!(status, 200, "{body}");
        assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
    }
    // The held lookup is abandoned with the process: well before the mock would have answered it.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = hub.0.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the hub did not exit after its drain timeout"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");
    let abandoned = held.await.expect("task");
    assert!(
        abandoned
            .as_ref()
            .map_or(true, |(_, body)| body["data"]["landParcels"].is_null()),
        "{abandoned:?}"
    );
    let log = std::fs::read_to_string(&stderr).expect("log");
    assert!(log.contains("drain timeout passed"), "{log}");
}
