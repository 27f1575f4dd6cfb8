//! An upstream killed mid-load: the population service runs in a mock process of its own, the others in another.
//! Clients ask for a citizen and an enterprise in one query; the population process is killed (SIGKILL) and later
//! started again on its port. Its circuit opens, the enterprise keeps answering throughout, and the circuit closes
//! again once the process is back.

use std::time::Duration;

use lgsp_hub::config::UpstreamFile;
use serde_json::{json, Value};

use super::load::{Answer, Load};
use crate::{
    common::{token, TestHub},
    federation::sample,
    mock::MockUpstreams,
};

const QN: &str = "000.00.00.H48";
const PURPOSE: &str = r#"{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }"#;

async fn circuit(hub: &TestHub, reader: &str) -> Value {
    let (_, body) = hub
        .post_as(reader, "{ upstreams { name circuitState } }", json!({}))
        .await;
    body["data"]["upstreams"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["name"] == "population"))
        .map(|u| u["circuitState"].clone())
        .unwrap_or_default()
}

async fn wait_circuit(hub: &TestHub, reader: &str, state: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while circuit(hub, reader).await != state {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the population circuit is not {state}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn citizen_answered(a: &Answer) -> bool {
    a.body["data"]["citizen"]["fullName"].is_string()
}

#[tokio::test]
async fn an_upstream_killed_mid_load_opens_its_circuit_others_answer_and_it_closes_on_return() {
    let _turn = crate::common::HEAVY.lock().await;
    let mut population = MockUpstreams::spawn(&[]);
    let others = MockUpstreams::spawn(&[]);
    let (population_url, others_url) = (population.url(), others.url());
    let hub = TestHub::start_configured(0, |o| {
        for service in lgsp_hub::upstream::SERVICES {
            let base = if service.name == "population" {
                &population_url
            } else {
                &others_url
            };
            o.settings.upstream.insert(
                service.name.to_owned(),
                UpstreamFile {
                    base_url: Some(format!("{base}/{}", service.name)),
                    client_secret: Some(lgsp_hub::upstream::dev_secret(service.name).into()),
                    breaker_threshold: Some(3),
                    breaker_cooldown_ms: Some(200),
                    retries: Some(0),
                    ..Default::default()
                },
            );
        }
    })
    .await;
    let s = population.samples().await;
    let (citizen, enterprise) = (sample(&s, "citizens"), sample(&s, "enterpriseCodes"));
    let reader = token(QN, "upstream:population:read upstream:business:read");
    let query = format!(
        r#"query($p: String!, $e: String!) {{ citizen(personalId: $p, purpose: {PURPOSE}) {{ fullName }}
           enterprise(code: $e) {{ name }} }}"#
    );
    let (endpoint, bearer) = (format!("{}/graphql", hub.base), reader.clone());
    let load = Load::start(4, move |http, _, _| {
        http.post(&endpoint)
            .bearer_auth(&bearer)
            .json(&json!({ "query": query, "variables": { "p": citizen, "e": enterprise } }))
    });
    load.until(
        "lookups answered before the kill",
        Duration::from_secs(30),
        |a| a.iter().filter(|a| citizen_answered(a)).count() >= 20,
    )
    .await;

    let addr = population.addr();
    population.kill();
    wait_circuit(&hub, &reader, "OPEN").await;
    let open_at = load.answers().len();
    load.until(
        "answers while the circuit is open",
        Duration::from_secs(30),
        |a| a.len() >= open_at + 20,
    )
    .await;

    let _population = MockUpstreams::spawn_at(&addr, &[]);
    wait_circuit(&hub, &reader, "CLOSED").await;
    let back_at = load.answers().len();
    load.until("citizens answered again", Duration::from_secs(30), |a| {
        a[back_at..].iter().filter(|a| citizen_answered(a)).count() >= 20
    })
    .await;
    let answers = load.stop().await;

    // The enterprise answered in every response, the citizen failed only with its upstream's code and name.
    for a in &answers {
        assert_eq!(a.status, 200, "{a:?}");
        assert!(
            a.body["data"]["enterprise"]["name"].is_string(),
            "the healthy upstream did not answer: {a:?}"
        );
        if !citizen_answered(a) {
            assert_eq!(a.codes(), ["UPSTREAM_UNAVAILABLE"], "{a:?}");
            assert_eq!(a.body["errors"][0]["extensions"]["upstream"], "population");
        }
    }
    // While open, the circuit refused at once: no answer waited on the dead process.
    assert!(answers[open_at..back_at]
        .iter()
        .any(|a| a.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("circuit"))));
}
