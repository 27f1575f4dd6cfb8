//! Active health checks: the hub probes each national database in the background, so `upstreams` is live before any
//! lookup; probes find a down upstream without opening its circuit, and write no access-log entry.

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::{
    common::{token, TestHub},
    federation::{access_entries, hub_over_configured},
    mock::MockUpstreams,
};

const STATUS: &str =
    "{ upstreams { name status circuitState calls lastProbe { atMs ok latencyMs code } } }";

async fn upstreams(hub: &TestHub, bearer: &str) -> Vec<Value> {
    let (_, body) = hub.post_as(bearer, STATUS, json!({})).await;
    body["data"]["upstreams"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no upstreams: {body}"))
}

/// Polls `upstreams` until `done` holds of them (or fails after 20 s); returns them.
async fn until(
    hub: &TestHub,
    bearer: &str,
    what: &str,
    mut done: impl FnMut(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let list = upstreams(hub, bearer).await;
        if done(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "never {what}: {list:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("no upstream {name}: {list:?}"))
}

#[tokio::test]
async fn upstreams_are_live_without_traffic_and_probes_never_open_the_circuit() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over_configured(
        &mock,
        |f| {
            f.retries = Some(0);
            // Two failed calls would open the circuit: many failed probes must not.
            f.breaker_threshold = Some(2);
        },
        |o| o.settings.health_interval_ms = Some(100),
    )
    .await;
    let bearer = token("000.00.00.H48", "upstream:population:read");

    // Nobody has looked anything up, yet every national database is known to be up.
    let list = until(&hub, &bearer, "all probed", |list| {
        list.len() == 6 && list.iter().all(|u| u["lastProbe"]["ok"] == true)
    })
    .await;
    for u in &list {
        assert_eq!(u["status"], "UP", "{u}");
        assert_eq!(u["calls"], 0, "a probe is not a call: {u}");
        assert!(u["lastProbe"]["latencyMs"].as_f64().is_some(), "{u}");
    }
    // The probes touched no one: no access-log entry, and the national database saw the hub's own identity.
    assert_eq!(access_entries(&hub).await, 0);
    let calls = mock.calls().await;
    let probe = calls
        .iter()
        .find(|c| c["service"] == "population")
        .unwrap_or_else(|| panic!("the mock saw no probe: {calls:?}"));
    assert_eq!(probe["path"], "/citizens/000000000000", "{probe}");
    assert_eq!(probe["clientSubject"], "health-probe", "{probe}");
    assert_eq!(probe["purpose"], Value::Null, "{probe}");

    // Population goes down: the probes see it, and however many fail, the circuit stays closed.
    mock.admin_put_knobs("population", json!({ "down": true }))
        .await;
    let mut failed_probes = BTreeSet::new();
    until(&hub, &bearer, "five failed probes of population", |list| {
        let population = named(list, "population");
        assert_eq!(population["circuitState"], "CLOSED", "{population}");
        if population["lastProbe"]["ok"] == false {
            assert_eq!(population["status"], "DOWN", "{population}");
            assert_eq!(
                population["lastProbe"]["code"], "UPSTREAM_UNAVAILABLE",
                "{population}"
            );
            failed_probes.insert(population["lastProbe"]["atMs"].to_string());
        }
        failed_probes.len() >= 5
    })
    .await;
    let list = upstreams(&hub, &bearer).await;
    assert_eq!(named(&list, "business")["status"], "UP");
    assert_eq!(named(&list, "population")["calls"], 0);

    // Back up: the next probe says so.
    mock.admin_put_knobs("population", json!({ "down": false }))
        .await;
    until(&hub, &bearer, "population up again", |list| {
        named(list, "population")["status"] == "UP"
    })
    .await;
    assert_eq!(access_entries(&hub).await, 0);
}

#[tokio::test]
async fn with_probes_off_an_upstream_nobody_called_is_unknown() {
    let mock = MockUpstreams::spawn(&[]);
    let hub = hub_over_configured(&mock, |_| {}, |o| o.settings.health_interval_ms = Some(0)).await;
    let list = upstreams(&hub, &token("000.00.00.H48", "upstream:population:read")).await;
    assert_eq!(list.len(), 6);
    for u in &list {
        assert_eq!(u["status"], "UNKNOWN", "{u}");
        assert_eq!(u["lastProbe"], Value::Null, "{u}");
    }
}
