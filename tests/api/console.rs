//! The web console over HTTP.

mod inbox_api;
mod pages;
