//! The web console over HTTP: its pages are HTML, so these tests read status, headers and markup.

mod admin;
mod agency;
mod approvals;
mod assets;
mod auditor;
mod auth;
mod catalog;
mod inbox_api;
mod integrator;
mod pages;

use reqwest::header::HeaderMap;

use crate::common::TestHub;

/// A page as the browser gets it: status, headers and body.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The values of every `attr="..."` in the page (hrefs, srcs), with `&amp;` read back.
    pub fn attributes(&self, attr: &str) -> Vec<String> {
        let marker = format!("{attr}=\"");
        let mut found = Vec::new();
        let mut rest = self.body.as_str();
        while let Some(at) = rest.find(&marker) {
            rest = &rest[at + marker.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            found.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
        found
    }
}

/// GETs `path` from `hub`.
pub async fn get(hub: &TestHub, path: &str) -> Page {
    let resp = hub.client.get(hub.url(path)).send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.text().await.expect("body");
    Page {
        status,
        headers,
        body,
    }
}

/// What maud writes for `text` in HTML.
pub fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
