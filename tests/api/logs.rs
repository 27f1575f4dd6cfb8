//! JSON logs (`LGSP_LOG_FORMAT=json`): a `serve` process at trace level, every secret configured, authenticated
//! personal-data lookups in every national database that takes a personal number: every line is a JSON object with
//! its time, level and target; each request has its line (status, duration, operation, agency, request id); and no
//! token, secret or personal number used shows anywhere in the output.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::{json, Value};

use crate::{
    common::{
        process::{listening, Serving},
        token, TEST_SECRET,
    },
    federation::sample,
    mock::MockUpstreams,
};

const QN: &str = "000.00.00.H48";
const ACCESS_LOG_KEY: &str = "access-log-key-that-must-never-be-logged-11";
const CURSOR_KEY: &str = "cursor-key-that-must-never-be-logged-000012";
const CLIENT_SECRET: &str = "client-secret-that-must-never-be-logged-13";
const PURPOSE: &str = r#"{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }"#;

/// The hub's configuration file: every national database of `mock`, population with a secret of its own.
fn config_file(mock: &MockUpstreams, dir: &std::path::Path) -> std::path::PathBuf {
    let mut toml = format!("access_log_key = \"{ACCESS_LOG_KEY}\"\nlog_format = \"json\"\n");
    for service in lgsp_hub::upstream::SERVICES {
        let secret = match service.name {
            "population" => CLIENT_SECRET.to_owned(),
            other => lgsp_hub::upstream::dev_secret(other),
        };
        toml += &format!(
            "\n[upstream.{0}]\nbase_url = \"{1}/{0}\"\nclient_secret = \"{secret}\"\n",
            service.name,
            mock.url()
        );
    }
    let path = dir.join("hub.toml");
    std::fs::write(&path, toml).expect("write config");
    path
}

#[tokio::test]
async fn json_logs_have_a_line_per_request_and_no_token_secret_or_personal_number() {
    let mock = MockUpstreams::spawn(&["--client-secret", &format!("population={CLIENT_SECRET}")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let stderr = dir.path().join("stderr");
    let stdout = dir.path().join("stdout");
    let file = |path: &std::path::Path| std::fs::File::create(path).expect("log file");
    let hub = Serving(
        Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
            .args(["--listen", "127.0.0.1:0", "serve"])
            .env("LGSP_CONFIG", config_file(&mock, dir.path()))
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
            .env("LGSP_JWT_SECRET", TEST_SECRET)
            .env("LGSP_CURSOR_KEY", CURSOR_KEY)
            .env("LGSP_LOG", "trace")
            .env_remove("LGSP_LOG_FORMAT")
            .stdout(file(&stdout))
            .stderr(file(&stderr))
            .spawn()
            .expect("start lgsp-hub"),
    );
    let base = listening(&stderr).await;

    let s = mock.samples().await;
    let (a, b) = (sample(&s, "citizens"), sample(&s, "married"));
    let owner = sample(&s, "parcelOwners");
    let reader = token(
        QN,
        "upstream:population:read upstream:population:identifiers upstream:insurance:read \
         upstream:land:read upstream:civil-status:read upstream:business:read",
    );
    let client = reqwest::Client::new();
    let post = |token: String, query: String, variables: Value| {
        let request = client
            .post(format!("{base}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }));
        async move {
            let resp = request.send().await.expect("request");
            (
                resp.status().as_u16(),
                resp.json::<Value>().await.expect("JSON"),
            )
        }
    };
    let lookups = [
        (
            format!("query Citizen($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ personalId fullName spouseId }} }}"),
            json!({ "p": a }),
        ),
        (
            format!("query Citizens($a: String!, $b: String!) {{ citizens(personalIds: [$a, $b], purpose: {PURPOSE}) {{ personalId }} }}"),
            json!({ "a": a, "b": b }),
        ),
        (
            format!("query Insurance($p: String!) {{ insurance(personalId: $p, purpose: {PURPOSE}) {{ fullName }} }}"),
            json!({ "p": b }),
        ),
        (
            format!("query Land($o: String!) {{ landParcels(ownerPersonalId: $o, purpose: {PURPOSE}) {{ parcelId owners {{ personalId }} }} }}"),
            json!({ "o": owner }),
        ),
        (
            format!("query Civil($p: String!) {{ civilStatus(personalId: $p, purpose: {PURPOSE}) {{ birth {{ fullName }} }} }}"),
            json!({ "p": b }),
        ),
        (
            format!("query Representative($e: String!) {{ enterprise(code: $e, purpose: {PURPOSE}) {{ legalRepresentative {{ personalId fullName }} }} }}"),
            json!({ "e": sample(&s, "enterpriseCodes") }),
        ),
    ];
    for (query, variables) in lookups {
        let (status, body) = post(reader.clone(), query, variables).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["errors"].is_null(), "{body}");
    }
    // A personal number in a GET's query string, and a forged token.
    let got = client
        .get(format!("{base}/graphql"))
        .bearer_auth(&reader)
        .query(&[
            ("query", format!("query ByGet($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }} }}")),
            ("variables", json!({ "p": a }).to_string()),
        ])
        .send()
        .await
        .expect("GET");
    assert_eq!(got.status(), 200);
    let forged = format!("{reader}x");
    let (status, _) = post(forged.clone(), "{ viewer { subject } }".into(), json!({})).await;
    assert_eq!(status, 401);

    stop(hub).await;
    let output = std::fs::read_to_string(&stderr).expect("stderr")
        + &std::fs::read_to_string(&stdout).expect("stdout");
    let lines: Vec<Value> = output
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for line in &lines {
        for key in ["timestamp", "level", "target"] {
            assert!(line[key].is_string(), "no {key}: {line}");
        }
    }
    assert!(
        lines.iter().any(|l| l["level"] == "TRACE"),
        "the log is not at trace level"
    );
    assert!(
        lines.iter().any(|l| {
            l["spans"].as_array().is_some_and(|spans| {
                spans.iter().any(|s| {
                    s["upstream"] == "population"
                        && s["route"]
                            .as_str()
                            .is_some_and(|r| r.starts_with("/citizens"))
                }) && spans.iter().any(|s| s["name"] == "request")
            })
        }),
        "the upstream calls' spans are in the log (by route, not by path)"
    );
    let served = |operation: &str| {
        lines
            .iter()
            .find(|l| l["message"] == "request served" && l["operation"] == operation)
            .unwrap_or_else(|| panic!("no request line for {operation}"))
    };
    let citizen = served("Citizen");
    assert_eq!(citizen["level"], "INFO");
    assert_eq!(citizen["status"], 200);
    assert_eq!(citizen["agency"], QN);
    assert!(
        citizen["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{citizen}"
    );
    assert!(
        citizen["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{citizen}"
    );
    assert_eq!(citizen["span"]["path"], "/graphql", "{citizen}");
    assert_eq!(served("ByGet")["span"]["method"], "GET");
    assert!(
        lines.iter().any(|l| l["message"] == "request served"
            && l["status"] == 401
            && l["agency"].is_null()),
        "the refused token's request has its line, without an agency"
    );

    let basic = |secret: &str| STANDARD.encode(format!("lgsp-hub:{secret}"));
    let mut never = vec![
        ("the JWT secret", TEST_SECRET.to_owned()),
        ("the access-log key", ACCESS_LOG_KEY.to_owned()),
        ("the cursor key", CURSOR_KEY.to_owned()),
        ("population's client secret", CLIENT_SECRET.to_owned()),
        ("population's Basic credentials", basic(CLIENT_SECRET)),
        ("the caller's token", reader.clone()),
        ("the forged token", forged),
        ("a personal number", a.clone()),
        ("another personal number", b.clone()),
        ("a parcel owner's number", owner.clone()),
    ];
    for service in lgsp_hub::upstream::SERVICES
        .iter()
        .filter(|s| s.name != "population")
    {
        let secret = lgsp_hub::upstream::dev_secret(service.name);
        never.push(("an upstream's Basic credentials", basic(&secret)));
        never.push(("an upstream's client secret", secret));
    }
    for (what, secret) in never {
        if let Some(at) = output.find(&secret) {
            let from = output[..at].rfind('\n').map_or(0, |n| n + 1);
            let to = output[at..].find('\n').map_or(output.len(), |n| at + n);
            panic!("{what} shows in the log: {}", &output[from..to]);
        }
    }
}

/// SIGTERM, then waits for the exit, so that the log is complete.
async fn stop(mut hub: Serving) {
    let killed = Command::new("kill")
        .args(["-TERM", &hub.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while hub.0.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "the hub did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
