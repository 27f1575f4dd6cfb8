//! Every root field answers, with the seeded data.

use serde_json::json;

use crate::common::TestHub;

#[tokio::test]
async fn provinces_are_the_five_of_the_plans_with_exact_names() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            "{ provinces { code name committeeName merger { mergedIntoCode mergedIntoName resolution effective } } }",
            json!({}),
        )
        .await;
    let provinces = data["provinces"].as_array().expect("list");
    let mut pairs: Vec<(String, String)> = provinces
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap_or_default().to_owned(),
                p["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    pairs.sort();
    let expected = [
        ("42", "Hà Tĩnh"),
        ("51", "Quảng Ngãi"),
        ("82", "Tiền Giang"),
        ("86", "Vĩnh Long"),
        ("91", "Kiên Giang"),
    ];
    assert_eq!(pairs.len(), 5);
    for ((code, name), (ec, en)) in pairs.iter().zip(expected) {
        assert_eq!(code, ec);
        // Byte-exact NFC round trip.
        assert_eq!(name.as_bytes(), en.as_bytes(), "{name}");
    }
    let tg = provinces
        .iter()
        .find(|p| p["code"] == "82")
        .expect("Tiền Giang");
    assert_eq!(tg["merger"]["mergedIntoName"], "Đồng Tháp");
    assert_eq!(tg["merger"]["resolution"], "Nghị quyết 202/2025/QH15");
    assert_eq!(tg["merger"]["effective"], "2025-07-01");
}

#[tokio::test]
async fn province_by_code_with_nested_lists_and_aggregates() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            r#"{ province(code: "91") { id name committee { name code } agencyCount agencies(first: 3) { key name }
                 informationSystemCount informationSystems(first: 2) { name }
                 projectCount projects(first: 2) { name total { printed millionVnd } }
                 nationalDatabaseLinks { status quote nationalDatabase { key } source { file line } }
                 systemsBySecurityLevel { securityLevel count }
                 projectBudget { year fundingSource millionVnd lines } } }"#,
            json!({}),
        )
        .await;
    let p = &data["province"];
    assert_eq!(p["name"], "Kiên Giang");
    assert_eq!(p["committee"]["name"], "Ủy ban nhân dân tỉnh Kiên Giang");
    assert_eq!(p["agencies"].as_array().map(Vec::len), Some(3));
    assert!(p["agencyCount"].as_i64().unwrap_or(0) > 3);
    assert_eq!(p["informationSystems"].as_array().map(Vec::len), Some(2));
    assert_eq!(p["projects"].as_array().map(Vec::len), Some(2));
    let links = p["nationalDatabaseLinks"].as_array().expect("links");
    assert!(
        links
            .iter()
            .any(|l| l["nationalDatabase"]["key"] == "dan-cu"),
        "{links:?}"
    );
    assert!(links
        .iter()
        .all(|l| l["source"]["file"] == "000_a4cb5cede42f0fbf.txt"));
    // Aggregates add up to the counts.
    let by_level: i64 = p["systemsBySecurityLevel"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|b| b["count"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(by_level, p["informationSystemCount"].as_i64().unwrap_or(-1));
    // Kiên Giang's appendix: 40.000 million VND in 2023 (Phụ lục, "Tổng cộng").
    let budget = p["projectBudget"].as_array().expect("budget");
    let total: f64 = budget.iter().filter_map(|b| b["millionVnd"].as_f64()).sum();
    assert!((total - 40_000.0).abs() < 1e-6, "{budget:?}");
}

#[tokio::test]
async fn agency_by_official_code_and_by_key() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            r#"{ agency(code: "000.00.00.H48") { key name kind province { name } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["agency"]["name"], "Ủy ban nhân dân tỉnh Quảng Ngãi");
    assert_eq!(data["agency"]["kind"], "UBND_TINH");
    assert_eq!(data["agency"]["province"]["name"], "Quảng Ngãi");
    let key = data["agency"]["key"].as_str().expect("key").to_owned();
    let again = hub
        .data(
            "query($k: String) { agency(key: $k) { name } }",
            json!({ "k": key }),
        )
        .await;
    assert_eq!(again["agency"]["name"], "Ủy ban nhân dân tỉnh Quảng Ngãi");
}

#[tokio::test]
async fn connections_of_every_registry_answer() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            "{ agencies(first: 5) { totalCount edges { node { name } } }
               informationSystems(first: 5) { totalCount edges { node { name province { name } } } }
               projects(first: 5) { totalCount edges { node { name plan { number } } } }
               nationalDatabases(first: 50) { totalCount edges { node { key name owner connectedProvinces { code } } } }
               indicators(first: 5) { totalCount edges { node { name valuePrinted value unit } } }
               plans(first: 10) { totalCount edges { node { key number title province { code } } } } }",
            json!({}),
        )
        .await;
    for field in [
        "agencies",
        "informationSystems",
        "projects",
        "nationalDatabases",
        "indicators",
    ] {
        assert!(
            data[field]["totalCount"].as_i64().unwrap_or(0) > 0,
            "{field} is empty"
        );
        assert!(
            !data[field]["edges"].as_array().expect("edges").is_empty(),
            "{field}"
        );
    }
    assert_eq!(data["plans"]["totalCount"], 5);
    let dbs = data["nationalDatabases"]["edges"]
        .as_array()
        .expect("edges");
    let dan_cu = dbs
        .iter()
        .find(|e| e["node"]["key"] == "dan-cu")
        .expect("population database");
    assert_eq!(dan_cu["node"]["owner"], "Bộ Công an");
    assert!(
        dan_cu["node"]["connectedProvinces"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
            >= 3,
        "{dan_cu}"
    );
}

#[tokio::test]
async fn information_system_by_id_and_code_and_node() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            "{ informationSystems(first: 1) { edges { node { id code name } } } }",
            json!({}),
        )
        .await;
    let node = &data["informationSystems"]["edges"][0]["node"];
    let (id, code, name) = (
        node["id"].clone(),
        node["code"].clone(),
        node["name"].clone(),
    );
    let by_id = hub
        .data(
            "query($id: ID) { informationSystem(id: $id) { code } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(by_id["informationSystem"]["code"], code);
    let by_code = hub
        .data(
            "query($c: String) { informationSystem(code: $c) { name } }",
            json!({ "c": code }),
        )
        .await;
    assert_eq!(by_code["informationSystem"]["name"], name);
    let as_node = hub
        .data(
            "query($id: ID!) { node(id: $id) { id ... on InformationSystem { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(as_node["node"]["name"], name);
}

#[tokio::test]
async fn node_resolves_every_kind() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            r#"{ province(code: "42") { id } agencies(first: 1) { edges { node { id } } }
                 projects(first: 1) { edges { node { id } } } nationalDatabases(first: 1) { edges { node { id } } }
                 indicators(first: 1) { edges { node { id } } } plans(first: 1) { edges { node { id } } } }"#,
            json!({}),
        )
        .await;
    let ids = [
        (data["province"]["id"].clone(), "Province"),
        (data["agencies"]["edges"][0]["node"]["id"].clone(), "Agency"),
        (
            data["projects"]["edges"][0]["node"]["id"].clone(),
            "Project",
        ),
        (
            data["nationalDatabases"]["edges"][0]["node"]["id"].clone(),
            "NationalDatabase",
        ),
        (
            data["indicators"]["edges"][0]["node"]["id"].clone(),
            "Indicator",
        ),
        (data["plans"]["edges"][0]["node"]["id"].clone(), "Plan"),
    ];
    for (id, typename) in ids {
        let node = hub
            .data(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(node["node"]["__typename"], typename);
        assert_eq!(node["node"]["id"], id);
    }
}

#[tokio::test]
async fn projects_keep_printed_amounts_and_show_budget_slips() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            r#"{ projects(first: 100, filter: { provinceCode: "91" }) { edges { node {
                  name total { printed unit millionVnd } budget { year amount { printed millionVnd } }
                  budgetSumMillionVnd totalMatchesBudget source { file line lineEnd } } } } }"#,
            json!({}),
        )
        .await;
    let edges = data["projects"]["edges"].as_array().expect("edges");
    assert!(!edges.is_empty());
    for e in edges {
        let p = &e["node"];
        assert_eq!(p["total"]["unit"], "MILLION_VND", "{p}");
        assert_eq!(p["source"]["file"], "000_a4cb5cede42f0fbf.txt");
        // Kiên Giang prints one 2023 amount per task, equal to its total.
        assert_eq!(p["totalMatchesBudget"], true, "{p}");
    }
}

#[tokio::test]
async fn plans_expose_stated_figures_and_discrepancies() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            "{ plans(first: 10) { edges { node { key number reportedFigures { label valuePrinted metric }
                 discrepancies { stated computed difference explanation figure { label source { line } } } } } } }",
            json!({}),
        )
        .await;
    let plans = data["plans"]["edges"].as_array().expect("plans");
    assert_eq!(plans.len(), 5);
    let with_figures = plans
        .iter()
        .filter(|p| {
            !p["node"]["reportedFigures"]
                .as_array()
                .map(Vec::is_empty)
                .unwrap_or(true)
        })
        .count();
    assert!(with_figures >= 4, "{plans:?}");
    for p in plans {
        for d in p["node"]["discrepancies"].as_array().expect("list") {
            let (stated, computed) = (
                d["stated"].as_f64().unwrap_or(0.0),
                d["computed"].as_f64().unwrap_or(0.0),
            );
            assert!(
                (stated - computed).abs() > 1e-9,
                "a discrepancy must differ: {d}"
            );
            assert!((d["difference"].as_f64().unwrap_or(0.0) - (computed - stated)).abs() < 1e-6);
        }
    }
}

#[tokio::test]
async fn printed_slips_are_shown_not_corrected() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            "{ plans(first: 10) { edges { node { key discrepancies { stated computed figure { key valuePrinted scope source { file line } } } } } } }",
            json!({}),
        )
        .await;
    let all: Vec<(String, f64, f64, String)> = data["plans"]["edges"]
        .as_array()
        .expect("plans")
        .iter()
        .flat_map(|p| {
            p["node"]["discrepancies"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|d| {
            (
                d["figure"]["key"].as_str().unwrap_or_default().to_owned(),
                d["stated"].as_f64().unwrap_or_default(),
                d["computed"].as_f64().unwrap_or_default(),
                d["figure"]["valuePrinted"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let find = |key: &str| {
        all.iter()
            .find(|d| d.0 == key)
            .unwrap_or_else(|| panic!("{key} missing: {all:?}"))
    };
    // Tiền Giang, appendix A.I (002, line 379): subtotal printed 42.342, its six rows add up to 42.341.
    let tg = find("tg-f-a-i-chuyen-tiep-2023");
    assert_eq!((tg.1, tg.2, tg.3.as_str()), (42342.0, 42341.0, "42.342"));
    // Vĩnh Long, Phụ lục 3, Huyện Mang Thít: printed 8,624 (million VND), rows add up to 8,625.
    let vl = find("vl-f-p3-nhom-5");
    assert_eq!((vl.1, vl.2), (8624.0, 8625.0));
    // Quảng Ngãi, Phụ lục 2 (003, line 658): "Tổng: 256.785,7" while its four columns and all rows add up to 224.826.
    let qn = find("qn-f-p2-tong");
    assert_eq!(
        (qn.1, qn.2, qn.3.as_str()),
        (256785.7, 224826.0, "256.785,7")
    );
    // Kiên Giang's appendix adds up: no discrepancy for its grand total.
    assert!(all.iter().all(|d| d.0 != "kg-f-budget-total"), "{all:?}");
}

/// A page reads only the columns its selection needs; whatever the selection, each field it names holds what the
/// whole row holds (a column left unread must never show as a null it is not).
#[tokio::test]
async fn a_narrow_selection_of_systems_reads_the_same_values_as_a_full_one() {
    use sea_orm::ConnectionTrait;
    // The seed and synthetic systems (these have approved levels, and every approval state).
    let hub = TestHub::start_with_synthetic(300).await;
    // No plan prints a system's description: a few get one, as a registration would give them.
    hub.db
        .execute_unprepared(
            "UPDATE information_systems SET description = 'Mô tả: ' || name \
             WHERE id IN (SELECT id FROM information_systems ORDER BY id LIMIT 5)",
        )
        .await
        .expect("descriptions");
    hub.db
        .execute_unprepared(
            "UPDATE information_systems SET decision_number = '15/QĐ-UBND', decision_date = '2026-03-15' \
             WHERE code LIKE 'syn-%' AND approved_level IS NOT NULL",
        )
        .await
        .expect("decisions");
    const FIELDS: [&str; 13] = [
        "description",
        "approvedSecurityLevel",
        "approvalState",
        "decisionNumber",
        "decisionDate",
        "approvalPrinted",
        "approvalSource { file line }",
        "connectsLgsp",
        "processesPersonalData",
        "agency { key }",
        "province { code }",
        "source { file line lineEnd }",
        "version",
    ];
    // Every system of the seed (through `edges { node }`, the other way a page is selected).
    let page = |selection: String| {
        let hub = &hub;
        async move {
            crate::common::collect_all(
                hub,
                "informationSystems",
                "",
                &format!("code {selection}"),
                100,
            )
            .await
        }
    };
    let full = page(FIELDS.join(" ")).await;
    assert!(full.len() > 100, "{}", full.len());
    let missing: Vec<&str> = FIELDS
        .iter()
        .map(|f| f.split_whitespace().next().unwrap_or(f))
        .filter(|key| full.iter().all(|n| n[*key].is_null()))
        .collect();
    assert!(
        missing.is_empty(),
        "no row has {missing:?}: comparing them would prove nothing"
    );
    for field in FIELDS {
        let key = field.split_whitespace().next().unwrap_or(field);
        let narrow = page(field.to_owned()).await;
        for (a, b) in full.iter().zip(&narrow) {
            assert_eq!(a["code"], b["code"]);
            assert_eq!(a[key], b[key], "{key} of {}", a["code"]);
        }
    }
    // And the page, which reads its rows by hand, against each system read whole by its code (sea-orm's decoding):
    // a column read into the wrong field would show here.
    for chunk in full.chunks(20) {
        let aliases: String = chunk
            .iter()
            .enumerate()
            .map(|(i, n)| {
                format!(
                    "s{i}: informationSystem(code: {}) {{ code {} }} ",
                    n["code"],
                    FIELDS.join(" ")
                )
            })
            .collect();
        let whole = hub.data(&format!("{{ {aliases} }}"), json!({})).await;
        for (i, paged) in chunk.iter().enumerate() {
            assert_eq!(&whole[format!("s{i}")], paged, "system {}", paged["code"]);
        }
    }
}
