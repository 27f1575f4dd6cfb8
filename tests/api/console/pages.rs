//! What the tests of the signed-in pages share: a browser that keeps the session cookie and follows no redirect (the
//! tests assert each 303), a form's CSRF token read from a page, and the pages behind sign-in.

use crate::common::{console, TestHub};

/// The mock provider's demo users, by role (Quảng Ngãi: `mock_upstreams::oidc::DEMO_USERS`).
#[derive(Debug, Clone, Copy)]
pub enum Demo {
    /// Sở Y tế: `systems:write`.
    Operator,
    /// Sở TT&TT, the province's information-security unit: `systems:approve`.
    SecurityUnit,
    /// The People's Committee, the owner: `systems:approve`.
    Committee,
    /// The national databases' scopes.
    Integrator,
    /// Thanh tra tỉnh: `audit:read`.
    Auditor,
    /// `registry:admin`.
    Admin,
}

/// A browser signed in as `who` through the mock provider, over HTTP.
pub async fn signed_in(hub: &TestHub, who: Demo) -> Browser {
    let subject = match who {
        Demo::Operator => console::OPERATOR,
        Demo::SecurityUnit => console::SECURITY_UNIT,
        Demo::Committee => console::APPROVER,
        Demo::Integrator => console::INTEGRATOR,
        Demo::Auditor => console::AUDITOR,
        Demo::Admin => console::ADMIN,
    };
    let session = console::Session::sign_in(hub, subject).await;
    Browser {
        cookie: Some(format!("lgsp_console={}", session.cookie)),
        ..Browser::anonymous(hub)
    }
}

/// One answer of the hub to the browser.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// Asserts the status, showing the page when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "{}", self.body);
        self
    }

    /// Asserts that the page contains `text`.
    #[track_caller]
    pub fn contains(&self, text: &str) -> &Self {
        assert!(self.body.contains(text), "no {text:?} in: {}", self.body);
        self
    }
}

/// A browser: a client without redirects, and the session cookie once signed in.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

impl Browser {
    pub fn anonymous(hub: &TestHub) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: hub.url(""),
            cookie: None,
        }
    }

    async fn answer(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        Page {
            status,
            location,
            body: response.text().await.expect("body"),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let mut request = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html");
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        Browser::answer(request.send().await.expect("GET")).await
    }

    /// Opens `path` as a stream (server-sent events): the response, headers read, body not.
    pub async fn open_stream(&self, path: &str) -> reqwest::Response {
        let mut request = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/event-stream");
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.expect("GET stream")
    }

    /// POSTs `form` as `application/x-www-form-urlencoded`.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        Browser::answer(request.send().await.expect("POST")).await
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of the first `<input ... name="{name}" value="...">` of a page.
pub fn input_value(body: &str, name: &str) -> Option<String> {
    let at = body.find(&format!("name=\"{name}\""))?;
    let tag_start = body[..at].rfind('<')?;
    let tag_end = at + body[at..].find('>')?;
    let tag = &body[tag_start..tag_end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let end = v + tag[v..].find('"')?;
    Some(tag[v..end].replace("&amp;", "&"))
}

/// The CSRF token of a page's forms.
#[track_caller]
pub fn csrf_of(page: &Page) -> String {
    input_value(&page.body, "csrf").unwrap_or_else(|| panic!("no CSRF field in: {}", page.body))
}

/// Every signed-in page (GET), by area.
pub const PAGES: [&str; 13] = [
    "/console/agency",
    "/console/agency/new",
    "/console/approvals",
    "/console/approvals/list",
    "/console/integrator",
    "/console/integrator/status",
    "/console/integrator/try?service=population",
    "/console/audit",
    "/console/audit/person",
    "/console/audit/chain",
    "/console/admin",
    "/console/admin/projects",
    "/console/admin/links",
];

/// Every form's target (POST), with a path parameter where one is needed.
pub const FORMS: [&str; 10] = [
    "/console/agency/new",
    "/console/agency/systems/X/edit",
    "/console/agency/systems/X/propose",
    "/console/approvals/X/approve",
    "/console/integrator/test",
    "/console/integrator/try",
    "/console/audit/person",
    "/console/admin/agencies/X",
    "/console/admin/links",
    "/console/admin/links/remove",
];

#[tokio::test]
async fn without_a_session_every_page_and_form_sends_to_sign_in() {
    let hub = TestHub::shared().await;
    let browser = Browser::anonymous(&hub);
    for path in PAGES {
        let page = browser.get(path).await;
        assert!((300..400).contains(&page.status), "{path}: {}", page.status);
        let to = page.location.unwrap_or_default();
        assert!(to.starts_with("/console/sign-in"), "{path} → {to}");
    }
    for path in FORMS {
        let page = browser.post(path, &[("csrf", "x"), ("name", "y")]).await;
        assert!((300..400).contains(&page.status), "{path}: {}", page.status);
    }
}

#[tokio::test]
async fn the_pages_script_is_served_from_the_hub() {
    let hub = TestHub::shared().await;
    let page = Browser::anonymous(&hub).get("/console/work.js").await;
    page.expect(200)
        .contains("EventSource")
        .contains("data-copy");
}

#[test]
fn input_values_are_read_from_their_tag() {
    let body = r#"<form><input type="hidden" name="csrf" value="a&amp;b"><input name="version" value="3"></form>"#;
    assert_eq!(input_value(body, "csrf").as_deref(), Some("a&b"));
    assert_eq!(input_value(body, "version").as_deref(), Some("3"));
    assert_eq!(input_value(body, "other"), None);
    let page = Page {
        status: 200,
        location: None,
        body: body.to_owned(),
    };
    assert_eq!(csrf_of(&page), "a&b");
}

/// The `href` of the link whose `rel` is `rel` (`next`, `prev`) in `body`, unescaped.
pub fn link(body: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\" href=\"");
    let href = &body[body.find(&marker)? + marker.len()..];
    Some(href[..href.find('"')?].replace("&amp;", "&"))
}
