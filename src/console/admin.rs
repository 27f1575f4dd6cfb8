//! The administrator's pages: agencies (official codes, approval roles), projects, and the national-database links an
//! administrator records. Lists filter by province and page with the API's cursors; each row has its edit form, sent
//! with the version it was read at (a newer one is a conflict, shown with a link that reloads), and each list a form
//! that creates one (`createAgency`, `createProject`). For users with `registry:admin`.
#![expect(
    clippy::result_large_err,
    reason = "a refusal is the page the handler answers (an axum `Response`), made once per request and never stored"
)]

use std::collections::BTreeMap;

use axum::{
    extract::{Path, Query, State},
    response::Response,
    Form,
};
use maud::{html, Markup};
use serde_json::{json, Map, Value};

use super::{
    agency::see_other,
    i18n::{t, t_of},
    layout::{self, Area},
    paging,
    session::SignedIn,
    work::{self, s, Failure, FieldErrors},
};
use crate::{auth::scope, http::AppState};

type Params = BTreeMap<String, String>;

fn gate(user: &SignedIn) -> Result<(), Response> {
    if user.principal.has_scope(scope::REGISTRY_ADMIN) {
        Ok(())
    } else {
        Err(Failure::Forbidden.page(user))
    }
}

/// A form may be taken: the user is an administrator and it carries the session's CSRF token.
fn admitted(user: &SignedIn, form: &Params) -> Result<(), Response> {
    gate(user).and_then(|()| work::check_csrf(user, form.get("csrf").map(String::as_str)))
}

fn unwrap(r: Result<Response, Response>) -> Response {
    match r {
        Ok(r) | Err(r) => r,
    }
}

fn tabs(current: &str) -> Markup {
    html! {
        nav aria-label=(t("admin.title")) { ul class="tabs" {
            @for (href, key) in [("/console/admin", "admin.agencies"), ("/console/admin/projects", "admin.projects"),
                                 ("/console/admin/links", "admin.links")] {
                li { a href=(href) aria-current=[(key == current).then_some("page")] { (t(key)) } }
            }
        } }
    }
}

/// The provinces as select options, with "all" first when `all`.
async fn provinces(app: &AppState, user: &SignedIn) -> Result<Vec<(String, String)>, Response> {
    let data = work::read(app, user, "{ provinces { code name } }", Value::Null).await?;
    Ok(data["provinces"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (s(p, "code").to_owned(), s(p, "name").to_owned()))
        .collect())
}

fn province_filter(action: &str, provinces: &[(String, String)], selected: &str) -> Markup {
    let mut options = vec![("", t("admin.all-provinces"))];
    options.extend(provinces.iter().map(|(c, n)| (c.as_str(), n.as_str())));
    html! {
        form method="get" action=(action) class="filters" {
            (work::select_field("province", t("admin.province"), &options, selected, &FieldErrors::new()))
            button type="submit" { (t("admin.filter")) }
        }
    }
}

const ROLES: [(&str, &str); 4] = [
    ("", "admin.role.none"),
    ("SECURITY_UNIT", "admin.role.SECURITY_UNIT"),
    ("NATIONAL_AUTHORITY", "admin.role.NATIONAL_AUTHORITY"),
    ("PRIME_MINISTER", "admin.role.PRIME_MINISTER"),
];

const KINDS: [&str; 7] = [
    "UBND_TINH",
    "SO",
    "BAN_NGANH",
    "UBND_HUYEN",
    "DON_VI_SU_NGHIEP",
    "TRUNG_UONG",
    "KHAC",
];

/// Rows per page of the administrator's lists.
const PAGE: i64 = 100;

/// One of the administrator's lists, by province: its tab (a label key, also the table's caption), address, the label
/// key of the link back to it, the form that creates one, the query (over `$p`, the province, and the page's cursor
/// variables) and the field it answers in, the columns' label keys and how a row shows.
struct List {
    tab: &'static str,
    action: &'static str,
    back: &'static str,
    create: Creation,
    query: &'static str,
    field: &'static str,
    columns: &'static [&'static str],
    row: fn(&Value) -> Markup,
}

/// The page of `list`, filtered by the `province` parameter and paged by `after` or `before`.
async fn list_page(
    app: &AppState,
    user: &SignedIn,
    params: &Params,
    list: &List,
) -> Result<Response, Response> {
    gate(user)?;
    let province = work::given(params, "province").unwrap_or_default();
    let provinces = provinces(app, user).await?;
    let mut vars = Map::new();
    vars.insert(
        "p".into(),
        json!((!province.is_empty()).then_some(&province)),
    );
    paging::variables(
        &mut vars,
        work::given(params, "after").as_deref(),
        work::given(params, "before").as_deref(),
        PAGE,
    );
    let data = work::read(app, user, list.query, Value::Object(vars)).await?;
    let conn = &data[list.field];
    let kept: &[(&str, &str)] = if province.is_empty() {
        &[]
    } else {
        &[("province", province.as_str())]
    };
    let (previous, next) = paging::around(list.action, kept, &conn["pageInfo"]);
    Ok(layout::page_in(
        Area::Admin,
        t(list.tab),
        Some(user),
        html! {
            h1 { (t("admin.title")) }
            (tabs(list.tab))
            (province_filter(list.action, &provinces, &province))
            p { a href=(list.create.action) { (t(list.create.title)) } }
            p { (t("admin.count")) ": " (conn["totalCount"]) }
            table {
                caption { (t(list.tab)) }
                thead { tr { @for column in list.columns { th scope="col" { (t(column)) } } } }
                tbody { @for node in conn["nodes"].as_array().into_iter().flatten() { tr { ((list.row)(node)) } } }
            }
            p {
                @if let Some(href) = &previous { a rel="prev" href=(href) { (t("admin.previous")) } " " }
                @if let Some(href) = &next { a rel="next" href=(href) { (t("admin.next")) } }
            }
        },
    ))
}

const AGENCIES: List = List {
    tab: "admin.agencies",
    action: "/console/admin",
    back: "admin.back",
    create: Creation {
        title: "admin.new-agency",
        help: "admin.new-agency-help",
        action: "/console/admin/agencies/new",
    },
    query: "query($p: String, $first: Int, $after: String, $last: Int, $before: String) { \
            agencies(filter: { provinceCode: $p }, first: $first, after: $after, last: $last, before: $before) { \
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { key code name kind approvalRole edited \
            province { name } } } }",
    field: "agencies",
    columns: &["admin.name", "admin.official-code", "admin.kind", "admin.approval-role", "admin.province"],
    row: |a| {
        html! {
            td { a href=(format!("/console/admin/agencies/{}", s(a, "key"))) { (s(a, "name")) } }
            td { (a["code"].as_str().unwrap_or("—")) }
            td { (t(&format!("admin.kind.{}", s(a, "kind")))) }
            td { (t(&format!("admin.role.{}", a["approvalRole"].as_str().unwrap_or("none")))) }
            td { (s(&a["province"], "name")) }
        }
    },
};

/// `GET /console/admin`: agencies, by province.
pub async fn agencies(
    State(app): State<AppState>,
    user: SignedIn,
    Query(params): Query<Params>,
) -> Response {
    unwrap(list_page(&app, &user, &params, &AGENCIES).await)
}

async fn agency(app: &AppState, user: &SignedIn, key: &str) -> Result<Value, Response> {
    let data = work::read(
        app,
        user,
        "query($key: String!) { agency(key: $key) { key code name kind approvalRole version edited \
         parent { key name } province { code name } } }",
        json!({ "key": key }),
    )
    .await?;
    Ok(data["agency"].clone())
}

/// The agency kinds as select options.
fn kind_options() -> Vec<(&'static str, &'static str)> {
    KINDS.iter().map(|k| (*k, t_of("admin.kind.", k))).collect()
}

/// The funding sources as select options, "not known" first.
fn funding_options() -> Vec<(&'static str, &'static str)> {
    std::iter::once(("", t("admin.funding-none")))
        .chain(FUNDING.iter().map(|f| (*f, t_of("admin.funding.", f))))
        .collect()
}

fn agency_page(
    user: &SignedIn,
    a: &Value,
    form: Option<&Params>,
    errors: &FieldErrors,
    stale: bool,
) -> Response {
    let key = s(a, "key");
    let v = |k: &str, current: &str| {
        form.and_then(|f| f.get(k).cloned())
            .unwrap_or_else(|| current.to_owned())
    };
    let kinds = kind_options();
    let roles: Vec<(&str, &str)> = ROLES.iter().map(|(v, k)| (*v, t(k))).collect();
    let page = layout::page_in(
        Area::Admin,
        s(a, "name"),
        Some(user),
        html! {
            h1 { (s(a, "name")) }
            p { a href="/console/admin" { (t("admin.back")) } }
            @if stale {
                div class="conflict" role="alert" {
                    p { (t("admin.conflict")) }
                    p { a href=(format!("/console/admin/agencies/{key}")) { (t("admin.reload")) } }
                }
            }
            form method="post" action=(format!("/console/admin/agencies/{key}")) novalidate {
                (work::csrf_field(user))
                input type="hidden" name="version" value=(a["version"]);
                (work::form_alert(errors))
                (work::text_field("name", t("admin.name"), &v("name", s(a, "name")), errors, true))
                (work::select_field("kind", t("admin.kind"), &kinds, &v("kind", s(a, "kind")), errors))
                (work::text_field("officialCode", t("admin.official-code"), &v("officialCode", s(a, "code")), errors, false))
                (work::text_field("parentKey", t("admin.parent-key"), &v("parentKey", s(&a["parent"], "key")), errors, false))
                (work::select_field("approvalRole", t("admin.approval-role"), &roles,
                    &v("approvalRole", s(a, "approvalRole")), errors))
                button type="submit" { (t("admin.save")) }
            }
        },
    );
    work::form_status(page, stale, !errors.is_empty())
}

/// `GET /console/admin/agencies/{key}`.
pub async fn agency_form(
    State(app): State<AppState>,
    user: SignedIn,
    Path(key): Path<String>,
) -> Response {
    unwrap(
        async {
            gate(&user)?;
            let a = agency(&app, &user, &key).await?;
            Ok(agency_page(&user, &a, None, &FieldErrors::new(), false))
        }
        .await,
    )
}

/// `POST /console/admin/agencies/{key}`.
pub async fn agency_save(
    State(app): State<AppState>,
    user: SignedIn,
    Path(key): Path<String>,
    Form(form): Form<Params>,
) -> Response {
    if let Err(r) = admitted(&user, &form) {
        return r;
    }
    let input = json!({
        "name": work::given(&form, "name"),
        "kind": work::given(&form, "kind"),
        "officialCode": work::given(&form, "officialCode"),
        "parentKey": work::given(&form, "parentKey"),
        "approvalRole": work::given(&form, "approvalRole"),
    });
    let version = form
        .get("version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1);
    let result = work::run(
        &app,
        &user,
        "mutation($key: String!, $version: Int!, $input: UpdateAgencyInput!) { \
         updateAgency(key: $key, version: $version, input: $input) { key } }",
        json!({ "key": key, "version": version, "input": input }),
    )
    .await;
    let failure = match result {
        Ok(_) => return see_other(&format!("/console/admin/agencies/{key}")),
        Err(f) => f,
    };
    let a = match agency(&app, &user, &key).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match failure {
        Failure::Fields(errors) => agency_page(&user, &a, Some(&form), &errors, false),
        Failure::Conflict(_) if a["version"].as_i64() != Some(version) => {
            agency_page(&user, &a, Some(&form), &FieldErrors::new(), true)
        }
        other => other.page(&user),
    }
}

/// `pairs` (value, label) as select options.
fn options(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(value, label)| (value.as_str(), label.as_str()))
        .collect()
}

/// A form that creates an agency or a project: the label keys of its title and help, and its address.
struct Creation {
    title: &'static str,
    help: &'static str,
    action: &'static str,
}

/// The page of the form that creates one of `list`: the `fields` with the messages of the `errors`, a link back to the
/// list.
fn creation_page(user: &SignedIn, list: &List, errors: &FieldErrors, fields: Markup) -> Response {
    let what = &list.create;
    let page = layout::page_in(
        Area::Admin,
        t(what.title),
        Some(user),
        html! {
            h1 { (t(what.title)) }
            p { a href=(list.action) { (t(list.back)) } }
            p { (t(what.help)) }
            form method="post" action=(what.action) novalidate {
                (work::csrf_field(user))
                (work::form_alert(errors))
                (fields)
                button type="submit" { (t("admin.create")) }
            }
        },
    );
    work::form_status(page, false, !errors.is_empty())
}

/// The page of a new agency: its form, filled with what was sent (`form`) and the fields refused (`errors`).
fn new_agency_page(
    user: &SignedIn,
    provinces: &[(String, String)],
    form: Option<&Params>,
    errors: &FieldErrors,
) -> Response {
    let v = |k: &str| form.and_then(|f| f.get(k).cloned()).unwrap_or_default();
    creation_page(
        user,
        &AGENCIES,
        errors,
        html! {
            (work::text_field("name", t("admin.name"), &v("name"), errors, true))
            (work::select_field("kind", t("admin.kind"), &kind_options(), &v("kind"), errors))
            (work::select_field("provinceCode", t("admin.province"), &options(provinces), &v("provinceCode"), errors))
            (work::text_field("officialCode", t("admin.official-code"), &v("officialCode"), errors, false))
            (work::text_field("parentKey", t("admin.parent-key"), &v("parentKey"), errors, false))
        },
    )
}

/// Runs the creating `mutation` with `input`, unless the form's own checks refused fields (`errors`).
async fn create(
    app: &AppState,
    user: &SignedIn,
    errors: FieldErrors,
    mutation: &str,
    input: Value,
) -> Result<Value, Failure> {
    if !errors.is_empty() {
        return Err(Failure::Fields(errors));
    }
    work::run(app, user, mutation, json!({ "input": input })).await
}

/// `GET /console/admin/agencies/new`.
pub async fn new_agency_form(State(app): State<AppState>, user: SignedIn) -> Response {
    unwrap(
        async {
            gate(&user)?;
            let provinces = provinces(&app, &user).await?;
            Ok(new_agency_page(
                &user,
                &provinces,
                None,
                &FieldErrors::new(),
            ))
        }
        .await,
    )
}

/// `POST /console/admin/agencies/new`: creates the agency and shows it (its edit page), or the form again with what
/// was refused.
pub async fn new_agency_save(
    State(app): State<AppState>,
    user: SignedIn,
    Form(form): Form<Params>,
) -> Response {
    if let Err(r) = admitted(&user, &form) {
        return r;
    }
    let mut errors = FieldErrors::new();
    let kind = work::given(&form, "kind").filter(|k| KINDS.contains(&k.as_str()));
    if kind.is_none() {
        errors.insert("kind".to_owned(), work::field_message("kind"));
    }
    let input = json!({
        // Empty, not absent: the schema's own check then names the field.
        "name": form.get("name").map(String::as_str).unwrap_or_default(),
        "kind": kind,
        "provinceCode": form.get("provinceCode").map(String::as_str).unwrap_or_default(),
        "officialCode": work::given(&form, "officialCode"),
        "parentKey": work::given(&form, "parentKey"),
    });
    let mutation = "mutation($input: CreateAgencyInput!) { createAgency(input: $input) { key } }";
    let result = create(&app, &user, errors, mutation, input).await;
    match result {
        Ok(d) => see_other(&format!(
            "/console/admin/agencies/{}",
            s(&d["createAgency"], "key")
        )),
        Err(Failure::Fields(errors)) => match provinces(&app, &user).await {
            Ok(provinces) => new_agency_page(&user, &provinces, Some(&form), &errors),
            Err(r) => r,
        },
        Err(other) => other.page(&user),
    }
}

const PROJECTS: List = List {
    tab: "admin.projects",
    action: "/console/admin/projects",
    back: "admin.back-projects",
    create: Creation {
        title: "admin.new-project",
        help: "admin.new-project-help",
        action: "/console/admin/projects/new",
    },
    query: "query($p: String, $first: Int, $after: String, $last: Int, $before: String) { \
            projects(filter: { provinceCode: $p }, first: $first, after: $after, last: $last, before: $before) { \
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id key ref name yearStart yearEnd \
            total { printed } leadAgency { name } province { name } } } }",
    field: "projects",
    columns: &["admin.ref", "admin.name", "admin.lead", "admin.years", "admin.total", "admin.province"],
    row: |p| {
        let year = |k: &str| p[k].as_i64().map(|y| y.to_string()).unwrap_or_default();
        html! {
            td { (s(p, "ref")) }
            td { a href=(format!("/console/admin/projects/{}", s(p, "id"))) { (s(p, "name")) } }
            td { (s(&p["leadAgency"], "name")) }
            td { (year("yearStart")) "–" (year("yearEnd")) }
            td { (s(&p["total"], "printed")) }
            td { (s(&p["province"], "name")) }
        }
    },
};

/// `GET /console/admin/projects`: projects, by province.
pub async fn projects(
    State(app): State<AppState>,
    user: SignedIn,
    Query(params): Query<Params>,
) -> Response {
    unwrap(list_page(&app, &user, &params, &PROJECTS).await)
}

async fn project(app: &AppState, user: &SignedIn, key: &str) -> Result<Value, Response> {
    let data = work::run(
        app,
        user,
        "query($id: ID!) { node(id: $id) { ... on Project { key name yearStart yearEnd fundingSource version \
         total { millionVnd printed } leadAgency { key name } province { name } } } }",
        json!({ "id": key }),
    )
    .await;
    match data {
        Ok(d) => Ok(d["node"].clone()),
        Err(f) => Err(f.page(user)),
    }
}

const FUNDING: [&str; 7] = [
    "NGAN_SACH_TRUNG_UONG",
    "NGAN_SACH_TINH",
    "NGAN_SACH_HUYEN",
    "SU_NGHIEP",
    "DAU_TU_CONG",
    "XA_HOI_HOA",
    "KHAC",
];

fn project_page(
    user: &SignedIn,
    p: &Value,
    key: &str,
    form: Option<&Params>,
    errors: &FieldErrors,
    stale: bool,
) -> Response {
    let num = |v: &Value| {
        v.as_i64()
            .map(|n| n.to_string())
            .or_else(|| v.as_f64().map(|n| n.to_string()))
    };
    let current = |k: &str| match k {
        "name" => s(p, "name").to_owned(),
        "leadAgencyKey" => s(&p["leadAgency"], "key").to_owned(),
        "yearStart" | "yearEnd" => num(&p[k]).unwrap_or_default(),
        "fundingSource" => s(p, "fundingSource").to_owned(),
        "totalMillionVnd" => num(&p["total"]["millionVnd"]).unwrap_or_default(),
        _ => String::new(),
    };
    let v = |k: &str| {
        form.and_then(|f| f.get(k).cloned())
            .unwrap_or_else(|| current(k))
    };
    let funding = funding_options();
    let page = layout::page_in(
        Area::Admin,
        s(p, "name"),
        Some(user),
        html! {
            h1 { (s(p, "name")) }
            p { a href="/console/admin/projects" { (t("admin.back-projects")) } }
            @if stale {
                div class="conflict" role="alert" {
                    p { (t("admin.conflict")) }
                    p { a href=(format!("/console/admin/projects/{key}")) { (t("admin.reload")) } }
                }
            }
            form method="post" action=(format!("/console/admin/projects/{key}")) novalidate {
                (work::csrf_field(user))
                input type="hidden" name="version" value=(p["version"]);
                (work::form_alert(errors))
                (work::text_field("name", t("admin.name"), &v("name"), errors, true))
                (work::text_field("leadAgencyKey", t("admin.lead-key"), &v("leadAgencyKey"), errors, false))
                (work::input_field("yearStart", t("admin.year-start"), &v("yearStart"), errors, false, "number"))
                (work::input_field("yearEnd", t("admin.year-end"), &v("yearEnd"), errors, false, "number"))
                (work::select_field("fundingSource", t("admin.funding"), &funding, &v("fundingSource"), errors))
                (work::input_field("totalMillionVnd", t("admin.total-million"), &v("totalMillionVnd"), errors, false, "text"))
                button type="submit" { (t("admin.save")) }
            }
        },
    );
    work::form_status(page, stale, !errors.is_empty())
}

/// `GET /console/admin/projects/{id}`: by the project's global id (`node`), the API having no root field by key.
pub async fn project_form(
    State(app): State<AppState>,
    user: SignedIn,
    Path(key): Path<String>,
) -> Response {
    unwrap(
        async {
            gate(&user)?;
            let p = project(&app, &user, &key).await?;
            Ok(project_page(
                &user,
                &p,
                &key,
                None,
                &FieldErrors::new(),
                false,
            ))
        }
        .await,
    )
}

/// A number field of a form: `Ok(None)` when empty, `Err` (a field message) when not a number.
fn number(form: &Params, key: &str, errors: &mut FieldErrors) -> Value {
    match work::given(form, key) {
        None => Value::Null,
        Some(n) => match n.replace(',', ".").parse::<f64>() {
            Ok(x) if key.starts_with("year") && x.fract() == 0.0 => json!(x as i64),
            Ok(x) if !key.starts_with("year") => json!(x),
            _ => {
                errors.insert(key.to_owned(), work::field_message(key));
                Value::Null
            }
        },
    }
}

/// `POST /console/admin/projects/{key}`.
pub async fn project_save(
    State(app): State<AppState>,
    user: SignedIn,
    Path(key): Path<String>,
    Form(form): Form<Params>,
) -> Response {
    if let Err(r) = admitted(&user, &form) {
        return r;
    }
    let mut errors = FieldErrors::new();
    let input = json!({
        "name": work::given(&form, "name"),
        "leadAgencyKey": work::given(&form, "leadAgencyKey"),
        "yearStart": number(&form, "yearStart", &mut errors),
        "yearEnd": number(&form, "yearEnd", &mut errors),
        "fundingSource": work::given(&form, "fundingSource"),
        "totalMillionVnd": number(&form, "totalMillionVnd", &mut errors),
    });
    let version = form
        .get("version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1);
    let p = match project(&app, &user, &key).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !errors.is_empty() {
        return project_page(&user, &p, &key, Some(&form), &errors, false);
    }
    let result = work::run(
        &app,
        &user,
        "mutation($key: String!, $version: Int!, $input: UpdateProjectInput!) { \
         updateProject(key: $key, version: $version, input: $input) { key } }",
        json!({ "key": s(&p, "key"), "version": version, "input": input }),
    )
    .await;
    match result {
        Ok(_) => see_other(&format!("/console/admin/projects/{key}")),
        Err(Failure::Fields(errors)) => project_page(&user, &p, &key, Some(&form), &errors, false),
        Err(Failure::Conflict(_)) if p["version"].as_i64() != Some(version) => {
            project_page(&user, &p, &key, Some(&form), &FieldErrors::new(), true)
        }
        Err(other) => other.page(&user),
    }
}

/// The plans as select options (key, title and province).
async fn plans(app: &AppState, user: &SignedIn) -> Result<Vec<(String, String)>, Response> {
    let data = work::read(
        app,
        user,
        "{ plans(first: 100) { nodes { key title province { name } } } }",
        Value::Null,
    )
    .await?;
    Ok(data["plans"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                s(p, "key").to_owned(),
                format!("{} — {}", s(&p["province"], "name"), s(p, "title")),
            )
        })
        .collect())
}

/// The page of a new project: its form, filled with what was sent (`form`) and the fields refused (`errors`).
fn new_project_page(
    user: &SignedIn,
    plans: &[(String, String)],
    form: Option<&Params>,
    errors: &FieldErrors,
) -> Response {
    let v = |k: &str| form.and_then(|f| f.get(k).cloned()).unwrap_or_default();
    creation_page(
        user,
        &PROJECTS,
        errors,
        html! {
            (work::select_field("planKey", t("admin.plan"), &options(plans), &v("planKey"), errors))
            (work::text_field("name", t("admin.name"), &v("name"), errors, true))
            (work::text_field("leadAgencyKey", t("admin.lead-key"), &v("leadAgencyKey"), errors, false))
            (work::input_field("yearStart", t("admin.year-start"), &v("yearStart"), errors, false, "number"))
            (work::input_field("yearEnd", t("admin.year-end"), &v("yearEnd"), errors, false, "number"))
            (work::select_field("fundingSource", t("admin.funding"), &funding_options(), &v("fundingSource"), errors))
            (work::input_field("totalMillionVnd", t("admin.total-million"), &v("totalMillionVnd"), errors, false, "text"))
        },
    )
}

/// `GET /console/admin/projects/new`.
pub async fn new_project_form(State(app): State<AppState>, user: SignedIn) -> Response {
    unwrap(
        async {
            gate(&user)?;
            let plans = plans(&app, &user).await?;
            Ok(new_project_page(&user, &plans, None, &FieldErrors::new()))
        }
        .await,
    )
}

/// `POST /console/admin/projects/new`: creates the project and shows it (its edit page), or the form again with what
/// was refused.
pub async fn new_project_save(
    State(app): State<AppState>,
    user: SignedIn,
    Form(form): Form<Params>,
) -> Response {
    if let Err(r) = admitted(&user, &form) {
        return r;
    }
    let mut errors = FieldErrors::new();
    let funding = work::given(&form, "fundingSource");
    if funding.as_deref().is_some_and(|f| !FUNDING.contains(&f)) {
        errors.insert(
            "fundingSource".to_owned(),
            work::field_message("fundingSource"),
        );
    }
    let input = json!({
        "planKey": form.get("planKey").map(String::as_str).unwrap_or_default(),
        "name": form.get("name").map(String::as_str).unwrap_or_default(),
        "leadAgencyKey": work::given(&form, "leadAgencyKey"),
        "yearStart": number(&form, "yearStart", &mut errors),
        "yearEnd": number(&form, "yearEnd", &mut errors),
        "fundingSource": funding,
        "totalMillionVnd": number(&form, "totalMillionVnd", &mut errors),
    });
    let mutation = "mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }";
    let result = create(&app, &user, errors, mutation, input).await;
    match result {
        Ok(d) => see_other(&format!(
            "/console/admin/projects/{}",
            s(&d["createProject"], "id")
        )),
        Err(Failure::Fields(errors)) => match plans(&app, &user).await {
            Ok(plans) => new_project_page(&user, &plans, Some(&form), &errors),
            Err(r) => r,
        },
        Err(other) => other.page(&user),
    }
}

/// `GET /console/admin/links`: the links administrators recorded, the form to record one.
pub async fn links(State(app): State<AppState>, user: SignedIn) -> Response {
    unwrap(links_page(&app, &user, None, &FieldErrors::new()).await)
}

async fn links_page(
    app: &AppState,
    user: &SignedIn,
    form: Option<&Params>,
    errors: &FieldErrors,
) -> Result<Response, Response> {
    gate(user)?;
    let provinces = provinces(app, user).await?;
    // A page of databases with their links costs about 450 per database (each link list is priced at its largest): read
    // them 10 at a time, under the heavy-query threshold (5,000), so that the shared heavy budget never sheds this page.
    let mut dbs = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = work::read(
            app,
            user,
            "query($after: String) { nationalDatabases(first: 10, after: $after) { pageInfo { hasNextPage endCursor } \
             nodes { key name links { status note recordedByAdministrator version province { code name } } } } }",
            json!({ "after": after }),
        )
        .await?;
        let conn = &data["nationalDatabases"];
        dbs.extend(conn["nodes"].as_array().cloned().unwrap_or_default());
        match conn["pageInfo"]["endCursor"].as_str() {
            Some(cursor) if conn["pageInfo"]["hasNextPage"].as_bool() == Some(true) => {
                after = Some(cursor.to_owned());
            }
            _ => break,
        }
    }
    let v = |k: &str| form.and_then(|f| f.get(k).cloned()).unwrap_or_default();
    let province_options: Vec<(&str, &str)> = provinces
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    let db_options: Vec<(&str, &str)> = dbs.iter().map(|d| (s(d, "key"), s(d, "name"))).collect();
    let statuses: Vec<(&str, String)> = ["CONNECTED", "PLANNED", "PARTIAL"]
        .iter()
        .map(|st| (*st, t(&format!("admin.status.{st}")).to_owned()))
        .collect();
    let statuses: Vec<(&str, &str)> = statuses.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let page = layout::page_in(
        Area::Admin,
        t("admin.links"),
        Some(user),
        html! {
            h1 { (t("admin.title")) }
            (tabs("admin.links"))
            section aria-labelledby="record" {
                h2 id="record" { (t("admin.record-link")) }
                form method="post" action="/console/admin/links" novalidate {
                    (work::csrf_field(user))
                    (work::form_alert(errors))
                    (work::select_field("provinceCode", t("admin.province"), &province_options, &v("provinceCode"), errors))
                    (work::select_field("nationalDatabaseKey", t("admin.database"), &db_options, &v("nationalDatabaseKey"), errors))
                    (work::select_field("status", t("admin.status"), &statuses, &v("status"), errors))
                    (work::textarea_field("note", t("admin.note"), &v("note"), errors, false))
                    button type="submit" { (t("admin.record")) }
                }
            }
            table {
                caption { (t("admin.recorded-links")) }
                thead { tr {
                    th scope="col" { (t("admin.database")) } th scope="col" { (t("admin.province")) }
                    th scope="col" { (t("admin.status")) } th scope="col" { (t("admin.note")) } th scope="col" { "" }
                } }
                tbody { @for d in &dbs { @for l in d["links"].as_array().into_iter().flatten()
                        .filter(|l| l["recordedByAdministrator"].as_bool() == Some(true)) { tr {
                    td { (s(d, "name")) }
                    td { (s(&l["province"], "name")) }
                    td { (t(&format!("admin.status.{}", s(l, "status")))) }
                    td { (s(l, "note")) }
                    td { form method="post" action="/console/admin/links/remove" {
                        (work::csrf_field(user))
                        input type="hidden" name="provinceCode" value=(s(&l["province"], "code"));
                        input type="hidden" name="nationalDatabaseKey" value=(s(d, "key"));
                        input type="hidden" name="version" value=(l["version"]);
                        button type="submit" class="danger" { (t("admin.remove")) }
                    } }
                } } } }
            }
        },
    );
    Ok(work::form_status(page, false, !errors.is_empty()))
}

/// `POST /console/admin/links`: records (or updates) a link.
pub async fn link_save(
    State(app): State<AppState>,
    user: SignedIn,
    Form(form): Form<Params>,
) -> Response {
    if let Err(r) = admitted(&user, &form) {
        return r;
    }
    let result = work::run(
        &app,
        &user,
        "mutation($p: String!, $db: String!, $status: ConnectionStatus!, $note: String) { \
         connectNationalDatabase(provinceCode: $p, nationalDatabaseKey: $db, status: $status, note: $note) { version } }",
        json!({
            "p": form.get("provinceCode").cloned().unwrap_or_default(),
            "db": form.get("nationalDatabaseKey").cloned().unwrap_or_default(),
            "status": form.get("status").cloned().unwrap_or_default(),
            "note": work::given(&form, "note"),
        }),
    )
    .await;
    match result {
        Ok(_) => see_other("/console/admin/links"),
        Err(Failure::Fields(errors)) => unwrap(links_page(&app, &user, Some(&form), &errors).await),
        Err(f) => f.page(&user),
    }
}

/// `POST /console/admin/links/remove`.
pub async fn link_remove(
    State(app): State<AppState>,
    user: SignedIn,
    Form(form): Form<Params>,
) -> Response {
    if let Err(r) = admitted(&user, &form) {
        return r;
    }
    let result = work::run(
        &app,
        &user,
        "mutation($p: String!, $db: String!, $version: Int!) { \
         disconnectNationalDatabase(provinceCode: $p, nationalDatabaseKey: $db, version: $version) { version } }",
        json!({
            "p": form.get("provinceCode").cloned().unwrap_or_default(),
            "db": form.get("nationalDatabaseKey").cloned().unwrap_or_default(),
            "version": form.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1),
        }),
    )
    .await;
    match result {
        Ok(_) => see_other("/console/admin/links"),
        Err(f) => f.page(&user),
    }
}
