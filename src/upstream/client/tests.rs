//! The transport's edge cases: a dropped or refused half-open trial gives its turn back; the call budget.
use super::*;

/// A listener that accepts connections and never answers; says so on `accepted` for each connection.
async fn silent_upstream() -> (String, tokio::sync::mpsc::UnboundedReceiver<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
            let _ = tx.send(());
        }
    });
    (format!("http://{addr}/population"), rx)
}

#[tokio::test]
async fn a_dropped_trial_call_does_not_leave_the_circuit_refusing() {
    let (url, mut accepted) = silent_upstream().await;
    let mut settings = UpstreamSettings::new("population", &url);
    settings.breaker_threshold = 1;
    settings.breaker_cooldown = Duration::ZERO;
    settings.timeout = Duration::from_secs(600);
    settings.token_timeout = Duration::from_secs(600);
    let upstream = Upstream::new(settings, reqwest::Client::new(), UpstreamMetrics::noop());
    upstream.breaker.allow().expect("closed").failure();
    let caller = Caller::default();

    // The trial goes out and hangs; then its caller goes away.
    let mut trial = Box::pin(upstream.get("/citizens/1", &caller));
    let reached = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::select! {
            answer = &mut trial => panic!("the silent upstream answered: {answer:?}"),
            _ = accepted.recv() => {}
        }
    })
    .await;
    assert!(reached.is_ok(), "the trial never reached the upstream");
    assert_eq!(upstream.circuit(), CircuitState::HalfOpen);
    assert!(
        upstream.breaker.allow().is_none(),
        "one trial at a time while it is in flight"
    );
    drop(trial);

    // The next call is the new trial: it goes out (and reaches the upstream) instead of failing as open.
    let mut next = Box::pin(upstream.get("/citizens/1", &caller));
    let reached = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::select! {
            answer = &mut next => panic!("refused or answered: {answer:?}"),
            _ = accepted.recv() => {}
        }
    })
    .await;
    assert!(reached.is_ok(), "the next call never reached the upstream");
}

#[tokio::test]
async fn a_trial_refused_by_the_hubs_own_limit_is_given_back() {
    let mut settings = UpstreamSettings::new("population", "http://127.0.0.1:9/population");
    settings.breaker_threshold = 1;
    settings.breaker_cooldown = Duration::ZERO;
    settings.concurrency = 1;
    settings.timeout = Duration::from_millis(20);
    let upstream = Upstream::new(settings, reqwest::Client::new(), UpstreamMetrics::noop());
    upstream.breaker.allow().expect("closed").failure();
    let _all_permits = upstream.permits.acquire().await.expect("the only permit");
    let busy = upstream.get("/citizens/1", &Caller::default()).await;
    assert!(matches!(busy, Err(UpstreamError::Busy)), "{busy:?}");
    assert!(
        upstream.breaker.allow().is_some(),
        "the busy trial said nothing about the upstream: the next call is the trial"
    );
}

#[test]
fn the_call_budget_covers_every_attempt() {
    let mut s = UpstreamSettings::new("population", "http://x");
    s.retries = 0;
    assert_eq!(
        s.call_budget(),
        s.timeout + 2 * (s.token_timeout + s.timeout),
        "no backoff without retries"
    );
    s.retries = u32::MAX;
    assert!(s.call_budget() > s.timeout, "large settings saturate");
}
