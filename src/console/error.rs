//! What a page shows when something fails: a plain Vietnamese message and what to do, never internals.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use maud::html;

use super::layout;

/// Why a console page could not be shown.
#[derive(Debug)]
pub enum ConsoleError {
    /// The schema refused or failed; the errors carry their `extensions.code`.
    Graphql(Vec<async_graphql::ServerError>),
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let ConsoleError::Graphql(errors) = self;
        let mut page = layout::page(
            "Lỗi",
            None,
            html! { p { "Không thực hiện được yêu cầu (" (errors.len()) " lỗi). Vui lòng thử lại sau." } },
        );
        *page.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        page
    }
}
