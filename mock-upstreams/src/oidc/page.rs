//! The mock provider's pages: the sign-in page (one button per demo user) and the refusal of a malformed request. Plain
//! HTML with its own small style sheet in the page's `<style>`, no script, nothing from another origin.

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};

use super::DEMO_USERS;

/// Escapes text for HTML content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;\
color:#1a1a1a;background:#fff;line-height:1.5}h1{font-size:1.5rem}p.note{color:#444}\
ul{list-style:none;padding:0}li{margin:.75rem 0}button{width:100%;text-align:left;padding:.75rem 1rem;\
font:inherit;border:2px solid #0b5394;border-radius:.4rem;background:#f3f7fc;color:#1a1a1a;cursor:pointer}\
button:hover,button:focus{background:#dbe8f6;outline:3px solid #0b5394;outline-offset:2px}\
.name{font-weight:600;display:block}.role{display:block;color:#333}";

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'",
            ),
        ],
        page,
    )
        .into_response()
}

/// The sign-in page: the client's request in hidden fields, and a submit button per demo user.
pub fn sign_in(fields: &[(&str, String)]) -> Response {
    let mut body = String::from(
        "<h1>Đăng nhập</h1><p class=\"note\">Nhà cung cấp định danh mô phỏng (chỉ dùng để phát triển và kiểm thử): \
         chọn một người dùng mẫu để đăng nhập vào bảng điều khiển.</p><form method=\"post\" action=\"authorize\">",
    );
    for (name, value) in fields {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        ));
    }
    body.push_str("<ul>");
    for u in DEMO_USERS {
        body.push_str(&format!(
            "<li><button type=\"submit\" name=\"user\" value=\"{}\"><span class=\"name\">{}</span>\
             <span class=\"role\">{} — {}</span></button></li>",
            escape(u.subject),
            escape(u.name),
            escape(u.role),
            escape(u.agency_name),
        ));
    }
    body.push_str("</ul></form>");
    html(
        StatusCode::OK,
        "Đăng nhập — nhà cung cấp định danh mô phỏng",
        &body,
    )
}

/// A request the provider will not serve, shown here rather than sent to an unchecked redirect URI.
pub fn refused(reason: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        "Yêu cầu đăng nhập không hợp lệ",
        &format!(
            "<h1>Yêu cầu đăng nhập không hợp lệ</h1><p>Ứng dụng đã gửi một yêu cầu sai: <code>{}</code>.</p>",
            escape(reason)
        ),
    )
}
