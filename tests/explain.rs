//! `annex explain`: every code a run reports is in the catalogue, explained in both languages.

mod support;

use serde_json::json;
use support::{row, Workdir};

#[test]
fn every_code_a_broken_round_reports_is_explained() {
    let work = Workdir::seeded(|files| {
        row(files, "meti", "KPI", "METI-001-K2")["value"] = json!("abc");
        row(files, "meti", "KPI", "METI-001-K1")["unit"] = json!("個");
        row(files, "mhlw", "KPI", "MHLW-003-K1")["value"] = json!("1,010人");
        row(files, "meti", "取組", "METI-004")["id"] = json!("METI-003");
        row(files, "cao", "KPI", "CAO-001-K1")["as_of"] = json!("令和0年4月");
        files.retain(|(stem, _)| stem != "amed");
    });
    let (status, report) = work.check_json(&["input"]);
    assert_eq!(status, 1);
    let mut codes: Vec<String> = (report["diagnostics"].as_array().unwrap().iter())
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    codes.dedup();
    assert!(codes.len() >= 6, "{codes:?}");
    for code in codes {
        let run = work.run(&["explain", &code, "--lang", "ja"]);
        run.expect_code(0);
        let out = run.stdout();
        assert!(out.starts_with(&code) && out.contains("直し方: "), "{out}");
    }
    let unknown = work.run(&["explain", "kpi.value.nonsense"]);
    unknown.expect_code(2);
    assert!(unknown.stderr().contains("kpi.value.nonsense"));
}

#[test]
fn every_code_is_listed_without_one() {
    let work = Workdir::new();
    let run = work.run(&["explain", "--lang", "en"]);
    run.expect_code(0);
    let out = run.stdout();
    for code in ["round.missing", "*.type", "order.unknown", "mr.merged"] {
        assert!(out.contains(&format!("{code} (")), "{code}");
    }
}
