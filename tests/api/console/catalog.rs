//! The public catalog pages: each answers with the seeded data, searches with and without diacritics, pages with the
//! API's cursors, and explains what it cannot show.

use serde_json::json;

use super::{escaped, get};
use crate::common::TestHub;

/// Every catalog page answers 200 with HTML in Vietnamese, under 100 KB, with what it is about.
#[tokio::test]
async fn every_catalog_page_answers_with_its_content() {
    let hub = TestHub::shared().await;
    let pages: &[(&str, &[&str])] = &[
        (
            "/console",
            &[
                "Hà Tĩnh",
                "Quảng Ngãi",
                "Tiền Giang",
                "Vĩnh Long",
                "Kiên Giang",
                "sáp nhập vào",
            ],
        ),
        ("/console/plans", &["274/KH-UBND", "Tổng kinh phí"]),
        (
            "/console/plans/kg-kh-2023",
            &[
                "274/KH-UBND",
                "Kinh phí theo năm và nguồn vốn",
                "<svg",
                "<rect",
            ],
        ),
        (
            "/console/provinces/42",
            &["Hà Tĩnh", "Hệ thống thông tin theo cấp độ", "<svg"],
        ),
        ("/console/agencies", &["Cơ quan, đơn vị", "Tổng số:"]),
        ("/console/systems", &["App công dân số Hà Tĩnh"]),
        ("/console/projects", &["Dự án, nhiệm vụ", "Nguồn:"]),
        (
            "/console/national-databases?q=bao+hiem",
            &[
                "Cơ sở dữ liệu quốc gia về bảo hiểm",
                "Kế hoạch nêu mâu thuẫn",
            ],
        ),
        ("/console/indicators", &["Chỉ tiêu của kế hoạch", "Nguồn:"]),
        ("/console/search", &["Tìm kiếm trong danh mục"]),
    ];
    for (path, expected) in pages {
        let page = get(&hub, path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{path}"
        );
        assert!(page.body.contains("<html lang=\"vi\">"), "{path}");
        assert!(
            page.body.len() < 100 * 1024,
            "{path}: {} bytes",
            page.body.len()
        );
        for text in *expected {
            assert!(page.body.contains(text), "{path} lacks {text:?}");
        }
        // A label the catalogue lacks shows as its key: none may.
        for key in ["catalog.", "common."] {
            assert!(
                !page.body.contains(&format!(">{key}")),
                "{path}: a label is missing ({key}…)"
            );
        }
    }
}

/// Each discrepancy is shown beside the figure as printed, with the file and line that print it.
#[tokio::test]
async fn plans_show_their_discrepancies_with_file_and_line() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            "{ plans(first: 100) { nodes { key discrepancies { figure { valuePrinted source { file line } } } } } }",
            json!({}),
        )
        .await;
    let mut seen = 0;
    for plan in data["plans"]["nodes"].as_array().expect("plans") {
        let key = plan["key"].as_str().expect("key");
        let page = get(&hub, &format!("/console/plans/{key}")).await;
        assert_eq!(page.status, 200, "{key}");
        for d in plan["discrepancies"].as_array().expect("list") {
            let source = &d["figure"]["source"];
            let cited = format!(
                "<code>{}</code>:{}",
                source["file"].as_str().expect("file"),
                source["line"]
            );
            assert!(page.body.contains(&cited), "{key} lacks {cited}");
            let printed = escaped(d["figure"]["valuePrinted"].as_str().expect("printed"));
            assert!(page.body.contains(&printed), "{key} lacks {printed}");
            seen += 1;
        }
    }
    assert!(seen > 0, "the seed has discrepancies to show");
}

/// A disputed link shows every statement the plan makes about it, each with its line.
#[tokio::test]
async fn disputed_links_show_each_statement() {
    let hub = TestHub::shared().await;
    let codes = hub.data("{ provinces { code } }", json!({})).await;
    let mut provinces = Vec::new();
    for p in codes["provinces"].as_array().expect("provinces") {
        // One province at a time: all of them at once exceeds the query cost an anonymous client may spend.
        let data = hub
            .data(
                "query($code: String!) { province(code: $code) { code
                   nationalDatabaseLinks(status: DISPUTED) { statements { quote source { file line } } } } }",
                json!({ "code": p["code"] }),
            )
            .await;
        provinces.push(data["province"].clone());
    }
    let mut seen = 0;
    for province in &provinces {
        let code = province["code"].as_str().expect("code");
        let links = province["nationalDatabaseLinks"].as_array().expect("links");
        if links.is_empty() {
            continue;
        }
        let page = get(
            &hub,
            &format!("/console/national-databases?province={code}&status=DISPUTED"),
        )
        .await;
        assert_eq!(page.status, 200);
        for statement in links
            .iter()
            .flat_map(|l| l["statements"].as_array().expect("statements"))
        {
            let quote = escaped(statement["quote"].as_str().expect("quote"));
            assert!(
                page.body.contains(&format!("<q>{quote}</q>")),
                "{code} lacks {quote}"
            );
            let line = format!(":{}</span>", statement["source"]["line"]);
            assert!(page.body.contains(&line), "{code} lacks {line}");
            seen += 1;
        }
    }
    assert!(
        seen >= 2,
        "the seed has a disputed link with two statements"
    );
}

/// Search finds the same things typed with or without diacritics, on the search page and in a list's filter.
#[tokio::test]
async fn search_is_accent_insensitive() {
    let hub = TestHub::shared().await;
    for q in ["Hà Tĩnh", "ha tinh", "HA TINH"] {
        let page = get(&hub, &format!("/console/search?q={}", q.replace(' ', "+"))).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("href=\"/console/provinces/42\""), "{q}");
    }
    for q in ["công dân số", "cong dan so"] {
        let page = get(&hub, &format!("/console/systems?q={}", q.replace(' ', "+"))).await;
        assert!(page.body.contains("App công dân số Hà Tĩnh"), "{q}");
    }
    let none = get(&hub, "/console/search?q=zzzqqq").await;
    assert!(none.body.contains("Không tìm thấy kết quả"));
}

/// What the search-as-you-type script asks for: the results alone, no page around them.
#[tokio::test]
async fn a_fragment_is_the_results_alone() {
    let hub = TestHub::shared().await;
    let page = get(&hub, "/console/systems?q=cong+dan&fragment=1").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("App công dân số Hà Tĩnh"));
    assert!(!page.body.contains("<html"));
    assert!(!page.body.contains("<form"));
    let whole = get(&hub, "/console/systems?q=cong+dan").await;
    assert!(whole.body.contains("data-live-search=\"results\""));
    assert!(whole.body.contains("id=\"results\""));
}

/// Lists page with the API's cursors: "next" leads to other rows, "previous" back to the first, filters kept.
#[tokio::test]
async fn lists_page_with_the_api_cursors() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            "{ agencies(first: 40) { totalCount nodes { name } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = data["agencies"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|a| a["name"].as_str().expect("name"))
        .collect();
    assert!(
        names.len() > 20,
        "the seed has more than a page of agencies"
    );
    let first = get(&hub, "/console/agencies").await;
    assert!(first.body.contains(&format!(
        "Tổng số: <strong>{}</strong>",
        data["agencies"]["totalCount"]
    )));
    assert_eq!(first_cell(&first.body), escaped(names[0]));
    let next = first
        .attributes("href")
        .into_iter()
        .find(|h| h.starts_with("/console/agencies?after="))
        .expect("a next link");
    let second = get(&hub, &next).await;
    assert_eq!(second.status, 200);
    assert_eq!(first_cell(&second.body), escaped(names[20]), "{next}");
    let prev = second
        .attributes("href")
        .into_iter()
        .find(|h| h.starts_with("/console/agencies?before="))
        .expect("a previous link");
    let back = get(&hub, &prev).await;
    assert_eq!(first_cell(&back.body), escaped(names[0]));

    // A filter is kept across pages.
    let filtered = get(&hub, "/console/projects?province=51").await;
    if let Some(next) = filtered
        .attributes("href")
        .into_iter()
        .find(|h| h.contains("after="))
    {
        assert!(
            next.starts_with("/console/projects?province=51&after="),
            "{next}"
        );
    }
}

/// The text of the first cell of a page's table body.
fn first_cell(body: &str) -> &str {
    let start = body
        .find("<tbody><tr><td>")
        .map(|i| i + "<tbody><tr><td>".len())
        .unwrap_or(0);
    let rest = &body[start..];
    &rest[..rest.find('<').unwrap_or(rest.len())]
}

/// What a page cannot show, it explains in Vietnamese with the right status.
#[tokio::test]
async fn unknown_pages_and_bad_filters_are_explained() {
    let hub = TestHub::shared().await;
    for path in [
        "/console/no-such-page",
        "/console/plans/no-such-plan",
        "/console/provinces/99",
    ] {
        let page = get(&hub, path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(page.body.contains("Không tìm thấy trang"), "{path}");
        assert!(page.body.contains("Cần làm gì:"), "{path}");
    }
    let bad = get(&hub, "/console/systems?level=ba").await;
    assert_eq!(bad.status, 400);
    assert!(bad
        .body
        .contains("<code>level</code>: Phải là một số nguyên."));
}

/// A signed-in user who meets an error page is still shown as signed in (name and sign-out), not offered to sign in.
#[tokio::test]
async fn error_pages_keep_the_signed_in_user() {
    let hub = crate::common::console::shared_hub().await;
    let admin = super::pages::signed_in(&hub, super::pages::Demo::Admin).await;
    for (path, status) in [
        ("/console/no-such-page", 404),
        ("/console/plans/no-such-plan", 404),
        ("/console/systems?level=ba", 400),
    ] {
        let page = admin.get(path).await;
        page.expect(status)
            .contains("Đặng Thị Mai")
            .contains("action=\"/console/sign-out\"");
        assert!(
            !page.body.contains("href=\"/console/sign-in\""),
            "{path}: {}",
            page.body
        );
    }
}

/// Console pages carry a strict content security policy: the hub's own files only, no inline script.
#[tokio::test]
async fn console_pages_have_a_strict_content_security_policy() {
    let hub = TestHub::shared().await;
    for path in ["/console", "/console/systems", "/console/no-such-page"] {
        let page = get(&hub, path).await;
        let csp = page.header("content-security-policy");
        assert!(csp.starts_with("default-src 'self'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("http"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        // No inline script: every script element loads a file.
        assert_eq!(
            page.body.matches("<script").count(),
            page.body.matches("<script src=").count(),
            "{path}"
        );
        assert!(!page.body.contains(" style="), "{path}: inline style");
    }
}

/// Every catalog page stays below the cost at which a query counts as heavy (5,000 by default): heavy queries run
/// one at a time within a budget all clients share, and a page that spent it would be shed under load.
#[tokio::test]
async fn catalog_pages_are_light_queries() {
    let hub = TestHub::start_configured(0, |o| o.settings.max_query_cost = Some(4_999)).await;
    for path in [
        "/console",
        "/console/search?q=ha+tinh",
        "/console/plans",
        "/console/plans/kg-kh-2023",
        "/console/plans/vl-kh-2023",
        "/console/provinces/42",
        "/console/agencies",
        "/console/systems",
        "/console/projects",
        "/console/national-databases",
        "/console/national-databases?province=91",
        "/console/indicators",
    ] {
        let page = get(&hub, path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
    }
}
