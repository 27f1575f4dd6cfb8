//! The web console's sign-in settings: the OpenID Connect provider (or the built-in mock one), how its claims map to
//! the hub's principal, and how long sessions last.

use std::time::Duration;

use secrecy::SecretString;

use super::{ConfigError, Settings};

/// Idle timeout of a console session unless configured: 30 minutes without a request.
pub const DEFAULT_IDLE_TIMEOUT_S: u64 = 30 * 60;
/// Absolute timeout unless configured: 8 hours after sign-in, a working day, whatever the activity.
pub const DEFAULT_ABSOLUTE_TIMEOUT_S: u64 = 8 * 60 * 60;
/// What the console asks the provider for unless configured.
pub const DEFAULT_SCOPES: &str = "openid profile";

/// A configured identity provider.
#[derive(Debug, Clone)]
pub struct OidcProvider {
    /// The issuer, whose `/.well-known/openid-configuration` the hub discovers.
    pub issuer_url: String,
    pub client_id: String,
    /// Never logged (`Debug` redacts it). `None`: a public client, which PKCE alone protects.
    pub client_secret: Option<SecretString>,
    /// Where the provider sends the browser back: `https://<hub>/console/callback`, as registered at the provider.
    pub redirect_url: String,
}

/// Which claims of the ID token give the principal.
#[derive(Debug, Clone)]
pub struct ClaimMapping {
    /// The principal's subject [default: `sub`].
    pub subject: String,
    /// The agency's QĐ 20/2020 code [default: `agency`].
    pub agency: String,
    /// The hub's scopes: a space-separated string or an array of strings [default: `scope`].
    pub scopes: String,
    /// The name shown to the user [default: `name`; the subject when absent].
    pub name: String,
    /// The province code, optional [default: `province`].
    pub province: String,
}

impl Default for ClaimMapping {
    fn default() -> ClaimMapping {
        ClaimMapping {
            subject: "sub".into(),
            agency: "agency".into(),
            scopes: "scope".into(),
            name: "name".into(),
            province: "province".into(),
        }
    }
}

/// The console's sign-in configuration.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    /// The configured provider; `None`: the built-in mock one when `mock_provider`, else sign-in is not configured.
    pub provider: Option<OidcProvider>,
    /// Start the built-in mock provider when none is configured (development; off in production).
    pub mock_provider: bool,
    /// The redirect URL the mock provider's flow uses, when set; otherwise the hub's own listen address.
    pub redirect_url: Option<String>,
    /// The scopes the console asks the provider for (`openid` always among them).
    pub requested_scopes: Vec<String>,
    pub claims: ClaimMapping,
    /// A session unused this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however used.
    pub absolute_timeout: Duration,
}

fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        message: message.into(),
    }
}

/// An http(s) URL; in production https unless on the loopback.
fn check_url(key: &'static str, url: &str, production: bool) -> Result<(), ConfigError> {
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|_| invalid(key, format!("`{url}` is not a URL")))?;
    let host = uri.host().unwrap_or_default();
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if !production || is_loopback(host) => Ok(()),
        Some("http") => Err(invalid(
            key,
            format!("`{url}` must be https in production (http only on the loopback)"),
        )),
        _ => Err(invalid(key, format!("`{url}` is not an http(s) URL"))),
    }
}

/// 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The console's settings from the layered `s`.
pub(super) fn console_config(s: &Settings, production: bool) -> Result<ConsoleConfig, ConfigError> {
    let blank = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let issuer = blank(&s.oidc_issuer_url);
    let client_id = blank(&s.oidc_client_id);
    let redirect_url = blank(&s.oidc_redirect_url);
    if let Some(url) = &redirect_url {
        check_url("oidc_redirect_url", url, production)?;
        if !url.ends_with("/console/callback") {
            return Err(invalid(
                "oidc_redirect_url",
                "must be the hub's `/console/callback`, e.g. https://lgsp.example.gov.vn/console/callback",
            ));
        }
    }
    let provider = match issuer {
        Some(issuer_url) => {
            check_url("oidc_issuer_url", &issuer_url, production)?;
            let client_id = client_id
                .ok_or_else(|| invalid("oidc_client_id", "required with oidc_issuer_url"))?;
            let client_secret = s.oidc_client_secret.clone();
            let redirect_url = redirect_url.clone().ok_or_else(|| {
                invalid(
                    "oidc_redirect_url",
                    "required with oidc_issuer_url (the hub's https://<host>/console/callback)",
                )
            })?;
            Some(OidcProvider {
                issuer_url,
                client_id,
                client_secret,
                redirect_url,
            })
        }
        None if client_id.is_some() || s.oidc_client_secret.is_some() => {
            return Err(invalid(
                "oidc_issuer_url",
                "oidc_client_id and oidc_client_secret need oidc_issuer_url",
            ));
        }
        None => None,
    };
    let mut requested_scopes: Vec<String> = s
        .oidc_scopes
        .as_deref()
        .unwrap_or(DEFAULT_SCOPES)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if !requested_scopes.iter().any(|s| s == "openid") {
        requested_scopes.insert(0, "openid".into());
    }
    let claim = |v: &Option<String>, default: String, key: &'static str| match blank(v) {
        Some(name) => Ok(name),
        None if v.is_some() => Err(invalid(key, "must name a claim")),
        None => Ok(default),
    };
    let d = ClaimMapping::default();
    let claims = ClaimMapping {
        subject: claim(&s.oidc_subject_claim, d.subject, "oidc_subject_claim")?,
        agency: claim(&s.oidc_agency_claim, d.agency, "oidc_agency_claim")?,
        scopes: claim(&s.oidc_scopes_claim, d.scopes, "oidc_scopes_claim")?,
        name: claim(&s.oidc_name_claim, d.name, "oidc_name_claim")?,
        province: claim(&s.oidc_province_claim, d.province, "oidc_province_claim")?,
    };
    let idle = s.console_idle_timeout_s.unwrap_or(DEFAULT_IDLE_TIMEOUT_S);
    let absolute = s
        .console_absolute_timeout_s
        .unwrap_or(DEFAULT_ABSOLUTE_TIMEOUT_S);
    if idle == 0 || absolute == 0 {
        return Err(invalid(
            "console_idle_timeout_s",
            "session timeouts must be at least 1 second",
        ));
    }
    if idle > absolute {
        return Err(invalid(
            "console_idle_timeout_s",
            "must not exceed console_absolute_timeout_s",
        ));
    }
    Ok(ConsoleConfig {
        mock_provider: provider.is_none() && s.mock_oidc.unwrap_or(!production),
        provider,
        redirect_url,
        requested_scopes,
        claims,
        idle_timeout: Duration::from_secs(idle),
        absolute_timeout: Duration::from_secs(absolute),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(
        production: bool,
        set: impl FnOnce(&mut Settings),
    ) -> Result<ConsoleConfig, ConfigError> {
        let mut s = Settings::default();
        set(&mut s);
        console_config(&s, production)
    }

    fn err(production: bool, set: impl FnOnce(&mut Settings)) -> String {
        load(production, set).expect_err("invalid").to_string()
    }

    #[test]
    fn without_a_provider_development_uses_the_mock_and_production_none() {
        let dev = load(false, |_| {}).expect("valid");
        assert!(dev.provider.is_none() && dev.mock_provider);
        let prod = load(true, |_| {}).expect("valid");
        assert!(prod.provider.is_none() && !prod.mock_provider);
        assert_eq!(
            prod.idle_timeout,
            Duration::from_secs(DEFAULT_IDLE_TIMEOUT_S)
        );
        assert_eq!(prod.requested_scopes, ["openid", "profile"]);
    }

    #[test]
    fn a_provider_needs_its_client_and_redirect_and_https_in_production() {
        let full = |s: &mut Settings| {
            s.oidc_issuer_url = Some("https://sso.example.gov.vn/realms/lgsp".into());
            s.oidc_client_id = Some("lgsp-console".into());
            s.oidc_redirect_url = Some("https://lgsp.example.gov.vn/console/callback".into());
            s.oidc_scopes = Some("profile email".into());
        };
        let c = load(true, full).expect("valid");
        assert!(!c.mock_provider);
        assert_eq!(c.requested_scopes, ["openid", "profile", "email"]);
        assert!(err(true, |s| {
            full(s);
            s.oidc_client_id = None;
        })
        .contains("oidc_client_id"));
        assert!(err(true, |s| {
            full(s);
            s.oidc_redirect_url = None;
        })
        .contains("oidc_redirect_url"));
        assert!(err(true, |s| {
            full(s);
            s.oidc_redirect_url = Some("https://lgsp.example.gov.vn/elsewhere".into());
        })
        .contains("/console/callback"));
        assert!(err(true, |s| {
            full(s);
            s.oidc_issuer_url = Some("http://sso.example.gov.vn/realms/lgsp".into());
        })
        .contains("https"));
        // On the loopback, http is fine even in production (a provider beside the hub).
        load(true, |s| {
            full(s);
            s.oidc_issuer_url = Some("http://127.0.0.1:8180/realms/lgsp".into());
        })
        .expect("loopback http");
        assert!(err(false, |s| s.oidc_client_id = Some("x".into())).contains("oidc_issuer_url"));
    }

    #[test]
    fn claims_and_timeouts_are_checked() {
        let c = load(false, |s| s.oidc_agency_claim = Some("ma_dinh_danh".into())).expect("valid");
        assert_eq!(c.claims.agency, "ma_dinh_danh");
        assert_eq!(c.claims.subject, "sub");
        assert!(
            err(false, |s| s.oidc_scopes_claim = Some(" ".into())).contains("oidc_scopes_claim")
        );
        assert!(err(false, |s| s.console_idle_timeout_s = Some(0)).contains("at least 1"));
        assert!(err(false, |s| {
            s.console_idle_timeout_s = Some(600);
            s.console_absolute_timeout_s = Some(60);
        })
        .contains("console_absolute_timeout_s"));
    }
}
