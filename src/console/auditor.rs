//! The auditor's pages: the personal-data access log with filters and keyset paging (a GET form: a filtered view is
//! a link), "who looked at this citizen" by personal number (a POST form, so the number stays out of addresses,
//! history and server logs), and the chain's verification. For users with `audit:read`.
#![expect(
    clippy::result_large_err,
    reason = "a refusal is the page the handler answers (an axum `Response`), made once per request and never stored"
)]

use std::collections::BTreeMap;

use axum::{
    extract::{Query, State},
    response::Response,
    Form,
};
use maud::{html, Markup};
use serde_json::{json, Map, Value};

use super::{
    i18n::t,
    layout::{self, Area},
    paging,
    session::SignedIn,
    work::{self, s, Failure, FieldErrors},
};
use crate::{auth::scope, http::AppState};

type Params = BTreeMap<String, String>;

/// Entries per page.
const PAGE: i64 = 50;

fn gate(user: &SignedIn) -> Result<(), Response> {
    if user.principal.has_scope(scope::AUDIT_READ) {
        Ok(())
    } else {
        Err(Failure::Forbidden.page(user))
    }
}

const ENTRY: &str =
    "seq atMs actor agencyCode purpose purposeReference upstream operation fields requestId nothingReturnedFor";

fn entries_table(entries: &[Value]) -> Markup {
    html! {
        @if entries.is_empty() {
            p { (t("auditor.none")) }
        } @else {
            table class="log" {
                caption { (t("auditor.entries")) }
                thead { tr {
                    th scope="col" { "#" } th scope="col" { (t("auditor.at")) } th scope="col" { (t("auditor.actor")) }
                    th scope="col" { (t("auditor.agency")) } th scope="col" { (t("auditor.upstream")) }
                    th scope="col" { (t("auditor.purpose")) } th scope="col" { (t("auditor.fields")) }
                    th scope="col" { (t("auditor.request")) }
                } }
                tbody { @for e in entries { tr {
                    td { (e["seq"]) }
                    td { (work::time(e["atMs"].as_i64().unwrap_or_default())) }
                    td { (s(e, "actor")) }
                    td { (s(e, "agencyCode")) }
                    td { (s(e, "upstream")) " · " (s(e, "operation")) }
                    td { (t(&format!("integrator.purpose.{}", s(e, "purpose")))) br; small { (s(e, "purposeReference")) } }
                    td {
                        @if let Some(lookup) = e["nothingReturnedFor"].as_i64() {
                            em { (t("auditor.nothing-returned")) (lookup) }
                        }
                        @for f in e["fields"].as_array().into_iter().flatten() { code { (f.as_str().unwrap_or_default()) } " " }
                    }
                    td { small { (s(e, "requestId")) } }
                } } }
            }
        }
    }
}

/// The filter of the access log from the page's query string; a malformed date is a field error.
fn filter_of(params: &Params) -> Result<Value, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut date = |key: &str, end: bool| match work::given(params, key) {
        None => None,
        Some(d) => {
            let at = if end {
                work::end_of(&d)
            } else {
                work::start_of(&d)
            };
            if at.is_none() {
                errors.insert(key.to_owned(), work::field_message("decisionDate"));
            }
            at
        }
    };
    let since = date("since", false);
    let until = date("until", true);
    let kind = work::given(params, "kind");
    if kind
        .as_deref()
        .is_some_and(|k| !KINDS.iter().any(|(value, _)| *value == k))
    {
        errors.insert("kind".to_owned(), work::field_message("kind"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(json!({
        "kind": kind,
        "agencyCode": work::given(params, "agencyCode"),
        "actor": work::given(params, "actor"),
        "upstream": work::given(params, "upstream"),
        "purpose": work::given(params, "purpose"),
        "sinceMs": since,
        "untilMs": until,
    }))
}

/// The kinds of entry the filter offers (`AccessLogEntryKind`), with their labels.
const KINDS: [(&str, &str); 2] = [
    ("LOOKUP", "auditor.kind-lookup"),
    ("NOTHING_RETURNED", "auditor.kind-nothing-returned"),
];

fn filter_form(params: &Params, errors: &FieldErrors) -> Markup {
    let v = |k: &str| params.get(k).cloned().unwrap_or_default();
    let mut labels = vec![("", t("auditor.any").to_owned())];
    for p in [
        "PUBLIC_SERVICE",
        "STATE_MANAGEMENT",
        "LAW_ENFORCEMENT",
        "EMERGENCY",
        "DATA_SUBJECT_CONSENT",
    ] {
        labels.push((p, t(&format!("integrator.purpose.{p}")).to_owned()));
    }
    let purposes: Vec<(&str, &str)> = labels.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let kinds: Vec<(&str, &str)> = std::iter::once(("", t("auditor.any")))
        .chain(KINDS.iter().map(|(value, label)| (*value, t(label))))
        .collect();
    html! {
        form method="get" action="/console/audit" class="filters" {
            (work::text_field("agencyCode", t("auditor.agency"), &v("agencyCode"), errors, false))
            (work::text_field("actor", t("auditor.actor"), &v("actor"), errors, false))
            (work::text_field("upstream", t("auditor.upstream"), &v("upstream"), errors, false))
            (work::select_field("purpose", t("auditor.purpose"), &purposes, &v("purpose"), errors))
            (work::select_field("kind", t("auditor.kind"), &kinds, &v("kind"), errors))
            (work::input_field("since", t("auditor.since"), &v("since"), errors, false, "date"))
            (work::input_field("until", t("auditor.until"), &v("until"), errors, false, "date"))
            button type="submit" { (t("auditor.filter")) }
            " " a href="/console/audit" { (t("auditor.clear")) }
        }
    }
}

/// `GET /console/audit`: the access log, filtered, a page at a time.
pub async fn log(
    State(app): State<AppState>,
    user: SignedIn,
    Query(params): Query<Params>,
) -> Response {
    match log_page(&app, &user, &params).await {
        Ok(r) | Err(r) => r,
    }
}

async fn log_page(app: &AppState, user: &SignedIn, params: &Params) -> Result<Response, Response> {
    gate(user)?;
    let (filter, errors) = match filter_of(params) {
        Ok(f) => (f, FieldErrors::new()),
        Err(e) => (Value::Null, e),
    };
    let mut data = Value::Null;
    let mut errors = errors;
    if errors.is_empty() {
        let mut vars = Map::new();
        vars.insert("filter".into(), filter);
        paging::variables(
            &mut vars,
            work::given(params, "after").as_deref(),
            work::given(params, "before").as_deref(),
            PAGE,
        );
        match work::run(
            app,
            user,
            &format!(
                "query($filter: AccessLogFilterInput, $first: Int, $after: String, $last: Int, $before: String) {{ \
                 accessLog(filter: $filter, first: $first, after: $after, last: $last, before: $before) {{ \
                 totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} nodes {{ {ENTRY} }} }} }}"
            ),
            Value::Object(vars),
        )
        .await
        {
            Ok(d) => data = d,
            Err(Failure::Fields(mut e)) => {
                // The range is the form's two dates.
                if let Some(m) = e.remove("sinceMs").or_else(|| e.remove("untilMs")) {
                    e.insert("since".into(), m);
                }
                errors = e;
            }
            Err(f) => return Err(f.page(user)),
        }
    }
    let log = &data["accessLog"];
    let entries = log["nodes"].as_array().cloned().unwrap_or_default();
    // The links around this page keep its filters.
    let kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, v)| !matches!(k.as_str(), "after" | "before") && !v.is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (previous, next) = paging::around("/console/audit", &kept, &log["pageInfo"]);
    let page = layout::page_in(
        Area::Audit,
        t("auditor.title"),
        Some(user),
        html! {
            h1 { (t("auditor.title")) }
            nav aria-label=(t("auditor.title")) { ul class="tabs" {
                li { a href="/console/audit" aria-current="page" { (t("auditor.log")) } }
                li { a href="/console/audit/person" { (t("auditor.person")) } }
                li { a href="/console/audit/chain" { (t("auditor.chain")) } }
            } }
            (filter_form(params, &errors))
            (work::form_alert(&errors))
            @if errors.is_empty() {
                p { (t("auditor.count")) ": " (log["totalCount"]) }
                (entries_table(&entries))
                nav aria-label=(t("auditor.pages")) { p {
                    @if let Some(href) = &previous { a rel="prev" href=(href) { (t("auditor.previous")) } " " }
                    @if let Some(href) = &next { a rel="next" href=(href) { (t("auditor.next")) } " " }
                    @if params.contains_key("after") || params.contains_key("before") {
                        a href="/console/audit" { (t("auditor.first")) }
                    }
                } }
            }
        },
    );
    Ok(work::form_status(page, false, !errors.is_empty()))
}

fn person_page(user: &SignedIn, errors: &FieldErrors, found: Option<&Value>) -> Response {
    let page = layout::page_in(
        Area::Audit,
        t("auditor.person"),
        Some(user),
        html! {
            h1 { (t("auditor.person")) }
            p { a href="/console/audit" { (t("auditor.back")) } }
            p { (t("auditor.person-help")) }
            form method="post" action="/console/audit/person" novalidate {
                (work::csrf_field(user))
                (work::form_alert(errors))
                // The number is not echoed back: the page shows whose accesses only by their count.
                (work::input_field("personalId", t("auditor.personal-id"), "", errors, true, "text"))
                button type="submit" { (t("auditor.search")) }
            }
            @if let Some(conn) = found {
                p role="status" { (t("auditor.count")) ": " (conn["totalCount"]) }
                (entries_table(conn["nodes"].as_array().map(Vec::as_slice).unwrap_or_default()))
            }
        },
    );
    work::form_status(page, false, !errors.is_empty())
}

/// `GET /console/audit/person`: the form.
pub async fn person_form(user: SignedIn) -> Response {
    match gate(&user) {
        Ok(()) => person_page(&user, &FieldErrors::new(), None),
        Err(r) => r,
    }
}

/// `POST /console/audit/person`: who looked at the person with this number.
pub async fn person(
    State(app): State<AppState>,
    user: SignedIn,
    Form(form): Form<Params>,
) -> Response {
    if let Err(r) =
        gate(&user).and_then(|()| work::check_csrf(&user, form.get("csrf").map(String::as_str)))
    {
        return r;
    }
    let id = form
        .get("personalId")
        .map(|p| p.trim().to_owned())
        .unwrap_or_default();
    let result = work::run(
        &app,
        &user,
        &format!(
            "query($id: String!) {{ personalDataAccesses(personalId: $id, first: 100) {{ totalCount nodes {{ {ENTRY} }} }} }}"
        ),
        json!({ "id": id }),
    )
    .await;
    match result {
        Ok(data) => person_page(
            &user,
            &FieldErrors::new(),
            Some(&data["personalDataAccesses"]),
        ),
        Err(Failure::Fields(errors)) => person_page(&user, &errors, None),
        Err(f) => f.page(&user),
    }
}

/// `GET /console/audit/chain`: walks the chain now.
pub async fn chain(State(app): State<AppState>, user: SignedIn) -> Response {
    match async {
        gate(&user)?;
        let data = work::read(
            &app,
            &user,
            "{ accessLogVerification { intact entries headHash brokenAt reason } }",
            Value::Null,
        )
        .await?;
        let v = &data["accessLogVerification"];
        let intact = v["intact"].as_bool() == Some(true);
        Ok::<_, Response>(layout::page_in(
            Area::Audit,
            t("auditor.chain"),
            Some(&user),
            html! {
                h1 { (t("auditor.chain")) }
                p { a href="/console/audit" { (t("auditor.back")) } }
                @if intact {
                    p role="status" class="ok" { (t("auditor.intact")) }
                    dl {
                        dt { (t("auditor.entries-checked")) } dd { (v["entries"]) }
                        dt { (t("auditor.head-hash")) } dd { code { (s(v, "headHash")) } }
                    }
                    p { (t("auditor.anchor")) }
                } @else {
                    p role="alert" class="failed" { (t("auditor.broken")) }
                    dl {
                        dt { (t("auditor.broken-at")) } dd { (v["brokenAt"]) }
                        dt { (t("auditor.reason")) } dd { (s(v, "reason")) }
                    }
                    p { (t("auditor.broken-what")) }
                }
            },
        ))
    }
    .await
    {
        Ok(r) | Err(r) => r,
    }
}
