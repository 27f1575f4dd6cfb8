//! The registries as lists: agencies, information systems, projects, national databases (with each province's link
//! and the plan's statements about it), indicators. Filters are the API's; paging is its cursors.

use axum::{
    extract::{Query, State},
    response::Response,
};
use maud::{html, Markup};
use serde_json::{json, Map, Value};

use super::{
    cite, enum_choices, filled, label, money, number, pager, province_choices, query, respond, s,
    search_box, select, unit, ListParams, PAGE, PAGE_OF_DATABASES,
};
use crate::{
    console::{
        error::{shown, ConsoleError},
        i18n::t,
        session::SignedIn,
    },
    http::AppState,
};

const PAGE_INFO: &str = "totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor }";

/// The variables of a list: its filter and its page.
fn variables(params: &ListParams, filter: Map<String, Value>, size: i64) -> Value {
    let mut vars = Map::new();
    vars.insert("filter".into(), Value::Object(filter));
    params.page_variables(&mut vars, size);
    Value::Object(vars)
}

/// The filter object of the fields every list shares.
fn base_filter(params: &ListParams) -> Map<String, Value> {
    let mut f = Map::new();
    if let Some(q) = filled(&params.q) {
        f.insert("nameContains".into(), json!(q));
    }
    if let Some(p) = filled(&params.province) {
        f.insert("provinceCode".into(), json!(p));
    }
    f
}

const AGENCY_KINDS: &[&str] = &[
    "UBND_TINH",
    "SO",
    "BAN_NGANH",
    "UBND_HUYEN",
    "DON_VI_SU_NGHIEP",
    "TRUNG_UONG",
    "KHAC",
];

/// `/console/agencies`
pub async fn agencies(
    State(app): State<AppState>,
    user: Option<SignedIn>,
    Query(params): Query<ListParams>,
) -> Response {
    shown(user.as_ref(), async {
        let mut filter = base_filter(&params);
        if let Some(kind) = filled(&params.kind) {
            filter.insert("kind".into(), json!(kind));
        }
        let doc = format!(
            "query($filter: AgencyFilterInput, $first: Int, $after: String, $last: Int, $before: String) {{
               provinces {{ code name }}
               agencies(filter: $filter, first: $first, after: $after, last: $last, before: $before) {{ {PAGE_INFO}
                 nodes {{ key code name kind approvalRole province {{ name }} parent {{ name }} source {{ file line lineEnd }} }} }} }}"
        );
        let data = query(&app, user.as_ref(), &doc, variables(&params, filter, PAGE)).await?;
        let conn = &data["agencies"];
        let form = html! {
            form.filters method="get" action="/console/agencies" data-live-search="results" role="search" {
                (search_box(&params))
                (select("province", "catalog.filter.province", filled(&params.province), &province_choices(&data)))
                (select("kind", "catalog.filter.kind", filled(&params.kind), &enum_choices("agency-kind", AGENCY_KINDS)))
                button type="submit" { (t("catalog.filter.submit")) }
            }
        };
        let results = html! {
            (pager("/console/agencies", &params, conn))
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (t("catalog.col.name")) } th scope="col" { (t("catalog.col.code")) }
                    th scope="col" { (t("catalog.col.kind")) } th scope="col" { (t("catalog.col.province")) }
                    th scope="col" { (t("catalog.col.approval-role")) }
                } }
                tbody { @for a in conn["nodes"].as_array().into_iter().flatten() { tr {
                    td { (s(&a["name"])) @if let Some(p) = a["parent"]["name"].as_str() { br; span.muted { (p) } } br; (cite(&a["source"])) }
                    td { @if let Some(c) = a["code"].as_str() { code { (c) } } @else { span.muted { "—" } } }
                    td { (label("agency-kind", &a["kind"])) }
                    td { (s(&a["province"]["name"])) }
                    td { @if a["approvalRole"].is_string() { (label("approval-role", &a["approvalRole"])) } }
                } } }
            } }
            (pager("/console/agencies", &params, conn))
        };
        Ok(respond(
            &params,
            t("catalog.agencies.title"),
            user.as_ref(),
            "/console/agencies",
            form,
            results,
        ))
    }
    .await)
}

const STATES: &[&str] = &["PROPOSED", "APPRAISED", "APPROVED", "REJECTED", "RETIRED"];

/// `/console/systems`
pub async fn systems(
    State(app): State<AppState>,
    user: Option<SignedIn>,
    Query(params): Query<ListParams>,
) -> Response {
    shown(user.as_ref(), async {
        let mut filter = base_filter(&params);
        if let Some(level) = number(&params.level, "level")? {
            filter.insert("securityLevel".into(), json!(level));
        }
        if let Some(state) = filled(&params.state) {
            filter.insert("approvalState".into(), json!(state));
        }
        let doc = format!(
            "query($filter: InformationSystemFilter, $first: Int, $after: String, $last: Int, $before: String) {{
               provinces {{ code name }}
               informationSystems(filter: $filter, first: $first, after: $after, last: $last, before: $before) {{ {PAGE_INFO}
                 nodes {{ code name securityLevel approvedSecurityLevel approvalState decisionNumber decisionDate approvalPrinted
                          connectsLgsp processesPersonalData agency {{ name }} province {{ name }} source {{ file line lineEnd }} }} }} }}"
        );
        let data = query(&app, user.as_ref(), &doc, variables(&params, filter, PAGE)).await?;
        let conn = &data["informationSystems"];
        let levels: Vec<(String, String)> = (1..=5)
            .map(|l| (l.to_string(), format!("{} {l}", t("catalog.level"))))
            .collect();
        let form = html! {
            form.filters method="get" action="/console/systems" data-live-search="results" role="search" {
                (search_box(&params))
                (select("province", "catalog.filter.province", filled(&params.province), &province_choices(&data)))
                (select("level", "catalog.filter.level", filled(&params.level), &levels))
                (select("state", "catalog.filter.state", filled(&params.state), &enum_choices("state", STATES)))
                button type="submit" { (t("catalog.filter.submit")) }
            }
        };
        let results = html! {
            (pager("/console/systems", &params, conn))
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (t("catalog.col.name")) } th scope="col" { (t("catalog.col.agency")) }
                    th scope="col" { (t("catalog.col.level")) } th scope="col" { (t("catalog.col.state")) }
                    th scope="col" { (t("catalog.col.province")) }
                } }
                tbody { @for x in conn["nodes"].as_array().into_iter().flatten() { tr {
                    td { (s(&x["name"])) br; code { (s(&x["code"])) } br; (cite(&x["source"])) }
                    td { (s(&x["agency"]["name"])) }
                    td.num {
                        @match x["securityLevel"].as_i64() { Some(l) => (l), None => span.muted { "—" } }
                        @if let Some(a) = x["approvedSecurityLevel"].as_i64() {
                            @if x["securityLevel"].as_i64() != Some(a) { br; span.muted { (t("catalog.approved-level")) " " (a) } }
                        }
                    }
                    td {
                        @if x["approvalState"].is_string() { (label("state", &x["approvalState"])) }
                        @if let Some(n) = x["decisionNumber"].as_str() { br; span.muted { (n) " " (s(&x["decisionDate"])) } }
                        @if let Some(p) = x["approvalPrinted"].as_str() { br; span.muted { "“" (p) "”" } }
                    }
                    td { (s(&x["province"]["name"])) }
                } } }
            } }
            (pager("/console/systems", &params, conn))
        };
        Ok(respond(
            &params,
            t("catalog.systems.title"),
            user.as_ref(),
            "/console/systems",
            form,
            results,
        ))
    }
    .await)
}

const FUNDING: &[&str] = &[
    "NGAN_SACH_TRUNG_UONG",
    "NGAN_SACH_TINH",
    "NGAN_SACH_HUYEN",
    "SU_NGHIEP",
    "DAU_TU_CONG",
    "XA_HOI_HOA",
    "KHAC",
];

/// `/console/projects`
pub async fn projects(
    State(app): State<AppState>,
    user: Option<SignedIn>,
    Query(params): Query<ListParams>,
) -> Response {
    shown(user.as_ref(), async {
        let mut filter = base_filter(&params);
        if let Some(plan) = filled(&params.plan) {
            filter.insert("planKey".into(), json!(plan));
        }
        if let Some(f) = filled(&params.funding) {
            filter.insert("fundingSource".into(), json!(f));
        }
        if let Some(year) = number(&params.year, "year")? {
            filter.insert("year".into(), json!(year));
        }
        let doc = format!(
            "query($filter: ProjectFilterInput, $first: Int, $after: String, $last: Int, $before: String) {{
               provinces {{ code name }}
               projects(filter: $filter, first: $first, after: $after, last: $last, before: $before) {{ {PAGE_INFO}
                 nodes {{ key ref name leadPrinted yearStart yearEnd fundingSource fundingPrinted status
                          total {{ printed millionVnd }} totalMatchesBudget budgetSumMillionVnd
                          plan {{ key number }} province {{ name }} source {{ file line lineEnd }} }} }} }}"
        );
        let data = query(&app, user.as_ref(), &doc, variables(&params, filter, PAGE)).await?;
        let conn = &data["projects"];
        let form = html! {
            form.filters method="get" action="/console/projects" data-live-search="results" role="search" {
                (search_box(&params))
                (select("province", "catalog.filter.province", filled(&params.province), &province_choices(&data)))
                (select("funding", "catalog.filter.funding", filled(&params.funding), &enum_choices("funding", FUNDING)))
                div {
                    label for="year" { (t("catalog.filter.year")) }
                    input #year type="number" name="year" min="2000" max="2100" inputmode="numeric"
                        value=(filled(&params.year).unwrap_or_default());
                }
                @if let Some(plan) = filled(&params.plan) { input type="hidden" name="plan" value=(plan); }
                button type="submit" { (t("catalog.filter.submit")) }
            }
        };
        let results = html! {
            (pager("/console/projects", &params, conn))
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (t("catalog.col.name")) } th scope="col" { (t("catalog.col.lead")) }
                    th scope="col" { (t("catalog.col.years")) } th scope="col" { (t("catalog.col.funding")) }
                    th.num scope="col" { (t("catalog.col.total")) }
                } }
                tbody { @for p in conn["nodes"].as_array().into_iter().flatten() { tr {
                    td {
                        @if let Some(r) = p["ref"].as_str() { (r) " " } (s(&p["name"])) br;
                        span.muted { (s(&p["province"]["name"])) " · " (s(&p["plan"]["number"])) } br; (cite(&p["source"]))
                    }
                    td { (s(&p["leadPrinted"])) }
                    td { (p["yearStart"].as_i64().map(|y| y.to_string()).unwrap_or_default()) "–" (p["yearEnd"].as_i64().map(|y| y.to_string()).unwrap_or_default()) }
                    td { (label("funding", &p["fundingSource"])) @if let Some(f) = p["fundingPrinted"].as_str() { br; span.muted { (f) } } }
                    td.num {
                        @if let Some(printed) = p["total"]["printed"].as_str() { (printed) }
                        @else if let Some(m) = p["total"]["millionVnd"].as_f64() { (money(m)) }
                        @if p["totalMatchesBudget"].as_bool() == Some(false) {
                            br; span.badge.status-DISPUTED { (t("catalog.total-mismatch")) " " (p["budgetSumMillionVnd"].as_f64().map(money).unwrap_or_default()) }
                        }
                    }
                } } }
            } }
            (pager("/console/projects", &params, conn))
        };
        Ok(respond(
            &params,
            t("catalog.projects.title"),
            user.as_ref(),
            "/console/projects",
            form,
            results,
        ))
    }
    .await)
}

const DB_KINDS: &[&str] = &["DATABASE", "PLATFORM", "SYSTEM"];
const LINK_STATUSES: &[&str] = &["CONNECTED", "PLANNED", "PARTIAL", "DISPUTED"];

/// `/console/national-databases`: the databases, each with the provinces linked to it and each link's status; with a
/// province chosen, that province's links with every statement the plan makes about a disputed or partial one and
/// the line that prints it. (Statements for every database at once would make a page heavier than the query cost an
/// anonymous client may spend each second.)
pub async fn national_databases(
    State(app): State<AppState>,
    user: Option<SignedIn>,
    Query(params): Query<ListParams>,
) -> Response {
    shown(user.as_ref(), async {
        let province = filled(&params.province);
        let status = filled(&params.status);
        let mut filter = Map::new();
        if let Some(q) = filled(&params.q) {
            filter.insert("nameContains".into(), json!(q));
        }
        if let Some(kind) = filled(&params.kind) {
            filter.insert("kind".into(), json!(kind));
        }
        let data = query(
            &app,
            user.as_ref(),
            &format!(
                "query($filter: NationalDatabaseFilterInput, $first: Int, $after: String, $last: Int, $before: String) {{
                   provinces {{ code name }}
                   nationalDatabases(filter: $filter, first: $first, after: $after, last: $last, before: $before) {{ {PAGE_INFO}
                     nodes {{ key name owner kind links {{ status province {{ code name }} }} }} }} }}"
            ),
            variables(&params, filter, PAGE_OF_DATABASES),
        )
        .await?;
        let links = match province {
            Some(code) => Some(province_links(&app, user.as_ref(), code, status).await?),
            None => None,
        };
        let conn = &data["nationalDatabases"];
        let form = html! {
            form.filters method="get" action="/console/national-databases" data-live-search="results" role="search" {
                (search_box(&params))
                (select("kind", "catalog.filter.kind", filled(&params.kind), &enum_choices("db-kind", DB_KINDS)))
                (select("province", "catalog.filter.province", province, &province_choices(&data)))
                (select("status", "catalog.filter.status", status, &enum_choices("status", LINK_STATUSES)))
                button type="submit" { (t("catalog.filter.submit")) }
            }
        };
        let q = filled(&params.q).map(crate::text::fold);
        let results = html! {
            @if let Some(links) = &links {
                (links_of_province(links, q.as_deref()))
            } @else {
                (pager("/console/national-databases", &params, conn))
                @for db in conn["nodes"].as_array().into_iter().flatten() {
                    section {
                        h2 { (s(&db["name"])) " " span.badge { (label("db-kind", &db["kind"])) } }
                        @if let Some(o) = db["owner"].as_str() { p.muted { (t("catalog.owner")) " " (o) } }
                        @let links: Vec<&Value> = db["links"].as_array().into_iter().flatten()
                            .filter(|l| status.is_none_or(|st| l["status"].as_str() == Some(st))).collect();
                        @if links.is_empty() { p.muted { (t("catalog.links.none")) } }
                        @else { ul { @for l in links { li {
                            a href={ "/console/national-databases?province=" (s(&l["province"]["code"])) } { (s(&l["province"]["name"])) } " "
                            span class={ "badge status-" (s(&l["status"])) } { (label("status", &l["status"])) }
                        } } } }
                    }
                }
                (pager("/console/national-databases", &params, conn))
            }
        };
        Ok(respond(
            &params,
            t("catalog.national-databases.title"),
            user.as_ref(),
            "/console/national-databases",
            form,
            results,
        ))
    }
    .await)
}

/// One province's links (in `status` when given), each with the plan's statements and their lines.
async fn province_links(
    app: &AppState,
    user: Option<&SignedIn>,
    code: &str,
    status: Option<&str>,
) -> Result<Value, ConsoleError> {
    let data = query(
        app,
        user,
        "query($code: String!, $status: ConnectionStatus) { province(code: $code) { name
           nationalDatabaseLinks(status: $status) { status quote note recordedByAdministrator
             nationalDatabase { key name kind } plan { number } source { file line lineEnd }
             statements { status quote source { file line lineEnd } } } } }",
        json!({ "code": code, "status": status }),
    )
    .await?;
    Ok(data["province"].clone())
}

/// A province's links, those whose database's name matches `q` (folded) when given.
fn links_of_province(province: &Value, q: Option<&str>) -> Markup {
    let links: Vec<&Value> = province["nationalDatabaseLinks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| {
            q.is_none_or(|q| crate::text::fold(s(&l["nationalDatabase"]["name"])).contains(q))
        })
        .collect();
    html! {
        p { (t("catalog.links.of")) " " strong { (s(&province["name"])) } ": " (links.len()) }
        @if links.is_empty() { p.muted { (t("catalog.links.none")) } }
        ul { @for l in links { li {
            strong { (s(&l["nationalDatabase"]["name"])) } " "
            span class={ "badge status-" (s(&l["status"])) } { (label("status", &l["status"])) }
            @if let Some(n) = l["plan"]["number"].as_str() { " · " (n) }
            @if l["recordedByAdministrator"].as_bool() == Some(true) { " · " (t("catalog.links.by-admin")) }
            @if let Some(q) = l["quote"].as_str() { br; q { (q) } " " (cite(&l["source"])) }
            @if let Some(n) = l["note"].as_str() { br; span.muted { (n) } }
            @let statements = l["statements"].as_array().map(Vec::len).unwrap_or(0);
            @if statements > 1 || matches!(l["status"].as_str(), Some("DISPUTED" | "PARTIAL")) {
                details open[l["status"].as_str() == Some("DISPUTED")] {
                    summary { (t("catalog.links.statements")) " (" (statements) ")" }
                    ul { @for st in l["statements"].as_array().into_iter().flatten() { li {
                        span class={ "badge status-" (s(&st["status"])) } { (label("statement", &st["status"])) } " "
                        q { (s(&st["quote"])) } " " (cite(&st["source"]))
                    } } }
                }
            }
        } } }
    }
}

/// `/console/indicators`
pub async fn indicators(
    State(app): State<AppState>,
    user: Option<SignedIn>,
    Query(params): Query<ListParams>,
) -> Response {
    shown(user.as_ref(), async {
        let mut filter = base_filter(&params);
        if let Some(plan) = filled(&params.plan) {
            filter.insert("planKey".into(), json!(plan));
        }
        if let Some(year) = number(&params.year, "year")? {
            filter.insert("year".into(), json!(year));
        }
        let doc = format!(
            "query($filter: IndicatorFilterInput, $first: Int, $after: String, $last: Int, $before: String) {{
               provinces {{ code name }}
               indicators(filter: $filter, first: $first, after: $after, last: $last, before: $before) {{ {PAGE_INFO}
                 nodes {{ key measures valuePrinted unit year province {{ name }} plan {{ number }} source {{ file line lineEnd }} }} }} }}"
        );
        let data = query(&app, user.as_ref(), &doc, variables(&params, filter, PAGE)).await?;
        let conn = &data["indicators"];
        let form = html! {
            form.filters method="get" action="/console/indicators" data-live-search="results" role="search" {
                (search_box(&params))
                (select("province", "catalog.filter.province", filled(&params.province), &province_choices(&data)))
                div {
                    label for="year" { (t("catalog.filter.year")) }
                    input #year type="number" name="year" min="2000" max="2100" inputmode="numeric"
                        value=(filled(&params.year).unwrap_or_default());
                }
                @if let Some(plan) = filled(&params.plan) { input type="hidden" name="plan" value=(plan); }
                button type="submit" { (t("catalog.filter.submit")) }
            }
        };
        let results = html! {
            (pager("/console/indicators", &params, conn))
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (t("catalog.col.measures")) } th.num scope="col" { (t("catalog.col.target")) }
                    th scope="col" { (t("catalog.col.year")) } th scope="col" { (t("catalog.col.province")) }
                } }
                tbody { @for i in conn["nodes"].as_array().into_iter().flatten() { tr {
                    td { (s(&i["measures"])) br; (cite(&i["source"])) }
                    td.num { (s(&i["valuePrinted"])) " " (unit(&i["unit"])) }
                    td { (i["year"].as_i64().map(|y| y.to_string()).unwrap_or_default()) }
                    td { (s(&i["province"]["name"])) br; span.muted { (s(&i["plan"]["number"])) } }
                } } }
            } }
            (pager("/console/indicators", &params, conn))
        };
        Ok(respond(
            &params,
            t("catalog.indicators.title"),
            user.as_ref(),
            "/console/indicators",
            form,
            results,
        ))
    }
    .await)
}
