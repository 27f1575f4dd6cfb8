//! The console as an OpenID Connect relying party (the `openidconnect` crate): discovery, the authorisation URL with
//! `state`, `nonce` and a PKCE S256 challenge, the code exchange with the verifier, the ID token's checks (signature
//! by the provider's JWKS, issuer, audience, expiry, nonce) and the claim mapping to the hub's principal.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use openidconnect::{
    core::{
        CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
        CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken,
        CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
    },
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardErrorResponse,
    StandardTokenResponse,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::super::session::store::Identity;
use crate::{
    auth::Principal,
    codes::AgencyCode,
    config::console::{ClaimMapping, OidcProvider},
};

/// Every claim of the ID token, so that the mapping can name any of them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AllClaims {
    #[serde(flatten)]
    claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for AllClaims {}

type TokenResponse = StandardTokenResponse<
    IdTokenFields<
        AllClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type Client = openidconnect::Client<
    AllClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Discovered metadata (and the JWKS it carries) is kept this long, so that rotated keys are picked up.
const METADATA_TTL: Duration = Duration::from_secs(300);

/// Why a sign-in did not complete. Logged with its detail; the user sees a plain message for its kind.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("identity provider unreachable: {0}")]
    Unavailable(String),
    #[error("identity provider refused the code: {0}")]
    Refused(String),
    #[error("ID token rejected: {0}")]
    InvalidToken(String),
    #[error("ID token lacks a usable `{0}` claim")]
    Claim(String),
}

/// The configured provider.
pub struct Provider {
    settings: OidcProvider,
    scopes: Vec<String>,
    claims: ClaimMapping,
    http: reqwest::Client,
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

/// Where to send the browser, and what to remember for the callback.
pub struct Start {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl Provider {
    pub fn new(settings: OidcProvider, scopes: Vec<String>, claims: ClaimMapping) -> Provider {
        // No redirects: a provider's endpoint answering with one would otherwise send the code and secret elsewhere
        // (the `openidconnect` crate's own advice).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Provider {
            settings,
            scopes,
            claims,
            http,
            metadata: Mutex::new(None),
        }
    }

    /// The issuer's URL, for the logs.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer_url
    }

    /// The client, from metadata discovered at most [`METADATA_TTL`] ago.
    async fn client(&self) -> Result<Client, SignInError> {
        let mut cached = self.metadata.lock().await;
        let metadata = match cached.as_ref() {
            Some((at, m)) if at.elapsed() < METADATA_TTL => m.clone(),
            _ => {
                let issuer = IssuerUrl::new(self.settings.issuer_url.clone())
                    .map_err(|e| SignInError::Unavailable(e.to_string()))?;
                let m = CoreProviderMetadata::discover_async(issuer, &self.http)
                    .await
                    .map_err(|e| SignInError::Unavailable(e.to_string()))?;
                *cached = Some((Instant::now(), m.clone()));
                m
            }
        };
        drop(cached);
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| SignInError::Unavailable(e.to_string()))?;
        Ok(Client::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose_secret().to_owned())),
        )
        .set_redirect_uri(redirect))
    }

    /// Forgets the discovered metadata (after a token that no known key verifies: the keys may have rotated).
    async fn forget_metadata(&self) {
        *self.metadata.lock().await = None;
    }

    /// The authorisation URL of a new sign-in: fresh `state`, `nonce` and PKCE pair.
    pub async fn start(&self) -> Result<Start, SignInError> {
        let client = self.client().await?;
        let state = CsrfToken::new_random_len(32);
        let nonce = Nonce::new_random_len(32);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (s, n) = (state.clone(), nonce.clone());
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || s,
                move || n,
            )
            .set_pkce_challenge(challenge);
        for scope in self.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, _, _) = request.url();
        Ok(Start {
            url: url.to_string(),
            state: state.into_secret(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.into_secret(),
        })
    }

    /// Exchanges `code` (with the PKCE verifier), checks the ID token (and its `nonce`), maps its claims.
    pub async fn finish(
        &self,
        code: String,
        pkce_verifier: String,
        nonce: String,
    ) -> Result<Identity, SignInError> {
        let client = self.client().await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SignInError::Unavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    SignInError::Refused(r.error().to_string())
                }
                other => SignInError::Unavailable(other.to_string()),
            })?;
        let id_token = response
            .extra_fields()
            .id_token()
            .ok_or_else(|| SignInError::InvalidToken("no id_token in the response".into()))?;
        let verifier = client.id_token_verifier();
        let claims = match id_token.claims(&verifier, &Nonce::new(nonce)) {
            Ok(c) => c,
            Err(e) => {
                self.forget_metadata().await;
                return Err(SignInError::InvalidToken(e.to_string()));
            }
        };
        let mut all = claims.additional_claims().claims.clone();
        // The standard claims are parsed apart from the rest; put back those a mapping may name.
        let standard = [
            ("sub", Some(claims.subject().to_string())),
            (
                "name",
                claims
                    .name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.to_string()),
            ),
            (
                "preferred_username",
                claims.preferred_username().map(|n| n.to_string()),
            ),
            ("email", claims.email().map(|e| e.to_string())),
        ];
        for (name, value) in standard {
            if let Some(value) = value {
                all.entry(name.into())
                    .or_insert(serde_json::Value::String(value));
            }
        }
        map_claims(&all, &self.claims)
    }
}

/// The principal and name the claims give, as `mapping` names them.
pub fn map_claims(
    claims: &HashMap<String, serde_json::Value>,
    mapping: &ClaimMapping,
) -> Result<Identity, SignInError> {
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let subject =
        text(&mapping.subject).ok_or_else(|| SignInError::Claim(mapping.subject.clone()))?;
    let agency = text(&mapping.agency)
        .and_then(|a| AgencyCode::parse("agency", &a).ok())
        .ok_or_else(|| SignInError::Claim(mapping.agency.clone()))?;
    let scopes = match claims.get(&mapping.scopes) {
        Some(serde_json::Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str())
            .map(str::to_owned)
            .collect(),
        _ => Default::default(),
    };
    Ok(Identity {
        display_name: text(&mapping.name).unwrap_or_else(|| subject.clone()),
        principal: Principal {
            subject,
            agency,
            scopes,
            province: text(&mapping.province),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: serde_json::Value) -> HashMap<String, serde_json::Value> {
        serde_json::from_value(v).expect("map")
    }

    #[test]
    fn claims_map_to_the_principal_by_the_configured_names() {
        let mapping = ClaimMapping {
            agency: "ma_co_quan".into(),
            scopes: "roles".into(),
            ..ClaimMapping::default()
        };
        let who = map_claims(
            &claims(json!({"sub": "u1", "ma_co_quan": "000.00.00.H48", "roles": ["audit:read", "catalog:read"]})),
            &mapping,
        )
        .expect("maps");
        assert_eq!(who.principal.agency.as_str(), "000.00.00.H48");
        assert!(who.principal.has_scope("audit:read"));
        assert_eq!(who.display_name, "u1");
    }

    #[test]
    fn a_missing_or_malformed_agency_is_refused() {
        let m = ClaimMapping::default();
        assert!(matches!(
            map_claims(&claims(json!({"sub": "u1"})), &m),
            Err(SignInError::Claim(c)) if c == "agency"
        ));
        assert!(map_claims(&claims(json!({"sub": "u1", "agency": "H48"})), &m).is_err());
        let ok = map_claims(
            &claims(json!({"sub": "u1", "agency": "000.00.00.H48", "scope": "a b", "name": "Lan"})),
            &m,
        )
        .expect("maps");
        assert_eq!(ok.principal.scopes.len(), 2);
        assert_eq!(ok.display_name, "Lan");
    }
}
