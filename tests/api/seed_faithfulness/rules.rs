//! Rules the seed must keep beyond "each value is on its line": each kind of defect a domain review found in data/seed/
//! is caught here by a rule over every row, not by a list of the rows it found. A link that claims a result cites a
//! result; a contradiction is data, not a comment; every row of a parsed appendix keeps its printed lead; a budget
//! column's level and spending follow its printed header; money printed twice is linked and counted once; a target
//! keeps its printed comparator and says what it measures; a fact is stored once; a catalog entry has a source and no
//! twin.

use std::{collections::HashMap, path::PathBuf};

use lgsp_hub::text::clean;
use serde_json::{json, Value};

use super::{Seeds, TURN};
use crate::common::{collect_all, TestHub};

/// Words that make a line report a result rather than set a task.
pub(super) const RESULT_WORDS: [&str; 5] = ["đã", "Đã", "hoàn thành", "Hoàn thành", "xác nhận"];

/// The nearest heading above `line` that says whether what follows is a result ("Kết quả đạt được") or a task
/// ("NHIỆM VỤ", "Mục tiêu", an appendix): `Some(true)` for a result.
pub(super) fn under_results(lines: &[String], line: usize) -> Option<bool> {
    const RESULTS: [&str; 7] = [
        "Kết quả",
        "KẾT QUẢ",
        "ĐÁNH GIÁ",
        "Đánh giá",
        "THỰC TRẠNG",
        "Thực trạng",
        "TÌNH HÌNH",
    ];
    const TASKS: [&str; 10] = [
        "NHIỆM VỤ",
        "Nhiệm vụ",
        "MỤC TIÊU",
        "Mục tiêu",
        "GIẢI PHÁP",
        "Giải pháp",
        "TỔ CHỨC THỰC HIỆN",
        "KINH PHÍ",
        "PHỤ LỤC",
        "Phụ lục",
    ];
    (1..line).rev().find_map(|n| {
        let text = lines[n - 1].trim();
        let count = text.chars().count();
        if count == 0 || count >= 100 || text.ends_with('.') {
            return None;
        }
        let result = RESULTS.iter().any(|w| text.contains(w));
        let task = TASKS.iter().any(|w| text.contains(w));
        (result || task).then_some(result && !task)
    })
}

pub(super) fn source_of(v: &Value) -> (String, i64, i64) {
    (
        v["file"].as_str().expect("file").to_owned(),
        v["line"].as_i64().expect("line"),
        v["lineEnd"].as_i64().expect("lineEnd"),
    )
}

#[tokio::test]
async fn links_that_claim_a_result_cite_one_and_contradictions_are_statements() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    // Per province: a light query each, where the whole catalog with its links is a heavy one.
    let mut databases = Vec::new();
    for code in ["42", "51", "82", "86", "91"] {
        let data = hub
            .data(
                "query($code: String!) { province(code: $code) { nationalDatabaseLinks { \
                   status quote recordedByAdministrator nationalDatabase { key } \
                   statements { status quote source { file line lineEnd } } } } }",
                json!({ "code": code }),
            )
            .await;
        for link in data["province"]["nationalDatabaseLinks"]
            .as_array()
            .expect("links")
        {
            databases.push(json!({ "key": link["nationalDatabase"]["key"], "links": [link] }));
        }
    }
    let mut disputed = 0;
    for d in &databases {
        for l in d["links"].as_array().expect("links") {
            if l["recordedByAdministrator"] == true {
                continue;
            }
            let what = format!("link to {}", d["key"]);
            let statements = l["statements"].as_array().expect("statements");
            assert!(!statements.is_empty(), "{what}: no statement");
            assert_eq!(
                statements[0]["quote"], l["quote"],
                "{what}: the link's own statement comes first"
            );
            for s in statements {
                seeds.assert_on(&s["source"], s["quote"].as_str().expect("quote"), &what);
                if s["status"] == "PLANNED" {
                    continue;
                }
                // A result (connected, partial, or not connected): the line says it was done, or stands under a
                // results heading; never a task of the plan's year.
                let (file, line, end) = source_of(&s["source"]);
                let span = seeds.span(&file, line, end);
                let worded = RESULT_WORDS.iter().any(|w| span.contains(w));
                let placed = under_results(seeds.lines(&file), line as usize) == Some(true);
                assert!(
                    worded || placed,
                    "{what}: {} cites {file}:{line}, a task, not a result: `{span}`",
                    s["status"]
                );
            }
            let statuses: Vec<&str> = statements
                .iter()
                .map(|s| s["status"].as_str().expect("status"))
                .collect();
            match l["status"].as_str().expect("status") {
                "DISPUTED" => {
                    disputed += 1;
                    assert!(
                        statuses.iter().any(|s| *s != statuses[0]),
                        "{what}: disputed, but its statements agree: {statuses:?}"
                    );
                }
                "PARTIAL" => assert!(
                    statuses.contains(&"PARTIAL"),
                    "{what}: partial without the statement that says so"
                ),
                status => assert!(
                    !(statuses.contains(&"CONNECTED") && statuses.contains(&"NOT_CONNECTED")),
                    "{what}: {status}, but its statements contradict each other: mark it DISPUTED"
                ),
            }
        }
    }
    assert!(disputed > 0, "no disputed link seeded");
}

#[test]
fn no_contradiction_or_slip_is_kept_only_as_a_comment() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/seed"));
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("data/seed").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".toml") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("readable seed file");
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let Some((_, comment)) = line.split_once('#') else {
                continue;
            };
            let comment = comment.to_lowercase();
            // What a comment may explain, but never hold alone: the row it introduces must say it as data (a
            // disputed link with its statements, a restatement, a comparator, a metric that shows the slip).
            if !["contradict", "not representable", "slip", "kept as printed"]
                .iter()
                .any(|w| comment.contains(w))
            {
                continue;
            }
            let row = &lines[n..(n + 12).min(lines.len())];
            let carried = row.iter().any(|l| {
                [
                    "\"disputed\"",
                    "restates",
                    "comparator",
                    "metric",
                    "listed_line",
                    "approval_printed",
                    "[[connection.statement]]",
                ]
                .iter()
                .any(|data| l.contains(data))
            });
            if !carried {
                found.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "kept only as comments: {found:#?}");
}

/// The appendix (or section) a project row belongs to: its key up to the first part that is a row number.
fn table_of(key: &str) -> String {
    let mut parts = Vec::new();
    for part in key.split('-') {
        if part.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        parts.push(part);
    }
    parts.join("-")
}

#[tokio::test]
async fn every_row_of_a_parsed_appendix_keeps_its_printed_lead() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let projects = collect_all(
        &hub,
        "projects",
        "",
        "key leadPrinted leadAgency { key name } leadAgencies { key name } source { file line lineEnd }",
        100,
    )
    .await;
    let mut printed_in: HashMap<String, usize> = HashMap::new();
    for p in &projects {
        if !p["leadPrinted"].is_null() {
            *printed_in
                .entry(table_of(p["key"].as_str().expect("key")))
                .or_default() += 1;
        }
    }
    assert!(!printed_in.is_empty(), "no lead cell kept as printed");
    for p in &projects {
        let key = p["key"].as_str().expect("key");
        let what = format!("project {key}");
        let leads = p["leadAgencies"].as_array().expect("leadAgencies");
        if !p["leadAgency"].is_null() {
            assert!(
                leads.contains(&p["leadAgency"]),
                "{what}: its lead agency is not among its lead agencies"
            );
        }
        let Some(printed) = p["leadPrinted"].as_str() else {
            assert!(
                !printed_in.contains_key(&table_of(key)),
                "{what}: its table keeps the printed lead of other rows, not of this one"
            );
            continue;
        };
        seeds.assert_on(&p["source"], printed, &what);
        for agency in leads {
            let name = agency["name"].as_str().expect("name");
            assert!(
                clean(printed).contains(&clean(name)),
                "{what}: lead agency {name} is not in the printed lead `{printed}`"
            );
        }
        let several = printed.contains(',') || printed.contains(';');
        assert!(
            !several || p["leadAgency"].is_null(),
            "{what}: `{printed}` names several units, but one is its single lead agency"
        );
    }
}

#[tokio::test]
async fn budget_levels_and_spending_follow_the_printed_column() {
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let projects = collect_all(
        &hub,
        "projects",
        "",
        "key budget { fundingPrinted fundingSource level spending }",
        100,
    )
    .await;
    let mut checked = 0;
    for p in &projects {
        for line in p["budget"].as_array().expect("budget") {
            let Some(printed) = line["fundingPrinted"].as_str() else {
                continue;
            };
            let what = format!("{}: `{printed}`", p["key"]);
            let expect = |field: &str, value: &str| {
                assert_eq!(line[field], value, "{what}: {field}");
            };
            if printed.contains("huyện") {
                expect("level", "DISTRICT");
                expect("fundingSource", "NGAN_SACH_HUYEN");
            } else if printed.contains("tỉnh") {
                expect("level", "PROVINCE");
            }
            if printed.contains("CTX") {
                expect("spending", "RECURRENT");
            } else if printed.contains("ĐTPT") {
                expect("spending", "INVESTMENT");
            }
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[tokio::test]
async fn money_printed_twice_is_linked_and_counted_once() {
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let plans = collect_all(
        &hub,
        "plans",
        "",
        "key budgetTotal { millionVnd lines restatedLines restatedMillionVnd unpricedLines }",
        10,
    )
    .await;
    let projects = collect_all(
        &hub,
        "projects",
        "",
        "key name plan { key } budget { year spending isRestatement amount { millionVnd } \
           restates { project { key } } restatesFigure { key } }",
        100,
    )
    .await;
    let mut restated = 0;
    for plan in &plans {
        let key = &plan["key"];
        let lines: Vec<(&Value, &Value)> = projects
            .iter()
            .filter(|p| &p["plan"]["key"] == key)
            .flat_map(|p| {
                p["budget"]
                    .as_array()
                    .expect("budget")
                    .iter()
                    .map(move |l| (p, l))
            })
            .collect();
        // The plan's total counts every priced line once: restatements apart, nothing else left out.
        let (mut counted, mut again) = (0.0, 0.0);
        for (_, l) in &lines {
            let Some(m) = l["amount"]["millionVnd"].as_f64() else {
                continue;
            };
            if l["isRestatement"] == true {
                again += m;
            } else {
                counted += m;
            }
        }
        let total = &plan["budgetTotal"];
        let close = |a: f64, b: &Value| (a - b.as_f64().expect("number")).abs() < 1e-6;
        assert!(close(counted, &total["millionVnd"]), "{key}: {total}");
        assert!(close(again, &total["restatedMillionVnd"]), "{key}: {total}");
        // The same task printed in two tables of one plan (the same name, but for a "Năm 2024" qualifier), the same
        // year and kind of money: one line restates the other.
        for (p, l) in &lines {
            for (q, m) in &lines {
                let (pk, qk) = (
                    p["key"].as_str().unwrap_or(""),
                    q["key"].as_str().unwrap_or(""),
                );
                if table_of(pk) >= table_of(qk)
                    || l["year"] != m["year"]
                    || l["spending"] != m["spending"]
                {
                    continue;
                }
                let task = |v: &Value| {
                    let name = v["name"].as_str().unwrap_or("").to_lowercase();
                    match name.rsplit_once(": năm ") {
                        Some((task, year)) if year.chars().all(|c| c.is_ascii_digit()) => {
                            task.to_owned()
                        }
                        _ => name,
                    }
                };
                if task(p) != task(q) {
                    continue;
                }
                let linked = l["restates"]["project"]["key"] == q["key"]
                    || m["restates"]["project"]["key"] == p["key"];
                assert!(linked, "{pk} and {qk} print the same money, unlinked");
                restated += 1;
            }
        }
    }
    assert!(restated > 0, "no restatement seeded");
}

/// What the printed text says of a target's value: the comparators its occurrences on the cited lines carry.
fn printed_comparators(span: &str, value: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = span[from..].find(value) {
        let start = from + at;
        from = start + value.len();
        let before = span[..start].chars().last();
        let after = span[from..].chars().next();
        if before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',')
            || after.is_some_and(|c| c.is_ascii_digit())
        {
            continue;
        }
        let prefix: String = {
            let chars: Vec<char> = span[..start].chars().collect();
            chars[chars.len().saturating_sub(12)..].iter().collect()
        };
        let prefix = prefix.trim_end();
        found.push(
            if prefix.ends_with('>') || prefix.ends_with("Trên") || prefix.ends_with("trên") {
                "GT"
            } else if prefix.ends_with('≥')
                || prefix.ends_with("tối thiểu")
                || prefix.ends_with("ít nhất")
            {
                "GTE"
            } else {
                "EQ"
            },
        );
    }
    found
}

#[tokio::test]
async fn targets_keep_their_printed_comparator_and_say_what_they_measure() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let indicators = collect_all(
        &hub,
        "indicators",
        "",
        "key name valuePrinted comparator heading headingSource { file line lineEnd } measures \
           source { file line lineEnd }",
        100,
    )
    .await;
    let mut compared = 0;
    for i in &indicators {
        let what = format!("indicator {}", i["key"]);
        let name = i["name"].as_str().expect("name");
        let comparator = i["comparator"].as_str().expect("comparator");
        let (file, line, end) = source_of(&i["source"]);
        let span = seeds.span(&file, line, end);
        let printed = printed_comparators(&span, i["valuePrinted"].as_str().expect("value"));
        let folded = name.to_lowercase();
        // "tối thiểu" / "ít nhất" in the name, not before a number of its own: the value stands elsewhere on the row.
        let at_least_elsewhere = ["tối thiểu", "ít nhất"].iter().any(|w| {
            folded
                .split(w)
                .skip(1)
                .any(|rest| !rest.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        });
        let expected: Vec<&str> = if folded.contains("phấn đấu") {
            vec!["ASPIRATIONAL"]
        } else if printed.iter().all(|c| *c == "GT") && !printed.is_empty() {
            vec!["GT"]
        } else if (printed.iter().all(|c| *c == "GTE") && !printed.is_empty()) || at_least_elsewhere
        {
            vec!["GTE"]
        } else if printed.contains(&"EQ") {
            // Several occurrences, one plain: the row may be that one.
            let mut any = printed.clone();
            any.dedup();
            any
        } else {
            vec!["EQ"]
        };
        assert!(
            expected.contains(&comparator),
            "{what}: printed {printed:?} on `{span}`, stored {comparator}"
        );
        if comparator != "EQ" {
            compared += 1;
        }
        // A name that is little more than its value ("85% cấp huyện") needs the words that say what is measured.
        let words = name
            .split(|c: char| c.is_whitespace() || ",;:".contains(c))
            .filter(|w| !w.is_empty() && !w.chars().any(|c| c.is_ascii_digit()))
            .filter(|w| !["đạt", "%", "và", "các", "cấp"].contains(&w.to_lowercase().as_str()))
            .count();
        match i["heading"].as_str() {
            Some(heading) => {
                seeds.assert_on(&i["headingSource"], heading, &what);
                assert!(i["measures"].as_str().expect("measures").contains(heading));
            }
            None => assert!(
                words >= 4,
                "{what}: `{name}` does not say what is measured: give it its heading"
            ),
        }
    }
    assert!(compared > 0, "no comparator seeded");
}

/// The counts a label prints as "n/m".
fn counts(label: &str) -> Vec<&str> {
    label
        .split(|c: char| c.is_whitespace() || "()".contains(c))
        .filter(|w| w.contains('/') && w.chars().any(|c| c.is_ascii_digit()))
        .collect()
}

#[tokio::test]
async fn a_fact_is_stored_once_and_money_in_another_unit_restates_its_figure() {
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let plans = collect_all(
        &hub,
        "plans",
        "",
        "key reportedFigures { key label valuePrinted value unit year restates { key } }",
        10,
    )
    .await;
    let words = |label: &str| -> Vec<String> {
        let mut w: Vec<String> = label
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        w.sort();
        w.dedup();
        w
    };
    for plan in &plans {
        let figures = plan["reportedFigures"].as_array().expect("figures");
        for (n, f) in figures.iter().enumerate() {
            // A plan's money in đồng under a million (the price of a meal) is a unit printed in slip for the table's
            // triệu: the figure must restate the one it prints, so the API shows the two side by side.
            let small = f["value"].as_f64().is_some_and(|v| v < 1_000_000.0);
            if matches!(f["unit"].as_str(), Some("đồng" | "vnd")) && small {
                assert!(
                    !f["restates"].is_null(),
                    "figure {}: {} đồng: a unit slip that must restate the figure it prints",
                    f["key"],
                    f["valuePrinted"]
                );
            }
            for g in &figures[n + 1..] {
                if f["valuePrinted"] != g["valuePrinted"]
                    || f["unit"] != g["unit"]
                    || f["year"] != g["year"]
                {
                    continue;
                }
                let (a, b) = (
                    words(f["label"].as_str().unwrap_or("")),
                    words(g["label"].as_str().unwrap_or("")),
                );
                let shared = a.iter().filter(|w| b.contains(w)).count();
                let union = a.len() + b.len() - shared;
                if union == 0 || (shared as f64) / (union as f64) < 0.55 {
                    continue;
                }
                // Labels that print different counts ("28/28" and "24/24" schools) count different things.
                let (fc, gc) = (
                    counts(f["label"].as_str().unwrap_or("")),
                    counts(g["label"].as_str().unwrap_or("")),
                );
                if !fc.is_empty() && !gc.is_empty() && fc != gc {
                    continue;
                }
                let linked = f["restates"]["key"] == g["key"] || g["restates"]["key"] == f["key"];
                assert!(
                    linked,
                    "figures {} and {} state the same fact: one must restate the other",
                    f["key"], g["key"]
                );
            }
        }
    }
}

#[tokio::test]
async fn systems_say_what_the_plan_says_of_their_approval_and_connection() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let systems = collect_all(
        &hub,
        "informationSystems",
        "",
        "code connectsLgsp approvalPrinted approvalSource { file line lineEnd } source { file line lineEnd }",
        100,
    )
    .await;
    let projects = collect_all(
        &hub,
        "projects",
        "",
        "key source { file line lineEnd }",
        100,
    )
    .await;
    let mut cited: Vec<(String, i64)> = Vec::new();
    for s in &systems {
        let what = format!("system {}", s["code"]);
        if let Some(printed) = s["approvalPrinted"].as_str() {
            seeds.assert_on(&s["approvalSource"], printed, &what);
            let (file, line, _) = source_of(&s["approvalSource"]);
            cited.push((file, line));
        }
        if s["connectsLgsp"] == true {
            // A system named in a budget row is a proposal: that it will connect is its aim, not a fact.
            let (file, line, _) = source_of(&s["source"]);
            let proposed = projects.iter().find(|p| {
                let (f, start, end) = source_of(&p["source"]);
                f == file && (start..=end).contains(&line)
            });
            assert!(
                proposed.is_none(),
                "{what}: connectsLgsp, but it is proposed in {}",
                proposed.map(|p| p["key"].to_string()).unwrap_or_default()
            );
        }
    }
    // Every line that says systems' levels are not approved is some system's approval.
    for file in [
        "000_a4cb5cede42f0fbf.txt",
        "001_b68bf93d5cfe7daa.txt",
        "002_92dd16be4f8a8617.txt",
        "003_af336672ac5d0df3.txt",
        "004_77e009dac3200d84.txt",
    ] {
        for (n, line) in seeds.lines(file).iter().enumerate() {
            if line.contains("chưa được phê duyệt cấp độ") {
                assert!(
                    cited.contains(&(file.to_owned(), n as i64 + 1)),
                    "{file}:{}: systems not approved, and no system says so",
                    n + 1
                );
            }
        }
    }
}

#[tokio::test]
async fn one_catalog_entry_per_national_system_each_with_a_source() {
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let databases = collect_all(
        &hub,
        "nationalDatabases",
        "",
        "key name source { file } links { province { code } }",
        100,
    )
    .await;
    let mut names: HashMap<String, String> = HashMap::new();
    for d in &databases {
        let key = d["key"].as_str().expect("key").to_owned();
        let name = clean(d["name"].as_str().expect("name")).to_lowercase();
        if let Some(other) = names.insert(name.clone(), key.clone()) {
            panic!(
                "{other} and {key} are one national system ({name}): one entry, a link per plan"
            );
        }
        assert!(
            !d["source"].is_null() || !d["links"].as_array().expect("links").is_empty(),
            "{key}: no plan names it and no source is cited"
        );
    }
    // The federation's keys stay (src/upstream/mod.rs).
    for key in [
        "dan-cu",
        "dang-ky-doanh-nghiep",
        "bao-hiem",
        "dat-dai",
        "ho-tich",
        "ly-lich-tu-phap",
    ] {
        assert!(names.values().any(|k| k == key), "{key} is gone");
    }
}

#[tokio::test]
async fn printed_labels_are_printed_and_merger_fields_need_a_merger() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let projects = collect_all(
        &hub,
        "projects",
        "",
        "key fundingPrinted status source { file }",
        100,
    )
    .await;
    for p in &projects {
        let file = p["source"]["file"].as_str().expect("file");
        let text = clean(&seeds.lines(file).join(" ")).to_lowercase();
        for field in ["fundingPrinted", "status"] {
            if let Some(printed) = p[field].as_str() {
                assert!(
                    text.contains(&clean(printed).to_lowercase()),
                    "project {}: {field} `{printed}` is printed nowhere in {file}",
                    p["key"]
                );
            }
        }
    }
    let provinces = hub
        .data(
            "{ provinces { code merger { mergedIntoCode resolution effective } } }",
            json!({}),
        )
        .await;
    for p in provinces["provinces"].as_array().expect("provinces") {
        let m = &p["merger"];
        assert!(
            m["mergedIntoCode"].is_string()
                || (m["resolution"].is_null() && m["effective"].is_null()),
            "province {}: merger fields without a merger",
            p["code"]
        );
    }
}
