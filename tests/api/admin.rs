//! Registry administration: agencies, projects and national-database connections written with `registry:admin`,
//! read back through the catalog, each with its audit event; refused writes (scope, input, codes, versions) change
//! nothing, and seeded rows keep their source when edited.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::common::{token, TestHub};

mod agencies;
mod links;
mod projects;
mod refusals;

const ADMIN_AGENCY: &str = "000.00.00.G22"; // the token's agency need not be in the registry
pub const QN_CODE: &str = "000.00.00.H48"; // UBND tỉnh Quảng Ngãi, seeded

pub const CREATE_AGENCY: &str = "mutation($input: CreateAgencyInput!) { createAgency(input: $input) {
    key code name kind version edited approvalRole province { code } parent { key } source { line } } }";
pub const UPDATE_AGENCY: &str =
    "mutation($key: String!, $version: Int!, $input: UpdateAgencyInput!) {
    updateAgency(key: $key, version: $version, input: $input) {
    key code name kind version edited approvalRole parent { key } source { file line } } }";
pub const CREATE_PROJECT: &str = "mutation($input: CreateProjectInput!) { createProject(input: $input) {
    key name version edited yearStart yearEnd fundingSource province { code } plan { key } leadAgency { key }
    total { printed unit millionVnd } source { line } } }";
pub const UPDATE_PROJECT: &str =
    "mutation($key: String!, $version: Int!, $input: UpdateProjectInput!) {
    updateProject(key: $key, version: $version, input: $input) {
    key name version edited yearStart yearEnd total { printed millionVnd } source { file line } } }";
pub const CONNECT: &str = "mutation($p: String!, $d: String!, $s: ConnectionStatus!, $n: String, $v: Int) {
    connectNationalDatabase(provinceCode: $p, nationalDatabaseKey: $d, status: $s, note: $n, version: $v) {
    status note quote version recordedByAdministrator plan { key } source { line } } }";
pub const DISCONNECT: &str = "mutation($p: String!, $d: String!, $v: Int!) {
    disconnectNationalDatabase(provinceCode: $p, nationalDatabaseKey: $d, version: $v) { status version } }";

pub fn admin() -> String {
    token(ADMIN_AGENCY, "registry:admin")
}

pub fn code_of(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

pub fn field_of(body: &Value) -> String {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Runs an admin mutation that must succeed; returns its field's value.
pub async fn ok(hub: &TestHub, query: &str, vars: Value, field: &str) -> Value {
    let (status, body) = hub.post_as(&admin(), query, vars).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"][field].clone()
}

/// Rows of every table an admin mutation writes.
pub async fn counts(hub: &TestHub) -> [u64; 5] {
    let db = &hub.db;
    [
        entities::agency::Entity::find()
            .count(db)
            .await
            .expect("count"),
        entities::project::Entity::find()
            .count(db)
            .await
            .expect("count"),
        entities::national_database_link::Entity::find()
            .count(db)
            .await
            .expect("count"),
        entities::search_entry::Entity::find()
            .count(db)
            .await
            .expect("count"),
        entities::audit_event::Entity::find()
            .count(db)
            .await
            .expect("count"),
    ]
}

/// The audit events of one entity row, oldest first: (action, actor, afterJson).
pub async fn audit_of(hub: &TestHub, entity: &str, key: &str) -> Vec<(String, String, String)> {
    let query = "query($f: AuditFilterInput) { auditEvents(first: 50, filter: $f) {
        edges { node { action actor entity entityKey afterJson beforeJson } } } }";
    let (_, body) = hub
        .post_as(
            &token(ADMIN_AGENCY, "audit:read"),
            query,
            json!({ "f": { "entity": entity, "entityKey": key } }),
        )
        .await;
    let mut out: Vec<_> = body["data"]["auditEvents"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("auditEvents: {body}"))
        .iter()
        .map(|e| {
            let n = &e["node"];
            let text = |k: &str| n[k].as_str().unwrap_or_default().to_owned();
            (text("action"), text("actor"), text("afterJson"))
        })
        .collect();
    out.reverse();
    out
}
