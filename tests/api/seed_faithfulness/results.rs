//! Rules over what a plan reports as done: a national system a plan names beside a connection is linked (Quảng Ngãi's
//! "SOC kết nối với NCSC" and its Hệ thống thông tin báo cáo Chính phủ were not); a planned link does not ignore a results line that reports the same
//! connection (Quảng Ngãi's land data: line 113 reports it done, the link quoted a 2024 task); every percentage a
//! results section prints is stored (Quảng Ngãi's 2023 results, lines 153–156, were not), or listed with its reason in
//! `unstored_results.toml`; a reported figure's period is the one its line prints (a "trong năm" label on a line that
//! credits "giai đoạn 2021 - 2022").

use std::collections::HashMap;

use lgsp_hub::text::clean;
use serde_json::{json, Value};

use super::rules::{source_of, under_results, RESULT_WORDS};
use super::{Seeds, TURN};
use crate::common::{collect_all, TestHub};

const PROVINCES: [&str; 5] = ["42", "51", "82", "86", "91"];

const PLAN_FILES: [&str; 5] = [
    "000_a4cb5cede42f0fbf.txt",
    "001_b68bf93d5cfe7daa.txt",
    "002_92dd16be4f8a8617.txt",
    "003_af336672ac5d0df3.txt",
    "004_77e009dac3200d84.txt",
];

/// Words that make a line speak of a connection between systems.
const CONNECTION_WORDS: [&str; 5] = ["kết nối", "liên thông", "chia sẻ", "tích hợp", "đồng bộ"];

/// How catalog names open before the words that tell one national system from another.
const GENERIC_OPENINGS: [&str; 8] = [
    "cơ sở dữ liệu quốc gia về ",
    "cơ sở dữ liệu quốc gia ",
    "cơ sở dữ liệu ",
    "hệ thống thông tin ",
    "hệ thống ",
    "nền tảng ",
    "trung tâm ",
    "cổng ",
];

/// How a line names a national system: the lower-cased words that tell it from the others, and whether the line must
/// also say "quốc gia" (the name does, and its own words alone — "đất đai", "dân cư" — also name provincial data).
struct SystemName {
    terms: Vec<String>,
    national: bool,
}

impl SystemName {
    /// From a catalog entry: its name without the generic opening ("đất đai" for "Cơ sở dữ liệu quốc gia về đất
    /// đai"), the acronym the name prints in parentheses ("ndxp"), and a key of one word, which is the acronym plans
    /// print alone ("SOC kết nối với NCSC").
    fn of(key: &str, name: &str) -> SystemName {
        let mut name = clean(name).to_lowercase();
        let mut terms = Vec::new();
        if !key.contains('-') {
            terms.push(key.to_lowercase());
        }
        if let (Some(open), Some(close)) = (name.find('('), name.rfind(')')) {
            if open < close {
                terms.push(name[open + 1..close].trim().to_owned());
                name = name[..open].trim().to_owned();
            }
        }
        let national = name.contains("quốc gia");
        for opening in GENERIC_OPENINGS {
            if let Some(rest) = name.strip_prefix(opening) {
                name = rest.to_owned();
                break;
            }
        }
        terms.push(name);
        SystemName { terms, national }
    }

    /// The line (lower-cased, cleaned) names the system beside a connection.
    fn connected_on(&self, text: &str) -> bool {
        self.terms.iter().any(|t| text.contains(t.as_str()))
            && (!self.national
                || text.contains("quốc gia")
                || self
                    .terms
                    .iter()
                    .any(|t| !t.contains(' ') && text.contains(t.as_str())))
            && CONNECTION_WORDS.iter().any(|w| text.contains(w))
    }
}

/// A line reports a result: it stands under a results heading, or it says something was done and stands under no
/// task heading (an appendix row that mentions what "đã" been approved is still a task).
fn reports_result(lines: &[String], line: usize) -> bool {
    match under_results(lines, line) {
        Some(placed) => placed,
        None => RESULT_WORDS.iter().any(|w| lines[line - 1].contains(w)),
    }
}

#[tokio::test]
async fn a_planned_link_carries_what_the_results_report_of_it() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let mut checked = 0;
    for code in PROVINCES {
        let data = hub
            .data(
                "query($code: String!) { province(code: $code) { nationalDatabaseLinks { \
                   status recordedByAdministrator nationalDatabase { key name } \
                   statements { status source { file line lineEnd } } } } }",
                json!({ "code": code }),
            )
            .await;
        for link in data["province"]["nationalDatabaseLinks"]
            .as_array()
            .expect("links")
        {
            if link["status"] != "PLANNED" || link["recordedByAdministrator"] == true {
                continue;
            }
            let key = &link["nationalDatabase"]["key"];
            let statements = link["statements"].as_array().expect("statements");
            let cited: Vec<(String, i64, i64)> =
                statements.iter().map(|s| source_of(&s["source"])).collect();
            let Some((file, _, _)) = cited.first() else {
                panic!("{code}: the link to {key} has no statement");
            };
            let system = SystemName::of(
                key.as_str().expect("key"),
                link["nationalDatabase"]["name"].as_str().expect("name"),
            );
            let lines = seeds.lines(file);
            for n in 1..=lines.len() {
                let text = clean(&lines[n - 1]).to_lowercase();
                if !system.connected_on(&text) || !reports_result(lines, n) {
                    continue;
                }
                let carried = cited
                    .iter()
                    .any(|(f, a, b)| f == file && (*a..=*b).contains(&(n as i64)));
                assert!(
                    carried,
                    "{code}: the link to {key} is PLANNED, but {file}:{n} reports that connection among the \
                     results: the link must carry it as a statement (DISPUTED, or PARTIAL where the plan says \
                     so): `{}`",
                    lines[n - 1].trim()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no planned link seeded");
}

#[tokio::test]
async fn a_national_system_a_plan_names_beside_a_connection_is_linked() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let catalog = collect_all(&hub, "nationalDatabases", "", "key name", 100).await;
    let plans = collect_all(
        &hub,
        "plans",
        "",
        "key province { code } source { file }",
        10,
    )
    .await;
    let mut checked = 0;
    for plan in &plans {
        let code = plan["province"]["code"].as_str().expect("province");
        let file = plan["source"]["file"].as_str().expect("file");
        let data = hub
            .data(
                "query($code: String!) { province(code: $code) { nationalDatabaseLinks { nationalDatabase { key } } } }",
                json!({ "code": code }),
            )
            .await;
        let linked: Vec<&Value> = data["province"]["nationalDatabaseLinks"]
            .as_array()
            .expect("links")
            .iter()
            .map(|l| &l["nationalDatabase"]["key"])
            .collect();
        let lines = seeds.lines(file);
        for d in &catalog {
            let system = SystemName::of(
                d["key"].as_str().expect("key"),
                d["name"].as_str().expect("name"),
            );
            let named = (1..=lines.len())
                .find(|n| system.connected_on(&clean(&lines[n - 1]).to_lowercase()));
            if let Some(n) = named {
                assert!(
                    linked.contains(&&d["key"]),
                    "{code}: {file}:{n} names {} beside a connection, and the province has no link to it: `{}`",
                    d["key"],
                    lines[n - 1].trim()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "only {checked} named systems");
}

/// The numbers a line prints before a `%`, as printed ("96,85" in "đạt 96,85%").
fn percentages(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut found = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != '%' {
            continue;
        }
        let mut end = i;
        while end > 0 && chars[end - 1] == ' ' {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && (chars[start - 1].is_ascii_digit() || ".,".contains(chars[start - 1])) {
            start -= 1;
        }
        let number: String = chars[start..end].iter().collect();
        let number = number.trim_start_matches(['.', ',']);
        if number.chars().any(|c| c.is_ascii_digit()) {
            found.push(number.to_owned());
        }
    }
    found
}

/// Lines whose results are not stored, each with why (`unstored_results.toml`): (file, line) → values.
fn unstored() -> HashMap<(String, i64), Vec<String>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/api/seed_faithfulness/unstored_results.toml"
    );
    let text = std::fs::read_to_string(path).expect("unstored_results.toml");
    let doc: toml::Value = toml::from_str(&text).expect("unstored_results.toml parses");
    let mut out = HashMap::new();
    for entry in doc["line"].as_array().expect("[[line]] entries") {
        let file = entry["file"].as_str().expect("file").to_owned();
        let line = entry["line"].as_integer().expect("line");
        let reason = entry["reason"].as_str().expect("reason");
        assert!(
            reason.split_whitespace().count() >= 5,
            "{file}:{line}: an exclusion needs its reason"
        );
        let values = entry["values"]
            .as_array()
            .expect("values")
            .iter()
            .map(|v| v.as_str().expect("value").to_owned())
            .collect();
        out.insert((file, line), values);
    }
    out
}

#[tokio::test]
async fn every_percentage_a_results_section_prints_is_stored() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    // What the seed stores at each line: reported figures and the targets of indicators (a results table prints
    // targets and results side by side).
    let mut stored: HashMap<(String, i64), Vec<String>> = HashMap::new();
    let mut add = |row: &Value| {
        let (file, line, end) = source_of(&row["source"]);
        for n in line..=end {
            stored
                .entry((file.clone(), n))
                .or_default()
                .push(row["valuePrinted"].as_str().expect("value").to_owned());
        }
    };
    for plan in collect_all(
        &hub,
        "plans",
        "",
        "key reportedFigures { valuePrinted source { file line lineEnd } }",
        10,
    )
    .await
    {
        plan["reportedFigures"]
            .as_array()
            .expect("figures")
            .iter()
            .for_each(&mut add);
    }
    collect_all(
        &hub,
        "indicators",
        "",
        "valuePrinted source { file line lineEnd }",
        100,
    )
    .await
    .iter()
    .for_each(&mut add);
    let excluded = unstored();
    let mut missing = Vec::new();
    let mut needed = Vec::new();
    for file in PLAN_FILES {
        let lines = seeds.lines(file);
        for n in 1..=lines.len() {
            if under_results(lines, n) != Some(true) {
                continue;
            }
            let here = stored.get(&(file.to_owned(), n as i64));
            let key = (file.to_owned(), n as i64);
            for value in percentages(&lines[n - 1]) {
                if here.is_some_and(|values| values.contains(&value)) {
                    continue;
                }
                if excluded.get(&key).is_some_and(|v| v.contains(&value)) {
                    needed.push(key.clone());
                    continue;
                }
                missing.push(format!("{file}:{n}: {value}%"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "results printed and not stored as reported figures (nor listed in unstored_results.toml with a \
         reason): {missing:#?}"
    );
    // An exclusion that no longer excuses anything is stale: the value was stored, or the line is not a result.
    for key in excluded.keys() {
        assert!(
            needed.contains(key),
            "{}:{}: listed in unstored_results.toml, but nothing there is missing",
            key.0,
            key.1
        );
    }
}

/// The periods a text prints: ranges ("2021 - 2022", the footnote mark a "202214" glues to the end apart) and single
/// years, each of 2000–2099 and not part of a date or a document number ("22/5/2023", "01/2023/NQ-CP") nor the base
/// of a comparison ("so với năm 2022").
fn periods(text: &str) -> (Vec<(u32, u32)>, Vec<u32>) {
    let chars: Vec<char> = text.chars().collect();
    let year_at = |i: usize| -> Option<u32> {
        if i + 4 > chars.len() || chars[i] != '2' || chars[i + 1] != '0' {
            return None;
        }
        if i > 0 && (chars[i - 1].is_ascii_digit() || "/.,".contains(chars[i - 1])) {
            return None;
        }
        let digits: String = chars[i..i + 4].iter().collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let before: String = chars[i.saturating_sub(12)..i].iter().collect();
        if before.ends_with("so với năm ") || before.ends_with("so với ") {
            return None;
        }
        digits.parse().ok()
    };
    let (mut ranges, mut years) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < chars.len() {
        let Some(start) = year_at(i) else {
            i += 1;
            continue;
        };
        let mut j = i + 4;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1; // a footnote mark glued to the year
        }
        let mut k = j;
        while k < chars.len() && chars[k] == ' ' {
            k += 1;
        }
        if k < chars.len() && (chars[k] == '-' || chars[k] == '–') {
            let mut m = k + 1;
            while m < chars.len() && chars[m] == ' ' {
                m += 1;
            }
            if let Some(end) = year_at(m) {
                ranges.push((start, end));
                i = m + 4;
                continue;
            }
        }
        years.push(start);
        i = j;
    }
    (ranges, years)
}

#[tokio::test]
async fn a_reported_figure_keeps_the_period_its_line_prints() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let mut checked = 0;
    for plan in collect_all(
        &hub,
        "plans",
        "",
        "key reportedFigures { key label year source { file line lineEnd } }",
        10,
    )
    .await
    {
        for f in plan["reportedFigures"].as_array().expect("figures") {
            let what = format!("figure {}", f["key"]);
            let label = f["label"].as_str().expect("label");
            let (file, line, end) = source_of(&f["source"]);
            let span = seeds.span(&file, line, end);
            let (printed_ranges, printed_years) = periods(&span);
            let (label_ranges, mut label_years) = periods(label);
            if let Some(year) = f["year"].as_u64() {
                label_years.push(year as u32);
            }
            for range in &label_ranges {
                assert!(
                    printed_ranges.contains(range),
                    "{what}: `{label}` names {range:?}, {file}:{line} prints {printed_ranges:?}"
                );
            }
            for year in &label_years {
                assert!(
                    printed_years.is_empty() || printed_years.contains(year),
                    "{what}: the figure is of {year}, {file}:{line} prints {printed_years:?}: `{span}`"
                );
            }
            // A figure of one year ("trong năm", a year) on a line that credits a period and no single year: the
            // label must say the period.
            let one_year = !label_years.is_empty() || label.to_lowercase().contains("trong năm");
            assert!(
                !(one_year
                    && label_ranges.is_empty()
                    && printed_years.is_empty()
                    && !printed_ranges.is_empty()),
                "{what}: `{label}` is of one year, but {file}:{line} credits {printed_ranges:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} figures");
}
