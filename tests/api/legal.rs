//! `legalReferences`: the texts the hub cites with their force, from data an operator can replace.

use serde_json::{json, Value};

use crate::common::TestHub;

const QUERY: &str = "query($t: LegalTopic) { legalReferences(topic: $t) { number status inForceFrom replacedBy verified source } }";

fn by_number<'a>(list: &'a Value, number: &str) -> &'a Value {
    list.as_array()
        .and_then(|l| l.iter().find(|r| r["number"] == number))
        .unwrap_or_else(|| panic!("no {number} in {list}"))
}

#[tokio::test]
async fn the_texts_in_force_are_cited_beside_what_the_plans_cite() {
    let hub = TestHub::shared().await;
    let personal = hub.data(QUERY, json!({ "t": "PERSONAL_DATA" })).await;
    let law = by_number(&personal["legalReferences"], "91/2025/QH15");
    assert_eq!(law["status"], "IN_FORCE");
    assert_eq!(law["inForceFrom"], "2026-01-01");
    // What the brief does not confirm says so.
    let decree = by_number(&personal["legalReferences"], "13/2023/NĐ-CP");
    assert_eq!(decree["verified"], false);

    let sharing = hub.data(QUERY, json!({ "t": "DATA_SHARING" })).await;
    let old = by_number(&sharing["legalReferences"], "47/2020/NĐ-CP");
    assert_eq!(old["status"], "PARTLY_REPEALED");
    assert_eq!(old["replacedBy"], json!(["194/2025/NĐ-CP"]));
    assert!(
        old["source"]
            .as_str()
            .is_some_and(|s| s.contains("data/plans/")),
        "{old}"
    );
    let new = by_number(&sharing["legalReferences"], "194/2025/NĐ-CP");
    assert_eq!(new["inForceFrom"], "2025-08-19");
    // Texts on other topics stay out of a topic's list.
    let personal_numbers = personal["legalReferences"].to_string();
    assert!(!personal_numbers.contains("85/2016"), "{personal_numbers}");
}

#[tokio::test]
async fn an_operator_replaces_the_list_and_a_contradictory_one_stops_the_hub() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("legal.toml");
    std::fs::write(
        &file,
        "[[reference]]\nnumber = \"99/2026/NĐ-CP\"\nkind = \"Nghị định\"\nsubject = \"a corrected text\"\n\
         in_force_from = \"2026-07-01\"\nstatus = \"in_force\"\ntopics = [\"personal_data\"]\nverified = true\n\
         source = \"the operator\"\n",
    )
    .expect("write");
    let path = file.clone();
    let hub = TestHub::start_configured(0, |o| o.settings.legal_references_file = Some(path)).await;
    let list = hub.data(QUERY, json!({})).await;
    assert_eq!(
        list["legalReferences"].as_array().map(Vec::len),
        Some(1),
        "{list}"
    );
    assert_eq!(list["legalReferences"][0]["number"], "99/2026/NĐ-CP");

    std::fs::write(
        &file,
        "[[reference]]\nnumber = \"47/2020/NĐ-CP\"\nkind = \"Nghị định\"\nsubject = \"s\"\nstatus = \"partly_repealed\"\n\
         replaced_by = [\"194/2025/NĐ-CP\"]\ntopics = [\"data_sharing\"]\nverified = true\nsource = \"the operator\"\n",
    )
    .expect("write");
    let mut settings = lgsp_hub::config::Overrides::default();
    settings.settings.legal_references_file = Some(file);
    settings.settings.database_url = Some("sqlite::memory:".into());
    settings.settings.data_dir = Some(dir.path().to_owned());
    settings.settings.mock_upstreams = Some(false);
    settings.settings.jwt_secret = Some(crate::common::TEST_SECRET.into());
    let config = lgsp_hub::config::Config::load(settings).expect("config");
    let err = match lgsp_hub::app::App::build(&config).await {
        Ok(_) => panic!("a list naming a text it does not hold was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("47/2020/NĐ-CP") && err.contains("194/2025/NĐ-CP"),
        "{err}"
    );
}
