//! The public catalog pages: no sign-in needed, the same fields an anonymous API client reads, one GraphQL document
//! per page.
//!
//! Lists take their filters from a plain GET form and page with the API's own cursors (`after`/`before`), so every
//! list works without JavaScript; with it, the form searches as the user types (`fragment=1` answers the results
//! alone). `lists` has the registries, `plans` the provinces and plans with their charts and discrepancies,
//! `charts` the server-drawn SVG, `search` the ranked search across everything.

mod charts;
mod lists;
mod plans;
mod search;

pub use lists::{agencies, indicators, national_databases, projects, systems};
pub use plans::{plan, plans, province};
pub use search::search;

use axum::{
    extract::State,
    response::{Html, IntoResponse, Response},
};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    error::{shown, ConsoleError},
    gql,
    i18n::t,
    layout::{self, Area},
    paging,
    session::SignedIn,
};
use crate::http::AppState;

/// Rows per page of a list.
const PAGE: i64 = 20;
/// National databases per page: each comes with its links and their statements, and a page must stay within the
/// query cost an anonymous client is allowed.
const PAGE_OF_DATABASES: i64 = 10;

/// The query string of every list page: filters (empty fields mean "any"), a cursor, and whether only the results
/// are wanted (the search-as-you-type script asks for them).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListParams {
    pub q: Option<String>,
    pub province: Option<String>,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub state: Option<String>,
    pub plan: Option<String>,
    pub funding: Option<String>,
    pub year: Option<String>,
    pub status: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub fragment: Option<String>,
}

impl ListParams {
    /// The non-empty pairs of the filters (cursors and `fragment` left out), in a stable order: the base of the
    /// pager's links.
    fn filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("q", &self.q),
            ("province", &self.province),
            ("kind", &self.kind),
            ("level", &self.level),
            ("state", &self.state),
            ("plan", &self.plan),
            ("funding", &self.funding),
            ("year", &self.year),
            ("status", &self.status),
        ]
        .into_iter()
        .filter_map(|(k, v)| filled(v).map(|v| (k, v)))
        .collect()
    }

    /// `first`/`after` forwards (the default), `last`/`before` backwards: the variables of a connection field.
    fn page_variables(&self, vars: &mut Map<String, Value>, size: i64) {
        paging::variables(vars, filled(&self.after), filled(&self.before), size);
    }

    fn fragment(&self) -> bool {
        filled(&self.fragment).is_some()
    }
}

/// A form field's value when the user filled it in.
fn filled(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A number filter: empty is "any", anything else must parse, or the page says which field is wrong.
fn number(value: &Option<String>, field: &str) -> Result<Option<i64>, ConsoleError> {
    match filled(value) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ConsoleError::BadInput(vec![(
                field.to_owned(),
                t("catalog.error.number").to_owned(),
            )])
        }),
    }
}

/// Runs a catalog document as the visitor (anonymous or signed in).
async fn query(
    app: &AppState,
    user: Option<&SignedIn>,
    document: &str,
    variables: Value,
) -> Result<Value, ConsoleError> {
    gql::execute(app, user.map(|u| &u.principal), document, variables)
        .await
        .map_err(ConsoleError::Graphql)
}

/// A catalog page: the whole page, or only `results` when the script asked for a fragment.
fn respond(
    params: &ListParams,
    title: &str,
    user: Option<&SignedIn>,
    current: &str,
    form: Markup,
    results: Markup,
) -> Response {
    if params.fragment() {
        return Html(results.into_string()).into_response();
    }
    layout::page_in(
        Area::Catalog,
        title,
        user,
        html! {
            (subnav(current))
            h1 { (title) }
            (form)
            div #results aria-live="polite" { (results) }
        },
    )
}

/// The catalog's own navigation, `current` marked.
fn subnav(current: &str) -> Markup {
    const ITEMS: [(&str, &str); 8] = [
        ("/console", "catalog.nav.provinces"),
        ("/console/plans", "catalog.nav.plans"),
        ("/console/agencies", "catalog.nav.agencies"),
        ("/console/systems", "catalog.nav.systems"),
        ("/console/projects", "catalog.nav.projects"),
        (
            "/console/national-databases",
            "catalog.nav.national-databases",
        ),
        ("/console/indicators", "catalog.nav.indicators"),
        ("/console/search", "catalog.nav.search"),
    ];
    html! {
        nav.sub-nav aria-label=(t("catalog.nav.label")) {
            ul {
                @for (href, key) in ITEMS {
                    li {
                        @if href == current { a href=(href) aria-current="page" { (t(key)) } }
                        @else { a href=(href) { (t(key)) } }
                    }
                }
            }
        }
    }
}

/// "Previous" and "next" links from a connection's `pageInfo`, keeping the filters.
fn pager(path: &str, params: &ListParams, connection: &Value) -> Markup {
    let (prev, next) = paging::around(path, &params.filters(), &connection["pageInfo"]);
    html! {
        nav.pager aria-label=(t("catalog.pager.label")) {
            span { (t("catalog.pager.total")) " " strong { (connection["totalCount"].as_i64().unwrap_or(0)) } }
            @if let Some(prev) = prev { a rel="prev" href=(prev) { "← " (t("catalog.pager.prev")) } }
            @if let Some(next) = next { a rel="next" href=(next) { (t("catalog.pager.next")) " →" } }
        }
    }
}

/// A string field of a JSON answer, empty when null.
fn s(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// An enum value's Vietnamese label (`catalog.<area>.<VALUE>`), or a dash when null.
fn label(area: &str, value: &Value) -> String {
    match value.as_str() {
        Some(v) => t(&format!("catalog.{area}.{v}")).to_owned(),
        None => "—".to_owned(),
    }
}

/// A printed figure's unit as a reader says it: the seed's unit codes (`million_vnd`, `count`...) by their label
/// (`catalog.unit.<code>`, empty for a plain count), a unit the plan printed in words as printed.
fn unit(value: &Value) -> String {
    let Some(code) = value.as_str() else {
        return String::new();
    };
    let key = format!("catalog.unit.{code}");
    match t(&key) {
        label if label == key => code.to_owned(),
        label => label.to_owned(),
    }
}

/// A money amount in million VND the Vietnamese way: `1.250,5`.
fn money(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let whole = rounded.trunc().abs() as u64;
    let tenth = ((rounded.abs() - rounded.abs().trunc()) * 10.0).round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    if tenth == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{tenth}")
    }
}

/// Where a row comes from: the seed file and its lines.
fn cite(source: &Value) -> Markup {
    html! {
        @if let Some(file) = source["file"].as_str() {
            span.source {
                (t("catalog.source")) " " code { (file) } ":" (source["line"].as_i64().unwrap_or(0))
                @let end = source["lineEnd"].as_i64().unwrap_or(0);
                @if end > source["line"].as_i64().unwrap_or(0) { "–" (end) }
            }
        }
    }
}

/// A `<select>` of a filter with its choices, `selected` kept.
fn select(
    name: &str,
    label_key: &str,
    selected: Option<&str>,
    choices: &[(String, String)],
) -> Markup {
    html! {
        div {
            label for=(name) { (t(label_key)) }
            select #(name) name=(name) {
                option value="" { (t("catalog.filter.any")) }
                @for (value, text) in choices {
                    option value=(value) selected[selected == Some(value.as_str())] { (text) }
                }
            }
        }
    }
}

/// The choices of an enum filter, labelled from `catalog.<area>.<VALUE>`.
fn enum_choices(area: &str, values: &[&str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| {
            (
                (*v).to_owned(),
                t(&format!("catalog.{area}.{v}")).to_owned(),
            )
        })
        .collect()
}

/// The provinces as filter choices, from a `provinces { code name }` answer.
fn province_choices(data: &Value) -> Vec<(String, String)> {
    data["provinces"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| (s(&p["code"]).to_owned(), s(&p["name"]).to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The search box every list has: a text field that searches as you type when scripts run.
fn search_box(params: &ListParams) -> Markup {
    html! {
        div {
            label for="q" { (t("catalog.filter.q")) }
            input #q type="search" name="q" value=(filled(&params.q).unwrap_or_default())
                autocomplete="off" placeholder=(t("catalog.filter.q-hint"));
        }
    }
}

/// `/console`: the five provinces, each with its 2025 merger, and the search box.
pub async fn home(State(app): State<AppState>, user: Option<SignedIn>) -> Response {
    shown(user.as_ref(), async {
        let data = query(
            &app,
            user.as_ref(),
            "{ provinces { code name committeeName agencyCode agencyCount informationSystemCount projectCount
                 merger { mergedIntoCode mergedIntoName resolution effective note } } }",
            Value::Null,
        )
        .await?;
        let provinces = data["provinces"].as_array().cloned().unwrap_or_default();
        Ok(layout::page_in(
            Area::Catalog,
            t("catalog.title"),
            user.as_ref(),
            html! {
                (subnav("/console"))
                h1 { (t("catalog.title")) }
                p { (t("catalog.intro")) }
                form.filters method="get" action="/console/search" role="search" {
                    div {
                        label for="home-q" { (t("catalog.search.label")) }
                        input #home-q type="search" name="q" placeholder=(t("catalog.filter.q-hint"));
                    }
                    button type="submit" { (t("catalog.search.submit")) }
                }
                h2 { (t("catalog.provinces.title")) }
                ul.cards {
                    @for p in &provinces {
                        li {
                            h3 { a href={ "/console/provinces/" (s(&p["code"])) } { (s(&p["name"])) } }
                            p.muted { (s(&p["committeeName"])) @if let Some(code) = p["agencyCode"].as_str() { " · " code { (code) } } }
                            p { (merger(&p["merger"])) }
                            p {
                                a href={ "/console/agencies?province=" (s(&p["code"])) } { (p["agencyCount"]) " " (t("catalog.count.agencies")) } " · "
                                a href={ "/console/systems?province=" (s(&p["code"])) } { (p["informationSystemCount"]) " " (t("catalog.count.systems")) } " · "
                                a href={ "/console/projects?province=" (s(&p["code"])) } { (p["projectCount"]) " " (t("catalog.count.projects")) }
                            }
                        }
                    }
                }
            },
        ))
    }
    .await)
}

/// The 2025 merger in one sentence: which province this one became part of, by which resolution, from when.
fn merger(m: &Value) -> Markup {
    html! {
        @match m["mergedIntoName"].as_str() {
            Some(into) => {
                (t("catalog.merger.into")) " " strong { (into) }
                @if let Some(res) = m["resolution"].as_str() { " (" (res) ")" }
                @if let Some(from) = m["effective"].as_str() { ", " (t("catalog.merger.from")) " " (from) }
                "."
            }
            None => { (t("catalog.merger.none")) }
        }
        @if let Some(note) = m["note"].as_str() { " " span.muted { (note) } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_the_vietnamese_way() {
        assert_eq!(money(1250.5), "1.250,5");
        assert_eq!(money(1_000_000.0), "1.000.000");
        assert_eq!(money(12.0), "12");
        assert_eq!(money(-3500.25), "-3.500,3");
    }
}
