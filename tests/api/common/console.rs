//! Signing in to the console in tests: a hub with the built-in mock OpenID provider, and a client that walks the
//! sign-in over HTTP as a browser would (console → provider's sign-in page → the demo user's button → callback) and
//! keeps the session cookie. Pages' forms are read with [`form_fields`] and [`csrf_token`].
//!
//! ```ignore
//! let hub = console::hub().await;
//! let operator = console::Session::sign_in(&hub, "demo-operator").await;
//! let page = operator.get("/console/agency").await;
//! let csrf = console::csrf_token(&page.text);
//! let done = operator.post_form("/console/agency/systems", &[("csrf", &csrf), ("name", "...")]).await;
//! assert_eq!(done.status, 303);
//! ```

use reqwest::{header, redirect::Policy, Client, StatusCode};
use tokio::sync::OnceCell;

use super::{background, TestHub};

/// The demo users of the mock provider (`mock_upstreams::oidc::DEMO_USERS`), by subject.
pub const OPERATOR: &str = "demo-operator";
pub const SECURITY_UNIT: &str = "demo-security";
pub const APPROVER: &str = "demo-approver";
pub const INTEGRATOR: &str = "demo-integrator";
pub const AUDITOR: &str = "demo-auditor";
pub const ADMIN: &str = "demo-admin";

/// A hub of its own whose console signs in through the built-in mock provider (the test hubs run in production mode,
/// where the mock is off unless asked for).
pub async fn hub() -> TestHub {
    hub_configured(|_| {}).await
}

/// As [`hub`], with more configuration (session timeouts, a manual clock is [`TestHub::start_clocked`]'s).
pub async fn hub_configured(configure: impl FnOnce(&mut lgsp_hub::config::Overrides)) -> TestHub {
    TestHub::start_configured(0, |o| {
        o.settings.mock_oidc = Some(true);
        configure(o);
    })
    .await
}

/// One console hub that tests which only read (and sign in) share, like [`TestHub::shared`].
pub async fn shared_hub() -> TestHub {
    static SHARED: OnceCell<TestHub> = OnceCell::const_new();
    let hub = SHARED
        .get_or_init(|| background::run(hub_configured(|_| {})))
        .await;
    TestHub {
        base: hub.base.clone(),
        db: hub.db.clone(),
        client: Client::new(),
        database_url: hub.database_url.clone(),
        _server: hub._server.clone(),
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    /// `Location` of a redirect.
    pub location: Option<String>,
    pub headers: header::HeaderMap,
    pub text: String,
}

async fn page(resp: reqwest::Response) -> Page {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let location = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Page {
        status,
        location,
        headers,
        text: resp.text().await.expect("body"),
    }
}

/// An HTTP client that follows no redirect (each step of the flow is looked at).
pub fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// The value of cookie `name` that a response sets, if it does (an empty value: cleared).
pub fn set_cookie(headers: &header::HeaderMap, name: &str) -> Option<String> {
    set_cookie_line(headers, name).map(|line| {
        line.split(';')
            .next()
            .and_then(|kv| kv.split_once('='))
            .map(|(_, v)| v.to_owned())
            .unwrap_or_default()
    })
}

/// The whole `Set-Cookie` line for cookie `name`, attributes included.
pub fn set_cookie_line(headers: &header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in one tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

/// Every `<input>` of a page with a name, as (name, value) in page order.
pub fn form_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            Some((
                attribute(tag, "name")?,
                attribute(tag, "value").unwrap_or_default(),
            ))
        })
        .collect()
}

/// The CSRF token of the first form of a page (its hidden `csrf` field). Panics when the page has none.
pub fn csrf_token(html: &str) -> String {
    form_fields(html)
        .into_iter()
        .find(|(name, _)| name == "csrf")
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no csrf field in the page: {html}"))
}

/// The steps of a sign-in, for tests that tamper with one.
pub mod flow {
    use super::*;

    /// `GET /console/sign-in?next=`: the provider's authorisation URL and the sign-in cookie's value.
    pub async fn start(hub: &TestHub, next: &str) -> (String, String) {
        let resp = client()
            .get(hub.url(&format!("/console/sign-in?next={next}")))
            .header(header::ACCEPT, "text/html")
            .send()
            .await
            .expect("sign-in");
        let p = page(resp).await;
        assert_eq!(p.status, 303, "sign-in starts with a redirect: {}", p.text);
        let cookie = set_cookie(&p.headers, "lgsp_console_sign_in").expect("sign-in cookie");
        (p.location.expect("Location"), cookie)
    }

    /// The provider's sign-in page at `authorize_url`: the form's fields; `tamper` may change them; then the button
    /// of `subject`. Returns the provider's redirect (the hub's callback URL with `code` and `state`).
    pub async fn choose(
        authorize_url: &str,
        subject: &str,
        tamper: impl FnOnce(&mut Vec<(String, String)>),
    ) -> String {
        let p = page(client().get(authorize_url).send().await.expect("authorize")).await;
        assert_eq!(p.status, 200, "{}", p.text);
        assert!(
            p.text.contains(&format!("value=\"{subject}\"")),
            "{subject} listed: {}",
            p.text
        );
        let mut fields: Vec<(String, String)> = form_fields(&p.text);
        fields.retain(|(name, _)| name != "user");
        tamper(&mut fields);
        fields.push(("user".into(), subject.into()));
        let post_url = authorize_url.split('?').next().expect("url");
        let p = page(
            client()
                .post(post_url)
                .form(&fields)
                .send()
                .await
                .expect("choose"),
        )
        .await;
        assert_eq!(p.status, 303, "{}", p.text);
        p.location.expect("Location")
    }

    /// The provider's redirect to the hub's callback, with the sign-in cookie (when given).
    pub async fn finish(callback_url: &str, sign_in_cookie: Option<&str>) -> Page {
        let mut request = client()
            .get(callback_url)
            .header(header::ACCEPT, "text/html");
        if let Some(c) = sign_in_cookie {
            request = request.header(header::COOKIE, format!("lgsp_console_sign_in={c}"));
        }
        page(request.send().await.expect("callback")).await
    }
}

/// A signed-in console user: a client and the session cookie.
pub struct Session {
    pub base: String,
    pub client: Client,
    /// The session id (the cookie's value).
    pub cookie: String,
}

impl Session {
    /// Signs in as the demo user `subject` through the mock provider, over HTTP.
    pub async fn sign_in(hub: &TestHub, subject: &str) -> Session {
        let (authorize, sign_in_cookie) = flow::start(hub, "/console").await;
        let callback = flow::choose(&authorize, subject, |_| {}).await;
        let done = flow::finish(&callback, Some(&sign_in_cookie)).await;
        assert_eq!(done.status, 303, "callback: {}", done.text);
        let cookie = set_cookie(&done.headers, "lgsp_console")
            .filter(|c| !c.is_empty())
            .expect("session cookie");
        Session {
            base: hub.base.clone(),
            client: client(),
            cookie,
        }
    }

    fn with_cookie(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        r.header(header::COOKIE, format!("lgsp_console={}", self.cookie))
            .header(header::ACCEPT, "text/html")
    }

    /// `GET path` with the session (redirects are not followed).
    pub async fn get(&self, path: &str) -> Page {
        let r = self.with_cookie(self.client.get(format!("{}{path}", self.base)));
        page(r.send().await.expect("GET")).await
    }

    /// `POST path` with a form, with the session (redirects are not followed).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let r = self.with_cookie(self.client.post(format!("{}{path}", self.base)));
        page(r.form(fields).send().await.expect("POST")).await
    }

    /// The session's CSRF token, read from the console's home page.
    pub async fn csrf(&self) -> String {
        csrf_token(&self.get("/console").await.text)
    }
}

/// Whether `status` is a redirect to the sign-in page.
pub fn is_sign_in_redirect(p: &Page) -> bool {
    StatusCode::from_u16(p.status).is_ok_and(|s| s.is_redirection())
        && p.location
            .as_deref()
            .is_some_and(|l| l.starts_with("/console/sign-in"))
}
