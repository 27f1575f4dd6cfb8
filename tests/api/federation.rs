//! Federation against the real mock national databases (the `mock-upstreams` binary, over HTTP): each lookup's happy
//! path, scopes and purposes, masking, partial results when an upstream is down, timeouts, retries, the circuit
//! breaker, token refresh, and the access log: written before data, "who looked at X", a thousand concurrent lookups.

use std::time::Duration;

use lgsp_hub::config::UpstreamFile;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::{
    common::{token, TestHub, TEST_ACCESS_LOG_KEY},
    mock::MockUpstreams,
};

const QN: &str = "000.00.00.H48";
const HT: &str = "000.00.00.H27";
const ALL_READ: &str = "upstream:population:read upstream:business:read upstream:insurance:read \
    upstream:land:read upstream:civil-status:read upstream:judicial:read";
const PURPOSE: &str = r#"{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }"#;

/// A hub federating `mock`, with `tune` applied to every upstream's file settings.
pub async fn hub_over(mock: &MockUpstreams, tune: impl Fn(&mut UpstreamFile)) -> TestHub {
    hub_over_configured(mock, tune, |_| {}).await
}

/// As [`hub_over`], with the hub's own settings adjusted by `configure`.
pub(crate) async fn hub_over_configured(
    mock: &MockUpstreams,
    tune: impl Fn(&mut UpstreamFile),
    configure: impl FnOnce(&mut lgsp_hub::config::Overrides),
) -> TestHub {
    let url = mock.url();
    TestHub::start_configured(0, |o| {
        configure(o);
        o.settings.upstreams_url = Some(url.clone());
        for service in lgsp_hub::upstream::SERVICES {
            let mut file = UpstreamFile {
                client_secret: Some(lgsp_hub::upstream::dev_secret(service.name).into()),
                ..Default::default()
            };
            tune(&mut file);
            o.settings.upstream.insert(service.name.to_owned(), file);
        }
    })
    .await
}

fn errors(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .map(|e| {
                    (
                        e["extensions"]["code"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        e["extensions"]["upstream"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn access_entries(hub: &TestHub) -> u64 {
    entities::access_log_entry::Entity::find()
        .count(&hub.db)
        .await
        .expect("count")
}

pub fn sample(samples: &Value, kind: &str) -> String {
    samples[kind][0]
        .as_str()
        .unwrap_or_else(|| panic!("no sample {kind}: {samples}"))
        .to_owned()
}

#[tokio::test]
async fn every_national_database_answers_through_the_hub_with_the_callers_identity() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over(&mock, |_| {}).await;
    let s = mock.samples().await;
    let citizen = sample(&s, "married");
    let query = format!(
        r#"query($p: String!, $e: String!, $si: String!, $o: String!, $j: String!) {{
        citizen(personalId: $p, purpose: {PURPOSE}) {{ personalId fullName birthDate sex spouseId }}
        enterprise(code: $e) {{ enterpriseCode name status businessLines {{ code }} }}
        insurance(socialInsuranceCode: $si, purpose: {PURPOSE}) {{ socialInsuranceCode fullName healthInsuranceCard {{ number }} }}
        landParcels(ownerPersonalId: $o, purpose: {PURPOSE}) {{ parcelId areaM2 owners {{ fullName }} }}
        civilStatus(personalId: $p, purpose: {PURPOSE}) {{ birth {{ fullName }} marriages {{ status }} }}
        judicialRecordRequest(requestId: $j, purpose: {PURPOSE}) {{ requestId status certificateType }} }}"#
    );
    let vars = json!({ "p": citizen, "e": sample(&s, "enterpriseCodes"), "si": sample(&s, "socialInsuranceCodes"),
        "o": sample(&s, "parcelOwners"), "j": sample(&s, "judicialRequestIds") });
    let (_, body) = hub.post_as(&token(QN, ALL_READ), &query, vars).await;
    assert!(body.get("errors").is_none(), "{body}");
    let d = &body["data"];
    // Masked: no `upstream:population:identifiers`.
    let masked = d["citizen"]["personalId"].as_str().unwrap_or_default();
    assert_eq!(masked.len(), 12, "{body}");
    assert!(
        masked.contains("******") && masked.starts_with(&citizen[..3]),
        "{body}"
    );
    assert!(d["citizen"]["spouseId"]
        .as_str()
        .is_some_and(|s| s.contains("******")));
    assert!(!d["citizen"]["fullName"]
        .as_str()
        .unwrap_or_default()
        .is_empty());
    assert!(d["enterprise"]["name"].is_string(), "{body}");
    assert!(
        d["insurance"]["healthInsuranceCard"]["number"].is_string(),
        "{body}"
    );
    assert!(
        !d["landParcels"].as_array().expect("parcels").is_empty(),
        "{body}"
    );
    assert!(d["civilStatus"]["birth"]["fullName"].is_string(), "{body}");
    assert!(
        !d["civilStatus"]["marriages"]
            .as_array()
            .expect("marriages")
            .is_empty(),
        "{body}"
    );
    assert!(d["judicialRecordRequest"]["status"].is_string(), "{body}");

    // One access-log entry per personal lookup (civil status is two upstream calls); the enterprise without its
    // legal representative is not personal data.
    assert_eq!(access_entries(&hub).await, 6);
    // The national databases saw who asked, and why.
    let calls = mock.calls().await;
    let citizen_call = calls
        .iter()
        .find(|c| c["path"].as_str().is_some_and(|p| p.contains("/citizens")))
        .unwrap_or_else(|| panic!("no citizen call: {calls:?}"));
    assert_eq!(citizen_call["clientAgency"], QN, "{citizen_call}");
    assert_eq!(citizen_call["clientSubject"], format!("tester@{QN}"));
    assert!(citizen_call["purpose"]
        .as_str()
        .is_some_and(|p| p.starts_with("PUBLIC_SERVICE")));
    assert!(citizen_call["requestId"]
        .as_str()
        .is_some_and(|r| !r.is_empty()));
}

#[tokio::test]
async fn the_full_number_needs_the_identifiers_scope_and_batches_use_one_call() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over(&mock, |_| {}).await;
    let s = mock.samples().await;
    let ids: Vec<String> = s["citizens"]
        .as_array()
        .expect("ids")
        .iter()
        .take(3)
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let query = format!(
        r#"query($ids: [String!]!) {{ citizens(personalIds: $ids, purpose: {PURPOSE}) {{ personalId fullName }} }}"#
    );
    let (_, body) = hub
        .post_as(
            &token(
                QN,
                "upstream:population:read upstream:population:identifiers",
            ),
            &query,
            json!({ "ids": [ids[0], ids[1], ids[2], "051000000001"] }),
        )
        .await;
    let found = body["data"]["citizens"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let got: Vec<&str> = found
        .iter()
        .filter_map(|c| c["personalId"].as_str())
        .collect();
    assert_eq!(
        got,
        [ids[0].as_str(), ids[1].as_str(), ids[2].as_str()],
        "{body}"
    );
    let batch_calls = mock
        .calls()
        .await
        .iter()
        .filter(|c| {
            c["path"]
                .as_str()
                .is_some_and(|p| p.contains("citizens:batch"))
        })
        .count();
    assert_eq!(batch_calls, 1);
    // Four numbers asked for, four entries, and a fifth saying the unknown one returned nothing.
    let entries = entities::access_log_entry::Entity::find()
        .all(&hub.db)
        .await
        .expect("entries");
    assert_eq!(entries.len(), 5);
    let unknown = lgsp_hub::access_log::ChainKeys::from_secret(TEST_ACCESS_LOG_KEY.as_bytes())
        .subject_hash("citizen", "051000000001");
    let (outcome, lookups): (Vec<_>, Vec<_>) = entries
        .iter()
        .partition(|e| e.nothing_returned_for.is_some());
    assert_eq!(outcome.len(), 1, "{entries:?}");
    assert_eq!(outcome[0].subject_hash, unknown);
    assert_eq!(outcome[0].fields, "");
    let looked_up = lookups
        .iter()
        .find(|e| Some(e.seq) == outcome[0].nothing_returned_for)
        .unwrap_or_else(|| panic!("the outcome names no lookup: {entries:?}"));
    assert_eq!(looked_up.subject_hash, unknown);
    assert!(outcome[0].seq > looked_up.seq);
    assert!(
        lookups.iter().all(|e| e.fields == "fullName,personalId"),
        "{lookups:?}"
    );
    // The auditor counts the lookups apart from the entries saying that one returned nothing.
    let auditor = token(QN, "audit:read");
    let kind_of = |kind: &str| {
        format!(
            r#"{{ accessLog(filter: {{ kind: {kind} }}, first: 10) {{ totalCount nodes {{ seq nothingReturnedFor }} }} }}"#
        )
    };
    let (_, body) = hub.post_as(&auditor, &kind_of("LOOKUP"), json!({})).await;
    assert_eq!(body["data"]["accessLog"]["totalCount"], 4, "{body}");
    assert!(body["data"]["accessLog"]["nodes"]
        .as_array()
        .is_some_and(|n| n.iter().all(|e| e["nothingReturnedFor"].is_null())));
    let (_, body) = hub
        .post_as(&auditor, &kind_of("NOTHING_RETURNED"), json!({}))
        .await;
    assert_eq!(body["data"]["accessLog"]["totalCount"], 1, "{body}");
    assert_eq!(
        body["data"]["accessLog"]["nodes"][0]["nothingReturnedFor"], looked_up.seq,
        "{body}"
    );
    let (_, body) = hub
        .post_as(&auditor, &kind_of("EVERYTHING"), json!({}))
        .await;
    assert_eq!(errors(&body)[0].0, "BAD_USER_INPUT", "{body}");

    // Separate `citizen` fields of one request share one batch call too (the request's DataLoader).
    mock.clear_calls().await;
    let aliases = format!(
        r#"query($a: String!, $b: String!) {{ a: citizen(personalId: $a, purpose: {PURPOSE}) {{ fullName }}
           b: citizen(personalId: $b, purpose: {PURPOSE}) {{ birthDate }} }}"#
    );
    let (_, body) = hub
        .post_as(
            &token(QN, "upstream:population:read"),
            &aliases,
            json!({ "a": ids[0], "b": ids[1] }),
        )
        .await;
    assert!(
        body["data"]["a"]["fullName"].is_string() && body["data"]["b"]["birthDate"].is_string(),
        "{body}"
    );
    let calls = mock.calls().await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(calls[0]["path"]
        .as_str()
        .is_some_and(|p| p.contains("citizens:batch")));
    assert_eq!(access_entries(&hub).await, 7);
}

#[tokio::test]
async fn scopes_and_purposes_are_enforced_before_any_call_or_entry() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over(&mock, |_| {}).await;
    let s = mock.samples().await;
    let id = sample(&s, "citizens");
    let with = |purpose: &str| {
        format!(
            r#"query($p: String!) {{ citizen(personalId: $p, purpose: {purpose}) {{ fullName }} }}"#
        )
    };
    let vars = json!({ "p": id });
    let (_, body) = hub.post(&with(PURPOSE), vars.clone()).await;
    assert_eq!(errors(&body)[0].0, "UNAUTHENTICATED", "{body}");
    let (_, body) = hub
        .post_as(
            &token(QN, "upstream:business:read catalog:read"),
            &with(PURPOSE),
            vars.clone(),
        )
        .await;
    assert_eq!(errors(&body)[0].0, "FORBIDDEN", "{body}");
    let (_, body) = hub
        .post_as(
            &token(QN, ALL_READ),
            &with(r#"{ basis: PUBLIC_SERVICE, reference: "  " }"#),
            vars.clone(),
        )
        .await;
    assert_eq!(errors(&body)[0].0, "BAD_USER_INPUT", "{body}");
    let (_, body) = hub
        .post_as(
            &token(QN, ALL_READ),
            "query($p: String!) { citizen(personalId: $p) { fullName } }",
            vars,
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("purpose")),
        "{body}"
    );
    let (_, body) = hub
        .post_as(
            &token(QN, ALL_READ),
            &with(PURPOSE),
            json!({ "p": "12345" }),
        )
        .await;
    assert_eq!(errors(&body)[0].0, "BAD_USER_INPUT", "{body}");
    // The legal representative is personal: it needs a purpose even though the enterprise does not.
    let (_, body) = hub
        .post_as(
            &token(QN, ALL_READ),
            "query($e: String!) { enterprise(code: $e) { legalRepresentative { fullName } } }",
            json!({ "e": sample(&s, "enterpriseCodes") }),
        )
        .await;
    assert_eq!(errors(&body)[0].0, "BAD_USER_INPUT", "{body}");
    assert_eq!(access_entries(&hub).await, 0);
    assert!(
        mock.calls().await.is_empty(),
        "a refused lookup reached the upstream"
    );
}

#[tokio::test]
async fn a_down_upstream_fails_its_fields_only_and_the_circuit_opens_then_closes() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over(&mock, |f| {
        f.breaker_threshold = Some(2);
        f.breaker_cooldown_ms = Some(300);
        f.retries = Some(0);
    })
    .await;
    let s = mock.samples().await;
    let query = format!(
        r#"query($p: String!, $e: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }}
           enterprise(code: $e) {{ name }} }}"#
    );
    let vars = json!({ "p": sample(&s, "citizens"), "e": sample(&s, "enterpriseCodes") });
    let reader = token(QN, &format!("{ALL_READ} upstream:population:read"));
    mock.admin_put_knobs("population", json!({ "down": true }))
        .await;
    for _ in 0..2 {
        let (status, body) = hub.post_as(&reader, &query, vars.clone()).await;
        assert_eq!(status, 200);
        assert!(body["data"]["citizen"].is_null(), "{body}");
        assert!(
            body["data"]["enterprise"]["name"].is_string(),
            "the healthy upstream still answers: {body}"
        );
        assert_eq!(
            errors(&body),
            [("UPSTREAM_UNAVAILABLE".to_owned(), "population".to_owned())],
            "{body}"
        );
        assert!(
            !body.to_string().contains("service_unavailable"),
            "the upstream's own body leaked: {body}"
        );
    }
    let status = "{ upstreams { name status circuitState lastError } }";
    let (_, body) = hub.post_as(&reader, status, json!({})).await;
    let population = body["data"]["upstreams"]
        .as_array()
        .expect("upstreams")
        .iter()
        .find(|u| u["name"] == "population")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            population["circuitState"].clone(),
            population["status"].clone()
        ),
        (json!("OPEN"), json!("DOWN")),
        "{body}"
    );

    // Open: refused at once, without calling the upstream.
    mock.admin_put_knobs("population", json!({ "down": false }))
        .await;
    mock.clear_calls().await;
    let (_, body) = hub.post_as(&reader, &query, vars.clone()).await;
    assert_eq!(errors(&body)[0].0, "UPSTREAM_UNAVAILABLE", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("circuit")),
        "{body}"
    );
    assert!(mock
        .calls()
        .await
        .iter()
        .all(|c| c["service"] != "population"));

    // After the cooldown (300 ms; the circuit then reads half-open, which it must 400 ms from now) one trial goes
    // through, succeeds, and closes the circuit.
    let waiting = tokio::time::Instant::now();
    loop {
        let sent = tokio::time::Instant::now();
        let (_, body) = hub.post_as(&reader, status, json!({})).await;
        let states = body["data"]["upstreams"].as_array().expect("upstreams");
        if states
            .iter()
            .any(|u| u["name"] == "population" && u["circuitState"] == "HALF_OPEN")
        {
            break;
        }
        assert!(
            sent < waiting + Duration::from_millis(400),
            "the circuit is not half-open after its cooldown: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, body) = hub.post_as(&reader, &query, vars).await;
    assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
    let (_, body) = hub.post_as(&reader, status, json!({})).await;
    assert!(
        body["data"]["upstreams"]
            .as_array()
            .expect("upstreams")
            .iter()
            .any(|u| u["name"] == "population"
                && u["circuitState"] == "CLOSED"
                && u["status"] == "UP"),
        "{body}"
    );
}

/// A hub over a fresh mock whose upstreams time out after `timeout_ms` with `retries`, a citizen's lookup (query and
/// variables) and a token allowed to make it. The lookup has been made once: the upstream's token is fetched, so knobs
/// set afterwards apply to data calls only.
async fn warm_lookup(
    timeout_ms: u64,
    retries: u32,
) -> (MockUpstreams, TestHub, String, Value, String) {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over(&mock, |f| {
        f.timeout_ms = Some(timeout_ms);
        f.retries = Some(retries);
    })
    .await;
    let s = mock.samples().await;
    let query = format!(
        r#"query($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }} }}"#
    );
    let vars = json!({ "p": sample(&s, "citizens") });
    let reader = token(QN, "upstream:population:read");
    let (_, body) = hub.post_as(&reader, &query, vars.clone()).await;
    assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
    (mock, hub, query, vars, reader)
}

#[tokio::test]
async fn slow_upstreams_time_out_after_retries_and_errors_are_not_retried() {
    let (mock, hub, query, vars, reader) = warm_lookup(150, 1).await;
    mock.clear_calls().await;
    mock.admin_put_knobs("population", json!({ "latencyMs": 1000 }))
        .await;
    let (_, body) = hub.post_as(&reader, &query, vars.clone()).await;
    assert_eq!(
        errors(&body),
        [("UPSTREAM_TIMEOUT".to_owned(), "population".to_owned())],
        "{body}"
    );
    // Abandoned attempts are logged by the mock when their handler ends: wait for them to settle.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while mock.calls().await.len() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(mock.calls().await.len(), 2, "one attempt and one retry");

    mock.admin_put_knobs("population", json!({ "latencyMs": 0, "errorRate": 1.0 }))
        .await;
    mock.clear_calls().await;
    let (_, body) = hub.post_as(&reader, &query, vars).await;
    assert_eq!(errors(&body)[0].0, "UPSTREAM_UNAVAILABLE", "{body}");
    assert_eq!(mock.calls().await.len(), 1, "a 500 is not retried");
}

#[tokio::test]
async fn a_lookups_entry_is_committed_while_the_upstream_answers_and_a_failed_one_gets_an_outcome()
{
    let (mock, hub, query, vars, reader) = warm_lookup(20_000, 0).await;
    assert_eq!(
        access_entries(&hub).await,
        1,
        "a found person needs no outcome entry"
    );
    mock.admin_put_knobs("population", json!({ "latencyMs": 3_000 }))
        .await;
    let lookup = {
        let (client, url) = (hub.client.clone(), hub.url("/graphql"));
        let body = json!({ "query": query, "variables": vars });
        let reader = reader.clone();
        tokio::spawn(async move {
            let answer = client
                .post(url)
                .bearer_auth(reader)
                .json(&body)
                .send()
                .await;
            answer.expect("sent").json::<Value>().await.expect("json")
        })
    };
    // The entry lands while the upstream is still holding the answer back.
    while access_entries(&hub).await == 1 {
        assert!(
            !lookup.is_finished(),
            "the answer came before its entry was committed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        !lookup.is_finished(),
        "the entry was written only after the answer"
    );
    let body = lookup.await.expect("lookup");
    assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
    assert_eq!(access_entries(&hub).await, 2);

    // A failed call: its entry, then one saying it returned nothing.
    mock.admin_put_knobs("population", json!({ "latencyMs": 0, "errorRate": 1.0 }))
        .await;
    let (_, body) = hub.post_as(&reader, &query, vars).await;
    assert_eq!(errors(&body)[0].0, "UPSTREAM_UNAVAILABLE", "{body}");
    let entries = entities::access_log_entry::Entity::find()
        .all(&hub.db)
        .await
        .expect("entries");
    assert_eq!(entries.len(), 4, "{entries:?}");
    let (failed, outcome) = (&entries[2], &entries[3]);
    assert_eq!(failed.fields, "fullName");
    assert_eq!(failed.nothing_returned_for, None);
    assert_eq!(outcome.nothing_returned_for, Some(failed.seq));
    assert_eq!(outcome.fields, "");
    assert_eq!(outcome.subject_hash, failed.subject_hash);
    assert_eq!(outcome.request_id, failed.request_id);
    assert!(entries[..2]
        .iter()
        .all(|e| e.nothing_returned_for.is_none()));
}

#[tokio::test]
async fn expired_tokens_are_replaced() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over(&mock, |_| {}).await;
    mock.admin_put_knobs("population", json!({ "tokenTtlSecs": 1 }))
        .await;
    let s = mock.samples().await;
    let query = format!(
        r#"query($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }} }}"#
    );
    let reader = token(QN, "upstream:population:read");
    let citizen = sample(&s, "citizens");
    for _ in 0..3 {
        let (_, body) = hub.post_as(&reader, &query, json!({ "p": citizen })).await;
        assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
        // A token issued now expires after the hub's: once the mock refuses it, the hub's has expired too.
        let later = mock.token("population").await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while mock
            .get("population", &format!("/citizens/{citizen}"), Some(&later))
            .await
            .0
            != 401
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the mock's token never expired"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn no_entry_no_data_and_who_looked_at_a_citizen() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over(&mock, |_| {}).await;
    let s = mock.samples().await;
    let (x, y) = (
        sample(&s, "citizens"),
        s["citizens"][1].as_str().expect("second").to_owned(),
    );
    let query = format!(
        r#"query($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName birthDate }} }}"#
    );
    for (agency, id) in [(QN, &x), (HT, &x), (QN, &y)] {
        let (_, body) = hub
            .post_as(
                &token(agency, "upstream:population:read"),
                &query,
                json!({ "p": id }),
            )
            .await;
        assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
    }
    let who = "query($p: String!) { personalDataAccesses(personalId: $p, first: 10) {
        totalCount edges { node { agencyCode purpose purposeReference upstream fields subjectHash } } } }";
    let (_, body) = hub
        .post_as(
            &token(QN, "upstream:population:read"),
            who,
            json!({ "p": x }),
        )
        .await;
    assert_eq!(errors(&body)[0].0, "FORBIDDEN", "{body}");
    let (_, body) = hub
        .post_as(&token(QN, "audit:read"), who, json!({ "p": x }))
        .await;
    let accesses = &body["data"]["personalDataAccesses"];
    assert_eq!(accesses["totalCount"], 2, "{body}");
    assert_eq!(
        accesses["edges"][0]["node"]["agencyCode"], HT,
        "newest first: {body}"
    );
    assert_eq!(
        accesses["edges"][1]["node"]["fields"],
        json!(["birthDate", "fullName"])
    );
    assert_eq!(accesses["edges"][1]["node"]["purpose"], "PUBLIC_SERVICE");
    assert!(
        !body.to_string().contains(&x),
        "the log must not hold the number: {body}"
    );

    // The log cannot be written: the data is withheld.
    hub.db
        .execute_unprepared("DELETE FROM access_log_head")
        .await
        .expect("break the log");
    let (_, body) = hub
        .post_as(
            &token(QN, "upstream:population:read"),
            &query,
            json!({ "p": x }),
        )
        .await;
    assert!(body["data"]["citizen"].is_null(), "{body}");
    assert_eq!(errors(&body)[0].0, "ACCESS_LOG_UNAVAILABLE", "{body}");
    assert!(!body.to_string().contains("birthDate\":\""), "{body}");
}

#[tokio::test]
async fn a_thousand_concurrent_lookups_lose_nothing_and_the_chain_verifies() {
    let _turn = crate::common::HEAVY.lock().await;
    let mock = MockUpstreams::spawn(&[]);
    // This is about losing nothing, not about speed: on a loaded machine a thousand lookups may take longer than
    // the default 10 s request deadline (or wait longer than the default 3 s for a database connection), and a request
    // cancelled at its deadline returns no data by design. For the same reason a lookup whose token fetch or connection
    // times out on a starved machine (CI once saw UPSTREAM_TIMEOUT here) is retried more than the default twice.
    let hub = hub_over_configured(
        &mock,
        |f| {
            f.timeout_ms = Some(20_000);
            // The token fetch too: behind a thousand lookups on a starved machine it can take longer than 3 s.
            f.token_timeout_ms = Some(20_000);
            f.retries = Some(6);
        },
        |o| {
            o.settings.request_timeout_ms = Some(60_000);
            o.settings.db_acquire_timeout_ms = Some(30_000);
        },
    )
    .await;
    let s = mock.samples().await;
    let ids: Vec<String> = s["citizens"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let query = format!(
        r#"query($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }} }}"#
    );
    let reader = token(QN, "upstream:population:read");
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let (client, url, q, t) = (
                hub.client.clone(),
                format!("{}/graphql", hub.base),
                query.clone(),
                reader.clone(),
            );
            let id = ids[i % ids.len()].clone();
            tokio::spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(t)
                    .json(&json!({ "query": q, "variables": { "p": id } }))
                    .send()
                    .await;
                match r {
                    Ok(r) => {
                        let status = r.status();
                        let text = r.text().await.unwrap_or_default();
                        serde_json::from_str::<Value>(&text)
                            .map_err(|_| format!("HTTP {status}, not JSON: {text}"))
                    }
                    Err(e) => Err(format!("no answer: {e:?}")),
                }
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let body = t.await.expect("task").unwrap_or_else(|e| panic!("{e}"));
        assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
        ok += 1;
    }
    assert_eq!(ok, 1000);
    assert_eq!(access_entries(&hub).await, 1000);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
        .args(["audit", "verify"])
        .env("LGSP_DATABASE_URL", hub.database_url())
        .env("LGSP_ACCESS_LOG_KEY", crate::common::TEST_ACCESS_LOG_KEY)
        .env("LGSP_PRODUCTION", "true")
        .env("LGSP_JWT_SECRET", crate::common::TEST_SECRET)
        .output()
        .expect("run audit verify");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact: 1000 entries"));
}

#[tokio::test]
async fn integrators_test_each_connection_step_by_step() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over(&mock, |f| f.retries = Some(0)).await;
    let test = "mutation($n: String!) { testUpstreamConnection(name: $n) { upstream ok steps { step ok ms code } } }";
    let (_, body) = hub
        .post_as(
            &token(QN, "upstream:land:read"),
            test,
            json!({ "n": "population" }),
        )
        .await;
    assert_eq!(errors(&body)[0].0, "FORBIDDEN", "{body}");
    let tester = token(QN, "upstream:population:read upstream:nowhere:read");
    let (_, body) = hub
        .post_as(&tester, test, json!({ "n": "population" }))
        .await;
    let report = &body["data"]["testUpstreamConnection"];
    assert_eq!(report["ok"], true, "{body}");
    let steps: Vec<&str> = report["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["step"].as_str())
        .collect();
    assert_eq!(steps, ["token", "probe"]);
    let (_, body) = hub.post_as(&tester, test, json!({ "n": "nowhere" })).await;
    assert_eq!(errors(&body)[0].0, "NOT_FOUND", "{body}");

    mock.admin_put_knobs("population", json!({ "down": true }))
        .await;
    // A fresh hub has no cached token, so the token step is the one that fails.
    let fresh = hub_over(&mock, |f| f.retries = Some(0)).await;
    let (_, body) = fresh
        .post_as(&tester, test, json!({ "n": "population" }))
        .await;
    let report = &body["data"]["testUpstreamConnection"];
    assert_eq!(report["ok"], false, "{body}");
    assert_eq!(report["steps"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(report["steps"][0]["code"], "UPSTREAM_UNAVAILABLE", "{body}");

    // The same from the command line: non-zero exit, one line per step.
    let check = |url: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
            .arg("check-upstreams")
            .env("LGSP_UPSTREAMS_URL", url)
            .env_remove("LGSP_CONFIG")
            .output()
            .expect("run check-upstreams")
    };
    let out = check(mock.url());
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.lines()
            .any(|l| l.starts_with("population") && l.contains("FAILED UPSTREAM_UNAVAILABLE")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("business") && l.contains("probe") && l.ends_with("ok")),
        "{text}"
    );
    mock.admin_put_knobs("population", json!({ "down": false }))
        .await;
    let out = check(mock.url());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        12,
        "two steps for each of six services"
    );
}

/// The README's first command federates out of the box: with no upstream configured (and not in production), the hub
/// serves the built-in mocks on a loopback port and calls them over HTTP.
#[cfg(feature = "mock-upstreams")]
#[tokio::test]
async fn with_nothing_configured_the_hub_serves_the_built_in_mocks() {
    let data = tempfile::tempdir().expect("tempdir");
    let dir = data.path().to_owned();
    let hub = TestHub::start_configured(0, move |o| {
        o.settings.production = Some(false);
        o.settings.access_log_key = None;
        o.settings.data_dir = Some(dir);
    })
    .await;
    let reader = token(QN, "upstream:population:read");
    let (_, body) = hub
        .post_as(&reader, "{ upstreams { name baseUrl status } }", json!({}))
        .await;
    let upstreams = body["data"]["upstreams"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(upstreams.len(), 6, "{body}");
    let base = upstreams[0]["baseUrl"].as_str().expect("url");
    assert!(base.starts_with("http://127.0.0.1:"), "{body}");
    let root = base.rsplit_once('/').map_or(base, |(r, _)| r);
    let samples: Value = reqwest::Client::new()
        .get(format!("{root}/admin/samples"))
        .header("x-admin-key", "dev-admin-key")
        .send()
        .await
        .expect("samples")
        .json()
        .await
        .expect("json");
    let query = format!(
        r#"query($p: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }} }}"#
    );
    let (_, body) = hub
        .post_as(
            &reader,
            &query,
            json!({ "p": sample(&samples, "citizens") }),
        )
        .await;
    assert!(body["data"]["citizen"]["fullName"].is_string(), "{body}");
    // The development access-log key was generated with mode 0600.
    let key = data.path().join("access-log-key");
    let mode = std::fs::metadata(&key)
        .expect("access-log key")
        .permissions();
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
}

/// Without any national database (none configured, and the built-in mocks turned off, or not compiled in: built
/// without the `mock-upstreams` feature) the hub serves all the same: `upstreams` is empty, no national database has
/// an `upstream`, and a lookup is `UPSTREAM_UNAVAILABLE` for its own field, with no access-log entry.
#[tokio::test]
async fn without_any_upstream_the_hub_serves_and_lookups_are_unavailable() {
    let data = tempfile::tempdir().expect("tempdir");
    let dir = data.path().to_owned();
    let hub = TestHub::start_configured(0, move |o| {
        o.settings.production = Some(false);
        o.settings.data_dir = Some(dir);
        if cfg!(feature = "mock-upstreams") {
            o.settings.mock_upstreams = Some(false);
        }
    })
    .await;
    let reader = token(QN, ALL_READ);
    let (_, body) = hub
        .post_as(&reader, "{ upstreams { name status } }", json!({}))
        .await;
    assert_eq!(body["data"]["upstreams"], json!([]), "{body}");
    let (_, body) = hub
        .post_as(
            &reader,
            "{ nationalDatabases(first: 100) { nodes { key upstream { name } } } }",
            json!({}),
        )
        .await;
    let databases = body["data"]["nationalDatabases"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert!(!databases.is_empty(), "{body}");
    assert!(databases.iter().all(|d| d["upstream"].is_null()), "{body}");

    let query = format!(
        r#"{{ citizen(personalId: "001090000123", purpose: {PURPOSE}) {{ fullName }} provinces {{ code }} }}"#
    );
    let (status, body) = hub.post_as(&reader, &query, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["citizen"].is_null(), "{body}");
    assert_eq!(
        body["data"]["provinces"].as_array().map(Vec::len),
        Some(5),
        "{body}"
    );
    assert_eq!(
        errors(&body),
        [("UPSTREAM_UNAVAILABLE".to_owned(), "population".to_owned())],
        "{body}"
    );
    assert_eq!(access_entries(&hub).await, 0);
}
