//! sea-orm entities of the lgsp-hub registries. Database models only: the GraphQL types live in the hub crate.

pub mod access_log_entry;
pub mod agency;
pub mod audit_event;
pub mod console_session;
pub mod console_sign_in;
pub mod enums;
pub mod indicator;
pub mod information_system;
pub mod national_database;
pub mod national_database_link;
pub mod national_database_link_statement;
pub mod plan;
pub mod project;
pub mod project_budget;
pub mod project_lead_agency;
pub mod province;
pub mod reported_figure;
pub mod search_entry;
pub mod sharing_grant;
pub mod sharing_request;
pub mod sharing_service;
