//! Each typed filter narrows the connection to exactly the rows it names.

use serde_json::json;

use crate::common::{collect_all, TestHub};

#[tokio::test]
async fn security_level_province_agency_and_state_filters() {
    let hub = TestHub::start_with_synthetic(400).await;
    let all = collect_all(
        &hub,
        "informationSystems",
        "",
        "code securityLevel approvalState connectsLgsp agency { key } province { code }",
        100,
    )
    .await;
    let level3 = collect_all(
        &hub,
        "informationSystems",
        "filter: { securityLevel: 3 },",
        "code securityLevel",
        100,
    )
    .await;
    let expected = all.iter().filter(|s| s["securityLevel"] == 3).count();
    assert!(expected > 0);
    assert_eq!(level3.len(), expected);
    assert!(level3.iter().all(|s| s["securityLevel"] == 3));

    let some = all
        .iter()
        .find(|s| s["agency"]["key"].is_string())
        .expect("owned system");
    let agency = some["agency"]["key"].as_str().unwrap_or_default();
    let by_agency = collect_all(
        &hub,
        "informationSystems",
        &format!("filter: {{ agencyKey: \"{agency}\" }},"),
        "code agency { key }",
        100,
    )
    .await;
    assert_eq!(
        by_agency.len(),
        all.iter().filter(|s| s["agency"]["key"] == agency).count()
    );

    let by_province = collect_all(
        &hub,
        "informationSystems",
        "filter: { provinceCode: \"51\", securityLevels: [4, 5] },",
        "code province { code } securityLevel",
        100,
    )
    .await;
    let expected = all
        .iter()
        .filter(|s| {
            s["province"]["code"] == "51" && (s["securityLevel"] == 4 || s["securityLevel"] == 5)
        })
        .count();
    assert_eq!(by_province.len(), expected);

    let approved = collect_all(
        &hub,
        "informationSystems",
        "filter: { approvalState: APPROVED, connectsLgsp: true },",
        "code approvalState connectsLgsp",
        100,
    )
    .await;
    let expected = all
        .iter()
        .filter(|s| s["approvalState"] == "APPROVED" && s["connectsLgsp"] == true)
        .count();
    assert_eq!(approved.len(), expected);
}

#[tokio::test]
async fn project_filters_by_province_year_funding_and_budget_range() {
    let hub = TestHub::shared().await;
    let all = collect_all(
        &hub,
        "projects",
        "",
        "key yearStart yearEnd fundingSource total { millionVnd } province { code } budget { fundingSource }",
        100,
    )
    .await;
    assert!(all.len() > 50, "{}", all.len());

    let vl = collect_all(
        &hub,
        "projects",
        "filter: { provinceCode: \"86\" },",
        "key",
        100,
    )
    .await;
    assert_eq!(
        vl.len(),
        all.iter().filter(|p| p["province"]["code"] == "86").count()
    );

    let y2023 = collect_all(&hub, "projects", "filter: { year: 2023 },", "key", 100).await;
    let expected = all
        .iter()
        .filter(|p| {
            p["yearStart"].as_i64().is_some_and(|s| s <= 2023)
                && p["yearEnd"].as_i64().is_some_and(|e| e >= 2023)
        })
        .count();
    assert_eq!(y2023.len(), expected);
    assert!(expected > 0);

    let investment = collect_all(
        &hub,
        "projects",
        "filter: { fundingSource: DAU_TU_CONG },",
        "key",
        100,
    )
    .await;
    let expected = all
        .iter()
        .filter(|p| {
            p["fundingSource"] == "DAU_TU_CONG"
                || p["budget"]
                    .as_array()
                    .is_some_and(|b| b.iter().any(|l| l["fundingSource"] == "DAU_TU_CONG"))
        })
        .count();
    assert_eq!(investment.len(), expected);
    assert!(expected > 0);

    let ranged = collect_all(
        &hub,
        "projects",
        "filter: { minTotalMillionVnd: 1000, maxTotalMillionVnd: 5000 }, orderBy: TOTAL_DESC,",
        "key total { millionVnd }",
        100,
    )
    .await;
    let expected = all
        .iter()
        .filter(|p| {
            p["total"]["millionVnd"]
                .as_f64()
                .is_some_and(|t| (1000.0..=5000.0).contains(&t))
        })
        .count();
    assert_eq!(ranged.len(), expected);
    let totals: Vec<f64> = ranged
        .iter()
        .filter_map(|p| p["total"]["millionVnd"].as_f64())
        .collect();
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "TOTAL_DESC order: {totals:?}"
    );
}

#[tokio::test]
async fn agency_national_database_indicator_and_plan_filters() {
    let hub = TestHub::shared().await;
    let committees = hub
        .data("{ agencies(first: 20, filter: { kind: UBND_TINH }) { totalCount edges { node { kind } } } }", json!({}))
        .await;
    assert_eq!(committees["agencies"]["totalCount"], 5);

    let so = hub
        .data(
            r#"{ agencies(first: 100, filter: { provinceCode: "82", nameContains: "so thong tin" }) { edges { node { name province { code } } } } }"#,
            json!({}),
        )
        .await;
    let names: Vec<&str> = so["agencies"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["name"].as_str())
        .collect();
    assert!(names.contains(&"Sở Thông tin và Truyền thông"), "{names:?}");

    let planned = hub
        .data(
            r#"{ nationalDatabases(first: 100, filter: { provinceCode: "91", status: CONNECTED }) { edges { node { key links { status province { code } } } } } }"#,
            json!({}),
        )
        .await;
    let edges = planned["nationalDatabases"]["edges"]
        .as_array()
        .expect("edges");
    assert!(!edges.is_empty());
    for e in edges {
        let links = e["node"]["links"].as_array().expect("links");
        assert!(
            links
                .iter()
                .any(|l| l["status"] == "CONNECTED" && l["province"]["code"] == "91"),
            "{e}"
        );
    }

    let indicators = hub
        .data(r#"{ indicators(first: 100, filter: { provinceCode: "86" }) { totalCount edges { node { province { code } } } } }"#, json!({}))
        .await;
    assert!(indicators["indicators"]["totalCount"].as_i64().unwrap_or(0) > 0);
    assert!(indicators["indicators"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .all(|e| e["node"]["province"]["code"] == "86"));

    let plans = hub
        .data(r#"{ plans(filter: { provinceCode: "42" }) { totalCount edges { node { number issuedOn } } } }"#, json!({}))
        .await;
    assert_eq!(plans["plans"]["totalCount"], 1);
    assert_eq!(plans["plans"]["edges"][0]["node"]["number"], "115/KH-UBND");
    assert_eq!(plans["plans"]["edges"][0]["node"]["issuedOn"], "2024-03-29");
}
