//! An indicator's name is its printed row text, not a prefix of it: a name that opens with its value ("70% các trường
//! học, cơ sở giáo dục") names what is counted, and the rest of its clause says what is measured of it ("… triển khai
//! nền tảng thanh toán không dùng tiền mặt"). Such a name runs to a break of the printed text, or the indicator
//! carries the printed words it leaves out as its `heading`. A national system's name is printed: at the plan line
//! its catalog entry cites, or in `shared/domain.md`'s table.

use lgsp_hub::text::clean;

use super::rules::source_of;
use super::{Seeds, TURN};
use crate::common::{collect_all, TestHub};

/// Words a target may print before its value ("Trên 90% …", "Phấn đấu 100% …").
const LEADS: [&str; 4] = ["", "trên ", "phấn đấu ", "phần đầu "];

/// Where a name may stop: the end of its line, or a mark that closes a clause (a footnote number may come first).
fn stops_at_a_break(rest: &str) -> bool {
    let rest = rest
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_digit());
    rest.is_empty() || rest.starts_with([';', '.', ',', ':', ')'])
}

#[tokio::test]
async fn an_indicator_name_is_its_printed_row_not_a_prefix_of_it() {
    let seeds = Seeds::load();
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let indicators = collect_all(
        &hub,
        "indicators",
        "",
        "key name valuePrinted heading source { file line lineEnd }",
        100,
    )
    .await;
    let mut checked = 0;
    for i in &indicators {
        if !i["heading"].is_null() {
            continue;
        }
        let name = clean(i["name"].as_str().expect("name"));
        let value = i["valuePrinted"].as_str().expect("value");
        let folded = name.to_lowercase();
        let opens_with_value = LEADS.iter().any(|lead| {
            folded
                .strip_prefix(lead)
                .is_some_and(|rest| rest.starts_with(value))
        });
        if !opens_with_value {
            continue;
        }
        let (file, line, end) = source_of(&i["source"]);
        let lines = &seeds.lines(&file)[(line - 1) as usize..end as usize];
        // The name on one printed line (a cell or a sentence); the faithfulness test already finds it in its span.
        let Some(rest) = lines.iter().find_map(|l| {
            let l = clean(l);
            l.find(&name).map(|at| l[at + name.len()..].to_owned())
        }) else {
            continue;
        };
        assert!(
            stops_at_a_break(&rest),
            "indicator {}: `{name}` stops where its printed clause runs on (`…{}`): the name is the row's text, \
             or the indicator keeps the printed words it leaves out as its heading",
            i["key"],
            rest.chars().take(60).collect::<String>()
        );
        checked += 1;
    }
    assert!(checked > 10, "only {checked} names checked");
}

/// The rows of `shared/domain.md`'s table of national databases, lower-cased; `None` outside the project's workspace.
fn domain_databases() -> Option<Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/domain.md");
    let text = std::fs::read_to_string(path).ok()?;
    let table = text
        .split("## National databases the LGSPs connect to")
        .nth(1)?;
    Some(
        table
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .map(|l| clean(l).to_lowercase())
            .collect(),
    )
}

#[tokio::test]
async fn a_catalog_entry_without_a_plan_line_is_one_domain_md_names() {
    // A name neither a plan prints (the faithfulness test finds a cited name on its line) nor the domain notes list
    // is made up: "Hệ thống thông tin báo cáo quốc gia" where the plans print "… báo cáo Chính phủ", a "Cơ sở dữ
    // liệu quốc gia về cán bộ, công chức, viên chức" no source names.
    let Some(rows) = domain_databases() else {
        return;
    };
    let _turn = TURN.lock().await;
    let hub = TestHub::shared().await;
    let catalog = collect_all(
        &hub,
        "nationalDatabases",
        "",
        "key name source { file }",
        100,
    )
    .await;
    let mut unsourced = 0;
    for d in &catalog {
        if !d["source"].is_null() {
            continue;
        }
        let name = clean(d["name"].as_str().expect("name")).to_lowercase();
        let name = name
            .trim_start_matches("cơ sở dữ liệu quốc gia về ")
            .trim_start_matches("cơ sở dữ liệu ");
        assert!(
            rows.iter().any(|row| row.contains(name)),
            "national database {}: `{}` cites no plan line and is not in shared/domain.md's table",
            d["key"],
            d["name"]
        );
        unsourced += 1;
    }
    assert!(unsourced > 0, "no entry from shared/domain.md");
}
