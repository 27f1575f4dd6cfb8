//! Console sign-in through the mock OpenID provider over HTTP: every demo user, the refusals (state, PKCE, CSRF),
//! sign-out, the idle and absolute timeouts, the cookie's attributes, no token anywhere the browser sees, and a
//! production hub without a provider.

use std::sync::Arc;

use lgsp_hub::clock::ManualClock;
use mock_upstreams::oidc::DEMO_USERS;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::common::{
    console::{self, flow, is_sign_in_redirect, set_cookie, set_cookie_line, Session},
    TestHub,
};

/// The session rows of the hub's database.
async fn sessions(hub: &TestHub) -> Vec<(String, String)> {
    let backend = hub.db.get_database_backend();
    hub.db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT agency_code, scopes FROM console_sessions ORDER BY created_at_ms",
        ))
        .await
        .expect("sessions")
        .into_iter()
        .map(|r| {
            (
                r.try_get::<String>("", "agency_code").expect("agency"),
                r.try_get::<String>("", "scopes").expect("scopes"),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_demo_user_signs_in_through_the_mock_provider_as_its_agency_and_scopes() {
    // The helper's names are the provider's demo users, in its order.
    let named = [
        console::OPERATOR,
        console::SECURITY_UNIT,
        console::APPROVER,
        console::INTEGRATOR,
        console::AUDITOR,
        console::ADMIN,
    ];
    assert_eq!(
        DEMO_USERS.iter().map(|u| u.subject).collect::<Vec<_>>(),
        named
    );
    let hub = console::hub().await;
    for user in DEMO_USERS {
        let session = Session::sign_in(&hub, user.subject).await;
        let home = session.get("/console").await;
        assert_eq!(home.status, 200, "{}", home.text);
        assert!(
            home.text.contains(user.name),
            "{} greeted: {}",
            user.subject,
            home.text
        );
        assert!(!console::csrf_token(&home.text).is_empty());
    }
    let rows = sessions(&hub).await;
    assert_eq!(rows.len(), DEMO_USERS.len());
    for (user, (agency, scopes)) in DEMO_USERS.iter().zip(&rows) {
        assert_eq!(agency, user.agency_code, "{}", user.subject);
        let mut want: Vec<&str> = user.scopes.split_whitespace().collect();
        want.sort_unstable();
        assert_eq!(
            scopes.split(' ').collect::<Vec<_>>(),
            want,
            "{}",
            user.subject
        );
    }
    // The zero set-up gave the demo departments their demonstration codes and the security unit its ND 85 role,
    // through the schema (audited as `console-demo-setup`).
    let data = hub
        .data(
            r#"{ yte: agency(key: "qn-so-y-te") { code } tt: agency(key: "qn-so-tt-tt") { code approvalRole } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["yte"]["code"], "000.00.19.H48");
    assert_eq!(data["tt"]["approvalRole"], "SECURITY_UNIT");
}

#[tokio::test]
async fn a_callback_with_another_browsers_or_a_used_state_is_refused() {
    let hub = console::shared_hub().await;
    let (authorize, cookie) = flow::start(&hub, "/console").await;
    let callback = flow::choose(&authorize, console::OPERATOR, |_| {}).await;
    // Without the sign-in cookie (a link sent to someone else) and with another sign-in's cookie.
    let (_, other) = flow::start(&hub, "/console").await;
    for wrong in [None, Some(other.as_str())] {
        let p = flow::finish(&callback, wrong).await;
        assert_eq!(p.status, 400, "{}", p.text);
        assert!(p.text.contains("Phiên đăng nhập không khớp"), "{}", p.text);
        assert_eq!(set_cookie(&p.headers, "lgsp_console"), None);
    }
    // The refusal above consumed the state: even the right browser cannot use it now.
    let p = flow::finish(&callback, Some(&cookie)).await;
    assert_eq!(p.status, 400, "{}", p.text);
    // A fresh sign-in works, once.
    let (authorize, cookie) = flow::start(&hub, "/console").await;
    let callback = flow::choose(&authorize, console::OPERATOR, |_| {}).await;
    assert_eq!(flow::finish(&callback, Some(&cookie)).await.status, 303);
    assert_eq!(
        flow::finish(&callback, Some(&cookie)).await.status,
        400,
        "a replayed callback"
    );
}

#[tokio::test]
async fn a_code_issued_for_another_pkce_challenge_is_refused() {
    let hub = console::shared_hub().await;
    let (authorize, cookie) = flow::start(&hub, "/console").await;
    let callback = flow::choose(&authorize, console::OPERATOR, |fields| {
        for (name, value) in fields.iter_mut() {
            if name == "code_challenge" {
                // Another well-formed S256 challenge: the hub's verifier no longer matches it.
                *value = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into();
            }
        }
    })
    .await;
    let p = flow::finish(&callback, Some(&cookie)).await;
    assert_eq!(p.status, 400, "{}", p.text);
    assert!(p.text.contains("không xác nhận"), "{}", p.text);
    assert_eq!(set_cookie(&p.headers, "lgsp_console"), None);
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused_with_403() {
    let hub = console::shared_hub().await;
    let session = Session::sign_in(&hub, console::AUDITOR).await;
    let other = Session::sign_in(&hub, console::AUDITOR).await;
    let others_token = other.csrf().await;
    for fields in [
        vec![],
        vec![("csrf", "")],
        vec![("csrf", "forged")],
        vec![("csrf", others_token.as_str())],
    ] {
        let p = session.post_form("/console/sign-out", &fields).await;
        assert_eq!(p.status, 403, "{fields:?}: {}", p.text);
        assert!(p.text.contains("Không có quyền"), "{}", p.text);
    }
    // Still signed in.
    assert!(session.get("/console").await.text.contains("Võ Văn Nam"));
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let hub = console::shared_hub().await;
    let session = Session::sign_in(&hub, console::APPROVER).await;
    let csrf = session.csrf().await;
    let p = session
        .post_form("/console/sign-out", &[("csrf", &csrf)])
        .await;
    assert_eq!(p.status, 303, "{}", p.text);
    assert_eq!(p.location.as_deref(), Some("/console"));
    let cleared = set_cookie_line(&p.headers, "lgsp_console").expect("cookie cleared");
    assert!(
        cleared.starts_with("lgsp_console=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    // The old cookie, replayed, is no session anywhere: anonymous pages, sign-in asked where one is needed.
    let home = session.get("/console").await;
    assert!(!home.text.contains("Lê Văn Hùng"), "{}", home.text);
    let again = session
        .post_form("/console/sign-out", &[("csrf", &csrf)])
        .await;
    assert!(is_sign_in_redirect(&again), "{again:?}");
}

#[tokio::test]
async fn a_page_that_needs_a_session_sends_browsers_to_sign_in_and_scripts_get_401() {
    let hub = console::shared_hub().await;
    let c = console::client();
    let browser = c
        .post(hub.url("/console/sign-out"))
        .header("accept", "text/html")
        .form(&[("csrf", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(browser.status(), 303);
    assert_eq!(
        browser.headers()["location"].to_str().expect("ascii"),
        "/console/sign-in"
    );
    let script = c
        .post(hub.url("/console/sign-out"))
        .header("accept", "application/json")
        .form(&[("csrf", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(script.status(), 401);
}

#[tokio::test]
async fn sessions_end_after_the_idle_and_the_absolute_timeout() {
    let clock = ManualClock::now();
    let hub = TestHub::start_clocked(0, clock.clone(), |o| {
        o.settings.mock_oidc = Some(true);
        o.settings.console_idle_timeout_s = Some(60);
        o.settings.console_absolute_timeout_s = Some(300);
    })
    .await;
    // Idle: used within the minute it stays; a minute and more without a request ends it.
    let idle = Session::sign_in(&hub, console::INTEGRATOR).await;
    clock.advance_ms(50_000);
    assert!(signed_in(&idle).await, "used within the idle timeout");
    clock.advance_ms(50_000);
    assert!(
        signed_in(&idle).await,
        "the last use restarted the idle timeout"
    );
    clock.advance_ms(61_000);
    assert!(!signed_in(&idle).await, "idle for over a minute");
    // Absolute: however busy, five minutes after sign-in it ends.
    let busy = Session::sign_in(&hub, console::INTEGRATOR).await;
    for _ in 0..5 {
        clock.advance_ms(55_000);
        assert!(signed_in(&busy).await);
    }
    clock.advance_ms(30_000);
    assert!(!signed_in(&busy).await, "past the absolute timeout");
    let _: Arc<ManualClock> = clock;
}

async fn signed_in(s: &Session) -> bool {
    s.get("/console").await.text.contains("Phạm Thị Hoa")
}

#[tokio::test]
async fn the_session_cookie_is_http_only_lax_under_console_and_holds_no_token() {
    let hub = console::shared_hub().await;
    let (authorize, cookie) = flow::start(&hub, "/console").await;
    let callback = flow::choose(&authorize, console::ADMIN, |_| {}).await;
    let done = flow::finish(&callback, Some(&cookie)).await;
    let line = set_cookie_line(&done.headers, "lgsp_console").expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/console"] {
        assert!(line.contains(attr), "{line}");
    }
    // Served on the loopback over http: no `Secure`, or the browser would drop it (other hosts get it: unit-tested).
    assert!(!line.contains("Secure"), "{line}");
    let id = set_cookie(&done.headers, "lgsp_console").expect("id");
    assert!(
        id.len() >= 43 && !id.contains('.'),
        "an opaque id, not a JWT: {id}"
    );
    // Nothing the browser receives from the hub holds a provider token: the callback, the pages.
    let session = Session {
        base: hub.base.clone(),
        client: console::client(),
        cookie: id,
    };
    let home = session.get("/console").await;
    for text in [
        done.text.as_str(),
        &format!("{:?}", done.headers),
        home.text.as_str(),
        &format!("{:?}", home.headers),
    ] {
        for token in ["eyJ", "mock-at.", "code."] {
            assert!(
                !text.contains(token),
                "`{token}` reached the browser: {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_production_hub_without_a_provider_says_sign_in_is_not_configured() {
    // The test hubs run in production mode; without `mock_oidc` no provider is configured or started.
    let hub = TestHub::shared().await;
    let p = console::client()
        .get(hub.url("/console/sign-in?next=/console/agency"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("sign-in");
    assert_eq!(p.status(), 503);
    assert!(p.headers().get("location").is_none());
    let text = p.text().await.expect("body");
    assert!(text.contains("Chưa cấu hình đăng nhập"), "{text}");
    assert!(text.contains("oidc_issuer_url"), "says what to set: {text}");
}
