//! The web console over HTTP: its pages and forms, by area.

mod auth;
