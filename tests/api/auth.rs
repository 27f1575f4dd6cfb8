//! Tokens: a valid token names its caller; every attack on the list is refused with 401 UNAUTHENTICATED, even on a
//! query that asks only for public fields (a bad token is never read as anonymous).

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::common::{TestHub, TEST_SECRET};

const VIEWER: &str = "{ viewer { subject agency scopes } }";
const PUBLIC: &str = "{ provinces { code } }";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn now() -> u64 {
    lgsp_hub::auth::now_secs()
}

fn claims() -> Value {
    json!({
        "sub": "alice", "agency": "000.00.00.H48", "scope": "catalog:read systems:write",
        "iss": "lgsp-hub", "aud": "lgsp-hub", "exp": now() + 600, "nbf": now() - 5
    })
}

fn hs256(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .expect("sign")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture")
}

async fn assert_refused(hub: &TestHub, authorization: &str, what: &str) {
    for query in [VIEWER, PUBLIC] {
        let (status, body) = hub.post_with_auth(authorization, query).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{what}: {body}"
        );
        assert!(body.get("data").is_none(), "{what}: {body}");
    }
}

#[tokio::test]
async fn a_valid_token_names_its_caller_and_no_token_is_anonymous() {
    let hub = TestHub::shared().await;
    let (status, body) = hub
        .post_with_auth(&format!("Bearer {}", hs256(&claims())), VIEWER)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["viewer"]["subject"], "alice");
    assert_eq!(body["data"]["viewer"]["agency"], "000.00.00.H48");
    assert_eq!(
        body["data"]["viewer"]["scopes"],
        json!(["catalog:read", "systems:write"])
    );
    let anonymous = hub.data(VIEWER, json!({})).await;
    assert!(anonymous["viewer"].is_null());
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let hub = TestHub::shared().await;
    let mut expired = claims();
    expired["exp"] = json!(now() - 3600);
    assert_refused(&hub, &format!("Bearer {}", hs256(&expired)), "expired").await;
    let mut early = claims();
    early["nbf"] = json!(now() + 3600);
    assert_refused(
        &hub,
        &format!("Bearer {}", hs256(&early)),
        "nbf in the future",
    )
    .await;
}

#[tokio::test]
async fn wrong_issuer_or_audience_is_refused() {
    let hub = TestHub::shared().await;
    let mut iss = claims();
    iss["iss"] = json!("someone-else");
    assert_refused(&hub, &format!("Bearer {}", hs256(&iss)), "issuer").await;
    let mut aud = claims();
    aud["aud"] = json!("another-hub");
    assert_refused(&hub, &format!("Bearer {}", hs256(&aud)), "audience").await;
}

#[tokio::test]
async fn tampered_payloads_and_foreign_secrets_are_refused() {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let hub = TestHub::shared().await;
    let token = hs256(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    payload["scope"] = json!("registry:admin audit:read");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    assert_refused(&hub, &format!("Bearer {forged}"), "tampered payload").await;
    let other = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(b"another-secret-of-at-least-32-bytes!!"),
    )
    .expect("sign");
    assert_refused(&hub, &format!("Bearer {other}"), "other secret").await;
}

#[tokio::test]
async fn alg_none_is_refused() {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let hub = TestHub::shared().await;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims().to_string());
    assert_refused(&hub, &format!("Bearer {header}.{payload}."), "alg none").await;
}

#[tokio::test]
async fn missing_claims_and_malformed_headers_are_refused() {
    let hub = TestHub::shared().await;
    for drop in ["agency", "scope", "sub", "exp"] {
        let mut c = claims();
        c.as_object_mut().expect("object").remove(drop);
        assert_refused(&hub, &format!("Bearer {}", hs256(&c)), drop).await;
    }
    let mut bad_agency = claims();
    bad_agency["agency"] = json!("H48");
    assert_refused(
        &hub,
        &format!("Bearer {}", hs256(&bad_agency)),
        "malformed agency",
    )
    .await;
    for header in [
        "Basic YWxpY2U6c2VjcmV0",
        "Bearer",
        "Bearer not.a.jwt",
        "token",
    ] {
        assert_refused(&hub, header, header).await;
    }
}

#[tokio::test]
async fn rs256_and_es256_keys_verify_and_algorithm_confusion_is_refused() {
    let rsa = TestHub::start_configured(0, |o| {
        o.settings.jwt_secret = None;
        o.settings.jwt_public_key_file = Some(format!("{FIXTURES}/rsa-public.pem").into());
    })
    .await;
    let signed = encode(
        &Header::new(Algorithm::RS256),
        &claims(),
        &EncodingKey::from_rsa_pem(&fixture("rsa-private.pem")).expect("rsa key"),
    )
    .expect("sign");
    let (status, body) = rsa
        .post_with_auth(&format!("Bearer {signed}"), VIEWER)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["viewer"]["subject"], "alice");
    // The classic confusion: HS256 "signed" with the RSA public key as the secret.
    let confused = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(&fixture("rsa-public.pem")),
    )
    .expect("sign");
    assert_refused(
        &rsa,
        &format!("Bearer {confused}"),
        "HS256 with the RSA public key",
    )
    .await;
    assert_refused(
        &rsa,
        &format!("Bearer {}", hs256(&claims())),
        "HS256 on an RS256 hub",
    )
    .await;

    let ec = TestHub::start_configured(0, |o| {
        o.settings.jwt_secret = None;
        o.settings.jwt_public_key_file = Some(format!("{FIXTURES}/ec-public.pem").into());
    })
    .await;
    let signed = encode(
        &Header::new(Algorithm::ES256),
        &claims(),
        &EncodingKey::from_ec_pem(&fixture("ec-private.pem")).expect("ec key"),
    )
    .expect("sign");
    let (status, body) = ec.post_with_auth(&format!("Bearer {signed}"), VIEWER).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_token_command_mints_a_token_the_hub_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
        .args([
            "token",
            "--subject",
            "bob",
            "--agency",
            "000.00.00.H27",
            "--scopes",
            "catalog:read,audit:read",
            "--ttl",
            "60",
        ])
        .env("LGSP_JWT_SECRET", TEST_SECRET)
        .env("LGSP_DATA_DIR", dir.path())
        .output()
        .expect("run lgsp-hub token");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(token.trim().lines().count(), 1, "the token alone on stdout");
    let keys = lgsp_hub::auth::Keys::load(&lgsp_hub::auth::KeyConfig {
        secret: Some(TEST_SECRET.into()),
        ..Default::default()
    })
    .expect("keys")
    .0;
    let auth = lgsp_hub::auth::Authenticator::new(keys, "lgsp-hub".into(), "lgsp-hub".into());
    let principal = auth.verify(token.trim()).await.expect("valid token");
    assert_eq!(principal.subject, "bob");
    assert!(principal.has_scope("audit:read"));
    assert!(
        !dir.path().join("jwt-secret").exists(),
        "a configured secret must not generate another"
    );
}

#[test]
fn production_mode_without_a_key_is_an_error_and_development_generates_a_private_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let production = lgsp_hub::auth::Keys::load(&lgsp_hub::auth::KeyConfig {
        production: true,
        data_dir: dir.path().into(),
        ..Default::default()
    });
    assert!(matches!(production, Err(lgsp_hub::auth::KeyError::Missing)));
    let (_, generated) = lgsp_hub::auth::Keys::load(&lgsp_hub::auth::KeyConfig {
        data_dir: dir.path().into(),
        ..Default::default()
    })
    .expect("development key");
    let path = generated.expect("a generated secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("secret file")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The second start reuses it.
    let (_, again) = lgsp_hub::auth::Keys::load(&lgsp_hub::auth::KeyConfig {
        data_dir: dir.path().into(),
        ..Default::default()
    })
    .expect("development key");
    assert!(again.is_none());
}
