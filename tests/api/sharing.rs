//! Data-sharing requests and grants (issue 13) over HTTP, on SQLite and PostgreSQL: a lookup with the scope but no
//! grant is refused with `NO_GRANT`, makes no upstream call and is audited; request → approve → use → revoke; refusal
//! with reasons; narrowing; expiry on a manual clock; the daily quota; automatic grants of shared-use services; the
//! services as data; revocation seen by a second hub process (PostgreSQL).

use std::sync::Arc;

use lgsp_hub::{
    clock::{date_of_day, day_of, Clock, ManualClock},
    config::UpstreamFile,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::{
    admin::{admin, UPDATE_AGENCY},
    common::{token, TestHub},
    mock::MockUpstreams,
};

mod cycle;
mod refusals;
mod replicas;

/// Sở Công Thương Quảng Ngãi, given this code by the tests: it holds no grant until one is approved.
pub const REQ: &str = "000.00.07.H48";
pub const REQ_KEY: &str = "qn-so-cong-thuong";
/// UBND tỉnh Hà Tĩnh: named by `registry:admin` as the agency that decides for `population` in these tests.
pub const DECIDER: &str = "000.00.00.H27";
/// UBND tỉnh Quảng Ngãi: holds the template's demonstration grants, decides nothing.
pub const QN: &str = "000.00.00.H48";
pub const PURPOSE: &str = r#"{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261204-0001" }"#;

pub const REQUEST: &str = "mutation($input: SharingRequestInput!) { requestDataSharing(input: $input) {
    id version state service fields validFrom validUntil callsPerDay systemApprovedLevel securityCommitments
    system { code } agency { key } legalBasis { number date } purpose purposeDescription } }";
pub const APPROVE: &str = "mutation($id: ID!, $v: Int!, $n: SharingNarrowingInput) {
    approveSharingRequest(id: $id, version: $v, narrowing: $n) {
    request { id state version reasons decidedBy { key } }
    grant { id version fields purpose legalBasis validFrom validUntil callsPerDay origin active agency { key } } } }";
pub const REFUSE: &str = "mutation($id: ID!, $v: Int!, $r: String!) {
    refuseSharingRequest(id: $id, version: $v, reasons: $r) { id state version reasons decidedBy { key } } }";
pub const WITHDRAW: &str =
    "mutation($id: ID!, $v: Int!) { withdrawSharingRequest(id: $id, version: $v) { id state version } }";
pub const REVOKE: &str = "mutation($id: ID!, $v: Int!, $r: String!) {
    revokeSharingGrant(id: $id, version: $v, reason: $r) { id version active revokedAtMs revokeReason } }";

/// A hub over the mock national databases, on `clock`, with the requester and the decider set up.
pub struct World {
    pub hub: TestHub,
    pub mock: MockUpstreams,
    pub clock: Arc<ManualClock>,
    /// The requester's registered system.
    pub system: String,
    /// A personal number the mocks know.
    pub citizen: String,
}

impl World {
    pub async fn new() -> World {
        World::configured(|_| {}).await
    }

    pub async fn configured(configure: impl FnOnce(&mut lgsp_hub::config::Overrides)) -> World {
        let mock = MockUpstreams::spawn(&[]);
        let clock = ManualClock::now();
        let url = mock.url();
        let hub = TestHub::start_clocked(0, clock.clone(), |o| {
            o.settings.upstreams_url = Some(url.clone());
            for service in lgsp_hub::upstream::SERVICES {
                let file = UpstreamFile {
                    client_secret: Some(lgsp_hub::upstream::dev_secret(service.name).into()),
                    ..Default::default()
                };
                o.settings.upstream.insert(service.name.to_owned(), file);
            }
            configure(o);
        })
        .await;
        let (_, body) = hub
            .post_as(
                &admin(),
                UPDATE_AGENCY,
                json!({ "key": REQ_KEY, "version": 1, "input": { "officialCode": REQ } }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        let decider = hub
            .data(
                &format!(r#"{{ agency(code: "{DECIDER}") {{ key }} }}"#),
                json!({}),
            )
            .await["agency"]["key"]
            .as_str()
            .expect("the decider's key")
            .to_owned();
        let (_, body) = hub
            .post_as(
                &admin(),
                "mutation($k: String) { setSharingDecider(service: \"population\", version: 1, agencyKey: $k) {
                   version decider { key } } }",
                json!({ "k": decider }),
            )
            .await;
        assert_eq!(
            body["data"]["setSharingDecider"]["decider"]["key"], decider,
            "{body}"
        );
        let (_, body) = hub
            .post_as(
                &token(REQ, "systems:write"),
                "mutation { registerInformationSystem(input: { name: \"Hệ thống quản lý hồ sơ\", securityLevel: 2 }) { code } }",
                json!({}),
            )
            .await;
        let system = body["data"]["registerInformationSystem"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("system: {body}"))
            .to_owned();
        let citizen = mock.samples().await["citizens"][0]
            .as_str()
            .expect("a sample citizen")
            .to_owned();
        World {
            hub,
            mock,
            clock,
            system,
            citizen,
        }
    }

    /// Today in Vietnam on the hub's clock, shifted by `days`.
    pub fn day(&self, days: i64) -> String {
        date_of_day(day_of(self.clock.now_ms()) + days)
    }

    /// A valid request input for `fields`, over `days` days from today, `calls` a day.
    pub fn input(&self, fields: &[&str], days: i64, calls: i32) -> Value {
        json!({
            "service": "population",
            "legalBasis": { "number": "123/QĐ-UBND", "date": self.day(-30) },
            "purpose": { "basis": "PUBLIC_SERVICE", "description": "Giải quyết thủ tục đăng ký kinh doanh trực tuyến" },
            "fields": fields,
            "validFrom": self.day(0),
            "validUntil": self.day(days - 1),
            "callsPerDay": calls,
            "system": self.system,
            "securityCommitments": "Cấp độ 2 đã phê duyệt; mã hoá TLS; nhật ký truy cập lưu 2 năm",
        })
    }

    /// Files a request as the requester; returns it.
    pub async fn file(&self, input: Value) -> Value {
        let (_, body) = self
            .hub
            .post_as(&requester(), REQUEST, json!({ "input": input }))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        body["data"]["requestDataSharing"].clone()
    }

    /// Approves `request` as the decider, narrowed by `narrowing`; returns the approval.
    pub async fn approve(&self, request: &Value, narrowing: Value) -> Value {
        let (_, body) = self
            .hub
            .post_as(
                &decider(),
                APPROVE,
                json!({ "id": request["id"], "v": request["version"], "n": narrowing }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        body["data"]["approveSharingRequest"].clone()
    }

    /// Looks up the sample citizen as the requester, selecting `selection`; the whole body.
    pub async fn lookup(&self, selection: &str, basis: &str) -> Value {
        let query = format!(
            r#"query($id: String!) {{ citizen(personalId: $id, purpose: {{ basis: {basis}, reference: "HS-1" }}) {{ {selection} }} }}"#
        );
        self.hub
            .post_as(
                &token(REQ, "upstream:population:read"),
                &query,
                json!({ "id": self.citizen }),
            )
            .await
            .1
    }

    /// How many data calls the mocks have received.
    pub async fn upstream_calls(&self) -> usize {
        self.mock.calls().await.len()
    }

    /// The audit events `entity`/`action` of agency `agency`.
    pub async fn audit_events(
        &self,
        entity: &str,
        action: &str,
        agency: &str,
    ) -> Vec<entities::audit_event::Model> {
        entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Entity.eq(entity))
            .filter(entities::audit_event::Column::Action.eq(action))
            .filter(entities::audit_event::Column::AgencyCode.eq(agency))
            .all(&self.hub.db)
            .await
            .expect("audit events")
    }

    pub async fn access_entries(&self) -> u64 {
        entities::access_log_entry::Entity::find()
            .count(&self.hub.db)
            .await
            .expect("count")
    }
}

pub fn requester() -> String {
    token(REQ, "sharing:request upstream:population:read")
}

pub fn decider() -> String {
    token(DECIDER, "sharing:decide")
}

/// The first error's code and reason.
pub fn refusal(body: &Value) -> (String, String) {
    let e = &body["errors"][0]["extensions"];
    (
        e["code"].as_str().unwrap_or_default().to_owned(),
        e["reason"].as_str().unwrap_or_default().to_owned(),
    )
}

pub fn field_of(body: &Value) -> String {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_lookup_with_the_scope_but_no_grant_is_refused_makes_no_call_and_is_audited() {
    let w = World::new().await;
    w.mock.clear_calls().await;
    let body = w.lookup("fullName birthDate", "PUBLIC_SERVICE").await;
    assert_eq!(
        refusal(&body),
        ("FORBIDDEN".into(), "NO_GRANT".into()),
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["upstream"], "population",
        "{body}"
    );
    assert!(body["data"]["citizen"].is_null(), "{body}");
    // The other lookups' paths: a batch, a verification, a public one (an enterprise without personal data).
    let enterprise = w.mock.samples().await["enterpriseCodes"][0]
        .as_str()
        .expect("an enterprise")
        .to_owned();
    for (query, vars) in [
        (
            format!("query($ids: [String!]!) {{ citizens(personalIds: $ids, purpose: {PURPOSE}) {{ fullName }} }}"),
            json!({ "ids": [w.citizen] }),
        ),
        (
            format!(
                r#"query($id: String!) {{ verifyCitizen(personalId: $id, fullName: "A", birthDate: "2000-01-01", purpose: {PURPOSE}) {{ matches }} }}"#
            ),
            json!({ "id": w.citizen }),
        ),
        (
            "query($c: String!) { enterprise(code: $c) { name status } }".to_owned(),
            json!({ "c": enterprise }),
        ),
    ] {
        let (_, body) = w
            .hub
            .post_as(&token(REQ, "upstream:population:read upstream:business:read"), &query, vars)
            .await;
        assert_eq!(refusal(&body), ("FORBIDDEN".into(), "NO_GRANT".into()), "{query}: {body}");
    }
    assert_eq!(
        w.upstream_calls().await,
        0,
        "a refused lookup reached a national database"
    );
    assert_eq!(w.access_entries().await, 0);
    let refusals = w
        .audit_events("sharing_access", "refuse_no_grant", REQ)
        .await;
    assert_eq!(refusals.len(), 4, "every refusal is in the audit trail");
    let detail: Value =
        serde_json::from_str(refusals[0].after_json.as_deref().unwrap_or("{}")).expect("JSON");
    assert_eq!(detail["reason"], "no_active_grant", "{detail}");
    assert_eq!(
        detail["fields"],
        json!(["birthDate", "fullName"]),
        "{detail}"
    );
    assert!(
        !refusals[0]
            .after_json
            .as_deref()
            .unwrap_or_default()
            .contains(&w.citizen),
        "no identifier in the trail"
    );
    // The demonstration grants of the zero set-up let the README's agency through.
    let (_, body) = w
        .hub
        .post_as(
            &token(QN, "upstream:population:read"),
            &format!("query($id: String!) {{ citizen(personalId: $id, purpose: {PURPOSE}) {{ fullName }} }}"),
            json!({ "id": w.citizen }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let (_, body) = w
        .hub
        .post_as(
            &token(QN, "upstream:population:read"),
            "{ sharingGrants(filter: { agencyCode: \"000.00.00.H48\", service: \"population\" }) { origin demonstration legalBasis purpose } }",
            json!({}),
        )
        .await;
    let grants = body["data"]["sharingGrants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(grants.len(), 1, "{body}");
    assert_eq!(grants[0]["origin"], "DEMONSTRATION");
    assert_eq!(grants[0]["demonstration"], true);
    assert!(grants[0]["purpose"].is_null());
}

#[tokio::test]
async fn services_are_data_with_identifiers_only_where_a_code_is_configured() {
    let w = World::configured(|o| {
        o.settings.sharing.insert(
            "business".into(),
            lgsp_hub::config::sharing::SharingFile {
                provider_code: Some("000.00.00.G12".into()),
                subsystem: Some("dkdn".into()),
                form: Some(lgsp_hub::config::sharing::SharingForm::Shared),
                ..Default::default()
            },
        );
    })
    .await;
    let data = w
        .hub
        .post_as(
            &requester(),
            "{ sharingServices { name identifier identifierNote providerCode subsystem provider form automaticGrants
               fields { name personal } decider { key } nationalDatabase { key } } }",
            json!({}),
        )
        .await
        .1;
    let services = data["data"]["sharingServices"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(services.len(), 6, "{data}");
    let by = |name: &str| {
        services
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap_or_default()
    };
    let business = by("business");
    assert_eq!(business["identifier"], "VN:GOV:000.00.00.G12:dkdn");
    assert_eq!(business["form"], "SHARED");
    assert_eq!(business["provider"], "Bộ Tài chính");
    assert_eq!(business["nationalDatabase"]["key"], "dang-ky-doanh-nghiep");
    let representative = business["fields"]
        .as_array()
        .and_then(|f| {
            f.iter()
                .find(|f| f["name"] == "legalRepresentative")
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(representative["personal"], true);
    let population = by("population");
    assert!(
        population["identifier"].is_null(),
        "no code is made up: {population}"
    );
    assert!(population["identifierNote"]
        .as_str()
        .unwrap_or_default()
        .contains("not configured"));
    assert_eq!(population["form"], "AD_HOC");
    assert_eq!(population["provider"], "Bộ Công an");
    assert!(!population["decider"].is_null(), "{population}");
    // Without a token, nothing.
    let (_, body) = w.hub.post("{ sharingServices { name } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_shared_use_service_grants_every_registered_agency_on_the_record() {
    let w = World::configured(|o| {
        o.settings.sharing.insert(
            "business".into(),
            lgsp_hub::config::sharing::SharingFile {
                form: Some(lgsp_hub::config::sharing::SharingForm::Shared),
                automatic_grants: Some(true),
                automatic_calls_per_day: Some(50),
                ..Default::default()
            },
        );
    })
    .await;
    let enterprise = w.mock.samples().await["enterpriseCodes"][0]
        .as_str()
        .expect("an enterprise")
        .to_owned();
    let query = "query($c: String!) { enterprise(code: $c) { name status } }";
    let (_, body) = w
        .hub
        .post_as(
            &token(REQ, "upstream:business:read"),
            query,
            json!({ "c": enterprise }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let (_, body) = w
        .hub
        .post_as(
            &requester(),
            &format!("{{ sharingGrants(filter: {{ agencyCode: \"{REQ}\" }}) {{ service origin callsPerDay fields active }} }}"),
            json!({}),
        )
        .await;
    let grants = body["data"]["sharingGrants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(grants.len(), 1, "{body}");
    assert_eq!(grants[0]["service"], "business");
    assert_eq!(grants[0]["origin"], "AUTOMATIC");
    assert_eq!(grants[0]["callsPerDay"], 50);
    assert_eq!(grants[0]["active"], true);
    assert_eq!(w.audit_events("sharing_grant", "grant", REQ).await.len(), 1);
    // Population is not shared use: still no grant there.
    let body = w.lookup("fullName", "PUBLIC_SERVICE").await;
    assert_eq!(refusal(&body).1, "NO_GRANT", "{body}");
    // An agency the registry does not know gets no automatic grant.
    let (_, body) = w
        .hub
        .post_as(
            &token("000.00.00.H99", "upstream:business:read"),
            query,
            json!({ "c": enterprise }),
        )
        .await;
    assert_eq!(refusal(&body).1, "NO_GRANT", "{body}");
    let _ = w.clock.now_ms();
}
