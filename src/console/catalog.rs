//! The public catalog pages: no sign-in needed, the same fields an anonymous API client reads.

use axum::{extract::State, response::Response};
use maud::html;

use super::{error::ConsoleError, gql, i18n::t, layout, session::SignedIn};
use crate::http::AppState;

/// `/console`: the five provinces.
pub async fn home(
    State(app): State<AppState>,
    user: Option<SignedIn>,
) -> Result<Response, ConsoleError> {
    let data = gql::execute(
        &app,
        user.as_ref().map(|u| &u.principal),
        "{ provinces { code name } }",
        serde_json::Value::Null,
    )
    .await
    .map_err(ConsoleError::Graphql)?;
    let provinces = data["provinces"].as_array().cloned().unwrap_or_default();
    Ok(layout::page(
        t("catalog.title"),
        user.as_ref(),
        html! {
            h1 { (t("catalog.title")) }
            ul { @for p in &provinces { li { (p["name"].as_str().unwrap_or_default()) } } }
        },
    ))
}
