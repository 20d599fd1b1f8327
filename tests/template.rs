//! `annex template`: the workbooks people fill in, their drop-downs and protection, the round
//! trip master → templates → master, and the warning for a submission made from an older one.

mod support;

use serde_json::{json, Value};
use support::{read_json, repo, xlsx_part, Workdir};

fn master_path() -> String {
    repo()
        .join("output/annex.json")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_submission_template_has_lists_messages_formats_and_protection() {
    let work = Workdir::seeded(|_| {});
    work.run(&["template", "--org", "経産省"]).expect_code(0);
    let book = work.path("template-meti.xlsx");
    let workbook = xlsx_part(&book, "xl/workbook.xml");
    for sheet in [
        r#"<sheet name="取組""#,
        r#"<sheet name="KPI""#,
        r#"<sheet name="論点一覧""#,
        r#"<sheet name="annex_template" sheetId="4" state="hidden""#,
    ] {
        assert!(workbook.contains(sheet), "{sheet} missing: {workbook}");
    }
    let measures = xlsx_part(&book, "xl/worksheets/sheet1.xml");
    assert!(
        measures.contains("<formula1>annex_template!$E$2:$E$20</formula1>"),
        "no 論点ID list: {measures}"
    );
    assert!(
        measures.contains(r#"promptTitle="論点ID""#),
        "no input message"
    );
    assert!(
        measures.contains("<sheetProtection"),
        "the header row is not protected"
    );
    assert!(
        measures.contains(r#"<pane ySplit="1""#),
        "the header row is not frozen"
    );
    let kpis = xlsx_part(&book, "xl/worksheets/sheet2.xml");
    assert!(
        kpis.contains(
            "<formula1>\"件,人,社,拠点,品目,回,課題,者,機関,%,円,千円,百万円\"</formula1>"
        ),
        "no unit list"
    );
    let styles = xlsx_part(&book, "xl/styles.xml");
    assert!(
        styles.contains(r#"formatCode="0&quot;年度&quot;""#),
        "no fiscal-year format"
    );
    let issues = xlsx_part(&book, "xl/worksheets/sheet3.xml");
    assert!(
        issues.contains("<sheetProtection"),
        "the issue list is not read-only"
    );
}

#[test]
fn a_blank_template_checks_clean_and_unknown_organisations_are_refused() {
    let work = Workdir::seeded(|_| {});
    work.run(&["template", "--org", "MEXT", "-o", "blank/mext.xlsx"])
        .expect_code(0);
    let (status, report) = work.check_json(&["blank/mext.xlsx"]);
    assert_eq!(
        (status, &report["errors"], &report["warnings"]),
        (0, &json!(0), &json!(0)),
        "{report:#}"
    );
    let unknown = work.run(&["template", "--org", "財務省"]);
    unknown.expect_code(2);
    assert!(unknown.stderr().contains("METI"), "{}", unknown.explain());
}

#[test]
fn a_master_split_into_templates_builds_the_same_master() {
    let work = Workdir::new();
    let from = master_path();
    work.run(&[
        "template",
        "--council",
        "--from",
        &from,
        "-o",
        "round/council.xlsx",
    ])
    .expect_code(0);
    for org in ["CAO", "MEXT", "MHLW", "METI", "AMED"] {
        let file = format!("round/{}.xlsx", org.to_lowercase());
        work.run(&["template", "--org", org, "--from", &from, "-o", &file])
            .expect_code(0);
    }
    let run = work.run(&["build", "--format", "json", "-o", "out", "round"]);
    run.expect_code(0);
    assert_eq!(run.json()["warnings"], 0, "{}", run.explain());
    assert_eq!(
        read_json(&work.path("out/annex.json")),
        read_json(std::path::Path::new(&from))
    );
}

#[test]
fn a_submission_from_an_older_template_is_warned_about_with_the_columns_that_changed() {
    let work = Workdir::seeded(|_| {});
    work.schemas_with("old-schemas", "kpi.schema.json", |kpi| {
        kpi["properties"].as_object_mut().unwrap().remove("note");
        kpi["properties"]["memo"] = json!({"x-header": "メモ", "x-role": "note", "type": "string"});
    });
    work.run(&[
        "template",
        "--org",
        "METI",
        "--schemas",
        "old-schemas",
        "-o",
        "old.xlsx",
    ])
    .expect_code(0);
    let (status, report) = work.check_json(&["old.xlsx"]);
    assert_eq!(status, 0, "{report:#}");
    let codes: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].clone())
        .collect();
    assert_eq!(
        codes,
        [json!("column.unknown"), json!("template.outdated")],
        "{report:#}"
    );
    let warning = &report["diagnostics"][1];
    assert_eq!(warning["sheet"], "annex_template");
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("KPI gained 備考") && message.contains("KPI lost memo"),
        "{message}"
    );
}

#[test]
fn a_template_filled_by_openpyxl_passes() {
    let work = Workdir::seeded(|files| files.retain(|(stem, _)| stem == "council"));
    let filled =
        std::fs::read(repo().join("tests/fixtures/template/meti-filled-by-openpyxl.xlsx")).unwrap();
    work.write("input/meti.xlsx", &filled);
    // METI checks its own workbook beside the council master: only its own problems.
    let (status, report) = work.check_json(&["input/council.xlsx", "input/meti.xlsx"]);
    let codes: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].clone())
        .collect();
    assert_eq!((status, codes), (0, Vec::<Value>::new()), "{report:#}");
}
