//! The web console over HTTP: its pages and forms, by area.

mod admin;
mod agency;
mod approvals;
mod auditor;
mod auth;
mod inbox_api;
mod integrator;
mod pages;
