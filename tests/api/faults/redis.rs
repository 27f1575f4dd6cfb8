//! Redis stopped under load with shared rate limits on: a private redis-server is killed while clients query, and
//! started again. Every request is answered throughout (the limits fall back to the process), and the hub links up
//! with Redis again by itself.

use std::time::Duration;

use serde_json::json;

use super::load::Load;
use crate::common::{private::PrivateRedis, token, TestHub};

const QN: &str = "000.00.00.H48";

async fn wait_metric(hub: &TestHub, what: &str, value: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while hub.metric("lgsp_rate_limit_redis_up").await != Some(value) {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn redis_stopped_under_load_with_shared_rate_limits_requests_keep_being_served() {
    let _turn = crate::common::HEAVY.lock().await;
    let Some(mut redis) = PrivateRedis::start().await else {
        return;
    };
    let url = redis.url();
    let hub = TestHub::start_configured(0, |o| {
        o.settings.redis_url = Some(url);
        o.settings.redis_key_prefix = Some(format!("lgsp:faults:{}", std::process::id()));
        // On, and high enough that this load is never refused: the point is that Redis's absence refuses nothing.
        o.settings.rate_limit_agency_per_minute = Some(1_000_000);
        o.settings.rate_limit_anonymous_per_minute = Some(1_000_000);
    })
    .await;
    wait_metric(&hub, "the hub is not linked to Redis", 1).await;
    let (endpoint, bearer) = (format!("{}/graphql", hub.base), token(QN, "catalog:read"));
    let load = Load::start(4, move |http, _, _| {
        http.post(&endpoint)
            .bearer_auth(&bearer)
            .json(&json!({ "query": "{ agencies(first: 1) { totalCount } }" }))
    });
    load.until("answers before the stop", Duration::from_secs(30), |a| {
        a.len() >= 20
    })
    .await;

    redis.kill();
    wait_metric(&hub, "the hub did not notice Redis is gone", 0).await;
    let down_at = load.answers().len();
    load.until("answers without Redis", Duration::from_secs(30), |a| {
        a.len() >= down_at + 50
    })
    .await;

    redis.up().await;
    // The link comes back on a request after its back-off (at most 10 s).
    wait_metric(&hub, "the hub did not link up with Redis again", 1).await;
    let answers = load.stop().await;
    assert!(answers.len() >= down_at + 50);
    for a in &answers {
        assert_eq!(a.status, 200, "{a:?}");
        assert!(a.body["errors"].is_null(), "{a:?}");
        assert!(
            a.body["data"]["agencies"]["totalCount"].is_number(),
            "{a:?}"
        );
    }
    assert!(hub.metric("lgsp_rate_limit_fallbacks_total").await >= Some(50));
}
