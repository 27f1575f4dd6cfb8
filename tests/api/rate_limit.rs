//! Rate limits: per agency and per anonymous address, `X-Forwarded-For` believed from trusted proxies only, budgets
//! shared by hubs through Redis, and kept in process while Redis is away.
//!
//! The Redis tests need Redis (`LGSP_TEST_REDIS_URL`, default redis://127.0.0.1:6379; CI starts it) and fail saying
//! so without it. Each test writes under a key prefix of its own, which expires by itself within seconds; nothing
//! else in Redis is touched.

use std::{
    net::SocketAddr,
    sync::atomic::{AtomicU32, Ordering},
    time::{Duration, Instant},
};

use reqwest::{header::HeaderMap, Response};
use serde_json::{json, Value};
use tokio::{net::TcpListener, sync::oneshot, task::JoinSet};
use tokio_tungstenite::{connect_async, tungstenite::client::IntoClientRequest};

use crate::common::{token, TestHub};

const QUERY: &str = "{ provinces { code } }";
const AGENCY: &str = "000.00.00.H48";
/// An upper bound for what must happen (a reconnection); reaching it fails the test, it measures nothing.
const PATIENCE: Duration = Duration::from_secs(30);

/// POSTs `QUERY` with an optional token and `X-Forwarded-For`.
async fn ask(hub: &TestHub, bearer: Option<&str>, forwarded_for: Option<&str>) -> Response {
    let mut request = hub
        .client
        .post(hub.url("/graphql"))
        .json(&json!({ "query": QUERY }));
    if let Some(t) = bearer {
        request = request.bearer_auth(t);
    }
    if let Some(xff) = forwarded_for {
        request = request.header("x-forwarded-for", xff);
    }
    request.send().await.expect("request")
}

/// The status of `ask` (the body read, so the connection is reused).
async fn status(hub: &TestHub, bearer: Option<&str>, forwarded_for: Option<&str>) -> u16 {
    let response = ask(hub, bearer, forwarded_for).await;
    let status = response.status().as_u16();
    let _ = response.bytes().await;
    status
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("ascii")
}

#[tokio::test]
async fn anonymous_clients_over_the_limit_get_429_while_agencies_count_apart() {
    // 6 a minute: a burst of 1, then one every 10 s; agencies 12 (a burst of 2).
    let hub = TestHub::start_configured(0, |o| {
        o.settings.rate_limit_anonymous_per_minute = Some(6);
        o.settings.rate_limit_agency_per_minute = Some(12);
    })
    .await;
    let first = ask(&hub, None, None).await;
    assert_eq!(first.status(), 200);
    assert_eq!(
        header(first.headers(), "ratelimit-policy"),
        r#""anonymous";q=6;w=60"#
    );
    assert_eq!(
        header(first.headers(), "ratelimit"),
        r#""anonymous";r=0;t=10"#
    );

    for accept in ["application/json", "application/graphql-response+json"] {
        let refused = hub
            .client
            .post(hub.url("/graphql"))
            .header("accept", accept)
            .json(&json!({ "query": QUERY }))
            .send()
            .await
            .expect("request");
        assert_eq!(refused.status(), 429);
        let headers = refused.headers().clone();
        assert!(header(&headers, "content-type").starts_with(accept));
        let retry_after: u64 = header(&headers, "retry-after").parse().expect("seconds");
        assert!(
            (1..=10).contains(&retry_after),
            "Retry-After: {retry_after}"
        );
        assert_eq!(
            header(&headers, "ratelimit-policy"),
            r#""anonymous";q=6;w=60"#
        );
        assert!(header(&headers, "ratelimit").starts_with(r#""anonymous";r=0;t="#));
        let body: Value = refused.json().await.expect("JSON body");
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
            "{body}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["retryAfter"], retry_after,
            "{body}"
        );
    }

    // GET counts too, and so does the websocket upgrade (by address: its token comes later).
    let get = hub
        .client
        .get(hub.url("/graphql"))
        .query(&[("query", QUERY)])
        .send()
        .await
        .expect("request");
    assert_eq!(get.status(), 429);
    let mut upgrade = format!("{}/graphql/ws", hub.base.replacen("http://", "ws://", 1))
        .into_client_request()
        .expect("websocket request");
    upgrade.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    match connect_async(upgrade).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429)
        }
        other => panic!("expected 429, got {:?}", other.map(|(_, r)| r.status())),
    }

    // An agency's token draws on the agency's budget, not on its address's.
    let agency = token(AGENCY, "");
    let ok = ask(&hub, Some(&agency), None).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(
        header(ok.headers(), "ratelimit-policy"),
        r#""agency";q=12;w=60"#
    );
    assert_eq!(header(ok.headers(), "ratelimit"), r#""agency";r=1;t=5"#);
    assert_eq!(status(&hub, Some(&agency), None).await, 200);
    assert_eq!(status(&hub, Some(&agency), None).await, 429);
    assert_eq!(
        status(&hub, Some(&token("000.00.00.H26", "")), None).await,
        200,
        "another agency"
    );

    // Health, metrics and the schema are not limited.
    for path in ["/healthz", "/readyz", "/schema.graphql", "/metrics"] {
        let resp = hub.client.get(hub.url(path)).send().await.expect("request");
        assert_eq!(resp.status(), 200, "{path}");
    }
    // Four anonymous refusals (two POSTs, the GET, the upgrade) and the agency's one.
    assert_eq!(
        hub.metric(r#"lgsp_rate_limited_total{client="anonymous"}"#)
            .await,
        Some(4)
    );
    assert_eq!(
        hub.metric(r#"lgsp_rate_limited_total{client="agency"}"#)
            .await,
        Some(1)
    );
    assert_eq!(
        hub.metric("lgsp_rate_limit_redis_up").await,
        None,
        "no Redis"
    );
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let limited = |trusted: &'static str| {
        move |o: &mut lgsp_hub::config::Overrides| {
            o.settings.rate_limit_anonymous_per_minute = Some(6);
            o.settings.trusted_proxies = Some(trusted.into());
        }
    };
    // The tests' client is 127.0.0.1: here a trusted proxy.
    let hub = TestHub::start_configured(0, limited("192.0.2.1, 127.0.0.1")).await;
    assert_eq!(status(&hub, None, Some("203.0.113.1")).await, 200);
    assert_eq!(status(&hub, None, Some("203.0.113.1")).await, 429);
    assert_eq!(
        status(&hub, None, Some("203.0.113.2")).await,
        200,
        "another client"
    );
    // What the client itself wrote (left of what the proxy saw) changes nothing.
    assert_eq!(
        status(&hub, None, Some("198.51.100.9, 203.0.113.2")).await,
        429
    );
    drop(hub);

    // Not trusted: the header is ignored, every request is the peer's.
    let hub = TestHub::start_configured(0, limited("192.0.2.1")).await;
    assert_eq!(status(&hub, None, Some("203.0.113.1")).await, 200);
    assert_eq!(status(&hub, None, Some("203.0.113.2")).await, 429);
}

/// The Redis of the tests, checked to answer.
async fn redis_url() -> String {
    let url = std::env::var("LGSP_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    let ping = async {
        let client = redis::Client::open(url.as_str())?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    match tokio::time::timeout(Duration::from_secs(5), ping).await {
        Ok(Ok(_)) => url,
        Ok(Err(err)) => panic!("Redis at {url} does not answer ({err}): start it (CI does), or set LGSP_TEST_REDIS_URL"),
        Err(_) => panic!("Redis at {url} does not answer within 5 s: start it (CI does), or set LGSP_TEST_REDIS_URL"),
    }
}

/// A key prefix no other test run uses.
fn unique_prefix() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "lgsp-test:{}:{nanos}:{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Settings of a hub limiting anonymous clients to 6 a minute (a burst of 1), through `redis_url`, with the tests'
/// client as a trusted proxy (so that `X-Forwarded-For` gives each scenario a client of its own).
fn shared(redis_url: String, prefix: String) -> impl FnOnce(&mut lgsp_hub::config::Overrides) {
    move |o| {
        o.settings.rate_limit_anonymous_per_minute = Some(6);
        o.settings.redis_url = Some(redis_url);
        o.settings.redis_key_prefix = Some(prefix);
        o.settings.trusted_proxies = Some("127.0.0.1".into());
    }
}

/// Spends `client`'s budget on `a`, then asks `b`: true when `b` refuses (the budget is shared). `None` when a hub
/// decided in process meanwhile (a Redis call slower than the hub's 50 ms on a loaded machine): try again.
async fn spent_on_a_refused_on_b(a: &TestHub, b: &TestHub, client: &str) -> Option<bool> {
    const FALLBACKS: &str = "lgsp_rate_limit_fallbacks_total";
    let before = (a.metric(FALLBACKS).await, b.metric(FALLBACKS).await);
    assert_eq!(status(a, None, Some(client)).await, 200);
    assert_eq!(status(a, None, Some(client)).await, 429);
    let refused = status(b, None, Some(client)).await == 429;
    (before == (a.metric(FALLBACKS).await, b.metric(FALLBACKS).await)).then_some(refused)
}

/// Asserts that a budget spent on `a` is spent on `b` too, in one of three tries (see `spent_on_a_refused_on_b`).
async fn assert_shared(a: &TestHub, b: &TestHub, clients: [&str; 3]) {
    for client in clients {
        match spent_on_a_refused_on_b(a, b, client).await {
            Some(refused) => {
                return assert!(refused, "the second hub did not see the first's budget")
            }
            None => continue,
        }
    }
    panic!("a hub fell back to its own limits on every try: Redis too slow?");
}

#[tokio::test]
async fn hubs_sharing_redis_share_the_budgets() {
    // A Redis check that takes over 50 ms falls back to the process: not beside a deliberate heavy load.
    let _turn = crate::common::HEAVY.lock().await;
    let (url, prefix) = (redis_url().await, unique_prefix());
    let a = TestHub::start_configured(0, shared(url.clone(), prefix.clone())).await;
    let b = TestHub::start_configured(0, shared(url, prefix)).await;
    for hub in [&a, &b] {
        assert_eq!(hub.metric("lgsp_rate_limit_redis_up").await, Some(1));
    }
    assert_shared(&a, &b, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]).await;
    assert_shared(&b, &a, ["203.0.113.4", "203.0.113.5", "203.0.113.6"]).await;
}

/// A TCP proxy to Redis that the test can cut: stopping it closes its listener and every connection through it.
struct Proxy {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(listen: SocketAddr, upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind(listen).await.expect("proxy listens");
        let addr = listener.local_addr().expect("proxy address");
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    accepted = listener.accept() => {
                        let Ok((mut inbound, _)) = accepted else { break };
                        connections.spawn(async move {
                            if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                            }
                        });
                    }
                }
            }
            // Dropping the listener and the tasks' sockets closes them all.
            connections.shutdown().await;
        });
        Proxy { addr, stop, task }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("proxy stops");
    }
}

/// Polls `check` until it holds, for at most [`PATIENCE`].
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn without_redis_requests_are_answered_and_limited_in_process() {
    // A Redis check that takes over 50 ms falls back to the process: not beside a deliberate heavy load.
    let _turn = crate::common::HEAVY.lock().await;
    let (url, prefix) = (redis_url().await, unique_prefix());
    let upstream = tokio::net::lookup_host(
        url.trim_start_matches("redis://")
            .split('/')
            .next()
            .unwrap_or_default(),
    )
    .await
    .expect("Redis address")
    .next()
    .expect("an address");
    let proxy = Proxy::start("127.0.0.1:0".parse().expect("addr"), upstream).await;
    let listen = proxy.addr;
    let hub =
        TestHub::start_configured(0, shared(format!("redis://{listen}"), prefix.clone())).await;
    let direct = TestHub::start_configured(0, shared(url, prefix)).await;
    assert_eq!(hub.metric("lgsp_rate_limit_redis_up").await, Some(1));
    assert_shared(&hub, &direct, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]).await;

    // Redis gone: every request is answered, and the limit holds in process.
    proxy.stop().await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(status(&hub, None, Some("203.0.113.10")).await);
    }
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(statuses[1..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(hub.metric("lgsp_rate_limit_redis_up").await, Some(0));
    assert!(hub.metric("lgsp_rate_limit_fallbacks_total").await >= Some(4));

    // Redis back: the hub reconnects (on a request after its back-off) and shares again.
    let proxy = Proxy::start(listen, upstream).await;
    eventually("the hub reconnects to Redis", async || {
        let _ = status(&hub, None, Some("203.0.113.20")).await;
        hub.metric("lgsp_rate_limit_redis_up").await == Some(1)
    })
    .await;
    assert_shared(
        &hub,
        &direct,
        ["203.0.113.11", "203.0.113.12", "203.0.113.13"],
    )
    .await;
    proxy.stop().await;
}

/// A hub as a separate OS process (the real `lgsp-hub serve`) shares the budget an in-process hub spent, through
/// Redis: the replicas share nothing else.
#[tokio::test]
async fn a_second_hub_process_shares_the_budgets_through_redis() {
    // A Redis check that takes over 50 ms falls back to the process: not beside a deliberate heavy load.
    let _turn = crate::common::HEAVY.lock().await;
    let (url, prefix) = (redis_url().await, unique_prefix());
    let a = TestHub::start_configured(0, shared(url.clone(), prefix.clone())).await;
    let b = crate::common::process::HubProcess::start(
        a.database_url(),
        &[
            ("LGSP_REDIS_URL", url),
            ("LGSP_REDIS_KEY_PREFIX", prefix),
            ("LGSP_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "6".into()),
            ("LGSP_TRUSTED_PROXIES", "127.0.0.1".into()),
        ],
    )
    .await;
    let ask_b = |client: &'static str| {
        a.client
            .post(format!("{}/graphql", b.base))
            .header("x-forwarded-for", client)
            .json(&serde_json::json!({ "query": "{ __typename }" }))
            .send()
    };
    // As in `assert_shared`, a Redis call slower than 50 ms on a loaded machine makes a hub decide alone: three tries.
    let mut shared_once = false;
    for client in ["198.51.100.7", "198.51.100.8", "198.51.100.9"] {
        assert_eq!(
            ask_b(client).await.expect("b answers").status(),
            200,
            "b's own first request"
        );
        let refused_on_a = status(&a, None, Some(client)).await == 429;
        if refused_on_a {
            shared_once = true;
            break;
        }
    }
    assert!(
        shared_once,
        "the budget spent on the hub process never reached the in-process hub"
    );
}

#[tokio::test]
async fn a_known_costly_document_draws_its_cost_from_the_budget() {
    // 30 a minute: a burst of 5, then one every 2 s. The page below costs well over 5, so once the hub knows it, it
    // is charged the whole burst; charged one request, as the first time (its cost unknown), it would pass.
    const PAGE: &str = "{ informationSystems(first: 20) { edges { node { code name } } } }";
    let statuses = |cost_unit: u32| async move {
        let hub = TestHub::start_configured(0, |o| {
            o.settings.rate_limit_anonymous_per_minute = Some(30);
            o.settings.rate_limit_cost_unit = Some(cost_unit);
        })
        .await;
        let mut statuses = Vec::new();
        for _ in 0..2 {
            let (status, _) = hub.post(PAGE, json!({})).await;
            statuses.push(status);
        }
        statuses
    };
    assert_eq!(statuses(1).await, [200, 429], "charged by cost");
    assert_eq!(statuses(0).await, [200, 200], "one request each");
}
