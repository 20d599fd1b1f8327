//! What people and CI see, snapshot-tested: the graphical report in both languages (no colour,
//! fixed width), the GitHub annotations and the JSON document.

mod support;

use serde_json::json;
use support::{row, Workdir};

/// Three defects and a warning in the council's data.
fn defective() -> Workdir {
    Workdir::seeded(|f| {
        row(f, "meti", "KPI", "METI-001-K2")["value"] = json!("abc");
        row(f, "meti", "取組", "METI-004")["id"] = json!("METI-003");
        row(f, "mhlw", "KPI", "MHLW-003-K1")["value"] = json!("1,010人");
        row(f, "council", "論点", "1-2-04")["section_id"] = json!("1-9");
    })
}

#[test]
fn the_graphical_report_in_english() {
    let run = defective().run(&["check", "--lang", "en"]);
    run.expect_code(1);
    insta::assert_snapshot!(run.stdout());
}

#[test]
fn the_graphical_report_in_japanese() {
    let run = defective().run(&["check", "--lang", "ja"]);
    run.expect_code(1);
    insta::assert_snapshot!(run.stdout());
}

#[test]
fn the_language_follows_the_locale() {
    let work = defective();
    let run = assert_cmd::Command::cargo_bin("annex")
        .unwrap()
        .current_dir(work.path(""))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "ja_JP.UTF-8")
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let duplicate = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "id.duplicate")
        .unwrap();
    assert_eq!(
        duplicate["message"],
        "取組ID「METI-003」が重複しています（最初の使用: input/meti.xlsx › 取組 › A4）"
    );
}

#[test]
fn github_annotations() {
    let run = defective().run(&["check", "--format", "github", "--lang", "en"]);
    run.expect_code(1);
    insta::assert_snapshot!(run.stdout());
}

#[test]
fn the_json_report() {
    let run = defective().run(&["check", "--format", "json", "--lang", "en"]);
    run.expect_code(1);
    insta::assert_snapshot!(run.stdout());
}
