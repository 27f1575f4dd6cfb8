//! The static files the hub's pages load (the console's stylesheet and script, GraphiQL and React), vendored under
//! `assets/` with their licences, embedded in the binary and served at `/console/assets/<name>.<hash>.<ext>`.
//!
//! The hash is the file's content hash, so a URL names one version for ever: responses carry
//! `Cache-Control: public, max-age=31536000, immutable` and a new build with a changed file gets a new URL. Pages
//! never spell a URL by hand; they ask [`url`]. A leaf module: the HTTP layer (GraphiQL's page) and the console both
//! use it, and neither may import the other.

use std::{collections::HashMap, sync::LazyLock};

use axum::{
    extract::Path,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

/// Where the hashed files are served.
pub const PREFIX: &str = "/console/assets/";

/// One embedded file: the name pages ask for, its bytes and its media type.
struct Asset {
    name: &'static str,
    bytes: &'static [u8],
    content_type: &'static str,
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Every file that is served. Vendored files keep their upstream names; versions and licences are in
/// `assets/vendor/README.md`.
const FILES: &[Asset] = &[
    Asset {
        name: "console.css",
        bytes: include_bytes!("../assets/console/console.css"),
        content_type: CSS,
    },
    Asset {
        name: "console.js",
        bytes: include_bytes!("../assets/console/console.js"),
        content_type: JS,
    },
    Asset {
        name: "graphiql-page.css",
        bytes: include_bytes!("../assets/console/graphiql-page.css"),
        content_type: CSS,
    },
    Asset {
        name: "graphiql-boot.js",
        bytes: include_bytes!("../assets/console/graphiql-boot.js"),
        content_type: JS,
    },
    Asset {
        name: "graphiql.min.js",
        bytes: include_bytes!("../assets/vendor/graphiql-3.8.3/graphiql.min.js"),
        content_type: JS,
    },
    Asset {
        name: "graphiql.min.css",
        bytes: include_bytes!("../assets/vendor/graphiql-3.8.3/graphiql.min.css"),
        content_type: CSS,
    },
    Asset {
        name: "react.production.min.js",
        bytes: include_bytes!("../assets/vendor/react-18.3.1/react.production.min.js"),
        content_type: JS,
    },
    Asset {
        name: "react-dom.production.min.js",
        bytes: include_bytes!("../assets/vendor/react-dom-18.3.1/react-dom.production.min.js"),
        content_type: JS,
    },
];

/// The files by their hashed names, and each file's URL by its plain name. Hashed once, on first use (the
/// largest bundle takes a few milliseconds).
struct Index {
    by_hashed: HashMap<String, &'static Asset>,
    urls: HashMap<&'static str, String>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut by_hashed = HashMap::new();
    let mut urls = HashMap::new();
    for asset in FILES {
        let hashed = hashed_name(asset.name, asset.bytes);
        urls.insert(asset.name, format!("{PREFIX}{hashed}"));
        by_hashed.insert(hashed, asset);
    }
    Index { by_hashed, urls }
});

/// `console.css` → `console.<first 12 hex digits of its SHA-256>.css`: the hash goes before the last extension, so
/// the served name still ends in what its media type is (`graphiql.min.js` → `graphiql.min.<hash>.js`).
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

/// The URL of the embedded file `name` (e.g. `console.css`). An unknown name is a mistake in a template; it gives a
/// URL that answers 404, so the page still renders and the tests see it.
pub fn url(name: &str) -> &'static str {
    INDEX
        .urls
        .get(name)
        .map(String::as_str)
        .unwrap_or("/console/assets/missing")
}

/// `GET /console/assets/{file}`: the file whose hashed name is `file`, cached for a year.
pub async fn serve(Path(file): Path<String>) -> Response {
    let Some(asset) = INDEX.by_hashed.get(file.as_str()) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_content_hash_before_the_extension() {
        let url = url("console.css");
        assert!(url.starts_with("/console/assets/console."), "{url}");
        assert!(url.ends_with(".css"), "{url}");
        assert_eq!(url.len(), "/console/assets/console..css".len() + 12);
        assert_eq!(super::url("nope.css"), "/console/assets/missing");
    }

    #[test]
    fn hashed_names_change_with_the_content() {
        assert_ne!(hashed_name("a.js", b"1"), hashed_name("a.js", b"2"));
        assert_eq!(hashed_name("a.js", b"1"), hashed_name("a.js", b"1"));
    }
}
