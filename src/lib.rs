//! lgsp-hub: an open provincial integration and data-sharing platform (LGSP) with a GraphQL face.
//!
//! Layers, top to bottom: [`http`] (routes, GraphQL-over-HTTP) → [`graphql`] (schema, thin resolvers, loaders) →
//! [`store`] (queries) → `entities`/`migrations`. [`seed`] loads the registries from the provincial plans.
#![forbid(unsafe_code)]

pub mod access_log;
pub mod app;
pub mod approval;
pub mod auth;
pub mod codes;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod federation;
pub mod graphql;
pub mod http;
pub mod limits;
pub mod rate_limit;
pub mod seed;
pub mod splitmix;
pub mod store;
pub mod text;
pub mod upstream;

pub use app::{App, AppError};
pub use config::Config;
