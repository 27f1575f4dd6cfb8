//! What the plans state in more than one way, as the API shows it: Kiên Giang's insurance link, which its plan both
//! reports done and excepts from the results, is `DISPUTED` with both statements; Vĩnh Long's "09" national databases
//! against the 8 its footnote lists, and its "2.438 đồng" against the 2,438 million of the same group, are
//! discrepancies; Quảng Ngãi's land link is `PARTIAL`; Quảng Ngãi's Phụ lục 3 restates Phụ lục 2's investment money,
//! and neither the plan's total nor the province's budget counts it twice; one catalog entry for NCSC links the four
//! provinces whose plans name it.

use serde_json::{json, Value};

use crate::common::{collect_all, TestHub};

async fn links(hub: &TestHub, code: &str, status: &str) -> Vec<Value> {
    let data = hub
        .data(
            "query($code: String!, $status: ConnectionStatus) { province(code: $code) {
               nationalDatabaseLinks(status: $status) { status quote nationalDatabase { key }
                 statements { status quote source { file line } } } } }",
            json!({ "code": code, "status": status }),
        )
        .await;
    data["province"]["nationalDatabaseLinks"]
        .as_array()
        .expect("links")
        .clone()
}

fn statements(link: &Value) -> Vec<(String, i64)> {
    link["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| {
            (
                s["status"].as_str().expect("status").to_owned(),
                s["source"]["line"].as_i64().expect("line"),
            )
        })
        .collect()
}

#[tokio::test]
async fn kien_giang_insurance_link_is_disputed_with_both_statements() {
    let hub = TestHub::shared().await;
    let disputed = links(&hub, "91", "DISPUTED").await;
    let keys: Vec<&Value> = disputed
        .iter()
        .map(|l| &l["nationalDatabase"]["key"])
        .collect();
    assert_eq!(
        keys,
        [&json!("bao-hiem")],
        "only the insurance link is disputed"
    );
    assert_eq!(
        statements(&disputed[0]),
        [
            ("CONNECTED".to_owned(), 405),
            ("NOT_CONNECTED".to_owned(), 137)
        ]
    );
    // The catalog side filters the same way.
    let data = hub
        .data(
            "{ nationalDatabases(first: 50) { nodes { key links(status: DISPUTED) { province { code } } } } }",
            json!({}),
        )
        .await;
    let insurance = data["nationalDatabases"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|d| d["key"] == "bao-hiem")
        .expect("bao-hiem")
        .clone();
    assert_eq!(
        insurance["links"],
        json!([{ "province": { "code": "91" } }])
    );
}

#[tokio::test]
async fn quang_ngai_land_link_is_partial_with_its_footnote() {
    let hub = TestHub::shared().await;
    let partial = links(&hub, "51", "PARTIAL").await;
    assert_eq!(partial.len(), 1);
    assert_eq!(partial[0]["nationalDatabase"]["key"], "dat-dai");
    assert_eq!(
        statements(&partial[0]),
        [
            ("CONNECTED".to_owned(), 113),
            ("PARTIAL".to_owned(), 676),
            ("PLANNED".to_owned(), 210)
        ]
    );
}

async fn plan(hub: &TestHub, key: &str, selection: &str) -> Value {
    collect_all(hub, "plans", "", &format!("key {selection}"), 10)
        .await
        .into_iter()
        .find(|p| p["key"] == key)
        .unwrap_or_else(|| panic!("no plan {key}"))
}

#[tokio::test]
async fn vinh_long_count_and_unit_slips_are_discrepancies() {
    let hub = TestHub::shared().await;
    let vl = plan(
        &hub,
        "vl-kh-2023",
        "discrepancies { figure { key valuePrinted } stated computed explanation }",
    )
    .await;
    let found = |key: &str| -> Value {
        vl["discrepancies"]
            .as_array()
            .expect("discrepancies")
            .iter()
            .find(|d| d["figure"]["key"] == key)
            .unwrap_or_else(|| panic!("no discrepancy for {key}: {vl}"))
            .clone()
    };
    let count = found("vl-f-lgsp-ket-noi");
    assert_eq!(
        (count["stated"].as_f64(), count["computed"].as_f64()),
        (Some(9.0), Some(8.0))
    );
    assert!(count["explanation"]
        .as_str()
        .expect("text")
        .contains("line 2535"));
    let unit = found("vl-f-p3-nhom-1-nhu-cau");
    assert_eq!(unit["stated"].as_f64(), Some(2438.0));
    // 2,438 million đồng, in đồng.
    assert_eq!(unit["computed"].as_f64(), Some(2_438_000_000.0));
}

#[tokio::test]
async fn quang_ngai_budget_sums_count_restated_money_once() {
    let hub = TestHub::shared().await;
    let qn = plan(
        &hub,
        "qn-kh-2024",
        "budgetTotal { millionVnd lines restatedLines restatedMillionVnd } \
         discrepancies { figure { key } stated computed }",
    )
    .await;
    let total = &qn["budgetTotal"];
    // Phụ lục 3's eight 2024 lines restate Phụ lục 2's investment column (144.420,2 printed against 144.415).
    assert_eq!(total["restatedLines"], 8);
    assert!((total["restatedMillionVnd"].as_f64().expect("m") - 144_420.2).abs() < 1e-6);
    let projects = collect_all(
        &hub,
        "projects",
        "filter: { planKey: \"qn-kh-2024\" }",
        "key budget { year isRestatement amount { millionVnd } restates { project { key } } }",
        100,
    )
    .await;
    let mut everything = 0.0;
    for p in &projects {
        for l in p["budget"].as_array().expect("budget") {
            everything += l["amount"]["millionVnd"].as_f64().expect("priced");
        }
    }
    let counted = total["millionVnd"].as_f64().expect("total");
    assert!(
        (everything - counted - 144_420.2).abs() < 1e-6,
        "{everything} {counted}"
    );
    let p3_2 = projects
        .iter()
        .find(|p| p["key"] == "qn-p3-2")
        .expect("3 #2");
    let line_2024 = p3_2["budget"]
        .as_array()
        .expect("budget")
        .iter()
        .find(|l| l["year"] == 2024)
        .expect("2024");
    assert_eq!(line_2024["isRestatement"], true);
    assert_eq!(line_2024["restates"]["project"]["key"], "qn-p2-2-5");
    // Phụ lục 3's 2024 total restates Phụ lục 2's investment total, with another value: a discrepancy.
    let restated_total = qn["discrepancies"]
        .as_array()
        .expect("discrepancies")
        .iter()
        .find(|d| d["figure"]["key"] == "qn-f-p3-tong-2024")
        .expect("the 2024 totals differ");
    assert_eq!(restated_total["computed"].as_f64(), Some(144_415.0));
    // The province's buckets leave the restatements out: its 2024 investment money is Phụ lục 2's alone.
    let data = hub
        .data(
            "{ province(code: \"51\") { projectBudget { year spending level millionVnd } } }",
            json!({}),
        )
        .await;
    let invest_2024: f64 = data["province"]["projectBudget"]
        .as_array()
        .expect("buckets")
        .iter()
        .filter(|b| b["year"] == 2024 && b["spending"] == "INVESTMENT")
        .map(|b| b["millionVnd"].as_f64().unwrap_or(0.0))
        .sum();
    assert!((invest_2024 - 144_415.0).abs() < 1e-6, "{invest_2024}");
    let district: Vec<&Value> = data["province"]["projectBudget"]
        .as_array()
        .expect("buckets")
        .iter()
        .filter(|b| b["level"] == "DISTRICT")
        .collect();
    let district_money: f64 = district
        .iter()
        .map(|b| b["millionVnd"].as_f64().unwrap_or(0.0))
        .sum();
    assert!((district_money - 10_135.0).abs() < 1e-6, "{district:?}");
}

#[tokio::test]
async fn one_ncsc_entry_links_every_province_that_names_it() {
    let hub = TestHub::shared().await;
    let data = hub
        .data(
            "{ nationalDatabases(first: 50) { nodes { key connectedProvinces { code } } } }",
            json!({}),
        )
        .await;
    let ncsc = data["nationalDatabases"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|d| d["key"] == "ncsc")
        .expect("ncsc")
        .clone();
    assert_eq!(
        ncsc["connectedProvinces"],
        json!([{ "code": "51" }, { "code": "82" }, { "code": "86" }, { "code": "91" }])
    );
}

#[tokio::test]
async fn multi_unit_leads_are_kept_and_filterable() {
    let hub = TestHub::shared().await;
    let led = collect_all(
        &hub,
        "projects",
        "filter: { leadAgencyKey: \"qn-so-tt-tt\" }",
        "key leadPrinted leadAgency { key } leadAgencies { key }",
        100,
    )
    .await;
    let row = led
        .iter()
        .find(|p| p["key"] == "qn-p2-1-1")
        .expect("row 1.1, led by Sở TT&TT among districts");
    assert_eq!(
        row["leadPrinted"],
        "Sở TT&TT, Tư Nghĩa, Minh Long, Sơn Tịnh, Sơn Tây, Sơn Hà, Nghĩa Hành"
    );
    assert!(row["leadAgency"].is_null());
    assert_eq!(row["leadAgencies"], json!([{ "key": "qn-so-tt-tt" }]));
    let district = collect_all(
        &hub,
        "projects",
        "filter: { planKey: \"qn-kh-2024\", budgetLevel: DISTRICT }",
        "key",
        100,
    )
    .await;
    assert!(district.iter().any(|p| p["key"] == "qn-p2-1-1"));
    assert!(!district.iter().any(|p| p["key"] == "qn-p2-2-1"));
}

#[tokio::test]
async fn an_administrator_cannot_record_a_dispute() {
    let hub = TestHub::start().await;
    let before = crate::admin::counts(&hub).await;
    let (_, body) = hub
        .post_as(
            &crate::admin::admin(),
            crate::admin::CONNECT,
            json!({ "p": "51", "d": "dan-cu", "s": "DISPUTED", "n": null, "v": null }),
        )
        .await;
    assert_eq!(crate::admin::code_of(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(crate::admin::field_of(&body), "status", "{body}");
    assert_eq!(crate::admin::counts(&hub).await, before);
    // A partial connection is something an administrator may record.
    let (_, body) = hub
        .post_as(
            &crate::admin::admin(),
            crate::admin::CONNECT,
            json!({ "p": "51", "d": "dan-cu", "s": "PARTIAL", "n": null, "v": null }),
        )
        .await;
    assert_eq!(
        body["data"]["connectNationalDatabase"]["status"], "PARTIAL",
        "{body}"
    );
}
