//! Tokens and the caller they name.
//!
//! Bearer tokens are JWTs checked against one configured key: an HS256 secret, or an RS256/ES256 public key from a
//! PEM file, or the RS256/ES256 key that the token's `kid` names in the identity provider's JWKS ([`jwks`]; it takes
//! precedence). The accepted algorithm follows from the key, so a token whose header names another algorithm (`none`,
//! or HS256 signed with the RSA public key as secret) is rejected. `exp`, `iss` and `aud` are required and checked, `nbf`
//! when present, with a small leeway; the claims `sub`, `agency` (QĐ 20/2020 code) and `scope` must be there.

mod guard;
pub mod jwks;
mod keys;

use std::collections::BTreeSet;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub use guard::{require_scope, require_token, scope, RequireScope};
pub use jwks::JwksKeys;
pub use keys::{read_or_generate_secret, KeyConfig, KeyError, Keys, SigningKey};

use crate::codes::AgencyCode;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 30;

/// The claims of a hub token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// The caller's agency, as a QĐ 20/2020/QĐ-TTg code.
    pub agency: String,
    /// Space-separated scopes.
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub subject: String,
    pub agency: AgencyCode,
    pub scopes: BTreeSet<String>,
    pub province: Option<String>,
}

impl Principal {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }
}

/// Why a token was refused. The message is safe to show: it names the rule, never the token.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the Authorization header must be `Bearer <token>`")]
    MalformedHeader,
    #[error("invalid token: {0}")]
    Invalid(&'static str),
}

/// What checks token signatures.
enum Verifier {
    /// One configured key, which also mints when it is a secret or has its private half.
    Key(Keys),
    /// The identity provider's keys; the private key, if configured, only mints.
    Jwks(JwksKeys, Option<SigningKey>),
}

/// Checks and mints tokens with the configured key.
pub struct Authenticator {
    verifier: Verifier,
    issuer: String,
    audience: String,
}

impl Authenticator {
    pub fn new(keys: Keys, issuer: String, audience: String) -> Self {
        Authenticator {
            verifier: Verifier::Key(keys),
            issuer,
            audience,
        }
    }

    /// Verifies with the keys of a JWKS; mints with `signing`, if given.
    pub fn with_jwks(
        jwks: JwksKeys,
        signing: Option<SigningKey>,
        issuer: String,
        audience: String,
    ) -> Self {
        Authenticator {
            verifier: Verifier::Jwks(jwks, signing),
            issuer,
            audience,
        }
    }

    /// Fetches the JWKS, when tokens are verified against one (at start; a failure is logged, not returned).
    pub async fn load_keys(&self) {
        if let Verifier::Jwks(jwks, _) = &self.verifier {
            jwks.load().await;
        }
    }

    /// Reads `Authorization: Bearer <token>` and verifies the token.
    pub async fn authenticate_header(&self, header: &str) -> Result<Principal, AuthError> {
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::MalformedHeader)?;
        self.verify(token).await
    }

    /// Verifies a token and returns the caller it names.
    pub async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        match &self.verifier {
            Verifier::Key(keys) => self.check(token, keys.algorithm(), keys.decoding()),
            Verifier::Jwks(jwks, _) => {
                let key = jwks.key_for(token).await?;
                self.check(token, key.algorithm, &key.decoding)
            }
        }
    }

    /// Checks the signature with `decoding` (accepting `algorithm` only), then the claims.
    fn check(
        &self,
        token: &str,
        algorithm: Algorithm,
        decoding: &DecodingKey,
    ) -> Result<Principal, AuthError> {
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = decode::<Claims>(token, decoding, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            AuthError::Invalid(match e.kind() {
                K::ExpiredSignature => "expired",
                K::ImmatureSignature => "not valid yet (nbf)",
                K::InvalidIssuer => "wrong issuer",
                K::InvalidAudience => "wrong audience",
                K::InvalidSignature => "bad signature",
                K::InvalidAlgorithm | K::InvalidAlgorithmName => "algorithm not accepted",
                K::MissingRequiredClaim(_) | K::Json(_) => "missing or malformed claims",
                _ => "malformed",
            })
        })?;
        let claims = data.claims;
        let agency = AgencyCode::parse("agency", &claims.agency)
            .map_err(|_| AuthError::Invalid("malformed agency claim"))?;
        if claims.sub.trim().is_empty() {
            return Err(AuthError::Invalid("empty subject"));
        }
        Ok(Principal {
            subject: claims.sub,
            agency,
            scopes: claims.scope.split_whitespace().map(str::to_owned).collect(),
            province: claims.province,
        })
    }

    /// Mints a token for `subject` of `agency` with `scopes`, valid for `ttl_secs`.
    pub fn mint(
        &self,
        subject: &str,
        agency: &AgencyCode,
        scopes: &[String],
        province: Option<String>,
        ttl_secs: u64,
    ) -> Result<String, KeyError> {
        let now = now_secs();
        let claims = Claims {
            sub: subject.to_owned(),
            agency: agency.as_str().to_owned(),
            scope: scopes.join(" "),
            province,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + ttl_secs,
            nbf: Some(now),
            iat: Some(now),
        };
        let (header, encoding) = match &self.verifier {
            Verifier::Key(keys) => (
                Header::new(keys.algorithm()),
                keys.encoding().ok_or(KeyError::NoSigningKey)?,
            ),
            Verifier::Jwks(_, signing) => {
                let signing = signing.as_ref().ok_or(KeyError::NoJwksSigningKey)?;
                let mut header = Header::new(signing.algorithm);
                header.kid = Some(signing.kid.clone());
                (header, &signing.key)
            }
        };
        encode(&header, &claims, encoding).map_err(|_| KeyError::Sign)
    }
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
