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
    /// Not allowed: a form without the session's CSRF token, or a user without the role (403).
    Forbidden,
}

impl From<super::session::CsrfRefused> for ConsoleError {
    fn from(_: super::session::CsrfRefused) -> ConsoleError {
        ConsoleError::Forbidden
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let errors = match self {
            ConsoleError::Graphql(errors) => errors,
            ConsoleError::Forbidden => {
                let mut page = layout::page(
                    "Không có quyền",
                    None,
                    html! { p { "Bạn không có quyền thực hiện thao tác này, hoặc biểu mẫu đã hết hạn. Hãy tải lại trang rồi thử lại." } },
                );
                *page.status_mut() = StatusCode::FORBIDDEN;
                return page;
            }
        };
        let mut page = layout::page(
            "Lỗi",
            None,
            html! { p { "Không thực hiện được yêu cầu (" (errors.len()) " lỗi). Vui lòng thử lại sau." } },
        );
        *page.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        page
    }
}
