//! lgsp-hub: an open provincial integration and data-sharing platform (LGSP) with a GraphQL face.
//!
//! Layers, top to bottom (ARCHITECTURE.md tells more): [`http`] (routes, GraphQL over HTTP, persisted documents,
//! admission, rate limits) → [`graphql`] (schema, thin resolvers, loaders) → the services: [`store`] (SQL over the
//! registries, the one versioned write path), [`federation`] (personal-data lookups over [`upstream`] clients),
//! [`approval`] (the ND 85/2016 workflow), [`access_log`] (the hash-chained log) → `entities`/`migrations`.
//! Beside them: [`limits`] (what a document may ask), [`rate_limit`], [`auth`], [`events`] (change fan-out),
//! [`cache`], [`config`], [`console`] (the web console, over the schema), [`assets`] (its embedded, hashed files), [`telemetry`] (metrics), [`health`] (readiness), [`error`] (the one mapping to GraphQL codes), [`seed`] (the registries from the plans).
#![forbid(unsafe_code)]

pub mod access_log;
pub mod app;
pub mod approval;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod clock;
pub mod codes;
pub mod config;
pub mod console;
pub mod db;
pub mod error;
pub mod events;
pub mod federation;
pub mod graphql;
pub mod health;
pub mod http;
pub mod legal;
pub mod limits;
pub mod rate_limit;
pub mod seed;
pub mod sharing;
pub mod splitmix;
pub mod store;
pub mod telemetry;
pub mod text;
pub mod upstream;

pub use app::{App, AppError};
pub use config::Config;
