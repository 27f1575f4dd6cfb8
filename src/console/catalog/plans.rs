//! The plans and the provinces: each plan with its budget by year and funding source and its province's systems by
//! security level (charts drawn on the server), and its discrepancies beside the printed figures with the cited file
//! and line; each province with its merger, its links to national databases and its plans.

use std::collections::BTreeMap;

use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use maud::{html, Markup};
use serde_json::{json, Value};

use super::{
    charts::{self, Bar},
    cite, filled, label, merger, money, province_choices, query, respond, s, select, subnav, unit,
    ListParams,
};
use crate::{
    console::{
        error::{shown, ConsoleError},
        i18n::t,
        layout::{self, Area},
        session::SignedIn,
    },
    http::AppState,
};

/// The projects of a plan are read this many at a time for its budget chart, and at most this many pages: more
/// than any plan has (the largest lists about a hundred).
const BUDGET_PAGE: i64 = 20;
const BUDGET_PAGES: usize = 50;

/// `/console/plans`
pub async fn plans(
    State(app): State<AppState>,
    user: Option<SignedIn>,
    Query(params): Query<ListParams>,
) -> Response {
    shown(user.as_ref(), async {
        let filter = match filled(&params.province) {
            Some(p) => json!({ "provinceCode": p }),
            None => json!({}),
        };
        let data = query(
            &app,
            user.as_ref(),
            "query($filter: PlanFilterInput) { provinces { code name }
               plans(filter: $filter, first: 100) { totalCount nodes { key number issuedOn title periodStart periodEnd
                 province { name } budgetTotal { millionVnd lines } source { file line lineEnd } } } }",
            json!({ "filter": filter }),
        )
        .await?;
        let form = html! {
            form.filters method="get" action="/console/plans" data-live-search="results" {
                (select("province", "catalog.filter.province", filled(&params.province), &province_choices(&data)))
                button type="submit" { (t("catalog.filter.submit")) }
            }
        };
        let results = html! {
            ul.cards { @for p in data["plans"]["nodes"].as_array().into_iter().flatten() { li {
                h2 { a href={ "/console/plans/" (s(&p["key"])) } { (s(&p["number"])) } }
                p { (s(&p["title"])) }
                p.muted { (s(&p["province"]["name"])) " · " (s(&p["issuedOn"])) }
                p { (t("catalog.plan.budget-total")) " " strong { (money(p["budgetTotal"]["millionVnd"].as_f64().unwrap_or(0.0))) } " " (t("catalog.unit.million")) }
                (cite(&p["source"]))
            } } }
        };
        Ok(respond(
            &params,
            t("catalog.plans.title"),
            user.as_ref(),
            "/console/plans",
            form,
            results,
        ))
    }
    .await)
}

/// `/console/plans/{key}`: one plan.
pub async fn plan(
    State(app): State<AppState>,
    user: Option<SignedIn>,
    Path(key): Path<String>,
) -> Response {
    shown(user.as_ref(), async {
        let user = user.as_ref();
        // The API finds plans by province, not by key; plans are few, so the page finds its plan's id among all of them
        // and then reads that one plan.
        let list = query(
            &app,
            user,
            "{ plans(first: 100) { nodes { id key } } }",
            json!(null),
        )
        .await?;
        let id = list["plans"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["key"].as_str() == Some(key.as_str()))
            .and_then(|p| p["id"].as_str())
            .ok_or(ConsoleError::NotFound)?
            .to_owned();
        let data = query(
            &app,
            user,
            "query($id: ID!, $key: String) {
               node(id: $id) { ... on Plan { key number issuedOn title periodStart periodEnd source { file line lineEnd }
                 province { code name projectCount systemsBySecurityLevel { securityLevel count }
                            projectBudget { year fundingSource millionVnd } }
                 budgetTotal { millionVnd lines restatedLines restatedMillionVnd unpricedLines }
                 reportedFigures { key label valuePrinted unit year isRestatement source { file line lineEnd } }
                 discrepancies { stated computed difference explanation
                   figure { key label valuePrinted unit quote source { file line lineEnd } } } } }
               projects(filter: { planKey: $key }, first: 1) { totalCount } }",
            json!({ "id": id, "key": key }),
        )
        .await?;
        let plan = &data["node"];
        // When every project of the province is this plan's, the province's budget buckets (summed by the store,
        // restatements left out) are the plan's; otherwise the plan's own lines are summed here.
        let budget = if data["projects"]["totalCount"] == plan["province"]["projectCount"] {
            budget_chart(&buckets(&plan["province"]["projectBudget"]))
        } else {
            plan_budget(&app, user, &key).await?
        };
        let title = format!("{} {}", t("catalog.plan.title"), s(&plan["number"]));
        Ok(layout::page_in(
            Area::Catalog,
            &title,
            user,
            html! {
                (subnav("/console/plans"))
                h1 { (title) }
                p { (s(&plan["title"])) }
                p.muted { (s(&plan["province"]["name"])) " · " (t("catalog.plan.issued")) " " (s(&plan["issuedOn"])) " · " (cite(&plan["source"])) }
                p {
                    a href={ "/console/projects?plan=" (key) } { (t("catalog.plan.projects")) } " · "
                    a href={ "/console/indicators?plan=" (key) } { (t("catalog.plan.indicators")) }
                }
                h2 { (t("catalog.plan.budget")) }
                (budget_summary(&plan["budgetTotal"]))
                (budget)
                h2 { (t("catalog.plan.levels")) " — " (s(&plan["province"]["name"])) }
                (levels_chart(&plan["province"]["systemsBySecurityLevel"]))
                h2 #discrepancies { (t("catalog.plan.discrepancies")) }
                (discrepancies(&plan["discrepancies"]))
                h2 { (t("catalog.plan.figures")) }
                (figures(&plan["reportedFigures"]))
            },
        ))
    }
    .await)
}

/// The plan's budget by year and funding source, from its projects' budget lines (restatements left out, as the
/// plan's total leaves them out: no money counted twice).
async fn plan_budget(
    app: &AppState,
    user: Option<&SignedIn>,
    plan: &str,
) -> Result<Markup, ConsoleError> {
    let mut sums: BTreeMap<Option<i64>, BTreeMap<String, f64>> = BTreeMap::new();
    let mut after: Option<String> = None;
    for _ in 0..BUDGET_PAGES {
        let data = query(
            app,
            user,
            "query($plan: String, $first: Int, $after: String) {
               projects(filter: { planKey: $plan }, first: $first, after: $after) {
                 pageInfo { hasNextPage endCursor }
                 nodes { budget { year fundingSource isRestatement amount { millionVnd } } } } }",
            json!({ "plan": plan, "first": BUDGET_PAGE, "after": after }),
        )
        .await?;
        let conn = &data["projects"];
        for line in conn["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|p| p["budget"].as_array().into_iter().flatten())
        {
            let Some(m) = line["amount"]["millionVnd"].as_f64() else {
                continue;
            };
            if line["isRestatement"].as_bool() == Some(true) {
                continue;
            }
            let source = line["fundingSource"].as_str().unwrap_or("KHAC").to_owned();
            *sums
                .entry(line["year"].as_i64())
                .or_default()
                .entry(source)
                .or_default() += m;
        }
        if conn["pageInfo"]["hasNextPage"].as_bool() != Some(true) {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    Ok(budget_chart(&sums))
}

/// The stacked chart of budget sums by year (rows) and funding source (series).
fn budget_chart(sums: &BTreeMap<Option<i64>, BTreeMap<String, f64>>) -> Markup {
    let mut sources: Vec<String> = sums.values().flat_map(|m| m.keys().cloned()).collect();
    sources.sort();
    sources.dedup();
    let names: Vec<String> = sources
        .iter()
        .map(|f| label("funding", &json!(f)))
        .collect();
    let bars: Vec<Bar> = sums
        .iter()
        .map(|(year, by_source)| Bar {
            label: year
                .map(|y| y.to_string())
                .unwrap_or_else(|| t("catalog.chart.no-year").to_owned()),
            parts: by_source
                .iter()
                .filter_map(|(f, v)| sources.iter().position(|x| x == f).map(|i| (i, *v)))
                .collect(),
        })
        .collect();
    if bars.is_empty() {
        return html! { p.muted { (t("catalog.chart.empty")) } };
    }
    charts::bars(t("catalog.chart.budget"), &bars, &names, money)
}

/// Sums by year and funding source of the API's `projectBudget` buckets (which also split by level and spending).
fn buckets(list: &Value) -> BTreeMap<Option<i64>, BTreeMap<String, f64>> {
    let mut sums: BTreeMap<Option<i64>, BTreeMap<String, f64>> = BTreeMap::new();
    for b in list.as_array().into_iter().flatten() {
        let Some(m) = b["millionVnd"].as_f64() else {
            continue;
        };
        let source = b["fundingSource"].as_str().unwrap_or("KHAC").to_owned();
        *sums
            .entry(b["year"].as_i64())
            .or_default()
            .entry(source)
            .or_default() += m;
    }
    sums
}

/// Systems by security level, "not stated" last.
fn levels_chart(levels: &Value) -> Markup {
    let mut rows: Vec<(Option<i64>, f64)> = levels
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            (
                l["securityLevel"].as_i64(),
                l["count"].as_f64().unwrap_or(0.0),
            )
        })
        .collect();
    rows.sort_by_key(|(level, _)| level.unwrap_or(i64::MAX));
    let bars: Vec<Bar> = rows
        .into_iter()
        .map(|(level, count)| Bar {
            label: match level {
                Some(l) => format!("{} {l}", t("catalog.level")),
                None => t("catalog.chart.no-level").to_owned(),
            },
            parts: vec![(0, count)],
        })
        .collect();
    if bars.is_empty() {
        return html! { p.muted { (t("catalog.chart.empty")) } };
    }
    charts::bars(
        t("catalog.chart.levels"),
        &bars,
        &[t("catalog.chart.systems").to_owned()],
        |v| format!("{v:.0}"),
    )
}

fn budget_summary(total: &Value) -> Markup {
    html! {
        p {
            (t("catalog.plan.budget-total")) " " strong { (money(total["millionVnd"].as_f64().unwrap_or(0.0))) } " "
            (t("catalog.unit.million")) " (" (total["lines"]) " " (t("catalog.plan.lines")) ")"
            @if total["restatedLines"].as_i64().unwrap_or(0) > 0 {
                ". " (t("catalog.plan.restated")) " " (total["restatedLines"]) " " (t("catalog.plan.lines")) ", "
                (money(total["restatedMillionVnd"].as_f64().unwrap_or(0.0))) " " (t("catalog.unit.million"))
            }
            @if total["unpricedLines"].as_i64().unwrap_or(0) > 0 {
                ". " (t("catalog.plan.unpriced")) " " (total["unpricedLines"])
            }
            "."
        }
    }
}

/// Each discrepancy beside the figure as printed, with the file and line that print it.
fn discrepancies(list: &Value) -> Markup {
    let items = list.as_array().cloned().unwrap_or_default();
    html! {
        @if items.is_empty() { p { (t("catalog.plan.no-discrepancies")) } }
        @else { div.table-wrap { table {
            thead { tr {
                th scope="col" { (t("catalog.col.figure")) } th.num scope="col" { (t("catalog.col.printed")) }
                th.num scope="col" { (t("catalog.col.computed")) } th.num scope="col" { (t("catalog.col.difference")) }
                th scope="col" { (t("catalog.col.explanation")) }
            } }
            tbody { @for d in &items { tr {
                td { (s(&d["figure"]["label"])) br; (cite(&d["figure"]["source"]))
                     @if let Some(q) = d["figure"]["quote"].as_str() { br; q.muted { (q) } } }
                td.num { (s(&d["figure"]["valuePrinted"])) " " (unit(&d["figure"]["unit"])) }
                td.num { (money(d["computed"].as_f64().unwrap_or(0.0))) }
                td.num { (money(d["difference"].as_f64().unwrap_or(0.0))) }
                td { (s(&d["explanation"])) }
            } } }
        } } }
    }
}

/// The figures the plan states, as printed.
fn figures(list: &Value) -> Markup {
    html! {
        div.table-wrap { table {
            thead { tr { th scope="col" { (t("catalog.col.figure")) } th.num scope="col" { (t("catalog.col.printed")) } th scope="col" { (t("catalog.col.year")) } } }
            tbody { @for f in list.as_array().into_iter().flatten() { tr {
                td { (s(&f["label"])) @if f["isRestatement"].as_bool() == Some(true) { " " span.badge { (t("catalog.plan.restatement")) } } br; (cite(&f["source"])) }
                td.num { (s(&f["valuePrinted"])) " " (unit(&f["unit"])) }
                td { (f["year"].as_i64().map(|y| y.to_string()).unwrap_or_default()) }
            } } }
        } }
    }
}

/// `/console/provinces/{code}`: a province, its merger, its plans, its charts and its national-database links.
pub async fn province(
    State(app): State<AppState>,
    user: Option<SignedIn>,
    Path(code): Path<String>,
) -> Response {
    shown(user.as_ref(), async {
        let user = user.as_ref();
        let data = query(
            &app,
            user,
            "query($code: String!) {
               province(code: $code) { code name committeeName agencyCode agencyCodeNote agencyCount informationSystemCount projectCount
                 merger { mergedIntoCode mergedIntoName resolution effective note }
                 systemsBySecurityLevel { securityLevel count }
                 projectBudget { year fundingSource millionVnd }
                 nationalDatabaseLinks { status quote nationalDatabase { name } plan { number } source { file line lineEnd }
                   statements { status quote source { file line lineEnd } } } }
               plans(filter: { provinceCode: $code }, first: 100) { nodes { key number title issuedOn } } }",
            json!({ "code": code }),
        )
        .await?;
        let p = &data["province"];
        let sums = buckets(&p["projectBudget"]);
        let title = s(&p["name"]).to_owned();
        Ok(layout::page_in(
            Area::Catalog,
            &title,
            user,
            html! {
                (subnav("/console"))
                h1 { (title) }
                p { (s(&p["committeeName"])) @if let Some(c) = p["agencyCode"].as_str() { " · " code { (c) } }
                    @if let Some(n) = p["agencyCodeNote"].as_str() { br; span.muted { (n) } } }
                p { (merger(&p["merger"])) }
                p {
                    a href={ "/console/agencies?province=" (code) } { (p["agencyCount"]) " " (t("catalog.count.agencies")) } " · "
                    a href={ "/console/systems?province=" (code) } { (p["informationSystemCount"]) " " (t("catalog.count.systems")) } " · "
                    a href={ "/console/projects?province=" (code) } { (p["projectCount"]) " " (t("catalog.count.projects")) }
                }
                h2 { (t("catalog.plans.title")) }
                ul { @for plan in data["plans"]["nodes"].as_array().into_iter().flatten() { li {
                    a href={ "/console/plans/" (s(&plan["key"])) } { (s(&plan["number"])) } " — " (s(&plan["title"]))
                } } }
                h2 { (t("catalog.plan.budget")) }
                (budget_chart(&sums))
                h2 { (t("catalog.plan.levels")) }
                (levels_chart(&p["systemsBySecurityLevel"]))
                h2 { (t("catalog.nav.national-databases")) }
                ul { @for l in p["nationalDatabaseLinks"].as_array().into_iter().flatten() { li {
                    strong { (s(&l["nationalDatabase"]["name"])) } " "
                    span class={ "badge status-" (s(&l["status"])) } { (label("status", &l["status"])) }
                    @if let Some(q) = l["quote"].as_str() { br; q { (q) } " " (cite(&l["source"])) }
                    @if matches!(l["status"].as_str(), Some("DISPUTED" | "PARTIAL")) {
                        ul { @for st in l["statements"].as_array().into_iter().flatten() { li {
                            span class={ "badge status-" (s(&st["status"])) } { (label("statement", &st["status"])) } " "
                            q { (s(&st["quote"])) } " " (cite(&st["source"]))
                        } } }
                    }
                } } }
            },
        ))
    }
    .await)
}
