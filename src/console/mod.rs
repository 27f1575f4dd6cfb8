//! The web console at `/console`: server-rendered pages (maud) for the people who are not GraphQL programmers.
//!
//! Every read and write a page makes goes through the hub's own GraphQL schema, executed in-process with the
//! signed-in user's principal (`gql`), so scopes, ND 85 roles, the audit trail and the access log apply exactly as for
//! any client. Pages work without JavaScript; the little script there is only enhances them.
//!
//! Layout of the module: `auth` (sign-in with OpenID Connect, sign-out) and `session` (server-side sessions, the
//! `SignedIn` extractor, CSRF) decide who is asking; `gql` runs the schema; `layout`, `i18n`, `error` and the
//! embedded files of `crate::assets` are what every page shares; the other modules are the pages.

mod admin;
mod agency;
mod approvals;
mod auditor;
pub mod auth;
mod catalog;
mod error;
mod gql;
mod i18n;
mod integrator;
mod layout;
mod paging;
pub mod session;
mod work;

use std::sync::Arc;

use axum::{
    http::{header, HeaderValue},
    routing::{get, post},
    Extension, Router,
};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::http::AppState;

/// What the console keeps for the life of the process (sign-in configuration, sessions).
pub struct Console {
    pub auth: auth::ConsoleAuth,
}

/// The console's routes, all under `/console`. The console's own state travels as an extension (handlers and the
/// `SignedIn` extractor read `Extension<Arc<Console>>`), so the HTTP layer need not know the console.
pub fn router(console: Arc<Console>) -> Router<AppState> {
    Router::new()
        .route("/console", get(catalog::home))
        .route("/console/search", get(catalog::search))
        .route("/console/provinces/{code}", get(catalog::province))
        .route("/console/plans", get(catalog::plans))
        .route("/console/plans/{key}", get(catalog::plan))
        .route("/console/agencies", get(catalog::agencies))
        .route("/console/systems", get(catalog::systems))
        .route("/console/projects", get(catalog::projects))
        .route(
            "/console/national-databases",
            get(catalog::national_databases),
        )
        .route("/console/indicators", get(catalog::indicators))
        .route("/console/assets/{file}", get(crate::assets::serve))
        .route("/console/{*unknown}", get(error::not_found))
        .route("/console/work.js", get(work::script))
        .route("/console/agency", get(agency::list))
        .route(
            "/console/agency/new",
            get(agency::new).post(agency::register),
        )
        .route("/console/agency/systems/{code}", get(agency::show))
        .route("/console/agency/systems/{code}/edit", post(agency::edit))
        .route(
            "/console/agency/systems/{code}/propose",
            post(agency::propose),
        )
        .route(
            "/console/agency/systems/{code}/retire",
            post(agency::retire),
        )
        .route("/console/approvals", get(approvals::list))
        .route("/console/approvals/list", get(approvals::fragment))
        .route("/console/approvals/live", get(approvals::live))
        .route("/console/approvals/{code}", get(approvals::show))
        .route(
            "/console/approvals/{code}/appraise",
            post(approvals::appraise),
        )
        .route(
            "/console/approvals/{code}/approve",
            post(approvals::approve),
        )
        .route("/console/approvals/{code}/reject", post(approvals::reject))
        .route("/console/integrator", get(integrator::page))
        .route("/console/integrator/status", get(integrator::status))
        .route("/console/integrator/test", post(integrator::test))
        .route(
            "/console/integrator/try",
            get(integrator::try_page).post(integrator::try_example),
        )
        .route("/console/audit", get(auditor::log))
        .route(
            "/console/audit/person",
            get(auditor::person_form).post(auditor::person),
        )
        .route("/console/audit/chain", get(auditor::chain))
        .route("/console/admin", get(admin::agencies))
        .route(
            "/console/admin/agencies/new",
            get(admin::new_agency_form).post(admin::new_agency_save),
        )
        .route(
            "/console/admin/projects/new",
            get(admin::new_project_form).post(admin::new_project_save),
        )
        .route(
            "/console/admin/agencies/{key}",
            get(admin::agency_form).post(admin::agency_save),
        )
        .route("/console/admin/projects", get(admin::projects))
        .route(
            "/console/admin/projects/{id}",
            get(admin::project_form).post(admin::project_save),
        )
        .route(
            "/console/admin/links",
            get(admin::links).post(admin::link_save),
        )
        .route("/console/admin/links/remove", post(admin::link_remove))
        .merge(auth::routes())
        // Every console response, pages and errors alike, carries the console's policy (the hub's default one
        // forbids everything, being meant for API answers).
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(layout::CSP),
        ))
        .layer(Extension(console))
}
