//! The rate limits at the HTTP face: who the client is (the token's agency, else its address, read through trusted
//! proxies), the `RateLimit` headers of the IETF httpapi-ratelimit-headers draft, and the 429 answer.
//!
//! `/graphql` (GET, POST) is checked after authentication and before the document is parsed; the `/graphql/ws`
//! upgrade is checked by address (its token only comes later, in `connection_init`).

use std::{
    convert::Infallible,
    net::{IpAddr, Ipv4Addr, SocketAddr},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts, HeaderMap, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::{markers::ErrorCodes, AppState};
use crate::{
    auth::Principal,
    error::code,
    rate_limit::{seconds_up, ClientKey, Decision},
};

const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// The client's address: the TCP peer, or, when the peer is a trusted proxy, the address that proxy saw (see
/// [`client_ip`]). `None` only when the server runs without `ConnectInfo`.
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientIp(peer.map(|peer| {
            client_ip(peer, &parts.headers, app.rate_limit.trusted_proxies())
        })))
    }
}

/// Walks `X-Forwarded-For` from the right while the address in hand is a trusted proxy: the first one that is not is
/// the client (what the last trusted proxy saw). An entry that does not parse stops the walk at the proxy that wrote
/// it; entries further left were written by the client and are not believed.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| {
        trusted
            .iter()
            .any(|t| t.to_canonical() == ip.to_canonical())
    };
    let entries = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim);
    let mut client = peer.to_canonical();
    for entry in entries.rev() {
        if !is_trusted(client) {
            break;
        }
        match parse_forwarded(entry) {
            Some(ip) => client = ip.to_canonical(),
            None => break,
        }
    }
    client
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`203.0.113.7:4711`, `[2001:db8::1]:4711`).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    entry
        .parse()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| entry.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
}

/// A request let through: what to tell the client about its budget.
pub struct Admitted(Option<Decision>);

impl Admitted {
    /// Adds the `RateLimit-Policy` and `RateLimit` headers to the answer.
    pub fn stamp(self, mut response: Response) -> Response {
        if let Some(decision) = self.0 {
            add_headers(response.headers_mut(), &decision);
        }
        response
    }
}

/// Charges one request of `cost` units to the agency of `principal`, else to the client's address. `Err`: the 429
/// answer, its body in `content_type`.
pub async fn admit(
    app: &AppState,
    client: &ClientIp,
    principal: Option<&Principal>,
    cost: u32,
    content_type: HeaderValue,
) -> Result<Admitted, Response> {
    let key = match principal {
        Some(p) => ClientKey::agency(&p.agency),
        // Without ConnectInfo (never in `App::run`) every anonymous client shares one budget.
        None => ClientKey::address(client.0.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))),
    };
    match app.rate_limit.check(&key, cost).await {
        Some(decision) if !decision.allowed => Err(too_many_requests(&decision, content_type)),
        decision => Ok(Admitted(decision)),
    }
}

fn add_headers(headers: &mut HeaderMap, decision: &Decision) {
    let name = decision.policy.kind.name();
    let policy = format!("\"{name}\";q={};w=60", decision.policy.per_minute);
    let state = format!(
        "\"{name}\";r={};t={}",
        decision.remaining,
        seconds_up(decision.reset)
    );
    for (header, value) in [(RATELIMIT_POLICY, policy), (RATELIMIT, state)] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(header, value);
        }
    }
}

fn too_many_requests(decision: &Decision, content_type: HeaderValue) -> Response {
    tracing::debug!(policy = decision.policy.kind.name(), "rate limited");
    let retry_after = seconds_up(decision.retry_after).max(1);
    let body = json!({ "errors": [{
        "message": format!("rate limit exceeded: retry in {retry_after} s"),
        "extensions": { "code": code::RATE_LIMITED, "retryAfter": retry_after },
    }] });
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (header::CONTENT_TYPE, content_type),
            (header::RETRY_AFTER, HeaderValue::from(retry_after)),
        ],
        body.to_string(),
    )
        .into_response();
    add_headers(response.headers_mut(), decision);
    response
        .extensions_mut()
        .insert(ErrorCodes(vec![code::RATE_LIMITED]));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).expect("header"));
        }
        headers
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let proxy = ip("10.0.0.1");
        let trusted = [proxy, ip("10.0.0.2")];
        let client = |peer, headers: &HeaderMap| client_ip(ip(peer), headers, &trusted);
        let one = xff(&["203.0.113.7"]);
        assert_eq!(client("10.0.0.1", &one), ip("203.0.113.7"));
        assert_eq!(
            client("198.51.100.1", &one),
            ip("198.51.100.1"),
            "untrusted peer"
        );
        assert_eq!(client("10.0.0.1", &HeaderMap::new()), proxy, "no header");
        // A client's forged entry is left of the address the proxies saw: not believed.
        let forged = xff(&["192.0.2.66, 203.0.113.7"]);
        assert_eq!(client("10.0.0.1", &forged), ip("203.0.113.7"));
        // Through two trusted proxies, over two header lines.
        let chain = xff(&["192.0.2.66, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(client("10.0.0.1", &chain), ip("203.0.113.7"));
        // Ports, brackets and IPv4-mapped IPv6.
        assert_eq!(
            client("10.0.0.1", &xff(&["203.0.113.7:4711"])),
            ip("203.0.113.7")
        );
        assert_eq!(
            client("10.0.0.1", &xff(&["[2001:db8::1]:4711"])),
            ip("2001:db8::1")
        );
        assert_eq!(
            client("10.0.0.1", &xff(&["[2001:db8::1]"])),
            ip("2001:db8::1")
        );
        assert_eq!(client("::ffff:10.0.0.1", &one), ip("203.0.113.7"));
        // Garbage stops at the proxy that wrote it; only proxies in the header: the left-most.
        assert_eq!(client("10.0.0.1", &xff(&["203.0.113.7, unknown"])), proxy);
        assert_eq!(client("10.0.0.1", &xff(&["10.0.0.2"])), ip("10.0.0.2"));
    }
}
