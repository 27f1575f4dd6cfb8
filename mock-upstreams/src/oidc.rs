//! A mock OpenID Connect provider for the console's zero set-up and its tests: discovery, `/authorize` (a sign-in page
//! that lists the demo users, each a button, and keeps the client's `state`, `nonce` and PKCE challenge), `/token`
//! (code → ID token and access token, after checking the client secret, the redirect URI and the PKCE verifier),
//! `/jwks` and `/userinfo`. ID tokens are RS256, signed with a fixed test key committed in the source
//! (`oidc/test-key.pem`): it signs nothing but demo users, and a fixed key lets a restarted provider's tokens and the
//! hub's cached keys agree.
//!
//! Served under `/oidc` next to the mock national databases, or alone ([`start`]) when the hub needs only it.

mod page;
mod users;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Form, Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{jwk::Jwk, Algorithm, EncodingKey, Header};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

pub use users::{demo_user, DemoUser, DEMO_USERS};

use crate::{fail, rng::mix, Running};

/// The test key (RSA 2048, PKCS#8) that signs the ID tokens.
const TEST_KEY_PEM: &str = include_str!("oidc/test-key.pem");
/// The key's id in the JWKS and in the tokens' header.
pub const KEY_ID: &str = "mock-oidc-1";
/// The client id the provider knows unless configured.
pub const DEFAULT_CLIENT_ID: &str = "lgsp-console";
/// The client secret unless configured (development only, like the national databases' `dev-secret-<service>`).
pub const DEFAULT_CLIENT_SECRET: &str = "dev-secret-console";

/// How long an authorisation code may wait for its exchange.
const CODE_TTL: Duration = Duration::from_secs(60);
/// Lifetime of the ID and access tokens.
const TOKEN_TTL_SECS: u64 = 300;

/// How the mock provider runs.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The one client it knows.
    pub client_id: String,
    pub client_secret: String,
    /// The redirect URIs it accepts; empty: any `http` URI on the loopback (127.0.0.1, [::1], localhost).
    pub redirect_uris: Vec<String>,
    /// Its issuer URL (what the hub discovers from); `None`: `http://<listen address>/oidc`.
    pub issuer: Option<String>,
}

impl Default for OidcConfig {
    fn default() -> OidcConfig {
        OidcConfig {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            redirect_uris: Vec::new(),
            issuer: None,
        }
    }
}

/// A code waiting for its exchange.
struct Grant {
    user: &'static DemoUser,
    redirect_uri: String,
    nonce: Option<String>,
    challenge: String,
    expires: Instant,
}

/// The provider's state.
pub(crate) struct Provider {
    config: OidcConfig,
    issuer: String,
    key: EncodingKey,
    jwk: Jwk,
    codes: Mutex<HashMap<String, Grant>>,
    access: Mutex<HashMap<String, (&'static DemoUser, Instant)>>,
    counter: AtomicU64,
    salt: u64,
}

impl Provider {
    pub(crate) fn new(config: OidcConfig, addr: SocketAddr) -> Result<Provider, String> {
        let key = EncodingKey::from_rsa_pem(TEST_KEY_PEM.as_bytes())
            .map_err(|e| format!("mock OIDC key: {e}"))?;
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256)
            .map_err(|e| format!("mock OIDC key: {e}"))?;
        jwk.common.key_id = Some(KEY_ID.to_owned());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let issuer = config
            .issuer
            .clone()
            .unwrap_or_else(|| format!("http://{addr}/oidc"));
        // A salt no other process shares (std's hasher keys are random per process) and the clock: codes and tokens
        // of one run are worthless to the next. A mock's codes need not be more than unguessable in a demo.
        let random = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(now_nanos());
            h.finish()
        };
        Ok(Provider {
            config,
            issuer: issuer.trim_end_matches('/').to_owned(),
            key,
            jwk,
            codes: Mutex::new(HashMap::new()),
            access: Mutex::new(HashMap::new()),
            counter: AtomicU64::new(0),
            salt: mix(random ^ mix(now_nanos())),
        })
    }

    fn random(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "{prefix}{:016x}{:016x}",
            mix(self.salt ^ n),
            mix(self.salt.rotate_left(29) ^ n.wrapping_mul(0x9e37_79b9))
        )
    }

    fn redirect_allowed(&self, uri: &str) -> bool {
        if !self.config.redirect_uris.is_empty() {
            return self.config.redirect_uris.iter().any(|u| u == uri);
        }
        let Some(rest) = uri.strip_prefix("http://") else {
            return false;
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match host.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        };
        matches!(host, "127.0.0.1" | "[::1]" | "localhost")
    }
}

fn now_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The provider's routes (mount them under `/oidc`, the issuer's path).
pub(crate) fn routes(provider: Arc<Provider>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/authorize", get(authorize_page).post(authorize))
        .route("/token", axum::routing::post(token))
        .route("/jwks", get(jwks))
        .route("/userinfo", get(userinfo))
        .with_state(provider)
}

/// Serves the provider alone on `listener` (issuer `http://<addr>/oidc` unless configured).
pub async fn start(config: OidcConfig, listener: TcpListener) -> Result<Running, crate::MockError> {
    let addr = listener.local_addr()?;
    let provider = Provider::new(config, addr).map_err(crate::MockError::Config)?;
    let app = Router::new()
        .nest("/oidc", routes(Arc::new(provider)))
        .fallback(|| async { fail(StatusCode::NOT_FOUND, "not_found") });
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Running { addr, task })
}

async fn discovery(State(p): State<Arc<Provider>>) -> Json<serde_json::Value> {
    let i = &p.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "userinfo_endpoint": format!("{i}/userinfo"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code"],
        "claims_supported": ["sub", "name", "agency", "scope", "province", "nonce"],
    }))
}

async fn jwks(State(p): State<Arc<Provider>>) -> Json<serde_json::Value> {
    Json(json!({ "keys": [p.jwk] }))
}

/// What the client sends to `/authorize` (and the sign-in page posts back, with the chosen user).
#[derive(Debug, Deserialize)]
pub(crate) struct AuthorizeRequest {
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    state: String,
    nonce: Option<String>,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
    /// The demo user chosen (the page's buttons).
    user: Option<String>,
}

impl AuthorizeRequest {
    /// The request's fault, if any, as a message for the page (the redirect URI is not trusted until checked, so
    /// errors are shown here rather than sent back to it).
    fn fault(&self, p: &Provider) -> Option<&'static str> {
        if self.client_id != p.config.client_id {
            Some("unknown client_id")
        } else if !p.redirect_allowed(&self.redirect_uri) {
            Some("redirect_uri not registered")
        } else if self.response_type != "code" {
            Some("response_type must be code")
        } else if !self.scope.split_whitespace().any(|s| s == "openid") {
            Some("scope must include openid")
        } else if self.state.is_empty() {
            Some("state is required")
        } else if self.code_challenge_method != "S256" || self.code_challenge.len() < 43 {
            Some("PKCE with code_challenge_method=S256 is required")
        } else {
            None
        }
    }
}

async fn authorize_page(
    State(p): State<Arc<Provider>>,
    Query(request): Query<AuthorizeRequest>,
) -> Response {
    if let Some(fault) = request.fault(&p) {
        return page::refused(fault);
    }
    page::sign_in(&request_fields(&request))
}

/// The hidden fields that carry the client's request through the sign-in page.
fn request_fields(r: &AuthorizeRequest) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("response_type", r.response_type.clone()),
        ("client_id", r.client_id.clone()),
        ("redirect_uri", r.redirect_uri.clone()),
        ("scope", r.scope.clone()),
        ("state", r.state.clone()),
        ("code_challenge", r.code_challenge.clone()),
        ("code_challenge_method", r.code_challenge_method.clone()),
    ];
    if let Some(nonce) = &r.nonce {
        fields.push(("nonce", nonce.clone()));
    }
    fields
}

/// The chosen user signs in: a code for the client, sent back to its redirect URI with its `state`.
async fn authorize(
    State(p): State<Arc<Provider>>,
    Form(request): Form<AuthorizeRequest>,
) -> Response {
    if let Some(fault) = request.fault(&p) {
        return page::refused(fault);
    }
    let Some(user) = request.user.as_deref().and_then(demo_user) else {
        return page::refused("unknown user");
    };
    let code = p.random("code.");
    if let Ok(mut codes) = p.codes.lock() {
        let now = Instant::now();
        codes.retain(|_, g| g.expires > now);
        codes.insert(
            code.clone(),
            Grant {
                user,
                redirect_uri: request.redirect_uri.clone(),
                nonce: request.nonce.clone(),
                challenge: request.code_challenge.clone(),
                expires: now + CODE_TTL,
            },
        );
    }
    let separator = if request.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let location = format!(
        "{}{separator}code={}&state={}",
        request.redirect_uri,
        url_encode(&code),
        url_encode(&request.state)
    );
    Redirect::to(&location).into_response()
}

fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenRequest {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    code_verifier: String,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// The client's id and secret: HTTP Basic (form-urlencoded halves, RFC 6749 §2.3.1) or the form's fields.
fn client_credentials(headers: &HeaderMap, form: &TokenRequest) -> Option<(String, String)> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        let decode = |s: &str| form_urlencoded_decode(s);
        return Some((decode(id), decode(secret)));
    }
    Some((form.client_id.clone()?, form.client_secret.clone()?))
}

fn form_urlencoded_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi << 4) | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn token(
    State(p): State<Arc<Provider>>,
    headers: HeaderMap,
    Form(form): Form<TokenRequest>,
) -> Response {
    let Some((id, secret)) = client_credentials(&headers, &form) else {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "no client credentials",
        );
    };
    if id != p.config.client_id || secret != p.config.client_secret {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "wrong client id or secret",
        );
    }
    if form.grant_type != "authorization_code" {
        return token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "authorization_code only",
        );
    }
    // A code is used once, whatever the outcome.
    let grant = p.codes.lock().ok().and_then(|mut c| c.remove(&form.code));
    let Some(grant) = grant.filter(|g| g.expires > Instant::now()) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "unknown, used or expired code",
        );
    };
    if grant.redirect_uri != form.redirect_uri {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri differs",
        );
    }
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
    if form.code_verifier.len() < 43 || challenge != grant.challenge {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE verification failed",
        );
    }
    let now = now_secs();
    let user = grant.user;
    let mut claims = json!({
        "iss": p.issuer,
        "sub": user.subject,
        "aud": p.config.client_id,
        "iat": now,
        "exp": now + TOKEN_TTL_SECS,
        "auth_time": now,
        "name": user.name,
        "agency": user.agency_code,
        "scope": user.scopes,
        "province": user.province,
    });
    if let Some(nonce) = grant.nonce {
        claims["nonce"] = json!(nonce);
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KEY_ID.to_owned());
    let id_token = match jsonwebtoken::encode(&header, &claims, &p.key) {
        Ok(t) => t,
        Err(_) => return fail(StatusCode::INTERNAL_SERVER_ERROR, "signing_failed"),
    };
    let access_token = p.random("mock-at.");
    if let Ok(mut access) = p.access.lock() {
        let now = Instant::now();
        access.retain(|_, (_, expires)| *expires > now);
        access.insert(
            access_token.clone(),
            (user, now + Duration::from_secs(TOKEN_TTL_SECS)),
        );
    }
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_SECS,
            "id_token": id_token,
        })),
    )
        .into_response()
}

async fn userinfo(State(p): State<Arc<Provider>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let user = p.access.lock().ok().and_then(|a| {
        a.get(token)
            .filter(|(_, expires)| *expires > Instant::now())
            .map(|(u, _)| *u)
    });
    match user {
        Some(u) => Json(json!({
            "sub": u.subject,
            "name": u.name,
            "agency": u.agency_code,
            "scope": u.scopes,
            "province": u.province,
        }))
        .into_response(),
        None => token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "unknown or expired access token",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> Provider {
        let addr: SocketAddr = ([127, 0, 0, 1], 9).into();
        Provider::new(OidcConfig::default(), addr).expect("provider")
    }

    #[test]
    fn the_jwks_key_verifies_what_the_test_key_signs() {
        let p = provider();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KEY_ID.to_owned());
        let token = jsonwebtoken::encode(
            &header,
            &json!({"sub": "x", "exp": now_secs() + 60}),
            &p.key,
        )
        .expect("sign");
        let key = jsonwebtoken::DecodingKey::from_jwk(&p.jwk).expect("jwk");
        let data = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &key,
            &jsonwebtoken::Validation::new(Algorithm::RS256),
        )
        .expect("verifies");
        assert_eq!(data.claims["sub"], "x");
    }

    #[test]
    fn redirects_go_only_to_the_loopback_unless_listed() {
        let p = provider();
        assert!(p.redirect_allowed("http://127.0.0.1:8080/console/callback"));
        assert!(p.redirect_allowed("http://localhost/console/callback"));
        assert!(!p.redirect_allowed("http://evil.example/console/callback"));
        assert!(!p.redirect_allowed("http://127.0.0.1.evil.example/cb"));
        assert!(!p.redirect_allowed("https://127.0.0.1/cb"));
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        assert_eq!(form_urlencoded_decode("a%3Ab+c"), "a:b c");
        assert_eq!(form_urlencoded_decode("100%"), "100%");
    }

    #[test]
    fn demo_users_have_distinct_subjects_and_well_formed_codes() {
        let mut subjects: Vec<_> = DEMO_USERS.iter().map(|u| u.subject).collect();
        subjects.sort_unstable();
        subjects.dedup();
        assert_eq!(subjects.len(), DEMO_USERS.len());
        for u in DEMO_USERS {
            let b = u.agency_code.as_bytes();
            assert!(
                b.len() == 13 && b[3] == b'.' && b[6] == b'.' && b[9] == b'.',
                "{}",
                u.agency_code
            );
        }
    }
}
