//! The console's files and GraphiQL: embedded, named by their content hash, cached for a year, and nothing loaded
//! from another origin.

use sha2::{Digest, Sha256};

use super::get;
use crate::common::TestHub;

/// The pages whose every reference is checked.
const PAGES: &[&str] = &[
    "/console",
    "/console/plans",
    "/console/plans/kg-kh-2023",
    "/console/provinces/42",
    "/console/agencies",
    "/console/systems",
    "/console/projects",
    "/console/national-databases",
    "/console/indicators",
    "/console/search?q=ha+tinh",
    "/console/no-such-page",
];

/// Whether `text` names another origin: any absolute http(s) or protocol-relative URL.
fn names_another_origin(text: &str) -> Option<String> {
    for marker in ["http://", "https://", "\"//", "'//", "url(//"] {
        if let Some(at) = text.find(marker) {
            return Some(text[at.saturating_sub(40)..(at + 60).min(text.len())].to_owned());
        }
    }
    None
}

/// `/console/assets/console.<12 hex>.css` → the plain name and the hash.
fn split_hashed(url: &str) -> (String, String) {
    let file = url.strip_prefix("/console/assets/").expect("an asset URL");
    let (stem, ext) = file.rsplit_once('.').expect("an extension");
    let (name, hash) = stem.rsplit_once('.').expect("a hash");
    (format!("{name}.{ext}"), hash.to_owned())
}

/// Every file a page loads is the hub's own, named by the hash of its content and cached for a year.
#[tokio::test]
async fn assets_are_hashed_and_cached_for_good() {
    let hub = TestHub::shared().await;
    let page = get(&hub, "/console").await;
    let mut urls: Vec<String> = page.attributes("src");
    urls.extend(
        page.attributes("href")
            .into_iter()
            .filter(|h| h.starts_with("/console/assets/")),
    );
    assert!(
        urls.iter().any(|u| u.ends_with(".css")) && urls.iter().any(|u| u.ends_with(".js")),
        "{urls:?}"
    );
    for url in &urls {
        let (name, hash) = split_hashed(url);
        assert_eq!(hash.len(), 12, "{url}");
        let resp = hub.client.get(hub.url(url)).send().await.expect("asset");
        assert_eq!(resp.status().as_u16(), 200, "{url}");
        let headers = resp.headers().clone();
        assert_eq!(
            headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("public, max-age=31536000, immutable"),
            "{url}"
        );
        let kind = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if name.ends_with(".css") {
            assert!(kind.starts_with("text/css"), "{url}: {kind}");
        } else {
            assert!(kind.starts_with("text/javascript"), "{url}: {kind}");
        }
        let body = resp.bytes().await.expect("body");
        let digest: String = Sha256::digest(&body)[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, hash, "{url}: the name's hash is the content's");
    }
}

/// A name that is not an embedded file's hashed name is not found (an old hash after an upgrade, a guess).
#[tokio::test]
async fn unknown_or_stale_asset_names_are_not_found() {
    let hub = TestHub::shared().await;
    let page = get(&hub, "/console").await;
    let css = page
        .attributes("href")
        .into_iter()
        .find(|h| h.starts_with("/console/assets/console."))
        .expect("the stylesheet");
    let (_, hash) = split_hashed(&css);
    for path in [
        css.replace(&hash, "000000000000"),
        "/console/assets/console.css".to_owned(),
        "/console/assets/missing".to_owned(),
    ] {
        let resp = hub.client.get(hub.url(&path)).send().await.expect("asset");
        assert_eq!(resp.status().as_u16(), 404, "{path}");
    }
}

/// No console page, nor the console's own stylesheet and script, names another origin.
#[tokio::test]
async fn no_console_page_or_file_references_another_origin() {
    let hub = TestHub::shared().await;
    let mut files = Vec::new();
    for path in PAGES {
        let page = get(&hub, path).await;
        assert!(
            names_another_origin(&page.body).is_none(),
            "{path}: {:?}",
            names_another_origin(&page.body)
        );
        for url in page
            .attributes("src")
            .into_iter()
            .chain(page.attributes("href"))
        {
            // `data:` (the empty favicon) is fetched from nowhere.
            assert!(
                url.starts_with('/') || url.starts_with('#') || url.starts_with("data:"),
                "{path} links outside: {url}"
            );
            if url.starts_with("/console/assets/") && !files.contains(&url) {
                files.push(url);
            }
        }
    }
    for url in &files {
        let body = hub
            .client
            .get(hub.url(url))
            .send()
            .await
            .expect("asset")
            .text()
            .await
            .expect("text");
        assert!(
            names_another_origin(&body).is_none(),
            "{url}: {:?}",
            names_another_origin(&body)
        );
    }
}

/// GraphiQL at `/` loads its vendored production bundles from the hub, no inline script, under a policy that
/// allows only the hub's origin.
#[tokio::test]
async fn graphiql_loads_only_same_origin_files() {
    let hub = TestHub::shared().await;
    let page = get(&hub, "/").await;
    assert_eq!(page.status, 200);
    assert!(
        names_another_origin(&page.body).is_none(),
        "{:?}",
        names_another_origin(&page.body)
    );
    let scripts = page.attributes("src");
    assert_eq!(
        page.body.matches("<script").count(),
        scripts.len(),
        "every script is a file"
    );
    let styles: Vec<String> = page.attributes("href");
    for wanted in [
        "react.production.min",
        "react-dom.production.min",
        "graphiql.min",
        "graphiql-boot",
    ] {
        assert!(
            scripts.iter().any(|s| s.contains(&format!("/{wanted}."))),
            "{wanted}: {scripts:?}"
        );
    }
    assert!(
        styles.iter().any(|s| s.contains("/graphiql.min.")),
        "{styles:?}"
    );
    for url in scripts.iter().chain(&styles) {
        assert!(url.starts_with("/console/assets/"), "{url}");
        let resp = hub.client.get(hub.url(url)).send().await.expect("asset");
        assert_eq!(resp.status().as_u16(), 200, "{url}");
        let body = resp.text().await.expect("text");
        // Vendored bundles mention URLs in messages and licences; what matters is that none loads a CDN.
        for cdn in [
            "unpkg.com",
            "cdn.jsdelivr.net",
            "cdnjs.cloudflare.com",
            "fonts.googleapis.com",
        ] {
            assert!(!body.contains(cdn), "{url} names {cdn}");
        }
        if url.ends_with(".css") {
            assert!(
                !body.contains("url(http") && !body.contains("@import"),
                "{url}"
            );
        }
    }
    let csp = page.header("content-security-policy");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(
        !csp.contains("http") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap_or_default();
    assert!(!script_src.contains("unsafe-inline"), "{csp}");
}
