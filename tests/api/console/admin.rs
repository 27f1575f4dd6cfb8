//! The administrator's pages over HTTP: agencies (official code, approval role; a stale version) and new ones, projects
//! and new ones, links recorded and removed; CSRF; the 403 of a user without `registry:admin`.

use super::pages::{csrf_of, input_value, link, signed_in, Demo};
use crate::common::console;

#[tokio::test]
async fn an_administrator_edits_an_agency_and_records_a_link() {
    let hub = console::hub().await;
    let admin = signed_in(&hub, Demo::Admin).await;
    let list = admin.get("/console/admin?province=51").await;
    list.expect(200).contains("/console/admin/agencies/");
    let at = "/console/admin/agencies/qn-so-y-te";
    let page = admin.get(at).await;
    page.expect(200).contains("name=\"officialCode\"");
    let (csrf, version) = (
        csrf_of(&page),
        input_value(&page.body, "version").expect("version"),
    );
    admin
        .post(at, &[("version", &version), ("name", "X")])
        .await
        .expect(403);
    admin
        .post(
            at,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("name", "Sở Y tế tỉnh Quảng Ngãi"),
                ("officialCode", "not a code"),
            ],
        )
        .await
        .expect(422)
        .contains("Mã định danh điện tử");
    admin
        .post(
            at,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("name", "Sở Y tế tỉnh Quảng Ngãi (đã sửa)"),
            ],
        )
        .await
        .expect(303);
    admin
        .get(at)
        .await
        .expect(200)
        .contains("Sở Y tế tỉnh Quảng Ngãi (đã sửa)");
    admin
        .post(
            at,
            &[("csrf", &csrf), ("version", &version), ("name", "Tên cũ")],
        )
        .await
        .expect(409)
        .contains("Tải lại bản mới nhất");

    admin.get("/console/admin/projects").await.expect(200);
    let links = admin.get("/console/admin/links").await;
    links.expect(200);
    let recorded = admin
        .post(
            "/console/admin/links",
            &[
                ("csrf", &csrf),
                ("provinceCode", "51"),
                ("nationalDatabaseKey", "dan-cu"),
                ("status", "PLANNED"),
                ("note", "ghi chú thử"),
            ],
        )
        .await;
    recorded.expect(303);
    let links = admin.get("/console/admin/links").await;
    links.expect(200).contains("ghi chú thử");
}

/// The value of the first option of the select `name` whose text starts with `text`.
fn option_starting(body: &str, name: &str, text: &str) -> Option<String> {
    let select = &body[body.find(&format!("name=\"{name}\""))?..];
    let select = &select[..select.find("</select>")?];
    select.split("<option value=\"").skip(1).find_map(|o| {
        let (value, rest) = o.split_once('"')?;
        let label = &rest[rest.find('>')? + 1..];
        label.starts_with(text).then(|| value.to_owned())
    })
}

/// A form of owned values as the browser's `post` takes it.
fn refs<'a>(form: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn agencies_in_db(hub: &crate::common::TestHub) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entities::agency::Entity::find()
        .count(&hub.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn an_administrator_creates_an_agency_and_a_project() {
    let hub = console::hub().await;
    let admin = signed_in(&hub, Demo::Admin).await;
    admin
        .get("/console/admin")
        .await
        .expect(200)
        .contains("href=\"/console/admin/agencies/new\"");
    let form = admin.get("/console/admin/agencies/new").await;
    form.expect(200).contains("name=\"provinceCode\"");
    let csrf = csrf_of(&form);
    let before = agencies_in_db(&hub).await;
    let name = "Trung tâm Chuyển đổi số tỉnh Quảng Ngãi";
    let new = |name: &str, kind: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", name.to_owned()),
            ("kind", kind.to_owned()),
            ("provinceCode", "51".to_owned()),
            ("officialCode", String::new()),
        ]
    };
    // No CSRF token, no name, a kind not in the list: refused, nothing written.
    admin
        .post("/console/admin/agencies/new", &[("name", name)])
        .await
        .expect(403);
    let refused = admin
        .post("/console/admin/agencies/new", &refs(&new("", "SO")))
        .await;
    refused.expect(422).contains("Tên là bắt buộc");
    admin
        .post("/console/admin/agencies/new", &refs(&new(name, "BOGUS")))
        .await
        .expect(422)
        .contains("Hãy chọn một loại trong danh sách.");
    assert_eq!(agencies_in_db(&hub).await, before);

    let created = admin
        .post(
            "/console/admin/agencies/new",
            &refs(&new(name, "DON_VI_SU_NGHIEP")),
        )
        .await;
    created.expect(303);
    let at = created.location.clone().expect("location");
    let key = at
        .strip_prefix("/console/admin/agencies/")
        .expect("the agency's page")
        .to_owned();
    admin.get(&at).await.expect(200).contains(name);
    assert_eq!(agencies_in_db(&hub).await, before + 1);

    // A project of Quảng Ngãi's plan, led by the new agency.
    let form = admin.get("/console/admin/projects/new").await;
    form.expect(200);
    let plan = option_starting(&form.body, "planKey", "Quảng Ngãi").expect("Quảng Ngãi's plan");
    let project = |year_start: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("planKey", plan.clone()),
            ("name", "Nền tảng số hóa hồ sơ lưu trữ".to_owned()),
            ("leadAgencyKey", key.clone()),
            ("yearStart", year_start.to_owned()),
            ("yearEnd", "2027".to_owned()),
            ("fundingSource", "NGAN_SACH_TINH".to_owned()),
            ("totalMillionVnd", "1234,5".to_owned()),
        ]
    };
    admin
        .post("/console/admin/projects/new", &refs(&project("năm nay")))
        .await
        .expect(422)
        .contains("Năm bắt đầu chưa hợp lệ")
        .contains("value=\"1234,5\"");
    let created = admin
        .post("/console/admin/projects/new", &refs(&project("2026")))
        .await;
    created.expect(303);
    let at = created.location.clone().expect("location");
    admin
        .get(&at)
        .await
        .expect(200)
        .contains("Nền tảng số hóa hồ sơ lưu trữ")
        .contains("value=\"1234.5\"")
        .contains(&format!("value=\"{key}\""));
}

/// The agencies' addresses a list page links to, in order.
fn agency_links(body: &str) -> Vec<&str> {
    body.split("href=\"/console/admin/agencies/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|key| *key != "new")
        .collect()
}

#[tokio::test]
async fn the_administrators_lists_page_both_ways() {
    let hub = console::hub().await;
    // The plans name 89 agencies: a dozen more fill over a page of 100.
    for i in 0..12 {
        let (_, body) = hub
            .post_as(
                &crate::common::token("000.00.00.H48", "registry:admin"),
                "mutation($name: String!) { createAgency(input: { name: $name, kind: KHAC, provinceCode: \"51\" }) { key } }",
                serde_json::json!({ "name": format!("Tổ công tác số {i}") }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let admin = signed_in(&hub, Demo::Admin).await;
    let first = admin.get("/console/admin").await;
    first.expect(200);
    let rows = agency_links(&first.body);
    assert_eq!(rows.len(), 100, "a full first page");
    assert!(link(&first.body, "prev").is_none());
    let second = admin
        .get(&link(&first.body, "next").expect("a next page"))
        .await;
    second.expect(200);
    let later = agency_links(&second.body);
    assert!(
        !later.is_empty() && later.iter().all(|k| !rows.contains(k)),
        "{later:?}"
    );
    let back = admin
        .get(&link(&second.body, "prev").expect("a previous page"))
        .await;
    back.expect(200);
    assert_eq!(agency_links(&back.body), rows);
}

#[tokio::test]
async fn the_admin_pages_refuse_a_user_without_registry_admin() {
    let hub = console::shared_hub().await;
    let auditor = signed_in(&hub, Demo::Auditor).await;
    for path in [
        "/console/admin",
        "/console/admin/projects",
        "/console/admin/links",
        "/console/admin/agencies/new",
        "/console/admin/projects/new",
    ] {
        auditor
            .get(path)
            .await
            .expect(403)
            .contains("Không có quyền truy cập");
    }
}

/// The administrator's pages stay under the heavy-query threshold, so the budget that all clients share for heavy
/// queries never sheds them (the links page reads its databases a few at a time).
#[tokio::test]
async fn the_administrators_pages_are_light_queries() {
    let hub = console::hub_configured(|o| o.settings.max_query_cost = Some(4_999)).await;
    let admin = signed_in(&hub, Demo::Admin).await;
    for path in [
        "/console/admin",
        "/console/admin/projects",
        "/console/admin/links",
        "/console/admin/agencies/new",
        "/console/admin/projects/new",
    ] {
        admin.get(path).await.expect(200);
    }
}
