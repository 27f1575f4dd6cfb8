//! Integration tests: the real hub on a random port, over HTTP, on a fresh database per test, copied from a template
//! seeded once per run (SQLite by default; PostgreSQL when `LGSP_TEST_DATABASE_URL` is set). Tests that only read
//! share one hub. Tests wait for conditions by polling with a deadline, not by sleeping.

mod access_log;
mod admin;
mod approval;
mod auth;
mod catalog;
mod common;
mod console;
mod errors;
mod faults;
mod federation;
mod fidelity;
mod filters;
mod http_spec;
mod input_hygiene;
mod integrity;
mod jwks;
mod legal;
mod lifecycle;
mod limits;
mod logs;
mod metrics;
mod migration;
mod mock;
mod mock_upstreams;
mod pagination;
mod protection;
mod rate_limit;
mod readiness;
mod registration;
mod response_cache;
mod search;
mod seed_faithfulness;
mod seeding;
mod sharing;
mod sql_budget;
mod subscriptions;
mod traces;
mod upstream_health;
