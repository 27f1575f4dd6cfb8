//! Every seeded name, quote and printed amount, read back through the API, is found on the line of the seed plan
//! that the row cites. The plans are vendored in `data/plans/` (override with `LGSP_SEEDS_DIR`); when the project's
//! shared `../shared/seeds/` is present, the vendored copies must be byte-identical to it.

use std::{collections::HashMap, path::PathBuf};

use lgsp_hub::text::clean;
use serde_json::{json, Value};

use crate::common::{collect_all, TestHub};

mod names;
mod results;
mod rules;

/// The faithfulness rules read the whole catalog through the shared hub; they take turns, so that together they hold
/// one of its few connections rather than all of them (beside the rest of the suite, on a loaded machine, a page
/// waiting longer than the pool's acquire timeout answers `DATABASE_UNAVAILABLE`).
pub(crate) static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub(crate) struct Seeds(HashMap<String, Vec<String>>);

impl Seeds {
    pub(crate) fn load() -> Seeds {
        let dir = std::env::var("LGSP_SEEDS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/plans")));
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "seed plans not found at {} ({e}); set LGSP_SEEDS_DIR",
                dir.display()
            )
        });
        let mut files = HashMap::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".txt") {
                let text = std::fs::read_to_string(entry.path()).expect("readable seed");
                files.insert(name, text.split('\n').map(str::to_owned).collect());
            }
        }
        assert_eq!(
            files.len(),
            5,
            "expected the five plans in {}",
            dir.display()
        );
        Seeds(files)
    }

    /// Lines `line..=end` of `file`, joined and cleaned like the seed loader cleans values.
    pub(crate) fn span(&self, file: &str, line: i64, end: i64) -> String {
        let lines = self
            .0
            .get(file)
            .unwrap_or_else(|| panic!("unknown seed file {file}"));
        assert!(
            line >= 1 && end >= line && (end as usize) <= lines.len(),
            "{file}:{line}-{end} out of range"
        );
        clean(&lines[(line - 1) as usize..end as usize].join(" "))
    }

    /// Every line of `file`.
    pub(crate) fn lines(&self, file: &str) -> &[String] {
        self.0
            .get(file)
            .unwrap_or_else(|| panic!("unknown seed file {file}"))
    }

    pub(crate) fn assert_on(&self, source: &Value, text: &str, what: &str) {
        let file = source["file"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no source"));
        let line = source["line"].as_i64().expect("line");
        let end = source["lineEnd"].as_i64().expect("lineEnd");
        let span = self.span(file, line, end);
        assert!(
            span.contains(&clean(text)),
            "{what}: `{text}` is not on {file}:{line}-{end}: `{span}`"
        );
    }
}

/// The printed amount read as digits, and the parsed value, agree: `1.250,5` may be 1250.5 but never 12505.
fn assert_parsed(printed: &str, value: f64, what: &str) {
    let digits: String = printed.chars().filter(char::is_ascii_digit).collect();
    let d: f64 = digits
        .parse()
        .unwrap_or_else(|_| panic!("{what}: `{printed}` has no digits"));
    let ok = (0..=3).any(|s| (d / 10f64.powi(s) - value).abs() < 1e-6);
    assert!(ok, "{what}: printed `{printed}` parsed as {value}");
}

#[tokio::test]
async fn every_seeded_value_is_on_its_cited_line() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;

    let projects = collect_all(
        &hub,
        "projects",
        "",
        "key name source { file line lineEnd } total { printed millionVnd unit } budget { sourceLine amount { printed millionVnd } }",
        100,
    )
    .await;
    assert!(
        projects.len() > 100,
        "only {} projects seeded",
        projects.len()
    );
    for p in &projects {
        let what = format!("project {}", p["key"]);
        seeds.assert_on(&p["source"], p["name"].as_str().expect("name"), &what);
        if let Some(printed) = p["total"]["printed"].as_str() {
            seeds.assert_on(&p["source"], printed, &what);
            if let Some(m) = p["total"]["millionVnd"].as_f64() {
                let unit = if p["total"]["unit"] == "BILLION_VND" {
                    1000.0
                } else {
                    1.0
                };
                assert_parsed(printed, m / unit, &what);
            }
        }
        for line in p["budget"].as_array().expect("budget") {
            let printed = line["amount"]["printed"].as_str().expect("printed");
            let n = line["sourceLine"]
                .as_i64()
                .expect("budget line cites its line");
            let src = json!({ "file": p["source"]["file"], "line": n, "lineEnd": n });
            seeds.assert_on(&src, printed, &what);
        }
    }

    for a in collect_all(
        &hub,
        "agencies",
        "",
        "key name source { file line lineEnd }",
        100,
    )
    .await
    {
        if !a["source"].is_null() {
            seeds.assert_on(
                &a["source"],
                a["name"].as_str().expect("name"),
                &format!("agency {}", a["key"]),
            );
        }
    }
    for s in collect_all(
        &hub,
        "informationSystems",
        "",
        "code name source { file line lineEnd }",
        100,
    )
    .await
    {
        seeds.assert_on(
            &s["source"],
            s["name"].as_str().expect("name"),
            &format!("system {}", s["code"]),
        );
    }
    for i in collect_all(
        &hub,
        "indicators",
        "",
        "key name valuePrinted value source { file line lineEnd }",
        100,
    )
    .await
    {
        let what = format!("indicator {}", i["key"]);
        seeds.assert_on(&i["source"], i["name"].as_str().expect("name"), &what);
        let printed = i["valuePrinted"].as_str().expect("value");
        seeds.assert_on(&i["source"], printed, &what);
        if let Some(v) = i["value"].as_f64() {
            assert_parsed(printed, v, &what);
        }
    }
    for d in collect_all(
        &hub,
        "nationalDatabases",
        "",
        "key name source { file line lineEnd } links { quote source { file line lineEnd } }",
        100,
    )
    .await
    {
        let what = format!("national database {}", d["key"]);
        if !d["source"].is_null() {
            seeds.assert_on(&d["source"], d["name"].as_str().expect("name"), &what);
        }
        for l in d["links"].as_array().expect("links") {
            seeds.assert_on(&l["source"], l["quote"].as_str().expect("quote"), &what);
        }
    }
    for plan in collect_all(
        &hub,
        "plans",
        "",
        "key title source { file line lineEnd } reportedFigures { key label valuePrinted value quote source { file line lineEnd } }",
        10,
    )
    .await
    {
        for f in plan["reportedFigures"].as_array().expect("figures") {
            let what = format!("figure {}", f["key"]);
            seeds.assert_on(&f["source"], f["valuePrinted"].as_str().expect("value"), &what);
            if let Some(q) = f["quote"].as_str() {
                seeds.assert_on(&f["source"], q, &what);
            }
        }
    }
}

#[test]
fn vendored_plans_match_the_shared_seeds() {
    let shared = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds"));
    let Ok(entries) = std::fs::read_dir(&shared) else {
        // Outside the project's workspace there is no shared folder to compare with.
        return;
    };
    let vendored = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/plans"));
    let mut compared = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().ends_with(".txt") {
            continue;
        }
        let ours = std::fs::read(vendored.join(&name))
            .unwrap_or_else(|_| panic!("{name:?} missing from data/plans"));
        let theirs = std::fs::read(entry.path()).expect("shared seed readable");
        assert!(
            ours == theirs,
            "data/plans/{name:?} differs from shared/seeds"
        );
        compared += 1;
    }
    assert_eq!(compared, 5);
}
