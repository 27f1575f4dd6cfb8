//! The ND 85/2016 workflow over HTTP: who may propose, appraise, approve, reject and retire, as resolved from the
//! registry; every step audited; stale versions and wrong states conflict; refused steps change nothing.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::common::{token, TestHub};

// Test fixtures: codes given to seeded agencies for these tests (no plan prints them).
pub(crate) const SO_Y_TE: &str = "000.00.11.H48"; // Sở Y tế Quảng Ngãi: runs the system
pub(crate) const SO_TTTT_QN: &str = "000.00.08.H48"; // Sở TT&TT Quảng Ngãi: the province's information-security unit
const SO_TTTT_HT: &str = "000.00.08.H27"; // Sở TT&TT Hà Tĩnh: another province's unit
pub(crate) const UBND_QN: &str = "000.00.00.H48"; // the owner (chủ quản) of Quảng Ngãi's systems
const NATIONAL: &str = "000.00.00.G90"; // the national information-security authority (test row)
const PM_OFFICE: &str = "000.00.00.G91"; // the Prime Minister's office (test row)

const FIELDS: &str =
    "code version securityLevel approvedSecurityLevel approvalState decisionNumber decisionDate";

fn code_of(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// Gives the fixtures' agencies their codes and approval roles.
pub(crate) async fn authorities(hub: &TestHub) {
    for sql in [
        format!("UPDATE agencies SET code = '{SO_Y_TE}' WHERE id = 'qn-so-y-te'"),
        format!("UPDATE agencies SET code = '{SO_TTTT_QN}', approval_role = 'security_unit' WHERE id = 'qn-so-tt-tt'"),
        format!("UPDATE agencies SET code = '{SO_TTTT_HT}', approval_role = 'security_unit' WHERE id = 'ht-so-tttt'"),
        format!("INSERT INTO agencies (id, code, name, name_folded, kind, province_code, approval_role)
                 VALUES ('test-national', '{NATIONAL}', 'Cơ quan ATTT quốc gia', 'co quan attt quoc gia', 'trung_uong', '51', 'national_authority')"),
        format!("INSERT INTO agencies (id, code, name, name_folded, kind, province_code, approval_role)
                 VALUES ('test-pm', '{PM_OFFICE}', 'Văn phòng Chính phủ', 'van phong chinh phu', 'trung_uong', '42', 'prime_minister')"),
    ] {
        hub.db.execute_unprepared(&sql).await.expect("fixture");
    }
}

/// Runs `field(code, version, ...)` with `agency`'s token carrying `scopes`; returns the whole body.
pub(crate) async fn call(
    hub: &TestHub,
    agency: &str,
    scopes: &str,
    mutation: &str,
    vars: Value,
) -> Value {
    let (_, body) = hub.post_as(&token(agency, scopes), mutation, vars).await;
    body
}

fn mutation(field: &str, args: &str, params: &str) -> String {
    format!("mutation($code: String!, $version: Int!{params}) {{ {field}(code: $code, version: $version{args}) {{ {FIELDS} }} }}")
}

pub(crate) struct Workflow {
    pub propose: String,
    pub appraise: String,
    pub approve: String,
    pub reject: String,
    pub retire: String,
}

pub(crate) fn workflow() -> Workflow {
    Workflow {
        propose: mutation("proposeSecurityLevel", ", level: $level", ", $level: Int!"),
        appraise: mutation(
            "appraiseSecurityLevel",
            ", opinion: $opinion",
            ", $opinion: String",
        ),
        approve: mutation(
            "approveSecurityLevel",
            ", decisionNumber: $n, decisionDate: $d",
            ", $n: String, $d: String",
        ),
        reject: mutation(
            "rejectSecurityLevel",
            ", reason: $reason",
            ", $reason: String!",
        ),
        retire: mutation(
            "retireInformationSystem",
            ", reason: $reason",
            ", $reason: String",
        ),
    }
}

/// Registers a system of Sở Y tế with no level; returns its code.
pub(crate) async fn registered(hub: &TestHub) -> String {
    let body = call(
        hub,
        SO_Y_TE,
        "systems:write",
        "mutation { registerInformationSystem(input: { name: \"Hồ sơ sức khỏe điện tử\" }) { code } }",
        json!({}),
    )
    .await;
    body["data"]["registerInformationSystem"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("register: {body}"))
        .to_owned()
}

fn ok<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body.get("errors").is_none(), "{field}: {body}");
    &body["data"][field]
}

async fn audit_actions(hub: &TestHub, code: &str) -> Vec<(String, String)> {
    let mut events: Vec<_> = entities::audit_event::Entity::find()
        .all(&hub.db)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.entity_key == code)
        .collect();
    events.sort_by_key(|e| e.id);
    events
        .into_iter()
        .map(|e| (e.action, e.agency_code))
        .collect()
}

#[tokio::test]
async fn a_level_3_system_is_proposed_appraised_and_approved_only_by_the_right_authorities() {
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    let code = registered(&hub).await;
    let v = |version: i32| json!({ "code": code, "version": version, "level": 3 });

    let body = call(&hub, SO_Y_TE, "systems:write", &w.propose, v(1)).await;
    let proposed = ok(&body, "proposeSecurityLevel");
    assert_eq!(
        (
            proposed["approvalState"].clone(),
            proposed["securityLevel"].clone()
        ),
        (json!("PROPOSED"), json!(3))
    );

    // Nobody decides before the appraisal; the operator and another province's unit never appraise.
    let body = call(&hub, UBND_QN, "systems:approve", &w.approve, v(2)).await;
    assert_eq!(code_of(&body), "CONFLICT", "{body}");
    let body = call(
        &hub,
        SO_Y_TE,
        "systems:approve systems:write",
        &w.appraise,
        v(2),
    )
    .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    let body = call(&hub, SO_TTTT_HT, "systems:approve", &w.appraise, v(2)).await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    let body = call(&hub, NATIONAL, "systems:approve", &w.appraise, v(2)).await;
    assert_eq!(
        code_of(&body),
        "FORBIDDEN",
        "the national authority appraises levels 4–5 only: {body}"
    );

    let body = call(
        &hub,
        SO_TTTT_QN,
        "systems:approve",
        &w.appraise,
        json!({ "code": code, "version": 2, "opinion": "Đồng ý cấp độ 3" }),
    )
    .await;
    assert_eq!(
        ok(&body, "appraiseSecurityLevel")["approvalState"],
        "APPRAISED"
    );

    // Level 3 is approved by the owner, not by the unit that appraised it.
    let body = call(&hub, SO_TTTT_QN, "systems:approve", &w.approve, v(3)).await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    let body = call(
        &hub,
        UBND_QN,
        "systems:approve",
        &w.approve,
        json!({ "code": code, "version": 3, "n": "123/QĐ-UBND", "d": "2026-11-20" }),
    )
    .await;
    let approved = ok(&body, "approveSecurityLevel");
    assert_eq!(approved["approvalState"], "APPROVED");
    assert_eq!(approved["approvedSecurityLevel"], 3);
    assert_eq!(approved["decisionNumber"], "123/QĐ-UBND");
    assert_eq!(approved["version"], 4);

    assert_eq!(
        audit_actions(&hub, &code).await,
        [
            ("register", SO_Y_TE),
            ("propose_level", SO_Y_TE),
            ("appraise_level", SO_TTTT_QN),
            ("approve_level", UBND_QN)
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let opinion = entities::audit_event::Entity::find()
        .all(&hub.db)
        .await
        .expect("events")
        .into_iter()
        .find(|e| e.action == "appraise_level")
        .and_then(|e| e.after_json)
        .unwrap_or_default();
    assert!(opinion.contains("Đồng ý cấp độ 3"), "{opinion}");
}

#[tokio::test]
async fn an_agency_never_approves_its_own_level_3_system() {
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    // The People's Committee runs a system of its own: it is operator and owner at once.
    let body = call(&hub, UBND_QN, "systems:write",
        "mutation { registerInformationSystem(input: { name: \"Trục LGSP tỉnh\", securityLevel: 3 }) { code } }", json!({})).await;
    let code = ok(&body, "registerInformationSystem")["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let body = call(
        &hub,
        SO_TTTT_QN,
        "systems:approve",
        &w.appraise,
        json!({ "code": code, "version": 1 }),
    )
    .await;
    assert_eq!(
        ok(&body, "appraiseSecurityLevel")["approvalState"],
        "APPRAISED"
    );
    let body = call(
        &hub,
        UBND_QN,
        "systems:approve systems:write",
        &w.approve,
        json!({ "code": code, "version": 2 }),
    )
    .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    let state = hub
        .data(
            "query($c: String) { informationSystem(code: $c) { approvalState version } }",
            json!({ "c": code }),
        )
        .await;
    assert_eq!(
        state["informationSystem"],
        json!({ "approvalState": "APPRAISED", "version": 2 })
    );
}

#[tokio::test]
async fn levels_4_and_5_go_through_the_national_authority_and_level_5_to_the_prime_minister() {
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    for (level, approver, wrong) in [(4, UBND_QN, PM_OFFICE), (5, PM_OFFICE, UBND_QN)] {
        let code = registered(&hub).await;
        let body = call(
            &hub,
            SO_Y_TE,
            "systems:write",
            &w.propose,
            json!({ "code": code, "version": 1, "level": level }),
        )
        .await;
        ok(&body, "proposeSecurityLevel");
        let body = call(
            &hub,
            SO_TTTT_QN,
            "systems:approve",
            &w.appraise,
            json!({ "code": code, "version": 2 }),
        )
        .await;
        assert_eq!(code_of(&body), "FORBIDDEN", "L{level}: {body}");
        let body = call(
            &hub,
            NATIONAL,
            "systems:approve",
            &w.appraise,
            json!({ "code": code, "version": 2 }),
        )
        .await;
        assert_eq!(
            ok(&body, "appraiseSecurityLevel")["approvalState"],
            "APPRAISED"
        );
        let body = call(
            &hub,
            wrong,
            "systems:approve",
            &w.approve,
            json!({ "code": code, "version": 3 }),
        )
        .await;
        assert_eq!(code_of(&body), "FORBIDDEN", "L{level}: {body}");
        let body = call(
            &hub,
            approver,
            "systems:approve",
            &w.approve,
            json!({ "code": code, "version": 3 }),
        )
        .await;
        assert_eq!(
            ok(&body, "approveSecurityLevel")["approvedSecurityLevel"],
            level
        );
    }
}

#[tokio::test]
async fn a_rejected_re_proposal_keeps_the_approved_level_and_levels_1_2_stay_with_the_security_unit(
) {
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    let code = registered(&hub).await;
    let step = |version: i32| json!({ "code": code, "version": version, "level": 2, "reason": "Thiếu phương án bảo đảm an toàn" });
    ok(
        &call(&hub, SO_Y_TE, "systems:write", &w.propose, step(1)).await,
        "proposeSecurityLevel",
    );
    ok(
        &call(
            &hub,
            SO_TTTT_QN,
            "systems:approve",
            &w.appraise,
            json!({ "code": code, "version": 2 }),
        )
        .await,
        "appraiseSecurityLevel",
    );
    let body = call(
        &hub,
        UBND_QN,
        "systems:approve",
        &w.approve,
        json!({ "code": code, "version": 3 }),
    )
    .await;
    assert_eq!(
        code_of(&body),
        "FORBIDDEN",
        "levels 1–2 are approved by the security unit: {body}"
    );
    ok(
        &call(
            &hub,
            SO_TTTT_QN,
            "systems:approve",
            &w.approve,
            json!({ "code": code, "version": 3 }),
        )
        .await,
        "approveSecurityLevel",
    );

    // Re-proposed at level 3, then rejected: level 2 stays the approved one.
    let body = call(
        &hub,
        SO_Y_TE,
        "systems:write",
        &w.propose,
        json!({ "code": code, "version": 4, "level": 3 }),
    )
    .await;
    assert_eq!(
        ok(&body, "proposeSecurityLevel")["approvedSecurityLevel"],
        2
    );
    ok(
        &call(
            &hub,
            SO_TTTT_QN,
            "systems:approve",
            &w.appraise,
            json!({ "code": code, "version": 5 }),
        )
        .await,
        "appraiseSecurityLevel",
    );
    let body = call(
        &hub,
        UBND_QN,
        "systems:approve",
        &w.reject,
        json!({ "code": code, "version": 6, "reason": "  " }),
    )
    .await;
    assert_eq!(
        code_of(&body),
        "BAD_USER_INPUT",
        "a rejection needs reasons: {body}"
    );
    let body = call(&hub, UBND_QN, "systems:approve", &w.reject, step(6)).await;
    let rejected = ok(&body, "rejectSecurityLevel");
    assert_eq!(
        (
            rejected["approvalState"].clone(),
            rejected["securityLevel"].clone(),
            rejected["approvedSecurityLevel"].clone()
        ),
        (json!("REJECTED"), json!(3), json!(2))
    );
    let actions: Vec<String> = audit_actions(&hub, &code)
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert_eq!(actions.last().map(String::as_str), Some("reject_level"));
}

#[tokio::test]
async fn a_retired_system_no_longer_changes_and_only_its_operator_retires_it() {
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    let code = registered(&hub).await;
    let v = |version: i32| json!({ "code": code, "version": version, "level": 2, "reason": "Thay bằng hệ thống mới" });
    let body = call(
        &hub,
        UBND_QN,
        "systems:write systems:approve",
        &w.retire,
        v(1),
    )
    .await;
    assert_eq!(code_of(&body), "FORBIDDEN", "{body}");
    let body = call(&hub, SO_Y_TE, "systems:write", &w.retire, v(1)).await;
    assert_eq!(
        ok(&body, "retireInformationSystem")["approvalState"],
        "RETIRED"
    );
    let body = call(&hub, SO_Y_TE, "systems:write", &w.retire, v(2)).await;
    assert_eq!(code_of(&body), "CONFLICT", "{body}");
    let body = call(&hub, SO_Y_TE, "systems:write", &w.propose, v(2)).await;
    assert_eq!(code_of(&body), "CONFLICT", "{body}");
    let body = call(&hub, SO_Y_TE, "systems:write",
        "mutation($code: String!) { updateInformationSystem(code: $code, version: 2, input: { name: \"Mới\" }) { version } }",
        json!({ "code": code })).await;
    assert_eq!(code_of(&body), "CONFLICT", "{body}");
    assert_eq!(
        audit_actions(&hub, &code)
            .await
            .last()
            .map(|(a, _)| a.as_str()),
        Some("retire")
    );
}

#[tokio::test]
async fn stale_versions_and_bad_inputs_are_refused_and_change_nothing() {
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    let code = registered(&hub).await;
    let before = counts(&hub).await;
    for (agency, scopes, m, vars, expected) in [
        (
            SO_Y_TE,
            "systems:write",
            &w.propose,
            json!({ "code": code, "version": 9, "level": 3 }),
            "CONFLICT",
        ),
        (
            SO_Y_TE,
            "systems:write",
            &w.propose,
            json!({ "code": code, "version": 1, "level": 6 }),
            "BAD_USER_INPUT",
        ),
        (
            SO_Y_TE,
            "systems:write",
            &w.propose,
            json!({ "code": code, "version": 1, "level": 0 }),
            "BAD_USER_INPUT",
        ),
        (
            SO_Y_TE,
            "systems:write",
            &w.propose,
            json!({ "code": "khong-co", "version": 1, "level": 3 }),
            "NOT_FOUND",
        ),
        (
            SO_TTTT_QN,
            "systems:approve",
            &w.appraise,
            json!({ "code": code, "version": 1 }),
            "CONFLICT",
        ),
        (
            UBND_QN,
            "systems:approve",
            &w.approve,
            json!({ "code": code, "version": 1, "d": "20-11-2026" }),
            "BAD_USER_INPUT",
        ),
    ] {
        let body = call(&hub, agency, scopes, m, vars.clone()).await;
        assert_eq!(code_of(&body), expected, "{vars}: {body}");
    }
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused step changed the database"
    );
}

async fn counts(hub: &TestHub) -> (u64, u64, String) {
    let systems = entities::information_system::Entity::find()
        .count(&hub.db)
        .await
        .expect("count");
    let events = entities::audit_event::Entity::find()
        .count(&hub.db)
        .await
        .expect("count");
    let states = entities::information_system::Entity::find()
        .all(&hub.db)
        .await
        .expect("rows")
        .iter()
        .map(|s| {
            format!(
                "{}:{:?}:{:?}:{}",
                s.code, s.approval_state, s.security_level, s.version
            )
        })
        .collect();
    (systems, events, states)
}

/// Every mutation of the self-service and approval surface, refused without a token, without its scope, and for a
/// system of another agency (or province), with nothing changed.
#[tokio::test]
async fn every_mutation_is_denied_without_token_scope_or_authority() {
    let hub = TestHub::start().await;
    authorities(&hub).await;
    let w = workflow();
    let code = registered(&hub).await;
    // Another province's system, for the cross-agency cases.
    let body = call(&hub, SO_TTTT_HT, "systems:write",
        "mutation { registerInformationSystem(input: { name: \"Hệ thống Hà Tĩnh\", securityLevel: 1 }) { code } }", json!({})).await;
    let foreign = ok(&body, "registerInformationSystem")["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let register =
        "mutation { registerInformationSystem(input: { name: \"X\" }) { code } }".to_owned();
    let update = "mutation($code: String!, $version: Int!) { updateInformationSystem(code: $code, version: $version, input: { name: \"Y\" }) { code } }".to_owned();
    let vars = |c: &str| json!({ "code": c, "version": 1, "level": 1, "reason": "r" });
    let cases: [(&str, &String, &str); 7] = [
        ("registerInformationSystem", &register, "systems:write"),
        ("updateInformationSystem", &update, "systems:write"),
        ("retireInformationSystem", &w.retire, "systems:write"),
        ("proposeSecurityLevel", &w.propose, "systems:write"),
        ("appraiseSecurityLevel", &w.appraise, "systems:approve"),
        ("approveSecurityLevel", &w.approve, "systems:approve"),
        ("rejectSecurityLevel", &w.reject, "systems:approve"),
    ];
    let before = counts(&hub).await;
    for (name, m, scope) in cases {
        let (_, body) = hub.post(m, vars(&code)).await;
        assert_eq!(
            code_of(&body),
            "UNAUTHENTICATED",
            "{name} without token: {body}"
        );
        let other_scopes = "catalog:read audit:read registry:admin systems:write systems:approve"
            .split(' ')
            .filter(|s| *s != scope)
            .collect::<Vec<_>>()
            .join(" ");
        let body = call(&hub, SO_Y_TE, &other_scopes, m, vars(&code)).await;
        assert_eq!(
            code_of(&body),
            "FORBIDDEN",
            "{name} without {scope}: {body}"
        );
        if name != "registerInformationSystem" {
            // Sở Y tế Quảng Ngãi holds the scope but has no role towards Hà Tĩnh's system.
            let body = call(&hub, SO_Y_TE, scope, m, vars(&foreign)).await;
            assert_eq!(
                code_of(&body),
                "FORBIDDEN",
                "{name} on another agency's system: {body}"
            );
        }
    }
    assert_eq!(
        counts(&hub).await,
        before,
        "a refused mutation changed the database"
    );
}
