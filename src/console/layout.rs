//! The page every console page is drawn in: head, navigation, who is signed in, and the body.

use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::{i18n::t, session::SignedIn};

/// A whole HTML page around `body`.
pub fn page(title: &str, user: Option<&SignedIn>, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t("common.app.title")) }
            }
            body {
                header {
                    a href="/console" { (t("common.app.title")) }
                    @if let Some(user) = user { span { (user.display_name) } (super::session::sign_out_form(user)) }
                }
                main { (body) }
            }
        }
    };
    Html(markup.into_string()).into_response()
}
