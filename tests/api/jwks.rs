//! Tokens verified against a JWKS URL: a tiny JWKS server inside the test serves keys built from the fixtures and
//! counts its fetches; the hub picks keys by `kid`, refetches on an unknown one (once per interval however many
//! arrive), and refuses tokens without `kid`, of another algorithm, or signed with a secret.

use std::sync::{
    atomic::{AtomicBool, AtomicUsize, Ordering},
    Arc, Mutex,
};

use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use jsonwebtoken::{
    encode,
    jwk::{Jwk, JwkSet, ThumbprintHash},
    Algorithm, EncodingKey, Header,
};
use serde_json::{json, Value};

use crate::common::{TestHub, TEST_SECRET};

const VIEWER: &str = "{ viewer { subject } }";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture")
}

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(&fixture("rsa-private.pem")).expect("rsa key")
}

fn ec_key() -> EncodingKey {
    EncodingKey::from_ec_pem(&fixture("ec-private.pem")).expect("ec key")
}

/// The public JWK of `key`, named `kid`.
fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str) -> Jwk {
    let mut jwk = Jwk::from_encoding_key(key, alg).expect("jwk");
    jwk.common.key_id = Some(kid.to_owned());
    jwk
}

fn set(keys: Vec<Jwk>) -> Value {
    serde_json::to_value(JwkSet { keys }).expect("jwks json")
}

/// A JWKS endpoint whose document the test swaps, which can be down, and which counts the requests it gets.
struct Jwks {
    document: Mutex<Value>,
    up: AtomicBool,
    fetches: AtomicUsize,
    url: String,
}

impl Jwks {
    async fn start(document: Value) -> Arc<Jwks> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().expect("addr")
        );
        let jwks = Arc::new(Jwks {
            document: Mutex::new(document),
            up: AtomicBool::new(true),
            fetches: AtomicUsize::new(0),
            url,
        });
        let router = Router::new()
            .route("/.well-known/jwks.json", get(serve))
            .with_state(Arc::clone(&jwks));
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        jwks
    }

    fn swap(&self, document: Value) {
        *self.document.lock().expect("lock") = document;
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

async fn serve(State(jwks): State<Arc<Jwks>>) -> (StatusCode, Json<Value>) {
    jwks.fetches.fetch_add(1, Ordering::SeqCst);
    if !jwks.up.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({})));
    }
    let document = jwks.document.lock().expect("lock").clone();
    (StatusCode::OK, Json(document))
}

async fn hub_for(jwks: &Jwks) -> TestHub {
    let url = jwks.url.clone();
    // The test secret stays configured: the JWKS URL must take precedence over it.
    TestHub::start_configured(0, |o| o.settings.jwt_jwks_url = Some(url)).await
}

fn claims(sub: &str) -> Value {
    let now = lgsp_hub::auth::now_secs();
    json!({
        "sub": sub, "agency": "000.00.00.H48", "scope": "catalog:read",
        "iss": "lgsp-hub", "aud": "lgsp-hub", "exp": now + 600, "nbf": now - 5
    })
}

fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, sub: &str) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, &claims(sub), key).expect("sign")
}

/// The subject the hub names for `token`, or the error message of its 401 `UNAUTHENTICATED`.
async fn viewer(hub: &TestHub, token: &str) -> Result<String, String> {
    let (status, body) = hub.post_as(token, VIEWER, json!({})).await;
    if status == 200 {
        return Ok(body["data"]["viewer"]["subject"]
            .as_str()
            .unwrap_or_else(|| panic!("subject: {body}"))
            .to_owned());
    }
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
    Err(body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

#[tokio::test]
async fn a_known_kid_is_accepted_and_an_unknown_kid_is_refused() {
    let jwks = Jwks::start(set(vec![jwk(&rsa_key(), Algorithm::RS256, "k1")])).await;
    let hub = hub_for(&jwks).await;
    assert_eq!(jwks.fetches(), 1, "fetched once at start");
    let known = sign(Algorithm::RS256, Some("k1"), &rsa_key(), "alice");
    assert_eq!(viewer(&hub, &known).await, Ok("alice".to_owned()));
    assert_eq!(jwks.fetches(), 1, "a known kid needs no fetch");
    let unknown = sign(Algorithm::RS256, Some("nope"), &rsa_key(), "alice");
    let refused = viewer(&hub, &unknown).await.expect_err("unknown kid");
    assert!(refused.contains("unknown key id"), "{refused}");
}

#[tokio::test]
async fn rotated_keys_are_picked_up_by_refetching_on_an_unknown_kid() {
    let jwks = Jwks::start(set(vec![jwk(&rsa_key(), Algorithm::RS256, "k1")])).await;
    let hub = hub_for(&jwks).await;
    let k1 = sign(Algorithm::RS256, Some("k1"), &rsa_key(), "alice");
    assert_eq!(viewer(&hub, &k1).await, Ok("alice".to_owned()));
    // The identity provider rotates to an ES256 key `k2`.
    jwks.swap(set(vec![jwk(&ec_key(), Algorithm::ES256, "k2")]));
    let k2 = sign(Algorithm::ES256, Some("k2"), &ec_key(), "bob");
    assert_eq!(viewer(&hub, &k2).await, Ok("bob".to_owned()));
    assert_eq!(jwks.fetches(), 2, "one refetch for the new kid");
    // The refetched set no longer holds k1.
    assert!(viewer(&hub, &k1).await.is_err());
}

#[tokio::test]
async fn a_flood_of_unknown_kids_refetches_at_most_once() {
    let jwks = Jwks::start(set(vec![jwk(&rsa_key(), Algorithm::RS256, "k1")])).await;
    let hub = hub_for(&jwks).await;
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..20 {
        let token = sign(
            Algorithm::RS256,
            Some(&format!("random-{i}")),
            &rsa_key(),
            "mallory",
        );
        let (client, url) = (hub.client.clone(), hub.url("/graphql"));
        requests.spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "query": VIEWER }))
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        });
    }
    while let Some(status) = requests.join_next().await {
        assert_eq!(status.expect("task"), 401);
    }
    assert!(
        jwks.fetches() <= 2,
        "start + at most one refetch, got {}",
        jwks.fetches()
    );
    // Known keys keep working during the flood's rate limit.
    let known = sign(Algorithm::RS256, Some("k1"), &rsa_key(), "alice");
    assert_eq!(viewer(&hub, &known).await, Ok("alice".to_owned()));
}

#[tokio::test]
async fn secrets_missing_kids_and_algorithm_mismatches_are_refused_without_a_fetch() {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let jwks = Jwks::start(set(vec![jwk(&rsa_key(), Algorithm::RS256, "k1")])).await;
    let hub = hub_for(&jwks).await;
    let public_pem = EncodingKey::from_secret(&fixture("rsa-public.pem"));
    let configured_secret = EncodingKey::from_secret(TEST_SECRET.as_bytes());
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#);
    let none_payload = URL_SAFE_NO_PAD.encode(claims("mallory").to_string());
    for (what, token) in [
        (
            "HS256 with the RSA public key as secret",
            sign(Algorithm::HS256, Some("k1"), &public_pem, "mallory"),
        ),
        (
            "HS256 with the configured secret",
            sign(Algorithm::HS256, None, &configured_secret, "mallory"),
        ),
        (
            "no kid",
            sign(Algorithm::RS256, None, &rsa_key(), "mallory"),
        ),
        (
            "ES256 under the RSA key's kid",
            sign(Algorithm::ES256, Some("k1"), &ec_key(), "mallory"),
        ),
        ("alg none", format!("{none_header}.{none_payload}.")),
    ] {
        assert!(viewer(&hub, &token).await.is_err(), "{what} was accepted");
    }
    assert_eq!(jwks.fetches(), 1, "none of these may trigger a refetch");
}

#[tokio::test]
async fn the_hub_starts_while_the_jwks_is_down_and_fetches_when_a_token_comes() {
    let jwks = Jwks::start(set(vec![jwk(&rsa_key(), Algorithm::RS256, "k1")])).await;
    jwks.up.store(false, Ordering::SeqCst);
    let hub = hub_for(&jwks).await;
    assert_eq!(jwks.fetches(), 1, "tried at start");
    jwks.up.store(true, Ordering::SeqCst);
    let token = sign(Algorithm::RS256, Some("k1"), &rsa_key(), "alice");
    assert_eq!(viewer(&hub, &token).await, Ok("alice".to_owned()));
    assert_eq!(jwks.fetches(), 2);
}

#[tokio::test]
async fn the_token_command_mints_with_the_private_key_under_its_thumbprint() {
    let thumbprint = Jwk::from_encoding_key(&ec_key(), Algorithm::ES256)
        .expect("jwk")
        .thumbprint(ThumbprintHash::SHA256);
    let jwks = Jwks::start(set(vec![jwk(&ec_key(), Algorithm::ES256, &thumbprint)])).await;
    let mint = |private_key: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_lgsp-hub"));
        command
            .args(["token", "--subject", "carol", "--agency", "000.00.00.H48"])
            .env("LGSP_JWT_JWKS_URL", &jwks.url)
            .env("LGSP_PRODUCTION", "true");
        if let Some(name) = private_key {
            command.env("LGSP_JWT_PRIVATE_KEY_FILE", format!("{FIXTURES}/{name}"));
        }
        command.output().expect("run lgsp-hub token")
    };
    let refused = mint(None);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("jwt_private_key_file"), "{stderr}");

    let minted = mint(Some("ec-private.pem"));
    assert!(
        minted.status.success(),
        "{}",
        String::from_utf8_lossy(&minted.stderr)
    );
    let token = String::from_utf8(minted.stdout).expect("utf-8");
    let header = jsonwebtoken::decode_header(token.trim()).expect("header");
    assert_eq!(header.kid.as_deref(), Some(thumbprint.as_str()));
    let hub = hub_for(&jwks).await;
    assert_eq!(viewer(&hub, token.trim()).await, Ok("carol".to_owned()));
}
