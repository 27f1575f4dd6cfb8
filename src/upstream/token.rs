//! OAuth2 client-credentials tokens of one upstream: fetched on first use, reused until shortly before they expire,
//! refreshed by one caller while the others wait for its result (single flight), dropped when the upstream says 401.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::UpstreamError;

/// Refresh this long before the upstream's stated expiry, so a token never expires in flight.
const EARLY: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Clone)]
struct Cached {
    token: String,
    refresh_at: Instant,
}

pub struct TokenSource {
    url: String,
    client_id: String,
    client_secret: SecretString,
    cached: Mutex<Option<Cached>>,
}

impl TokenSource {
    pub fn new(url: String, client_id: String, client_secret: SecretString) -> TokenSource {
        TokenSource {
            url,
            client_id,
            client_secret,
            cached: Mutex::new(None),
        }
    }

    /// A valid token: the cached one, or a fresh one fetched by exactly one of the concurrent callers.
    pub async fn get(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> Result<String, UpstreamError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok(c.token.clone());
        }
        let fresh = self.fetch(http, timeout).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets `token` if it is still the cached one (the upstream refused it).
    pub async fn invalidate(&self, token: &str) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| c.token == token) {
            *cached = None;
        }
    }

    // The secret and the token stay out of the span; the parent span names the upstream.
    #[tracing::instrument(skip_all, err(Display, level = "warn"))]
    async fn fetch(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> Result<Cached, UpstreamError> {
        let started = Instant::now();
        let response = http
            .post(&self.url)
            .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
            .form(&[("grant_type", "client_credentials")])
            .timeout(timeout)
            .send()
            .await
            .map_err(UpstreamError::from_transport)?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(UpstreamError::Rejected {
                status: status.as_u16(),
                detail: "the upstream refused the hub's client credentials",
            });
        }
        if !status.is_success() {
            return Err(UpstreamError::Status(status.as_u16()));
        }
        let body: TokenResponse = response
            .json()
            .await
            .map_err(|_| UpstreamError::Malformed)?;
        let lifetime = Duration::from_secs(body.expires_in.unwrap_or(300));
        // Short-lived tokens: refresh at 80 % of their life rather than EARLY before the end.
        let margin = EARLY.min(lifetime / 5);
        Ok(Cached {
            token: body.access_token,
            refresh_at: started + lifetime.saturating_sub(margin),
        })
    }
}
