//! The console's cookies: reading one from a request, and the `Set-Cookie` values that set and clear them.

use axum::http::{header, HeaderMap, HeaderValue};

/// The session cookie: the session id, nothing else.
pub const SESSION_COOKIE: &str = "lgsp_console";
/// The sign-in in progress: its `state`, so the callback is accepted only in the browser that started it (a callback
/// link someone else started cannot sign a victim into the sender's account).
pub const SIGN_IN_COOKIE: &str = "lgsp_console_sign_in";

/// The value of cookie `name`, if the request carries it.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for `name=value` under `/console`, `HttpOnly`, `SameSite=Lax`, `Secure` when asked, living `max_age`
/// seconds (`None`: until the browser closes; `Some(0)`: cleared).
pub fn set(name: &str, value: &str, secure: bool, max_age: Option<u64>) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/console; HttpOnly; SameSite=Lax");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    // Only base64url values and fixed names reach here, so the header is always valid; an empty cookie otherwise.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` that clears `name`.
pub fn clear(name: &str, secure: bool) -> HeaderValue {
    set(name, "", secure, Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; lgsp_console=abc"),
        );
        assert_eq!(read(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(read(&h, SIGN_IN_COOKIE), None);
    }

    #[test]
    fn the_session_cookie_has_its_attributes() {
        let v = set(SESSION_COOKIE, "x", true, None);
        let v = v.to_str().expect("ascii");
        for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/console"] {
            assert!(v.contains(attr), "{v}");
        }
        assert!(!set(SESSION_COOKIE, "x", false, None)
            .to_str()
            .expect("ascii")
            .contains("Secure"));
    }
}
