//! What a personal-data lookup leaves in traces: the spans of its upstream call and of its access-log write, and
//! nowhere the number or the name it looked up.
//!
//! The subscriber is the thread's default, not the process's: on the current-thread runtime of `#[tokio::test]`
//! every task of the lookup (the mocks, the HTTP client, the access log's writer) runs on this thread and reports to
//! it, while tests on other threads are not seen.

use std::{
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use tracing::{
    field::{Field, Visit},
    span, Event, Subscriber,
};
use tracing_subscriber::{
    layer::{Context, SubscriberExt},
    registry::LookupSpan,
    Layer,
};

use super::{
    adapters::{Birth, VerifyCitizen},
    Federation, LegalPurpose, Purpose,
};
use crate::{
    access_log::{AccessLog, ChainKeys},
    codes::PersonalId,
    upstream::{dev_secret, Caller, UpstreamSettings, SERVICES},
};

/// What the subscriber saw: the spans entered (`target::name`), and every value recorded in a span or an event.
#[derive(Default)]
struct Seen {
    entered: Vec<String>,
    values: Vec<String>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Seen>>);

impl Capture {
    fn seen(&self) -> MutexGuard<'_, Seen> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Values<'a>(&'a mut Vec<String>);

impl Visit for Values<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &span::Attributes<'_>, _: &span::Id, _: Context<'_, S>) {
        attrs.record(&mut Values(&mut self.seen().values));
    }

    fn on_record(&self, _: &span::Id, values: &span::Record<'_>, _: Context<'_, S>) {
        values.record(&mut Values(&mut self.seen().values));
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        event.record(&mut Values(&mut self.seen().values));
    }

    fn on_enter(&self, id: &span::Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let meta = span.metadata();
            let name = format!("{}::{}", meta.target(), meta.name());
            self.seen().entered.push(name);
        }
    }
}

/// A federation over the in-process mocks, with its access log on a fresh in-memory database.
async fn federation(mocks: &mock_upstreams::Running) -> Federation {
    let settings = SERVICES
        .iter()
        .map(|service| {
            let url = format!("{}/{}", mocks.url(), service.name);
            let mut s = UpstreamSettings::new(service.name, &url);
            s.client_secret = dev_secret(service.name).into();
            s
        })
        .collect();
    // One connection: each connection to `:memory:` would be a database of its own.
    let metrics = crate::telemetry::Metrics::new();
    let db = crate::db::connect(
        "sqlite::memory:",
        1,
        Duration::from_secs(5),
        None,
        metrics.sql(),
    )
    .await
    .expect("database");
    crate::db::migrate(&db).await.expect("migrations");
    Federation::new(
        settings,
        AccessLog::start(db, ChainKeys::from_secret(b"test"), metrics.access_log()),
        std::sync::Arc::new(super::grants::Unchecked),
        &metrics,
    )
}

/// A personal number the mocks know.
async fn known_number(mocks: &mock_upstreams::Running) -> String {
    let samples: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/admin/samples", mocks.url()))
        .header(
            "x-admin-key",
            mock_upstreams::MockConfig::default().admin_key,
        )
        .send()
        .await
        .expect("samples")
        .json()
        .await
        .expect("samples as JSON");
    samples["citizens"][0]
        .as_str()
        .expect("a sample citizen")
        .to_owned()
}

#[tokio::test]
async fn a_lookup_traces_its_upstream_call_and_access_log_write_but_not_whom_it_names() {
    let capture = Capture::default();
    let _default =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let config = mock_upstreams::MockConfig {
        citizens: 1_000,
        ..Default::default()
    };
    let mocks = mock_upstreams::start(config, listener)
        .await
        .expect("mocks");
    let federation = federation(&mocks).await;
    let number = known_number(&mocks).await;
    let name = "Nguyễn Thị Thu";
    let id = PersonalId::parse("personalId", &number).expect("a personal number");
    let caller = Caller {
        agency: "000.00.00.H48".into(),
        subject: "officer-1".into(),
        purpose: None,
        request_id: Some("req-1".into()),
    };
    let purpose = Purpose::new(LegalPurpose::PublicService, "HS-1").expect("purpose");

    let birth = federation
        .lookup(
            &Birth(id.clone()),
            &caller,
            &purpose,
            vec!["fullName".into()],
            false,
        )
        .await
        .expect("birth lookup");
    assert!(birth.is_some(), "the sample citizen has a birth record");
    let verify = VerifyCitizen {
        id,
        full_name: name.into(),
        birth_date: "1990-01-01".into(),
    };
    federation
        .lookup(&verify, &caller, &purpose, vec!["match".into()], false)
        .await
        .expect("verification");

    let seen = capture.seen();
    for span in [
        "lgsp_hub::federation::personal",
        "lgsp_hub::upstream::client::call",
        "lgsp_hub::upstream::token::fetch",
        "lgsp_hub::upstream::client::attempt",
        "lgsp_hub::access_log::record",
        "lgsp_hub::access_log::writer::append",
    ] {
        assert!(
            seen.entered.iter().any(|s| s == span),
            "no span {span}: {:?}",
            seen.entered
        );
    }
    for expected in [
        "upstream=\"civil-status\"",
        "route=\"/births\"",
        "route=\"/citizens:verify\"",
        "purpose=\"PUBLIC_SERVICE\"",
    ] {
        assert!(
            seen.values.iter().any(|v| v == expected),
            "no {expected}: {:?}",
            seen.values
        );
    }
    let leaks: Vec<&String> = seen
        .values
        .iter()
        .filter(|v| v.contains(&number) || v.contains(name))
        .collect();
    assert!(leaks.is_empty(), "personal data in traces: {leaks:?}");
    drop(seen);
    mocks.shutdown();
}
