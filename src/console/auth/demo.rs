//! The zero set-up's demo agencies. The mock provider's demo users (`mock_upstreams::oidc::DEMO_USERS`) belong to
//! real agencies of the seed, but no plan prints the departments' codes nor names the province's information-security
//! unit. When the hub signs in through the mock provider, each demo user's agency that lacks its code or its ND 85
//! role gets it here — through the schema (`updateAgency`, as an administrator named `console-demo-setup`), so the
//! change is validated, versioned and audited like any administrator's. An agency that already has a code or a role
//! keeps it: this never overwrites.

use std::collections::BTreeSet;

use mock_upstreams::oidc::DEMO_USERS;
use serde_json::json;

use super::super::gql;
use crate::{auth::Principal, codes::AgencyCode, http::AppState};

/// The audit trail's actor of these changes.
pub const ACTOR: &str = "console-demo-setup";

/// Gives the demo users' agencies their demonstration codes and roles where they have none. Failures are logged: the
/// hub serves anyway, and the sign-in of the affected demo user then shows why it cannot act.
#[tracing::instrument(skip_all)]
pub async fn prepare(app: &AppState) {
    let Ok(agency) = AgencyCode::parse("agency", "000.00.00.H48") else {
        return;
    };
    let admin = Principal {
        subject: ACTOR.to_owned(),
        agency,
        scopes: BTreeSet::from([crate::auth::scope::REGISTRY_ADMIN.to_owned()]),
        province: None,
    };
    let mut seen = BTreeSet::new();
    for user in DEMO_USERS {
        if !(user.demonstration_code || user.approval_role.is_some())
            || !seen.insert(user.agency_key)
        {
            continue;
        }
        let read = gql::execute(
            app,
            Some(&admin),
            "query($key: String!) { agency(key: $key) { version code approvalRole } }",
            json!({ "key": user.agency_key }),
        )
        .await;
        let agency = match read {
            Ok(data) => data["agency"].clone(),
            Err(errors) => {
                tracing::warn!(
                    agency = user.agency_key,
                    errors = errors.len(),
                    "demo agency not found"
                );
                continue;
            }
        };
        let mut input = serde_json::Map::new();
        if user.demonstration_code && agency["code"].is_null() {
            input.insert("officialCode".into(), json!(user.agency_code));
        }
        if let (Some(role), true) = (user.approval_role, agency["approvalRole"].is_null()) {
            input.insert("approvalRole".into(), json!(role));
        }
        if input.is_empty() {
            continue;
        }
        let updated = gql::execute(
            app,
            Some(&admin),
            "mutation($key: String!, $version: Int!, $input: UpdateAgencyInput!) {
               updateAgency(key: $key, version: $version, input: $input) { version } }",
            json!({ "key": user.agency_key, "version": agency["version"], "input": input }),
        )
        .await;
        match updated {
            Ok(_) => tracing::warn!(
                agency = user.agency_key,
                code = user.agency_code,
                "gave a demo user's agency its demonstration code or approval role (mock sign-in; off in production)"
            ),
            Err(errors) => tracing::warn!(
                agency = user.agency_key,
                code = ?errors.first().and_then(|e| e.extensions.as_ref()).and_then(|x| x.get("code")),
                "demo agency not updated"
            ),
        }
    }
}
